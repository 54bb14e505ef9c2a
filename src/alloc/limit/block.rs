//! Where a block records its owner, without a header on unscoped blocks.
//!
//! `dealloc` gets only the pointer and the caller's layout, so the pointer
//! itself must tell whether an owner word sits in front of the block. The
//! inner allocator is only ever asked for alignments of at least 16, and
//! relied on for nothing but honouring the alignment it is asked for, so:
//!
//! - **alignment up to 8, no scope** ([`Shape::Plain`]): the block is
//!   forwarded with its alignment raised to 16 (and its size to at least 16,
//!   so that `System` still calls plain `malloc`, which it does when the
//!   alignment is at most its minimum and at most the size). The pointer is
//!   a multiple of 16.
//! - **alignment up to 8, in a scope** ([`Shape::Tagged`]): 8 bytes more
//!   (rounded up to a multiple of 8, so 16 at least), at alignment 16; the
//!   owner is written in the first 8 and the caller gets the block 8 bytes
//!   in, which is 8 more than a multiple of 16. That bit is what `dealloc`
//!   and `realloc` test.
//! - **alignment 16 or more** ([`Shape::Headed`]): always a header of one
//!   alignment in front, whose last word holds the owner, or null. The
//!   caller's layout says which shape it is, so no bit is needed.
//!
//! `realloc` through the inner allocator keeps a block's shape: its
//! alignment is kept, so is the offset of the owner word, which moves with
//! the bytes. Sizes whose raised layout would overflow are refused (null),
//! never a panic.

use core::alloc::Layout;

use super::state::State;

/// Bytes in front of a tagged block; the owner word.
const TAG: usize = 8;
/// The alignment every small block is allocated with.
const SMALL_ALIGN: usize = 16;

const _: () = assert!(size_of::<*const State>() <= TAG);

/// How a block of a caller's layout is laid out in the inner allocator.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Shape {
    /// Alignment up to 8, no owner word.
    Plain,
    /// Alignment up to 8, the owner word in the 8 bytes in front.
    Tagged,
    /// Alignment 16 or more, a header of one alignment in front.
    Headed,
}

impl Shape {
    /// The shape of a new block: `scoped` when a scope is current.
    #[inline(always)]
    pub(super) fn new(layout: Layout, scoped: bool) -> Shape {
        match (layout.align() <= TAG, scoped) {
            (true, false) => Shape::Plain,
            (true, true) => Shape::Tagged,
            (false, _) => Shape::Headed,
        }
    }

    /// The shape of an existing block handed out by `LimitAllocator` with
    /// `layout`.
    #[inline(always)]
    pub(super) fn of(block: *mut u8, layout: Layout) -> Shape {
        if layout.align() > TAG {
            Shape::Headed
        } else if block.addr() & TAG != 0 {
            // A small block is 0 (plain) or 8 (tagged) past a multiple of
            // 16: the bit of 8 tells them apart, in one test.
            Shape::Tagged
        } else {
            Shape::Plain
        }
    }

    /// What to ask the inner allocator for, for a caller's block of `size`
    /// bytes at `align`: `None` when that overflows.
    #[inline(always)]
    pub(super) fn inner_layout(self, size: usize, align: usize) -> Option<Layout> {
        // The largest size a layout of alignment `align` may have.
        let most = |align: usize| isize::MAX as usize - (align - 1);
        let fits = match self {
            Shape::Plain | Shape::Tagged => size <= most(SMALL_ALIGN) - TAG,
            Shape::Headed => size <= most(align) - align,
        };
        // SAFETY: checked just above: the size, with what the shape adds,
        // stays within what the alignment (a power of two) allows.
        fits.then(|| unsafe { self.inner_layout_unchecked(size, align) })
    }

    /// `inner_layout` for a block that exists: it was checked when the
    /// block was allocated.
    ///
    /// # Safety
    ///
    /// `self.inner_layout(size, align)` is `Some`.
    #[inline(always)]
    pub(super) unsafe fn inner_layout_unchecked(self, size: usize, align: usize) -> Layout {
        let (size, align) = match self {
            Shape::Plain => (size.max(SMALL_ALIGN), SMALL_ALIGN),
            // Rounded up to a multiple of 8: at least 16 (for `System`'s
            // plain `malloc`) for any size but 0, in two instructions.
            Shape::Tagged => ((size + TAG + (TAG - 1)) & !(TAG - 1), SMALL_ALIGN),
            Shape::Headed => (size + align, align),
        };
        // SAFETY: the caller's promise: this layout was valid.
        unsafe { Layout::from_size_align_unchecked(size, align) }
    }

    /// How far into the inner block the caller's block starts.
    #[inline(always)]
    fn offset(self, align: usize) -> usize {
        match self {
            Shape::Plain => 0,
            Shape::Tagged => TAG,
            Shape::Headed => align,
        }
    }

    /// The caller's block inside an inner block of this shape, with the
    /// owner written in front (for the shapes that have a word for it).
    ///
    /// # Safety
    ///
    /// `inner` is a live block of `self.inner_layout(_, align)`.
    #[inline(always)]
    pub(super) unsafe fn open(self, inner: *mut u8, align: usize, owner: *const State) -> *mut u8 {
        let offset = self.offset(align);
        // SAFETY: the inner block is `offset` bytes longer than the
        // caller's, so the caller's block starts within it.
        let block = unsafe { inner.add(offset) };
        if self != Shape::Plain {
            // SAFETY: the owner word is the `TAG <= offset` bytes in front
            // of the caller's block, inside the inner block, and aligned for
            // a pointer: `block` is aligned to at least 8.
            unsafe { block.sub(TAG).cast::<*const State>().write(owner) };
        }
        block
    }

    /// The inner block of a caller's block of this shape.
    ///
    /// # Safety
    ///
    /// `block` came from `open` with this shape and `align`.
    #[inline(always)]
    pub(super) unsafe fn inner(self, block: *mut u8, align: usize) -> *mut u8 {
        // SAFETY: `open` moved this far into the inner block.
        unsafe { block.sub(self.offset(align)) }
    }

    /// The owner `open` recorded, null for none.
    ///
    /// # Safety
    ///
    /// `block` came from `open` with this shape, and is live.
    #[inline(always)]
    pub(super) unsafe fn owner(self, block: *mut u8) -> *const State {
        if self == Shape::Plain {
            return core::ptr::null();
        }
        // SAFETY: `open` wrote the owner word there, in the same inner
        // block. Reading in front of the caller's block relies on `block`
        // keeping the provenance of the whole inner block, as the pointer
        // `alloc` returned did: the Rust allocation model allows it, and so
        // does Miri under Tree Borrows, but Stacked Borrows narrows a
        // `Box`'s pointer to its value, so `.ci/run` runs the `limit` tests
        // under Tree Borrows.
        unsafe { block.sub(TAG).cast::<*const State>().read() }
    }
}
