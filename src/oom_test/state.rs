//! The per-thread injection state the allocator consults on every call.
//!
//! Everything here lives in one `const`-initialised thread local made of
//! `Cell`s, with no destructor: reading it from inside the global allocator
//! never allocates and never registers anything, and it stays readable while
//! the thread is being torn down. A [`Run`] is loaded into it while the
//! closure (or one poll of its future) runs, and saved back when that
//! returns.

use super::allocation::Allocation;
use core::alloc::Layout;
use std::cell::Cell;

/// What a run does with the allocations it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// No test on this thread: everything passes through, nothing is counted.
    Off,
    /// A dry run: count, never fail.
    Counting,
    /// A dry run that also takes the stack of every allocation below
    /// `below` (the allocations isolated sweepers and site mode plan).
    Recording { below: u64 },
    /// Fail the allocation with this index.
    Injecting { target: u64 },
    /// Count, never fail, and fork a child at each planned allocation
    /// (see `isolated`); the child fails it.
    Forking,
}

/// The options of an `OomTest` the allocator needs.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Settings {
    pub(crate) alloc_succeeds_after_oom: bool,
    /// Write the report of each failed allocation at once.
    pub(crate) print_each_injection: bool,
    /// Prepare the report the abort handler prints (runs in this process).
    pub(crate) abort_report: bool,
}

/// The state of one run of the closure, kept between its polls.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run {
    pub(crate) mode: Mode,
    pub(crate) settings: Settings,
    /// Counted allocations so far.
    pub(crate) count: u64,
    /// The allocation that was made to fail, once it has been.
    pub(crate) injected: Option<Allocation>,
    /// The first allocation attempted after the injected failure.
    pub(crate) after_oom: Option<Allocation>,
    /// Bytes allocated minus bytes freed on this thread during the run.
    pub(crate) live_bytes: isize,
    /// In a forking run, the next planned allocation.
    pub(crate) next_fork: u64,
}

impl Run {
    pub(crate) fn new(mode: Mode, settings: Settings) -> Run {
        Run {
            mode,
            settings,
            count: 0,
            injected: None,
            after_oom: None,
            live_bytes: 0,
            next_fork: u64::MAX,
        }
    }
}

/// What the allocator does with one request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Not part of a test: hand it to the system, count nothing.
    PassThrough,
    /// Hand it to the system and add its bytes to the run's balance.
    Track,
    /// Return null: the allocation the run was set to fail.
    Inject(Allocation),
    /// Track it, and take its stack (a recording run).
    Record(Allocation),
    /// A planned allocation of a forking run: fork a child that fails it.
    Fork(Allocation),
    /// An allocation after the injected failure: fail it unless memory is
    /// back (`succeed`); `first` tells the first one, whose site is wanted.
    AfterInjection {
        allocation: Allocation,
        first: bool,
        succeed: bool,
    },
}

struct State {
    mode: Cell<Mode>,
    settings: Cell<Settings>,
    count: Cell<u64>,
    injected: Cell<Option<Allocation>>,
    after_oom: Cell<Option<Allocation>>,
    live_bytes: Cell<isize>,
    next_fork: Cell<u64>,
    /// Where stacks taken in this run stop (see `Frames::capture`).
    boundary: Cell<usize>,
    /// Harness work in progress (capturing and printing reports): its
    /// allocations are neither counted, failed nor tracked.
    paused: Cell<u32>,
    /// Code under test that may not be failed (`without_injection`): its
    /// allocations are tracked for leaks but neither counted nor failed.
    exempt: Cell<u32>,
}

const OFF: Settings = Settings {
    alloc_succeeds_after_oom: false,
    print_each_injection: false,
    abort_report: false,
};

std::thread_local! {
    static STATE: State = const {
        State {
            mode: Cell::new(Mode::Off),
            settings: Cell::new(OFF),
            count: Cell::new(0),
            injected: Cell::new(None),
            after_oom: Cell::new(None),
            live_bytes: Cell::new(0),
            next_fork: Cell::new(u64::MAX),
            boundary: Cell::new(0),
            paused: Cell::new(0),
            exempt: Cell::new(0),
        }
    };
}

/// Decides the fate of a request for `layout`, updating the counters.
pub(crate) fn decide(layout: Layout) -> Decision {
    STATE.with(|state| {
        let mode = state.mode.get();
        if mode == Mode::Off || state.paused.get() > 0 {
            return Decision::PassThrough;
        }
        // While unwinding, the panic machinery allocates (its payload, the
        // hook's message); failing those would turn a test failure into an
        // abort, so they pass, and the run is not checked for leaks anyway.
        if std::thread::panicking() {
            return Decision::PassThrough;
        }
        if state.exempt.get() > 0 {
            return Decision::Track;
        }
        let index = state.count.get();
        state.count.set(index + 1);
        let allocation = Allocation { index, layout };
        match (mode, state.injected.get()) {
            (Mode::Injecting { target }, None) if target == index => {
                state.injected.set(Some(allocation));
                Decision::Inject(allocation)
            }
            (Mode::Injecting { .. }, Some(_)) => {
                let first = state.after_oom.get().is_none();
                if first {
                    state.after_oom.set(Some(allocation));
                }
                Decision::AfterInjection {
                    allocation,
                    first,
                    succeed: state.settings.get().alloc_succeeds_after_oom,
                }
            }
            (Mode::Forking, _) if index == state.next_fork.get() => Decision::Fork(allocation),
            (Mode::Recording { below }, _) if index < below => Decision::Record(allocation),
            _ => Decision::Track,
        }
    })
}

/// Adds `delta` bytes to the balance of the run, if one is being tracked.
pub(crate) fn track_bytes(delta: isize) {
    STATE.with(|state| {
        if state.mode.get() != Mode::Off && state.paused.get() == 0 && !std::thread::panicking() {
            state
                .live_bytes
                .set(state.live_bytes.get().wrapping_add(delta));
        }
    })
}

pub(crate) fn settings() -> Settings {
    STATE.with(|state| state.settings.get())
}

/// Where stacks taken now stop (0: nowhere).
pub(crate) fn boundary() -> usize {
    STATE.with(|state| state.boundary.get())
}

/// Plans the next fork of a forking run (`u64::MAX`: none).
pub(crate) fn set_next_fork(index: u64) {
    STATE.with(|state| state.next_fork.set(index))
}

/// In a child forked at `allocation`: the run from here on is the one that
/// failed it.
pub(crate) fn become_injected(allocation: Allocation) {
    STATE.with(|state| {
        state.mode.set(Mode::Injecting {
            target: allocation.index,
        });
        state.injected.set(Some(allocation));
        state.next_fork.set(u64::MAX);
    })
}

/// Whether a run is loaded on this thread.
pub(crate) fn in_run() -> bool {
    STATE.with(|state| state.mode.get() != Mode::Off)
}

/// A run loaded into this thread's state; dropping it (also while
/// unwinding) saves the run back and turns injection off.
pub(crate) struct Active<'a> {
    run: &'a mut Run,
}

impl<'a> Active<'a> {
    /// Loads `run`; stacks taken meanwhile stop at `boundary` (see
    /// [`boundary_of`](super::frames::boundary_of)).
    ///
    /// # Panics
    ///
    /// If a run is already active on this thread: tests do not nest.
    pub(crate) fn enter(run: &'a mut Run, boundary: usize) -> Active<'a> {
        STATE.with(|state| {
            assert!(
                state.mode.get() == Mode::Off,
                "an OomTest cannot run inside another OomTest on the same thread"
            );
            state.settings.set(run.settings);
            state.count.set(run.count);
            state.injected.set(run.injected);
            state.after_oom.set(run.after_oom);
            state.live_bytes.set(run.live_bytes);
            state.next_fork.set(run.next_fork);
            state.boundary.set(boundary);
            // The mode goes last: from here on allocations are counted.
            state.mode.set(run.mode);
        });
        Active { run }
    }
}

impl Drop for Active<'_> {
    fn drop(&mut self) {
        STATE.with(|state| {
            self.run.mode = state.mode.replace(Mode::Off);
            self.run.count = state.count.get();
            self.run.injected = state.injected.get();
            self.run.after_oom = state.after_oom.get();
            self.run.live_bytes = state.live_bytes.get();
            self.run.next_fork = state.next_fork.replace(u64::MAX);
            self.run.settings = state.settings.replace(OFF);
            state.boundary.set(0);
        })
    }
}

/// Harness work during which this thread's allocations pass straight
/// through; nests.
pub(crate) struct Paused(());

impl Paused {
    pub(crate) fn new() -> Paused {
        STATE.with(|state| state.paused.set(state.paused.get() + 1));
        Paused(())
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        STATE.with(|state| state.paused.set(state.paused.get() - 1));
    }
}

/// Runs `f` with injection off for its allocations on this thread; see
/// [`without_injection`](super::without_injection).
pub(crate) struct Exempt(());

impl Exempt {
    pub(crate) fn new() -> Exempt {
        STATE.with(|state| state.exempt.set(state.exempt.get() + 1));
        Exempt(())
    }
}

impl Drop for Exempt {
    fn drop(&mut self) {
        STATE.with(|state| state.exempt.set(state.exempt.get() - 1));
    }
}

/// Whether [`OomTestAllocator`](super::OomTestAllocator) sees what the
/// global allocator is asked for: one allocation made through it, in a run
/// of its own, must have been counted. True also where the test allocator
/// is wrapped by another global allocator that hands requests on to it.
pub(crate) fn global_allocator_counts() -> bool {
    let mut run = Run::new(Mode::Counting, OFF);
    {
        let marker = 0u8;
        let _active = Active::enter(&mut run, super::frames::boundary_of(&marker));
        let layout = Layout::new::<u64>();
        // SAFETY: the layout is not zero-sized; the block is freed with the
        // same layout. `black_box` keeps the pair from being optimised away.
        unsafe {
            let block = core::hint::black_box(std::alloc::alloc(layout));
            if !block.is_null() {
                std::alloc::dealloc(block, layout);
            }
        }
    }
    run.count > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_run<R>(run: &mut Run, f: impl FnOnce() -> R) -> R {
        let _active = Active::enter(run, 0);
        f()
    }

    fn layout(size: usize) -> Layout {
        Layout::from_size_align(size, 8).unwrap()
    }

    #[test]
    fn outside_a_run_everything_passes_through() {
        assert_eq!(decide(layout(8)), Decision::PassThrough);
        assert!(!in_run());
    }

    #[test]
    fn injecting_fails_the_target_then_reports_what_follows() {
        let mut run = Run::new(Mode::Injecting { target: 1 }, OFF);
        let decisions = with_run(&mut run, || {
            [8, 16, 24, 32].map(|size| decide(layout(size)))
        });
        let at = |index: u64, size: usize| Allocation {
            index,
            layout: layout(size),
        };
        assert_eq!(
            decisions,
            [
                Decision::Track,
                Decision::Inject(at(1, 16)),
                Decision::AfterInjection {
                    allocation: at(2, 24),
                    first: true,
                    succeed: false
                },
                Decision::AfterInjection {
                    allocation: at(3, 32),
                    first: false,
                    succeed: false
                },
            ]
        );
        assert_eq!(run.count, 4);
        assert_eq!(run.injected, Some(at(1, 16)));
        assert_eq!(run.after_oom, Some(at(2, 24)));
        assert_eq!(run.mode, Mode::Injecting { target: 1 });
        assert!(!in_run());
    }

    #[test]
    fn allocations_succeed_after_the_failure_when_asked() {
        let settings = Settings {
            alloc_succeeds_after_oom: true,
            ..OFF
        };
        let mut run = Run::new(Mode::Injecting { target: 0 }, settings);
        let second = with_run(&mut run, || {
            decide(layout(1));
            decide(layout(2))
        });
        assert!(matches!(
            second,
            Decision::AfterInjection { succeed: true, .. }
        ));
    }

    #[test]
    fn recording_takes_only_what_is_below_its_bound() {
        let mut run = Run::new(Mode::Recording { below: 2 }, OFF);
        let decisions = with_run(&mut run, || [1, 2, 3].map(|size| decide(layout(size))));
        assert!(matches!(
            decisions[0],
            Decision::Record(Allocation { index: 0, .. })
        ));
        assert!(matches!(
            decisions[1],
            Decision::Record(Allocation { index: 1, .. })
        ));
        assert_eq!(decisions[2], Decision::Track);
    }

    #[test]
    fn forking_forks_at_the_planned_allocation_only() {
        let mut run = Run::new(Mode::Forking, OFF);
        run.next_fork = 1;
        let decisions = with_run(&mut run, || [1, 2, 3].map(|size| decide(layout(size))));
        assert_eq!(decisions[0], Decision::Track);
        assert!(matches!(
            decisions[1],
            Decision::Fork(Allocation { index: 1, .. })
        ));
        assert_eq!(decisions[2], Decision::Track);
    }

    #[test]
    fn paused_and_exempt_allocations_are_not_counted() {
        let mut run = Run::new(Mode::Injecting { target: 0 }, OFF);
        with_run(&mut run, || {
            let paused = Paused::new();
            assert_eq!(decide(layout(8)), Decision::PassThrough);
            drop(paused);
            let exempt = Exempt::new();
            assert_eq!(decide(layout(8)), Decision::Track);
            drop(exempt);
        });
        assert_eq!((run.count, run.injected), (0, None));
    }

    #[test]
    fn the_balance_follows_the_run() {
        let mut run = Run::new(Mode::Counting, OFF);
        with_run(&mut run, || {
            track_bytes(64);
            track_bytes(-16);
        });
        track_bytes(1_000);
        assert_eq!(run.live_bytes, 48);
    }

    #[test]
    fn a_run_is_saved_and_resumed() {
        let mut run = Run::new(Mode::Counting, OFF);
        with_run(&mut run, || decide(layout(1)));
        with_run(&mut run, || decide(layout(1)));
        assert_eq!(run.count, 2);
    }

    #[test]
    #[should_panic = "cannot run inside another OomTest"]
    fn runs_do_not_nest() {
        let mut outer = Run::new(Mode::Counting, OFF);
        let mut inner = Run::new(Mode::Counting, OFF);
        with_run(&mut outer, || with_run(&mut inner, || ()));
    }
}
