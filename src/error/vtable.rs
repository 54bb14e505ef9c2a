//! The boxed case of an [`Error`]: one heap allocation that starts with a
//! [`Header`] (a hand-made vtable pointer, and the backtrace when that feature
//! is on) followed by the payload, a concrete type that implements
//! `core::error::Error`.
//!
//! Everything that needs to know the payload's type goes through [`VTable`],
//! whose functions are instantiated once per payload type by [`ErrorImpl`].

use super::{Error, fmt as error_fmt};
use crate::OutOfMemory;
use core::alloc::Layout;
use core::any::TypeId;
use core::error::Error as StdError;
use core::fmt;
use core::ptr::{self, NonNull};
use std_alloc::boxed::Box;

#[cfg(feature = "backtrace")]
use std::backtrace::Backtrace;

/// What every boxed error starts with. `ErrorImpl<P>` is `repr(C)` with the
/// header first, so a pointer to an `ErrorImpl<P>` is a pointer to its header.
#[repr(C)]
pub(crate) struct Header {
    pub(crate) vtable: &'static VTable,
    #[cfg(feature = "backtrace")]
    pub(crate) backtrace: Option<Backtrace>,
}

/// The allocation behind a boxed error.
#[repr(C)]
pub(crate) struct ErrorImpl<P> {
    pub(crate) header: Header,
    pub(crate) payload: P,
}

/// Where a value of a requested type lives, as answered by [`Payload::find`].
pub(crate) enum Lookup {
    /// At this address, inside the payload or memory the payload owns.
    Here(NonNull<()>),
    /// Not in this layer; look in the wrapped error at this address.
    Inner(NonNull<Error>),
    /// Nowhere in this error.
    Absent,
}

/// The type a downcast looks for.
pub(crate) struct Target {
    pub(crate) id: TypeId,
}

impl Target {
    pub(crate) fn of<E: 'static>() -> Target {
        Target {
            id: TypeId::of::<E>(),
        }
    }

    pub(crate) fn is<T: 'static>(&self) -> bool {
        self.id == TypeId::of::<T>()
    }
}

/// The concrete content of a boxed error.
///
/// # Safety
///
/// Implementors promise that `find` only ever returns `Here(p)` where `p`
/// points to a live value of exactly the type `target.id` names, inside
/// `this` or inside memory `this` owns and keeps at a fixed address, and that
/// `drop_rest` drops exactly everything else `this` owns.
pub(crate) unsafe trait Payload: StdError + Send + Sync + Sized + 'static {
    /// Where a value of the target type is.
    ///
    /// # Safety
    ///
    /// `this` points to a live payload; the returned pointers have the
    /// permissions `this` had.
    unsafe fn find(this: NonNull<Self>, target: &Target) -> Lookup;

    /// Drops what the payload owns except the value `find` located for
    /// `target`, which the caller has already moved out.
    ///
    /// # Safety
    ///
    /// `find(this, target)` returned `Here` or `Inner` (and, for `Inner`, the
    /// search below found the value), and the value was moved out.
    unsafe fn drop_rest(this: NonNull<Self>, target: &Target);

    /// The error this layer wraps, if it is one of ours.
    #[cfg(feature = "backtrace")]
    fn inner_error(&self) -> Option<&Error> {
        None
    }

    /// How many bytes follow the `ErrorImpl<Self>` in its allocation.
    fn trailing_bytes(&self) -> usize {
        0
    }

    /// Whether `Box<ErrorImpl<Self>>` may take over the allocation
    /// (false when there are trailing bytes the box would not free).
    const BOXABLE_IN_PLACE: bool = true;
}

/// Hands a boxed error's allocation over to a standard box.
pub(crate) type IntoBox = unsafe fn(NonNull<Header>) -> Box<dyn StdError + Send + Sync>;

/// The functions of one payload type, reached through the header.
pub(crate) struct VTable {
    pub(crate) object: unsafe fn(NonNull<Header>) -> NonNull<dyn StdError + Send + Sync>,
    pub(crate) find: unsafe fn(NonNull<Header>, &Target) -> Lookup,
    pub(crate) drop_rest: unsafe fn(NonNull<Header>, &Target),
    pub(crate) drop: unsafe fn(NonNull<Header>),
    #[cfg(feature = "backtrace")]
    pub(crate) inner_error: unsafe fn(NonNull<Header>) -> Option<NonNull<Error>>,
    /// `None` when the allocation cannot become a `Box` as it is.
    pub(crate) into_box: Option<IntoBox>,
}

impl<P: Payload> ErrorImpl<P> {
    pub(crate) const VTABLE: &'static VTable = &VTable {
        object: object::<P>,
        find: find::<P>,
        drop_rest: drop_rest::<P>,
        drop: drop::<P>,
        #[cfg(feature = "backtrace")]
        inner_error: inner_error::<P>,
        into_box: if P::BOXABLE_IN_PLACE {
            Some(into_box::<P>)
        } else {
            None
        },
    };

    /// The layout of the whole allocation.
    fn layout(payload: &P) -> Layout {
        allocation_layout::<P>(payload.trailing_bytes())
            .expect("layout was computed when the allocation was made")
    }
}

/// Layout of an `ErrorImpl<P>` followed by `trailing` bytes; `None` on
/// arithmetic overflow.
pub(crate) fn allocation_layout<P>(trailing: usize) -> Option<Layout> {
    let (layout, _) = Layout::new::<ErrorImpl<P>>()
        .extend(Layout::array::<u8>(trailing).ok()?)
        .ok()?;
    Some(layout.pad_to_align())
}

/// Allocates `layout` (never zero-sized: the header is in it) through the
/// global allocator without aborting on failure.
pub(crate) fn try_alloc(layout: Layout) -> Result<NonNull<u8>, OutOfMemory> {
    debug_assert!(layout.size() > 0);
    // SAFETY: the layout is non-zero-sized, the only requirement of `alloc`.
    let raw = unsafe { std_alloc::alloc::alloc(layout) };
    NonNull::new(raw).ok_or(OutOfMemory::new(layout.size()))
}

/// Moves `payload` into a new allocation with its header. On failure the
/// payload is dropped and the failed request is returned.
pub(crate) fn box_payload<P: Payload>(payload: P) -> Result<NonNull<Header>, OutOfMemory> {
    let layout = Layout::new::<ErrorImpl<P>>();
    let raw = try_alloc(layout)?.cast::<ErrorImpl<P>>();
    let value = ErrorImpl {
        header: Header {
            vtable: ErrorImpl::<P>::VTABLE,
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
    // SAFETY: the vtable of an `ErrorImpl<P>` is only ever `ErrorImpl::<P>::VTABLE`.
    let payload: NonNull<P> = unsafe { payload_ptr(header) };
    payload
}

unsafe fn find<P: Payload>(header: NonNull<Header>, target: &Target) -> Lookup {
    // SAFETY: header heads an `ErrorImpl<P>` (vtable invariant); the
    // payload is live while its error is.
    unsafe { P::find(payload_ptr(header), target) }
}

#[cfg(feature = "backtrace")]
unsafe fn inner_error<P: Payload>(header: NonNull<Header>) -> Option<NonNull<Error>> {
    // SAFETY: header heads a live `ErrorImpl<P>` (vtable invariant).
    let payload = unsafe { payload_ptr::<P>(header).as_ref() };
    payload.inner_error().map(NonNull::from)
}

unsafe fn drop_rest<P: Payload>(header: NonNull<Header>, target: &Target) {
    let whole = header.cast::<ErrorImpl<P>>();
    // SAFETY: the caller moved the target out as `Payload::drop_rest`
    // requires; the layout is read before anything is dropped.
    unsafe {
        let layout = ErrorImpl::<P>::layout(&(*whole.as_ptr()).payload);
        P::drop_rest(payload_ptr(header), target);
        drop_header_and_free(header, layout);
    }
}

unsafe fn drop<P: Payload>(header: NonNull<Header>) {
    let whole = header.cast::<ErrorImpl<P>>();
    // SAFETY: the error owning this allocation is being dropped, so the
    // payload is live and nothing else refers to it.
    unsafe {
        let layout = ErrorImpl::<P>::layout(&(*whole.as_ptr()).payload);
        ptr::drop_in_place(payload_ptr::<P>(header).as_ptr());
        drop_header_and_free(header, layout);
    }
}

/// # Safety
///
/// The payload is gone; `header` is live and was allocated with `layout`.
unsafe fn drop_header_and_free(header: NonNull<Header>, layout: Layout) {
    // SAFETY: per the caller; the header is dropped once, then its memory freed.
    unsafe {
        ptr::drop_in_place(header.as_ptr());
        std_alloc::alloc::dealloc(header.as_ptr().cast(), layout);
    }
}

unsafe fn into_box<P: Payload>(header: NonNull<Header>) -> Box<dyn StdError + Send + Sync> {
    // SAFETY: only in the vtable of payloads with no trailing bytes, whose
    // allocation has exactly the layout of `ErrorImpl<P>` from the global
    // allocator, as a `Box<ErrorImpl<P>>` requires.
    unsafe { Box::from_raw(header.cast::<ErrorImpl<P>>().as_ptr()) }
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
        error_fmt::debug(&self.payload, self.backtrace(), f)
    }
}

impl<P: Payload> ErrorImpl<P> {
    #[cfg(feature = "backtrace")]
    fn backtrace(&self) -> Option<&Backtrace> {
        match &self.header.backtrace {
            Some(backtrace) => Some(backtrace),
            None => self.payload.inner_error().map(Error::backtrace),
        }
    }

    #[cfg(not(feature = "backtrace"))]
    fn backtrace(&self) -> Option<&super::backtrace::Backtrace> {
        None
    }
}
