// A type without `TryClone` where one is needed says how to provide it.

use wasmtime_error::alloc::TryVec;

struct Handle;

fn main() {
    let mut handles = TryVec::<Handle>::new();
    let _ = handles.extend_from_slice(&[Handle]);
}
