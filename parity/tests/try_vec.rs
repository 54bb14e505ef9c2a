//! The program `programs/try_vec.rs`, built once with Wasmtime's imports and
//! once with this crate's: moving over changes the imports only
//! (`wasmtime_internal_core::error::X` is `wasmtime_error::X`,
//! `wasmtime_internal_core::alloc::X` is `wasmtime_error::alloc::X`).

mod wasmtime {
    use wasmtime_internal_core::alloc::{TryString, TryVec};
    use wasmtime_internal_core::error::{OutOfMemory, Result};
    use wasmtime_internal_core::try_vec;
    include!("programs/try_vec.rs");
}

mod ours {
    use wasmtime_error::alloc::{TryString, TryVec};
    use wasmtime_error::try_vec;
    use wasmtime_error::{OutOfMemory, Result};
    include!("programs/try_vec.rs");
}
