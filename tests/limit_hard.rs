//! The hard ceiling refuses every request past it, infallible ones too,
//! which aborts the process: run in a child process (this test binary,
//! selecting the ignored child test), whose end the parent reads.

use std::process::Command;

use wasmtime_error::alloc::TryVec;
use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};

#[global_allocator]
static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);

/// Runs only when the parent asks for it (`--ignored`).
#[test]
#[ignore = "child process of `an_infallible_allocation_past_the_hard_limit_aborts`"]
fn child_allocates_past_the_hard_limit() {
    let scope = MemoryScope::new(1000).unwrap().with_hard_limit(4000);
    let kept = scope.run(|| vec![0u8; 3000]);
    eprintln!("past the limit, within the ceiling: {}", scope.usage());
    scope.run(|| std::hint::black_box(vec![0u8; 2000]));
    unreachable!("the ceiling refused the block, and Rust aborted: {kept:?}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run a child process")]
fn an_infallible_allocation_past_the_hard_limit_aborts() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_allocates_past_the_hard_limit",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the child survived:\n{stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(output.status.signal(), Some(libc::SIGABRT), "{stderr}");
    }
    assert!(
        stderr.contains("past the limit, within the ceiling: 3000"),
        "{stderr}"
    );
    assert!(
        stderr.contains("memory allocation of 2000 bytes failed"),
        "{stderr}"
    );
}

#[test]
fn the_hard_limit_refuses_fallible_requests_and_counts_them() {
    let scope = MemoryScope::new(1 << 20).unwrap().with_hard_limit(100);
    scope.run(|| {
        assert!(TryVec::<u8>::with_capacity(101).is_err());
        let kept = TryVec::<u8>::with_capacity(100).unwrap();
        assert!(TryVec::<u8>::with_capacity(1).is_err());
        drop(kept);
    });
    assert_eq!(scope.refused(), 2);
    assert_eq!(scope.usage(), 0);
}
