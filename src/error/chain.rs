//! [`Chain`]: an error and its sources, front to back and back to front,
//! without allocating.

use core::error::Error as StdError;
use core::iter::FusedIterator;

/// Iterator over an error and its sources, from the outermost layer to the
/// root cause, as returned by [`Error::chain`](crate::Error::chain).
///
/// Unlike anyhow's, iterating from the back does not allocate: each step from
/// the back walks from the front again, which costs a few pointer hops on the
/// chains errors have in practice.
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
    next: Option<&'a (dyn StdError + 'static)>,
    remaining: usize,
}

impl<'a> Chain<'a> {
    /// The chain that starts at `head` and follows `source()`.
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
        let mut remaining = 1;
        let mut cursor = head;
        while let Some(source) = cursor.source() {
            remaining += 1;
            cursor = source;
        }
        Chain {
            next: Some(head),
            remaining,
        }
    }
}

impl<'a> Iterator for Chain<'a> {
    type Item = &'a (dyn StdError + 'static);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let current = self.next?;
        self.remaining -= 1;
        self.next = current.source();
        Some(current)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl DoubleEndedIterator for Chain<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let mut cursor = self.next?;
        for _ in 1..self.remaining {
            cursor = cursor.source()?;
        }
        self.remaining -= 1;
        Some(cursor)
    }
}

impl ExactSizeIterator for Chain<'_> {}

impl FusedIterator for Chain<'_> {}
