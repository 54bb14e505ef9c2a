//! `OomTestAllocator` as an `allocator_api2::Allocator`, with the system
//! allocator still global: only the collection given the test allocator is
//! counted and failed.

use allocator_api2::alloc::{Allocator, Layout};
use allocator_api2::vec::Vec as ApiVec;
use wasmtime_error::OutOfMemory;
use wasmtime_error::oom_test::{FailureKind, OomTest, OomTestAllocator};

#[test]
fn one_collection_under_test() {
    let summary = OomTest::new()
        .check(|| {
            // Global allocations: neither counted nor failed.
            let mut global = Vec::new();
            global.push(1u8);
            let mut tested = ApiVec::new_in(OomTestAllocator::new());
            for size in [4usize, 40, 400] {
                tested
                    .try_reserve_exact(size - tested.len())
                    .map_err(|_| OutOfMemory::new(size))?;
                tested.resize(size, 0u32);
            }
            global.push(2);
            assert_eq!(tested.len() + global.len(), 402);
            Ok(())
        })
        .unwrap();
    // One allocation and two growths (each a new allocation).
    assert_eq!((summary.allocations, summary.injected), (3, 3));
}

#[test]
fn a_mishandled_failure_in_the_collection_is_found() {
    let failure = OomTest::new()
        .check(|| {
            let mut tested = ApiVec::<u64, _>::new_in(OomTestAllocator::new());
            let _ = tested.try_reserve_exact(5);
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(failure.kind(), FailureKind::MissedOom));
    assert_eq!(failure.injected().unwrap().layout.size(), 40);
}

#[test]
fn zero_sized_requests_are_not_allocations() {
    let summary = OomTest::new()
        .check(|| {
            let allocator = OomTestAllocator::new();
            let layout = Layout::from_size_align(0, 16).unwrap();
            let block = allocator.allocate(layout).unwrap();
            assert_eq!(block.cast::<u8>().as_ptr() as usize % 16, 0);
            // SAFETY: allocated just above with this layout.
            unsafe { allocator.deallocate(block.cast(), layout) };
            let zeroed = allocator
                .allocate_zeroed(Layout::new::<[u8; 32]>())
                .map_err(|_| OutOfMemory::new(32))?;
            // SAFETY: 32 bytes, zeroed, allocated just above.
            let bytes = unsafe { zeroed.cast::<[u8; 32]>().as_ref() };
            assert_eq!(bytes, &[0; 32]);
            // SAFETY: allocated just above with this layout.
            unsafe { allocator.deallocate(zeroed.cast(), Layout::new::<[u8; 32]>()) };
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.allocations, 1);
}
