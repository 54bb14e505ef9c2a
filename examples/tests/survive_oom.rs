//! Each example's function that allocates, run under the OOM-injection
//! harness: every allocation it makes is failed once, and each failure must
//! come back as an `OutOfMemory` error, never an abort. The examples are
//! included as modules, so their own functions run (their `main`s do not).

use wasmtime_error::oom_test::{OomTest, OomTestAllocator, OomTestSummary};
use wasmtime_error::{Error, OutOfMemory, Result};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

#[allow(dead_code)]
#[path = "../basic.rs"]
mod basic;

#[allow(dead_code)]
#[path = "../budget.rs"]
mod budget;

#[allow(dead_code)]
#[path = "../thiserror.rs"]
mod thiserror_example;

#[cfg(feature = "anyhow")]
#[allow(dead_code)]
#[path = "../anyhow_interop.rs"]
mod anyhow_interop;

#[allow(dead_code)]
#[path = "../oom_test.rs"]
mod oom_example;

/// Runs `body` under the harness, checks that each of its allocations was
/// failed once, and returns the summary.
fn fail_each_allocation(body: impl FnMut() -> Result<()>) -> OomTestSummary {
    let summary = OomTest::new().test(body).unwrap();
    assert_eq!(summary.injected, summary.allocations);
    summary
}

/// The error under test, or, if it is out of memory, that error passed back
/// to the harness with `?`.
fn not_oom(error: Error) -> Result<Error> {
    match error.is::<OutOfMemory>() {
        true => Err(error),
        false => Ok(error),
    }
}

#[test]
fn basic_survives_every_failure() {
    // The sensor's context text, its layer, and the survey's layer.
    let summary = fail_each_allocation(|| {
        let error = not_oom(basic::survey().unwrap_err())?;
        assert_eq!(error.chain().count(), 3);
        Ok(())
    });
    assert_eq!(summary.allocations, 3);
}

#[test]
fn budget_survives_every_failure() {
    let summary = fail_each_allocation(|| {
        let budget = wasmtime_error::alloc::Budget::new(64 * 1024);
        let (logged, indexed) = budget::record(&budget, 100)?;
        assert_eq!((logged, indexed), (100, 100));
        Ok(())
    });
    assert!(summary.allocations > 0);
}

#[test]
fn thiserror_survives_every_failure() {
    // The context layer.
    let summary = fail_each_allocation(|| {
        let error = not_oom(thiserror_example::load("eighty").unwrap_err())?;
        assert!(error.is::<thiserror_example::ConfigError>());
        Ok(())
    });
    assert_eq!(summary.allocations, 1);
}

#[cfg(feature = "anyhow")]
#[test]
fn anyhow_interop_survives_every_failure() {
    // The context's text and its layer.
    let summary = fail_each_allocation(|| {
        let error = not_oom(anyhow_interop::config::port("eighty").unwrap_err())?;
        assert_eq!(
            error.downcast_ref::<String>().unwrap(),
            "port \"eighty\" is not a number"
        );
        Ok(())
    });
    assert_eq!(summary.allocations, 2);
}

#[test]
fn oom_test_survives_every_failure() {
    let summary = fail_each_allocation(oom_example::exercise);
    assert!(summary.allocations > 0);
    if !cfg!(miri) {
        assert!(summary.sites > 1 && summary.sites < summary.injected);
    }
}
