//! [`Error`]: anyhow's error type in one machine word, for which running
//! out of memory is an ordinary error value.

mod backtrace;
mod chain;
mod context;
mod fmt;
mod formatted;
mod formatted_context;
mod into_box;
mod location;
mod oom_record;
mod payload;
mod record_table;
mod repr;
mod static_msg;
mod vtable;

#[cfg(feature = "backtrace")]
#[doc(hidden)]
pub use backtrace::disable_backtrace;
pub use chain::Chain;
pub use context::Context;
pub use formatted_context::FormattedContext;
#[cfg(feature = "location")]
pub use location::Locations;
use static_msg::StaticWord;
#[doc(hidden)]
pub use static_msg::{StaticMessage, is_plain_literal};

pub(crate) use formatted::format as format_message;
#[cfg(feature = "anyhow")]
pub(crate) use oom_record::into_anyhow as record_into_anyhow;
#[cfg(feature = "anyhow")]
pub(crate) use vtable::Access;
pub(crate) use vtable::Target;

use crate::OutOfMemory;
use core::error::Error as StdError;
use core::fmt::{Debug, Display};
use core::mem::{ManuallyDrop, MaybeUninit, size_of};
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;
pub(crate) use location::Site;
use payload::{Boxed, DisplayOnly, Message, Plain};
pub(crate) use repr::Decoded;
use repr::Repr;
use std_alloc::boxed::Box;
pub(crate) use vtable::Payload;
use vtable::{Header, INNER_ERROR_OFFSET, box_payload};

/// The error type: like `anyhow::Error`, a wrapper around any
/// `core::error::Error + Send + Sync + 'static` with context layers, a
/// source chain and downcasting, printed exactly as anyhow prints it.
///
/// Unlike anyhow's, it never aborts the process when memory runs out. Every
/// allocation it makes is fallible, and when one fails the result is an
/// `Error` that [`is::<OutOfMemory>()`](Error::is), which carries its
/// requested size in the error's own word and so needs no memory at all.
///
/// An `Error` is one machine word, and so are `Result<()>` and
/// `Option<Error>`. It is one of:
/// - out of memory: the word holds the requested size; no allocation;
/// - out of memory with context: the word points at a record in a table in
///   static memory, which the error owns until it is dropped; no
///   allocation;
/// - a static message (`bail!("literal")`): the word points at a `static`;
///   no allocation;
/// - boxed: one allocation holding a small header and the error, message or
///   context layer (a formatted message's `String` is a second one, as in
///   anyhow).
///
/// # Display and Debug
///
/// - `{}` shows the outermost layer only;
/// - `{:#}` shows every layer, joined by `": "`;
/// - `{:?}` shows the outermost layer, then a "Caused by:" list of the
///   sources (numbered when there are several), then the backtrace when the
///   feature `backtrace` captured one; with the feature `location`, each
///   layer whose location is known has a line `    at file:line:column`
///   under its message;
/// - `{:#?}` shows the `Debug` of the outermost layer.
///
/// None of them allocate, except that printing a backtrace captured with the
/// feature `backtrace` goes through std, which allocates to resolve symbols.
///
/// # Context on out-of-memory errors
///
/// Context added to an out-of-memory error cannot be boxed: that would need
/// the memory that just ran out. What needs no memory is kept instead, in a
/// record the error takes from a table of 64 records in static memory and
/// gives back when it is dropped, on whatever thread:
///
/// - a `&'static str` context, and a `format_err!("literal")` given as a
///   context, are kept as layers, with their locations (feature
///   `location`), up to 8 per error. Every format, [`chain`](Error::chain)
///   and [`root_cause`](Error::root_cause) show them exactly as they show
///   the same layers boxed (`{:#}` gives `"parsing: out of memory (failed
///   to allocate 64 bytes)"`);
/// - any other context (a `String`, a `format_context!`, a value of the
///   caller's type, and the closure of `with_context`, which is not called)
///   is dropped at once. Where it was, the chain shows a layer
///   `(1 context layer dropped for lack of memory)`, one for each run of
///   consecutive dropped layers (`(2 context layers ...)`), and so do the
///   layers past the eighth kept one, all in one last such layer;
/// - while all 64 records are in use, an error without one stays a plain
///   out-of-memory error: the layers added to it then are neither shown
///   nor counted (it takes a record for the layers added once one is free).
///
/// [`dropped_contexts`](Error::dropped_contexts) says how many layers were
/// dropped. The kept layers are text for the formats and the chain, not
/// values: such an error is [`is::<OutOfMemory>()`](Error::is), and
/// `downcast_ref::<OutOfMemory>()` finds the failure in the record, but
/// `is::<&str>()` is false, as in Wasmtime (where context on an
/// out-of-memory error is never added).
///
/// The table is 64 records of 232 bytes with the feature `location` (14.5
/// KiB in all), 160 bytes without (10 KiB), on 64-bit targets. Taking and
/// giving back a record is one atomic operation each, with no lock: a
/// thread never waits for another.
///
/// ```
/// use wasmtime_error::{Context, OutOfMemory, Result};
///
/// fn read_body() -> Result<()> {
///     Err(OutOfMemory::new(786432)).context("reading the body")
/// }
///
/// fn serve() -> Result<()> {
///     read_body().context("serving a client")
/// }
///
/// let error = serve().unwrap_err();
/// assert_eq!(
///     format!("{error:#}"),
///     "serving a client: reading the body: out of memory (failed to allocate 786432 bytes)",
/// );
/// assert!(error.is::<OutOfMemory>());
/// assert_eq!(error.dropped_contexts(), Some(0));
/// ```
///
/// # Example
///
/// ```
/// use wasmtime_error::{Context, Error, Result, bail};
///
/// fn parse_port(text: &str) -> Result<u16> {
///     if text.is_empty() {
///         bail!("empty port");
///     }
///     let port = text.parse::<u16>().with_context(|| format!("bad port {text:?}"))?;
///     Ok(port)
/// }
///
/// let error: Error = parse_port("http").unwrap_err();
/// assert_eq!(error.to_string(), "bad port \"http\"");
/// assert_eq!(format!("{error:#}"), "bad port \"http\": invalid digit found in string");
/// // `{:?}` lists the causes. With the feature `location` each layer has
/// // its location under it; with `backtrace`, a captured backtrace ends it.
/// let debug = format!("{error:?}");
/// assert!(debug.starts_with("bad port \"http\"\n"));
/// assert!(debug.contains("\n\nCaused by:\n    invalid digit found in string"));
/// assert!(error.is::<std::num::ParseIntError>());
/// assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
/// ```
#[repr(transparent)]
pub struct Error {
    repr: Repr,
}

const _: () = assert!(size_of::<Error>() == size_of::<usize>());
const _: () = assert!(size_of::<crate::Result<()>>() == size_of::<usize>());
const _: () = assert!(size_of::<Option<Error>>() == size_of::<usize>());

// SAFETY: every payload is `Send + Sync` (the `Payload` trait requires it),
// static messages are immutable `'static` data, the OOM case is a plain
// integer, and a record holds only `'static` references and integers, and
// is owned by the error (the table's claims order the accesses of one
// owner after those of the one before, on whatever thread).
unsafe impl Send for Error {}
// SAFETY: as above.
unsafe impl Sync for Error {}

impl Error {
    /// Wraps a standard error. Its `source()` chain becomes the rest of this
    /// error's chain, and it can be downcast back.
    ///
    /// Allocates once; an `OutOfMemory` is stored in the word instead, and
    /// so are the allocation failures that convert into one (std's and, with
    /// the feature `hash-map`, hashbrown's `TryReserveError`; with
    /// `collections`, allocator-api2's `AllocError`): the
    /// result `is::<OutOfMemory>()`. If the allocation fails, `error` is
    /// dropped and an out-of-memory error for that allocation is returned.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::Error;
    ///
    /// let error = Error::new(std::fmt::Error);
    /// assert!(error.is::<std::fmt::Error>());
    /// assert_eq!(error.to_string(), "an error occurred when formatting an argument");
    ///
    /// let overflow = Vec::<u8>::new().try_reserve(usize::MAX).unwrap_err();
    /// assert!(Error::new(overflow).is::<wasmtime_error::OutOfMemory>());
    /// ```
    #[cfg_attr(feature = "location", track_caller)]
    #[inline]
    pub fn new<E>(error: E) -> Self
    where
        E: StdError + Send + Sync + 'static,
    {
        if let Some(oom) = crate::oom::allocation_failure(&error) {
            return Error::from_oom(oom);
        }
        Error::from_payload(Plain(error), true, Site::caller())
    }

    /// An error whose message is `message`'s `Display`, and whose `{:#?}`
    /// is its `Debug`. It has no source.
    ///
    /// Allocates once; on failure the result is the out-of-memory error.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::Error;
    ///
    /// let error = Error::msg(String::from("no such table"));
    /// assert_eq!(error.to_string(), "no such table");
    /// assert_eq!(format!("{error:#?}"), "\"no such table\"");
    /// assert_eq!(error.downcast_ref::<String>().unwrap(), "no such table");
    /// ```
    #[cfg_attr(feature = "location", track_caller)]
    #[inline]
    pub fn msg<M>(message: M) -> Self
    where
        M: Display + Debug + Send + Sync + 'static,
    {
        Error::from_payload(Message(message), true, Site::caller())
    }

    /// Takes over an already boxed error. It can be downcast to
    /// `Box<dyn Error + Send + Sync>` (as in anyhow), not to the type inside.
    ///
    /// Allocates once; on failure the box is dropped and the result is the
    /// out-of-memory error.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::Error;
    ///
    /// let boxed: Box<dyn std::error::Error + Send + Sync> = "plain text".into();
    /// let error = Error::from_boxed(boxed);
    /// assert_eq!(error.to_string(), "plain text");
    /// assert!(error.is::<Box<dyn std::error::Error + Send + Sync>>());
    /// ```
    #[cfg_attr(feature = "location", track_caller)]
    pub fn from_boxed(boxed_error: Box<dyn StdError + Send + Sync + 'static>) -> Self {
        Error::from_payload(Boxed(boxed_error), true, Site::caller())
    }

    /// Wraps the error in a layer that displays `context`; the error becomes
    /// its source.
    ///
    /// On an out-of-memory error this allocates nothing: a `&'static str`
    /// context (or a `format_err!("literal")`) is kept in the error's record
    /// in static memory, any other context is dropped and counted there (see
    /// [Context on out-of-memory errors](Error#context-on-out-of-memory-errors)).
    /// A context that is itself out of memory (a `format_context!` or a
    /// `format_err!` whose allocation failed) replaces the error, also
    /// without allocating. Otherwise this allocates once; if that fails, the
    /// error and the context are dropped and the out-of-memory error is
    /// returned.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Error, OutOfMemory, format_err};
    ///
    /// let error = format_err!("disk full").context("saving game").context("quitting");
    /// assert_eq!(format!("{error:#}"), "quitting: saving game: disk full");
    ///
    /// let oom = Error::from(OutOfMemory::new(64)).context("growing the cache");
    /// assert_eq!(format!("{oom:#}"), "growing the cache: out of memory (failed to allocate 64 bytes)");
    /// assert!(oom.is::<OutOfMemory>());
    /// ```
    #[cfg_attr(feature = "location", track_caller)]
    #[inline]
    pub fn context<C>(self, context: C) -> Self
    where
        C: Display + Send + Sync + 'static,
    {
        context::ContextSource::add_context(self, context)
    }

    /// With the feature `backtrace`, the backtrace captured when the
    /// innermost boxed layer was made (whether one is captured follows
    /// `RUST_LIB_BACKTRACE` and `RUST_BACKTRACE`, as for
    /// `std::backtrace::Backtrace::capture`), or a disabled one for
    /// out-of-memory errors and static messages, for which capturing would
    /// allocate.
    ///
    /// Without that feature, always a disabled backtrace: nothing is
    /// captured, and this does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use std::backtrace::BacktraceStatus;
    /// use wasmtime_error::{Error, OutOfMemory};
    ///
    /// let oom = Error::from(OutOfMemory::new(1));
    /// assert_eq!(oom.backtrace().status(), BacktraceStatus::Disabled);
    /// ```
    #[cfg(feature = "std")]
    pub fn backtrace(&self) -> &std::backtrace::Backtrace {
        #[cfg(feature = "backtrace")]
        if let Some(captured) = self.backtrace_if_any() {
            return captured;
        }
        &backtrace::DISABLED
    }

    /// The error and its sources, outermost first. Does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::format_err;
    ///
    /// let error = format_err!("root").context("middle").context("top");
    /// let layers: Vec<String> = error.chain().map(|e| e.to_string()).collect();
    /// assert_eq!(layers, ["top", "middle", "root"]);
    /// ```
    pub fn chain(&self) -> Chain<'_> {
        Chain::new(self.as_dyn())
    }

    /// The innermost source: the last error of [`chain`](Error::chain).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::Context;
    ///
    /// let error = "x".parse::<i32>().context("reading x").unwrap_err();
    /// assert_eq!(error.root_cause().to_string(), "invalid digit found in string");
    /// ```
    pub fn root_cause(&self) -> &(dyn StdError + 'static) {
        let mut cursor: &(dyn StdError + 'static) = self.as_dyn();
        while let Some(source) = cursor.source() {
            cursor = source;
        }
        cursor
    }

    /// Whether this error, any of its context layers, or the error they wrap
    /// is an `E` (the same search as [`downcast_ref`](Error::downcast_ref)).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Error, OutOfMemory};
    ///
    /// assert!(Error::from(OutOfMemory::new(8)).is::<OutOfMemory>());
    /// assert!(!Error::msg("text").is::<OutOfMemory>());
    /// ```
    #[inline]
    pub fn is<E>(&self) -> bool
    where
        E: Display + Debug + Send + Sync + 'static,
    {
        self.downcast_ref::<E>().is_some()
    }

    /// Takes the `E` out of this error: the error it wraps, a message, or
    /// the context or error of any context layer. On a miss the error comes
    /// back unchanged. Does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::Error;
    ///
    /// let error = Error::msg(42u32).context("while counting");
    /// let error = error.downcast::<String>().unwrap_err();
    /// assert_eq!(error.downcast::<u32>().unwrap(), 42);
    /// ```
    pub fn downcast<E>(self) -> Result<E, Self>
    where
        E: Display + Debug + Send + Sync + 'static,
    {
        let mut slot = MaybeUninit::<E>::uninit();
        let target = Target::to_take::<E>(&mut slot);
        let mut this = ManuallyDrop::new(self);
        let Some(found) = Error::find_in(NonNull::from(&mut *this), &target) else {
            return Err(ManuallyDrop::into_inner(this));
        };
        // SAFETY: `find` located a live `E`, reached through unique access
        // (or moved it into `slot`); it is moved out here and `drop_rest_at`
        // frees everything else without touching it.
        unsafe {
            let value = found.cast::<E>().read();
            Error::drop_rest_at(ManuallyDrop::into_inner(this), &target);
            Ok(value)
        }
    }

    /// A reference to the `E` inside this error, searched as
    /// [`downcast`](Error::downcast) does. Does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Context, Result};
    ///
    /// #[derive(Debug)]
    /// struct Code(u16);
    /// impl std::fmt::Display for Code {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         write!(f, "code {}", self.0)
    ///     }
    /// }
    ///
    /// let result: Result<()> = Err(std::fmt::Error).context(Code(404));
    /// let error = result.unwrap_err();
    /// assert_eq!(error.downcast_ref::<Code>().unwrap().0, 404);
    /// assert!(error.downcast_ref::<std::fmt::Error>().is_some());
    /// ```
    #[inline]
    pub fn downcast_ref<E>(&self) -> Option<&E>
    where
        E: Display + Debug + Send + Sync + 'static,
    {
        let found = Error::find_in(NonNull::from(self), Target::of::<E>())?;
        // SAFETY: `find` located a live `E` owned by (or static to) `self`.
        Some(unsafe { found.cast::<E>().as_ref() })
    }

    /// A mutable reference to the `E` inside this error.
    ///
    /// A static message (from `bail!("literal")`) cannot be changed where it
    /// is, so asking for its `&'static str` moves it to the heap first; if
    /// that allocation fails this returns `None` and the error is unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::Error;
    ///
    /// let mut error = Error::msg(1u8);
    /// *error.downcast_mut::<u8>().unwrap() += 1;
    /// assert_eq!(error.to_string(), "2");
    /// ```
    pub fn downcast_mut<E>(&mut self) -> Option<&mut E>
    where
        E: Display + Debug + Send + Sync + 'static,
    {
        let target = Target::of_mut::<E>();
        let this = NonNull::from(self);
        let mut found = Error::find_in(this, target)?;
        // A static message lives in read-only memory: if that is where the
        // value was found, move the message to the heap and find it again.
        if let Some((word, message)) = Error::innermost_static(this)
            && found == NonNull::from(message.message_ref()).cast()
        {
            let promoted =
                Error::from_payload(Message(*message.message_ref()), false, message.site());
            if promoted.is_out_of_memory() {
                return None;
            }
            // SAFETY: `&mut self` gives unique access to every error of the
            // chain; the static error being replaced owns nothing.
            unsafe { word.as_ptr().write(promoted) };
            found = Error::find_in(this, target)?;
        }
        // SAFETY: `find` located a live `E` through the unique access
        // `&mut self` gives, and never in static memory when promoting.
        Some(unsafe { found.cast::<E>().as_mut() })
    }

    /// Turns the error into a standard boxed error with the same `Display`,
    /// `Debug` and sources.
    ///
    /// A boxed error's allocation is reused as it is. Out-of-memory errors
    /// and static messages need one small allocation; if
    /// that fails too, the box holds an out-of-memory error (zero-sized, with
    /// the same message) instead.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::format_err;
    ///
    /// let boxed = format_err!("inner").context("outer").into_boxed_dyn_error();
    /// assert_eq!(boxed.to_string(), "outer");
    /// assert_eq!(boxed.source().unwrap().to_string(), "inner");
    /// ```
    pub fn into_boxed_dyn_error(self) -> Box<dyn StdError + Send + Sync + 'static> {
        into_box::into_box(self)
    }

    /// Turns the error into a standard boxed error that holds the value the
    /// error was made from, so that it downcasts to that type, as anyhow's
    /// method of this name does. The outermost layer's backtrace is dropped
    /// (an inner error of a context layer keeps its own, as in anyhow).
    ///
    /// The box holds, for an error made by `Error::new(e)` or `?`, the `e`
    /// itself; for `Error::from_boxed(b)`, the box `b` as it is (nothing is
    /// allocated); for a message or a context layer, that message or layer,
    /// which shows what the error's outermost layer shows; for an
    /// out-of-memory error, that `OutOfMemory`.
    ///
    /// The old allocation is freed before the new one is made. If that one
    /// fails, the error is dropped and the box holds the out-of-memory error
    /// for the failed request instead (zero-sized if even its eight bytes
    /// cannot be had), as [`into_boxed_dyn_error`](Error::into_boxed_dyn_error)
    /// does. For an error taken over from anyhow (feature `anyhow`), anyhow
    /// reallocates, and aborts if that fails.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::Error;
    ///
    /// let error = Error::new(std::fmt::Error);
    /// let boxed = error.reallocate_into_boxed_dyn_error_without_backtrace();
    /// assert!(boxed.downcast::<std::fmt::Error>().is_ok());
    /// ```
    #[must_use]
    pub fn reallocate_into_boxed_dyn_error_without_backtrace(
        self,
    ) -> Box<dyn StdError + Send + Sync + 'static> {
        into_box::reallocate(self)
    }

    /// The outermost layer as a `dyn Error`; what `Deref` gives.
    #[inline]
    pub(crate) fn as_dyn(&self) -> &(dyn StdError + Send + Sync + 'static) {
        match self.repr.decode() {
            // SAFETY: `Error` and `OutOfMemory` are both `repr(transparent)`
            // over one word, and an OOM-tagged word is bit for bit the
            // `OutOfMemory` it carries.
            Decoded::Oom(_) => unsafe { &*(self as *const Error).cast::<OutOfMemory>() },
            Decoded::Static(message) => message,
            // SAFETY: the record is claimed by `self`, borrowed here.
            Decoded::Record(record) => unsafe { oom_record::Record::top(record) },
            // SAFETY: a boxed word points at a live allocation whose vtable
            // matches its payload, borrowed as long as `self` is.
            Decoded::Boxed(header) => unsafe {
                ((*header.as_ptr()).vtable.object)(header).as_ref()
            },
        }
    }

    /// Takes the error apart without dropping it: in the boxed case the
    /// caller becomes the owner of the allocation.
    #[cfg(feature = "anyhow")]
    pub(crate) fn into_decoded(self) -> Decoded {
        ManuallyDrop::new(self).repr.decode()
    }

    /// Out of memory, whether or not it kept context.
    #[inline]
    pub(crate) fn is_out_of_memory(&self) -> bool {
        self.repr.is_out_of_memory()
    }

    /// Boxes `payload` made at `site` (capturing a backtrace if asked and
    /// the feature is on), or returns the out-of-memory error for the
    /// failed allocation.
    #[inline]
    pub(crate) fn from_payload<P: Payload>(
        payload: P,
        capture_backtrace: bool,
        site: Site,
    ) -> Self {
        match box_payload(payload, site) {
            Ok(header) => {
                #[cfg(feature = "backtrace")]
                if capture_backtrace {
                    // SAFETY: just allocated, uniquely owned here.
                    unsafe { (*header.as_ptr()).backtrace = backtrace::capture() };
                }
                #[cfg(not(feature = "backtrace"))]
                let _ = capture_backtrace;
                Error::from_header(header)
            }
            Err(oom) => Error::from_oom(oom),
        }
    }

    /// An error with only a `Display` (`Option::context`, and `anyhow!` of
    /// a value that is not an error).
    #[cfg_attr(feature = "location", track_caller)]
    pub(crate) fn from_display<M>(message: M) -> Self
    where
        M: Display + Send + Sync + 'static,
    {
        Error::from_payload(DisplayOnly(message), true, Site::caller())
    }

    #[inline]
    pub(crate) fn from_header(header: NonNull<Header>) -> Self {
        Error {
            repr: Repr::boxed(header),
        }
    }

    /// The error `bail!("literal")` makes: no allocation.
    #[doc(hidden)]
    #[inline]
    pub fn __from_static(message: &'static StaticMessage) -> Self {
        Error {
            repr: Repr::from_static(message),
        }
    }

    #[cfg(feature = "backtrace")]
    pub(crate) fn backtrace_if_any(&self) -> Option<&std::backtrace::Backtrace> {
        let Decoded::Boxed(header) = self.repr.decode() else {
            return None;
        };
        // SAFETY: the header is live as long as `self` is borrowed.
        let header_ref = unsafe { &*header.as_ptr() };
        match &header_ref.backtrace {
            Some(backtrace) => Some(backtrace),
            // SAFETY: as above; the inner error lives inside this allocation.
            None => unsafe { (header_ref.vtable.inner_error)(header) }
                .and_then(|inner| unsafe { inner.as_ref() }.backtrace_if_any()),
        }
    }

    #[cfg(not(feature = "backtrace"))]
    pub(crate) fn backtrace_if_any(&self) -> Option<&backtrace::Backtrace> {
        None
    }

    /// Finds a value of the target type in the error at `cursor` and in the
    /// errors its layers wrap (each context layer searches the error it
    /// wraps through this function again). A static message is found where
    /// it is; `downcast_mut` moves it to the heap before handing it out.
    ///
    /// The returned pointer has the permissions `cursor` had.
    #[inline]
    pub(crate) fn find_in(cursor: NonNull<Error>, target: &Target) -> Option<NonNull<()>> {
        // SAFETY: `cursor` points at a live error (the caller's, or one
        // inside a live layer); the shared borrow taken to decode it ends
        // here, before anything writes through `cursor`.
        match unsafe { (*cursor.as_ptr()).repr.decode() } {
            Decoded::Boxed(mut header) => loop {
                // SAFETY: a boxed word heads a live allocation whose vtable
                // matches its payload.
                let vtable = unsafe { (*header.as_ptr()).vtable };
                let Some(step) = &vtable.layer else {
                    // SAFETY: as above.
                    return unsafe { (vtable.find)(header, target) };
                };
                if step.context == target.id {
                    // SAFETY: the step's offset is that of the layer's
                    // context, inside the allocation; the pointer keeps the
                    // allocation's provenance.
                    return Some(unsafe { header.byte_add(step.context_offset) }.cast());
                }
                // SAFETY: a layer with a step holds a boxed error at
                // `INNER_ERROR_OFFSET`, live while the layer is.
                header = unsafe {
                    let inner = header.byte_add(INNER_ERROR_OFFSET).cast::<Error>();
                    (*inner.as_ptr()).repr.boxed_header_unchecked()
                };
            },
            Decoded::Oom(_) => target.is::<OutOfMemory>().then_some(cursor.cast()),
            // The kept layers are text for the formats and the chain, not
            // values: only the failure is found.
            Decoded::Record(record) => target
                .is::<OutOfMemory>()
                .then(|| oom_record::Record::oom(record).cast()),
            Decoded::Static(message) => target
                .is::<&'static str>()
                .then(|| NonNull::from(message.message_ref()).cast()),
        }
    }

    /// The innermost error of the chain of our own layers, if it is a
    /// static message (only the innermost error can be one).
    fn innermost_static(
        cursor: NonNull<Error>,
    ) -> Option<(NonNull<Error>, &'static StaticMessage)> {
        let mut cursor = cursor;
        loop {
            // SAFETY: as in `find_in`; only reads.
            match unsafe { (*cursor.as_ptr()).repr.decode() } {
                Decoded::Static(message) => return Some((cursor, message)),
                Decoded::Oom(_) | Decoded::Record(_) => return None,
                Decoded::Boxed(header) => {
                    // SAFETY: a boxed word heads a live allocation whose
                    // vtable matches its payload; the inner error lives in it.
                    cursor = unsafe { ((*header.as_ptr()).vtable.inner_error)(header) }?;
                }
            }
        }
    }

    /// Frees what `error` owns after the value `find` located for `target`
    /// was moved out of it.
    ///
    /// # Safety
    ///
    /// `find` on this error (without promotion) returned the value for
    /// `target`, and the caller moved it out.
    pub(crate) unsafe fn drop_rest_at(error: Error, target: &Target) {
        let error = ManuallyDrop::new(error);
        match error.repr.decode() {
            // SAFETY: per the caller; the allocation is not used again.
            Decoded::Boxed(header) => unsafe {
                ((*header.as_ptr()).vtable.drop_rest)(header, target)
            },
            // The `OutOfMemory` moved out was a copy: the rest is the
            // error itself, whose drop releases the record.
            Decoded::Record(_) => drop(ManuallyDrop::into_inner(error)),
            Decoded::Oom(_) | Decoded::Static(_) => {}
        }
    }
}

impl<E> From<E> for Error
where
    E: StdError + Send + Sync + 'static,
{
    /// Same as [`Error::new`]; does not allocate for `OutOfMemory`.
    #[cfg_attr(feature = "location", track_caller)]
    #[inline]
    fn from(error: E) -> Self {
        Error::new(error)
    }
}

impl Error {
    /// Makes the error for an `OutOfMemory` without allocating; what
    /// `Error::from(oom)` and `Error::new(oom)` do.
    #[inline]
    pub(crate) const fn from_oom(oom: OutOfMemory) -> Self {
        Error {
            repr: Repr::oom(oom),
        }
    }
}

impl Deref for Error {
    type Target = dyn StdError + Send + Sync + 'static;

    #[inline]
    fn deref(&self) -> &Self::Target {
        self.as_dyn()
    }
}

impl DerefMut for Error {
    /// Does not allocate. For a static message (from `bail!("literal")`)
    /// the target shows the message but is not the `StaticMessage` itself,
    /// which lives in read-only memory.
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self.repr.decode() {
            // SAFETY: as in `as_dyn`; writing an `OutOfMemory` through the
            // reference keeps the word a valid OOM word.
            Decoded::Oom(_) => unsafe { &mut *(self as *mut Error).cast::<OutOfMemory>() },
            // SAFETY: `Error` and `StaticWord` are both `repr(transparent)`
            // over the same `Repr`, and this word is a static one, the only
            // kind `StaticWord` is made from; nothing writes through it.
            Decoded::Static(_) => unsafe { &mut *(self as *mut Error).cast::<StaticWord>() },
            // SAFETY: the record is claimed by `self`, uniquely borrowed.
            Decoded::Record(record) => unsafe { oom_record::Record::top_mut(record) },
            // SAFETY: the allocation is uniquely borrowed through `self`.
            Decoded::Boxed(header) => unsafe {
                ((*header.as_ptr()).vtable.object)(header).as_mut()
            },
        }
    }
}

impl Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fmt::display(self.as_dyn(), f)
    }
}

impl Debug for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fmt::debug(
            self.as_dyn(),
            #[cfg(feature = "location")]
            location::Sites::of(self),
            self.backtrace_if_any(),
            f,
        )
    }
}

impl Drop for Error {
    #[inline]
    fn drop(&mut self) {
        if self.repr.is_owning() {
            if let Some(header) = self.repr.boxed_header() {
                // SAFETY: the error owns its allocation and is dropped once.
                unsafe { ((*header.as_ptr()).vtable.drop)(header) };
            } else {
                // SAFETY: the error is dropped once.
                unsafe { oom_record::release_if_record(self.repr.word()) };
            }
        }
    }
}

impl AsRef<dyn StdError + Send + Sync> for Error {
    fn as_ref(&self) -> &(dyn StdError + Send + Sync + 'static) {
        self.as_dyn()
    }
}

impl AsRef<dyn StdError> for Error {
    fn as_ref(&self) -> &(dyn StdError + 'static) {
        self.as_dyn()
    }
}

impl From<Error> for Box<dyn StdError + Send + Sync + 'static> {
    fn from(error: Error) -> Self {
        error.into_boxed_dyn_error()
    }
}

impl From<Error> for Box<dyn StdError + Send + 'static> {
    fn from(error: Error) -> Self {
        error.into_boxed_dyn_error()
    }
}

impl From<Error> for Box<dyn StdError + 'static> {
    fn from(error: Error) -> Self {
        error.into_boxed_dyn_error()
    }
}
