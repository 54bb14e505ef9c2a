//! The [`Context`] trait and the context layers it adds.

use super::Error;
use super::fmt::Quoted;
use super::formatted_context::FormattedContext;
use super::location::Site;
use super::oom_record::What;
use super::vtable::{ErrorImpl, INNER_ERROR_OFFSET, LayerStep, Payload, Target, VTable};
use core::any::{Any, TypeId};
use core::convert::Infallible;
use core::error::Error as StdError;
use core::fmt::{self, Debug, Display};
use core::mem::{ManuallyDrop, offset_of};
use core::ptr::{self, NonNull};
use std_alloc::string::String;

/// Adds context to the error of a `Result`, or turns `None` into an error.
///
/// For a formatted context, write [`format_context!`](crate::format_context)
/// where anyhow code writes `format!`:
/// `.with_context(|| format_context!("reading {}", path.display()))`. Its
/// text is allocated fallibly, in one `String` of exactly its length, only
/// when there is an error; `format!` would abort the process when that
/// allocation fails.
///
/// On an out-of-memory error (an [`OutOfMemory`](crate::OutOfMemory), or an
/// allocation failure of std or hashbrown that converts into one), nothing
/// is allocated: boxing a layer would need the memory that just ran out.
/// `context` keeps a `&'static str` (or a `format_err!("literal")`) in the
/// error's record in static memory, and drops any other context, counting
/// it there; `with_context` does not even call its closure, and counts the
/// layer as dropped. [Context on out-of-memory
/// errors](crate::Error#context-on-out-of-memory-errors) says how they
/// show, and how many fit. If the context layer itself cannot be allocated,
/// or the context is itself out of memory (a `format_context!` or
/// `format_err!` whose allocation failed), the result is that
/// out-of-memory error, and nothing more is allocated.
///
/// This trait is sealed: it is implemented for `Result<T, E>` (where `E` is a
/// `core::error::Error + Send + Sync + 'static` or an [`Error`]) and for
/// `Option<T>`, and cannot be implemented elsewhere.
///
/// # Example
///
/// ```
/// use std::path::Path;
/// use wasmtime_error::{Context, OutOfMemory, Result, format_context};
///
/// fn read(path: &Path) -> Result<String> {
///     let text = std::fs::read_to_string(path)
///         .with_context(|| format_context!("failed to read {}", path.display()))?;
///     Ok(text)
/// }
///
/// let error = read(Path::new("/no/such/file")).unwrap_err();
/// assert_eq!(error.to_string(), "failed to read /no/such/file");
/// assert!(error.is::<std::io::Error>());
///
/// // `None` becomes an error with the context as its message.
/// let port: Option<u16> = None;
/// assert_eq!(port.context("no port").unwrap_err().to_string(), "no port");
///
/// // On out of memory, the closure never runs; a static text is kept.
/// let oom: Result<(), OutOfMemory> = Err(OutOfMemory::new(8));
/// let error = oom
///     .with_context(|| -> String { unreachable!() })
///     .context("loading")
///     .unwrap_err();
/// assert!(error.is::<OutOfMemory>());
/// assert_eq!(
///     format!("{error:#}"),
///     "loading: (1 context layer dropped for lack of memory): \
///      out of memory (failed to allocate 8 bytes)",
/// );
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
        C: Display + Send + Sync + 'static,
        E: ContextSource;

    /// Like [`context`](Context::context), with the context made by `f`
    /// only when there is an error (and not when it is out of memory).
    /// Make formatted text with [`format_context!`](crate::format_context).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Context, Result, format_context};
    ///
    /// let line = 7;
    /// let parsed: Result<u8> = "x".parse::<u8>().with_context(|| format_context!("line {line}"));
    /// assert_eq!(parsed.unwrap_err().to_string(), "line 7");
    /// ```
    fn with_context<C, F>(self, f: F) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static,
        F: FnOnce() -> C,
        E: ContextSource;
}

pub(crate) mod private {
    #[diagnostic::on_unimplemented(
        message = "`Context` is sealed: it is implemented for `Result` and `Option` only, not for `{Self}`",
        label = "`Context` cannot be implemented here",
        note = "call `.context()` or `.with_context()` on a `Result<T, E>` or an `Option<T>` instead"
    )]
    pub trait Sealed {}
}

mod ext {
    use super::*;

    /// The two kinds of error `Context` for `Result` accepts. The bound
    /// is on `Context`'s methods rather than on its impl for `Result`, so
    /// that a wrong error type is reported with this message (a bound of
    /// the impl would make the method look missing, and rustc would
    /// suggest importing anyhow's `Context`).
    #[diagnostic::on_unimplemented(
        message = "`Context` cannot add context to a `Result` whose error is `{Self}`",
        label = "`{Self}` is neither a `std::error::Error + Send + Sync + 'static` nor a `wasmtime_error::Error`",
        note = "for an `anyhow::Result`, call `.to_wasmtime_result()` first (feature `anyhow`)",
        note = "for another error type, convert it into a `wasmtime_error::Error`, e.g. with `.map_err(Error::msg)`"
    )]
    pub trait ContextSource: Send + Sync + 'static {
        /// Whether the error stands for a failed allocation (then context
        /// is not boxed: that would need the memory that just ran out; what
        /// can be kept without memory goes into the error's record).
        fn is_out_of_memory(&self) -> bool;
        fn into_error(self) -> Error;
        /// The layer around an error that is not out of memory.
        #[cfg_attr(feature = "location", track_caller)]
        fn wrap<C: Display + Send + Sync + 'static>(self, context: C) -> Error;

        #[cfg_attr(feature = "location", track_caller)]
        #[inline]
        fn add_context<C: Display + Send + Sync + 'static>(self, context: C) -> Error
        where
            Self: Sized,
        {
            if self.is_out_of_memory() {
                // Dropped before a record is claimed: were its `Drop` to
                // panic after, the error returned would never be dropped.
                let what = What::of(&context);
                drop(context);
                return self.into_error().keep_context(what, Site::caller());
            }
            match Attach::of(context) {
                Attach::Value(context) => self.wrap(context),
                Attach::Text(text) => self.wrap(text),
                Attach::Replace(error) => {
                    // As above: the error kept is a local while `self` drops.
                    drop(self);
                    error
                }
            }
        }
    }

    impl<E: StdError + Send + Sync + 'static> ContextSource for E {
        /// An `OutOfMemory`, or another library's allocation failure that
        /// `Error::new` turns into one.
        fn is_out_of_memory(&self) -> bool {
            crate::oom::allocation_failure(self).is_some()
        }

        fn into_error(self) -> Error {
            Error::new(self)
        }

        fn wrap<C: Display + Send + Sync + 'static>(self, context: C) -> Error {
            Error::from_payload(
                ContextLayer {
                    context,
                    error: self,
                },
                true,
                Site::caller(),
            )
        }
    }

    impl ContextSource for Error {
        /// Is the error itself out of memory (not: does it hold an
        /// `OutOfMemory` somewhere). A boxed error, the one a working
        /// program adds context to, is told apart by one test.
        #[inline]
        fn is_out_of_memory(&self) -> bool {
            self.repr.boxed_header().is_none() && Error::is_out_of_memory(self)
        }

        #[inline]
        fn into_error(self) -> Error {
            self
        }

        #[inline]
        fn wrap<C: Display + Send + Sync + 'static>(self, context: C) -> Error {
            Error::from_payload(
                ContextLayer {
                    context,
                    error: self,
                },
                false,
                Site::caller(),
            )
        }
    }
}

/// What a context value becomes before it is attached.
enum Attach<C> {
    /// Attached as it is.
    Value(C),
    /// The text of a `format_context!`, attached as its `String`.
    Text(String),
    /// A context that is itself out of memory (a `format_context!` or a
    /// `format_err!` whose allocation failed, with the context it kept, if
    /// any): it replaces the error.
    Replace(Error),
}

impl<C: 'static> Attach<C> {
    /// Each test is on a constant `TypeId`, so for a given `C` all but one
    /// branch compile away.
    #[inline]
    fn of(context: C) -> Attach<C> {
        if TypeId::of::<C>() == TypeId::of::<FormattedContext>() {
            let mut slot = Some(context);
            let formatted = (&mut slot as &mut dyn Any)
                .downcast_mut::<Option<FormattedContext>>()
                .and_then(Option::take);
            return match (formatted, slot) {
                (Some(FormattedContext { text: Ok(text) }), _) => Attach::Text(text),
                (Some(FormattedContext { text: Err(oom) }), _) => {
                    Attach::Replace(Error::from_oom(oom))
                }
                (None, Some(context)) => Attach::Value(context),
                (None, None) => unreachable!("taken only when it was there"),
            };
        }
        if (&context as &dyn Any)
            .downcast_ref::<Error>()
            .is_some_and(Error::is_out_of_memory)
        {
            let mut slot = Some(context);
            return match (&mut slot as &mut dyn Any)
                .downcast_mut::<Option<Error>>()
                .and_then(Option::take)
            {
                Some(error) => Attach::Replace(error),
                None => unreachable!("an `Error`, checked just above"),
            };
        }
        Attach::Value(context)
    }
}

/// The error `Option::context` makes of `None`.
#[cfg_attr(feature = "location", track_caller)]
fn error_of_none<C: Display + Send + Sync + 'static>(context: C) -> Error {
    match Attach::of(context) {
        Attach::Value(context) => Error::from_display(context),
        Attach::Text(text) => Error::from_display(text),
        Attach::Replace(error) => error,
    }
}

pub(crate) use ext::ContextSource;

impl<T, E> private::Sealed for Result<T, E> {}
impl<T> private::Sealed for Option<T> {}

impl<T, E> Context<T, E> for Result<T, E> {
    #[cfg_attr(feature = "location", track_caller)]
    fn context<C>(self, context: C) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static,
        E: ContextSource,
    {
        match self {
            Ok(value) => Ok(value),
            Err(error) => Err(context_cold(error, context)),
        }
    }

    #[cfg_attr(feature = "location", track_caller)]
    #[inline]
    fn with_context<C, F>(self, f: F) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static,
        F: FnOnce() -> C,
        E: ContextSource,
    {
        match self {
            Ok(value) => Ok(value),
            Err(error) => Err(with_context_cold(error, f)),
        }
    }
}

/// The error path of `context`, kept out of line: call sites that share
/// the error and context types share one copy of it, instead of each
/// inlining the allocation.
#[cold]
#[inline(never)]
#[cfg_attr(feature = "location", track_caller)]
fn context_cold<E, C>(error: E, context: C) -> Error
where
    E: ContextSource,
    C: Display + Send + Sync + 'static,
{
    error.add_context(context)
}

/// The error path of `with_context`, kept out of line so that the `Ok`
/// path of its callers stays as short as a plain `match`.
#[cold]
#[inline(never)]
#[cfg_attr(feature = "location", track_caller)]
fn with_context_cold<E, C, F>(error: E, f: F) -> Error
where
    E: ContextSource,
    C: Display + Send + Sync + 'static,
    F: FnOnce() -> C,
{
    if error.is_out_of_memory() {
        // Dropped before a record is claimed, as in `add_context`.
        drop(f);
        return error
            .into_error()
            .keep_context(What::DROPPED, Site::caller());
    }
    error.add_context(f())
}

impl<T> Context<T, Infallible> for Option<T> {
    #[cfg_attr(feature = "location", track_caller)]
    fn context<C>(self, context: C) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static,
        Infallible: ContextSource,
    {
        match self {
            Some(value) => Ok(value),
            None => Err(error_of_none(context)),
        }
    }

    #[cfg_attr(feature = "location", track_caller)]
    fn with_context<C, F>(self, f: F) -> Result<T, Error>
    where
        C: Display + Send + Sync + 'static,
        F: FnOnce() -> C,
        Infallible: ContextSource,
    {
        match self {
            Some(value) => Ok(value),
            None => Err(error_of_none(f())),
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
