//! The one word an [`Error`](super::Error) is made of.
//!
//! The low bits tell the four cases apart:
//!
//! | low bits | case | the rest of the word |
//! |---|---|---|
//! | `..1` | out of memory | the requested size (see `OutOfMemory::packed`) |
//! | `.10` | static message | address of a `'static` [`StaticMessage`] |
//! | `000` | boxed | address of an allocation headed by a [`Header`] |
//! | `100` | out of memory, with context kept | address of a [`Record`] in the static table |
//!
//! A [`StaticMessage`] is aligned to at least 4, a [`Header`] and a
//! [`Record`] to at least 8, which keeps those bits free; the asserts below
//! hold every target to that. The boxed case, the one every `?` and
//! `context` of a working program takes, is told by one test of the three
//! low bits. The two cases that own something (boxed and record) share
//! `.00`, so dropping a static message or an out-of-memory word, the
//! errors a program makes most often without allocating, is one test too;
//! telling a box from a record costs the boxed drop one test more.

use super::oom_record::Record;
use super::static_msg::StaticMessage;
use super::vtable::Header;
use crate::OutOfMemory;
use core::mem::{align_of, size_of};
use core::num::NonZeroUsize;
use core::ptr::{self, NonNull};

/// The bits that tell the owning cases (boxed, record) from the others.
const OWNING_MASK: usize = 0b11;
/// The bits that tell every case apart.
const TAG_MASK: usize = 0b111;
const STATIC_TAG: usize = 0b10;
const RECORD_TAG: usize = 0b100;

const _: () = assert!(align_of::<Header>() >= 8);
const _: () = assert!(align_of::<StaticMessage>() >= 4);
const _: () = assert!(align_of::<Record>() >= 8);
const _: () = assert!(size_of::<OutOfMemory>() == size_of::<Repr>());

/// The tagged word. Owns the allocation in the boxed case and the claim on
/// the record in the record case; dropping is done by `Error`, which knows
/// the vtable and the table.
#[repr(transparent)]
pub(crate) struct Repr(NonNull<()>);

/// A decoded [`Repr`].
pub(crate) enum Decoded {
    Oom(OutOfMemory),
    Static(&'static StaticMessage),
    /// A record claimed by the error: live, and written by nobody, as long
    /// as the error is borrowed.
    Record(NonNull<Record>),
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

    /// The word of an error that owns the claim on `record`.
    #[inline]
    pub(crate) fn record(record: NonNull<Record>) -> Repr {
        debug_assert_eq!(record.addr().get() & TAG_MASK, 0);
        Repr(record.cast::<()>().map_addr(|addr| addr | RECORD_TAG))
    }

    #[inline]
    pub(crate) fn boxed(header: NonNull<Header>) -> Repr {
        debug_assert_eq!(header.addr().get() & TAG_MASK, 0);
        Repr(header.cast())
    }

    /// The header of a boxed word, `None` for the other cases.
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

    /// The word itself, for a function that looks at it without taking the
    /// error: passed by value, the error can stay in registers.
    #[inline(always)]
    pub(crate) fn word(&self) -> NonNull<()> {
        self.0
    }

    /// The record of a record `word`, `None` for the other cases.
    #[inline(always)]
    pub(crate) fn record_of(word: NonNull<()>) -> Option<NonNull<Record>> {
        (word.addr().get() & TAG_MASK == RECORD_TAG).then(|| Repr(word).untagged(TAG_MASK).cast())
    }

    /// Whether the word owns something to release: a box or a record.
    #[inline(always)]
    pub(crate) fn is_owning(&self) -> bool {
        self.0.addr().get() & OWNING_MASK == 0
    }

    /// Out of memory, with or without a record.
    #[inline(always)]
    pub(crate) fn is_out_of_memory(&self) -> bool {
        let addr = self.0.addr().get();
        addr & 1 == 1 || addr & TAG_MASK == RECORD_TAG
    }

    /// The pointer of a static or record word, without the tag bits of
    /// `mask`.
    #[inline(always)]
    fn untagged(&self, mask: usize) -> NonNull<()> {
        self.0.map_addr(|a| {
            // SAFETY: clearing the tag leaves the address of a static or of
            // a record, neither of which is null.
            unsafe { NonZeroUsize::new_unchecked(a.get() & !mask) }
        })
    }

    #[inline(always)]
    pub(crate) fn decode(&self) -> Decoded {
        let addr = self.0.addr().get();
        if addr & TAG_MASK == 0 {
            Decoded::Boxed(self.0.cast())
        } else if addr & 1 == 1 {
            Decoded::Oom(OutOfMemory::from_packed(addr))
        } else if addr & OWNING_MASK == STATIC_TAG {
            // SAFETY: a static tag is only ever put on the address of a
            // `&'static StaticMessage` (`from_static`), whose provenance
            // the word kept.
            Decoded::Static(unsafe { self.untagged(OWNING_MASK).cast::<StaticMessage>().as_ref() })
        } else {
            debug_assert_eq!(addr & TAG_MASK, RECORD_TAG);
            Decoded::Record(self.untagged(TAG_MASK).cast())
        }
    }
}
