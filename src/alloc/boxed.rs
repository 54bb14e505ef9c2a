//! Boxes made without aborting: [`try_new_box`], [`try_new_boxed_str`], and
//! boxed slices filled from iterators under Wasmtime's names
//! ([`new_boxed_slice_from_iter`], [`new_boxed_slice_from_iter_with_len`],
//! [`new_boxed_slice_from_fallible_iter`], [`new_uninit_boxed_slice`] with
//! [`boxed_slice_write_iter`]), which [`alloc`](super) re-exports.
//!
//! These are functions rather than `Box::try_new`-style associated
//! functions because std has an unstable inherent `Box::try_new`, which a
//! trait method of that name would collide with.

use core::alloc::Layout;
use core::convert::Infallible;
use core::fmt;
use core::mem::{self, MaybeUninit};
use core::ptr;
use std_alloc::boxed::Box;

use allocator_api2::alloc::{Allocator, Global};

use super::{TryVec, array_oom, fallible};
use crate::OutOfMemory;

/// `Box::new(value)`, fallible. On failure `value` is dropped.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::boxed::try_new_box;
///
/// let boxed: Box<[u64; 8]> = try_new_box([7; 8])?;
/// assert_eq!(boxed[3], 7);
/// # wasmtime_error::Ok(())
/// ```
pub fn try_new_box<T>(value: T) -> Result<Box<T>, OutOfMemory> {
    let layout = Layout::new::<T>();
    let ptr = fallible(|| Global.allocate(layout))
        .map_err(|_| OutOfMemory::new(layout.size()))?
        .cast::<T>();
    // SAFETY: `ptr` is valid for a write of one `T` (freshly allocated with
    // its layout, or dangling and aligned when `T` is zero-sized). `Global`
    // allocates from the global allocator, which is where `Box` frees from.
    unsafe {
        ptr.as_ptr().write(value);
        Ok(Box::from_raw(ptr.as_ptr()))
    }
}

/// A boxed slice of the items of an iterator whose length is known up
/// front: one allocation of exactly that length. An iterator that lies
/// about its length still gives a correct box (grown, then shrunk).
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::boxed::try_new_boxed_slice;
///
/// let squares: Box<[u32]> = try_new_boxed_slice((1..5u32).map(|n| n * n))?;
/// assert_eq!(&*squares, &[1, 4, 9, 16]);
/// # wasmtime_error::Ok(())
/// ```
pub fn try_new_boxed_slice<T, I>(items: I) -> Result<Box<[T]>, OutOfMemory>
where
    I: IntoIterator<Item = T>,
    I::IntoIter: ExactSizeIterator,
{
    new_boxed_slice_from_iter(items)
}

/// A `Box<str>` holding a copy of `s`.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::boxed::try_new_boxed_str;
///
/// let name: Box<str> = try_new_boxed_str("wasm")?;
/// assert_eq!(&*name, "wasm");
/// # wasmtime_error::Ok(())
/// ```
pub fn try_new_boxed_str(s: &str) -> Result<Box<str>, OutOfMemory> {
    let bytes = try_new_boxed_slice(s.bytes())?;
    // SAFETY: the bytes are a copy of a `str`, so valid UTF-8.
    Ok(unsafe { std_alloc::str::from_boxed_utf8_unchecked(bytes) })
}

/// A boxed slice of `len` uninitialised slots, in one allocation of exactly
/// that size (none for a zero-sized `T` or `len == 0`). Fill it with
/// [`boxed_slice_write_iter`].
///
/// A length whose byte size overflows is `Err(OutOfMemory)`, not a panic.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{boxed_slice_write_iter, new_uninit_boxed_slice};
///
/// let slots = new_uninit_boxed_slice::<u16>(3)?;
/// assert_eq!(slots.len(), 3);
/// let filled = boxed_slice_write_iter(slots, [7, 8, 9]).unwrap();
/// assert_eq!(*filled, [7, 8, 9]);
///
/// assert!(new_uninit_boxed_slice::<u16>(usize::MAX).is_err());
/// # wasmtime_error::Ok(())
/// ```
pub fn new_uninit_boxed_slice<T>(len: usize) -> Result<Box<[MaybeUninit<T>]>, OutOfMemory> {
    let layout = Layout::array::<T>(len).map_err(|_| array_oom(len, mem::size_of::<T>()))?;
    let block = fallible(|| Global.allocate(layout))
        .map_err(|_| OutOfMemory::new(layout.size()))?
        .cast::<MaybeUninit<T>>();
    let slots = ptr::slice_from_raw_parts_mut(block.as_ptr(), len);
    // SAFETY: `block` holds `Layout::array::<T>(len)` from the global
    // allocator (or is dangling and aligned when that layout has size 0),
    // which is the block a `Box<[MaybeUninit<T>]>` of length `len` frees;
    // `MaybeUninit` slots need no initialisation.
    Ok(unsafe { Box::from_raw(slots) })
}

/// Fills `slots` with the first `slots.len()` items of `items`; the rest of
/// the iterator is dropped without being polled further.
///
/// When the iterator runs out first, the items written so far are dropped,
/// the box is freed and the result is [`TooFewItems`]. A panic in the
/// iterator does the same on its way out: nothing leaks, nothing is dropped
/// twice. Allocates nothing.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TooFewItems, boxed_slice_write_iter, new_uninit_boxed_slice};
///
/// let filled = boxed_slice_write_iter(new_uninit_boxed_slice(2)?, 1..)?;
/// assert_eq!(*filled, [1, 2]);
///
/// let short = boxed_slice_write_iter(new_uninit_boxed_slice(3)?, [1, 2]);
/// assert!(matches!(short, Err(TooFewItems { .. })));
/// # wasmtime_error::Ok(())
/// ```
pub fn boxed_slice_write_iter<T>(
    slots: Box<[MaybeUninit<T>]>,
    items: impl IntoIterator<Item = T>,
) -> Result<Box<[T]>, TooFewItems> {
    let mut filling = Filling { slots, written: 0 };
    let len = filling.slots.len();
    for item in items.into_iter().take(len) {
        filling.slots[filling.written].write(item);
        filling.written += 1;
    }
    if filling.written < len {
        return Err(TooFewItems);
    }
    Ok(filling.finish())
}

/// A boxed slice whose first `written` slots hold values. Dropping it drops
/// those values and frees the box, so that an iterator that panics or runs
/// short part way through a fill leaks nothing.
struct Filling<T> {
    slots: Box<[MaybeUninit<T>]>,
    written: usize,
}

impl<T> Filling<T> {
    /// The slice, once every slot is written.
    fn finish(mut self) -> Box<[T]> {
        assert_eq!(self.written, self.slots.len(), "every slot is written");
        // The values now belong to the returned box: `drop` must leave them.
        self.written = 0;
        let slots = mem::take(&mut self.slots);
        // SAFETY: all `slots.len()` slots were written (asserted above).
        unsafe { slots.assume_init() }
    }
}

impl<T> Drop for Filling<T> {
    fn drop(&mut self) {
        let written = ptr::from_mut(&mut self.slots[..self.written]) as *mut [T];
        // SAFETY: the first `written` slots hold values that nothing else
        // owns (`finish` resets `written` before handing them out), and
        // `MaybeUninit<T>` has the layout of `T`. Dropping a slice in place
        // goes on to the next value when one's destructor panics.
        unsafe { ptr::drop_in_place(written) };
    }
}

/// A boxed slice of the first `len` items of `items`, in one allocation of
/// exactly `len` elements.
///
/// Items past the first `len` stay in the iterator, which is dropped. An
/// iterator that yields fewer gives [`TooFewItemsOrOom::TooFewItems`] (the
/// items it did yield are dropped); a failed allocation, or a `len` whose
/// byte size overflows, gives [`TooFewItemsOrOom::Oom`].
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TooFewItemsOrOom, new_boxed_slice_from_iter_with_len};
///
/// let evens = new_boxed_slice_from_iter_with_len(3, (0..).step_by(2)).unwrap();
/// assert_eq!(*evens, [0, 2, 4]);
///
/// let short = new_boxed_slice_from_iter_with_len(3, [1, 2]);
/// assert!(matches!(short, Err(TooFewItemsOrOom::TooFewItems(_))));
///
/// let huge = new_boxed_slice_from_iter_with_len(usize::MAX, [1u32]);
/// assert!(matches!(huge, Err(TooFewItemsOrOom::Oom(_))));
/// ```
pub fn new_boxed_slice_from_iter_with_len<T>(
    len: usize,
    items: impl IntoIterator<Item = T>,
) -> Result<Box<[T]>, TooFewItemsOrOom> {
    let slots = new_uninit_boxed_slice(len)?;
    Ok(boxed_slice_write_iter(slots, items)?)
}

/// A boxed slice of the values of an iterator of `Result`s, stopping at the
/// first `Err`.
///
/// The first allocation is sized by the iterator's [`size_hint`]: its upper
/// bound, or its lower bound when it has none. Items past it grow the
/// buffer (amortised); a buffer left larger than the items is shrunk to
/// fit. So an exact hint costs one allocation, and an upper bound far above
/// what the iterator yields can fail with `Oom` although the items would
/// fit. On an `Err` item or a failed allocation, the values taken so far
/// are dropped.
///
/// [`size_hint`]: Iterator::size_hint
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{BoxedSliceFromFallibleIterError, new_boxed_slice_from_fallible_iter};
///
/// let parsed = new_boxed_slice_from_fallible_iter("1 2 3".split(' ').map(str::parse::<u8>));
/// assert_eq!(*parsed.unwrap(), [1, 2, 3]);
///
/// let parsed = new_boxed_slice_from_fallible_iter("1 x 3".split(' ').map(str::parse::<u8>));
/// assert!(matches!(parsed, Err(BoxedSliceFromFallibleIterError::IterError(_))));
/// ```
pub fn new_boxed_slice_from_fallible_iter<T, E>(
    items: impl IntoIterator<Item = Result<T, E>>,
) -> Result<Box<[T]>, BoxedSliceFromFallibleIterError<E>> {
    let items = items.into_iter();
    let (lower, upper) = items.size_hint();
    let mut values = TryVec::with_capacity(upper.unwrap_or(lower))?;
    for item in items {
        values.push(item.map_err(BoxedSliceFromFallibleIterError::IterError)?)?;
    }
    Ok(values.into_boxed_slice()?)
}

/// A boxed slice of the items of an iterator, sized as
/// [`new_boxed_slice_from_fallible_iter`] sizes it: one allocation when the
/// iterator's size hint is exact.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::new_boxed_slice_from_iter;
///
/// let squares = new_boxed_slice_from_iter((1..=4u32).map(|n| n * n))?;
/// assert_eq!(*squares, [1, 4, 9, 16]);
/// # wasmtime_error::Ok(())
/// ```
pub fn new_boxed_slice_from_iter<T>(
    items: impl IntoIterator<Item = T>,
) -> Result<Box<[T]>, OutOfMemory> {
    let items = items.into_iter().map(Ok::<T, Infallible>);
    new_boxed_slice_from_fallible_iter(items).map_err(|error| match error {
        BoxedSliceFromFallibleIterError::Oom(oom) => oom,
        BoxedSliceFromFallibleIterError::IterError(never) => match never {},
    })
}

/// The iterator given to [`boxed_slice_write_iter`] ran out before every
/// slot was filled.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TooFewItems, boxed_slice_write_iter, new_uninit_boxed_slice};
/// use wasmtime_error::try_format;
///
/// let error: TooFewItems = boxed_slice_write_iter(new_uninit_boxed_slice(1)?, [0u8; 0])
///     .unwrap_err();
/// assert_eq!(try_format!("{error}")?, "the iterator ended before the boxed slice was full");
/// # wasmtime_error::Ok(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TooFewItems;

impl fmt::Display for TooFewItems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the iterator ended before the boxed slice was full")
    }
}

impl core::error::Error for TooFewItems {}

/// The error of [`new_boxed_slice_from_iter_with_len`]: the iterator ran
/// short, or the allocation failed.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TooFewItemsOrOom, new_boxed_slice_from_iter_with_len};
///
/// match new_boxed_slice_from_iter_with_len(4, "abc".chars()) {
///     Err(TooFewItemsOrOom::TooFewItems(_)) => {}
///     other => panic!("expected too few items, got {other:?}"),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooFewItemsOrOom {
    /// The iterator yielded fewer items than the slice's length.
    TooFewItems(TooFewItems),
    /// The slice could not be allocated.
    Oom(OutOfMemory),
}

impl TooFewItemsOrOom {
    /// The `OutOfMemory` inside.
    ///
    /// # Panics
    ///
    /// When the error is [`TooFewItems`](TooFewItemsOrOom::TooFewItems).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::new_boxed_slice_from_iter_with_len;
    ///
    /// let error = new_boxed_slice_from_iter_with_len(usize::MAX, [0u64]).unwrap_err();
    /// assert_eq!(error.unwrap_oom().requested_allocation_size(), isize::MAX as usize);
    /// ```
    #[track_caller]
    pub fn unwrap_oom(&self) -> OutOfMemory {
        match self {
            TooFewItemsOrOom::Oom(oom) => *oom,
            TooFewItemsOrOom::TooFewItems(_) => {
                panic!("`unwrap_oom` called on a `TooFewItems` error")
            }
        }
    }
}

impl From<TooFewItems> for TooFewItemsOrOom {
    fn from(error: TooFewItems) -> Self {
        TooFewItemsOrOom::TooFewItems(error)
    }
}

impl From<OutOfMemory> for TooFewItemsOrOom {
    fn from(oom: OutOfMemory) -> Self {
        TooFewItemsOrOom::Oom(oom)
    }
}

impl fmt::Display for TooFewItemsOrOom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TooFewItemsOrOom::TooFewItems(_) => {
                f.write_str("the iterator yielded fewer items than the boxed slice holds")
            }
            TooFewItemsOrOom::Oom(_) => f.write_str("the boxed slice could not be allocated"),
        }
    }
}

impl core::error::Error for TooFewItemsOrOom {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            TooFewItemsOrOom::TooFewItems(error) => Some(error),
            TooFewItemsOrOom::Oom(oom) => Some(oom),
        }
    }
}

/// The error of [`new_boxed_slice_from_fallible_iter`]: an item was an
/// `Err`, or an allocation failed.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{BoxedSliceFromFallibleIterError, new_boxed_slice_from_fallible_iter};
///
/// let error = new_boxed_slice_from_fallible_iter([Ok(1), Err("bad"), Ok(3)]).unwrap_err();
/// assert!(matches!(error, BoxedSliceFromFallibleIterError::IterError("bad")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxedSliceFromFallibleIterError<E> {
    /// The first `Err` the iterator yielded.
    IterError(E),
    /// An allocation for the slice failed.
    Oom(OutOfMemory),
}

impl BoxedSliceFromFallibleIterError<OutOfMemory> {
    /// The `OutOfMemory`, whether the iterator yielded it or the slice's
    /// own allocation failed.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::OutOfMemory;
    /// use wasmtime_error::alloc::new_boxed_slice_from_fallible_iter;
    ///
    /// let items = [Ok(1u8), Err(OutOfMemory::new(64))];
    /// let oom = new_boxed_slice_from_fallible_iter(items).unwrap_err().flatten();
    /// assert_eq!(oom.requested_allocation_size(), 64);
    /// ```
    pub fn flatten(self) -> OutOfMemory {
        match self {
            BoxedSliceFromFallibleIterError::IterError(oom)
            | BoxedSliceFromFallibleIterError::Oom(oom) => oom,
        }
    }
}

impl<E> From<OutOfMemory> for BoxedSliceFromFallibleIterError<E> {
    fn from(oom: OutOfMemory) -> Self {
        BoxedSliceFromFallibleIterError::Oom(oom)
    }
}

impl<E> fmt::Display for BoxedSliceFromFallibleIterError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoxedSliceFromFallibleIterError::IterError(_) => {
                f.write_str("the iterator yielded an error")
            }
            BoxedSliceFromFallibleIterError::Oom(_) => {
                f.write_str("the boxed slice could not be allocated")
            }
        }
    }
}

impl<E> core::error::Error for BoxedSliceFromFallibleIterError<E>
where
    E: core::error::Error + 'static,
{
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            BoxedSliceFromFallibleIterError::IterError(error) => Some(error),
            BoxedSliceFromFallibleIterError::Oom(oom) => Some(oom),
        }
    }
}
