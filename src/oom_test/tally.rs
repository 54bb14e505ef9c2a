//! The verdicts of a test's injection runs as they come in: the counts of
//! the summary, the runs that broke the contract (the first of each rule
//! and stack), and the stacks whose runs died, whose later occurrences are
//! not failed again.

use super::allocation::Allocation;
use super::capture::{self, StackId};
use super::failure::{FailedRun, FailureKind, OomTestFailure};
use super::frames::Frames;
use super::summary::OomTestSummary;
use super::verdict::{Rules, RunEnd, RunRecord};
use core::mem::{Discriminant, discriminant};
use std::collections::{HashMap, HashSet};
use std::vec::Vec;

/// A run that broke the contract, before its stacks are resolved.
struct Broken {
    kind: FailureKind,
    target: u64,
    injected: Option<Allocation>,
    stack: Option<StackId>,
    after_oom_stack: Option<Frames>,
}

pub(crate) struct Tally {
    rules: Rules,
    stop_at_first_failure: bool,
    summary: OomTestSummary,
    /// The distinct stacks of the failed allocations, for the site count.
    stacks: HashSet<StackId>,
    /// Stacks of failed allocations whose runs died.
    died: HashSet<StackId>,
    broken: Vec<Broken>,
    /// Where in `broken` the run kept for a rule and stack is.
    kept: HashMap<(Discriminant<FailureKind>, Option<StackId>), usize>,
}

impl Tally {
    pub(crate) fn new(rules: Rules, stop_at_first_failure: bool, allocations: u64) -> Tally {
        Tally {
            rules,
            stop_at_first_failure,
            summary: OomTestSummary::new(allocations),
            stacks: HashSet::new(),
            died: HashSet::new(),
            broken: Vec::new(),
            kept: HashMap::new(),
        }
    }

    /// Judges one injection run and counts it.
    pub(crate) fn add(&mut self, record: RunRecord) {
        self.summary.runs += 1;
        if record.injected.is_some() {
            self.summary.injected += 1;
            if let Some(stack) = record.stack {
                self.stacks.insert(stack);
            }
        }
        let Some(kind) = self.rules.judge(&record, true) else {
            return;
        };
        if let (RunEnd::Died(_), Some(stack)) = (&record.end, record.stack) {
            self.died.insert(stack);
        }
        if self.should_stop() {
            // Runs that were under way when the first failure was found
            // are counted, not reported.
            return;
        }
        let broken = Broken {
            kind,
            target: record.target,
            injected: record.injected,
            stack: record.stack,
            after_oom_stack: record.after_oom_stack,
        };
        // Of the runs that broke the same rule at the same stack, the one
        // that failed the earliest allocation is kept (children report in
        // any order).
        match self.kept.get(&(discriminant(&broken.kind), broken.stack)) {
            Some(&at) if self.broken[at].target <= broken.target => {}
            Some(&at) => self.broken[at] = broken,
            None => {
                let key = (discriminant(&broken.kind), broken.stack);
                self.kept.insert(key, self.broken.len());
                self.broken.push(broken);
            }
        }
    }

    /// A planned failure not run, because its stack died already.
    pub(crate) fn skip(&mut self) {
        self.summary.skipped += 1;
    }

    /// A run that hung and is given a second child.
    pub(crate) fn retry(&mut self) {
        self.summary.retried += 1;
    }

    /// Whether a run that failed an allocation made at `stack` died.
    pub(crate) fn has_died(&self, stack: StackId) -> bool {
        self.died.contains(&stack)
    }

    /// Whether the test should start no more runs.
    pub(crate) fn should_stop(&self) -> bool {
        self.stop_at_first_failure && !self.broken.is_empty()
    }

    /// The allocations failed by the kept runs that allocated after the
    /// failure where no stack of that allocation was taken (in a child).
    pub(crate) fn after_oom_sites_wanted(&self) -> Vec<u64> {
        self.broken
            .iter()
            .filter(|broken| {
                matches!(broken.kind, FailureKind::AllocAfterOom { .. })
                    && broken.after_oom_stack.is_none()
            })
            .filter_map(|broken| broken.injected.map(|allocation| allocation.index))
            .collect()
    }

    /// Where the first allocation after failing allocation `target` was
    /// made, found by running that failure again.
    pub(crate) fn set_after_oom_site(&mut self, target: u64, frames: Frames) {
        for broken in &mut self.broken {
            if broken
                .injected
                .is_some_and(|allocation| allocation.index == target)
            {
                broken.after_oom_stack = Some(frames);
            }
        }
    }

    /// The summary, or every run that broke the contract (the first of
    /// each rule and site, in the order of the allocations they failed).
    pub(crate) fn finish(mut self) -> Result<OomTestSummary, OomTestFailure> {
        let stacks = self.stacks.iter().map(|&id| capture::stack(id)).collect();
        self.summary.set_stacks(stacks);
        self.into_result()
    }

    /// [`finish`](Tally::finish) for site mode, which counted its sites.
    pub(crate) fn finish_with_sites(
        mut self,
        sites: u64,
    ) -> Result<OomTestSummary, OomTestFailure> {
        self.summary.set_sites(sites);
        self.into_result()
    }

    fn into_result(mut self) -> Result<OomTestSummary, OomTestFailure> {
        if self.broken.is_empty() {
            return Ok(self.summary);
        }
        self.broken.sort_by_key(|broken| broken.target);
        let mut failed: Vec<FailedRun> = Vec::new();
        for broken in self.broken {
            let run = FailedRun::new(
                broken.kind,
                broken.injected,
                broken.stack.map(capture::stack),
                broken.after_oom_stack,
            );
            if !failed.iter().any(|known| known.same_as(&run)) {
                failed.push(run);
            }
        }
        Err(OomTestFailure::new(failed, self.summary))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oom_test::outcome::{Outcome, Returned};
    use crate::oom_test::text::Text;
    use core::alloc::Layout;

    fn allocation(index: u64) -> Allocation {
        Allocation {
            index,
            layout: Layout::new::<u32>(),
        }
    }

    /// A run that failed allocation `target`, made at `stack`, and ended so.
    fn run(target: u64, stack: u32, end: RunEnd) -> RunRecord {
        RunRecord {
            target,
            injected: Some(allocation(target)),
            stack: Some(StackId(stack)),
            after_oom: None,
            after_oom_stack: None,
            end,
        }
    }

    fn returned(returned: Returned) -> RunEnd {
        RunEnd::Returned {
            outcome: Outcome::Returned(returned),
            live_bytes: 0,
        }
    }

    fn aborted() -> RunEnd {
        RunEnd::Died(FailureKind::Aborted {
            output: "memory allocation of 4 bytes failed".into(),
        })
    }

    fn tally() -> Tally {
        Tally::new(Rules::default(), false, 10)
    }

    #[test]
    fn passing_runs_are_counted() {
        let mut tally = tally();
        tally.add(run(0, 0, returned(Returned::Oom)));
        let mut missed = run(1, 1, returned(Returned::Ok));
        missed.injected = None; // the closure allocated less that time
        tally.add(missed);
        tally.skip();
        tally.retry();
        let summary = tally.finish().unwrap();
        assert_eq!(
            (
                summary.allocations,
                summary.runs,
                summary.injected,
                summary.skipped,
                summary.retried
            ),
            (10, 2, 1, 1, 1)
        );
    }

    #[test]
    fn a_stack_is_dead_once_a_run_that_failed_it_died() {
        let mut tally = tally();
        tally.add(run(0, 7, returned(Returned::Ok)));
        assert!(!tally.has_died(StackId(7)), "a missed OOM is not a death");
        tally.add(run(1, 8, aborted()));
        assert!(tally.has_died(StackId(8)));
        assert!(!tally.has_died(StackId(7)));
        // A death before any injection names no stack.
        let mut early = run(2, 9, aborted());
        early.injected = None;
        early.stack = None;
        tally.add(early);
        assert!(!tally.has_died(StackId(9)));
    }

    #[test]
    fn of_the_runs_of_one_rule_and_stack_the_earliest_is_kept() {
        let mut tally = tally();
        tally.add(run(5, 1, returned(Returned::Ok)));
        tally.add(run(3, 1, returned(Returned::Ok)));
        tally.add(run(4, 1, returned(Returned::Ok)));
        let failure = tally.finish().unwrap_err();
        assert_eq!(failure.failed_runs().len(), 1);
        assert_eq!(failure.injected().unwrap().index, 3);
        assert_eq!(failure.summary().runs, 3);
    }

    #[test]
    fn other_rules_are_kept_apart_and_in_order() {
        let mut tally = tally();
        tally.add(run(6, 1, aborted()));
        let other = Returned::Other(Text::format(format_args!("disk full")));
        tally.add(run(2, 1, returned(other)));
        let failure = tally.finish().unwrap_err();
        let runs = failure.failed_runs();
        assert_eq!(runs.len(), 2);
        assert!(matches!(runs[0].kind(), FailureKind::NonOomError { .. }));
        assert!(matches!(runs[1].kind(), FailureKind::Aborted { .. }));
    }

    #[test]
    fn stopping_at_the_first_failure_waits_for_one_and_keeps_it_alone() {
        let mut tally = Tally::new(Rules::default(), true, 10);
        tally.add(run(0, 0, returned(Returned::Oom)));
        assert!(!tally.should_stop());
        tally.add(run(3, 0, returned(Returned::Ok)));
        assert!(tally.should_stop());
        // A run under way then is counted, and not reported.
        tally.add(run(1, 1, aborted()));
        assert!(tally.has_died(StackId(1)));
        let failure = tally.finish().unwrap_err();
        assert_eq!(failure.failed_runs().len(), 1);
        assert_eq!(failure.injected().unwrap().index, 3);
        assert_eq!(failure.summary().runs, 3);
        let mut go_on = self::tally();
        go_on.add(run(1, 0, returned(Returned::Ok)));
        assert!(!go_on.should_stop());
    }

    #[test]
    fn allocations_after_the_failure_want_their_site_once() {
        let mut tally = tally();
        let mut after = run(4, 2, returned(Returned::Oom));
        after.after_oom = Some(allocation(5));
        tally.add(after);
        let mut seen = run(6, 3, returned(Returned::Oom));
        seen.after_oom = Some(allocation(7));
        seen.after_oom_stack = Some(Frames::EMPTY);
        tally.add(seen);
        assert_eq!(tally.after_oom_sites_wanted(), [4]);
        tally.set_after_oom_site(4, Frames::EMPTY);
        assert!(tally.after_oom_sites_wanted().is_empty());
    }
}
