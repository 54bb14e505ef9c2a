//! The zero-allocation case: an error that points at a `'static` message.

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
}

impl StaticMessage {
    #[doc(hidden)]
    pub const fn new(message: &'static str) -> Self {
        StaticMessage { message }
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
