//! [`TryVec`]: a vector whose every growing method is fallible.
//!
//! The storage is `allocator_api2::vec::Vec`, std's vector with an allocator
//! parameter, so element moves, `retain`, `dedup`, `drain` and the panic
//! safety of each are std's. What this file adds is the fallible growth:
//! every method that may allocate reserves the room first through
//! `try_reserve`, and only then calls the inner operation, which then never
//! grows. Shrinking is the one place where that `Vec` would reallocate
//! infallibly; `shrink_to` asks the allocator itself.

use core::alloc::Layout;
use core::borrow::{Borrow, BorrowMut};
use core::fmt;
use core::hash::{Hash, Hasher};
use core::mem;
use core::num::NonZeroUsize;
use core::ops::{Deref, DerefMut, Index, IndexMut, RangeBounds};
use core::ptr::{self, NonNull};
use core::slice::{self, SliceIndex};

use std_alloc::boxed::Box;
use std_alloc::vec::Vec;

use allocator_api2::alloc::{Allocator, Global};
use allocator_api2::vec::{Drain, Vec as InnerVec};

use super::{TryClone, amortized_capacity, array_oom, fallible};
use crate::OutOfMemory;

/// A contiguous growable array, like [`Vec`], whose methods that may
/// allocate return `Result<_, OutOfMemory>` instead of aborting.
///
/// Read access goes through `Deref<Target = [T]>`, so every slice method
/// (`iter`, `get`, `first`, `binary_search`, `sort`, ...) works. A method that
/// fails leaves the vector as it was: same length, same contents. Methods
/// that take an element by value (`push`, `insert`) drop it when they fail.
///
/// The allocator `A` comes from `allocator-api2`; with the default
/// [`Global`] a `TryVec<T>` converts to and from a `Vec<T>` without
/// reallocating.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryVec;
///
/// let mut v = TryVec::new();
/// v.push(1)?;
/// v.extend_from_slice(&[2, 3])?;
/// v.insert(0, 0)?;
/// assert_eq!(v, [0, 1, 2, 3]);
/// assert_eq!(v.iter().sum::<i32>(), 6);
///
/// // Asking for the impossible is an error, not an abort.
/// let oom = v.reserve(usize::MAX).unwrap_err();
/// assert_eq!(oom.requested_allocation_size(), isize::MAX as usize);
/// assert_eq!(v, [0, 1, 2, 3]);
///
/// let std: Vec<i32> = v.into();
/// assert_eq!(std, [0, 1, 2, 3]);
/// # wasmtime_error::Ok(())
/// ```
pub struct TryVec<T, A: Allocator = Global> {
    /// Grows only through `try_reserve` and `try_reserve_exact`: its other
    /// growing methods (`push`, `insert`, `extend`, ...) are called only
    /// once the room is reserved, so they never reallocate (and never
    /// abort); its shrinking methods are not called at all.
    inner: InnerVec<T, A>,
}

impl<T> TryVec<T> {
    /// An empty vector in the global allocator; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let v: TryVec<u8> = TryVec::new();
    /// assert!(v.is_empty());
    /// assert_eq!(v.capacity(), 0);
    /// ```
    #[inline]
    pub const fn new() -> Self {
        Self::new_in(Global)
    }

    /// An empty vector with room for exactly `capacity` elements.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let v = TryVec::<u64>::with_capacity(10)?;
    /// assert_eq!(v.capacity(), 10);
    /// assert!(TryVec::<u64>::with_capacity(usize::MAX).is_err());
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn with_capacity(capacity: usize) -> Result<Self, OutOfMemory> {
        Self::with_capacity_in(capacity, Global)
    }

    /// A vector of `len` copies of `elem`: `len - 1` clones, then `elem`
    /// itself, in one allocation of exactly `len` elements. On failure
    /// everything made so far is dropped.
    ///
    /// # Example
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let v = TryVec::from_elem(7u8, NonZeroUsize::new(3).unwrap())?;
    /// assert_eq!(v, [7, 7, 7]);
    /// assert_eq!(v.capacity(), 3);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn from_elem(elem: T, len: NonZeroUsize) -> Result<Self, OutOfMemory>
    where
        T: TryClone,
    {
        let mut vec = Self::with_capacity(len.get())?;
        vec.resize(len.get(), elem)?;
        Ok(vec)
    }

    /// Moves the elements into a boxed slice, first shrinking the
    /// allocation to the length (which may itself fail).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::with_capacity(8)?;
    /// v.extend_from_slice(b"abc")?;
    /// let boxed: Box<[u8]> = v.into_boxed_slice()?;
    /// assert_eq!(&*boxed, b"abc");
    /// # wasmtime_error::Ok(())
    /// ```
    #[allow(
        clippy::disallowed_methods,
        reason = "`into_boxed_slice` after `shrink_to_fit` cannot reallocate"
    )]
    pub fn into_boxed_slice(mut self) -> Result<Box<[T]>, OutOfMemory> {
        self.shrink_to_fit()?;
        // `Vec::into_boxed_slice` reallocates only when the capacity
        // exceeds the length, which `shrink_to_fit` just ruled out (a
        // zero-sized `T` never allocates at all).
        Ok(Vec::from(self).into_boxed_slice())
    }

    /// Splits the vector into its pointer, length and capacity; the caller
    /// takes over the allocation (the global allocator's, with the layout
    /// `Layout::array::<T>(capacity)`). [`TryVec::from_raw_parts`] puts it
    /// back together.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    /// use wasmtime_error::try_vec;
    ///
    /// let v = try_vec![1u32, 2, 3]?;
    /// let (ptr, len, capacity) = v.into_raw_parts();
    /// // SAFETY: the parts come straight from `into_raw_parts`.
    /// let v = unsafe { TryVec::from_raw_parts(ptr, len, capacity) };
    /// assert_eq!(v, [1, 2, 3]);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn into_raw_parts(self) -> (*mut T, usize, usize) {
        self.inner.into_raw_parts()
    }

    /// A vector from the parts [`TryVec::into_raw_parts`] (or
    /// `Vec::into_raw_parts`) returned.
    ///
    /// # Safety
    ///
    /// The same contract as [`Vec::from_raw_parts`]: unless `capacity` is 0
    /// or `T` is zero-sized, `ptr` was allocated by the global allocator
    /// with the layout `Layout::array::<T>(capacity)` and nothing else owns
    /// it; otherwise `ptr` is non-null and aligned. `length <= capacity`,
    /// and the first `length` elements are initialised values of `T`.
    ///
    /// # Example
    ///
    /// ```
    /// use std::mem::ManuallyDrop;
    /// use wasmtime_error::alloc::{TryVec, VecExt};
    ///
    /// let mut std = Vec::new();
    /// std.try_push("a")?;
    /// let mut std = ManuallyDrop::new(std);
    /// // SAFETY: the parts of a `Vec` that is never dropped.
    /// let v = unsafe { TryVec::from_raw_parts(std.as_mut_ptr(), std.len(), std.capacity()) };
    /// assert_eq!(v, ["a"]);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub unsafe fn from_raw_parts(ptr: *mut T, length: usize, capacity: usize) -> Self {
        TryVec {
            // SAFETY: `Global` is the global allocator, so the caller's
            // promises are what `from_raw_parts_in` asks for.
            inner: unsafe { InnerVec::from_raw_parts_in(ptr, length, capacity, Global) },
        }
    }
}

impl<T, A: Allocator> TryVec<T, A> {
    /// An empty vector in `alloc`; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryVec};
    ///
    /// let budget = Budget::new(64);
    /// let mut v = TryVec::new_in(&budget);
    /// v.push(7u32)?;
    /// assert_eq!(budget.used(), 16); // room for 4 `u32`s
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub const fn new_in(alloc: A) -> Self {
        TryVec {
            inner: InnerVec::new_in(alloc),
        }
    }

    /// An empty vector in `alloc` with room for exactly `capacity` elements.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryVec};
    ///
    /// let budget = Budget::new(100);
    /// assert!(TryVec::<u8, _>::with_capacity_in(100, &budget).is_ok());
    /// let oom = TryVec::<u8, _>::with_capacity_in(101, &budget).unwrap_err();
    /// assert_eq!(oom.requested_allocation_size(), 101);
    /// ```
    #[inline]
    pub fn with_capacity_in(capacity: usize, alloc: A) -> Result<Self, OutOfMemory> {
        let mut vec = Self::new_in(alloc);
        vec.reserve_exact(capacity)?;
        Ok(vec)
    }

    /// The number of elements.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let v = try_vec![1, 2]?;
    /// assert_eq!(v.len(), 2);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the vector has no elements.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// assert!(TryVec::<u8>::new().is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// How many elements fit without reallocating (`usize::MAX` for a
    /// zero-sized `T`).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::<u16>::new();
    /// v.reserve_exact(3)?;
    /// assert_eq!(v.capacity(), 3);
    /// assert_eq!(TryVec::<()>::new().capacity(), usize::MAX);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// The allocator the vector allocates from.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryVec};
    ///
    /// let budget = Budget::new(1024);
    /// let v = TryVec::<u8, _>::with_capacity_in(10, &budget)?;
    /// assert_eq!(v.allocator().used(), 10);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn allocator(&self) -> &A {
        self.inner.allocator()
    }

    /// The elements as a slice.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let v = try_vec![1, 2]?;
    /// assert_eq!(v.as_slice(), &[1, 2]);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        self.inner.as_slice()
    }

    /// The elements as a mutable slice.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![3, 1, 2]?;
    /// v.as_mut_slice().sort_unstable();
    /// assert_eq!(v, [1, 2, 3]);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.inner.as_mut_slice()
    }

    /// A raw pointer to the buffer, valid for the whole capacity (dangling
    /// while nothing is allocated). Unlike the slice method reached through
    /// `DerefMut`, it creates no reference to the elements, so pointers
    /// taken earlier stay valid.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::with_capacity(2)?;
    /// v.push(1u8)?;
    /// let ptr = v.as_mut_ptr();
    /// // SAFETY: slot 0 is initialised and inside the buffer.
    /// unsafe { *ptr = 5 };
    /// assert_eq!(v, [5]);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn as_mut_ptr(&mut self) -> *mut T {
        self.inner.as_mut_ptr()
    }

    /// The size of the request that `reserve` (when `amortized`) or
    /// `reserve_exact` makes for `additional` more elements, as the error
    /// for its failure: `usize::MAX` when the element count overflows.
    #[cold]
    #[inline(never)]
    fn reserve_error(&self, additional: usize, amortized: bool) -> OutOfMemory {
        let size = mem::size_of::<T>();
        let new_capacity = if size == 0 {
            // Zero-sized elements fail only when the count overflows.
            None
        } else if amortized {
            amortized_capacity(self.capacity(), self.len(), additional, size)
        } else {
            self.len().checked_add(additional)
        };
        match new_capacity {
            Some(capacity) => array_oom(capacity, size),
            None => OutOfMemory::new(usize::MAX),
        }
    }

    /// The slow path of `reserve`: the inner vector grows the way
    /// `amortized_capacity` says, so the error can name that size.
    #[cold]
    #[inline(never)]
    fn grow_amortized(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        fallible(|| self.inner.try_reserve(additional))
            .map_err(|_| self.reserve_error(additional, true))
    }

    /// Makes room for at least `additional` more elements, growing the
    /// capacity amortised (to at least double) when it must grow.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::<u32>::new();
    /// v.reserve(10)?;
    /// assert!(v.capacity() >= 10);
    /// let oom = v.reserve(usize::MAX / 2).unwrap_err();
    /// assert_eq!(oom.requested_allocation_size(), isize::MAX as usize);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn reserve(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        if additional > self.capacity() - self.len() {
            self.grow_amortized(additional)
        } else {
            Ok(())
        }
    }

    /// Makes room for at least `additional` more elements, asking for no
    /// more than that.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::<u32>::new();
    /// v.reserve_exact(10)?;
    /// assert_eq!(v.capacity(), 10);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn reserve_exact(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        fallible(|| self.inner.try_reserve_exact(additional))
            .map_err(|_| self.reserve_error(additional, false))
    }

    /// Shrinks the allocation to the length. Shrinking may move the
    /// elements, so it may fail; then nothing changes.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::<u8>::with_capacity(100)?;
    /// v.push(1)?;
    /// v.shrink_to_fit()?;
    /// assert_eq!(v.capacity(), 1);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn shrink_to_fit(&mut self) -> Result<(), OutOfMemory> {
        self.shrink_to(0)
    }

    /// Shrinks the allocation to `min_capacity` elements, or to the length
    /// if that is larger; does nothing if the capacity is not larger. A
    /// shrink to zero frees the allocation (and cannot fail).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::<u8>::with_capacity(100)?;
    /// v.extend_from_slice(&[1, 2])?;
    /// v.shrink_to(10)?;
    /// assert_eq!(v.capacity(), 10);
    /// v.shrink_to(0)?;
    /// assert_eq!(v.capacity(), 2);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn shrink_to(&mut self, min_capacity: usize) -> Result<(), OutOfMemory> {
        let capacity = self.capacity();
        let new_capacity = self.len().max(min_capacity);
        if mem::size_of::<T>() == 0 || new_capacity >= capacity {
            return Ok(());
        }
        // Both layouts fit: a larger one was allocated.
        let (Ok(old_layout), Ok(new_layout)) = (
            Layout::array::<T>(capacity),
            Layout::array::<T>(new_capacity),
        ) else {
            return Err(array_oom(new_capacity, mem::size_of::<T>()));
        };
        // SAFETY: a `Vec`'s pointer is never null.
        let old_ptr = unsafe { NonNull::new_unchecked(self.inner.as_mut_ptr()) }.cast::<u8>();
        let new_ptr = if new_capacity == 0 {
            // SAFETY: `capacity > 0` and `T` is not zero-sized, so the
            // buffer is an allocation of this allocator with `old_layout`
            // (the layout `Vec` allocates with), which is freed once here
            // and then replaced.
            unsafe { self.inner.allocator().deallocate(old_ptr, old_layout) };
            NonNull::dangling()
        } else {
            // SAFETY: as above, and `new_layout` is smaller with the same
            // alignment. On failure the old buffer is untouched.
            fallible(|| unsafe {
                self.inner
                    .allocator()
                    .shrink(old_ptr, old_layout, new_layout)
            })
            .map_err(|_| OutOfMemory::new(new_layout.size()))?
            .cast()
        };
        // SAFETY: the buffer moved to `new_ptr` (or was freed, and an empty
        // buffer is dangling), holds the `len <= new_capacity` elements and
        // was allocated by this allocator with `new_layout`.
        unsafe { self.replace_buffer(new_ptr, new_capacity) };
        Ok(())
    }

    /// Points the vector at another buffer, keeping its length and its
    /// allocator. Nothing here can panic, so the vector is never seen (or
    /// dropped) half-replaced.
    ///
    /// # Safety
    ///
    /// The old buffer was freed or moved; `ptr` holds the vector's
    /// elements and satisfies `Vec::from_raw_parts_in` for `capacity`.
    unsafe fn replace_buffer(&mut self, ptr: NonNull<T>, capacity: usize) {
        // SAFETY: the bitwise copy of the inner vector is consumed at once by
        // `into_raw_parts_with_alloc` (so it is never dropped), and the
        // original is overwritten without being dropped: the allocator
        // moves exactly once. `from_raw_parts_in` gets the caller's promise
        // about `ptr` and `capacity`.
        unsafe {
            let (_, len, _, alloc) = ptr::read(&self.inner).into_raw_parts_with_alloc();
            let inner = InnerVec::from_raw_parts_in(ptr.as_ptr(), len, capacity, alloc);
            ptr::write(&mut self.inner, inner);
        }
    }

    /// Appends an element. On failure the vector is unchanged and `value`
    /// is dropped.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryVec};
    ///
    /// let budget = Budget::new(8);
    /// let mut v = TryVec::new_in(&budget);
    /// for byte in 0..8u8 {
    ///     v.push(byte)?; // the first push reserved 8 bytes
    /// }
    /// let oom = v.push(8).unwrap_err();
    /// assert_eq!(oom.requested_allocation_size(), 16);
    /// assert_eq!(v.len(), 8);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn push(&mut self, value: T) -> Result<(), OutOfMemory> {
        match self.inner.push_within_capacity(value) {
            Ok(()) => Ok(()),
            Err(value) => self.grow_and_push(value),
        }
    }

    /// The slow path of `push`: full, so grow first. Kept out of line so
    /// that `push` stays small enough to inline into its callers' loops.
    #[cold]
    #[inline(never)]
    fn grow_and_push(&mut self, value: T) -> Result<(), OutOfMemory> {
        if fallible(|| self.inner.try_reserve(1)).is_err() {
            return Err(self.reserve_error(1, true));
        }
        self.inner.push(value);
        Ok(())
    }

    /// Removes and returns the last element.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1, 2]?;
    /// assert_eq!(v.pop(), Some(2));
    /// assert_eq!(v, [1]);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        self.inner.pop()
    }

    /// Inserts `value` at `index`, shifting the later elements right.
    ///
    /// # Panics
    ///
    /// If `index > len` (before allocating anything).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1, 3]?;
    /// v.insert(1, 2)?;
    /// assert_eq!(v, [1, 2, 3]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn insert(&mut self, index: usize, value: T) -> Result<(), OutOfMemory> {
        let len = self.len();
        assert!(
            index <= len,
            "insertion index (is {index}) should be <= len (is {len})"
        );
        // `push` then a rotation by one is `Vec::insert`'s single memory
        // move, with `push`'s out-of-line growth.
        self.push(value)?;
        self.inner[index..].rotate_right(1);
        Ok(())
    }

    /// Removes and returns the element at `index`, shifting the later
    /// elements left.
    ///
    /// # Panics
    ///
    /// If `index >= len`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1, 2, 3]?;
    /// assert_eq!(v.remove(0), 1);
    /// assert_eq!(v, [2, 3]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn remove(&mut self, index: usize) -> T {
        self.inner.remove(index)
    }

    /// Removes and returns the element at `index`, moving the last element
    /// into its place.
    ///
    /// # Panics
    ///
    /// If `index >= len`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1, 2, 3]?;
    /// assert_eq!(v.swap_remove(0), 1);
    /// assert_eq!(v, [3, 2]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn swap_remove(&mut self, index: usize) -> T {
        self.inner.swap_remove(index)
    }

    /// Drops the elements from `len` on; does nothing if `len` is not
    /// smaller than the length.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1, 2, 3]?;
    /// v.truncate(1);
    /// assert_eq!(v, [1]);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn truncate(&mut self, len: usize) {
        self.inner.truncate(len);
    }

    /// Drops every element, keeping the allocation.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1, 2, 3]?;
    /// v.clear();
    /// assert!(v.is_empty());
    /// assert!(v.capacity() >= 3);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// Keeps only the elements for which `keep` returns `true`, in order.
    ///
    /// If `keep` (or a destructor) panics, the vector keeps what `Vec`
    /// keeps: the elements kept so far and those not yet visited; each
    /// other element is dropped exactly once.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1, 2, 3, 4]?;
    /// v.retain(|n| n % 2 == 0);
    /// assert_eq!(v, [2, 4]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn retain<F>(&mut self, keep: F)
    where
        F: FnMut(&T) -> bool,
    {
        self.inner.retain(keep);
    }

    /// Like [`TryVec::retain`], with mutable access to each element.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1, 2, 3, 4]?;
    /// v.retain_mut(|n| {
    ///     *n *= 10;
    ///     *n > 20
    /// });
    /// assert_eq!(v, [30, 40]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn retain_mut<F>(&mut self, keep: F)
    where
        F: FnMut(&mut T) -> bool,
    {
        self.inner.retain_mut(keep);
    }

    /// Removes consecutive elements for which `same_bucket(later, earlier)`
    /// is `true`, keeping the first of each run. Panics in `same_bucket`
    /// leave the vector as `Vec` leaves it: no element lost or dropped
    /// twice.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec!["a", "A", "b", "a"]?;
    /// v.dedup_by(|later, earlier| later.eq_ignore_ascii_case(earlier));
    /// assert_eq!(v, ["a", "b", "a"]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn dedup_by<F>(&mut self, same_bucket: F)
    where
        F: FnMut(&mut T, &mut T) -> bool,
    {
        self.inner.dedup_by(same_bucket);
    }

    /// Removes consecutive elements with the same `key`, keeping the first
    /// of each run.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![10, 11, 20, 12]?;
    /// v.dedup_by_key(|n| *n / 10);
    /// assert_eq!(v, [10, 20, 12]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn dedup_by_key<F, K>(&mut self, key: F)
    where
        F: FnMut(&mut T) -> K,
        K: PartialEq,
    {
        self.inner.dedup_by_key(key);
    }

    /// Removes the elements in `range` and returns them as an iterator;
    /// whatever the iterator does not yield is dropped with it. Keeps the
    /// allocation.
    ///
    /// # Panics
    ///
    /// If the range starts after it ends or ends past the length.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryCollect, TryVec};
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1, 2, 3, 4]?;
    /// let middle: TryVec<i32> = v.drain(1..3).try_collect()?;
    /// assert_eq!(middle, [2, 3]);
    /// assert_eq!(v, [1, 4]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn drain<R>(&mut self, range: R) -> Drain<'_, T, A>
    where
        R: RangeBounds<usize>,
    {
        self.inner.drain(range)
    }

    /// Appends clones of every element of `items`. The room is reserved
    /// first and a failing clone truncates back, so on failure the vector
    /// is unchanged. (A clone that panics leaves the clones made so far
    /// in the vector, as `Vec::extend_from_slice` does.)
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec!["a"]?;
    /// v.extend_from_slice(&["b", "c"])?;
    /// assert_eq!(v, ["a", "b", "c"]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn extend_from_slice(&mut self, items: &[T]) -> Result<(), OutOfMemory>
    where
        T: TryClone,
    {
        self.reserve(items.len())?;
        let old_len = self.len();
        for item in items {
            match item.try_clone() {
                // Within the reservation: does not reallocate.
                Ok(clone) => self.inner.push(clone),
                Err(oom) => {
                    self.truncate(old_len);
                    return Err(oom);
                }
            }
        }
        Ok(())
    }

    /// Resizes to `new_len`: truncates, or appends clones of `value` (the
    /// last one is `value` itself). On failure the vector is unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1]?;
    /// v.resize(3, 0)?;
    /// assert_eq!(v, [1, 0, 0]);
    /// v.resize(1, 0)?;
    /// assert_eq!(v, [1]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn resize(&mut self, new_len: usize, value: T) -> Result<(), OutOfMemory>
    where
        T: TryClone,
    {
        let old_len = self.len();
        if new_len <= old_len {
            self.truncate(new_len);
            return Ok(());
        }
        self.reserve(new_len - old_len)?;
        for _ in old_len + 1..new_len {
            match value.try_clone() {
                // Within the reservation: does not reallocate.
                Ok(clone) => self.inner.push(clone),
                Err(oom) => {
                    self.truncate(old_len);
                    return Err(oom);
                }
            }
        }
        self.inner.push(value);
        Ok(())
    }

    /// Resizes to `new_len`: truncates, or appends what `f` returns, called
    /// once per new element. The room is reserved before `f` is first
    /// called, so on failure nothing changed and `f` was not called.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::new();
    /// let mut next = 0;
    /// v.resize_with(3, || {
    ///     next += 1;
    ///     next
    /// })?;
    /// assert_eq!(v, [1, 2, 3]);
    /// v.resize_with(1, || unreachable!())?;
    /// assert_eq!(v, [1]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn resize_with<F>(&mut self, new_len: usize, f: F) -> Result<(), OutOfMemory>
    where
        F: FnMut() -> T,
    {
        let len = self.len();
        if new_len > len {
            self.reserve(new_len - len)?;
        }
        // Appends exactly `new_len - len` elements, within the reservation.
        self.inner.resize_with(new_len, f);
        Ok(())
    }

    /// Appends a copy of `items` with one reservation and one memory copy.
    pub(crate) fn extend_from_copy_slice(&mut self, items: &[T]) -> Result<(), OutOfMemory>
    where
        T: Copy,
    {
        self.reserve(items.len())?;
        let len = self.len();
        let spare = &mut self.inner.spare_capacity_mut()[..items.len()];
        for (slot, item) in spare.iter_mut().zip(items) {
            slot.write(*item);
        }
        // SAFETY: the reservation made room for `items.len()` elements after
        // `len`, and the loop just initialised each of them.
        unsafe { self.inner.set_len(len + items.len()) };
        Ok(())
    }
}

impl<T: PartialEq, A: Allocator> TryVec<T, A> {
    /// Removes consecutive equal elements, keeping the first of each run.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut v = try_vec![1, 1, 2, 2, 2, 1]?;
    /// v.dedup();
    /// assert_eq!(v, [1, 2, 1]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn dedup(&mut self) {
        self.inner.dedup();
    }
}

impl<T, A: Allocator> Deref for TryVec<T, A> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T, A: Allocator> DerefMut for TryVec<T, A> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T, A: Allocator> AsRef<[T]> for TryVec<T, A> {
    fn as_ref(&self) -> &[T] {
        self
    }
}

impl<T, A: Allocator> AsMut<[T]> for TryVec<T, A> {
    fn as_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T, A: Allocator> Borrow<[T]> for TryVec<T, A> {
    fn borrow(&self) -> &[T] {
        self
    }
}

impl<T, A: Allocator> BorrowMut<[T]> for TryVec<T, A> {
    fn borrow_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T, I: SliceIndex<[T]>, A: Allocator> Index<I> for TryVec<T, A> {
    type Output = I::Output;

    #[inline]
    fn index(&self, index: I) -> &I::Output {
        &self.as_slice()[index]
    }
}

impl<T, I: SliceIndex<[T]>, A: Allocator> IndexMut<I> for TryVec<T, A> {
    #[inline]
    fn index_mut(&mut self, index: I) -> &mut I::Output {
        &mut self.as_mut_slice()[index]
    }
}

impl<T, A: Allocator + Default> Default for TryVec<T, A> {
    fn default() -> Self {
        Self::new_in(A::default())
    }
}

impl<T: fmt::Debug, A: Allocator> fmt::Debug for TryVec<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl<T: Hash, A: Allocator> Hash for TryVec<T, A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl<T, U, A: Allocator, B: Allocator> PartialEq<TryVec<U, B>> for TryVec<T, A>
where
    T: PartialEq<U>,
{
    fn eq(&self, other: &TryVec<U, B>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq, A: Allocator> Eq for TryVec<T, A> {}

impl<T, U, A: Allocator> PartialEq<[U]> for TryVec<T, A>
where
    T: PartialEq<U>,
{
    fn eq(&self, other: &[U]) -> bool {
        self.as_slice() == other
    }
}

impl<T, U, A: Allocator> PartialEq<&[U]> for TryVec<T, A>
where
    T: PartialEq<U>,
{
    fn eq(&self, other: &&[U]) -> bool {
        self.as_slice() == *other
    }
}

impl<T, U, A: Allocator, const N: usize> PartialEq<[U; N]> for TryVec<T, A>
where
    T: PartialEq<U>,
{
    fn eq(&self, other: &[U; N]) -> bool {
        self.as_slice() == other
    }
}

impl<T, U, A: Allocator> PartialEq<Vec<U>> for TryVec<T, A>
where
    T: PartialEq<U>,
{
    fn eq(&self, other: &Vec<U>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: PartialOrd, A: Allocator> PartialOrd for TryVec<T, A> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        self.as_slice().partial_cmp(other.as_slice())
    }
}

impl<T: Ord, A: Allocator> Ord for TryVec<T, A> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl<T> From<Vec<T>> for TryVec<T> {
    /// Takes over the `Vec`'s allocation; no copy, no allocation.
    fn from(vec: Vec<T>) -> Self {
        let mut vec = mem::ManuallyDrop::new(vec);
        // SAFETY: the parts of a `Vec` that is never used or dropped again;
        // `Vec` allocates through the global allocator with the layout
        // `Layout::array::<T>(capacity)`.
        unsafe { TryVec::from_raw_parts(vec.as_mut_ptr(), vec.len(), vec.capacity()) }
    }
}

impl<T> From<TryVec<T>> for Vec<T> {
    /// Hands the allocation over to a `Vec`; no copy, no allocation.
    fn from(vec: TryVec<T>) -> Self {
        let (ptr, len, capacity) = vec.into_raw_parts();
        // SAFETY: `Global` allocates through the global allocator with the
        // layout `Layout::array::<T>(capacity)`, as `Vec` does, and the
        // parts are handed over once.
        unsafe { Vec::from_raw_parts(ptr, len, capacity) }
    }
}

impl<T> From<Box<[T]>> for TryVec<T> {
    /// Takes over the box's allocation; no copy, no allocation.
    fn from(boxed: Box<[T]>) -> Self {
        TryVec::from(boxed.into_vec())
    }
}

impl<'a, T, A: Allocator> IntoIterator for &'a TryVec<T, A> {
    type Item = &'a T;
    type IntoIter = slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T, A: Allocator> IntoIterator for &'a mut TryVec<T, A> {
    type Item = &'a mut T;
    type IntoIter = slice::IterMut<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<T, A: Allocator> IntoIterator for TryVec<T, A> {
    type Item = T;
    type IntoIter = IntoIter<T, A>;

    fn into_iter(self) -> IntoIter<T, A> {
        IntoIter(self.inner.into_iter())
    }
}

/// The owning iterator of a [`TryVec`], from [`TryVec::into_iter`]; frees
/// the allocation when dropped.
///
/// # Example
///
/// ```
/// use wasmtime_error::try_vec;
///
/// let v = try_vec!["a", "b"]?;
/// let mut iter = v.into_iter();
/// assert_eq!(iter.next_back(), Some("b"));
/// assert_eq!(iter.len(), 1);
/// # wasmtime_error::Ok(())
/// ```
pub struct IntoIter<T, A: Allocator = Global>(allocator_api2::vec::IntoIter<T, A>);

impl<T, A: Allocator> IntoIter<T, A> {
    /// The elements not yet yielded.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::try_vec;
    ///
    /// let mut iter = try_vec![1, 2, 3]?.into_iter();
    /// iter.next();
    /// assert_eq!(iter.as_slice(), &[2, 3]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn as_slice(&self) -> &[T] {
        self.0.as_slice()
    }
}

impl<T, A: Allocator> Iterator for IntoIter<T, A> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        self.0.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<T, A: Allocator> DoubleEndedIterator for IntoIter<T, A> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        self.0.next_back()
    }
}

impl<T, A: Allocator> ExactSizeIterator for IntoIter<T, A> {}

impl<T, A: Allocator> core::iter::FusedIterator for IntoIter<T, A> {}

impl<T: fmt::Debug, A: Allocator> fmt::Debug for IntoIter<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IntoIter").field(&self.as_slice()).finish()
    }
}

impl<T: TryClone, A: Allocator + Clone> TryClone for TryVec<T, A> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        let mut clone = TryVec::with_capacity_in(self.len(), self.allocator().clone())?;
        clone.extend_from_slice(self)?;
        Ok(clone)
    }
}
