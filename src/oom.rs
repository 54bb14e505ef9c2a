//! [`OutOfMemory`]: the error value that is created, carried, formatted and
//! downcast without allocating.

use core::fmt;
use core::num::NonZeroUsize;

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

const _: () =
    assert!(core::mem::size_of::<Result<(), OutOfMemory>>() == core::mem::size_of::<usize>());
