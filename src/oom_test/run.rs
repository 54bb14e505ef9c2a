//! One run of the closure under test: running it (a closure, or the future
//! an async closure returns, polled by whoever polls the test) with its
//! run loaded into the injection state, and judging what it returned
//! before the run ends, without allocating.

use super::frames::boundary_of;
use super::outcome::{Outcome, Returned};
use super::state::{Active, Paused, Run};
use super::text::Text;
use crate::{Error, OutOfMemory, Result};
use core::future::{Future, poll_fn};
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use std::any::Any;
use std::boxed::Box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::string::String;
use std::time::Duration;

/// The code under test, run once per run. Object-safe, so that the
/// harness is compiled once, not once per closure type under test.
pub(crate) trait Body {
    /// One run, to its end, polled by whoever polls the test: an async
    /// closure's future that is pending makes this pending too. The box is
    /// not counted: an async closure's is made before its run starts, a
    /// closure's after its run has ended (the run happens as the box's
    /// value is computed), with counting already off.
    fn run<'a>(&'a mut self, run: &'a mut Run) -> Pin<Box<dyn Future<Output = Outcome> + 'a>>;

    /// One run, to its end, on this thread and now (in a child process,
    /// which has no executor to return to).
    fn run_here(&mut self, run: &mut Run) -> Outcome {
        poll_to_end(self.run(run))
    }
}

/// A closure under test.
pub(crate) struct Closure<F>(pub(crate) F);

impl<F: FnMut() -> Result<()>> Body for Closure<F> {
    fn run<'a>(&'a mut self, run: &'a mut Run) -> Pin<Box<dyn Future<Output = Outcome> + 'a>> {
        Box::pin(core::future::ready(self.run_here(run)))
    }

    fn run_here(&mut self, run: &mut Run) -> Outcome {
        let result = catch_unwind(AssertUnwindSafe(|| {
            let marker = 0u8;
            let _active = Active::enter(run, boundary_of(&marker));
            judge((self.0)())
        }));
        match result {
            Ok(returned) => Outcome::Returned(returned),
            Err(payload) => Outcome::Panicked(panic_message(payload)),
        }
    }
}

/// An async closure under test.
pub(crate) struct AsyncClosure<F>(pub(crate) F);

impl<F: AsyncFnMut() -> Result<()>> Body for AsyncClosure<F> {
    fn run<'a>(&'a mut self, run: &'a mut Run) -> Pin<Box<dyn Future<Output = Outcome> + 'a>> {
        Box::pin(run_async(&mut self.0, run))
    }
}

/// One run of an async closure: its future, made and polled with the run
/// loaded.
async fn run_async<F: AsyncFnMut() -> Result<()>>(body: &mut F, run: &mut Run) -> Outcome {
    let entered = &mut *run;
    let made = catch_unwind(AssertUnwindSafe(once(move || {
        let marker = 0u8;
        let _active = Active::enter(entered, boundary_of(&marker));
        body()
    })));
    let future = match made {
        Ok(future) => future,
        Err(payload) => return Outcome::Panicked(panic_message(payload)),
    };
    // In an `Option` so that it can be dropped in place, inside the run,
    // once it is finished.
    let mut slot = pin!(Some(future));
    poll_fn(|cx| poll_run(slot.as_mut(), run, cx)).await
}

/// `f`, known to the compiler as called once: the future an async closure
/// returns may then borrow the closure for longer than the call.
fn once<R>(f: impl FnOnce() -> R) -> impl FnOnce() -> R {
    f
}

/// Polls the future of a run once with the run loaded; in a child, polls
/// it until it is ready (with a waker of its own: the executor's, which
/// the parent's threads drive, does not exist there).
fn poll_run<Fut: Future<Output = Result<()>>>(
    mut slot: Pin<&mut Option<Fut>>,
    run: &mut Run,
    cx: &mut Context<'_>,
) -> Poll<Outcome> {
    let mut alone = Context::from_waker(Waker::noop());
    let mut polls = 0u32;
    loop {
        let cx = if in_child() { &mut alone } else { &mut *cx };
        let polled = catch_unwind(AssertUnwindSafe(|| {
            let marker = 0u8;
            let active = Active::enter(run, boundary_of(&marker));
            let future = slot
                .as_mut()
                .as_pin_mut()
                .expect("polled until ready, then dropped");
            let Poll::Ready(result) = future.poll(cx) else {
                return Poll::Pending;
            };
            let returned = judge(result);
            // What the finished future still holds is freed in the run.
            slot.set(None);
            drop(active);
            Poll::Ready(returned)
        }));
        match polled {
            Ok(Poll::Ready(returned)) => return Poll::Ready(Outcome::Returned(returned)),
            Err(payload) => return Poll::Ready(Outcome::Panicked(panic_message(payload))),
            Ok(Poll::Pending) if in_child() => {
                polls += 1;
                pause(polls);
            }
            Ok(Poll::Pending) => return Poll::Pending,
        }
    }
}

/// Whether this process is a child of an isolated sweep.
fn in_child() -> bool {
    #[cfg(all(unix, not(miri)))]
    return super::child::is_child();
    #[cfg(not(all(unix, not(miri))))]
    false
}

/// Between two polls of a future nobody else will wake: a few yields,
/// then a millisecond at a time.
fn pause(polls: u32) {
    if polls < 16 {
        std::thread::yield_now();
    } else {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Polls `future` until it is ready, on this thread, with a waker that
/// does nothing: for futures that are ready at once (the test of a plain
/// closure) or that only yield (a run in a child).
pub(crate) fn poll_to_end<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0u32;
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        polls += 1;
        pause(polls);
    }
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
