//! A test binary without the `#[global_allocator]` line: the harness sees
//! none of the closure's allocations, and must fail rather than pass, with
//! the line to add in its message. A collection given the test allocator
//! directly is still tested.

use allocator_api2::vec::Vec as ApiVec;
use wasmtime_error::Result;
use wasmtime_error::oom_test::{FailureKind, OomTest, OomTestAllocator, OomTestFailure};

/// 101 allocations through the global allocator.
fn allocates_101_times() -> Result<()> {
    let mut kept = Vec::new();
    kept.try_reserve_exact(100)?;
    for i in 0..100 {
        let mut one = Vec::<u32>::new();
        one.try_reserve_exact(1)?;
        one.extend([i]); // within the capacity just reserved
        kept.extend([one]); // within the capacity reserved above
    }
    assert_eq!(kept.len(), 100);
    Ok(())
}

#[test]
fn a_test_that_sees_nothing_fails_with_the_line_to_add() {
    let failure = OomTest::new().check(allocates_101_times).unwrap_err();
    assert!(
        matches!(failure.kind(), FailureKind::AllocatorNotInstalled),
        "{failure}"
    );
    assert_eq!(failure.summary().allocations, 0);
    let message = failure.to_string();
    for line in [
        "not the global allocator",
        "#[global_allocator]",
        "static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =",
        "wasmtime_error::oom_test::OomTestAllocator::new();",
    ] {
        assert!(message.contains(line), "`{line}` missing from:\n{message}");
    }
    // The same through Wasmtime's calls, in both modes.
    for isolated in [true, false] {
        let error = OomTest::new()
            .isolated(isolated)
            .test(allocates_101_times)
            .unwrap_err();
        let failure = error.downcast_ref::<OomTestFailure>().unwrap();
        assert!(matches!(failure.kind(), FailureKind::AllocatorNotInstalled));
    }
    let error = OomTest::new()
        .max_iters(10)
        .fuzz(allocates_101_times)
        .unwrap_err();
    assert!(error.to_string().contains("#[global_allocator]"), "{error}");
}

#[test]
fn a_closure_that_allocates_nothing_fails_too_when_nothing_is_seen() {
    // Nothing tells it from one whose allocations were missed.
    let failure = OomTest::new().check(|| Ok(())).unwrap_err();
    assert!(matches!(failure.kind(), FailureKind::AllocatorNotInstalled));
}

#[test]
fn a_collection_given_the_test_allocator_is_tested_without_it() {
    let summary = OomTest::new()
        .check(|| {
            let mut tested = ApiVec::<u64, _>::new_in(OomTestAllocator::new());
            tested
                .try_reserve_exact(3)
                .map_err(|_| wasmtime_error::OutOfMemory::new(24))?;
            // Global allocations are not seen, and need not be.
            allocates_101_times()
        })
        .unwrap();
    assert_eq!((summary.allocations, summary.injected), (1, 1));
}
