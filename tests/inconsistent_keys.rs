//! Keys whose `Eq` or `Hash` answers differently from one call to the next
//! (a logic error safe code may commit): every insertion path of
//! `TryHashMap` and `TryHashSet` stays fallible. A path that relied on the
//! answers would hand hashbrown an insertion without room, which grows the
//! table infallibly and aborts the process when the allocator refuses. So
//! the scenario with the budget exhausted runs in a child process, and an
//! in-process test catches the same fault as an allocation in an insertion
//! that must not allocate.

use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::process::Command;

use wasmtime_error::OutOfMemory;
use wasmtime_error::alloc::{Budget, Entry, TryClone, TryExtend, TryHashMap, TryHashSet};

thread_local! {
    /// The answers of `Fickle::eq` for equal values, lowest bit first; `false`
    /// once they run out.
    static EQ_ANSWERS: Cell<u64> = const { Cell::new(u64::MAX) };
    /// Whether `Fickle::hash` adds a different salt on each call.
    static HASH_LIES: Cell<bool> = const { Cell::new(false) };
    static SALT: Cell<u64> = const { Cell::new(0) };
}

/// A key whose answers follow `EQ_ANSWERS` and `HASH_LIES`.
#[derive(Debug)]
struct Fickle(u32);

impl PartialEq for Fickle {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
            && EQ_ANSWERS.with(|answers| {
                let bits = answers.get();
                answers.set(bits >> 1);
                bits & 1 == 1
            })
    }
}

impl Eq for Fickle {}

impl Hash for Fickle {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
        if HASH_LIES.get() {
            SALT.set(SALT.get() + 1);
            SALT.get().hash(state);
        }
    }
}

impl TryClone for Fickle {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(Fickle(self.0))
    }
}

/// Keys are honest while the table is filled, then lie as told.
fn lie(eq_answers: u64, hash_lies: bool) {
    EQ_ANSWERS.set(eq_answers);
    HASH_LIES.set(hash_lies);
}

fn honest() {
    lie(u64::MAX, false);
}

/// The ways a key may lie: `Eq` scripts of four answers, with an honest or
/// a changing hash.
fn lies() -> impl Iterator<Item = (u64, bool)> {
    (0..16).flat_map(|answers| [(answers, false), (answers, true)])
}

/// A map whose table is full (the next new key needs a larger one).
fn full_map(
    budget: &Budget,
) -> TryHashMap<Fickle, u64, wasmtime_error::alloc::DefaultHashBuilder, &Budget> {
    honest();
    let mut map = TryHashMap::new_in(budget);
    let mut key = 0;
    while map.is_empty() || map.len() < map.capacity() {
        map.insert(Fickle(key), u64::from(key)).unwrap();
        key += 1;
    }
    map
}

fn full_set(
    budget: &Budget,
) -> TryHashSet<Fickle, wasmtime_error::alloc::DefaultHashBuilder, &Budget> {
    honest();
    let mut set = TryHashSet::new_in(budget);
    let mut key = 0;
    while set.is_empty() || set.len() < set.capacity() {
        set.insert(Fickle(key)).unwrap();
        key += 1;
    }
    set
}

#[test]
fn a_vacant_entry_for_a_lying_key_has_room() {
    let mut vacant = 0;
    for (answers, hash_lies) in lies() {
        let budget = Budget::new(1 << 20);
        let mut map = full_map(&budget);
        let len = map.len();
        lie(answers, hash_lies);
        // Key 0 is in the map; the key may say otherwise.
        if let Entry::Vacant(slot) = map.entry(Fickle(0)) {
            vacant += 1;
            let used = budget.used();
            slot.try_insert(7).unwrap();
            assert_eq!(
                budget.used(),
                used,
                "inserting into a vacant entry allocated (answers {answers:#06b}, hash lies: {hash_lies})"
            );
            honest();
            assert_eq!(map.len(), len + 1);
        }
    }
    assert!(vacant >= 16, "only {vacant} vacant entries");
}

/// Runs only when the parent asks for it (`--ignored`).
#[test]
#[ignore = "child process of `insertions_stay_fallible_with_lying_keys_and_no_memory`"]
fn child_inserts_lying_keys_with_no_memory() {
    let mut refused = 0;
    for (answers, hash_lies) in lies() {
        // A budget that holds the full table and not a byte more.
        let limit = full_map(&Budget::new(1 << 20)).allocator().used();
        let budget = Budget::new(limit);
        let mut map = full_map(&budget);
        let set_limit = {
            let roomy = Budget::new(1 << 20);
            let _set = full_set(&roomy);
            roomy.used()
        };
        let set_budget = Budget::new(set_limit);
        let mut set = full_set(&set_budget);
        let results = [
            {
                lie(answers, hash_lies);
                map.entry(Fickle(0)).or_try_insert(1).map(drop)
            },
            {
                lie(answers, hash_lies);
                map.entry(Fickle(1)).or_try_insert_with(|| 1).map(drop)
            },
            {
                lie(answers, hash_lies);
                map.entry(Fickle(2)).or_try_default().map(drop)
            },
            {
                lie(answers, hash_lies);
                match map.entry(Fickle(0)) {
                    Entry::Vacant(slot) => slot.try_insert(1).map(drop),
                    Entry::Occupied(_) => Ok(()),
                }
            },
            {
                lie(answers, hash_lies);
                map.insert(Fickle(0), 1).map(drop)
            },
            {
                lie(answers, hash_lies);
                map.try_extend([(Fickle(0), 1), (Fickle(1), 1)])
            },
            {
                lie(answers, hash_lies);
                map.try_clone().map(drop)
            },
            {
                lie(answers, hash_lies);
                set.insert(Fickle(0)).map(drop)
            },
            {
                lie(answers, hash_lies);
                set.try_extend([Fickle(0), Fickle(1)])
            },
            {
                lie(answers, hash_lies);
                set.try_clone().map(drop)
            },
        ];
        refused += results.iter().filter(|result| result.is_err()).count();
    }
    // The clones and the insertions that reserve first always need memory.
    assert!(refused >= 32 * 5, "only {refused} refusals");
    println!("refused {refused}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn processes")]
fn insertions_stay_fallible_with_lying_keys_and_no_memory() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_inserts_lying_keys_with_no_memory",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the child failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("refused "), "{stdout}");
}
