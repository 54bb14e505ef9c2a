//! One call per entry of `clippy/no-abort/clippy.toml`. A line that must be
//! reported ends in `// reported: PATH...`, naming each entry expected on it;
//! `.ci/disallowed-methods` fails on a mark without its report, on a report
//! without its mark, and on an entry that no line marks.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

pub fn vec_calls() -> Box<[u8]> {
    let mut v: Vec<u8> = Vec::with_capacity(1); // reported: alloc::vec::Vec::with_capacity
    v.reserve(1); // reported: alloc::vec::Vec::reserve
    v.reserve_exact(1); // reported: alloc::vec::Vec::reserve_exact
    v.push(1); // reported: alloc::vec::Vec::push
    v.insert(0, 2); // reported: alloc::vec::Vec::insert
    v.extend_from_slice(&[3, 4]); // reported: alloc::vec::Vec::extend_from_slice
    v.resize(8, 0); // reported: alloc::vec::Vec::resize
    v.resize_with(9, Default::default); // reported: alloc::vec::Vec::resize_with
    let mut other = Vec::new();
    v.append(&mut other); // reported: alloc::vec::Vec::append
    v.shrink_to(4); // reported: alloc::vec::Vec::shrink_to
    v.shrink_to_fit(); // reported: alloc::vec::Vec::shrink_to_fit
    v.into_boxed_slice() // reported: alloc::vec::Vec::into_boxed_slice
}

pub fn slice_calls() -> (Vec<u8>, Vec<u8>, String) {
    let copied = [1u8, 2].to_vec(); // reported: slice::to_vec
    let joined = [[1u8], [2]].concat(); // reported: slice::concat
    let listed = ["a", "b"].join(", "); // reported: slice::join
    (copied, joined, listed)
}

pub fn string_calls() -> Box<str> {
    let mut s = String::with_capacity(1); // reported: alloc::string::String::with_capacity
    s.reserve(1); // reported: alloc::string::String::reserve
    s.reserve_exact(1); // reported: alloc::string::String::reserve_exact
    s.push('a'); // reported: alloc::string::String::push
    s.push_str("bc"); // reported: alloc::string::String::push_str
    s.insert(0, 'd'); // reported: alloc::string::String::insert
    s.insert_str(0, "ef"); // reported: alloc::string::String::insert_str
    s.shrink_to_fit(); // reported: alloc::string::String::shrink_to_fit
    s.into_boxed_str() // reported: alloc::string::String::into_boxed_str
}

pub fn str_calls(n: u8) -> [String; 7] {
    [
        n.to_string(),                         // reported: alloc::string::ToString::to_string
        "ab".repeat(2),                        // reported: str::repeat
        "ab".replace('a', "c"),                // reported: str::replace
        "Ab".to_lowercase(),                   // reported: str::to_lowercase
        "Ab".to_uppercase(),                   // reported: str::to_uppercase
        std::fmt::format(format_args!("{n}")), // reported: alloc::fmt::format
        format!("{n}"),                        // reported: alloc::format alloc::fmt::format
    ]
}

pub fn owning_calls() -> (String, String, Box<u8>, Rc<u8>, Arc<u8>) {
    let owned = "ab".to_owned(); // reported: alloc::borrow::ToOwned::to_owned
    let cow: Cow<'_, str> = Cow::Borrowed("cd");
    let mut edited = cow.clone();
    edited.to_mut(); // reported: alloc::borrow::Cow::to_mut
    let into = cow.into_owned(); // reported: alloc::borrow::Cow::into_owned
    let pinned = Box::pin(1u8); // reported: alloc::boxed::Box::pin
    drop(pinned);
    (
        owned,
        into,
        Box::new(2), // reported: alloc::boxed::Box::new
        Rc::new(3),  // reported: alloc::rc::Rc::new
        Arc::new(4), // reported: alloc::sync::Arc::new
    )
}

pub fn hash_calls() -> (HashMap<u8, u8>, HashSet<u8>) {
    let mut map = HashMap::with_capacity(1); // reported: std::collections::HashMap::with_capacity
    map.reserve(1); // reported: std::collections::HashMap::reserve
    map.insert(1, 1); // reported: std::collections::HashMap::insert
    *map.entry(2).or_default() += 1; // reported: std::collections::HashMap::entry
    let mut set = HashSet::with_capacity(1); // reported: std::collections::HashSet::with_capacity
    set.reserve(1); // reported: std::collections::HashSet::reserve
    set.insert(1); // reported: std::collections::HashSet::insert
    (map, set)
}

pub fn deque_calls() -> VecDeque<u8> {
    let mut deque = VecDeque::with_capacity(1); // reported: alloc::collections::VecDeque::with_capacity
    deque.reserve(1); // reported: alloc::collections::VecDeque::reserve
    deque.push_back(1); // reported: alloc::collections::VecDeque::push_back
    deque.push_front(0); // reported: alloc::collections::VecDeque::push_front
    deque
}

pub fn iterator_calls() -> Vec<u8> {
    let mut v: Vec<u8> = (0..3).collect(); // reported: core::iter::Iterator::collect
    v.extend([3, 4]); // reported: core::iter::Extend::extend
    v
}

pub fn macro_calls() -> Vec<u8> {
    vec![1, 2] // reported: alloc::vec
}

pub fn type_uses() -> usize {
    let map = std::collections::BTreeMap::<u8, u8>::new(); // reported: alloc::collections::BTreeMap
    let set = std::collections::BTreeSet::<u8>::new(); // reported: alloc::collections::BTreeSet
    let list = std::collections::LinkedList::<u8>::new(); // reported: alloc::collections::LinkedList
    map.len() + set.len() + list.len()
}
