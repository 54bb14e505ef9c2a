//! The program `programs/vec.rs`, built once with Wasmtime's imports and
//! once with this crate's: moving over changes the imports only. Then
//! what differs between the two builds, spelled out.

mod wasmtime {
    use wasmtime_internal_core::alloc::{TryClone, TryVec};
    use wasmtime_internal_core::error::{OutOfMemory, Result};
    include!("programs/vec.rs");
}

mod ours {
    use wasmtime_error::alloc::{TryClone, TryVec};
    use wasmtime_error::{OutOfMemory, Result};
    include!("programs/vec.rs");
}

// Wasmtime's `with_capacity` reserves amortised (std's minimum of 8 bytes),
// ours exactly; Wasmtime's `reserve_exact` error names the element count,
// ours the bytes (capped at `isize::MAX`, the most an allocation may ask).
#[test]
fn capacities_and_failed_request_sizes_differ() {
    let elements = (1 << 61) + 2;
    assert_eq!(wasmtime::observed_sizes(), [8, elements]);
    assert_eq!(ours::observed_sizes(), [3, isize::MAX as usize]);
}

// A program that names the iterator types (`std::vec::Drain<'_, T>`,
// `std::vec::IntoIter<T>`) builds against Wasmtime only.
#[test]
fn drain_and_into_iter_are_other_types() {
    let [drain, into_iter] = wasmtime::iterator_types();
    assert!(drain.starts_with("alloc::vec::drain::Drain<"), "{drain}");
    assert!(
        into_iter.starts_with("alloc::vec::into_iter::IntoIter<"),
        "{into_iter}"
    );
    let [drain, into_iter] = ours::iterator_types();
    assert!(drain.starts_with("allocator_api2::"), "{drain}");
    assert!(
        into_iter.starts_with("wasmtime_error::alloc::vec::IntoIter<"),
        "{into_iter}"
    );
}
