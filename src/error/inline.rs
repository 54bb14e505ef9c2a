//! Formatted messages in one allocation: the error header, then the text.
//!
//! anyhow formats into a `String` and then boxes it (two allocations, and
//! `format!` aborts on OOM). Here the text is formatted into a stack buffer
//! first; when it does not fit, a counting pass measures it and a second pass
//! writes it straight into the allocation.

use super::Error;
use super::vtable::{ErrorImpl, Header, Payload, Target, allocation_layout, try_alloc};
use crate::OutOfMemory;
use core::error::Error as StdError;
use core::fmt::{self, Write};
use core::mem::MaybeUninit;
use core::ptr::NonNull;

/// Bytes of text formatted on the stack before falling back to two passes.
const STACK_BUFFER: usize = 256;

/// The payload: where the text that follows it in the allocation is.
pub(crate) struct InlineMessage {
    /// Start of the trailing bytes, with the provenance of the whole
    /// allocation (a reference to the payload alone would not reach them).
    text: NonNull<u8>,
    len: usize,
    /// Bytes allocated for the text; `len` is smaller only if a `Display`
    /// impl wrote less the second time it ran.
    capacity: usize,
}

// SAFETY: the text is owned by the allocation and never written after
// construction, so sharing or sending it is as safe as for a `Box<str>`.
unsafe impl Send for InlineMessage {}
// SAFETY: as above.
unsafe impl Sync for InlineMessage {}

impl InlineMessage {
    fn as_str(&self) -> &str {
        // SAFETY: `text` points to `len` initialized bytes of UTF-8 in the
        // same allocation as `self`, alive as long as `self` is.
        unsafe {
            core::str::from_utf8_unchecked(core::slice::from_raw_parts(
                self.text.as_ptr(),
                self.len,
            ))
        }
    }
}

impl fmt::Display for InlineMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for InlineMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl StdError for InlineMessage {}

// SAFETY: nothing is ever found in an inline message (it holds no `String`
// to hand out), so `drop_rest` is never called; the trailing bytes are
// declared so that the allocation is freed with the layout it was made with.
unsafe impl Payload for InlineMessage {
    unsafe fn find(_: NonNull<Self>, _: &Target) -> Option<NonNull<()>> {
        None
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {}

    fn trailing_bytes(&self) -> usize {
        self.capacity
    }

    const BOXABLE_IN_PLACE: bool = false;

    /// The text is copied into the `String` anyhow's own formatted messages
    /// are, before the caller frees the allocation it lives in.
    #[cfg(feature = "anyhow")]
    unsafe fn into_anyhow(this: NonNull<Self>) -> ::anyhow::Error {
        // SAFETY: live; the allocation holding the text is freed only
        // after this returns.
        let text = unsafe { this.as_ref() }.as_str();
        ::anyhow::Error::msg(std_alloc::string::String::from(text))
    }
}

/// An allocation for a message of `capacity` bytes, freed on drop unless
/// handed over with [`Allocation::finish`]; this is what keeps a panicking
/// `Display` impl from leaking it.
struct Allocation {
    base: NonNull<ErrorImpl<InlineMessage>>,
    text: NonNull<u8>,
    capacity: usize,
}

impl Allocation {
    fn new(capacity: usize) -> Result<Self, OutOfMemory> {
        let layout =
            allocation_layout::<InlineMessage>(capacity).ok_or(OutOfMemory::new(usize::MAX))?;
        let base = try_alloc(layout)?.cast::<ErrorImpl<InlineMessage>>();
        // SAFETY: the text starts right after the `ErrorImpl`, inside the
        // allocation (`allocation_layout` put it there, unpadded since the
        // bytes have alignment 1).
        let text = unsafe { base.add(1).cast::<u8>() };
        Ok(Allocation {
            base,
            text,
            capacity,
        })
    }

    /// Writes the header and payload for the first `len` text bytes, which
    /// the caller has initialized with UTF-8.
    fn finish(self, len: usize) -> Error {
        debug_assert!(len <= self.capacity);
        let payload = InlineMessage {
            text: self.text,
            len,
            capacity: self.capacity,
        };
        let value = ErrorImpl {
            header: Header {
                vtable: ErrorImpl::<InlineMessage>::VTABLE,
                #[cfg(feature = "backtrace")]
                backtrace: super::backtrace::capture(),
            },
            payload,
        };
        let base = self.base;
        core::mem::forget(self);
        // SAFETY: the allocation is laid out for an `ErrorImpl` at its start.
        unsafe { base.as_ptr().write(value) };
        Error::from_header(base.cast())
    }

    /// The text bytes, not yet initialized.
    fn bytes(&mut self) -> &mut [MaybeUninit<u8>] {
        // SAFETY: `capacity` bytes at `text` belong to this allocation and
        // nothing else refers to them; `MaybeUninit` makes no claim that
        // they are initialized.
        unsafe { core::slice::from_raw_parts_mut(self.text.as_ptr().cast(), self.capacity) }
    }
}

impl Drop for Allocation {
    fn drop(&mut self) {
        let layout = allocation_layout::<InlineMessage>(self.capacity)
            .expect("the same layout was computed when allocating");
        // SAFETY: allocated in `new` with this layout, not handed over.
        unsafe { std_alloc::alloc::dealloc(self.base.as_ptr().cast(), layout) };
    }
}

/// A message that is already text.
fn from_str(text: &str) -> Error {
    match Allocation::new(text.len()) {
        Ok(mut allocation) => {
            let mut sink = Sink::new(allocation.bytes());
            // The allocation has exactly `text.len()` bytes: nothing is cut.
            let _ = sink.write_str(text);
            let len = sink.len;
            allocation.finish(len)
        }
        Err(oom) => Error::from_oom(oom),
    }
}

/// Formats `args` into a new error with one allocation, or returns the
/// out-of-memory error for that allocation.
///
/// # Panics
///
/// If a `Display` impl returns an error on its own, as `format!` does.
pub(crate) fn format(args: fmt::Arguments<'_>) -> Error {
    if let Some(text) = args.as_str() {
        return from_str(text);
    }
    let mut stack = [MaybeUninit::uninit(); STACK_BUFFER];
    let mut sink = Sink::new(&mut stack);
    let result = sink.write_fmt(args);
    if !sink.cut {
        check(result);
        return from_str(sink.as_str());
    }
    let mut counter = Counter(0);
    check(counter.write_fmt(args));
    let mut allocation = match Allocation::new(counter.0) {
        Ok(allocation) => allocation,
        Err(oom) => return Error::from_oom(oom),
    };
    let mut sink = Sink::new(allocation.bytes());
    let result = sink.write_fmt(args);
    // A `Display` that wrote more this time than when counted is cut short;
    // any other error is its own.
    if !sink.cut {
        check(result);
    }
    let len = sink.len;
    allocation.finish(len)
}

fn check(result: fmt::Result) {
    if result.is_err() {
        panic!(
            "a formatting trait implementation returned an error when the underlying stream did not"
        );
    }
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

/// Writes text into uninitialized bytes (the stack buffer, or the
/// allocation). What does not fit is cut at a character boundary, and the
/// write fails with `cut` set.
struct Sink<'a> {
    bytes: &'a mut [MaybeUninit<u8>],
    len: usize,
    cut: bool,
}

impl<'a> Sink<'a> {
    fn new(bytes: &'a mut [MaybeUninit<u8>]) -> Self {
        Sink {
            bytes,
            len: 0,
            cut: false,
        }
    }

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

impl Write for Sink<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.bytes.len() - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
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
