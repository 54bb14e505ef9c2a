//! The program `programs/string.rs`, built once with Wasmtime's imports and
//! once with this crate's: moving over changes the imports only. Then what
//! differs between the two builds, spelled out.

mod wasmtime {
    use wasmtime_internal_core::alloc::{TryClone, TryString};
    use wasmtime_internal_core::error::{OutOfMemory, Result};
    include!("programs/string.rs");
}

mod ours {
    use wasmtime_error::alloc::{TryClone, TryString};
    use wasmtime_error::{OutOfMemory, Result};
    include!("programs/string.rs");
}

// Wasmtime grows an empty string amortised (std's minimum of 8 bytes) in
// `with_capacity`, `try_from` and `try_clone`; ours asks for the length.
#[test]
fn capacities_differ() {
    assert_eq!(wasmtime::observed_capacities(), [8, 8, 8]);
    assert_eq!(ours::observed_capacities(), [3, 2, 3]);
}
