//! Scoped memory limits across threads: handles sent to other threads,
//! blocks freed on other threads, threads racing for the last bytes, and
//! futures polled inside a scope on whatever thread.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Barrier, mpsc};
use std::task::{Context, Poll, Waker};
use std::thread;

use wasmtime_error::alloc::TryVec;
use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};

#[global_allocator]
static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);

/// Fewer rounds under Miri, which runs every test file in CI.
const ROUNDS: usize = if cfg!(miri) { 2 } else { 200 };

#[test]
fn a_spawned_thread_charges_the_scope_of_its_handle() {
    let scope = MemoryScope::new(1 << 20).unwrap();
    let worker = {
        let scope = scope.clone();
        thread::spawn(move || scope.run(|| vec![0u8; 1000]))
    };
    let block = worker.join().unwrap();
    assert_eq!(scope.usage(), 1000);
    drop(block);
    assert_eq!(scope.usage(), 0);
}

#[test]
fn blocks_freed_on_another_thread_are_credited_to_their_scope() {
    let parent = MemoryScope::new(1 << 20).unwrap();
    let child = parent.run(|| MemoryScope::new(1 << 20)).unwrap();
    let blocks: Vec<Vec<u8>> = child.run(|| (1..=10).map(|n| vec![0u8; n * 10]).collect());
    let used = 550 + 10 * size_of::<Vec<u8>>();
    assert_eq!((parent.usage(), child.usage()), (used, used));
    // Freed outside any scope, and inside an unrelated one.
    let unrelated = MemoryScope::new(1 << 20).unwrap();
    let elsewhere = unrelated.clone();
    thread::spawn(move || {
        let mut blocks = blocks;
        let half = blocks.split_off(5);
        drop(blocks);
        elsewhere.run(|| drop(half));
    })
    .join()
    .unwrap();
    assert_eq!(
        (parent.usage(), child.usage(), unrelated.usage()),
        (0, 0, 0)
    );
}

#[test]
fn threads_sharing_a_scope_exchange_blocks_and_end_at_zero() {
    let scope = MemoryScope::new(64 << 20).unwrap();
    let (to_second, from_first) = mpsc::channel::<Box<[u8; 48]>>();
    let first = {
        let scope = scope.clone();
        thread::spawn(move || {
            scope.run(|| {
                for round in 0..ROUNDS * 10 {
                    to_second.send(Box::new([round as u8; 48])).unwrap();
                }
            })
        })
    };
    let second = {
        let scope = scope.clone();
        thread::spawn(move || {
            scope.run(|| {
                let mut kept = Vec::new();
                for block in from_first {
                    kept.push(block);
                    if kept.len() > 64 {
                        kept.remove(0);
                    }
                }
            })
        })
    };
    first.join().unwrap();
    second.join().unwrap();
    assert_eq!(scope.usage(), 0);
    assert!(scope.peak() > 0);
}

/// Two threads take fallible blocks from one scope until it refuses them:
/// together they never hold more than the limit, and they get close to it.
#[test]
fn racing_threads_never_take_a_byte_past_the_limit() {
    const LIMIT: usize = 200_000;
    let mut worst_overshoot = 0isize;
    for round in 0..ROUNDS.min(50) {
        let scope = MemoryScope::new(LIMIT).unwrap();
        let start = Arc::new(Barrier::new(2));
        let racers: Vec<_> = (0..2)
            .map(|racer| {
                let (scope, start) = (scope.clone(), start.clone());
                thread::spawn(move || {
                    // Room for every block, made outside the scope.
                    let mut blocks = Vec::with_capacity(4096);
                    start.wait();
                    scope.run(|| {
                        let mut size = 1 + (round * 7 + racer * 13) % 97;
                        while let Ok(block) = TryVec::<u8>::with_capacity(size) {
                            blocks.push(block);
                            size = 1 + (size * 31 + 17) % 997;
                        }
                    });
                    blocks
                })
            })
            .collect();
        let blocks: Vec<Vec<TryVec<u8>>> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        let taken: usize = blocks.iter().flatten().map(TryVec::capacity).sum();
        worst_overshoot = worst_overshoot.max(taken as isize - LIMIT as isize);
        assert_eq!(
            scope.usage(),
            taken,
            "after the threads left, usage is exact"
        );
        // Early by at most what the other thread held in reserve (64 KiB)
        // and the block that was refused.
        assert!(taken + 64 * 1024 + 1000 >= LIMIT, "took only {taken}");
        drop(blocks);
        assert_eq!(scope.usage(), 0);
    }
    assert_eq!(worst_overshoot.max(0), 0);
}

/// A future that allocates on each poll and is pending twice.
struct Steps {
    polls: usize,
    kept: Vec<Vec<u8>>,
}

impl Future for Steps {
    type Output = Vec<Vec<u8>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.polls += 1;
        let polls = self.polls;
        self.kept.push(vec![polls as u8; 100]);
        if polls < 3 {
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            Poll::Ready(std::mem::take(&mut self.kept))
        }
    }
}

#[test]
fn a_bound_future_is_charged_on_every_poll_on_any_thread() {
    let scope = MemoryScope::new(1 << 20).unwrap();
    let mut future = Box::pin(scope.bind(Steps {
        polls: 0,
        kept: Vec::with_capacity(4),
    }));
    let mut context = Context::from_waker(Waker::noop());
    assert!(future.as_mut().poll(&mut context).is_pending());
    assert_eq!(scope.usage(), 100);
    // Moved to another thread between polls.
    let (mut future, second_poll) = thread::spawn(move || {
        let mut context = Context::from_waker(Waker::noop());
        let pending = future.as_mut().poll(&mut context).is_pending();
        (future, pending)
    })
    .join()
    .unwrap();
    assert!(second_poll);
    assert_eq!(scope.usage(), 200);
    assert!(MemoryScope::current().is_none(), "only inside a poll");
    let Poll::Ready(kept) = future.as_mut().poll(&mut context) else {
        panic!("ready on the third poll");
    };
    assert_eq!(kept.len(), 3);
    assert_eq!(scope.usage(), 300);
    drop(future);
    drop(kept);
    assert_eq!(scope.usage(), 0);
}

#[test]
fn a_thread_that_ends_inside_a_scope_leaves_it() {
    let scope = MemoryScope::new(1 << 20).unwrap();
    let worker = scope.clone();
    let block = thread::spawn(move || {
        std::mem::forget(worker.enter());
        let block = vec![0u8; 10];
        drop(worker);
        block
    })
    .join()
    .unwrap();
    // The thread gave its reserve and its reference back as it ended.
    assert_eq!(scope.usage(), 10);
    drop(block);
    assert_eq!(scope.usage(), 0);
}
