//! The child processes of an isolated sweep (unix): forking one with its
//! two pipes, the child's side (its setup, its messages, its panic hook),
//! and, in the parent, a pool that reads what the children send and print,
//! reaps them, and kills those that hang.
//!
//! A child is a copy of a process with other threads (libtest's, the
//! code's own), made by `fork` in the middle of whatever those threads were
//! doing: a lock one of them held stays held in the child, where nobody
//! will release it. So the harness's code in a child takes no lock and
//! makes no call that may take one; the list of that code, and the rule
//! each part keeps, is in the module docs of `oom_test` ("What runs in a
//! child").

use super::text::Text;
use super::wire::{self, FRAME_BYTES, Message};
use core::sync::atomic::{AtomicI32, Ordering};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::Once;
use std::time::{Duration, Instant};
use std::vec::Vec;

/// The most output of a child that is kept (its end).
const OUTPUT_TAIL: usize = 4096;

/// How many children a pool can hold.
pub(crate) const MAX_CHILDREN: usize = 64;

/// In a child: the write end of its message pipe; -1 elsewhere. After a
/// fork the child has one thread, so a process-wide value is its own.
static MESSAGES: AtomicI32 = AtomicI32::new(-1);

/// Whether this process is a child of an isolated sweep.
pub(crate) fn is_child() -> bool {
    MESSAGES.load(Ordering::Relaxed) >= 0
}

/// In a child, sends `message` to the parent (one `write` of a frame on
/// the stack); elsewhere does nothing. A parent that is gone is not an
/// error here: the child's exit reports nothing to anyone then.
pub(crate) fn send(message: &Message) {
    let fd = MESSAGES.load(Ordering::Relaxed);
    if fd < 0 {
        return;
    }
    let bytes = wire::to_bytes(&message.encode());
    let mut sent = 0;
    while sent < FRAME_BYTES {
        let rest = &bytes[sent..];
        // SAFETY: `fd` is the write end of the pipe this process was given
        // at fork and never closed; `rest` is valid for `rest.len()` bytes.
        // `write` is async-signal-safe.
        let written = unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) };
        if written > 0 {
            sent += written as usize;
        } else if written < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        } else {
            return;
        }
    }
}

/// Ends a child at once: no destructors, no `atexit` handlers, no flushing
/// of buffers copied from the parent.
pub(crate) fn exit() -> ! {
    // SAFETY: `_exit` is async-signal-safe and may be called at any time;
    // it does not return.
    unsafe { libc::_exit(0) }
}

/// Installs, once per process, a panic hook that in a child writes the
/// panic's message to stderr with one `write` and nothing else, and
/// elsewhere calls the hook that was there before. Std's own hook takes
/// std's backtrace lock to print (whatever `RUST_BACKTRACE` says), which
/// another thread of the parent may have held at the fork. Called in the
/// parent before its first child.
pub(crate) fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    // The hook cannot be changed while this thread panics (a test run from
    // a destructor); the next test installs it.
    if std::thread::panicking() {
        return;
    }
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(std::boxed::Box::new(move |info| {
            if is_child() {
                let text = Text::format(format_args!(
                    "\nthread panicked in an OOM test's child: {info}\n"
                ));
                // SAFETY: `write` to stderr (the child's output pipe) of
                // bytes on the stack; async-signal-safe.
                unsafe { libc::write(2, text.as_str().as_ptr().cast(), text.as_str().len()) };
            } else {
                previous(info);
            }
        }));
    });
}

/// What `fork` made of this process.
#[allow(
    clippy::large_enum_variant,
    reason = "moved once into the pool's storage, made beforehand; a box would allocate inside the allocator"
)]
pub(crate) enum Forked<J> {
    Parent(Child<J>),
    Child,
}

/// A pipe whose ends are closed on `exec` (the closure may spawn programs).
///
/// Where `pipe2` exists the ends are made close-on-exec at once: with
/// `pipe` and then `fcntl`, another thread that forks and execs in between
/// would hand a write end to an unrelated program, and the parent would
/// not see the pipe close until that program exits.
pub(crate) fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    // SAFETY: `fds` has room for the two descriptors `pipe2` writes.
    let made = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    // SAFETY: `fds` has room for the two descriptors `pipe` writes.
    let made = unsafe { libc::pipe(fds.as_mut_ptr()) };
    if made != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the call succeeded, so both are open descriptors that nothing
    // else owns.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    for fd in [&read, &write] {
        // SAFETY: `fd` is open; setting FD_CLOEXEC touches nothing else.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    Ok((read, write))
}

/// Forks this process. The child gets stdout and stderr redirected into a
/// pipe the parent reads, and a second pipe for its messages (see
/// [`send`]); the parent gets a [`Child`] holding the read ends, with `job`
/// attached.
pub(crate) fn fork<J>(job: J) -> io::Result<Forked<J>> {
    let (results_read, results_write) = pipe()?;
    let (output_read, output_write) = pipe()?;
    // SAFETY: `fork` has no preconditions. The child runs only the
    // async-signal-safe calls below before it goes back to the caller's
    // code, which the module's docs speak of.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid == 0 {
        // SAFETY: both descriptors are open; `dup2` onto 1 and 2 replaces
        // stdout and stderr, and is async-signal-safe.
        unsafe {
            libc::dup2(output_write.as_raw_fd(), 1);
            libc::dup2(output_write.as_raw_fd(), 2);
        }
        // Closing (`close` is async-signal-safe) the ends the child does
        // not use.
        drop((results_read, output_read, output_write));
        // The parent keeps the job; freeing its copy is not the child's
        // business.
        core::mem::forget(job);
        MESSAGES.store(results_write.into_raw_fd(), Ordering::Relaxed);
        // A child that aborts leaves no core dump behind: writing one per
        // aborting run would cost more than the runs.
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `setrlimit` only reads `no_core`; a plain system call.
        unsafe { libc::setrlimit(libc::RLIMIT_CORE, &no_core) };
        // Errors made in the child capture no backtrace: capturing takes
        // std's backtrace lock (an atomic store, this process only).
        #[cfg(feature = "backtrace")]
        crate::disable_backtrace();
        return Ok(Forked::Child);
    }
    drop((results_write, output_write));
    for fd in [&results_read, &output_read] {
        // SAFETY: `fd` is open; O_NONBLOCK lets the pool drain it without
        // waiting.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
    }
    Ok(Forked::Parent(Child {
        pid,
        results: results_read,
        output: output_read,
        job,
        heard: Instant::now(),
        frame: [0; FRAME_BYTES],
        filled: 0,
        tail: [0; OUTPUT_TAIL * 2],
        tail_len: 0,
    }))
}

/// A child process, as its parent sees it.
pub(crate) struct Child<J> {
    pid: libc::pid_t,
    results: OwnedFd,
    output: OwnedFd,
    job: J,
    /// When it was forked or last sent a message.
    heard: Instant,
    frame: [u8; FRAME_BYTES],
    filled: usize,
    tail: [u8; OUTPUT_TAIL * 2],
    tail_len: usize,
}

/// How a child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ended {
    Exited(i32),
    Signaled(i32),
    /// Killed by the pool after the timeout.
    TimedOut,
}

/// What the pool reports to its owner.
#[allow(
    clippy::large_enum_variant,
    reason = "a message is inline so that receiving it allocates nothing; an event lives for one call"
)]
pub(crate) enum Event<'a, J> {
    Message(&'a mut J, Message),
    Ended(J, Ended, &'a [u8]),
}

impl<J> Child<J> {
    /// Reads what is there; calls `on` for each whole message. Returns
    /// whether there was one.
    fn drain(&mut self, on: &mut dyn FnMut(Event<'_, J>)) -> bool {
        let mut messages = false;
        loop {
            let read = read_into(&self.results, &mut self.frame[self.filled..]);
            if read == 0 {
                break;
            }
            self.filled += read;
            self.heard = Instant::now();
            if self.filled == FRAME_BYTES {
                self.filled = 0;
                if let Some(message) = Message::decode(&wire::from_bytes(&self.frame)) {
                    on(Event::Message(&mut self.job, message));
                    messages = true;
                }
            }
        }
        loop {
            if self.tail_len == self.tail.len() {
                // Keep the last half.
                self.tail.copy_within(OUTPUT_TAIL.., 0);
                self.tail_len = OUTPUT_TAIL;
            }
            let read = read_into(&self.output, &mut self.tail[self.tail_len..]);
            if read == 0 {
                break;
            }
            self.tail_len += read;
        }
        messages
    }

    /// `waitpid`, without waiting unless `block`; `None` while it runs.
    fn reap(&self, block: bool) -> Option<Ended> {
        let mut status = 0;
        let flags = if block { 0 } else { libc::WNOHANG };
        loop {
            // SAFETY: `pid` is a child of this process not yet reaped;
            // `status` is a valid place for the result.
            let result = unsafe { libc::waitpid(self.pid, &mut status, flags) };
            if result == 0 {
                return None;
            }
            if result < 0 {
                let error = io::Error::last_os_error();
                if error.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                // ECHILD: someone set SIGCHLD to be ignored, and the
                // system reaped it. Its messages say how the run ended.
                return Some(Ended::Exited(0));
            }
            return Some(if libc::WIFSIGNALED(status) {
                Ended::Signaled(libc::WTERMSIG(status))
            } else {
                Ended::Exited(libc::WEXITSTATUS(status))
            });
        }
    }

    fn kill(&self) {
        // SAFETY: `pid` is a child of this process not yet reaped, so the
        // signal cannot reach another process.
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
    }
}

/// Reads what a non-blocking pipe has into `room`: 0 at its end, when it
/// is empty, or on an error.
fn read_into(fd: &OwnedFd, room: &mut [u8]) -> usize {
    // SAFETY: the descriptor is open; `room` is valid for writes of its
    // length.
    let read = unsafe { libc::read(fd.as_raw_fd(), room.as_mut_ptr().cast(), room.len()) };
    usize::try_from(read).unwrap_or(0)
}

/// The children of one sweep.
pub(crate) struct Pool<J> {
    children: Vec<Child<J>>,
    max: usize,
    timeout: Duration,
    /// The process the children belong to: a copy of the pool in a child
    /// must not kill its siblings.
    owner: u32,
}

impl<J> Pool<J> {
    /// A pool of at most `max` children (at most [`MAX_CHILDREN`]), each of
    /// which is killed when it is silent for `timeout`. Its storage is made
    /// here, so that adding a child inside a run allocates nothing.
    pub(crate) fn new(max: usize, timeout: Duration) -> Pool<J> {
        let max = max.clamp(1, MAX_CHILDREN);
        Pool {
            children: Vec::with_capacity(max),
            max,
            timeout,
            owner: std::process::id(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.children.len() >= self.max
    }

    /// # Panics
    ///
    /// If the pool is full.
    pub(crate) fn add(&mut self, child: Child<J>) {
        assert!(!self.is_full(), "the pool has room for the child");
        self.children.push(child);
    }

    /// Reads messages and output, reaps the children that ended and kills
    /// those that hang, calling `on` for each. With `wait`, returns only
    /// once a child has sent a message or ended (or none is left): the
    /// owner may have heard what it waited for (the first failure).
    pub(crate) fn service(&mut self, wait: bool, on: &mut dyn FnMut(Event<'_, J>)) {
        loop {
            if self.children.is_empty() {
                return;
            }
            let mut fds = [libc::pollfd {
                fd: -1,
                events: 0,
                revents: 0,
            }; MAX_CHILDREN * 2];
            for (pair, child) in fds.chunks_exact_mut(2).zip(&self.children) {
                pair[0].fd = child.results.as_raw_fd();
                pair[0].events = libc::POLLIN;
                pair[1].fd = child.output.as_raw_fd();
                pair[1].events = libc::POLLIN;
            }
            let count = self.children.len() * 2;
            // A short timeout: a child whose pipes a grandchild keeps open
            // never hangs up, so exits are also looked for between polls.
            let timeout_ms = if wait { 5 } else { 0 };
            // SAFETY: the first `count` entries are initialised pollfds.
            unsafe { libc::poll(fds.as_mut_ptr(), count as libc::nfds_t, timeout_ms) };
            let mut heard_any = false;
            let mut at = 0;
            while at < self.children.len() {
                let child = &mut self.children[at];
                heard_any |= child.drain(on);
                let ended = match child.reap(false) {
                    Some(ended) => Some(ended),
                    None if child.heard.elapsed() > self.timeout => {
                        child.kill();
                        child.reap(true).map(|_| Ended::TimedOut)
                    }
                    None => None,
                };
                match ended {
                    Some(ended) => {
                        let mut child = self.children.swap_remove(at);
                        child.drain(on);
                        let start = child.tail_len.saturating_sub(OUTPUT_TAIL);
                        let Child {
                            job,
                            tail,
                            tail_len,
                            ..
                        } = child;
                        on(Event::Ended(job, ended, &tail[start..tail_len]));
                        heard_any = true;
                    }
                    None => at += 1,
                }
            }
            if !wait || heard_any {
                return;
            }
        }
    }

    /// Ends every child now, leaving no zombie, without a word about their
    /// runs.
    pub(crate) fn kill_all(&mut self) {
        if std::process::id() != self.owner {
            return;
        }
        for child in self.children.drain(..) {
            child.kill();
            child.reap(true);
        }
    }
}

impl<J> Drop for Pool<J> {
    /// No child outlives its sweep, and none is left a zombie, even when
    /// the sweep unwinds.
    fn drop(&mut self) {
        self.kill_all();
    }
}
