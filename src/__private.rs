//! What the macros expand to. Not part of the API.

use crate::Error;
use core::error::Error as StdError;
use core::fmt::{self, Debug, Display};
use std_alloc::boxed::Box;

pub use crate::error::{StaticMessage, is_plain_literal};
pub use core::format_args;
pub use core::result::Result::Err;

/// Makes `format_err!(..);` as a statement warn, as anyhow's does.
#[must_use]
#[inline]
pub fn must_use(error: Error) -> Error {
    error
}

/// A formatted message: a `String`, as in anyhow, so that it downcasts to
/// one (even when every argument is a constant the compiler folds in).
#[cfg_attr(feature = "location", track_caller)]
pub fn format_err(args: fmt::Arguments<'_>) -> Error {
    crate::error::format_message(args)
}

/// `format_err!("literal")` whose literal has braces: escaped ones (`{{`)
/// leave a text known at compile time, which is kept as the
/// `&'static str` it can be downcast to, as anyhow does; captured
/// variables (`{x}`) are formatted.
#[cfg_attr(feature = "location", track_caller)]
pub fn format_err_literal(args: fmt::Arguments<'_>) -> Error {
    match args.as_str() {
        Some(text) => Error::msg(text),
        None => crate::error::format_message(args),
    }
}

/// `format_err!(value)` picks how to wrap `value` by method resolution:
/// `Trait` (anything `Into<Error>`) and `Boxed` are found on `&value` by
/// value, `Adhoc` (anything `Display + Debug`) only after auto-referencing,
/// so it is the fallback.
pub mod kind {
    use super::*;

    /// Wraps a value that is only `Display + Debug` as a message.
    pub struct Adhoc;

    /// Picks [`Adhoc`].
    pub trait AdhocKind: Sized {
        /// The wrapper for this value.
        #[inline]
        fn __error_kind(&self) -> Adhoc {
            Adhoc
        }
    }

    impl<T> AdhocKind for &T where T: ?Sized + Display + Debug + Send + Sync + 'static {}

    impl Adhoc {
        /// Wraps the value.
        #[cfg_attr(feature = "location", track_caller)]
        #[inline]
        pub fn wrap<M>(self, message: M) -> Error
        where
            M: Display + Debug + Send + Sync + 'static,
        {
            Error::msg(message)
        }
    }

    /// Converts a value that already is, or becomes, an [`Error`].
    pub struct Trait;

    /// Picks [`Trait`].
    pub trait TraitKind: Sized {
        /// The wrapper for this value.
        #[inline]
        fn __error_kind(&self) -> Trait {
            Trait
        }
    }

    // `From` rather than `Into`, which is not `#[track_caller]`: the
    // location of a converted error is the macro's, not core's.
    impl<E> TraitKind for E where Error: From<E> {}

    impl Trait {
        /// Converts the value.
        #[cfg_attr(feature = "location", track_caller)]
        #[inline]
        pub fn wrap<E>(self, error: E) -> Error
        where
            Error: From<E>,
        {
            Error::from(error)
        }
    }

    /// Takes over a boxed standard error, keeping its sources.
    pub struct Boxed;

    /// Picks [`Boxed`].
    pub trait BoxedKind: Sized {
        /// The wrapper for this value.
        #[inline]
        fn __error_kind(&self) -> Boxed {
            Boxed
        }
    }

    impl BoxedKind for Box<dyn StdError + Send + Sync> {}

    impl Boxed {
        /// Takes over the box.
        #[cfg_attr(feature = "location", track_caller)]
        #[inline]
        pub fn wrap(self, error: Box<dyn StdError + Send + Sync>) -> Error {
            Error::from_boxed(error)
        }
    }
}

/// `!cond` for `ensure!`. The condition is a `bool` or, as anyhow and
/// Wasmtime accept, a `&bool` (`ensure!(flag)` with `flag: &bool`); a type
/// whose `!` also yields a `bool` (or an integer's bitwise `!`) is not a
/// condition.
#[inline]
pub fn not(condition: impl Condition) -> bool {
    !condition.holds()
}

/// What `ensure!` takes as its condition.
#[diagnostic::on_unimplemented(
    message = "the condition of `ensure!` must be a `bool`, not `{Self}`",
    label = "expected `bool` or `&bool`"
)]
pub trait Condition {
    /// The condition's value.
    fn holds(self) -> bool;
}

impl Condition for bool {
    #[inline]
    fn holds(self) -> bool {
        self
    }
}

impl Condition for &bool {
    #[inline]
    fn holds(self) -> bool {
        *self
    }
}

/// The error of a failed `ensure!(a OP b)` without a message. `message` is
/// ``Condition failed: `a OP b` ``; the error is that static message, with
/// no allocation, unless both values can be shown: then it is formatted
/// with them.
#[cfg_attr(feature = "location", track_caller)]
pub fn condition_failed(
    message: &'static StaticMessage,
    lhs: Option<&dyn Debug>,
    rhs: Option<&dyn Debug>,
) -> Error {
    let lhs = lhs.and_then(Side::of);
    let rhs = rhs.and_then(Side::of);
    match (&lhs, &rhs) {
        (Some(lhs), Some(rhs)) => format_err(format_args!(
            "{message} ({} vs {})",
            lhs.as_str(),
            rhs.as_str(),
        )),
        _ => Error::__from_static(message),
    }
}

/// The `Debug` of one side of a failed comparison, shown only when it is at
/// most [`Side::MAX`] bytes with no space or newline, the rule anyhow uses to
/// keep the message on one short line.
struct Side {
    bytes: [u8; Side::MAX],
    len: usize,
}

impl Side {
    const MAX: usize = 40;

    fn of(value: &dyn Debug) -> Option<Side> {
        let mut side = Side {
            bytes: [0; Side::MAX],
            len: 0,
        };
        fmt::write(&mut side, format_args!("{value:?}")).ok()?;
        Some(side)
    }

    fn as_str(&self) -> &str {
        // Only whole `&str` pieces are ever copied in.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for Side {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > Side::MAX || s.bytes().any(|b| b == b' ' || b == b'\n') {
            return Err(fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Whether a value of `ensure!`'s comparison can be shown, and how. The
/// macro calls `(&&Probe(&side)).__debug()`: method resolution finds
/// `SizedDebug` first (a `Debug` side, passed as it is), then
/// `UnsizedDebug` after one auto-reference (an unsized `Debug` side such as
/// `v[..]`, passed through its reference, as anyhow shows it), then
/// `NoDebug` after a dereference.
pub mod debug {
    use core::fmt::Debug;

    /// A side of a comparison, borrowed twice.
    pub struct Probe<'a, 'b, T: ?Sized>(pub &'a &'b T);

    /// For sides that implement `Debug`.
    pub trait SizedDebug<'a> {
        /// The side, as `dyn Debug`.
        fn __debug(&self) -> Option<&'a dyn Debug>;
    }

    impl<'a, 'b, T: Debug> SizedDebug<'a> for &Probe<'a, 'b, T> {
        #[inline]
        fn __debug(&self) -> Option<&'a dyn Debug> {
            Some(*self.0)
        }
    }

    /// For unsized sides that implement `Debug`.
    pub trait UnsizedDebug<'a> {
        /// The side's reference, as `dyn Debug`.
        fn __debug(&self) -> Option<&'a dyn Debug>;
    }

    impl<'a, 'b, T: ?Sized + Debug> UnsizedDebug<'a> for &&Probe<'a, 'b, T> {
        #[inline]
        fn __debug(&self) -> Option<&'a dyn Debug> {
            Some(self.0)
        }
    }

    /// For sides that do not implement `Debug`.
    pub trait NoDebug<'a> {
        /// Nothing to show.
        #[inline]
        fn __debug(&self) -> Option<&'a dyn Debug> {
            None
        }
    }

    impl<'a, 'b, T: ?Sized> NoDebug<'a> for Probe<'a, 'b, T> {}
}
