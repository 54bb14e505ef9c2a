//! [`LimitAllocator`]: the global allocator that charges scopes.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};
use std::alloc::System;

use super::block::Shape;
use super::state::State;
use super::thread::{self, MOST_RESERVE, Refill, Thread};

/// A global allocator over another (`A`, by default the system allocator)
/// that charges every allocation made on a thread inside a
/// [`MemoryScope`](super::MemoryScope) to that scope. With no scope
/// entered it forwards each call.
///
/// Install it once, as the program's global allocator:
///
/// ```
/// use wasmtime_error::alloc::limit::LimitAllocator;
///
/// #[global_allocator]
/// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
///
/// use wasmtime_error::alloc::TryCollect;
///
/// let scope = wasmtime_error::alloc::limit::MemoryScope::new(1 << 20)?;
/// let squares: Vec<u64> = scope.run(|| (0..100).map(|n| n * n).try_collect())?;
/// assert_eq!(scope.usage(), 800);
/// drop(squares);
/// assert_eq!(scope.usage(), 0);
/// # wasmtime_error::Ok(())
/// ```
///
/// What it asks of `A`: nothing but the `GlobalAlloc` contract, and in
/// particular that blocks are aligned as asked. It asks for alignment 16
/// for every block of alignment 8 or less (with the size raised to 16 at
/// least, so that `System` still calls plain `malloc`), and in a scope for
/// 8 bytes more, where it records the owner; blocks of alignment 16 or more
/// get a header of one alignment. The module docs say why.
pub struct LimitAllocator<A = System> {
    inner: A,
}

impl<A> LimitAllocator<A> {
    /// The allocator over `inner`; `const`, so that it can initialise the
    /// `#[global_allocator]` static.
    ///
    /// # Example
    ///
    /// ```
    /// use std::alloc::{GlobalAlloc, Layout};
    /// use wasmtime_error::alloc::limit::LimitAllocator;
    ///
    /// // Not installed, it can still be called: with no scope, it forwards.
    /// let allocator = LimitAllocator::new(std::alloc::System);
    /// let layout = Layout::new::<[u32; 4]>();
    /// // SAFETY: the layout is not zero-sized; the block is freed with it.
    /// unsafe {
    ///     let block = allocator.alloc(layout);
    ///     assert!(!block.is_null());
    ///     allocator.dealloc(block, layout);
    /// }
    /// ```
    pub const fn new(inner: A) -> LimitAllocator<A> {
        LimitAllocator { inner }
    }
}

impl<A: GlobalAlloc> LimitAllocator<A> {
    /// `alloc` (`ZEROED` false) or `alloc_zeroed`. Inlined, and kept small
    /// so that callers can inline it: a small block with no scope is
    /// forwarded after one thread-local read; every other case is a call.
    ///
    /// # Safety
    ///
    /// `GlobalAlloc::alloc`'s.
    #[inline(always)]
    unsafe fn allocate<const ZEROED: bool>(&self, layout: Layout) -> *mut u8 {
        if Shape::new(layout, false) != Shape::Plain {
            // SAFETY: the caller's promises.
            return unsafe { self.allocate_over_aligned(layout, ZEROED) };
        }
        if thread::current().is_null() {
            // SAFETY: the caller's promises.
            return unsafe { self.allocate_owned(Shape::Plain, layout, ZEROED, ptr::null()) };
        }
        // SAFETY: the caller's promises; a scope (or the probe) is current.
        unsafe { self.allocate_tagged::<ZEROED>(layout.size()) }
    }

    /// The layout of a small block of `size` bytes, as this allocator sees
    /// it: every alignment up to 8 is laid out alike (`Shape` treats them
    /// all as 8), so the paths of small blocks pass the size alone.
    ///
    /// # Safety
    ///
    /// `size` is that of a valid layout of alignment at most 8.
    #[inline(always)]
    unsafe fn small_layout(size: usize) -> Layout {
        // SAFETY: such a size is at most `isize::MAX`, all alignment 1 asks.
        unsafe { Layout::from_size_align_unchecked(size, 1) }
    }

    /// A small block of `size` bytes with a scope (or the probe) current.
    /// The common case is made here: unmarked, and the reserve covers it
    /// (the reserve, the inner call, the owner word). The rest goes on to
    /// `allocate_scoped`.
    ///
    /// # Safety
    ///
    /// `GlobalAlloc::alloc`'s, for a layout of `size` bytes and an
    /// alignment of at most 8; a scope (or the probe) is current.
    #[inline(never)]
    unsafe fn allocate_tagged<const ZEROED: bool>(&self, size: usize) -> *mut u8 {
        // SAFETY: used within this call, on this thread.
        let thread = unsafe { thread::this() };
        // SAFETY: the caller's promise.
        let layout = unsafe { Self::small_layout(size) };
        if !thread.take_unmarked(size) {
            let fallible = thread.take_mark();
            // SAFETY: the caller's promises.
            return unsafe { self.allocate_scoped(thread, layout, ZEROED, fallible) };
        }
        let owner = thread.current();
        // SAFETY: `GlobalAlloc::alloc` is never given a zero-sized layout,
        // and the reserve, which covered `size`, never holds more than
        // `MOST_RESERVE` (`take_unmarked` checks it in debug builds). Said
        // so that the tagged size is known to be 16 at least: `System`
        // then calls plain `malloc`, which cannot see the thread's state.
        unsafe { core::hint::assert_unchecked(size != 0 && size <= MOST_RESERVE) };
        // SAFETY: the reserve covered `size`, and a reserve never holds more
        // than `MOST_RESERVE`, so the tagged size does not overflow.
        let inner_layout = unsafe { Shape::Tagged.inner_layout_unchecked(size, layout.align()) };
        // SAFETY: `inner_layout` is the tagged one, not zero-sized.
        let block = thread.outside_scope(|| unsafe {
            self.open_new(Shape::Tagged, inner_layout, layout.align(), ZEROED, owner)
        });
        if block.is_null() {
            // SAFETY: the bytes were just taken, for no block.
            unsafe { thread.give_back(size) };
        }
        block
    }

    /// A block aligned to 16 or more, with or without a scope.
    ///
    /// # Safety
    ///
    /// `GlobalAlloc::alloc`'s.
    #[inline(never)]
    unsafe fn allocate_over_aligned(&self, layout: Layout, zeroed: bool) -> *mut u8 {
        // SAFETY: used within this call, on this thread.
        let thread = unsafe { thread::this() };
        if thread.current().is_null() {
            // SAFETY: the caller's promises.
            return unsafe { self.allocate_owned(Shape::Headed, layout, zeroed, ptr::null()) };
        }
        let fallible = thread.take_mark();
        // SAFETY: the caller's promises; a scope (or the probe) is current.
        unsafe { self.allocate_scoped(thread, layout, zeroed, fallible) }
    }

    /// The inner block for a new block of `shape`, opened, with `owner`.
    ///
    /// # Safety
    ///
    /// `GlobalAlloc::alloc`'s.
    #[inline(always)]
    unsafe fn allocate_owned(
        &self,
        shape: Shape,
        layout: Layout,
        zeroed: bool,
        owner: *const State,
    ) -> *mut u8 {
        let Some(inner_layout) = shape.inner_layout(layout.size(), layout.align()) else {
            return ptr::null_mut();
        };
        // SAFETY: `inner_layout` is at least as large as `layout`, so not
        // zero-sized.
        unsafe { self.open_new(shape, inner_layout, layout.align(), zeroed, owner) }
    }

    /// A new inner block of `inner_layout`, `shape`'s layout for a block
    /// aligned to `align`, opened with `owner`; null if the inner
    /// allocator fails.
    ///
    /// # Safety
    ///
    /// `inner_layout` is not zero-sized, and is `shape`'s for `align`.
    #[inline(always)]
    unsafe fn open_new(
        &self,
        shape: Shape,
        inner_layout: Layout,
        align: usize,
        zeroed: bool,
        owner: *const State,
    ) -> *mut u8 {
        // SAFETY: the caller's promise.
        let inner = unsafe {
            if zeroed {
                self.inner.alloc_zeroed(inner_layout)
            } else {
                self.inner.alloc(inner_layout)
            }
        };
        if inner.is_null() {
            return inner;
        }
        // SAFETY: a live block of `shape.inner_layout(_, align)`.
        unsafe { shape.open(inner, align, owner) }
    }

    /// An allocation with a scope current that the reserve does not cover,
    /// that is marked fallible, or of an over-aligned block: charged, then
    /// recorded.
    ///
    /// # Safety
    ///
    /// `GlobalAlloc::alloc`'s, and a scope (or the probe) is current.
    #[inline(never)]
    unsafe fn allocate_scoped(
        &self,
        thread: &Thread,
        layout: Layout,
        zeroed: bool,
        fallible: bool,
    ) -> *mut u8 {
        let size = layout.size();
        // SAFETY: a scope (or the probe, whose reserve is empty) is current.
        if !unsafe { thread.take(size, fallible) } {
            // SAFETY: a scope (or the probe) is current.
            match unsafe { thread.refill(size, fallible) } {
                Refill::Charged => {}
                Refill::Refused => return ptr::null_mut(),
                Refill::Unscoped => {
                    let shape = Shape::new(layout, false);
                    // SAFETY: the caller's promises.
                    return unsafe { self.allocate_owned(shape, layout, zeroed, ptr::null()) };
                }
            }
        }
        let (shape, owner) = (Shape::new(layout, true), thread.current());
        // SAFETY: the caller's promises.
        let block =
            thread.outside_scope(|| unsafe { self.allocate_owned(shape, layout, zeroed, owner) });
        if block.is_null() {
            // SAFETY: the bytes were just taken, for no block.
            unsafe { thread.give_back(size) };
        }
        block
    }

    /// Gives the bytes of a freed block (or what a shrink freed) back to
    /// its owner: into the reserve when it is this thread's current scope,
    /// else up the owner's chain.
    ///
    /// # Safety
    ///
    /// `owner` was charged `size` bytes for a block, just freed.
    #[inline(always)]
    unsafe fn credit(owner: NonNull<State>, size: usize) {
        thread::with(|thread| {
            if thread.current() == owner.as_ptr().cast_const() {
                // SAFETY: charged to the current scope when allocated.
                unsafe { thread.refund(size) };
            } else {
                // SAFETY: charged to `owner`'s chain when allocated, and
                // held alive by those bytes.
                unsafe { thread.credit_other(owner, size) };
            }
        });
    }

    /// Moves a block to a new one made in the current context: allocate,
    /// copy, free (which credits the old owner).
    ///
    /// # Safety
    ///
    /// `GlobalAlloc::realloc`'s.
    unsafe fn reallocate_by_moving(
        &self,
        block: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        // SAFETY: the caller guarantees this layout is valid.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `new_size` is not zero, per the caller.
        let moved = unsafe { self.alloc(new_layout) };
        if !moved.is_null() {
            // SAFETY: both blocks are live, distinct, and at least this long.
            unsafe {
                ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                self.dealloc(block, layout);
            }
        }
        moved
    }

    /// `realloc` through the inner allocator, keeping the block's shape.
    ///
    /// # Safety
    ///
    /// `GlobalAlloc::realloc`'s, with `block` of `shape` and `owner`.
    unsafe fn resize_in_place(
        &self,
        shape: Shape,
        block: *mut u8,
        layout: Layout,
        new_size: usize,
        owner: *const State,
    ) -> *mut u8 {
        let align = layout.align();
        let (Some(old_inner), Some(new_inner)) = (
            shape.inner_layout(layout.size(), align),
            shape.inner_layout(new_size, align),
        ) else {
            return ptr::null_mut();
        };
        // SAFETY: the inner block was allocated with `old_inner`; the new
        // size is that of `new_inner`, a valid layout at this alignment.
        let inner = unsafe {
            self.inner
                .realloc(shape.inner(block, align), old_inner, new_inner.size())
        };
        if inner.is_null() {
            return inner;
        }
        // SAFETY: a live block of `new_inner`, of the same shape.
        unsafe { shape.open(inner, align, owner) }
    }

    /// `dealloc` of a tagged block of `size` bytes. The common case, a
    /// block of the current scope whose bytes the reserve keeps, is made
    /// here, ending in the inner call, so that nothing is kept across it;
    /// the rest goes on to `deallocate_credited`.
    ///
    /// # Safety
    ///
    /// `GlobalAlloc::dealloc`'s, for a tagged block of `size` bytes.
    #[inline(never)]
    unsafe fn deallocate_tagged(&self, block: *mut u8, size: usize) {
        // SAFETY: the caller's promise.
        let layout = unsafe { Self::small_layout(size) };
        // SAFETY: a tagged block, live.
        let owner = unsafe { Shape::Tagged.owner(block) };
        // SAFETY: used within this call, on this thread.
        let thread = unsafe { thread::this() };
        if owner == thread.current() && thread.keep(size) {
            // SAFETY: a tagged block of this layout, whose inner layout was
            // valid.
            return unsafe {
                let inner_layout = Shape::Tagged.inner_layout_unchecked(size, layout.align());
                self.inner
                    .dealloc(Shape::Tagged.inner(block, layout.align()), inner_layout)
            };
        }
        // SAFETY: the caller's promises.
        unsafe { self.deallocate_credited(block, layout) }
    }

    /// `dealloc` of a block with an owner word: freed, then credited to its
    /// owner (into the reserve when it is the current scope).
    ///
    /// # Safety
    ///
    /// `GlobalAlloc::dealloc`'s, and the block is not plain.
    #[inline(never)]
    unsafe fn deallocate_credited(&self, block: *mut u8, layout: Layout) {
        let (size, align) = (layout.size(), layout.align());
        // Not plain, so tagged when the alignment is small.
        let shape = match Shape::new(layout, false) {
            Shape::Plain => Shape::Tagged,
            _ => Shape::Headed,
        };
        // SAFETY: `block` came from this allocator with `layout`, so it has
        // this shape, and its inner layout was valid; it is live until
        // freed here, after its owner is read.
        let owner = unsafe {
            let owner = shape.owner(block);
            let inner_layout = shape.inner_layout_unchecked(size, align);
            self.inner.dealloc(shape.inner(block, align), inner_layout);
            owner
        };
        // A tagged block's owner is never null (one is made only with a
        // scope current); a headed block's is null when it has none.
        if let Some(owner) = NonNull::new(owner.cast_mut()) {
            // SAFETY: `owner` was charged `size` for the block.
            unsafe { Self::credit(owner, size) };
        }
    }

    /// `realloc` of a block with an owner word, or with a scope current.
    ///
    /// # Safety
    ///
    /// `GlobalAlloc::realloc`'s.
    #[inline(never)]
    unsafe fn reallocate_owned(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let shape = Shape::of(block, layout);
        // SAFETY: `block` came from this allocator with `layout`.
        let owner = unsafe { shape.owner(block) };
        let size = layout.size();
        match thread::with(|thread| charge_resize(thread, owner, size, new_size)) {
            // SAFETY: the caller's promises.
            Resize::Move => return unsafe { self.reallocate_by_moving(block, layout, new_size) },
            Resize::Refused => return ptr::null_mut(),
            Resize::InPlace => {}
        }
        // SAFETY: the caller's promises.
        let resize = || unsafe { self.resize_in_place(shape, block, layout, new_size, owner) };
        let resized = match owner.is_null() {
            true => resize(),
            // SAFETY: used within this call, on this thread.
            false => unsafe { thread::this() }.outside_scope(resize),
        };
        if let Some(owner) = NonNull::new(owner.cast_mut()) {
            // SAFETY: the owner, the current scope, was charged the old size
            // and, for a growth, the difference: a failed growth gives that
            // back, a shrink what it freed.
            unsafe {
                if resized.is_null() && new_size > size {
                    thread::with(|thread| thread.give_back(new_size - size));
                } else if !resized.is_null() && new_size < size {
                    Self::credit(owner, size - new_size);
                }
            }
        }
        resized
    }
}

// SAFETY: every block handed out lies inside a block of the inner
// allocator, at the offset `Shape::open` chose, and is at least
// `layout.size()` long and aligned to `layout.align()` (the inner block is
// aligned to max(16, align), and the offset is 0, 8 for an alignment of at
// most 8, or the alignment). `dealloc` and `realloc` find the inner block
// and its layout again from the caller's pointer and layout alone
// (`Shape::of`), which relies only on the inner allocator honouring the
// alignment asked for, and on the caller's pointer keeping the provenance
// of the whole block `alloc` returned (see `Shape::owner`). Refusals return null, which `GlobalAlloc` allows;
// nothing here panics or unwinds.
unsafe impl<A: GlobalAlloc> GlobalAlloc for LimitAllocator<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's promises.
        unsafe { self.allocate::<false>(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's promises.
        unsafe { self.allocate::<true>(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        match Shape::of(block, layout) {
            // SAFETY: a plain block, allocated with this layout, so its
            // inner layout was valid.
            Shape::Plain => unsafe {
                let inner_layout =
                    Shape::Plain.inner_layout_unchecked(layout.size(), layout.align());
                self.inner.dealloc(block, inner_layout)
            },
            // SAFETY: the caller's promises, for a tagged block.
            Shape::Tagged => unsafe { self.deallocate_tagged(block, layout.size()) },
            // SAFETY: the caller's promises, for a headed block.
            Shape::Headed => unsafe { self.deallocate_credited(block, layout) },
        }
    }

    #[inline]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let plain = Shape::of(block, layout) == Shape::Plain && thread::current().is_null();
        if let Some(new_layout) = Shape::Plain
            .inner_layout(new_size, layout.align())
            .filter(|_| plain)
        {
            // SAFETY: a plain block of this layout, which was valid when it
            // was allocated; the new size is valid at its alignment.
            return unsafe {
                let old_layout = Shape::Plain.inner_layout_unchecked(layout.size(), layout.align());
                self.inner.realloc(block, old_layout, new_layout.size())
            };
        }
        // SAFETY: the caller's promises.
        unsafe { self.reallocate_owned(block, layout, new_size) }
    }
}

/// What `realloc` does with a block.
enum Resize {
    /// The inner allocator resizes it; its owner is charged the growth.
    InPlace,
    /// It moves to a block of the current context.
    Move,
    /// Refused: the current scope cannot take the growth.
    Refused,
}

/// Whether a block of `owner` grows or shrinks where it is: only when its
/// owner is the current scope (or it has none and no scope is current),
/// which is then charged the growth.
fn charge_resize(thread: &Thread, owner: *const State, size: usize, new_size: usize) -> Resize {
    if owner != thread.current() {
        return Resize::Move;
    }
    if owner.is_null() || new_size <= size {
        return Resize::InPlace;
    }
    let growth = new_size - size;
    let fallible = thread.take_mark();
    // SAFETY: the owner, a scope, is current.
    if unsafe { thread.take(growth, fallible) } {
        return Resize::InPlace;
    }
    // SAFETY: as above.
    match unsafe { thread.refill(growth, fallible) } {
        Refill::Charged => Resize::InPlace,
        Refill::Refused => Resize::Refused,
        // Not reached: no block is owned by the probe.
        Refill::Unscoped => Resize::Move,
    }
}
