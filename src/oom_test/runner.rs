//! [`OomTest`]: the options of a test, and the calls that run it.

use super::driver::{self, Options};
use super::failure::OomTestFailure;
use super::plan::Plan;
use super::run::{AsyncClosure, Closure, poll_to_end};
use super::summary::OomTestSummary;
use crate::{Error, Result};
use core::time::Duration;

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
/// - it does not panic, and (in isolated mode) does not abort, die or hang.
///
/// The options are set on `&mut self` and return `&mut Self`, as
/// Wasmtime's `OomTest` does, so that a test is one expression:
/// `OomTest::new().max_iters(100).test(|| ...)`.
///
/// Two ways to run it. [`test`](OomTest::test), [`test_async`](OomTest::test_async),
/// [`fuzz`](OomTest::fuzz) and [`fuzz_async`](OomTest::fuzz_async) return
/// this crate's `Result<()>`, as Wasmtime's do, ready to be the tail of a
/// `#[test] fn t() -> Result<()>`; a broken contract is an error holding
/// the [`OomTestFailure`] (`error.downcast_ref::<OomTestFailure>()`),
/// except an allocation after the failure, for which they panic, as
/// Wasmtime's harness does (see
/// [`allow_alloc_after_oom`](OomTest::allow_alloc_after_oom)).
/// [`check`](OomTest::check) and [`check_async`](OomTest::check_async)
/// return the [`OomTestSummary`] or the [`OomTestFailure`] themselves.
///
/// The closure must run on the calling thread: allocations on other
/// threads are neither counted nor failed.
/// [`OomTestAllocator`](super::OomTestAllocator) must be the global
/// allocator (possibly inside another global allocator that hands requests
/// on to it), or the allocator of the collections under test; a test that
/// sees no allocation at all makes sure of it, and fails with
/// [`FailureKind::AllocatorNotInstalled`](super::FailureKind::AllocatorNotInstalled)
/// when it is not.
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::{Context, Result, format_err, oom_test::OomTest};
///
/// fn error_with_context() -> Result<()> {
///     OomTest::new().test(|| {
///         let level = 7;
///         let error = format_err!("level {level} is too high").context("loading");
///         // A failed allocation inside `format_err!` or `context` gives an
///         // out-of-memory error: hand it back to the harness.
///         if error.is::<wasmtime_error::OutOfMemory>() {
///             return Err(error);
///         }
///         Ok(())
///     })
/// }
/// # error_with_context().unwrap();
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "an OomTest does nothing until `test`, `check` or `fuzz` runs it"]
pub struct OomTest {
    options: Options,
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

    /// Runs at most `max_iters` injection runs (dry runs not included): the
    /// first `max_iters` allocations, or as many picked at random by
    /// [`fuzz`](OomTest::fuzz), which needs it.
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
    ///     .check(|| {
    ///         for size in 1..=5 {
    ///             Vec::<u8>::new().try_reserve(size)?;
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!((summary.allocations, summary.runs), (5, 2));
    /// ```
    pub fn max_iters(&mut self, max_iters: u32) -> &mut Self {
        self.options.max_iters = Some(max_iters);
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
    ///     .check(|| Ok(Vec::<u8>::new().try_reserve(1)?))
    ///     .unwrap();
    /// assert_eq!((summary.allocations, summary.runs), (1, 0));
    /// ```
    pub fn max_duration(&mut self, max_duration: Duration) -> &mut Self {
        self.options.max_duration = Some(max_duration);
        self
    }

    /// Whether the closure may allocate again after an allocation failed
    /// (say, to retry with less); off by default. Those allocations fail
    /// too unless [`alloc_succeeds_after_oom`](OomTest::alloc_succeeds_after_oom).
    ///
    /// Not allowed, such an allocation is a failure of its own,
    /// [`FailureKind::AllocAfterOom`](super::FailureKind::AllocAfterOom),
    /// reported with where it was made; the allocation fails (or succeeds,
    /// with `alloc_succeeds_after_oom`) and the run goes on. Wasmtime's
    /// harness panics inside the allocator instead (`GlobalAlloc` does not
    /// allow unwinding out of it); Wasmtime's calls here
    /// ([`test`](OomTest::test) and the others returning `Result<()>`)
    /// panic too, as Wasmtime's suite expects, but in the caller's thread
    /// once the sweep is over, with the whole report;
    /// [`check`](OomTest::check) returns it.
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
    ///             buffer.try_reserve(1)?; // a smaller second attempt
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn allow_alloc_after_oom(&mut self, allow: bool) -> &mut Self {
        self.options.rules.allow_alloc_after_oom = allow;
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
    pub fn alloc_succeeds_after_oom(&mut self, succeeds: bool) -> &mut Self {
        self.options.alloc_succeeds_after_oom = succeeds;
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
    pub fn allow_missed_oom_errors(&mut self, allow: bool) -> &mut Self {
        self.options.rules.allow_missed_oom_errors = allow;
        self
    }

    /// The seed of the generator that picks the allocations
    /// [`fuzz`](OomTest::fuzz) fails (0 by default): the same seed picks
    /// the same allocations.
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
    ///     .seed(42)
    ///     .max_iters(10)
    ///     .fuzz(|| {
    ///         for size in 1..=100 {
    ///             Vec::<u8>::new().try_reserve(size)?;
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn seed(&mut self, seed: u64) -> &mut Self {
        self.options.seed = seed;
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
    ///         kept.try_reserve(8)?;
    ///         std::mem::forget(kept);
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn allow_leaks(&mut self, allow: bool) -> &mut Self {
        self.options.rules.allow_leaks = allow;
        self
    }

    /// Writes the report of every failed allocation (index, layout,
    /// backtrace) to stderr at the moment it fails, instead of only when
    /// the process aborts. Off by default, except where the harness cannot
    /// catch the abort (targets other than unix, and Miri), where it is
    /// always on.
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
    ///     .test(|| Ok(Vec::<u8>::new().try_reserve(1)?))
    ///     .unwrap();
    /// ```
    pub fn print_each_injection(&mut self, print: bool) -> &mut Self {
        self.options.print_each_injection = print;
        self
    }

    /// Whether each failure runs in a child process (on unix, and not
    /// under Miri: the default there) or in this one (`false`: the default
    /// elsewhere, where this setting has no effect).
    ///
    /// In a child, a run that aborts (an infallible allocation that
    /// fails), panics while panicking, is killed by a signal or hangs ends
    /// only that child: the sweep goes on, and the test returns a failure
    /// for each such site ([`FailureKind::Aborted`](super::FailureKind::Aborted)
    /// and the other kinds marked "isolated mode"). Once a run has died,
    /// later planned failures of allocations made at the very same place
    /// are not run ([`OomTestSummary::skipped`] counts them), so broken
    /// code costs about what correct code does. Early allocations are
    /// failed by children that re-run the closure; later ones by children
    /// forked from a run of the closure at the very allocation they fail,
    /// which then finish that run, so no run repeats the allocations before
    /// its failure. These children run side by side, up to the available
    /// cores.
    ///
    /// What a child may not rely on: the other threads of the test
    /// process do not exist in it (a lock one of them held at the fork
    /// stays held, and waiting for one hangs until
    /// [`child_timeout`](OomTest::child_timeout)); an async closure's
    /// future is polled there by the child alone, with a waker that does
    /// nothing, so a future that waits for the executor's timers or I/O
    /// hangs; what it prints to file descriptors 1 and 2 reaches the
    /// failure's text, not the terminal (the last 4 KiB of it), and what
    /// libtest's capture buffers (a `println!` under `cargo test`) is lost
    /// with the child; memory it allocates or frees, and state it changes,
    /// are its own, so a closure that counts its runs in a variable outside
    /// itself sees the parent's runs only.
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
    ///     let outcome = OomTest::new().isolated(true).check(|| {
    ///         let mut values = Vec::new();
    ///         values.try_reserve(1)?; // handled
    ///         #[allow(clippy::disallowed_methods, reason = "within the capacity just reserved")]
    ///         values.push(1u8);
    ///         let _copy = values.clone(); // aborts when it fails: the defect shown
    ///         Ok(())
    ///     });
    ///     let failure = outcome.unwrap_err();
    ///     assert!(matches!(failure.kind(), FailureKind::Aborted { output } if output.contains("memory allocation")));
    ///     assert_eq!(failure.injected().unwrap().index, 1);
    /// }
    /// ```
    pub fn isolated(&mut self, isolated: bool) -> &mut Self {
        self.options.in_process = !isolated;
        self
    }

    /// How long a run in a child may go without a sign of life before it
    /// is killed: 10 seconds unless set. A child re-running the closure
    /// speaks at each failure it injects and each run it ends. A run that
    /// hangs gets a second child; if that one hangs too, the run is
    /// reported as [`FailureKind::Hung`](super::FailureKind::Hung).
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
    ///     let outcome = OomTest::new().child_timeout(Duration::from_millis(200)).check(|| {
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
    pub fn child_timeout(&mut self, limit: Duration) -> &mut Self {
        self.options.child_timeout = Some(limit);
        self
    }

    /// Whether the test ends at the first run that breaks the contract,
    /// and reports that run alone (off by default: every site that breaks
    /// it is reported). With children working side by side, the first
    /// failure found is not always the one of the earliest allocation;
    /// runs that were under way then are counted, not reported.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// #[inline(never)]
    /// fn ignores_one() {
    ///     let _ = Vec::<u8>::new().try_reserve(1);
    /// }
    ///
    /// #[inline(never)]
    /// fn ignores_another() {
    ///     let _ = Vec::<u8>::new().try_reserve(2);
    /// }
    ///
    /// let failure = OomTest::new()
    ///     .allow_alloc_after_oom(true)
    ///     .stop_at_first_failure(true)
    ///     .check(|| {
    ///         ignores_one();
    ///         ignores_another();
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// assert_eq!(failure.failed_runs().len(), 1);
    /// ```
    pub fn stop_at_first_failure(&mut self, stop: bool) -> &mut Self {
        self.options.stop_at_first_failure = stop;
        self
    }

    /// Site mode, for closures too large to fail every allocation of:
    /// fails, of each distinct allocation site, its first `first` and its
    /// last `last` occurrences, instead of every allocation. A site is the
    /// first frame of the allocation's stack in the code under test (its
    /// function and line, as [`OomTestSummary::sites`] counts them), found
    /// in one more dry run that takes the stack of every allocation; a
    /// loop that allocates at each turn is one site with many occurrences.
    /// Finding sites resolves symbols. The summary counts the sites in
    /// `sites()` and the failures in `runs`. The last of `each_site` and
    /// [`fuzzing`](OomTest::fuzzing) called decides.
    ///
    /// Under Miri, which walks no stacks, all allocations are one site.
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
    ///     .each_site(1, 1)
    ///     .check(|| {
    ///         for size in 1..=100 {
    ///             let mut buffer = Vec::<u8>::new();
    ///             buffer.try_reserve(size)?;
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// // One site, failed at its first and its last occurrence.
    /// assert_eq!((summary.allocations, summary.sites(), summary.runs), (100, 1, 2));
    /// ```
    pub fn each_site(&mut self, first: u64, last: u64) -> &mut Self {
        self.options.plan = Plan::Sites { first, last };
        self
    }

    /// Whether [`check`](OomTest::check) and [`test`](OomTest::test) fail
    /// allocations picked at random, as [`fuzz`](OomTest::fuzz) does:
    /// [`max_iters`](OomTest::max_iters) of them (which must be set), from
    /// a generator seeded with [`seed`](OomTest::seed). For code too large
    /// to fail every allocation of. The last of `fuzzing` and
    /// [`each_site`](OomTest::each_site) called decides.
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
    ///     .fuzzing(true)
    ///     .max_iters(10)
    ///     .check(|| {
    ///         for size in 1..=100 {
    ///             Vec::<u8>::new().try_reserve(size)?;
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!((summary.allocations, summary.runs, summary.injected), (100, 10, 10));
    /// ```
    pub fn fuzzing(&mut self, fuzzing: bool) -> &mut Self {
        self.options.plan = if fuzzing { Plan::Random } else { Plan::Every };
        self
    }

    /// Fails each allocation of `body` in turn and checks the contract (see
    /// [`OomTest`]); returns the summary, or every run that broke the
    /// contract.
    ///
    /// # Errors
    ///
    /// The runs that broke the contract, as an [`OomTestFailure`].
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
    ///     .check(|| {
    ///         let error = Error::msg("no such table");
    ///         if error.is::<OutOfMemory>() {
    ///             return Err(error);
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!(summary.allocations, 1);
    /// ```
    pub fn check(
        &self,
        body: impl FnMut() -> Result<()>,
    ) -> Result<OomTestSummary, OomTestFailure> {
        poll_to_end(driver::drive(
            &self.options,
            self.options.plan,
            &mut Closure(body),
        ))
    }

    /// Like [`check`](OomTest::check), for async code: each run awaits the
    /// future `body` returns, polled by whoever polls this one (any
    /// executor), with the allocation count carried over its `.await`
    /// points. Allocations made between polls, by the executor or other
    /// tasks, are not counted.
    ///
    /// # Errors
    ///
    /// The runs that broke the contract, as an [`OomTestFailure`].
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use wasmtime_error::{Result, oom_test::OomTest};
    ///
    /// async fn reserve(size: usize) -> Result<Vec<u8>> {
    ///     let mut buffer = Vec::new();
    ///     buffer.try_reserve(size)?;
    ///     Ok(buffer)
    /// }
    ///
    /// let test = OomTest::new();
    /// let mut checked = pin!(test.check_async(async || {
    ///     let _a = reserve(1).await?;
    ///     let _b = reserve(2).await?;
    ///     Ok(())
    /// }));
    /// // Any executor polls it; this future is ready at the first poll.
    /// let Poll::Ready(summary) = checked.as_mut().poll(&mut Context::from_waker(Waker::noop())) else {
    ///     unreachable!("nothing in it waits");
    /// };
    /// assert_eq!(summary.unwrap().allocations, 2);
    /// ```
    pub async fn check_async(
        &self,
        body: impl AsyncFnMut() -> Result<()>,
    ) -> Result<OomTestSummary, OomTestFailure> {
        driver::drive(&self.options, self.options.plan, &mut AsyncClosure(body)).await
    }

    /// Wasmtime's call: [`check`](OomTest::check), with a broken contract
    /// turned into an [`Error`] that holds the [`OomTestFailure`].
    ///
    /// # Errors
    ///
    /// The [`OomTestFailure`], as an [`Error`].
    ///
    /// # Panics
    ///
    /// When the closure allocated after an allocation failed (and
    /// [`allow_alloc_after_oom`](OomTest::allow_alloc_after_oom) is off),
    /// with the failure's report, once every run is done: Wasmtime's
    /// harness panics there, and its suite counts on it.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::{Result, oom_test::{FailureKind, OomTest, OomTestFailure}};
    ///
    /// fn sound() -> Result<()> {
    ///     OomTest::new().test(|| {
    ///         let mut buffer = Vec::<u8>::new();
    ///         buffer.try_reserve(16)?;
    ///         Ok(())
    ///     })
    /// }
    /// sound().unwrap();
    ///
    /// let error = OomTest::new()
    ///     .test(|| {
    ///         let _ = Vec::<u8>::new().try_reserve(16); // ignored
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// let failure = error.downcast_ref::<OomTestFailure>().unwrap();
    /// assert!(matches!(failure.kind(), FailureKind::MissedOom));
    /// ```
    pub fn test(&self, body: impl FnMut() -> Result<()>) -> Result<()> {
        wasmtime_result(self.check(body))
    }

    /// Wasmtime's call: [`check_async`](OomTest::check_async), with a
    /// broken contract turned into an [`Error`] that holds the
    /// [`OomTestFailure`]. Awaited inside `#[tokio::test] async fn`, or
    /// polled by any other executor.
    ///
    /// # Errors
    ///
    /// The [`OomTestFailure`], as an [`Error`].
    ///
    /// # Panics
    ///
    /// As [`test`](OomTest::test) does.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use wasmtime_error::{Result, oom_test::OomTest};
    ///
    /// async fn sound() -> Result<()> {
    ///     OomTest::new()
    ///         .test_async(|| async {
    ///             let mut buffer = Vec::<u8>::new();
    ///             buffer.try_reserve(16)?;
    ///             Ok(())
    ///         })
    ///         .await
    /// }
    /// let mut test = pin!(sound());
    /// let polled = test.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    /// assert!(matches!(polled, Poll::Ready(Ok(()))));
    /// ```
    pub async fn test_async(&self, body: impl AsyncFnMut() -> Result<()>) -> Result<()> {
        wasmtime_result(self.check_async(body).await)
    }

    /// Wasmtime's call: [`test`](OomTest::test), failing
    /// [`max_iters`](OomTest::max_iters) allocations (which must be set)
    /// picked at random from [`seed`](OomTest::seed) (see
    /// [`fuzzing`](OomTest::fuzzing)).
    ///
    /// # Errors
    ///
    /// The [`OomTestFailure`], as an [`Error`];
    /// [`FailureKind::MaxItersNeeded`](super::FailureKind::MaxItersNeeded)
    /// without `max_iters`.
    ///
    /// # Panics
    ///
    /// As [`test`](OomTest::test) does.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let body = || {
    ///     for size in 1..=100 {
    ///         Vec::<u8>::new().try_reserve(size)?;
    ///     }
    ///     Ok(())
    /// };
    /// OomTest::new().max_iters(10).fuzz(body).unwrap();
    /// assert!(OomTest::new().fuzz(body).is_err(), "max_iters is needed");
    /// ```
    pub fn fuzz(&self, body: impl FnMut() -> Result<()>) -> Result<()> {
        wasmtime_result(poll_to_end(driver::drive(
            &self.options,
            Plan::Random,
            &mut Closure(body),
        )))
    }

    /// Wasmtime's call: [`fuzz`](OomTest::fuzz) for async code (see
    /// [`test_async`](OomTest::test_async)).
    ///
    /// # Errors
    ///
    /// The [`OomTestFailure`], as an [`Error`];
    /// [`FailureKind::MaxItersNeeded`](super::FailureKind::MaxItersNeeded)
    /// without `max_iters`.
    ///
    /// # Panics
    ///
    /// As [`test`](OomTest::test) does.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let mut test = OomTest::new();
    /// test.max_iters(5);
    /// let mut fuzzed = pin!(test.fuzz_async(async || {
    ///     for size in 1..=20 {
    ///         Vec::<u8>::new().try_reserve(size)?;
    ///     }
    ///     Ok(())
    /// }));
    /// let polled = fuzzed.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    /// assert!(matches!(polled, Poll::Ready(Ok(()))));
    /// ```
    pub async fn fuzz_async(&self, body: impl AsyncFnMut() -> Result<()>) -> Result<()> {
        wasmtime_result(driver::drive(&self.options, Plan::Random, &mut AsyncClosure(body)).await)
    }
}

/// What Wasmtime's calls return: `Ok(())`, the failure as an [`Error`], or
/// a panic for an allocation after the failure, where Wasmtime's harness
/// panics.
fn wasmtime_result(result: Result<OomTestSummary, OomTestFailure>) -> Result<()> {
    match result {
        Ok(_) => Ok(()),
        Err(failure) if failure.allocated_after_oom() => panic!("{failure}"),
        Err(failure) => Err(Error::new(failure)),
    }
}
