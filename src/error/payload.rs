//! The payloads of boxed errors made by `Error::new`, `Error::msg`,
//! `Error::from_boxed` and `Option::context`.

use super::vtable::{Lookup, Payload, Target};
use core::error::Error as StdError;
use core::fmt::{self, Debug, Display};
use core::ptr::NonNull;
use std_alloc::boxed::Box;

/// A `core::error::Error` kept as it is (`Error::new`).
#[repr(transparent)]
pub(crate) struct Plain<E>(pub(crate) E);

/// A message with `Display` and `Debug` (`Error::msg`).
#[repr(transparent)]
pub(crate) struct Message<M>(pub(crate) M);

/// A message with only `Display`, which also serves as its `Debug`
/// (`Option::context`).
#[repr(transparent)]
pub(crate) struct DisplayOnly<M>(pub(crate) M);

/// An already boxed error (`Error::from_boxed`).
#[repr(transparent)]
pub(crate) struct Boxed(pub(crate) Box<dyn StdError + Send + Sync>);

impl<E: Display> Display for Plain<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl<E: Debug> Debug for Plain<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(&self.0, f)
    }
}

impl<E: StdError> StdError for Plain<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

// SAFETY: the only value found is the `E` the payload is made of.
unsafe impl<E: StdError + Send + Sync + 'static> Payload for Plain<E> {
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Lookup {
        if target.is::<E>() {
            Lookup::Here(this.cast())
        } else {
            Lookup::Absent
        }
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {}
}

impl<M: Display> Display for Message<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl<M: Debug> Debug for Message<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(&self.0, f)
    }
}

impl<M: Display + Debug> StdError for Message<M> {}

// SAFETY: the only value found is the `M` the payload is made of.
unsafe impl<M: Display + Debug + Send + Sync + 'static> Payload for Message<M> {
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Lookup {
        if target.is::<M>() {
            Lookup::Here(this.cast())
        } else {
            Lookup::Absent
        }
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {}
}

impl<M: Display> Display for DisplayOnly<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl<M: Display> Debug for DisplayOnly<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl<M: Display> StdError for DisplayOnly<M> {}

// SAFETY: the only value found is the `M` the payload is made of.
unsafe impl<M: Display + Send + Sync + 'static> Payload for DisplayOnly<M> {
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Lookup {
        if target.is::<M>() {
            Lookup::Here(this.cast())
        } else {
            Lookup::Absent
        }
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {}
}

impl Display for Boxed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl Debug for Boxed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(&self.0, f)
    }
}

impl StdError for Boxed {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

// SAFETY: the only value found is the box itself. As in anyhow, the
// concrete type inside the box is not searched: `core::error::Error` can
// only compare it with types that are themselves errors.
unsafe impl Payload for Boxed {
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Lookup {
        if target.is::<Box<dyn StdError + Send + Sync>>() {
            Lookup::Here(this.cast())
        } else {
            Lookup::Absent
        }
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {}
}
