//! The zero-allocation case: an error that points at a `'static` message.

use super::location::Site;
use super::repr::{Decoded, Repr};
use core::error::Error as StdError;
use core::fmt;

/// A message that lives in a `static`, made by `format_err!`, `bail!` and
/// `ensure!` when their message is a string literal with no arguments.
///
/// Not part of the API: the macros name it, nothing else should.
#[doc(hidden)]
#[repr(C, align(4))]
pub struct StaticMessage {
    message: &'static str,
    /// Where the macro was called, evaluated with the `static`: the
    /// location costs no allocation and no work at run time.
    site: Site,
}

impl StaticMessage {
    #[doc(hidden)]
    #[cfg_attr(feature = "location", track_caller)]
    pub const fn new(message: &'static str) -> Self {
        StaticMessage {
            message,
            site: Site::caller(),
        }
    }

    pub(crate) fn site(&self) -> Site {
        self.site
    }

    /// The message, as `downcast_ref::<&'static str>()` hands it out.
    pub(crate) fn message_ref(&'static self) -> &'static &'static str {
        &self.message
    }
}

impl fmt::Display for StaticMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.message, f)
    }
}

impl fmt::Debug for StaticMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.message, f)
    }
}

impl StdError for StaticMessage {}

/// True when a format string literal contains no `{` or `}`, so its text is
/// its output and it can be used as it is.
#[doc(hidden)]
pub const fn is_plain_literal(literal: &str) -> bool {
    let bytes = literal.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' || bytes[i] == b'}' {
            return false;
        }
        i += 1;
    }
    true
}

/// The word of an error that points at a static message, seen as an error
/// itself. `DerefMut` hands this out for such an error: the message lives in
/// read-only memory and cannot be borrowed mutably, and this needs no
/// allocation. Nothing can be written through it: every method of
/// `core::error::Error` takes `&self`, and the type cannot be named outside
/// the crate, so `downcast_mut` never reaches it.
#[repr(transparent)]
pub(crate) struct StaticWord(Repr);

// SAFETY: the word points at an immutable `'static` message, which any
// thread may read.
unsafe impl Send for StaticWord {}
// SAFETY: as above.
unsafe impl Sync for StaticWord {}

impl StaticWord {
    fn message(&self) -> &'static StaticMessage {
        match self.0.decode() {
            Decoded::Static(message) => message,
            Decoded::Oom(_) | Decoded::Record(_) | Decoded::Boxed(_) => {
                unreachable!("a StaticWord is only made from a static message's word")
            }
        }
    }
}

impl fmt::Display for StaticWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.message(), f)
    }
}

impl fmt::Debug for StaticWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.message(), f)
    }
}

impl StdError for StaticWord {}
