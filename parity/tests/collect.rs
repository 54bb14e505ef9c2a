//! The program `programs/collect.rs`, built once with Wasmtime's imports and
//! once with this crate's: moving over changes the imports only
//! (`wasmtime_internal_core::error::X` is `wasmtime_error::X`,
//! `wasmtime_internal_core::alloc::X` is `wasmtime_error::alloc::X`).

mod wasmtime {
    use wasmtime_internal_core::alloc::{TryCollect, TryExtend, TryFromIterator, TryVec};
    use wasmtime_internal_core::error::{Context, Error, OutOfMemory, Result, format_err};
    include!("programs/collect.rs");
}

mod ours {
    use wasmtime_error::alloc::{TryCollect, TryExtend, TryFromIterator, TryVec};
    use wasmtime_error::{Context, Error, OutOfMemory, Result, format_err};
    include!("programs/collect.rs");
}
