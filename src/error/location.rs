//! Where each error and each context layer was made (feature `location`).
//!
//! A location is a `&'static Location<'static>` from `#[track_caller]`,
//! so recording one allocates nothing: a boxed layer keeps it in its
//! header (one word), a static message in its `static`. A plain
//! out-of-memory error is its whole word and has no room for one; the
//! context layers an out-of-memory error keeps have theirs in its record
//! (`oom_record.rs`). Without the feature a
//! [`Site`] is zero-sized and nothing is recorded.

#[cfg(feature = "location")]
use super::{
    Chain, Error, fmt::write_decimal, oom_record::Layer, oom_record::Record, repr::Decoded,
};
#[cfg(feature = "location")]
use core::error::Error as StdError;
#[cfg(feature = "location")]
use core::fmt::{self, Write};
#[cfg(feature = "location")]
use core::iter::FusedIterator;
#[cfg(feature = "location")]
use core::panic::Location;

/// Where an error or a layer was made, if that is known: the caller's
/// location with the feature `location`, zero-sized without it.
#[derive(Clone, Copy)]
pub(crate) struct Site {
    #[cfg(feature = "location")]
    location: Option<&'static Location<'static>>,
}

impl Site {
    /// A site that is not known: out-of-memory errors, errors that came
    /// from anyhow.
    pub(crate) const NONE: Site = Site {
        #[cfg(feature = "location")]
        location: None,
    };

    /// The location of the caller of the `#[track_caller]` function that
    /// calls this (through every `#[track_caller]` function in between).
    #[cfg_attr(feature = "location", track_caller)]
    #[inline(always)]
    pub(crate) const fn caller() -> Site {
        Site {
            #[cfg(feature = "location")]
            location: Some(Location::caller()),
        }
    }

    #[cfg(feature = "location")]
    #[inline]
    pub(crate) fn location(self) -> Option<&'static Location<'static>> {
        self.location
    }
}

#[cfg(feature = "location")]
impl Error {
    /// The site of the outermost layer: none for an out-of-memory error
    /// that kept no context.
    #[inline]
    pub(crate) fn site(&self) -> Site {
        match self.repr.decode() {
            Decoded::Oom(_) => Site::NONE,
            Decoded::Static(message) => message.site(),
            // SAFETY: the record is claimed by `self`, borrowed here.
            Decoded::Record(record) => unsafe { Record::top(record) }.site(),
            // SAFETY: a boxed word heads a live allocation, borrowed as
            // long as `self` is.
            Decoded::Boxed(header) => unsafe { (*header.as_ptr()).site },
        }
    }

    /// The error the outermost layer wraps, if it is one of ours (a context
    /// layer around an `Error`).
    fn inner_error(&self) -> Option<&Error> {
        let Decoded::Boxed(header) = self.repr.decode() else {
            return None;
        };
        // SAFETY: a boxed word heads a live allocation whose vtable matches
        // its payload; the inner error lives inside it as long as `self`.
        unsafe { ((*header.as_ptr()).vtable.inner_error)(header).map(|inner| &*inner.as_ptr()) }
    }

    /// Where the outermost layer was made: the call of [`Error::new`],
    /// [`Error::msg`], [`Error::from_boxed`], `format_err!`/`anyhow!`,
    /// `bail!` or `ensure!`, the `?` that converted another error, or the
    /// `context`/`with_context` that added the layer. Does not allocate.
    ///
    /// For an out-of-memory error, the location of the outermost context
    /// layer it kept, or `None` if it kept none: its one word holds its size
    /// and nothing else. `None` also for an error made by
    /// `Error::from_anyhow` (feature `anyhow`): anyhow records no locations.
    ///
    /// Needs the feature `location`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Error, OutOfMemory, format_err};
    ///
    /// let line = line!() + 1;
    /// let error = format_err!("disk full");
    /// let location = error.location().unwrap();
    /// assert_eq!((location.file(), location.line()), (file!(), line));
    ///
    /// assert!(Error::from(OutOfMemory::new(8)).location().is_none());
    /// ```
    #[inline]
    pub fn location(&self) -> Option<&'static Location<'static>> {
        self.site().location()
    }

    /// The [`chain`](Error::chain), each error next to where it was made:
    /// the error of the layer first, then its location. Context layers and
    /// the error they wrap have one; the standard errors found through
    /// `source()` inside them, out-of-memory errors and errors from anyhow
    /// have none. Does not allocate.
    ///
    /// Needs the feature `location`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Context, Result};
    ///
    /// fn parse(text: &str) -> Result<u8> {
    ///     Ok(text.parse::<u8>().context("parsing the level")?)
    /// }
    ///
    /// let line = line!() + 1;
    /// let error = parse("x").context("loading").unwrap_err();
    /// let layers: Vec<(String, Option<u32>)> = error
    ///     .locations()
    ///     .map(|(layer, location)| (layer.to_string(), location.map(|l| l.line())))
    ///     .collect();
    /// assert_eq!(layers, [
    ///     ("loading".to_string(), Some(line)),
    ///     ("parsing the level".to_string(), Some(line - 4)),
    ///     ("invalid digit found in string".to_string(), None),
    /// ]);
    /// ```
    pub fn locations(&self) -> Locations<'_> {
        Locations {
            chain: self.chain(),
            sites: Sites::of(self),
        }
    }
}

/// The iterator [`Error::locations`] returns: each error of the chain,
/// outermost first, next to the location where it was made, if known.
///
/// # Example
///
/// ```
/// use wasmtime_error::format_err;
///
/// let error = format_err!("root").context("top");
/// let mut locations = error.locations();
/// let (top, location) = locations.next().unwrap();
/// assert_eq!(top.to_string(), "top");
/// assert_eq!(location.unwrap().file(), file!());
/// assert_eq!(locations.next().unwrap().0.to_string(), "root");
/// assert!(locations.next().is_none());
/// ```
#[cfg(feature = "location")]
#[derive(Clone)]
pub struct Locations<'a> {
    chain: Chain<'a>,
    sites: Sites<'a>,
}

#[cfg(feature = "location")]
impl<'a> Iterator for Locations<'a> {
    type Item = (
        &'a (dyn StdError + 'static),
        Option<&'static Location<'static>>,
    );

    fn next(&mut self) -> Option<Self::Item> {
        let error = self.chain.next()?;
        Some((error, self.sites.next()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chain.size_hint()
    }
}

#[cfg(feature = "location")]
impl ExactSizeIterator for Locations<'_> {
    /// # Panics
    ///
    /// If the sources loop back on themselves, as [`Chain::len`] does.
    fn len(&self) -> usize {
        self.chain.len()
    }
}

#[cfg(feature = "location")]
impl FusedIterator for Locations<'_> {}

/// The locations of a chain's errors, front to back: the chain of a context
/// layer around one of our errors goes on with that error's outermost
/// layer, so the n-th of our nested errors is the n-th error of the chain,
/// until a layer that wraps something else. The layers an out-of-memory
/// error kept in its record come one after the other, then its failure,
/// which has no location.
#[cfg(feature = "location")]
#[derive(Clone)]
pub(crate) struct Sites<'a> {
    next: Site,
    rest: Rest<'a>,
}

/// Where the sites after the next one come from.
#[cfg(feature = "location")]
#[derive(Clone, Copy)]
enum Rest<'a> {
    /// The error a boxed context layer wraps.
    Error(&'a Error),
    /// The layers of a record under the next one, innermost first.
    Kept(&'a [Layer]),
    End,
}

#[cfg(feature = "location")]
impl<'a> Sites<'a> {
    pub(crate) fn of(error: &'a Error) -> Sites<'a> {
        match error.repr.decode() {
            // SAFETY: the record is claimed by `error`, borrowed for 'a.
            Decoded::Record(record) => Sites::of_layers(unsafe { Record::layers(record) }),
            _ => Sites::of_layer(error.site(), error.inner_error()),
        }
    }

    /// The sites of a layer made at `site` that wraps `inner`.
    pub(crate) fn of_layer(site: Site, inner: Option<&'a Error>) -> Sites<'a> {
        Sites {
            next: site,
            rest: inner.map_or(Rest::End, Rest::Error),
        }
    }

    /// The sites of the kept `layers` (innermost first), outermost first,
    /// then of the failure under them.
    pub(crate) fn of_layers(layers: &'a [Layer]) -> Sites<'a> {
        match layers.split_last() {
            Some((top, below)) => Sites {
                next: top.site(),
                rest: Rest::Kept(below),
            },
            None => Sites {
                next: Site::NONE,
                rest: Rest::End,
            },
        }
    }

    /// The location of the next error of the chain.
    pub(crate) fn next(&mut self) -> Option<&'static Location<'static>> {
        let here = self.next;
        *self = match self.rest {
            Rest::Error(inner) => Sites::of(inner),
            Rest::Kept(layers) => Sites::of_layers(layers),
            Rest::End => Sites {
                next: Site::NONE,
                rest: Rest::End,
            },
        };
        here.location()
    }
}

/// Writes `    at file:line:column` on a line of its own after the message
/// it belongs to; written through the writer that indents a cause's lines,
/// it is indented under that cause.
#[cfg(feature = "location")]
pub(crate) fn write_location<W: Write>(
    out: &mut W,
    location: Option<&'static Location<'static>>,
) -> fmt::Result {
    let Some(location) = location else {
        return Ok(());
    };
    // What `Location`'s `Display` writes, piece by piece: the formatting
    // machinery would cost more than the rest of the line.
    out.write_str("\n    at ")?;
    out.write_str(location.file())?;
    out.write_char(':')?;
    write_decimal(out, location.line())?;
    out.write_char(':')?;
    write_decimal(out, location.column())
}
