//! The program `programs/boxed_slice.rs`, built once with Wasmtime's imports
//! and once with this crate's: moving over changes the imports only.

mod wasmtime {
    use wasmtime_internal_core::alloc::{
        BoxedSliceFromFallibleIterError, TooFewItemsOrOom, boxed_slice_write_iter,
        new_boxed_slice_from_fallible_iter, new_boxed_slice_from_iter,
        new_boxed_slice_from_iter_with_len, new_uninit_boxed_slice,
    };
    use wasmtime_internal_core::error::{Error, OutOfMemory, Result};
    include!("programs/boxed_slice.rs");
}

mod ours {
    use wasmtime_error::alloc::{
        BoxedSliceFromFallibleIterError, TooFewItemsOrOom, boxed_slice_write_iter,
        new_boxed_slice_from_fallible_iter, new_boxed_slice_from_iter,
        new_boxed_slice_from_iter_with_len, new_uninit_boxed_slice,
    };
    use wasmtime_error::{Error, OutOfMemory, Result};
    include!("programs/boxed_slice.rs");
}
