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

/// A formatted message in one allocation.
pub fn format_err(args: fmt::Arguments<'_>) -> Error {
    crate::error::format_inline(args)
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

    impl<E> TraitKind for E where E: Into<Error> {}

    impl Trait {
        /// Converts the value.
        #[inline]
        pub fn wrap<E: Into<Error>>(self, error: E) -> Error {
            error.into()
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
        #[inline]
        pub fn wrap(self, error: Box<dyn StdError + Send + Sync>) -> Error {
            Error::from_boxed(error)
        }
    }
}

/// The error of a failed `ensure!(a OP b)` without a message.
pub fn condition_failed(
    condition: &'static str,
    lhs: Option<&dyn Debug>,
    rhs: Option<&dyn Debug>,
) -> Error {
    match (lhs, rhs) {
        (Some(lhs), Some(rhs)) => format_err(format_args!(
            "Condition failed: `{condition}` ({lhs:?} vs {rhs:?})"
        )),
        _ => format_err(format_args!("Condition failed: `{condition}`")),
    }
}

/// Whether a value of `ensure!`'s comparison can be shown: `HasDebug` is
/// found on `&Probe<T>` by value when `T: Debug`, `NoDebug` only after
/// auto-referencing.
pub mod debug {
    use core::fmt::Debug;

    /// A borrowed side of a comparison.
    pub struct Probe<'a, T: ?Sized>(pub &'a T);

    /// For sides that implement `Debug`.
    pub trait HasDebug<'a> {
        /// The side, as `dyn Debug`.
        fn __debug(&self) -> Option<&'a dyn Debug>;
    }

    impl<'a, T: Debug> HasDebug<'a> for Probe<'a, T> {
        #[inline]
        fn __debug(&self) -> Option<&'a dyn Debug> {
            Some(self.0)
        }
    }

    /// For sides that do not.
    pub trait NoDebug<'a> {
        /// Nothing to show.
        #[inline]
        fn __debug(&self) -> Option<&'a dyn Debug> {
            None
        }
    }

    impl<'a, T: ?Sized> NoDebug<'a> for &Probe<'a, T> {}
}
