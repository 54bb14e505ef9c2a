//! The program `programs/try_new.rs`, built once with Wasmtime's imports and
//! once with this crate's: moving over changes the imports only
//! (`wasmtime_internal_core::error::X` is `wasmtime_error::X`,
//! `wasmtime_internal_core::alloc::X` is `wasmtime_error::alloc::X`).

mod wasmtime {
    use wasmtime_internal_core::alloc::{TryNew, TryVec, try_new};
    use wasmtime_internal_core::error::Result;
    include!("programs/try_new.rs");
}

mod ours {
    use wasmtime_error::Result;
    use wasmtime_error::alloc::{TryNew, TryVec, try_new};
    include!("programs/try_new.rs");
}
