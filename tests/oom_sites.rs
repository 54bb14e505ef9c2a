//! Site mode (`OomTest::each_site`): of each distinct allocation site, the
//! first and last occurrences are failed, in both modes, with exact counts.
#![cfg(not(miri))]

use wasmtime_error::alloc::{TryString, TryVec};
use wasmtime_error::oom_test::{FailureKind, OomTest, OomTestAllocator};
use wasmtime_error::{OutOfMemory, Result, try_format};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// `k` formatted strings pushed into a vector: two sites, `k` formats and
/// one growth of the vector per doubling.
fn strings(k: usize) -> Result<()> {
    let mut strings: TryVec<TryString> = TryVec::new();
    for i in 0..k {
        let text = try_format!("item {i}")?;
        strings.push(text)?;
    }
    Ok(())
}

fn modes() -> [OomTest; 2] {
    [OomTest::new(), OomTest::new().isolated(false).clone()]
}

#[test]
fn first_and_last_occurrence_of_each_site() {
    let every = OomTest::new()
        .isolated(false)
        .check(|| strings(100))
        .unwrap();
    for mut test in modes() {
        let summary = test.each_site(1, 1).check(|| strings(100)).unwrap();
        assert_eq!(summary.allocations, every.allocations);
        assert_eq!((summary.sites(), summary.runs, summary.injected), (2, 4, 4));
    }
    assert_eq!(every.sites(), 2);
}

#[test]
fn more_occurrences_when_asked() {
    let growths = {
        let every = OomTest::new()
            .isolated(false)
            .check(|| strings(100))
            .unwrap();
        every.allocations - 100
    };
    assert!(growths >= 5, "{growths}");
    for mut test in modes() {
        let summary = test.each_site(2, 3).check(|| strings(100)).unwrap();
        assert_eq!((summary.sites(), summary.runs), (2, 10));
        // Asking for more occurrences than a site has fails each once.
        let summary = OomTest::new()
            .each_site(100, 100)
            .check(|| strings(10))
            .unwrap();
        let every = OomTest::new().check(|| strings(10)).unwrap();
        assert_eq!(summary.runs, every.allocations);
    }
}

#[test]
fn a_site_met_once_is_failed_once() {
    for mut test in modes() {
        let summary = test
            .each_site(1, 1)
            .check(|| {
                let mut once = Vec::<u8>::new();
                once.try_reserve(3)?;
                Ok(())
            })
            .unwrap();
        assert_eq!((summary.sites(), summary.runs), (1, 1));
    }
}

/// Ignores the failure of its last call only.
fn ignores_the_last(k: usize) -> Result<()> {
    for i in 0..k {
        let mut buffer = Vec::<u8>::new();
        let reserved = buffer.try_reserve(8);
        if i + 1 < k {
            reserved.map_err(|_| OutOfMemory::new(8))?;
        }
    }
    Ok(())
}

#[test]
fn the_last_occurrence_is_where_a_late_bug_shows() {
    for mut test in modes() {
        let failure = test
            .clone()
            .each_site(1, 1)
            .check(|| ignores_the_last(50))
            .unwrap_err();
        assert!(matches!(failure.kind(), FailureKind::MissedOom));
        assert_eq!(failure.injected().unwrap().index, 49);
        // The first occurrence alone misses it.
        let summary = test.each_site(1, 0).check(|| ignores_the_last(50)).unwrap();
        assert_eq!(summary.runs, 1);
    }
}

#[inline(never)]
fn aborts_once() -> String {
    "in the middle".to_string()
}

#[cfg(unix)]
#[test]
fn an_aborting_site_in_the_middle_is_found() {
    let failure = OomTest::new()
        .each_site(1, 1)
        .check(|| {
            let mut strings: TryVec<TryString> = TryVec::new();
            for i in 0..200 {
                if i == 100 {
                    std::hint::black_box(aborts_once());
                }
                strings.push(try_format!("item {i}")?)?;
            }
            Ok(())
        })
        .unwrap_err();
    assert_eq!(failure.failed_runs().len(), 1, "{failure}");
    assert!(matches!(failure.kind(), FailureKind::Aborted { .. }));
    let caller = failure.site().unwrap().caller().unwrap();
    assert!(caller.contains("aborts_once"), "{caller}");
}
