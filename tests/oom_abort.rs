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
            values.try_reserve_exact(3)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.injected, 1);
}

/// Runs only when the parent asks for it (`--ignored`).
#[test]
#[ignore = "child process of `a_passing_test_leaves_nothing_for_a_later_abort`"]
fn child_passes_then_aborts() {
    let summary = OomTest::new()
        .isolated(false)
        .check(|| {
            let mut values = Vec::<u32>::new();
            values.try_reserve_exact(4)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.injected, 1);
    // An abort that has nothing to do with the test.
    std::process::abort();
}

/// What the SIGABRT handler installed before the harness's says it was
/// given, written by [`previous_abort_handler`].
#[cfg(unix)]
const PREVIOUS_RAN: &str = "previous SIGABRT handler: signal 6 with its information";

/// A handler a program installed before the harness (with `SA_SIGINFO`):
/// it must still run, with the arguments the signal came with.
#[cfg(unix)]
extern "C" fn previous_abort_handler(
    signum: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: `info`, when not null, points to the signal's information,
    // which the kernel filled in (the handler was installed with
    // SA_SIGINFO).
    let told = !info.is_null() && unsafe { (*info).si_signo } == libc::SIGABRT;
    let text = if signum == libc::SIGABRT && told && !context.is_null() {
        PREVIOUS_RAN
    } else {
        "previous SIGABRT handler: wrong arguments"
    };
    // SAFETY: `write` of a static string to stderr; async-signal-safe.
    unsafe { libc::write(2, text.as_ptr().cast(), text.len()) };
}

/// Runs only when the parent asks for it (`--ignored`).
#[cfg(unix)]
#[test]
#[ignore = "child process of `a_handler_installed_before_runs_after_the_report`"]
fn child_aborts_over_a_previous_handler() {
    // SAFETY: `sigaction` is plain data; all zeroes is a valid, empty value.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
        previous_abort_handler;
    action.sa_sigaction = handler as usize;
    action.sa_flags = libc::SA_SIGINFO;
    // SAFETY: `action` is a valid `sigaction`; the handler only calls `write`.
    unsafe {
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGABRT, &action, std::ptr::null_mut()),
            0
        );
    }
    child_pushes_under_injection();
}

/// Runs only when the parent asks for it (`--ignored`).
#[cfg(unix)]
#[test]
#[ignore = "child process of `a_sigabrt_sent_after_a_test_still_ends_the_process`"]
fn child_raises_sigabrt_after_a_test() {
    // A failure in this process: the harness installs its handler.
    let summary = OomTest::new()
        .isolated(false)
        .check(|| {
            Vec::<u8>::new().try_reserve(1)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.injected, 1);
    // SAFETY: sends SIGABRT to this thread, as `kill` from elsewhere would.
    unsafe { libc::raise(libc::SIGABRT) };
    eprintln!("still running after SIGABRT");
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
    // Written once, by the handler: not also when the allocation failed.
    assert_eq!(stderr.matches("oom_test: injected").count(), 1, "{stderr}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn processes")]
fn a_passing_test_leaves_nothing_for_a_later_abort() {
    let output = run_child("child_passes_then_aborts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the child must abort:\n{stderr}");
    // Nothing written when the allocation failed (the test handled it),
    // nor when the process aborted after the test.
    assert!(!stderr.contains("oom_test:"), "{stderr}");
}

#[cfg(unix)]
#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn processes")]
fn a_handler_installed_before_runs_after_the_report() {
    use std::os::unix::process::ExitStatusExt;

    let output = run_child("child_aborts_over_a_previous_handler");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.signal(), Some(6), "{stderr}");
    let report = stderr
        .rfind("oom_test: injected a failure into allocation #0")
        .unwrap_or_else(|| panic!("no report in:\n{stderr}"));
    let previous = stderr
        .rfind(PREVIOUS_RAN)
        .unwrap_or_else(|| panic!("the previous handler did not run, or not rightly:\n{stderr}"));
    assert!(report < previous, "{stderr}");
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

#[cfg(unix)]
#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn processes")]
fn a_sigabrt_sent_after_a_test_still_ends_the_process() {
    use std::os::unix::process::ExitStatusExt;

    let output = run_child("child_raises_sigabrt_after_a_test");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.signal(), Some(6), "{stderr}");
    assert!(!stderr.contains("still running"), "{stderr}");
}
