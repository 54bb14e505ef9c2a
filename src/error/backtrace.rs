//! The backtrace an error carries: `std::backtrace::Backtrace` with the
//! feature `backtrace`, a type with no values without it.

#[cfg(feature = "backtrace")]
pub(crate) use std::backtrace::Backtrace;

/// Without the feature no error has a backtrace: this type has no values,
/// so `Option<&Backtrace>` is always `None`.
#[cfg(not(feature = "backtrace"))]
pub(crate) enum Backtrace {}

/// What `Error::backtrace` returns for errors that never captured one (out
/// of memory, static messages, and every error without the feature):
/// capturing would allocate.
#[cfg(feature = "std")]
pub(crate) static DISABLED: std::backtrace::Backtrace = std::backtrace::Backtrace::disabled();

/// Cleared by [`disable_backtrace`]; read by every capture.
#[cfg(feature = "backtrace")]
static CAPTURING: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(true);

/// Stops every error made from now on, in every thread, from capturing a
/// backtrace, whatever `RUST_LIB_BACKTRACE` and `RUST_BACKTRACE` say; errors
/// made before keep theirs. There is no way back. Does not allocate.
///
/// Wasmtime's function of this name, hidden as Wasmtime's is. Its OOM test
/// harness calls it where a workspace's feature unification turned
/// `backtrace` on: capturing allocates through std, which aborts instead of
/// failing. Other code should leave the feature off instead.
///
/// # Example
///
/// ```standalone_crate
/// use std::backtrace::BacktraceStatus;
/// use wasmtime_error::format_err;
///
/// wasmtime_error::disable_backtrace();
/// let n = 3;
/// let error = format_err!("error {n}");
/// assert_eq!(error.backtrace().status(), BacktraceStatus::Disabled);
/// ```
#[cfg(feature = "backtrace")]
#[doc(hidden)]
pub fn disable_backtrace() {
    // Relaxed: a capture that happens after this call (through whatever
    // ordered the two) sees the store; none needs to see anything else.
    CAPTURING.store(false, core::sync::atomic::Ordering::Relaxed);
}

/// Captures a backtrace for a new boxed error, as anyhow does
/// (`RUST_LIB_BACKTRACE` / `RUST_BACKTRACE` decide whether it is taken),
/// unless [`disable_backtrace`] was called.
///
/// Capturing allocates through the global allocator, which aborts if that
/// fails: the price of the feature, stated in the crate docs.
///
/// Under the OOM-test harness the capture is not an injection point: it
/// would abort, not fail.
#[cfg(feature = "backtrace")]
pub(crate) fn capture() -> Option<Backtrace> {
    if !CAPTURING.load(core::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    #[cfg(feature = "oom-test")]
    let _exempt = crate::oom_test::exempt();
    Some(Backtrace::capture())
}

/// Appends a captured backtrace to `{:?}` output the way anyhow does.
#[cfg(feature = "backtrace")]
pub(crate) fn write_debug(
    backtrace: &Backtrace,
    f: &mut core::fmt::Formatter<'_>,
) -> core::fmt::Result {
    use core::fmt::Write;
    use std::backtrace::BacktraceStatus;

    if backtrace.status() != BacktraceStatus::Captured {
        return Ok(());
    }
    f.write_str("\n\nStack backtrace:\n")?;
    // Trailing white space is trimmed, as anyhow does; the text is streamed
    // rather than collected, so trimming holds back runs of white space.
    let mut trimmed = TrimEnd {
        inner: f,
        pending: 0,
        pending_buf: [0; 64],
    };
    // Resolving symbols allocates, and aborts if that fails; under the
    // OOM-test harness it is not an injection point.
    #[cfg(feature = "oom-test")]
    let _exempt = crate::oom_test::exempt();
    write!(trimmed, "{backtrace}")
}

/// Writes through to `inner` except white space at the very end.
#[cfg(feature = "backtrace")]
struct TrimEnd<'a, 'b> {
    inner: &'a mut core::fmt::Formatter<'b>,
    pending: usize,
    pending_buf: [u8; 64],
}

#[cfg(feature = "backtrace")]
impl core::fmt::Write for TrimEnd<'_, '_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for c in s.chars() {
            if c.is_whitespace() {
                let mut utf8 = [0; 4];
                let encoded = c.encode_utf8(&mut utf8).as_bytes();
                if self.pending + encoded.len() > self.pending_buf.len() {
                    self.flush()?;
                }
                self.pending_buf[self.pending..self.pending + encoded.len()]
                    .copy_from_slice(encoded);
                self.pending += encoded.len();
            } else {
                self.flush()?;
                self.inner.write_char(c)?;
            }
        }
        Ok(())
    }
}

#[cfg(feature = "backtrace")]
impl TrimEnd<'_, '_> {
    fn flush(&mut self) -> core::fmt::Result {
        if self.pending > 0 {
            // The buffer only ever holds whole characters, so this cannot fail.
            let text = core::str::from_utf8(&self.pending_buf[..self.pending])
                .map_err(|_| core::fmt::Error)?;
            self.inner.write_str(text)?;
            self.pending = 0;
        }
        Ok(())
    }
}
