//! The boxed case of an [`Error`]: one heap allocation that starts with a
//! [`Header`] (a hand-made vtable pointer, the location with the feature
//! `location`, and the backtrace with the feature `backtrace`) followed by
//! the payload, a concrete type that implements `core::error::Error`.
//!
//! Everything that needs to know the payload's type goes through [`VTable`],
//! whose functions are instantiated once per payload type by [`ErrorImpl`].

use super::location::Site;
use super::{Error, fmt as error_fmt};
use crate::OutOfMemory;
use core::alloc::Layout;
use core::any::TypeId;
use core::error::Error as StdError;
use core::fmt::{self, Debug, Display};
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};
use std_alloc::boxed::Box;

#[cfg(feature = "backtrace")]
use std::backtrace::Backtrace;

/// What every boxed error starts with. `ErrorImpl<P>` is `repr(C)` with the
/// header first, so a pointer to an `ErrorImpl<P>` is a pointer to its header.
/// Aligned to 8 (as it is anyway where pointers are 8 bytes), so that the
/// word's third bit tells a box from a record (see `repr.rs`).
#[repr(C, align(8))]
pub(crate) struct Header {
    pub(crate) vtable: &'static VTable,
    /// Where the layer was made: one word with the feature `location`,
    /// zero-sized without it.
    pub(crate) site: Site,
    #[cfg(feature = "backtrace")]
    pub(crate) backtrace: Option<Backtrace>,
}

/// The allocation behind a boxed error.
#[repr(C)]
pub(crate) struct ErrorImpl<P> {
    pub(crate) header: Header,
    pub(crate) payload: P,
}

/// The type a downcast looks for.
pub(crate) struct Target {
    pub(crate) id: TypeId,
    /// What the caller may do with the value; only a payload that cannot
    /// answer with a plain address (an `anyhow::Error`) needs to know.
    #[cfg(feature = "anyhow")]
    pub(crate) access: Access,
    /// The same search inside an `anyhow::Error`, instantiated for the type.
    #[cfg(feature = "anyhow")]
    pub(crate) anyhow: crate::anyhow::Probes,
}

/// The targets of reads and writes, one pair of statics per type.
struct TargetOf<E>(PhantomData<E>);

impl<E: Display + Debug + Send + Sync + 'static> TargetOf<E> {
    const SHARED: &'static Target = &Target::new::<E>(
        #[cfg(feature = "anyhow")]
        Access::Shared,
    );
    const UNIQUE: &'static Target = &Target::new::<E>(
        #[cfg(feature = "anyhow")]
        Access::Unique,
    );
}

/// How the value a [`Target`] names will be used.
#[cfg(feature = "anyhow")]
#[derive(Clone, Copy)]
pub(crate) enum Access {
    /// Read through a shared reference (`downcast_ref`, `is`).
    Shared,
    /// Written through a unique reference (`downcast_mut`).
    Unique,
    /// Moved out (`downcast`). A payload may move the value into this slot
    /// itself, sized and aligned for the target type, and answer with it.
    Take(NonNull<()>),
}

impl Target {
    /// Looks for an `E` to read it. A constant, so that a search passes a
    /// pointer to a static instead of building the target on the stack.
    pub(crate) const fn of<E>() -> &'static Target
    where
        E: Display + Debug + Send + Sync + 'static,
    {
        TargetOf::<E>::SHARED
    }

    /// Looks for an `E` to change it.
    pub(crate) const fn of_mut<E>() -> &'static Target
    where
        E: Display + Debug + Send + Sync + 'static,
    {
        TargetOf::<E>::UNIQUE
    }

    const fn new<E>(#[cfg(feature = "anyhow")] access: Access) -> Target
    where
        E: Display + Debug + Send + Sync + 'static,
    {
        Target {
            id: TypeId::of::<E>(),
            #[cfg(feature = "anyhow")]
            access,
            #[cfg(feature = "anyhow")]
            anyhow: crate::anyhow::Probes::of::<E>(),
        }
    }

    /// Looks for an `E` to move it out; `slot` is where a payload may put it.
    pub(crate) fn to_take<E>(slot: &mut MaybeUninit<E>) -> Target
    where
        E: Display + Debug + Send + Sync + 'static,
    {
        #[cfg(not(feature = "anyhow"))]
        let _ = slot;
        Target::new::<E>(
            #[cfg(feature = "anyhow")]
            Access::Take(NonNull::from(slot).cast()),
        )
    }

    pub(crate) fn is<T: 'static>(&self) -> bool {
        self.id == TypeId::of::<T>()
    }
}

/// The concrete content of a boxed error.
///
/// # Safety
///
/// Implementors promise that `find` only ever returns `Some(p)` where `p`
/// points to a live value of exactly the type `target.id` names, inside
/// `this` or inside memory `this` owns and keeps at a fixed address, and that
/// `drop_rest` drops exactly everything else `this` owns. With the feature
/// `anyhow` and `Access::Take(slot)`, `find` may instead move the value into
/// `slot` and return `Some(slot)`; `drop_rest` then leaves that value alone
/// too. `object` returns a pointer into `this` with its permissions.
///
/// `vtable` returns `ErrorImpl::<Self>::VTABLE`, or a copy of it whose
/// `layer` step, if set, holds for this value as long as it lives: the
/// context of that type at that offset, and a boxed error at
/// `INNER_ERROR_OFFSET`, which `find` would search next.
pub(crate) unsafe trait Payload: StdError + Send + Sync + Sized + 'static {
    /// Where a value of the target type is: in this layer, or (for a layer
    /// around one of our errors) in the error it wraps, searched with
    /// [`Error::find_in`].
    ///
    /// # Safety
    ///
    /// `this` points to a live payload; the returned pointer has the
    /// permissions `this` had.
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Option<NonNull<()>>;

    /// Drops what the payload owns except the value `find` located for
    /// `target`, which the caller has already moved out.
    ///
    /// # Safety
    ///
    /// `find(this, target)` returned the value, and it was moved out.
    unsafe fn drop_rest(this: NonNull<Self>, target: &Target);

    /// The `dyn Error` the payload shows through `Deref`, `source()` and
    /// `chain()`: the payload itself, or, for a wrapper that only forwards
    /// to the error it holds, that error, so that `downcast_ref` on the
    /// `dyn Error` finds its real type (as in anyhow).
    ///
    /// # Safety
    ///
    /// `this` points to a live payload; the result has the permissions
    /// `this` had and points inside the payload.
    unsafe fn object(this: NonNull<Self>) -> NonNull<dyn StdError + Send + Sync> {
        this
    }

    /// The error this layer wraps, if it is one of ours.
    ///
    /// # Safety
    ///
    /// `this` points to a live payload; the returned pointer has the
    /// permissions `this` had (`downcast_mut` writes through it).
    unsafe fn inner_error(this: NonNull<Self>) -> Option<NonNull<Error>> {
        let _ = this;
        None
    }

    /// The vtable the allocation of this value is headed with: the one of
    /// its type, or a variant a search can step over without calling it (a
    /// context layer whose inner error is boxed).
    fn vtable(&self) -> &'static VTable {
        ErrorImpl::<Self>::VTABLE
    }

    /// Moves the payload into a box of its own, whose `dyn Error` is the
    /// value a caller made the error from, so that the box downcasts to it
    /// (`reallocate_into_boxed_dyn_error_without_backtrace`). The default
    /// boxes the payload whole, as anyhow boxes its own wrappers (a message,
    /// a context layer); on failure the payload is dropped.
    fn reallocate(self) -> Result<Box<dyn StdError + Send + Sync>, OutOfMemory> {
        super::into_box::try_box(self)
    }

    /// Moves the payload out into an `anyhow::Error`. The default wraps the
    /// payload whole, which keeps its formats and sources; payloads holding
    /// values a downcast finds override it to keep those downcasts.
    ///
    /// # Safety
    ///
    /// `this` points to a live payload, which the caller treats as moved
    /// out afterwards (it frees the allocation without dropping it).
    #[cfg(feature = "anyhow")]
    unsafe fn into_anyhow(this: NonNull<Self>) -> ::anyhow::Error {
        // SAFETY: the payload is live and the caller will not drop it.
        ::anyhow::Error::new(unsafe { this.read() })
    }
}

/// Hands a boxed error's allocation over to a standard box.
pub(crate) type IntoBox = unsafe fn(NonNull<Header>) -> Box<dyn StdError + Send + Sync>;

/// Frees a boxed error's allocation and boxes its payload anew.
pub(crate) type Reallocate =
    unsafe fn(NonNull<Header>) -> Result<Box<dyn StdError + Send + Sync>, OutOfMemory>;

/// The functions of one payload type, reached through the header.
pub(crate) struct VTable {
    pub(crate) object: unsafe fn(NonNull<Header>) -> NonNull<dyn StdError + Send + Sync>,
    pub(crate) find: unsafe fn(NonNull<Header>, &Target) -> Option<NonNull<()>>,
    pub(crate) drop_rest: unsafe fn(NonNull<Header>, &Target),
    pub(crate) drop: unsafe fn(NonNull<Header>),
    pub(crate) inner_error: unsafe fn(NonNull<Header>) -> Option<NonNull<Error>>,
    pub(crate) into_box: IntoBox,
    pub(crate) reallocate: Reallocate,
    #[cfg(feature = "anyhow")]
    pub(crate) into_anyhow: unsafe fn(NonNull<Header>) -> ::anyhow::Error,
    /// Set for a context layer around a boxed error, whose inner error is
    /// then at `INNER_ERROR_OFFSET`: a search walks such layers in a loop,
    /// without a call through the vtable per layer.
    pub(crate) layer: Option<LayerStep>,
}

/// What a search needs of a context layer to look at its context and go on
/// to the error it wraps.
#[derive(Clone, Copy)]
pub(crate) struct LayerStep {
    /// The type of the context.
    pub(crate) context: TypeId,
    /// Where the context is, from the start of the allocation.
    pub(crate) context_offset: usize,
}

/// Where the inner error of a layer with a [`LayerStep`] is, from the start
/// of the allocation: right after the header.
pub(crate) const INNER_ERROR_OFFSET: usize = core::mem::size_of::<Header>();

impl<P: Payload> ErrorImpl<P> {
    pub(crate) const VTABLE: &'static VTable = &VTable {
        object: object::<P>,
        find: find::<P>,
        drop_rest: drop_rest::<P>,
        drop: drop::<P>,
        inner_error: inner_error::<P>,
        into_box: into_box::<P>,
        reallocate: reallocate::<P>,
        #[cfg(feature = "anyhow")]
        into_anyhow: into_anyhow::<P>,
        layer: None,
    };
}

/// Allocates `layout` (never zero-sized: the header is in it) through the
/// global allocator without aborting on failure.
#[inline]
pub(crate) fn try_alloc(layout: Layout) -> Result<NonNull<u8>, OutOfMemory> {
    debug_assert!(layout.size() > 0);
    // SAFETY: the layout is non-zero-sized, the only requirement of `alloc`.
    let raw = crate::alloc::fallible(|| unsafe { std_alloc::alloc::alloc(layout) });
    NonNull::new(raw).ok_or(OutOfMemory::new(layout.size()))
}

/// Moves `payload` into a new allocation with its header, made at `site`.
/// On failure the payload is dropped and the failed request is returned.
#[inline]
pub(crate) fn box_payload<P: Payload>(
    payload: P,
    site: Site,
) -> Result<NonNull<Header>, OutOfMemory> {
    let layout = Layout::new::<ErrorImpl<P>>();
    let raw = try_alloc(layout)?.cast::<ErrorImpl<P>>();
    let value = ErrorImpl {
        header: Header {
            vtable: payload.vtable(),
            site,
            #[cfg(feature = "backtrace")]
            backtrace: None,
        },
        payload,
    };
    // SAFETY: `raw` was just allocated with the layout of `ErrorImpl<P>`.
    unsafe { raw.as_ptr().write(value) };
    Ok(raw.cast())
}

/// The payload inside the allocation `header` starts.
///
/// # Safety
///
/// `header` heads an `ErrorImpl<P>`.
unsafe fn payload_ptr<P>(header: NonNull<Header>) -> NonNull<P> {
    let whole = header.cast::<ErrorImpl<P>>();
    // SAFETY: in bounds of the allocation per the caller's promise; the
    // projection keeps the provenance of `header`.
    unsafe { NonNull::new_unchecked(&raw mut (*whole.as_ptr()).payload) }
}

unsafe fn object<P: Payload>(header: NonNull<Header>) -> NonNull<dyn StdError + Send + Sync> {
    // SAFETY: the vtable of an `ErrorImpl<P>` is only ever one made for
    // `P` (`Payload::vtable`), so the payload is a live `P`.
    unsafe { P::object(payload_ptr(header)) }
}

unsafe fn find<P: Payload>(header: NonNull<Header>, target: &Target) -> Option<NonNull<()>> {
    // SAFETY: header heads an `ErrorImpl<P>` (vtable invariant); the
    // payload is live while its error is.
    unsafe { P::find(payload_ptr(header), target) }
}

unsafe fn inner_error<P: Payload>(header: NonNull<Header>) -> Option<NonNull<Error>> {
    // SAFETY: header heads a live `ErrorImpl<P>` (vtable invariant); the
    // payload pointer keeps the permissions of `header`.
    unsafe { P::inner_error(payload_ptr(header)) }
}

unsafe fn drop_rest<P: Payload>(header: NonNull<Header>, target: &Target) {
    // SAFETY: header heads a live `ErrorImpl<P>` (vtable invariant).
    let _free = unsafe { FreeOnDrop::<P>::new(header) };
    // SAFETY: the caller moved the target out as `Payload::drop_rest`
    // requires; `_free` then frees the header and the memory, also if a
    // `Drop` impl of the rest panics.
    unsafe { P::drop_rest(payload_ptr(header), target) };
}

unsafe fn drop<P: Payload>(header: NonNull<Header>) {
    // SAFETY: header heads a live `ErrorImpl<P>` (vtable invariant).
    let _free = unsafe { FreeOnDrop::<P>::new(header) };
    // SAFETY: the error owning this allocation is being dropped, so the
    // payload is live and nothing else refers to it; it is dropped once.
    unsafe { ptr::drop_in_place(payload_ptr::<P>(header).as_ptr()) };
}

/// Drops the header and frees the allocation of an `ErrorImpl<P>` whose
/// payload is gone by then: when the guard goes out of scope, or during
/// unwinding if a `Drop` impl of the payload panicked (as a `Box` would).
struct FreeOnDrop<P: Payload> {
    header: NonNull<Header>,
    _payload: PhantomData<P>,
}

impl<P: Payload> FreeOnDrop<P> {
    /// # Safety
    ///
    /// `header` heads a live `ErrorImpl<P>` that the guard now owns, and
    /// whose payload is dropped or moved out before the guard is.
    unsafe fn new(header: NonNull<Header>) -> Self {
        FreeOnDrop {
            header,
            _payload: PhantomData,
        }
    }
}

impl<P: Payload> Drop for FreeOnDrop<P> {
    fn drop(&mut self) {
        // SAFETY: per `new`, the payload is gone and the header is live; the
        // allocation was made with the layout of `ErrorImpl<P>` by
        // `box_payload`, and is freed once, here.
        unsafe {
            ptr::drop_in_place(self.header.as_ptr());
            std_alloc::alloc::dealloc(self.header.as_ptr().cast(), Layout::new::<ErrorImpl<P>>());
        }
    }
}

/// Converts the payload, then frees the header and the allocation (also
/// when the conversion unwinds).
///
/// # Safety
///
/// `header` heads a live `ErrorImpl<P>` that is not used again.
#[cfg(feature = "anyhow")]
unsafe fn into_anyhow<P: Payload>(header: NonNull<Header>) -> ::anyhow::Error {
    // SAFETY: per the caller.
    let _free = unsafe { FreeOnDrop::<P>::new(header) };
    // SAFETY: per the caller; `_free` frees without dropping the payload,
    // which `P::into_anyhow` moves out.
    unsafe { P::into_anyhow(payload_ptr(header)) }
}

unsafe fn into_box<P: Payload>(header: NonNull<Header>) -> Box<dyn StdError + Send + Sync> {
    // SAFETY: the allocation was made by `box_payload` with exactly the
    // layout of `ErrorImpl<P>` from the global allocator, as a
    // `Box<ErrorImpl<P>>` requires.
    unsafe { Box::from_raw(header.cast::<ErrorImpl<P>>().as_ptr()) }
}

/// Moves the payload out and frees the allocation with its header (and so
/// the backtrace) before the payload asks for its new box, which may then
/// reuse the memory.
///
/// # Safety
///
/// `header` heads a live `ErrorImpl<P>` that is not used again.
unsafe fn reallocate<P: Payload>(
    header: NonNull<Header>,
) -> Result<Box<dyn StdError + Send + Sync>, OutOfMemory> {
    let payload = {
        // SAFETY: per the caller.
        let _free = unsafe { FreeOnDrop::<P>::new(header) };
        // SAFETY: the payload is live, and read out once: `_free` frees the
        // allocation without dropping it.
        unsafe { payload_ptr::<P>(header).read() }
    };
    payload.reallocate()
}

/// `Box<dyn Error>` made from an error shows what the error shows.
impl<P: Payload> StdError for ErrorImpl<P> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.payload.source()
    }
}

impl<P: Payload> fmt::Display for ErrorImpl<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        error_fmt::display(&self.payload, f)
    }
}

impl<P: Payload> fmt::Debug for ErrorImpl<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[cfg(feature = "location")]
        // SAFETY: the payload is live while `self` is borrowed; the inner
        // error lives inside it and is only read.
        let inner = unsafe { P::inner_error(NonNull::from(&self.payload)).map(|e| &*e.as_ptr()) };
        error_fmt::debug(
            &self.payload,
            #[cfg(feature = "location")]
            super::location::Sites::of_layer(self.header.site, inner),
            self.backtrace(),
            f,
        )
    }
}

impl<P: Payload> ErrorImpl<P> {
    #[cfg(feature = "backtrace")]
    fn backtrace(&self) -> Option<&Backtrace> {
        match &self.header.backtrace {
            Some(backtrace) => Some(backtrace),
            // SAFETY: the payload is live while `self` is borrowed, and the
            // inner error is only read.
            None => unsafe { P::inner_error(NonNull::from(&self.payload)) }
                .map(|inner| unsafe { inner.as_ref() }.backtrace()),
        }
    }

    #[cfg(not(feature = "backtrace"))]
    fn backtrace(&self) -> Option<&super::backtrace::Backtrace> {
        None
    }
}
