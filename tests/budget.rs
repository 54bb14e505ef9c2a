//! `Budget` over inner allocators that round requests up or refuse them:
//! what its callers hold never passes the limit, and `used()` comes back to
//! 0 once everything is freed.

mod support {
    pub mod allocators;
}

use std::alloc::Layout;
use std::ptr::NonNull;

use support::allocators::{GRANULE, Holdings, Refusing, Rounding};
use wasmtime_error::alloc::{Allocator, Budget, TryHashMap, TryHashSet, TryVec};

fn layout(size: usize) -> Layout {
    Layout::from_size_align(size, 8).unwrap()
}

/// The books of a budget and of its callers agree.
fn balanced<A: Allocator>(budget: &Budget<A>, callers: &Holdings<&Budget<A>>) {
    assert_eq!(
        callers.held(),
        budget.used(),
        "held by the callers vs charged"
    );
    assert!(budget.used() <= budget.limit());
}

#[test]
fn callers_hold_no_more_than_the_limit_over_a_rounding_allocator() {
    let budget = Budget::new_in(1000, Rounding::default());
    let callers = Holdings::new(&budget);
    let mut blocks = Vec::new();
    while let Ok(block) = callers.allocate(layout(1)) {
        // A caller may use (and free) every byte it is handed.
        blocks.push(block);
        balanced(&budget, &callers);
    }
    assert_eq!(
        (blocks.len(), budget.used(), callers.peak()),
        (1000, 1000, 1000)
    );
    for block in blocks {
        // SAFETY: allocated above with the length it was handed, which is
        // a size the `Allocator` contract lets the caller free it with.
        unsafe { callers.deallocate(block.cast(), layout(block.len())) };
    }
    assert_eq!(
        (budget.used(), callers.held(), budget.inner().live()),
        (0, 0, 0)
    );
}

#[test]
fn grow_and_shrink_over_a_rounding_allocator_keep_the_books() {
    let budget = Budget::new_in(300, Rounding::default());
    let callers = Holdings::new(&budget);
    let a = callers.allocate(layout(1)).unwrap();
    let b = callers.allocate_zeroed(layout(GRANULE - 1)).unwrap();
    let c = callers.allocate(layout(GRANULE + 1)).unwrap();
    assert_eq!((a.len(), b.len(), c.len()), (1, GRANULE - 1, GRANULE + 1));
    balanced(&budget, &callers);
    // SAFETY: `a` is live, its first byte is writable.
    unsafe { a.cast::<u8>().write(7) };

    // SAFETY: each block is live and passed back with the length it was
    // handed; new layouts are larger (grow) or smaller (shrink).
    let (a, b, c) = unsafe {
        let a = callers
            .grow(a.cast(), layout(a.len()), layout(100))
            .unwrap();
        let b = callers
            .grow_zeroed(b.cast(), layout(b.len()), layout(130))
            .unwrap();
        let c = callers
            .shrink(c.cast(), layout(c.len()), layout(10))
            .unwrap();
        (a, b, c)
    };
    assert_eq!((a.len(), b.len(), c.len()), (100, 130, 10));
    // SAFETY: the blocks are live and initialized where read.
    unsafe {
        assert_eq!(a.cast::<u8>().read(), 7);
        assert!(b.as_ref().iter().all(|&byte| byte == 0));
    }
    balanced(&budget, &callers);
    assert_eq!(budget.used(), 240);

    // Past the limit: refused, and nothing changes.
    // SAFETY: `c` is live with length 10.
    let refused = unsafe { callers.grow(c.cast(), layout(10), layout(71)) };
    assert!(refused.is_err());
    balanced(&budget, &callers);

    for block in [a, b, c] {
        // SAFETY: live, freed with the length it was handed.
        unsafe { callers.deallocate(block.cast(), layout(block.len())) };
    }
    assert_eq!(
        (budget.used(), callers.held(), budget.inner().live()),
        (0, 0, 0)
    );
    assert_eq!(budget.peak(), 295);
}

#[test]
fn collections_in_a_budget_over_a_rounding_allocator() {
    let budget = Budget::new_in(4096, Rounding::default());
    let callers = Holdings::new(&budget);
    {
        // hashbrown sizes its table from the length of the block it gets,
        // and frees it with that length.
        let mut map = TryHashMap::new_in(&callers);
        let mut set = TryHashSet::new_in(&callers);
        let mut vec = TryVec::new_in(&callers);
        let mut key = 0u64;
        let mut refused = 0;
        while refused < 3 {
            let inserted = match key % 3 {
                0 => map.insert(key, [key; 3]).map(drop),
                1 => set.insert(key).map(drop),
                _ => vec.push(key),
            };
            refused += usize::from(inserted.is_err());
            balanced(&budget, &callers);
            key += 1;
        }
        assert!(map.len() > 10 && set.len() > 10 && vec.len() > 10);
        assert!(budget.used() > 4096 / 2, "used {}", budget.used());
        for k in 0..key {
            map.remove(&k);
            set.remove(&k);
        }
        vec.clear();
        vec.shrink_to_fit().unwrap();
        balanced(&budget, &callers);
    }
    assert_eq!(
        (budget.used(), callers.held(), budget.inner().live()),
        (0, 0, 0)
    );
}

#[test]
fn a_refusing_inner_allocator_costs_nothing() {
    let budget = Budget::new_in(100, Refusing);
    assert!(budget.allocate(layout(10)).is_err());
    assert!(budget.allocate_zeroed(layout(10)).is_err());
    let mut vec = TryVec::new_in(&budget);
    assert!(vec.push(1u8).is_err());
    let mut map = TryHashMap::new_in(&budget);
    assert!(map.insert(1u8, 1u8).is_err());
    assert_eq!((budget.used(), budget.peak()), (0, 0));

    // A grow the outer budget allows but the inner one refuses.
    let total = Budget::new_in(50, Rounding::default());
    let part = Budget::new_in(1000, &total);
    let block = part.allocate(layout(10)).unwrap();
    // SAFETY: `block` is live with length 10.
    let refused = unsafe { part.grow(block.cast(), layout(10), layout(80)) };
    assert!(refused.is_err());
    assert_eq!((part.used(), total.used()), (10, 10));
    // SAFETY: still live after the failed grow.
    unsafe { part.deallocate(block.cast(), layout(10)) };
    assert_eq!((part.used(), total.used(), total.inner().live()), (0, 0, 0));
}

#[test]
fn zero_sized_and_huge_requests() {
    let budget = Budget::new_in(0, Rounding::default());
    let empty = budget.allocate(layout(0)).unwrap();
    assert_eq!((empty.len(), budget.used()), (0, 0));
    // The inner allocator made a whole granule; the budget handed out none.
    assert_eq!(budget.inner().live(), GRANULE);
    // SAFETY: live, freed with the length it was handed.
    unsafe { budget.deallocate(empty.cast(), layout(0)) };
    assert_eq!(budget.inner().live(), 0);

    let budget = Budget::new(1 << 20);
    let huge = Layout::from_size_align(isize::MAX as usize, 1).unwrap();
    assert!(budget.allocate(huge).is_err());
    assert!(budget.allocate_zeroed(huge).is_err());
    assert_eq!((budget.used(), budget.peak()), (0, 0));
    let dangling = NonNull::<u8>::dangling();
    // SAFETY: a zero-sized block needs no memory; `Global` accepts it back.
    let block = unsafe { budget.grow(dangling, layout(0), layout(0)) }.unwrap();
    assert_eq!((block.len(), budget.used()), (0, 0));
}
