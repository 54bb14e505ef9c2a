//! Formatting into memory that may run out, the core of
//! [`format_context!`](crate::format_context) and of `try_format!` (with the
//! feature `collections`).
//!
//! std's `format!` grows its `String` as it goes and aborts when a growth
//! fails. Here the text is measured first (formatted into a stack buffer,
//! and only counted once it outgrows it), then one allocation of exactly
//! that size is made fallibly, and the text is copied (it fitted on the
//! stack) or formatted a second time straight into it.

use super::fallible;
use crate::OutOfMemory;
use core::fmt::{self, Write};
use std_alloc::string::String;

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
pub(crate) struct Sink<'a, S, P> {
    pub(crate) target: &'a mut S,
    pub(crate) push: P,
    pub(crate) oom: Option<OutOfMemory>,
}

impl<S, P: FnMut(&mut S, &str) -> Result<(), OutOfMemory>> Sink<'_, S, P> {
    /// The result of a `write_fmt` into this sink: the refused growth, or
    /// the panic `format!` makes when a `Display` impl failed on its own.
    pub(crate) fn finish(self, formatted: fmt::Result) -> Result<(), OutOfMemory> {
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
