//! A test that passes in isolated mode (the default here) resolves no
//! symbol: the harness loads the program's debug information only to report
//! a failure, to print, to count sites, or to prepare the abort report of a
//! run in this process. Symbols are resolved in a helper process, started at
//! the first address resolved: in this binary it never is.
#![cfg(all(target_os = "linux", not(miri)))]

use wasmtime_error::alloc::{TryString, TryVec};
use wasmtime_error::oom_test::{OomTest, OomTestAllocator};
use wasmtime_error::{Result, try_format};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// 100 formatted strings, kept.
fn strings() -> Result<()> {
    let mut kept: TryVec<TryString> = TryVec::new();
    for i in 0..100 {
        kept.push(try_format!("item {i}")?)?;
    }
    Ok(())
}

/// The children of every thread of this process.
fn children() -> String {
    let mut all = String::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let path = task.unwrap().path().join("children");
        all += &std::fs::read_to_string(path).unwrap_or_default();
    }
    all
}

#[test]
fn passing_tests_start_no_symbol_server() {
    let summary = OomTest::new().check(strings).unwrap();
    assert_eq!(summary.injected, summary.allocations);
    OomTest::new().max_iters(50).fuzz(strings).unwrap();
    OomTest::new().test(strings).unwrap();
    assert_eq!(children().trim(), "", "a helper process was started");
    // Counting sites is what starts it.
    assert_eq!(summary.sites(), 2);
    assert_ne!(children().trim(), "");
}
