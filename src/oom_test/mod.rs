//! A harness that makes each allocation of a piece of code fail in turn, to
//! prove the code turns every one of them into an
//! [`OutOfMemory`](crate::OutOfMemory) error (feature `oom-test`, which
//! needs `std`).
//!
//! - [`OomTestAllocator`] is the allocator to install with
//!   `#[global_allocator]` in a test binary (or to hand to one
//!   `allocator_api2` collection). Outside a test it is the system
//!   allocator. A test that sees no allocation checks that it is
//!   installed, and fails with the line to add when it is not.
//! - [`OomTest`] runs a closure once to count its allocations, then once per
//!   allocation with that allocation failing, and checks that the closure
//!   returns the out-of-memory error exactly when one failed, does not
//!   allocate after the failure, leaks nothing and does not panic.
//!   [`OomTest::fuzz`] fails random allocations instead,
//!   [`OomTest::each_site`] the first and last occurrences of each
//!   allocation site (for closures of 10^5 allocations and more), and
//!   [`OomTest::test_async`] checks async code, as a future any executor
//!   polls.
//! - On unix (not under Miri) each failure runs in a child process
//!   ([`OomTest::isolated`]): a run that aborts, which is what an
//!   infallible allocation (`Vec::push`, `Box::new`, `format!`) does when it
//!   fails, ends only its child, and one call reports every such site.
//!   Once a run has died, the later occurrences of its allocation (the same
//!   stack, such as a `format!` in a loop) are not failed again, so broken
//!   code is reported about as fast as correct code passes.
//! - A broken rule gives an [`OomTestFailure`]: one [`FailedRun`] per rule
//!   and site, each with the allocation that was failed (its index and
//!   layout) and its [`AllocationSite`], which is usually the `Vec::push`
//!   that should have been a `try_reserve`. The frames of std, the
//!   allocator, this crate and the harness are folded into one line
//!   (naming the call they began with), so the first frame shown is the
//!   caller's code. An allocation made after the failure is reported with
//!   where it was made too.
//! - A test that passes costs its runs and little more: the harness takes
//!   stacks as bare return addresses (nothing allocated, nothing resolved)
//!   where it needs them, and resolves symbols (which loads the program's
//!   debug information) only to report a failure, to print, to count
//!   [sites](OomTestSummary::sites), or in site mode.
//! - [`OomTestSummary`] says what was done.
//!
//! ```
//! use wasmtime_error::{Result, oom_test::{OomTest, OomTestAllocator}};
//!
//! #[global_allocator]
//! static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();
//!
//! fn squares(n: usize) -> Result<Vec<usize>> {
//!     let mut out = Vec::new();
//!     out.try_reserve(n)?;
//!     #[allow(clippy::disallowed_methods, reason = "within the capacity reserved above")]
//!     out.extend((0..n).map(|i| i * i));
//!     Ok(out)
//! }
//!
//! fn squares_handle_oom() -> Result<()> {
//!     OomTest::new().test(|| {
//!         let values = squares(10)?;
//!         assert_eq!(values[3], 9);
//!         Ok(())
//!     })
//! }
//! # fn main() {
//! # squares_handle_oom().unwrap();
//! # }
//! ```
//!
//! # Wasmtime's harness
//!
//! The API is the one of Wasmtime's `wasmtime_fuzzing::oom` (v48), so that
//! its OOM test suite builds against this module with only its import
//! path changed: `OomTestAllocator::new()` (`const`); the options
//! `max_iters(u32)`, `max_duration`, `allow_alloc_after_oom`,
//! `alloc_succeeds_after_oom`, `allow_missed_oom_errors` and `seed(u64)`
//! on `&mut self`, returning `&mut Self`; `test` and `fuzz` taking the
//! closure and returning `Result<()>`; `test_async` and `fuzz_async`, async
//! functions that take an async closure. This harness's own results are
//! reached through [`OomTest::check`] and [`OomTest::check_async`] (the
//! [`OomTestSummary`] or the [`OomTestFailure`]), or through the error
//! `test` returns (`error.downcast_ref::<OomTestFailure>()`).
//!
//! Where the two differ, this harness keeps its checks: a leak, an abort
//! (in a child), a hang and a panic fail the test; an allocation after the
//! failure is reported as a failure with where it was made, and `test`,
//! `test_async`, `fuzz` and `fuzz_async` then panic in the caller's thread
//! once the sweep is over, where Wasmtime's harness panics inside the
//! allocator (see [`OomTest::allow_alloc_after_oom`]); `realloc` counts as one
//! allocation (Wasmtime's counts the allocation its default makes); and
//! the allocations `fuzz` picks come from another generator than
//! Wasmtime's for the same seed.
//!
//! # When the code under test aborts
//!
//! A failure that reaches an infallible API (`Vec::push`, `Box::new`,
//! `format!`, `String::clone`) makes Rust print `memory allocation of N
//! bytes failed` and abort the process. In isolated mode that process is a
//! child, and the failure is [`FailureKind::Aborted`]. In this process
//! (`isolated(false)`, or where there are no child processes) no
//! `OomTestFailure` can be returned; for that case the harness prepares,
//! at the moment it fails an allocation, a report with the allocation's
//! index, layout and backtrace, and writes it to stderr from a `SIGABRT`
//! handler: the last lines before the abort name the call that must
//! become fallible. Preparing it resolves symbols, once per distinct
//! stack: the price of failing allocations in this process. Where there
//! is no such handler (targets other than unix, and Miri), and with
//! [`OomTest::print_each_injection`], the report is written when the
//! allocation fails.
//!
//! # What runs in a child
//!
//! A child is forked from a test process that has other threads, at any
//! moment of theirs: a lock one of them held at the fork stays held in the
//! child forever. So the harness's code in a child keeps to calls that take
//! no lock (POSIX's async-signal-safe ones, and memory of its own), part by
//! part:
//!
//! - **Right after `fork`** (`child::fork`): `dup2` and `close` of pipe
//!   ends, `setrlimit` (no core dump for an aborting run), and atomic
//!   stores (the child's message pipe; errors made in the child capture no
//!   backtrace, which would take std's backtrace lock).
//! - **The allocator**: [`OomTestAllocator`] reads and writes `const`
//!   thread-local cells (no lazy initialisation, no destructor to
//!   register). The allocation a child fails and the first one after it are
//!   told to the parent with one `write` of a fixed-size frame built on the
//!   stack (`wire`). A child walks no stack: the parent knows where each
//!   planned allocation is made, from a dry run that recorded it or from
//!   its own run at the fork, and finds where the first allocation after a
//!   failure is made, when it must report it, by running that failure once
//!   more itself.
//! - **A sweeper's loop**: `Instant::now` (a clock read), the runs, one
//!   `write` per run's verdict, then `_exit` (no destructors, no `atexit`
//!   handlers, no flushing of buffers copied from the parent).
//! - **Judging a run** (`run`): `Error::is`, and for another error its
//!   `Display` written into a fixed buffer; the box that carries a
//!   closure's outcome (a `malloc`); dropping what the closure
//!   returned frees memory through glibc's allocator, whose locks `fork`
//!   resets in the child (as it does those of stdio and of the dynamic
//!   loader's `dl_load_lock`).
//! - **An async closure**: its future is polled by the child alone, with a
//!   waker that does nothing, and `sched_yield` or a 1 ms `nanosleep`
//!   between polls.
//! - **A panic**: the harness's panic hook (installed once, in the parent,
//!   before its first child; elsewhere it calls the hook that was there)
//!   writes the message with one `write`. Std's own hook would take std's
//!   backtrace lock to print, whatever `RUST_BACKTRACE` says. Around the
//!   hook, std reads it under an `RwLock` (held only while another thread
//!   replaces the hook) and unwinds: on glibc 2.35 and later with libgcc 12
//!   and later, the unwinder finds frames with `_dl_find_object`, which
//!   takes no lock, unless code was registered with `__register_frame` (as
//!   JIT compilers such as Wasmtime's do), when libgcc takes its object
//!   mutex; older libgcc calls `dl_iterate_phdr`, whose lock `fork` does
//!   not reset.
//! - **An abort**: Rust's `memory allocation of N bytes failed` (one
//!   `write`), `abort`, and the harness's `SIGABRT` handler, installed with
//!   `sigaction` and `SA_SIGINFO` (it hands the signal's information on to
//!   a handler that was there before it, or with none, restores the
//!   default action and raises the signal again: `signal` and `raise`),
//!   which in a child has no report to write.
//! - **The symbol server**, a child forked at the first symbol resolved:
//!   see `symbols` for what it does and which lock it can still meet.
//!
//! The code under test is the caller's: a lock it takes that another
//! thread held at the fork hangs its child, which is killed after
//! [`OomTest::child_timeout`] and run once more in a new child before it
//! is reported ([`OomTestSummary::retried`] counts these).
//! `.ci/oom-fork-stress` runs the isolated contract tests over and over
//! next to threads that take std's backtrace lock and unwind without
//! pause, and counts hangs and retries.
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
//!   another thread is not tested. An `OomTest` cannot run inside another,
//!   nor two interleaved on one thread.
//! - **Symbols are resolved with injection paused.** Resolving allocates
//!   (and aborts if it cannot), so the harness resolves and prints
//!   allocation sites with injection paused: those allocations are neither
//!   counted, failed nor tracked for leaks, and do not shift the indices.
//!   Code under test that captures or prints backtraces itself should do
//!   it inside [`without_injection`].
//! - **The crate's `backtrace` feature.** With it, every boxed error
//!   captures a `std::backtrace::Backtrace` when it is created (if
//!   `RUST_BACKTRACE`/`RUST_LIB_BACKTRACE` ask for it), and `{:?}` prints
//!   it. Capturing and printing allocate through the global allocator and
//!   abort if that fails: that is the price of the feature. Out-of-memory
//!   errors and static messages (`bail!("literal")`) never capture, so
//!   reporting an OOM stays allocation-free. Under this harness the capture
//!   and the printing run inside [`without_injection`], so the tests check
//!   the crate's own fallible allocations rather than std's; in a child
//!   nothing is captured.
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

mod abort_report;
mod allocation;
mod allocator;
mod capture;
#[cfg(all(unix, not(miri)))]
mod child;
mod driver;
mod failure;
mod frames;
#[cfg(all(unix, not(miri)))]
mod isolated;
mod outcome;
mod plan;
mod run;
mod runner;
mod site;
mod state;
mod summary;
mod symbols;
mod tally;
mod text;
mod verdict;
#[cfg(all(unix, not(miri)))]
mod wire;

pub use allocation::Allocation;
pub use allocator::OomTestAllocator;
pub use failure::{FailedRun, FailureKind, OomTestFailure};
pub use runner::OomTest;
pub use site::AllocationSite;
pub use summary::OomTestSummary;

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
///     .check(|| {
///         let mut buffer = Vec::<u8>::new();
///         buffer.try_reserve(4)?;
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
