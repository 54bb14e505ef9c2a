//! `MemoryScope::new` without `LimitAllocator` as the global allocator: a
//! panic that shows the line to add, rather than a scope that silently
//! charges nothing.

use wasmtime_error::alloc::limit::MemoryScope;

#[path = "support/quiet_panic.rs"]
mod quiet_panic;

#[test]
fn a_scope_without_the_allocator_panics_with_the_fix() {
    let panic = quiet_panic::catch_quietly(|| MemoryScope::new(1024)).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(message.contains("MemoryScope needs LimitAllocator as the global allocator"));
    assert!(message.contains("#[global_allocator]"));
    assert!(message.contains("LimitAllocator::new(std::alloc::System)"));
    // Nothing is left behind: the thread is in no scope.
    assert!(MemoryScope::current().is_none());
}
