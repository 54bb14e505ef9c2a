//! [`PanicOnOom`]: an explicit opt-in to panicking on allocation failure.

use crate::OutOfMemory;

/// Turns `Result<T, OutOfMemory>` into `T`, panicking on failure, for code
/// that decides a failed allocation is a bug rather than a condition to
/// handle. Spelling it out keeps that decision visible and searchable.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{PanicOnOom, TryVec};
///
/// let mut v = TryVec::new();
/// v.push(1).panic_on_oom();
/// assert_eq!(v, [1]);
///
/// let failed = std::panic::catch_unwind(|| {
///     TryVec::<u64>::with_capacity(usize::MAX).panic_on_oom();
/// });
/// assert!(failed.is_err());
/// ```
pub trait PanicOnOom {
    /// The value on success.
    type Result;

    /// The value, or a panic with the out-of-memory message.
    ///
    /// # Panics
    ///
    /// If `self` is `Err(OutOfMemory)`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{PanicOnOom, TryString};
    ///
    /// let s = TryString::try_from_str("fits").panic_on_oom();
    /// assert_eq!(s, "fits");
    /// ```
    fn panic_on_oom(self) -> Self::Result;
}

impl<T> PanicOnOom for Result<T, OutOfMemory> {
    type Result = T;

    #[inline]
    #[track_caller]
    fn panic_on_oom(self) -> T {
        match self {
            Ok(value) => value,
            Err(oom) => oom_panic(oom),
        }
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn oom_panic(oom: OutOfMemory) -> ! {
    panic!("{oom}")
}
