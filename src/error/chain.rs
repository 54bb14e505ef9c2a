//! [`Chain`]: an error and its sources, front to back and back to front,
//! without allocating.

use core::error::Error as StdError;
use core::iter::FusedIterator;
use core::ptr;

/// Iterator over an error and its sources, from the outermost layer to the
/// root cause, as returned by [`Error::chain`](crate::Error::chain).
///
/// Like anyhow's, it is lazy: `next` follows one `source()` at a time, so
/// the front of a chain whose sources loop back on themselves can still be
/// read. The length (`len`, `size_hint`) and the back walk the whole chain,
/// and tell a loop from a long chain: `size_hint` then answers
/// `(usize::MAX, None)`, and `len` and `next_back` panic, where anyhow's
/// would not return. Unlike anyhow's, iterating from the back does not
/// allocate: each step from the back walks from the front again, which
/// costs a few pointer hops on the chains errors have in practice.
///
/// # Example
///
/// ```
/// use wasmtime_error::{Chain, Context, Result};
///
/// fn load() -> Result<()> {
///     let io: std::io::Result<()> = Err(std::io::Error::other("disk on fire"));
///     io.context("reading config")?;
///     Ok(())
/// }
///
/// let error = load().unwrap_err();
/// let messages: Vec<String> = error.chain().map(|e| e.to_string()).collect();
/// assert_eq!(messages, ["reading config", "disk on fire"]);
///
/// let root_first: Vec<String> = error.chain().rev().map(|e| e.to_string()).collect();
/// assert_eq!(root_first, ["disk on fire", "reading config"]);
/// assert_eq!(error.chain().len(), 2);
///
/// // A chain can also start at any `dyn Error`.
/// let io = std::io::Error::other("alone");
/// assert_eq!(Chain::new(&io).count(), 1);
/// ```
#[derive(Clone, Default)]
pub struct Chain<'a> {
    /// The next error from the front; `None` once the chain is done.
    next: Option<&'a (dyn StdError + 'static)>,
    /// How many errors are left from `next` on, once counted: the first
    /// time an error is taken from the back. Never `Some(0)` while `next`
    /// is set.
    remaining: Option<usize>,
}

impl<'a> Chain<'a> {
    /// The chain that starts at `head` and follows `source()`. Does not
    /// call `source()` yet.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::Chain;
    ///
    /// let error = std::fmt::Error;
    /// let mut chain = Chain::new(&error);
    /// assert_eq!(chain.next().unwrap().to_string(), error.to_string());
    /// assert!(chain.next().is_none());
    /// ```
    pub fn new(head: &'a (dyn StdError + 'static)) -> Self {
        Chain {
            next: Some(head),
            remaining: None,
        }
    }

    /// How many errors are left, or `None` if the sources loop.
    fn remaining(&self) -> Option<usize> {
        self.remaining.or_else(|| length(self.next))
    }
}

/// The number of errors from `head` on, or `None` if `source()` comes back
/// to an error it already gave (the chain then never ends).
///
/// Brent's cycle detection, without allocating: one cursor walks the chain
/// while another waits at the error reached after 1, 2, 4, 8... steps;
/// inside a loop, the walking cursor comes back to the waiting one once the
/// wait is longer than the loop. Errors are compared by address and vtable:
/// a wrapper whose source is its first field shares the field's address,
/// not its type.
fn length(head: Option<&(dyn StdError + 'static)>) -> Option<usize> {
    let Some(mut walker) = head else {
        return Some(0);
    };
    let mut waiter = walker;
    let (mut len, mut steps, mut wait) = (1usize, 0usize, 1usize);
    while let Some(source) = walker.source() {
        if ptr::eq(source, waiter) {
            return None;
        }
        walker = source;
        len += 1;
        steps += 1;
        if steps == wait {
            waiter = walker;
            steps = 0;
            wait = wait.saturating_mul(2);
        }
    }
    Some(len)
}

/// The message `len` and `next_back` panic with on a chain without end.
const ENDLESS: &str = "the error's sources loop back on themselves: the chain has no end";

impl<'a> Iterator for Chain<'a> {
    type Item = &'a (dyn StdError + 'static);

    fn next(&mut self) -> Option<Self::Item> {
        let current = self.next?;
        self.next = match &mut self.remaining {
            None => current.source(),
            Some(remaining) => {
                *remaining -= 1;
                if *remaining == 0 {
                    None
                } else {
                    current.source()
                }
            }
        };
        Some(current)
    }

    /// Exact, from a walk of the rest of the chain; `(usize::MAX, None)`
    /// when the sources loop.
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.remaining() {
            Some(remaining) => (remaining, Some(remaining)),
            None => (usize::MAX, None),
        }
    }
}

impl DoubleEndedIterator for Chain<'_> {
    /// # Panics
    ///
    /// If the sources loop back on themselves.
    fn next_back(&mut self) -> Option<Self::Item> {
        let head = self.next?;
        let remaining = self.remaining().expect(ENDLESS);
        let mut last = head;
        for _ in 1..remaining {
            // A `source()` that stops answering ends the chain here.
            last = last.source()?;
        }
        self.remaining = Some(remaining - 1);
        if remaining == 1 {
            self.next = None;
        }
        Some(last)
    }
}

impl ExactSizeIterator for Chain<'_> {
    /// # Panics
    ///
    /// If the sources loop back on themselves.
    fn len(&self) -> usize {
        self.remaining().expect(ENDLESS)
    }
}

impl FusedIterator for Chain<'_> {}
