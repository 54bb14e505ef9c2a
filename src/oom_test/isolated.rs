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
//! cores. Children send what they saw in fixed-size
//! messages (see [`child`](super::child)); the parent judges them.

use super::child::{self, ChildEnd, Ended, Event, Forked, Frame, Pool};
use super::report::{self, FailureKind};
use super::run::{Outcome, Returned, RunEnd, RunRecord};
use super::site::{Frames, MAX_FRAMES};
use super::state::{self, Allocation, Mode, Paused, Run, Settings};
use super::text::{TEXT_BYTES, Text};
use core::alloc::Layout;
use std::cell::{Cell, RefCell};
use std::io::{self, Write as _};
use std::string::String;
use std::time::{Duration, Instant};
use std::vec::Vec;

/// What a run forked at its allocation costs, all told, as measured on the
/// CI machine kind (a 2-core VM): `fork` itself takes 110-190 µs of the
/// parent's time, and the child's copy-on-write faults, its exit and the
/// reaping add about as much again; of the values tried for a closure of
/// 4 000 allocations (200, 600, 1 500 and 5 000 µs), this one was fastest.
const FORK_COST: Duration = Duration::from_micros(600);

/// Message kinds (word 0 of a frame).
const INJECTED: u64 = 1;
const AFTER_OOM: u64 = 2;
const JUDGED: u64 = 3;

/// The words of a frame after its header.
const DATA: usize = 8;

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
        site: Frames,
        after_oom: Option<(Allocation, Frames)>,
        judged: bool,
    },
    /// Re-runs the closure for each of `targets`; `next` is the one running.
    Sweeper {
        targets: Vec<u64>,
        next: usize,
        injected: Option<(Allocation, Frames)>,
        after_oom: Option<(Allocation, Frames)>,
    },
}

/// The parent's side of a sweep: what the children reported.
struct Collector {
    records: Vec<RunRecord>,
    /// Work of sweepers that died before finishing their lists.
    respawn: Vec<Vec<u64>>,
    /// Runs that hung once and were given a second child.
    retried: Vec<u64>,
    limits: Limits,
}

impl Collector {
    fn on(&mut self, event: Event<'_, Job>) {
        let _paused = Paused::new();
        match event {
            Event::Message(job, frame) => self.message(job, frame),
            Event::Ended(job, ended, output) => self.ended(job, ended, output),
        }
    }

    fn message(&mut self, job: &mut Job, frame: &Frame) {
        match (frame[0], job) {
            (INJECTED, Job::Sweeper { injected, .. }) => {
                let (allocation, frames) = decode_allocation(frame);
                if self.limits.print_each_injection {
                    let _ =
                        io::stderr().write_all(report::report_text(allocation, &frames).as_bytes());
                }
                *injected = Some((allocation, frames));
            }
            (AFTER_OOM, Job::Sweeper { after_oom, .. } | Job::Forked { after_oom, .. }) => {
                *after_oom = Some(decode_allocation(frame));
            }
            (JUDGED, job) => {
                let (outcome, injected_flag, live_bytes) = decode_judged(frame);
                let (target, injected, after_oom) = match job {
                    Job::Forked {
                        allocation,
                        site,
                        after_oom,
                        judged,
                    } => {
                        *judged = true;
                        (
                            allocation.index,
                            Some((*allocation, *site)),
                            after_oom.take(),
                        )
                    }
                    Job::Sweeper {
                        targets,
                        next,
                        injected,
                        after_oom,
                    } => {
                        let target = targets.get(*next).copied().unwrap_or(u64::MAX);
                        *next += 1;
                        (target, injected.take(), after_oom.take())
                    }
                };
                let injected = injected.filter(|_| injected_flag);
                self.records.push(RunRecord {
                    target,
                    injected: injected.map(|(allocation, _)| allocation),
                    site: injected.map(|(_, frames)| frames),
                    after_oom_site: after_oom.map(|(_, frames)| frames),
                    end: RunEnd::Judged {
                        outcome,
                        after_oom: after_oom.map(|(allocation, _)| allocation),
                        live_bytes,
                    },
                });
            }
            _ => {}
        }
    }

    /// Whether a run that hung gets a second child instead of a verdict. A
    /// child forked while another thread of the parent held a lock (std's
    /// backtrace lock, say) finds it held forever; that does not happen
    /// twice in a row, where a real hang does.
    fn retry_hang(&mut self, ended: Ended, target: u64, rest: &[u64]) -> bool {
        if ended != Ended::TimedOut || self.retried.contains(&target) {
            return false;
        }
        self.retried.push(target);
        let mut again = Vec::with_capacity(rest.len() + 1);
        again.push(target);
        again.extend_from_slice(rest);
        self.respawn.push(again);
        true
    }

    fn ended(&mut self, job: Job, ended: Ended, output: &[u8]) {
        let died = |limits: &Limits| death(ended, output, limits.timeout);
        match job {
            Job::Forked {
                allocation,
                judged: false,
                ..
            } if self.retry_hang(ended, allocation.index, &[]) => {}
            Job::Forked {
                allocation,
                site,
                after_oom,
                judged: false,
            } => self.records.push(RunRecord {
                target: allocation.index,
                injected: Some(allocation),
                site: Some(site),
                after_oom_site: after_oom.map(|(_, frames)| frames),
                end: RunEnd::Died(died(&self.limits)),
            }),
            Job::Forked { judged: true, .. } => {}
            Job::Sweeper {
                targets,
                next,
                injected,
                after_oom,
            } => {
                if next >= targets.len() || ended == Ended::Exited(0) {
                    // Done, or stopped at the deadline.
                    return;
                }
                if self.retry_hang(ended, targets[next], &targets[next + 1..]) {
                    return;
                }
                self.records.push(RunRecord {
                    target: targets[next],
                    injected: injected.map(|(allocation, _)| allocation),
                    site: injected.map(|(_, frames)| frames),
                    after_oom_site: after_oom.map(|(_, frames)| frames),
                    end: RunEnd::Died(died(&self.limits)),
                });
                if next + 1 < targets.len() {
                    self.respawn.push(targets[next + 1..].to_vec());
                }
            }
        }
    }
}

/// What a child's end says about its run.
fn death(ended: Ended, output: &[u8], timeout: Duration) -> FailureKind {
    let output = String::from(Text::from_bytes(tail(output)).as_str());
    match ended {
        Ended::TimedOut => FailureKind::Hung { limit: timeout },
        Ended::Signaled(libc::SIGABRT)
            if !output.contains("memory allocation of") && output.contains("panic") =>
        {
            FailureKind::DoublePanic { output }
        }
        Ended::Signaled(libc::SIGABRT) => FailureKind::Aborted { output },
        Ended::Signaled(signal) => FailureKind::Killed { signal, output },
        Ended::Exited(code) => FailureKind::Exited { code, output },
    }
}

/// The end of a child's output that fits in a [`Text`], from a line start.
fn tail(output: &[u8]) -> &[u8] {
    let start = output.len().saturating_sub(TEXT_BYTES - 4);
    let from_line = output[start..]
        .iter()
        .position(|&byte| byte == b'\n')
        .filter(|_| start > 0)
        .map_or(start, |at| start + at + 1);
    &output[from_line..]
}

/// The parent's state during the forking run, reached from the allocator.
struct Forking {
    planned: Vec<u64>,
    position: usize,
    pool: Pool<Job>,
    collector: Collector,
    error: Option<io::Error>,
    /// What re-running one allocation of the closure costs.
    per_allocation: Duration,
    /// Forks made, and the time spent making them (waiting for room in
    /// the pool included): what a fork really costs on this machine now.
    forks: u32,
    forking: Duration,
    /// Planned allocations left to sweepers after all, because forking
    /// turned out to cost more than re-running up to them.
    deferred: Vec<u64>,
}

impl Forking {
    /// Whether to fork at `index`, given what forks have cost so far.
    fn worth_forking(&self, index: u64) -> bool {
        const SAMPLE: u32 = 8;
        if self.forks < SAMPLE {
            return true;
        }
        let rerun = self.per_allocation.as_secs_f64() * index as f64;
        self.forking.as_secs_f64() / f64::from(self.forks) < rerun
    }
}

std::thread_local! {
    static FORKING: RefCell<Option<Forking>> = const { RefCell::new(None) };
    /// In a child: where its messages go.
    static CHILD: Cell<Option<ChildEnd>> = const { Cell::new(None) };
}

/// Runs the planned failures (sorted) in children. Returns a record per
/// run, and the record of the parent's own forking run if there was one
/// (a run that fails nothing, to be judged as a dry run).
pub(crate) fn sweep(
    planned: &[u64],
    per_allocation: Duration,
    settings: Settings,
    limits: Limits,
    run_once: &mut dyn FnMut(&mut Run) -> Outcome,
) -> io::Result<(Vec<RunRecord>, Option<RunRecord>)> {
    let jobs = limits.jobs.max(1);
    let allocations = planned.last().map_or(0, |last| last + 1);
    let boundary = boundary(per_allocation, jobs.saturating_sub(1).max(1), allocations);
    let split = planned.partition_point(|&target| target < boundary);
    let (low, high) = planned.split_at(split);
    let sweepers = if high.is_empty() {
        jobs
    } else {
        jobs.saturating_sub(1).max(1)
    };
    let mut pool = Pool::new(4 * jobs + sweepers, limits.timeout);
    let mut collector = Collector {
        records: Vec::with_capacity(planned.len()),
        respawn: Vec::new(),
        retried: Vec::new(),
        limits,
    };
    for part in deal(low, sweepers) {
        spawn_sweeper(&mut pool, &mut collector, part, settings, run_once)?;
    }
    let mut parent = None;
    if let Some(&first) = high.first() {
        FORKING.set(Some(Forking {
            planned: high.to_vec(),
            position: 0,
            pool,
            collector,
            error: None,
            per_allocation,
            forks: 0,
            forking: Duration::ZERO,
            deferred: Vec::new(),
        }));
        let mut run = Run::new(Mode::Forking, settings);
        run.next_fork = first;
        let outcome = run_once(&mut run);
        if let Some(end) = CHILD.get() {
            // A child forked in this run: it failed its allocation.
            send_result(
                end,
                run.injected.map_or(u64::MAX, |a| a.index),
                &run,
                &outcome,
            );
            end.exit();
        }
        let forking = FORKING.take().expect("set above");
        (pool, collector) = (forking.pool, forking.collector);
        if let Some(error) = forking.error {
            return Err(error);
        }
        collector.respawn.extend(deal(&forking.deferred, jobs));
        let captured = report::take_captured();
        parent = Some(RunRecord {
            target: u64::MAX,
            injected: None,
            site: None,
            after_oom_site: captured.after_oom,
            end: RunEnd::Judged {
                outcome,
                after_oom: run.after_oom,
                live_bytes: run.live_bytes,
            },
        });
    }
    loop {
        pool.wait_all(&mut |event| collector.on(event));
        let respawn = core::mem::take(&mut collector.respawn);
        if respawn.is_empty() || limits.expired() {
            break;
        }
        for part in respawn {
            spawn_sweeper(&mut pool, &mut collector, part, settings, run_once)?;
        }
    }
    collector.records.sort_by_key(|record| record.target);
    Ok((collector.records, parent))
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

/// The first allocation index left to forking runs: below it, re-running
/// the closure's prefix (about `per_allocation` per allocation, shared by
/// `sweepers` processes) costs less than a fork.
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

fn spawn_sweeper(
    pool: &mut Pool<Job>,
    collector: &mut Collector,
    targets: Vec<u64>,
    settings: Settings,
    run_once: &mut dyn FnMut(&mut Run) -> Outcome,
) -> io::Result<()> {
    while pool.is_full() {
        pool.service(true, &mut |event| collector.on(event));
    }
    let job = Job::Sweeper {
        targets: targets.clone(),
        next: 0,
        injected: None,
        after_oom: None,
    };
    match child::fork(job)? {
        Forked::Parent(child) => {
            pool.add(child);
            Ok(())
        }
        Forked::Child(end) => {
            CHILD.set(Some(end));
            let settings = Settings {
                in_child: true,
                ..settings
            };
            for &target in &targets {
                if collector.limits.expired() {
                    break;
                }
                let mut run = Run::new(Mode::Injecting { target }, settings);
                let outcome = run_once(&mut run);
                send_result(end, target, &run, &outcome);
            }
            end.exit()
        }
    }
}

/// Called by the allocator at a planned allocation of the forking run:
/// forks a child for each time it is planned. Returns `true` in the child,
/// which must fail the allocation; the parent goes on.
pub(crate) fn fork_at(allocation: Allocation) -> bool {
    let _paused = Paused::new();
    let frames = Frames::capture();
    FORKING.with_borrow_mut(|forking| {
        let Some(forking) = forking.as_mut() else {
            return false;
        };
        while forking.planned.get(forking.position) == Some(&allocation.index) {
            forking.position += 1;
            if forking.error.is_some() || forking.collector.limits.expired() {
                continue;
            }
            if !forking.worth_forking(allocation.index) {
                forking.deferred.push(allocation.index);
                continue;
            }
            let start = Instant::now();
            let Forking {
                pool,
                collector,
                error,
                ..
            } = &mut *forking;
            while pool.is_full() {
                pool.service(true, &mut |event| collector.on(event));
            }
            if collector.limits.print_each_injection {
                let _ = io::stderr().write_all(report::report_text(allocation, &frames).as_bytes());
            }
            let job = Job::Forked {
                allocation,
                site: frames,
                after_oom: None,
                judged: false,
            };
            match child::fork(job) {
                Ok(Forked::Parent(child)) => pool.add(child),
                Ok(Forked::Child(end)) => {
                    CHILD.set(Some(end));
                    state::become_injected(allocation);
                    return true;
                }
                Err(failed) => *error = Some(failed),
            }
            forking.forks += 1;
            forking.forking += start.elapsed();
        }
        let Forking {
            pool, collector, ..
        } = &mut *forking;
        pool.service(false, &mut |event| collector.on(event));
        let next = forking.planned.get(forking.position);
        state::set_next_fork(next.copied().unwrap_or(u64::MAX));
        false
    })
}

/// Called when a sweeper fails its planned allocation: tells the parent
/// where, before the code under test can abort.
pub(crate) fn injected_in_sweeper(allocation: Allocation, frames: &Frames) {
    if let Some(end) = CHILD.get() {
        end.send(&encode_allocation(INJECTED, allocation, frames));
    }
}

/// Sends the verdict of a run, in a child. Allocates nothing.
fn send_result(end: ChildEnd, target: u64, run: &Run, outcome: &Outcome) {
    let captured = report::take_captured();
    if let Some(allocation) = run.after_oom {
        let frames = captured.after_oom.unwrap_or(Frames::EMPTY);
        end.send(&encode_allocation(AFTER_OOM, allocation, &frames));
    }
    let (tag, text) = match outcome {
        Outcome::Returned(Returned::Ok) => (0, None),
        Outcome::Returned(Returned::Oom) => (1, None),
        Outcome::Returned(Returned::Other(text)) => (2, Some(text)),
        Outcome::Panicked(text) => (3, Some(text)),
    };
    let mut frame = [0u64; child::FRAME_WORDS];
    frame[0] = JUDGED;
    frame[1] = target;
    frame[2] = tag;
    frame[3] = u64::from(run.injected.is_some());
    frame[4] = run.live_bytes as i64 as u64;
    if let Some(text) = text {
        let bytes = text.as_str().as_bytes();
        frame[5] = bytes.len() as u64;
        for (word, chunk) in frame[DATA..].iter_mut().zip(bytes.chunks(8)) {
            let mut padded = [0u8; 8];
            padded[..chunk.len()].copy_from_slice(chunk);
            *word = u64::from_ne_bytes(padded);
        }
    }
    end.send(&frame);
}

fn decode_judged(frame: &Frame) -> (Outcome, bool, isize) {
    let len = (frame[5] as usize).min(TEXT_BYTES);
    let mut bytes = [0u8; TEXT_BYTES.next_multiple_of(8)];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(&frame[DATA..]) {
        chunk.copy_from_slice(&word.to_ne_bytes());
    }
    let text = Text::from_bytes(&bytes[..len]);
    let outcome = match frame[2] {
        0 => Outcome::Returned(Returned::Ok),
        1 => Outcome::Returned(Returned::Oom),
        2 => Outcome::Returned(Returned::Other(text)),
        _ => Outcome::Panicked(text),
    };
    (outcome, frame[3] == 1, frame[4] as i64 as isize)
}

fn encode_allocation(kind: u64, allocation: Allocation, frames: &Frames) -> Frame {
    let mut frame = [0u64; child::FRAME_WORDS];
    frame[0] = kind;
    frame[2] = allocation.index;
    frame[3] = allocation.layout.size() as u64;
    frame[4] = allocation.layout.align() as u64;
    let ips = frames.ips();
    let room = (child::FRAME_WORDS - DATA).min(MAX_FRAMES);
    frame[5] = ips.len().min(room) as u64;
    for (word, &ip) in frame[DATA..DATA + room].iter_mut().zip(ips) {
        *word = ip as u64;
    }
    frame
}

fn decode_allocation(frame: &Frame) -> (Allocation, Frames) {
    let layout = Layout::from_size_align(frame[3] as usize, frame[4] as usize)
        .unwrap_or(Layout::new::<u8>());
    let count = (frame[5] as usize).min(child::FRAME_WORDS - DATA);
    let frames = Frames::from_ips(frame[DATA..DATA + count].iter().map(|&ip| ip as usize));
    (
        Allocation {
            index: frame[2],
            layout,
        },
        frames,
    )
}
