//! Formatting into memory that may run out: [`try_format!`](crate::try_format),
//! `write!` into a [`TryString`], and the exact-size text of
//! [`format_context!`](crate::format_context).
//!
//! std's `format!` grows its `String` as it goes and aborts when a growth
//! fails. Here the text is measured first (formatted into a stack buffer,
//! and only counted once it outgrows it), then one allocation of exactly
//! that size is made fallibly, and the text is copied (it fitted on the
//! stack) or formatted a second time straight into it.

use super::{Allocator, TryString, fallible};
use crate::OutOfMemory;
use core::fmt::{self, Write};
use std_alloc::string::String;

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

/// The text of `args` in a `String` of exactly its length, allocated
/// fallibly: what a formatted context holds, so that it downcasts to
/// `String` as anyhow's `with_context(|| format!(..))` does.
pub(crate) fn format_string(args: fmt::Arguments<'_>) -> Result<String, OutOfMemory> {
    format_exact(
        args,
        |len| {
            let mut text = String::new();
            fallible(|| text.try_reserve_exact(len)).map_err(|_| OutOfMemory::new(len))?;
            Ok(text)
        },
        push_to_string,
    )
}

/// Appends to a std `String` without its aborting growth.
#[allow(
    clippy::disallowed_methods,
    reason = "`push_str` after `try_reserve` cannot allocate"
)]
fn push_to_string(text: &mut String, piece: &str) -> Result<(), OutOfMemory> {
    fallible(|| text.try_reserve(piece.len()))
        .map_err(|_| OutOfMemory::new(text.len().saturating_add(piece.len())))?;
    text.push_str(piece);
    Ok(())
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

/// Text of up to this many bytes is formatted once, on the stack.
const STACK_BYTES: usize = 256;

/// Formats `args` into what `make` returns for the text's exact length,
/// appending with `push`.
pub(crate) fn format_exact<S>(
    args: fmt::Arguments<'_>,
    make: impl FnOnce(usize) -> Result<S, OutOfMemory>,
    push: impl FnMut(&mut S, &str) -> Result<(), OutOfMemory>,
) -> Result<S, OutOfMemory> {
    let mut push = push;
    if let Some(literal) = args.as_str() {
        let mut target = make(literal.len())?;
        push(&mut target, literal)?;
        return Ok(target);
    }
    let mut measure = Measure::new();
    if measure.write_fmt(args).is_err() {
        display_failed();
    }
    let mut target = make(measure.len)?;
    if let Some(text) = measure.text() {
        push(&mut target, text)?;
        return Ok(target);
    }
    let mut sink = Sink {
        target: &mut target,
        push,
        oom: None,
    };
    let formatted = sink.write_fmt(args);
    sink.finish(formatted)?;
    Ok(target)
}

#[cold]
fn display_failed() -> ! {
    panic!("a formatting trait implementation returned an error when the underlying stream did not")
}

/// Keeps the text while it fits on the stack, and counts its length.
pub(crate) struct Measure {
    buffer: [u8; STACK_BYTES],
    len: usize,
}

impl Measure {
    pub(crate) fn new() -> Self {
        Measure {
            buffer: [0; STACK_BYTES],
            len: 0,
        }
    }

    /// The text, if it fitted.
    pub(crate) fn text(&self) -> Option<&str> {
        let bytes = self.buffer.get(..self.len)?;
        // Whole `&str` pieces were copied, so the bytes are UTF-8.
        core::str::from_utf8(bytes).ok()
    }
}

impl Write for Measure {
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        let end = self.len.saturating_add(piece.len());
        if let Some(room) = self.buffer.get_mut(self.len..end) {
            room.copy_from_slice(piece.as_bytes());
        }
        self.len = end;
        Ok(())
    }
}

/// Appends through `push`, keeping the first refused growth.
struct Sink<'a, S, P> {
    target: &'a mut S,
    push: P,
    oom: Option<OutOfMemory>,
}

impl<S, P: FnMut(&mut S, &str) -> Result<(), OutOfMemory>> Sink<'_, S, P> {
    /// The result of a `write_fmt` into this sink: the refused growth, or
    /// the panic `format!` makes when a `Display` impl failed on its own.
    fn finish(self, formatted: fmt::Result) -> Result<(), OutOfMemory> {
        match (self.oom, formatted) {
            (Some(oom), _) => Err(oom),
            (None, Ok(())) => Ok(()),
            (None, Err(fmt::Error)) => display_failed(),
        }
    }
}

impl<S, P: FnMut(&mut S, &str) -> Result<(), OutOfMemory>> Write for Sink<'_, S, P> {
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        // After a refused growth nothing more is appended, also when a
        // `Display` impl ignores the error and writes on: the text stays
        // what was written before the failure, without a hole.
        if self.oom.is_some() {
            return Err(fmt::Error);
        }
        (self.push)(self.target, piece).map_err(|oom| {
            self.oom = Some(oom);
            fmt::Error
        })
    }
}
