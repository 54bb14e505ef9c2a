//! `chain()` over sources that loop back on themselves: the front is read
//! lazily, as anyhow's is; the length and the back detect the loop instead
//! of walking it forever; formatting stops where anyhow's stops. A
//! regression would hang, so each check runs on a thread the test waits
//! for with a timeout.

use std::error::Error as StdError;
use std::fmt::{self, Display, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

#[path = "support/locations.rs"]
mod locations;

use wasmtime_error::{Chain, Error};

/// An error whose source is `next`: two of them can point at each other.
struct Loop {
    name: &'static str,
    next: &'static Loop,
}

static A: Loop = Loop {
    name: "a",
    next: &B,
};
static B: Loop = Loop {
    name: "b",
    next: &A,
};
static SELF: Loop = Loop {
    name: "self",
    next: &SELF,
};

impl Display for Loop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl fmt::Debug for Loop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Loop({})", self.name)
    }
}

impl StdError for Loop {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.next)
    }
}

/// A wrapper whose source is its only field, at the same address: not a
/// loop, though the two share an address.
#[derive(Debug)]
struct Wrapper(std::io::Error);

impl Display for Wrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("wrapper")
    }
}

impl StdError for Wrapper {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}

/// Runs `f` on a thread and fails the test if it has not returned within
/// ten seconds (the thread is left behind; the process ends with the
/// tests).
fn promptly<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let (done, wait) = mpsc::channel();
    std::thread::spawn(move || done.send(f()));
    wait.recv_timeout(Duration::from_secs(10))
        .expect("did not return: walked a chain without end")
}

fn names<'a>(chain: impl Iterator<Item = &'a (dyn StdError + 'static)>) -> Vec<String> {
    chain.map(|e| e.to_string()).collect()
}

/// `top`, then `a`, `b`, `a`, `b`... without end.
fn looping() -> Error {
    Error::new(&A).context("top")
}

#[test]
fn the_front_of_a_looping_chain_is_read_lazily() {
    let shown = promptly(|| {
        let error = looping();
        let first = error.chain().next().map(|e| e.to_string());
        (
            first,
            names(error.chain().take(5)),
            names(error.chain().skip(3).take(2)),
        )
    });
    assert_eq!(shown.0.as_deref(), Some("top"));
    assert_eq!(shown.1, ["top", "a", "b", "a", "b"]);
    assert_eq!(shown.2, ["a", "b"]);
    let from_self = promptly(|| names(Chain::new(&SELF).take(3)));
    assert_eq!(from_self, ["self", "self", "self"]);
}

#[test]
fn the_length_and_the_back_of_a_looping_chain_are_refused() {
    let (hint, len, back) = promptly(|| {
        let error = looping();
        let mut chain = error.chain();
        chain.next();
        let hint = chain.size_hint();
        let len = catch_unwind(AssertUnwindSafe(|| chain.len()));
        let back = catch_unwind(AssertUnwindSafe(|| chain.clone().next_back().is_some()));
        let message = |caught: Box<dyn std::any::Any + Send>| {
            caught.downcast_ref::<String>().cloned().unwrap_or_default()
        };
        (hint, len.map_err(message), back.map_err(message))
    });
    assert_eq!(hint, (usize::MAX, None));
    let endless = "the error's sources loop back on themselves: the chain has no end";
    assert_eq!(len.unwrap_err(), endless);
    assert_eq!(back.unwrap_err(), endless);
}

#[test]
fn a_source_at_its_wrappers_address_is_not_a_loop() {
    let error = Error::new(Wrapper(std::io::Error::other("inner"))).context("top");
    let mut chain = error.chain();
    assert_eq!(chain.len(), 3);
    assert_eq!(chain.next_back().unwrap().to_string(), "inner");
    assert_eq!(chain.next_back().unwrap().to_string(), "wrapper");
    assert_eq!(chain.len(), 1);
    assert_eq!(chain.next().unwrap().to_string(), "top");
    assert!(chain.next().is_none());
}

/// A writer that fails once it holds `limit` bytes, as a bounded buffer
/// or a closed pipe would.
struct Bounded {
    text: String,
    limit: usize,
}

impl Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.text.len() + s.len() > self.limit {
            return Err(fmt::Error);
        }
        self.text.push_str(s);
        Ok(())
    }
}

/// What `format` writes of `value` into 200 bytes, and whether it failed.
fn bounded(value: &dyn Display) -> (String, bool) {
    let mut out = Bounded {
        text: String::new(),
        limit: 200,
    };
    let failed = write!(out, "{value}").is_err();
    (out.text, failed)
}

struct Alternate<'a, T>(&'a T);

impl<T: Display> Display for Alternate<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

struct Debugged<'a, T>(&'a T);

impl<T: fmt::Debug> Display for Debugged<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

#[test]
fn formatting_a_looping_chain_stops_where_anyhow_stops() {
    let shown = promptly(|| {
        let ours = looping();
        let theirs = anyhow::Error::new(&A).context("top");
        [
            (bounded(&ours), bounded(&theirs)),
            (bounded(&Alternate(&ours)), bounded(&Alternate(&theirs))),
            (bounded(&Debugged(&ours)), bounded(&Debugged(&theirs))),
        ]
    });
    // `{}` shows one layer; `{:#}` and `{:?}` write until the writer fails,
    // byte for byte the same text (a write may be cut at a different
    // place: anyhow pads a label with a separate write).
    assert_eq!(
        shown[0],
        (("top".to_string(), false), ("top".to_string(), false))
    );
    for ((ours, ours_failed), (theirs, theirs_failed)) in &shown[1..] {
        assert!(*ours_failed && *theirs_failed);
        // The feature `location` puts one line under "top" in `{:?}`.
        let ours = locations::without_locations(ours);
        let least = if cfg!(feature = "location") { 120 } else { 190 };
        let common = ours.len().min(theirs.len());
        assert!(common > least, "{ours:?}");
        assert_eq!(ours[..common], theirs[..common]);
    }
}
