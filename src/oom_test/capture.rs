//! What runs leave behind on this thread for the harness to read between
//! runs: the stacks of the allocation a run failed and of the first one
//! after it, and, in a recording run, the stack of each allocation, each
//! stack kept once and named by a [`StackId`].
//!
//! Only touched with the harness paused (allocations pass through) or
//! between runs, by one test at a time per thread.

use super::frames::Frames;
use super::state::Paused;
use std::cell::RefCell;
use std::collections::HashMap;
use std::vec::Vec;

/// One distinct stack seen during the current test on this thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct StackId(pub(crate) u32);

#[derive(Default)]
struct Tables {
    /// A test is using them.
    busy: bool,
    stacks: Vec<Frames>,
    ids: HashMap<Frames, StackId>,
    /// The stack of each allocation of the recording run, in order.
    recorded: Vec<StackId>,
    /// Of the current run: where the failed allocation was made, and the
    /// first one after it.
    injected: Option<StackId>,
    after_oom: Option<Frames>,
}

std::thread_local! {
    static TABLES: RefCell<Tables> = RefCell::default();
}

fn with_tables<R>(f: impl FnOnce(&mut Tables) -> R) -> R {
    let _paused = Paused::new();
    TABLES.with_borrow_mut(f)
}

/// The tables of one test; emptied when it starts and when it ends.
pub(crate) struct Test(());

impl Test {
    /// # Panics
    ///
    /// If another test is using this thread's tables: two `OomTest`s
    /// polled in turn on one thread.
    pub(crate) fn begin() -> Test {
        with_tables(|tables| {
            assert!(
                !tables.busy,
                "two OomTests cannot run interleaved on the same thread"
            );
            *tables = Tables {
                busy: true,
                ..Tables::default()
            };
        });
        Test(())
    }
}

impl Drop for Test {
    fn drop(&mut self) {
        with_tables(|tables| *tables = Tables::default());
    }
}

/// The name of `frames`, the same for the same addresses.
pub(crate) fn intern(frames: Frames) -> StackId {
    with_tables(|tables| intern_in(tables, frames))
}

fn intern_in(tables: &mut Tables, frames: Frames) -> StackId {
    let next = StackId(u32::try_from(tables.stacks.len()).unwrap_or(u32::MAX));
    *tables.ids.entry(frames).or_insert_with(|| {
        tables.stacks.push(frames);
        next
    })
}

/// The stack named `id`.
pub(crate) fn stack(id: StackId) -> Frames {
    with_tables(|tables| {
        tables
            .stacks
            .get(id.0 as usize)
            .copied()
            .unwrap_or(Frames::EMPTY)
    })
}

/// The allocation a run failed was made at `frames`.
pub(crate) fn injected(frames: Frames) -> StackId {
    with_tables(|tables| {
        let id = intern_in(tables, frames);
        tables.injected = Some(id);
        id
    })
}

/// The first allocation after the failure was made at `frames`.
pub(crate) fn after_oom(frames: Frames) {
    with_tables(|tables| tables.after_oom = Some(frames));
}

/// A recording run made its allocation `index` at `frames`.
pub(crate) fn record(index: u64, frames: Frames) {
    with_tables(|tables| {
        let id = intern_in(tables, frames);
        debug_assert_eq!(tables.recorded.len() as u64, index);
        tables.recorded.push(id);
    });
}

/// What the last run left: the stack of its failed allocation, and of the
/// first allocation after it. Call between runs.
pub(crate) fn take_run() -> (Option<StackId>, Option<Frames>) {
    with_tables(|tables| (tables.injected.take(), tables.after_oom.take()))
}

/// The stacks the recording run took, one per allocation, in order.
pub(crate) fn take_recorded() -> Vec<StackId> {
    with_tables(|tables| core::mem::take(&mut tables.recorded))
}

#[cfg(all(test, not(miri)))]
mod tests {
    use super::*;

    #[inline(never)]
    fn here() -> Frames {
        Frames::capture(0)
    }

    #[test]
    fn the_same_stack_has_one_name() {
        let _test = Test::begin();
        let frames = [here(), here()];
        assert!(frames[0] != frames[1], "two call sites");
        let first = intern(frames[0]);
        assert_eq!(intern(frames[0]), first);
        assert_ne!(intern(frames[1]), first);
        assert!(stack(first) == frames[0]);
    }

    #[test]
    fn a_run_leaves_its_stacks_once() {
        let _test = Test::begin();
        let id = injected(here());
        after_oom(here());
        let (taken, after) = take_run();
        assert_eq!(taken, Some(id));
        assert!(after.is_some());
        assert_eq!(take_run().0, None);
        record(0, here());
        record(1, here());
        assert_eq!(take_recorded().len(), 2);
    }

    #[test]
    #[should_panic = "interleaved"]
    fn tests_do_not_interleave_on_a_thread() {
        let _first = Test::begin();
        let _second = Test::begin();
    }
}
