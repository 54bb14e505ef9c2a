//! The program `programs/panic_on_oom.rs`, built once with Wasmtime's imports and
//! once with this crate's: moving over changes the imports only
//! (`wasmtime_internal_core::error::X` is `wasmtime_error::X`,
//! `wasmtime_internal_core::alloc::X` is `wasmtime_error::alloc::X`).

mod wasmtime {
    use wasmtime_internal_core::alloc::{PanicOnOom, TryString, TryVec};
    use wasmtime_internal_core::error::OutOfMemory;
    include!("programs/panic_on_oom.rs");
}

mod ours {
    use wasmtime_error::OutOfMemory;
    use wasmtime_error::alloc::{PanicOnOom, TryString, TryVec};
    include!("programs/panic_on_oom.rs");
}
