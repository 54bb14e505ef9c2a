//! The limit bench's arm with `LimitAllocator` over the system allocator.
//! `limit-arm-ours WORKLOAD MODE` prints nanoseconds per operation, where
//! MODE is `none` (no scope entered), `scope` (one scope), `deep` (three
//! nested scopes) or `near` (one scope whose limit is 16 KiB above the
//! workload's peak, measured by a first run). `limit-arm-ours overshoot`
//! prints the largest overshoot past a limit of two threads racing with
//! fallible requests, over many races.

use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use wasmtime_error::alloc::TryVec;
use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};

#[path = "workloads.rs"]
mod workloads;

#[global_allocator]
static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);

/// The scopes of an arm: none, or a chain `depth` deep (outermost first).
struct Scoped {
    depth: usize,
    limit: usize,
    /// The chain the workload's threads share.
    shared: Vec<MemoryScope>,
    /// The highest peak of the chains made for one thread each.
    own_peak: Mutex<usize>,
}

impl Scoped {
    fn new(depth: usize, limit: usize) -> Scoped {
        Scoped {
            depth,
            limit,
            shared: chain(depth, limit),
            own_peak: Mutex::new(0),
        }
    }
}

fn chain(depth: usize, limit: usize) -> Vec<MemoryScope> {
    let mut chain: Vec<MemoryScope> = Vec::new();
    for _ in 0..depth {
        let scope = match chain.last() {
            Some(parent) => parent.run(|| MemoryScope::new(limit)),
            None => MemoryScope::new(limit),
        };
        chain.push(scope.unwrap());
    }
    chain
}

impl workloads::Context for Scoped {
    fn run(&self, shared: bool, work: &mut dyn FnMut()) {
        if self.depth == 0 {
            return work();
        }
        if shared {
            return self.shared.last().unwrap().run(work);
        }
        let own = chain(self.depth, self.limit);
        own.last().unwrap().run(work);
        let mut peak = self.own_peak.lock().unwrap();
        *peak = (*peak).max(own.last().unwrap().peak());
    }
}

/// Two threads take fallible blocks from one scope until it refuses;
/// the bytes they got past the limit (0, or negative: how early).
fn race(limit: usize, round: usize) -> isize {
    let scope = MemoryScope::new(limit).unwrap();
    let start = Arc::new(Barrier::new(2));
    let racers: Vec<_> = (0..2)
        .map(|racer| {
            let (scope, start) = (scope.clone(), start.clone());
            thread::spawn(move || {
                let mut blocks = Vec::with_capacity(1 << 16);
                start.wait();
                scope.run(|| {
                    let mut size = 1 + (round * 7 + racer * 13) % 97;
                    while let Ok(block) = TryVec::<u8>::with_capacity(size) {
                        blocks.push(block);
                        size = 1 + (size * 31 + 17) % 997;
                    }
                });
                // Both keep their blocks until both were refused.
                start.wait();
                blocks.iter().map(TryVec::capacity).sum::<usize>()
            })
        })
        .collect();
    let taken: usize = racers.into_iter().map(|r| r.join().unwrap()).sum();
    assert_eq!(scope.usage(), 0);
    taken as isize - limit as isize
}

fn main() {
    let scope = MemoryScope::new(1 << 20).expect("this arm must run on LimitAllocator");
    let block = scope.run(|| std::hint::black_box(Box::new([0u8; 1000])));
    assert_eq!(scope.usage(), 1000, "this arm must run on LimitAllocator");
    drop((block, scope));

    let mut args = std::env::args().skip(1);
    let workload = args.next().expect("a workload");
    if workload == "overshoot" {
        let worst = (0..200).map(|round| race(1 << 20, round)).max().unwrap();
        println!("{worst}");
        return;
    }
    let mode = args.next().expect("a mode");
    let unlimited = usize::MAX / 2;
    let (depth, limit) = match mode.as_str() {
        "none" => (0, unlimited),
        "scope" => (1, unlimited),
        "deep" => (3, unlimited),
        "near" => {
            let probe = Scoped::new(1, unlimited);
            workloads::run(&workload, &probe);
            let peak = probe.shared[0].peak().max(*probe.own_peak.lock().unwrap());
            (1, peak + 16 * 1024)
        }
        _ => panic!("unknown mode {mode}"),
    };
    let arm = Scoped::new(depth, limit);
    println!("{}", workloads::run(&workload, &arm));
}
