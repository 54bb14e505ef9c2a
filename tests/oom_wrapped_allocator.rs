//! `OomTestAllocator` inside another global allocator that hands each
//! request on to it (as a scoped memory limit does): the harness still sees
//! the allocations, and a closure that allocates nothing passes.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use wasmtime_error::oom_test::{OomTest, OomTestAllocator};

thread_local! {
    /// Requests the wrapper handed on, on this thread.
    static REQUESTS: Cell<usize> = const { Cell::new(0) };
}

/// Hands every request on to `A`, counting them.
struct Forwarding<A> {
    inner: A,
}

// SAFETY: every request goes to `inner` unchanged, and every block is
// freed by `inner` with the layout it was allocated with.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Forwarding<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        REQUESTS.with(|requests| requests.set(requests.get() + 1));
        // SAFETY: the caller's guarantees are passed on.
        unsafe { self.inner.alloc(layout) }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: the caller's guarantees are passed on.
        unsafe { self.inner.dealloc(block, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Forwarding<OomTestAllocator> = Forwarding {
    inner: OomTestAllocator::new(),
};

#[test]
fn a_closure_that_allocates_nothing_passes_and_says_so() {
    let before = REQUESTS.with(Cell::get);
    let summary = OomTest::new().check(|| Ok(())).unwrap();
    assert_eq!((summary.allocations, summary.runs), (0, 0));
    assert!(
        summary.to_string().contains("allocated nothing"),
        "{summary}"
    );
    // The wrapper was in the path: it handed on the harness's probe.
    assert!(REQUESTS.with(Cell::get) > before);
    OomTest::new().test(|| Ok(())).unwrap();
}

#[test]
fn allocations_through_the_wrapper_are_counted_and_failed() {
    let summary = OomTest::new()
        .check(|| {
            for size in 1..=3 {
                Vec::<u8>::new().try_reserve_exact(size)?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!((summary.allocations, summary.injected), (3, 3));
}
