//! Isolated runs (unix, not Miri): each planned failure happens in a child
//! process, so that a run that aborts, hangs or dies ends only its child.
//!
//! Two kinds of children share the work, chosen by what a run costs:
//!
//! - A **sweeper**, forked before any run, re-runs the closure from the
//!   start once per planned allocation of its list, as the in-process
//!   harness does. A run that fails allocation `i` repeats the `i`
//!   allocations before it, so sweepers take the early allocations.
//! - For the later ones, the parent runs the closure once more itself (a
//!   *forking run*) and forks a child at each planned allocation: the child
//!   fails that allocation and finishes the run from there, the parent
//!   lets it succeed and goes on. No prefix is repeated, but each costs a
//!   fork.
//!
//! The boundary is where the two costs meet, estimated from the fastest dry
//! run and an assumed cost of a fork. The forking run then measures what
//! its forks really cost (a fork takes longer in a larger process, and on a
//! busy machine): once eight have been made, an allocation that is cheaper
//! to reach by re-running is left to a sweeper after the run. Sweepers and
//! forked children run side by side with the parent, up to the available
//! cores.
//!
//! Children take no stack: the parent knows where each planned allocation
//! is made, from a recording run (the sweepers' allocations) or from its
//! forking run (the forked ones). When a run dies, the stack of the
//! allocation it failed is remembered, and later planned allocations made
//! at the same stack are skipped: a sweeper's list is filtered each time a
//! sweeper is forked, and the forking run forks no child for them. Children
//! send what they saw in fixed-size messages (see [`wire`](super::wire));
//! the parent judges them (see [`verdict`](super::verdict)).

use super::abort_report;
use super::allocation::Allocation;
use super::capture::{self, StackId};
use super::child::{self, Ended, Event, Forked, Pool};
use super::frames::Frames;
use super::outcome::Outcome;
use super::state::{self, Mode, Paused, Run, Settings};
use super::tally::Tally;
use super::verdict::{self, RunEnd, RunRecord};
use super::wire::Message;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Write as _};
use std::time::{Duration, Instant};
use std::vec::Vec;

/// What a run forked at its allocation costs, all told, as measured on the
/// CI machine kind (a 2-core VM): `fork` itself takes 110-190 µs of the
/// parent's time, and the child's copy-on-write faults, its exit and the
/// reaping add about as much again; of the values tried for a closure of
/// 4 000 allocations (200, 600, 1 500 and 5 000 µs), this one was fastest.
const FORK_COST: Duration = Duration::from_micros(600);

/// How a sweep may spend its children.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    /// Processes that may run side by side (the parent included).
    pub(crate) jobs: usize,
    /// A run that sends nothing for this long is killed.
    pub(crate) timeout: Duration,
    /// No run starts after this.
    pub(crate) deadline: Option<Instant>,
    pub(crate) print_each_injection: bool,
    /// What re-running one allocation of the closure costs.
    pub(crate) per_allocation: Duration,
}

impl Limits {
    fn expired(&self) -> bool {
        self.deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
    }
}

/// What the parent knows of one child's work.
enum Job {
    /// Forked in the forking run at the allocation it fails.
    Forked {
        allocation: Allocation,
        stack: StackId,
        after_oom: Option<Allocation>,
        ended: bool,
    },
    /// Re-runs the closure for each of `targets`; `next` is the one running.
    Sweeper {
        targets: Vec<u64>,
        next: usize,
        injected: Option<Allocation>,
        after_oom: Option<Allocation>,
    },
}

/// The parent's side of a sweep: what the children reported, judged.
struct Collector {
    tally: Tally,
    /// The stack of each planned allocation known so far.
    stacks: HashMap<u64, StackId>,
    /// Work of sweepers that ended before finishing their lists.
    respawn: Vec<Vec<u64>>,
    /// Runs that hung once and were given a second child.
    retried: Vec<u64>,
    limits: Limits,
}

impl Collector {
    fn on(&mut self, event: Event<'_, Job>) {
        let _paused = Paused::new();
        match event {
            Event::Message(job, message) => self.message(job, message),
            Event::Ended(job, ended, output) => self.ended(job, ended, output),
        }
    }

    fn message(&mut self, job: &mut Job, message: Message) {
        match (message, job) {
            (Message::Injected(allocation), Job::Sweeper { injected, .. }) => {
                if self.limits.print_each_injection {
                    let frames = self.stack_of(allocation.index).map(capture::stack);
                    let frames = frames.unwrap_or(Frames::EMPTY);
                    let report = abort_report::report_text(allocation, &frames);
                    let _ = io::stderr().write_all(report.as_bytes());
                }
                *injected = Some(allocation);
            }
            (
                Message::AfterOom(allocation),
                Job::Sweeper { after_oom, .. } | Job::Forked { after_oom, .. },
            ) => *after_oom = Some(allocation),
            (
                Message::Ended {
                    target,
                    injected: injected_flag,
                    outcome,
                    live_bytes,
                },
                job,
            ) => {
                let (target, injected, after_oom) = match job {
                    Job::Forked {
                        allocation,
                        after_oom,
                        ended,
                        ..
                    } => {
                        *ended = true;
                        (allocation.index, Some(*allocation), after_oom.take())
                    }
                    Job::Sweeper {
                        targets,
                        next,
                        injected,
                        after_oom,
                    } => {
                        let planned = targets.get(*next).copied().unwrap_or(target);
                        *next += 1;
                        (planned, injected.take(), after_oom.take())
                    }
                };
                let injected = injected.filter(|_| injected_flag);
                self.tally.add(RunRecord {
                    target,
                    injected,
                    stack: injected.and_then(|allocation| self.stack_of(allocation.index)),
                    after_oom,
                    after_oom_stack: None,
                    end: RunEnd::Returned {
                        outcome,
                        live_bytes,
                    },
                });
            }
            _ => {}
        }
    }

    fn stack_of(&self, index: u64) -> Option<StackId> {
        self.stacks.get(&index).copied()
    }

    /// Whether a run that hung gets a second child instead of a verdict.
    /// The harness's own code in a child takes no lock, but the code under
    /// test may: one that another thread of the test process held at the
    /// fork stays held in the child. That does not happen twice in a row,
    /// where a real hang does.
    fn retry_hang(&mut self, ended: Ended, target: u64, rest: &[u64]) -> bool {
        if ended != Ended::TimedOut || self.retried.contains(&target) {
            return false;
        }
        self.retried.push(target);
        self.tally.retry();
        let _ = writeln!(
            io::stderr(),
            "oom_test: the run that fails allocation #{target} hung in its child; \
             retrying it in a new child"
        );
        let mut again = Vec::with_capacity(rest.len() + 1);
        again.push(target);
        again.extend_from_slice(rest);
        self.respawn.push(again);
        true
    }

    fn ended(&mut self, job: Job, ended: Ended, output: &[u8]) {
        let died = |limits: &Limits| verdict::death(ended, output, limits.timeout);
        match job {
            Job::Forked { ended: true, .. } => {}
            Job::Forked { allocation, .. } if self.retry_hang(ended, allocation.index, &[]) => {}
            Job::Forked {
                allocation,
                stack,
                after_oom,
                ..
            } => self.tally.add(RunRecord {
                target: allocation.index,
                injected: Some(allocation),
                stack: Some(stack),
                after_oom,
                after_oom_stack: None,
                end: RunEnd::Died(died(&self.limits)),
            }),
            Job::Sweeper {
                targets,
                next,
                injected,
                after_oom,
            } => {
                // Done, or stopped at the time limit. A sweeper that exits
                // with 0 before it (the closure called `exit(0)`) died.
                if next >= targets.len() || (ended == Ended::Exited(0) && self.limits.expired()) {
                    return;
                }
                if self.retry_hang(ended, targets[next], &targets[next + 1..]) {
                    return;
                }
                self.tally.add(RunRecord {
                    target: targets[next],
                    injected,
                    stack: injected.and_then(|allocation| self.stack_of(allocation.index)),
                    after_oom,
                    after_oom_stack: None,
                    end: RunEnd::Died(died(&self.limits)),
                });
                if next + 1 < targets.len() {
                    self.respawn.push(targets[next + 1..].to_vec());
                }
            }
        }
    }
}

/// An isolated sweep: its children, and what they reported.
pub(crate) struct Sweep {
    pool: Pool<Job>,
    collector: Collector,
    settings: Settings,
    jobs: usize,
    /// The planned allocations left to the forking run, in order.
    forked: Vec<u64>,
    position: usize,
    error: Option<io::Error>,
    /// Forks made, and the time spent making them (waiting for room in
    /// the pool included): what a fork really costs on this machine now.
    forks: u32,
    forking: Duration,
    /// Planned allocations left to sweepers after all, because forking
    /// turned out to cost more than re-running up to them.
    deferred: Vec<u64>,
}

/// The first allocation index left to forking runs, of planned ones below
/// `end`: below it, re-running the closure's prefix (about `per_allocation`
/// per allocation, shared by the sweepers) costs less than a fork. The
/// allocations below it are the ones a recording run must take the stacks
/// of.
pub(crate) fn sweepers_share(end: u64, per_allocation: Duration, jobs: usize) -> u64 {
    boundary(per_allocation, jobs.saturating_sub(1).max(1), end)
}

fn boundary(per_allocation: Duration, sweepers: usize, allocations: u64) -> u64 {
    let rerun = per_allocation.as_secs_f64().max(1e-9);
    let fork = FORK_COST.as_secs_f64();
    let total = allocations as f64;
    // Sweepers take 0..t: about rerun * t^2 / (2 * sweepers) of work each;
    // forks take t..total: (total - t) * fork. Balance the two.
    let a = rerun / (2.0 * sweepers as f64);
    let balanced = (-fork + (fork * fork + 4.0 * a * total * fork).sqrt()) / (2.0 * a);
    let cheaper_to_rerun = fork / rerun;
    balanced.max(cheaper_to_rerun).min(total).ceil() as u64
}

/// `targets` dealt round-robin into at most `hands` non-empty lists, so
/// that each list mixes cheap runs and dear ones.
fn deal(targets: &[u64], hands: usize) -> Vec<Vec<u64>> {
    let hands = hands.max(1);
    let mut parts: Vec<Vec<u64>> = (0..hands).map(|_| Vec::new()).collect();
    for (position, &target) in targets.iter().enumerate() {
        parts[position % hands].push(target);
    }
    parts.retain(|part| !part.is_empty());
    parts
}

impl Sweep {
    /// Hands the collector what the pool's children sent and how they
    /// ended; with `wait`, returns only once a child has ended (or none is
    /// left).
    fn service(&mut self, wait: bool) {
        let Sweep {
            pool, collector, ..
        } = self;
        pool.service(wait, &mut |event| collector.on(event));
    }

    /// Starts the sweep of `planned` (sorted): forks the sweepers for the
    /// allocations below `share` (whose stacks `recorded` gives, in order),
    /// each running `run_here` once per allocation of its list.
    pub(crate) fn start(
        planned: &[u64],
        share: u64,
        recorded: &[StackId],
        settings: Settings,
        limits: Limits,
        tally: Tally,
        run_here: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> io::Result<Sweep> {
        let jobs = limits.jobs.max(1);
        let split = planned.partition_point(|&target| target < share);
        let (low, high) = planned.split_at(split);
        let sweepers = if high.is_empty() {
            jobs
        } else {
            jobs.saturating_sub(1).max(1)
        };
        let stacks = low
            .iter()
            .filter_map(|&index| Some((index, *recorded.get(usize::try_from(index).ok()?)?)))
            .collect();
        let mut sweep = Sweep {
            pool: Pool::new(4 * jobs + sweepers, limits.timeout),
            collector: Collector {
                tally,
                stacks,
                respawn: Vec::new(),
                retried: Vec::new(),
                limits,
            },
            settings,
            jobs,
            forked: high.to_vec(),
            position: 0,
            error: None,
            forks: 0,
            forking: Duration::ZERO,
            deferred: Vec::new(),
        };
        for part in deal(low, sweepers) {
            sweep.spawn_sweeper(part, run_here)?;
        }
        Ok(sweep)
    }

    /// The parent's own run of the closure, if some allocations are left
    /// to it: it forks a child at each.
    pub(crate) fn forking_run(&self) -> Option<Run> {
        let &first = self.forked.first()?;
        let mut run = Run::new(Mode::Forking, self.settings);
        run.next_fork = first;
        Some(run)
    }

    /// After the forking run: in a child forked during it, sends the run's
    /// verdict and ends the child; in the parent, the record of its own
    /// run (which failed nothing: judge it as a dry run).
    pub(crate) fn forking_run_ended(
        &mut self,
        run: &Run,
        outcome: Outcome,
    ) -> io::Result<RunRecord> {
        if child::is_child() {
            child::send(&Message::Ended {
                target: run.injected.map_or(u64::MAX, |allocation| allocation.index),
                injected: run.injected.is_some(),
                outcome,
                live_bytes: run.live_bytes,
            });
            child::exit();
        }
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let deferred = core::mem::take(&mut self.deferred);
        self.collector.respawn.extend(deal(&deferred, self.jobs));
        let (_, after_oom_stack) = capture::take_run();
        Ok(RunRecord {
            target: u64::MAX,
            injected: None,
            stack: None,
            after_oom: run.after_oom,
            after_oom_stack,
            end: RunEnd::Returned {
                outcome,
                live_bytes: run.live_bytes,
            },
        })
    }

    /// Waits for every child, forking sweepers again for the work of
    /// those that died, and returns the verdicts.
    pub(crate) fn finish(
        mut self,
        run_here: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> io::Result<Tally> {
        loop {
            while !self.pool.is_empty() && !self.collector.tally.should_stop() {
                self.service(true);
            }
            let respawn = core::mem::take(&mut self.collector.respawn);
            if respawn.is_empty() || self.stopped() {
                break;
            }
            for part in respawn {
                self.spawn_sweeper(part, run_here)?;
            }
        }
        self.pool.kill_all();
        Ok(self.collector.tally)
    }

    /// Whether no more runs start: past the deadline, or stopping at the
    /// first failure.
    fn stopped(&self) -> bool {
        self.collector.limits.expired() || self.collector.tally.should_stop()
    }

    fn spawn_sweeper(
        &mut self,
        mut targets: Vec<u64>,
        run_here: &mut dyn FnMut(&mut Run) -> Outcome,
    ) -> io::Result<()> {
        let collector = &mut self.collector;
        targets.retain(|&target| {
            let died = collector
                .stacks
                .get(&target)
                .is_some_and(|&stack| collector.tally.has_died(stack));
            if died {
                collector.tally.skip();
            }
            !died
        });
        if targets.is_empty() || self.stopped() {
            return Ok(());
        }
        while self.pool.is_full() {
            self.service(true);
        }
        let job = Job::Sweeper {
            targets: targets.clone(),
            next: 0,
            injected: None,
            after_oom: None,
        };
        match child::fork(job)? {
            Forked::Parent(child) => {
                self.pool.add(child);
                Ok(())
            }
            Forked::Child => {
                for &target in &targets {
                    if self.collector.limits.expired() {
                        break;
                    }
                    let mut run = Run::new(Mode::Injecting { target }, self.settings);
                    let outcome = run_here(&mut run);
                    child::send(&Message::Ended {
                        target,
                        injected: run.injected.is_some(),
                        outcome,
                        live_bytes: run.live_bytes,
                    });
                }
                child::exit()
            }
        }
    }

    /// Whether to fork at `index`, given what forks have cost so far.
    fn worth_forking(&self, index: u64) -> bool {
        const SAMPLE: u32 = 8;
        if self.forks < SAMPLE {
            return true;
        }
        let rerun = self.collector.limits.per_allocation.as_secs_f64() * index as f64;
        self.forking.as_secs_f64() / f64::from(self.forks) < rerun
    }

    /// At a planned allocation of the forking run: forks a child for each
    /// time it is planned, unless its stack died already. Returns `true` in
    /// the child, which must fail the allocation; the parent goes on.
    fn fork_at(&mut self, allocation: Allocation, frames: Frames) -> bool {
        let stack = capture::intern(frames);
        self.collector.stacks.insert(allocation.index, stack);
        while self.forked.get(self.position) == Some(&allocation.index) {
            self.position += 1;
            if self.error.is_some() || self.stopped() {
                continue;
            }
            if self.collector.tally.has_died(stack) {
                self.collector.tally.skip();
                continue;
            }
            if !self.worth_forking(allocation.index) {
                self.deferred.push(allocation.index);
                continue;
            }
            let start = Instant::now();
            while self.pool.is_full() {
                self.service(true);
            }
            if self.collector.limits.print_each_injection {
                let report = abort_report::report_text(allocation, &frames);
                let _ = io::stderr().write_all(report.as_bytes());
            }
            let job = Job::Forked {
                allocation,
                stack,
                after_oom: None,
                ended: false,
            };
            match child::fork(job) {
                Ok(Forked::Parent(child)) => self.pool.add(child),
                Ok(Forked::Child) => {
                    state::become_injected(allocation);
                    return true;
                }
                Err(failed) => self.error = Some(failed),
            }
            self.forks += 1;
            self.forking += start.elapsed();
        }
        self.service(false);
        let next = self.forked.get(self.position);
        state::set_next_fork(next.copied().unwrap_or(u64::MAX));
        false
    }
}

std::thread_local! {
    /// The sweep whose forking run is running on this thread.
    static FORKING: RefCell<Option<Sweep>> = const { RefCell::new(None) };
}

/// The sweep, made reachable from the allocator while its forking run
/// runs; taken back by [`leave`](Forking::leave), or ended (its children
/// killed) if the run is dropped before its end.
pub(crate) struct Forking(());

impl Forking {
    /// # Panics
    ///
    /// If another forking run is running on this thread.
    pub(crate) fn enter(sweep: Sweep) -> Forking {
        FORKING.with_borrow_mut(|forking| {
            assert!(
                forking.is_none(),
                "two OomTests cannot run interleaved on the same thread"
            );
            *forking = Some(sweep);
        });
        Forking(())
    }

    pub(crate) fn leave(self) -> Sweep {
        let sweep = FORKING.take().expect("entered");
        core::mem::forget(self);
        sweep
    }
}

impl Drop for Forking {
    fn drop(&mut self) {
        drop(FORKING.take());
    }
}

/// Called by the allocator at a planned allocation of a forking run; see
/// [`Sweep::fork_at`]. Returns `true` in the child.
pub(crate) fn fork_at(allocation: Allocation) -> bool {
    let _paused = Paused::new();
    let frames = Frames::capture(state::boundary());
    FORKING.with_borrow_mut(|sweep| {
        sweep
            .as_mut()
            .is_some_and(|sweep| sweep.fork_at(allocation, frames))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_dealt_round_robin() {
        assert_eq!(deal(&[1, 2, 3, 4, 5], 2), [&[1, 3, 5][..], &[2, 4]]);
        assert_eq!(deal(&[1, 2], 4), [[1], [2]]);
        assert_eq!(deal(&[1, 2], 0), [[1, 2]]);
        assert!(deal(&[], 3).is_empty());
    }

    #[test]
    fn cheap_runs_go_to_sweepers_and_dear_ones_to_forks() {
        // A run that costs nothing: all of it is re-run.
        assert_eq!(boundary(Duration::from_nanos(1), 1, 1_000), 1_000);
        // An allocation that costs as much as a fork: hardly any.
        let dear = boundary(FORK_COST, 1, 1_000);
        assert!(dear < 100, "{dear}");
        // More sweepers take more.
        let per = Duration::from_nanos(200);
        let one = boundary(per, 1, 100_000);
        let two = boundary(per, 2, 100_000);
        assert!(0 < one && one < two && two < 100_000, "{one} {two}");
        // Never past the end.
        assert!(boundary(per, 8, 10) <= 10);
    }

    #[test]
    fn the_boundary_balances_the_two_works() {
        let per = Duration::from_micros(1);
        let total = 100_000u64;
        for sweepers in [1, 3] {
            let t = boundary(per, sweepers, total);
            // What each sweeper re-runs, and what the forks cost.
            let rerun = per.as_secs_f64() * (t * t) as f64 / (2 * sweepers) as f64;
            let forks = FORK_COST.as_secs_f64() * (total - t) as f64;
            assert!((rerun - forks).abs() < forks / 1000.0, "{sweepers}: {t}");
        }
    }

    #[test]
    fn allocations_cheaper_to_reach_than_a_fork_are_re_run() {
        // Re-running up to the sixth costs less than one fork, even where
        // the balance alone would stop at five.
        assert_eq!(boundary(FORK_COST / 6, 1, 7), 6);
    }
}
