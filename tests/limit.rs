//! Scoped memory limits on one thread: charging, nesting, crediting, the
//! split at the limit, `realloc` across owners, odd layouts, guard misuse.

use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;

use wasmtime_error::alloc::limit::{self, LimitAllocator, MemoryScope};
use wasmtime_error::alloc::{Allocator, Budget, TryNew, TryString, TryVec, VecExt};
use wasmtime_error::{Error, OutOfMemory, try_format, try_vec};

#[global_allocator]
static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);

#[path = "support/quiet_panic.rs"]
mod quiet_panic;
use quiet_panic::catch_quietly;

/// A scope with room for `limit` bytes, made exceeded by an infallible
/// allocation of `limit + 1` bytes, which is returned.
fn exceeded(limit: usize) -> (MemoryScope, Vec<u8>) {
    let scope = MemoryScope::new(limit).unwrap();
    let over = scope.run(|| vec![1u8; limit + 1]);
    (scope, over)
}

#[test]
fn blocks_are_charged_their_size_and_credited_when_freed() {
    let scope = MemoryScope::new(1 << 20).unwrap();
    let (boxed, text) = scope.run(|| {
        let boxed = Box::new([7u64; 8]);
        let text = String::from("twelve bytes");
        assert_eq!(scope.usage(), 64 + 12);
        (boxed, text)
    });
    assert_eq!(scope.usage(), 76);
    drop(boxed);
    assert_eq!(scope.usage(), 12);
    drop(text);
    assert_eq!(scope.usage(), 0);
    assert_eq!(scope.peak(), 76);
}

#[test]
fn nothing_is_charged_outside_a_scope() {
    let scope = MemoryScope::new(1 << 20).unwrap();
    let outside = vec![0u8; 1000];
    let inside = scope.run(|| vec![0u8; 10]);
    assert_eq!(scope.usage(), 10);
    drop(outside);
    assert_eq!(scope.usage(), 10);
    drop(inside);
    assert_eq!(scope.usage(), 0);
}

#[test]
fn an_inner_scope_charges_its_parents() {
    let outer = MemoryScope::new(1 << 20).unwrap();
    let (middle, inner, block) = outer.run(|| {
        let middle = MemoryScope::new(1 << 20).unwrap();
        let (inner, block) = middle.run(|| {
            let inner = MemoryScope::new(1 << 20).unwrap();
            let block = inner.run(|| vec![0u8; 300]);
            (inner, block)
        });
        (middle, inner, block)
    });
    assert_eq!([outer.usage(), middle.usage(), inner.usage()], [300; 3]);
    let sibling = middle.run(|| vec![0u8; 20]);
    assert_eq!(
        [outer.usage(), middle.usage(), inner.usage()],
        [320, 320, 300]
    );
    drop(block);
    drop(sibling);
    assert_eq!([outer.usage(), middle.usage(), inner.usage()], [0; 3]);
}

#[test]
fn the_smallest_limit_on_the_way_up_wins() {
    let outer = MemoryScope::new(1000).unwrap();
    let inner = outer.run(|| MemoryScope::new(1 << 20)).unwrap();
    let refused = inner.run(|| TryVec::<u8>::with_capacity(1001));
    assert!(refused.is_err());
    assert_eq!((outer.refused(), inner.refused()), (1, 1));
    let fits = inner.run(|| TryVec::<u8>::with_capacity(1000)).unwrap();
    assert_eq!(fits.capacity(), 1000);
    assert_eq!(outer.usage(), 1000);
    // The parent is full: a sibling cannot take a byte.
    let sibling = outer.run(|| MemoryScope::new(1 << 20)).unwrap();
    assert!(sibling.run(|| TryVec::<u8>::with_capacity(1)).is_err());
    assert_eq!((outer.refused(), sibling.refused()), (2, 1));
}

#[test]
fn a_fallible_request_takes_the_limit_exactly_and_not_a_byte_more() {
    for limit in [1, 100, 4096, 40_000, 100_000] {
        let scope = MemoryScope::new(limit).unwrap();
        let mut blocks = Vec::with_capacity(100);
        scope.run(|| {
            let mut total = 0;
            let mut size = 1;
            while let Ok(block) = TryVec::<u8>::with_capacity(size) {
                total += size;
                blocks.push(block);
                size = (size * 3).min(limit - total).max(1);
            }
            assert_eq!(total, limit, "every byte of the limit can be taken");
            assert_eq!(scope.usage(), limit);
            assert!(TryVec::<u8>::with_capacity(1).is_err());
            assert!(limit::check().is_ok(), "fallible requests never exceed");
        });
        drop(blocks);
        assert_eq!(scope.usage(), 0);
        assert_eq!(scope.peak(), limit);
    }
}

#[derive(Debug)]
struct Failure;

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("failure")
    }
}

impl std::error::Error for Failure {}

#[test]
fn the_crates_fallible_requests_are_refused_in_an_exceeded_scope() {
    // Room, once back under the limit, for an error's box and the
    // backtrace it may capture (feature `backtrace`, `RUST_BACKTRACE`).
    let (scope, over) = exceeded(256 * 1024);
    let refused_before = scope.refused();
    scope.run(|| {
        let mut vec = TryVec::new();
        assert!(vec.push(1u64).is_err());
        assert!(try_format!("{}", 12345).is_err());
        assert!(try_vec![1u32, 2, 3].is_err());
        assert!(<Box<u64> as TryNew>::try_new(5).is_err());
        assert!(TryString::try_from("text").is_err());
        let mut std_vec: Vec<u8> = Vec::new();
        assert!(std_vec.try_push(1).is_err());
        let budget = Budget::new(1 << 20);
        let mut in_budget = TryVec::new_in(&budget);
        assert!(in_budget.push(1u8).is_err());
        // Through the budget itself, without a collection's mark: refused
        // too, as its docs say.
        assert!(Allocator::allocate(&budget, Layout::new::<u64>()).is_err());
        assert_eq!(budget.used(), 0);
        // The error's own box is refused: the error is the out-of-memory
        // one, which needs no allocation.
        let error = Error::new(Failure);
        assert!(error.is::<OutOfMemory>());
    });
    assert_eq!(scope.refused() - refused_before, 9);
    assert_eq!(scope.usage(), 256 * 1024 + 1);
    drop(over);
    assert_eq!(scope.usage(), 0);
    // Back under the limit: the same requests succeed.
    scope.run(|| {
        let mut vec = TryVec::new();
        vec.push(1u64).unwrap();
        assert!(!Error::new(Failure).is::<OutOfMemory>());
    });
}

#[test]
fn an_infallible_allocation_goes_past_the_limit_and_marks_the_scope() {
    let scope = MemoryScope::new(1000).unwrap();
    let guard = scope.enter();
    let kept = vec![0u8; 600];
    assert!(limit::check().is_ok());
    let more = vec![0u8; 600];
    assert_eq!(scope.usage(), 1200);
    let oom = limit::check().unwrap_err();
    assert_eq!(oom.requested_allocation_size(), 200);
    assert_eq!(scope.check(), Err(oom));
    assert!(TryVec::<u8>::with_capacity(1).is_err());
    drop(more);
    assert!(limit::check().is_ok());
    assert!(scope.check().is_ok());
    // The bytes freed are usable again, to the limit exactly.
    let rest = TryVec::<u8>::with_capacity(400).unwrap();
    assert!(TryVec::<u8>::with_capacity(1).is_err());
    drop(guard);
    assert!(limit::check().is_ok(), "no scope: nothing to check");
    assert_eq!(scope.usage(), 1000);
    drop((kept, rest));
    assert_eq!(scope.usage(), 0);
    assert_eq!(scope.peak(), 1200);
}

#[test]
fn a_block_freed_after_its_scope_ended_is_credited_to_it() {
    let block = {
        let scope = MemoryScope::new(1 << 20).unwrap();
        scope.run(|| vec![0u8; 100])
        // The handle is gone; the block keeps the counters alive.
    };
    let other = MemoryScope::new(1 << 20).unwrap();
    other.run(|| drop(block));
    assert_eq!(other.usage(), 0);
}

#[test]
fn realloc_of_the_current_scopes_block_charges_the_difference() {
    let scope = MemoryScope::new(1 << 20).unwrap();
    let vec = scope.run(|| {
        let mut vec: Vec<u8> = Vec::with_capacity(10);
        vec.extend_from_slice(&[1; 10]);
        vec.reserve_exact(90);
        assert_eq!(scope.usage(), 100);
        vec.truncate(5);
        vec.shrink_to_fit();
        assert_eq!(scope.usage(), 5);
        vec
    });
    assert_eq!(vec, [1; 5]);
    drop(vec);
    assert_eq!(scope.usage(), 0);
}

#[test]
fn realloc_moves_a_block_to_the_current_context() {
    let first = MemoryScope::new(1 << 20).unwrap();
    let second = MemoryScope::new(1 << 20).unwrap();
    let mut vec: Vec<u16> = first.run(|| vec![3; 10]);
    assert_eq!(first.usage(), 20);
    second.run(|| vec.reserve_exact(90));
    assert_eq!((first.usage(), second.usage()), (0, 200));
    assert_eq!(vec, [3; 10]);
    // Grown with no scope: it leaves the second scope.
    vec.reserve_exact(200);
    assert_eq!(second.usage(), 0);
    // Allocated with no scope, grown in one: it moves in.
    first.run(|| vec.shrink_to_fit());
    assert_eq!(first.usage(), 20);
    assert_eq!(vec, [3; 10]);
    drop(vec);
    assert_eq!(first.usage(), 0);
}

#[test]
fn a_refused_growth_leaves_the_block_as_it_was() {
    let scope = MemoryScope::new(100).unwrap();
    scope.run(|| {
        let mut vec = TryVec::<u8>::with_capacity(60).unwrap();
        vec.extend_from_slice(&[9; 60]).unwrap();
        assert!(vec.reserve_exact(41).is_err());
        assert_eq!(vec, [9; 60]);
        assert_eq!(scope.usage(), 60);
        vec.reserve_exact(40).unwrap();
        assert_eq!(scope.usage(), 100);
    });
    assert_eq!(scope.usage(), 0);
}

#[repr(align(4096))]
struct Page([u8; 4096]);

#[repr(align(32))]
#[derive(Clone, Copy)]
struct Wide([u8; 32]);

#[test]
fn over_aligned_blocks_are_charged_their_size_and_stay_aligned() {
    let scope = MemoryScope::new(1 << 20).unwrap();
    let (page, mut wide) = scope.run(|| {
        let page = Box::new(Page([1; 4096]));
        let mut wide = vec![Wide([2; 32]); 3];
        wide.reserve_exact(5);
        (page, wide)
    });
    assert_eq!((&raw const *page).addr() % 4096, 0);
    assert_eq!(wide.as_ptr().addr() % 32, 0);
    assert_eq!(scope.usage(), 4096 + 8 * 32);
    // Moved out of the scope, still aligned and intact.
    wide.reserve_exact(100);
    assert_eq!(wide.as_ptr().addr() % 32, 0);
    assert!(wide.iter().all(|w| w.0 == [2; 32]));
    assert_eq!(page.0[4095], 1);
    assert_eq!(scope.usage(), 4096);
    drop(page);
    assert_eq!(scope.usage(), 0);
    // With no scope, over-aligned blocks still grow in place.
    let mut outside = vec![Wide([5; 32]); 2];
    outside.reserve_exact(10);
    assert!(outside.iter().all(|w| w.0 == [5; 32]));
}

#[test]
fn zero_sized_types_are_free() {
    let (scope, over) = exceeded(16);
    scope.run(|| {
        let mut units = TryVec::new();
        for _ in 0..1000 {
            units.push(()).unwrap();
        }
        let boxed = <Box<()> as TryNew>::try_new(()).unwrap();
        black_box((units, boxed));
    });
    assert_eq!(scope.usage(), 17);
    drop(over);
}

#[test]
fn impossible_sizes_are_refused_without_a_panic() {
    let scope = MemoryScope::new(1 << 20).unwrap();
    scope.run(|| {
        assert!(TryVec::<u64>::with_capacity(usize::MAX / 16).is_err());
        assert!(TryVec::<u8>::with_capacity(isize::MAX as usize).is_err());
        // Infallible requests of impossible sizes, straight to the
        // allocator: null, and nothing stays charged.
        for (size, align) in [
            (isize::MAX as usize - 7, 8),
            (isize::MAX as usize - 4095, 4096),
        ] {
            let layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: not zero-sized; a null result is not used.
            let block = unsafe { std::alloc::alloc(layout) };
            assert!(block.is_null());
        }
        assert!(limit::check().is_ok());
    });
    assert_eq!(scope.usage(), 0);
    assert!(scope.peak() < 1 << 20, "a refused request is no peak");
    // And with no scope.
    let allocator = LimitAllocator::new(std::alloc::System);
    let layout = Layout::from_size_align(isize::MAX as usize - 7, 8).unwrap();
    // SAFETY: not zero-sized; a null result is not used.
    assert!(unsafe { allocator.alloc(layout) }.is_null());
}

#[test]
fn the_crates_errors_are_refused_but_stay_errors() {
    let (scope, over) = exceeded(8);
    let error = scope.run(|| Error::msg(try_format!("{}", 1).unwrap_err()));
    assert!(error.is::<OutOfMemory>());
    drop(over);
}

#[test]
fn a_guard_dropped_out_of_order_leaves_every_scope_and_panics() {
    // The quiet panic hook is installed outside the scopes.
    let _ = catch_quietly(|| ());
    let first = MemoryScope::new(1 << 20).unwrap();
    let second = MemoryScope::new(1 << 20).unwrap();
    let outer = first.enter();
    let inner = second.enter();
    let panicked = catch_quietly(move || drop(outer));
    assert!(panicked.is_err());
    assert!(MemoryScope::current().is_none());
    let outside = vec![0u8; 10];
    assert_eq!((first.usage(), second.usage()), (0, 0));
    // The inner guard was left already: dropping it does nothing.
    drop(inner);
    assert!(MemoryScope::current().is_none());
    // New guards work as before.
    let again = second.run(|| vec![0u8; 5]);
    assert_eq!(second.usage(), 5);
    drop((again, outside));
    assert_eq!(second.usage(), 0);
}

#[test]
fn a_stale_guard_does_not_disturb_the_scopes_entered_since() {
    let _ = catch_quietly(|| ());
    let first = MemoryScope::new(1 << 20).unwrap();
    let second = MemoryScope::new(1 << 20).unwrap();
    let outer = first.enter();
    let stale = second.enter();
    assert!(catch_quietly(move || drop(outer)).is_err());
    let fresh = first.enter();
    drop(stale);
    let block = vec![0u8; 7];
    assert_eq!(first.usage(), 7);
    drop(fresh);
    drop(block);
    assert_eq!(first.usage(), 0);
}

#[test]
fn current_and_debug_show_the_scope() {
    let scope = MemoryScope::new(4096).unwrap().with_hard_limit(8192);
    assert!(MemoryScope::current().is_none());
    let current = scope.run(|| MemoryScope::current().unwrap());
    assert_eq!((current.limit(), current.hard_limit()), (4096, Some(8192)));
    let shown = format!("{scope:?}");
    assert_eq!(
        shown,
        "MemoryScope { limit: 4096, hard_limit: Some(8192), usage: 0, peak: 0, refused: 0 }"
    );
}

#[test]
fn a_hard_limit_below_the_limit_is_the_limit() {
    let scope = MemoryScope::new(1000).unwrap().with_hard_limit(100);
    assert!(scope.run(|| TryVec::<u8>::with_capacity(101)).is_err());
    assert!(scope.run(|| TryVec::<u8>::with_capacity(100)).is_ok());
}

// README: begin
fn serve(request: &[u8]) -> wasmtime_error::Result<usize> {
    let scope = MemoryScope::new(64 * 1024)?; // this request: 64 KiB
    let copy = scope.run(|| -> wasmtime_error::Result<TryVec<u8>> {
        let mut copy = TryVec::new();
        copy.extend_from_slice(request)?; // Err(OutOfMemory) past the limit
        Ok(copy)
    })?;
    scope.check()?; // Err if code that cannot fail went past the limit
    Ok(copy.len())
}
// README: end

#[test]
fn the_readmes_request_is_bounded() {
    assert_eq!(serve(&[1; 1000]).unwrap(), 1000);
    let error = serve(&[1; 100 * 1024]).unwrap_err();
    assert!(error.is::<OutOfMemory>());
    // The README shows this function, with `Result` imported.
    let readme = include_str!("../README.md");
    let source = include_str!("limit.rs");
    let (_, copied) = source.split_once("// README: begin\n").unwrap();
    let (copied, _) = copied.split_once("// README: end").unwrap();
    let shown = copied.replace("wasmtime_error::Result", "Result");
    assert!(readme.contains(&shown), "not in the README:\n{shown}");
}
