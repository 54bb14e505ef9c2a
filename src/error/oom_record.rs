//! Context kept on an out-of-memory error, without allocating: the
//! [`Record`] an out-of-memory error claims from the static table
//! (`record_table.rs`) when context is added to it, and how its layers show
//! in the formats and the chain.
//!
//! A record holds the `OutOfMemory` and up to [`KEPT`] layers, innermost
//! first. A layer is a context that needs no memory to keep: a
//! `&'static str`, or an `Error` that is a static message (what
//! `format_err!("literal")` makes), with where it was added (feature
//! `location`). Any other context (a `String`, a `format_context!`, a
//! user's type, a `with_context` closure, which is not called) is dropped
//! and counted: consecutive dropped layers share one placeholder layer that
//! says how many there were. Once [`KEPT`] layers are kept, every further
//! layer is dropped into one last placeholder.
//!
//! Each layer is a `dyn Error` in the chain whose source is the layer under
//! it, the last one's the record's `OutOfMemory`; its `Display` is its text,
//! its `Debug` that of a boxed context layer (`Error { context: "..",
//! source: .. }`), so every format prints what the same error with boxed
//! layers prints. A layer finds the ones under it from its own address in
//! the table, and reaches them through the table's pointer, never through
//! a reference to itself or to a layer above it.

use super::fmt::Quoted;
use super::location::Site;
use super::record_table;
use super::repr::{Decoded, Repr};
use super::{Error, fmt as error_fmt};
use crate::OutOfMemory;
use core::any::Any;
use core::error::Error as StdError;
use core::fmt::{self, Debug, Display};
use core::mem::size_of;
use core::ptr::NonNull;

/// How many layers a record keeps.
const KEPT: usize = 8;

/// The kept layers, and one more that can only count dropped layers.
const ENTRIES: usize = KEPT + 1;

/// What an out-of-memory error keeps of its context layers.
#[repr(C, align(8))]
pub(crate) struct Record {
    /// The failure; `downcast_ref::<OutOfMemory>()` points here.
    oom: OutOfMemory,
    /// How many of `entries` are in use, never 0 once the record is
    /// claimed. Entry `KEPT` is only ever a placeholder for dropped layers.
    len: usize,
    /// Innermost first.
    entries: [Layer; ENTRIES],
}

/// One layer of a record, and the `dyn Error` the chain shows for it.
pub(crate) struct Layer {
    what: What,
    /// Zero-sized, and so never read, without the feature `location`.
    #[cfg_attr(not(feature = "location"), allow(dead_code))]
    site: Site,
}

/// The text of a layer.
#[derive(Clone, Copy)]
pub(crate) enum What {
    /// A context kept as it is.
    Kept(&'static str),
    /// This many contexts, added one after the other, that could not be
    /// kept.
    Dropped(u32),
}

const _: () = assert!(size_of::<What>() == size_of::<&str>());

impl What {
    /// What a context becomes on an out-of-memory error. One test per
    /// `TypeId`, constant for a given `C`.
    #[inline]
    pub(crate) fn of<C: 'static>(context: &C) -> What {
        let context: &dyn Any = context;
        if let Some(text) = context.downcast_ref::<&'static str>() {
            return What::Kept(text);
        }
        if let Some(error) = context.downcast_ref::<Error>()
            && let Decoded::Static(message) = error.repr.decode()
        {
            return What::Kept(message.message_ref());
        }
        What::DROPPED
    }

    /// A context that was not kept: a `with_context` closure, not called.
    pub(crate) const DROPPED: What = What::Dropped(1);
}

impl Display for What {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            What::Kept(text) => Display::fmt(text, f),
            What::Dropped(1) => f.write_str("(1 context layer dropped for lack of memory)"),
            What::Dropped(n) => write!(f, "({n} context layers dropped for lack of memory)"),
        }
    }
}

impl Layer {
    const EMPTY: Layer = Layer {
        what: What::Kept(""),
        site: Site::NONE,
    };

    #[cfg(feature = "location")]
    pub(crate) fn site(&self) -> Site {
        self.site
    }

    /// The record this layer is in, and the layers under it there.
    fn below(&self) -> Below<'_> {
        let addr = (self as *const Layer).addr();
        let record = record_table::record_containing(addr);
        // SAFETY: only the address of the field is computed.
        let first = unsafe { &raw const (*record.as_ptr()).entries }.addr();
        Below {
            record,
            len: (addr - first) / size_of::<Layer>(),
            _layer: core::marker::PhantomData,
        }
    }
}

impl Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.what, f)
    }
}

/// What a boxed context layer prints: its context quoted, then the error
/// under it, in the same mode.
impl Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("context", &Quoted(&self.what))
            .field("source", &self.below())
            .finish()
    }
}

impl StdError for Layer {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.below().error())
    }
}

/// The layers of a record under one of them, and its `OutOfMemory`: as an
/// error, what the inner `Error` of a boxed context layer would be.
struct Below<'a> {
    record: NonNull<Record>,
    len: usize,
    _layer: core::marker::PhantomData<&'a Layer>,
}

impl<'a> Below<'a> {
    /// The layers, innermost first.
    fn layers(&self) -> &'a [Layer] {
        // SAFETY: the layer this was made from is live in a claimed record,
        // borrowed for 'a; the `len` layers under it are in use and are not
        // written while it is borrowed. The slice does not cover the layer
        // itself, nor anything above it.
        unsafe { Record::first_layers(self.record, self.len) }
    }

    /// The outermost error under the layer.
    fn error(&self) -> &'a (dyn StdError + 'static) {
        match self.layers().last() {
            Some(layer) => layer,
            // SAFETY: as in `layers`; the failure is not written either.
            None => unsafe { &(*self.record.as_ptr()).oom },
        }
    }
}

impl Debug for Below<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        error_fmt::debug(
            self.error(),
            #[cfg(feature = "location")]
            super::location::Sites::of_layers(self.layers()),
            None,
            f,
        )
    }
}

impl Record {
    pub(crate) const EMPTY: Record = Record {
        oom: OutOfMemory::new(0),
        len: 0,
        entries: [Layer::EMPTY; ENTRIES],
    };

    /// Adds a layer made at `site` on top.
    fn push(&mut self, what: What, site: Site) {
        if let What::Kept(_) = what
            && self.len < KEPT
        {
            self.entries[self.len] = Layer { what, site };
            self.len += 1;
            return;
        }
        let added = match what {
            What::Kept(_) => 1,
            What::Dropped(n) => n,
        };
        // Next to a placeholder, join it; the last entry is always one.
        if let Some(Layer {
            what: What::Dropped(count),
            ..
        }) = self.entries[..self.len].last_mut()
        {
            *count = count.saturating_add(added);
            return;
        }
        self.entries[self.len] = Layer {
            what: What::Dropped(added),
            site,
        };
        self.len += 1;
    }

    /// The layers in use, innermost first.
    ///
    /// # Safety
    ///
    /// `record` is claimed by an error borrowed for 'a.
    pub(crate) unsafe fn layers<'a>(record: NonNull<Record>) -> &'a [Layer] {
        // SAFETY: per the caller, the record is live and its first `len`
        // entries are in use; none is written while the error is borrowed.
        unsafe { Self::first_layers(record, (*record.as_ptr()).len) }
    }

    /// The first `len` entries of `record`, innermost first.
    ///
    /// # Safety
    ///
    /// `record` is live for 'a, its first `len` entries are in use, and
    /// none of them is written during 'a.
    #[inline(always)]
    unsafe fn first_layers<'a>(record: NonNull<Record>, len: usize) -> &'a [Layer] {
        // SAFETY: per the caller; `entries` has `ENTRIES` layers and a
        // record never uses more.
        unsafe {
            let first = (&raw const (*record.as_ptr()).entries).cast::<Layer>();
            core::slice::from_raw_parts(first, len)
        }
    }

    /// The outermost layer: what the error shows first.
    ///
    /// # Safety
    ///
    /// As for [`layers`](Record::layers).
    pub(crate) unsafe fn top<'a>(record: NonNull<Record>) -> &'a Layer {
        // SAFETY: per the caller.
        let layers = unsafe { Record::layers(record) };
        layers.last().expect("a claimed record has a layer")
    }

    /// The outermost layer, to be changed.
    ///
    /// # Safety
    ///
    /// `record` is claimed by an error uniquely borrowed for 'a.
    pub(crate) unsafe fn top_mut<'a>(record: NonNull<Record>) -> &'a mut Layer {
        // SAFETY: per the caller, nothing else reads or writes the record;
        // a claimed record has a layer, and `len` is in bounds.
        unsafe {
            let record = record.as_ptr();
            let first = (&raw mut (*record).entries).cast::<Layer>();
            &mut *first.add((*record).len - 1)
        }
    }

    /// The failure, with the permissions `record` has.
    pub(crate) fn oom(record: NonNull<Record>) -> NonNull<OutOfMemory> {
        // SAFETY: the projection stays inside the record and keeps the
        // pointer's provenance; nothing is read.
        unsafe { NonNull::new_unchecked(&raw mut (*record.as_ptr()).oom) }
    }
}

impl Error {
    /// Adds a layer to this out-of-memory error without allocating: into
    /// its record, or into one claimed now; a plain out-of-memory error
    /// stays as it is when every record is taken.
    #[cold]
    #[inline(never)]
    pub(crate) fn keep_context(self, what: What, site: Site) -> Error {
        let record = match self.repr.decode() {
            Decoded::Record(record) => record,
            Decoded::Oom(oom) => {
                let Some(record) = record_table::claim() else {
                    return self;
                };
                // SAFETY: just claimed: owned here, and no error refers to it.
                let fresh = unsafe { &mut *record.as_ptr() };
                fresh.oom = oom;
                fresh.len = 0;
                record
            }
            Decoded::Static(_) | Decoded::Boxed(_) => {
                unreachable!("context is kept only on out-of-memory errors")
            }
        };
        // The claim passes to the error returned.
        core::mem::forget(self);
        // SAFETY: the error owned the record and was held by value: no
        // borrow of it, and so none of the record, is live.
        unsafe { (*record.as_ptr()).push(what, site) };
        Error {
            repr: Repr::record(record),
        }
    }

    /// How many context layers added to this error it does not show, as far
    /// as it can tell.
    ///
    /// An out-of-memory error keeps each `&'static str` context added to it
    /// (and each `format_err!("literal")` given as a context), up to 8
    /// layers, in a record it takes from a table of 64 records in static
    /// memory; it shows any other context, which would need memory to keep,
    /// as a layer that says how many contexts were dropped there (see
    /// [Context on out-of-memory
    /// errors](Error#context-on-out-of-memory-errors)). This counts those.
    ///
    /// A plain out-of-memory error, without a record, returns `None`: either
    /// no context was added to it, or every record was in use when it was,
    /// and then it could not be counted either. The layers added while
    /// every record was in use are not counted by a record the error takes
    /// later either. Every other error returns `Some(0)`: it keeps its
    /// layers on the heap (when one cannot be allocated, the result is an
    /// out-of-memory error).
    ///
    /// Does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Context, Error, OutOfMemory, format_context};
    ///
    /// let failure = || Err::<(), _>(OutOfMemory::new(4096));
    /// assert_eq!(failure().context("reading the body").unwrap_err().dropped_contexts(), Some(0));
    ///
    /// let id = 7;
    /// let error = failure()
    ///     .with_context(|| format_context!("handling request {id}"))
    ///     .context("serving")
    ///     .unwrap_err();
    /// assert_eq!(error.dropped_contexts(), Some(1));
    /// assert_eq!(
    ///     format!("{error:#}"),
    ///     "serving: (1 context layer dropped for lack of memory): \
    ///      out of memory (failed to allocate 4096 bytes)",
    /// );
    ///
    /// assert_eq!(Error::from(OutOfMemory::new(8)).dropped_contexts(), None);
    /// assert_eq!(Error::msg("text").dropped_contexts(), Some(0));
    /// ```
    pub fn dropped_contexts(&self) -> Option<usize> {
        match self.repr.decode() {
            Decoded::Oom(_) => None,
            // SAFETY: the record is claimed by `self`, borrowed here.
            Decoded::Record(record) => Some(
                unsafe { Record::layers(record) }
                    .iter()
                    .map(|layer| match layer.what {
                        What::Kept(_) => 0,
                        What::Dropped(n) => n as usize,
                    })
                    .sum(),
            ),
            Decoded::Static(_) | Decoded::Boxed(_) => Some(0),
        }
    }
}

/// Gives the record of an error being dropped back to the table, if its
/// word is a record word (the caller has only looked at one bit of it).
///
/// # Safety
///
/// `word` is the word of an error that is being dropped.
#[cold]
#[inline(never)]
pub(crate) unsafe fn release_if_record(word: NonNull<()>) {
    if let Some(record) = Repr::record_of(word) {
        // SAFETY: per the caller, the error owned the record and is gone.
        unsafe { record_table::release(record) };
    }
}

/// An `anyhow::Error` with the same layers: the `OutOfMemory`, then each
/// layer as an anyhow context layer (whose `Display` is the layer's), so
/// that the formats and the chain carry over. The record is released.
///
/// # Safety
///
/// `record` is the record of an error that was taken apart
/// (`Error::into_decoded`): the caller owns the claim, and passes it on.
#[cfg(feature = "anyhow")]
pub(crate) unsafe fn into_anyhow(record: NonNull<Record>) -> ::anyhow::Error {
    // SAFETY: per the caller, the record is claimed and nothing else uses it.
    let (layers, oom) = unsafe { (Record::layers(record), *Record::oom(record).as_ref()) };
    let mut converted = ::anyhow::Error::new(oom);
    for layer in layers {
        converted = converted.context(layer.what);
    }
    // SAFETY: owned here (per the caller), not used afterwards.
    unsafe { record_table::release(record) };
    converted
}
