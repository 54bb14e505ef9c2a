//! [`OomTest`]: runs a closure once per allocation it makes, failing a
//! different one each time, and checks how the closure reacts.

use super::report::{self, FailedRun, FailureKind, OomTestFailure};
use super::run::{Outcome, Returned, RunEnd, RunRecord, ThreadWaker, run_async, run_sync};
use super::site::{Frames, SiteKey};
use super::state::{Allocation, Mode, Run, Settings, in_run};
use crate::Result;
use core::future::Future;
use core::task::Waker;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use std::vec::Vec;

/// Dry runs before the allocation count must have settled.
const MAX_DRY_RUNS: usize = 10;

/// Checks that code handles the failure of each of its allocations.
///
/// [`test`](OomTest::test) runs the closure without failures, repeating
/// until two runs in a row make the same number of allocations `n`. Then,
/// for each `i` in `0..n`, it runs the closure again and makes its `i`-th
/// allocation fail. The contract the closure must keep:
///
/// - when an allocation failed, it returns `Err(e)` with
///   `e.is::<OutOfMemory>()`;
/// - otherwise it returns `Ok(())`;
/// - after a failure it does not allocate again (unless
///   [`allow_alloc_after_oom`](OomTest::allow_alloc_after_oom));
/// - whatever it allocates in a run it frees in that run (unless
///   [`allow_leaks`](OomTest::allow_leaks));
/// - it does not panic.
///
/// The first broken rule ends the test with an [`OomTestFailure`] naming the
/// failed allocation, its layout and its backtrace. An allocation the code
/// makes through an infallible API (`Vec::push`, `Box::new`, `format!`)
/// aborts the process when it is the one that fails; the harness then
/// prints, as the last lines before the abort, the failed allocation and
/// its backtrace.
///
/// The closure must run on the calling thread: allocations on other threads
/// are neither counted nor failed. [`OomTestAllocator`](super::OomTestAllocator)
/// must be the global allocator, or the allocator of the collections under
/// test.
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::{Context, Result, format_err, oom_test::OomTest};
///
/// let summary = OomTest::new()
///     .test(|| -> Result<()> {
///         let level = 7;
///         let error = format_err!("level {level} is too high").context("loading");
///         // A failed allocation inside `format_err!` or `context` gives an
///         // out-of-memory error: hand it back to the harness.
///         if error.is::<wasmtime_error::OutOfMemory>() {
///             return Err(error);
///         }
///         Ok(())
///     })
///     .unwrap();
/// // The formatted text, its error, the context layer.
/// assert_eq!(summary.allocations, 3);
/// assert_eq!(summary.injected, 3);
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "an OomTest does nothing until `test`, `fuzz` or `test_async` runs it"]
pub struct OomTest {
    max_iters: Option<u64>,
    max_duration: Option<Duration>,
    allow_alloc_after_oom: bool,
    alloc_succeeds_after_oom: bool,
    allow_missed_oom_errors: bool,
    allow_leaks: bool,
    print_each_injection: bool,
    in_process: bool,
    child_timeout: Option<Duration>,
    each_site: Option<(u64, u64)>,
}

/// How long a run in a child may go without a sign of life, by default.
const CHILD_TIMEOUT: Duration = Duration::from_secs(10);

/// What a passing test did.
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::oom_test::{OomTest, OomTestSummary};
///
/// let summary = OomTest::new().test(|| Ok(())).unwrap();
/// assert_eq!(summary, OomTestSummary { allocations: 0, runs: 0, injected: 0, sites: 0 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OomTestSummary {
    /// Allocations one run of the closure makes when none fails.
    pub allocations: u64,
    /// Runs with a failure planned (dry runs not included).
    pub runs: u64,
    /// Runs in which the planned allocation was reached and failed.
    pub injected: u64,
    /// Distinct places in the code under test whose allocations were
    /// failed: failures whose backtraces have the same first frame outside
    /// std, the allocator, the harness and this crate's collections count
    /// once. A loop that allocates at each turn is one site. 0 where no
    /// backtrace can be captured (Miri).
    pub sites: u64,
}

impl OomTest {
    /// A test with every check on and no limit on runs or time.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// OomTest::new().test(|| Ok(())).unwrap();
    /// ```
    pub fn new() -> OomTest {
        OomTest::default()
    }

    /// Runs at most `max_iters` injection runs (dry runs not included).
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let summary = OomTest::new()
    ///     .max_iters(2)
    ///     .test(|| {
    ///         for size in 1..=5 {
    ///             Vec::<u8>::new().try_reserve(size).map_err(|_| wasmtime_error::OutOfMemory::new(size))?;
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!((summary.allocations, summary.runs), (5, 2));
    /// ```
    pub fn max_iters(mut self, max_iters: u64) -> OomTest {
        self.max_iters = Some(max_iters);
        self
    }

    /// Starts no injection run once `max_duration` has passed since the
    /// first one started.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use std::time::Duration;
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let summary = OomTest::new()
    ///     .max_duration(Duration::ZERO)
    ///     .test(|| Ok(Vec::<u8>::new().try_reserve(1).map_err(|_| wasmtime_error::OutOfMemory::new(1))?))
    ///     .unwrap();
    /// assert_eq!((summary.allocations, summary.runs), (1, 0));
    /// ```
    pub fn max_duration(mut self, max_duration: Duration) -> OomTest {
        self.max_duration = Some(max_duration);
        self
    }

    /// Whether the closure may allocate again after an allocation failed
    /// (say, to retry with less); off by default. Those allocations fail
    /// too unless [`alloc_succeeds_after_oom`](OomTest::alloc_succeeds_after_oom).
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// OomTest::new()
    ///     .allow_alloc_after_oom(true)
    ///     .test(|| {
    ///         let mut buffer = Vec::<u8>::new();
    ///         if buffer.try_reserve(64).is_err() {
    ///             buffer.try_reserve(1).map_err(|_| wasmtime_error::OutOfMemory::new(1))?; // a smaller second attempt
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn allow_alloc_after_oom(mut self, allow: bool) -> OomTest {
        self.allow_alloc_after_oom = allow;
        self
    }

    /// Whether allocations after the failed one succeed (off by default:
    /// memory stays exhausted). Turning it on does not allow such
    /// allocations by itself; see
    /// [`allow_alloc_after_oom`](OomTest::allow_alloc_after_oom).
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// OomTest::new()
    ///     .allow_alloc_after_oom(true)
    ///     .alloc_succeeds_after_oom(true)
    ///     .test(|| {
    ///         let mut buffer = Vec::<u8>::new();
    ///         if buffer.try_reserve(64).is_err() {
    ///             // The retry succeeds; this code still reports the OOM.
    ///             buffer.try_reserve(1).expect("memory is back");
    ///             return Err(wasmtime_error::OutOfMemory::new(64).into());
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn alloc_succeeds_after_oom(mut self, succeeds: bool) -> OomTest {
        self.alloc_succeeds_after_oom = succeeds;
        self
    }

    /// Whether the closure may recover from a failed allocation and return
    /// `Ok(())` or another error (off by default); also lets it return an
    /// error when nothing failed.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// OomTest::new()
    ///     .allow_missed_oom_errors(true)
    ///     .test(|| {
    ///         // Caching is optional here: without memory, just skip it.
    ///         let _ = Vec::<u8>::new().try_reserve(32);
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn allow_missed_oom_errors(mut self, allow: bool) -> OomTest {
        self.allow_missed_oom_errors = allow;
        self
    }

    /// Whether a run may end with more bytes allocated on this thread than
    /// it started with (off by default), for code that fills caches.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// OomTest::new()
    ///     .allow_leaks(true)
    ///     .test(|| {
    ///         let mut kept = Vec::<u8>::new();
    ///         kept.try_reserve(8).map_err(|_| wasmtime_error::OutOfMemory::new(8))?;
    ///         std::mem::forget(kept);
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn allow_leaks(mut self, allow: bool) -> OomTest {
        self.allow_leaks = allow;
        self
    }

    /// Writes the report of every failed allocation (index, layout,
    /// backtrace) to stderr at the moment it fails, instead of only when
    /// the process aborts. Off by default, except on targets where the
    /// harness cannot catch the abort (anything but Linux, Android, macOS,
    /// iOS and FreeBSD), where it is always on.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// // Prints one report per injected failure.
    /// OomTest::new()
    ///     .print_each_injection(true)
    ///     .test(|| Ok(Vec::<u8>::new().try_reserve(1).map_err(|_| wasmtime_error::OutOfMemory::new(1))?))
    ///     .unwrap();
    /// ```
    pub fn print_each_injection(mut self, print: bool) -> OomTest {
        self.print_each_injection = print;
        self
    }

    /// Whether each failure runs in a child process (on unix, and not
    /// under Miri: the default there) or in this one (`false`: the default
    /// elsewhere, where this setting has no effect).
    ///
    /// In a child, a run that aborts (an infallible allocation that
    /// fails), panics while panicking, is killed by a signal or hangs ends
    /// only that child: the sweep goes on, and the test returns a failure
    /// for each such site ([`FailureKind::Aborted`] and the other kinds
    /// marked "isolated mode"). Early allocations are failed by children
    /// that re-run the closure; later ones by children forked from a run
    /// of the closure at the very allocation they fail, which then finish
    /// that run, so no run repeats the allocations before its failure.
    /// These children run side by side, up to the available cores.
    ///
    /// What a child may not rely on: the other threads of the test
    /// process do not exist in it (a lock one of them held at the fork
    /// stays held, and waiting for one hangs until
    /// [`child_timeout`](OomTest::child_timeout)); what it prints to file
    /// descriptors 1 and 2 reaches the failure's text, not the terminal
    /// (the last 4 KiB of it), and what libtest's capture buffers (a
    /// `println!` under `cargo test`) is lost with the child; memory it
    /// allocates or frees, and state it changes, are its own, so a closure
    /// that counts its runs in a variable outside itself sees the parent's
    /// runs only.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::{FailureKind, OomTest};
    ///
    /// // Only where runs are isolated: in this process the clone aborts.
    /// if cfg!(all(unix, not(miri))) {
    ///     let outcome = OomTest::new().isolated(true).test(|| {
    ///         let mut values = Vec::new();
    ///         values.try_reserve(1)?; // handled
    ///         values.push(1u8); // within the capacity
    ///         let _copy = values.clone(); // aborts when it fails
    ///         Ok(())
    ///     });
    ///     let failure = outcome.unwrap_err();
    ///     assert!(matches!(failure.kind(), FailureKind::Aborted { output } if output.contains("memory allocation")));
    ///     assert_eq!(failure.injected().unwrap().index, 1);
    /// }
    /// ```
    pub fn isolated(mut self, isolated: bool) -> OomTest {
        self.in_process = !isolated;
        self
    }

    /// How long a run in a child may go without a sign of life before it
    /// is killed and reported as [`FailureKind::Hung`]: 10 seconds unless
    /// set. A child re-running the closure speaks at each failure it
    /// injects and each run it ends.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use std::time::Duration;
    /// use wasmtime_error::oom_test::{FailureKind, OomTest};
    ///
    /// // Only where runs are isolated: in this process the loop never ends.
    /// if cfg!(all(unix, not(miri))) {
    ///     let outcome = OomTest::new().child_timeout(Duration::from_millis(200)).test(|| {
    ///         if Vec::<u8>::new().try_reserve(1).is_err() {
    ///             loop {
    ///                 std::thread::sleep(Duration::from_millis(10)); // never returns
    ///             }
    ///         }
    ///         Ok(())
    ///     });
    ///     assert!(matches!(outcome.unwrap_err().kind(), FailureKind::Hung { .. }));
    /// }
    /// ```
    pub fn child_timeout(mut self, limit: Duration) -> OomTest {
        self.child_timeout = Some(limit);
        self
    }

    /// Site mode, for closures too large to fail every allocation of:
    /// fails, of each distinct allocation site, its first `first` and its
    /// last `last` occurrences, instead of every allocation. A site is the
    /// first frame of the allocation's stack in the code under test (its
    /// function and line, as [`OomTestSummary::sites`] counts them), found
    /// in one more dry run that walks the stack of every allocation; a
    /// loop that allocates at each turn is one site with many occurrences.
    /// The summary counts the sites in `sites` and the failures in `runs`.
    ///
    /// Under Miri, which walks no stacks, all allocations are one site.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::{OutOfMemory, oom_test::OomTest};
    ///
    /// let summary = OomTest::new()
    ///     .each_site(1, 1)
    ///     .test(|| {
    ///         for size in 1..=100 {
    ///             let mut buffer = Vec::<u8>::new();
    ///             buffer.try_reserve(size).map_err(|_| OutOfMemory::new(size))?;
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// // One site, failed at its first and its last occurrence.
    /// assert_eq!((summary.allocations, summary.sites, summary.runs), (100, 1, 2));
    /// ```
    pub fn each_site(mut self, first: u64, last: u64) -> OomTest {
        self.each_site = Some((first, last));
        self
    }

    /// Fails each allocation of `body` in turn and checks the contract (see
    /// [`OomTest`]).
    ///
    /// # Errors
    ///
    /// The first broken rule, as an [`OomTestFailure`].
    ///
    /// # Panics
    ///
    /// If called inside the closure of another `OomTest`.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::{Error, OutOfMemory, oom_test::OomTest};
    ///
    /// let summary = OomTest::new()
    ///     .test(|| {
    ///         let error = Error::msg("no such table");
    ///         if error.is::<OutOfMemory>() {
    ///             return Err(error);
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!(summary.allocations, 1);
    /// ```
    pub fn test<F>(&self, mut body: F) -> Result<OomTestSummary, OomTestFailure>
    where
        F: FnMut() -> Result<()>,
    {
        self.drive(Plan::Every, &mut |run| run_sync(&mut body, run))
    }

    /// Like [`test`](OomTest::test), but each run fails one allocation
    /// picked at random: `iters` runs, from a generator seeded with `seed`
    /// (the same seed picks the same allocations). For code too large to
    /// fail every allocation of.
    ///
    /// # Errors
    ///
    /// The first broken rule, as an [`OomTestFailure`].
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let summary = OomTest::new()
    ///     .fuzz(42, 10, || {
    ///         for size in 1..=100 {
    ///             Vec::<u8>::new().try_reserve(size).map_err(|_| wasmtime_error::OutOfMemory::new(size))?;
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!((summary.allocations, summary.runs, summary.injected), (100, 10, 10));
    /// ```
    pub fn fuzz<F>(
        &self,
        seed: u64,
        iters: u64,
        mut body: F,
    ) -> Result<OomTestSummary, OomTestFailure>
    where
        F: FnMut() -> Result<()>,
    {
        self.drive(Plan::Random { seed, iters }, &mut |run| {
            run_sync(&mut body, run)
        })
    }

    /// Like [`test`](OomTest::test) for async code: each run polls the
    /// future `body` returns to completion on this thread, and the
    /// allocation count carries over its `.await` points. When the future
    /// is pending the thread sleeps until it is woken; wakers may be called
    /// from any thread.
    ///
    /// # Errors
    ///
    /// The first broken rule, as an [`OomTestFailure`].
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::{Result, oom_test::OomTest};
    ///
    /// async fn reserve(size: usize) -> Result<Vec<u8>> {
    ///     let mut buffer = Vec::new();
    ///     buffer.try_reserve(size).map_err(|_| wasmtime_error::OutOfMemory::new(size))?;
    ///     Ok(buffer)
    /// }
    ///
    /// let summary = OomTest::new()
    ///     .test_async(|| async {
    ///         let _a = reserve(1).await?;
    ///         let _b = reserve(2).await?;
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!(summary.allocations, 2);
    /// ```
    pub fn test_async<F, Fut>(&self, mut body: F) -> Result<OomTestSummary, OomTestFailure>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<()>>,
    {
        // Made before any run: a waker allocates.
        let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
        self.drive(Plan::Every, &mut |run| run_async(&mut body, &waker, run))
    }

    fn settings(&self) -> Settings {
        Settings {
            alloc_succeeds_after_oom: self.alloc_succeeds_after_oom,
            print_each_injection: self.print_each_injection,
            record_sites: false,
            in_child: false,
        }
    }

    /// Whether runs happen in children here.
    fn runs_isolated(&self) -> bool {
        cfg!(all(unix, not(miri))) && !self.in_process
    }

    fn drive(
        &self,
        plan: Plan,
        run_once: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> Result<OomTestSummary, OomTestFailure> {
        assert!(
            !in_run(),
            "an OomTest cannot run inside the closure of another OomTest"
        );
        // Before this process grows: see `symbols`.
        super::symbols::prepare();
        let (allocations, per_allocation) = self.count_allocations(run_once)?;
        let plan = match (self.each_site, plan) {
            (Some((first, last)), Plan::Every) => Plan::Sites { first, last },
            (_, plan) => plan,
        };
        let mut summary = OomTestSummary {
            allocations,
            runs: 0,
            injected: 0,
            sites: 0,
        };
        if allocations == 0 {
            return Ok(summary);
        }
        let mut planned = match plan {
            Plan::Every => (0..allocations).collect(),
            Plan::Random { seed, iters } => {
                let mut random = SplitMix64(seed);
                (0..iters).map(|_| random.next() % allocations).collect()
            }
            Plan::Sites { first, last } => {
                let (planned, sites) = self.plan_sites(allocations, first, last, run_once)?;
                summary.sites = sites;
                planned
            }
        };
        if let Some(max) = self.max_iters {
            planned.truncate(usize::try_from(max).unwrap_or(usize::MAX));
        }
        let deadline = self.max_duration.map(|max| Instant::now() + max);
        let records = if self.runs_isolated() {
            self.sweep_isolated(planned, per_allocation, deadline, run_once)?
        } else {
            self.sweep_in_process(&planned, deadline, run_once)
        };
        let mut failed: Vec<FailedRun> = Vec::new();
        let mut sites = HashSet::new();
        for record in records {
            summary.runs += 1;
            if record.injected.is_some() {
                summary.injected += 1;
            }
            if let Some(key) = record.site.as_ref().and_then(Frames::site_key) {
                sites.insert(key);
            }
            if let Some(run) = self.judge_record(record, true)
                && !failed.iter().any(|known| known.same_as(&run))
            {
                failed.push(run);
            }
        }
        if !matches!(plan, Plan::Sites { .. }) {
            summary.sites = sites.len() as u64;
        }
        if failed.is_empty() {
            Ok(summary)
        } else {
            Err(OomTestFailure::new(failed))
        }
    }

    /// Runs each planned failure in this process, one after the other.
    fn sweep_in_process(
        &self,
        planned: &[u64],
        deadline: Option<Instant>,
        run_once: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> Vec<RunRecord> {
        let mut records = Vec::with_capacity(planned.len());
        for &target in planned {
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                break;
            }
            let mut run = Run::new(Mode::Injecting { target }, self.settings());
            let outcome = run_once(&mut run);
            records.push(RunRecord::of(target, &run, outcome));
        }
        records
    }

    #[cfg(all(unix, not(miri)))]
    fn sweep_isolated(
        &self,
        mut planned: Vec<u64>,
        per_allocation: Duration,
        deadline: Option<Instant>,
        run_once: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> Result<Vec<RunRecord>, OomTestFailure> {
        planned.sort_unstable();
        let limits = super::isolated::Limits {
            jobs: thread::available_parallelism().map_or(1, |jobs| jobs.get()),
            timeout: self.child_timeout.unwrap_or(CHILD_TIMEOUT),
            deadline,
            print_each_injection: self.print_each_injection,
        };
        let (records, parent) =
            super::isolated::sweep(&planned, per_allocation, self.settings(), limits, run_once)
                .unwrap_or_else(|error| panic!("oom_test: cannot fork a child: {error}"));
        // The parent's own run of the forking sweep failed nothing: it is
        // judged as a dry run, but not for leaks. The dry runs checked
        // those, and this run, started from another place in the harness,
        // can fill caches keyed by code address (std's symbol cache, when
        // the closure prints a backtrace) that no dry run filled.
        if let Some(failed) = parent.and_then(|record| self.judge_record(record, false)) {
            return Err(OomTestFailure::new(std::vec![failed]));
        }
        Ok(records)
    }

    #[cfg(not(all(unix, not(miri))))]
    fn sweep_isolated(
        &self,
        planned: Vec<u64>,
        _per_allocation: Duration,
        deadline: Option<Instant>,
        run_once: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> Result<Vec<RunRecord>, OomTestFailure> {
        Ok(self.sweep_in_process(&planned, deadline, run_once))
    }

    /// Site mode's plan: one more dry run records the site of each
    /// allocation; of each site, the first `first` and the last `last`
    /// occurrences are planned. Returns them in order, and how many sites
    /// there are.
    fn plan_sites(
        &self,
        allocations: u64,
        first: u64,
        last: u64,
        run_once: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> Result<(Vec<u64>, u64), OomTestFailure> {
        let settings = Settings {
            record_sites: true,
            ..self.settings()
        };
        let mut run = Run::new(Mode::Counting, settings);
        let outcome = run_once(&mut run);
        let recorded = report::take_recorded_sites();
        let record = RunRecord::of(u64::MAX, &run, outcome);
        if let Some(failed) = self.judge_record(record, true) {
            return Err(OomTestFailure::new(std::vec![failed]));
        }
        if run.count != allocations {
            return Err(unstable(std::vec![allocations, run.count]));
        }
        let mut occurrences: HashMap<Option<SiteKey>, Vec<u64>> = HashMap::new();
        for (index, key) in recorded.into_iter().enumerate() {
            occurrences.entry(key).or_default().push(index as u64);
        }
        let mut planned = Vec::new();
        for indices in occurrences.values() {
            let count = indices.len();
            let first = usize::try_from(first).unwrap_or(usize::MAX).min(count);
            let last = usize::try_from(last).unwrap_or(usize::MAX).min(count);
            planned.extend(&indices[..first]);
            planned.extend(&indices[count.max(first + last) - last..]);
        }
        planned.sort_unstable();
        planned.dedup();
        Ok((planned, occurrences.len() as u64))
    }

    /// Dry runs until the count settles. Returns it, and what one
    /// allocation cost in the fastest dry run (its time over its count).
    fn count_allocations(
        &self,
        run_once: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> Result<(u64, Duration), OomTestFailure> {
        let mut counts = Vec::new();
        let mut fastest = Duration::MAX;
        for dry_run in 0..MAX_DRY_RUNS {
            let mut run = Run::new(Mode::Counting, self.settings());
            let start = Instant::now();
            let outcome = run_once(&mut run);
            let elapsed = start.elapsed();
            let _ = report::take_captured();
            // The first run may fill caches that later runs reuse.
            let judged = self.check(None, run.after_oom, run.live_bytes, outcome, dry_run > 0);
            if let Err(kind) = judged {
                return Err(OomTestFailure::new(std::vec![FailedRun::new(
                    kind, None, None, None
                )]));
            }
            // The fastest run is the closest to what the closure costs.
            fastest = fastest.min(elapsed);
            if counts.last() == Some(&run.count) {
                let per_allocation = fastest / u32::try_from(run.count.max(1)).unwrap_or(u32::MAX);
                return Ok((run.count, per_allocation));
            }
            counts.push(run.count);
        }
        Err(unstable(counts))
    }

    /// The failure a run's record shows, if any.
    fn judge_record(&self, record: RunRecord, check_leaks: bool) -> Option<FailedRun> {
        let kind = match record.end {
            RunEnd::Died(kind) => kind,
            RunEnd::Judged {
                outcome,
                after_oom,
                live_bytes,
            } => self
                .check(record.injected, after_oom, live_bytes, outcome, check_leaks)
                .err()?,
        };
        Some(FailedRun::new(
            kind,
            record.injected,
            record.site,
            record.after_oom_site,
        ))
    }

    /// The contract, checked in order: no panic, no allocation after the
    /// failure, the right result, no leak.
    fn check(
        &self,
        injected: Option<Allocation>,
        after_oom: Option<Allocation>,
        live_bytes: isize,
        outcome: Outcome,
        check_leaks: bool,
    ) -> Result<(), FailureKind> {
        let returned = match outcome {
            Outcome::Panicked(message) => {
                return Err(FailureKind::Panicked {
                    message: message.as_str().into(),
                });
            }
            Outcome::Returned(returned) => returned,
        };
        if let Some(allocation) = after_oom
            && !self.allow_alloc_after_oom
        {
            return Err(FailureKind::AllocAfterOom { allocation });
        }
        match (injected.is_some(), returned) {
            (true, Returned::Oom) | (false, Returned::Ok) => {}
            _ if self.allow_missed_oom_errors => {}
            (true, Returned::Ok) => return Err(FailureKind::MissedOom),
            (true, Returned::Other(message)) => {
                return Err(FailureKind::NonOomError {
                    message: message.as_str().into(),
                });
            }
            (false, Returned::Oom) => {
                return Err(FailureKind::UnexpectedError {
                    message: "out of memory".into(),
                });
            }
            (false, Returned::Other(message)) => {
                return Err(FailureKind::UnexpectedError {
                    message: message.as_str().into(),
                });
            }
        }
        if check_leaks && !self.allow_leaks && live_bytes > 0 {
            return Err(FailureKind::Leak {
                bytes: live_bytes.unsigned_abs(),
            });
        }
        Ok(())
    }
}

fn unstable(counts: Vec<u64>) -> OomTestFailure {
    OomTestFailure::new(std::vec![FailedRun::new(
        FailureKind::UnstableCount { counts },
        None,
        None,
        None
    )])
}

/// Which allocations the injection runs fail.
#[derive(Clone, Copy)]
enum Plan {
    /// Each one, in order.
    Every,
    /// `iters` picked at random.
    Random { seed: u64, iters: u64 },
    /// The first and last occurrences of each site.
    Sites { first: u64, last: u64 },
}

/// A small, seedable generator (SplitMix64), enough to pick allocations.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
