//! [`TryHashSet`]: a `hashbrown` set whose every growing method is fallible.

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::mem;

use allocator_api2::alloc::{Allocator, Global};
use hashbrown::{DefaultHashBuilder, HashSet, hash_set};

use super::{TryClone, TryExtend, TryFromIterator, reserve_table};
use crate::OutOfMemory;

/// A hash set built on [`hashbrown::HashSet`] whose methods that may
/// allocate return `Result<_, OutOfMemory>` instead of aborting.
///
/// A failing method leaves the set as it was, except `try_extend` from an
/// iterator whose size hint is too low: it inserts one value at a time, and
/// the values inserted before the failure stay. It converts to and from the
/// `hashbrown::HashSet` it wraps without reallocating.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryHashSet;
///
/// let mut seen = TryHashSet::new();
/// assert!(seen.insert("a")?);
/// assert!(!seen.insert("a")?);
/// assert!(seen.contains("a"));
/// assert!(seen.reserve(usize::MAX).is_err());
/// assert_eq!(seen.len(), 1);
/// # wasmtime_error::Ok(())
/// ```
pub struct TryHashSet<T, S = DefaultHashBuilder, A: Allocator = Global> {
    inner: HashSet<T, S, A>,
}

impl<T> TryHashSet<T> {
    /// An empty set with the default hasher; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// assert_eq!(TryHashSet::<u8>::new().capacity(), 0);
    /// ```
    #[inline]
    pub fn new() -> Self {
        Self::with_hasher_in(DefaultHashBuilder::default(), Global)
    }

    /// An empty set with room for at least `capacity` values.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// assert!(TryHashSet::<u8>::with_capacity(9)?.capacity() >= 9);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn with_capacity(capacity: usize) -> Result<Self, OutOfMemory>
    where
        T: Eq + Hash,
    {
        let mut set = Self::new();
        set.reserve(capacity)?;
        Ok(set)
    }
}

impl<T, A: Allocator> TryHashSet<T, DefaultHashBuilder, A> {
    /// An empty set in `alloc`; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryHashSet};
    ///
    /// let budget = Budget::new(0);
    /// let mut set = TryHashSet::new_in(&budget);
    /// assert!(set.insert(1).is_err());
    /// ```
    #[inline]
    pub fn new_in(alloc: A) -> Self {
        Self::with_hasher_in(DefaultHashBuilder::default(), alloc)
    }
}

impl<T, S, A: Allocator> TryHashSet<T, S, A> {
    /// An empty set in `alloc` that hashes with `hasher`; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use wasmtime_error::alloc::{Global, TryHashSet};
    ///
    /// let mut set = TryHashSet::with_hasher_in(RandomState::new(), Global);
    /// set.insert(1)?;
    /// assert!(set.contains(&1));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub const fn with_hasher_in(hasher: S, alloc: A) -> Self {
        TryHashSet {
            inner: HashSet::with_hasher_in(hasher, alloc),
        }
    }

    /// The number of values.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// set.insert(1)?;
    /// assert_eq!(set.len(), 1);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the set is empty.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// assert!(TryHashSet::<u8>::new().is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// How many values fit without reallocating.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// set.insert(1)?;
    /// assert!(set.capacity() >= 1);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// An iterator over the values, in arbitrary order.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// set.insert(2)?;
    /// set.insert(3)?;
    /// assert_eq!(set.iter().sum::<i32>(), 5);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn iter(&self) -> hash_set::Iter<'_, T> {
        self.inner.iter()
    }

    /// Removes every value, keeping the allocation.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// set.insert(1)?;
    /// set.clear();
    /// assert!(set.is_empty());
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// Keeps only the values for which `keep` returns `true`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// for i in 0..4 {
    ///     set.insert(i)?;
    /// }
    /// set.retain(|n| n % 2 == 1);
    /// assert_eq!(set.len(), 2);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.inner.retain(keep);
    }

    /// The wrapped `hashbrown` set.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// set.insert(1)?;
    /// let inner: hashbrown::HashSet<i32> = set.into_inner();
    /// assert!(inner.contains(&1));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn into_inner(self) -> HashSet<T, S, A> {
        self.inner
    }
}

impl<T, S, A> TryHashSet<T, S, A>
where
    T: Eq + Hash,
    S: BuildHasher,
    A: Allocator,
{
    /// Makes room for at least `additional` more values.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::<u8>::new();
    /// set.reserve(4)?;
    /// assert!(set.capacity() >= 4);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn reserve(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        let (len, allocation_size) = (self.inner.len(), self.inner.allocation_size());
        reserve_table(
            len,
            additional,
            mem::size_of::<T>(),
            allocation_size,
            || self.inner.try_reserve(additional),
        )
    }

    /// Adds `value`; `Ok(false)` if it was already present (the set then
    /// keeps the value it had). Like `hashbrown`'s `insert`, it first makes
    /// room for one more value. On failure the set is unchanged and `value`
    /// is dropped.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// assert_eq!(set.insert('x')?, true);
    /// assert_eq!(set.insert('x')?, false);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn insert(&mut self, value: T) -> Result<bool, OutOfMemory> {
        self.reserve(1)?;
        // Cannot allocate: the set has room for one more value.
        Ok(self.inner.insert(value))
    }

    /// Whether `value` is present.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// set.insert(String::from("a"))?;
    /// assert!(set.contains("a"));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.contains(value)
    }

    /// The stored value equal to `value`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// set.insert(5)?;
    /// assert_eq!(set.get(&5), Some(&5));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn get<Q>(&self, value: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.get(value)
    }

    /// Removes `value`; whether it was present.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// set.insert(1)?;
    /// assert!(set.remove(&1));
    /// assert!(!set.remove(&1));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn remove<Q>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.remove(value)
    }

    /// Removes and returns the stored value equal to `value`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::new();
    /// set.insert(String::from("a"))?;
    /// assert_eq!(set.take("a").as_deref(), Some("a"));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn take<Q>(&mut self, value: &Q) -> Option<T>
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.take(value)
    }
}

impl<T, S, A> TryClone for TryHashSet<T, S, A>
where
    T: Eq + Hash + TryClone,
    S: BuildHasher + Clone,
    A: Allocator + Clone,
{
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        let mut clone =
            TryHashSet::with_hasher_in(self.inner.hasher().clone(), self.inner.allocator().clone());
        clone.reserve(self.len())?;
        for value in self.iter() {
            // Cannot allocate: room for every value was reserved.
            clone.inner.insert(value.try_clone()?);
        }
        Ok(clone)
    }
}

impl<T, S, A> TryExtend<T> for TryHashSet<T, S, A>
where
    T: Eq + Hash,
    S: BuildHasher,
    A: Allocator,
{
    fn try_extend<I: IntoIterator<Item = T>>(&mut self, iter: I) -> Result<(), OutOfMemory> {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0)?;
        for value in iter {
            self.insert(value)?;
        }
        Ok(())
    }
}

impl<T, S, A> TryFromIterator<T> for TryHashSet<T, S, A>
where
    T: Eq + Hash,
    S: BuildHasher + Default,
    A: Allocator + Default,
{
    fn try_from_iter<I: IntoIterator<Item = T>>(iter: I) -> Result<Self, OutOfMemory> {
        let mut set = TryHashSet::with_hasher_in(S::default(), A::default());
        set.try_extend(iter)?;
        Ok(set)
    }
}

impl<T, S: Default> Default for TryHashSet<T, S> {
    fn default() -> Self {
        Self::with_hasher_in(S::default(), Global)
    }
}

impl<T: fmt::Debug, S, A: Allocator> fmt::Debug for TryHashSet<T, S, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<T, S, A> PartialEq for TryHashSet<T, S, A>
where
    T: Eq + Hash,
    S: BuildHasher,
    A: Allocator,
{
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl<T, S, A> Eq for TryHashSet<T, S, A>
where
    T: Eq + Hash,
    S: BuildHasher,
    A: Allocator,
{
}

impl<T, S, A: Allocator> From<HashSet<T, S, A>> for TryHashSet<T, S, A> {
    /// Wraps the set; no copy, no allocation.
    fn from(inner: HashSet<T, S, A>) -> Self {
        TryHashSet { inner }
    }
}

impl<T, S, A: Allocator> From<TryHashSet<T, S, A>> for HashSet<T, S, A> {
    /// Unwraps the set; no copy, no allocation.
    fn from(set: TryHashSet<T, S, A>) -> Self {
        set.inner
    }
}

impl<'a, T, S, A: Allocator> IntoIterator for &'a TryHashSet<T, S, A> {
    type Item = &'a T;
    type IntoIter = hash_set::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.inner.iter()
    }
}

impl<T, S, A: Allocator> IntoIterator for TryHashSet<T, S, A> {
    type Item = T;
    type IntoIter = hash_set::IntoIter<T, A>;

    fn into_iter(self) -> Self::IntoIter {
        self.inner.into_iter()
    }
}

// Constructors that reserve room in a given allocator or with a given
// hasher, `drain` and `extract_if`: the rest of hashbrown's API, fallible
// where it allocates.

impl<T, A> TryHashSet<T, DefaultHashBuilder, A>
where
    T: Eq + Hash,
    A: Allocator,
{
    /// An empty set in `alloc` with room for at least `capacity` values.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryHashSet};
    ///
    /// let budget = Budget::new(1024);
    /// let set = TryHashSet::<u64, _, _>::with_capacity_in(7, &budget)?;
    /// assert!(set.capacity() >= 7);
    /// assert!(budget.used() > 0);
    /// assert!(TryHashSet::<u64, _, _>::with_capacity_in(1000, &budget).is_err());
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn with_capacity_in(capacity: usize, alloc: A) -> Result<Self, OutOfMemory> {
        Self::with_capacity_and_hasher_in(capacity, DefaultHashBuilder::default(), alloc)
    }
}

impl<T, S> TryHashSet<T, S>
where
    T: Eq + Hash,
    S: BuildHasher,
{
    /// An empty set that hashes with `hasher`, with room for at least
    /// `capacity` values.
    ///
    /// # Example
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use wasmtime_error::alloc::TryHashSet;
    ///
    /// let mut set = TryHashSet::with_capacity_and_hasher(2, RandomState::new())?;
    /// let capacity = set.capacity();
    /// set.insert('a')?;
    /// set.insert('b')?;
    /// assert_eq!(set.capacity(), capacity);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Result<Self, OutOfMemory> {
        Self::with_capacity_and_hasher_in(capacity, hasher, Global)
    }
}

impl<T, S, A> TryHashSet<T, S, A>
where
    T: Eq + Hash,
    S: BuildHasher,
    A: Allocator,
{
    /// An empty set in `alloc` that hashes with `hasher`, with room for at
    /// least `capacity` values. A capacity too large to allocate is
    /// `Err(OutOfMemory)`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{DefaultHashBuilder, Global, TryHashSet};
    ///
    /// let set =
    ///     TryHashSet::<u8, _, _>::with_capacity_and_hasher_in(5, DefaultHashBuilder::default(), Global)?;
    /// assert!(set.capacity() >= 5);
    /// let huge = TryHashSet::<u8, _, _>::with_capacity_and_hasher_in(
    ///     usize::MAX,
    ///     DefaultHashBuilder::default(),
    ///     Global,
    /// );
    /// assert!(huge.is_err());
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn with_capacity_and_hasher_in(
        capacity: usize,
        hasher: S,
        alloc: A,
    ) -> Result<Self, OutOfMemory> {
        let mut set = Self::with_hasher_in(hasher, alloc);
        set.reserve(capacity)?;
        Ok(set)
    }
}

impl<T, S, A: Allocator> TryHashSet<T, S, A> {
    /// Removes every value and returns them as an iterator; the allocation
    /// is kept. Values the iterator has not yielded when dropped are
    /// dropped with it.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryCollect, TryHashSet, TryVec};
    ///
    /// let mut set = TryHashSet::new();
    /// set.insert(3)?;
    /// let capacity = set.capacity();
    /// assert_eq!(set.drain().try_collect::<TryVec<_>, _>()?, [3]);
    /// assert!(set.is_empty());
    /// assert_eq!(set.capacity(), capacity);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn drain(&mut self) -> hash_set::Drain<'_, T, A> {
        self.inner.drain()
    }

    /// An iterator that removes and yields the values for which `extract`
    /// returns `true`, visiting each value once; the values it has not
    /// reached when dropped stay. Never allocates.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryCollect, TryHashSet, TryVec};
    ///
    /// let mut set = TryHashSet::new();
    /// for n in 0..5 {
    ///     set.insert(n)?;
    /// }
    /// let mut small: TryVec<i32> = set.extract_if(|n| *n < 2).try_collect()?;
    /// small.sort_unstable();
    /// assert_eq!(small, [0, 1]);
    /// assert_eq!(set.len(), 3);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn extract_if<F>(&mut self, extract: F) -> hash_set::ExtractIf<'_, T, F, A>
    where
        F: FnMut(&T) -> bool,
    {
        self.inner.extract_if(extract)
    }
}
