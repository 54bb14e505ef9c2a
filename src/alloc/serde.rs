//! Feature `serde`: `Serialize` and `Deserialize` for `TryVec`,
//! `TryString`, and with the feature `hash-map` `TryHashMap` and
//! `TryHashSet`.
//!
//! Serializing works in any allocator. Deserializing builds in the global
//! one, as the collections' `new` does, so that `TryString::deserialize(d)`
//! needs no annotation (as in Wasmtime). It allocates only through the
//! collections' fallible methods: running out of memory is a
//! deserialization error, made with [`de::Error::custom`] from the
//! [`OutOfMemory`](crate::OutOfMemory), never an abort in this crate's
//! code (the format's own `custom` may allocate: serde_json's builds its
//! message in a `String`). A length announced
//! by the input is trusted only up to 1 MiB of elements for the first
//! reservation, so a hostile length cannot make a huge allocation before a
//! single element has been read.

use core::fmt;
#[cfg(feature = "hash-map")]
use core::hash::{BuildHasher, Hash};
use core::marker::PhantomData;
use core::mem;

#[cfg(feature = "hash-map")]
use ::serde::de::MapAccess;
use ::serde::de::{self, Deserialize, Deserializer, SeqAccess, Unexpected, Visitor};
use ::serde::ser::{Serialize, Serializer};
use allocator_api2::alloc::Allocator;

#[cfg(feature = "hash-map")]
use super::{TryHashMap, TryHashSet};
use super::{TryString, TryVec};
use crate::OutOfMemory;

/// The most bytes of elements reserved up front on the strength of the
/// input's size hint (what serde allows its own collections).
const MAX_UPFRONT_BYTES: usize = 1024 * 1024;

/// How many elements of type `T` to reserve for an input announcing `hint`.
fn upfront_capacity<T>(hint: Option<usize>) -> usize {
    match mem::size_of::<T>() {
        0 => 0,
        size => hint.unwrap_or(0).min(MAX_UPFRONT_BYTES / size),
    }
}

/// An allocation failure as the deserializer's error.
fn out_of_memory<E: de::Error>(oom: OutOfMemory) -> E {
    E::custom(oom)
}

/// A sequence, element by element.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryVec;
///
/// let v: TryVec<u8> = serde_json::from_str("[1, 2, 3]")?;
/// assert_eq!(v, [1, 2, 3]);
/// assert_eq!(serde_json::to_string(&v)?, "[1,2,3]");
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<T: Serialize, A: Allocator> Serialize for TryVec<T, A> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// From a sequence. Running out of memory is an error of the deserializer.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryVec;
///
/// let v: TryVec<TryVec<u32>> = serde_json::from_str("[[1], [], [2, 3]]")?;
/// assert_eq!(v.len(), 3);
/// assert_eq!(v[2], [2, 3]);
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<'de, T: Deserialize<'de>> Deserialize<'de> for TryVec<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(VecVisitor(PhantomData))
    }
}

struct VecVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for VecVisitor<T> {
    type Value = TryVec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<Items: SeqAccess<'de>>(
        self,
        mut items: Items,
    ) -> Result<Self::Value, Items::Error> {
        let capacity = upfront_capacity::<T>(items.size_hint());
        let mut vec = TryVec::with_capacity(capacity).map_err(out_of_memory)?;
        while let Some(item) = items.next_element()? {
            vec.push(item).map_err(out_of_memory)?;
        }
        Ok(vec)
    }
}

/// A string.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryString;
///
/// let s = TryString::try_from_str("wasm")?;
/// assert_eq!(serde_json::to_string(&s)?, r#""wasm""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl<A: Allocator> Serialize for TryString<A> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

/// From a string, borrowed or owned, or from UTF-8 bytes: one allocation of
/// exactly its length, whose failure is an error of the deserializer.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryString;
///
/// let s: TryString = serde_json::from_str(r#""caf\u00e9""#)?;
/// assert_eq!(s, "café");
/// assert_eq!(s.capacity(), 5);
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<'de> Deserialize<'de> for TryString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_str` rather than `deserialize_string`: a format that
        // holds the text lends it to `visit_str`, where we copy it
        // fallibly, instead of building a `String` that aborts on failure.
        deserializer.deserialize_str(StringVisitor)
    }
}

struct StringVisitor;

impl Visitor<'_> for StringVisitor {
    type Value = TryString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        let mut string = TryString::with_capacity(text.len()).map_err(out_of_memory)?;
        string.push_str(text).map_err(out_of_memory)?;
        Ok(string)
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
        match core::str::from_utf8(bytes) {
            Ok(text) => self.visit_str(text),
            Err(_) => Err(E::invalid_value(Unexpected::Bytes(bytes), &self)),
        }
    }
}

/// A map, entry by entry in the map's iteration order.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryHashMap;
///
/// let mut map = TryHashMap::new();
/// map.insert("k", 1)?;
/// assert_eq!(serde_json::to_string(&map)?, r#"{"k":1}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "hash-map")]
impl<K, V, S, A> Serialize for TryHashMap<K, V, S, A>
where
    K: Serialize,
    V: Serialize,
    A: Allocator,
{
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.collect_map(self.iter())
    }
}

/// From a map; a key seen twice keeps its last value. Running out of
/// memory is an error of the deserializer.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TryHashMap, TryString};
///
/// let map: TryHashMap<TryString, u32> = serde_json::from_str(r#"{"a": 1, "b": 2, "a": 3}"#)?;
/// assert_eq!(map.len(), 2);
/// assert_eq!(map.get("a"), Some(&3));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[cfg(feature = "hash-map")]
impl<'de, K, V, S> Deserialize<'de> for TryHashMap<K, V, S>
where
    K: Deserialize<'de> + Eq + Hash,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

#[cfg(feature = "hash-map")]
struct MapVisitor<K, V, S>(PhantomData<(K, V, S)>);

#[cfg(feature = "hash-map")]
impl<'de, K, V, S> Visitor<'de> for MapVisitor<K, V, S>
where
    K: Deserialize<'de> + Eq + Hash,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
{
    type Value = TryHashMap<K, V, S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<Entries: MapAccess<'de>>(
        self,
        mut entries: Entries,
    ) -> Result<Self::Value, Entries::Error> {
        let capacity = upfront_capacity::<(K, V)>(entries.size_hint());
        let mut map =
            TryHashMap::with_capacity_and_hasher(capacity, S::default()).map_err(out_of_memory)?;
        while let Some((key, value)) = entries.next_entry()? {
            map.insert(key, value).map_err(out_of_memory)?;
        }
        Ok(map)
    }
}

/// A sequence, in the set's iteration order.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryHashSet;
///
/// let mut set = TryHashSet::new();
/// set.insert(7)?;
/// assert_eq!(serde_json::to_string(&set)?, "[7]");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "hash-map")]
impl<T: Serialize, S, A: Allocator> Serialize for TryHashSet<T, S, A> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// From a sequence; repeated values are kept once. Running out of memory is
/// an error of the deserializer.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryHashSet;
///
/// let set: TryHashSet<u8> = serde_json::from_str("[3, 1, 3]")?;
/// assert_eq!(set.len(), 2);
/// assert!(set.contains(&1));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[cfg(feature = "hash-map")]
impl<'de, T, S> Deserialize<'de> for TryHashSet<T, S>
where
    T: Deserialize<'de> + Eq + Hash,
    S: BuildHasher + Default,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(SetVisitor(PhantomData))
    }
}

#[cfg(feature = "hash-map")]
struct SetVisitor<T, S>(PhantomData<(T, S)>);

#[cfg(feature = "hash-map")]
impl<'de, T, S> Visitor<'de> for SetVisitor<T, S>
where
    T: Deserialize<'de> + Eq + Hash,
    S: BuildHasher + Default,
{
    type Value = TryHashSet<T, S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<Items: SeqAccess<'de>>(
        self,
        mut items: Items,
    ) -> Result<Self::Value, Items::Error> {
        let capacity = upfront_capacity::<T>(items.size_hint());
        let mut set =
            TryHashSet::with_capacity_and_hasher(capacity, S::default()).map_err(out_of_memory)?;
        while let Some(item) = items.next_element()? {
            set.insert(item).map_err(out_of_memory)?;
        }
        Ok(set)
    }
}
