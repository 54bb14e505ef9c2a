//! The limit code under the OOM harness: with `LimitAllocator` over
//! `OomTestAllocator`, every allocation of code that creates scopes and
//! allocates in them is failed in turn. Each failure must come back as
//! `Err(OutOfMemory)`, with nothing leaked and every scope's counters freed
//! (the harness checks the bytes, Miri the blocks).

use std::alloc::Layout;

use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
use wasmtime_error::alloc::{TryHashMap, TryString, TryVec};
use wasmtime_error::oom_test::{OomTest, OomTestAllocator};
use wasmtime_error::{Error, OutOfMemory, Result, ensure, try_format};

#[global_allocator]
static ALLOCATOR: LimitAllocator<OomTestAllocator> = LimitAllocator::new(OomTestAllocator::new());

/// Nested scopes, collections grown in them, text formatted in them, a
/// request refused by the limit (not by the harness), blocks that outlive
/// their scope's handle.
fn scoped_work() -> Result<()> {
    let outer = MemoryScope::new(1 << 20)?;
    let inner = outer.run(|| MemoryScope::new(4096))?;
    let (words, index) = inner.run(|| -> Result<_> {
        let mut words = TryVec::new();
        for word in ["a", "bc", "def", "ghij"] {
            words.push(TryString::try_from(word)?)?;
        }
        let mut index = TryHashMap::new();
        for (at, word) in words.iter().enumerate() {
            index.insert(try_format!("{word}:{at}")?, at)?;
        }
        Ok((words, index))
    })?;
    ensure!(inner.usage() > 0 && inner.usage() == outer.usage());
    let refused = inner.run(|| TryVec::<u8>::with_capacity(5000));
    ensure!(refused.is_err() && inner.refused() == 1);
    let error =
        inner.run(|| -> Result<Error> { Ok(Error::msg(try_format!("{} words", words.len())?)) })?;
    if error.is::<OutOfMemory>() {
        return Err(error);
    }
    drop(inner);
    drop((words, index, error));
    ensure!(
        outer.usage() == 0,
        "usage {} after everything was freed",
        outer.usage()
    );
    Ok(())
}

/// A block the inner allocator fails to make is no peak: neither one the
/// reserve covered (an unmarked request) nor one charged for just before
/// (a fallible request past the reserve).
fn failed_blocks_are_no_peak() -> Result<()> {
    let scope = MemoryScope::new(1 << 20)?;
    let kept = scope.run(|| TryVec::<u8>::with_capacity(100))?;
    let layout = Layout::new::<[u8; 1000]>();
    // SAFETY: not zero-sized; freed below with the same layout. A direct
    // call, so that a failure is a null pointer, not an abort.
    let block = scope.run(|| unsafe { std::alloc::alloc(layout) });
    let peak = if block.is_null() { 100 } else { 1100 };
    ensure!(scope.peak() == peak, "peak {} for {peak}", scope.peak());
    if block.is_null() {
        return Err(OutOfMemory::new(layout.size()).into());
    }
    // SAFETY: allocated just above with this layout.
    unsafe { std::alloc::dealloc(block, layout) };
    let large = scope.run(|| TryVec::<u8>::with_capacity(40_000));
    let peak = if large.is_ok() { 40_100 } else { 1100 };
    ensure!(scope.peak() == peak, "peak {} for {peak}", scope.peak());
    drop((kept, large?));
    ensure!(scope.usage() == 0);
    Ok(())
}

#[test]
fn failed_blocks_under_injected_failures_are_no_peak() {
    OomTest::new()
        .isolated(false)
        .test(failed_blocks_are_no_peak)
        .unwrap();
    failed_blocks_are_no_peak().unwrap();
}

/// In this process (Miri's way too): the harness's own allocations for
/// its report, made inside the inner allocator's call in a scope, are
/// charged to no scope, so nothing of the run outlives it.
#[test]
fn scopes_and_their_allocations_under_injected_failures() {
    OomTest::new().isolated(false).test(scoped_work).unwrap();
}

#[test]
fn the_work_runs_unharmed_without_injection() {
    scoped_work().unwrap();
}
