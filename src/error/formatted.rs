//! Formatted messages: `format_err!("x = {}", x)` is an [`Error::msg`] of a
//! `String`, which downcasts to `String` as anyhow's does.
//!
//! anyhow's `format!` aborts when memory runs out and may grow the `String`
//! more than once. Here the `String` is allocated once, fallibly, at its exact
//! size: the text is formatted into a stack buffer first; when it does not
//! fit, a counting pass measures it and a second pass writes it.

use super::Error;
use crate::OutOfMemory;
use crate::alloc::StringExt;
use core::fmt::{self, Write};
use core::mem::MaybeUninit;
use std_alloc::string::String;

/// Bytes of text formatted on the stack before falling back to two passes.
const STACK_BUFFER: usize = 256;

/// Formats `args` into a new error, or returns the out-of-memory error for
/// the allocation that failed.
///
/// # Panics
///
/// If a `Display` impl returns an error on its own, as `format!` does.
pub(crate) fn format(args: fmt::Arguments<'_>) -> Error {
    match format_string(args) {
        Ok(text) => Error::msg(text),
        Err(oom) => Error::from_oom(oom),
    }
}

fn format_string(args: fmt::Arguments<'_>) -> Result<String, OutOfMemory> {
    let mut stack = [MaybeUninit::uninit(); STACK_BUFFER];
    let mut sink = StackSink {
        bytes: &mut stack,
        len: 0,
        cut: false,
    };
    let result = sink.write_fmt(args);
    if !sink.cut {
        check(result);
        let mut text = String::try_with_capacity_oom(sink.len)?;
        text.push_str(sink.as_str());
        return Ok(text);
    }
    let mut counter = Counter(0);
    check(counter.write_fmt(args));
    let mut text = String::try_with_capacity_oom(counter.0)?;
    let mut sink = StringSink {
        text: &mut text,
        cut: false,
    };
    let result = sink.write_fmt(args);
    // A `Display` that wrote more this time than when counted is cut short;
    // any other error is its own.
    if !sink.cut {
        check(result);
    }
    Ok(text)
}

fn check(result: fmt::Result) {
    if result.is_err() {
        panic!(
            "a formatting trait implementation returned an error when the underlying stream did not"
        );
    }
}

/// How much of `s` fits in `room` bytes, cut at a character boundary.
fn fitting(s: &str, room: usize) -> usize {
    let mut take = s.len().min(room);
    while !s.is_char_boundary(take) {
        take -= 1;
    }
    take
}

/// Measures formatted output without storing it.
struct Counter(usize);

impl Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // Saturating: an impossible length then fails as an allocation.
        self.0 = self.0.saturating_add(s.len());
        Ok(())
    }
}

/// Writes text into the stack buffer. What does not fit is cut at a
/// character boundary, and the write fails with `cut` set.
struct StackSink<'a> {
    bytes: &'a mut [MaybeUninit<u8>],
    len: usize,
    cut: bool,
}

impl StackSink<'_> {
    fn as_str(&self) -> &str {
        // SAFETY: the first `len` bytes were written by `write_str`, only
        // ever whole characters, so they are initialized UTF-8.
        unsafe {
            core::str::from_utf8_unchecked(core::slice::from_raw_parts(
                self.bytes.as_ptr().cast::<u8>(),
                self.len,
            ))
        }
    }
}

impl Write for StackSink<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let take = fitting(s, self.bytes.len() - self.len);
        // SAFETY: `len + take <= bytes.len()`, so the destination is inside
        // `bytes`; a `&str` and a `&mut` slice never overlap.
        unsafe {
            core::ptr::copy_nonoverlapping(
                s.as_ptr(),
                self.bytes.as_mut_ptr().add(self.len).cast::<u8>(),
                take,
            );
        }
        self.len += take;
        if take < s.len() {
            self.cut = true;
            return Err(fmt::Error);
        }
        Ok(())
    }
}

/// Writes text into a `String` without ever growing it: what does not fit
/// in its capacity is cut at a character boundary, and the write fails with
/// `cut` set.
struct StringSink<'a> {
    text: &'a mut String,
    cut: bool,
}

impl Write for StringSink<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let take = fitting(s, self.text.capacity() - self.text.len());
        // Within the capacity: does not allocate.
        self.text.push_str(&s[..take]);
        if take < s.len() {
            self.cut = true;
            return Err(fmt::Error);
        }
        Ok(())
    }
}
