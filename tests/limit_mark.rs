//! The fallible mark is tight: a caller's code that runs inside one of the
//! crate's fallible methods (`Display`, `Hash`, `TryClone`, an iterator)
//! and allocates infallibly is charged, never refused, even in a scope
//! that is over its limit. If the mark leaked onto such an allocation,
//! the refusal would abort this test binary.

use std::cell::Cell;
use std::fmt;
use std::hash::{Hash, Hasher};

use wasmtime_error::alloc::limit::{self, LimitAllocator, MemoryScope};
use wasmtime_error::alloc::{TryClone, TryCollect, TryHashMap, TryHashSet, TryVec};
use wasmtime_error::{OutOfMemory, try_format};

#[global_allocator]
static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);

/// A scope of `limit` bytes that an infallible allocation put over it;
/// the allocation is returned, to keep it so.
fn exceeded(limit: usize) -> (MemoryScope, Vec<u8>) {
    let scope = MemoryScope::new(limit).unwrap();
    let over = scope.run(|| vec![1u8; limit + 1]);
    (scope, over)
}

thread_local! {
    static USER_ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Allocates infallibly, as a caller's code may, and counts it.
fn allocate_infallibly() {
    let text = String::from("allocated by the caller's code");
    std::hint::black_box(&text);
    USER_ALLOCATIONS.with(|count| count.set(count.get() + 1));
}

fn user_allocations() -> usize {
    USER_ALLOCATIONS.with(Cell::get)
}

struct Shown;

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        allocate_infallibly();
        f.write_str("shown")
    }
}

#[derive(PartialEq, Eq)]
struct Key(u32);

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        allocate_infallibly();
        self.0.hash(state);
    }
}

struct Cloned(u8);

impl TryClone for Cloned {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        allocate_infallibly();
        Ok(Cloned(self.0))
    }
}

#[test]
fn a_display_that_allocates_inside_try_format() {
    let (scope, over) = exceeded(64);
    let before = user_allocations();
    let result = scope.run(|| try_format!("{}", Shown));
    assert!(result.is_err(), "the text's own allocation is refused");
    assert!(user_allocations() > before, "the Display ran and allocated");
    drop(over);
    let text = scope.run(|| try_format!("{}", Shown)).unwrap();
    assert_eq!(text, "shown");
}

#[test]
fn a_hash_that_allocates_while_a_map_grows() {
    let mut map = TryHashMap::new();
    for n in 0..3 {
        map.insert(Key(n), n).unwrap();
    }
    // The size of the next table, from a scope with no room for it.
    let none = MemoryScope::new(0).unwrap();
    assert_eq!(map.capacity(), 3, "full: the next insert grows the table");
    let table = none.run(|| {
        map.insert(Key(3), 3)
            .unwrap_err()
            .requested_allocation_size()
    });
    drop(none);
    assert_eq!(map.len(), 3, "a refused growth hashes nothing");
    // Room for the new table exactly: the growth (marked) is granted, and
    // then the keys are hashed, allocating past the limit, unrefused.
    let scope = MemoryScope::new(table).unwrap();
    let before = user_allocations();
    scope.run(|| {
        map.insert(Key(3), 3).unwrap();
        assert!(limit::check().is_ok(), "the caller's strings are freed");
    });
    assert!(
        user_allocations() - before > 3,
        "every key was hashed again"
    );
    assert!(
        scope.peak() > table,
        "the caller's allocations went past the limit"
    );
    assert_eq!(scope.usage(), table);
}

/// A table full of deleted entries grows by rehashing in place: the keys
/// are hashed (and allocate) with nothing else allocated. That reservation
/// must not carry the mark.
#[test]
fn a_hash_that_allocates_while_a_set_rehashes_in_place() {
    let scope = MemoryScope::new(1 << 20).unwrap();
    let mut set: TryHashSet<Key> = TryHashSet::with_capacity(100).unwrap();
    let capacity = set.capacity();
    let over = scope.run(|| vec![0u8; (1 << 20) + 1]);
    let keep = 8;
    let mut rehashed_in_place = false;
    scope.run(|| {
        let mut next = 0;
        for _round in 0..10 {
            while set.len() < set.capacity() {
                set.insert(Key(next)).unwrap();
                next += 1;
            }
            let present: Vec<u32> = set.iter().map(|key| key.0).collect();
            for &key in &present[keep..] {
                set.remove(&Key(key));
            }
            // Half the full capacity: in place, if it rehashes at all.
            let before = user_allocations();
            set.reserve(capacity / 2 - keep).unwrap();
            if user_allocations() - before >= keep {
                rehashed_in_place = true;
                break;
            }
        }
    });
    assert!(rehashed_in_place, "no round reached an in-place rehash");
    assert_eq!(set.capacity(), capacity);
    drop(over);
}

#[test]
fn a_try_clone_that_allocates_while_a_vector_is_cloned() {
    let (scope, over) = exceeded(64);
    let items: TryVec<Cloned> = (0..4).map(Cloned).try_collect().unwrap();
    let before = user_allocations();
    let copy = scope.run(|| {
        let mut copy = TryVec::new();
        // Room first (outside the mark's reach: reserved before the scope
        // was exceeded would be the usual way; here the reservation is
        // refused, and no clone runs).
        assert!(copy.extend_from_slice(&items).is_err());
        copy
    });
    assert!(copy.is_empty());
    drop(over);
    let copy = scope.run(|| {
        let mut copy = TryVec::with_capacity(4).unwrap();
        let over = vec![0u8; 128];
        // Room is reserved; each clone allocates infallibly past the limit.
        copy.extend_from_slice(&items).unwrap();
        drop(over);
        copy
    });
    assert_eq!(user_allocations() - before, 4);
    assert_eq!(copy.iter().map(|c| c.0).sum::<u8>(), 6);
}

#[test]
fn an_iterator_that_allocates_while_collecting() {
    let (scope, over) = exceeded(64);
    let result: Result<TryVec<u32>, _> =
        scope.run(|| (0..10u32).inspect(|_| allocate_infallibly()).try_collect());
    assert!(result.is_err());
    drop(over);
}
