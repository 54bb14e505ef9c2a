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
/// it has more than one entry) and the backtrace if one was captured; with
/// the feature `location`, each error whose location `sites` knows has it
/// on a line under its message. `{:#?}` is the `Debug` of the outermost
/// layer.
pub(crate) fn debug(
    error: &(dyn StdError + 'static),
    #[cfg(feature = "location")] mut sites: super::location::Sites<'_>,
    backtrace: Option<&Backtrace>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    if f.alternate() {
        return fmt::Debug::fmt(error, f);
    }
    write!(f, "{error}")?;
    #[cfg(feature = "location")]
    super::location::write_location(f, sites.next())?;
    if let Some(cause) = error.source() {
        f.write_str("\n\nCaused by:")?;
        let numbered = cause.source().is_some();
        let mut next = Some(cause);
        let mut n = 0;
        let mut label = Label::new();
        while let Some(cause) = next {
            f.write_str("\n")?;
            let mut indented = Indented {
                inner: f,
                label: Some(match numbered {
                    true => label.numbered(n),
                    false => "    ",
                }),
                indent: match numbered {
                    true => "\n       ",
                    false => "\n    ",
                },
            };
            write!(indented, "{cause}")?;
            #[cfg(feature = "location")]
            super::location::write_location(&mut indented, sites.next())?;
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

/// The "    N: " in front of a numbered cause, as `format!("{n:>5}: ")` would
/// write it, made without the formatting machinery (which costs more than
/// the rest of a cause's line).
struct Label {
    /// Room for the longest label: `usize::MAX` has 20 digits.
    text: [u8; 22],
}

impl Label {
    fn new() -> Label {
        Label { text: [0; 22] }
    }

    fn numbered(&mut self, n: usize) -> &str {
        let end = self.text.len() - 2;
        self.text[end..].copy_from_slice(b": ");
        let mut start = put_digits(&mut self.text[..end], n);
        // Right-aligned in five columns: pad shorter numbers with spaces.
        let columns = end - 5;
        if start > columns {
            self.text[columns..start].fill(b' ');
            start = columns;
        }
        core::str::from_utf8(&self.text[start..]).expect("ASCII digits and spaces")
    }
}

/// Puts the decimal digits of `n` at the end of `buf`, which has room for
/// them, and returns where they start.
#[inline]
fn put_digits(buf: &mut [u8], mut n: usize) -> usize {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return start;
        }
    }
}

/// Writes `n` in decimal, as `{}` would, without the formatting machinery.
#[cfg(feature = "location")]
pub(crate) fn write_decimal<W: Write>(out: &mut W, n: u32) -> fmt::Result {
    let mut digits = [0; 10];
    let start = put_digits(&mut digits, n as usize);
    out.write_str(core::str::from_utf8(&digits[start..]).expect("ASCII digits"))
}

/// Writes one cause: its label before the first text, and every further
/// line indented under it.
struct Indented<'a, 'l, W> {
    inner: &'a mut W,
    /// Written when the cause writes for the first time.
    label: Option<&'l str>,
    /// A line break and the indentation of the lines after the first.
    indent: &'static str,
}

impl<W: Write> Write for Indented<'_, '_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Some(label) = self.label.take() {
            self.inner.write_str(label)?;
        }
        let mut lines = s.split('\n');
        if let Some(first) = lines.next() {
            self.inner.write_str(first)?;
        }
        for line in lines {
            self.inner.write_str(self.indent)?;
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
