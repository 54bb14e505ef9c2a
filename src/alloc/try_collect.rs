//! [`TryCollect`], [`TryFromIterator`] and [`TryExtend`]: `collect()` and
//! `extend()` that report allocation failure.

use std_alloc::boxed::Box;
use std_alloc::string::String;
use std_alloc::vec::Vec;

use allocator_api2::alloc::Allocator;

use super::ext::{StringExt, VecExt};
use super::{TryString, TryVec};
use crate::OutOfMemory;

/// `FromIterator` that returns an error instead of aborting; the target of
/// [`TryCollect::try_collect`].
///
/// `E` is the error: [`OutOfMemory`] (the default) when collecting items,
/// and for the collections of `Result<T, E>` items (into `TryVec<T>`,
/// `Vec<T>` and `Box<[T]>`) the items' own error `E`, into which an
/// allocation failure is converted.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TryFromIterator, TryVec};
/// use wasmtime_error::{Result, format_err, try_format};
///
/// let v: TryVec<i32> = TryVec::try_from_iter(0..3)?;
/// assert_eq!(v, [0, 1, 2]);
///
/// let items = [Ok(1), Err(format_err!("no second item"))];
/// let v: Result<TryVec<i32>> = TryVec::try_from_iter(items.into_iter());
/// let error = v.unwrap_err();
/// assert_eq!(try_format!("{error}")?, "no second item");
/// # wasmtime_error::Ok(())
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` cannot be collected fallibly from items of type `{T}`",
    label = "`try_collect` cannot build this type",
    note = "`try_collect` builds a `TryVec`, `TryString`, `TryHashMap`, `TryHashSet`, `Vec`, `String` or `Box<[T]>` (the implementors of `TryFromIterator`); name the target: `let v: TryVec<_> = iter.try_collect()?;`"
)]
pub trait TryFromIterator<T, E = OutOfMemory>: Sized {
    /// Builds `Self` from the items of `iter`, or returns the error that
    /// stopped it (the items taken so far are dropped).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryFromIterator;
    ///
    /// let s = String::try_from_iter(['o', 'k'].into_iter())?;
    /// assert_eq!(s, "ok");
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_from_iter<I>(iter: I) -> Result<Self, E>
    where
        I: Iterator<Item = T>;
}

/// `Extend` that returns `Err(OutOfMemory)` instead of aborting.
///
/// Room for the iterator's lower size bound is reserved first. On failure
/// a vector or string is truncated back to its old length (the items taken
/// from the iterator are dropped); a map or set keeps the items inserted
/// before the failing one.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TryExtend, TryVec};
///
/// let mut v = TryVec::new();
/// v.try_extend([1])?;
/// v.try_extend([2, 3])?;
/// assert_eq!(v, [1, 2, 3]);
///
/// let mut s = String::new();
/// s.try_extend(["a", "b", "c"])?;
/// assert_eq!(s, "abc");
/// # wasmtime_error::Ok(())
/// ```
pub trait TryExtend<T> {
    /// Appends every item of `iter`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryExtend;
    ///
    /// let mut v = Vec::new();
    /// v.try_extend(1..4)?;
    /// assert_eq!(v, [1, 2, 3]);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_extend<I: IntoIterator<Item = T>>(&mut self, iter: I) -> Result<(), OutOfMemory>;
}

/// `collect()` that returns an error instead of aborting; implemented for
/// every iterator.
///
/// The error is [`OutOfMemory`] for items, and the items' own error for
/// `Result` items (see [`TryFromIterator`]); inference picks it, so the
/// turbofish names both: `try_collect::<TryVec<_>, _>()`.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TryCollect, TryString, TryVec};
///
/// let doubled: TryVec<i32> = [1, 2, 3].iter().map(|n| n * 2).try_collect()?;
/// assert_eq!(doubled, [2, 4, 6]);
///
/// let word: TryString = ['o', 'o', 'm'].into_iter().try_collect()?;
/// assert_eq!(word, "oom");
/// # wasmtime_error::Ok(())
/// ```
pub trait TryCollect: Iterator {
    /// Collects into `B`, or returns the error that stopped it.
    ///
    /// Collecting `Result<T, E>` items stops at the first `Err` and returns
    /// it; an allocation failure becomes an `E` (for example an
    /// [`Error`](crate::Error)), so one `?` handles both.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryCollect, TryString, TryVec};
    /// use wasmtime_error::{Error, Result};
    ///
    /// let s: TryString = "abc".chars().rev().try_collect()?;
    /// assert_eq!(s, "cba");
    ///
    /// fn parse_all(text: &str) -> Result<TryVec<u8>> {
    ///     text.split(',').map(|n| n.parse::<u8>().map_err(Error::new)).try_collect()
    /// }
    /// assert_eq!(parse_all("1,2,3")?, [1, 2, 3]);
    /// let error = parse_all("1,x").unwrap_err();
    /// assert_eq!(wasmtime_error::try_format!("{error}")?, "invalid digit found in string");
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    fn try_collect<B, E>(self) -> Result<B, E>
    where
        B: TryFromIterator<Self::Item, E>,
        Self: Sized,
    {
        B::try_from_iter(self)
    }
}

impl<I: Iterator> TryCollect for I {}

impl<T, A: Allocator> TryExtend<T> for TryVec<T, A> {
    fn try_extend<I: IntoIterator<Item = T>>(&mut self, iter: I) -> Result<(), OutOfMemory> {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0)?;
        let old_len = self.len();
        for item in iter {
            if let Err(oom) = self.push(item) {
                self.truncate(old_len);
                return Err(oom);
            }
        }
        Ok(())
    }
}

// Into the global allocator only, so that `TryVec::try_from_iter(..)`
// needs no annotation of the allocator (a type's default parameter does
// not take part in inference).
impl<T> TryFromIterator<T> for TryVec<T> {
    /// Room for the iterator's lower size bound exactly, then amortised
    /// growth for the rest.
    fn try_from_iter<I: Iterator<Item = T>>(iter: I) -> Result<Self, OutOfMemory> {
        let mut vec = TryVec::with_capacity(iter.size_hint().0)?;
        vec.try_extend(iter)?;
        Ok(vec)
    }
}

impl<T, E: From<OutOfMemory>> TryFromIterator<Result<T, E>, E> for TryVec<T> {
    fn try_from_iter<I>(iter: I) -> Result<Self, E>
    where
        I: Iterator<Item = Result<T, E>>,
    {
        collect_oks(iter)
    }
}

impl<T> TryExtend<T> for Vec<T> {
    fn try_extend<I: IntoIterator<Item = T>>(&mut self, iter: I) -> Result<(), OutOfMemory> {
        let iter = iter.into_iter();
        self.try_reserve_oom(iter.size_hint().0)?;
        let old_len = self.len();
        for item in iter {
            if let Err(oom) = self.try_push(item) {
                self.truncate(old_len);
                return Err(oom);
            }
        }
        Ok(())
    }
}

impl<T> TryFromIterator<T> for Vec<T> {
    fn try_from_iter<I: Iterator<Item = T>>(iter: I) -> Result<Self, OutOfMemory> {
        let mut vec = Vec::try_with_capacity_oom(iter.size_hint().0)?;
        vec.try_extend(iter)?;
        Ok(vec)
    }
}

impl<T, E: From<OutOfMemory>> TryFromIterator<Result<T, E>, E> for Vec<T> {
    fn try_from_iter<I>(iter: I) -> Result<Self, E>
    where
        I: Iterator<Item = Result<T, E>>,
    {
        collect_oks(iter)
    }
}

impl<T> TryFromIterator<T> for Box<[T]> {
    /// Collects into a `TryVec`, then shrinks it into a box (no second
    /// allocation when the iterator's lower size bound was exact).
    fn try_from_iter<I: Iterator<Item = T>>(iter: I) -> Result<Self, OutOfMemory> {
        TryVec::try_from_iter(iter)?.into_boxed_slice()
    }
}

impl<T, E: From<OutOfMemory>> TryFromIterator<Result<T, E>, E> for Box<[T]> {
    fn try_from_iter<I>(iter: I) -> Result<Self, E>
    where
        I: Iterator<Item = Result<T, E>>,
    {
        let vec: TryVec<T> = collect_oks(iter)?;
        Ok(vec.into_boxed_slice()?)
    }
}

/// Collects the `Ok` values of `iter` into `C` up to the first `Err`, which
/// is returned instead (with what was collected dropped).
fn collect_oks<C, T, E, I>(iter: I) -> Result<C, E>
where
    C: TryFromIterator<T>,
    E: From<OutOfMemory>,
    I: Iterator<Item = Result<T, E>>,
{
    let mut error = None;
    let collected = C::try_from_iter(Oks {
        iter,
        error: &mut error,
    })?;
    match error {
        Some(error) => Err(error),
        None => Ok(collected),
    }
}

/// The `Ok` values of an iterator of results, ending at the first `Err`,
/// which it keeps.
struct Oks<'a, I, E> {
    iter: I,
    error: &'a mut Option<E>,
}

impl<T, E, I: Iterator<Item = Result<T, E>>> Iterator for Oks<'_, I, E> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.error.is_some() {
            return None;
        }
        match self.iter.next()? {
            Ok(value) => Some(value),
            Err(error) => {
                *self.error = Some(error);
                None
            }
        }
    }

    /// The inner hint, as if every item were `Ok`, so that the common case
    /// reserves exactly once. An `Err` makes the lower bound an
    /// overestimate; the collections this feeds only reserve from it, and
    /// what they collected is dropped on an `Err` anyway.
    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.error.is_some() {
            (0, Some(0))
        } else {
            self.iter.size_hint()
        }
    }
}

macro_rules! string_extend {
    ($string:ty, $push_str:ident, $push:ident, $reserve:ident) => {
        impl<'a> TryExtend<&'a str> for $string {
            fn try_extend<I: IntoIterator<Item = &'a str>>(
                &mut self,
                iter: I,
            ) -> Result<(), OutOfMemory> {
                let old_len = self.len();
                for piece in iter {
                    if let Err(oom) = self.$push_str(piece) {
                        self.truncate(old_len);
                        return Err(oom);
                    }
                }
                Ok(())
            }
        }

        impl TryExtend<char> for $string {
            fn try_extend<I: IntoIterator<Item = char>>(
                &mut self,
                iter: I,
            ) -> Result<(), OutOfMemory> {
                let iter = iter.into_iter();
                self.$reserve(iter.size_hint().0)?;
                let old_len = self.len();
                for c in iter {
                    if let Err(oom) = self.$push(c) {
                        self.truncate(old_len);
                        return Err(oom);
                    }
                }
                Ok(())
            }
        }

        impl<'a> TryFromIterator<&'a str> for $string {
            fn try_from_iter<I: Iterator<Item = &'a str>>(iter: I) -> Result<Self, OutOfMemory> {
                let mut string = <$string>::new();
                string.try_extend(iter)?;
                Ok(string)
            }
        }

        impl TryFromIterator<char> for $string {
            fn try_from_iter<I: Iterator<Item = char>>(iter: I) -> Result<Self, OutOfMemory> {
                let mut string = <$string>::new();
                string.try_extend(iter)?;
                Ok(string)
            }
        }
    };
}

string_extend!(String, try_push_str, try_push, try_reserve_oom);
string_extend!(TryString, push_str, push, reserve);
