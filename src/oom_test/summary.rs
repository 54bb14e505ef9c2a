//! [`OomTestSummary`]: what a test did.

use super::frames::Frames;
use super::site::site_key;
use std::collections::HashSet;
use std::fmt;
use std::vec::Vec;

/// What a test did: the allocations of one run of the closure, the runs
/// that failed one of them, and where those were made.
///
/// [`check`](super::OomTest::check) returns it when the closure kept the
/// contract; [`OomTestFailure::summary`](super::OomTestFailure::summary)
/// gives it when it did not. `Display` says it in a sentence, and says so
/// when the closure allocated nothing (there was nothing to fail).
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::oom_test::OomTest;
///
/// let summary = OomTest::new().check(|| Ok(())).unwrap();
/// assert_eq!((summary.allocations, summary.runs, summary.injected), (0, 0, 0));
/// assert!(wasmtime_error::try_format!("{summary}")?.contains("allocated nothing"));
/// # wasmtime_error::Ok(())
/// ```
#[derive(Clone)]
pub struct OomTestSummary {
    /// Allocations one run of the closure makes when none fails.
    pub allocations: u64,
    /// Runs with a failure planned (dry runs not included).
    pub runs: u64,
    /// Runs in which the planned allocation was reached and failed.
    pub injected: u64,
    /// Planned failures that were not run, because an earlier run that
    /// failed an allocation made at the very same place (the same stack)
    /// died (isolated mode): a broken site is reported once, not once per
    /// occurrence.
    pub skipped: u64,
    /// Runs that hung in their child and were run again in another
    /// (isolated mode; see [`FailureKind::Hung`](super::FailureKind::Hung)).
    pub retried: u64,
    sites: Sites,
}

/// How the summary knows its sites.
#[derive(Clone)]
enum Sites {
    /// Counted already (site mode finds them to plan its runs).
    Counted(u64),
    /// The distinct stacks of the failed allocations, resolved only when
    /// the count is asked for.
    Stacks(Vec<Frames>),
}

impl OomTestSummary {
    pub(crate) fn new(allocations: u64) -> OomTestSummary {
        OomTestSummary {
            allocations,
            runs: 0,
            injected: 0,
            skipped: 0,
            retried: 0,
            sites: Sites::Counted(0),
        }
    }

    pub(crate) fn set_sites(&mut self, count: u64) {
        self.sites = Sites::Counted(count);
    }

    pub(crate) fn set_stacks(&mut self, stacks: Vec<Frames>) {
        self.sites = Sites::Stacks(stacks);
    }

    /// Distinct places in the code under test whose allocations were
    /// failed: failures whose stacks have the same first frame outside
    /// std, the allocator, the harness and this crate's collections count
    /// once. A loop that allocates at each turn is one site. 0 where no
    /// stack can be taken (Miri).
    ///
    /// Counting resolves the symbols of those stacks (it loads the
    /// program's debug information), which a test that passes otherwise
    /// never does; site mode has counted them already.
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
    ///     .check(|| {
    ///         for size in 1..=3 {
    ///             let mut buffer = Vec::<u8>::new();
    ///             buffer.try_reserve(size)?; // one site, three allocations
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap();
    /// assert_eq!(summary.injected, 3);
    /// assert_eq!(summary.sites(), if cfg!(miri) { 0 } else { 1 });
    /// ```
    pub fn sites(&self) -> u64 {
        match &self.sites {
            Sites::Counted(count) => *count,
            Sites::Stacks(stacks) => {
                let keys: HashSet<_> = stacks.iter().filter_map(site_key).collect();
                keys.len() as u64
            }
        }
    }
}

impl fmt::Debug for OomTestSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut summary = f.debug_struct("OomTestSummary");
        summary
            .field("allocations", &self.allocations)
            .field("runs", &self.runs)
            .field("injected", &self.injected)
            .field("skipped", &self.skipped)
            .field("retried", &self.retried);
        if let Sites::Counted(count) = self.sites {
            summary.field("sites", &count);
        }
        summary.finish_non_exhaustive()
    }
}

impl fmt::Display for OomTestSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.allocations == 0 {
            return f.write_str(
                "the closure allocated nothing (OomTestAllocator sees the global allocator's \
                 requests), so there was no allocation to fail",
            );
        }
        write!(
            f,
            "{} allocation{} per run; {} run{} with a failure planned, {} of which failed it",
            self.allocations,
            plural(self.allocations),
            self.runs,
            plural(self.runs),
            self.injected,
        )?;
        if self.skipped > 0 {
            write!(
                f,
                "; {} not run (their sites had died already)",
                self.skipped
            )?;
        }
        if self.retried > 0 {
            write!(f, "; {} retried after hanging", self.retried)?;
        }
        Ok(())
    }
}

fn plural(count: u64) -> &'static str {
    if count == 1 { "" } else { "s" }
}
