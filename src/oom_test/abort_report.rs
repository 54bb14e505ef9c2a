//! The report of a failed allocation for when the process then aborts,
//! which is what Rust does when an infallible allocation fails: in this
//! process (`isolated(false)`) the harness prepares it when it fails the
//! allocation, and a `SIGABRT` handler writes it, so that the last lines
//! before the abort name the allocation and the code that asked for it.
//! The report is built with injection paused and written with one `write`
//! from a buffer made beforehand, so nothing in the handler allocates.
//!
//! Preparing it resolves the symbols of the stack (once per distinct
//! stack): the price of running failures in this process.

use super::allocation::Allocation;
use super::frames::Frames;
use super::site::{fold, render};
use super::state::{Paused, Settings};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::string::String;
use std::vec::Vec;

std::thread_local! {
    /// The folded text of each stack reported so far: a loop fails the same
    /// stack at every turn, and folding it anew would cost more than a run.
    static FOLDED: RefCell<HashMap<Vec<usize>, String>> = RefCell::new(HashMap::new());
    /// The report of the allocation the current run failed.
    static REPORT: RefCell<String> = const { RefCell::new(String::new()) };
    /// Where the handler finds that report: address and length of bytes
    /// owned by `REPORT`, or null.
    static PENDING: Cell<(*const u8, usize)> = const { Cell::new((core::ptr::null(), 0)) };
}

/// The report of a failed allocation, for stderr: which allocation, and
/// the folded stack of the code that asked for it. Resolves symbols.
pub(crate) fn report_text(allocation: Allocation, frames: &Frames) -> String {
    let _paused = Paused::new();
    let mut out = String::new();
    let folded = FOLDED.with_borrow_mut(|cache| {
        cache
            .entry(frames.ips().to_vec())
            .or_insert_with(|| fold(&render(frames)).text)
            .clone()
    });
    let _ = writeln!(out, "\noom_test: injected a failure into {allocation}");
    let _ = writeln!(
        out,
        "oom_test: if the process aborts now, this allocation site cannot handle \
         failure (an infallible call such as `Vec::push`, `Box::new` or `format!`):"
    );
    let _ = writeln!(out, "{folded}");
    out
}

/// Called by the allocator when it fails the planned allocation of a run
/// in this process: prepares the report for the abort handler, or writes
/// it now (where there is no handler, or when asked to).
pub(crate) fn prepare(allocation: Allocation, frames: &Frames, settings: Settings) {
    if !settings.abort_report && !settings.print_each_injection {
        return;
    }
    let text = report_text(allocation, frames);
    let _paused = Paused::new();
    REPORT.with_borrow_mut(|report| {
        *report = text;
        PENDING.set((report.as_ptr(), report.len()));
        if settings.print_each_injection || !handler::install() {
            // Unbuffered and lock-only: nothing here allocates.
            let _ = std::io::stderr().write_all(report.as_bytes());
        }
    });
}

/// The run is over: an abort from now on is not its allocation's.
pub(crate) fn clear() {
    PENDING.set((core::ptr::null(), 0));
}

/// Writes the pending report when the process aborts.
#[cfg(all(unix, not(miri)))]
mod handler {
    use super::PENDING;
    use core::ffi::{c_int, c_void};
    use std::sync::Once;
    use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};

    /// The handler that was there before ours, and its flags.
    static PREVIOUS: AtomicUsize = AtomicUsize::new(libc::SIG_DFL);
    static PREVIOUS_FLAGS: AtomicI32 = AtomicI32::new(0);
    static INSTALL: Once = Once::new();
    static INSTALLED: AtomicBool = AtomicBool::new(false);

    /// Installs the handler once per process; whether it is in place.
    pub(super) fn install() -> bool {
        INSTALL.call_once(|| {
            // SAFETY: `sigaction` is plain data; all zeroes is a valid,
            // empty value, filled in below.
            let mut action: libc::sigaction = unsafe { core::mem::zeroed() };
            // SAFETY: as above.
            let mut previous: libc::sigaction = unsafe { core::mem::zeroed() };
            let handler: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) = on_abort;
            action.sa_sigaction = handler as usize;
            // SA_SIGINFO: the handler receives what a previous handler
            // installed with it needs, to hand it on.
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_RESTART;
            // SAFETY: both point to valid `sigaction` values; the handler
            // only makes async-signal-safe calls (`write`, and the previous
            // handler, itself a signal handler).
            let installed = unsafe {
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(libc::SIGABRT, &action, &mut previous) == 0
            };
            if installed {
                PREVIOUS.store(previous.sa_sigaction, Ordering::Relaxed);
                PREVIOUS_FLAGS.store(previous.sa_flags, Ordering::Relaxed);
                INSTALLED.store(true, Ordering::Relaxed);
            }
        });
        INSTALLED.load(Ordering::Relaxed)
    }

    extern "C" fn on_abort(signum: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
        // `try_with`: a thread being torn down has no report to give.
        let (text, len) = PENDING
            .try_with(|pending| pending.get())
            .unwrap_or((core::ptr::null(), 0));
        if !text.is_null() {
            // SAFETY: the pending report points at `len` bytes owned by this
            // thread's report buffer, which is only changed by the thread
            // itself (not running now: it is in this handler).
            unsafe { libc::write(2, text.cast(), len) };
        }
        let previous = PREVIOUS.load(Ordering::Relaxed);
        if previous == libc::SIG_DFL {
            // The default action, which ends the process: `abort` would
            // take it when this returns, but a SIGABRT sent by `kill`
            // would not. The signal raised here is blocked until this
            // handler returns.
            // SAFETY: `signal` and `raise` are async-signal-safe.
            unsafe {
                libc::signal(libc::SIGABRT, libc::SIG_DFL);
                libc::raise(libc::SIGABRT);
            }
            return;
        }
        if previous == libc::SIG_IGN {
            return;
        }
        if PREVIOUS_FLAGS.load(Ordering::Relaxed) & libc::SA_SIGINFO != 0 {
            // SAFETY: installed with SA_SIGINFO, the previous handler takes
            // the three arguments this one was given.
            let previous: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) =
                unsafe { core::mem::transmute(previous) };
            previous(signum, info, context);
        } else {
            // SAFETY: installed without SA_SIGINFO, the previous handler
            // takes the signal number.
            let previous: extern "C" fn(c_int) = unsafe { core::mem::transmute(previous) };
            previous(signum);
        }
    }
}

/// Elsewhere the report is written at the moment of injection.
#[cfg(not(all(unix, not(miri))))]
mod handler {
    pub(super) fn install() -> bool {
        false
    }
}
