//! The payloads of boxed errors made by `Error::new`, `Error::msg`,
//! `Error::from_boxed` and `Option::context`.

use super::vtable::{Payload, Target};
use crate::OutOfMemory;
use core::error::Error as StdError;
use core::fmt::{self, Debug, Display};
use core::ptr::NonNull;
use std_alloc::boxed::Box;

/// `find` for a `repr(transparent)` wrapper `P` around one `T`: the `T`
/// is at the wrapper's own address.
#[inline]
fn find_wrapped<T: 'static, P>(this: NonNull<P>, target: &Target) -> Option<NonNull<()>> {
    target.is::<T>().then_some(this.cast())
}

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

// SAFETY: the only value found is the `E` the payload wraps, at the
// payload's own address (`repr(transparent)`).
unsafe impl<E: StdError + Send + Sync + 'static> Payload for Plain<E> {
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Option<NonNull<()>> {
        find_wrapped::<E, Self>(this, target)
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {}

    unsafe fn object(this: NonNull<Self>) -> NonNull<dyn StdError + Send + Sync> {
        // SAFETY: `this` is live (the caller's promise); the projection
        // keeps its provenance and is not null.
        let error: NonNull<E> = unsafe { NonNull::new_unchecked(&raw mut (*this.as_ptr()).0) };
        error
    }

    fn reallocate(self) -> Result<Box<dyn StdError + Send + Sync>, OutOfMemory> {
        super::into_box::try_box(self.0)
    }

    #[cfg(feature = "anyhow")]
    unsafe fn into_anyhow(this: NonNull<Self>) -> ::anyhow::Error {
        // SAFETY: live, and treated as moved out by the caller.
        ::anyhow::Error::new(unsafe { this.read() }.0)
    }
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

// SAFETY: the only value found is the `M` the payload wraps, at the
// payload's own address (`repr(transparent)`).
unsafe impl<M: Display + Debug + Send + Sync + 'static> Payload for Message<M> {
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Option<NonNull<()>> {
        find_wrapped::<M, Self>(this, target)
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {}

    #[cfg(feature = "anyhow")]
    unsafe fn into_anyhow(this: NonNull<Self>) -> ::anyhow::Error {
        // SAFETY: live, and treated as moved out by the caller.
        ::anyhow::Error::msg(unsafe { this.read() }.0)
    }
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

// SAFETY: the only value found is the `M` the payload wraps, at the
// payload's own address (`repr(transparent)`).
unsafe impl<M: Display + Send + Sync + 'static> Payload for DisplayOnly<M> {
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Option<NonNull<()>> {
        find_wrapped::<M, Self>(this, target)
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {}

    #[cfg(feature = "anyhow")]
    unsafe fn into_anyhow(this: NonNull<Self>) -> ::anyhow::Error {
        // SAFETY: live, and treated as moved out by the caller.
        let message = unsafe { this.read() }.0;
        // anyhow's only display-only error is the one `Option::context`
        // makes; like ours, its `Debug` is the `Display` and it downcasts
        // to `M`.
        match ::anyhow::Context::context(None::<core::convert::Infallible>, message) {
            Ok(never) => match never {},
            Err(error) => error,
        }
    }
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

// SAFETY: the only value found is the box the payload wraps, at the
// payload's own address (`repr(transparent)`). As in anyhow, the
// concrete type inside the box is not searched: `core::error::Error` can
// only compare it with types that are themselves errors.
unsafe impl Payload for Boxed {
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Option<NonNull<()>> {
        find_wrapped::<Box<dyn StdError + Send + Sync>, Self>(this, target)
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {}

    /// The box it was made from, as it is: nothing to allocate.
    fn reallocate(self) -> Result<Box<dyn StdError + Send + Sync>, OutOfMemory> {
        Ok(self.0)
    }

    #[cfg(feature = "anyhow")]
    unsafe fn into_anyhow(this: NonNull<Self>) -> ::anyhow::Error {
        // SAFETY: live, and treated as moved out by the caller.
        ::anyhow::Error::from_boxed(unsafe { this.read() }.0)
    }
}
