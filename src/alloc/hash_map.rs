//! [`TryHashMap`]: a `hashbrown` map whose every growing method is fallible.

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::mem;

use allocator_api2::alloc::{Allocator, Global};
use hashbrown::{DefaultHashBuilder, HashMap, hash_map};

use super::{TryClone, TryExtend, TryFromIterator, reserve_table};
use crate::OutOfMemory;

/// A hash map built on [`hashbrown::HashMap`] whose methods that may
/// allocate return `Result<_, OutOfMemory>` instead of aborting.
///
/// `insert`, `reserve`, `try_clone`, `try_extend` and the entry API's
/// `or_try_insert*` are fallible; lookups, removal and iteration are as in
/// `hashbrown`. A failing method leaves the map as it was, except
/// `try_extend` from an iterator whose size hint is too low: it inserts one
/// pair at a time, and the pairs inserted before the failure stay (a value
/// it replaced could not be put back). It converts to and from the
/// `hashbrown::HashMap` it wraps without reallocating.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryHashMap;
///
/// let mut ages = TryHashMap::new();
/// ages.insert("ada", 36)?;
/// ages.insert("alan", 41)?;
/// *ages.entry("ada").or_try_insert(0)? += 1;
/// assert_eq!(ages.get("ada"), Some(&37));
/// assert_eq!(ages.len(), 2);
///
/// let oom = ages.reserve(usize::MAX).unwrap_err();
/// assert_eq!(oom.requested_allocation_size(), isize::MAX as usize);
/// assert_eq!(ages.len(), 2);
/// # wasmtime_error::Ok(())
/// ```
pub struct TryHashMap<K, V, S = DefaultHashBuilder, A: Allocator = Global> {
    inner: HashMap<K, V, S, A>,
}

impl<K, V> TryHashMap<K, V> {
    /// An empty map with the default hasher; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let map: TryHashMap<u32, u32> = TryHashMap::new();
    /// assert_eq!(map.capacity(), 0);
    /// ```
    #[inline]
    pub fn new() -> Self {
        Self::with_hasher_in(DefaultHashBuilder::default(), Global)
    }

    /// An empty map with room for at least `capacity` entries.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let map = TryHashMap::<u32, u32>::with_capacity(100)?;
    /// assert!(map.capacity() >= 100);
    /// assert!(TryHashMap::<u32, u32>::with_capacity(usize::MAX).is_err());
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn with_capacity(capacity: usize) -> Result<Self, OutOfMemory>
    where
        K: Eq + Hash,
    {
        let mut map = Self::new();
        map.reserve(capacity)?;
        Ok(map)
    }
}

impl<K, V, A: Allocator> TryHashMap<K, V, DefaultHashBuilder, A> {
    /// An empty map in `alloc` with the default hasher; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryHashMap};
    ///
    /// let budget = Budget::new(64);
    /// let mut map = TryHashMap::new_in(&budget);
    /// assert!(map.insert(1u64, [0u8; 64]).is_err());
    /// assert!(map.is_empty());
    /// ```
    #[inline]
    pub fn new_in(alloc: A) -> Self {
        Self::with_hasher_in(DefaultHashBuilder::default(), alloc)
    }
}

impl<K, V, S> TryHashMap<K, V, S> {
    /// An empty map that hashes with `hasher`; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::with_hasher(RandomState::new());
    /// map.insert(1, 2)?;
    /// assert_eq!(map.get(&1), Some(&2));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub const fn with_hasher(hasher: S) -> Self {
        Self::with_hasher_in(hasher, Global)
    }
}

impl<K, V, S, A: Allocator> TryHashMap<K, V, S, A> {
    /// An empty map in `alloc` that hashes with `hasher`; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, DefaultHashBuilder, TryHashMap};
    ///
    /// let budget = Budget::new(4096);
    /// let mut map = TryHashMap::with_hasher_in(DefaultHashBuilder::default(), &budget);
    /// map.insert('k', 'v')?;
    /// assert!(budget.used() > 0);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub const fn with_hasher_in(hasher: S, alloc: A) -> Self {
        TryHashMap {
            inner: HashMap::with_hasher_in(hasher, alloc),
        }
    }

    /// The number of entries.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 1)?;
    /// assert_eq!(map.len(), 1);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the map has no entries.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// assert!(TryHashMap::<u8, u8>::new().is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// How many entries fit without reallocating.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// assert!(TryHashMap::<u8, u8>::with_capacity(3)?.capacity() >= 3);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// The hasher.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{DefaultHashBuilder, TryHashMap};
    ///
    /// let map = TryHashMap::<u8, u8>::new();
    /// let _: &DefaultHashBuilder = map.hasher();
    /// ```
    #[inline]
    pub fn hasher(&self) -> &S {
        self.inner.hasher()
    }

    /// The allocator.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryHashMap};
    ///
    /// let budget = Budget::new(10);
    /// let map = TryHashMap::<u8, u8, _, _>::new_in(&budget);
    /// assert_eq!(map.allocator().limit(), 10);
    /// ```
    #[inline]
    pub fn allocator(&self) -> &A {
        self.inner.allocator()
    }

    /// An iterator over the entries, in arbitrary order.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 10)?;
    /// map.insert(2, 20)?;
    /// assert_eq!(map.iter().map(|(k, v)| k * v).sum::<i32>(), 50);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn iter(&self) -> hash_map::Iter<'_, K, V> {
        self.inner.iter()
    }

    /// An iterator over the entries with mutable values.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert("a", 1)?;
    /// for (_, v) in map.iter_mut() {
    ///     *v *= 10;
    /// }
    /// assert_eq!(map.get("a"), Some(&10));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn iter_mut(&mut self) -> hash_map::IterMut<'_, K, V> {
        self.inner.iter_mut()
    }

    /// An iterator over the keys.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryCollect, TryHashMap, TryVec};
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(7, ())?;
    /// assert_eq!(map.keys().copied().try_collect::<TryVec<_>, _>()?, [7]);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn keys(&self) -> hash_map::Keys<'_, K, V> {
        self.inner.keys()
    }

    /// An iterator over the values.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert((), 7)?;
    /// assert_eq!(map.values().sum::<i32>(), 7);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn values(&self) -> hash_map::Values<'_, K, V> {
        self.inner.values()
    }

    /// An iterator over mutable values.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 1)?;
    /// map.values_mut().for_each(|v| *v += 1);
    /// assert_eq!(map.get(&1), Some(&2));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn values_mut(&mut self) -> hash_map::ValuesMut<'_, K, V> {
        self.inner.values_mut()
    }

    /// Removes every entry, keeping the allocation.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 1)?;
    /// map.clear();
    /// assert!(map.is_empty() && map.capacity() > 0);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// Keeps only the entries for which `keep` returns `true`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map: TryHashMap<i32, i32> = TryHashMap::new();
    /// for i in 0..6 {
    ///     map.insert(i, i)?;
    /// }
    /// map.retain(|k, _| k % 2 == 0);
    /// assert_eq!(map.len(), 3);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn retain(&mut self, keep: impl FnMut(&K, &mut V) -> bool) {
        self.inner.retain(keep);
    }

    /// Removes every entry and returns them as an iterator; the allocation
    /// is kept.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryCollect, TryHashMap, TryVec};
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 'a')?;
    /// assert_eq!(map.drain().try_collect::<TryVec<_>, _>()?, [(1, 'a')]);
    /// assert!(map.is_empty());
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn drain(&mut self) -> hash_map::Drain<'_, K, V, A> {
        self.inner.drain()
    }

    /// The wrapped `hashbrown` map.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 2)?;
    /// let inner: hashbrown::HashMap<i32, i32> = map.into_inner();
    /// assert_eq!(inner[&1], 2);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn into_inner(self) -> HashMap<K, V, S, A> {
        self.inner
    }
}

impl<K, V, S, A> TryHashMap<K, V, S, A>
where
    K: Eq + Hash,
    S: BuildHasher,
    A: Allocator,
{
    /// Makes room for at least `additional` more entries.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::<u8, u8>::new();
    /// map.reserve(10)?;
    /// assert!(map.capacity() >= 10);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn reserve(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        let (len, allocation_size) = (self.inner.len(), self.inner.allocation_size());
        reserve_table(
            len,
            additional,
            mem::size_of::<(K, V)>(),
            allocation_size,
            || self.inner.try_reserve(additional),
        )
    }

    /// Inserts `value` under `key`, returning the value it replaces. Like
    /// `hashbrown`'s `insert`, it first makes room for one more entry, even
    /// when the key turns out to be present. On failure the map is
    /// unchanged and `key` and `value` are dropped.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// assert_eq!(map.insert("k", 1)?, None);
    /// assert_eq!(map.insert("k", 2)?, Some(1));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn insert(&mut self, key: K, value: V) -> Result<Option<V>, OutOfMemory> {
        self.reserve(1)?;
        // Cannot allocate: the map has room for one more entry.
        Ok(self.inner.insert(key, value))
    }

    /// The entry for `key`, for in-place insertion or update.
    ///
    /// When the key is absent and the table is full, this makes room for
    /// one entry first; if that fails, the vacant entry's insertion methods
    /// report the failure and the map stays unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut counts = TryHashMap::new();
    /// for word in ["a", "b", "a"] {
    ///     *counts.entry(word).or_try_insert(0)? += 1;
    /// }
    /// assert_eq!(counts.get("a"), Some(&2));
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V, S, A> {
        if self.inner.len() < self.inner.capacity() {
            return Entry::from_hashbrown(self.inner.entry(key), Ok(()));
        }
        // The table is full. The reservation follows from the lookup whose
        // vacant entry is handed out, not from an earlier one: a key whose
        // `Eq` or `Hash` answers differently from one call to the next must
        // not get a vacant entry without room, whose insertion would grow
        // the table infallibly.
        let map = match self.inner.entry_ref(&key) {
            hash_map::EntryRef::Occupied(inner) => return Entry::Occupied(OccupiedEntry { inner }),
            hash_map::EntryRef::Vacant(vacant) => vacant.into_map(),
        };
        let (len, allocation_size) = (map.len(), map.allocation_size());
        let item_size = mem::size_of::<(K, V)>();
        let room = reserve_table(len, 1, item_size, allocation_size, || map.try_reserve(1));
        // If the reservation failed the table is still full, and the vacant
        // entry refuses to insert; if it succeeded there is room, whatever
        // this second lookup answers.
        Entry::from_hashbrown(map.entry(key), room)
    }

    /// The value under `key`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(String::from("k"), 1)?;
    /// assert_eq!(map.get("k"), Some(&1));
    /// assert_eq!(map.get("x"), None);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.get(key)
    }

    /// The stored key and value under `key`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 'a')?;
    /// assert_eq!(map.get_key_value(&1), Some((&1, &'a')));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.get_key_value(key)
    }

    /// The value under `key`, mutably.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 1)?;
    /// *map.get_mut(&1).unwrap() = 5;
    /// assert_eq!(map.get(&1), Some(&5));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.get_mut(key)
    }

    /// Whether `key` is present.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, ())?;
    /// assert!(map.contains_key(&1) && !map.contains_key(&2));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.contains_key(key)
    }

    /// Removes `key`, returning its value.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 'a')?;
    /// assert_eq!(map.remove(&1), Some('a'));
    /// assert_eq!(map.remove(&1), None);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.remove(key)
    }

    /// Removes `key`, returning the stored key and its value.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 'a')?;
    /// assert_eq!(map.remove_entry(&1), Some((1, 'a')));
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.inner.remove_entry(key)
    }
}

/// A place in a [`TryHashMap`] for one key, from [`TryHashMap::entry`].
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{Entry, TryHashMap};
///
/// let mut map = TryHashMap::new();
/// match map.entry(1) {
///     Entry::Vacant(slot) => {
///         slot.try_insert('a')?;
///     }
///     Entry::Occupied(_) => unreachable!(),
/// }
/// assert_eq!(map.get(&1), Some(&'a'));
/// # wasmtime_error::Ok(())
/// ```
pub enum Entry<'a, K, V, S = DefaultHashBuilder, A: Allocator = Global> {
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V, S, A>),
    /// The key is absent.
    Vacant(VacantEntry<'a, K, V, S, A>),
}

/// An [`Entry`] whose key is present.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{Entry, TryHashMap};
///
/// let mut map = TryHashMap::new();
/// map.insert("k", 1)?;
/// if let Entry::Occupied(mut slot) = map.entry("k") {
///     assert_eq!(slot.insert(2), 1);
///     assert_eq!(slot.remove(), 2);
/// }
/// assert!(map.is_empty());
/// # wasmtime_error::Ok(())
/// ```
pub struct OccupiedEntry<'a, K, V, S = DefaultHashBuilder, A: Allocator = Global> {
    inner: hash_map::OccupiedEntry<'a, K, V, S, A>,
}

/// An [`Entry`] whose key is absent.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{Entry, TryHashMap};
///
/// let mut map = TryHashMap::<&str, i32>::new();
/// if let Entry::Vacant(slot) = map.entry("k") {
///     assert_eq!(slot.key(), &"k");
///     *slot.try_insert(1)? += 1;
/// }
/// assert_eq!(map.get("k"), Some(&2));
/// # wasmtime_error::Ok(())
/// ```
pub struct VacantEntry<'a, K, V, S = DefaultHashBuilder, A: Allocator = Global> {
    inner: hash_map::VacantEntry<'a, K, V, S, A>,
    /// Whether the table had room for the new entry when the entry was made.
    room: Result<(), OutOfMemory>,
}

impl<'a, K, V, S, A: Allocator> Entry<'a, K, V, S, A> {
    /// Wraps hashbrown's entry; `room` says whether the table has room for
    /// one more entry.
    fn from_hashbrown(
        inner: hash_map::Entry<'a, K, V, S, A>,
        room: Result<(), OutOfMemory>,
    ) -> Self {
        match inner {
            hash_map::Entry::Occupied(inner) => Entry::Occupied(OccupiedEntry { inner }),
            hash_map::Entry::Vacant(inner) => Entry::Vacant(VacantEntry { inner, room }),
        }
    }
}

impl<'a, K, V, S, A> Entry<'a, K, V, S, A>
where
    K: Hash,
    S: BuildHasher,
    A: Allocator,
{
    /// The key of the entry.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::<i32, ()>::new();
    /// assert_eq!(map.entry(3).key(), &3);
    /// ```
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(entry) => entry.key(),
            Entry::Vacant(entry) => entry.key(),
        }
    }

    /// The value, inserting `default` if the key is absent.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// assert_eq!(*map.entry(1).or_try_insert(5)?, 5);
    /// assert_eq!(*map.entry(1).or_try_insert(6)?, 5);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn or_try_insert(self, default: V) -> Result<&'a mut V, OutOfMemory> {
        match self {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(entry) => entry.try_insert(default),
        }
    }

    /// The value, inserting `make()` if the key is absent. `make` is not
    /// called when the map has no room for the entry.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// assert_eq!(*map.entry("k").or_try_insert_with(|| 3)?, 3);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn or_try_insert_with(self, make: impl FnOnce() -> V) -> Result<&'a mut V, OutOfMemory> {
        match self {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(entry) => {
                entry.room?;
                Ok(entry.inner.insert(make()))
            }
        }
    }

    /// The value, inserting `V::default()` if the key is absent.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::<&str, u32>::new();
    /// *map.entry("k").or_try_default()? += 2;
    /// assert_eq!(map.get("k"), Some(&2));
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn or_try_default(self) -> Result<&'a mut V, OutOfMemory>
    where
        V: Default,
    {
        self.or_try_insert_with(V::default)
    }

    /// Calls `update` on the value if the key is present.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 1)?;
    /// map.entry(1).and_modify(|v| *v += 1).or_try_insert(0)?;
    /// map.entry(2).and_modify(|v| *v += 1).or_try_insert(0)?;
    /// assert_eq!((map.get(&1), map.get(&2)), (Some(&2), Some(&0)));
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn and_modify(mut self, update: impl FnOnce(&mut V)) -> Self {
        if let Entry::Occupied(entry) = &mut self {
            update(entry.get_mut());
        }
        self
    }
}

impl<'a, K, V, S, A: Allocator> OccupiedEntry<'a, K, V, S, A> {
    /// The stored key.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Entry, TryHashMap};
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, ())?;
    /// let Entry::Occupied(slot) = map.entry(1) else { unreachable!() };
    /// assert_eq!(slot.key(), &1);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn key(&self) -> &K {
        self.inner.key()
    }

    /// The value.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Entry, TryHashMap};
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 'a')?;
    /// let Entry::Occupied(slot) = map.entry(1) else { unreachable!() };
    /// assert_eq!(slot.get(), &'a');
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn get(&self) -> &V {
        self.inner.get()
    }

    /// The value, mutably.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Entry, TryHashMap};
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 1)?;
    /// let Entry::Occupied(mut slot) = map.entry(1) else { unreachable!() };
    /// *slot.get_mut() = 9;
    /// assert_eq!(map.get(&1), Some(&9));
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn get_mut(&mut self) -> &mut V {
        self.inner.get_mut()
    }

    /// The value, borrowed for as long as the map.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Entry, TryHashMap};
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 1)?;
    /// let Entry::Occupied(slot) = map.entry(1) else { unreachable!() };
    /// *slot.into_mut() += 1;
    /// assert_eq!(map.get(&1), Some(&2));
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn into_mut(self) -> &'a mut V {
        self.inner.into_mut()
    }

    /// Replaces the value, returning the old one; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Entry, TryHashMap};
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 'a')?;
    /// let Entry::Occupied(mut slot) = map.entry(1) else { unreachable!() };
    /// assert_eq!(slot.insert('b'), 'a');
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn insert(&mut self, value: V) -> V {
        self.inner.insert(value)
    }

    /// Removes the entry, returning its value.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Entry, TryHashMap};
    ///
    /// let mut map = TryHashMap::new();
    /// map.insert(1, 'a')?;
    /// let Entry::Occupied(slot) = map.entry(1) else { unreachable!() };
    /// assert_eq!(slot.remove(), 'a');
    /// assert!(map.is_empty());
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn remove(self) -> V {
        self.inner.remove()
    }
}

impl<'a, K, V, S, A> VacantEntry<'a, K, V, S, A>
where
    K: Hash,
    S: BuildHasher,
    A: Allocator,
{
    /// The key that would be inserted.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Entry, TryHashMap};
    ///
    /// let mut map = TryHashMap::<i32, ()>::new();
    /// let Entry::Vacant(slot) = map.entry(4) else { unreachable!() };
    /// assert_eq!(slot.key(), &4);
    /// ```
    pub fn key(&self) -> &K {
        self.inner.key()
    }

    /// Inserts `value` under the entry's key, or reports that the map had
    /// no room for it (the map is then unchanged and `value` dropped).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, Entry, TryHashMap};
    ///
    /// let budget = Budget::new(0);
    /// let mut map = TryHashMap::new_in(&budget);
    /// let Entry::Vacant(slot) = map.entry(1) else { unreachable!() };
    /// assert!(slot.try_insert('a').is_err());
    /// assert!(map.is_empty());
    /// ```
    pub fn try_insert(self, value: V) -> Result<&'a mut V, OutOfMemory> {
        self.room?;
        // Cannot allocate: the map had room for one more entry when this
        // entry was made, and the entry's borrow kept it so.
        Ok(self.inner.insert(value))
    }

    /// Takes back the key.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Entry, TryHashMap};
    ///
    /// let mut map = TryHashMap::<String, ()>::new();
    /// let Entry::Vacant(slot) = map.entry(String::from("k")) else { unreachable!() };
    /// assert_eq!(slot.into_key(), "k");
    /// ```
    pub fn into_key(self) -> K {
        self.inner.into_key()
    }
}

impl<K, V, S, A> TryClone for TryHashMap<K, V, S, A>
where
    K: Eq + Hash + TryClone,
    V: TryClone,
    S: BuildHasher + Clone,
    A: Allocator + Clone,
{
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        let mut clone =
            TryHashMap::with_hasher_in(self.inner.hasher().clone(), self.allocator().clone());
        clone.reserve(self.len())?;
        for (key, value) in self.iter() {
            // Cannot allocate: room for every entry was reserved.
            clone.inner.insert(key.try_clone()?, value.try_clone()?);
        }
        Ok(clone)
    }
}

impl<K, V, S, A> TryExtend<(K, V)> for TryHashMap<K, V, S, A>
where
    K: Eq + Hash,
    S: BuildHasher,
    A: Allocator,
{
    fn try_extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) -> Result<(), OutOfMemory> {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0)?;
        for (key, value) in iter {
            self.insert(key, value)?;
        }
        Ok(())
    }
}

impl<K, V, S, A> TryFromIterator<(K, V)> for TryHashMap<K, V, S, A>
where
    K: Eq + Hash,
    S: BuildHasher + Default,
    A: Allocator + Default,
{
    fn try_from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Result<Self, OutOfMemory> {
        let mut map = TryHashMap::with_hasher_in(S::default(), A::default());
        map.try_extend(iter)?;
        Ok(map)
    }
}

impl<K, V, S: Default> Default for TryHashMap<K, V, S> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S, A: Allocator> fmt::Debug for TryHashMap<K, V, S, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<K, V, S, A> PartialEq for TryHashMap<K, V, S, A>
where
    K: Eq + Hash,
    V: PartialEq,
    S: BuildHasher,
    A: Allocator,
{
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl<K, V, S, A> Eq for TryHashMap<K, V, S, A>
where
    K: Eq + Hash,
    V: Eq,
    S: BuildHasher,
    A: Allocator,
{
}

impl<K, V, S, A: Allocator> From<HashMap<K, V, S, A>> for TryHashMap<K, V, S, A> {
    /// Wraps the map; no copy, no allocation.
    fn from(inner: HashMap<K, V, S, A>) -> Self {
        TryHashMap { inner }
    }
}

impl<K, V, S, A: Allocator> From<TryHashMap<K, V, S, A>> for HashMap<K, V, S, A> {
    /// Unwraps the map; no copy, no allocation.
    fn from(map: TryHashMap<K, V, S, A>) -> Self {
        map.inner
    }
}

impl<'a, K, V, S, A: Allocator> IntoIterator for &'a TryHashMap<K, V, S, A> {
    type Item = (&'a K, &'a V);
    type IntoIter = hash_map::Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.inner.iter()
    }
}

impl<'a, K, V, S, A: Allocator> IntoIterator for &'a mut TryHashMap<K, V, S, A> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = hash_map::IterMut<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.inner.iter_mut()
    }
}

impl<K, V, S, A: Allocator> IntoIterator for TryHashMap<K, V, S, A> {
    type Item = (K, V);
    type IntoIter = hash_map::IntoIter<K, V, A>;

    fn into_iter(self) -> Self::IntoIter {
        self.inner.into_iter()
    }
}

// Constructors that reserve room in a given allocator or with a given
// hasher, and `extract_if`: the rest of hashbrown's API, fallible where it
// allocates.

impl<K, V, A> TryHashMap<K, V, DefaultHashBuilder, A>
where
    K: Eq + Hash,
    A: Allocator,
{
    /// An empty map in `alloc` with room for at least `capacity` entries.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryHashMap};
    ///
    /// let budget = Budget::new(4096);
    /// let map = TryHashMap::<u32, u32, _, _>::with_capacity_in(10, &budget)?;
    /// assert!(map.capacity() >= 10);
    /// assert!(budget.used() > 0);
    ///
    /// let refused = TryHashMap::<u32, u32, _, _>::with_capacity_in(1000, &budget);
    /// assert!(refused.is_err());
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn with_capacity_in(capacity: usize, alloc: A) -> Result<Self, OutOfMemory> {
        Self::with_capacity_and_hasher_in(capacity, DefaultHashBuilder::default(), alloc)
    }
}

impl<K, V, S> TryHashMap<K, V, S>
where
    K: Eq + Hash,
    S: BuildHasher,
{
    /// An empty map that hashes with `hasher`, with room for at least
    /// `capacity` entries.
    ///
    /// # Example
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use wasmtime_error::alloc::TryHashMap;
    ///
    /// let mut map = TryHashMap::with_capacity_and_hasher(4, RandomState::new())?;
    /// let capacity = map.capacity();
    /// assert!(capacity >= 4);
    /// map.insert("k", 'v')?;
    /// assert_eq!(map.capacity(), capacity);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Result<Self, OutOfMemory> {
        Self::with_capacity_and_hasher_in(capacity, hasher, Global)
    }
}

impl<K, V, S, A> TryHashMap<K, V, S, A>
where
    K: Eq + Hash,
    S: BuildHasher,
    A: Allocator,
{
    /// An empty map in `alloc` that hashes with `hasher`, with room for at
    /// least `capacity` entries. A capacity too large to allocate is
    /// `Err(OutOfMemory)`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{DefaultHashBuilder, Global, TryHashMap};
    ///
    /// let map = TryHashMap::<u8, u8, _, _>::with_capacity_and_hasher_in(
    ///     3,
    ///     DefaultHashBuilder::default(),
    ///     Global,
    /// )?;
    /// assert!(map.capacity() >= 3);
    ///
    /// let huge = TryHashMap::<u8, u8, _, _>::with_capacity_and_hasher_in(
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
        let mut map = Self::with_hasher_in(hasher, alloc);
        map.reserve(capacity)?;
        Ok(map)
    }
}

impl<K, V, S, A: Allocator> TryHashMap<K, V, S, A> {
    /// An iterator that removes and yields the entries for which `extract`
    /// returns `true`, visiting each entry once; the entries it has not
    /// reached when dropped stay. Never allocates.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryCollect, TryHashMap, TryVec};
    ///
    /// let mut map = TryHashMap::new();
    /// for n in 0..6 {
    ///     map.insert(n, n * 10)?;
    /// }
    /// let mut odd: TryVec<(i32, i32)> = map.extract_if(|k, _| k % 2 == 1).try_collect()?;
    /// odd.sort_unstable();
    /// assert_eq!(odd, [(1, 10), (3, 30), (5, 50)]);
    /// assert_eq!(map.len(), 3);
    /// assert!(map.contains_key(&4));
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn extract_if<F>(&mut self, extract: F) -> hash_map::ExtractIf<'_, K, V, F, A>
    where
        F: FnMut(&K, &mut V) -> bool,
    {
        self.inner.extract_if(extract)
    }
}
