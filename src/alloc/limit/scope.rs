//! [`MemoryScope`], the handle to a scope, and [`ScopeGuard`], a thread
//! inside it.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::ptr::NonNull;

use super::future::ScopedFuture;
use super::state::{self, State};
use super::thread::{self, Entry};
use crate::OutOfMemory;

/// A byte limit on the allocations of a call tree, and its counters.
///
/// Every allocation a thread makes while it is inside the scope (through
/// [`run`](MemoryScope::run), [`enter`](MemoryScope::enter), or a future
/// from [`bind`](MemoryScope::bind)) is charged to it and to the scopes it
/// was created in; it is credited back when freed, wherever and whenever
/// that happens. Requires [`LimitAllocator`](super::LimitAllocator) as the
/// global allocator. The [module docs](super) say what happens at the limit.
///
/// A handle is `Clone + Send + Sync`: clones are the same scope, so another
/// thread can charge it too. The counters live until the last handle is
/// dropped and every block allocated in the scope is freed.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryVec;
/// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
///
/// #[global_allocator]
/// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
///
/// let scope = MemoryScope::new(1024)?;
/// let result = scope.run(|| {
///     let mut numbers = TryVec::new();
///     for n in 0..1000u64 {
///         numbers.push(n)?;
///     }
///     wasmtime_error::Ok(numbers)
/// });
/// assert!(result.unwrap_err().is::<wasmtime_error::OutOfMemory>());
/// assert_eq!(scope.usage(), 0);
/// assert!(scope.peak() <= 1024);
/// assert_eq!(scope.refused(), 1);
/// # wasmtime_error::Ok(())
/// ```
pub struct MemoryScope {
    /// One counted reference.
    state: NonNull<State>,
}

// SAFETY: the state is counters behind atomics and fields set before it is
// shared; its references are counted atomically, and the last one frees it
// from any thread.
unsafe impl Send for MemoryScope {}
// SAFETY: as above: `&MemoryScope` only reads and updates atomics.
unsafe impl Sync for MemoryScope {}

impl MemoryScope {
    /// A scope of `limit` bytes, inside the scope the calling thread is in
    /// (if any), whose limit then binds too. Its counters are allocated on
    /// the spot, charged to no scope; `Err` if that allocation fails.
    ///
    /// # Panics
    ///
    /// If [`LimitAllocator`](super::LimitAllocator) is not the global
    /// allocator: the message shows the line to add.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// let outer = MemoryScope::new(4096)?;
    /// let inner = outer.run(|| MemoryScope::new(1 << 20))?;
    /// let data = inner.run(|| TryVec::<u8>::with_capacity(1000))?;
    /// assert_eq!((inner.usage(), outer.usage()), (1000, 1000));
    /// drop(data);
    /// assert_eq!(outer.usage(), 0);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn new(limit: usize) -> Result<MemoryScope, OutOfMemory> {
        let state = thread::with(|thread| thread.create_state(limit))?;
        Ok(MemoryScope { state })
    }

    /// Adds a hard ceiling: past `hard_limit` bytes every request is
    /// refused, infallible ones too, which ends the process (Rust aborts on
    /// an infallible allocation that fails). A ceiling below the limit
    /// lowers the limit to it.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// let scope = MemoryScope::new(1 << 20)?.with_hard_limit(8 << 20);
    /// assert_eq!(scope.hard_limit(), Some(8 << 20));
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn with_hard_limit(self, hard_limit: usize) -> MemoryScope {
        self.state().set_hard_limit(hard_limit);
        self
    }

    /// The scope the calling thread is in, if any.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// assert!(MemoryScope::current().is_none());
    /// let scope = MemoryScope::new(1 << 20)?;
    /// let inside = scope.run(MemoryScope::current).unwrap();
    /// assert_eq!(inside.limit(), 1 << 20);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn current() -> Option<MemoryScope> {
        thread::with(|thread| {
            let (state, _) = thread.own_reserve()?;
            // SAFETY: the current scope is held by this thread; the handle
            // gets a reference of its own.
            unsafe { state::retain(state) };
            Some(MemoryScope { state })
        })
    }

    /// Puts the calling thread inside this scope until the guard is
    /// dropped. Guards must be dropped in the reverse order of their
    /// making (as they are when they live in nested blocks): dropping one
    /// while a guard made after it is still alive makes the thread leave
    /// every scope, and panics (unless the thread is already panicking).
    ///
    /// A forgotten guard (`mem::forget`) leaves the thread inside the scope
    /// until a guard made before it is dropped, or the thread ends.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// let scope = MemoryScope::new(1 << 20)?;
    /// let guard = scope.enter();
    /// let text = String::from("charged");
    /// drop(guard);
    /// assert_eq!(scope.usage(), 7);
    /// drop(text);
    /// assert_eq!(scope.usage(), 0);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn enter(&self) -> ScopeGuard {
        // SAFETY: this handle holds a reference.
        let entry = thread::with(|thread| unsafe { thread.enter(self.state) });
        ScopeGuard {
            entry,
            _not_send: PhantomData,
        }
    }

    /// Runs `f` inside this scope.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    /// use wasmtime_error::try_vec;
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// let scope = MemoryScope::new(1 << 20)?;
    /// let words = scope.run(|| try_vec![TryString::try_from("a")?, TryString::try_from("b")?])?;
    /// assert_eq!(scope.usage(), 2 * size_of::<TryString>() + 2);
    /// # drop(words);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        let _inside = self.enter();
        f()
    }

    /// `future`, polled inside this scope, whatever the executor and
    /// thread that polls it.
    ///
    /// # Example
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use wasmtime_error::alloc::TryVec;
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// let scope = MemoryScope::new(1 << 20)?;
    /// let mut future = pin!(scope.bind(async { TryVec::<u8>::with_capacity(100) }));
    /// let mut context = Context::from_waker(Waker::noop());
    /// let Poll::Ready(bytes) = future.as_mut().poll(&mut context) else {
    ///     unreachable!()
    /// };
    /// let bytes = bytes?;
    /// assert_eq!(scope.usage(), 100);
    /// # drop(bytes);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn bind<F: Future>(&self, future: F) -> ScopedFuture<F> {
        ScopedFuture::new(self.clone(), future)
    }

    /// `Err(OutOfMemory)` while this scope or one it is inside is over its
    /// limit, which only infallible allocations can bring about: the place
    /// to stop work that went too far. The error's size is by how many
    /// bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// let scope = MemoryScope::new(100)?;
    /// #[allow(clippy::disallowed_macros, reason = "an infallible allocation, on purpose")]
    /// let big = scope.run(|| vec![0u8; 150]); // charged anyway
    /// let oom = scope.check().unwrap_err();
    /// assert_eq!(oom.requested_allocation_size(), 50);
    /// drop(big);
    /// assert!(scope.check().is_ok());
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn check(&self) -> Result<(), OutOfMemory> {
        let own = thread::with(|thread| thread.own_reserve());
        // SAFETY: this handle holds a reference, and the thread one to its
        // current scope.
        match unsafe { state::over_limit(self.state, own) } {
            Some(excess) => Err(OutOfMemory::new(excess)),
            None => Ok(()),
        }
    }

    /// Bytes allocated in this scope (and the scopes created inside it)
    /// and not yet freed. While other threads are inside it, what they
    /// hold in reserve counts too (up to 64 KiB each); read on a thread
    /// inside it, that thread's reserve does not.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::boxed::try_new_box;
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// let scope = MemoryScope::new(1 << 20)?;
    /// let block = scope.run(|| try_new_box([0u64; 8]))?;
    /// assert_eq!(scope.usage(), 64);
    /// # drop(block);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn usage(&self) -> usize {
        let charged = self.state().charged();
        charged.saturating_sub(self.own_reserve_here())
    }

    /// The highest [`usage`](MemoryScope::usage) seen. Exact with one
    /// thread; with several, the reserves of the others may count.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// let scope = MemoryScope::new(1 << 20)?;
    /// scope.run(|| TryVec::<u8>::with_capacity(5000).map(drop))?;
    /// assert_eq!((scope.usage(), scope.peak()), (0, 5000));
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn peak(&self) -> usize {
        let state = self.state();
        let unpublished =
            self.on_own_chain(|thread, _| state.charged().saturating_sub(thread.reserve_low()));
        state.peak().max(unpublished.unwrap_or(0))
    }

    /// The limit this scope was created with.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// assert_eq!(MemoryScope::new(4096)?.limit(), 4096);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn limit(&self) -> usize {
        self.state().limit()
    }

    /// The hard ceiling, if one was set.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// assert_eq!(MemoryScope::new(4096)?.hard_limit(), None);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn hard_limit(&self) -> Option<usize> {
        Some(self.state().hard_limit()).filter(|&hard| hard != usize::MAX)
    }

    /// How many requests this scope (or a scope inside it) refused.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryVec;
    /// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
    ///
    /// let scope = MemoryScope::new(64)?;
    /// assert!(scope.run(|| TryVec::<u8>::with_capacity(65)).is_err());
    /// assert_eq!(scope.refused(), 1);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn refused(&self) -> usize {
        self.state().refused()
    }

    fn state(&self) -> &State {
        // SAFETY: this handle holds a reference.
        unsafe { self.state.as_ref() }
    }

    /// What the calling thread holds in reserve at this scope's level.
    fn own_reserve_here(&self) -> usize {
        self.on_own_chain(|_, reserve| reserve).unwrap_or(0)
    }

    /// `f` of the calling thread and its reserve, when this scope is on the
    /// chain of the thread's current scope (the reserve is held for that
    /// chain); `None` otherwise.
    fn on_own_chain<R>(&self, f: impl FnOnce(&thread::Thread, usize) -> R) -> Option<R> {
        thread::with(|thread| {
            let (current, reserve) = thread.own_reserve()?;
            // SAFETY: the thread holds its current scope.
            unsafe { state::is_on_chain(self.state, current) }.then(|| f(thread, reserve))
        })
    }
}

impl Clone for MemoryScope {
    /// Another handle to the same scope.
    fn clone(&self) -> MemoryScope {
        // SAFETY: this handle holds a reference.
        unsafe { state::retain(self.state) };
        MemoryScope { state: self.state }
    }
}

impl Drop for MemoryScope {
    fn drop(&mut self) {
        // SAFETY: the handle's reference.
        unsafe { state::release(self.state) };
    }
}

impl fmt::Debug for MemoryScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryScope")
            .field("limit", &self.limit())
            .field("hard_limit", &self.hard_limit())
            .field("usage", &self.usage())
            .field("peak", &self.peak())
            .field("refused", &self.refused())
            .finish()
    }
}

/// A thread inside a [`MemoryScope`], from [`MemoryScope::enter`] until it
/// is dropped. Not `Send`: it belongs to the thread that made it.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
///
/// #[global_allocator]
/// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
///
/// let scope = MemoryScope::new(1 << 20)?;
/// {
///     let _inside = scope.enter();
///     assert!(MemoryScope::current().is_some());
/// }
/// assert!(MemoryScope::current().is_none());
/// # wasmtime_error::Ok(())
/// ```
#[must_use = "the thread leaves the scope as soon as the guard is dropped"]
pub struct ScopeGuard {
    entry: Entry,
    _not_send: PhantomData<*const ()>,
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        let left = thread::with(|thread| thread.leave(&self.entry));
        if left.is_err() && !std::thread::panicking() {
            panic!(
                "a ScopeGuard was dropped while a guard made after it was alive: \
                 the thread has left every scope"
            );
        }
    }
}

impl fmt::Debug for ScopeGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopeGuard").finish_non_exhaustive()
    }
}
