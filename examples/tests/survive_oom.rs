//! Each example's function that allocates, run under the OOM-injection
//! harness: every allocation it makes is failed once, and each failure must
//! come back as an `OutOfMemory` error, never an abort. The examples are
//! included as modules, so their own functions run (their `main`s do not).

#[path = "../../tests/support/fail_each.rs"]
mod fail_each;

use fail_each::{each_allocation_fails_once, unless_oom};
use wasmtime_error::oom_test::OomTestAllocator;

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

#[test]
fn basic_survives_every_failure() {
    // The sensor's context text, its layer, and the survey's layer.
    let summary = each_allocation_fails_once(|| {
        let error = unless_oom(basic::survey().unwrap_err())?;
        assert_eq!(error.chain().count(), 3);
        Ok(())
    });
    assert_eq!(summary.allocations, 3);
}

#[test]
fn budget_survives_every_failure() {
    let summary = each_allocation_fails_once(|| {
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
    let summary = each_allocation_fails_once(|| {
        let error = unless_oom(thiserror_example::load("eighty").unwrap_err())?;
        assert!(error.is::<thiserror_example::ConfigError>());
        Ok(())
    });
    assert_eq!(summary.allocations, 1);
}

#[cfg(feature = "anyhow")]
#[test]
fn anyhow_interop_survives_every_failure() {
    // The context's text and its layer.
    let summary = each_allocation_fails_once(|| {
        let error = unless_oom(anyhow_interop::config::port("eighty").unwrap_err())?;
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
    let summary = each_allocation_fails_once(oom_example::exercise);
    assert!(summary.allocations > 0);
    if !cfg!(miri) {
        assert!(summary.sites > 1 && summary.sites < summary.injected);
    }
}
