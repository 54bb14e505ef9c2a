// The contract tests, included by `tests/oom_harness.rs` once per mode:
// each module there defines `harness()`.

#[test]
fn well_behaved_code_passes_and_every_allocation_is_failed_once() {
    let summary = harness().check(|| allocate_checked(4)).unwrap();
    assert_eq!(
        (
            summary.allocations,
            summary.runs,
            summary.injected,
            summary.skipped,
            summary.retried
        ),
        (4, 4, 4, 0, 0)
    );
    // All four are made on one line, in `Block::new`.
    assert_eq!(summary.sites(), if cfg!(miri) { 0 } else { 1 });
    assert!(summary.to_string().starts_with("4 allocations per run; 4 runs"));
}

#[test]
fn a_closure_that_allocates_nothing_passes_and_says_so() {
    let summary = harness().check(|| Ok(())).unwrap();
    assert_eq!((summary.allocations, summary.runs, summary.sites()), (0, 0, 0));
    assert!(summary.to_string().contains("allocated nothing"), "{summary}");
    // Also through Wasmtime's call.
    harness().test(|| Ok(())).unwrap();
}

#[test]
fn ignoring_a_failure_is_a_missed_oom() {
    let failure = harness()
        .check(|| {
            Block::checked(8)?;
            let _ignored = Block::new(40);
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(failure.kind(), FailureKind::MissedOom));
    let injected = failure.injected().unwrap();
    assert_eq!(injected.index, 1);
    assert_eq!(injected.layout, Layout::from_size_align(40, 8).unwrap());
    let report = failure.to_string();
    // Wasmtime's words, which its suite looks for in the error's `{:?}`.
    assert!(report.contains("OOM test function missed an OOM"), "{report}");
    assert!(
        report.contains("allocation #1 (size 40, align 8)"),
        "{report}"
    );
    #[cfg(not(miri))]
    {
        // The report ends with where the failed allocation was made.
        assert!(report.contains("allocation site of the injected failure"));
        assert!(report.contains("::ignoring_a_failure_is_a_missed_oom"), "{report}");
    }
    // `allow_missed_oom_errors` lets it pass.
    harness()
        .allow_missed_oom_errors(true)
        .check(|| {
            let _ignored = Block::new(40);
            Ok(())
        })
        .unwrap();
}

#[test]
fn another_error_after_a_failure_is_caught() {
    let failure = harness()
        .check(|| {
            if Block::new(16).failed() {
                return Err(format_err!("disk full"));
            }
            Ok(())
        })
        .unwrap_err();
    match failure.kind() {
        FailureKind::NonOomError { message } => assert_eq!(message, "disk full"),
        other => panic!("wrong kind: {other:?}"),
    }
    assert_eq!(failure.injected().unwrap().index, 0);
}

#[test]
fn an_error_without_a_failure_is_caught() {
    let failure = harness()
        .check(|| {
            let _block = Block::checked(8)?;
            Err(format_err!("always"))
        })
        .unwrap_err();
    match failure.kind() {
        FailureKind::UnexpectedError { message } => assert_eq!(message, "always"),
        other => panic!("wrong kind: {other:?}"),
    }
    // Caught on the dry run, before any failure was injected.
    assert_eq!(failure.injected(), None);
}

#[test]
fn a_leak_in_a_later_run_is_caught() {
    // Leaks only where its second allocation fails: after the harness
    // has failed one allocation already (and, in this process, replaced
    // the report of that failure, which frees memory the leak count must
    // not see).
    let kept = Kept::new();
    let failure = harness()
        .check(|| {
            let first = Block::checked(8)?;
            if Block::new(16).failed() {
                kept.keep(first);
                return Err(OutOfMemory::new(16).into());
            }
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(failure.kind(), FailureKind::Leak { bytes: 8 }),
        "{failure}"
    );
    assert_eq!(failure.injected().unwrap().index, 1);
}

#[test]
fn a_leak_is_caught() {
    let kept = Kept::new();
    let failure = harness()
        .check(|| {
            kept.keep(Block::checked(24)?);
            Ok(())
        })
        .unwrap_err();
    match failure.kind() {
        FailureKind::Leak { bytes } => assert_eq!(*bytes, 24),
        other => panic!("wrong kind: {other:?}"),
    }
    // Found on the second dry run: the first may fill caches.
    assert_eq!(kept.0.borrow().len(), 2);
    assert_eq!(failure.injected(), None);

    // `allow_leaks` lets it pass.
    let kept = Kept::new();
    harness()
        .allow_leaks(true)
        .check(|| {
            kept.keep(Block::checked(24)?);
            Ok(())
        })
        .unwrap();
}

#[test]
fn freeing_in_the_run_is_not_a_leak() {
    // Memory that lives across the allocation and is freed by the end of
    // the run balances out, including through `realloc`.
    let summary = harness()
        .check(|| {
            let mut bytes = Vec::<u8>::new();
            for size in [4, 64, 1024] {
                bytes
                    .try_reserve_exact(size - bytes.len())
                    .map_err(|_| OutOfMemory::new(size))?;
                bytes.resize(size, 1);
            }
            Ok(())
        })
        .unwrap();
    // One allocation, then two reallocations.
    assert_eq!(summary.allocations, 3);
}

#[test]
fn a_panic_is_reported_with_its_index() {
    let failure = harness()
        .check(|| {
            Block::checked(8)?;
            Block::checked(8)?;
            let third = Block::new(32);
            assert!(!third.failed(), "third allocation failed");
            Ok(())
        })
        .unwrap_err();
    match failure.kind() {
        FailureKind::Panicked { message } => {
            assert_eq!(message, "third allocation failed")
        }
        other => panic!("wrong kind: {other:?}"),
    }
    let injected = failure.injected().unwrap();
    assert_eq!((injected.index, injected.layout.size()), (2, 32));
    assert!(
        failure
            .to_string()
            .contains("allocation #2 (size 32, align 8)")
    );
    // The state was restored: this thread allocates normally, and the
    // next test counts from scratch.
    let mut after = Vec::<u64>::with_capacity(8);
    after.push(1);
    let summary = harness().check(|| allocate_checked(2)).unwrap();
    assert_eq!(summary.allocations, 2);
}

#[test]
fn allocating_after_a_failure_is_caught_unless_allowed() {
    let body = || {
        let first = Block::new(8);
        let second = Block::new(16);
        if first.failed() || second.failed() {
            return Err(OutOfMemory::new(8).into());
        }
        Ok(())
    };
    let failure = harness().check(body).unwrap_err();
    match failure.kind() {
        FailureKind::AllocAfterOom { allocation } => {
            assert_eq!((allocation.index, allocation.layout.size()), (1, 16));
        }
        other => panic!("wrong kind: {other:?}"),
    }
    assert_eq!(failure.injected().unwrap().index, 0);

    // Allowed, the second allocation fails too by default ... (the
    // closure says what it saw through its result: in a child, nothing it
    // writes reaches this process)
    let second_after_first = |expect_failed: bool| {
        move || -> Result<()> {
            let first = Block::new(8);
            let second = Block::new(16);
            if first.failed() && second.failed() != expect_failed {
                wasmtime_error::bail!("the second allocation did not do as expected");
            }
            if first.failed() || second.failed() {
                return Err(OutOfMemory::new(8).into());
            }
            Ok(())
        }
    };
    harness()
        .allow_alloc_after_oom(true)
        .check(second_after_first(true))
        .unwrap();
    harness()
        .allow_alloc_after_oom(true)
        .check(second_after_first(false))
        .unwrap_err();
    // ... and succeeds with `alloc_succeeds_after_oom`.
    harness()
        .allow_alloc_after_oom(true)
        .alloc_succeeds_after_oom(true)
        .check(second_after_first(false))
        .unwrap();

    // Succeeding but not allowed: still caught, with where it happened.
    let failure = harness()
        .alloc_succeeds_after_oom(true)
        .check(body)
        .unwrap_err();
    match failure.kind() {
        FailureKind::AllocAfterOom { allocation } => assert_eq!(allocation.index, 1),
        other => panic!("wrong kind: {other:?}"),
    }
}

#[test]
fn a_changing_allocation_count_is_reported() {
    let runs = Cell::new(0);
    let failure = harness()
        .check(|| {
            runs.set(runs.get() + 1);
            allocate_checked(runs.get())
        })
        .unwrap_err();
    match failure.kind() {
        FailureKind::UnstableCount { counts } => {
            assert_eq!(counts, &(1..=10).collect::<Vec<u64>>())
        }
        other => panic!("wrong kind: {other:?}"),
    }
    // A count that settles after the first run (a cache filled once) is
    // fine.
    let cache = Kept::new();
    let summary = harness()
        .check(|| {
            if cache.0.borrow().is_empty() {
                cache.keep(Block::checked(8)?);
            }
            allocate_checked(2)
        })
        .unwrap();
    assert_eq!(summary.allocations, 2);
}

#[test]
fn limits_on_runs() {
    let summary = harness()
        .max_iters(3)
        .check(|| allocate_checked(10))
        .unwrap();
    assert_eq!((summary.allocations, summary.runs), (10, 3));
    let summary = harness()
        .max_duration(Duration::ZERO)
        .check(|| allocate_checked(10))
        .unwrap();
    assert_eq!((summary.allocations, summary.runs), (10, 0));
    let summary = harness()
        .max_duration(Duration::from_secs(3600))
        .check(|| allocate_checked(10))
        .unwrap();
    assert_eq!((summary.allocations, summary.runs), (10, 10));
}

#[test]
fn fuzzing_picks_allocations_from_the_seed() {
    let n = if cfg!(miri) { 20 } else { 200 };
    let summary = harness()
        .seed(7)
        .max_iters(25)
        .fuzzing(true)
        .check(|| allocate_checked(n))
        .unwrap();
    assert_eq!(
        (summary.allocations, summary.runs, summary.injected),
        (n as u64, 25, 25)
    );

    // Code that mishandles one allocation out of `n`: some seed finds it,
    // and the same seed finds the same failure again.
    let sloppy = || {
        for i in 0..n {
            let block = Block::new(8);
            if block.failed() {
                if i == n / 2 {
                    return Ok(()); // the mishandled one
                }
                return Err(OutOfMemory::new(8).into());
            }
        }
        Ok(())
    };
    let fuzzed = || {
        harness()
            .seed(1)
            .max_iters(1000)
            .fuzz(sloppy)
            .unwrap_err()
            .downcast::<OomTestFailure>()
            .unwrap()
    };
    let first = fuzzed();
    assert!(matches!(first.kind(), FailureKind::MissedOom));
    assert_eq!(first.injected().unwrap().index, (n / 2) as u64);
    let again = fuzzed();
    assert_eq!(again.injected(), first.injected());
    // Fuzzing needs to know how many allocations to pick.
    let failure = harness().fuzzing(true).check(sloppy).unwrap_err();
    assert!(matches!(failure.kind(), FailureKind::MaxItersNeeded));
    assert!(failure.to_string().contains("max_iters"), "{failure}");
}

#[test]
fn other_threads_are_not_counted() {
    let stop = AtomicBool::new(false);
    let allocated = AtomicU64::new(0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let noise = std::hint::black_box(Box::new([0u8; 32]));
                assert_eq!(noise.len(), 32);
                allocated.fetch_add(1, Ordering::Relaxed);
                std::thread::yield_now();
            }
        });
        // Wait until the other thread allocates, so that it overlaps.
        while allocated.load(Ordering::Relaxed) == 0 {
            std::thread::yield_now();
        }
        for _ in 0..3 {
            let summary = harness()
                .check(|| {
                    // Give the other thread time to allocate meanwhile.
                    std::thread::yield_now();
                    allocate_checked(3)
                })
                .unwrap();
            assert_eq!((summary.allocations, summary.injected), (3, 3));
        }
        stop.store(true, Ordering::Relaxed);
    });
}

#[test]
fn tests_do_not_nest() {
    let failure = harness()
        .check(|| {
            let _inner = harness().check(|| Ok(()));
            Ok(())
        })
        .unwrap_err();
    match failure.kind() {
        FailureKind::Panicked { message } => {
            assert!(message.contains("cannot run inside"), "{message}")
        }
        other => panic!("wrong kind: {other:?}"),
    }
}

#[test]
fn without_injection_is_neither_counted_nor_failed() {
    let summary = harness()
        .check(|| {
            let block = Block::checked(8)?;
            // Infallible allocations are safe in here, even after a failure.
            let label = without_injection(|| format!("{} bytes", block.layout.size()));
            assert_eq!(label, "8 bytes");
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.allocations, 1);
    // Its bytes still count as leaked when kept.
    let kept = Kept::new();
    let failure = harness()
        .check(|| {
            kept.keep(without_injection(|| vec![0u8; 16]));
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(failure.kind(), FailureKind::Leak { bytes: 16 }));
}

#[test]
fn the_failure_converts_into_an_error() {
    fn run() -> Result<()> {
        harness().check(|| {
            let _ignored = Block::new(8);
            Ok(())
        })?;
        Ok(())
    }
    let error: Error = run().unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("OOM test failed: OOM test function missed an OOM"),
        "{error}"
    );
}

#[test]
fn wasmtimes_calls_return_the_failure_inside_an_error() {
    // The tail of a `#[test] fn t() -> Result<()>`, as Wasmtime writes it.
    fn sound() -> Result<()> {
        harness().test(|| allocate_checked(3))
    }
    fn sloppy() -> Result<()> {
        harness().allow_alloc_after_oom(true).test(|| {
            let _ignored = Block::new(8);
            let _again = Block::new(8);
            Ok(())
        })
    }
    sound().unwrap();
    let error = sloppy().unwrap_err();
    let failure = error.downcast_ref::<OomTestFailure>().expect("the failure");
    assert!(matches!(failure.kind(), FailureKind::MissedOom));
    assert_eq!(failure.summary().allocations, 2);
    assert_eq!(error.to_string(), failure.to_string());
}

#[test]
fn wasmtimes_calls_panic_on_an_allocation_after_the_failure() {
    // Wasmtime's suite catches this panic (`smoke_test_disallow_alloc_after_oom`);
    // `check` reports the same failure without one.
    let allocates_again = || {
        let first = Block::new(8);
        let second = Block::new(8);
        if first.failed() || second.failed() {
            return Err(OutOfMemory::new(8).into());
        }
        Ok(())
    };
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = harness().test(allocates_again);
    }))
    .expect_err("`test` panics");
    let message = panicked
        .downcast_ref::<String>()
        .expect("the report as the panic's message");
    assert!(message.contains("after an allocation had failed"), "{message}");
    let failure = harness().check(allocates_again).unwrap_err();
    assert!(matches!(failure.kind(), FailureKind::AllocAfterOom { .. }));
    // Allowed, it passes through Wasmtime's call too.
    harness()
        .allow_alloc_after_oom(true)
        .test(allocates_again)
        .unwrap();
}

#[test]
fn async_code_keeps_its_count_across_awaits() {
    let summary = block_on(harness().check_async(|| async {
        let first = Block::checked(8)?;
        YieldOnce(false).await;
        let second = Block::checked(16)?;
        YieldOnce(false).await;
        Block::checked(24)?;
        drop((first, second));
        Ok(())
    }))
    .unwrap();
    assert_eq!((summary.allocations, summary.injected), (3, 3));

    // A failure ignored after two awaits is found, with its index.
    let failure = block_on(harness().check_async(async || {
        let _first = Block::checked(8)?;
        YieldOnce(false).await;
        let _second = Block::checked(16)?;
        YieldOnce(false).await;
        let _ignored = Block::new(24);
        Ok(())
    }))
    .unwrap_err();
    assert!(matches!(failure.kind(), FailureKind::MissedOom));
    assert_eq!(failure.injected().unwrap().index, 2);
}

#[test]
fn async_code_woken_from_another_thread() {
    let summary = block_on(harness().allow_leaks(true).check_async(|| async {
        let _first = Block::checked(8)?;
        WokenElsewhere(None).await;
        Block::checked(8)?;
        Ok(())
    }))
    .unwrap();
    assert_eq!(summary.allocations, 2);
}

/// Asks for 40 bytes and ignores a failure; returns the line it asked on.
#[inline(never)]
fn ignore_a_failure_of_40_bytes() -> u32 {
    let (_, line) = (Vec::<u8>::new().try_reserve(40), line!());
    line
}

/// The frames a folded report shows, in order (the lines `   N: name`).
fn shown_frames(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter_map(|line| {
            let (number, name) = line.trim_start().split_once(": ")?;
            number.bytes().all(|b| b.is_ascii_digit()).then_some(name)
        })
        .collect()
}

#[test]
#[cfg_attr(miri, ignore = "Miri captures no backtraces")]
fn the_report_starts_at_the_callers_line() {
    // The line is learnt outside the closure: in a child, what the closure
    // writes stays in the child.
    let line = ignore_a_failure_of_40_bytes();
    let failure = harness()
        .check(|| {
            ignore_a_failure_of_40_bytes();
            Ok(())
        })
        .unwrap_err();
    let report = failure.to_string();
    let site = report
        .split_once("allocation site of the injected failure:\n")
        .expect("a backtrace")
        .1;
    let frames = shown_frames(site);
    assert!(
        frames[0].contains("::ignore_a_failure_of_40_bytes"),
        "{site}"
    );
    assert!(site.contains(&format!("contract.rs:{line}:")), "{site}");
    assert!(
        frames[1].contains("::the_report_starts_at_the_callers_line"),
        "{site}"
    );
    // std, alloc, the allocator and the harness are folded away.
    for frame in &frames {
        assert!(frame.starts_with("oom_harness::"), "{frame} in\n{site}");
    }
    assert!(site.contains("folded"), "{site}");
    // The full backtrace is still there.
    let full = format!("{:#}", failure.site().unwrap());
    assert!(full.contains("OomTestAllocator"), "{full}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri captures no backtraces")]
fn sites_are_counted_apart_from_injections() {
    let summary = harness()
        .check(|| {
            let mut kept = Vec::new();
            for size in 1..=3 {
                let mut buffer = Vec::<u8>::new();
                buffer.try_reserve_exact(size)?;
                kept.try_reserve_exact(1)?;
                kept.push(buffer);
            }
            Ok(())
        })
        .unwrap();
    // Six allocations, two lines.
    assert_eq!((summary.injected, summary.sites()), (6, 2));
}

#[test]
fn an_allocation_after_the_failure_is_reported_with_where_it_was_made() {
    let line = ignore_a_failure_of_40_bytes();
    let failure = harness()
        .check(|| {
            let mut first = Vec::<u8>::new();
            if first.try_reserve(8).is_err() {
                ignore_a_failure_of_40_bytes();
                return Err(OutOfMemory::new(8).into());
            }
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(failure.kind(), FailureKind::AllocAfterOom { .. }));
    let backtrace = failure.after_oom_site().expect("captured");
    if cfg!(miri) {
        return;
    }
    assert!(
        backtrace
            .to_string()
            .contains(&format!("contract.rs:{line}:"))
    );
    let report = failure.to_string();
    let site = report
        .split_once("allocation site of the allocation made after it:\n")
        .expect("the second backtrace")
        .1;
    assert!(site.contains(&format!("contract.rs:{line}:")), "{site}");
    assert!(
        shown_frames(site)[0].contains("::ignore_a_failure_of_40_bytes"),
        "{site}"
    );
    assert!(
        shown_frames(site)[1].contains("::an_allocation_after_the_failure"),
        "{site}"
    );
    assert!(
        report.contains("make it fallible and return the OutOfMemory"),
        "{report}"
    );
}
