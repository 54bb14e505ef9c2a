//! One run of the closure under test: running it (a closure, or a future
//! polled to completion), judging what it returned without allocating, and
//! the record of a run with a planned failure, wherever it ran.

use super::report;
use super::report::FailureKind;
use super::site::Frames;
use super::state::{Active, Allocation, Paused, Run};
use super::text::Text;
use crate::{Error, OutOfMemory, Result};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::any::Any;
use std::boxed::Box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::string::String;
use std::sync::Arc;
use std::task::Wake;
use std::thread::{self, Thread};

/// How one run ended. Holds no allocation, so that a child can send it.
pub(crate) enum Outcome {
    Returned(Returned),
    Panicked(Text),
}

/// What the closure returned, judged while the run was still loaded.
#[allow(
    clippy::large_enum_variant,
    reason = "the message is inline so that judging a run allocates nothing"
)]
pub(crate) enum Returned {
    Ok,
    Oom,
    Other(Text),
}

/// What one run with a planned failure did, wherever it ran.
pub(crate) struct RunRecord {
    /// The allocation it was to fail (`u64::MAX`: none).
    pub(crate) target: u64,
    /// The allocation it failed, if it got there.
    pub(crate) injected: Option<Allocation>,
    /// Where that allocation was made.
    pub(crate) site: Option<Frames>,
    /// Where the first allocation after it was made.
    pub(crate) after_oom_site: Option<Frames>,
    pub(crate) end: RunEnd,
}

impl RunRecord {
    /// The record of a run in this process that has just ended.
    pub(crate) fn of(target: u64, run: &Run, outcome: Outcome) -> RunRecord {
        let captured = report::take_captured();
        RunRecord {
            target,
            injected: run.injected,
            site: captured.injected.filter(|_| run.injected.is_some()),
            after_oom_site: captured.after_oom,
            end: RunEnd::Judged {
                outcome,
                after_oom: run.after_oom,
                live_bytes: run.live_bytes,
            },
        }
    }
}

/// How a run ended.
#[allow(
    clippy::large_enum_variant,
    reason = "the message is inline so that judging a run allocates nothing"
)]
pub(crate) enum RunEnd {
    /// It returned (or panicked) and was judged.
    Judged {
        outcome: Outcome,
        after_oom: Option<Allocation>,
        live_bytes: isize,
    },
    /// Its process died (isolated mode).
    Died(FailureKind),
}

/// Judges the closure's result and drops it inside the run, so that the
/// error's memory is freed where it was allocated as far as the leak count
/// goes.
fn judge(result: Result<()>) -> Returned {
    match result {
        Ok(()) => Returned::Ok,
        Err(error) if error.is::<OutOfMemory>() => Returned::Oom,
        Err(error) => Returned::Other(describe(&error)),
    }
}

/// `{:#}` of an error, made with the harness paused.
fn describe(error: &Error) -> Text {
    let _paused = Paused::new();
    Text::format(format_args!("{error:#}"))
}

fn panic_message(payload: Box<dyn Any + Send>) -> Text {
    let message = match payload.downcast_ref::<&'static str>() {
        Some(text) => Text::format(format_args!("{text}")),
        None => match payload.downcast_ref::<String>() {
            Some(text) => Text::format(format_args!("{text}")),
            None => Text::format(format_args!("(a panic payload that is not a string)")),
        },
    };
    let _paused = Paused::new();
    drop(payload);
    message
}

pub(crate) fn run_sync(body: &mut dyn FnMut() -> Result<()>, run: &mut Run) -> Outcome {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let _active = Active::enter(run);
        judge(body())
    }));
    match result {
        Ok(returned) => Outcome::Returned(returned),
        Err(payload) => Outcome::Panicked(panic_message(payload)),
    }
}

pub(crate) fn run_async<F, Fut>(body: &mut F, waker: &Waker, run: &mut Run) -> Outcome
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let mut context = Context::from_waker(waker);
    let result = catch_unwind(AssertUnwindSafe(|| {
        let future = {
            let _active = Active::enter(run);
            body()
        };
        // In an `Option` so that it can be dropped in place, inside a run,
        // once it is finished.
        let mut slot = pin!(Some(future));
        loop {
            let active = Active::enter(run);
            let future = slot
                .as_mut()
                .as_pin_mut()
                .expect("polled until ready, then dropped");
            if let Poll::Ready(result) = future.poll(&mut context) {
                let returned = judge(result);
                // What the finished future still holds is freed in the run.
                slot.set(None);
                drop(active);
                break returned;
            }
            drop(active);
            thread::park();
        }
    }));
    match result {
        Ok(returned) => Outcome::Returned(returned),
        Err(payload) => Outcome::Panicked(panic_message(payload)),
    }
}

/// Wakes the thread polling the test's future.
pub(crate) struct ThreadWaker(pub(crate) Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}
