//! The feature `backtrace`: a boxed error captures a backtrace when it is
//! made, a context layer shows the one of the error it wraps, and `{:?}` of
//! the error (and of its `into_boxed_dyn_error` box) ends with it, as anyhow
//! prints it: a "Stack backtrace:" section with the trailing white space
//! trimmed.
//!
//! Capturing is switched on in this test binary itself
//! (`RUST_LIB_BACKTRACE=1`), so these tests do not depend on the caller's
//! environment.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::error::Error as StdError;
use std::fmt;
use wasmtime_error::{Context, Error, OutOfMemory, format_err};

/// Turns capturing on before any error of this binary is made.
fn setup() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: every test calls `setup` before anything else, so while
        // the `Once` runs no other thread of this process reads the
        // environment (the harness read it before starting the tests).
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "1") };
        // std decides once whether to capture and caches it: decide now.
        assert_eq!(Backtrace::capture().status(), BacktraceStatus::Captured);
    });
}

#[derive(Debug)]
struct Failure;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("failure")
    }
}

impl StdError for Failure {}

/// What `{:?}` appends for `backtrace`: the section header, then std's
/// `Display` of the backtrace without its trailing white space.
fn section(backtrace: &Backtrace) -> String {
    format!("\n\nStack backtrace:\n{}", backtrace.to_string().trim_end())
}

fn every_kind_of_boxed_error() -> [Error; 6] {
    [
        Error::new(Failure),
        Error::msg("message"),
        Error::from_boxed(Box::new(Failure)),
        format_err!("formatted {}", 1),
        None::<()>.context("none").unwrap_err(),
        Err::<(), _>(Failure)
            .context("around a std error")
            .unwrap_err(),
    ]
}

#[test]
fn every_kind_of_boxed_error_captures_a_backtrace() {
    setup();
    for error in every_kind_of_boxed_error() {
        let status = error.backtrace().status();
        assert_eq!(status, BacktraceStatus::Captured, "{error}");
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "printing a backtrace needs getcwd, which isolation refuses"
)]
fn the_backtrace_is_the_one_of_the_code_that_made_the_error() {
    setup();
    for error in every_kind_of_boxed_error() {
        let backtrace = error.backtrace().to_string();
        assert!(
            backtrace.contains("every_kind_of_boxed_error"),
            "{backtrace}"
        );
    }
}

#[test]
fn errors_without_an_allocation_have_none() {
    setup();
    // A context layer over a static message captures nothing either.
    let errors = [
        Error::from(OutOfMemory::new(8)),
        format_err!("literal"),
        format_err!("literal").context("outer"),
    ];
    for error in errors {
        assert_eq!(error.backtrace().status(), BacktraceStatus::Disabled);
        assert!(!format!("{error:?}").contains("Stack backtrace"));
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "printing a backtrace needs getcwd, which isolation refuses"
)]
fn debug_ends_with_the_backtrace_trimmed() {
    setup();
    let error = Error::new(Failure);
    let debug = format!("{error:?}");
    // (With the feature `location` a location line comes before it.)
    assert!(debug.starts_with("failure"), "{debug}");
    assert!(debug.ends_with(&section(error.backtrace())), "{debug}");
    assert_eq!(debug.matches("Stack backtrace:").count(), 1);
    assert_eq!(debug.trim_end(), debug);
    // The section is not empty: frames, with their indentation kept.
    assert!(debug.contains("\n   0: "), "{debug}");
    assert!(debug.contains("\n             at "), "{debug}");
}

#[test]
fn a_context_layer_has_the_backtrace_of_the_error_it_wraps() {
    setup();
    let inner = Error::msg("inner");
    let captured: *const Backtrace = inner.backtrace();
    let error = inner.context("middle").context("outer");
    // The layers captured nothing of their own: the backtrace is the one
    // the innermost error took, at the same place.
    assert!(std::ptr::eq(error.backtrace(), captured));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "printing a backtrace needs getcwd, which isolation refuses"
)]
fn a_context_layer_prints_the_backtrace_of_the_error_it_wraps() {
    setup();
    let error = Error::msg("inner").context("middle").context("outer");
    let debug = format!("{error:?}");
    assert!(debug.starts_with("outer"), "{debug}");
    let causes = debug.find("Caused by:").unwrap();
    let inner = debug.find("    1: inner").unwrap();
    let section_start = debug.find("\n\nStack backtrace:\n").unwrap();
    assert!(causes < inner && inner < section_start, "{debug}");
    assert_eq!(&debug[section_start..], section(error.backtrace()));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "printing a backtrace needs getcwd, which isolation refuses"
)]
fn the_boxed_dyn_error_keeps_the_backtrace() {
    setup();
    let error = Error::new(Failure).context("outer");
    let expected = format!("{error:?}");
    assert!(expected.ends_with(&section(error.backtrace())));
    let boxed = error.into_boxed_dyn_error();
    assert_eq!(format!("{boxed:?}"), expected);

    let error = Error::msg("alone");
    let expected = section(error.backtrace());
    let debug = format!("{:?}", error.into_boxed_dyn_error());
    assert!(debug.starts_with("alone"), "{debug}");
    assert!(debug.ends_with(&expected), "{debug}");
}
