//! `Display` and `Debug` of an error, byte for byte what anyhow prints, and
//! without allocating.

use super::backtrace::Backtrace;
use core::error::Error as StdError;
use core::fmt::{self, Write};

/// `{}` prints the outermost layer; `{:#}` adds every source after `": "`.
pub(crate) fn display(error: &(dyn StdError + 'static), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{error}")?;
    if f.alternate() {
        let mut cause = error.source();
        while let Some(current) = cause {
            write!(f, ": {current}")?;
            cause = current.source();
        }
    }
    Ok(())
}

/// `{:?}` prints the outermost layer, then a "Caused by:" list (numbered when
/// it has more than one entry) and the backtrace if one was captured;
/// `{:#?}` is the `Debug` of the outermost layer.
pub(crate) fn debug(
    error: &(dyn StdError + 'static),
    backtrace: Option<&Backtrace>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    if f.alternate() {
        return fmt::Debug::fmt(error, f);
    }
    write!(f, "{error}")?;
    if let Some(cause) = error.source() {
        f.write_str("\n\nCaused by:")?;
        let numbered = cause.source().is_some();
        let mut next = Some(cause);
        let mut n = 0;
        while let Some(cause) = next {
            f.write_char('\n')?;
            let mut indented = Indented {
                inner: f,
                number: numbered.then_some(n),
                started: false,
            };
            write!(indented, "{cause}")?;
            next = cause.source();
            n += 1;
        }
    }
    #[cfg(feature = "backtrace")]
    if let Some(backtrace) = backtrace {
        super::backtrace::write_debug(backtrace, f)?;
    }
    #[cfg(not(feature = "backtrace"))]
    let _ = backtrace;
    Ok(())
}

/// Indents every line of one cause under its "    N: " label.
struct Indented<'a, W> {
    inner: &'a mut W,
    number: Option<usize>,
    started: bool,
}

impl<W: Write> Write for Indented<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for (i, line) in s.split('\n').enumerate() {
            if !self.started {
                self.started = true;
                match self.number {
                    Some(n) => write!(self.inner, "{n:>5}: ")?,
                    None => self.inner.write_str("    ")?,
                }
            } else if i > 0 {
                self.inner.write_char('\n')?;
                let indent = if self.number.is_some() {
                    "       "
                } else {
                    "    "
                };
                self.inner.write_str(indent)?;
            }
            self.inner.write_str(line)?;
        }
        Ok(())
    }
}

/// `Debug` of a context layer's context: its `Display` between quotes, with
/// the characters `{:?}` escapes escaped.
pub(crate) struct Quoted<'a, C>(pub(crate) &'a C);

impl<C: fmt::Display> fmt::Debug for Quoted<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        write!(EscapeDebug(f), "{}", self.0)?;
        f.write_char('"')
    }
}

struct EscapeDebug<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl Write for EscapeDebug<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        fmt::Display::fmt(&s.escape_debug(), self.0)
    }
}
