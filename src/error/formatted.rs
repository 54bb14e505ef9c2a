//! Formatted messages: `format_err!("x = {}", x)` is an [`Error::msg`] of a
//! `String`, which downcasts to `String` as anyhow's does.
//!
//! anyhow's `format!` aborts when memory runs out and may grow the `String`
//! more than once. Here the `String` is allocated once, fallibly, at its exact
//! size (see [`format_string`](crate::alloc::format_string)).

use super::Error;
use core::fmt;

/// Formats `args` into a new error, or returns the out-of-memory error for
/// the allocation that failed.
///
/// # Panics
///
/// If a `Display` impl returns an error on its own, as `format!` does.
#[cfg_attr(feature = "location", track_caller)]
pub(crate) fn format(args: fmt::Arguments<'_>) -> Error {
    match crate::alloc::format_string(args) {
        Ok(text) => Error::msg(text),
        Err(oom) => Error::from_oom(oom),
    }
}
