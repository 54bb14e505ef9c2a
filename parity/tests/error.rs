//! The program `programs/error.rs`, built once with Wasmtime's imports and
//! once with this crate's: moving over changes the imports only
//! (`wasmtime_internal_core::error::X` is `wasmtime_error::X`,
//! `wasmtime_internal_core::alloc::X` is `wasmtime_error::alloc::X`).

mod wasmtime {
    use wasmtime_internal_core::alloc::TryVec;
    use wasmtime_internal_core::error::{
        Context, Error, Ok, OutOfMemory, Result, bail, ensure, format_err,
    };
    include!("programs/error.rs");
}

mod ours {
    use wasmtime_error::alloc::TryVec;
    use wasmtime_error::{Context, Error, Ok, OutOfMemory, Result, bail, ensure, format_err};
    include!("programs/error.rs");
}
