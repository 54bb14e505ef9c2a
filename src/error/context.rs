//! The [`Context`] trait and the context layers it adds.

use super::Error;
use super::fmt::Quoted;
use super::vtable::{ErrorImpl, INNER_ERROR_OFFSET, LayerStep, Payload, Target, VTable};
use crate::OutOfMemory;
use core::any::TypeId;
use core::convert::Infallible;
use core::error::Error as StdError;
use core::fmt::{self, Debug, Display};
use core::mem::{ManuallyDrop, offset_of};
use core::ptr::{self, NonNull};

/// Adds context to the error of a `Result`, or turns `None` into an error.
///
/// On an out-of-memory error, `context` returns the error as it is, without
/// allocating, and `with_context` does not even call its closure: adding
/// context would need the memory that just ran out. If the context layer
/// itself cannot be allocated, the result is that `OutOfMemory` error.
///
/// This trait is sealed: it is implemented for `Result<T, E>` (where `E` is a
/// `core::error::Error + Send + Sync + 'static` or an [`Error`]) and for
/// `Option<T>`, and cannot be implemented elsewhere.
///
/// # Example
///
/// ```
/// use wasmtime_error::{Context, OutOfMemory, Result};
///
/// fn read(path: &str) -> Result<String> {
///     let text = std::fs::read_to_string(path)
///         .with_context(|| format!("failed to read {path}"))?;
///     Ok(text)
/// }
///
/// let error = read("/no/such/file").unwrap_err();
/// assert_eq!(error.to_string(), "failed to read /no/such/file");
/// assert!(error.is::<std::io::Error>());
///
/// // `None` becomes an error with the context as its message.
/// let port: Option<u16> = None;
/// assert_eq!(port.context("no port").unwrap_err().to_string(), "no port");
///
/// // Out of memory passes through untouched, and the closure never runs.
/// let oom: Result<(), OutOfMemory> = Err(OutOfMemory::new(8));
/// let error = oom.with_context(|| -> String { unreachable!() }).unwrap_err();
/// assert!(error.is::<OutOfMemory>());
/// ```
pub trait Context<T, E>: private::Sealed {
    /// Wraps the error in a layer that displays `context` and has the
    /// error as its source.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Context, Result};
    ///
    /// let parsed: Result<u8> = "300".parse::<u8>().context("parsing the level");
    /// assert_eq!(format!("{:#}", parsed.unwrap_err()),
    ///            "parsing the level: number too large to fit in target type");
    /// ```
    fn context<C>(self, context: C) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static;

    /// Like [`context`](Context::context), with the context made by `f`
    /// only when there is an error (and not when it is out of memory).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Context, Result};
    ///
    /// let line = 7;
    /// let parsed: Result<u8> = "x".parse::<u8>().with_context(|| format!("line {line}"));
    /// assert_eq!(parsed.unwrap_err().to_string(), "line 7");
    /// ```
    fn with_context<C, F>(self, f: F) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static,
        F: FnOnce() -> C;
}

pub(crate) mod private {
    pub trait Sealed {}
}

mod ext {
    use super::*;

    /// The two kinds of error `Context` for `Result` accepts.
    pub trait ContextSource: Send + Sync + 'static {
        fn is_out_of_memory(&self) -> bool;
        fn into_error(self) -> Error;
        fn add_context<C: Display + Send + Sync + 'static>(self, context: C) -> Error;
    }

    impl<E: StdError + Send + Sync + 'static> ContextSource for E {
        fn is_out_of_memory(&self) -> bool {
            TypeId::of::<E>() == TypeId::of::<OutOfMemory>()
        }

        fn into_error(self) -> Error {
            Error::new(self)
        }

        fn add_context<C: Display + Send + Sync + 'static>(self, context: C) -> Error {
            if self.is_out_of_memory() {
                return self.into_error();
            }
            Error::from_payload(
                ContextLayer {
                    context,
                    error: self,
                },
                true,
            )
        }
    }

    impl ContextSource for Error {
        /// The same test `Error::context` makes: is the error itself out of
        /// memory (not: does it hold an `OutOfMemory` somewhere).
        fn is_out_of_memory(&self) -> bool {
            Error::is_out_of_memory(self)
        }

        fn into_error(self) -> Error {
            self
        }

        fn add_context<C: Display + Send + Sync + 'static>(self, context: C) -> Error {
            self.context(context)
        }
    }
}

pub(crate) use ext::ContextSource;

impl<T, E: ContextSource> private::Sealed for Result<T, E> {}
impl<T> private::Sealed for Option<T> {}

impl<T, E: ContextSource> Context<T, E> for Result<T, E> {
    fn context<C>(self, context: C) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static,
    {
        match self {
            Ok(value) => Ok(value),
            Err(error) => Err(error.add_context(context)),
        }
    }

    #[inline]
    fn with_context<C, F>(self, f: F) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static,
        F: FnOnce() -> C,
    {
        match self {
            Ok(value) => Ok(value),
            Err(error) => Err(with_context_cold(error, f)),
        }
    }
}

/// The error path of `with_context`, kept out of line so that the `Ok`
/// path of its callers stays as short as a plain `match`.
#[cold]
#[inline(never)]
fn with_context_cold<E, C, F>(error: E, f: F) -> Error
where
    E: ContextSource,
    C: Display + Send + Sync + 'static,
    F: FnOnce() -> C,
{
    if error.is_out_of_memory() {
        return error.into_error();
    }
    error.add_context(f())
}

impl<T> Context<T, Infallible> for Option<T> {
    fn context<C>(self, context: C) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static,
    {
        match self {
            Some(value) => Ok(value),
            None => Err(Error::from_display(context)),
        }
    }

    fn with_context<C, F>(self, f: F) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static,
        F: FnOnce() -> C,
    {
        match self {
            Some(value) => Ok(value),
            None => Err(Error::from_display(f())),
        }
    }
}

/// Context around an error: a standard error `E`, kept in the same
/// allocation, or one of ours (`E = Error`). `repr(C)` with the error first
/// puts an inner `Error` at `INNER_ERROR_OFFSET` of the allocation whenever
/// the context is not over-aligned.
#[repr(C)]
pub(crate) struct ContextLayer<C, E> {
    pub(crate) error: E,
    pub(crate) context: C,
}

impl<C: Display, E> Display for ContextLayer<C, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.context, f)
    }
}

impl<C: Display, E: Debug> Debug for ContextLayer<C, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("context", &Quoted(&self.context))
            .field("source", &self.error)
            .finish()
    }
}

impl<C: Display, E: StdError + 'static> StdError for ContextLayer<C, E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.error)
    }
}

impl<C: Display> StdError for ContextLayer<C, Error> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.error.as_dyn())
    }
}

// SAFETY: the context and the error are found in place; `drop_rest` drops
// the one of the two that was not moved out.
unsafe impl<C, E> Payload for ContextLayer<C, E>
where
    C: Display + Send + Sync + 'static,
    E: StdError + Send + Sync + 'static,
{
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Option<NonNull<()>> {
        let this = this.as_ptr();
        // SAFETY: `this` is live; projections keep its provenance.
        unsafe {
            if target.is::<C>() {
                Some(NonNull::new_unchecked(&raw mut (*this).context).cast())
            } else if target.is::<E>() {
                Some(NonNull::new_unchecked(&raw mut (*this).error).cast())
            } else {
                None
            }
        }
    }

    unsafe fn drop_rest(this: NonNull<Self>, target: &Target) {
        let this = this.as_ptr();
        // SAFETY: `find` answered `Here` for the context (checked first) or
        // the error, which the caller moved out; the other field is live.
        unsafe {
            if target.is::<C>() {
                ptr::drop_in_place(&raw mut (*this).error);
            } else {
                ptr::drop_in_place(&raw mut (*this).context);
            }
        }
    }

    #[cfg(feature = "anyhow")]
    unsafe fn into_anyhow(this: NonNull<Self>) -> ::anyhow::Error {
        // SAFETY: live, and treated as moved out by the caller.
        let ContextLayer { context, error } = unsafe { this.read() };
        // One anyhow layer holding both, which like ours downcasts to the
        // context first, then to the error.
        match ::anyhow::Context::context(Err::<Infallible, E>(error), context) {
            Ok(never) => match never {},
            Err(error) => error,
        }
    }
}

/// What is left of an inner error after a downcast moved the target out of
/// it, freed when the guard is dropped (during unwinding too).
struct RestOf<'t> {
    /// `find` located the target in this error, and it was moved out.
    error: ManuallyDrop<Error>,
    target: &'t Target,
}

impl Drop for RestOf<'_> {
    fn drop(&mut self) {
        // SAFETY: per the field's invariant; the error is taken once, here.
        unsafe { Error::drop_rest_at(ManuallyDrop::take(&mut self.error), self.target) };
    }
}

impl<C: Display + Send + Sync + 'static> ContextLayer<C, Error> {
    /// Whether the inner error is at `INNER_ERROR_OFFSET` (not so when an
    /// over-aligned context moves the payload further from the header).
    const STEPPABLE: bool =
        offset_of!(ErrorImpl<Self>, payload) + offset_of!(Self, error) == INNER_ERROR_OFFSET;

    /// The vtable of a layer whose inner error is boxed: a search steps over
    /// it with the `LayerStep`, without calling `find`.
    const AROUND_BOXED: &'static VTable = &VTable {
        layer: Some(LayerStep {
            context: TypeId::of::<C>(),
            context_offset: offset_of!(ErrorImpl<Self>, payload) + offset_of!(Self, context),
        }),
        ..*ErrorImpl::<Self>::VTABLE
    };
}

// SAFETY: the context is found in place, anything else in the inner error,
// whose own payload keeps the same promise. `vtable` only adds a
// `LayerStep` that locates the same context and the same inner error.
unsafe impl<C> Payload for ContextLayer<C, Error>
where
    C: Display + Send + Sync + 'static,
{
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Option<NonNull<()>> {
        let this = this.as_ptr();
        // SAFETY: `this` is live and owns the inner error, which is live
        // too; projections keep the caller's provenance.
        unsafe {
            if target.is::<C>() {
                Some(NonNull::new_unchecked(&raw mut (*this).context).cast())
            } else {
                Error::find_in(NonNull::new_unchecked(&raw mut (*this).error), target)
            }
        }
    }

    unsafe fn drop_rest(this: NonNull<Self>, target: &Target) {
        let this = this.as_ptr();
        // SAFETY: the target was the context, or was found inside the inner
        // error and moved out of it; each remaining part is dropped once.
        unsafe {
            if target.is::<C>() {
                ptr::drop_in_place(&raw mut (*this).error);
            } else {
                // Freed also when the context's `Drop` panics, as the
                // fields of a `Box` would be.
                let _rest = RestOf {
                    error: ManuallyDrop::new(ptr::read(&raw const (*this).error)),
                    target,
                };
                ptr::drop_in_place(&raw mut (*this).context);
            }
        }
    }

    unsafe fn inner_error(this: NonNull<Self>) -> Option<NonNull<Error>> {
        // SAFETY: `this` is live; the projection keeps its provenance.
        Some(unsafe { NonNull::new_unchecked(&raw mut (*this.as_ptr()).error) })
    }

    /// Around a boxed error, a search steps over the layer in a loop. The
    /// inner error never changes case afterwards: a layer's inner error is
    /// only ever written by `downcast_mut`, which turns a static message
    /// into a boxed one.
    fn vtable(&self) -> &'static VTable {
        if Self::STEPPABLE && self.error.repr.boxed_header().is_some() {
            Self::AROUND_BOXED
        } else {
            ErrorImpl::<Self>::VTABLE
        }
    }

    #[cfg(feature = "anyhow")]
    unsafe fn into_anyhow(this: NonNull<Self>) -> ::anyhow::Error {
        // SAFETY: live, and treated as moved out by the caller.
        let ContextLayer { context, error } = unsafe { this.read() };
        ::anyhow::Error::from(error).context(context)
    }
}
