//! [`Budget`]: an allocator that refuses to go past a byte limit.

use core::alloc::Layout;
use core::fmt;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};

use allocator_api2::alloc::{AllocError, Allocator, Global};

use super::fallible;

/// An allocator that forwards to another (`A`, by default [`Global`]) as
/// long as the bytes currently allocated through it stay within a limit,
/// and refuses any request that would go past it — the way a runtime caps
/// the memory of one tenant.
///
/// It counts the sizes of the layouts requested, follows `grow` and
/// `shrink`, and gives the bytes back on `deallocate`. When the underlying
/// allocator rounds a request up, the budget still hands out exactly the
/// bytes requested, so that what its callers hold (and may free) is what it
/// counted. [`used`](Budget::used),
/// [`peak`](Budget::peak) and [`remaining`](Budget::remaining) report the
/// usage. The counters are atomic, so a `Budget` can be shared between
/// threads.
///
/// Collections take it by reference (`&Budget` is an allocator too), so one
/// budget serves a [`TryVec`](super::TryVec) and a
/// [`TryString`](super::TryString) at once (and a `TryHashMap`, with the
/// feature `hash-map`).
///
/// Under a [scoped limit](super::limit) (feature `limit`), a request made
/// through a `Budget` counts as fallible: past the scope's limit it is
/// refused, as past the budget's. A collection that aborts when its
/// allocator refuses (`allocator_api2::vec::Vec::push`) aborts at either
/// limit alike; this crate's collections and `try_*` methods return the
/// error instead.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{Budget, TryString, TryVec};
///
/// let budget = Budget::new(1024);
/// let mut ids = TryVec::new_in(&budget);
/// let mut names = TryString::new_in(&budget);
/// for i in 0..10u64 {
///     ids.push(i)?;
///     names.push_str("name ")?;
/// }
/// assert!(budget.used() > 0 && budget.used() <= 1024);
///
/// // Past the limit, requests are refused and nothing changes.
/// let oom = ids.reserve(1000).unwrap_err();
/// assert_eq!(oom.requested_allocation_size(), 8 * 1010);
/// assert_eq!(ids.len(), 10);
///
/// drop(ids);
/// drop(names);
/// assert_eq!(budget.used(), 0);
/// # wasmtime_error::Ok(())
/// ```
pub struct Budget<A: Allocator = Global> {
    inner: A,
    limit: usize,
    used: AtomicUsize,
    peak: AtomicUsize,
}

impl Budget {
    /// A budget of `limit` bytes over the global allocator.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::Budget;
    ///
    /// let budget = Budget::new(4096);
    /// assert_eq!(budget.limit(), 4096);
    /// assert_eq!(budget.used(), 0);
    /// ```
    pub const fn new(limit: usize) -> Self {
        Self::new_in(limit, Global)
    }
}

impl<A: Allocator> Budget<A> {
    /// A budget of `limit` bytes over `inner`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryVec};
    ///
    /// // Budgets nest: the inner one caps the total, the outer one a part.
    /// let total = Budget::new(100);
    /// let part = Budget::new_in(60, &total);
    /// let v = TryVec::<u8, _>::with_capacity_in(50, &part)?;
    /// assert_eq!((part.used(), total.used()), (50, 50));
    /// # drop(v);
    /// # wasmtime_error::Ok(())
    /// ```
    pub const fn new_in(limit: usize, inner: A) -> Self {
        Budget {
            inner,
            limit,
            used: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// The limit in bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::Budget;
    ///
    /// assert_eq!(Budget::new(10).limit(), 10);
    /// ```
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The bytes currently allocated through this budget.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryVec};
    ///
    /// let budget = Budget::new(100);
    /// let v = TryVec::<u32, _>::with_capacity_in(5, &budget)?;
    /// assert_eq!(budget.used(), 20);
    /// drop(v);
    /// assert_eq!(budget.used(), 0);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The most bytes ever allocated through this budget at one time.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryVec};
    ///
    /// let budget = Budget::new(100);
    /// drop(TryVec::<u8, _>::with_capacity_in(70, &budget)?);
    /// assert_eq!((budget.used(), budget.peak()), (0, 70));
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// The bytes that can still be allocated: `limit - used`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryVec};
    ///
    /// let budget = Budget::new(100);
    /// let _v = TryVec::<u8, _>::with_capacity_in(30, &budget)?;
    /// assert_eq!(budget.remaining(), 70);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.used())
    }

    /// The allocator the budget forwards to.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, Global};
    ///
    /// let _global: &Global = Budget::new(1).inner();
    /// ```
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// Takes `bytes` from the budget, or refuses if that would pass the
    /// limit; returns the bytes used with them.
    fn charge(&self, bytes: usize) -> Result<usize, AllocError> {
        let mut used = self.used.load(Ordering::Relaxed);
        loop {
            let Some(new_used) = used.checked_add(bytes).filter(|&n| n <= self.limit) else {
                return Err(AllocError);
            };
            match self.used.compare_exchange_weak(
                used,
                new_used,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(new_used),
                Err(now) => used = now,
            }
        }
    }

    /// Gives `bytes` back to the budget.
    fn refund(&self, bytes: usize) {
        let before = self.used.fetch_sub(bytes, Ordering::Relaxed);
        debug_assert!(before >= bytes, "budget refunded more than it charged");
    }

    /// Runs `allocate` with `bytes` charged, refunding them if it fails,
    /// and hands out exactly the `size` bytes the caller asked for: a
    /// caller may free a block with any size up to the length it was given,
    /// so handing out more than was charged would let it give back more
    /// than it took. The peak counts only what was actually allocated.
    fn charged(
        &self,
        bytes: usize,
        size: usize,
        allocate: impl FnOnce() -> Result<NonNull<[u8]>, AllocError>,
    ) -> Result<NonNull<[u8]>, AllocError> {
        let used = self.charge(bytes)?;
        match fallible(allocate) {
            Ok(block) => {
                self.peak.fetch_max(used, Ordering::Relaxed);
                Ok(exactly(block, size))
            }
            Err(error) => {
                self.refund(bytes);
                Err(error)
            }
        }
    }
}

/// The first `size` bytes of `block`, which the inner allocator made at
/// least that long. Freeing with a size of `size` stays within what the
/// `Allocator` contract allows for the whole block.
fn exactly(block: NonNull<[u8]>, size: usize) -> NonNull<[u8]> {
    debug_assert!(
        block.len() >= size,
        "the inner allocator returned too little"
    );
    NonNull::slice_from_raw_parts(block.cast::<u8>(), size)
}

impl<A: Allocator> fmt::Debug for Budget<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Budget")
            .field("limit", &self.limit)
            .field("used", &self.used())
            .field("peak", &self.peak())
            .finish_non_exhaustive()
    }
}

// SAFETY: every call is forwarded unchanged to `inner`, which upholds the
// `Allocator` contract; the budget only refuses some requests up front, keeps
// counters, and hands out the requested prefix of each block. Every layout
// its callers can then pass back (the requested size, as the length handed
// out) also fits the block `inner` made, as `inner` requires.
unsafe impl<A: Allocator> Allocator for Budget<A> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.charged(layout.size(), layout.size(), || self.inner.allocate(layout))
    }

    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.charged(layout.size(), layout.size(), || {
            self.inner.allocate_zeroed(layout)
        })
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's promises for `deallocate` hold for `inner`: the block
        // came from it, at least as large as the prefix handed out (see the impl).
        unsafe { self.inner.deallocate(ptr, layout) };
        self.refund(layout.size());
    }

    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        let extra = new_layout.size() - old_layout.size();
        // SAFETY: the caller's promises for `grow` hold for `inner`: the block
        // came from it, at least as large as the prefix handed out (see the impl).
        self.charged(extra, new_layout.size(), || unsafe {
            self.inner.grow(ptr, old_layout, new_layout)
        })
    }

    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        let extra = new_layout.size() - old_layout.size();
        // SAFETY: the caller's promises for `grow_zeroed` hold for `inner`: the block
        // came from it, at least as large as the prefix handed out (see the impl).
        self.charged(extra, new_layout.size(), || unsafe {
            self.inner.grow_zeroed(ptr, old_layout, new_layout)
        })
    }

    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller's promises for `shrink` hold for `inner`: the block
        // came from it, at least as large as the prefix handed out (see the impl).
        let shrunk = fallible(|| unsafe { self.inner.shrink(ptr, old_layout, new_layout) })?;
        self.refund(old_layout.size() - new_layout.size());
        Ok(exactly(shrunk, new_layout.size()))
    }
}

impl<A: Allocator> Budget<A> {
    /// Starts a new peak from what is allocated now, so that
    /// [`peak`](Budget::peak) reports the most used since this call: each
    /// run on a long-lived budget can see its own high-water mark.
    ///
    /// An allocation racing on another thread may or may not count towards
    /// the new peak; afterwards the peak is at least what is in use.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryVec};
    ///
    /// let budget = Budget::new(100);
    /// drop(TryVec::<u8, _>::with_capacity_in(70, &budget)?);
    /// let kept = TryVec::<u8, _>::with_capacity_in(10, &budget)?;
    /// assert_eq!(budget.peak(), 70);
    ///
    /// budget.reset_peak();
    /// assert_eq!(budget.peak(), 10);
    /// drop(TryVec::<u8, _>::with_capacity_in(30, &budget)?);
    /// assert_eq!(budget.peak(), 40);
    /// # drop(kept);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn reset_peak(&self) {
        self.peak.store(self.used(), Ordering::Relaxed);
        // An allocation between the read and the store may have raised
        // `used` past what was stored; its own `fetch_max` may have run
        // before the store and been overwritten.
        self.peak.fetch_max(self.used(), Ordering::Relaxed);
    }
}
