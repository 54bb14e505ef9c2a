//! The harness itself: each rule of the contract is enforced (a broken rule
//! is reported with the right kind, index and layout), the options do what
//! they say, and the injection state is per thread and survives panics and
//! `.await` points.

use futures::{WokenElsewhere, YieldOnce, block_on};
use std::alloc::{Layout, alloc, dealloc};
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use wasmtime_error::oom_test::{
    FailureKind, OomTest, OomTestAllocator, OomTestFailure, without_injection,
};
use wasmtime_error::{Error, OutOfMemory, Result, format_err};

#[path = "support/futures.rs"]
mod futures;
#[cfg(not(miri))]
#[path = "support/unwinding_noise.rs"]
mod noise;

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// One raw allocation, freed on drop; null when it failed.
struct Block {
    block: *mut u8,
    layout: Layout,
}

impl Block {
    fn new(size: usize) -> Block {
        let layout = Layout::from_size_align(size, 8).unwrap();
        // SAFETY: every size used here is non-zero.
        let block = unsafe { alloc(layout) };
        Block { block, layout }
    }

    fn failed(&self) -> bool {
        self.block.is_null()
    }

    /// The allocation as a result, the way well-behaved code reports it.
    fn checked(size: usize) -> Result<Block> {
        let block = Block::new(size);
        if block.failed() {
            return Err(OutOfMemory::new(size).into());
        }
        Ok(block)
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        if !self.block.is_null() {
            // SAFETY: allocated in `new` with `layout`.
            unsafe { dealloc(self.block, self.layout) };
        }
    }
}

/// Where closures put what they do not free: made before the test with
/// room to spare (so keeping allocates nothing) and freed after it, so that
/// the leaks the harness must see are not real leaks for Miri.
struct Kept<T>(RefCell<Vec<T>>);

impl<T> Kept<T> {
    fn new() -> Kept<T> {
        Kept(RefCell::new(Vec::with_capacity(64)))
    }

    fn keep(&self, value: T) {
        let mut kept = self.0.borrow_mut();
        assert!(kept.len() < kept.capacity(), "keeping must not allocate");
        kept.push(value);
    }
}

/// `n` checked allocations of 8, 16, 24, ... bytes.
fn allocate_checked(n: usize) -> Result<()> {
    for i in 1..=n {
        Block::checked(8 * i)?;
    }
    Ok(())
}

#[test]
fn in_this_process_the_closure_runs_twice_dry_then_once_per_allocation() {
    // Two dry runs agree on the count; no other run is needed (stacks are
    // taken only for children and site mode).
    let calls = Cell::new(0);
    let summary = OomTest::new()
        .isolated(false)
        .check(|| {
            calls.set(calls.get() + 1);
            allocate_checked(3)
        })
        .unwrap();
    assert_eq!(summary.allocations, 3);
    assert_eq!(calls.get(), 2 + 3);
}

/// The contract, with each failure run in this process.
mod in_process {
    use super::*;

    fn harness() -> OomTest {
        OomTest::new().isolated(false).clone()
    }

    include!("oom_harness/contract.rs");
}

/// The contract, with each failure run in a child process (where the
/// platform has them; elsewhere this is the in-process mode again, and
/// Miri, which has none, runs it once).
#[cfg(not(miri))]
mod isolated {
    use super::*;

    fn harness() -> OomTest {
        noise::start_if_asked();
        OomTest::new().isolated(true).clone()
    }

    include!("oom_harness/contract.rs");
}
