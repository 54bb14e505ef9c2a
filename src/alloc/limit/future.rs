//! [`ScopedFuture`]: a future polled inside a scope.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::MemoryScope;

pin_project_lite::pin_project! {
    /// A future that enters its [`MemoryScope`] around every poll, so that
    /// what it allocates is charged to the scope whatever executor polls
    /// it, on whatever thread. Made by [`MemoryScope::bind`]. Dropping it
    /// drops the inner future outside the scope (frees are credited to the
    /// scope all the same).
    ///
    /// # Example
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// let scope = MemoryScope::new(1 << 20)?;
    /// let future = scope.bind(async { String::from("in the scope") });
    /// // Polled from another thread: still charged to the scope.
    /// let text = std::thread::spawn(move || {
    ///     let mut future = pin!(future);
    ///     let mut context = Context::from_waker(Waker::noop());
    ///     match future.as_mut().poll(&mut context) {
    ///         Poll::Ready(text) => text,
    ///         Poll::Pending => unreachable!(),
    ///     }
    /// })
    /// .join()
    /// .unwrap();
    /// assert_eq!(scope.usage(), text.len());
    /// # wasmtime_error::Ok(())
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct ScopedFuture<F> {
        scope: MemoryScope,
        #[pin]
        future: F,
    }
}

impl<F> ScopedFuture<F> {
    pub(super) fn new(scope: MemoryScope, future: F) -> ScopedFuture<F> {
        ScopedFuture { scope, future }
    }
}

impl<F: Future> Future for ScopedFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let future = this.future;
        this.scope.run(|| future.poll(cx))
    }
}
