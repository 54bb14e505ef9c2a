//! The program `programs/serde.rs`, built once with Wasmtime's imports and
//! once with this crate's: moving over changes the imports only (and turns
//! on the `serde` feature, as with Wasmtime).

mod wasmtime {
    use wasmtime_internal_core::alloc::{TryString, TryVec};
    include!("programs/serde.rs");
}

mod ours {
    use wasmtime_error::alloc::{TryString, TryVec};
    include!("programs/serde.rs");
}
