//! Scoped memory limits (feature `limit`): bound what one call tree
//! allocates, through the global allocator, to N bytes; past the limit the
//! crate's fallible methods return `Err(OutOfMemory)`, and the process
//! lives.
//!
//! On Linux, with overcommit, `malloc` almost never fails: a runaway
//! request grows the process until the OOM killer ends it. A
//! [`MemoryScope`] makes the limit the program's own. Install
//! [`LimitAllocator`] once as the global allocator, then run each unit of
//! work inside a scope:
//!
//! ```
//! use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
//! use wasmtime_error::alloc::{TryString, TryVec};
//! use wasmtime_error::{OutOfMemory, Result};
//!
//! #[global_allocator]
//! static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
//!
//! /// Parses untrusted input into the crate's collections.
//! fn parse(input: &str) -> Result<TryVec<TryString>> {
//!     let mut words = TryVec::new();
//!     for word in input.split(' ') {
//!         words.push(TryString::try_from(word)?)?;
//!     }
//!     Ok(words)
//! }
//!
//! #[allow(clippy::disallowed_methods, reason = "the test input, made outside any scope")]
//! let huge = "word ".repeat(10_000);
//! for input in ["a small request", huge.as_str(), "another one"] {
//!     let scope = MemoryScope::new(16 * 1024)?;
//!     match scope.run(|| parse(input)) {
//!         Ok(words) => println!("{} words", words.len()),
//!         Err(error) => assert!(error.is::<OutOfMemory>()),
//!     }
//!     // Everything the request allocated is freed, so its usage is 0.
//!     assert_eq!(scope.usage(), 0);
//! }
//! # wasmtime_error::Ok(())
//! ```
//!
//! # Scopes
//!
//! [`MemoryScope::run`] (or the guard of [`MemoryScope::enter`]) puts the
//! calling thread inside a scope: every allocation the thread makes there
//! (`alloc`, `alloc_zeroed`, `realloc`), by this crate, by std or by any
//! other crate, is charged to it. A scope created inside another is its
//! child: it charges its parents too, and every limit on the way up binds.
//! A handle is `Clone + Send + Sync`, so a thread spawned for the work
//! (`let s = scope.clone(); thread::spawn(move || s.run(work))`), or a
//! future ([`MemoryScope::bind`], entered on each poll, whatever the
//! executor), charges the same scope. [`MemoryScope::current`] is the
//! calling thread's.
//!
//! # At the limit: the split by intent
//!
//! Refusing an allocation that the caller cannot handle would abort the
//! process, so the allocator refuses only the requests it knows are
//! fallible:
//!
//! - **The crate's own fallible allocations** are refused at the limit,
//!   exactly: they return `Err(OutOfMemory)` and never take a byte past
//!   it, also when threads race for the last bytes. These are the growth
//!   of [`TryVec`](super::TryVec), [`TryString`](super::TryString),
//!   [`TryHashMap`](super::TryHashMap) and [`TryHashSet`](super::TryHashSet),
//!   the `try_*` methods of [`VecExt`](super::VecExt),
//!   [`StringExt`](super::StringExt) and [`VecDequeExt`](super::VecDequeExt),
//!   [`try_format!`](crate::try_format), [`try_vec!`](crate::try_vec),
//!   [`TryNew`](super::TryNew) for `Box`, the [`boxed`](super::boxed)
//!   functions, [`Budget`](super::Budget) over its inner allocator, and the
//!   boxes of [`Error`](crate::Error) (a refused one gives the
//!   allocation-free `OutOfMemory` error). The crate sets a thread-local
//!   mark around each of these calls into an allocator, which the allocator
//!   reads and clears on the next allocation it sees in a scope; the mark
//!   is never set around a caller's code (a closure, `Clone`, `Hash`,
//!   `Display`), so an allocation of that code is infallible even inside a
//!   fallible method. A table of [`TryHashMap`](super::TryHashMap) that
//!   could rehash in place (hashing keys before any allocation) is grown
//!   without the mark: charged as an infallible allocation.
//! - **Every other allocation is infallible** (`Vec::push`, `Box::new`,
//!   `format!`, other crates): it is charged anyway, and the scope becomes
//!   *exceeded*. While usage is over the limit, every fallible request in
//!   the scope fails, and [`MemoryScope::check`] (or this module's
//!   [`check`], for the thread's current scope) returns `Err(OutOfMemory)`:
//!   put `?` on it where the work can stop. Once enough is freed, both pass
//!   again. std's `try_reserve` (on `Vec`, `String`, `HashMap`, ...) called
//!   by code other than this crate's cannot mark its request, so it is
//!   treated as infallible: charged anyway, never refused. A custom
//!   [`Allocator`](super::Allocator) given to the crate's collections is
//!   called with the mark set: if its `allocate` makes an infallible
//!   allocation through the global allocator before its own, that one may
//!   be refused. What the inner allocator of [`LimitAllocator`] allocates
//!   for itself while it makes a block is charged to no scope.
//! - **A hard ceiling** ([`MemoryScope::with_hard_limit`]) refuses every
//!   request past it, infallible ones too, and those end the process: on
//!   stable Rust a failed infallible allocation aborts. It is the backstop
//!   for code that never checks.
//!
//! [`MemoryScope::refused`] counts refused requests.
//!
//! # Accounting
//!
//! - A block is charged its layout's size, the bytes its caller asked for;
//!   the 8-byte owner word the allocator adds in front of it (or the header
//!   of one alignment, for alignments of 16 and more) is not counted.
//! - A block remembers the scope it was allocated in, and is credited back
//!   to it (and its parents) when freed: after the scope ended, on another
//!   thread, anywhere. When everything a scope allocated is freed its usage
//!   is 0; when, in addition, its last handle is dropped, its counters are
//!   freed.
//! - `realloc` of a block owned by the current scope grows or shrinks it
//!   where it is, charging or crediting the difference. Any other block
//!   (owned by another scope, allocated with no scope while one is current,
//!   or owned by a scope while none is current) moves: a new block in the
//!   current context, the bytes copied, the old block freed and credited to
//!   its owner. While it moves, both blocks count.
//! - To touch no shared counter on most allocations, each thread charges
//!   its scope in chunks (up to 32 KiB, less near the limit) and hands
//!   blocks out of that reserve; frees of the current scope's blocks go
//!   back to it (above 64 KiB, all but 32 KiB is given back). A thread's
//!   reserve is given back when it leaves the scope. So with one thread a
//!   fallible request fails exactly when it would go past the limit; with
//!   several threads inside a scope, what the others hold in reserve can
//!   make it fail early, by at most 64 KiB per other thread, never late.
//!   [`usage`](MemoryScope::usage) counts the reserves of the other threads
//!   in the scope, not the reader's own; once every thread has left, it is
//!   exact.
//!
//! # The allocator
//!
//! With no scope entered, [`LimitAllocator`] forwards every call, asking
//! for an alignment of 16 (and at least 16 bytes) for small blocks so that
//! the blocks it tags in a scope (8 bytes past a multiple of 16) are told
//! apart by their address alone. See `docs/memory-limits.md` in the
//! repository for what it costs next to the system allocator and the `cap`
//! crate. [`MemoryScope::new`] panics, with the line to add, when
//! `LimitAllocator` is not the global allocator.
//!
//! The per-thread state is a `thread_local!` without a destructor, read
//! once per call; targets without native thread-locals, where std
//! allocates a thread's first thread-local, are not supported. A thread
//! that ends while inside a scope (a forgotten guard) leaves it.
//!
//! # Without std
//!
//! The feature needs `std` (a global allocator and thread-locals). Without
//! it, [`Budget`](super::Budget) caps the collections built in it.

mod allocator;
mod block;
mod future;
mod mark;
mod scope;
mod state;
mod thread;

pub use allocator::LimitAllocator;
pub use future::ScopedFuture;
pub(crate) use mark::fallible;
pub use scope::{MemoryScope, ScopeGuard};

use crate::OutOfMemory;

/// What `MemoryScope::new` panics with when `LimitAllocator` is not the
/// global allocator.
const NOT_INSTALLED: &str = "MemoryScope needs LimitAllocator as the global allocator; add:\n\n    \
     #[global_allocator]\n    \
     static ALLOCATOR: wasmtime_error::alloc::limit::LimitAllocator =\n        \
     wasmtime_error::alloc::limit::LimitAllocator::new(std::alloc::System);\n";

/// `Err(OutOfMemory)` while the calling thread's current scope, or one it
/// is inside, is over its limit (see [`MemoryScope::check`]); `Ok` outside
/// any scope.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::limit::{self, LimitAllocator, MemoryScope};
///
/// #[global_allocator]
/// static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);
///
/// fn work() -> wasmtime_error::Result<Vec<u8>> {
///     #[allow(clippy::disallowed_methods, reason = "an infallible allocation, on purpose")]
///     let text = "x".repeat(200); // charged anyway: the scope is now exceeded
///     limit::check()?;
///     Ok(text.into_bytes())
/// }
///
/// let scope = MemoryScope::new(100)?;
/// assert!(scope.run(work).is_err());
/// assert!(limit::check().is_ok());
/// # wasmtime_error::Ok(())
/// ```
pub fn check() -> Result<(), OutOfMemory> {
    let excess = thread::with(|thread| {
        let (current, reserve) = thread.own_reserve()?;
        // SAFETY: the thread holds its current scope.
        unsafe { state::over_limit(current, Some((current, reserve))) }
    });
    match excess {
        Some(excess) => Err(OutOfMemory::new(excess)),
        None => Ok(()),
    }
}
