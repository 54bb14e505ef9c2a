//! The feature `location` under the OOM-injection harness: each way of
//! making an error or adding context fails each of its allocations in turn
//! without aborting, makes exactly the allocations it makes without the
//! feature, and records the right location whenever it succeeds; an
//! out-of-memory result has none, but for the context it kept. Reading and printing locations
//! allocates nothing.

#[path = "support/fixed_text.rs"]
mod fixed_text;
#[path = "support/locations.rs"]
mod locations;

use fixed_text::FixedText;
use locations::Spot;
use std::fmt;
use wasmtime_error::oom_test::{OomTest, OomTestAllocator, without_injection};
use wasmtime_error::{
    Context, Error, OutOfMemory, Result, bail, ensure, format_context, format_err,
};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

const SOURCE: &str = include_str!("location_oom.rs");

fn spot(needle: &str) -> Spot {
    locations::spot_in(SOURCE, file!(), needle)
}

/// Runs `body` under the harness and checks that it makes `allocations`
/// allocations (the count without the feature), each failed once.
fn check(allocations: u64, body: impl FnMut() -> Result<()>) {
    let summary = OomTest::new().check(body).unwrap();
    assert_eq!(summary.allocations, allocations, "allocations made");
    assert_eq!(
        summary.injected, allocations,
        "allocations failed once each"
    );
}

/// An out-of-memory error goes back to the harness, with no location, or,
/// when it kept a context layer added after the failure (the calls checked
/// here add their outermost layer at `expected`), with that one; any other
/// error must have been made at `expected`, and shows it in `{:?}` under
/// its first line.
fn made_at(error: Error, expected: Spot) -> Result<()> {
    if error.is::<OutOfMemory>() {
        if let Some(location) = error.location() {
            assert_eq!(
                (location.file(), location.line(), location.column()),
                expected
            );
        }
        return Err(error);
    }
    let location = error.location().expect("a location");
    assert_eq!(
        (location.file(), location.line(), location.column()),
        expected
    );
    let debug = FixedText::of(format_args!("{error:?}"));
    let line = FixedText::of(format_args!(
        "    at {}:{}:{}",
        expected.0, expected.1, expected.2
    ));
    assert_eq!(debug.as_str().lines().nth(1), Some(line.as_str()));
    Ok(())
}

#[derive(Debug)]
struct Leaf;

impl fmt::Display for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("leaf")
    }
}

impl std::error::Error for Leaf {}

fn leaf() -> Result<(), Leaf> {
    Err(Leaf)
}

fn bails() -> Result<()> {
    bail!("bailed under the harness")
}

fn converts() -> Result<()> {
    leaf()?;
    Ok(())
}

fn ensures(n: u32) -> Result<()> {
    ensure!(n == 0);
    Ok(())
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn static_messages_allocate_nothing() {
    check(0, || {
        made_at(
            format_err!("static under the harness"),
            spot("format_err!(\"static under the harness\")"),
        )?;
        made_at(
            bails().unwrap_err(),
            spot("bail!(\"bailed under the harness\")"),
        )
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn boxed_errors_allocate_once() {
    check(1, || {
        made_at(
            Error::msg("msg under the harness"),
            spot("Error::msg(\"msg under the harness\")"),
        )
    });
    check(1, || {
        let error = Error::new(Leaf);
        made_at(error, spot("Error::new(Leaf);"))
    });
    check(1, || made_at(converts().unwrap_err(), spot("leaf()?")));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn formatted_errors_allocate_twice() {
    let n = 7;
    check(2, || {
        made_at(
            format_err!("formatted {n}"),
            spot("format_err!(\"formatted {n}\")"),
        )
    });
    // `(1 vs 0)` is formatted.
    check(2, || {
        made_at(ensures(1).unwrap_err(), spot("ensure!(n == 0)"))
    });
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn context_allocates_once_per_layer() {
    check(1, || {
        made_at(
            leaf().context("layer").unwrap_err(),
            spot("context(\"layer\")"),
        )
    });
    check(1, || {
        made_at(
            None::<u8>.context("none under the harness").unwrap_err(),
            spot("context(\"none under the harness\")"),
        )
    });
    // Three boxed layers; the top one is checked.
    check(3, || {
        let error = Error::msg("first").context("second").context("third");
        made_at(error, spot("context(\"third\")"))
    });
    // The text of `format_context!`, then the layer.
    let n = 3;
    check(2, || {
        let error = leaf().with_context(|| format_context!("formatted layer {n}"));
        made_at(error.unwrap_err(), spot("with_context(|| format_context!"))
    });
}

#[test]
fn reading_and_printing_locations_allocates_nothing() {
    let error = without_injection(|| Error::new(Leaf).context("top").context("above"));
    check(0, || {
        let known = error.locations().filter(|(_, location)| location.is_some());
        assert_eq!(known.count(), 3);
        let debug = FixedText::of(format_args!("{error:?}"));
        assert_eq!(debug.as_str().lines().count(), 8);
        Ok(())
    });
}
