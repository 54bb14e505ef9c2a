//! Feature `anyhow`: converting between [`Error`] and `anyhow::Error`, for
//! code bases that move to this crate one module at a time.
//!
//! - ours -> anyhow: `From<Error> for anyhow::Error`, layer by layer. Each
//!   payload becomes the anyhow error anyhow itself would have built for it
//!   (`Error::new`, `Error::msg`, `Error::from_boxed`, `Context`), so formats,
//!   chain and downcasts carry over. An error that came from anyhow gives its
//!   original `anyhow::Error` back.
//! - anyhow -> ours: [`Error::from_anyhow`] wraps the `anyhow::Error` in one
//!   boxed layer ([`FromAnyhow`]) that shows the outermost anyhow layer and
//!   delegates its sources to the anyhow chain. Downcasts look through it with
//!   anyhow's own downcast functions, reached through [`Probes`] in the
//!   downcast's `Target`.

use crate::error::{Access, Decoded, Payload, Target};
use crate::{Error, ToWasmtimeResult};
use core::error::Error as StdError;
use core::fmt::{self, Debug, Display};
use core::ptr::NonNull;

impl Error {
    /// Wraps an `anyhow::Error`, keeping its formats and chain: the result
    /// shows what the anyhow error shows, `is::<anyhow::Error>()`, and
    /// [`is`](Error::is), [`downcast_ref`](Error::downcast_ref),
    /// [`downcast_mut`](Error::downcast_mut) and [`downcast`](Error::downcast)
    /// find every type anyhow's own downcasts find inside it. Converting it
    /// back with `anyhow::Error::from` returns the original anyhow error.
    ///
    /// Allocates once and fallibly: if that fails, the anyhow error is
    /// dropped and the out-of-memory error is returned. The anyhow error's
    /// backtrace stays inside it (reach it through
    /// `downcast_ref::<anyhow::Error>()`); `{:?}` of the result does not
    /// print it.
    ///
    /// This is what `?` cannot do on its own; the implementation of
    /// [`ToWasmtimeResult`] for `anyhow::Result` says why, and is the
    /// shorter way to write it.
    ///
    /// # Example
    ///
    /// ```
    /// use anyhow::Context as _;
    /// use wasmtime_error::Error;
    ///
    /// let from_anyhow = Err::<(), _>(std::fmt::Error).context("rendering").unwrap_err();
    /// let error = Error::from_anyhow(from_anyhow);
    ///
    /// assert_eq!(
    ///     format!("{error:#}"),
    ///     "rendering: an error occurred when formatting an argument",
    /// );
    /// assert!(error.is::<anyhow::Error>());
    /// assert!(error.is::<std::fmt::Error>());
    /// assert_eq!(*error.downcast_ref::<&str>().unwrap(), "rendering");
    ///
    /// // Back to anyhow: the very same error.
    /// let back = anyhow::Error::from(error);
    /// assert_eq!(format!("{back:#}"), "rendering: an error occurred when formatting an argument");
    /// ```
    pub fn from_anyhow(error: ::anyhow::Error) -> Error {
        // anyhow records no location, and where the conversion was
        // written is not where the error was made.
        Error::from_payload(FromAnyhow(error), false, crate::error::Site::NONE)
    }
}

/// Converts keeping every layer: the anyhow error's `{}`, `{:#}`, `{:?}`
/// (up to the backtrace, which anyhow captures anew), `{:#?}`, `chain()`,
/// `root_cause()` and `downcast_ref` of every type in the chain give what
/// they gave on the [`Error`]. An out-of-memory error becomes an anyhow
/// error that `is::<OutOfMemory>()`, with the context layers it kept as
/// anyhow context layers that show the same text (and, as here, do not
/// downcast to `&str`); its record is given back. One that came from
/// [`Error::from_anyhow`] gives the original back.
///
/// Our allocations are freed as each layer is converted, but anyhow
/// allocates its own, and anyhow aborts the process when an allocation
/// fails: unlike every conversion inside this crate, this one is not
/// fallible. Keep errors as [`Error`] on the paths that must survive running
/// out of memory.
///
/// # Example
///
/// ```
/// use wasmtime_error::{Context, Error, OutOfMemory};
///
/// fn ours() -> wasmtime_error::Result<u16> {
///     let port = "http".parse::<u16>().context("reading the port")?;
///     Ok(port)
/// }
///
/// // `?` converts in a function returning `anyhow::Result`.
/// fn theirs() -> anyhow::Result<u16> {
///     Ok(ours()?)
/// }
///
/// let error = theirs().unwrap_err();
/// assert_eq!(format!("{error:#}"), "reading the port: invalid digit found in string");
/// assert!(error.is::<std::num::ParseIntError>());
/// assert_eq!(*error.downcast_ref::<&str>().unwrap(), "reading the port");
///
/// let oom = anyhow::Error::from(Error::from(OutOfMemory::new(64)));
/// assert!(oom.is::<OutOfMemory>());
/// ```
impl From<Error> for ::anyhow::Error {
    fn from(error: Error) -> ::anyhow::Error {
        match error.into_decoded() {
            Decoded::Oom(oom) => ::anyhow::Error::new(oom),
            Decoded::Static(message) => ::anyhow::Error::msg(*message.message_ref()),
            // SAFETY: `into_decoded` handed the claim on the record over.
            Decoded::Record(record) => unsafe { crate::error::record_into_anyhow(record) },
            // SAFETY: `into_decoded` handed the allocation over; its vtable
            // matches its payload, and it is not used after this.
            Decoded::Boxed(header) => unsafe { ((*header.as_ptr()).vtable.into_anyhow)(header) },
        }
    }
}

/// `.to_wasmtime_result()` on an `anyhow::Result`: the error becomes an
/// [`Error`] through [`Error::from_anyhow`].
///
/// # Why `?` does not convert an `anyhow::Error`
///
/// `?` converts errors with `From`, and this crate has
/// `impl<E: core::error::Error + Send + Sync + 'static> From<E> for Error`,
/// so that `?` works on any standard error. `anyhow::Error` does not
/// implement `core::error::Error` today, but it is not ours: anyhow may add
/// that impl in a later release, and then `From<anyhow::Error> for Error`
/// would be a second impl of the same trait for the same type. The
/// coherence rules refuse the impl for that reason (error E0119, "upstream
/// crates may add a new impl of trait"), so it cannot exist, and `?` on an
/// `anyhow::Result` in a function returning [`Result`](crate::Result) does
/// not compile:
///
/// ```compile_fail,E0277
/// fn ours() -> wasmtime_error::Result<()> {
///     let theirs: anyhow::Result<()> = Err(anyhow::anyhow!("boom"));
///     theirs?; // error: `?` couldn't convert the error
///     Ok(())
/// }
/// ```
///
/// Write `.to_wasmtime_result()?`, or `.map_err(Error::from_anyhow)?`.
/// The other direction needs nothing: `From<Error> for anyhow::Error` is
/// allowed (our `Error` is a local type), so `?` turns an [`Error`] into an
/// `anyhow::Error` by itself.
///
/// # Example
///
/// ```
/// use wasmtime_error::{Error, Result, ToWasmtimeResult};
///
/// fn theirs() -> anyhow::Result<u8> {
///     anyhow::bail!("not implemented")
/// }
///
/// fn ours() -> Result<u8> {
///     let value = theirs().to_wasmtime_result()?;
///     // The same, spelled out:
///     let again = theirs().map_err(Error::from_anyhow)?;
///     Ok(value + again)
/// }
///
/// let error = ours().unwrap_err();
/// assert_eq!(error.to_string(), "not implemented");
/// assert!(error.is::<anyhow::Error>());
/// ```
impl<T> ToWasmtimeResult<T> for ::anyhow::Result<T> {
    fn to_wasmtime_result(self) -> crate::Result<T> {
        self.map_err(Error::from_anyhow)
    }
}

/// The payload of an error made by [`Error::from_anyhow`].
///
/// As a layer of our chain it is the outermost anyhow layer: its `Display`
/// and `Debug` are that layer's, its source is that layer's source, so the
/// rest of the anyhow chain follows. (`{:#?}` of anyhow's error is exactly
/// the `Debug` of that layer, so it matches too.)
#[repr(transparent)]
pub(crate) struct FromAnyhow(::anyhow::Error);

impl FromAnyhow {
    fn outermost(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.0
    }
}

impl Display for FromAnyhow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(self.outermost(), f)
    }
}

impl Debug for FromAnyhow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(self.outermost(), f)
    }
}

impl StdError for FromAnyhow {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.outermost().source()
    }
}

// SAFETY: `find` answers with the `anyhow::Error` field itself, with an
// address anyhow's `downcast_ref`/`downcast_mut` return (inside the anyhow
// allocation the field owns, which does not move while the field lives), or,
// for `Access::Take`, with the slot anyhow's by-value `downcast` filled; in
// that last case the `anyhow::Error` was consumed, so `drop_rest` has
// nothing left to drop in any case.
unsafe impl Payload for FromAnyhow {
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Option<NonNull<()>> {
        // SAFETY: `this` is live; the projection keeps its provenance.
        let field = unsafe { NonNull::new_unchecked(&raw mut (*this.as_ptr()).0) };
        if target.is::<::anyhow::Error>() {
            return Some(field.cast());
        }
        match target.access {
            // SAFETY: `this` may be read for as long as the result is used.
            Access::Shared => (target.anyhow.by_ref)(unsafe { field.as_ref() }),
            // SAFETY: the caller holds unique access through `this`.
            Access::Unique => (target.anyhow.by_mut)(unsafe { &mut *field.as_ptr() }),
            Access::Take(slot) => {
                // SAFETY: unique access; the error is read out and either
                // consumed by the downcast or written back unchanged.
                let error = unsafe { field.read() };
                // SAFETY: `slot` is sized and aligned for the target type,
                // whose probes `target.anyhow` holds.
                match unsafe { (target.anyhow.take)(error, slot) } {
                    Ok(()) => Some(slot),
                    Err(error) => {
                        // SAFETY: the field was read out above; refill it.
                        unsafe { field.write(error) };
                        None
                    }
                }
            }
        }
    }

    unsafe fn drop_rest(_: NonNull<Self>, _: &Target) {
        // Either the `anyhow::Error` itself was moved out, or `find` gave it
        // to anyhow's by-value downcast, which dropped the rest.
    }

    /// anyhow's own reallocation, which boxes the value its outermost layer
    /// was made from (and, like every allocation inside anyhow, aborts if
    /// that fails).
    fn reallocate(
        self,
    ) -> Result<std_alloc::boxed::Box<dyn StdError + Send + Sync>, crate::OutOfMemory> {
        Ok(self.0.reallocate_into_boxed_dyn_error_without_backtrace())
    }

    unsafe fn into_anyhow(this: NonNull<Self>) -> ::anyhow::Error {
        // SAFETY: live, and treated as moved out by the caller.
        unsafe { this.read() }.0
    }
}

/// anyhow's downcasts for one target type, so that a search through our
/// layers can continue inside an `anyhow::Error`.
pub(crate) struct Probes {
    pub(crate) by_ref: fn(&::anyhow::Error) -> Option<NonNull<()>>,
    pub(crate) by_mut: fn(&mut ::anyhow::Error) -> Option<NonNull<()>>,
    /// Moves the value into the slot, or gives the error back on a miss.
    pub(crate) take: unsafe fn(::anyhow::Error, NonNull<()>) -> Result<(), ::anyhow::Error>,
}

impl Probes {
    pub(crate) const fn of<E>() -> Probes
    where
        E: Display + Debug + Send + Sync + 'static,
    {
        Probes {
            by_ref: by_ref::<E>,
            by_mut: by_mut::<E>,
            take: take::<E>,
        }
    }
}

fn by_ref<E>(error: &::anyhow::Error) -> Option<NonNull<()>>
where
    E: Display + Debug + Send + Sync + 'static,
{
    error
        .downcast_ref::<E>()
        .map(|found| NonNull::from(found).cast())
}

fn by_mut<E>(error: &mut ::anyhow::Error) -> Option<NonNull<()>>
where
    E: Display + Debug + Send + Sync + 'static,
{
    error
        .downcast_mut::<E>()
        .map(|found| NonNull::from(found).cast())
}

/// By value, anyhow moves the `E` out and frees the rest itself; the value
/// is parked in the caller's slot so our `downcast` reads it from there.
/// (Moving the `E` out through `by_mut` first and then letting anyhow move
/// the same bytes again would duplicate it, which is not sound for values
/// holding a `Box`.)
///
/// # Safety
///
/// `slot` is valid for writing an `E`.
unsafe fn take<E>(error: ::anyhow::Error, slot: NonNull<()>) -> Result<(), ::anyhow::Error>
where
    E: Display + Debug + Send + Sync + 'static,
{
    let value = error.downcast::<E>()?;
    // SAFETY: per the caller.
    unsafe { slot.cast::<E>().write(value) };
    Ok(())
}
