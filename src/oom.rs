//! [`OutOfMemory`]: the error value that is created, carried, formatted and
//! downcast without allocating.

#[cfg(feature = "collections")]
use allocator_api2::alloc::AllocError;
use core::any::Any;
use core::fmt::{self, Write};
use core::num::NonZeroUsize;
use std_alloc::collections::TryReserveError;

/// An allocation failed: the error this crate turns every out-of-memory
/// condition into, instead of aborting the process.
///
/// An `OutOfMemory` is one machine word and owns no heap memory, so creating
/// it, turning it into an [`Error`](crate::Error), formatting it and
/// downcasting to it never allocate. It remembers how many bytes the failed
/// allocation asked for.
///
/// No allocation can be larger than `isize::MAX` bytes (a
/// [`Layout`](core::alloc::Layout) cannot describe one), so a larger request,
/// such as a capacity computation that overflowed, is recorded as
/// `isize::MAX`.
///
/// The allocation-failure errors of std and of the allocation libraries
/// this crate builds on convert into an `OutOfMemory`, without allocating,
/// both with `From` and when `?` (or [`Error::new`](crate::Error::new))
/// turns them into an [`Error`](crate::Error), which then
/// `is::<OutOfMemory>()`:
///
/// - std's [`TryReserveError`] (from `try_reserve` on `Vec`, `String`,
///   `VecDeque`, `HashMap`, ...): the size of the allocation that failed.
///   std does not expose it on stable Rust, so it is read from the error's
///   `Debug` output, on the stack; should that ever not show it, the size
///   is 0. A capacity overflow (more than `isize::MAX` bytes asked for)
///   shows as `isize::MAX`.
/// - hashbrown's `TryReserveError` (with the feature `hash-map`, which
///   brings hashbrown in): the size of the table's allocation; a capacity
///   overflow shows as `isize::MAX`.
/// - allocator-api2's `AllocError` (with the feature `collections`: what an
///   `Allocator` returns): it does not say how
///   much was asked for, so the size is 0. It is a `std::error::Error`, and
///   so works with `?` into an `Error`, with the feature `std` only; without
///   it, convert with `OutOfMemory::from`.
///
/// # Example
///
/// ```
/// use wasmtime_error::{Error, OutOfMemory};
///
/// let oom = OutOfMemory::new(4096);
/// assert_eq!(oom.requested_allocation_size(), 4096);
/// assert_eq!(oom.to_string(), "out of memory (failed to allocate 4096 bytes)");
///
/// // Turning it into an `Error` does not allocate: the size lives in the word.
/// let error = Error::from(oom);
/// assert!(error.is::<OutOfMemory>());
/// assert_eq!(error.downcast_ref::<OutOfMemory>(), Some(&oom));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct OutOfMemory {
    /// `(size << 1) | 1`. The low bit is always set: this is the exact bit
    /// pattern of the `Error` word that carries this value, which lets an
    /// `&Error` be read as an `&OutOfMemory` (see `error/repr.rs`). Never
    /// zero, so `Result<(), OutOfMemory>` is one word too.
    packed: NonZeroUsize,
}

impl OutOfMemory {
    /// The largest size an `OutOfMemory` records; larger requests saturate.
    const MAX_SIZE: usize = isize::MAX as usize;

    /// An out-of-memory error for a failed request of `requested_size` bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::OutOfMemory;
    ///
    /// assert_eq!(OutOfMemory::new(12).requested_allocation_size(), 12);
    /// // Impossible sizes saturate at `isize::MAX`.
    /// assert_eq!(
    ///     OutOfMemory::new(usize::MAX).requested_allocation_size(),
    ///     isize::MAX as usize,
    /// );
    /// ```
    #[inline]
    pub const fn new(requested_size: usize) -> Self {
        let size = if requested_size > Self::MAX_SIZE {
            Self::MAX_SIZE
        } else {
            requested_size
        };
        // SAFETY: the low bit is set, so the value is not zero.
        let packed = unsafe { NonZeroUsize::new_unchecked((size << 1) | 1) };
        OutOfMemory { packed }
    }

    /// How many bytes the failed allocation asked for.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::OutOfMemory;
    ///
    /// let layout = core::alloc::Layout::new::<[u64; 4]>();
    /// assert_eq!(OutOfMemory::new(layout.size()).requested_allocation_size(), 32);
    /// ```
    #[inline]
    pub const fn requested_allocation_size(&self) -> usize {
        self.packed.get() >> 1
    }

    /// The word an `Error` holding this value is made of.
    #[inline]
    pub(crate) const fn packed(self) -> usize {
        self.packed.get()
    }

    /// Rebuilds the value from the word of an OOM-tagged `Error`.
    #[inline]
    pub(crate) const fn from_packed(packed: usize) -> Self {
        assert!(packed & 1 == 1, "an OOM word has its low bit set");
        // SAFETY: the low bit is set (checked just above), so not zero.
        let packed = unsafe { NonZeroUsize::new_unchecked(packed) };
        OutOfMemory { packed }
    }
}

impl fmt::Debug for OutOfMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutOfMemory")
            .field(
                "requested_allocation_size",
                &self.requested_allocation_size(),
            )
            .finish()
    }
}

impl fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "out of memory (failed to allocate {} bytes)",
            self.requested_allocation_size()
        )
    }
}

impl core::error::Error for OutOfMemory {}

impl From<TryReserveError> for OutOfMemory {
    /// The size of the failed allocation, `isize::MAX` for a capacity
    /// overflow (see [`OutOfMemory`]). Does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::OutOfMemory;
    ///
    /// let overflow = Vec::<u64>::new().try_reserve(usize::MAX).unwrap_err();
    /// let oom = OutOfMemory::from(overflow);
    /// assert_eq!(oom.requested_allocation_size(), isize::MAX as usize);
    /// ```
    fn from(error: TryReserveError) -> Self {
        let mut debug = crate::alloc::Measure::new();
        // Writing into the buffer cannot fail; a text too long for it (std's
        // is about 100 bytes) shows no size.
        let _ = write!(debug, "{error:?}");
        let text = debug.text().unwrap_or_default();
        if text.contains("CapacityOverflow") {
            return OutOfMemory::new(usize::MAX);
        }
        let size = text
            .split_once("size: ")
            .map(|(_, rest)| rest)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|digits| digits.parse().ok())
            .unwrap_or(0);
        OutOfMemory::new(size)
    }
}

#[cfg(feature = "hash-map")]
impl From<hashbrown::TryReserveError> for OutOfMemory {
    /// The size of the table's allocation, `isize::MAX` for a capacity
    /// overflow. Does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::OutOfMemory;
    ///
    /// let layout = std::alloc::Layout::new::<[u8; 64]>();
    /// let error = hashbrown::TryReserveError::AllocError { layout };
    /// assert_eq!(OutOfMemory::from(error).requested_allocation_size(), 64);
    /// ```
    fn from(error: hashbrown::TryReserveError) -> Self {
        crate::alloc::hashbrown_oom(error)
    }
}

#[cfg(feature = "collections")]
impl From<AllocError> for OutOfMemory {
    /// An `AllocError` does not say how much was asked for: the size is 0.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{OutOfMemory, alloc::AllocError};
    ///
    /// assert_eq!(OutOfMemory::from(AllocError).requested_allocation_size(), 0);
    /// ```
    fn from(_: AllocError) -> Self {
        OutOfMemory::new(0)
    }
}

/// The `OutOfMemory` that `error` stands for, if it is one or another
/// library's allocation failure; what `Error::new` stores in the word.
#[inline]
pub(crate) fn allocation_failure<E: 'static>(error: &E) -> Option<OutOfMemory> {
    // Generic, so that each test below is a constant for a given `E`.
    let error: &dyn Any = error;
    if let Some(oom) = error.downcast_ref::<OutOfMemory>() {
        return Some(*oom);
    }
    if let Some(error) = error.downcast_ref::<TryReserveError>() {
        return Some(OutOfMemory::from(error.clone()));
    }
    #[cfg(feature = "hash-map")]
    if let Some(error) = error.downcast_ref::<hashbrown::TryReserveError>() {
        return Some(OutOfMemory::from(error.clone()));
    }
    #[cfg(feature = "collections")]
    if error.is::<AllocError>() {
        return Some(OutOfMemory::new(0));
    }
    None
}

const _: () =
    assert!(core::mem::size_of::<Result<(), OutOfMemory>>() == core::mem::size_of::<usize>());
