//! [`TryVec`]: a vector whose every growing method is fallible.

use core::alloc::Layout;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop};
use core::ops::{Deref, DerefMut};
use core::ptr::{self, NonNull};
use core::slice;

use std_alloc::boxed::Box;
use std_alloc::vec::Vec;

use allocator_api2::alloc::{Allocator, Global};

use super::{TryClone, amortized_capacity, array_oom};
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
    /// Dangling (and aligned) while `cap == 0` or `T` is zero-sized;
    /// otherwise the start of an allocation from `alloc` with the layout
    /// `Layout::array::<T>(cap)`, whose first `len` elements are initialised.
    ptr: NonNull<T>,
    /// The number of elements the allocation holds; always 0 for a
    /// zero-sized `T`, which never allocates.
    cap: usize,
    len: usize,
    alloc: A,
    _owns: PhantomData<T>,
}

// SAFETY: a `TryVec` owns its elements and its allocator like a `Vec`
// does; the raw pointer is never shared outside the borrow rules.
unsafe impl<T: Send, A: Allocator + Send> Send for TryVec<T, A> {}
// SAFETY: shared access only hands out `&T` and `&A`.
unsafe impl<T: Sync, A: Allocator + Sync> Sync for TryVec<T, A> {}

const fn is_zst<T>() -> bool {
    mem::size_of::<T>() == 0
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

    /// An empty vector with room for at least `capacity` elements.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let v = TryVec::<u64>::with_capacity(10)?;
    /// assert!(v.capacity() >= 10);
    /// assert!(TryVec::<u64>::with_capacity(usize::MAX).is_err());
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn with_capacity(capacity: usize) -> Result<Self, OutOfMemory> {
        Self::with_capacity_in(capacity, Global)
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
    pub fn into_boxed_slice(mut self) -> Result<Box<[T]>, OutOfMemory> {
        self.shrink_to_fit()?;
        let vec: Vec<T> = self.into();
        // `Vec::into_boxed_slice` does not reallocate when `len == capacity`,
        // which `shrink_to_fit` just established, nor for a zero-sized `T`
        // (whose `Vec` reports capacity `usize::MAX` at any length).
        debug_assert!(is_zst::<T>() || vec.len() == vec.capacity());
        Ok(vec.into_boxed_slice())
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
            ptr: NonNull::dangling(),
            cap: 0,
            len: 0,
            alloc,
            _owns: PhantomData,
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
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let v = TryVec::from(vec![1, 2]);
    /// assert_eq!(v.len(), 2);
    /// ```
    #[inline]
    pub const fn len(&self) -> usize {
        self.len
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
    pub const fn is_empty(&self) -> bool {
        self.len == 0
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
    pub const fn capacity(&self) -> usize {
        if is_zst::<T>() { usize::MAX } else { self.cap }
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
        &self.alloc
    }

    /// The elements as a slice.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let v = TryVec::from(vec![1, 2]);
    /// assert_eq!(v.as_slice(), &[1, 2]);
    /// ```
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: `ptr` is aligned and non-null, and its first `len`
        // elements are initialised (the field invariant).
        unsafe { slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The elements as a mutable slice.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::from(vec![3, 1, 2]);
    /// v.as_mut_slice().sort();
    /// assert_eq!(v, [1, 2, 3]);
    /// ```
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as in `as_slice`, and `&mut self` makes the access unique.
        unsafe { slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// The layout of the current allocation, if there is one.
    #[inline]
    fn current_layout(&self) -> Option<Layout> {
        if is_zst::<T>() || self.cap == 0 {
            None
        } else {
            // SAFETY: this exact layout was computed successfully when the
            // allocation was made (field invariant of `cap`).
            Some(unsafe {
                Layout::from_size_align_unchecked(
                    self.cap * mem::size_of::<T>(),
                    mem::align_of::<T>(),
                )
            })
        }
    }

    /// Moves the allocation to exactly `new_cap` elements (`new_cap >= len`,
    /// `T` not zero-sized). On failure nothing changes.
    fn reallocate(&mut self, new_cap: usize) -> Result<(), OutOfMemory> {
        debug_assert!(!is_zst::<T>() && new_cap >= self.len);
        let Ok(new_layout) = Layout::array::<T>(new_cap) else {
            return Err(array_oom(new_cap, mem::size_of::<T>()));
        };
        let result = match self.current_layout() {
            None => self.alloc.allocate(new_layout),
            Some(old_layout) if new_cap > self.cap => {
                // SAFETY: `ptr` was allocated by `alloc` with `old_layout`
                // (field invariant) and `new_layout` is larger.
                unsafe { self.alloc.grow(self.ptr.cast(), old_layout, new_layout) }
            }
            Some(old_layout) if new_cap == 0 => {
                // SAFETY: `ptr` was allocated by `alloc` with `old_layout`.
                unsafe { self.alloc.deallocate(self.ptr.cast(), old_layout) };
                self.ptr = NonNull::dangling();
                self.cap = 0;
                return Ok(());
            }
            Some(old_layout) => {
                // SAFETY: `ptr` was allocated by `alloc` with `old_layout`
                // and `new_layout` is not larger.
                unsafe { self.alloc.shrink(self.ptr.cast(), old_layout, new_layout) }
            }
        };
        let new_ptr = result.map_err(|_| OutOfMemory::new(new_layout.size()))?;
        self.ptr = new_ptr.cast();
        self.cap = new_cap;
        Ok(())
    }

    /// The slow path of `reserve` and `push`: grow amortised.
    #[cold]
    #[inline(never)]
    fn grow_amortized(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        if is_zst::<T>() {
            // Only reached when `len + additional` overflows.
            return Err(OutOfMemory::new(usize::MAX));
        }
        let size = mem::size_of::<T>();
        let Some(new_cap) = amortized_capacity(self.cap, self.len, additional, size) else {
            return Err(OutOfMemory::new(usize::MAX));
        };
        self.reallocate(new_cap)
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
        if additional > self.capacity() - self.len {
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
        if additional <= self.capacity() - self.len {
            return Ok(());
        }
        match self.len.checked_add(additional) {
            Some(new_cap) if !is_zst::<T>() => self.reallocate(new_cap),
            _ => Err(OutOfMemory::new(usize::MAX)),
        }
    }

    /// Shrinks the allocation to the length. Shrinking may move the
    /// elements, so it may fail.
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
    pub fn shrink_to_fit(&mut self) -> Result<(), OutOfMemory> {
        if is_zst::<T>() || self.cap == self.len {
            return Ok(());
        }
        self.reallocate(self.len)
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
        if self.len == self.capacity() {
            self.grow_amortized(1)?;
        }
        // SAFETY: `len < capacity`, so slot `len` lies inside the allocation
        // (or is a zero-sized write) and is not initialised.
        unsafe { self.ptr.as_ptr().add(self.len).write(value) };
        self.len += 1;
        Ok(())
    }

    /// Removes and returns the last element.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::from(vec![1, 2]);
    /// assert_eq!(v.pop(), Some(2));
    /// assert_eq!(v, [1]);
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: slot `len` was initialised and is now outside the length,
        // so it is read exactly once.
        Some(unsafe { self.ptr.as_ptr().add(self.len).read() })
    }

    /// Inserts `value` at `index`, shifting the later elements right.
    ///
    /// # Panics
    ///
    /// If `index > len`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::from(vec![1, 3]);
    /// v.insert(1, 2)?;
    /// assert_eq!(v, [1, 2, 3]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn insert(&mut self, index: usize, value: T) -> Result<(), OutOfMemory> {
        let len = self.len;
        assert!(
            index <= len,
            "insertion index (is {index}) should be <= len (is {len})"
        );
        self.reserve(1)?;
        // SAFETY: `index <= len < capacity`: the shifted range
        // `index..len` moves to `index + 1..len + 1`, inside the allocation;
        // slot `index` is then written once.
        unsafe {
            let at = self.ptr.as_ptr().add(index);
            ptr::copy(at, at.add(1), len - index);
            at.write(value);
        }
        self.len = len + 1;
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
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::from(vec![1, 2, 3]);
    /// assert_eq!(v.remove(0), 1);
    /// assert_eq!(v, [2, 3]);
    /// ```
    pub fn remove(&mut self, index: usize) -> T {
        let len = self.len;
        assert!(
            index < len,
            "removal index (is {index}) should be < len (is {len})"
        );
        // SAFETY: `index < len`: slot `index` is initialised and read once,
        // then `index + 1..len` moves down over it.
        unsafe {
            let at = self.ptr.as_ptr().add(index);
            let value = at.read();
            ptr::copy(at.add(1), at, len - index - 1);
            self.len = len - 1;
            value
        }
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
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::from(vec![1, 2, 3]);
    /// assert_eq!(v.swap_remove(0), 1);
    /// assert_eq!(v, [3, 2]);
    /// ```
    pub fn swap_remove(&mut self, index: usize) -> T {
        let len = self.len;
        assert!(
            index < len,
            "swap_remove index (is {index}) should be < len (is {len})"
        );
        self.as_mut_slice().swap(index, len - 1);
        self.len = len - 1;
        // SAFETY: slot `len - 1` holds the element that was at `index`; it
        // is now outside the length and read once.
        unsafe { self.ptr.as_ptr().add(len - 1).read() }
    }

    /// Drops the elements from `len` on; does nothing if `len` is not
    /// smaller than the length.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::from(vec![1, 2, 3]);
    /// v.truncate(1);
    /// assert_eq!(v, [1]);
    /// ```
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let tail = ptr::slice_from_raw_parts_mut(
            // SAFETY: `len < self.len`, so the offset is inside the allocation.
            unsafe { self.ptr.as_ptr().add(len) },
            self.len - len,
        );
        // The length shrinks first: if a destructor panics, the rest of the
        // tail leaks rather than being dropped twice.
        self.len = len;
        // SAFETY: the tail was initialised and is now outside the length.
        unsafe { ptr::drop_in_place(tail) };
    }

    /// Drops every element, keeping the allocation.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::from(vec![1, 2, 3]);
    /// v.clear();
    /// assert!(v.is_empty());
    /// assert!(v.capacity() >= 3);
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Keeps only the elements for which `keep` returns `true`, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::from(vec![1, 2, 3, 4]);
    /// v.retain(|n| n % 2 == 0);
    /// assert_eq!(v, [2, 4]);
    /// ```
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let len = self.len;
        // While the loop runs the vector claims no element: if `keep` or a
        // destructor panics, the elements not yet moved leak instead of
        // being dropped twice.
        self.len = 0;
        let base = self.ptr.as_ptr();
        let mut kept = 0;
        for i in 0..len {
            // SAFETY: `i < len`: slot `i` is initialised and not yet moved.
            let slot = unsafe { base.add(i) };
            // SAFETY: as above; the reference ends before the slot moves.
            if keep(unsafe { &*slot }) {
                if kept != i {
                    // SAFETY: `kept < i`: slot `kept` was vacated (moved or
                    // dropped) earlier; the element moves there once.
                    unsafe { ptr::copy_nonoverlapping(slot, base.add(kept), 1) };
                }
                kept += 1;
            } else {
                // SAFETY: slot `i` is initialised and dropped once.
                unsafe { ptr::drop_in_place(slot) };
            }
            self.len = kept;
        }
    }

    /// Appends clones of every element of `items`. The room is reserved
    /// first and a failing clone truncates back, so on failure the vector
    /// is unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::from(vec![String::from("a")]);
    /// v.extend_from_slice(&[String::from("b"), String::from("c")])?;
    /// assert_eq!(v, ["a", "b", "c"]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn extend_from_slice(&mut self, items: &[T]) -> Result<(), OutOfMemory>
    where
        T: TryClone,
    {
        self.reserve(items.len())?;
        let old_len = self.len;
        for item in items {
            match item.try_clone() {
                // SAFETY: the reservation above made room for every item.
                Ok(clone) => unsafe { self.push_within_capacity(clone) },
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
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut v = TryVec::from(vec![1]);
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
        let old_len = self.len;
        if new_len <= old_len {
            self.truncate(new_len);
            return Ok(());
        }
        self.reserve(new_len - old_len)?;
        for _ in old_len + 1..new_len {
            match value.try_clone() {
                // SAFETY: the reservation made room for `new_len` elements.
                Ok(clone) => unsafe { self.push_within_capacity(clone) },
                Err(oom) => {
                    self.truncate(old_len);
                    return Err(oom);
                }
            }
        }
        // SAFETY: as above; this is element `new_len - 1`.
        unsafe { self.push_within_capacity(value) };
        Ok(())
    }

    /// Appends a copy of `items` with one reservation and one memory copy.
    pub(crate) fn extend_from_copy_slice(&mut self, items: &[T]) -> Result<(), OutOfMemory>
    where
        T: Copy,
    {
        self.reserve(items.len())?;
        // SAFETY: the reservation made room for `items.len()` elements after
        // `len`; a shared `items` cannot overlap the unused tail we own.
        unsafe {
            ptr::copy_nonoverlapping(items.as_ptr(), self.ptr.as_ptr().add(self.len), items.len());
        }
        self.len += items.len();
        Ok(())
    }

    /// Appends `value` into room reserved earlier.
    ///
    /// # Safety
    ///
    /// `len < capacity`.
    #[inline]
    pub(crate) unsafe fn push_within_capacity(&mut self, value: T) {
        debug_assert!(self.len < self.capacity());
        // SAFETY: slot `len` is inside the allocation per the caller.
        unsafe { self.ptr.as_ptr().add(self.len).write(value) };
        self.len += 1;
    }

    /// Splits into raw parts; the caller takes over the allocation.
    fn into_raw_parts(self) -> (NonNull<T>, usize, usize, A) {
        let this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the allocator
        // is moved out exactly once.
        let alloc = unsafe { ptr::read(&this.alloc) };
        (this.ptr, this.len, this.cap, alloc)
    }
}

/// Frees an allocation when dropped, so that it is freed even when an
/// element's destructor panics.
struct Deallocate<'a, A: Allocator> {
    alloc: &'a A,
    ptr: NonNull<u8>,
    /// `None` when there is no allocation to free.
    layout: Option<Layout>,
}

impl<A: Allocator> Drop for Deallocate<'_, A> {
    fn drop(&mut self) {
        if let Some(layout) = self.layout {
            // SAFETY: whoever built this guard took `ptr` and `layout` from a
            // live allocation of `alloc` that nothing else frees.
            unsafe { self.alloc.deallocate(self.ptr, layout) };
        }
    }
}

impl<T, A: Allocator> Drop for TryVec<T, A> {
    fn drop(&mut self) {
        // Frees the allocation, made by `alloc` with this layout (field
        // invariant), after the elements, even if one of them panics.
        let _free = Deallocate {
            alloc: &self.alloc,
            ptr: self.ptr.cast(),
            layout: self.current_layout(),
        };
        let elements = ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), self.len);
        // SAFETY: the first `len` elements are initialised and dropped once.
        unsafe { ptr::drop_in_place(elements) };
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
        let mut vec = ManuallyDrop::new(vec);
        let len = vec.len();
        let cap = if is_zst::<T>() { 0 } else { vec.capacity() };
        // SAFETY: `Vec::as_mut_ptr` is never null.
        let ptr = unsafe { NonNull::new_unchecked(vec.as_mut_ptr()) };
        // The allocation came from the global allocator with the layout
        // `Layout::array::<T>(cap)`, which is what `Global` deallocates: the
        // field invariants hold.
        TryVec {
            ptr,
            cap,
            len,
            alloc: Global,
            _owns: PhantomData,
        }
    }
}

impl<T> From<TryVec<T>> for Vec<T> {
    /// Hands the allocation over to a `Vec`; no copy, no allocation.
    fn from(vec: TryVec<T>) -> Self {
        let (ptr, len, cap, Global) = vec.into_raw_parts();
        // A `Vec` of a zero-sized type reports (and expects) capacity `usize::MAX`.
        let cap = if is_zst::<T>() { usize::MAX } else { cap };
        // SAFETY: `Global` allocates through the global allocator with the
        // layout `Layout::array::<T>(cap)` (or not at all while `cap == 0`,
        // leaving an aligned dangling pointer), which is what `Vec` expects;
        // the first `len` elements are initialised.
        unsafe { Vec::from_raw_parts(ptr.as_ptr(), len, cap) }
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
        let (ptr, len, cap, alloc) = self.into_raw_parts();
        IntoIter {
            ptr,
            cap,
            alloc,
            front: 0,
            back: len,
            _owns: PhantomData,
        }
    }
}

/// The owning iterator of a [`TryVec`], from [`TryVec::into_iter`]; frees
/// the allocation when dropped.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryVec;
///
/// let v = TryVec::from(vec![String::from("a"), String::from("b")]);
/// let mut iter = v.into_iter();
/// assert_eq!(iter.next_back().as_deref(), Some("b"));
/// assert_eq!(iter.len(), 1);
/// ```
pub struct IntoIter<T, A: Allocator = Global> {
    /// The allocation of the vector (same invariants as `TryVec::ptr`),
    /// whose elements `front..back` are initialised and not yet yielded.
    ptr: NonNull<T>,
    cap: usize,
    alloc: A,
    front: usize,
    back: usize,
    _owns: PhantomData<T>,
}

// SAFETY: as for `TryVec`.
unsafe impl<T: Send, A: Allocator + Send> Send for IntoIter<T, A> {}
// SAFETY: as for `TryVec`.
unsafe impl<T: Sync, A: Allocator + Sync> Sync for IntoIter<T, A> {}

impl<T, A: Allocator> IntoIter<T, A> {
    /// The elements not yet yielded.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    ///
    /// let mut iter = TryVec::from(vec![1, 2, 3]).into_iter();
    /// iter.next();
    /// assert_eq!(iter.as_slice(), &[2, 3]);
    /// ```
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: `front..back` is initialised (field invariant).
        unsafe { slice::from_raw_parts(self.ptr.as_ptr().add(self.front), self.back - self.front) }
    }
}

impl<T, A: Allocator> Iterator for IntoIter<T, A> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        // SAFETY: slot `front - 1` was initialised and not yielded; it leaves
        // the live range before it is read, so it is read once.
        Some(unsafe { self.ptr.as_ptr().add(self.front - 1).read() })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.back - self.front;
        (len, Some(len))
    }
}

impl<T, A: Allocator> DoubleEndedIterator for IntoIter<T, A> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        // SAFETY: as in `next`, from the other end.
        Some(unsafe { self.ptr.as_ptr().add(self.back).read() })
    }
}

impl<T, A: Allocator> ExactSizeIterator for IntoIter<T, A> {}

impl<T, A: Allocator> core::iter::FusedIterator for IntoIter<T, A> {}

impl<T: fmt::Debug, A: Allocator> fmt::Debug for IntoIter<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IntoIter").field(&self.as_slice()).finish()
    }
}

impl<T, A: Allocator> Drop for IntoIter<T, A> {
    fn drop(&mut self) {
        let layout = if is_zst::<T>() || self.cap == 0 {
            None
        } else {
            // SAFETY: the allocation was made with this layout, which was
            // valid then (field invariant of the vector it came from).
            Some(unsafe {
                Layout::from_size_align_unchecked(
                    self.cap * mem::size_of::<T>(),
                    mem::align_of::<T>(),
                )
            })
        };
        // Frees the allocation after the elements, even if one panics.
        let _free = Deallocate {
            alloc: &self.alloc,
            ptr: self.ptr.cast(),
            layout,
        };
        let rest: *mut [T] = ptr::slice_from_raw_parts_mut(
            // SAFETY: `front <= back <= cap`: inside the allocation.
            unsafe { self.ptr.as_ptr().add(self.front) },
            self.back - self.front,
        );
        // SAFETY: the elements not yet yielded are dropped once.
        unsafe { ptr::drop_in_place(rest) };
    }
}

impl<T: TryClone, A: Allocator + Clone> TryClone for TryVec<T, A> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        let mut clone = TryVec::with_capacity_in(self.len, self.alloc.clone())?;
        clone.extend_from_slice(self)?;
        Ok(clone)
    }
}
