//! [`OomTestAllocator`]: the system allocator, with counting and failure
//! injection on threads that run an [`OomTest`](super::OomTest).

use super::abort_report;
use super::capture;
use super::frames::Frames;
use super::state::{self, Decision, Paused};
use allocator_api2::alloc::{AllocError, Allocator};
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};
use std::alloc::System;

/// The allocator that makes [`OomTest`](super::OomTest) work: the system
/// allocator, except on a thread running a test, where it counts the
/// allocations of the code under test and fails the one the test picks.
///
/// Install it as the global allocator of a test binary (it must be the
/// global allocator for `OomTest` to see `Box`, `Vec`, `String` and this
/// crate's own allocations):
///
/// ```
/// use wasmtime_error::oom_test::OomTestAllocator;
///
/// #[global_allocator]
/// static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();
/// # fn main() {}
/// ```
///
/// It also implements [`allocator_api2::alloc::Allocator`], so one
/// collection can be tested while the global allocator stays what it is;
/// `OomTest` then counts and fails only that collection's allocations.
///
/// ```
/// use allocator_api2::vec::Vec;
/// use wasmtime_error::{OutOfMemory, oom_test::{OomTest, OomTestAllocator}};
///
/// let summary = OomTest::new()
///     .check(|| {
///         let mut numbers = Vec::new_in(OomTestAllocator::new());
///         // allocator_api2's `TryReserveError` does not convert with `?`.
///         numbers
///             .try_reserve(16)
///             .map_err(|_| OutOfMemory::new(16 * 4))?;
///         numbers.push(7u32); // within the capacity reserved above
///         Ok(())
///     })
///     .unwrap();
/// assert_eq!(summary.allocations, 1);
/// ```
///
/// `alloc`, `alloc_zeroed` and `realloc` each count as one allocation
/// (`allocate` and `allocate_zeroed` through the `Allocator` trait, whose
/// default `grow` and `shrink` allocate anew); zero-sized requests through
/// the `Allocator` trait are not allocations and are not counted.
#[derive(Clone, Copy, Debug, Default)]
pub struct OomTestAllocator {
    _private: (),
}

impl OomTestAllocator {
    /// The allocator; `const` so that it can initialise a
    /// `#[global_allocator]` static.
    ///
    /// # Example
    ///
    /// ```
    /// use std::alloc::{GlobalAlloc, Layout};
    /// use wasmtime_error::oom_test::OomTestAllocator;
    ///
    /// // Outside an `OomTest` it is the system allocator.
    /// let allocator = OomTestAllocator::new();
    /// let layout = Layout::new::<u64>();
    /// // SAFETY: the layout is not zero-sized; the block is freed with it.
    /// unsafe {
    ///     let block = allocator.alloc(layout);
    ///     assert!(!block.is_null());
    ///     allocator.dealloc(block, layout);
    /// }
    /// ```
    pub const fn new() -> OomTestAllocator {
        OomTestAllocator { _private: () }
    }
}

/// Runs `allocate` unless the test on this thread fails this request, and
/// keeps the leak balance: `grown_by` is how many bytes a success adds.
fn counted(layout: Layout, grown_by: isize, allocate: impl FnOnce() -> *mut u8) -> *mut u8 {
    match state::decide(layout) {
        Decision::PassThrough => allocate(),
        Decision::Track => tracked(grown_by, allocate),
        Decision::Inject(allocation) => {
            injected(allocation);
            ptr::null_mut()
        }
        Decision::Record(allocation) => {
            let _paused = Paused::new();
            capture::record(allocation.index, Frames::capture(state::boundary()));
            tracked(grown_by, allocate)
        }
        Decision::Fork(allocation) => {
            // The child fails the allocation; this process goes on.
            #[cfg(all(unix, not(miri)))]
            if super::isolated::fork_at(allocation) {
                return ptr::null_mut();
            }
            #[cfg(not(all(unix, not(miri))))]
            let _ = allocation;
            tracked(grown_by, allocate)
        }
        Decision::AfterInjection {
            allocation,
            first,
            succeed,
        } => {
            if first {
                after_injection(allocation);
            }
            if succeed {
                tracked(grown_by, allocate)
            } else {
                ptr::null_mut()
            }
        }
    }
}

/// The allocation a run fails: a child tells its parent (which knows
/// where it is made: a child takes no stack); this process takes its
/// stack and prepares the report an abort would print.
fn injected(allocation: super::Allocation) {
    #[cfg(all(unix, not(miri)))]
    if super::child::is_child() {
        super::child::send(&super::wire::Message::Injected(allocation));
        return;
    }
    let _paused = Paused::new();
    let frames = Frames::capture(state::boundary());
    capture::injected(frames);
    abort_report::prepare(allocation, &frames, state::settings());
}

/// The first allocation after the failure: a child tells its parent at
/// once; this process takes its stack.
fn after_injection(allocation: super::Allocation) {
    #[cfg(all(unix, not(miri)))]
    if super::child::is_child() {
        super::child::send(&super::wire::Message::AfterOom(allocation));
        return;
    }
    let _ = allocation;
    let _paused = Paused::new();
    capture::after_oom(Frames::capture(state::boundary()));
}

/// Runs `allocate`, adding what a success allocates to the leak balance.
fn tracked(grown_by: isize, allocate: impl FnOnce() -> *mut u8) -> *mut u8 {
    let block = allocate();
    if !block.is_null() {
        state::track_bytes(grown_by);
    }
    block
}

fn size_as_isize(size: usize) -> isize {
    // Allocation sizes never exceed `isize::MAX` (a `Layout` guarantees it).
    size as isize
}

// SAFETY: every request is forwarded unchanged to `System`, or refused with
// null, which `GlobalAlloc` allows for any request; blocks are freed by
// `System` with the layout they were allocated with.
unsafe impl GlobalAlloc for OomTestAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `alloc` are passed on.
        counted(layout, size_as_isize(layout.size()), || unsafe {
            System.alloc(layout)
        })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `alloc_zeroed` are passed on.
        counted(layout, size_as_isize(layout.size()), || unsafe {
            System.alloc_zeroed(layout)
        })
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        state::track_bytes(-size_as_isize(layout.size()));
        // SAFETY: `block` came from `System` (every block this allocator
        // hands out does) with `layout`, per the caller.
        unsafe { System.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size`, rounded up to the
        // alignment, does not overflow `isize`, so this is a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let grown_by = size_as_isize(new_size) - size_as_isize(layout.size());
        // SAFETY: the caller's guarantees for `realloc` are passed on; on a
        // refusal the old block is left untouched, as `realloc` requires.
        counted(new_layout, grown_by, || unsafe {
            System.realloc(block, layout, new_size)
        })
    }
}

// SAFETY: blocks come from `System` through the `GlobalAlloc` impl above and
// stay valid until deallocated; zero-sized requests get a dangling, aligned
// pointer that is never freed; the allocator is a stateless `Copy` value, so
// every copy may free what another allocated.
unsafe impl Allocator for OomTestAllocator {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.size() == 0 {
            return Ok(NonNull::slice_from_raw_parts(dangling(layout), 0));
        }
        // SAFETY: the layout is not zero-sized.
        let block = unsafe { GlobalAlloc::alloc(self, layout) };
        NonNull::new(block)
            .map(|block| NonNull::slice_from_raw_parts(block, layout.size()))
            .ok_or(AllocError)
    }

    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.size() == 0 {
            return Ok(NonNull::slice_from_raw_parts(dangling(layout), 0));
        }
        // SAFETY: the layout is not zero-sized.
        let block = unsafe { GlobalAlloc::alloc_zeroed(self, layout) };
        NonNull::new(block)
            .map(|block| NonNull::slice_from_raw_parts(block, layout.size()))
            .ok_or(AllocError)
    }

    unsafe fn deallocate(&self, block: NonNull<u8>, layout: Layout) {
        if layout.size() != 0 {
            // SAFETY: a non-zero-sized block from `allocate`, that is from
            // `GlobalAlloc::alloc` with this layout, per the caller.
            unsafe { GlobalAlloc::dealloc(self, block.as_ptr(), layout) }
        }
    }
}

/// A well-aligned dangling pointer for a zero-sized block.
fn dangling(layout: Layout) -> NonNull<u8> {
    // The alignment is a power of two, hence not zero.
    NonNull::new(ptr::without_provenance_mut(layout.align())).unwrap_or(NonNull::dangling())
}
