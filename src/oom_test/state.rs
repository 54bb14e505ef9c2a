//! The per-thread injection state the allocator consults on every call.
//!
//! Everything here lives in one `const`-initialised thread local made of
//! `Cell`s, with no destructor: reading it from inside the global allocator
//! never allocates and never registers anything, and it stays readable while
//! the thread is being torn down.

use core::alloc::Layout;
use std::cell::Cell;

/// One allocation the harness saw: its index among the counted allocations
/// of a run (from 0), and what it asked for.
///
/// # Example
///
/// ```
/// use std::alloc::Layout;
/// use wasmtime_error::oom_test::Allocation;
///
/// let allocation = Allocation { index: 2, layout: Layout::new::<u64>() };
/// assert_eq!(allocation.to_string(), "allocation #2 (size 8, align 8)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Position among the allocations the closure made in that run, from 0.
    pub index: u64,
    /// The size and alignment requested.
    pub layout: Layout,
}

impl core::fmt::Display for Allocation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "allocation #{} (size {}, align {})",
            self.index,
            self.layout.size(),
            self.layout.align()
        )
    }
}

/// What a run does with the allocations it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// No test on this thread: everything passes through, nothing is counted.
    Off,
    /// A dry run: count, never fail.
    Counting,
    /// Fail the allocation with this index.
    Injecting { target: u64 },
    /// Count, never fail, and fork a child at each planned allocation
    /// (see `isolated`); the child fails it.
    Forking,
}

/// The options of an `OomTest` the allocator needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) alloc_succeeds_after_oom: bool,
    pub(crate) print_each_injection: bool,
    /// In a dry run: record the site of every allocation (site mode).
    pub(crate) record_sites: bool,
    /// This thread is a child process running the harness's runs
    /// (isolated mode): the abort report is the parent's business.
    pub(crate) in_child: bool,
}

/// The state of one run of the closure. It is loaded into the thread local
/// while the closure (or one poll of its future) runs, and saved back when
/// that returns, so it survives `.await` points.
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
pub(crate) enum Decision {
    /// Not part of a test: hand it to the system, count nothing.
    PassThrough,
    /// Hand it to the system and add its bytes to the run's balance.
    Track,
    /// Return null: the allocation the run was set to fail.
    FailInjected(Allocation),
    /// Track it, and record where it was made (a dry run in site mode).
    Record(Allocation),
    /// A planned allocation of a forking run: fork a child that fails it.
    Fork(Allocation),
    /// An allocation after the injected failure: fail it unless memory is
    /// back (`succeed`); `capture` where it was made (the first one).
    AfterInjection { succeed: bool, capture: bool },
}

struct State {
    mode: Cell<Mode>,
    settings: Cell<Settings>,
    count: Cell<u64>,
    injected: Cell<Option<Allocation>>,
    after_oom: Cell<Option<Allocation>>,
    live_bytes: Cell<isize>,
    /// Harness work in progress (capturing and printing reports): its
    /// allocations are neither counted, failed nor tracked.
    paused: Cell<u32>,
    /// Code under test that may not be failed (`without_injection`): its
    /// allocations are tracked for leaks but neither counted nor failed.
    exempt: Cell<u32>,
    /// The report of the last failed allocation, for the abort handler:
    /// address and length of bytes owned by `report::REPORT`.
    pending_report: Cell<(*const u8, usize)>,
    /// In a forking run, the index of the next planned allocation.
    next_fork: Cell<u64>,
}

const OFF_SETTINGS: Settings = Settings {
    alloc_succeeds_after_oom: false,
    print_each_injection: false,
    record_sites: false,
    in_child: false,
};

std::thread_local! {
    static STATE: State = const {
        State {
            mode: Cell::new(Mode::Off),
            settings: Cell::new(OFF_SETTINGS),
            count: Cell::new(0),
            injected: Cell::new(None),
            after_oom: Cell::new(None),
            live_bytes: Cell::new(0),
            paused: Cell::new(0),
            exempt: Cell::new(0),
            pending_report: Cell::new((core::ptr::null(), 0)),
            next_fork: Cell::new(u64::MAX),
        }
    };
}

/// Decides the fate of a request for `layout`, updating the counters.
pub(crate) fn decide(layout: Layout) -> Decision {
    STATE.with(|state| {
        if state.mode.get() == Mode::Off || state.paused.get() > 0 {
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
        match (state.mode.get(), state.injected.get()) {
            (Mode::Injecting { target }, None) if target == index => {
                state.injected.set(Some(allocation));
                Decision::FailInjected(allocation)
            }
            (Mode::Forking, _) if index == state.next_fork.get() => Decision::Fork(allocation),
            (Mode::Counting, _) if state.settings.get().record_sites => {
                Decision::Record(allocation)
            }
            (Mode::Injecting { .. }, Some(_)) => {
                let first = state.after_oom.get().is_none();
                if first {
                    state.after_oom.set(Some(allocation));
                }
                let settings = state.settings.get();
                Decision::AfterInjection {
                    succeed: settings.alloc_succeeds_after_oom,
                    capture: first,
                }
            }
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

/// Where the abort handler finds the text to print, or null. Unused where
/// no abort handler is built (see `report::abort_hook`).
#[allow(dead_code)]
pub(crate) fn pending_report() -> (*const u8, usize) {
    STATE.with(|state| state.pending_report.get())
}

pub(crate) fn set_pending_report(report: (*const u8, usize)) {
    STATE.with(|state| state.pending_report.set(report))
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
        let mut settings = state.settings.get();
        settings.in_child = true;
        state.settings.set(settings);
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
    /// # Panics
    ///
    /// If a run is already active on this thread: tests do not nest.
    pub(crate) fn enter(run: &'a mut Run) -> Active<'a> {
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
            // The mode goes last: from here on allocations are counted.
            state.mode.set(run.mode);
        });
        STATE.with(|state| state.next_fork.set(run.next_fork));
        Active { run }
    }
}

impl Drop for Active<'_> {
    fn drop(&mut self) {
        STATE.with(|state| {
            self.run.mode = state.mode.get();
            state.mode.set(Mode::Off);
            self.run.next_fork = state.next_fork.get();
            self.run.count = state.count.get();
            self.run.injected = state.injected.get();
            self.run.after_oom = state.after_oom.get();
            self.run.live_bytes = state.live_bytes.get();
            self.run.settings = state.settings.get();
            state.settings.set(OFF_SETTINGS);
            state.pending_report.set((core::ptr::null(), 0));
            state.next_fork.set(u64::MAX);
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
