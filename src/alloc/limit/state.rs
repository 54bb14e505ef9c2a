//! The shared counters of one scope, and charging and crediting them up the
//! chain of parents.
//!
//! A [`State`] lives in one block of the global allocator, allocated with no
//! scope current (so charged to none) and freed by whoever drops its last
//! reference. References are counted in `refs`:
//!
//! - each [`MemoryScope`](super::MemoryScope) handle holds one;
//! - a thread whose current scope it is holds one (moved into the guard of
//!   the scope entered after it, and back when that guard is dropped);
//! - a child scope holds one on its parent;
//! - the bytes charged to it hold one while `charged` is above zero, taken
//!   by the charge that moves it up from zero and dropped by the credit that
//!   brings it back. A block therefore keeps its owner (and the owner's
//!   parents, which count the same bytes) alive until it is freed, wherever
//!   and whenever that happens.
//!
//! A charge is made for the current scope of the thread making it, which
//! holds a reference all along; a credit is made for bytes that hold one
//! until the credit of the level itself. Credits go bottom-up, reading each
//! parent before crediting its child, whose release may drop the parent's
//! last handle-like reference: the parent is still held by the bytes not
//! yet credited to it.

use core::alloc::Layout;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering, fence};

/// The counters of one scope.
pub(super) struct State {
    /// The enclosing scope (a counted reference), or none.
    parent: Option<NonNull<State>>,
    /// The limit given at creation: fallible requests stay within it.
    limit: usize,
    /// The hard ceiling, `usize::MAX` for none: nothing goes past it.
    hard_limit: AtomicUsize,
    /// Bytes of live blocks owned by this scope or its children, plus what
    /// threads hold in reserve for it.
    charged: AtomicUsize,
    /// The highest usage published (see `Thread::publish_peak`).
    peak: AtomicUsize,
    /// Requests refused in this scope or its children.
    refused: AtomicUsize,
    /// References, as the module docs list them.
    refs: AtomicUsize,
}

/// Which bound a charge must stay within.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    /// The limit (and the hard ceiling, when lower).
    Limit,
    /// Only the hard ceiling: an infallible request past the limit.
    Hard,
}

impl State {
    /// The counters of a new scope, with one reference (the handle's).
    /// `parent`'s reference is handed over to it.
    pub(super) fn new(parent: Option<NonNull<State>>, limit: usize) -> State {
        State {
            parent,
            limit,
            hard_limit: AtomicUsize::new(usize::MAX),
            charged: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
            refs: AtomicUsize::new(1),
        }
    }

    pub(super) fn layout() -> Layout {
        Layout::new::<State>()
    }

    pub(super) fn parent(&self) -> Option<NonNull<State>> {
        self.parent
    }

    pub(super) fn limit(&self) -> usize {
        self.limit
    }

    pub(super) fn hard_limit(&self) -> usize {
        self.hard_limit.load(Ordering::Relaxed)
    }

    pub(super) fn set_hard_limit(&self, hard_limit: usize) {
        self.hard_limit.store(hard_limit, Ordering::Relaxed);
    }

    /// What a charge may bring `charged` up to.
    fn bound(&self, bound: Bound) -> usize {
        match bound {
            Bound::Limit => self.limit.min(self.hard_limit()),
            Bound::Hard => self.hard_limit(),
        }
    }

    pub(super) fn charged(&self) -> usize {
        self.charged.load(Ordering::Relaxed)
    }

    pub(super) fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    pub(super) fn refused(&self) -> usize {
        self.refused.load(Ordering::Relaxed)
    }

    /// Raises the peak to `usage` if it is higher.
    pub(super) fn note_peak(&self, usage: usize) {
        if usage > self.peak.load(Ordering::Relaxed) {
            self.peak.fetch_max(usage, Ordering::Relaxed);
        }
    }

    /// Whether usage is over the limit.
    pub(super) fn over_limit(&self, charged: usize) -> bool {
        charged > self.bound(Bound::Limit)
    }

    /// Adds `bytes` to this level alone if that stays within `bound`.
    fn charge_level(&self, bytes: usize, bound: Bound) -> bool {
        let cap = self.bound(bound);
        let result = self
            .charged
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |charged| {
                charged.checked_add(bytes).filter(|&new| new <= cap)
            });
        match result {
            Ok(0) => {
                // The bytes now hold a reference, until they go back to 0.
                self.refs.fetch_add(1, Ordering::Relaxed);
                true
            }
            Ok(_) => true,
            Err(_) => false,
        }
    }
}

/// Charges `bytes` to `state` and every parent, each within `bound`; on a
/// refusal at any level nothing stays charged.
///
/// # Safety
///
/// `state` is alive for the whole call (the caller holds a reference).
pub(super) unsafe fn charge(state: NonNull<State>, bytes: usize, bound: Bound) -> bool {
    if bytes == 0 {
        return true;
    }
    let mut level = Some(state);
    while let Some(at) = level {
        // SAFETY: `state` is held by the caller, and each parent by its
        // child.
        let at_ref = unsafe { at.as_ref() };
        if !at_ref.charge_level(bytes, bound) {
            // Undo the levels below `at`, which all took `bytes`.
            let mut undo = Some(state);
            while let Some(below) = undo.filter(|&below| below != at) {
                // SAFETY: as above: `state` is held, and so its parents.
                undo = unsafe { below.as_ref() }.parent;
                // SAFETY: `below` was charged `bytes` by this call.
                unsafe { credit_level(below, bytes) };
            }
            return false;
        }
        level = at_ref.parent;
    }
    true
}

/// Gives `bytes` back to `state` and every parent.
///
/// # Safety
///
/// `bytes` were charged to `state` (and so to its parents) and not yet
/// credited: they hold every level alive until credited there.
pub(super) unsafe fn credit(state: NonNull<State>, bytes: usize) {
    if bytes == 0 {
        return;
    }
    let mut level = Some(state);
    while let Some(at) = level {
        // SAFETY: the uncredited bytes hold `at` alive; its parent is read
        // before the credit, which may free `at`.
        level = unsafe { at.as_ref() }.parent;
        // SAFETY: the caller's promise, level by level.
        unsafe { credit_level(at, bytes) };
    }
}

/// Gives `bytes` back to one level, dropping the reference the charged
/// bytes held when they go back to 0.
///
/// # Safety
///
/// `bytes` were charged to `state` and not yet credited.
unsafe fn credit_level(state: NonNull<State>, bytes: usize) {
    // SAFETY: the uncredited bytes hold `state` alive.
    let before = unsafe { state.as_ref() }
        .charged
        .fetch_sub(bytes, Ordering::Relaxed);
    debug_assert!(
        before >= bytes,
        "a scope was credited more than it was charged"
    );
    if before == bytes {
        // SAFETY: the reference the charged bytes held.
        unsafe { release(state) };
    }
}

/// Counts one refused request in `state` and every parent.
///
/// # Safety
///
/// `state` is alive for the whole call (the caller holds a reference).
pub(super) unsafe fn count_refusal(state: NonNull<State>) {
    let mut level = Some(state);
    while let Some(at) = level {
        // SAFETY: held by the caller, and each parent by its child.
        let at = unsafe { at.as_ref() };
        at.refused.fetch_add(1, Ordering::Relaxed);
        level = at.parent;
    }
}

/// By how much `state` or the first parent over its limit is over it, not
/// counting, at the levels it is charged to, the reserve the calling thread
/// holds for its current scope (`own`: that scope and the reserve).
///
/// # Safety
///
/// `state` and `own`'s scope are alive for the whole call (the caller holds
/// references).
pub(super) unsafe fn over_limit(
    state: NonNull<State>,
    own: Option<(NonNull<State>, usize)>,
) -> Option<usize> {
    let mut reserve_here = false;
    let mut level = Some(state);
    while let Some(at) = level {
        if let Some((current, _)) = own.filter(|_| !reserve_here) {
            // Once a level holds the reserve, its parents do too.
            // SAFETY: `current` is held by the caller.
            reserve_here = unsafe { is_on_chain(at, current) };
        }
        // SAFETY: held by the caller, and each parent by its child.
        let at = unsafe { at.as_ref() };
        let reserve = match own {
            Some((_, reserve)) if reserve_here => reserve,
            _ => 0,
        };
        let usage = at.charged().saturating_sub(reserve);
        if at.over_limit(usage) {
            return Some(usage - at.bound(Bound::Limit));
        }
        level = at.parent;
    }
    None
}

/// Whether `level` is `chain` or one of its parents.
///
/// # Safety
///
/// `chain` is alive for the whole call (the caller holds a reference).
pub(super) unsafe fn is_on_chain(level: NonNull<State>, chain: NonNull<State>) -> bool {
    let mut at = Some(chain);
    while let Some(here) = at {
        if here == level {
            return true;
        }
        // SAFETY: held by the caller, and each parent by its child.
        at = unsafe { here.as_ref() }.parent;
    }
    false
}

/// The room left before the lowest limit on the chain.
///
/// # Safety
///
/// `state` is alive for the whole call (the caller holds a reference).
pub(super) unsafe fn headroom(state: NonNull<State>) -> usize {
    let mut room = usize::MAX;
    let mut level = Some(state);
    while let Some(at) = level {
        // SAFETY: held by the caller, and each parent by its child.
        let at = unsafe { at.as_ref() };
        room = room.min(at.bound(Bound::Limit).saturating_sub(at.charged()));
        level = at.parent;
    }
    room
}

/// Takes one more reference.
///
/// # Safety
///
/// `state` is alive (the caller holds a reference).
pub(super) unsafe fn retain(state: NonNull<State>) {
    // SAFETY: the caller's promise.
    unsafe { state.as_ref() }
        .refs
        .fetch_add(1, Ordering::Relaxed);
}

/// Drops one reference; the last one frees the state, and then drops the
/// reference it held on its parent, and so on up.
///
/// # Safety
///
/// The caller owns one reference to `state`, which it gives up.
pub(super) unsafe fn release(state: NonNull<State>) {
    let mut next = Some(state);
    while let Some(at) = next {
        // SAFETY: the reference being dropped keeps `at` alive until here.
        if unsafe { at.as_ref() }.refs.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        // Every use of `at` by the other reference holders happened before
        // their decrements, which this synchronises with.
        fence(Ordering::Acquire);
        // SAFETY: the last reference: nothing else reads `at` any more.
        next = unsafe { at.as_ref() }.parent;
        // SAFETY: `at` was allocated by `std::alloc::alloc` with
        // `State::layout()` (see `thread::create_state`), and holds only
        // plain data and counters: nothing to drop in place.
        unsafe { std::alloc::dealloc(at.as_ptr().cast(), State::layout()) };
    }
}
