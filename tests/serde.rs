//! Feature `serde`: round trips through serde_json, and deserialization
//! under the OOM-injection harness. Every allocation a deserialization makes
//! is failed once in turn; each failure must come back as a deserialization
//! error carrying the `OutOfMemory` (never an abort), with nothing leaked.

use std::fmt::{self, Display, Write};

use serde::de::value::{
    BorrowedStrDeserializer, BytesDeserializer, MapDeserializer, SeqDeserializer, StrDeserializer,
    StringDeserializer,
};
use serde::de::{Deserialize, IntoDeserializer};
use serde::{Deserialize as DeriveDeserialize, Serialize as DeriveSerialize};
use wasmtime_error::alloc::{TryHashMap, TryHashSet, TryString, TryVec};
use wasmtime_error::oom_test::{OomTest, OomTestAllocator, without_injection};
use wasmtime_error::{Error, OutOfMemory, Result};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

fn text(s: &str) -> TryString {
    TryString::try_from_str(s).expect("memory for test data")
}

// ---------------------------------------------------------------------------
// Round trips.
// ---------------------------------------------------------------------------

#[derive(Debug, PartialEq, Eq, DeriveSerialize, DeriveDeserialize)]
struct Module {
    name: TryString,
    exports: TryVec<TryString>,
    sizes: TryHashMap<TryString, u32>,
    features: TryHashSet<u16>,
}

fn module() -> Module {
    let mut sizes = TryHashMap::new();
    sizes.insert(text("memory"), 65536).unwrap();
    sizes.insert(text("table"), 10).unwrap();
    let mut features = TryHashSet::new();
    features.insert(3).unwrap();
    features.insert(7).unwrap();
    let mut exports = TryVec::new();
    exports.push(text("_start")).unwrap();
    exports.push(text("memory")).unwrap();
    Module {
        name: text("hello \"wasm\" ✓"),
        exports,
        sizes,
        features,
    }
}

#[test]
fn collections_round_trip_through_json() {
    let original = module();
    let json = serde_json::to_string(&original).unwrap();
    assert!(json.starts_with(r#"{"name":"hello \"wasm\" ✓","exports":["_start","memory"],"#));
    let back: Module = serde_json::from_str(&json).unwrap();
    assert_eq!(back, original);

    // Through a `serde_json::Value`: its strings are owned (`visit_string`)
    // when it is consumed, borrowed when it is read by reference.
    let value = serde_json::to_value(&original).unwrap();
    assert_eq!(Module::deserialize(&value).unwrap(), original);
    assert_eq!(serde_json::from_value::<Module>(value).unwrap(), original);

    let empty: Module =
        serde_json::from_str(r#"{"name":"","exports":[],"sizes":{},"features":[]}"#).unwrap();
    assert!(empty.name.is_empty() && empty.exports.is_empty());
    assert!(empty.sizes.is_empty() && empty.features.is_empty());
    assert_eq!(empty.name.capacity(), 0);
}

#[test]
fn json_values_serialize_as_std_collections_do() {
    let module = module();
    assert_eq!(
        serde_json::to_string(&module.exports).unwrap(),
        serde_json::to_string(&["_start", "memory"]).unwrap()
    );
    let mut features: Vec<u16> =
        serde_json::from_str(&serde_json::to_string(&module.features).unwrap()).unwrap();
    features.sort();
    assert_eq!(features, [3, 7]);
    let sizes: std::collections::BTreeMap<String, u32> =
        serde_json::from_str(&serde_json::to_string(&module.sizes).unwrap()).unwrap();
    assert_eq!(
        sizes.into_iter().collect::<Vec<_>>(),
        [("memory".into(), 65536), ("table".into(), 10)]
    );
    let unit: TryVec<()> = serde_json::from_str("[null, null]").unwrap();
    assert_eq!(unit.len(), 2);
}

#[test]
fn duplicates_and_wrong_input() {
    let map: TryHashMap<u8, u8> = serde_json::from_str(r#"{"1": 1, "1": 2}"#).unwrap();
    assert_eq!((map.len(), map.get(&1)), (1, Some(&2)));
    let set: TryHashSet<u8> = serde_json::from_str("[1, 1, 2]").unwrap();
    assert_eq!(set.len(), 2);

    let error = serde_json::from_str::<TryVec<u8>>(r#""text""#).unwrap_err();
    assert!(error.to_string().contains("expected a sequence"), "{error}");
    let error = serde_json::from_str::<TryString>("[1]").unwrap_err();
    assert!(error.to_string().contains("expected a string"), "{error}");
    let error = serde_json::from_str::<TryHashMap<u8, u8>>("[]").unwrap_err();
    assert!(error.to_string().contains("expected a map"), "{error}");
    let error = serde_json::from_str::<TryHashSet<u8>>("{}").unwrap_err();
    assert!(error.to_string().contains("expected a sequence"), "{error}");
}

#[test]
fn strings_from_bytes_must_be_utf8() {
    let ok = TryString::deserialize(BytesDeserializer::<Refusal>::new(b"bytes")).unwrap();
    assert_eq!(ok, "bytes");
    let error = TryString::deserialize(BytesDeserializer::<Refusal>::new(b"\xff")).unwrap_err();
    assert!(
        error.as_str().starts_with("invalid value: byte array"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------
// Under the harness, with deserializers whose error allocates nothing.
// ---------------------------------------------------------------------------

/// A deserialization error that allocates nothing: `custom` writes the
/// message into a fixed buffer, so the harness can check that nothing is
/// allocated after the failure.
#[derive(Debug)]
struct Refusal {
    message: [u8; 128],
    len: usize,
}

impl Refusal {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.message[..self.len]).expect("UTF-8")
    }

    /// The `OutOfMemory` this error was made from, as the harness wants
    /// it; any other error fails the test.
    fn into_oom(self) -> Error {
        let size = self
            .as_str()
            .strip_prefix("out of memory (failed to allocate ")
            .and_then(|rest| rest.strip_suffix(" bytes)"))
            .and_then(|size| size.parse().ok())
            .unwrap_or_else(|| panic!("not an out-of-memory error: {self}"));
        OutOfMemory::new(size).into()
    }
}

impl Write for Refusal {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let take = s.len().min(self.message.len() - self.len);
        self.message[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        Ok(())
    }
}

impl serde::de::Error for Refusal {
    fn custom<T: Display>(message: T) -> Self {
        let mut refusal = Refusal {
            message: [0; 128],
            len: 0,
        };
        write!(refusal, "{message}").expect("writing into a buffer");
        refusal
    }
}

impl Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for Refusal {}

/// Runs `body` under the harness with every check on and checks it makes
/// `allocations` allocations, each failed once.
fn check(allocations: u64, body: impl FnMut() -> Result<()>) {
    let summary = OomTest::new().check(body).unwrap();
    assert_eq!(summary.allocations, allocations, "allocations made");
    assert_eq!(
        summary.injected, allocations,
        "allocations failed once each"
    );
}

fn seq<I>(items: I) -> SeqDeserializer<I::IntoIter, Refusal>
where
    I: IntoIterator,
    I::Item: IntoDeserializer<'static, Refusal>,
{
    SeqDeserializer::new(items.into_iter())
}

#[test]
fn try_vec_reserves_the_announced_length_once() {
    check(1, || {
        let v = TryVec::<u32>::deserialize(seq(1..=5u32)).map_err(Refusal::into_oom)?;
        assert_eq!((v.len(), v.capacity()), (5, 5));
        Ok(())
    });
    // Nested: the outer buffer, then one per inner vector.
    check(3, || {
        let inner = [[1u8, 2], [3, 4]].map(seq);
        let v = TryVec::<TryVec<u8>>::deserialize(seq(inner)).map_err(Refusal::into_oom)?;
        assert_eq!(v.len(), 2);
        assert_eq!(v[1], [3, 4]);
        Ok(())
    });
    check(0, || {
        let v = TryVec::<u64>::deserialize(seq(0..0u64)).map_err(Refusal::into_oom)?;
        assert_eq!(v.capacity(), 0);
        Ok(())
    });
}

/// Yields `actual` numbers while announcing `announced`.
struct Announcing {
    announced: usize,
    actual: std::ops::Range<u64>,
}

impl Iterator for Announcing {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        self.actual.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.announced, Some(self.announced))
    }
}

#[test]
fn a_hostile_length_reserves_at_most_a_mebibyte() {
    let announcing = |announced| Announcing {
        announced,
        actual: 0..3,
    };
    // The first reservation is capped at 1 MiB of `u64`s (failing it
    // reports that size), then shrinks nothing: three values fit.
    let summary = OomTest::new()
        .check(|| {
            let v = TryVec::<u64>::deserialize(seq(announcing(usize::MAX))).map_err(|refusal| {
                assert_eq!(
                    refusal.as_str(),
                    "out of memory (failed to allocate 1048576 bytes)"
                );
                refusal.into_oom()
            })?;
            assert_eq!(v, [0, 1, 2]);
            assert_eq!(v.capacity(), 1024 * 1024 / 8);
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.allocations, 1);
    // The same for the hash collections: one table, for at most 1 MiB of
    // elements, not one for `usize::MAX`.
    check(1, || {
        let set = TryHashSet::<u64>::deserialize(seq(announcing(usize::MAX)))
            .map_err(Refusal::into_oom)?;
        assert_eq!(set.len(), 3);
        assert!(set.capacity() >= 1024 * 1024 / 8);
        Ok(())
    });
    check(1, || {
        let pairs = announcing(usize::MAX).map(|n| (n, n));
        let map = TryHashMap::<u64, u64>::deserialize(MapDeserializer::<_, Refusal>::new(pairs))
            .map_err(Refusal::into_oom)?;
        assert_eq!(map.get(&2), Some(&2));
        assert!(map.capacity() >= 1024 * 1024 / 16);
        Ok(())
    });
    // A length below the truth: the vector grows as it reads.
    check(2, || {
        let v = TryVec::<u64>::deserialize(seq(Announcing {
            announced: 1,
            actual: 0..3,
        }))
        .map_err(Refusal::into_oom)?;
        assert_eq!(v, [0, 1, 2]);
        Ok(())
    });
}

#[test]
fn try_string_from_borrowed_and_owned_text() {
    check(1, || {
        let s = TryString::deserialize(StrDeserializer::<Refusal>::new("lent"))
            .map_err(Refusal::into_oom)?;
        assert_eq!((s.as_str(), s.capacity()), ("lent", 4));
        Ok(())
    });
    check(1, || {
        let s = TryString::deserialize(BorrowedStrDeserializer::<Refusal>::new("borrowed"))
            .map_err(Refusal::into_oom)?;
        assert_eq!(s, "borrowed");
        Ok(())
    });
    // An owned `String` (made outside the count) is copied fallibly; the
    // original is freed.
    check(1, || {
        let owned = without_injection(|| String::from("owned"));
        let s = TryString::deserialize(StringDeserializer::<Refusal>::new(owned))
            .map_err(Refusal::into_oom)?;
        assert_eq!(s, "owned");
        Ok(())
    });
    check(1, || {
        let s = TryString::deserialize(BytesDeserializer::<Refusal>::new(b"raw"))
            .map_err(Refusal::into_oom)?;
        assert_eq!(s, "raw");
        Ok(())
    });
    check(0, || {
        let s = TryString::deserialize(StrDeserializer::<Refusal>::new(""))
            .map_err(Refusal::into_oom)?;
        assert!(s.is_empty());
        Ok(())
    });
}

#[test]
fn try_hash_map_and_set_reserve_once_then_insert() {
    // Three entries fit the table reserved for three: one allocation, then
    // one string per key.
    check(4, || {
        let entries = [("a", 1u32), ("b", 2), ("c", 3)];
        let map = TryHashMap::<TryString, u32>::deserialize(MapDeserializer::<_, Refusal>::new(
            entries.into_iter(),
        ))
        .map_err(Refusal::into_oom)?;
        assert_eq!(map.get("b"), Some(&2));
        Ok(())
    });
    check(1, || {
        let set = TryHashSet::<u32>::deserialize(seq([5u32, 6, 5])).map_err(Refusal::into_oom)?;
        assert_eq!(set.len(), 2);
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// Under the harness, through serde_json. Its error boxes its message, so
// creating the error after a failure allocates: the harness lets those
// allocations happen and succeed, and still checks that every failure comes
// back as an error carrying the `OutOfMemory` and that nothing leaks.
// ---------------------------------------------------------------------------

/// The `OutOfMemory` a serde_json error was made from, as the harness
/// wants it; any other error fails the test.
fn json_oom(error: serde_json::Error) -> Error {
    let message = error.to_string();
    let size = message
        .strip_prefix("out of memory (failed to allocate ")
        .and_then(|rest| rest.split_once(" bytes)"))
        .and_then(|(size, _)| size.parse().ok())
        .unwrap_or_else(|| panic!("not an out-of-memory error: {message}"));
    OutOfMemory::new(size).into()
}

fn check_json(allocations: u64, body: impl FnMut() -> Result<()>) {
    let summary = OomTest::new()
        .allow_alloc_after_oom(true)
        .alloc_succeeds_after_oom(true)
        .check(body)
        .unwrap();
    assert_eq!(summary.allocations, allocations, "allocations made");
    assert_eq!(
        summary.injected, allocations,
        "allocations failed once each"
    );
}

#[test]
fn json_into_each_collection() {
    // JSON arrays announce no length: buffers of 4, then 8.
    check_json(2, || {
        let v: TryVec<u16> = serde_json::from_str("[1, 2, 3, 4, 5]").map_err(json_oom)?;
        assert_eq!(v, [1, 2, 3, 4, 5]);
        Ok(())
    });
    check_json(1, || {
        let s: TryString = serde_json::from_str(r#""no escapes""#).map_err(json_oom)?;
        assert_eq!(s, "no escapes");
        Ok(())
    });
    // Tables for 3, then 7 entries; then one string per key.
    check_json(6, || {
        let map: TryHashMap<TryString, bool> =
            serde_json::from_str(r#"{"a": true, "b": false, "c": true, "d": false}"#)
                .map_err(json_oom)?;
        assert_eq!(map.len(), 4);
        Ok(())
    });
    check_json(1, || {
        let set: TryHashSet<u32> = serde_json::from_str("[9, 8, 9]").map_err(json_oom)?;
        assert_eq!(set.len(), 2);
        Ok(())
    });
}

#[test]
fn json_into_a_derived_struct() {
    let json = r#"{
        "name": "demo",
        "exports": ["_start", "memory", "table"],
        "sizes": {"memory": 65536},
        "features": [1, 2]
    }"#;
    // The name; the exports' buffer and three strings; the sizes' table and
    // its key; the features' table.
    check_json(8, || {
        let module: Module = serde_json::from_str(json).map_err(json_oom)?;
        assert_eq!(module.exports[2], "table");
        assert_eq!(module.sizes.get("memory"), Some(&65536));
        Ok(())
    });
}
