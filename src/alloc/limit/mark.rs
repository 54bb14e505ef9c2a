//! The fallible mark: how the crate tells [`LimitAllocator`] that the next
//! allocation comes from one of its fallible methods, which turn a refusal
//! into `Err(OutOfMemory)`.
//!
//! [`LimitAllocator`]: super::LimitAllocator

use super::thread;

/// Runs `allocate` with the mark set: the first allocation it makes in a
/// scope may be refused at the limit (and clears the mark); any later one
/// is infallible. The mark is cleared on the way out in any case.
///
/// Tight by rule: `allocate` is the crate's own call into an allocator,
/// never a caller's code (a closure, `Clone`, `Hash`, `Display`) that could
/// allocate infallibly before the fallible allocation, where a refusal
/// would abort.
#[inline]
pub(crate) fn fallible<R>(allocate: impl FnOnce() -> R) -> R {
    struct Clear;
    impl Drop for Clear {
        #[inline]
        fn drop(&mut self) {
            thread::with(|thread| thread.set_mark(false));
        }
    }
    thread::with(|thread| thread.set_mark(true));
    let _clear = Clear;
    allocate()
}
