//! Random operation sequences on `TryVec`, `TryString`, `TryHashMap` and
//! `TryHashSet`, all in one small `Budget` (over the global allocator, or
//! over one that rounds every request up to 64 bytes), each compared with
//! its std counterpart after every operation:
//!
//! - an operation that succeeds does what std does;
//! - an operation that fails leaves the collection as it was;
//! - the budget's books balance: what it charged is what its callers hold
//!   (the lengths of the blocks handed out), never more than the limit, and
//!   everything comes back (`used() == 0`, nothing left in the inner
//!   allocator) once the collections are dropped.

#![no_main]

#[path = "../../tests/support/allocators.rs"]
mod allocators;

use std::collections::{HashMap, HashSet};

use allocators::{Holdings, Rounding};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wasmtime_error::alloc::{
    Allocator, Budget, Global, TryClone, TryExtend, TryHashMap, TryHashSet, TryString, TryVec,
};

#[derive(Arbitrary, Debug)]
struct Input {
    /// The budget's limit, in bytes (taken modulo 4096, so that it runs out).
    limit: u16,
    /// Whether the budget sits on the rounding allocator.
    rounding: bool,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    VecPush(u32),
    VecInsert(u8, u32),
    VecRemove(u8),
    VecPop,
    VecTruncate(u8),
    VecReserve(u16),
    VecReserveExact(u16),
    VecExtend(Vec<u32>),
    VecResize(u8, u32),
    VecShrink,
    VecClone,
    StrPush(char),
    StrPushStr(String),
    StrPop,
    StrTruncate(u8),
    StrReserve(u16),
    StrClone,
    MapInsert(u8, u32),
    MapRemove(u8),
    MapEntry(u8, u32),
    MapReserve(u8),
    MapExtend(Vec<(u8, u32)>),
    MapClone,
    SetInsert(u8),
    SetRemove(u8),
    SetReserve(u8),
    SetExtend(Vec<u8>),
    SetClone,
}

fuzz_target!(|input: Input| {
    let limit = usize::from(input.limit % 4096);
    if input.rounding {
        let budget = Budget::new_in(limit, Rounding::default());
        run(&budget, &input.ops);
        assert_eq!(
            budget.inner().live(),
            0,
            "the rounding allocator still holds blocks"
        );
    } else {
        run(&Budget::new_in(limit, Global), &input.ops);
    }
});

fn run<A: Allocator>(budget: &Budget<A>, ops: &[Op]) {
    let callers = Holdings::new(budget);
    {
        let mut state = State::new(&callers);
        for op in ops {
            state.apply(op);
            state.check();
            assert_eq!(callers.held(), budget.used(), "books after {op:?}");
            assert!(budget.used() <= budget.limit());
        }
    }
    assert_eq!(
        (budget.used(), callers.held()),
        (0, 0),
        "not all given back"
    );
}

struct State<'a, A: Allocator> {
    vec: TryVec<u32, &'a Holdings<A>>,
    vec_model: Vec<u32>,
    string: TryString<&'a Holdings<A>>,
    string_model: String,
    map: TryHashMap<u8, u32, wasmtime_error::alloc::DefaultHashBuilder, &'a Holdings<A>>,
    map_model: HashMap<u8, u32>,
    set: TryHashSet<u8, wasmtime_error::alloc::DefaultHashBuilder, &'a Holdings<A>>,
    set_model: HashSet<u8>,
    /// The last clone of each kind, kept to hold on to budget.
    clones: Clones<'a, A>,
}

struct Clones<'a, A: Allocator> {
    vec: Option<TryVec<u32, &'a Holdings<A>>>,
    string: Option<TryString<&'a Holdings<A>>>,
    map: Option<TryHashMap<u8, u32, wasmtime_error::alloc::DefaultHashBuilder, &'a Holdings<A>>>,
    set: Option<TryHashSet<u8, wasmtime_error::alloc::DefaultHashBuilder, &'a Holdings<A>>>,
}

impl<'a, A: Allocator> State<'a, A> {
    fn new(alloc: &'a Holdings<A>) -> Self {
        State {
            vec: TryVec::new_in(alloc),
            vec_model: Vec::new(),
            string: TryString::new_in(alloc),
            string_model: String::new(),
            map: TryHashMap::new_in(alloc),
            map_model: HashMap::new(),
            set: TryHashSet::new_in(alloc),
            set_model: HashSet::new(),
            clones: Clones {
                vec: None,
                string: None,
                map: None,
                set: None,
            },
        }
    }

    /// Applies `op` to the collection and, if it succeeded, to the model.
    fn apply(&mut self, op: &Op) {
        let (vec, model) = (&mut self.vec, &mut self.vec_model);
        match *op {
            Op::VecPush(value) => {
                if vec.push(value).is_ok() {
                    model.push(value);
                }
            }
            Op::VecInsert(at, value) => {
                let at = usize::from(at) % (model.len() + 1);
                if vec.insert(at, value).is_ok() {
                    model.insert(at, value);
                }
            }
            Op::VecRemove(at) if !model.is_empty() => {
                let at = usize::from(at) % model.len();
                assert_eq!(vec.remove(at), model.remove(at));
            }
            Op::VecRemove(_) => {}
            Op::VecPop => assert_eq!(vec.pop(), model.pop()),
            Op::VecTruncate(len) => {
                vec.truncate(usize::from(len));
                model.truncate(usize::from(len));
            }
            Op::VecReserve(additional) => {
                if vec.reserve(usize::from(additional)).is_ok() {
                    assert!(vec.capacity() >= model.len() + usize::from(additional));
                }
            }
            Op::VecReserveExact(additional) => {
                if vec.reserve_exact(usize::from(additional)).is_ok() {
                    assert!(vec.capacity() >= model.len() + usize::from(additional));
                }
            }
            Op::VecExtend(ref values) => {
                if vec.extend_from_slice(values).is_ok() {
                    model.extend_from_slice(values);
                }
            }
            Op::VecResize(len, value) => {
                if vec.resize(usize::from(len), value).is_ok() {
                    model.resize(usize::from(len), value);
                }
            }
            Op::VecShrink => {
                if vec.shrink_to_fit().is_ok() {
                    assert_eq!(vec.capacity(), model.len());
                }
            }
            Op::VecClone => {
                self.clones.vec = None;
                if let Ok(clone) = vec.try_clone() {
                    assert_eq!(clone.as_slice(), model.as_slice());
                    self.clones.vec = Some(clone);
                }
            }
            _ => self.apply_string(op),
        }
    }

    fn apply_string(&mut self, op: &Op) {
        let (string, model) = (&mut self.string, &mut self.string_model);
        match *op {
            Op::StrPush(c) => {
                if string.push(c).is_ok() {
                    model.push(c);
                }
            }
            Op::StrPushStr(ref text) => {
                if string.push_str(text).is_ok() {
                    model.push_str(text);
                }
            }
            Op::StrPop => assert_eq!(string.pop(), model.pop()),
            Op::StrTruncate(len) => {
                // The nearest char boundary at or below `len`.
                let len = (0..=usize::from(len).min(model.len()))
                    .rev()
                    .find(|&at| model.is_char_boundary(at))
                    .unwrap_or(0);
                string.truncate(len);
                model.truncate(len);
            }
            Op::StrReserve(additional) => {
                if string.reserve(usize::from(additional)).is_ok() {
                    assert!(string.capacity() >= model.len() + usize::from(additional));
                }
            }
            Op::StrClone => {
                self.clones.string = None;
                if let Ok(clone) = string.try_clone() {
                    assert_eq!(clone.as_str(), model.as_str());
                    self.clones.string = Some(clone);
                }
            }
            _ => self.apply_hashed(op),
        }
    }

    fn apply_hashed(&mut self, op: &Op) {
        let (map, model) = (&mut self.map, &mut self.map_model);
        let (set, set_model) = (&mut self.set, &mut self.set_model);
        match *op {
            Op::MapInsert(key, value) => {
                if let Ok(old) = map.insert(key, value) {
                    assert_eq!(old, model.insert(key, value));
                }
            }
            Op::MapRemove(key) => assert_eq!(map.remove(&key), model.remove(&key)),
            Op::MapEntry(key, value) => {
                if let Ok(slot) = map.entry(key).or_try_insert(value) {
                    *slot = slot.wrapping_add(1);
                    let expected = model.entry(key).or_insert(value);
                    *expected = expected.wrapping_add(1);
                }
            }
            Op::MapReserve(additional) => {
                if map.reserve(usize::from(additional)).is_ok() {
                    assert!(map.capacity() >= model.len() + usize::from(additional));
                }
            }
            Op::MapExtend(ref pairs) => {
                // Exact size hint: all or nothing.
                if map.try_extend(pairs.iter().copied()).is_ok() {
                    model.extend(pairs.iter().copied());
                }
            }
            Op::MapClone => {
                self.clones.map = None;
                if let Ok(clone) = map.try_clone() {
                    assert_eq!(clone, *map);
                    self.clones.map = Some(clone);
                }
            }
            Op::SetInsert(value) => {
                if let Ok(new) = set.insert(value) {
                    assert_eq!(new, set_model.insert(value));
                }
            }
            Op::SetRemove(value) => assert_eq!(set.remove(&value), set_model.remove(&value)),
            Op::SetReserve(additional) => {
                if set.reserve(usize::from(additional)).is_ok() {
                    assert!(set.capacity() >= set_model.len() + usize::from(additional));
                }
            }
            Op::SetExtend(ref values) => {
                if set.try_extend(values.iter().copied()).is_ok() {
                    set_model.extend(values.iter().copied());
                }
            }
            Op::SetClone => {
                self.clones.set = None;
                if let Ok(clone) = set.try_clone() {
                    assert_eq!(clone, *set);
                    self.clones.set = Some(clone);
                }
            }
            _ => unreachable!("handled by `apply` or `apply_string`: {op:?}"),
        }
    }

    /// Each collection holds what its model holds.
    fn check(&self) {
        assert_eq!(self.vec.as_slice(), self.vec_model.as_slice());
        assert_eq!(self.string.as_str(), self.string_model.as_str());
        assert_eq!(self.map.len(), self.map_model.len());
        for (key, value) in &self.map_model {
            assert_eq!(self.map.get(key), Some(value));
        }
        assert_eq!(self.set.len(), self.set_model.len());
        assert!(self.set_model.iter().all(|value| self.set.contains(value)));
    }
}
