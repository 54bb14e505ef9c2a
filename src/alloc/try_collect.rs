//! [`TryCollect`], [`TryFromIterator`] and [`TryExtend`]: `collect()` and
//! `extend()` that report allocation failure.

use std_alloc::boxed::Box;
use std_alloc::string::String;
use std_alloc::vec::Vec;

use allocator_api2::alloc::Allocator;

use super::ext::{StringExt, VecExt};
use super::{TryString, TryVec};
use crate::OutOfMemory;

/// `FromIterator` that returns `Err(OutOfMemory)` instead of aborting; the
/// target of [`TryCollect::try_collect`].
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TryFromIterator, TryVec};
///
/// let v: TryVec<i32> = TryVec::try_from_iter(0..3)?;
/// assert_eq!(v, [0, 1, 2]);
/// # wasmtime_error::Ok(())
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` cannot be collected fallibly from items of type `{T}`",
    label = "`try_collect` cannot build this type",
    note = "`try_collect` builds a `TryVec`, `TryString`, `TryHashMap`, `TryHashSet`, `Vec`, `String` or `Box<[T]>` (the implementors of `TryFromIterator`); name the target: `let v: TryVec<_> = iter.try_collect()?;`"
)]
pub trait TryFromIterator<T>: Sized {
    /// Builds `Self` from the items of `iter`, or reports the allocation
    /// that failed (the items taken so far are dropped).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryFromIterator;
    ///
    /// let s = String::try_from_iter(['o', 'k'])?;
    /// assert_eq!(s, "ok");
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_from_iter<I: IntoIterator<Item = T>>(iter: I) -> Result<Self, OutOfMemory>;
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
/// let mut v = TryVec::from(vec![1]);
/// v.try_extend([2, 3])?;
/// assert_eq!(v, [1, 2, 3]);
///
/// let mut s = String::from("a");
/// s.try_extend(["b", "c"])?;
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
    /// let mut v = vec![1];
    /// v.try_extend(2..4)?;
    /// assert_eq!(v, [1, 2, 3]);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_extend<I: IntoIterator<Item = T>>(&mut self, iter: I) -> Result<(), OutOfMemory>;
}

/// `collect()` that returns `Err(OutOfMemory)` instead of aborting;
/// implemented for every iterator.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TryCollect, TryHashMap, TryVec};
///
/// let doubled: TryVec<i32> = [1, 2, 3].iter().map(|n| n * 2).try_collect()?;
/// assert_eq!(doubled, [2, 4, 6]);
///
/// let map: TryHashMap<&str, usize> = ["a", "bb"].into_iter().map(|s| (s, s.len())).try_collect()?;
/// assert_eq!(map.get("bb"), Some(&2));
/// # wasmtime_error::Ok(())
/// ```
pub trait TryCollect: Iterator + Sized {
    /// Collects into `C`, or reports the allocation that failed.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryCollect, TryString};
    ///
    /// let s: TryString = "abc".chars().rev().try_collect()?;
    /// assert_eq!(s, "cba");
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    fn try_collect<C: TryFromIterator<Self::Item>>(self) -> Result<C, OutOfMemory> {
        C::try_from_iter(self)
    }

    /// Collects an iterator of `Result<T, E>` into `C`, stopping at the
    /// first `Err`. An allocation failure becomes an `E` (for example an
    /// [`Error`](crate::Error)), so one `?` handles both.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Error, Result};
    /// use wasmtime_error::alloc::{TryCollect, TryVec};
    ///
    /// fn parse_all(text: &str) -> Result<TryVec<u8>> {
    ///     text.split(',').map(|n| n.parse::<u8>().map_err(Error::new)).try_collect_results()
    /// }
    /// assert_eq!(parse_all("1,2,3")?, [1, 2, 3]);
    /// assert_eq!(parse_all("1,x").unwrap_err().to_string(), "invalid digit found in string");
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_collect_results<C, T, E>(self) -> Result<C, E>
    where
        Self: Iterator<Item = Result<T, E>>,
        C: TryFromIterator<T>,
        E: From<OutOfMemory>,
    {
        let mut error = None;
        let oks = self.map_while(|item| match item {
            Ok(value) => Some(value),
            Err(e) => {
                error = Some(e);
                None
            }
        });
        let collected = C::try_from_iter(oks)?;
        match error {
            Some(e) => Err(e),
            None => Ok(collected),
        }
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

impl<T, A: Allocator + Default> TryFromIterator<T> for TryVec<T, A> {
    fn try_from_iter<I: IntoIterator<Item = T>>(iter: I) -> Result<Self, OutOfMemory> {
        let mut vec = TryVec::new_in(A::default());
        vec.try_extend(iter)?;
        Ok(vec)
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
    fn try_from_iter<I: IntoIterator<Item = T>>(iter: I) -> Result<Self, OutOfMemory> {
        let mut vec = Vec::new();
        vec.try_extend(iter)?;
        Ok(vec)
    }
}

impl<T> TryFromIterator<T> for Box<[T]> {
    /// Collects into a `TryVec`, then shrinks it into a box.
    fn try_from_iter<I: IntoIterator<Item = T>>(iter: I) -> Result<Self, OutOfMemory> {
        TryVec::try_from_iter(iter)?.into_boxed_slice()
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
            fn try_from_iter<I: IntoIterator<Item = &'a str>>(
                iter: I,
            ) -> Result<Self, OutOfMemory> {
                let mut string = <$string>::new();
                string.try_extend(iter)?;
                Ok(string)
            }
        }

        impl TryFromIterator<char> for $string {
            fn try_from_iter<I: IntoIterator<Item = char>>(iter: I) -> Result<Self, OutOfMemory> {
                let mut string = <$string>::new();
                string.try_extend(iter)?;
                Ok(string)
            }
        }
    };
}

string_extend!(String, try_push_str, try_push, try_reserve_oom);
string_extend!(TryString, push_str, push, reserve);
