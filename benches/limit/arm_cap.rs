//! The limit bench's arm with the `cap` crate over the system allocator
//! (one global limit, one shared atomic per allocation), its limit out of
//! reach. `limit-arm-cap WORKLOAD` prints nanoseconds per operation.

use cap::Cap;
use std::alloc::System;

#[path = "workloads.rs"]
mod workloads;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

struct Plain;

impl workloads::Context for Plain {
    fn run(&self, _shared: bool, work: &mut dyn FnMut()) {
        work();
    }
}

fn main() {
    let before = ALLOCATOR.allocated();
    let block = std::hint::black_box(Box::new([0u8; 1000]));
    assert!(
        ALLOCATOR.allocated() >= before + 1000,
        "this arm must run on cap"
    );
    drop(block);
    let workload = std::env::args().nth(1).expect("a workload");
    println!("{}", workloads::run(&workload, &Plain));
}
