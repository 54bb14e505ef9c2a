// `TryString` as a user building names and messages would use it: every
// method and trait Wasmtime 48.0.8 has.

use std::collections::{BTreeMap, HashSet};

/// `prefix` and `name` joined by a dot, as a user would build a path.
fn qualified(prefix: &str, name: &str) -> Result<TryString> {
    let mut path = TryString::try_from(prefix)?;
    path.push('.')?;
    path.push_str(name)?;
    Ok(path)
}

#[test]
fn try_from_push_and_push_str() -> Result<()> {
    let path = qualified("env", "memory")?;
    assert_eq!(path.as_str(), "env.memory");
    assert_eq!(path.len(), 10);

    let mut wide = TryString::new();
    wide.push('é')?;
    wide.push('😀')?;
    wide.push_str("ß")?;
    assert_eq!(&*wide, "é😀ß");
    assert_eq!(wide.len(), 2 + 4 + 2);
    assert!(TryString::try_from("")?.is_empty());
    Ok(())
}

#[test]
fn reserve_and_reserve_exact() -> Result<()> {
    let mut s = TryString::try_from("ab")?;
    s.reserve(10)?;
    assert!(s.capacity() >= 12);

    let mut exact = TryString::with_capacity(0)?;
    exact.push_str("ab")?;
    exact.shrink_to_fit()?;
    exact.reserve_exact(3)?;
    assert_eq!(exact.capacity(), 5);
    let capacity = exact.capacity();
    exact.push_str("cde")?;
    assert_eq!(exact.capacity(), capacity);

    assert!(s.reserve(usize::MAX).is_err());
    assert!(s.reserve_exact(usize::MAX).is_err());
    assert_eq!(s.as_str(), "ab");
    Ok(())
}

#[test]
fn shrink_to_fit_and_into_boxed_str() -> Result<()> {
    let mut s = TryString::with_capacity(64)?;
    s.push_str("table")?;
    s.shrink_to_fit()?;
    assert_eq!(s.capacity(), 5);
    assert_eq!(s.as_str(), "table");

    let mut emptied = TryString::with_capacity(16)?;
    emptied.shrink_to_fit()?;
    assert_eq!(emptied.capacity(), 0);

    let boxed: Box<str> = s.into_boxed_str()?;
    assert_eq!(&*boxed, "table");
    let mut roomy = TryString::with_capacity(32)?;
    roomy.push_str("global")?;
    assert_eq!(&*roomy.into_boxed_str()?, "global");
    assert_eq!(&*TryString::new().into_boxed_str()?, "");
    Ok(())
}

#[test]
fn raw_parts_round_trip() -> Result<()> {
    let mut s = TryString::with_capacity(16)?;
    s.push_str("func")?;
    let capacity = s.capacity();
    let (ptr, len, cap) = s.into_raw_parts();
    assert_eq!((len, cap), (4, capacity));
    // SAFETY: `ptr` points at `len` initialised bytes of the string, which
    // no one else owns now; an ASCII letter's uppercase keeps it UTF-8.
    unsafe { *ptr = b'F' };
    // SAFETY: the parts from `into_raw_parts`, holding valid UTF-8, put
    // back together once.
    let s = unsafe { TryString::from_raw_parts(ptr, len, cap) };
    assert_eq!(s.as_str(), "Func");
    assert_eq!(s.capacity(), capacity);
    Ok(())
}

#[test]
fn str_methods_through_deref_and_deref_mut() -> Result<()> {
    let mut s = qualified("wasi", "fd_write")?;
    assert!(s.starts_with("wasi."));
    assert_eq!(s.split('.').nth(1), Some("fd_write"));
    s.make_ascii_uppercase();
    assert_eq!(s.as_str(), "WASI.FD_WRITE");
    let as_ref: &str = s.as_ref();
    assert_eq!(as_ref.len(), 13);
    Ok(())
}

#[test]
fn borrow_looks_up_by_str() -> Result<()> {
    let mut names = HashSet::new();
    names.insert(qualified("env", "a")?);
    names.insert(qualified("env", "b")?);
    assert!(names.contains("env.a"));
    assert!(!names.contains("env.c"));

    let mut sizes = BTreeMap::new();
    sizes.insert(TryString::try_from("z")?, 1);
    sizes.insert(TryString::try_from("a")?, 2);
    assert_eq!(sizes.get("a"), Some(&2));
    let keys: Vec<&str> = sizes.keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, ["a", "z"]);
    Ok(())
}

#[test]
fn formatting_comparison_clone_and_conversions() -> Result<()> {
    let s = qualified("m", "f")?;
    assert_eq!(format!("{s}"), "m.f");
    assert_eq!(format!("{s:?}"), "\"m.f\"");
    assert_eq!(format!("[{s:>5}]"), "[  m.f]");

    let copy = s.try_clone()?;
    assert_eq!(copy, s);
    assert!(TryString::try_from("a")? < s);
    // Annotated: a bare `TryString::default()` builds against Wasmtime only.
    let empty: TryString = Default::default();
    assert!(empty.is_empty());

    let std: String = copy.into();
    assert_eq!(std, "m.f");
    let back = TryString::from(std);
    assert_eq!(back.as_str(), "m.f");
    Ok(())
}

#[test]
fn impossible_capacity_is_out_of_memory() {
    let error: OutOfMemory = TryString::with_capacity(usize::MAX).unwrap_err();
    assert!(error.requested_allocation_size() > 0);
}

/// The capacities the two crates give (tests/string.rs compares them):
/// `with_capacity(3)`, `try_from("ab")` and `try_clone` of a 3-byte string.
pub fn observed_capacities() -> [usize; 3] {
    let three = TryString::with_capacity(3).unwrap().capacity();
    let two = TryString::try_from("ab").unwrap();
    let mut exact = TryString::new();
    exact.reserve_exact(3).unwrap();
    exact.push_str("abc").unwrap();
    let clone = exact.try_clone().unwrap();
    [three, two.capacity(), clone.capacity()]
}
