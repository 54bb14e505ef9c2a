//! How a test is driven: dry runs until the allocation count settles (and
//! a look at the global allocator when there is none), the plan of which
//! allocations to fail, and the injection runs, in this process or in
//! children, whose verdicts make the summary or the failure.

use super::abort_report;
use super::capture::{self, StackId};
use super::failure::{FailureKind, OomTestFailure};
use super::plan::{self, Plan};
use super::run::Body;
use super::state::{self, Mode, Run, Settings};
use super::summary::OomTestSummary;
use super::tally::Tally;
use super::verdict::{Rules, RunEnd, RunRecord};
use std::time::{Duration, Instant};
use std::vec::Vec;

/// Dry runs before the allocation count must have settled.
const MAX_DRY_RUNS: usize = 10;

/// How long a run in a child may go without a sign of life, by default.
const CHILD_TIMEOUT: Duration = Duration::from_secs(10);

/// The options of a test, as [`OomTest`](super::OomTest) sets them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Options {
    pub(crate) max_iters: Option<u32>,
    pub(crate) max_duration: Option<Duration>,
    pub(crate) rules: Rules,
    pub(crate) alloc_succeeds_after_oom: bool,
    pub(crate) seed: u64,
    pub(crate) plan: Plan,
    pub(crate) print_each_injection: bool,
    pub(crate) in_process: bool,
    pub(crate) child_timeout: Option<Duration>,
    pub(crate) stop_at_first_failure: bool,
}

/// Runs the test `options` describe on `body`, failing the allocations
/// `plan` picks.
pub(crate) async fn drive(
    options: &Options,
    plan: Plan,
    body: &mut dyn Body,
) -> Result<OomTestSummary, OomTestFailure> {
    assert!(
        !state::in_run(),
        "an OomTest cannot run inside the closure of another OomTest"
    );
    let _tables = capture::Test::begin();
    if plan == Plan::Random && options.max_iters.is_none() {
        return Err(OomTestFailure::before_runs(FailureKind::MaxItersNeeded, 0));
    }
    let (allocations, per_allocation) = count_allocations(options, body).await?;
    if allocations == 0 {
        // Nothing seen: either nothing was allocated, or the allocator is
        // not there to see it.
        if !state::global_allocator_counts() {
            return Err(OomTestFailure::before_runs(
                FailureKind::AllocatorNotInstalled,
                0,
            ));
        }
        return Ok(OomTestSummary::new(0));
    }
    let max_iters = options.max_iters.map_or(u64::MAX, u64::from);
    let mut planned = match plan {
        Plan::Random => plan::random(options.seed, max_iters, allocations),
        Plan::Every | Plan::Sites { .. } => (0..allocations).collect(),
    };
    let jobs = std::thread::available_parallelism().map_or(1, |jobs| jobs.get());
    let isolated = runs_isolated(options);
    let sweepers_share = if isolated {
        let end = planned.iter().max().map_or(0, |last| last + 1);
        sweepers_share(end, per_allocation, jobs)
    } else {
        0
    };
    let record_below = match plan {
        Plan::Sites { .. } => allocations,
        _ => sweepers_share,
    };
    let recorded = if record_below > 0 {
        record_stacks(options, body, allocations, record_below).await?
    } else {
        Vec::new()
    };
    let mut sites = None;
    if let Plan::Sites { first, last } = plan {
        let (by_site, count) = plan::by_site(&recorded, first, last);
        planned = by_site;
        sites = Some(count);
    }
    if plan != Plan::Random {
        planned.truncate(usize::try_from(max_iters).unwrap_or(usize::MAX));
    }
    let deadline = options.max_duration.map(|max| Instant::now() + max);
    let tally = Tally::new(options.rules, options.stop_at_first_failure, allocations);
    let mut tally = if isolated {
        planned.sort_unstable();
        let share = Share {
            below: sweepers_share,
            recorded: &recorded,
            per_allocation,
            jobs,
        };
        sweep_isolated(options, &planned, share, deadline, tally, body).await?
    } else {
        sweep_in_process(options, &planned, deadline, tally, body).await
    };
    for target in tally.after_oom_sites_wanted() {
        if let Some(frames) = after_oom_site(body, target).await {
            tally.set_after_oom_site(target, frames);
        }
    }
    match sites {
        Some(count) => tally.finish_with_sites(count),
        None => tally.finish(),
    }
}

/// Whether runs happen in children here.
fn runs_isolated(options: &Options) -> bool {
    cfg!(all(unix, not(miri))) && !options.in_process
}

/// The options of the runs in this process.
fn settings(options: &Options) -> Settings {
    Settings {
        alloc_succeeds_after_oom: options.alloc_succeeds_after_oom,
        print_each_injection: options.print_each_injection,
        abort_report: true,
    }
}

/// The record of a run in this process that has just ended.
fn record_of(target: u64, run: &Run, outcome: super::outcome::Outcome) -> RunRecord {
    abort_report::clear();
    let (stack, after_oom_stack) = capture::take_run();
    RunRecord {
        target,
        injected: run.injected,
        stack: stack.filter(|_| run.injected.is_some()),
        after_oom: run.after_oom,
        after_oom_stack,
        end: RunEnd::Returned {
            outcome,
            live_bytes: run.live_bytes,
        },
    }
}

/// Dry runs until the count settles. Returns it, and what one allocation
/// cost in the fastest dry run (its time over its count).
async fn count_allocations(
    options: &Options,
    body: &mut dyn Body,
) -> Result<(u64, Duration), OomTestFailure> {
    let mut counts = Vec::new();
    let mut fastest = Duration::MAX;
    for dry_run in 0..MAX_DRY_RUNS {
        let mut run = Run::new(Mode::Counting, settings(options));
        let start = Instant::now();
        let outcome = body.run(&mut run).await;
        let elapsed = start.elapsed();
        let record = record_of(u64::MAX, &run, outcome);
        // The first run may fill caches that later runs reuse.
        if let Some(kind) = options.rules.judge(&record, dry_run > 0) {
            return Err(OomTestFailure::before_runs(kind, run.count));
        }
        // The fastest run is the closest to what the closure costs.
        fastest = fastest.min(elapsed);
        if counts.last() == Some(&run.count) {
            let per_allocation = fastest / u32::try_from(run.count.max(1)).unwrap_or(u32::MAX);
            return Ok((run.count, per_allocation));
        }
        counts.push(run.count);
    }
    let allocations = counts.last().copied().unwrap_or(0);
    Err(OomTestFailure::before_runs(
        FailureKind::UnstableCount { counts },
        allocations,
    ))
}

/// One more dry run, which takes the stack of each allocation below
/// `below`: what site mode plans with, and where the allocations isolated
/// sweepers fail are made (a child takes no stack).
async fn record_stacks(
    options: &Options,
    body: &mut dyn Body,
    allocations: u64,
    below: u64,
) -> Result<Vec<StackId>, OomTestFailure> {
    let mut run = Run::new(Mode::Recording { below }, settings(options));
    let outcome = body.run(&mut run).await;
    let record = record_of(u64::MAX, &run, outcome);
    let recorded = capture::take_recorded();
    // Not judged for leaks, as the forking run is not (see
    // `sweep_isolated`): the dry runs checked those.
    if let Some(kind) = options.rules.judge(&record, false) {
        return Err(OomTestFailure::before_runs(kind, allocations));
    }
    if run.count != allocations {
        return Err(OomTestFailure::before_runs(
            FailureKind::UnstableCount {
                counts: std::vec![allocations, run.count],
            },
            allocations,
        ));
    }
    Ok(recorded)
}

/// Runs each planned failure in this process, one after the other.
async fn sweep_in_process(
    options: &Options,
    planned: &[u64],
    deadline: Option<Instant>,
    mut tally: Tally,
    body: &mut dyn Body,
) -> Tally {
    for &target in planned {
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) || tally.should_stop() {
            break;
        }
        let mut run = Run::new(Mode::Injecting { target }, settings(options));
        let outcome = body.run(&mut run).await;
        tally.add(record_of(target, &run, outcome));
    }
    tally
}

/// Where the first allocation after failing allocation `target` is made:
/// a child takes no stack, so the failure is run once more in this
/// process, with allocations after it succeeding (it ran to its end in its
/// child with them failing, so it does here too). For reports only.
async fn after_oom_site(body: &mut dyn Body, target: u64) -> Option<super::frames::Frames> {
    let settings = Settings {
        alloc_succeeds_after_oom: true,
        print_each_injection: false,
        abort_report: false,
    };
    let mut run = Run::new(Mode::Injecting { target }, settings);
    let outcome = body.run(&mut run).await;
    record_of(target, &run, outcome).after_oom_stack
}

/// How the planned allocations are shared between sweepers and the
/// forking run (see `isolated`).
struct Share<'a> {
    below: u64,
    recorded: &'a [StackId],
    per_allocation: Duration,
    jobs: usize,
}

#[cfg(all(unix, not(miri)))]
fn sweepers_share(end: u64, per_allocation: Duration, jobs: usize) -> u64 {
    super::isolated::sweepers_share(end, per_allocation, jobs)
}

#[cfg(not(all(unix, not(miri))))]
fn sweepers_share(_end: u64, _per_allocation: Duration, _jobs: usize) -> u64 {
    0
}

/// Runs the planned failures (sorted) in children.
#[cfg(all(unix, not(miri)))]
async fn sweep_isolated(
    options: &Options,
    planned: &[u64],
    share: Share<'_>,
    deadline: Option<Instant>,
    tally: Tally,
    body: &mut dyn Body,
) -> Result<Tally, OomTestFailure> {
    use super::child;
    use super::isolated::{Forking, Limits, Sweep};

    fn cannot_fork(error: std::io::Error) -> ! {
        panic!("oom_test: cannot fork a child: {error}")
    }

    child::install_panic_hook();
    let limits = Limits {
        jobs: share.jobs,
        timeout: options.child_timeout.unwrap_or(CHILD_TIMEOUT),
        deadline,
        print_each_injection: options.print_each_injection,
        per_allocation: share.per_allocation,
    };
    // A child prepares no abort report: its parent reports its death.
    let settings = Settings {
        abort_report: false,
        print_each_injection: false,
        ..settings(options)
    };
    let mut sweep = Sweep::start(
        planned,
        share.below,
        share.recorded,
        settings,
        limits,
        tally,
        &mut |run| body.run_here(run),
    )
    .unwrap_or_else(|error| cannot_fork(error));
    if let Some(mut run) = sweep.forking_run() {
        let forking = Forking::enter(sweep);
        let outcome = body.run(&mut run).await;
        sweep = forking.leave();
        let record = sweep
            .forking_run_ended(&run, outcome)
            .unwrap_or_else(|error| cannot_fork(error));
        // The parent's own run failed nothing: it is judged as a dry run,
        // but not for leaks. The dry runs checked those, and this run,
        // started from another place in the harness, can fill caches keyed
        // by code address (std's symbol cache, when the closure prints a
        // backtrace) that no dry run filled.
        if let Some(kind) = options.rules.judge(&record, false) {
            return Err(OomTestFailure::before_runs(kind, run.count));
        }
    }
    Ok(sweep
        .finish(&mut |run| body.run_here(run))
        .unwrap_or_else(|error| cannot_fork(error)))
}

#[cfg(not(all(unix, not(miri))))]
async fn sweep_isolated(
    options: &Options,
    planned: &[u64],
    _share: Share<'_>,
    deadline: Option<Instant>,
    tally: Tally,
    body: &mut dyn Body,
) -> Result<Tally, OomTestFailure> {
    Ok(sweep_in_process(options, planned, deadline, tally, body).await)
}
