//! The feature `location`: the exact file, line and column each way of making
//! an error or adding context records, through `?`, helper functions with
//! and without `#[track_caller]` and macros; `Error::location`,
//! `Error::locations` and `{:?}`; and that recording adds no allocation and
//! one word per boxed layer.
//!
//! Expected locations are read from this file's own text: `spot` finds the
//! one line holding a call and the column where it starts.
//! tests/location_oom.rs runs the constructors under the OOM harness.

#[path = "support/counting.rs"]
mod counting;
#[path = "support/fixed_text.rs"]
mod fixed_text;
#[path = "support/locations.rs"]
mod locations;

use core::panic::Location;
use counting::{CountingAllocator, without_memory};
use fixed_text::FixedText;
use locations::Spot;
use std::error::Error as StdError;
use std::fmt;
use wasmtime_error::{
    Context, Error, OutOfMemory, Result, anyhow, bail, ensure, format_context, format_err,
};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const SOURCE: &str = include_str!("location.rs");

fn spot(needle: &str) -> Spot {
    locations::spot_in(SOURCE, file!(), needle)
}

fn spot_of(location: Option<&'static Location<'static>>) -> Option<Spot> {
    location.map(|l| (l.file(), l.line(), l.column()))
}

/// The location of the outermost layer.
fn made_at(error: &Error) -> Option<Spot> {
    spot_of(error.location())
}

/// Every layer's message and location, outermost first.
fn layers(error: &Error) -> Vec<(String, Option<Spot>)> {
    error
        .locations()
        .map(|(layer, location)| (layer.to_string(), spot_of(location)))
        .collect()
}

fn shown(spot: Spot) -> String {
    format!("{}:{}:{}", spot.0, spot.1, spot.2)
}

#[derive(Debug)]
struct Leaf(&'static str);

impl fmt::Display for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl StdError for Leaf {}

/// A standard error with a standard source.
#[derive(Debug)]
struct Outer(Leaf);

impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("outer")
    }
}

impl StdError for Outer {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}

fn leaf_result(text: &'static str) -> Result<(), Leaf> {
    Err(Leaf(text))
}

// ---------------------------------------------------------------------------
// Making an error.

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn constructors_record_their_callers() {
    let error = Error::new(Leaf("by new"));
    assert_eq!(made_at(&error), Some(spot("Error::new(Leaf(\"by new\"))")));
    let error = Error::msg("by msg");
    assert_eq!(made_at(&error), Some(spot("Error::msg(\"by msg\")")));
    let boxed: Box<dyn StdError + Send + Sync> = Box::new(Leaf("boxed"));
    let error = Error::from_boxed(boxed);
    assert_eq!(made_at(&error), Some(spot("Error::from_boxed(boxed)")));
    let error = Error::from(Leaf("by from"));
    assert_eq!(
        made_at(&error),
        Some(spot("Error::from(Leaf(\"by from\"))"))
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn macros_record_their_invocation() {
    let error = format_err!("static text");
    assert_eq!(made_at(&error), Some(spot("format_err!(\"static text\")")));
    let n = 3;
    let error = format_err!("formatted message {n}");
    assert_eq!(
        made_at(&error),
        Some(spot("format_err!(\"formatted message {n}\")"))
    );
    let error = format_err!("escaped {{braces}}");
    assert_eq!(
        made_at(&error),
        Some(spot("format_err!(\"escaped {{braces}}\")"))
    );
    let error = anyhow!("{} and {}", 1, 2);
    assert_eq!(made_at(&error), Some(spot("anyhow!(\"{} and {}\", 1, 2)")));
    // `format_err!(value)`: a standard error, a box, anything `Display`.
    let error = format_err!(Leaf("a value"));
    assert_eq!(
        made_at(&error),
        Some(spot("format_err!(Leaf(\"a value\"))"))
    );
    let boxed: Box<dyn StdError + Send + Sync> = Box::new(Leaf("boxed"));
    let error = format_err!(boxed);
    assert_eq!(made_at(&error), Some(spot("format_err!(boxed)")));
    let error = format_err!(String::from("adhoc"));
    assert_eq!(
        made_at(&error),
        Some(spot("format_err!(String::from(\"adhoc\"))"))
    );
    // An `Error` passed to the macro keeps where it was made.
    let inner = Error::msg("made before");
    let error = format_err!(inner);
    assert_eq!(made_at(&error), Some(spot("Error::msg(\"made before\")")));
}

fn bails_with_a_literal() -> Result<()> {
    bail!("bailed literal")
}

fn bails_formatted(n: u32) -> Result<()> {
    bail!("bailed with {n}")
}

fn ensures_with_a_message(n: u32) -> Result<()> {
    ensure!(n == 0, "ensured message {}", n);
    Ok(())
}

fn ensures_with_values(n: u32) -> Result<()> {
    ensure!(n == 0);
    Ok(())
}

fn ensures_plainly(flag: bool) -> Result<()> {
    ensure!(flag);
    Ok(())
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn bail_and_ensure_record_their_invocation() {
    let error = bails_with_a_literal().unwrap_err();
    assert_eq!(made_at(&error), Some(spot("bail!(\"bailed literal\")")));
    let error = bails_formatted(1).unwrap_err();
    assert_eq!(made_at(&error), Some(spot("bail!(\"bailed with {n}\")")));
    let error = ensures_with_a_message(1).unwrap_err();
    assert_eq!(
        made_at(&error),
        Some(spot("ensure!(n == 0, \"ensured message {}\", n)"))
    );
    // `(1 vs 0)` is formatted; the plain condition is a static message.
    let error = ensures_with_values(1).unwrap_err();
    assert_eq!(error.to_string(), "Condition failed: `n == 0` (1 vs 0)");
    assert_eq!(made_at(&error), Some(spot("ensure!(n == 0);")));
    let error = ensures_plainly(false).unwrap_err();
    assert_eq!(made_at(&error), Some(spot("ensure!(flag);")));
}

fn converts_with_question_mark() -> Result<()> {
    leaf_result("converted by ?")?;
    Ok(())
}

fn passes_ours_on() -> Result<()> {
    bails_with_a_literal()?;
    Ok(())
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn question_mark_records_where_it_converted() {
    let error = converts_with_question_mark().unwrap_err();
    assert_eq!(
        made_at(&error),
        Some(spot("leaf_result(\"converted by ?\")?"))
    );
    // `?` on our own error converts nothing: the location stays.
    let error = passes_ours_on().unwrap_err();
    assert_eq!(made_at(&error), Some(spot("bail!(\"bailed literal\")")));
}

// ---------------------------------------------------------------------------
// Adding context.

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn each_way_of_adding_context_records_its_call() {
    let error = leaf_result("leaf").context("on a result").unwrap_err();
    assert_eq!(made_at(&error), Some(spot("context(\"on a result\")")));
    let error = leaf_result("leaf")
        .with_context(|| "lazily on a result")
        .unwrap_err();
    assert_eq!(
        made_at(&error),
        Some(spot("with_context(|| \"lazily on a result\")"))
    );
    let error = None::<u8>.context("on none").unwrap_err();
    assert_eq!(made_at(&error), Some(spot("context(\"on none\")")));
    let error = None::<u8>.with_context(|| "lazily on none").unwrap_err();
    assert_eq!(
        made_at(&error),
        Some(spot("with_context(|| \"lazily on none\")"))
    );
    let error = Error::msg("inner").context("on an error");
    assert_eq!(made_at(&error), Some(spot("context(\"on an error\")")));
    let ours: Result<()> = bails_with_a_literal();
    let error = ours.context("on our result").unwrap_err();
    assert_eq!(made_at(&error), Some(spot("context(\"on our result\")")));
    let error = bails_with_a_literal()
        .with_context(|| "lazily on our result")
        .unwrap_err();
    assert_eq!(
        made_at(&error),
        Some(spot("with_context(|| \"lazily on our result\")"))
    );
    // The formatted-context path: where `with_context` was called, not
    // where the text was formatted.
    let n = 5;
    let error = leaf_result("leaf")
        .with_context(|| format_context!("formatted context {n}"))
        .unwrap_err();
    assert_eq!(error.to_string(), "formatted context 5");
    assert_eq!(
        made_at(&error),
        Some(spot(
            "with_context(|| format_context!(\"formatted context {n}\"))"
        ))
    );
    let error = leaf_result("leaf")
        .context(format_context!("eager formatted {n}"))
        .unwrap_err();
    assert_eq!(
        made_at(&error),
        Some(spot("context(format_context!(\"eager formatted {n}\"))"))
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn every_layer_keeps_its_own_location() {
    let error = bails_with_a_literal()
        .context("middle layer")
        .unwrap_err()
        .context("top layer");
    assert_eq!(
        layers(&error),
        [
            ("top layer".into(), Some(spot("context(\"top layer\")"))),
            (
                "middle layer".into(),
                Some(spot("context(\"middle layer\")"))
            ),
            (
                "bailed literal".into(),
                Some(spot("bail!(\"bailed literal\")"))
            ),
        ]
    );
    // A standard error's own sources were not made by this crate.
    let error = Error::new(Outer(Leaf("deep"))).context("around outer");
    assert_eq!(
        layers(&error),
        [
            (
                "around outer".into(),
                Some(spot("context(\"around outer\")"))
            ),
            (
                "outer".into(),
                Some(spot("Error::new(Outer(Leaf(\"deep\")))"))
            ),
            ("deep".into(), None),
        ]
    );
    let result: Result<(), Outer> = Err(Outer(Leaf("deep")));
    let error = result.context("one allocation").unwrap_err();
    assert_eq!(
        layers(&error),
        [
            (
                "one allocation".into(),
                Some(spot("context(\"one allocation\")"))
            ),
            ("outer".into(), None),
            ("deep".into(), None),
        ]
    );
    assert_eq!(error.locations().len(), error.chain().len());
}

// ---------------------------------------------------------------------------
// Helper functions and macros.

#[track_caller]
fn located_by_caller() -> Error {
    Error::msg("tracked helper")
}

fn located_inside() -> Error {
    Error::msg("untracked helper")
}

#[track_caller]
fn context_by_caller<T>(result: Result<T, Leaf>) -> Result<T> {
    result.context("tracked context helper")
}

fn context_inside<T>(result: Result<T, Leaf>) -> Result<T> {
    result.context("untracked context helper")
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn track_caller_helpers_pass_their_callers_location_on() {
    let error = located_by_caller();
    assert_eq!(made_at(&error), Some(spot("located_by_caller();")));
    let error = located_inside();
    assert_eq!(
        made_at(&error),
        Some(spot("Error::msg(\"untracked helper\")"))
    );
    let error = context_by_caller(leaf_result("x")).unwrap_err();
    assert_eq!(
        made_at(&error),
        Some(spot("context_by_caller(leaf_result(\"x\"))"))
    );
    let error = context_inside(leaf_result("x")).unwrap_err();
    assert_eq!(
        made_at(&error),
        Some(spot("context(\"untracked context helper\")"))
    );
}

macro_rules! refuse {
    ($why:literal) => {
        bail!($why)
    };
}

macro_rules! noted {
    ($result:expr) => {
        $result.context("noted by a macro")
    };
}

fn refuses_in_a_macro() -> Result<()> {
    refuse!("refused in a macro")
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn a_macro_of_the_caller_is_located_where_it_is_invoked() {
    let error = refuses_in_a_macro().unwrap_err();
    assert_eq!(
        made_at(&error),
        Some(spot("refuse!(\"refused in a macro\")"))
    );
    let error = noted!(leaf_result("in a macro")).unwrap_err();
    assert_eq!(
        made_at(&error),
        Some(spot("noted!(leaf_result(\"in a macro\"))"))
    );
}

// ---------------------------------------------------------------------------
// What has no location.

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn out_of_memory_has_no_location_but_its_kept_layers_have() {
    let oom = Error::from(OutOfMemory::new(8));
    assert_eq!(made_at(&oom), None);
    let failure = oom.to_string();
    // The layers it keeps have theirs, the failure under them still none.
    let oom = oom.context("kept").context(String::from("dropped"));
    assert_eq!(
        layers(&oom),
        [
            (
                "(1 context layer dropped for lack of memory)".to_string(),
                Some(spot("context(String::from(\"dropped\"))"))
            ),
            ("kept".to_string(), Some(spot("context(\"kept\")"))),
            (failure.clone(), None),
        ]
    );
    assert_eq!(
        made_at(&oom),
        Some(spot("context(String::from(\"dropped\"))"))
    );
    assert!(format!("{oom:?}").ends_with(&format!("\n    1: {failure}")));
    // A layer that could not be allocated is the out-of-memory error.
    let error = without_memory(|| leaf_result("leaf").context("no room"));
    assert_eq!(made_at(&error.unwrap_err()), None);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn a_promoted_static_message_keeps_its_location() {
    // `downcast_mut` moves a static message to the heap to change it.
    let mut error = bails_with_a_literal()
        .unwrap_err()
        .context(String::from("above"));
    *error.downcast_mut::<&'static str>().unwrap() = "changed";
    assert_eq!(
        layers(&error),
        [
            (
                "above".into(),
                Some(spot("context(String::from(\"above\"))"))
            ),
            ("changed".into(), Some(spot("bail!(\"bailed literal\")"))),
        ]
    );
}

#[cfg(feature = "anyhow")]
#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn errors_from_anyhow_have_none() {
    use wasmtime_error::ToWasmtimeResult;

    let theirs = anyhow::anyhow!("theirs").context("their context");
    let error = Error::from_anyhow(theirs);
    assert_eq!(made_at(&error), None);
    let error = error.context("ours on theirs");
    assert_eq!(
        layers(&error),
        [
            (
                "ours on theirs".into(),
                Some(spot("context(\"ours on theirs\")"))
            ),
            ("their context".into(), None),
            ("theirs".into(), None),
        ]
    );
    let result: anyhow::Result<()> = Err(anyhow::anyhow!("again"));
    assert_eq!(made_at(&result.to_wasmtime_result().unwrap_err()), None);
    // Through anyhow and back: anyhow kept no location.
    let round_trip = Error::from_anyhow(anyhow::Error::from(Error::msg("ours first")));
    assert_eq!(made_at(&round_trip), None);
}

// ---------------------------------------------------------------------------
// `{:?}`, and the formats that do not change.

fn debug(error: &Error) -> String {
    let text = format!("{error:?}");
    text.split("\n\nStack backtrace:")
        .next()
        .unwrap()
        .to_owned()
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn debug_shows_each_location_under_its_layer() {
    let error = Error::msg("alone");
    assert_eq!(
        debug(&error),
        format!("alone\n    at {}", shown(spot("Error::msg(\"alone\")")))
    );

    let error = format_err!("root cause\nsecond line").context("single cause");
    assert_eq!(
        debug(&error),
        format!(
            "single cause\n    at {}\n\nCaused by:\n    root cause\n    second line\n        at {}",
            shown(spot("context(\"single cause\")")),
            shown(spot("format_err!(\"root cause\\nsecond line\")")),
        )
    );

    let error = Error::new(Outer(Leaf("numbered leaf")))
        .context("numbered middle")
        .context("numbered top");
    assert_eq!(
        debug(&error),
        format!(
            "numbered top\n    at {}\n\nCaused by:\n    0: numbered middle\n           at {}\n    1: outer\n           at {}\n    2: numbered leaf",
            shown(spot("context(\"numbered top\")")),
            shown(spot("context(\"numbered middle\")")),
            shown(spot("Error::new(Outer(Leaf(\"numbered leaf\")))")),
        )
    );
    // Without the location lines, byte for byte anyhow's.
    let theirs = ["numbered middle", "numbered top"].into_iter().fold(
        anyhow::Error::from(Outer(Leaf("numbered leaf"))),
        anyhow::Error::context,
    );
    let theirs = format!("{theirs:?}");
    let theirs = theirs.split("\n\nStack backtrace:").next().unwrap();
    assert_eq!(locations::without_locations(&debug(&error)), theirs);
}

#[test]
fn the_other_formats_do_not_change() {
    let ours = Error::new(Outer(Leaf("leaf"))).context("top");
    let theirs = anyhow::Error::new(Outer(Leaf("leaf"))).context("top");
    assert_eq!(format!("{ours}"), format!("{theirs}"));
    assert_eq!(format!("{ours:#}"), format!("{theirs:#}"));
    assert_eq!(format!("{ours:#?}"), format!("{theirs:#?}"));
}

#[test]
fn a_boxed_error_shows_the_same_locations() {
    for (error, known) in [
        (Error::new(Outer(Leaf("leaf"))).context("boxed top"), 2),
        (format_err!("static in a box").context("around it"), 2),
        (format_err!("static alone"), 1),
    ] {
        let files: Vec<_> = error
            .locations()
            .filter_map(|(_, at)| Some(at?.file()))
            .collect();
        assert_eq!(files, vec![file!(); known]);
        let expected = debug(&error);
        assert!(
            expected.contains("\n    at tests/location.rs:"),
            "{expected}"
        );
        let boxed = error.into_boxed_dyn_error();
        let shown = format!("{boxed:?}");
        assert_eq!(
            shown.split("\n\nStack backtrace:").next().unwrap(),
            expected
        );
    }
}

// ---------------------------------------------------------------------------
// Costs.

#[test]
fn a_boxed_layer_grows_by_one_word() {
    #[derive(Debug)]
    struct Empty;
    impl fmt::Display for Empty {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("empty")
        }
    }
    impl StdError for Empty {}

    // The request that fails is the whole allocation: the header of a
    // zero-sized payload. Without the feature the header is the vtable
    // pointer and, with the feature `backtrace`, the backtrace.
    let word = size_of::<usize>();
    #[cfg(feature = "backtrace")]
    let backtrace = size_of::<Option<std::backtrace::Backtrace>>();
    #[cfg(not(feature = "backtrace"))]
    let backtrace = 0;
    let oom = without_memory(|| Error::new(Empty));
    let requested = oom
        .downcast_ref::<OutOfMemory>()
        .unwrap()
        .requested_allocation_size();
    assert_eq!(requested, word + backtrace + word);
    // A context layer around one of our errors: header, location, the
    // error's word and the `&str`'s two.
    let inner = format_err!("inner");
    let layer = without_memory(|| inner.context("layer"));
    let requested = layer
        .downcast_ref::<OutOfMemory>()
        .unwrap()
        .requested_allocation_size();
    assert_eq!(requested, word + backtrace + word + word + 2 * word);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "reads its own source for each expected location: minutes under Miri"
)]
fn static_messages_are_made_and_shown_without_memory() {
    let error = without_memory(bails_with_a_literal).unwrap_err();
    assert!(!error.is::<OutOfMemory>());
    assert_eq!(made_at(&error), Some(spot("bail!(\"bailed literal\")")));
    let text = without_memory(|| FixedText::of(format_args!("{error:?}")));
    assert_eq!(
        text.as_str(),
        format!(
            "bailed literal\n    at {}",
            shown(spot("bail!(\"bailed literal\")"))
        )
    );
}
