//! [`OomTestFailure`], the error a broken contract produces: every run
//! that broke it ([`FailedRun`]), the rule each broke ([`FailureKind`]),
//! and where its allocations were made.

use super::allocation::Allocation;
use super::frames::Frames;
use super::site::AllocationSite;
use super::summary::OomTestSummary;
use std::fmt;
use std::string::String;
use std::time::Duration;
use std::vec::Vec;

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
///     .check(|| {
///         // Ignores a failed allocation: the harness calls that a missed OOM.
///         let _ = String::new().try_reserve(10);
///         Ok(())
///     })
///     .unwrap_err();
/// assert!(matches!(failure.kind(), FailureKind::MissedOom));
/// assert_eq!(failure.injected().unwrap().index, 0);
/// ```
#[derive(Clone, Debug)]
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
    /// and so was a second child that ran it again. (The code under test
    /// can find a lock held forever in a child, which another thread of the
    /// test process held when the child was forked; that is not reported
    /// unless it happens again. A wait for a thread that does not exist in
    /// the child always hangs.)
    Hung {
        /// The limit.
        limit: Duration,
    },
    /// The closure made no allocation the harness could see, and neither
    /// did a probe made through the global allocator:
    /// [`OomTestAllocator`](super::OomTestAllocator) is not the global
    /// allocator (nor wrapped by it), so nothing was tested. The message
    /// shows the line to add.
    AllocatorNotInstalled,
    /// [`fuzz`](super::OomTest::fuzz) (or [`fuzzing`](super::OomTest::fuzzing))
    /// without [`max_iters`](super::OomTest::max_iters), which says how
    /// many allocations to pick.
    MaxItersNeeded,
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
///     .check(|| {
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
    /// let failure = OomTest::new().check(|| wasmtime_error::bail!("always")).unwrap_err();
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
    ///     .check(|| {
    ///         let mut first = Vec::<u8>::new();
    ///         first.try_reserve(1)?; // handled
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
    ///     .check(|| {
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
    ///     .check(|| {
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
///     .check(|| -> Result<()> {
///         let mut text = String::new();
///         if text.try_reserve_exact(4).is_err() {
///             wasmtime_error::bail!("no room"); // not an `OutOfMemory`
///         }
///         Ok(())
///     })
///     .unwrap_err();
/// assert!(matches!(failure.kind(), FailureKind::NonOomError { message } if message == "no room"));
/// let report = wasmtime_error::try_format!("{failure}")?;
/// assert!(report.contains("allocation #0 (size 4, align 1)"));
/// # wasmtime_error::Ok(())
/// ```
pub struct OomTestFailure {
    /// Never empty.
    runs: Vec<FailedRun>,
    summary: OomTestSummary,
}

impl OomTestFailure {
    /// # Panics
    ///
    /// If `runs` is empty.
    pub(crate) fn new(runs: Vec<FailedRun>, summary: OomTestSummary) -> OomTestFailure {
        assert!(!runs.is_empty(), "a failure has at least one failed run");
        OomTestFailure { runs, summary }
    }

    /// One failed run, before any injection run (a dry run, or the setup).
    pub(crate) fn before_runs(kind: FailureKind, allocations: u64) -> OomTestFailure {
        OomTestFailure::new(
            std::vec![FailedRun::new(kind, None, None, None)],
            OomTestSummary::new(allocations),
        )
    }

    /// What the test did up to its end, as for a test that passes: in
    /// particular [`skipped`](OomTestSummary::skipped), the occurrences of
    /// sites whose runs died that were not failed again.
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
    ///     .check(|| {
    ///         for _ in 0..3 {
    ///             let _ = Vec::<u8>::new().try_reserve(1); // ignored, three times
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// assert_eq!((failure.summary().allocations, failure.summary().runs), (3, 3));
    /// ```
    pub fn summary(&self) -> &OomTestSummary {
        &self.summary
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
    ///     .check(|| {
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

    /// Whether a run allocated after its failed allocation: what Wasmtime's
    /// calls panic for.
    pub(crate) fn allocated_after_oom(&self) -> bool {
        self.runs
            .iter()
            .any(|run| matches!(run.kind(), FailureKind::AllocAfterOom { .. }))
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
    /// let failure = OomTest::new().check(|| wasmtime_error::bail!("always")).unwrap_err();
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
    ///     .check(|| {
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
    ///     .check(|| {
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
    ///     .check(|| {
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
                f.write_str("OOM test function missed an OOM: an allocation failed but the closure returned Ok(())")
            }
            FailureKind::NonOomError { message } => write!(
                f,
                "OOM test function missed an OOM: an allocation failed but the closure \
                 returned an error that is not OutOfMemory: {message}"
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
                "the run did not finish within {limit:?}, twice, and was killed (a lock held \
                 by another thread when the child was forked, or a wait for a thread that \
                 does not exist in the child)"
            ),
            FailureKind::AllocatorNotInstalled => f.write_str(
                "nothing was tested: OomTestAllocator saw no allocation, so it is not the \
                 global allocator. Add to the test binary (its main.rs, or the test file):\n\n    \
                 #[global_allocator]\n    \
                 static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =\n        \
                 wasmtime_error::oom_test::OomTestAllocator::new();\n\n\
                 (a global allocator of your own must hand its requests on to an \
                 OomTestAllocator)",
            ),
            FailureKind::MaxItersNeeded => f.write_str(
                "fuzzing needs `max_iters`: the number of allocations to pick at random",
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
        let skipped = self.summary.skipped;
        if skipped > 0 {
            write!(
                f,
                "\n\n{skipped} later occurrence{} of the sites whose runs died {} not \
                 failed again",
                if skipped == 1 { "" } else { "s" },
                if skipped == 1 { "was" } else { "were" },
            )?;
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
