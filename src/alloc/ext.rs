//! Extension traits that give the std collections fallible growing
//! methods, for code that adopts fallible allocation gradually.
//!
//! std already has inherent `try_reserve` and (unstable)
//! `try_with_capacity` methods returning `TryReserveError`, which would
//! shadow a trait method of the same name; ours end in `_oom` and return
//! [`OutOfMemory`] with the size of the failed request.

use core::mem;
use std_alloc::collections::VecDeque;
use std_alloc::string::String;
use std_alloc::vec::Vec;

use super::{TryClone, amortized_capacity, array_oom, fallible};
use crate::OutOfMemory;

/// Grows a buffer of `len` elements and `capacity` to hold `additional`
/// more, amortised, through `reserve_exact`, which makes an allocation of
/// exactly the capacity it is given (so the failed request's size is known).
#[inline]
fn reserve_amortized<E>(
    capacity: usize,
    len: usize,
    additional: usize,
    element_size: usize,
    reserve_exact: impl FnOnce(usize) -> Result<(), E>,
) -> Result<(), OutOfMemory> {
    if additional <= capacity - len {
        return Ok(());
    }
    let Some(new_cap) = amortized_capacity(capacity, len, additional, element_size) else {
        return Err(OutOfMemory::new(usize::MAX));
    };
    fallible(|| reserve_exact(new_cap - len)).map_err(|_| array_oom(new_cap, element_size))
}

/// Grows a buffer to hold exactly `additional` more elements.
#[inline]
fn reserve_exact<E>(
    capacity: usize,
    len: usize,
    additional: usize,
    element_size: usize,
    reserve_exact: impl FnOnce(usize) -> Result<(), E>,
) -> Result<(), OutOfMemory> {
    if additional <= capacity - len {
        return Ok(());
    }
    let Some(new_cap) = len.checked_add(additional) else {
        return Err(OutOfMemory::new(usize::MAX));
    };
    fallible(|| reserve_exact(additional)).map_err(|_| array_oom(new_cap, element_size))
}

/// Fallible growing methods for [`Vec`].
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::VecExt;
///
/// let mut v: Vec<u32> = Vec::try_with_capacity_oom(2)?;
/// v.try_push(1)?;
/// v.try_extend_from_slice(&[2, 3])?;
/// v.try_insert(0, 0)?;
/// assert_eq!(v, [0, 1, 2, 3]);
/// let oom = v.try_reserve_oom(usize::MAX).unwrap_err();
/// assert_eq!(oom.requested_allocation_size(), isize::MAX as usize);
/// # wasmtime_error::Ok(())
/// ```
pub trait VecExt<T>: Sized {
    /// `Vec::with_capacity`, fallible.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::VecExt;
    ///
    /// let v = Vec::<u8>::try_with_capacity_oom(10)?;
    /// assert!(v.capacity() >= 10);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_with_capacity_oom(capacity: usize) -> Result<Self, OutOfMemory>;

    /// `Vec::reserve`, fallible: room for at least `additional` more, grown
    /// amortised.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::VecExt;
    ///
    /// let mut v = Vec::<u64>::new();
    /// v.try_reserve_oom(3)?;
    /// assert!(v.capacity() >= 3);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_reserve_oom(&mut self, additional: usize) -> Result<(), OutOfMemory>;

    /// `Vec::reserve_exact`, fallible.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::VecExt;
    ///
    /// let mut v = Vec::<u64>::new();
    /// v.try_reserve_exact_oom(3)?;
    /// assert_eq!(v.capacity(), 3);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_reserve_exact_oom(&mut self, additional: usize) -> Result<(), OutOfMemory>;

    /// `Vec::push`, fallible; on failure `value` is dropped.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::VecExt;
    ///
    /// let mut v = Vec::new();
    /// v.try_push('a')?;
    /// assert_eq!(v, ['a']);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_push(&mut self, value: T) -> Result<(), OutOfMemory>;

    /// `Vec::insert`, fallible; on failure `value` is dropped.
    ///
    /// # Panics
    ///
    /// If `index > len`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::VecExt;
    ///
    /// let mut v = Vec::new();
    /// v.try_extend_from_slice(&[1, 3])?;
    /// v.try_insert(1, 2)?;
    /// assert_eq!(v, [1, 2, 3]);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_insert(&mut self, index: usize, value: T) -> Result<(), OutOfMemory>;

    /// `Vec::extend_from_slice`, fallible, cloning with [`TryClone`]. On
    /// failure the vector is unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::VecExt;
    ///
    /// let mut v = Vec::new();
    /// v.try_push('a')?;
    /// v.try_extend_from_slice(&['b', 'c'])?;
    /// assert_eq!(v, ['a', 'b', 'c']);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_extend_from_slice(&mut self, items: &[T]) -> Result<(), OutOfMemory>
    where
        T: TryClone;

    /// `Vec::resize`, fallible, cloning with [`TryClone`]. On failure the
    /// vector is unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::VecExt;
    ///
    /// let mut v = Vec::new();
    /// v.try_push(1)?;
    /// v.try_resize(3, 7)?;
    /// assert_eq!(v, [1, 7, 7]);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_resize(&mut self, new_len: usize, value: T) -> Result<(), OutOfMemory>
    where
        T: TryClone;
}

impl<T> VecExt<T> for Vec<T> {
    fn try_with_capacity_oom(capacity: usize) -> Result<Self, OutOfMemory> {
        let mut vec = Vec::new();
        vec.try_reserve_exact_oom(capacity)?;
        Ok(vec)
    }

    #[inline]
    fn try_reserve_oom(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        let (capacity, len) = (self.capacity(), self.len());
        reserve_amortized(capacity, len, additional, mem::size_of::<T>(), |n| {
            self.try_reserve_exact(n)
        })
    }

    fn try_reserve_exact_oom(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        let (capacity, len) = (self.capacity(), self.len());
        reserve_exact(capacity, len, additional, mem::size_of::<T>(), |n| {
            self.try_reserve_exact(n)
        })
    }

    #[inline]
    fn try_push(&mut self, value: T) -> Result<(), OutOfMemory> {
        self.try_reserve_oom(1)?;
        #[allow(
            clippy::disallowed_methods,
            reason = "cannot allocate: the reservation left `len < capacity`"
        )]
        self.push(value);
        Ok(())
    }

    fn try_insert(&mut self, index: usize, value: T) -> Result<(), OutOfMemory> {
        let len = self.len();
        assert!(
            index <= len,
            "insertion index (is {index}) should be <= len (is {len})"
        );
        self.try_reserve_oom(1)?;
        #[allow(
            clippy::disallowed_methods,
            reason = "cannot allocate: the reservation left `len < capacity`"
        )]
        self.insert(index, value);
        Ok(())
    }

    fn try_extend_from_slice(&mut self, items: &[T]) -> Result<(), OutOfMemory>
    where
        T: TryClone,
    {
        self.try_reserve_oom(items.len())?;
        let old_len = self.len();
        for item in items {
            match item.try_clone() {
                #[allow(
                    clippy::disallowed_methods,
                    reason = "cannot allocate: room for every item was reserved"
                )]
                Ok(clone) => self.push(clone),
                Err(oom) => {
                    self.truncate(old_len);
                    return Err(oom);
                }
            }
        }
        Ok(())
    }

    fn try_resize(&mut self, new_len: usize, value: T) -> Result<(), OutOfMemory>
    where
        T: TryClone,
    {
        let old_len = self.len();
        if new_len <= old_len {
            self.truncate(new_len);
            return Ok(());
        }
        self.try_reserve_oom(new_len - old_len)?;
        for _ in old_len + 1..new_len {
            match value.try_clone() {
                #[allow(
                    clippy::disallowed_methods,
                    reason = "cannot allocate: room for `new_len` elements was reserved"
                )]
                Ok(clone) => self.push(clone),
                Err(oom) => {
                    self.truncate(old_len);
                    return Err(oom);
                }
            }
        }
        #[allow(
            clippy::disallowed_methods,
            reason = "cannot allocate: room for `new_len` elements was reserved"
        )]
        self.push(value);
        Ok(())
    }
}

/// Fallible growing methods for [`String`].
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::StringExt;
///
/// let mut s = String::try_with_capacity_oom(8)?;
/// s.try_push_str("hi")?;
/// s.try_push('!')?;
/// assert_eq!(s, "hi!");
/// # wasmtime_error::Ok(())
/// ```
pub trait StringExt: Sized {
    /// `String::with_capacity`, fallible.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::StringExt;
    ///
    /// assert!(String::try_with_capacity_oom(16)?.capacity() >= 16);
    /// assert!(String::try_with_capacity_oom(usize::MAX).is_err());
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_with_capacity_oom(capacity: usize) -> Result<Self, OutOfMemory>;

    /// `String::reserve`, fallible: room for at least `additional` more
    /// bytes, grown amortised.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::StringExt;
    ///
    /// let mut s = String::new();
    /// s.try_reserve_oom(5)?;
    /// assert!(s.capacity() >= 5);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_reserve_oom(&mut self, additional: usize) -> Result<(), OutOfMemory>;

    /// `String::push`, fallible.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::StringExt;
    ///
    /// let mut s = String::new();
    /// s.try_push('é')?;
    /// assert_eq!(s, "é");
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_push(&mut self, c: char) -> Result<(), OutOfMemory>;

    /// `String::push_str`, fallible.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::StringExt;
    ///
    /// let mut s = String::from("a");
    /// s.try_push_str("bc")?;
    /// assert_eq!(s, "abc");
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_push_str(&mut self, s: &str) -> Result<(), OutOfMemory>;
}

impl StringExt for String {
    fn try_with_capacity_oom(capacity: usize) -> Result<Self, OutOfMemory> {
        let mut string = String::new();
        fallible(|| string.try_reserve_exact(capacity)).map_err(|_| OutOfMemory::new(capacity))?;
        Ok(string)
    }

    #[inline]
    fn try_reserve_oom(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        let (capacity, len) = (self.capacity(), self.len());
        reserve_amortized(capacity, len, additional, 1, |n| self.try_reserve_exact(n))
    }

    #[inline]
    fn try_push(&mut self, c: char) -> Result<(), OutOfMemory> {
        self.try_reserve_oom(c.len_utf8())?;
        #[allow(
            clippy::disallowed_methods,
            reason = "cannot allocate: the reservation made room for the encoding"
        )]
        self.push(c);
        Ok(())
    }

    #[inline]
    fn try_push_str(&mut self, s: &str) -> Result<(), OutOfMemory> {
        self.try_reserve_oom(s.len())?;
        #[allow(
            clippy::disallowed_methods,
            reason = "cannot allocate: the reservation made room for `s`"
        )]
        self.push_str(s);
        Ok(())
    }
}

/// Fallible growing methods for [`VecDeque`].
///
/// # Example
///
/// ```
/// use std::collections::VecDeque;
/// use wasmtime_error::alloc::VecDequeExt;
///
/// let mut queue = VecDeque::new();
/// queue.try_push_back(2)?;
/// queue.try_push_front(1)?;
/// assert_eq!(queue, [1, 2]);
/// # wasmtime_error::Ok(())
/// ```
pub trait VecDequeExt<T> {
    /// `VecDeque::reserve`, fallible: room for at least `additional` more,
    /// grown amortised.
    ///
    /// # Example
    ///
    /// ```
    /// use std::collections::VecDeque;
    /// use wasmtime_error::alloc::VecDequeExt;
    ///
    /// let mut queue = VecDeque::<u8>::new();
    /// queue.try_reserve_oom(10)?;
    /// assert!(queue.capacity() >= 10);
    /// assert!(queue.try_reserve_oom(usize::MAX).is_err());
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_reserve_oom(&mut self, additional: usize) -> Result<(), OutOfMemory>;

    /// `VecDeque::push_back`, fallible; on failure `value` is dropped.
    ///
    /// # Example
    ///
    /// ```
    /// use std::collections::VecDeque;
    /// use wasmtime_error::alloc::VecDequeExt;
    ///
    /// let mut queue = VecDeque::from([1]);
    /// queue.try_push_back(2)?;
    /// assert_eq!(queue.back(), Some(&2));
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_push_back(&mut self, value: T) -> Result<(), OutOfMemory>;

    /// `VecDeque::push_front`, fallible; on failure `value` is dropped.
    ///
    /// # Example
    ///
    /// ```
    /// use std::collections::VecDeque;
    /// use wasmtime_error::alloc::VecDequeExt;
    ///
    /// let mut queue = VecDeque::from([1]);
    /// queue.try_push_front(0)?;
    /// assert_eq!(queue.front(), Some(&0));
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_push_front(&mut self, value: T) -> Result<(), OutOfMemory>;
}

impl<T> VecDequeExt<T> for VecDeque<T> {
    #[inline]
    fn try_reserve_oom(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        let (capacity, len) = (self.capacity(), self.len());
        reserve_amortized(capacity, len, additional, mem::size_of::<T>(), |n| {
            self.try_reserve_exact(n)
        })
    }

    #[inline]
    fn try_push_back(&mut self, value: T) -> Result<(), OutOfMemory> {
        self.try_reserve_oom(1)?;
        #[allow(
            clippy::disallowed_methods,
            reason = "cannot allocate: the reservation left `len < capacity`"
        )]
        self.push_back(value);
        Ok(())
    }

    #[inline]
    fn try_push_front(&mut self, value: T) -> Result<(), OutOfMemory> {
        self.try_reserve_oom(1)?;
        #[allow(
            clippy::disallowed_methods,
            reason = "cannot allocate: the reservation left `len < capacity`"
        )]
        self.push_front(value);
        Ok(())
    }
}
