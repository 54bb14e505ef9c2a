//! Async code under the harness, as Wasmtime's OOM suite runs it: inside
//! `#[tokio::test] async fn`, `test_async` and `fuzz_async` are futures the
//! runtime polls, with the allocation count kept across `.await` points and
//! the allocations of other tasks, made between polls, not counted.

#[path = "support/futures.rs"]
mod futures;

use futures::{WokenElsewhere, YieldOnce};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use wasmtime_error::Result;
use wasmtime_error::oom_test::{FailureKind, OomTest, OomTestAllocator, OomTestFailure};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// Three allocations around two `.await` points.
async fn three_around_awaits() -> Result<()> {
    let mut first = Vec::<u8>::new();
    first.try_reserve_exact(8)?;
    YieldOnce(false).await;
    let mut second = Vec::<u8>::new();
    second.try_reserve_exact(16)?;
    YieldOnce(false).await;
    Vec::<u8>::new().try_reserve_exact(24)?;
    Ok(())
}

#[tokio::test]
#[cfg_attr(
    miri,
    ignore = "tokio's runtime is slow under Miri; the executor test runs"
)]
async fn test_async_is_the_tail_of_a_tokio_test() -> Result<()> {
    OomTest::new().test_async(three_around_awaits).await
}

#[tokio::test]
#[cfg_attr(
    miri,
    ignore = "tokio's runtime is slow under Miri; the executor test runs"
)]
async fn fuzz_async_needs_max_iters_then_passes_with_a_seed() -> Result<()> {
    let error = OomTest::new()
        .fuzz_async(three_around_awaits)
        .await
        .unwrap_err();
    let failure = error.downcast_ref::<OomTestFailure>().unwrap();
    assert!(matches!(failure.kind(), FailureKind::MaxItersNeeded));
    OomTest::new()
        .max_iters(5)
        .seed(3)
        .fuzz_async(three_around_awaits)
        .await
}

#[tokio::test]
#[cfg_attr(
    miri,
    ignore = "tokio's runtime is slow under Miri; the executor test runs"
)]
async fn a_missed_failure_is_found_under_tokio() {
    for isolated in [true, false] {
        let failure = OomTest::new()
            .isolated(isolated)
            .check_async(async || {
                Vec::<u8>::new().try_reserve_exact(8)?;
                YieldOnce(false).await;
                let _ignored = Vec::<u8>::new().try_reserve_exact(16);
                Ok(())
            })
            .await
            .unwrap_err();
        assert!(
            matches!(failure.kind(), FailureKind::MissedOom),
            "{failure}"
        );
        assert_eq!(failure.injected().unwrap().index, 1);
    }
    // Wasmtime's call says so too, with the failure inside its error.
    let error = OomTest::new()
        .test_async(async || {
            let _ignored = Vec::<u8>::new().try_reserve_exact(16);
            Ok(())
        })
        .await
        .unwrap_err();
    let failure = error.downcast_ref::<OomTestFailure>().unwrap();
    assert!(
        matches!(failure.kind(), FailureKind::MissedOom),
        "{failure}"
    );
}

#[tokio::test]
#[cfg_attr(
    miri,
    ignore = "tokio's runtime is slow under Miri; the executor test runs"
)]
async fn other_tasks_allocate_between_polls_uncounted() {
    let stop = Arc::new(AtomicBool::new(false));
    let turns = Arc::new(AtomicUsize::new(0));
    let noise = tokio::spawn({
        let (stop, turns) = (Arc::clone(&stop), Arc::clone(&turns));
        async move {
            while !stop.load(Ordering::Relaxed) {
                std::hint::black_box(vec![0u8; 64]);
                turns.fetch_add(1, Ordering::Relaxed);
                tokio::task::yield_now().await;
            }
        }
    });
    let summary = OomTest::new()
        .isolated(false)
        .check_async(three_around_awaits)
        .await
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    noise.await.unwrap();
    // The other task ran while the closure's future was pending ...
    assert!(turns.load(Ordering::Relaxed) > 0);
    // ... and none of its allocations was the closure's.
    assert_eq!((summary.allocations, summary.injected), (3, 3));
}

#[test]
fn the_test_is_pending_while_the_closure_waits() {
    for isolated in [true, false] {
        let polls = AtomicUsize::new(0);
        let test = OomTest::new().isolated(isolated).allow_leaks(true).clone();
        let checked = test.check_async(async || {
            Vec::<u8>::new().try_reserve_exact(8)?;
            WokenElsewhere(None).await;
            Vec::<u8>::new().try_reserve_exact(8)?;
            Ok(())
        });
        let counted = CountPolls {
            inner: Box::pin(checked),
            polls: &polls,
        };
        let summary = futures::block_on(counted).unwrap();
        assert_eq!(summary.allocations, 2);
        // Pending at least once per run of this process: two dry runs.
        assert!(polls.load(Ordering::Relaxed) > 2, "isolated: {isolated}");
    }
}

/// Counts the polls of the future it wraps.
struct CountPolls<'a, F> {
    inner: Pin<Box<F>>,
    polls: &'a AtomicUsize,
}

impl<F: Future> Future for CountPolls<'_, F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        self.inner.as_mut().poll(cx)
    }
}

/// The waker a [`WokenByAThread`] left, woken every millisecond by a
/// thread of this process (a child forked from it has no such thread).
#[cfg(all(unix, not(miri)))]
static LEFT: std::sync::Mutex<Option<std::task::Waker>> = std::sync::Mutex::new(None);

/// Pending once, woken by the thread that serves [`LEFT`].
#[cfg(all(unix, not(miri)))]
struct WokenByAThread(bool);

#[cfg(all(unix, not(miri)))]
impl Future for WokenByAThread {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        // Never waits for the lock: the serving thread may have held it
        // when a child was forked, and holds it there for good.
        match LEFT.try_lock() {
            Ok(mut left) => *left = Some(cx.waker().clone()),
            Err(_) => cx.waker().wake_by_ref(),
        }
        Poll::Pending
    }
}

/// Slow enough that its runs are forked at their allocation, and pending
/// once after each allocation, the failed one included.
#[cfg(all(unix, not(miri)))]
async fn slow_with_an_await_after_each() -> Result<()> {
    for size in 1..=6 {
        std::thread::sleep(std::time::Duration::from_millis(2));
        let reserved = Vec::<u8>::new().try_reserve_exact(size);
        WokenByAThread(false).await;
        reserved?;
    }
    Ok(())
}

#[cfg(all(unix, not(miri)))]
#[tokio::test]
async fn a_child_forked_in_a_poll_polls_the_rest_of_its_run_itself() {
    std::thread::spawn(|| {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(1));
            if let Some(waker) = LEFT.lock().unwrap().take() {
                waker.wake();
            }
        }
    });
    // In a child, the thread that would wake the run is not there: a
    // pending poll handed back to the runtime would wait for nothing.
    let summary = OomTest::new()
        .child_timeout(std::time::Duration::from_secs(2))
        .check_async(slow_with_an_await_after_each)
        .await
        .unwrap();
    assert_eq!(summary.injected, 6);
    // None hung (a run re-run from the start in a new child would pass).
    assert_eq!(summary.retried, 0);
}
