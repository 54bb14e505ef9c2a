// Boxed slices built from iterators, as a Wasmtime user writes them: a
// table of function names with a known length, a list parsed from text,
// a buffer filled in two steps. Included by `tests/boxed_slice.rs` with
// either crate's imports.

use std::rc::Rc;

/// A table of `len` names, or an error when the source runs short.
fn name_table(len: usize, names: &[&'static str]) -> Result<Box<[&'static str]>> {
    Ok(new_boxed_slice_from_iter_with_len(len, names.iter().copied())?)
}

#[test]
fn with_len_takes_exactly_len_items() {
    let table = name_table(2, &["main", "start", "extra"]).unwrap();
    assert_eq!(&*table, &["main", "start"]);

    let short = new_boxed_slice_from_iter_with_len(3, 0..2u8);
    assert!(matches!(short, Err(TooFewItemsOrOom::TooFewItems(_))));
    let error: Error = name_table(3, &["main"]).unwrap_err();
    assert!(error.downcast_ref::<TooFewItemsOrOom>().is_some());

    let empty = new_boxed_slice_from_iter_with_len(0, std::iter::empty::<u64>()).unwrap();
    assert!(empty.is_empty());
}

#[test]
fn with_len_reports_an_impossible_length_as_oom() {
    let error = new_boxed_slice_from_iter_with_len(usize::MAX, [1u64, 2]).unwrap_err();
    assert!(matches!(error, TooFewItemsOrOom::Oom(_)));
    let oom: OutOfMemory = error.unwrap_oom();
    assert!(oom.requested_allocation_size() > 0);
}

#[test]
fn items_are_dropped_once_whatever_happens() {
    let shared = Rc::new(());
    let kept = new_boxed_slice_from_iter_with_len(2, std::iter::repeat_n(shared.clone(), 5)).unwrap();
    assert_eq!(Rc::strong_count(&shared), 3);
    drop(kept);
    assert_eq!(Rc::strong_count(&shared), 1);

    let short = new_boxed_slice_from_iter_with_len(4, vec![shared.clone(), shared.clone()]);
    assert!(short.is_err());
    assert_eq!(Rc::strong_count(&shared), 1);

    let slots = new_uninit_boxed_slice::<Rc<()>>(3).unwrap();
    assert!(boxed_slice_write_iter(slots, [shared.clone()]).is_err());
    assert_eq!(Rc::strong_count(&shared), 1);

    let items = [Ok(shared.clone()), Err("bad"), Ok(shared.clone())];
    assert!(new_boxed_slice_from_fallible_iter(items).is_err());
    assert_eq!(Rc::strong_count(&shared), 1);
}

#[test]
fn uninit_slots_filled_from_an_iterator() {
    let slots = new_uninit_boxed_slice::<u32>(4).unwrap();
    assert_eq!(slots.len(), 4);
    let filled = boxed_slice_write_iter(slots, (1..).map(|n| n * 10)).unwrap();
    assert_eq!(&*filled, &[10, 20, 30, 40]);

    let units = new_uninit_boxed_slice::<()>(usize::MAX).unwrap();
    assert_eq!(units.len(), usize::MAX);
    assert!(new_uninit_boxed_slice::<u32>(usize::MAX).is_err());
}

fn parse_list(text: &str) -> Result<Box<[u32]>, BoxedSliceFromFallibleIterError<std::num::ParseIntError>> {
    new_boxed_slice_from_fallible_iter(text.split(',').map(str::parse))
}

#[test]
fn from_fallible_iter_stops_at_the_first_error() {
    assert_eq!(&*parse_list("4,5,6").unwrap(), &[4, 5, 6]);
    match parse_list("4,x,6") {
        Err(BoxedSliceFromFallibleIterError::IterError(error)) => {
            assert_eq!(error.to_string(), "invalid digit found in string");
        }
        other => panic!("unexpected {other:?}"),
    }
    // More items than the size hint promised, and fewer.
    let grown = new_boxed_slice_from_fallible_iter((0..20u8).filter(|n| n % 3 == 0).map(Ok::<_, ()>));
    assert_eq!(&*grown.unwrap(), &[0, 3, 6, 9, 12, 15, 18]);
}

#[test]
fn an_oom_from_the_items_flattens() {
    let items = [Ok(1u8), Err(OutOfMemory::new(100))];
    let oom: OutOfMemory = new_boxed_slice_from_fallible_iter(items).unwrap_err().flatten();
    assert_eq!(oom.requested_allocation_size(), 100);
    let error = BoxedSliceFromFallibleIterError::<OutOfMemory>::from(OutOfMemory::new(8));
    assert_eq!(error.flatten().requested_allocation_size(), 8);
}

fn squares(n: u32) -> Result<Box<[u32]>> {
    Ok(new_boxed_slice_from_iter((1..=n).map(|i| i * i))?)
}

#[test]
fn from_iter_into_a_result() {
    assert_eq!(&*squares(4).unwrap(), &[1, 4, 9, 16]);
    assert!(squares(0).unwrap().is_empty());
    let words = new_boxed_slice_from_iter("a bc def".split(' ')).unwrap();
    assert_eq!(&*words, &["a", "bc", "def"]);
    let huge = new_boxed_slice_from_iter((0..usize::MAX).filter(|n| *n < 2));
    let oom: OutOfMemory = huge.unwrap_err();
    assert!(oom.requested_allocation_size() > 0);
}
