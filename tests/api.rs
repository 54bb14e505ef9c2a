//! The public API of `Error`, method by method, with drop counts: every
//! value an error holds (the error, a message, a context) is dropped exactly
//! once on every path.

#[path = "support/counting.rs"]
mod counting;
#[path = "support/layered.rs"]
mod layered;
#[path = "support/locations.rs"]
mod locations;
#[path = "support/quiet_panic.rs"]
mod quiet_panic;

use counting::{CountingAllocator, live_bytes, without_memory};
use layered::Layered;
use quiet_panic::catch_quietly;
use std::cell::Cell;
use std::error::Error as StdError;
use std::fmt::{self, Debug, Display};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasmtime_error::{
    Chain, Context, Error, OutOfMemory, Result, anyhow, bail, ensure, format_context, format_err,
};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

// ---------------------------------------------------------------------------
// Values that count their drops.

/// A shared drop counter.
#[derive(Clone, Debug, Default)]
struct Drops(Arc<AtomicUsize>);

impl Drops {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A value that counts its drops. `KIND` makes distinct types for the error,
/// the message and the contexts of one test, so downcasts can tell them apart.
struct Tracked<const KIND: char> {
    text: &'static str,
    drops: Drops,
}

impl<const KIND: char> Tracked<KIND> {
    fn new(text: &'static str, drops: &Drops) -> Self {
        Tracked {
            text,
            drops: drops.clone(),
        }
    }
}

impl<const KIND: char> Drop for Tracked<KIND> {
    fn drop(&mut self) {
        self.drops.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl<const KIND: char> Display for Tracked<KIND> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

impl<const KIND: char> Debug for Tracked<KIND> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tracked<{KIND}>({:?})", self.text)
    }
}

impl<const KIND: char> StdError for Tracked<KIND> {}

type TrackedError = Tracked<'E'>;
type TrackedMessage = Tracked<'M'>;
type Context1 = Tracked<'1'>;
type Context2 = Tracked<'2'>;

fn messages(error: &Error) -> Vec<String> {
    error.chain().map(|e| e.to_string()).collect()
}

// ---------------------------------------------------------------------------
// Layout promises.

#[test]
fn error_result_and_option_are_one_word() {
    use std::mem::size_of;
    assert_eq!(size_of::<Error>(), size_of::<usize>());
    assert_eq!(size_of::<Result<()>>(), size_of::<usize>());
    assert_eq!(size_of::<Option<Error>>(), size_of::<usize>());
}

#[test]
fn error_is_send_sync_static() {
    fn assert_traits<T: Send + Sync + Unpin + 'static>() {}
    assert_traits::<Error>();
}

// ---------------------------------------------------------------------------
// Constructors.

#[test]
fn new_keeps_the_error_and_its_sources() {
    let error = Error::new(Layered::chain(&["outer", "middle", "inner"]));
    assert_eq!(error.to_string(), "outer");
    assert_eq!(messages(&error), ["outer", "middle", "inner"]);
    assert_eq!(error.downcast_ref::<Layered>().unwrap().text, "outer");
    assert!(error.is::<Layered>());
    assert!(!error.is::<std::fmt::Error>());
    assert_eq!(error.root_cause().to_string(), "inner");
    // The wrapped error itself is what `Deref`, `source()` and `chain()` show.
    assert!((*error).is::<Layered>());
    let with_context = error.context("ctx");
    assert_eq!(
        with_context
            .source()
            .unwrap()
            .downcast_ref::<Layered>()
            .unwrap()
            .text,
        "outer"
    );
    assert_eq!(
        with_context
            .root_cause()
            .downcast_ref::<Layered>()
            .unwrap()
            .text,
        "inner"
    );
    let found = with_context
        .chain()
        .filter_map(|e| e.downcast_ref::<Layered>())
        .count();
    assert_eq!(found, 3);
}

#[test]
fn new_of_out_of_memory_is_the_packed_word() {
    let error = Error::new(OutOfMemory::new(77));
    assert!(error.is::<OutOfMemory>());
    assert_eq!(
        error
            .downcast_ref::<OutOfMemory>()
            .unwrap()
            .requested_allocation_size(),
        77
    );
    assert_eq!(
        error.to_string(),
        "out of memory (failed to allocate 77 bytes)"
    );
    assert!(error.source().is_none());
    assert_eq!(error.chain().len(), 1);
    assert_eq!(
        error.downcast::<OutOfMemory>().unwrap(),
        OutOfMemory::new(77)
    );
}

#[test]
fn msg_displays_and_debugs_the_message() {
    let error = Error::msg(String::from("no such table"));
    assert_eq!(error.to_string(), "no such table");
    assert_eq!(format!("{error:#}"), "no such table");
    assert_eq!(debug(&error), "no such table");
    assert_eq!(format!("{error:#?}"), "\"no such table\"");
    assert!(error.source().is_none());
    assert_eq!(error.downcast_ref::<String>().unwrap(), "no such table");
    assert!(error.downcast_ref::<&str>().is_none());
    assert_eq!(error.downcast::<String>().unwrap(), "no such table");
}

#[test]
fn from_boxed_keeps_sources_and_downcasts_to_the_box() {
    let boxed: Box<dyn StdError + Send + Sync> = Box::new(Layered::chain(&["a", "b"]));
    let error = Error::from_boxed(boxed);
    assert_eq!(messages(&error), ["a", "b"]);
    assert_eq!(format!("{error:#}"), "a: b");
    assert!(error.is::<Box<dyn StdError + Send + Sync>>());
    // As in anyhow, the concrete type inside the box is not reachable.
    assert!(!error.is::<Layered>());
    let boxed = error.downcast::<Box<dyn StdError + Send + Sync>>().unwrap();
    assert_eq!(boxed.downcast_ref::<Layered>().unwrap().text, "a");
}

#[test]
fn from_boxed_drops_the_boxed_value_once() {
    let drops = Drops::default();
    let error = Error::from_boxed(Box::new(TrackedError::new("boxed", &drops)));
    assert_eq!(error.to_string(), "boxed");
    drop(error);
    assert_eq!(drops.get(), 1);

    let error = Error::from_boxed(Box::new(TrackedError::new("boxed", &drops)));
    let boxed = error.downcast::<Box<dyn StdError + Send + Sync>>().unwrap();
    assert_eq!(drops.get(), 1);
    drop(boxed);
    assert_eq!(drops.get(), 2);
}

// ---------------------------------------------------------------------------
// Context.

#[test]
fn context_layers_on_an_error() {
    let error = format_err!("disk full")
        .context("saving")
        .context(String::from("quitting"));
    assert_eq!(error.to_string(), "quitting");
    assert_eq!(format!("{error:#}"), "quitting: saving: disk full");
    assert_eq!(
        debug(&error),
        "quitting\n\nCaused by:\n    0: saving\n    1: disk full"
    );
    assert_eq!(messages(&error), ["quitting", "saving", "disk full"]);
    assert_eq!(error.downcast_ref::<String>().unwrap(), "quitting");
    assert_eq!(*error.downcast_ref::<&str>().unwrap(), "saving");
}

/// On its own, a `format_context!` shows its text, or the out-of-memory
/// error that kept the text from being made.
#[test]
fn formatted_context_shows_its_text_or_its_out_of_memory() {
    let level = std::hint::black_box(3);
    let context = format_context!("level {level}");
    assert_eq!(context.to_string(), "level 3");
    assert_eq!(format!("{context:?}"), "\"level 3\"");

    let context = without_memory(|| format_context!("level {level}"));
    assert_eq!(
        context.to_string(),
        "out of memory (failed to allocate 7 bytes)"
    );
    assert_eq!(
        format!("{context:?}"),
        "OutOfMemory { requested_allocation_size: 7 }"
    );
}

#[test]
fn context_on_result_of_std_error() {
    let ok: std::result::Result<u8, Layered> = Ok(3);
    assert_eq!(ok.context("unused").unwrap(), 3);

    let err: std::result::Result<u8, Layered> = Err(Layered::chain(&["root", "deeper"]));
    let error = err.context("while reading").unwrap_err();
    assert_eq!(messages(&error), ["while reading", "root", "deeper"]);
    assert_eq!(error.downcast_ref::<Layered>().unwrap().text, "root");
    assert_eq!(*error.downcast_ref::<&str>().unwrap(), "while reading");
    assert_eq!(error.root_cause().to_string(), "deeper");
}

#[test]
fn with_context_is_lazy() {
    let called = Cell::new(0);
    let make = || {
        called.set(called.get() + 1);
        "made"
    };
    let ok: std::result::Result<(), std::fmt::Error> = Ok(());
    ok.with_context(make).unwrap();
    let ok: Result<()> = Ok(());
    ok.with_context(make).unwrap();
    Some(1).with_context(make).unwrap();
    assert_eq!(called.get(), 0);

    let err: std::result::Result<(), std::fmt::Error> = Err(std::fmt::Error);
    assert_eq!(err.with_context(make).unwrap_err().to_string(), "made");
    let err: Result<()> = Err(format_err!("inner"));
    assert_eq!(
        format!("{:#}", err.with_context(make).unwrap_err()),
        "made: inner"
    );
    let none: Option<()> = None;
    assert_eq!(none.with_context(make).unwrap_err().to_string(), "made");
    assert_eq!(called.get(), 3);
}

#[test]
fn context_on_result_of_error() {
    let err: Result<()> = Err(Error::new(Layered::chain(&["x", "y"])));
    let error = err.context("top").unwrap_err();
    assert_eq!(format!("{error:#}"), "top: x: y");
    assert!(error.is::<Layered>());
    let ok: Result<i32> = Ok(5);
    assert_eq!(ok.context("unused").unwrap(), 5);
}

#[test]
fn context_on_option() {
    let none: Option<u8> = None;
    let error = none.context("missing value").unwrap_err();
    assert_eq!(error.to_string(), "missing value");
    // `Option::context` makes a message whose Debug is its Display, as in anyhow.
    assert_eq!(format!("{error:#?}"), "missing value");
    assert_eq!(*error.downcast_ref::<&str>().unwrap(), "missing value");
    assert!(error.source().is_none());
    assert_eq!(Some(4).context("unused").unwrap(), 4);
}

/// A context that would need memory to keep (here a user's type) is
/// dropped at once on an out-of-memory error, and a `with_context` closure
/// is not called; the error counts them in a layer of its record.
#[test]
fn context_on_out_of_memory_drops_what_it_cannot_keep() {
    let drops = Drops::default();
    let dropped = "(1 context layer dropped for lack of memory)";

    let error = Error::from(OutOfMemory::new(10)).context(Context1::new("c", &drops));
    assert_eq!(drops.get(), 1, "the unused context is dropped at once");
    assert_eq!(error.to_string(), dropped);
    assert_eq!(error.chain().len(), 2);
    assert!(error.is::<OutOfMemory>());
    assert!(!error.is::<Context1>());
    assert_eq!(error.dropped_contexts(), Some(1));

    let result: std::result::Result<(), OutOfMemory> = Err(OutOfMemory::new(11));
    let error = result.context(Context1::new("c", &drops)).unwrap_err();
    assert_eq!(drops.get(), 2);
    assert_eq!(
        error.downcast_ref::<OutOfMemory>(),
        Some(&OutOfMemory::new(11))
    );
    assert_eq!(error.chain().len(), 2);

    let result: Result<()> = Err(Error::from(OutOfMemory::new(12)));
    let error = result.context(Context1::new("c", &drops)).unwrap_err();
    assert_eq!(drops.get(), 3);
    assert_eq!(
        error.downcast_ref::<OutOfMemory>(),
        Some(&OutOfMemory::new(12))
    );

    let result: std::result::Result<(), OutOfMemory> = Err(OutOfMemory::new(13));
    let error = result
        .with_context(|| -> String { panic!("with_context called its closure on OOM") })
        .unwrap_err();
    assert_eq!(
        error.downcast_ref::<OutOfMemory>(),
        Some(&OutOfMemory::new(13))
    );
    let result: Result<()> = Err(Error::from(OutOfMemory::new(14)));
    let error = result
        .with_context(|| -> String { panic!("with_context called its closure on OOM") })
        .unwrap_err();
    assert_eq!(
        error.downcast_ref::<OutOfMemory>(),
        Some(&OutOfMemory::new(14))
    );
    assert_eq!(error.to_string(), dropped);
    assert_eq!(error.chain().len(), 2);
}

// ---------------------------------------------------------------------------
// Chain and root cause.

#[test]
fn chain_iterates_both_ways_with_exact_size() {
    let error = Error::new(Layered::chain(&["c", "d"]))
        .context("b")
        .context("a");
    let mut chain = error.chain();
    assert_eq!(chain.len(), 4);
    assert_eq!(chain.size_hint(), (4, Some(4)));
    assert_eq!(chain.next().unwrap().to_string(), "a");
    assert_eq!(chain.len(), 3);
    assert_eq!(chain.next_back().unwrap().to_string(), "d");
    assert_eq!(chain.len(), 2);
    let rest = chain.clone();
    assert_eq!(chain.next_back().unwrap().to_string(), "c");
    assert_eq!(chain.next().unwrap().to_string(), "b");
    assert_eq!(chain.len(), 0);
    assert!(chain.next().is_none());
    assert!(chain.next_back().is_none());
    assert!(chain.next().is_none());
    // The clone kept its place.
    assert_eq!(rest.map(|e| e.to_string()).collect::<Vec<_>>(), ["b", "c"]);

    let reversed: Vec<String> = error.chain().rev().map(|e| e.to_string()).collect();
    assert_eq!(reversed, ["d", "c", "b", "a"]);
    assert_eq!(error.chain().rev().len(), 4);
    assert_eq!(error.chain().last().unwrap().to_string(), "d");
    assert_eq!(error.chain().nth(2).unwrap().to_string(), "c");
    assert_eq!(Chain::default().count(), 0);
}

#[test]
fn chain_of_each_kind_of_error() {
    assert_eq!(Error::from(OutOfMemory::new(1)).chain().len(), 1);
    assert_eq!(format_err!("static").chain().len(), 1);
    assert_eq!(
        format_err!("formatted {}", std::hint::black_box(1))
            .chain()
            .len(),
        1
    );
    assert_eq!(Error::msg(1).chain().len(), 1);
    let error = format_err!("static").context("ctx");
    assert_eq!(messages(&error), ["ctx", "static"]);
}

#[test]
fn root_cause_is_the_last_source() {
    let error = Error::new(Layered::chain(&["a", "b", "c"])).context("ctx");
    assert_eq!(error.root_cause().to_string(), "c");
    let single = format_err!("alone");
    assert_eq!(single.root_cause().to_string(), "alone");
    let root: &(dyn StdError + 'static) = single.root_cause();
    assert!(root.source().is_none());
    let oom = Error::from(OutOfMemory::new(3));
    assert!(oom.root_cause().is::<OutOfMemory>());
}

// ---------------------------------------------------------------------------
// Downcasting.

/// A search (`is`, `downcast_ref`, `downcast_mut`) steps over the context
/// layers around a boxed error in a loop, without a call per layer: it
/// needs the same small stack however deep the chain is. A call per layer
/// would need at least 16 bytes of stack per layer, 1.6 MB here.
#[test]
#[cfg_attr(miri, ignore = "makes and searches 100 000 layers")]
fn searching_through_many_context_layers_needs_little_stack() {
    const LAYERS: usize = 100_000;
    let mut error = Error::new(Layered::chain(&["root"]));
    for n in 0..LAYERS {
        error = error.context(n);
    }
    let searched = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            assert!(error.is::<Layered>());
            assert!(!error.is::<String>());
            assert_eq!(error.downcast_ref::<Layered>().unwrap().text, "root");
            error.downcast_mut::<Layered>().unwrap().text = "changed";
            assert_eq!(error.root_cause().to_string(), "changed");
            error
        })
        .unwrap()
        .join()
        .unwrap();
    // Dropping the layers takes a call per layer: on a stack of its own.
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || drop(searched))
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn is_finds_every_layer() {
    let drops = Drops::default();
    let result: std::result::Result<(), TrackedError> = Err(TrackedError::new("e", &drops));
    let error = result
        .context(Context1::new("one", &drops))
        .unwrap_err()
        .context(Context2::new("two", &drops));
    assert!(error.is::<TrackedError>());
    assert!(error.is::<Context1>());
    assert!(error.is::<Context2>());
    assert!(!error.is::<TrackedMessage>());
    assert!(!error.is::<OutOfMemory>());
    assert!(!error.is::<&str>());
    drop(error);
    assert_eq!(drops.get(), 3);
}

/// `Err(E).context(C1)?.context(C2)`, each with its own counter.
fn three_layers() -> (Error, Drops, Drops, Drops) {
    let (e, c1, c2) = (Drops::default(), Drops::default(), Drops::default());
    let result: std::result::Result<(), TrackedError> = Err(TrackedError::new("e", &e));
    let error = result
        .context(Context1::new("one", &c1))
        .unwrap_err()
        .context(Context2::new("two", &c2));
    (error, e, c1, c2)
}

#[test]
fn drop_drops_every_layer_once() {
    let (error, e, c1, c2) = three_layers();
    assert_eq!(format!("{error:#}"), "two: one: e");
    drop(error);
    assert_eq!((e.get(), c1.get(), c2.get()), (1, 1, 1));
}

#[test]
fn downcast_the_outer_context() {
    let (error, e, c1, c2) = three_layers();
    let context = error.downcast::<Context2>().unwrap();
    assert_eq!(context.text, "two");
    assert_eq!((e.get(), c1.get(), c2.get()), (1, 1, 0));
    drop(context);
    assert_eq!((e.get(), c1.get(), c2.get()), (1, 1, 1));
}

#[test]
fn downcast_the_inner_context() {
    let (error, e, c1, c2) = three_layers();
    let context = error.downcast::<Context1>().unwrap();
    assert_eq!(context.text, "one");
    assert_eq!((e.get(), c1.get(), c2.get()), (1, 0, 1));
    drop(context);
    assert_eq!((e.get(), c1.get(), c2.get()), (1, 1, 1));
}

#[test]
fn downcast_the_root_error() {
    let (error, e, c1, c2) = three_layers();
    let root = error.downcast::<TrackedError>().unwrap();
    assert_eq!(root.text, "e");
    assert_eq!((e.get(), c1.get(), c2.get()), (0, 1, 1));
    drop(root);
    assert_eq!((e.get(), c1.get(), c2.get()), (1, 1, 1));
}

#[test]
fn downcast_miss_returns_the_error_unchanged() {
    let (error, e, c1, c2) = three_layers();
    let error = error.downcast::<TrackedMessage>().unwrap_err();
    let error = error.downcast::<String>().unwrap_err();
    let error = error.downcast::<OutOfMemory>().unwrap_err();
    assert_eq!((e.get(), c1.get(), c2.get()), (0, 0, 0));
    assert_eq!(format!("{error:#}"), "two: one: e");
    let root = error.downcast::<TrackedError>().unwrap();
    assert_eq!((e.get(), c1.get(), c2.get()), (0, 1, 1));
    drop(root);
    assert_eq!(e.get(), 1);
}

#[test]
fn downcast_when_context_and_error_have_the_same_type() {
    let (outer, inner) = (Drops::default(), Drops::default());
    let result: std::result::Result<(), TrackedError> = Err(TrackedError::new("inner", &inner));
    let error = result
        .context(TrackedError::new("outer", &outer))
        .unwrap_err();
    // The context is found first, as in anyhow.
    assert_eq!(error.downcast_ref::<TrackedError>().unwrap().text, "outer");
    let found = error.downcast::<TrackedError>().unwrap();
    assert_eq!(found.text, "outer");
    assert_eq!((outer.get(), inner.get()), (0, 1));
    drop(found);
    assert_eq!(outer.get(), 1);
}

#[test]
fn downcast_message_and_plain_error() {
    let drops = Drops::default();
    let error = Error::msg(TrackedMessage::new("m", &drops));
    assert_eq!(format!("{error:#?}"), "Tracked<M>(\"m\")");
    let error = error.downcast::<TrackedError>().unwrap_err();
    assert_eq!(drops.get(), 0);
    let message = error.downcast::<TrackedMessage>().unwrap();
    assert_eq!(drops.get(), 0);
    drop(message);
    assert_eq!(drops.get(), 1);

    let error = Error::new(TrackedError::new("e", &drops));
    let value = error.downcast::<TrackedError>().unwrap();
    assert_eq!(drops.get(), 1);
    drop(value);
    assert_eq!(drops.get(), 2);
}

#[test]
fn downcast_of_option_context() {
    let drops = Drops::default();
    let none: Option<()> = None;
    let error = none.context(Context1::new("absent", &drops)).unwrap_err();
    assert_eq!(format!("{error:#?}"), "absent");
    let context = error.downcast::<Context1>().unwrap();
    assert_eq!(drops.get(), 0);
    drop(context);
    assert_eq!(drops.get(), 1);
}

#[test]
fn downcast_static_message() {
    fn fails() -> Result<()> {
        bail!("a literal");
    }
    let error = fails().unwrap_err();
    assert_eq!(error.downcast_ref::<&str>(), Some(&"a literal"));
    assert!(error.is::<&'static str>());
    assert!(!error.is::<String>());
    let error = error.downcast::<String>().unwrap_err();
    assert_eq!(error.downcast::<&str>().unwrap(), "a literal");

    let error = format_err!("inner literal").context(Context1::new("ctx", &Drops::default()));
    assert_eq!(error.downcast::<&str>().unwrap(), "inner literal");
}

#[test]
fn downcast_ref_and_mut_on_each_layer() {
    let (mut error, e, c1, c2) = three_layers();
    error.downcast_mut::<Context2>().unwrap().text = "TWO";
    error.downcast_mut::<Context1>().unwrap().text = "ONE";
    error.downcast_mut::<TrackedError>().unwrap().text = "E";
    assert!(error.downcast_mut::<TrackedMessage>().is_none());
    assert_eq!(format!("{error:#}"), "TWO: ONE: E");
    assert_eq!(error.downcast_ref::<Context1>().unwrap().text, "ONE");
    drop(error);
    assert_eq!((e.get(), c1.get(), c2.get()), (1, 1, 1));

    let mut error = Error::msg(41u32);
    *error.downcast_mut::<u32>().unwrap() += 1;
    assert_eq!(error.to_string(), "42");

    let mut error = Error::from(OutOfMemory::new(5));
    *error.downcast_mut::<OutOfMemory>().unwrap() = OutOfMemory::new(6);
    assert_eq!(
        error.to_string(),
        "out of memory (failed to allocate 6 bytes)"
    );
}

#[test]
fn downcast_mut_on_a_static_message() {
    fn fails() -> Result<()> {
        bail!("before");
    }
    let mut error = fails().unwrap_err();
    let message = error.downcast_mut::<&str>().expect("promoted to the heap");
    assert_eq!(*message, "before");
    *message = "after";
    assert_eq!(error.to_string(), "after");
    assert_eq!(error.downcast_ref::<&str>(), Some(&"after"));
    assert_eq!(error.downcast::<&str>().unwrap(), "after");

    // Behind a context layer.
    let mut error = format_err!("deep").context("outer");
    // The context is also a `&str`, and is found first.
    *error.downcast_mut::<&str>().unwrap() = "OUTER";
    assert_eq!(format!("{error:#}"), "OUTER: deep");
    let mut error = format_err!("deep").context(String::from("outer"));
    *error.downcast_mut::<&str>().unwrap() = "DEEP";
    assert_eq!(format!("{error:#}"), "outer: DEEP");
}

#[test]
fn downcast_through_layers_over_static_promoted_and_boxed_errors() {
    let (c1, c2, c3) = (Drops::default(), Drops::default(), Drops::default());
    // The first layer wraps a static message, the second a boxed error.
    let mut error = format_err!("root")
        .context(Context1::new("one", &c1))
        .context(Context2::new("two", &c2));
    assert_eq!(error.downcast_ref::<Context1>().unwrap().text, "one");
    assert_eq!(error.downcast_ref::<&str>(), Some(&"root"));
    // Moving the message to the heap under both layers keeps it findable.
    *error.downcast_mut::<&str>().unwrap() = "ROOT";
    let error = error.context(TrackedMessage::new("three", &c3));
    assert_eq!(format!("{error:#}"), "three: two: one: ROOT");
    for _ in 0..2 {
        assert_eq!(error.downcast_ref::<&str>(), Some(&"ROOT"));
        assert_eq!(error.downcast_ref::<Context2>().unwrap().text, "two");
        assert!(error.downcast_ref::<TrackedError>().is_none());
    }
    let error = error.downcast::<TrackedError>().unwrap_err();
    let one = error.downcast::<Context1>().unwrap();
    assert_eq!(one.text, "one");
    assert_eq!((c1.get(), c2.get(), c3.get()), (0, 1, 1));
    drop(one);
    assert_eq!(c1.get(), 1);
}

#[test]
fn downcast_mut_on_a_static_message_without_memory() {
    let mut error = format_err!("kept");
    let found = without_memory(|| error.downcast_mut::<&str>().is_some());
    assert!(!found, "promotion needs an allocation");
    assert_eq!(error.to_string(), "kept");
    assert_eq!(error.downcast_ref::<&str>(), Some(&"kept"));
}

#[test]
fn downcast_of_formatted_messages() {
    // A message formatted at run time is a `String`, as in anyhow.
    let n = std::hint::black_box(5);
    let error = format_err!("n = {}", n);
    assert_eq!(error.to_string(), "n = 5");
    assert_eq!(format!("{error:#?}"), "\"n = 5\"");
    assert!(error.downcast_ref::<OutOfMemory>().is_none());
    assert!(error.downcast_ref::<&str>().is_none());
    assert_eq!(error.downcast_ref::<String>().unwrap(), "n = 5");
    let theirs = anyhow::anyhow!("n = {}", n);
    assert_eq!(
        error.downcast_ref::<String>(),
        theirs.downcast_ref::<String>()
    );

    // Also when the compiler folds constant arguments into the text.
    fn fails() -> Result<()> {
        bail!("{} {}!", "oh", "no");
    }
    assert_eq!(
        fails().unwrap_err().downcast_ref::<String>().unwrap(),
        "oh no!"
    );
    let mut error = fails().unwrap_err();
    error
        .downcast_mut::<String>()
        .unwrap()
        .push_str(" (changed)");
    assert_eq!(error.to_string(), "oh no! (changed)");
    let text = error.downcast::<String>().unwrap();
    assert_eq!(text, "oh no! (changed)");

    // Longer than the stack buffer: measured first, then written into a
    // `String` of exactly that size.
    let long = "x".repeat(300);
    let text = format_err!("{long}!").downcast::<String>().unwrap();
    assert_eq!(text.len(), 301);
    assert_eq!(text.capacity(), 301);
    // Context on top does not hide it.
    let error = format_err!("n = {n}").context("outer");
    assert_eq!(error.downcast::<String>().unwrap(), "n = 5");

    // A literal with escaped braces is text known at compile time: as in
    // anyhow, the error holds it as a `&'static str`.
    let escaped = format_err!("a {{b}}");
    let theirs = anyhow::anyhow!("a {{b}}");
    assert_eq!(
        escaped.downcast_ref::<&str>(),
        theirs.downcast_ref::<&str>()
    );
    assert_eq!(escaped.downcast_ref::<&str>(), Some(&"a {b}"));
}

// ---------------------------------------------------------------------------
// Zero-sized and over-aligned error types.

static ZST_DROPS: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug)]
struct ZeroSized;

impl Drop for ZeroSized {
    fn drop(&mut self) {
        ZST_DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

impl Display for ZeroSized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("zero-sized")
    }
}

impl StdError for ZeroSized {}

#[test]
fn zero_sized_errors_messages_and_contexts() {
    let drops = || ZST_DROPS.load(Ordering::SeqCst);
    let error = Error::new(ZeroSized);
    assert_eq!(error.to_string(), "zero-sized");
    assert!(error.is::<ZeroSized>());
    let value = error.downcast::<ZeroSized>().unwrap();
    assert_eq!(drops(), 0);
    drop(value);
    assert_eq!(drops(), 1);

    let error = Error::msg(ZeroSized).context(ZeroSized);
    assert_eq!(format!("{error:#}"), "zero-sized: zero-sized");
    drop(error);
    assert_eq!(drops(), 3);

    let result: std::result::Result<(), ZeroSized> = Err(ZeroSized);
    let error = result.context(ZeroSized).unwrap_err();
    let mut error = error.downcast::<String>().unwrap_err();
    assert!(error.downcast_mut::<ZeroSized>().is_some());
    let boxed = error.into_boxed_dyn_error();
    assert_eq!(boxed.to_string(), "zero-sized");
    assert_eq!(drops(), 3);
    drop(boxed);
    assert_eq!(drops(), 5);

    let none: Option<()> = None;
    let error = none.context(ZeroSized).unwrap_err();
    drop(error.downcast::<ZeroSized>().unwrap());
    assert_eq!(drops(), 6);
}

#[derive(Debug)]
#[repr(align(64))]
struct Aligned {
    value: u8,
    drops: Drops,
}

impl Aligned {
    fn new(value: u8, drops: &Drops) -> Self {
        Aligned {
            value,
            drops: drops.clone(),
        }
    }
}

impl Drop for Aligned {
    fn drop(&mut self) {
        self.drops.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Display for Aligned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "aligned {}", self.value)
    }
}

impl StdError for Aligned {}

fn assert_aligned(value: &Aligned) {
    assert_eq!(
        (value as *const Aligned).addr() % 64,
        0,
        "misaligned downcast"
    );
}

#[test]
fn over_aligned_error_types() {
    let drops = Drops::default();

    let mut error = Error::new(Aligned::new(1, &drops));
    assert_aligned(error.downcast_ref::<Aligned>().unwrap());
    error.downcast_mut::<Aligned>().unwrap().value = 2;
    assert_eq!(error.to_string(), "aligned 2");
    let value = error.downcast::<Aligned>().unwrap();
    assert_eq!(value.value, 2);
    drop(value);
    assert_eq!(drops.get(), 1);

    let error = Error::msg(Aligned::new(3, &drops));
    assert_aligned(error.downcast_ref::<Aligned>().unwrap());
    drop(error);
    assert_eq!(drops.get(), 2);

    // A context layer around a standard error, and around an `Error`.
    let result: std::result::Result<(), Aligned> = Err(Aligned::new(4, &drops));
    let error = result.context(Aligned::new(5, &drops)).unwrap_err();
    assert_aligned(error.downcast_ref::<Aligned>().unwrap());
    assert_eq!(format!("{error:#}"), "aligned 5: aligned 4");
    let error = error.context(Aligned::new(6, &drops));
    assert_aligned(error.downcast_ref::<Aligned>().unwrap());
    assert_eq!(format!("{error:#}"), "aligned 6: aligned 5: aligned 4");
    drop(error);
    assert_eq!(drops.get(), 5);

    let error = format_err!("x").context(Aligned::new(7, &drops));
    let boxed = error.into_boxed_dyn_error();
    assert_eq!(boxed.to_string(), "aligned 7");
    drop(boxed);
    assert_eq!(drops.get(), 6);

    let error = Error::new(Aligned::new(8, &drops));
    let boxed: Box<dyn StdError> = error.into();
    assert_eq!(boxed.to_string(), "aligned 8");
    drop(boxed);
    assert_eq!(drops.get(), 7);

    let none: Option<()> = None;
    let error = none.context(Aligned::new(9, &drops)).unwrap_err();
    assert_aligned(error.downcast_ref::<Aligned>().unwrap());
    drop(error);
    assert_eq!(drops.get(), 8);
}

#[test]
fn downcast_through_over_aligned_and_plain_layers() {
    let (drops, e) = (Drops::default(), Drops::default());
    // An over-aligned context moves the inner error of its layer; the
    // layers around it and under it are searched all the same.
    let error = Error::new(TrackedError::new("e", &e))
        .context("under")
        .context(Aligned::new(1, &drops))
        .context(Context1::new("over", &drops))
        .context(Aligned::new(2, &drops));
    assert_eq!(format!("{error:#}"), "aligned 2: over: aligned 1: under: e");
    assert_eq!(error.downcast_ref::<Aligned>().unwrap().value, 2);
    assert_aligned(error.downcast_ref::<Aligned>().unwrap());
    assert_eq!(error.downcast_ref::<Context1>().unwrap().text, "over");
    assert_eq!(error.downcast_ref::<&str>(), Some(&"under"));
    assert_eq!(error.downcast_ref::<TrackedError>().unwrap().text, "e");
    assert!(error.downcast_ref::<Context2>().is_none());
    let error = error.context(Context2::new("top", &drops));
    let root = error.downcast::<TrackedError>().unwrap();
    assert_eq!(drops.get(), 4);
    assert_eq!(e.get(), 0);
    drop(root);
    assert_eq!(e.get(), 1);
}

// ---------------------------------------------------------------------------
// into_boxed_dyn_error and conversions.

#[test]
fn into_boxed_dyn_error_of_a_boxed_error() {
    let drops = Drops::default();
    let error = Error::new(TrackedError::new("e", &drops)).context("ctx");
    let debug = format!("{error:?}");
    let boxed = error.into_boxed_dyn_error();
    assert_eq!(boxed.to_string(), "ctx");
    assert_eq!(format!("{boxed:#}"), "ctx: e");
    assert_eq!(cut_backtrace(&format!("{boxed:?}")), cut_backtrace(&debug));
    assert_eq!(boxed.source().unwrap().to_string(), "e");
    assert_eq!(drops.get(), 0);
    drop(boxed);
    assert_eq!(drops.get(), 1);
}

#[test]
fn into_boxed_dyn_error_of_out_of_memory() {
    let boxed = Error::from(OutOfMemory::new(9)).into_boxed_dyn_error();
    assert_eq!(
        boxed.to_string(),
        "out of memory (failed to allocate 9 bytes)"
    );
    assert_eq!(
        boxed.downcast_ref::<OutOfMemory>(),
        Some(&OutOfMemory::new(9))
    );
    assert!(boxed.source().is_none());

    // With no memory at all, the box still says what happened.
    let boxed = without_memory(|| Error::from(OutOfMemory::new(10)).into_boxed_dyn_error());
    assert_eq!(
        boxed.to_string(),
        "out of memory (failed to allocate 10 bytes)"
    );
    assert_eq!(
        format!("{boxed:?}"),
        "OutOfMemory { requested_allocation_size: 10 }"
    );
}

/// The box of `Error::new(e)` shows `e`: its `Display`, its `Debug` for
/// `{:#?}`, and its own sources.
#[test]
fn into_boxed_dyn_error_of_a_wrapped_error_keeps_its_sources() {
    let layered = Layered::chain(&["a", "b", "c"]);
    let debug = format!("{layered:#?}");
    let boxed = Error::new(layered).into_boxed_dyn_error();
    assert_eq!(boxed.to_string(), "a");
    assert_eq!(format!("{boxed:#}"), "a: b: c");
    assert_eq!(format!("{boxed:#?}"), debug);
    let source = boxed.source().unwrap();
    assert_eq!(source.to_string(), "b");
    assert_eq!(source.source().unwrap().to_string(), "c");
    assert!(source.is::<Layered>());
}

#[test]
fn into_boxed_dyn_error_of_static_and_formatted_messages() {
    let boxed = format_err!("literal").into_boxed_dyn_error();
    assert_eq!(boxed.to_string(), "literal");
    assert_eq!(format!("{boxed:#?}"), "\"literal\"");
    assert!(boxed.source().is_none());

    let boxed = format_err!("formatted {}", std::hint::black_box(1)).into_boxed_dyn_error();
    assert_eq!(boxed.to_string(), "formatted 1");
    assert_eq!(format!("{boxed:#?}"), "\"formatted 1\"");

    let boxed = format_err!("inner {}", 2)
        .context("outer")
        .into_boxed_dyn_error();
    assert_eq!(format!("{boxed:#}"), "outer: inner 2");
    assert_eq!(boxed.source().unwrap().to_string(), "inner 2");

    // The wrapper cannot be allocated: the box holds the out-of-memory error.
    let error = format_err!("literal");
    let boxed = without_memory(|| error.into_boxed_dyn_error());
    assert!(
        boxed
            .to_string()
            .starts_with("out of memory (failed to allocate ")
    );
    // A formatted message is boxed already: its allocation is handed over.
    let n = std::hint::black_box(3);
    let error = format_err!("formatted {n}");
    let boxed = without_memory(|| error.into_boxed_dyn_error());
    assert_eq!(boxed.to_string(), "formatted 3");
}

#[test]
fn reallocate_into_boxed_dyn_error_holds_the_value_the_error_was_made_from() {
    let drops = Drops::default();
    let boxed = Error::new(TrackedError::new("e", &drops))
        .reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(format!("{boxed:?}"), "Tracked<E>(\"e\")");
    let error = boxed.downcast::<TrackedError>().unwrap();
    assert_eq!(error.text, "e");
    assert_eq!(drops.get(), 0);
    drop(error);
    assert_eq!(drops.get(), 1);

    fn fails() -> Result<()> {
        Err(std::fmt::Error)?;
        Ok(())
    }
    let boxed = fails()
        .unwrap_err()
        .reallocate_into_boxed_dyn_error_without_backtrace();
    assert!(boxed.is::<std::fmt::Error>());

    // The box `from_boxed` took is handed back, the type inside it intact.
    let boxed = Error::from_boxed(Box::new(TrackedError::new("b", &drops)))
        .reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(boxed.downcast_ref::<TrackedError>().unwrap().text, "b");
    drop(boxed);
    assert_eq!(drops.get(), 2);

    let boxed =
        Error::from(OutOfMemory::new(9)).reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(
        boxed.downcast_ref::<OutOfMemory>(),
        Some(&OutOfMemory::new(9))
    );
}

#[test]
fn reallocate_into_boxed_dyn_error_of_messages_and_layers() {
    // Messages show their own `Debug`, as anyhow's reallocated ones do.
    let boxed =
        Error::msg(String::from("message")).reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(boxed.to_string(), "message");
    assert_eq!(format!("{boxed:?}"), "\"message\"");
    let boxed = format_err!("literal").reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(format!("{boxed}|{boxed:?}"), "literal|\"literal\"");
    assert!(boxed.source().is_none());
    let n = std::hint::black_box(4);
    let boxed = format_err!("formatted {n}").reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(format!("{boxed}|{boxed:?}"), "formatted 4|\"formatted 4\"");
    let boxed = None::<()>
        .context("none")
        .unwrap_err()
        .reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(format!("{boxed}|{boxed:?}"), "none|none");

    // A context layer is boxed whole: its context shows, its error is the
    // source, and each value is dropped once.
    let drops = Drops::default();
    let boxed = Err::<(), _>(TrackedError::new("e", &drops))
        .context(Context1::new("c", &drops))
        .unwrap_err()
        .reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(boxed.to_string(), "c");
    let source = boxed.source().unwrap();
    assert_eq!(source.downcast_ref::<TrackedError>().unwrap().text, "e");
    assert_eq!(
        format!("{boxed:?}"),
        "Error { context: \"c\", source: Tracked<E>(\"e\") }"
    );
    drop(boxed);
    assert_eq!(drops.get(), 2);

    let boxed = Error::new(TrackedError::new("e", &drops))
        .context(Context1::new("outer", &drops))
        .reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(format!("{boxed:#}"), "outer");
    assert!(boxed.source().unwrap().is::<TrackedError>());
    drop(boxed);
    assert_eq!(drops.get(), 4);
}

#[test]
fn reallocate_into_boxed_dyn_error_without_memory_gives_out_of_memory() {
    // The new box cannot be had: the error is dropped, and the box says so
    // (zero-sized, since not even the out-of-memory error's box can be had).
    let drops = Drops::default();
    let error = Error::new(TrackedError::new("e", &drops));
    let boxed = without_memory(|| error.reallocate_into_boxed_dyn_error_without_backtrace());
    assert_eq!(drops.get(), 1);
    assert_eq!(
        boxed.to_string(),
        format!(
            "out of memory (failed to allocate {} bytes)",
            std::mem::size_of::<TrackedError>()
        )
    );
    // Nothing to allocate for a boxed error taken over, nor a zero-sized one.
    let error = Error::from_boxed(Box::new(TrackedError::new("b", &drops)));
    let boxed = without_memory(|| error.reallocate_into_boxed_dyn_error_without_backtrace());
    assert_eq!(boxed.downcast_ref::<TrackedError>().unwrap().text, "b");
    let error = Error::new(std::fmt::Error);
    let boxed = without_memory(|| error.reallocate_into_boxed_dyn_error_without_backtrace());
    assert!(boxed.is::<std::fmt::Error>());
}

#[test]
fn conversions_into_std_boxes() {
    let drops = Drops::default();
    let make = || Error::new(TrackedError::new("e", &drops)).context("c");

    let boxed: Box<dyn StdError + Send + Sync> = make().into();
    assert_eq!(format!("{boxed:#}"), "c: e");
    drop(boxed);
    let boxed: Box<dyn StdError + Send> = make().into();
    assert_eq!(boxed.source().unwrap().to_string(), "e");
    drop(boxed);
    let boxed: Box<dyn StdError> = make().into();
    assert_eq!(boxed.to_string(), "c");
    drop(boxed);
    assert_eq!(drops.get(), 3);

    fn uses_question_mark() -> std::result::Result<(), Box<dyn StdError + Send + Sync>> {
        Err(format_err!("via ?"))?;
        Ok(())
    }
    assert_eq!(uses_question_mark().unwrap_err().to_string(), "via ?");
}

#[test]
fn conversions_from_std_errors() {
    let drops = Drops::default();
    let error = Error::from(TrackedError::new("e", &drops));
    assert!(error.is::<TrackedError>());
    drop(error);
    assert_eq!(drops.get(), 1);

    fn parse(text: &str) -> Result<i32> {
        Ok(text.parse::<i32>()?)
    }
    let error = parse("nope").unwrap_err();
    assert!(error.is::<std::num::ParseIntError>());
    assert_eq!(parse("12").unwrap(), 12);

    let error: Error = OutOfMemory::new(4).into();
    assert!(error.is::<OutOfMemory>());
}

#[test]
fn ok_fixes_the_error_type() {
    let closure = |x: i32| {
        let doubled = x.checked_mul(2).context("overflow")?;
        wasmtime_error::Ok(doubled)
    };
    assert_eq!(closure(4).unwrap(), 8);
    assert_eq!(closure(i32::MAX).unwrap_err().to_string(), "overflow");
}

// ---------------------------------------------------------------------------
// Deref, DerefMut, AsRef.

#[test]
fn deref_and_as_ref_give_the_outer_layer() {
    let error = Error::new(Layered::chain(&["a", "b"])).context("c");
    let object: &(dyn StdError + Send + Sync + 'static) = &*error;
    assert_eq!(object.to_string(), "c");
    assert_eq!(object.source().unwrap().to_string(), "a");
    let as_ref: &(dyn StdError + Send + Sync) = error.as_ref();
    assert_eq!(as_ref.to_string(), "c");
    let as_ref: &dyn StdError = error.as_ref();
    assert_eq!(as_ref.source().unwrap().source().unwrap().to_string(), "b");
    // Methods of `dyn Error` through auto-deref.
    assert_eq!(error.source().unwrap().to_string(), "a");
    assert!(error.source().unwrap().is::<Layered>());

    let oom = Error::from(OutOfMemory::new(2));
    assert!((*oom).is::<OutOfMemory>());
    let literal = format_err!("lit");
    assert_eq!((*literal).to_string(), "lit");
}

#[test]
fn deref_mut_of_each_kind() {
    let mut error = format_err!("lit");
    let object: &mut (dyn StdError + Send + Sync) = &mut *error;
    assert_eq!(object.to_string(), "lit");
    assert_eq!(error.to_string(), "lit");
    assert_eq!(error.downcast_ref::<&str>(), Some(&"lit"));

    let mut error = Error::new(Layered::chain(&["x"]));
    let object: &mut (dyn StdError + Send + Sync) = &mut *error;
    object.downcast_mut::<Layered>().unwrap().text = "y";
    assert_eq!(error.to_string(), "y");

    let mut error = Error::from(OutOfMemory::new(8));
    let object: &mut (dyn StdError + Send + Sync) = &mut *error;
    *object.downcast_mut::<OutOfMemory>().unwrap() = OutOfMemory::new(9);
    assert_eq!(
        error.downcast_ref::<OutOfMemory>(),
        Some(&OutOfMemory::new(9))
    );

    // A static message is shown through `DerefMut` without allocating, so
    // running out of memory changes nothing.
    let mut error = format_err!("no room");
    let object_is_oom = without_memory(|| {
        let object: &mut (dyn StdError + Send + Sync) = &mut *error;
        object.is::<OutOfMemory>()
    });
    assert!(!object_is_oom);
    let object: &mut (dyn StdError + Send + Sync) = &mut *error;
    assert_eq!(object.to_string(), "no room");
    // Its `Debug` is the message's, quoted, as for the error itself.
    assert_eq!(format!("{object:?}"), "\"no room\"");
    assert!(object.source().is_none());
    assert_eq!(format!("{error:#?}"), "\"no room\"");
    assert_eq!(error.downcast_ref::<&str>(), Some(&"no room"));
    assert!(!error.is::<OutOfMemory>());
}

// ---------------------------------------------------------------------------
// Allocation failure inside constructors: the values are dropped once and
// the result is the out-of-memory error.

#[test]
fn constructors_without_memory_drop_their_inputs_once() {
    let drops = Drops::default();
    let error = without_memory(|| Error::new(TrackedError::new("e", &drops)));
    assert_eq!(drops.get(), 1);
    assert!(error.is::<OutOfMemory>());
    assert!(
        error
            .downcast_ref::<OutOfMemory>()
            .unwrap()
            .requested_allocation_size()
            >= std::mem::size_of::<TrackedError>()
    );

    let error = without_memory(|| Error::msg(TrackedMessage::new("m", &drops)));
    assert_eq!(drops.get(), 2);
    assert!(error.is::<OutOfMemory>());

    let inner = Error::new(TrackedError::new("e", &drops));
    let error = without_memory(|| inner.context(Context1::new("c", &drops)));
    assert_eq!(drops.get(), 4, "the inner error and the context");
    assert!(error.is::<OutOfMemory>());

    let result: std::result::Result<(), TrackedError> = Err(TrackedError::new("e", &drops));
    let error = without_memory(|| result.context(Context1::new("c", &drops))).unwrap_err();
    assert_eq!(drops.get(), 6);
    assert!(error.is::<OutOfMemory>());

    let boxed: Box<dyn StdError + Send + Sync> = Box::new(TrackedError::new("b", &drops));
    let error = without_memory(|| Error::from_boxed(boxed));
    assert_eq!(drops.get(), 7);
    assert!(error.is::<OutOfMemory>());

    let error = without_memory(|| format_err!("formatted {}", std::hint::black_box(1)));
    assert!(error.is::<OutOfMemory>());
    let error = without_memory(|| format_err!("literal"));
    assert_eq!(error.to_string(), "literal", "a literal needs no memory");
}

// ---------------------------------------------------------------------------
// Macros.

#[test]
fn anyhow_of_each_kind_of_value() {
    // An `Error` passes through as it is.
    let inner = format_err!("inner").context("outer");
    let error = anyhow!(inner);
    assert_eq!(messages(&error), ["outer", "inner"]);

    // A standard error keeps its sources.
    let error = anyhow!(Layered::chain(&["s", "t"]));
    assert_eq!(messages(&error), ["s", "t"]);
    assert!(error.is::<Layered>());

    // A boxed standard error keeps its sources too.
    let boxed: Box<dyn StdError + Send + Sync> = Box::new(Layered::chain(&["u", "v"]));
    let error = anyhow!(boxed);
    assert_eq!(messages(&error), ["u", "v"]);
    assert!(error.is::<Box<dyn StdError + Send + Sync>>());

    // Anything else that is `Display + Debug` becomes a message.
    let number = 42u16;
    let error = anyhow!(number);
    assert_eq!(error.to_string(), "42");
    assert_eq!(error.downcast::<u16>().unwrap(), 42);
    let error = anyhow!(String::from("owned"));
    assert_eq!(error.downcast_ref::<String>().unwrap(), "owned");
    let text: &'static str = "borrowed";
    let error = anyhow!(text);
    assert_eq!(error.downcast_ref::<&str>(), Some(&"borrowed"));

    // Literals and format strings.
    assert_eq!(anyhow!("plain").to_string(), "plain");
    assert_eq!(anyhow!("braces {{}}").to_string(), "braces {}");
    let x = 3;
    assert_eq!(anyhow!("inline {x}").to_string(), "inline 3");
    assert_eq!(anyhow!("args {} {:?}", x, "q").to_string(), "args 3 \"q\"");
    assert_eq!(anyhow!("trailing {}", x,).to_string(), "trailing 3");

    let drops = Drops::default();
    drop(anyhow!(TrackedError::new("e", &drops)));
    drop(anyhow!(TrackedMessage::new("m", &drops)));
    assert_eq!(drops.get(), 2);
}

#[test]
fn bail_returns_early() {
    fn run(n: u32) -> Result<u32> {
        if n == 0 {
            bail!("zero");
        }
        if n == 1 {
            bail!("one: {}", n);
        }
        if n == 2 {
            bail!(Layered::chain(&["two", "why"]));
        }
        Ok(n)
    }
    assert_eq!(run(0).unwrap_err().to_string(), "zero");
    assert_eq!(run(1).unwrap_err().to_string(), "one: 1");
    assert_eq!(format!("{:#}", run(2).unwrap_err()), "two: why");
    assert_eq!(run(3).unwrap(), 3);
}

fn ensure_error(f: impl FnOnce() -> Result<()>) -> String {
    f().unwrap_err().to_string()
}

#[test]
fn ensure_comparisons_show_both_sides() {
    let (a, b) = (1, 2);
    assert_eq!(
        ensure_error(|| {
            ensure!(a == b);
            Ok(())
        }),
        "Condition failed: `a == b` (1 vs 2)"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(a >= b,);
            Ok(())
        }),
        "Condition failed: `a >= b` (1 vs 2)"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(b < a);
            Ok(())
        }),
        "Condition failed: `b < a` (2 vs 1)"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(b <= a);
            Ok(())
        }),
        "Condition failed: `b <= a` (2 vs 1)"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(a > b);
            Ok(())
        }),
        "Condition failed: `a > b` (1 vs 2)"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(a != 1);
            Ok(())
        }),
        "Condition failed: `a != 1` (1 vs 1)"
    );
    let name = "x";
    assert_eq!(
        ensure_error(|| {
            ensure!(name.len() == a + 1);
            Ok(())
        }),
        "Condition failed: `name.len() == a + 1` (1 vs 2)"
    );
    assert!(
        (|| {
            ensure!(a + 1 == b);
            Ok(())
        })()
        .is_ok()
    );
}

#[test]
fn ensure_without_debug_values_names_the_condition() {
    #[derive(PartialEq)]
    struct NoDebug(u8);
    let (x, y) = (NoDebug(1), NoDebug(2));
    assert_eq!(
        ensure_error(|| {
            ensure!(x == y);
            Ok(())
        }),
        "Condition failed: `x == y`"
    );
}

#[test]
fn ensure_evaluates_each_side_once() {
    let calls = Cell::new(0);
    let next = || {
        calls.set(calls.get() + 1);
        calls.get()
    };
    assert_eq!(
        ensure_error(|| {
            ensure!(next() == 5);
            Ok(())
        }),
        "Condition failed: `next() == 5` (1 vs 5)"
    );
    assert_eq!(calls.get(), 1);
}

/// Named so that the condition reads oddly but is not a constant to clippy.
fn flag_is_false() -> bool {
    std::hint::black_box(true)
}

#[test]
fn ensure_plain_conditions() {
    let (a, b, flag) = (1u8, 2u8, false);
    assert_eq!(
        ensure_error(|| {
            ensure!(flag);
            Ok(())
        }),
        "Condition failed: `flag`"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(!flag_is_false());
            Ok(())
        }),
        "Condition failed: `!flag_is_false()`"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(a < b && flag);
            Ok(())
        }),
        "Condition failed: `a < b && flag`"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(flag || a > b);
            Ok(())
        }),
        "Condition failed: `flag || a > b`"
    );
    // Casts are part of a side.
    assert_eq!(
        ensure_error(|| {
            ensure!(a as u64 == 5);
            Ok(())
        }),
        "Condition failed: `a as u64 == 5` (1 vs 5)"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(5 == b as i64);
            Ok(())
        }),
        "Condition failed: `5 == b as i64` (5 vs 2)"
    );
    // Generic arguments are not mistaken for comparisons, and keep the
    // caller's spacing.
    assert_eq!(
        ensure_error(|| {
            ensure!(Vec::<u8>::new().len() == 1);
            Ok(())
        }),
        "Condition failed: `Vec::<u8>::new().len() == 1` (0 vs 1)"
    );
    let message = ensure_error(|| {
        ensure!(std::mem::size_of::<u64>() < 1);
        Ok(())
    });
    assert_eq!(
        message,
        "Condition failed: `std::mem::size_of::<u64>() < 1` (8 vs 1)"
    );
    // As in anyhow, a `>>` closing two lists of generic arguments leaves
    // the values out.
    let message = ensure_error(|| {
        ensure!(std::mem::size_of::<Vec<u8>>() < 1);
        Ok(())
    });
    assert_eq!(
        message,
        "Condition failed: `std::mem::size_of::<Vec<u8>>() < 1`"
    );
}

#[test]
fn ensure_casts_and_generics_evaluate_each_side_once() {
    let calls = Cell::new(0);
    let next = || {
        calls.set(calls.get() + 1);
        calls.get()
    };
    assert_eq!(
        ensure_error(|| {
            ensure!(next() as u8 == 5);
            Ok(())
        }),
        "Condition failed: `next() as u8 == 5` (1 vs 5)"
    );
    assert_eq!(calls.get(), 1);
    assert_eq!(
        ensure_error(|| {
            ensure!(0 == Vec::<u8>::with_capacity(next()).capacity() as i64 - 10);
            Ok(())
        })
        .split(" (")
        .next(),
        Some("Condition failed: `0 == Vec::<u8>::with_capacity(next()).capacity() as i64 - 10`")
    );
    assert_eq!(calls.get(), 2);
    assert_eq!(
        ensure_error(|| {
            ensure!(next() as u64 == 5, "got {}", calls.get());
            Ok(())
        }),
        "got 3"
    );
    assert_eq!(calls.get(), 3);
}

#[test]
fn ensure_with_messages() {
    let n = 4;
    assert_eq!(
        ensure_error(|| {
            ensure!(n < 3, "too big");
            Ok(())
        }),
        "too big"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(n < 3, "too big: {}", n);
            Ok(())
        }),
        "too big: 4"
    );
    assert_eq!(
        ensure_error(|| {
            ensure!(n < 3, "too big: {n}",);
            Ok(())
        }),
        "too big: 4"
    );
    let result = (|| -> Result<()> {
        ensure!(n == 3, Layered::chain(&["custom", "cause"]));
        Ok(())
    })();
    let error = result.unwrap_err();
    assert!(error.is::<Layered>());
    assert_eq!(format!("{error:#}"), "custom: cause");
    let result = (|| -> Result<()> {
        ensure!(n == 4, "never");
        ensure!(n == 4);
        ensure!(n > 0 && n < 5, "never");
        Ok(())
    })();
    assert!(result.is_ok());
}

// ---------------------------------------------------------------------------
// A `Display` impl that panics: no UB, no leak, every value dropped once.

/// Writes `len` bytes, and panics on its `panic_on`-th use (counting from 1).
struct PanicsOnCall {
    len: usize,
    panic_on: usize,
    calls: AtomicUsize,
    drops: Drops,
}

impl PanicsOnCall {
    fn new(len: usize, panic_on: usize, drops: &Drops) -> Self {
        PanicsOnCall {
            len,
            panic_on,
            calls: AtomicUsize::new(0),
            drops: drops.clone(),
        }
    }
}

impl Drop for PanicsOnCall {
    fn drop(&mut self) {
        self.drops.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Display for PanicsOnCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        // Write errors (the stack buffer filling up) are ignored so that the
        // panic happens on every pass it is asked for.
        for _ in 0..self.len / 2 {
            let _ = f.write_str("é");
        }
        if call == self.panic_on {
            panic!("Display panicked on call {call}");
        }
        Ok(())
    }
}

impl Debug for PanicsOnCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(self, f)
    }
}

impl StdError for PanicsOnCall {}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default()
        .to_owned()
}

/// Runs `f` (which must panic) and checks that it leaked nothing on this thread.
fn assert_panics_without_leak(f: impl FnOnce()) {
    // A first panic may set up per-thread state; do it before measuring.
    let _ = catch_quietly(|| panic!("warm-up"));
    let before = live_bytes();
    let payload = catch_quietly(f).expect_err("the Display impl should have panicked");
    let message = panic_message(&*payload);
    drop(payload);
    assert!(
        message.starts_with("Display panicked on call "),
        "{message}"
    );
    drop(message);
    assert_eq!(live_bytes(), before, "memory leaked across the panic");
}

#[test]
fn panicking_display_inside_format_err() {
    let drops = Drops::default();
    // Short output: the stack pass panics.
    let value = PanicsOnCall::new(10, 1, &drops);
    assert_panics_without_leak(|| drop(format_err!("{}", value)));
    drop(value);
    // Long output (> 256 bytes): panic in the pass that measures it and in
    // the pass that writes into the allocation.
    for panic_on in 1..=2 {
        let value = PanicsOnCall::new(600, panic_on, &drops);
        assert_panics_without_leak(|| drop(format_err!("{} and more", value)));
        assert_eq!(value.calls.load(Ordering::SeqCst), panic_on);
    }
    assert_eq!(
        drops.get(),
        3,
        "each value is dropped once, after the panics"
    );
    // A run that does not panic formats the whole text.
    let value = PanicsOnCall::new(600, 0, &drops);
    let error = format_err!("{}!", value);
    assert_eq!(error.to_string(), format!("{}!", "é".repeat(300)));
    drop(value);
    assert_eq!(drops.get(), 4);
}

#[test]
fn panicking_display_inside_an_error() {
    let drops = Drops::default();
    let error = Error::msg(PanicsOnCall::new(4, 1, &drops));
    assert_panics_without_leak(|| drop(error.to_string()));
    assert_eq!(drops.get(), 0);
    assert_eq!(error.to_string(), "éé", "usable after the panic");
    drop(error);
    assert_eq!(drops.get(), 1);

    // The panicking value is a source, shown by `{:#}` and `{:?}`.
    for debug in [false, true] {
        let result: std::result::Result<(), PanicsOnCall> = Err(PanicsOnCall::new(4, 1, &drops));
        let error = result.context(Context1::new("ctx", &drops)).unwrap_err();
        if debug {
            assert_panics_without_leak(|| drop(format!("{error:?}")));
        } else {
            assert_panics_without_leak(|| drop(format!("{error:#}")));
        }
        assert_eq!(format!("{error:#}"), "ctx: éé");
        drop(error);
    }
    assert_eq!(drops.get(), 5);

    // The panicking value is a context, formatted inside `format_err!`.
    let inner = Error::msg(PanicsOnCall::new(400, 1, &drops)).context("outer");
    assert_panics_without_leak(|| drop(format_err!("{:#}", inner)));
    assert_eq!(
        format_err!("{:#}", inner).to_string(),
        format!("outer: {}", "é".repeat(200))
    );
    drop(inner);
    assert_eq!(drops.get(), 6);
}

/// A `Display` that fails on its own, which `format!` reports with a panic.
struct FailingDisplay;

impl Display for FailingDisplay {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Err(fmt::Error)
    }
}

#[test]
fn display_returning_an_error_panics_like_format() {
    let _ = catch_quietly(|| panic!("warm-up"));
    let before = live_bytes();
    let payload = catch_quietly(|| drop(format_err!("{}", FailingDisplay))).unwrap_err();
    let message = panic_message(&*payload);
    assert!(
        message.contains("formatting trait implementation returned an error"),
        "{message}"
    );
    drop((payload, message));
    assert_eq!(live_bytes(), before);
}

/// Drops run once on the paths a `Display` panic takes through `Error`.
#[test]
fn panicking_display_inside_a_context_layer_drops_once() {
    let drops = Drops::default();
    let error = Error::new(PanicsOnCall::new(2, 2, &drops)).context(Context1::new("c", &drops));
    // Call 1 (Display of the outer `{:?}`'s cause) passes, call 2 panics.
    assert_eq!(debug(&error), "c\n\nCaused by:\n    é");
    assert_panics_without_leak(|| drop(format!("{error:#}")));
    let value = error.downcast::<PanicsOnCall>().unwrap();
    assert_eq!(drops.get(), 1, "only the context was dropped");
    drop(value);
    assert_eq!(drops.get(), 2);
}

/// `{:?}` of an error, without the backtrace the feature `backtrace` adds.
fn debug(error: &Error) -> String {
    locations::without_locations(cut_backtrace(&format!("{error:?}")))
}

/// `{:?}` output cut before the backtrace both crates may append.
fn cut_backtrace(text: &str) -> &str {
    text.split("\n\nStack backtrace:").next().unwrap()
}

#[cfg(feature = "backtrace")]
#[test]
fn backtrace_of_unboxed_errors_is_disabled() {
    use std::backtrace::BacktraceStatus;
    assert_eq!(
        Error::from(OutOfMemory::new(1)).backtrace().status(),
        BacktraceStatus::Disabled
    );
    assert_eq!(
        format_err!("lit").backtrace().status(),
        BacktraceStatus::Disabled
    );
    // A boxed error's backtrace follows RUST_BACKTRACE / RUST_LIB_BACKTRACE.
    let _ = Error::msg("boxed").backtrace().status();
}

/// Without the feature `backtrace`, `backtrace()` is there (as in anyhow
/// with `std`) but never captures, whatever `RUST_BACKTRACE` says (CI sets
/// it to 1, and std would then capture): no allocation beyond the error's.
#[cfg(all(feature = "std", not(feature = "backtrace")))]
#[test]
fn backtrace_without_the_feature_is_disabled_and_allocates_nothing() {
    use counting::count_allocations;
    use std::backtrace::BacktraceStatus;
    let n = std::hint::black_box(1);
    let (statuses, count) = count_allocations(|| {
        let errors = [
            Error::msg("boxed"),
            Error::new(std::fmt::Error).context("layer"),
            format_err!("formatted {n}"),
            format_err!("literal"),
            Error::from(OutOfMemory::new(1)),
        ];
        errors.map(|error| error.backtrace().status())
    });
    assert!(statuses.iter().all(|s| *s == BacktraceStatus::Disabled));
    assert_eq!(count, 1 + 2 + 2, "msg, new + context, text + formatted");
}

// ---------------------------------------------------------------------------
// Faults found in review: each test fails on the code before its fix.

#[derive(Debug)]
struct PanicsOnDrop;

impl Display for PanicsOnDrop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("panics on drop")
    }
}

impl StdError for PanicsOnDrop {}

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("drop of PanicsOnDrop");
    }
}

#[test]
fn a_panicking_drop_still_frees_the_allocation() {
    // A first panic may set up per-thread state; do it before measuring.
    let _ = catch_quietly(|| panic!("warm-up"));
    let before = live_bytes();
    let error = Error::new(PanicsOnDrop).context("outer");
    let unwound = catch_quietly(move || drop(error)).is_err();
    let after_drop = live_bytes();
    let error = Error::new(PanicsOnDrop).context(7u8);
    let unwound_downcast = catch_quietly(move || error.downcast::<u8>().is_ok()).is_err();
    let after_downcast = live_bytes();

    assert!(unwound && unwound_downcast);
    // Both allocations of each error are freed, as a `Box` would free them.
    assert_eq!(after_drop, before);
    assert_eq!(after_downcast, before);
}

#[test]
fn context_and_with_context_agree_on_an_error_holding_an_oom() {
    // Not itself out of memory: it is a message that happens to be one.
    let holding = || -> Result<(), Error> { Err(Error::msg(OutOfMemory::new(1))) };
    let eager = holding().context("layer").unwrap_err();
    let lazy = holding().with_context(|| "layer").unwrap_err();
    assert_eq!(eager.to_string(), "layer");
    assert_eq!(lazy.to_string(), "layer");
    assert!(lazy.is::<OutOfMemory>());
}

/// Writes 301 bytes when measured, then 300 ASCII bytes and a two-byte
/// character when written.
struct GrowsOnSecondCall(Cell<usize>);

impl Display for GrowsOnSecondCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let calls = self.0.get();
        self.0.set(calls + 1);
        if calls == 0 {
            f.write_str(&"a".repeat(301))
        } else {
            f.write_str(&"a".repeat(300))?;
            f.write_str("é")
        }
    }
}

#[test]
fn a_display_that_grows_between_passes_loses_nothing() {
    let growing = GrowsOnSecondCall(Cell::new(0));
    let error = format_err!("{growing}");
    assert_eq!(growing.0.get(), 2, "measuring pass, writing pass");
    let text = error.downcast::<String>().unwrap();
    assert_eq!(text, format!("{}é", "a".repeat(300)));
}
