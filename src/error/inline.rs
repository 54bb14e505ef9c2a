//! Formatted messages in one allocation: the error header, then the text.
//!
//! anyhow formats into a `String` and then boxes it (two allocations, and
//! `format!` aborts on OOM). Here the text is formatted into a stack buffer
//! first; when it does not fit, a counting pass measures it and a second pass
//! writes it straight into the allocation.

use super::Error;
use super::vtable::{ErrorImpl, Header, Lookup, Payload, Target, allocation_layout, try_alloc};
use crate::OutOfMemory;
use core::error::Error as StdError;
use core::fmt::{self, Write};
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
    unsafe fn find(_: NonNull<Self>, _: &Target) -> Lookup {
        Lookup::Absent
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {}

    fn trailing_bytes(&self) -> usize {
        self.capacity
    }

    const BOXABLE_IN_PLACE: bool = false;
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

    fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: `capacity` bytes at `text` belong to this allocation; they
        // are only written, never read, before `finish`.
        unsafe { core::slice::from_raw_parts_mut(self.text.as_ptr(), self.capacity) }
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
pub(crate) fn from_str(text: &str) -> Error {
    match Allocation::new(text.len()) {
        Ok(mut allocation) => {
            allocation.bytes().copy_from_slice(text.as_bytes());
            allocation.finish(text.len())
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
    let mut stack = Bounded {
        buffer: [0; STACK_BUFFER],
        len: 0,
        overflowed: false,
    };
    let result = stack.write_fmt(args);
    if !stack.overflowed {
        check(result);
        // The stack buffer holds only whole `&str` pieces.
        let text = core::str::from_utf8(&stack.buffer[..stack.len]).expect("whole pieces of str");
        return from_str(text);
    }
    let mut counter = Counter(0);
    check(counter.write_fmt(args));
    let mut allocation = match Allocation::new(counter.0) {
        Ok(allocation) => allocation,
        Err(oom) => return Error::from_oom(oom),
    };
    let mut writer = SliceWriter {
        bytes: allocation.bytes(),
        len: 0,
    };
    let result = writer.write_fmt(args);
    let len = writer.len;
    if result.is_err() && len < counter.0 {
        check(result);
    }
    allocation.finish(len)
}

fn check(result: fmt::Result) {
    if result.is_err() {
        panic!(
            "a formatting trait implementation returned an error when the underlying stream did not"
        );
    }
}

/// The stack buffer: refuses (and remembers) a piece that does not fit.
struct Bounded {
    buffer: [u8; STACK_BUFFER],
    len: usize,
    overflowed: bool,
}

impl Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > STACK_BUFFER {
            self.overflowed = true;
            return Err(fmt::Error);
        }
        self.buffer[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
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

/// Writes into the allocation; if a `Display` impl writes more the second
/// time than it did the first, the text is cut at a character boundary.
struct SliceWriter<'a> {
    bytes: &'a mut [u8],
    len: usize,
}

impl Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.bytes.len() - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        // Only whole characters are copied: the text stays UTF-8.
        self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        if take < s.len() {
            Err(fmt::Error)
        } else {
            Ok(())
        }
    }
}
