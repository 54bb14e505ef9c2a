//! The program `programs/to_wasmtime_result.rs`, built once with Wasmtime's imports and
//! once with this crate's: moving over changes the imports only
//! (`wasmtime_internal_core::error::X` is `wasmtime_error::X`,
//! `wasmtime_internal_core::alloc::X` is `wasmtime_error::alloc::X`).

mod wasmtime {
    use wasmtime_internal_core::error::{Result, ToWasmtimeResult, ensure};
    include!("programs/to_wasmtime_result.rs");
}

mod ours {
    use wasmtime_error::{Result, ToWasmtimeResult, ensure};
    include!("programs/to_wasmtime_result.rs");
}
