//! The one word an [`Error`](super::Error) is made of.
//!
//! The low two bits tell the three cases apart:
//!
//! | low bits | case | the rest of the word |
//! |---|---|---|
//! | `..1` | out of memory | the requested size (see `OutOfMemory::packed`) |
//! | `.10` | static message | address of a `'static` [`StaticMessage`] |
//! | `.00` | boxed | address of an allocation headed by a [`Header`] |
//!
//! Both pointed-to types are aligned to at least 4, which keeps those bits
//! free; the asserts below hold every target to that.

use super::static_msg::StaticMessage;
use super::vtable::Header;
use crate::OutOfMemory;
use core::mem::{align_of, size_of};
use core::ptr::{self, NonNull};

const TAG_MASK: usize = 0b11;
const STATIC_TAG: usize = 0b10;

const _: () = assert!(align_of::<Header>() >= 4);
const _: () = assert!(align_of::<StaticMessage>() >= 4);
const _: () = assert!(size_of::<OutOfMemory>() == size_of::<Repr>());

/// The tagged word. Owns the allocation in the boxed case; dropping is
/// done by `Error`, which knows the vtable.
#[repr(transparent)]
pub(crate) struct Repr(NonNull<()>);

/// A decoded [`Repr`].
pub(crate) enum Decoded {
    Oom(OutOfMemory),
    Static(&'static StaticMessage),
    Boxed(NonNull<Header>),
}

impl Repr {
    #[inline]
    pub(crate) const fn oom(oom: OutOfMemory) -> Repr {
        // SAFETY: the packed word has its low bit set, so it is not zero.
        // It carries no provenance and is never dereferenced.
        Repr(unsafe { NonNull::new_unchecked(ptr::without_provenance_mut(oom.packed())) })
    }

    #[inline]
    pub(crate) fn from_static(message: &'static StaticMessage) -> Repr {
        Repr(
            NonNull::from(message)
                .cast::<()>()
                .map_addr(|addr| addr | STATIC_TAG),
        )
    }

    #[inline]
    pub(crate) fn boxed(header: NonNull<Header>) -> Repr {
        debug_assert_eq!(header.addr().get() & TAG_MASK, 0);
        Repr(header.cast())
    }

    /// The header of a boxed word, `None` for the other two cases.
    #[inline(always)]
    pub(crate) fn boxed_header(&self) -> Option<NonNull<Header>> {
        (self.0.addr().get() & TAG_MASK == 0).then_some(self.0.cast())
    }

    /// The header of a word known to be boxed.
    ///
    /// # Safety
    ///
    /// The word is boxed.
    #[inline(always)]
    pub(crate) unsafe fn boxed_header_unchecked(&self) -> NonNull<Header> {
        debug_assert_eq!(self.0.addr().get() & TAG_MASK, 0);
        self.0.cast()
    }

    #[inline(always)]
    pub(crate) fn decode(&self) -> Decoded {
        let addr = self.0.addr().get();
        if addr & TAG_MASK == 0 {
            Decoded::Boxed(self.0.cast())
        } else if addr & 1 == 1 {
            Decoded::Oom(OutOfMemory::from_packed(addr))
        } else {
            debug_assert_eq!(addr & TAG_MASK, STATIC_TAG);
            let untagged = self.0.map_addr(|a| {
                // SAFETY: clearing the tag leaves the address of the static,
                // which is not null.
                unsafe { core::num::NonZeroUsize::new_unchecked(a.get() & !TAG_MASK) }
            });
            // SAFETY: a static tag is only ever put on the address of a
            // `&'static StaticMessage` (`from_static`), whose provenance
            // the word kept.
            Decoded::Static(unsafe { untagged.cast::<StaticMessage>().as_ref() })
        }
    }
}
