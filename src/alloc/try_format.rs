//! Formatting into a [`TryString`]: [`try_format!`](crate::try_format) and
//! `write!`, on the exact-size formatting of `format_exact`.

use super::format_exact::{Sink, format_exact};
use super::{Allocator, TryString};
use crate::OutOfMemory;
use core::fmt::{self, Write};

/// Formats its arguments, as `format!` does, into a new
/// [`TryString`](crate::alloc::TryString) of exactly the text's length;
/// `Err(OutOfMemory)` (with the size of the refused request) when that
/// allocation fails, instead of an abort.
///
/// It makes one allocation (none for an empty text). `Display` impls run
/// once for a text of up to 256 bytes, twice for a longer one (once to
/// measure it); one that writes more the second time makes the string grow,
/// fallibly. Like `format!`, it panics if a `Display` impl returns an error.
///
/// # Example
///
/// ```
/// use wasmtime_error::{Result, try_format};
///
/// fn label(table: &str, index: u32) -> Result<String> {
///     let text = try_format!("{table}[{index}]")?;
///     assert_eq!(text.capacity(), text.len());
///     Ok(text.into())
/// }
/// assert_eq!(label("funcs", 3)?, "funcs[3]");
/// # wasmtime_error::Ok(())
/// ```
#[macro_export]
macro_rules! try_format {
    ($($arguments:tt)*) => {
        $crate::alloc::__try_format(::core::format_args!($($arguments)*))
    };
}

/// What [`try_format!`](crate::try_format) expands to.
#[doc(hidden)]
pub fn __try_format(args: fmt::Arguments<'_>) -> Result<TryString, OutOfMemory> {
    format_exact(args, TryString::with_capacity, TryString::push_str)
}

impl<A: Allocator> TryString<A> {
    /// What `write!(string, ...)` calls: appends the formatted text, and
    /// returns the `OutOfMemory` of a growth that failed (with the size it
    /// asked for) rather than `fmt::Error`. The text written before the
    /// failure stays; the piece that did not fit is not cut.
    ///
    /// This inherent method takes precedence over [`fmt::Write`]'s, which
    /// `TryString` also implements for generic code (reporting a failed
    /// growth as `fmt::Error`).
    ///
    /// # Panics
    ///
    /// If a `Display` impl returns an error, as `format!` does.
    ///
    /// # Example
    ///
    /// ```
    /// use std::fmt::Write as _;
    /// use wasmtime_error::alloc::{Budget, TryString};
    ///
    /// let mut line = TryString::new();
    /// write!(line, "{} + {}", 1, 2)?;
    /// assert_eq!(line, "1 + 2");
    ///
    /// let budget = Budget::new(8);
    /// let mut small = TryString::new_in(&budget);
    /// let oom = write!(small, "{}", "nine byte").unwrap_err();
    /// assert!(oom.requested_allocation_size() >= 9);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<(), OutOfMemory> {
        let mut sink = Sink {
            target: self,
            push: |string: &mut TryString<A>, piece: &str| string.push_str(piece),
            oom: None,
        };
        let formatted = sink.write_fmt(args);
        sink.finish(formatted)
    }
}
