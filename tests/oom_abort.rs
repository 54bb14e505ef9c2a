//! When the code under test makes an infallible allocation (`Vec::push`)
//! and the harness fails it in its own process (`isolated(false)`), Rust
//! aborts the process; the harness must still say where. This test runs that program as a child process (this
//! same test binary, selecting the child test) and reads its stderr.

use std::process::{Command, Output};
use wasmtime_error::oom_test::{OomTest, OomTestAllocator};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// The function whose `Vec::push` cannot handle failure: its name must
/// show up in the report.
#[inline(never)]
fn push_without_checking(values: &mut Vec<u32>) {
    values.push(7);
}

/// Runs only when the parent asks for it (`--ignored`).
#[test]
#[ignore = "child process of `an_abort_names_the_infallible_allocation`"]
fn child_pushes_under_injection() {
    // In this process, so that the abort ends it.
    let _ = OomTest::new().isolated(false).check(|| {
        let mut values = Vec::new();
        push_without_checking(&mut values);
        std::hint::black_box(&values);
        Ok(())
    });
    unreachable!("the injected failure of `Vec::push` aborts the process");
}

/// Runs only when the parent asks for it (`--ignored`).
#[test]
#[ignore = "child process of `print_each_injection_reports_every_failure`"]
fn child_prints_each_injection() {
    let summary = OomTest::new()
        .print_each_injection(true)
        .check(|| {
            let mut values = Vec::<u64>::new();
            values
                .try_reserve_exact(3)
                .map_err(|_| wasmtime_error::OutOfMemory::new(24))?;
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.injected, 1);
}

fn run_child(test: &str) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            test,
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap()
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn processes")]
fn an_abort_names_the_infallible_allocation() {
    let output = run_child("child_pushes_under_injection");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the child must abort:\n{stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            output.status.signal(),
            Some(6),
            "SIGABRT expected:\n{stderr}"
        );
    }
    // Rust's own message, then the harness's report after it: the last
    // lines before the abort name the allocation and its caller.
    let rust_message = stderr
        .find("memory allocation of 16 bytes failed")
        .unwrap_or_else(|| panic!("no OOM message in:\n{stderr}"));
    let report = stderr
        .rfind("oom_test: injected a failure into allocation #0 (size 16, align 4)")
        .unwrap_or_else(|| panic!("no report in:\n{stderr}"));
    let culprit = stderr
        .rfind("oom_abort::push_without_checking")
        .unwrap_or_else(|| panic!("the caller of `Vec::push` is not named in:\n{stderr}"));
    if cfg!(any(target_os = "linux", target_os = "macos")) {
        assert!(rust_message < report, "the report comes last:\n{stderr}");
    }
    assert!(report < culprit);
    assert!(stderr[report..].contains("alloc::vec::Vec"), "{stderr}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn processes")]
fn print_each_injection_reports_every_failure() {
    let output = run_child("child_prints_each_injection");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stderr
            .matches("oom_test: injected a failure into allocation #0 (size 24, align 8)")
            .count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("oom_abort::child_prints_each_injection"),
        "{stderr}"
    );
}
