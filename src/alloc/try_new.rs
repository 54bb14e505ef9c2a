//! [`TryNew`] and [`try_new`]: `Box::new`, `Arc::new` and `Rc::new` that
//! report allocation failure.

use std_alloc::boxed::Box;
use std_alloc::rc::Rc;
use std_alloc::sync::Arc;

use super::boxed::try_new_box;
use crate::OutOfMemory;

/// A smart pointer made around a value by an allocation that may fail.
///
/// Implemented for `Box<T>` (fallible), and for `Arc<T>` and `Rc<T>`, which
/// are fallible only with a nightly compiler: see their implementations.
///
/// Call it through [`try_new`] or as `<Box<_> as TryNew>::try_new`: std's
/// own `Box::try_new` and `Arc::try_new` are unstable inherent functions,
/// which `Box::try_new(..)` would name instead.
///
/// # Example
///
/// ```
/// use std::rc::Rc;
/// use wasmtime_error::alloc::TryNew;
///
/// let boxed = <Box<_> as TryNew>::try_new(5u32)?;
/// assert_eq!(*boxed, 5);
/// let shared = <Rc<_> as TryNew>::try_new("shared")?;
/// assert_eq!(*shared, "shared");
/// # wasmtime_error::Ok(())
/// ```
pub trait TryNew {
    /// The type of the value the pointer holds.
    type Value;

    /// Moves `value` into a new allocation; on failure `value` is dropped.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryNew;
    ///
    /// let boxed: Box<[u8; 4]> = TryNew::try_new([1, 2, 3, 4])?;
    /// assert_eq!(boxed[2], 3);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_new(value: Self::Value) -> Result<Self, OutOfMemory>
    where
        Self: Sized;
}

/// `P::try_new(value)`, for naming the pointer type with a turbofish.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use wasmtime_error::alloc::try_new;
///
/// let boxed = try_new::<Box<u32>>(36)?;
/// assert_eq!(*boxed, 36);
/// let shared = try_new::<Arc<&str>>("shared")?;
/// assert_eq!(*shared, "shared");
/// # wasmtime_error::Ok(())
/// ```
#[inline]
pub fn try_new<P: TryNew>(value: P::Value) -> Result<P, OutOfMemory> {
    P::try_new(value)
}

impl<T> TryNew for Box<T> {
    type Value = T;

    /// One allocation of `T`'s layout (none when `T` is zero-sized).
    #[inline]
    fn try_new(value: T) -> Result<Self, OutOfMemory> {
        try_new_box(value)
    }
}

/// The error for a reference-counted allocation of a `T` that failed:
/// std does not say its layout, but it holds two counters and the value.
#[cfg(arc_try_new)]
fn counted_oom<T>() -> OutOfMemory {
    OutOfMemory::new(core::mem::size_of::<(usize, usize, T)>())
}

/// **Aborts on allocation failure with a stable compiler**, as `Arc::new`
/// does: std has no stable fallible way to allocate an `Arc` (its
/// `Arc::try_new` is unstable), and the layout of an `Arc`'s allocation is
/// private to std, so this crate cannot allocate one itself. Built with a
/// nightly compiler and `RUSTFLAGS="--cfg arc_try_new"` (the cfg Wasmtime
/// uses for the same purpose), it calls `Arc::try_new` and fails with
/// `Err(OutOfMemory)`.
impl<T> TryNew for Arc<T> {
    type Value = T;

    #[inline]
    fn try_new(value: T) -> Result<Self, OutOfMemory> {
        #[cfg(arc_try_new)]
        return super::fallible(|| Arc::try_new(value)).map_err(|_| counted_oom::<T>());
        #[cfg(not(arc_try_new))]
        #[allow(
            clippy::disallowed_methods,
            reason = "stable std has no fallible `Arc::new`: the documented exception"
        )]
        return Ok(Arc::new(value));
    }
}

/// **Aborts on allocation failure with a stable compiler**, for the reasons
/// given at the implementation for `Arc`; fallible with a nightly compiler
/// and `RUSTFLAGS="--cfg arc_try_new"`, through `Rc::try_new`.
impl<T> TryNew for Rc<T> {
    type Value = T;

    #[inline]
    fn try_new(value: T) -> Result<Self, OutOfMemory> {
        #[cfg(arc_try_new)]
        return super::fallible(|| Rc::try_new(value)).map_err(|_| counted_oom::<T>());
        #[cfg(not(arc_try_new))]
        #[allow(
            clippy::disallowed_methods,
            reason = "stable std has no fallible `Rc::new`: the documented exception"
        )]
        return Ok(Rc::new(value));
    }
}
