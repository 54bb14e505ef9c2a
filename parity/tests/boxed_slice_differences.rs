//! Where this crate's boxed-slice functions and Wasmtime's (48.0.8) part
//! ways: zero-sized items. Wasmtime's `new_boxed_slice_from_iter` and
//! `new_boxed_slice_from_iter_with_len` panic on an assertion for them
//! (its builder compares the length with a `Vec`'s capacity, which is
//! `usize::MAX` for a zero-sized type); this crate builds the slice.

use std::panic::catch_unwind;

#[test]
fn zero_sized_items_panic_in_wasmtime() {
    let from_iter =
        catch_unwind(|| wasmtime_internal_core::alloc::new_boxed_slice_from_iter([(), ()]));
    assert!(from_iter.is_err());
    let with_len = catch_unwind(|| {
        wasmtime_internal_core::alloc::new_boxed_slice_from_iter_with_len(2, [(), ()])
    });
    assert!(with_len.is_err());
}

#[test]
fn zero_sized_items_work_here() {
    let from_iter = wasmtime_error::alloc::new_boxed_slice_from_iter([(), ()]).unwrap();
    assert_eq!(from_iter.len(), 2);
    let with_len = wasmtime_error::alloc::new_boxed_slice_from_iter_with_len(2, [(), ()]).unwrap();
    assert_eq!(with_len.len(), 2);
}
