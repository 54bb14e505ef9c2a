//! Symbols of return addresses, for printing sites and telling them apart:
//! only when a failure is reported, a report printed, or sites counted.
//!
//! Resolving loads the program's debug information, which is large (about
//! 55 MiB for a test binary built in debug mode) and stays loaded. A
//! process that large forks ten times slower, and isolated runs fork once
//! per failure; so on unix (not under Miri) the symbols are resolved in a
//! helper process, forked at the first address asked for, which keeps the
//! debug information and answers address by address over two pipes. Where
//! it cannot be started, or once it fails, they are resolved here.
//!
//! The helper is a child of a process with other threads, and resolving is
//! more than async-signal-safe code: it allocates (glibc's allocator is
//! reset for the child by `fork`), opens and maps files, and would list
//! the loaded libraries with `dl_iterate_phdr`, whose lock `fork` does not
//! reset. So the list is made here, just before the fork (the `backtrace`
//! crate keeps it from its first resolution on), and the child never takes
//! that lock; the fork happens with this module's lock held, so no thread
//! of this crate is halfway through the `backtrace` crate's cache. Another
//! library resolving with the `backtrace` crate at that moment is the one
//! case left: the helper then stops answering, and after `PATIENCE_MS`
//! symbols are resolved in this process.

use std::string::String;
use std::vec::Vec;

/// One symbol an address resolved to (several where calls were inlined).
pub(crate) struct Symbol {
    pub(crate) name: String,
    pub(crate) location: Option<String>,
}

/// The symbols of `ip`, innermost first; empty if none is known.
pub(crate) fn resolve(ip: usize) -> Vec<Symbol> {
    #[cfg(all(unix, not(miri)))]
    if let Some(symbols) = server::resolve(ip) {
        return symbols;
    }
    let mut symbols = Vec::new();
    backtrace_rs::resolve(ip as *mut core::ffi::c_void, |symbol| {
        symbols.push(convert(symbol));
    });
    symbols
}

fn convert(symbol: &backtrace_rs::Symbol) -> Symbol {
    use std::fmt::Write as _;
    let name = match symbol.name() {
        Some(name) => std::format!("{name:#}"),
        None => "<unknown>".into(),
    };
    let location = symbol.filename().map(|file| {
        let mut location = std::format!("{}", file.display());
        if let Some(line) = symbol.lineno() {
            let _ = write!(location, ":{line}");
            if let Some(column) = symbol.colno() {
                let _ = write!(location, ":{column}");
            }
        }
        location
    });
    Symbol { name, location }
}

#[cfg(all(unix, not(miri)))]
mod server {
    use super::{Symbol, convert};
    use crate::oom_test::child;
    use std::fs::File;
    use std::io::{self, Read, Write};
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::string::String;
    use std::sync::Mutex;
    use std::vec::Vec;

    /// How long an answer may take: the first one loads the debug
    /// information.
    const PATIENCE_MS: i32 = 60_000;

    struct Server {
        pid: libc::pid_t,
        requests: File,
        answers: File,
    }

    enum State {
        NotStarted,
        Running(Server),
        /// It could not start, or failed: resolve in this process.
        Gone,
    }

    static SERVER: Mutex<State> = Mutex::new(State::NotStarted);

    pub(super) fn resolve(ip: usize) -> Option<Vec<Symbol>> {
        let mut state = SERVER
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if matches!(*state, State::NotStarted) {
            *state = start().map_or(State::Gone, State::Running);
        }
        let State::Running(server) = &mut *state else {
            return None;
        };
        match server.ask(ip) {
            Ok(symbols) => Some(symbols),
            Err(_) => {
                server.stop();
                *state = State::Gone;
                None
            }
        }
    }

    /// Forks the server; called with `SERVER` locked.
    fn start() -> Option<Server> {
        let (requests_read, requests_write) = child::pipe().ok()?;
        let (answers_read, answers_write) = child::pipe().ok()?;
        // The `backtrace` crate lists the loaded libraries on its first
        // resolution and keeps the list: an address in none of them lists
        // them without loading any debug information, so that the server
        // has the list and never calls `dl_iterate_phdr`.
        backtrace_rs::resolve(core::ptr::null_mut(), |_| {});
        // SAFETY: `fork` has no preconditions. The child resolves symbols,
        // which is more than async-signal-safe calls: the module's docs say
        // which locks it can meet and why none is held by another thread of
        // this crate.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return None;
        }
        if pid == 0 {
            drop((requests_write, answers_read));
            serve(requests_read, answers_write);
        }
        drop((requests_read, answers_write));
        Some(Server {
            pid,
            requests: File::from(requests_write),
            answers: File::from(answers_read),
        })
    }

    /// The server's loop, in the child: an address in, its symbols out,
    /// until the parent closes the request pipe.
    fn serve(requests: OwnedFd, answers: OwnedFd) -> ! {
        quiet();
        close_the_rest(&[requests.as_raw_fd(), answers.as_raw_fd()]);
        let mut requests = File::from(requests);
        let mut answers = File::from(answers);
        let mut ip = [0u8; 8];
        while requests.read_exact(&mut ip).is_ok() {
            let ip = usize::from_ne_bytes(ip);
            let mut symbols = Vec::new();
            // SAFETY: this process has one thread, so no other resolution
            // runs at the same time.
            unsafe {
                backtrace_rs::resolve_unsynchronized(ip as *mut core::ffi::c_void, |symbol| {
                    symbols.push(convert(symbol));
                })
            };
            let mut answer = Vec::new();
            answer.extend_from_slice(&(symbols.len() as u32).to_ne_bytes());
            for symbol in &symbols {
                put(&mut answer, Some(&symbol.name));
                put(&mut answer, symbol.location.as_deref());
            }
            if answers.write_all(&answer).is_err() {
                break;
            }
        }
        // SAFETY: ends the server at once, with nothing of the parent's
        // run by it (no destructors, no flushing of copied buffers).
        unsafe { libc::_exit(0) }
    }

    /// Stdout and stderr of the server go nowhere, so that it does not
    /// keep the test's output open.
    fn quiet() {
        if let Ok(null) = File::options().write(true).open("/dev/null") {
            for fd in [1, 2] {
                // SAFETY: both descriptors are open; `dup2` only replaces
                // the server's stdout and stderr.
                unsafe { libc::dup2(null.as_raw_fd(), fd) };
            }
        }
    }

    /// Closes every descriptor but stdin, stdout, stderr and `keep`. The
    /// server lives as long as the test process: a pipe end it inherited
    /// from another thread's half-spawned `Command` would keep that
    /// command's output open, and its reader waiting, until then.
    fn close_the_rest(keep: &[i32]) {
        // SAFETY: `sysconf` has no preconditions.
        let limit = unsafe { libc::sysconf(libc::_SC_OPEN_MAX) };
        let limit = i32::try_from(limit).unwrap_or(1024).clamp(3, 65_536);
        for fd in 3..limit {
            if !keep.contains(&fd) {
                // SAFETY: closing a descriptor this process no longer
                // uses (or one that is not open, which fails harmlessly);
                // nothing in the server refers to any but `keep`.
                unsafe { libc::close(fd) };
            }
        }
    }

    fn put(answer: &mut Vec<u8>, text: Option<&str>) {
        match text {
            Some(text) => {
                answer.extend_from_slice(&(text.len() as u32).to_ne_bytes());
                answer.extend_from_slice(text.as_bytes());
            }
            None => answer.extend_from_slice(&u32::MAX.to_ne_bytes()),
        }
    }

    impl Server {
        fn ask(&mut self, ip: usize) -> io::Result<Vec<Symbol>> {
            self.requests.write_all(&ip.to_ne_bytes())?;
            let count = self.read_u32()?;
            let mut symbols = Vec::new();
            for _ in 0..count {
                let name = self.read_text()?.unwrap_or_default();
                let location = self.read_text()?;
                symbols.push(Symbol { name, location });
            }
            Ok(symbols)
        }

        fn read_u32(&mut self) -> io::Result<u32> {
            let mut word = [0u8; 4];
            let mut poll = libc::pollfd {
                fd: self.answers.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one initialised pollfd.
            if unsafe { libc::poll(&mut poll, 1, PATIENCE_MS) } <= 0 {
                return Err(io::ErrorKind::TimedOut.into());
            }
            self.answers.read_exact(&mut word)?;
            Ok(u32::from_ne_bytes(word))
        }

        fn read_text(&mut self) -> io::Result<Option<String>> {
            let len = self.read_u32()?;
            if len == u32::MAX {
                return Ok(None);
            }
            let mut bytes = std::vec![0u8; len as usize];
            self.answers.read_exact(&mut bytes)?;
            Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
        }

        /// Ends a server that failed, and reaps it.
        fn stop(&self) {
            // SAFETY: `pid` is this process's child, not yet reaped.
            unsafe {
                libc::kill(self.pid, libc::SIGKILL);
                libc::waitpid(self.pid, core::ptr::null_mut(), 0);
            }
        }
    }
}
