// The README is the front page. Its links to the pages of docs/ and to
// CONTRIBUTING.md name files, for readers of the repository; these
// definitions come first and win, pointing rustdoc at `guide` instead.
#![doc = "[migrating]: crate::guide::migrating"]
#![doc = "[differences]: crate::guide::differences"]
#![doc = "[no-abort]: crate::guide::no_abort_lint"]
#![doc = "[backtraces]: crate::guide::backtraces_and_locations"]
#![doc = "[performance]: crate::guide::performance"]
#![doc = "[limits]: crate::guide::memory_limits"]
#![doc = "[contributing]: crate::guide::contributing"]
#![cfg_attr(feature = "oom-test", doc = "[oom_test]: crate::oom_test")]
#![doc = include_str!("../README.md")]
#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(arc_try_new, feature(allocator_api))]
// Badge only this crate's features: not the cfgs of std methods reached
// through `Deref`, nor hashbrown's `default-hasher`. Nightlies have spelt
// the second `hide(feature = "..")` and `hide(feature, values(".."))`:
// both are given, the one a nightly does not know is ignored, and CI checks
// the badges that result.
#![cfg_attr(docsrs, allow(unknown_lints, invalid_doc_attributes))]
#![cfg_attr(docsrs, doc(auto_cfg(hide(no_global_oom_handling))))]
#![cfg_attr(docsrs, doc(auto_cfg(hide(feature = "default-hasher"))))]
#![cfg_attr(docsrs, doc(auto_cfg(hide(feature, values("default-hasher")))))]

extern crate alloc as std_alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "collections")]
pub mod alloc;
#[cfg(not(feature = "collections"))]
mod alloc;
#[cfg(feature = "anyhow")]
mod anyhow;
mod error;
mod macros;
mod oom;
mod to_wasmtime_result;

#[doc(hidden)]
pub mod __private;
#[cfg(any(doc, doctest))]
pub mod guide;
#[cfg(feature = "oom-test")]
#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    reason = "the harness allocates with injection paused or between runs, outside the code under test"
)]
pub mod oom_test;
pub mod prelude;

#[cfg(feature = "location")]
pub use error::Locations;
#[cfg(feature = "backtrace")]
#[doc(hidden)]
pub use error::disable_backtrace;
pub use error::{Chain, Context, Error, FormattedContext};
pub use oom::OutOfMemory;
pub use to_wasmtime_result::ToWasmtimeResult;

/// `Result<T, Error>`, with `Error` as the default error type.
///
/// # Example
///
/// ```
/// use wasmtime_error::Result;
///
/// fn half(n: u32) -> Result<u32> {
///     wasmtime_error::ensure!(n % 2 == 0, "{n} is odd");
///     Ok(n / 2)
/// }
/// assert_eq!(half(4).unwrap(), 2);
/// assert_eq!(half(3).unwrap_err().to_string(), "3 is odd");
/// ```
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// `Ok(value)` with the error type fixed to [`Error`], for closures and
/// blocks where inference cannot tell which `Result` is meant.
///
/// # Example
///
/// ```
/// let parse = |s: &str| {
///     let n: i32 = s.parse()?;
///     wasmtime_error::Ok(n * 2)
/// };
/// assert_eq!(parse("21").unwrap(), 42);
/// ```
#[allow(non_snake_case)]
pub fn Ok<T>(value: T) -> Result<T> {
    Result::Ok(value)
}
