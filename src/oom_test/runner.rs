//! [`OomTest`]: runs a closure once per allocation it makes, failing a
//! different one each time, and checks how the closure reacts.

use super::report::{self, FailureKind, OomTestFailure};
use super::state::{Active, Mode, Paused, Run, Settings, in_run};
use crate::{Error, OutOfMemory, Result};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::any::Any;
use std::backtrace::Backtrace;
use std::boxed::Box;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::string::{String, ToString};
use std::sync::Arc;
use std::task::Wake;
use std::thread::{self, Thread};
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
}

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
            capture_after_oom: false,
        }
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
        let allocations = self.count_allocations(run_once)?;
        let mut summary = OomTestSummary {
            allocations,
            runs: 0,
            injected: 0,
            sites: 0,
        };
        let mut sites = HashSet::new();
        if allocations == 0 {
            return Ok(summary);
        }
        let (mut random, planned) = match plan {
            Plan::Every => (None, allocations),
            Plan::Random { seed, iters } => (Some(SplitMix64(seed)), iters),
        };
        let planned = self.max_iters.map_or(planned, |max| planned.min(max));
        let start = Instant::now();
        for i in 0..planned {
            if self.max_duration.is_some_and(|max| start.elapsed() >= max) {
                break;
            }
            let target = match &mut random {
                None => i,
                Some(random) => random.next() % allocations,
            };
            let mut run = Run::new(Mode::Injecting { target }, self.settings());
            let outcome = run_once(&mut run);
            let captured = report::take_captured();
            summary.runs += 1;
            if run.injected.is_some() {
                summary.injected += 1;
            }
            if let Some(site) = captured.site {
                sites.insert(site);
                summary.sites = sites.len() as u64;
            }
            if let Err(kind) = self.check(&run, outcome, true) {
                let after_oom = match kind {
                    FailureKind::AllocAfterOom { .. } => {
                        self.replay_for_after_oom(target, run_once)
                    }
                    _ => None,
                };
                return Err(OomTestFailure::new(kind, run.injected, captured.backtrace)
                    .with_after_oom(after_oom));
            }
        }
        Ok(summary)
    }

    /// Runs the failing run again, capturing where the first allocation
    /// after the failure is made. Only a run that returned is replayed, so
    /// that allocation is the closure's, never the one std's handler for a
    /// failed infallible allocation makes while it holds the backtrace lock.
    fn replay_for_after_oom(
        &self,
        target: u64,
        run_once: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> Option<Backtrace> {
        let settings = Settings {
            capture_after_oom: true,
            ..self.settings()
        };
        let mut run = Run::new(Mode::Injecting { target }, settings);
        let _ = run_once(&mut run);
        report::take_captured().after_oom
    }

    /// Dry runs until the count settles.
    fn count_allocations(
        &self,
        run_once: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> Result<u64, OomTestFailure> {
        let mut counts = Vec::new();
        for dry_run in 0..MAX_DRY_RUNS {
            let mut run = Run::new(Mode::Counting, self.settings());
            let outcome = run_once(&mut run);
            // The first run may fill caches that later runs reuse.
            self.check(&run, outcome, dry_run > 0)
                .map_err(|kind| OomTestFailure::new(kind, None, None))?;
            if counts.last() == Some(&run.count) {
                return Ok(run.count);
            }
            counts.push(run.count);
        }
        Err(OomTestFailure::new(
            FailureKind::UnstableCount { counts },
            None,
            None,
        ))
    }

    /// The contract, checked in order: no panic, no allocation after the
    /// failure, the right result, no leak.
    fn check(&self, run: &Run, outcome: Outcome, check_leaks: bool) -> Result<(), FailureKind> {
        let returned = match outcome {
            Outcome::Panicked(message) => return Err(FailureKind::Panicked { message }),
            Outcome::Returned(returned) => returned,
        };
        if let Some(allocation) = run.after_oom
            && !self.allow_alloc_after_oom
        {
            return Err(FailureKind::AllocAfterOom { allocation });
        }
        match (run.injected.is_some(), returned) {
            (true, Returned::Oom) | (false, Returned::Ok) => {}
            _ if self.allow_missed_oom_errors => {}
            (true, Returned::Ok) => return Err(FailureKind::MissedOom),
            (true, Returned::Other(message)) => return Err(FailureKind::NonOomError { message }),
            (false, Returned::Oom) => {
                return Err(FailureKind::UnexpectedError {
                    message: "out of memory".into(),
                });
            }
            (false, Returned::Other(message)) => {
                return Err(FailureKind::UnexpectedError { message });
            }
        }
        if check_leaks && !self.allow_leaks && run.live_bytes > 0 {
            return Err(FailureKind::Leak {
                bytes: run.live_bytes.unsigned_abs(),
            });
        }
        Ok(())
    }
}

/// Which allocations the injection runs fail.
#[derive(Clone, Copy)]
enum Plan {
    /// Each one, in order.
    Every,
    /// `iters` picked at random.
    Random { seed: u64, iters: u64 },
}

/// How one run ended.
enum Outcome {
    Returned(Returned),
    Panicked(String),
}

/// What the closure returned, judged while the run was still loaded.
enum Returned {
    Ok,
    Oom,
    Other(String),
}

/// Judges the closure's result and drops it inside the run, so that the
/// error's memory is freed where it was allocated as far as the leak count
/// goes.
fn judge(result: Result<()>) -> Returned {
    match result {
        Ok(()) => Returned::Ok,
        Err(error) if error.is::<OutOfMemory>() => Returned::Oom,
        Err(error) => Returned::Other(describe(&error)),
    }
}

/// `{:#}` of an error, made with the harness paused.
fn describe(error: &Error) -> String {
    let _paused = Paused::new();
    std::format!("{error:#}")
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let _paused = Paused::new();
    let message = match payload.downcast_ref::<&'static str>() {
        Some(text) => text.to_string(),
        None => match payload.downcast_ref::<String>() {
            Some(text) => text.clone(),
            None => "(a panic payload that is not a string)".into(),
        },
    };
    drop(payload);
    message
}

fn run_sync(body: &mut dyn FnMut() -> Result<()>, run: &mut Run) -> Outcome {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let _active = Active::enter(run);
        judge(body())
    }));
    match result {
        Ok(returned) => Outcome::Returned(returned),
        Err(payload) => Outcome::Panicked(panic_message(payload)),
    }
}

fn run_async<F, Fut>(body: &mut F, waker: &Waker, run: &mut Run) -> Outcome
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let mut context = Context::from_waker(waker);
    let result = catch_unwind(AssertUnwindSafe(|| {
        let future = {
            let _active = Active::enter(run);
            body()
        };
        // In an `Option` so that it can be dropped in place, inside a run,
        // once it is finished.
        let mut slot = pin!(Some(future));
        loop {
            let active = Active::enter(run);
            let future = slot
                .as_mut()
                .as_pin_mut()
                .expect("polled until ready, then dropped");
            if let Poll::Ready(result) = future.poll(&mut context) {
                let returned = judge(result);
                // What the finished future still holds is freed in the run.
                slot.set(None);
                drop(active);
                break returned;
            }
            drop(active);
            thread::park();
        }
    }));
    match result {
        Ok(returned) => Outcome::Returned(returned),
        Err(payload) => Outcome::Panicked(panic_message(payload)),
    }
}

/// Wakes the thread polling the test's future.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
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
