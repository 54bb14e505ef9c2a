//! [`try_vec!`](crate::try_vec): `vec!` for [`TryVec`], and the functions it
//! expands to.

use super::{TryClone, TryVec};
use crate::OutOfMemory;

/// `vec!` for [`TryVec`]: `try_vec![a, b, c]` or `try_vec![elem; n]`,
/// returning `Result<TryVec<T>, OutOfMemory>` instead of aborting.
///
/// Like `vec!`, the arguments are evaluated first, then one allocation of
/// exactly the needed capacity is made (none for no elements or a
/// zero-sized `T`); if it fails, the values are dropped. `try_vec![elem; n]`
/// makes `n - 1` clones of `elem` with [`TryClone`] and moves `elem` itself
/// into the last slot; with `n == 0` it drops `elem`.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TryString, TryVec};
/// use wasmtime_error::try_vec;
///
/// let primes: TryVec<u32> = try_vec![2, 3, 5, 7]?;
/// assert_eq!(primes, [2, 3, 5, 7]);
/// assert_eq!(primes.capacity(), 4);
///
/// let rows = try_vec![TryString::try_from_str("-")?; 3]?;
/// assert_eq!(rows, ["-", "-", "-"]);
///
/// let none: TryVec<u8> = try_vec![]?;
/// assert!(none.is_empty());
/// # wasmtime_error::Ok(())
/// ```
#[macro_export]
macro_rules! try_vec {
    ($elem:expr; $n:expr $(,)?) => {
        $crate::alloc::__try_vec_from_elem($elem, $n)
    };
    ($($item:expr),* $(,)?) => {
        $crate::alloc::__try_vec_from_array([$($item),*])
    };
}

/// `try_vec![a, b, c]`.
#[doc(hidden)]
pub fn from_array<T, const N: usize>(items: [T; N]) -> Result<TryVec<T>, OutOfMemory> {
    let mut vec = TryVec::with_capacity(N)?;
    for item in items {
        vec.push(item)?;
    }
    Ok(vec)
}

/// `try_vec![elem; n]`: [`TryVec::from_elem`], or an empty vector (and
/// `elem` dropped) for `n == 0`.
#[doc(hidden)]
pub fn from_elem<T: TryClone>(elem: T, n: usize) -> Result<TryVec<T>, OutOfMemory> {
    match core::num::NonZeroUsize::new(n) {
        Some(len) => TryVec::from_elem(elem, len),
        None => Ok(TryVec::new()),
    }
}
