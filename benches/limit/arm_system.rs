//! The limit bench's arm with the system allocator, as a program has it
//! by default. `limit-arm-system WORKLOAD` prints nanoseconds per operation.

use std::alloc::System;

#[path = "workloads.rs"]
mod workloads;

#[global_allocator]
static ALLOCATOR: System = System;

struct Plain;

impl workloads::Context for Plain {
    fn run(&self, _shared: bool, work: &mut dyn FnMut()) {
        work();
    }
}

fn main() {
    // Not `LimitAllocator`: a scope cannot be made.
    std::panic::set_hook(Box::new(|_| {}));
    let scope = std::panic::catch_unwind(|| wasmtime_error::alloc::limit::MemoryScope::new(1));
    assert!(scope.is_err(), "this arm must run on the system allocator");
    let _ = std::panic::take_hook();
    let workload = std::env::args().nth(1).expect("a workload");
    println!("{}", workloads::run(&workload, &Plain));
}
