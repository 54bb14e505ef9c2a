//! What the harness tells the user: the report written when an allocation
//! is failed (for the case where the process then aborts), and
//! [`OomTestFailure`], the error a broken contract produces.

use super::site::{AllocationSite, Frames, SiteKey, fold};
use super::state::{self, Allocation, Paused};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::string::String;
use std::time::Duration;
use std::vec::Vec;

/// What the current run captured: where the injected failure and the
/// first allocation after it were made, the text of the abort report, and
/// (in a dry run of site mode) the site of every allocation. Only touched
/// while the harness is paused (allocations pass through) or between runs.
struct Capture {
    injected: Option<Frames>,
    after_oom: Option<Frames>,
    report: String,
    sites: Vec<Option<SiteKey>>,
}

std::thread_local! {
    /// The folded text of each stack reported so far: a loop fails the same
    /// stack at every turn, and folding it anew would cost more than a run.
    static FOLDED: RefCell<HashMap<Vec<usize>, String>> = RefCell::new(HashMap::new());
    static CAPTURE: RefCell<Capture> = const {
        RefCell::new(Capture { injected: None, after_oom: None, report: String::new(), sites: Vec::new() })
    };
}

/// What the last run captured. Call between runs.
pub(crate) struct Captured {
    /// Where the injected failure was made.
    pub(crate) injected: Option<Frames>,
    /// Where the first allocation after the failure was made.
    pub(crate) after_oom: Option<Frames>,
}

pub(crate) fn take_captured() -> Captured {
    CAPTURE.with_borrow_mut(|capture| Captured {
        injected: capture.injected.take(),
        after_oom: capture.after_oom.take(),
    })
}

/// The sites a dry run recorded, one per allocation, in order.
pub(crate) fn take_recorded_sites() -> Vec<Option<SiteKey>> {
    CAPTURE.with_borrow_mut(|capture| core::mem::take(&mut capture.sites))
}

/// Called by the allocator when it fails the planned allocation: captures
/// where it came from (no symbols) and, in the test's own process,
/// prepares (or writes) the abort report, all with the harness paused.
pub(crate) fn injected_failure(allocation: Allocation) {
    let _paused = Paused::new();
    let frames = Frames::capture();
    let settings = state::settings();
    CAPTURE.with_borrow_mut(|capture| capture.injected = Some(frames));
    if settings.in_child {
        // A child of an isolated sweep: the parent reports a death.
        #[cfg(all(unix, not(miri)))]
        super::isolated::injected_in_sweeper(allocation, &frames);
        return;
    }
    let text = report_text(allocation, &frames);
    CAPTURE.with_borrow_mut(|capture| {
        capture.report = text;
        state::set_pending_report((capture.report.as_ptr(), capture.report.len()));
        if settings.print_each_injection || !abort_hook::install() {
            // Unbuffered and lock-only: nothing here allocates.
            let _ = std::io::stderr().write_all(capture.report.as_bytes());
        }
    });
}

/// The report of an injected failure, for stderr: which allocation, and
/// the folded stack of the code that asked for it.
pub(crate) fn report_text(allocation: Allocation, frames: &Frames) -> String {
    let _paused = Paused::new();
    let mut out = String::new();
    let folded = FOLDED.with_borrow_mut(|cache| {
        cache
            .entry(frames.ips().to_vec())
            .or_insert_with(|| fold(&frames.render()).text)
            .clone()
    });
    let _ = writeln!(out, "\noom_test: injected a failure into {allocation}");
    let _ = writeln!(
        out,
        "oom_test: if the process aborts now, this allocation site cannot handle \
         failure (an infallible call such as `Vec::push`, `Box::new` or `format!`):"
    );
    let _ = writeln!(out, "{folded}");
    out
}

/// Called by the allocator for the first allocation after the injected
/// failure: captures where it was made.
pub(crate) fn allocation_after_oom() {
    let frames = Frames::capture();
    CAPTURE.with_borrow_mut(|capture| capture.after_oom = Some(frames));
}

/// Called by the allocator for every allocation of a dry run in site mode.
pub(crate) fn record_site(allocation: Allocation) {
    let _paused = Paused::new();
    let key = Frames::capture().site_key();
    CAPTURE.with_borrow_mut(|capture| {
        debug_assert_eq!(capture.sites.len() as u64, allocation.index);
        capture.sites.push(key);
    });
}

/// Prints the pending report when the process aborts, which is what Rust
/// does when an infallible allocation fails: the last lines before the
/// abort then name the allocation site.
#[cfg(all(
    not(miri),
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd"
    )
))]
mod abort_hook {
    use super::state;
    use core::ffi::{c_int, c_void};
    use std::sync::Once;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const SIGABRT: c_int = 6;
    const SIG_DFL: usize = 0;
    const SIG_IGN: usize = 1;
    const SIG_ERR: usize = usize::MAX;

    unsafe extern "C" {
        fn signal(signum: c_int, handler: usize) -> usize;
        fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    }

    static PREVIOUS: AtomicUsize = AtomicUsize::new(SIG_DFL);
    static INSTALL: Once = Once::new();
    static INSTALLED: AtomicUsize = AtomicUsize::new(0);

    /// Installs the handler once per process; whether it is in place.
    pub(super) fn install() -> bool {
        INSTALL.call_once(|| {
            let handler: extern "C" fn(c_int) = on_abort;
            // SAFETY: `signal` is the C library's, which every Rust program
            // on these targets links; the handler only calls
            // async-signal-safe functions (`write`, and the previous
            // handler, which was itself installed as a signal handler).
            let previous = unsafe { signal(SIGABRT, handler as usize) };
            if previous != SIG_ERR {
                PREVIOUS.store(previous, Ordering::Relaxed);
                INSTALLED.store(1, Ordering::Relaxed);
            }
        });
        INSTALLED.load(Ordering::Relaxed) == 1
    }

    extern "C" fn on_abort(signum: c_int) {
        let (text, len) = state::pending_report();
        if !text.is_null() {
            // SAFETY: the pending report points at `len` bytes owned by this
            // thread's report buffer, which is only changed by the thread
            // itself (not running now: it is in this handler).
            unsafe { write(2, text.cast(), len) };
        }
        let previous = PREVIOUS.load(Ordering::Relaxed);
        if previous != SIG_DFL && previous != SIG_IGN {
            // SAFETY: `previous` is the handler that was installed for
            // SIGABRT before ours, a function taking the signal number.
            let previous: extern "C" fn(c_int) = unsafe { core::mem::transmute(previous) };
            previous(signum);
        }
        // Returning from a SIGABRT handler makes `abort` restore the
        // default action and raise the signal again.
    }
}

/// Elsewhere the report is written at the moment of injection.
#[cfg(not(all(
    not(miri),
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd"
    )
)))]
mod abort_hook {
    pub(super) fn install() -> bool {
        false
    }
}

/// Which rule of the contract a run broke.
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::oom_test::{FailureKind, OomTest};
///
/// let failure = OomTest::new()
///     .test(|| {
///         // Ignores a failed allocation: the harness calls that a missed OOM.
///         let _ = String::new().try_reserve(10);
///         Ok(())
///     })
///     .unwrap_err();
/// assert!(matches!(failure.kind(), FailureKind::MissedOom));
/// assert_eq!(failure.injected().unwrap().index, 0);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum FailureKind {
    /// An allocation failed and the closure still returned `Ok(())`.
    MissedOom,
    /// An allocation failed and the closure returned an error that is not an
    /// out-of-memory error.
    NonOomError {
        /// The error, printed with `{:#}`.
        message: String,
    },
    /// The closure returned an error although no allocation had failed.
    UnexpectedError {
        /// The error, printed with `{:#}`.
        message: String,
    },
    /// The closure allocated again after an allocation had failed, and the
    /// test does not [allow it](super::OomTest::allow_alloc_after_oom).
    ///
    /// That allocation is usually an error or a context made with an
    /// infallible allocation after the failure (`format!`, or a `?` that
    /// boxes the failure instead of turning it into an `OutOfMemory`). Where
    /// it was made: [`OomTestFailure::after_oom_site`].
    AllocAfterOom {
        /// The first allocation made after the failure.
        allocation: Allocation,
    },
    /// The closure allocated bytes and did not free them in the same run
    /// (see [`allow_leaks`](super::OomTest::allow_leaks)).
    Leak {
        /// Bytes allocated minus bytes freed.
        bytes: usize,
    },
    /// The closure panicked.
    Panicked {
        /// The panic message, when it was a string.
        message: String,
    },
    /// The dry runs kept counting different numbers of allocations.
    UnstableCount {
        /// The count of each dry run.
        counts: Vec<u64>,
    },
    /// Isolated mode: the child process that ran the failure aborted,
    /// which is what Rust does when an infallible allocation (`Vec::push`,
    /// `Box::new`, `format!`) fails. The failure's [site](OomTestFailure::site)
    /// names the call to make fallible.
    Aborted {
        /// What the child wrote to its stdout and stderr (the last 4 KiB),
        /// such as `memory allocation of 16 bytes failed`.
        output: String,
    },
    /// Isolated mode: the child panicked while it was unwinding from a
    /// panic (a `Drop` that panics), and the runtime aborted it.
    DoublePanic {
        /// What the child wrote to its stdout and stderr (the last 4 KiB).
        output: String,
    },
    /// Isolated mode: the child was killed by a signal other than `SIGABRT`
    /// (a segmentation fault, or a signal the closure sent).
    Killed {
        /// The signal's number.
        signal: i32,
        /// What the child wrote to its stdout and stderr (the last 4 KiB).
        output: String,
    },
    /// Isolated mode: the child exited on its own (the closure called
    /// `std::process::exit`) before the harness could judge the run.
    Exited {
        /// Its exit code.
        code: i32,
        /// What the child wrote to its stdout and stderr (the last 4 KiB).
        output: String,
    },
    /// Isolated mode: the run did not finish within the
    /// [limit](super::OomTest::child_timeout), twice: its child was killed,
    /// and so was a second child that ran it again. (A child can find a lock
    /// held forever that another thread of the test process held when it was
    /// forked, such as std's backtrace lock; that is not reported unless it
    /// happens again. A wait for a thread that does not exist in the child
    /// always hangs.)
    Hung {
        /// The limit.
        limit: Duration,
    },
}

/// One run that broke the contract: what happened, which allocation it
/// failed, and where that allocation (and the first one after it) was made.
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::oom_test::{FailureKind, OomTest};
///
/// #[inline(never)]
/// fn forgets_one() {
///     let _ = Vec::<u8>::new().try_reserve(1); // ignored
/// }
///
/// #[inline(never)]
/// fn forgets_two() {
///     let _ = Vec::<u8>::new().try_reserve(2); // ignored too
/// }
///
/// let failure = OomTest::new()
///     .allow_alloc_after_oom(true)
///     .test(|| {
///         forgets_one();
///         forgets_two();
///         Ok(())
///     })
///     .unwrap_err();
/// // One report per site: the two calls are in different functions.
/// let runs = failure.failed_runs();
/// assert!(runs.iter().all(|run| matches!(run.kind(), FailureKind::MissedOom)));
/// assert_eq!(runs.len(), if cfg!(miri) { 1 } else { 2 }); // Miri tells no sites apart
/// assert_eq!(runs[0].injected().unwrap().index, 0);
/// ```
#[derive(Debug)]
pub struct FailedRun {
    kind: FailureKind,
    injected: Option<Allocation>,
    site: Option<AllocationSite>,
    after_oom: Option<AllocationSite>,
}

impl FailedRun {
    pub(crate) fn new(
        kind: FailureKind,
        injected: Option<Allocation>,
        site: Option<Frames>,
        after_oom: Option<Frames>,
    ) -> FailedRun {
        FailedRun {
            kind,
            injected,
            site: site.map(AllocationSite::new),
            after_oom: after_oom.map(AllocationSite::new),
        }
    }

    /// Which rule was broken.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::{FailureKind, OomTest};
    ///
    /// let failure = OomTest::new().test(|| wasmtime_error::bail!("always")).unwrap_err();
    /// assert!(matches!(failure.failed_runs()[0].kind(), FailureKind::UnexpectedError { .. }));
    /// ```
    pub fn kind(&self) -> &FailureKind {
        &self.kind
    }

    /// The allocation that was made to fail; `None` when the run failed
    /// none (a dry run, or the closure allocated less that time).
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let failure = OomTest::new()
    ///     .test(|| {
    ///         let mut first = Vec::<u8>::new();
    ///         first.try_reserve(1).map_err(|_| wasmtime_error::OutOfMemory::new(1))?; // handled
    ///         let _ = Vec::<u16>::new().try_reserve_exact(3); // ignored
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// let injected = failure.failed_runs()[0].injected().unwrap();
    /// assert_eq!((injected.index, injected.layout.size()), (1, 6));
    /// ```
    pub fn injected(&self) -> Option<Allocation> {
        self.injected
    }

    /// Where the failed allocation was made, when one was (under Miri the
    /// site has no frames).
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let failure = OomTest::new()
    ///     .test(|| {
    ///         let _ = Vec::<u8>::new().try_reserve(1);
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// assert!(failure.failed_runs()[0].site().is_some());
    /// ```
    pub fn site(&self) -> Option<&AllocationSite> {
        self.site.as_ref()
    }

    /// For [`FailureKind::AllocAfterOom`]: where the first allocation after
    /// the failure was made.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::{OutOfMemory, oom_test::OomTest};
    ///
    /// let failure = OomTest::new()
    ///     .test(|| {
    ///         let mut buffer = Vec::<u8>::new();
    ///         if buffer.try_reserve(8).is_err() {
    ///             // A second allocation after the failure.
    ///             let _ = Vec::<u8>::new().try_reserve(1);
    ///             return Err(OutOfMemory::new(8).into());
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// assert!(failure.failed_runs()[0].after_oom_site().is_some());
    /// ```
    pub fn after_oom_site(&self) -> Option<&AllocationSite> {
        self.after_oom.as_ref()
    }

    /// Which runs count as the same failure: the same rule broken at the
    /// same site.
    pub(crate) fn same_as(&self, other: &FailedRun) -> bool {
        core::mem::discriminant(&self.kind) == core::mem::discriminant(&other.kind)
            && self.site.as_ref().and_then(AllocationSite::key)
                == other.site.as_ref().and_then(AllocationSite::key)
    }
}

impl fmt::Display for FailedRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        match self.injected {
            Some(injected) => write!(f, "\ninjected failure: {injected}")?,
            None => f.write_str("\nno allocation was failed in that run")?,
        }
        if let Some(site) = &self.site {
            write!(f, "\n\nallocation site of the injected failure:\n{site}")?;
        }
        if let Some(site) = &self.after_oom {
            write!(
                f,
                "\n\nallocation site of the allocation made after it:\n{site}"
            )?;
        }
        Ok(())
    }
}

/// A broken contract: every run that broke it, one per rule and site, in
/// the order of the allocations they failed.
///
/// The accessors `kind`, `injected`, `site` and `after_oom_site` speak of
/// the first of them; [`failed_runs`](OomTestFailure::failed_runs) lists
/// them all. `Display` (and `Debug`, so that `unwrap` shows the same)
/// print each, with the folded stack of the allocation that was failed.
/// `OomTestFailure` is a standard error, so `?` turns it into an
/// [`Error`](crate::Error).
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::{Result, oom_test::{FailureKind, OomTest}};
///
/// let failure = OomTest::new()
///     .test(|| -> Result<()> {
///         let mut text = String::new();
///         if text.try_reserve_exact(4).is_err() {
///             wasmtime_error::bail!("no room"); // not an `OutOfMemory`
///         }
///         Ok(())
///     })
///     .unwrap_err();
/// assert!(matches!(failure.kind(), FailureKind::NonOomError { message } if message == "no room"));
/// assert!(failure.to_string().contains("allocation #0 (size 4, align 1)"));
/// ```
pub struct OomTestFailure {
    /// Never empty.
    runs: Vec<FailedRun>,
}

impl OomTestFailure {
    /// # Panics
    ///
    /// If `runs` is empty.
    pub(crate) fn new(runs: Vec<FailedRun>) -> OomTestFailure {
        assert!(!runs.is_empty(), "a failure has at least one failed run");
        OomTestFailure { runs }
    }

    fn first(&self) -> &FailedRun {
        &self.runs[0]
    }

    /// Every run that broke the contract, one per rule and site (the first
    /// run of each), in the order of the allocations they failed.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let failure = OomTest::new()
    ///     .allow_alloc_after_oom(true)
    ///     .test(|| {
    ///         for size in 1..=3 {
    ///             let _ = Vec::<u8>::new().try_reserve(size); // one site, three runs
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// assert_eq!(failure.failed_runs().len(), 1);
    /// ```
    pub fn failed_runs(&self) -> &[FailedRun] {
        &self.runs
    }

    /// Which rule the first failed run broke.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::{FailureKind, OomTest};
    ///
    /// let failure = OomTest::new().test(|| wasmtime_error::bail!("always")).unwrap_err();
    /// assert!(matches!(failure.kind(), FailureKind::UnexpectedError { .. }));
    /// ```
    pub fn kind(&self) -> &FailureKind {
        self.first().kind()
    }

    /// The allocation the first failed run failed ([`FailedRun::injected`]).
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let failure = OomTest::new()
    ///     .test(|| {
    ///         let _ = Vec::<u16>::new().try_reserve_exact(3); // ignored
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// assert_eq!(failure.injected().unwrap().layout.size(), 6);
    /// ```
    pub fn injected(&self) -> Option<Allocation> {
        self.first().injected()
    }

    /// Where the first failed run's allocation was made
    /// ([`FailedRun::site`]).
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let failure = OomTest::new()
    ///     .test(|| {
    ///         let _ = Vec::<u8>::new().try_reserve(1);
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// assert!(failure.site().is_some());
    /// ```
    pub fn site(&self) -> Option<&AllocationSite> {
        self.first().site()
    }

    /// Where the first failed run allocated after the failure
    /// ([`FailedRun::after_oom_site`]).
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::{OutOfMemory, oom_test::OomTest};
    ///
    /// let failure = OomTest::new()
    ///     .test(|| {
    ///         if Vec::<u8>::new().try_reserve(8).is_err() {
    ///             let _ = Vec::<u8>::new().try_reserve(1);
    ///             return Err(OutOfMemory::new(8).into());
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// assert!(failure.after_oom_site().is_some());
    /// ```
    pub fn after_oom_site(&self) -> Option<&AllocationSite> {
        self.first().after_oom_site()
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureKind::MissedOom => {
                f.write_str("missed OOM: an allocation failed but the closure returned Ok(())")
            }
            FailureKind::NonOomError { message } => write!(
                f,
                "missed OOM: an allocation failed but the closure returned an error \
                 that is not OutOfMemory: {message}"
            ),
            FailureKind::UnexpectedError { message } => write!(
                f,
                "the closure returned an error although no allocation failed: {message}"
            ),
            FailureKind::AllocAfterOom { allocation } => write!(
                f,
                "the closure made {allocation} after an allocation had failed: make it \
                 fallible and return the OutOfMemory (or, if it is a deliberate retry, \
                 allow it with `allow_alloc_after_oom(true)`)"
            ),
            FailureKind::Leak { bytes } => write!(
                f,
                "leak: {bytes} bytes allocated in one run of the closure were not freed \
                 (allow it with `allow_leaks(true)`)"
            ),
            FailureKind::Panicked { message } => {
                write!(f, "the closure panicked: {message}")
            }
            FailureKind::UnstableCount { counts } => write!(
                f,
                "the number of allocations did not settle over {} dry runs: {counts:?}",
                counts.len()
            ),
            FailureKind::Aborted { output } => write!(
                f,
                "the process aborted (an infallible allocation, such as `Vec::push`, \
                 `Box::new` or `format!`, cannot handle the failure); it wrote:\n{output}"
            ),
            FailureKind::DoublePanic { output } => write!(
                f,
                "the process aborted on a panic during a panic; it wrote:\n{output}"
            ),
            FailureKind::Killed { signal, output } => {
                write!(
                    f,
                    "the process was killed by signal {signal}; it wrote:\n{output}"
                )
            }
            FailureKind::Exited { code, output } => write!(
                f,
                "the process exited with code {code} before the run ended; it wrote:\n{output}"
            ),
            FailureKind::Hung { limit } => write!(
                f,
                "the run did not finish within {limit:?} and was killed (a lock held by \
                 another thread when the child was forked, or a wait for a thread that \
                 does not exist in the child)"
            ),
        }
    }
}

impl fmt::Display for OomTestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.runs.len();
        for (number, run) in self.runs.iter().enumerate() {
            if number > 0 {
                f.write_str("\n\n")?;
            }
            if count == 1 {
                f.write_str("OOM test failed: ")?;
            } else {
                write!(f, "OOM test failed ({} of {count}): ", number + 1)?;
            }
            write!(f, "{run}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for OomTestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for OomTestFailure {}
