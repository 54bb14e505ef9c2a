//! `disable_backtrace()` (feature `backtrace`): errors capture a backtrace
//! until it is called, none afterwards in any thread, and the call itself
//! allocates nothing. Its effect is process-wide, so this binary holds one
//! test, which asks std for backtraces before the first capture (std reads
//! the environment once and keeps its answer).

#[path = "support/counting.rs"]
mod counting;

use counting::{CountingAllocator, count_allocations};
use std::backtrace::BacktraceStatus;
use wasmtime_error::{Context, Error, disable_backtrace};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn boxed_error() -> Error {
    Error::msg("boxed")
}

fn context_layer() -> Error {
    Err::<(), _>(std::fmt::Error).context("layer").unwrap_err()
}

#[test]
fn after_disable_backtrace_no_error_captures_one() {
    // SAFETY: the only test of this binary, run before any thread of ours
    // exists; the harness read the environment before starting it.
    unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "1") };

    let before = boxed_error();
    assert_eq!(before.backtrace().status(), BacktraceStatus::Captured);
    assert_eq!(
        context_layer().backtrace().status(),
        BacktraceStatus::Captured
    );
    // Capturing allocates: more than the error's own allocation.
    let (error, count) = count_allocations(boxed_error);
    assert!(
        count > 1,
        "a capture allocated nothing ({count} allocations)"
    );
    drop(error);

    let ((), count) = count_allocations(disable_backtrace);
    assert_eq!(count, 0, "disable_backtrace allocated");

    let (after, count) = count_allocations(boxed_error);
    assert_eq!(count, 1, "an error made afterwards captured");
    assert_eq!(after.backtrace().status(), BacktraceStatus::Disabled);
    assert_eq!(
        context_layer().backtrace().status(),
        BacktraceStatus::Disabled
    );
    assert!(!format!("{after:?}").contains("Stack backtrace:"));
    // Errors made before keep what they captured.
    assert_eq!(before.backtrace().status(), BacktraceStatus::Captured);
    // (Printing it resolves symbols, which Miri's isolation forbids.)
    if !cfg!(miri) {
        assert!(format!("{before:?}").contains("Stack backtrace:"));
    }

    // Process-wide: another thread captures none either.
    let status = std::thread::spawn(|| boxed_error().backtrace().status())
        .join()
        .unwrap();
    assert_eq!(status, BacktraceStatus::Disabled);

    // Calling it again changes nothing and allocates nothing.
    let ((), count) = count_allocations(disable_backtrace);
    assert_eq!(count, 0);
    assert_eq!(
        boxed_error().backtrace().status(),
        BacktraceStatus::Disabled
    );
}
