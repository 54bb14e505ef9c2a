//! A global allocator for tests that counts, per thread, the allocations
//! made and the bytes still live, and can be told to fail allocations.
//!
//! The counters are thread-local so that tests running in parallel (and the
//! test harness itself) do not disturb each other's numbers.

#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Install with `#[global_allocator] static A: CountingAllocator = CountingAllocator;`.
pub struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static LIVE_BYTES: Cell<isize> = const { Cell::new(0) };
    static FAIL: Cell<bool> = const { Cell::new(false) };
}

fn record(allocations: usize, bytes: isize) {
    // `try_with`: while a thread is torn down its counters may be gone.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + allocations));
    let _ = LIVE_BYTES.try_with(|c| c.set(c.get() + bytes));
}

fn failing() -> bool {
    FAIL.try_with(Cell::get).unwrap_or(false)
}

// SAFETY: every call is forwarded to `System` with the caller's arguments;
// the counters only observe, and a refused request returns null as the
// `GlobalAlloc` contract allows.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if failing() {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded as received.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            record(1, layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if failing() {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded as received.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record(1, layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) };
        record(0, -(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if failing() {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded as received.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            record(1, new_size as isize - layout.size() as isize);
        }
        new
    }
}

/// Allocations made on this thread so far.
pub fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// Bytes allocated and not yet freed on this thread (frees of memory another
/// thread allocated count against this one).
pub fn live_bytes() -> isize {
    LIVE_BYTES.with(Cell::get)
}

/// Runs `f` and returns its result with the number of allocations it made.
pub fn count_allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = allocations();
    let result = f();
    (result, allocations() - before)
}

/// Runs `f` with every allocation on this thread failing.
pub fn without_memory<R>(f: impl FnOnce() -> R) -> R {
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            FAIL.with(|fail| fail.set(false));
        }
    }
    FAIL.with(|fail| fail.set(true));
    let _restore = Restore;
    f()
}
