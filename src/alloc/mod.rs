//! Fallible allocation: replacements for the collection methods that abort
//! the process when memory runs out.
//!
//! `Vec::push`, `String::push_str`, `Box::new`, `clone()` and `collect()`
//! abort on allocation failure. Everything in this module returns
//! `Result<_, OutOfMemory>` instead, so `?` turns a failed allocation into an
//! ordinary [`Error`](crate::Error). A method that fails leaves its
//! collection as it was before the call.
//!
//! Two ways to adopt it:
//!
//! - **Gradually**, on the std types you already use, through extension
//!   traits: [`VecExt`], [`StringExt`], [`VecDequeExt`], the boxing
//!   functions in [`boxed`], [`TryNew`], [`TryClone`], [`TryToOwned`] and
//!   [`TryCow`], [`TryCollect`] and [`TryExtend`].
//! - **By enforcement**, with collections that have no aborting method at
//!   all: [`TryVec`], [`TryString`], and with the feature `hash-map`
//!   `TryHashMap` and `TryHashSet`. They take an [`Allocator`] from
//!   `allocator-api2` (the version `hashbrown` uses), so one allocator, such
//!   as a [`Budget`], serves all of them. [`try_vec!`](crate::try_vec) is
//!   their `vec!`.
//!
//! Where some code prefers to panic, [`PanicOnOom::panic_on_oom`] says so
//! explicitly.
//!
//! The examples in this module's docs make no call that the crate's
//! no-abort clippy list (`clippy/no-abort/clippy.toml`) flags, unless an
//! `#[allow]` on that line says why it may (`.ci/doc-examples-no-abort`
//! checks it).
//!
//! # Example
//!
//! ```
//! # // Without the feature, this module is private (its docs still run).
//! # #[cfg(feature = "collections")] {
//! use wasmtime_error::Result;
//! use wasmtime_error::alloc::{TryCollect, TryString, TryVec, VecExt};
//!
//! // Enforced: no method of a `TryVec` or `TryString` can abort.
//! fn words(text: &str) -> Result<TryVec<TryString>> {
//!     let mut words = TryVec::new();
//!     for word in text.split_whitespace() {
//!         words.push(TryString::try_from(word)?)?;
//!     }
//!     Ok(words)
//! }
//!
//! let words = words("out of memory")?;
//! assert_eq!(words[2], "memory");
//!
//! // Gradual: a std `Vec`, grown through an extension trait.
//! let mut lengths: Vec<usize> = Vec::new();
//! for word in &words {
//!     lengths.try_push(word.len())?;
//! }
//! assert_eq!(lengths, [3, 2, 6]);
//!
//! let squares: TryVec<u32> = (1..4).map(|n| n * n).try_collect()?;
//! assert_eq!(squares, [1, 4, 9]);
//! # }
//! # wasmtime_error::Ok(())
//! ```

// The collections and tools below are the feature `collections`; without
// it this module is private and holds only what the error itself
// allocates with: the fallible mark and exact-size formatting.
#[cfg(feature = "collections")]
pub mod boxed;
#[cfg(feature = "collections")]
mod budget;
#[cfg(feature = "collections")]
mod ext;
mod format_exact;
#[cfg(feature = "hash-map")]
mod hash_map;
#[cfg(feature = "hash-map")]
mod hash_set;
#[cfg(feature = "limit")]
pub mod limit;
#[cfg(feature = "collections")]
mod panic_on_oom;
#[cfg(feature = "serde")]
mod serde;
#[cfg(feature = "collections")]
mod string;
#[cfg(feature = "collections")]
mod try_clone;
#[cfg(feature = "collections")]
mod try_collect;
#[cfg(feature = "collections")]
mod try_cow;
#[cfg(feature = "collections")]
mod try_format;
#[cfg(feature = "collections")]
mod try_new;
#[cfg(feature = "collections")]
mod try_vec;
#[cfg(feature = "collections")]
mod vec;

#[cfg(feature = "collections")]
pub use allocator_api2::alloc::{AllocError, Allocator, Global};
#[cfg(feature = "collections")]
pub use boxed::{
    BoxedSliceFromFallibleIterError, TooFewItems, TooFewItemsOrOom, boxed_slice_write_iter,
    new_boxed_slice_from_fallible_iter, new_boxed_slice_from_iter,
    new_boxed_slice_from_iter_with_len, new_uninit_boxed_slice,
};
#[cfg(feature = "collections")]
pub use budget::Budget;
#[cfg(feature = "collections")]
pub use ext::{StringExt, VecDequeExt, VecExt};
pub(crate) use format_exact::{Measure, format_string};
#[cfg(feature = "hash-map")]
pub use hash_map::{Entry, OccupiedEntry, TryHashMap, VacantEntry};
#[cfg(feature = "hash-map")]
pub use hash_set::TryHashSet;
#[cfg(feature = "hash-map")]
pub use hashbrown::DefaultHashBuilder;
#[cfg(feature = "collections")]
pub use panic_on_oom::PanicOnOom;
#[cfg(feature = "collections")]
pub use string::TryString;
#[cfg(feature = "collections")]
pub use try_clone::TryClone;
#[cfg(feature = "collections")]
pub use try_collect::{TryCollect, TryExtend, TryFromIterator};
#[cfg(feature = "collections")]
pub use try_cow::{TryCow, TryToOwned};
#[cfg(feature = "collections")]
#[doc(hidden)]
pub use try_format::__try_format;
#[cfg(feature = "collections")]
pub use try_new::{TryNew, try_new};
#[cfg(feature = "collections")]
#[doc(hidden)]
pub use try_vec::{from_array as __try_vec_from_array, from_elem as __try_vec_from_elem};
#[cfg(feature = "collections")]
pub use vec::{IntoIter, TryVec};

#[cfg(feature = "collections")]
use crate::OutOfMemory;

#[cfg(feature = "limit")]
pub(crate) use limit::fallible;

/// Runs the crate's own call into an allocator, which the feature `limit`
/// marks as fallible; without it, just the call.
#[cfg(not(feature = "limit"))]
#[inline(always)]
pub(crate) fn fallible<R>(allocate: impl FnOnce() -> R) -> R {
    allocate()
}

/// The capacity a growable buffer moves to when it needs room for
/// `additional` more elements beyond `len`: at least double the current
/// capacity, so that repeated pushes cost amortised O(1), and never less
/// than a small minimum, so that tiny buffers do not reallocate at every
/// push. `None` when `len + additional` overflows.
///
/// The minimums are the ones std's `Vec` uses, so that a `Vec` grown through
/// [`VecExt`] and a [`TryVec`] grow alike.
#[cfg(feature = "collections")]
#[inline]
pub(crate) fn amortized_capacity(
    capacity: usize,
    len: usize,
    additional: usize,
    element_size: usize,
) -> Option<usize> {
    let required = len.checked_add(additional)?;
    let minimum = if element_size == 1 {
        8
    } else if element_size <= 1024 {
        4
    } else {
        1
    };
    Some(required.max(capacity.saturating_mul(2)).max(minimum))
}

/// The error for a buffer of `capacity` elements of `element_size` bytes:
/// the byte size of the request, saturated when it overflows.
#[cfg(feature = "collections")]
#[inline]
pub(crate) fn array_oom(capacity: usize, element_size: usize) -> OutOfMemory {
    OutOfMemory::new(capacity.saturating_mul(element_size))
}

/// Runs `reserve`, a `hashbrown` reservation of `additional` more items of
/// `item_size` bytes in a table of `len` items whose allocation is
/// `allocation_size` bytes, with the fallible mark only where the table can
/// only grow by allocating before it hashes a key. `hashbrown` rehashes in
/// place (running the keys' `Hash`, which may allocate infallibly, with no
/// allocation of its own) when the new count is at most half of its
/// capacity, which is below its bucket count, which is at most
/// `allocation_size / (item_size + 1)` (each bucket has its item and a
/// control byte). A reservation that might rehash in place is not marked:
/// its growth is charged to a scope as an infallible allocation.
#[cfg(feature = "hash-map")]
#[inline]
pub(crate) fn reserve_table(
    len: usize,
    additional: usize,
    item_size: usize,
    allocation_size: usize,
    reserve: impl FnOnce() -> Result<(), hashbrown::TryReserveError>,
) -> Result<(), OutOfMemory> {
    let buckets_at_most = allocation_size / item_size.saturating_add(1);
    let grows_first = len.saturating_add(additional).saturating_mul(2) >= buckets_at_most;
    let reserved = if grows_first {
        fallible(reserve)
    } else {
        reserve()
    };
    reserved.map_err(hashbrown_oom)
}

/// The error for a `hashbrown` reservation that failed.
#[cfg(feature = "hash-map")]
#[inline]
pub(crate) fn hashbrown_oom(error: hashbrown::TryReserveError) -> OutOfMemory {
    match error {
        hashbrown::TryReserveError::CapacityOverflow => OutOfMemory::new(usize::MAX),
        hashbrown::TryReserveError::AllocError { layout } => OutOfMemory::new(layout.size()),
    }
}
