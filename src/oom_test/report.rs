//! What the harness tells the user: the report written when an allocation
//! is failed (for the case where the process then aborts), and
//! [`OomTestFailure`], the error a broken contract produces.

use super::state::{self, Allocation, Paused};
use std::backtrace::Backtrace;
use std::boxed::Box;
use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::string::String;
use std::vec::Vec;

/// The backtrace of the injected failure of the current run, the text of
/// its report, where the code under test made it, and the backtrace of the
/// first allocation after it (in a replayed run). Only touched while the
/// harness is paused (allocations pass through) or between runs.
struct Site {
    backtrace: Option<Backtrace>,
    report: String,
    site: Option<String>,
    after_oom: Option<Backtrace>,
}

std::thread_local! {
    static SITE: RefCell<Site> = const {
        RefCell::new(Site { backtrace: None, report: String::new(), site: None, after_oom: None })
    };
}

/// What the last run captured. Call between runs.
pub(crate) struct Captured {
    /// Where the injected failure was made.
    pub(crate) backtrace: Option<Backtrace>,
    /// The first frame of the code under test in it (see [`fold`]), which
    /// tells allocation sites apart.
    pub(crate) site: Option<String>,
    /// Where the first allocation after the failure was made.
    pub(crate) after_oom: Option<Backtrace>,
}

pub(crate) fn take_captured() -> Captured {
    SITE.with_borrow_mut(|site| Captured {
        backtrace: site.backtrace.take(),
        site: site.site.take(),
        after_oom: site.after_oom.take(),
    })
}

/// The allocation site. Miri cannot afford one per injection.
fn capture() -> Backtrace {
    if cfg!(miri) {
        Backtrace::disabled()
    } else {
        Backtrace::force_capture()
    }
}

/// Called by the allocator when it fails the planned allocation: captures
/// where it came from and prepares (or writes) the report, all with the
/// harness paused, so that none of this is counted or failed.
pub(crate) fn injected_failure(allocation: Allocation) {
    let _paused = Paused::new();
    let backtrace = capture();
    let settings = state::settings();
    let folded = folded(&backtrace);
    SITE.with_borrow_mut(|site| {
        site.report.clear();
        // Writing to a `String` cannot fail.
        let _ = write_report(&mut site.report, allocation, &folded.text);
        site.site = folded.site;
        state::set_pending_report((site.report.as_ptr(), site.report.len()));
        if settings.print_each_injection || !abort_hook::install() {
            // Unbuffered and lock-only: nothing here allocates.
            let _ = std::io::stderr().write_all(site.report.as_bytes());
        }
        site.backtrace = Some(backtrace);
    });
}

/// Called by the allocator, in a replayed run, for the first allocation
/// after the injected failure: captures where it was made.
pub(crate) fn allocation_after_oom() {
    let _paused = Paused::new();
    let backtrace = capture();
    SITE.with_borrow_mut(|site| site.after_oom = Some(backtrace));
}

fn write_report(out: &mut String, allocation: Allocation, backtrace: &str) -> fmt::Result {
    writeln!(out, "\noom_test: injected a failure into {allocation}")?;
    writeln!(
        out,
        "oom_test: if the process aborts now, this allocation site cannot handle \
         failure (an infallible call such as `Vec::push`, `Box::new` or `format!`):"
    )?;
    writeln!(out, "{backtrace}")
}

/// A backtrace as std prints it, with each run of frames that are not the
/// code under test folded into one line.
pub(crate) struct Folded {
    pub(crate) text: String,
    /// The first frame left (its name and location), if any was.
    pub(crate) site: Option<String>,
}

/// [`fold`] of the text std prints for `backtrace`.
pub(crate) fn folded(backtrace: &Backtrace) -> Folded {
    fold(&std::format!("{backtrace}"))
}

/// Folds the frames of std, core, alloc, the allocation libraries, this
/// crate (the harness, the allocator, the collections) and the runtime, so
/// that the first frame shown is the caller's code. A backtrace with no
/// such frame, or not in std's format, is left as it is.
pub(crate) fn fold(full: &str) -> Folded {
    let mut frames: Vec<(bool, String)> = Vec::new();
    for line in full.lines() {
        match frame_name(line) {
            Some(name) => frames.push((is_outside_the_caller(name), std::format!("{line}\n"))),
            None => match frames.last_mut() {
                Some((_, frame)) => {
                    frame.push_str(line);
                    frame.push('\n');
                }
                None => frames.push((false, std::format!("{line}\n"))),
            },
        }
    }
    if frames.iter().all(|(outside, _)| *outside) {
        return Folded {
            text: full.into(),
            site: None,
        };
    }
    let mut text = String::new();
    let mut folded = 0;
    let mut last_folded = "";
    for (outside, frame) in &frames {
        if *outside {
            folded += 1;
            last_folded = frame.lines().next().and_then(frame_name).unwrap_or("");
            continue;
        }
        if folded > 0 {
            // The last folded frame is what the caller called, such as
            // the `Vec::push` that aborts.
            let _ = writeln!(text, "{}, up to {last_folded})", FoldedLine(folded));
            folded = 0;
        }
        text.push_str(frame);
    }
    if folded > 0 {
        let _ = writeln!(text, "{})", FoldedLine(folded));
    }
    let site = frames
        .iter()
        .find(|(outside, _)| !outside)
        .and_then(|(_, frame)| frame.split_once(": "))
        .map(|(_, rest)| rest.trim_end().into());
    Folded { text, site }
}

struct FoldedLine(usize);

impl fmt::Display for FoldedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(
            f,
            "      ({} frame{s} of std, wasmtime_error and the runtime folded",
            self.0
        )
    }
}

/// The function name of a frame's first line (`   12: name`).
fn frame_name(line: &str) -> Option<&str> {
    let (number, name) = line.trim_start().split_once(": ")?;
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

fn is_outside_the_caller(name: &str) -> bool {
    const LIBRARIES: [&str; 9] = [
        "fn(",
        "std::",
        "core::",
        "alloc::",
        "wasmtime_error::",
        "hashbrown::",
        "allocator_api2::",
        "test::",
        "__",
    ];
    const RUNTIME: [&str; 6] = [
        "main",
        "_start",
        "clone",
        "clone3",
        "start_thread",
        "<unknown>",
    ];
    let path = name.trim_start_matches(['<', '&', '*', ' ']);
    let path = path
        .strip_prefix("dyn ")
        .or_else(|| path.strip_prefix("mut "))
        .unwrap_or(path);
    // `<T as core::fmt::Display>::fmt`: a blanket impl of the libraries.
    let blanket = path.split_once(" as ").is_some_and(|(ty, by)| {
        !ty.contains("::") && LIBRARIES.iter().any(|library| by.starts_with(library))
    });
    blanket || LIBRARIES.iter().any(|library| path.starts_with(library)) || RUNTIME.contains(&name)
}

/// Prints the pending report when the process aborts, which is what Rust
/// does when an infallible allocation fails: the last lines before the
/// abort then name the allocation site.
#[cfg(all(
    not(miri),
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd"
    )
))]
mod abort_hook {
    use super::state;
    use core::ffi::{c_int, c_void};
    use std::sync::Once;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const SIGABRT: c_int = 6;
    const SIG_DFL: usize = 0;
    const SIG_IGN: usize = 1;
    const SIG_ERR: usize = usize::MAX;

    unsafe extern "C" {
        fn signal(signum: c_int, handler: usize) -> usize;
        fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    }

    static PREVIOUS: AtomicUsize = AtomicUsize::new(SIG_DFL);
    static INSTALL: Once = Once::new();
    static INSTALLED: AtomicUsize = AtomicUsize::new(0);

    /// Installs the handler once per process; whether it is in place.
    pub(super) fn install() -> bool {
        INSTALL.call_once(|| {
            let handler: extern "C" fn(c_int) = on_abort;
            // SAFETY: `signal` is the C library's, which every Rust program
            // on these targets links; the handler only calls
            // async-signal-safe functions (`write`, and the previous
            // handler, which was itself installed as a signal handler).
            let previous = unsafe { signal(SIGABRT, handler as usize) };
            if previous != SIG_ERR {
                PREVIOUS.store(previous, Ordering::Relaxed);
                INSTALLED.store(1, Ordering::Relaxed);
            }
        });
        INSTALLED.load(Ordering::Relaxed) == 1
    }

    extern "C" fn on_abort(signum: c_int) {
        let (text, len) = state::pending_report();
        if !text.is_null() {
            // SAFETY: the pending report points at `len` bytes owned by this
            // thread's report buffer, which is only changed by the thread
            // itself (not running now: it is in this handler).
            unsafe { write(2, text.cast(), len) };
        }
        let previous = PREVIOUS.load(Ordering::Relaxed);
        if previous != SIG_DFL && previous != SIG_IGN {
            // SAFETY: `previous` is the handler that was installed for
            // SIGABRT before ours, a function taking the signal number.
            let previous: extern "C" fn(c_int) = unsafe { core::mem::transmute(previous) };
            previous(signum);
        }
        // Returning from a SIGABRT handler makes `abort` restore the
        // default action and raise the signal again.
    }
}

/// Elsewhere the report is written at the moment of injection.
#[cfg(not(all(
    not(miri),
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd"
    )
)))]
mod abort_hook {
    pub(super) fn install() -> bool {
        false
    }
}

/// Which rule of the contract a run broke.
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::oom_test::{FailureKind, OomTest};
///
/// let failure = OomTest::new()
///     .test(|| {
///         // Ignores a failed allocation: the harness calls that a missed OOM.
///         let _ = String::new().try_reserve(10);
///         Ok(())
///     })
///     .unwrap_err();
/// assert!(matches!(failure.kind(), FailureKind::MissedOom));
/// assert_eq!(failure.injected().unwrap().index, 0);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum FailureKind {
    /// An allocation failed and the closure still returned `Ok(())`.
    MissedOom,
    /// An allocation failed and the closure returned an error that is not an
    /// out-of-memory error.
    NonOomError {
        /// The error, printed with `{:#}`.
        message: String,
    },
    /// The closure returned an error although no allocation had failed.
    UnexpectedError {
        /// The error, printed with `{:#}`.
        message: String,
    },
    /// The closure allocated again after an allocation had failed, and the
    /// test does not [allow it](super::OomTest::allow_alloc_after_oom).
    ///
    /// That allocation is usually an error or a context made with an
    /// infallible allocation after the failure (`format!`, or a `?` that
    /// boxes the failure instead of turning it into an `OutOfMemory`). The
    /// harness replays the run to capture where it was made:
    /// [`OomTestFailure::after_oom_backtrace`].
    AllocAfterOom {
        /// The first allocation made after the failure.
        allocation: Allocation,
    },
    /// The closure allocated bytes and did not free them in the same run
    /// (see [`allow_leaks`](super::OomTest::allow_leaks)).
    Leak {
        /// Bytes allocated minus bytes freed.
        bytes: usize,
    },
    /// The closure panicked.
    Panicked {
        /// The panic message, when it was a string.
        message: String,
    },
    /// The dry runs kept counting different numbers of allocations.
    UnstableCount {
        /// The count of each dry run.
        counts: Vec<u64>,
    },
}

/// A broken contract: what happened, in which run, and where the failed
/// allocation was made.
///
/// `Display` (and `Debug`, so that `unwrap` shows the same) print all of it,
/// ending with the stack backtrace of the allocation that was failed.
/// `OomTestFailure` is a standard error, so `?` turns it into an
/// [`Error`](crate::Error).
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::{Result, oom_test::{FailureKind, OomTest}};
///
/// let failure = OomTest::new()
///     .test(|| -> Result<()> {
///         let mut text = String::new();
///         if text.try_reserve_exact(4).is_err() {
///             wasmtime_error::bail!("no room"); // not an `OutOfMemory`
///         }
///         Ok(())
///     })
///     .unwrap_err();
/// assert!(matches!(failure.kind(), FailureKind::NonOomError { message } if message == "no room"));
/// assert!(failure.to_string().contains("allocation #0 (size 4, align 1)"));
/// ```
pub struct OomTestFailure {
    kind: FailureKind,
    injected: Option<Allocation>,
    backtrace: Option<Backtrace>,
    /// Boxed: a failure is returned by value, and this one is rare.
    after_oom: Option<Box<Backtrace>>,
}

impl OomTestFailure {
    pub(crate) fn new(
        kind: FailureKind,
        injected: Option<Allocation>,
        backtrace: Option<Backtrace>,
    ) -> OomTestFailure {
        OomTestFailure {
            kind,
            injected,
            backtrace,
            after_oom: None,
        }
    }

    pub(crate) fn with_after_oom(mut self, after_oom: Option<Backtrace>) -> OomTestFailure {
        self.after_oom = after_oom.map(Box::new);
        self
    }

    /// Which rule was broken.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::{FailureKind, OomTest};
    ///
    /// let failure = OomTest::new().test(|| wasmtime_error::bail!("always")).unwrap_err();
    /// assert!(matches!(failure.kind(), FailureKind::UnexpectedError { .. }));
    /// ```
    pub fn kind(&self) -> &FailureKind {
        &self.kind
    }

    /// The allocation that was made to fail in the failing run; `None` when
    /// the run failed none (a dry run, or the closure allocated less that
    /// time).
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let failure = OomTest::new()
    ///     .test(|| {
    ///         let mut first = Vec::<u8>::new();
    ///         first.try_reserve(1).map_err(|_| wasmtime_error::OutOfMemory::new(1))?; // handled
    ///         let _ = Vec::<u16>::new().try_reserve_exact(3); // ignored
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// let injected = failure.injected().unwrap();
    /// assert_eq!((injected.index, injected.layout.size()), (1, 6));
    /// ```
    pub fn injected(&self) -> Option<Allocation> {
        self.injected
    }

    /// Where the failed allocation was made, when one was; disabled under
    /// Miri.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// let failure = OomTest::new()
    ///     .test(|| {
    ///         let _ = Vec::<u8>::new().try_reserve(1);
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// assert!(failure.backtrace().is_some());
    /// ```
    pub fn backtrace(&self) -> Option<&Backtrace> {
        self.backtrace.as_ref()
    }

    /// For [`FailureKind::AllocAfterOom`]: where the first allocation after
    /// the failure was made (captured in a replay of the run); disabled
    /// under Miri.
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::{OutOfMemory, oom_test::OomTest};
    ///
    /// let failure = OomTest::new()
    ///     .test(|| {
    ///         let mut buffer = Vec::<u8>::new();
    ///         if buffer.try_reserve(8).is_err() {
    ///             // A second allocation after the failure.
    ///             let _ = Vec::<u8>::new().try_reserve(1);
    ///             return Err(OutOfMemory::new(8).into());
    ///         }
    ///         Ok(())
    ///     })
    ///     .unwrap_err();
    /// assert!(failure.after_oom_backtrace().is_some());
    /// ```
    pub fn after_oom_backtrace(&self) -> Option<&Backtrace> {
        self.after_oom.as_deref()
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureKind::MissedOom => {
                f.write_str("missed OOM: an allocation failed but the closure returned Ok(())")
            }
            FailureKind::NonOomError { message } => write!(
                f,
                "missed OOM: an allocation failed but the closure returned an error \
                 that is not OutOfMemory: {message}"
            ),
            FailureKind::UnexpectedError { message } => write!(
                f,
                "the closure returned an error although no allocation failed: {message}"
            ),
            FailureKind::AllocAfterOom { allocation } => write!(
                f,
                "the closure made {allocation} after an allocation had failed: make it \
                 fallible and return the OutOfMemory (or, if it is a deliberate retry, \
                 allow it with `allow_alloc_after_oom(true)`)"
            ),
            FailureKind::Leak { bytes } => write!(
                f,
                "leak: {bytes} bytes allocated in one run of the closure were not freed \
                 (allow it with `allow_leaks(true)`)"
            ),
            FailureKind::Panicked { message } => {
                write!(f, "the closure panicked: {message}")
            }
            FailureKind::UnstableCount { counts } => write!(
                f,
                "the number of allocations did not settle over {} dry runs: {counts:?}",
                counts.len()
            ),
        }
    }
}

impl fmt::Display for OomTestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OOM test failed: {}", self.kind)?;
        match self.injected {
            Some(injected) => write!(f, "\ninjected failure: {injected}")?,
            None => f.write_str("\nno allocation was failed in that run")?,
        }
        if let Some(backtrace) = &self.backtrace {
            let folded = folded(backtrace);
            write!(
                f,
                "\n\nallocation site of the injected failure:\n{}",
                folded.text
            )?;
        }
        if let Some(backtrace) = &self.after_oom {
            let folded = folded(backtrace);
            write!(
                f,
                "\n\nallocation site of the allocation made after it:\n{}",
                folded.text
            )?;
        }
        Ok(())
    }
}

impl fmt::Debug for OomTestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for OomTestFailure {}
