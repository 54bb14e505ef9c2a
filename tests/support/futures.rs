//! Futures for the async tests: an executor that polls one on this thread,
//! and futures that are pending once before they are ready.

#![allow(dead_code)]

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle, Thread};
use wasmtime_error::oom_test::without_injection;

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` to its end on this thread, which parks until a waker,
/// called from any thread, unparks it.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        thread::park();
    }
}

/// Pending once (waking itself), then ready: an `.await` point that
/// allocates nothing.
pub struct YieldOnce(pub bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Pending until another thread, spawned at the first poll, has woken it.
pub struct WokenElsewhere(pub Option<JoinHandle<()>>);

impl Future for WokenElsewhere {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.0.take() {
            Some(handle) => {
                handle.join().unwrap();
                Poll::Ready(())
            }
            None => {
                let waker = cx.waker().clone();
                // Spawning allocates infallibly: not under test.
                let handle = without_injection(|| thread::spawn(move || waker.wake()));
                self.0 = Some(handle);
                Poll::Pending
            }
        }
    }
}
