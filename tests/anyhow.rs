//! The anyhow conversion layer: ours -> anyhow keeps every layer, anyhow ->
//! ours keeps formats and lets downcasts see through, round trips keep both,
//! every value is dropped exactly once, and running out of memory while
//! converting gives `OutOfMemory` without leaking.

#![cfg(feature = "anyhow")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::error::Error as StdError;
use std::fmt::{self, Debug, Display};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "support/locations.rs"]
mod locations;
#[path = "support/proptest_config.rs"]
mod proptest_config;

use locations::without_locations;
use proptest::prelude::*;
use wasmtime_error::{Error, OutOfMemory, ToWasmtimeResult, format_err};

// ---------------------------------------------------------------------------
// A global allocator that counts this thread's live bytes and can be armed
// to fail this thread's next allocation.

struct TestAlloc;

thread_local! {
    static LIVE_BYTES: Cell<isize> = const { Cell::new(0) };
    static FAIL_NEXT: Cell<bool> = const { Cell::new(false) };
    static FAILED_SIZE: Cell<Option<usize>> = const { Cell::new(None) };
}

// SAFETY: forwards to `System`; the bookkeeping touches only const-initialized
// thread locals without destructors, which never allocate.
unsafe impl GlobalAlloc for TestAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if FAIL_NEXT.with(|f| f.replace(false)) {
            FAILED_SIZE.with(|s| s.set(Some(layout.size())));
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's layout is passed on unchanged.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.with(|l| l.set(l.get() + layout.size() as isize));
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.with(|l| l.set(l.get() - layout.size() as isize));
        // SAFETY: allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: TestAlloc = TestAlloc;

fn live_bytes() -> isize {
    LIVE_BYTES.with(Cell::get)
}

/// Runs `f` with this thread's next allocation failing; returns the size
/// that allocation asked for (`None` if `f` did not allocate).
fn failing_next_allocation<T>(f: impl FnOnce() -> T) -> (T, Option<usize>) {
    FAILED_SIZE.with(|s| s.set(None));
    FAIL_NEXT.with(|f| f.set(true));
    let value = f();
    FAIL_NEXT.with(|f| f.set(false));
    (value, FAILED_SIZE.with(Cell::get))
}

// ---------------------------------------------------------------------------
// Error types: a standard error with its own source, a context type, and
// drop-counting variants.

#[derive(Debug)]
struct Leaf {
    text: String,
    cause: Option<Cause>,
}

#[derive(Debug)]
struct Cause(String);

impl Display for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl StdError for Leaf {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause.as_ref().map(|c| c as _)
    }
}

impl Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Cause {}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Code(u32);

impl Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "code {}\nsecond line", self.0)
    }
}

/// Counts its drops; `Display`s its name. Holds a `Box` so that a value
/// duplicated by mistake would be caught by Miri when it is used.
#[derive(Debug)]
struct Tracked {
    name: Box<str>,
    drops: Arc<AtomicUsize>,
}

impl Tracked {
    fn new(name: &'static str, drops: &Arc<AtomicUsize>) -> Tracked {
        Tracked {
            name: name.into(),
            drops: drops.clone(),
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

impl Display for Tracked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl StdError for Tracked {}

/// A context type that counts drops too, distinct from the error type.
#[derive(Debug)]
struct TrackedContext(Tracked);

impl Display for TrackedContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "context {}", self.0)
    }
}

// Both crates' `Context` traits apply to `Result` and `Option`; these pick
// one explicitly.

fn ours_context<E, C>(error: E, context: C) -> Error
where
    E: StdError + Send + Sync + 'static,
    C: Display + Send + Sync + 'static,
{
    wasmtime_error::Context::context(Err::<(), E>(error), context).unwrap_err()
}

fn ours_none_context<C: Display + Send + Sync + 'static>(context: C) -> Error {
    wasmtime_error::Context::context(None::<()>, context).unwrap_err()
}

fn anyhow_context<E, C>(error: E, context: C) -> anyhow::Error
where
    E: StdError + Send + Sync + 'static,
    C: Display + Send + Sync + 'static,
{
    anyhow::Context::context(Err::<(), E>(error), context).unwrap_err()
}

fn anyhow_none_context<C: Display + Send + Sync + 'static>(context: C) -> anyhow::Error {
    anyhow::Context::context(None::<()>, context).unwrap_err()
}

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

fn drops(counter: &Arc<AtomicUsize>) -> usize {
    counter.load(Ordering::SeqCst)
}

// ---------------------------------------------------------------------------
// Comparing our error with anyhow's.

/// `{:?}` without anyhow's backtrace (RUST_BACKTRACE=1 is set) or ours.
fn debug_without_backtrace(text: String) -> String {
    match text.find("\n\nStack backtrace:") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Everything the two errors show: `{}`, `{:#}`, `{:?}`, `{:#?}`, the chain
/// both ways, and the root cause.
fn shown_by_ours(error: &Error) -> Vec<String> {
    let mut shown = vec![
        format!("{error}"),
        format!("{error:#}"),
        without_locations(&debug_without_backtrace(format!("{error:?}"))),
        format!("{error:#?}"),
        error.root_cause().to_string(),
        format!("{:?}", error.root_cause()),
    ];
    shown.extend(error.chain().map(|e| format!("chain {e} / {e:#?}")));
    shown.extend(error.chain().rev().map(|e| format!("rev {e}")));
    shown
}

fn shown_by_anyhow(error: &anyhow::Error) -> Vec<String> {
    let mut shown = vec![
        format!("{error}"),
        format!("{error:#}"),
        debug_without_backtrace(format!("{error:?}")),
        format!("{error:#?}"),
        error.root_cause().to_string(),
        format!("{:?}", error.root_cause()),
    ];
    shown.extend(error.chain().map(|e| format!("chain {e} / {e:#?}")));
    shown.extend(error.chain().rev().map(|e| format!("rev {e}")));
    shown
}

/// What `downcast_ref` finds for each type the chains are built from.
trait Downcasts {
    fn found<T: Display + Debug + Send + Sync + 'static>(&self) -> Option<String>;

    fn all_found(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("Leaf", self.found::<Leaf>()),
            ("Code", self.found::<Code>()),
            ("&str", self.found::<&'static str>()),
            ("String", self.found::<String>()),
            (
                "Box<dyn Error>",
                self.found::<Box<dyn StdError + Send + Sync>>(),
            ),
            ("OutOfMemory", self.found::<OutOfMemory>()),
            ("Tracked", self.found::<Tracked>()),
        ]
    }
}

impl Downcasts for Error {
    fn found<T: Display + Debug + Send + Sync + 'static>(&self) -> Option<String> {
        assert_eq!(self.is::<T>(), self.downcast_ref::<T>().is_some());
        self.downcast_ref::<T>().map(|t| format!("{t:?}"))
    }
}

impl Downcasts for anyhow::Error {
    fn found<T: Display + Debug + Send + Sync + 'static>(&self) -> Option<String> {
        self.downcast_ref::<T>().map(|t| format!("{t:?}"))
    }
}

/// The downcasts of `after` include every one of `before`, with the same
/// value (`after` may find more).
fn assert_downcasts_kept(before: &impl Downcasts, after: &impl Downcasts) {
    for ((name, before), (_, after)) in before.all_found().into_iter().zip(after.all_found()) {
        if before.is_some() {
            assert_eq!(before, after, "downcast_ref::<{name}>()");
        }
    }
}

fn assert_same_downcasts(a: &impl Downcasts, b: &impl Downcasts) {
    assert_eq!(a.all_found(), b.all_found());
}

fn assert_converts_to_anyhow(make: impl Fn() -> Error) -> anyhow::Error {
    let ours = make();
    let theirs = anyhow::Error::from(make());
    assert_eq!(shown_by_ours(&ours), shown_by_anyhow(&theirs));
    assert_downcasts_kept(&ours, &theirs);
    theirs
}

// ---------------------------------------------------------------------------
// ours -> anyhow, one payload kind at a time, against what anyhow itself
// builds for the same thing.

fn leaf() -> Leaf {
    Leaf {
        text: "leaf\nwith two lines".into(),
        cause: Some(Cause("cause ü".into())),
    }
}

#[test]
fn standard_error_converts_to_anyhow_new() {
    let converted = assert_converts_to_anyhow(|| Error::new(leaf()));
    let native = anyhow::Error::new(leaf());
    assert_eq!(shown_by_anyhow(&converted), shown_by_anyhow(&native));
    assert_same_downcasts(&converted, &native);
    assert_eq!(converted.chain().count(), 2);
    assert!(converted.downcast_ref::<Leaf>().is_some());
}

#[test]
fn message_converts_to_anyhow_msg() {
    let converted = assert_converts_to_anyhow(|| Error::msg(Code(7)));
    let native = anyhow::Error::msg(Code(7));
    assert_eq!(shown_by_anyhow(&converted), shown_by_anyhow(&native));
    assert_same_downcasts(&converted, &native);
    assert_eq!(converted.downcast_ref::<Code>(), Some(&Code(7)));
}

#[test]
fn formatted_message_converts_to_anyhow_format() {
    let n = 3;
    let converted = assert_converts_to_anyhow(|| format_err!("{n} lines:\nä\n😀"));
    let native = anyhow::anyhow!("{n} lines:\nä\n😀");
    assert_eq!(shown_by_anyhow(&converted), shown_by_anyhow(&native));
    assert_same_downcasts(&converted, &native);
}

#[test]
fn long_formatted_message_converts() {
    let long = "x".repeat(600);
    let converted = assert_converts_to_anyhow(|| format_err!("{long}!"));
    assert_eq!(converted.to_string(), format!("{long}!"));
}

#[test]
fn static_message_converts_to_anyhow_msg_of_str() {
    let converted = assert_converts_to_anyhow(|| format_err!("static text"));
    let native = anyhow::anyhow!("static text");
    assert_eq!(shown_by_anyhow(&converted), shown_by_anyhow(&native));
    assert_same_downcasts(&converted, &native);
    assert_eq!(converted.downcast_ref::<&str>(), Some(&"static text"));
}

#[test]
fn display_only_converts_to_anyhow_option_context() {
    let converted = assert_converts_to_anyhow(|| ours_none_context(Code(9)));
    let native = anyhow_none_context(Code(9));
    assert_eq!(shown_by_anyhow(&converted), shown_by_anyhow(&native));
    assert_same_downcasts(&converted, &native);
    // Display-only: `{:#?}` is the `Display`.
    assert_eq!(format!("{converted:#?}"), "code 9\nsecond line");
}

#[test]
fn boxed_error_converts_to_anyhow_from_boxed() {
    let boxed = || -> Box<dyn StdError + Send + Sync> { Box::new(leaf()) };
    let converted = assert_converts_to_anyhow(|| Error::from_boxed(boxed()));
    let native = anyhow::Error::from_boxed(boxed());
    assert_eq!(shown_by_anyhow(&converted), shown_by_anyhow(&native));
    assert_same_downcasts(&converted, &native);
    assert!(converted.is::<Box<dyn StdError + Send + Sync>>());
}

#[test]
fn context_on_standard_error_converts_to_one_anyhow_layer() {
    let converted = assert_converts_to_anyhow(|| ours_context(leaf(), Code(1)));
    let native = anyhow_context(leaf(), Code(1));
    assert_eq!(shown_by_anyhow(&converted), shown_by_anyhow(&native));
    assert_same_downcasts(&converted, &native);
    assert_eq!(converted.downcast_ref::<Code>(), Some(&Code(1)));
    assert!(converted.is::<Leaf>());
}

#[test]
fn context_on_our_error_converts_layer_by_layer() {
    let converted = assert_converts_to_anyhow(|| {
        Error::new(leaf())
            .context(Code(2))
            .context("middle")
            .context(String::from("top\nline"))
    });
    let native = anyhow::Error::new(leaf())
        .context(Code(2))
        .context("middle")
        .context(String::from("top\nline"));
    assert_eq!(shown_by_anyhow(&converted), shown_by_anyhow(&native));
    assert_same_downcasts(&converted, &native);
    assert_eq!(converted.chain().count(), 5);
}

#[test]
fn out_of_memory_converts_to_anyhow_out_of_memory() {
    let converted = assert_converts_to_anyhow(|| Error::from(OutOfMemory::new(4096)));
    assert!(converted.is::<OutOfMemory>());
    assert_eq!(
        converted
            .downcast_ref::<OutOfMemory>()
            .unwrap()
            .requested_allocation_size(),
        4096
    );
    assert_eq!(
        converted.to_string(),
        "out of memory (failed to allocate 4096 bytes)"
    );
    // The context an OOM error kept becomes anyhow context layers with the
    // same text; like ours, they do not downcast to `&str`.
    let ours = Error::from(OutOfMemory::new(8))
        .context("kept")
        .context(String::from("dropped"))
        .context("outer");
    let expected = format!("{ours:#}");
    assert_eq!(
        expected,
        "outer: (1 context layer dropped for lack of memory): kept: \
         out of memory (failed to allocate 8 bytes)"
    );
    let expected_debug = format!("{ours:#?}");
    let with_context = anyhow::Error::from(ours);
    assert_eq!(format!("{with_context:#}"), expected);
    assert_eq!(format!("{with_context:#?}"), expected_debug);
    assert_eq!(with_context.chain().count(), 4);
    assert!(with_context.is::<OutOfMemory>());
    assert!(!with_context.is::<&str>());
}

#[test]
fn question_mark_converts_into_anyhow() {
    fn ours() -> wasmtime_error::Result<()> {
        Err(format_err!("inner").context("outer"))
    }
    fn theirs() -> anyhow::Result<()> {
        ours()?;
        Ok(())
    }
    let error = theirs().unwrap_err();
    assert_eq!(format!("{error:#}"), "outer: inner");
}

// ---------------------------------------------------------------------------
// anyhow -> ours.

fn anyhow_chain() -> anyhow::Error {
    anyhow_context(leaf(), Code(5))
        .context("static context")
        .context(String::from("outer\nüber"))
}

#[test]
fn from_anyhow_keeps_formats_and_downcasts() {
    let native = anyhow_chain();
    let ours = Error::from_anyhow(anyhow_chain());
    assert_eq!(shown_by_ours(&ours), shown_by_anyhow(&native));
    assert_same_downcasts(&ours, &native);
    assert!(ours.is::<anyhow::Error>());
    assert_eq!(ours.chain().len(), 5);
    assert_eq!(ours.root_cause().to_string(), "cause ü");
    assert_eq!(
        format!("{:#}", ours.downcast_ref::<anyhow::Error>().unwrap()),
        format!("{native:#}")
    );
}

/// anyhow reallocates its own error: the box holds the value the outermost
/// anyhow layer was made from, as it would without our layer around it.
#[test]
fn reallocating_an_error_taken_from_anyhow_reaches_anyhows_value() {
    let boxed = Error::from_anyhow(anyhow::Error::new(leaf()))
        .reallocate_into_boxed_dyn_error_without_backtrace();
    let leaf = boxed.downcast::<Leaf>().unwrap();
    assert_eq!(leaf.text, "leaf\nwith two lines");

    let ours =
        Error::from_anyhow(anyhow_chain()).reallocate_into_boxed_dyn_error_without_backtrace();
    let theirs = anyhow_chain().reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(ours.to_string(), theirs.to_string());
    assert_eq!(format!("{ours:#?}"), format!("{theirs:#?}"));
    assert_eq!(
        ours.source().map(ToString::to_string),
        theirs.source().map(ToString::to_string)
    );
}

#[test]
fn from_anyhow_of_each_anyhow_kind() {
    let kinds: Vec<fn() -> anyhow::Error> = vec![
        || anyhow::anyhow!("literal"),
        || anyhow::anyhow!("formatted {}", 1),
        || anyhow::Error::msg(Code(3)),
        || anyhow::Error::new(leaf()),
        || anyhow::Error::from_boxed(Box::new(leaf())),
        || anyhow_none_context(Code(4)),
        || anyhow::Error::new(OutOfMemory::new(12)),
    ];
    for make in kinds {
        let ours = Error::from_anyhow(make());
        assert_eq!(shown_by_ours(&ours), shown_by_anyhow(&make()));
        assert_same_downcasts(&ours, &make());
        assert!(ours.is::<anyhow::Error>());
        // Our context on top, then back to anyhow.
        let ours = ours.context("ours");
        let native = make().context("ours");
        assert_eq!(shown_by_ours(&ours), shown_by_anyhow(&native));
        assert_same_downcasts(&ours, &native);
        let back = anyhow::Error::from(ours);
        assert_eq!(shown_by_anyhow(&back), shown_by_anyhow(&native));
        assert_same_downcasts(&back, &native);
    }
}

#[test]
fn to_wasmtime_result_converts_only_the_error() {
    let ok: anyhow::Result<u8> = Ok(1);
    assert_eq!(ok.to_wasmtime_result().unwrap(), 1);
    let err: anyhow::Result<u8> = Err(anyhow_chain());
    let error = err.to_wasmtime_result().unwrap_err();
    assert_eq!(shown_by_ours(&error), shown_by_anyhow(&anyhow_chain()));
}

#[test]
fn downcast_mut_writes_through_the_layer() {
    let mut ours = Error::from_anyhow(anyhow_chain()).context("ours");
    ours.downcast_mut::<Code>().unwrap().0 = 77;
    ours.downcast_mut::<Leaf>()
        .unwrap()
        .text
        .push_str(" (edited)");
    *ours.downcast_mut::<String>().unwrap() = "replaced".into();
    assert_eq!(ours.downcast_ref::<Code>(), Some(&Code(77)));
    let back = anyhow::Error::from(ours);
    assert_eq!(back.downcast_ref::<Code>(), Some(&Code(77)));
    assert_eq!(
        format!("{back:#}"),
        "ours: replaced: static context: code 77\nsecond line: leaf\nwith two lines (edited): cause ü"
    );
    // The anyhow error itself can be reached mutably too.
    let mut ours = Error::from_anyhow(anyhow::anyhow!("x"));
    let inner = ours.downcast_mut::<anyhow::Error>().unwrap();
    *inner = anyhow::anyhow!("y");
    assert_eq!(ours.to_string(), "y");
}

#[test]
fn downcast_by_value_through_the_layer() {
    let ours = Error::from_anyhow(anyhow_chain()).context("ours");
    let ours = ours.downcast::<u64>().unwrap_err();
    assert_eq!(
        shown_by_ours(&ours),
        shown_by_anyhow(&anyhow_chain().context("ours"))
    );
    let leaf = ours.downcast::<Leaf>().unwrap();
    assert_eq!(leaf.text, "leaf\nwith two lines");
    assert_eq!(leaf.cause.unwrap().0, "cause ü");

    let code = Error::from_anyhow(anyhow_chain())
        .downcast::<Code>()
        .unwrap();
    assert_eq!(code, Code(5));
    let text = Error::from_anyhow(anyhow_chain())
        .downcast::<String>()
        .unwrap();
    assert_eq!(text, "outer\nüber");
    let whole = Error::from_anyhow(anyhow_chain())
        .context(Code(1))
        .downcast::<anyhow::Error>()
        .unwrap();
    assert_eq!(shown_by_anyhow(&whole), shown_by_anyhow(&anyhow_chain()));
}

// ---------------------------------------------------------------------------
// Drop counts.

#[test]
fn conversions_drop_every_value_once() {
    let error_drops = counter();
    let context_drops = counter();
    let outer_drops = counter();
    let make = || {
        ours_context(
            Tracked::new("root", &error_drops),
            TrackedContext(Tracked::new("inner", &context_drops)),
        )
        .context(TrackedContext(Tracked::new("outer", &outer_drops)))
    };

    let theirs = anyhow::Error::from(make());
    let ours = Error::from_anyhow(anyhow::Error::from(make()));
    let twice = anyhow::Error::from(Error::from_anyhow(anyhow::Error::from(make())));
    assert_eq!(
        (
            drops(&error_drops),
            drops(&context_drops),
            drops(&outer_drops)
        ),
        (0, 0, 0),
        "nothing is dropped while converting"
    );
    assert_eq!(format!("{theirs:#}"), "context outer: context inner: root");
    assert_eq!(format!("{ours:#}"), "context outer: context inner: root");
    assert_eq!(format!("{twice:#}"), "context outer: context inner: root");
    drop((theirs, ours, twice));
    assert_eq!(
        (
            drops(&error_drops),
            drops(&context_drops),
            drops(&outer_drops)
        ),
        (3, 3, 3)
    );
}

#[test]
fn downcast_by_value_through_the_layer_drops_the_rest_once() {
    let error_drops = counter();
    let context_drops = counter();
    let outer_drops = counter();
    let make = || {
        let theirs = anyhow_context(
            Tracked::new("root", &error_drops),
            TrackedContext(Tracked::new("inner", &context_drops)),
        );
        Error::from_anyhow(theirs).context(TrackedContext(Tracked::new("outer", &outer_drops)))
    };

    // The error found deep inside anyhow's chain.
    let root = make().downcast::<Tracked>().unwrap();
    assert_eq!(&*root.name, "root");
    assert_eq!(
        (
            drops(&error_drops),
            drops(&context_drops),
            drops(&outer_drops)
        ),
        (0, 1, 1)
    );
    drop(root);
    assert_eq!(drops(&error_drops), 1);

    // A context inside anyhow's chain.
    let inner = make().downcast::<TrackedContext>();
    // Our own layer's context is found first.
    let outer = inner.unwrap();
    assert_eq!(&*outer.0.name, "outer");
    assert_eq!(
        (
            drops(&error_drops),
            drops(&context_drops),
            drops(&outer_drops)
        ),
        (2, 2, 1)
    );
    drop(outer);
    assert_eq!(drops(&outer_drops), 2);

    // A miss gives the error back whole, still droppable once.
    let missed = make().downcast::<Code>().unwrap_err();
    assert_eq!(format!("{missed:#}"), "context outer: context inner: root");
    assert_eq!(
        (
            drops(&error_drops),
            drops(&context_drops),
            drops(&outer_drops)
        ),
        (2, 2, 2)
    );
    drop(missed);
    assert_eq!(
        (
            drops(&error_drops),
            drops(&context_drops),
            drops(&outer_drops)
        ),
        (3, 3, 3)
    );

    // The anyhow error itself.
    let whole = make().downcast::<anyhow::Error>().unwrap();
    assert_eq!(
        (
            drops(&error_drops),
            drops(&context_drops),
            drops(&outer_drops)
        ),
        (3, 3, 4)
    );
    let root = whole.downcast::<Tracked>().unwrap();
    assert_eq!(
        (
            drops(&error_drops),
            drops(&context_drops),
            drops(&outer_drops)
        ),
        (3, 4, 4)
    );
    drop(root);
    assert_eq!(drops(&error_drops), 4);
}

#[test]
fn conversions_free_every_allocation() {
    let n = 600;
    let before = live_bytes();
    {
        let ours = format_err!("{}", "long text ".repeat(n))
            .context(String::from("outer"))
            .context("static");
        let theirs = anyhow::Error::from(ours);
        let ours = Error::from_anyhow(theirs).context(Code(1));
        let theirs = anyhow::Error::from(ours);
        assert!(theirs.to_string().starts_with("code 1"));
        let _ = Error::from_anyhow(theirs).downcast::<String>().unwrap();
    }
    assert_eq!(live_bytes(), before);
}

// ---------------------------------------------------------------------------
// Out of memory.

#[test]
fn out_of_memory_in_from_anyhow_drops_the_anyhow_error() {
    let error_drops = counter();
    let before = live_bytes();
    {
        let theirs = anyhow::Error::new(Tracked::new("root", &error_drops)).context("ctx");
        let (ours, failed) = failing_next_allocation(|| Error::from_anyhow(theirs));
        let requested = failed.expect("from_anyhow allocates");
        assert!(ours.is::<OutOfMemory>());
        assert!(!ours.is::<anyhow::Error>());
        assert_eq!(
            ours.downcast_ref::<OutOfMemory>()
                .unwrap()
                .requested_allocation_size(),
            requested
        );
        assert_eq!(drops(&error_drops), 1, "the anyhow error is dropped");
        // Our OOM error converts back without needing our memory.
        let back = anyhow::Error::from(ours);
        assert!(back.is::<OutOfMemory>());
    }
    assert_eq!(live_bytes(), before);
    assert_eq!(drops(&error_drops), 1);
}

#[test]
fn out_of_memory_in_to_wasmtime_result() {
    let result: anyhow::Result<()> = Err(anyhow::anyhow!("x"));
    let (converted, failed) = failing_next_allocation(|| result.to_wasmtime_result());
    assert!(failed.is_some());
    assert!(converted.unwrap_err().is::<OutOfMemory>());
}

// ---------------------------------------------------------------------------
// Round trips with random chains.

const LITERALS: [&str; 3] = ["static one", "zwei\nzeilen", "ünï 😀"];

#[derive(Debug, Clone)]
enum Root {
    Leaf { text: String, cause: Option<String> },
    Message(u32),
    Formatted(String),
    Static(usize),
    DisplayOnly(u32),
    Boxed(String),
}

#[derive(Debug, Clone)]
enum Layer {
    Text(String),
    Code(u32),
    Literal(usize),
}

fn text() -> impl Strategy<Value = String> {
    "[a-zé€😀 \n:]{0,12}"
}

fn root() -> impl Strategy<Value = Root> {
    prop_oneof![
        (text(), proptest::option::of(text())).prop_map(|(text, cause)| Root::Leaf { text, cause }),
        any::<u32>().prop_map(Root::Message),
        text().prop_map(Root::Formatted),
        (0..LITERALS.len()).prop_map(Root::Static),
        any::<u32>().prop_map(Root::DisplayOnly),
        text().prop_map(Root::Boxed),
    ]
}

fn layer() -> impl Strategy<Value = Layer> {
    prop_oneof![
        text().prop_map(Layer::Text),
        any::<u32>().prop_map(Layer::Code),
        (0..LITERALS.len()).prop_map(Layer::Literal),
    ]
}

/// A root and 0..7 context layers: chains of 1..8 layers, plus the leaf's
/// own source.
fn chain() -> impl Strategy<Value = (Root, Vec<Layer>)> {
    (root(), proptest::collection::vec(layer(), 0..7))
}

fn make_leaf(text: &str, cause: &Option<String>) -> Leaf {
    Leaf {
        text: text.to_owned(),
        cause: cause.clone().map(Cause),
    }
}

fn static_error(i: usize) -> Error {
    match i {
        0 => format_err!("static one"),
        1 => format_err!("zwei\nzeilen"),
        _ => format_err!("ünï 😀"),
    }
}

fn build_ours(root: &Root, layers: &[Layer]) -> Error {
    let mut layers = layers.iter();
    let mut error = match root {
        Root::Leaf { text, cause } => {
            let leaf = make_leaf(text, cause);
            // The first context on a standard error shares its allocation.
            match layers.next() {
                None => Error::new(leaf),
                Some(Layer::Text(t)) => ours_context(leaf, t.clone()),
                Some(Layer::Code(c)) => ours_context(leaf, Code(*c)),
                Some(Layer::Literal(i)) => ours_context(leaf, LITERALS[*i]),
            }
        }
        Root::Message(c) => Error::msg(Code(*c)),
        Root::Formatted(t) => format_err!("formatted: {t}"),
        Root::Static(i) => static_error(*i),
        Root::DisplayOnly(c) => ours_none_context(Code(*c)),
        Root::Boxed(t) => Error::from_boxed(t.clone().into()),
    };
    for layer in layers {
        error = match layer {
            Layer::Text(t) => error.context(t.clone()),
            Layer::Code(c) => error.context(Code(*c)),
            Layer::Literal(i) => error.context(LITERALS[*i]),
        };
    }
    error
}

fn build_anyhow(root: &Root, layers: &[Layer]) -> anyhow::Error {
    let mut layers = layers.iter();
    let mut error = match root {
        Root::Leaf { text, cause } => {
            let leaf = make_leaf(text, cause);
            match layers.next() {
                None => anyhow::Error::new(leaf),
                Some(Layer::Text(t)) => anyhow_context(leaf, t.clone()),
                Some(Layer::Code(c)) => anyhow_context(leaf, Code(*c)),
                Some(Layer::Literal(i)) => anyhow_context(leaf, LITERALS[*i]),
            }
        }
        Root::Message(c) => anyhow::Error::msg(Code(*c)),
        Root::Formatted(t) => anyhow::anyhow!("formatted: {t}"),
        Root::Static(i) => anyhow::Error::msg(LITERALS[*i]),
        Root::DisplayOnly(c) => anyhow_none_context(Code(*c)),
        Root::Boxed(t) => anyhow::Error::from_boxed(t.clone().into()),
    };
    for layer in layers {
        error = match layer {
            Layer::Text(t) => error.context(t.clone()),
            Layer::Code(c) => error.context(Code(*c)),
            Layer::Literal(i) => error.context(LITERALS[*i]),
        };
    }
    error
}

proptest! {
    #![proptest_config(proptest_config::config(4))]

    #[test]
    fn ours_to_anyhow_to_ours_keeps_formats_and_downcasts((root, layers) in chain()) {
        let original = build_ours(&root, &layers);
        let theirs = anyhow::Error::from(build_ours(&root, &layers));
        prop_assert_eq!(shown_by_ours(&original), shown_by_anyhow(&theirs));
        assert_downcasts_kept(&original, &theirs);
        // What anyhow would have built directly.
        let native = build_anyhow(&root, &layers);
        prop_assert_eq!(shown_by_anyhow(&theirs), shown_by_anyhow(&native));
        assert_same_downcasts(&theirs, &native);

        let back = Error::from_anyhow(theirs);
        prop_assert_eq!(shown_by_ours(&back), shown_by_ours(&original));
        assert_downcasts_kept(&original, &back);
        prop_assert!(back.is::<anyhow::Error>());

        // By value, through both conversions.
        let round_trip = || Error::from_anyhow(anyhow::Error::from(build_ours(&root, &layers)));
        if let Some(code) = original.downcast_ref::<Code>() {
            prop_assert_eq!(round_trip().downcast::<Code>().unwrap(), *code);
        }
        if let Some(leaf) = original.downcast_ref::<Leaf>() {
            prop_assert_eq!(&round_trip().downcast::<Leaf>().unwrap().text, &leaf.text);
        }
        if let Some(text) = original.downcast_ref::<&str>() {
            prop_assert_eq!(round_trip().downcast::<&str>().unwrap(), *text);
        }
    }

    #[test]
    fn anyhow_to_ours_to_anyhow_keeps_formats_and_downcasts((root, layers) in chain()) {
        let original = build_anyhow(&root, &layers);
        let ours = Error::from_anyhow(build_anyhow(&root, &layers));
        prop_assert_eq!(shown_by_ours(&ours), shown_by_anyhow(&original));
        assert_same_downcasts(&ours, &original);
        prop_assert!(ours.is::<anyhow::Error>());

        let back = anyhow::Error::from(ours);
        prop_assert_eq!(shown_by_anyhow(&back), shown_by_anyhow(&original));
        assert_same_downcasts(&back, &original);

        // The anyhow error comes back as it was: same allocation.
        let theirs = build_anyhow(&root, &layers);
        let address = &*theirs as *const (dyn StdError + Send + Sync) as *const ();
        let back = anyhow::Error::from(Error::from_anyhow(theirs));
        prop_assert_eq!(&*back as *const (dyn StdError + Send + Sync) as *const (), address);
    }
}
