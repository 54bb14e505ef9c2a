//! The per-thread side: the current scope, the reserve of bytes already
//! charged to it, the fallible mark, and the bookkeeping of guards.
//!
//! Everything the allocator reads lives in one `const`-initialised
//! thread-local of `Cell`s without a destructor, so one access serves a
//! call, touching it never allocates and it stays readable while the thread
//! is torn down. A second thread-local, touched only when a scope is
//! entered (never by the allocator), has a destructor that leaves every
//! scope when the thread ends, so that a thread ending inside one (its
//! guard forgotten) gives its reserve and its reference back.

use core::cell::Cell;
use core::ptr::{self, NonNull};

use super::state::{self, Bound, State};
use crate::OutOfMemory;

/// The most bytes a thread charges to its scope at once beyond what a
/// request needs.
pub(super) const CHUNK: usize = 32 * 1024;

/// The most a thread ever holds in reserve: `refund` trims above it, and
/// `refill` leaves at most one chunk.
pub(super) const MOST_RESERVE: usize = 2 * CHUNK;

/// What a thread keeps.
pub(super) struct Thread {
    /// The current scope (a counted reference), null for none, or
    /// [`probe`] while `MemoryScope::new` allocates.
    current: Cell<*const State>,
    /// Bytes charged to the current scope's chain and not handed out.
    reserve: Cell<usize>,
    /// With `reserve` (the lower of the two), the lowest the reserve has
    /// been since the peak was last published. Kept up to date where the
    /// reserve rises (a free), not where it falls (an allocation): the
    /// lowest value is the one just before a rise, or the present one.
    reserve_low: Cell<usize>,
    /// The fallible mark: the next allocation in a scope may be refused.
    fallible: Cell<bool>,
    /// The serial number of the innermost guard, 0 for none.
    top: Cell<u64>,
    /// The serial number the next guard gets.
    next_serial: Cell<u64>,
    /// Guards numbered below this were left by force (see `leave_all`).
    stale_below: Cell<u64>,
}

std::thread_local! {
    static THREAD: Thread = const {
        Thread {
            current: Cell::new(ptr::null()),
            reserve: Cell::new(0),
            reserve_low: Cell::new(0),
            fallible: Cell::new(false),
            top: Cell::new(0),
            next_serial: Cell::new(1),
            stale_below: Cell::new(0),
        }
    };
}

/// Leaves every scope when the thread ends.
struct LeaveOnExit;

impl Drop for LeaveOnExit {
    fn drop(&mut self) {
        with(Thread::leave_all);
    }
}

std::thread_local! {
    static LEAVE_ON_EXIT: LeaveOnExit = const { LeaveOnExit };
}

/// This thread's state.
///
/// # Safety
///
/// The reference is used on this thread only, and not after it ends: a
/// thread-local without a destructor lives as long as its thread.
#[inline(always)]
pub(super) unsafe fn this<'a>() -> &'a Thread {
    let thread = THREAD.with(ptr::from_ref);
    // SAFETY: the caller's promise, as above.
    unsafe { &*thread }
}

/// Runs `f` on this thread's state.
#[inline(always)]
pub(super) fn with<R>(f: impl FnOnce(&Thread) -> R) -> R {
    // SAFETY: the reference does not leave this call on this thread.
    f(unsafe { this() })
}

/// The calling thread's current scope (null for none): one read of the
/// thread-local, for the allocator's path with no scope.
#[inline(always)]
pub(super) fn current() -> *const State {
    with(|thread| thread.current.get())
}

/// What `current` holds while `MemoryScope::new` finds out whether this
/// allocator is the global one: no state lives at this address.
fn probe() -> *const State {
    ptr::dangling()
}

/// What `refill` did.
pub(super) enum Refill {
    /// The reserve now covers the request.
    Charged,
    /// The request is refused (counted).
    Refused,
    /// `MemoryScope::new`'s probe: allocate with no scope.
    Unscoped,
}

/// What a guard remembers of the thread it entered its scope on.
pub(super) struct Entry {
    /// The scope current before (the thread's reference, handed to the
    /// guard), null for none.
    previous: *const State,
    previous_serial: u64,
    serial: u64,
}

impl Thread {
    /// The current scope, if any (never the probe outside the allocator).
    #[inline(always)]
    pub(super) fn current(&self) -> *const State {
        self.current.get()
    }

    /// Reads and clears the fallible mark.
    #[inline(always)]
    pub(super) fn take_mark(&self) -> bool {
        let marked = self.fallible.get();
        if marked {
            self.fallible.set(false);
        }
        marked
    }

    pub(super) fn set_mark(&self, marked: bool) {
        self.fallible.set(marked);
    }

    /// Runs `allocate`, a call into the inner allocator for a block of the
    /// current scope, with no scope current: what that allocator allocates
    /// for itself (a harness's report, a tracker's records) is charged to
    /// no scope.
    #[inline(always)]
    pub(super) fn outside_scope<R>(&self, allocate: impl FnOnce() -> R) -> R {
        let current = self.current.replace(ptr::null());
        let result = allocate();
        self.current.set(current);
        result
    }

    /// Hands out `bytes` from the reserve if it holds them and the
    /// fallible mark is not set: the allocator's short path, which needs
    /// no scope's counters. `true` only for at most [`MOST_RESERVE`] bytes.
    #[inline(always)]
    pub(super) fn take_unmarked(&self, bytes: usize) -> bool {
        let reserve = self.reserve.get();
        debug_assert!(reserve <= MOST_RESERVE, "the reserve went past its bound");
        if self.fallible.get() {
            return false;
        }
        let Some(left) = reserve.checked_sub(bytes) else {
            return false;
        };
        self.reserve.set(left);
        true
    }

    /// Hands out `bytes` from the reserve if it holds them, and, for a
    /// fallible request, if no scope on the chain is over its limit.
    ///
    /// # Safety
    ///
    /// A scope is current.
    #[inline(always)]
    pub(super) unsafe fn take(&self, bytes: usize, fallible: bool) -> bool {
        let reserve = self.reserve.get();
        if reserve < bytes {
            return false;
        }
        if fallible {
            // SAFETY: the current scope is held by this thread; the probe
            // has no reserve, so it never reaches here with bytes.
            let current = unsafe { NonNull::new_unchecked(self.current.get().cast_mut()) };
            // SAFETY: as above.
            if unsafe { state::over_limit(current, None) }.is_some() {
                return false;
            }
        }
        self.reserve.set(reserve - bytes);
        true
    }

    /// Charges the chain so that the reserve covers `bytes`, which `take`
    /// refused: a chunk more if the limits leave room, else exactly what is
    /// missing; past the limit, only an infallible request, within the hard
    /// ceiling.
    ///
    /// # Safety
    ///
    /// A scope (or the probe) is current.
    #[cold]
    #[inline(never)]
    pub(super) unsafe fn refill(&self, bytes: usize, fallible: bool) -> Refill {
        let current = self.current.get();
        if current == probe() {
            self.current.set(ptr::null());
            return Refill::Unscoped;
        }
        // SAFETY: a scope is current, and the thread holds it.
        let current = unsafe { NonNull::new_unchecked(current.cast_mut()) };
        if self.reserve.get() >= bytes {
            // Fallible, with a scope over its limit: whether this request
            // fits is decided on the bytes actually in use.
            // SAFETY: the current scope is held by this thread.
            unsafe { self.flush(current) };
        }
        // SAFETY: the current scope is held by this thread.
        unsafe { self.publish_peak(current) };
        let reserve = self.reserve.get();
        let missing = bytes - reserve;
        // SAFETY: as above.
        let room = unsafe { state::headroom(current) }.saturating_sub(missing);
        let extra = CHUNK.min(room / 2);
        // SAFETY (each `charge`): the current scope is held by this thread.
        let amount =
            if extra > 0 && unsafe { state::charge(current, missing + extra, Bound::Limit) } {
                missing + extra
            } else if unsafe { state::charge(current, missing, Bound::Limit) }
                || (!fallible && unsafe { state::charge(current, missing, Bound::Hard) })
            {
                missing
            } else {
                // SAFETY: as above.
                unsafe { state::count_refusal(current) };
                return Refill::Refused;
            };
        // In use: what it was; the new block counts once made, through
        // the reserve (`give_back` undoes the dip if it is not).
        self.reserve_low.set(reserve + amount);
        self.reserve.set(reserve + amount - bytes);
        Refill::Charged
    }

    /// Puts `bytes` of a block of the current scope, about to be freed,
    /// back into the reserve if that keeps it within [`MOST_RESERVE`]; the
    /// reserve before is noted as the lowest if it is. `false`, changing
    /// nothing, when the reserve would have to be trimmed (`refund` then).
    #[inline(always)]
    pub(super) fn keep(&self, bytes: usize) -> bool {
        let reserve = self.reserve.get();
        // No overflow: the reserve is at most `MOST_RESERVE`, a block at
        // most `isize::MAX` bytes.
        let kept = reserve + bytes;
        if kept > MOST_RESERVE {
            return false;
        }
        self.note_low(reserve);
        self.reserve.set(kept);
        true
    }

    /// Notes `reserve`, the present one, about to rise, as the lowest if
    /// it is.
    #[inline(always)]
    fn note_low(&self, reserve: usize) {
        if reserve < self.reserve_low.get() {
            self.reserve_low.set(reserve);
        }
    }

    /// Puts `bytes` of a block of the current scope, freed (or what a
    /// shrink freed), back into the reserve, trimming it to one chunk when
    /// it holds more than two. The reserve before is noted as the lowest
    /// if it is.
    ///
    /// # Safety
    ///
    /// A scope is current, and `bytes` were charged to it.
    #[inline(always)]
    pub(super) unsafe fn refund(&self, bytes: usize) {
        self.note_low(self.reserve.get());
        // SAFETY: the caller's promise.
        unsafe { self.give_back(bytes) };
    }

    /// Puts back `bytes` just taken from the reserve for a block that was
    /// not made after all: as if they had never been taken, so the lowest
    /// reserve is not noted. Trims as `refund` does.
    ///
    /// # Safety
    ///
    /// A scope is current, and `bytes` were charged to it.
    #[inline(always)]
    pub(super) unsafe fn give_back(&self, bytes: usize) {
        let reserve = self.reserve.get() + bytes;
        self.reserve.set(reserve);
        if reserve > MOST_RESERVE {
            // SAFETY: the caller's promise.
            unsafe { self.trim() };
        }
    }

    /// Credits `bytes` to `owner`'s chain, which is not the current scope
    /// but may share levels with it: the thread first publishes its peak
    /// there, before their usage drops.
    ///
    /// # Safety
    ///
    /// `bytes` were charged to `owner`'s chain and not yet credited.
    #[inline(never)]
    pub(super) unsafe fn credit_other(&self, owner: NonNull<State>, bytes: usize) {
        if let Some((current, _)) = self.own_reserve() {
            // SAFETY: the current scope is held by this thread.
            unsafe { self.publish_peak(current) };
        }
        // SAFETY: the caller's promise.
        unsafe { state::credit(owner, bytes) };
    }

    /// Gives back all of the reserve but one chunk.
    ///
    /// # Safety
    ///
    /// A scope is current.
    #[cold]
    #[inline(never)]
    unsafe fn trim(&self) {
        // SAFETY: a scope is current, held by this thread.
        let current = unsafe { NonNull::new_unchecked(self.current.get().cast_mut()) };
        // SAFETY: as above.
        unsafe { self.publish_peak(current) };
        let surplus = self.reserve.get() - CHUNK;
        self.reserve.set(CHUNK);
        self.reserve_low.set(CHUNK);
        // SAFETY: the reserve was charged to the current chain.
        unsafe { state::credit(current, surplus) };
    }

    /// Gives the whole reserve back to `current`'s chain.
    ///
    /// # Safety
    ///
    /// `current` is the current scope, held by this thread.
    unsafe fn flush(&self, current: NonNull<State>) {
        // SAFETY: the caller's promise.
        unsafe { self.publish_peak(current) };
        let reserve = self.reserve.replace(0);
        self.reserve_low.set(0);
        // SAFETY: the reserve was charged to the current chain.
        unsafe { state::credit(current, reserve) };
    }

    /// Raises the peak of every level of the chain to the most this thread
    /// has seen in use there since the last time: the bytes charged but for
    /// the lowest reserve it has held since. Exact with one thread; with
    /// more, what the others hold in reserve counts too.
    ///
    /// # Safety
    ///
    /// `current` is the current scope, held by this thread.
    unsafe fn publish_peak(&self, current: NonNull<State>) {
        let low = self.reserve_low();
        let mut level = Some(current);
        while let Some(at) = level {
            // SAFETY: held by this thread, and each parent by its child.
            let at = unsafe { at.as_ref() };
            at.note_peak(at.charged().saturating_sub(low));
            level = at.parent();
        }
        self.reserve_low.set(self.reserve.get());
    }

    /// What this thread holds in reserve for its current scope, with that
    /// scope, if any.
    pub(super) fn own_reserve(&self) -> Option<(NonNull<State>, usize)> {
        let current = NonNull::new(self.current.get().cast_mut())?;
        (current.as_ptr().cast_const() != probe()).then(|| (current, self.reserve.get()))
    }

    /// The lowest reserve this thread has held since it last published the
    /// peak: the bytes charged but for it are the most it had in use since.
    pub(super) fn reserve_low(&self) -> usize {
        self.reserve_low.get().min(self.reserve.get())
    }

    /// Makes `state` the current scope: the reserve of the scope left goes
    /// back to it, and the thread's reference to that scope goes to the
    /// returned entry, which the guard keeps.
    ///
    /// # Safety
    ///
    /// `state` is alive (the caller holds a reference).
    pub(super) unsafe fn enter(&self, state: NonNull<State>) -> Entry {
        // So that the thread leaves its scopes when it ends. Failing only
        // while the thread is being torn down, when nothing is left to do.
        let _ = LEAVE_ON_EXIT.try_with(|_| ());
        let previous = self.current.get();
        if let Some(previous) = NonNull::new(previous.cast_mut()) {
            // SAFETY: the current scope is held by this thread.
            unsafe { self.flush(previous) };
        }
        // SAFETY: the caller holds a reference; this one is the thread's.
        unsafe { state::retain(state) };
        self.current.set(state.as_ptr());
        self.fallible.set(false);
        let serial = self.next_serial.get();
        self.next_serial.set(serial + 1);
        let previous_serial = self.top.replace(serial);
        Entry {
            previous,
            previous_serial,
            serial,
        }
    }

    /// Undoes the `enter` that made `entry`. `Err` when `entry` is not the
    /// innermost one but was still in force: then the thread leaves every
    /// scope (its guards left by force do nothing when dropped).
    pub(super) fn leave(&self, entry: &Entry) -> Result<(), ()> {
        let in_force = entry.serial >= self.stale_below.get();
        if in_force && self.top.get() == entry.serial {
            // The entry's reference becomes the thread's again.
            let left = self.current.replace(entry.previous);
            if let Some(left) = NonNull::new(left.cast_mut()) {
                // SAFETY: `left` was the current scope, held by this thread;
                // that reference is dropped after the reserve went back.
                unsafe {
                    self.flush(left);
                    state::release(left);
                }
            }
            self.top.set(entry.previous_serial);
            return Ok(());
        }
        let result = if in_force {
            self.leave_all();
            Err(())
        } else {
            Ok(())
        };
        if let Some(previous) = NonNull::new(entry.previous.cast_mut()) {
            // SAFETY: the reference the entry held.
            unsafe { state::release(previous) };
        }
        result
    }

    /// Leaves every scope: the reserve goes back, the thread's reference
    /// is dropped, and every guard made so far is left.
    fn leave_all(&self) {
        let current = self.current.replace(ptr::null());
        if let Some(current) = NonNull::new(current.cast_mut()) {
            // SAFETY: it was the current scope, held by this thread.
            unsafe {
                self.flush(current);
                state::release(current);
            }
        }
        self.top.set(0);
        self.stale_below.set(self.next_serial.get());
    }

    /// Allocates a new scope's state, a child of the current scope, with
    /// no scope current (so it is charged to none). Panics if the
    /// allocation did not go through [`LimitAllocator`](super::LimitAllocator).
    pub(super) fn create_state(&self, limit: usize) -> Result<NonNull<State>, OutOfMemory> {
        let parent = self.own_reserve().map(|(current, _)| current);
        let layout = State::layout();
        let current = self.current.replace(probe());
        let reserve = self.reserve.replace(0);
        let low = self.reserve_low.get();
        // SAFETY: `State` is not zero-sized.
        let block = unsafe { std::alloc::alloc(layout) };
        let installed = self.current.get() != probe();
        self.current.set(current);
        self.reserve.set(reserve);
        self.reserve_low.set(low);
        let Some(block) = NonNull::new(block.cast::<State>()) else {
            assert!(installed, "{}", super::NOT_INSTALLED);
            return Err(OutOfMemory::new(layout.size()));
        };
        if !installed {
            // SAFETY: just allocated with `layout` by the global allocator.
            unsafe { std::alloc::dealloc(block.as_ptr().cast(), layout) };
            panic!("{}", super::NOT_INSTALLED);
        }
        if let Some(parent) = parent {
            // SAFETY: the current scope is held by this thread; the child
            // keeps this reference.
            unsafe { state::retain(parent) };
        }
        // SAFETY: a fresh block for a `State`.
        unsafe { block.as_ptr().write(State::new(parent, limit)) };
        Ok(block)
    }
}
