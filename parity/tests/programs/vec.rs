// `TryVec` as a user keeping a table of module items would use it: every
// method Wasmtime 48.0.8 has, beyond `try_vec!` (programs/try_vec.rs).

use std::collections::{BTreeSet, HashSet};
use std::num::NonZeroUsize;

/// A value that counts its clones, to see how many `from_elem` makes.
struct Counted<'a> {
    id: u32,
    clones: &'a std::cell::Cell<usize>,
}

impl TryClone for Counted<'_> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        self.clones.set(self.clones.get() + 1);
        Ok(Counted {
            id: self.id,
            clones: self.clones,
        })
    }
}

fn numbers(values: &[u32]) -> Result<TryVec<u32>> {
    let mut v = TryVec::with_capacity(values.len())?;
    for &value in values {
        v.push(value)?;
    }
    Ok(v)
}

#[test]
fn push_pop_truncate_clear() -> Result<()> {
    let mut v = TryVec::new();
    assert!(v.is_empty());
    for n in 1..=5u32 {
        v.push(n * 10)?;
    }
    assert_eq!(v.len(), 5);
    assert_eq!(v.pop(), Some(50));
    v.truncate(2);
    assert_eq!(&*v, &[10, 20]);
    v.truncate(10);
    assert_eq!(v.len(), 2);
    let capacity = v.capacity();
    v.clear();
    assert!(v.is_empty());
    assert_eq!(v.pop(), None);
    assert_eq!(v.capacity(), capacity);
    Ok(())
}

#[test]
fn reserve_and_reserve_exact_make_room_or_fail_unchanged() -> Result<()> {
    let mut v = numbers(&[1, 2])?;
    v.reserve(10)?;
    assert!(v.capacity() >= 12);
    let mut exact = numbers(&[1, 2])?;
    exact.reserve_exact(3)?;
    assert_eq!(exact.capacity(), 5);

    let before = v.capacity();
    assert!(v.reserve(usize::MAX).is_err());
    assert!(v.reserve_exact(usize::MAX / 2).is_err());
    assert!(v.push(3).is_ok());
    assert_eq!(&*v, &[1, 2, 3]);
    assert_eq!(v.capacity(), before);
    Ok(())
}

#[test]
fn shrink_to_fit_and_into_boxed_slice() -> Result<()> {
    let mut v = TryVec::<u16>::with_capacity(32)?;
    v.push(7)?;
    v.push(8)?;
    v.shrink_to_fit()?;
    assert_eq!(v.capacity(), 2);
    assert_eq!(&*v, &[7, 8]);

    let mut emptied = numbers(&[1, 2, 3])?;
    emptied.clear();
    emptied.shrink_to_fit()?;
    assert_eq!(emptied.capacity(), 0);

    let mut units = TryVec::new();
    units.push(())?;
    units.shrink_to_fit()?;
    assert_eq!(units.len(), 1);

    let boxed: Box<[u16]> = v.into_boxed_slice()?;
    assert_eq!(&*boxed, &[7, 8]);
    let none: Box<[u16]> = TryVec::with_capacity(4)?.into_boxed_slice()?;
    assert!(none.is_empty());
    Ok(())
}

#[test]
fn resize_and_resize_with() -> Result<()> {
    let mut v = numbers(&[1])?;
    v.resize(3, 9)?;
    assert_eq!(&*v, &[1, 9, 9]);

    let mut next = 100;
    v.resize_with(5, || {
        next += 1;
        next
    })?;
    assert_eq!(&*v, &[1, 9, 9, 101, 102]);

    let mut calls = 0;
    v.resize_with(2, || {
        calls += 1;
        0
    })?;
    assert_eq!(&*v, &[1, 9]);

    // An impossible length fails before the closure is first called.
    assert!(
        v.resize_with(usize::MAX, || {
            calls += 1;
            0
        })
        .is_err()
    );
    assert_eq!(calls, 0);
    assert_eq!(&*v, &[1, 9]);
    Ok(())
}

#[test]
fn retain_and_retain_mut() -> Result<()> {
    let mut v = numbers(&[1, 2, 3, 4, 5, 6])?;
    let mut seen = 0;
    v.retain(|n| {
        seen += 1;
        n % 3 != 0
    });
    assert_eq!(seen, 6);
    assert_eq!(&*v, &[1, 2, 4, 5]);

    v.retain_mut(|n| {
        *n *= 2;
        *n > 4
    });
    assert_eq!(&*v, &[8, 10]);
    Ok(())
}

#[test]
fn drain_removes_the_range_even_when_not_consumed() -> Result<()> {
    let mut v = numbers(&[1, 2, 3, 4, 5])?;
    let middle: Vec<u32> = v.drain(1..3).collect();
    assert_eq!(middle, [2, 3]);
    assert_eq!(&*v, &[1, 4, 5]);

    let mut drain = v.drain(..2);
    assert_eq!(drain.next_back(), Some(4));
    drop(drain);
    assert_eq!(&*v, &[5]);

    let capacity = v.capacity();
    assert_eq!(v.drain(..).sum::<u32>(), 5);
    assert!(v.is_empty());
    assert_eq!(v.capacity(), capacity);
    Ok(())
}

#[test]
#[should_panic]
fn drain_past_the_end_panics() {
    let mut v = numbers(&[1, 2]).unwrap();
    v.drain(1..3);
}

#[test]
fn raw_parts_round_trip() -> Result<()> {
    let mut names = TryVec::with_capacity(4)?;
    names.push(String::from("memory"))?;
    names.push(String::from("table"))?;
    let (ptr, len, capacity) = names.into_raw_parts();
    assert_eq!((len, capacity), (2, 4));
    // SAFETY: `ptr` points at `len` initialised `String`s in an allocation
    // of `capacity` of them, and the vector that owned it is gone.
    unsafe { (*ptr).push_str("_0") };
    // SAFETY: the parts from `into_raw_parts`, put back together once.
    let names = unsafe { TryVec::from_raw_parts(ptr, len, capacity) };
    assert_eq!(&*names, &["memory_0", "table"]);
    assert_eq!(names.capacity(), 4);
    Ok(())
}

#[test]
fn as_mut_ptr_writes_in_place() -> Result<()> {
    let mut v = numbers(&[1, 2, 3])?;
    let ptr = v.as_mut_ptr();
    // SAFETY: indices 0 and 2 are initialised elements of the buffer, and
    // no reference into the vector lives while the pointer is used.
    unsafe {
        *ptr = 10;
        *ptr.add(2) = 30;
    }
    assert_eq!(&*v, &[10, 2, 30]);
    Ok(())
}

#[test]
fn index_and_index_mut() -> Result<()> {
    let mut v = numbers(&[1, 2, 3, 4])?;
    assert_eq!(v[0], 1);
    assert_eq!(&v[1..3], &[2, 3]);
    assert_eq!(&v[2..], &[3, 4]);
    v[3] = 40;
    v[..2].copy_from_slice(&[10, 20]);
    assert_eq!(&v[..], &[10, 20, 3, 40]);
    Ok(())
}

#[test]
#[should_panic]
fn index_past_the_end_panics() {
    let v = numbers(&[1, 2]).unwrap();
    let _ = v[2];
}

#[test]
fn borrow_looks_up_by_slice() -> Result<()> {
    let mut hashed = HashSet::new();
    hashed.insert(numbers(&[1, 2])?);
    hashed.insert(numbers(&[3])?);
    assert!(hashed.contains(&[1, 2][..]));
    assert!(!hashed.contains(&[2, 1][..]));

    let mut sorted = BTreeSet::new();
    sorted.insert(numbers(&[2])?);
    sorted.insert(numbers(&[1, 5])?);
    sorted.insert(numbers(&[1])?);
    assert!(sorted.contains(&[1, 5][..]));
    let order: Vec<&[u32]> = sorted.iter().map(|v| &v[..]).collect();
    assert_eq!(order, [&[1][..], &[1, 5], &[2]]);
    Ok(())
}

#[test]
fn conversions_from_and_to_std() -> Result<()> {
    let boxed: Box<[u32]> = Box::new([4, 5, 6]);
    let from_box = TryVec::from(boxed);
    assert_eq!(&*from_box, &[4, 5, 6]);
    assert_eq!(from_box.capacity(), 3);

    let from_std: TryVec<u32> = vec![7, 8].into();
    let back: Vec<u32> = from_std.into();
    assert_eq!(back, [7, 8]);
    let as_ref: &[u32] = from_box.as_ref();
    assert_eq!(as_ref.len(), 3);
    Ok(())
}

#[test]
fn from_elem_clones_all_but_the_last() -> Result<()> {
    let clones = std::cell::Cell::new(0);
    let elem = Counted {
        id: 3,
        clones: &clones,
    };
    let v = TryVec::from_elem(elem, NonZeroUsize::new(4).unwrap())?;
    assert_eq!(v.len(), 4);
    assert!(v.iter().all(|c| c.id == 3));
    assert_eq!(clones.get(), 3);

    let one = TryVec::from_elem(0u8, NonZeroUsize::MIN)?;
    assert_eq!(&*one, &[0]);
    assert!(TryVec::from_elem(0u64, NonZeroUsize::MAX).is_err());
    Ok(())
}

#[test]
fn iteration_traits_and_clone() -> Result<()> {
    let mut v = numbers(&[1, 2, 3])?;
    for n in &mut v {
        *n += 1;
    }
    let mut sum = 0;
    for n in &v {
        sum += n;
    }
    assert_eq!(sum, 9);

    let copy = v.try_clone()?;
    assert_eq!(copy, v);
    assert!(numbers(&[1, 9])? < v);
    assert_eq!(format!("{copy:?}"), "[2, 3, 4]");
    // Annotated: a bare `TryVec::default()` builds against Wasmtime only.
    let empty: TryVec<u8> = Default::default();
    assert_eq!(empty.len(), 0);

    let mut owned = v.into_iter();
    assert_eq!(owned.next(), Some(2));
    assert_eq!(owned.as_slice(), &[3, 4]);
    assert_eq!(owned.rev().collect::<Vec<_>>(), [4, 3]);
    Ok(())
}

/// What the two crates report differently (tests/vec.rs compares them):
/// the capacity `with_capacity(3)` of bytes gives, and the size that a
/// failed `reserve_exact` of `2^61` more `u32`s after two names.
pub fn observed_sizes() -> [usize; 2] {
    let three = TryVec::<u8>::with_capacity(3).unwrap().capacity();
    let mut v = numbers(&[1, 2]).unwrap();
    let exact = v.reserve_exact(1 << 61).unwrap_err();
    assert_eq!(&*v, &[1, 2]);
    [three, exact.requested_allocation_size()]
}

/// The type names of what `drain` and `into_iter` return.
pub fn iterator_types() -> [&'static str; 2] {
    fn name<T>(_: &T) -> &'static str {
        std::any::type_name::<T>()
    }
    let mut v = numbers(&[1]).unwrap();
    let drain = name(&v.drain(..));
    [drain, name(&v.into_iter())]
}
