//! Isolated mode: each failure runs in a child process, so that a run that
//! aborts, panics twice, is killed, exits or hangs ends only its child,
//! the sweep goes on, and one call reports every such site. The closures
//! that sleep before each allocation are slow enough that the harness
//! forks most of their runs at the failing allocation (the other path);
//! the fast ones are re-run from the start in a child.
#![cfg(all(unix, not(miri)))]

use std::sync::{Arc, Barrier};
use std::time::Duration;
use wasmtime_error::oom_test::{FailureKind, OomTest, OomTestAllocator, without_injection};
use wasmtime_error::{OutOfMemory, Result};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// A handled allocation of `size` bytes.
fn reserve(size: usize) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    buffer.try_reserve_exact(size)?;
    Ok(buffer)
}

#[inline(never)]
fn aborts_in_push(values: &mut Vec<u64>) {
    values.push(1);
}

#[inline(never)]
fn aborts_in_box() -> Box<[u8; 24]> {
    Box::new([7; 24])
}

#[inline(never)]
fn aborts_in_to_string() -> String {
    "three".to_string()
}

/// Three infallible allocations between fallible ones.
fn three_aborting_sites() -> Result<()> {
    let _a = reserve(8)?;
    let mut values = Vec::new();
    aborts_in_push(&mut values);
    let _b = reserve(8)?;
    let boxed = aborts_in_box();
    let _c = reserve(8)?;
    let text = aborts_in_to_string();
    std::hint::black_box((&values, &boxed, &text));
    Ok(())
}

fn callers(failure: &wasmtime_error::oom_test::OomTestFailure) -> Vec<String> {
    failure
        .failed_runs()
        .iter()
        .map(|run| {
            run.site()
                .and_then(|site| site.caller())
                .unwrap_or_default()
        })
        .collect()
}

/// The lines of a site that fold frames: one before the caller's code
/// and one after it (the harness's frames), each folding at least one
/// frame and saying so in the right number.
fn assert_folded_lines(site: &str) {
    let folded: Vec<&str> = site
        .lines()
        .filter(|line| line.contains(" of std, wasmtime_error and the runtime folded"))
        .collect();
    assert_eq!(folded.len(), 2, "{site}");
    for line in folded {
        let (count, rest) = line
            .trim_start()
            .trim_start_matches('(')
            .split_once(' ')
            .unwrap();
        let count: usize = count.parse().unwrap();
        assert!(count > 0, "{site}");
        let noun = if count == 1 { "frame of" } else { "frames of" };
        assert!(rest.starts_with(noun), "{site}");
    }
    assert!(site.trim_end().ends_with("folded)"), "{site}");
}

fn assert_three_aborts(test: OomTest) {
    let failure = test.check(three_aborting_sites).unwrap_err();
    let runs = failure.failed_runs();
    assert_eq!(runs.len(), 3, "{failure}");
    let expected = [
        ("aborts_in_push", 1, 32),
        ("aborts_in_box", 3, 24),
        ("aborts_in_to_string", 5, 5),
    ];
    for ((run, caller), (name, index, size)) in runs.iter().zip(callers(&failure)).zip(expected) {
        match run.kind() {
            FailureKind::Aborted { output } => assert!(
                output.contains(&format!("memory allocation of {size} bytes failed")),
                "{output}"
            ),
            other => panic!("not an abort: {other}"),
        }
        assert!(caller.contains(name), "{caller} for {name}");
        // Numbered as in the whole stack, where the harness's frames come
        // first.
        let site = run.site().unwrap().to_string();
        let line = site.lines().find(|line| line.contains(name)).unwrap();
        let number = line.trim_start().split(':').next().unwrap();
        assert!(number.parse::<u32>().unwrap() > 0, "{site}");
        assert_folded_lines(&site);
        assert_eq!(format!("{:?}", run.site().unwrap()), site);
        let injected = run.injected().unwrap();
        assert_eq!((injected.index, injected.layout.size()), (index, size));
    }
    let report = failure.to_string();
    assert!(report.contains("OOM test failed (3 of 3)"), "{report}");
    // Each run after the first after an empty line.
    assert!(report.starts_with("OOM test failed (1 of 3): "), "{report}");
    assert_eq!(
        report.matches("\n\nOOM test failed (").count(),
        2,
        "{report}"
    );
    // No site died twice: nothing to say about later occurrences.
    assert!(!report.contains("not failed again"), "{report}");
    assert_eq!(format!("{failure:?}"), report);
    // Only a run that hung is given a second child.
    assert_eq!(failure.summary().retried, 0, "{failure}");
}

#[test]
fn one_call_reports_every_aborting_site_and_the_process_goes_on() {
    assert_three_aborts(OomTest::new());
    // Still here, and the harness still works.
    let summary = OomTest::new().check(|| reserve(4).map(drop)).unwrap();
    assert_eq!(summary.injected, 1);
}

/// Sleeps before each allocation: slow enough that the runs are forked at
/// their failing allocation.
fn slowly<T>(f: impl FnOnce() -> T) -> T {
    std::thread::sleep(Duration::from_millis(2));
    f()
}

#[test]
fn children_forked_at_the_allocation_report_aborts_too() {
    let failure = OomTest::new()
        .check(|| {
            for _ in 0..6 {
                let _ = slowly(|| reserve(8))?;
            }
            let mut values = Vec::new();
            slowly(|| aborts_in_push(&mut values));
            let boxed = slowly(aborts_in_box);
            std::hint::black_box((&values, &boxed));
            Ok(())
        })
        .unwrap_err();
    let callers = callers(&failure);
    assert_eq!(callers.len(), 2, "{failure}");
    assert!(callers[0].contains("aborts_in_push"), "{failure}");
    assert!(callers[1].contains("aborts_in_box"), "{failure}");
    assert_eq!(failure.injected().unwrap().index, 6);
}

#[test]
fn the_contract_holds_for_children_forked_at_the_allocation() {
    // Every check the sweep makes, on the forking path.
    let missed = OomTest::new()
        .check(|| {
            for _ in 0..8 {
                if slowly(|| reserve(8)).is_err() {
                    return Ok(()); // the failure is dropped
                }
            }
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(missed.kind(), FailureKind::MissedOom), "{missed}");
    assert_eq!(missed.failed_runs().len(), 1, "one site");

    let leak = OomTest::new()
        .check(|| {
            for size in 1..=8 {
                let buffer = slowly(|| reserve(size))?;
                if size == 8 {
                    // Kept only where it fails: the parent frees its own.
                    std::mem::forget(buffer);
                }
            }
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(leak.kind(), FailureKind::Leak { bytes: 8 }),
        "{leak}"
    );

    let after = OomTest::new()
        .check(|| {
            for size in 1..=8 {
                if slowly(|| reserve(size)).is_err() {
                    let _second = reserve(1);
                    return Err(OutOfMemory::new(size).into());
                }
            }
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(after.kind(), FailureKind::AllocAfterOom { .. }),
        "{after}"
    );
    let site = after.after_oom_site().unwrap();
    assert!(site.caller().unwrap().contains("::reserve"), "{site}");

    let panicked = OomTest::new()
        .check(|| {
            for size in 1..=8 {
                slowly(|| reserve(size)).expect("no room");
            }
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(panicked.kind(), FailureKind::Panicked { message } if message.contains("no room")),
        "{panicked}"
    );
}

/// Panics when dropped while the thread is already panicking.
struct PanicsInDrop;

impl Drop for PanicsInDrop {
    fn drop(&mut self) {
        if std::thread::panicking() {
            panic!("a second panic");
        }
    }
}

#[test]
fn a_double_panic_is_a_failure_of_its_own() {
    let failure = OomTest::new()
        .check(|| {
            let _guard = PanicsInDrop;
            reserve(16).expect("first panic");
            Ok(())
        })
        .unwrap_err();
    match failure.kind() {
        // Written by the harness's panic hook, the one a child uses.
        FailureKind::DoublePanic { output } => assert!(
            output.contains("thread panicked in an OOM test's child: "),
            "{output}"
        ),
        other => panic!("{other}"),
    }
}

#[test]
fn a_hang_is_killed_after_the_limit() {
    for slow in [false, true] {
        let failure = OomTest::new()
            .child_timeout(Duration::from_millis(300))
            .check(|| {
                for size in 1..=4 {
                    let result = if slow {
                        slowly(|| reserve(size))
                    } else {
                        reserve(size)
                    };
                    if result.is_err() && size == 4 {
                        loop {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                    result?;
                }
                Ok(())
            })
            .unwrap_err();
        assert!(
            matches!(failure.kind(), FailureKind::Hung { limit } if *limit == Duration::from_millis(300)),
            "{failure}"
        );
        assert_eq!(failure.injected().unwrap().index, 3);
        assert_eq!(failure.failed_runs().len(), 1);
        // Run once more in a new child before it was reported, and not
        // after that.
        assert_eq!(failure.summary().retried, 1, "slow: {slow}: {failure}");
        assert_eq!(failure.summary().runs, 4, "slow: {slow}: {failure}");
        assert_eq!(failure.summary().skipped, 0, "slow: {slow}: {failure}");
        let summary = failure.summary().to_string();
        assert!(summary.ends_with("; 1 retried after hanging"), "{summary}");
    }
}

#[test]
fn a_signal_and_an_exit_are_reported() {
    let killed = OomTest::new()
        .check(|| {
            if reserve(8).is_err() {
                // SAFETY: sends SIGTERM to this (child) process.
                unsafe { libc::kill(libc::getpid(), libc::SIGTERM) };
            }
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(killed.kind(), FailureKind::Killed { signal, .. } if *signal == libc::SIGTERM),
        "{killed}"
    );
    let exited = OomTest::new()
        .check(|| {
            if reserve(8).is_err() {
                std::process::exit(3);
            }
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(exited.kind(), FailureKind::Exited { code: 3, .. }),
        "{exited}"
    );
}

#[test]
fn a_closure_may_fork_and_spawn_threads() {
    let summary = OomTest::new()
        .allow_leaks(true)
        .check(|| {
            let buffer = reserve(8)?;
            // Spawning allocates infallibly: not under test.
            without_injection(|| {
                // A thread of its own works in the child too.
                let capacity =
                    std::thread::scope(|scope| scope.spawn(|| buffer.capacity()).join().unwrap());
                assert_eq!(capacity, 8);
                // SAFETY: the grandchild only calls `_exit`.
                let pid = unsafe { libc::fork() };
                if pid == 0 {
                    // SAFETY: ends the grandchild at once.
                    unsafe { libc::_exit(0) };
                }
                let mut status = 0;
                // SAFETY: `pid` is this process's child.
                assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
            });
            let _more = reserve(4)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.injected, 2);
}

/// The children of this thread that the kernel still lists (zombies
/// included); `None` where `/proc` does not say.
fn children_of_this_thread() -> Option<String> {
    // SAFETY: `gettid` has no preconditions.
    let tid = unsafe { libc::gettid() };
    std::fs::read_to_string(format!("/proc/self/task/{tid}/children")).ok()
}

#[test]
fn no_child_outlives_the_sweep() {
    let _ = OomTest::new().check(three_aborting_sites);
    let _ = OomTest::new()
        .child_timeout(Duration::from_millis(100))
        .check(|| {
            if reserve(1).is_err() {
                std::thread::sleep(Duration::from_secs(60));
            }
            Ok(())
        });
    if let Some(children) = children_of_this_thread() {
        assert_eq!(children.trim(), "", "children left behind");
    }
}

#[test]
fn tests_using_the_harness_run_in_parallel() {
    // Each test's first dry run waits for the other's: if the harness
    // serialised tests, neither would get there.
    let barrier = Arc::new(Barrier::new(2));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let met = std::sync::atomic::AtomicBool::new(false);
                OomTest::new()
                    .check(|| {
                        if !met.swap(true, std::sync::atomic::Ordering::Relaxed) {
                            without_injection(|| barrier.wait());
                        }
                        for size in 1..=50 {
                            reserve(size)?;
                        }
                        Ok(())
                    })
                    .unwrap()
            })
        })
        .collect();
    for thread in threads {
        let summary = thread.join().unwrap();
        assert_eq!((summary.allocations, summary.injected), (50, 50));
    }
}

#[test]
fn both_modes_give_the_same_summary() {
    let body = || {
        let mut kept = Vec::new();
        for size in 1..=20 {
            kept.try_reserve(1)?;
            kept.push(reserve(size)?);
        }
        Ok(())
    };
    let isolated = OomTest::new().check(body).unwrap();
    let in_process = OomTest::new().isolated(false).check(body).unwrap();
    let counts = |summary: &wasmtime_error::oom_test::OomTestSummary| {
        (
            summary.allocations,
            summary.runs,
            summary.injected,
            summary.skipped,
            summary.sites(),
        )
    };
    assert_eq!(counts(&isolated), counts(&in_process));
    // 20 buffers, and the vector grows to 4, 8, 16 and 32.
    assert_eq!((isolated.allocations, isolated.sites()), (24, 2));
    // Nothing skipped or retried, nothing said of it.
    assert_eq!(
        isolated.to_string(),
        "24 allocations per run; 24 runs with a failure planned, 24 of which failed it"
    );
    let debug = format!("{isolated:?}");
    assert!(
        debug.starts_with(
            "OomTestSummary { allocations: 24, runs: 24, injected: 24, skipped: 0, retried: 0"
        ),
        "{debug}"
    );
}

#[test]
fn later_occurrences_of_a_site_that_died_are_not_failed_again() {
    // A loop with an infallible allocation: the same stack at every turn.
    for slow in [false, true] {
        let failure = OomTest::new()
            .check(|| {
                for _ in 0..50 {
                    let _fine = if slow {
                        slowly(|| reserve(8))
                    } else {
                        reserve(8)
                    }?;
                    let mut values = Vec::new();
                    aborts_in_push(&mut values);
                    std::hint::black_box(&values);
                }
                Ok(())
            })
            .unwrap_err();
        // Reported once, at its first occurrence ...
        assert_eq!(failure.failed_runs().len(), 1, "{failure}");
        assert!(matches!(failure.kind(), FailureKind::Aborted { .. }));
        assert_eq!(failure.injected().unwrap().index, 1);
        // ... and most later ones not run: only those already running or
        // handed to a child when the first death was heard of.
        let summary = failure.summary();
        assert_eq!(summary.allocations, 100);
        assert_eq!(summary.runs + summary.skipped, 100, "{summary:?}");
        assert!(summary.skipped >= 40, "slow: {slow}: {summary:?}");
        assert!(failure.to_string().contains("were not failed again"));
        let said = format!(
            "; {} not run (their sites had died already)",
            summary.skipped
        );
        assert!(summary.to_string().contains(&said), "{summary}");
    }
}

#[test]
fn stopping_at_the_first_failure() {
    let failure = OomTest::new()
        .stop_at_first_failure(true)
        .check(three_aborting_sites)
        .unwrap_err();
    assert_eq!(failure.failed_runs().len(), 1, "{failure}");
    let all = OomTest::new().check(three_aborting_sites).unwrap_err();
    assert_eq!(all.failed_runs().len(), 3);
}

#[test]
fn a_run_that_exits_with_status_zero_is_reported() {
    // Re-run from the start in a child (a fast closure): the child exits
    // before its list of runs is done, which only the time limit excuses.
    let failure = OomTest::new()
        .check(|| {
            let _first = reserve(8)?;
            if reserve(8).is_err() {
                std::process::exit(0);
            }
            for _ in 0..4 {
                reserve(8)?;
            }
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(failure.kind(), FailureKind::Exited { code: 0, .. }),
        "{failure}"
    );
    assert_eq!(failure.injected().unwrap().index, 1);
    // The runs after it in that child's list are run in another.
    assert_eq!(failure.summary().runs, 6, "{failure}");
}

#[test]
fn stopping_at_the_first_failure_does_not_wait_for_a_child_to_end() {
    // Every failure is ignored, and each run that failed one takes a few
    // milliseconds more: the children re-running the closure have long
    // lists, and the sweep stops at the first verdict they send.
    let allocations = 200;
    let failure = OomTest::new()
        .stop_at_first_failure(true)
        .check(|| {
            for _ in 0..allocations {
                if reserve(8).is_err() {
                    std::thread::sleep(Duration::from_millis(2));
                    return Ok(());
                }
            }
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(failure.kind(), FailureKind::MissedOom),
        "{failure}"
    );
    assert_eq!(failure.failed_runs().len(), 1);
    let runs = failure.summary().runs;
    assert!(runs < allocations / 4, "{runs} runs: {failure}");
    // The children still at work then were ended.
    if let Some(children) = children_of_this_thread() {
        assert_eq!(children.trim(), "", "children left behind");
    }
}

#[test]
fn no_child_is_forked_past_the_time_limit() {
    // Slow enough that the runs are forked at their allocation: the
    // parent's run goes on to its end, forking no child past the limit.
    let allocations = 50;
    let summary = OomTest::new()
        .max_duration(Duration::from_millis(30))
        .check(|| {
            for _ in 0..allocations {
                slowly(|| reserve(8))?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.allocations, allocations);
    assert!(summary.runs < allocations / 2, "{summary:?}");
}

/// Runs only when the parent asks for it (`--ignored`): SIGCHLD ignored
/// changes the whole process, so it runs in a process of its own.
#[test]
#[ignore = "child process of `with_sigchld_ignored_the_verdicts_come_from_the_messages`"]
fn child_ignores_sigchld() {
    // SAFETY: sets SIGCHLD's disposition to "ignore"; no handler runs. The
    // system then reaps the children itself, and `waitpid` finds none.
    unsafe { libc::signal(libc::SIGCHLD, libc::SIG_IGN) };
    let summary = OomTest::new()
        .check(|| {
            for size in 1..=20 {
                reserve(size)?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.injected, 20);
    let missed = OomTest::new()
        .check(|| {
            let _ = reserve(8);
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(missed.kind(), FailureKind::MissedOom), "{missed}");
}

#[test]
fn with_sigchld_ignored_the_verdicts_come_from_the_messages() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_ignores_sigchld",
            "--test-threads=1",
        ])
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"));
}

/// Counters shared by this process and its children (an anonymous shared
/// mapping, made before the children are forked).
struct Shared(*mut std::sync::atomic::AtomicU32);

impl Shared {
    fn new() -> Shared {
        // SAFETY: a fresh anonymous mapping of one page, shared with the
        // children forked later; zeroed, which is two `AtomicU32`s at 0.
        let page = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(page, libc::MAP_FAILED);
        Shared(page.cast())
    }

    fn counter(&self, at: usize) -> &std::sync::atomic::AtomicU32 {
        assert!(at < 2);
        // SAFETY: the page holds two `AtomicU32`s and lives as long as
        // `self`.
        unsafe { &*self.0.add(at) }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, no longer borrowed.
        unsafe { libc::munmap(self.0.cast(), 4096) };
    }
}

#[test]
fn children_run_a_few_at_a_time() {
    use std::sync::atomic::Ordering::SeqCst;

    // Forked at their allocation (a slow closure), each child then takes
    // a while: the forking run must wait for room rather than fork them
    // all at once.
    let shared = Shared::new();
    let (running, most) = (shared.counter(0), shared.counter(1));
    let summary = OomTest::new()
        .check(|| {
            for _ in 0..40 {
                if let Err(error) = slowly(|| reserve(8)) {
                    // Failed: this is a child.
                    let now = running.fetch_add(1, SeqCst) + 1;
                    most.fetch_max(now, SeqCst);
                    std::thread::sleep(Duration::from_millis(100));
                    running.fetch_sub(1, SeqCst);
                    return Err(error);
                }
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.injected, 40);
    let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
    let most = most.load(SeqCst) as usize;
    assert!(0 < most && most <= 5 * cores, "{most} children at once");
}

#[test]
fn a_sweep_dropped_in_its_forking_run_leaves_no_child() {
    use std::task::{Context, Waker};

    let parent = std::process::id();
    let pended = std::cell::Cell::new(false);
    let test = OomTest::new();
    {
        let future = test.check_async(async || {
            for _ in 0..10 {
                slowly(|| reserve(8))?;
                // In this process while it has children: the forking run.
                let forking = std::process::id() == parent
                    && without_injection(|| {
                        children_of_this_thread().is_some_and(|list| !list.trim().is_empty())
                    });
                if forking {
                    pended.set(true);
                    std::future::pending::<()>().await;
                }
            }
            Ok(())
        });
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        while !pended.get() {
            assert!(future.as_mut().poll(&mut cx).is_pending());
        }
        // Dropped here, in the middle of its forking run.
    }
    if let Some(children) = children_of_this_thread() {
        assert_eq!(children.trim(), "", "children left behind");
    }
    // The thread is free for another test with a forking run.
    let summary = OomTest::new()
        .check(|| {
            for _ in 0..10 {
                slowly(|| reserve(8))?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.injected, 10);
}

/// A type whose `Display` aborts when its allocation fails.
struct Shown;

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut values = Vec::new();
        aborts_in_push(&mut values);
        f.write_str("shown")
    }
}

#[test]
fn a_sites_own_display_impl_is_shown_and_the_blanket_one_folded() {
    let failure = OomTest::new()
        .check(|| {
            let text = format!("{}", &Shown);
            std::hint::black_box(&text);
            Ok(())
        })
        .unwrap_err();
    let run = failure
        .failed_runs()
        .iter()
        .find(|run| {
            run.site()
                .and_then(|site| site.caller())
                .is_some_and(|caller| caller.contains("aborts_in_push"))
        })
        .unwrap_or_else(|| panic!("{failure}"));
    let site = run.site().unwrap().to_string();
    let shown = |name: &str| {
        site.lines().any(|line| {
            line.trim_start()
                .split_once(": ")
                .is_some_and(|(number, rest)| {
                    number.parse::<u32>().is_ok() && rest.starts_with(name)
                })
        })
    };
    // The code under test's impl, called by std's blanket impl for `&T`.
    assert!(
        shown("<oom_isolated::Shown as core::fmt::Display>::fmt"),
        "{site}"
    );
    assert!(!shown("<&T as core::fmt::Display>::fmt"), "{site}");
}
