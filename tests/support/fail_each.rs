//! Runs code under the OOM-injection harness, each of its allocations failed
//! once, for the tests of the README's code (tests/idioms.rs) and of the
//! examples (examples/tests/survive_oom.rs).

use wasmtime_error::oom_test::{OomTest, OomTestSummary};
use wasmtime_error::{Error, OutOfMemory, Result};

/// Runs `body` under the harness, checks that each allocation was failed
/// once, and returns the summary.
pub fn each_allocation_fails_once(body: impl FnMut() -> Result<()>) -> OomTestSummary {
    let summary = OomTest::new().test(body).unwrap();
    assert_eq!(summary.injected, summary.allocations);
    summary
}

/// Passes an out-of-memory error back to the harness; any other error is
/// the value under test.
pub fn unless_oom(error: Error) -> Result<Error> {
    if error.is::<OutOfMemory>() {
        Err(error)
    } else {
        Ok(error)
    }
}
