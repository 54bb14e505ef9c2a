//! A harness that makes each allocation of a piece of code fail in turn, to
//! prove the code turns every one of them into an
//! [`OutOfMemory`](crate::OutOfMemory) error (feature `oom-test`, which
//! needs `std`).
//!
//! - [`OomTestAllocator`] is the allocator to install with
//!   `#[global_allocator]` in a test binary (or to hand to one
//!   `allocator_api2` collection). Outside a test it is the system
//!   allocator.
//! - [`OomTest`] runs a closure once to count its allocations, then once per
//!   allocation with that allocation failing, and checks that the closure
//!   returns the out-of-memory error exactly when one failed, does not
//!   allocate after the failure, leaks nothing and does not panic.
//!   [`OomTest::fuzz`] fails random allocations instead,
//!   [`OomTest::each_site`] the first and last occurrences of each
//!   allocation site (for closures of 10^5 allocations and more), and
//!   [`OomTest::test_async`] runs a future.
//! - On unix (not under Miri) each failure runs in a child process
//!   ([`OomTest::isolated`]): a run that aborts, which is what an
//!   infallible allocation (`Vec::push`, `Box::new`, `format!`) does when it
//!   fails, ends only its child, and one call reports every such site.
//!   Later failures are run by children forked at the very allocation they
//!   fail, so that no run repeats the allocations before it; the children
//!   work side by side on the available cores.
//! - A broken rule gives an [`OomTestFailure`]: one [`FailedRun`] per rule
//!   and site, each with the allocation that was failed (its index and
//!   layout) and its [`AllocationSite`], which is usually the `Vec::push`
//!   that should have been a `try_reserve`. The frames of std, the
//!   allocator, this crate and the harness are folded into one line
//!   (naming the call they began with), so the first frame shown is the
//!   caller's code. An allocation made after the failure is reported with
//!   where it was made too.
//! - Sites cost little: the harness walks the stack (return addresses
//!   only, nothing allocated) at each failure, and resolves symbols only
//!   to print a report or tell sites apart, once per address.
//! - [`OomTestSummary`] says how many allocations were failed, and at how
//!   many distinct places of the code under test.
//!
//! ```
//! use wasmtime_error::{Result, oom_test::{OomTest, OomTestAllocator}};
//!
//! #[global_allocator]
//! static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();
//!
//! fn squares(n: usize) -> Result<Vec<usize>> {
//!     let mut out = Vec::new();
//!     out.try_reserve(n).map_err(|_| wasmtime_error::OutOfMemory::new(n))?;
//!     out.extend((0..n).map(|i| i * i));
//!     Ok(out)
//! }
//!
//! # fn main() {
//! let summary = OomTest::new()
//!     .test(|| {
//!         let values = squares(10)?;
//!         assert_eq!(values[3], 9);
//!         Ok(())
//!     })
//!     .unwrap();
//! assert_eq!(summary.allocations, 1);
//! # }
//! ```
//!
//! # When the code under test aborts
//!
//! A failure that reaches an infallible API (`Vec::push`, `Box::new`,
//! `format!`, `String::clone`) makes Rust print `memory allocation of N
//! bytes failed` and abort the process. In isolated mode that process is a
//! child, and the failure is [`FailureKind::Aborted`]. In this process
//! (`isolated(false)`, or where there are no child processes) no
//! `OomTestFailure` can be returned; for that case the harness prepares, at the moment it fails an
//! allocation, a report with the allocation's index, layout and backtrace,
//! and writes it to stderr from a `SIGABRT` handler: the last lines before
//! the abort name the call that must become fallible. The report is built
//! with injection paused and written with one `write` call from a buffer
//! made beforehand, so nothing in that path allocates. Where there is no
//! such handler (targets other than Linux, Android, macOS, iOS and FreeBSD,
//! and Miri), and with [`OomTest::print_each_injection`], the report is
//! written when the allocation fails.
//!
//! # Limits
//!
//! - **What a child does not share** (isolated mode): the other threads of
//!   the test process, output captured by libtest, and the closure's
//!   effects on the state outside it; see [`OomTest::isolated`].
//! - **One thread per test.** Injection state is per thread: the closure's
//!   allocations are counted only on the thread that called `test`;
//!   allocations on other threads pass through untouched, so tests run in
//!   parallel without disturbing each other, but work the closure hands to
//!   another thread is not tested. An `OomTest` cannot run inside another.
//! - **Symbols are resolved with injection paused.** Resolving allocates
//!   (and aborts if it cannot), so the harness resolves and prints
//!   allocation sites with injection paused: those allocations are neither
//!   counted, failed nor tracked for leaks, and do not shift the indices. Code under test that captures or prints
//!   backtraces itself should do it inside [`without_injection`].
//! - **The crate's `backtrace` feature.** With it, every boxed error
//!   captures a `std::backtrace::Backtrace` when it is created (if
//!   `RUST_BACKTRACE`/`RUST_LIB_BACKTRACE` ask for it), and `{:?}` prints
//!   it. Capturing and printing allocate through the global allocator and
//!   abort if that fails: that is the price of the feature. Out-of-memory
//!   errors and static messages (`bail!("literal")`) never capture, so
//!   reporting an OOM stays allocation-free. Under this harness the capture
//!   and the printing run inside [`without_injection`], so the tests check
//!   the crate's own fallible allocations rather than std's.
//! - **Leaks are a balance.** Bytes allocated minus bytes freed on the
//!   test's thread during one run. Freeing memory that was allocated
//!   before the run (a value the closure captured) can hide a leak of the
//!   same size; memory the first dry run puts in a cache is not reported.
//! - **Output from the closure.** Under `cargo test`, `println!` writes
//!   into a buffer that grows with infallible allocations; print outside
//!   the closure, or inside [`without_injection`].
//! - While a thread panics, its allocations pass through untouched, so that
//!   the panic is reported instead of aborting.

// Without child processes (Miri, targets other than unix) the parts that
// serve isolated runs are built but not used.
#![cfg_attr(
    any(miri, not(unix)),
    allow(dead_code, reason = "isolated runs need child processes")
)]

mod allocator;
#[cfg(all(unix, not(miri)))]
mod child;
#[cfg(all(unix, not(miri)))]
mod isolated;
mod report;
mod run;
mod runner;
mod site;
mod state;
mod symbols;
mod text;

pub use allocator::OomTestAllocator;
pub use report::{FailedRun, FailureKind, OomTestFailure};
pub use runner::{OomTest, OomTestSummary};
pub use site::AllocationSite;
pub use state::Allocation;

/// Runs `f` with failure injection off on this thread: its allocations are
/// neither counted nor failed, nor checked against
/// [`allow_alloc_after_oom`](OomTest::allow_alloc_after_oom). Their bytes
/// still count for leak detection. Outside an `OomTest` it just runs `f`.
///
/// For work inside a test that is not under test and allocates
/// infallibly: logging, printing, capturing backtraces.
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::oom_test::{OomTest, without_injection};
///
/// let summary = OomTest::new()
///     .test(|| {
///         let mut buffer = Vec::<u8>::new();
///         buffer.try_reserve(4).map_err(|_| wasmtime_error::OutOfMemory::new(4))?;
///         // Not counted, never failed.
///         without_injection(|| println!("reserved {} bytes", buffer.capacity()));
///         Ok(())
///     })
///     .unwrap();
/// assert_eq!(summary.allocations, 1);
/// ```
pub fn without_injection<R>(f: impl FnOnce() -> R) -> R {
    let _exempt = state::Exempt::new();
    f()
}

/// What [`without_injection`] does, as a guard: for the crate's own
/// backtrace capture, which should not add frames to what it captures.
#[cfg(feature = "backtrace")]
pub(crate) fn exempt() -> impl Drop {
    state::Exempt::new()
}
