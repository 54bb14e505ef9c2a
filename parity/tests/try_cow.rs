//! The program `programs/try_cow.rs`, built once with Wasmtime's imports and
//! once with this crate's: moving over changes the imports only
//! (`wasmtime_internal_core::error::X` is `wasmtime_error::X`,
//! `wasmtime_internal_core::alloc::X` is `wasmtime_error::alloc::X`).

mod wasmtime {
    use wasmtime_internal_core::alloc::{TryClone, TryCow, TryString, TryToOwned, TryVec};
    use wasmtime_internal_core::error::{OutOfMemory, Result};
    include!("programs/try_cow.rs");
}

mod ours {
    use wasmtime_error::alloc::{TryClone, TryCow, TryString, TryToOwned, TryVec};
    use wasmtime_error::{OutOfMemory, Result};
    include!("programs/try_cow.rs");
}
