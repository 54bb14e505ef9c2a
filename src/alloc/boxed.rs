//! Boxes made without aborting: [`try_new_box`], [`try_new_boxed_slice`],
//! [`try_new_boxed_str`].
//!
//! These are functions rather than `Box::try_new`-style associated
//! functions because std has an unstable inherent `Box::try_new`, which a
//! trait method of that name would collide with.

use core::alloc::Layout;
use std_alloc::boxed::Box;

use allocator_api2::alloc::{Allocator, Global};

use super::TryVec;
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
    let ptr = Global
        .allocate(layout)
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
    let items = items.into_iter();
    let mut vec = TryVec::with_capacity(items.len())?;
    for item in items {
        vec.push(item)?;
    }
    vec.into_boxed_slice()
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
