//! Context kept on out-of-memory errors without allocating: the layers an
//! out-of-memory error keeps print as the same layers boxed print, in every
//! format; nothing is allocated from the failure to the print; the table of
//! 64 records is shared by threads that claim and release records at once,
//! and a 65th error, or a 9th layer, degrades to what fits.
//!
//! The table is one per process: every test here that holds records takes
//! `TABLE` first, so that the test that fills it is alone with it.

#[path = "support/counting.rs"]
mod counting;
#[path = "support/fixed_text.rs"]
mod fixed_text;
#[path = "support/locations.rs"]
mod locations;
#[path = "support/proptest_config.rs"]
mod proptest_config;
#[path = "support/quiet_panic.rs"]
mod quiet_panic;

use counting::{CountingAllocator, count_allocations, without_memory};
use fixed_text::FixedText;
use locations::without_locations;
use proptest::prelude::*;
use quiet_panic::catch_quietly;
use std::error::Error as StdError;
use std::sync::{Mutex, MutexGuard, mpsc};
use wasmtime_error::{Context, Error, OutOfMemory, Result, format_context, format_err};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Held by every test that keeps records alive.
static TABLE: Mutex<()> = Mutex::new(());

/// Also turns backtraces off: the boxed errors compared with kept-context
/// ones would capture one under `RUST_BACKTRACE=1` (feature `backtrace`).
fn table() -> MutexGuard<'static, ()> {
    #[cfg(feature = "backtrace")]
    wasmtime_error::disable_backtrace();
    TABLE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the docs promise: 64 records, 8 kept layers each.
const RECORDS: usize = 64;
const KEPT: usize = 8;

const DROPPED_ONE: &str = "(1 context layer dropped for lack of memory)";

/// Three static layers over `error`, added at the same places whatever
/// `error` is, so that their locations match too.
fn three_layers(error: Error) -> Error {
    error
        .context("reading the body")
        .context(format_err!("parsing the request"))
        .context("serving a client")
}

/// The same failure, boxed: its layers are boxed too.
fn boxed_failure(oom: OutOfMemory) -> Error {
    Error::from_boxed(Box::new(oom))
}

/// `{:?}` of the boxed error without the location of its root, which the
/// failure of a kept-context error has not: `Error::from_boxed` recorded
/// one (feature `location`).
fn boxed_debug_without_root_location(boxed: &Error, text: &str) -> String {
    #[cfg(feature = "location")]
    if let Some((_, Some(root))) = boxed.locations().last() {
        return text.replace(&format!("\n           at {root}"), "");
    }
    let _ = boxed;
    text.to_owned()
}

/// The texts `f` gives for each error of the chain of `error`.
fn each_layer(error: &Error, f: impl Fn(&(dyn StdError + 'static)) -> String) -> Vec<String> {
    error.chain().map(f).collect()
}

#[test]
fn kept_layers_print_as_boxed_layers() {
    let _table = table();
    let oom = OutOfMemory::new(786432);
    let kept = three_layers(Error::from(oom));
    let boxed = three_layers(boxed_failure(oom));

    assert_eq!(kept.to_string(), "serving a client");
    assert_eq!(kept.to_string(), boxed.to_string());
    assert_eq!(
        format!("{kept:#}"),
        "serving a client: parsing the request: reading the body: \
         out of memory (failed to allocate 786432 bytes)"
    );
    assert_eq!(format!("{kept:#}"), format!("{boxed:#}"));
    // `{:?}` with its locations (feature `location`): each kept layer has
    // the one its boxed twin has.
    let boxed_debug = boxed_debug_without_root_location(&boxed, &format!("{boxed:?}"));
    assert_eq!(format!("{kept:?}"), boxed_debug);
    assert_eq!(
        without_locations(&format!("{kept:?}")),
        "serving a client\n\nCaused by:\n    0: parsing the request\n    1: reading the body\n    \
         2: out of memory (failed to allocate 786432 bytes)"
    );
    assert_eq!(format!("{kept:#?}"), format!("{boxed:#?}"));

    // The chain, both ways, and each of its errors in every format.
    assert_eq!(kept.chain().len(), 4);
    assert_eq!(
        each_layer(&kept, |e| e.to_string()),
        each_layer(&boxed, |e| e.to_string())
    );
    let rev =
        |error: &Error| -> Vec<String> { error.chain().rev().map(|e| e.to_string()).collect() };
    assert_eq!(rev(&kept), rev(&boxed));
    assert_eq!(
        each_layer(&kept, |e| format!("{e:#?}")),
        each_layer(&boxed, |e| format!("{e:#?}"))
    );
    let debug = |e: &(dyn StdError + 'static)| without_locations(&format!("{e:?}"));
    assert_eq!(each_layer(&kept, debug), each_layer(&boxed, debug));
    assert_eq!(
        kept.root_cause().to_string(),
        boxed.root_cause().to_string()
    );
    assert_eq!(kept.root_cause().downcast_ref::<OutOfMemory>(), Some(&oom));
    #[cfg(feature = "location")]
    {
        let locations = |error: &Error| -> Vec<_> { error.locations().map(|(_, l)| l).collect() };
        let (kept_at, boxed_at) = (locations(&kept), locations(&boxed));
        assert_eq!(kept_at[..3], boxed_at[..3]);
        assert!(kept_at.iter().take(3).all(Option::is_some));
        assert_eq!(kept_at[3], None, "the failure has no location");
        assert_eq!(kept.location(), boxed.location());
    }
}

#[test]
fn the_failure_is_found_and_the_text_is_not() {
    let _table = table();
    let mut error = three_layers(Error::from(OutOfMemory::new(40)));
    assert!(error.is::<OutOfMemory>());
    assert_eq!(
        error.downcast_ref::<OutOfMemory>(),
        Some(&OutOfMemory::new(40))
    );
    // As in Wasmtime: the kept layers are text, not values.
    assert!(!error.is::<&str>());
    assert!(!error.is::<Error>());
    assert!(error.source().is_some());

    // The failure lives in the record: changing it changes the error.
    *error.downcast_mut::<OutOfMemory>().unwrap() = OutOfMemory::new(41);
    assert!(format!("{error:#}").ends_with("(failed to allocate 41 bytes)"));
    // `DerefMut` reaches the outermost layer.
    let outer: &mut (dyn StdError + Send + Sync) = &mut *error;
    assert_eq!(outer.to_string(), "serving a client");
    assert_eq!(outer.source().unwrap().to_string(), "parsing the request");

    assert_eq!(
        error.downcast::<OutOfMemory>().unwrap(),
        OutOfMemory::new(41)
    );
}

#[test]
fn nothing_is_allocated_from_the_failure_to_the_print() {
    fn allocate(bytes: usize) -> Result<Vec<u8>> {
        let mut buffer = Vec::new();
        buffer.try_reserve_exact(bytes)?;
        Ok(buffer)
    }
    fn parse() -> Result<Vec<u8>> {
        allocate(4096).context("reading the body")
    }
    fn handle() -> Result<Vec<u8>> {
        parse().context("parsing the request")
    }
    fn serve() -> Result<Vec<u8>> {
        handle().context("serving a client")
    }

    let _table = table();
    let (text, allocations) = count_allocations(|| {
        without_memory(|| {
            let error = serve().unwrap_err();
            let texts = [
                FixedText::of(format_args!("{error}")),
                FixedText::of(format_args!("{error:#}")),
                FixedText::of(format_args!("{error:?}")).without_locations(),
                FixedText::of(format_args!("{error:#?}")),
            ];
            assert_eq!(error.chain().count(), 4);
            assert_eq!(error.chain().rev().count(), 4);
            assert!(error.root_cause().is::<OutOfMemory>());
            texts
        })
    });
    assert_eq!(allocations, 0);
    assert_eq!(text[0].as_str(), "serving a client");
    assert_eq!(
        text[1].as_str(),
        "serving a client: parsing the request: reading the body: \
         out of memory (failed to allocate 4096 bytes)"
    );
    assert!(text[2].as_str().contains("\n    1: reading the body\n"));
    assert!(
        text[3]
            .as_str()
            .starts_with("Error {\n    context: \"serving a client\",")
    );

    // Dropped contexts, and the closure not called, allocate nothing either.
    let (text, allocations) = count_allocations(|| {
        without_memory(|| {
            let error = serve()
                .with_context(|| -> String { unreachable!("not called on out of memory") })
                .context(String::new())
                .unwrap_err();
            FixedText::of(format_args!("{error}"))
        })
    });
    assert_eq!(allocations, 0);
    assert_eq!(
        text.as_str(),
        "(2 context layers dropped for lack of memory)"
    );
}

#[test]
fn dropped_layers_are_counted_where_they_were() {
    let _table = table();
    let error = Err::<(), _>(OutOfMemory::new(8))
        .context("kept first")
        .context(String::from("a String"))
        .with_context(|| format_context!("formatted"))
        .context("kept second")
        .context(format_err!("{}", "formatted, not static"))
        .unwrap_err();
    assert_eq!(error.dropped_contexts(), Some(3));
    assert_eq!(
        format!("{error:#}"),
        "(1 context layer dropped for lack of memory): kept second: \
         (2 context layers dropped for lack of memory): kept first: \
         out of memory (failed to allocate 8 bytes)"
    );
    assert_eq!(
        format!("{error:#?}"),
        "Error {\n    context: \"(1 context layer dropped for lack of memory)\",\n    \
         source: Error {\n        context: \"kept second\",\n        \
         source: Error {\n            context: \"(2 context layers dropped for lack of memory)\",\n            \
         source: Error {\n                context: \"kept first\",\n                \
         source: OutOfMemory {\n                    requested_allocation_size: 8,\n                \
         },\n            },\n        },\n    },\n}"
    );
}

#[test]
fn layers_past_the_eighth_are_dropped_into_one_last_layer() {
    let _table = table();
    let texts: [&'static str; 12] = [
        "l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9", "l10", "l11", "l12",
    ];
    let mut error = Error::from(OutOfMemory::new(1));
    for text in &texts[..KEPT] {
        error = error.context(*text);
    }
    assert_eq!(error.dropped_contexts(), Some(0));
    assert_eq!(error.chain().len(), KEPT + 1);
    error = error.context(texts[KEPT]);
    assert_eq!(error.to_string(), DROPPED_ONE);
    for text in &texts[KEPT + 1..] {
        error = error.context(*text);
    }
    error = error.context(String::from("not static"));
    let error = Err::<(), _>(error).with_context(|| "closure").unwrap_err();
    assert_eq!(error.dropped_contexts(), Some(6));
    assert_eq!(
        error.to_string(),
        "(6 context layers dropped for lack of memory)"
    );
    let layers: Vec<String> = error.chain().map(|e| e.to_string()).collect();
    assert_eq!(layers.len(), KEPT + 2);
    assert_eq!(layers[1], "l8");
    assert_eq!(layers[KEPT], "l1");
    assert!(error.is::<OutOfMemory>());
}

/// A record error held by this thread; `n` says which.
fn kept_error(n: usize) -> Error {
    let mut error = Error::from(OutOfMemory::new(n));
    for _ in 0..KEPT {
        error = error.context("layer");
    }
    error
}

fn has_record(error: &Error) -> bool {
    error.dropped_contexts().is_some()
}

/// Whether every record is free: all of them can be claimed now.
fn all_records_free() -> bool {
    let all: Vec<Error> = (0..RECORDS)
        .map(|n| Error::from(OutOfMemory::new(n)).context("claim"))
        .collect();
    all.iter().all(has_record)
}

#[test]
fn sixty_four_errors_across_threads_then_a_65th_degrades() {
    let _table = table();
    // 4 threads make 16 errors each, with 8 kept layers, and send them here.
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        for thread in 0..4 {
            let sender = sender.clone();
            scope.spawn(move || {
                for n in 0..RECORDS / 4 {
                    sender.send(kept_error(thread * 100 + n)).unwrap();
                }
            });
        }
    });
    drop(sender);
    let mut held: Vec<Error> = receiver.iter().collect();
    assert_eq!(held.len(), RECORDS);
    for error in &held {
        assert!(has_record(error));
        assert_eq!(error.chain().len(), KEPT + 1);
        assert_eq!(error.to_string(), "layer");
    }
    let mut sizes: Vec<usize> = held
        .iter()
        .map(|e| {
            e.downcast_ref::<OutOfMemory>()
                .unwrap()
                .requested_allocation_size()
        })
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    assert_eq!(sizes.len(), RECORDS, "each error has a record of its own");

    // The 65th: as before this feature, with nothing allocated and nothing
    // kept, but the failure.
    let owned = String::from("nor here");
    let (extra, allocations) = count_allocations(|| {
        Err::<(), _>(OutOfMemory::new(65))
            .context("no room")
            .context(owned)
            .unwrap_err()
    });
    assert_eq!(allocations, 0);
    assert!(!has_record(&extra));
    assert_eq!(extra.dropped_contexts(), None);
    assert_eq!(
        extra.to_string(),
        "out of memory (failed to allocate 65 bytes)"
    );
    assert_eq!(extra.chain().len(), 1);
    assert!(extra.is::<OutOfMemory>());
    // The errors already made still add layers to their records.
    let grown = held.pop().unwrap().context(String::from("dropped"));
    assert_eq!(grown.to_string(), DROPPED_ONE);

    // Dropped on another thread, a record goes back to the table.
    std::thread::spawn(move || drop(grown)).join().unwrap();
    let again = extra.context("room again");
    assert!(has_record(&again));
    assert_eq!(
        format!("{again:#}"),
        "room again: out of memory (failed to allocate 65 bytes)"
    );
    // So does every record, by each way an error can end: with the table
    // full, one error ends, and a new one gets its record.
    held.push(again);
    let mut reclaim = |end: &dyn Fn(Error)| {
        assert!(!has_record(&kept_error(0)), "the table is full");
        end(held.pop().unwrap());
        let fresh = kept_error(1);
        assert!(has_record(&fresh), "released, then claimed again");
        held.push(fresh);
    };
    reclaim(&|e| drop(e));
    reclaim(&|e| assert_eq!(e.downcast::<OutOfMemory>().unwrap(), OutOfMemory::new(1)));
    reclaim(&|e| drop(e.into_boxed_dyn_error()));
    reclaim(&|e| drop(e.reallocate_into_boxed_dyn_error_without_backtrace()));
    reclaim(&|e| drop(Error::msg("replaced").context(e)));
    #[cfg(feature = "anyhow")]
    reclaim(&|e| drop(anyhow::Error::from(e)));
    drop(held);
    assert!(all_records_free());
}

#[test]
fn boxes_and_replacements_keep_the_layers() {
    let _table = table();
    let kept = || three_layers(Error::from(OutOfMemory::new(9)));
    let expected = format!("{:#}", kept());
    let expected_debug = format!("{:#?}", kept());

    let boxed = kept().into_boxed_dyn_error();
    assert_eq!(format!("{boxed:#}"), expected);
    assert_eq!(format!("{boxed:#?}"), expected_debug);
    assert_eq!(boxed.source().unwrap().to_string(), "parsing the request");
    let boxed = kept().reallocate_into_boxed_dyn_error_without_backtrace();
    assert_eq!(format!("{boxed:#}"), expected);

    // A kept-context error given as a context replaces the error, as a
    // plain out-of-memory error does, without allocating.
    let (replaced, allocations) = count_allocations(|| {
        let context = kept();
        Err::<(), _>(std::fmt::Error).context(context).unwrap_err()
    });
    assert_eq!(allocations, 0);
    assert_eq!(format!("{replaced:#}"), expected);
    // When even the box cannot be had, the failure is kept alone.
    let boxed = without_memory(|| kept().into_boxed_dyn_error());
    assert_eq!(
        boxed.to_string(),
        "out of memory (failed to allocate 9 bytes)"
    );
    assert!(boxed.source().is_none());
}

/// A context whose `Drop` panics, dropped by `context` on an out-of-memory
/// error (and by the `with_context` closure that holds one, not called);
/// also an error, replaced by an out-of-memory error given as its context.
#[derive(Debug)]
struct PanicsOnDrop;

impl StdError for PanicsOnDrop {}

impl std::fmt::Display for PanicsOnDrop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("never shown")
    }
}

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("a context's Drop panicked");
    }
}

#[test]
fn a_context_that_panics_when_dropped_leaves_no_record_claimed() {
    let _table = table();
    for kept_before in [false, true] {
        let caught = catch_quietly(|| {
            let mut error = Error::from(OutOfMemory::new(3));
            if kept_before {
                error = error.context("kept");
            }
            error.context(PanicsOnDrop)
        });
        assert!(caught.is_err(), "the panic comes through");
        let panicking = PanicsOnDrop;
        let caught = catch_quietly(move || {
            Err::<(), _>(OutOfMemory::new(4))
                .with_context(move || panicking)
                .unwrap_err()
        });
        assert!(caught.is_err());
        let caught = catch_quietly(|| {
            let replacement = Error::from(OutOfMemory::new(5)).context("kept");
            Err::<(), _>(PanicsOnDrop).context(replacement).unwrap_err()
        });
        assert!(caught.is_err());
    }
    assert!(all_records_free());
}

/// One way to add context, for the property test.
#[derive(Clone, Debug)]
enum Step {
    Static(usize),
    StaticMessage(usize),
    Owned,
    Closure,
}

const STATIC_TEXTS: [&str; 3] = ["alpha", "beta", "gamma"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..STATIC_TEXTS.len()).prop_map(Step::Static),
        (0..STATIC_TEXTS.len()).prop_map(Step::StaticMessage),
        Just(Step::Owned),
        Just(Step::Closure),
    ]
}

fn apply(error: Error, step: &Step) -> Error {
    let result = Err::<(), _>(error);
    match *step {
        Step::Static(n) => result.context(STATIC_TEXTS[n]),
        Step::StaticMessage(0) => result.context(format_err!("alpha")),
        Step::StaticMessage(1) => result.context(format_err!("beta")),
        Step::StaticMessage(_) => result.context(format_err!("gamma")),
        Step::Owned => result.context(String::from("owned")),
        Step::Closure => result.with_context(|| "lazy"),
    }
    .unwrap_err()
}

/// The chain the docs describe for `steps` over `size`, outermost first.
fn model(size: usize, steps: &[Step]) -> Vec<String> {
    let mut layers: Vec<Result<&str, u32>> = Vec::new();
    for step in steps {
        let kept = match *step {
            Step::Static(n) | Step::StaticMessage(n) => Some(STATIC_TEXTS[n]),
            Step::Owned | Step::Closure => None,
        };
        match kept {
            Some(text) if layers.len() < KEPT => layers.push(Ok(text)),
            _ => match layers.last_mut() {
                Some(Err(count)) => *count += 1,
                _ => layers.push(Err(1)),
            },
        }
    }
    let mut texts: Vec<String> = layers
        .iter()
        .rev()
        .map(|layer| match layer {
            Ok(text) => text.to_string(),
            Err(1) => DROPPED_ONE.to_string(),
            Err(n) => format!("({n} context layers dropped for lack of memory)"),
        })
        .collect();
    texts.push(OutOfMemory::new(size).to_string());
    texts
}

/// Threads, and errors each, in the property test: more than the table
/// holds, so that claims fail and succeed again as others release.
const THREADS: usize = if cfg!(miri) { 2 } else { 8 };
const ERRORS: usize = if cfg!(miri) { 3 } else { 24 };

/// At most 64 cases outside Miri: each makes and drops errors on several
/// threads.
fn config() -> ProptestConfig {
    let config = proptest_config::config(4);
    ProptestConfig {
        cases: config.cases.min(64),
        ..config
    }
}

proptest! {
    #![proptest_config(config())]

    /// Many threads make errors with random layers at once, keep them a
    /// while (more than the table holds, in all) and drop them, some on
    /// another thread. Each error with a record shows exactly the model's
    /// layers for the steps from the one that claimed it on, one without
    /// shows the failure alone, and afterwards every record is free again.
    #[test]
    fn concurrent_claims_and_releases(
        plans in prop::collection::vec(prop::collection::vec(step(), 0..12), THREADS),
    ) {
        let _table = table();
        let (sender, receiver) = mpsc::channel::<Error>();
        std::thread::scope(|scope| {
            scope.spawn(move || receiver.iter().for_each(drop));
            for (thread, steps) in plans.iter().enumerate() {
                let sender = sender.clone();
                scope.spawn(move || {
                    let mut alive = Vec::new();
                    for n in 0..ERRORS {
                        let size = thread * 1000 + n;
                        let error = steps.iter().fold(Error::from(OutOfMemory::new(size)), apply);
                        let layers: Vec<String> = error.chain().map(|e| e.to_string()).collect();
                        if error.dropped_contexts().is_some() {
                            // The layers added while every record was in use
                            // are lost; the record has all the others.
                            assert!(
                                (0..=steps.len()).any(|k| layers == model(size, &steps[k..])),
                                "{layers:?} is not the end of {:?}",
                                model(size, steps)
                            );
                        } else {
                            assert_eq!(layers, [OutOfMemory::new(size).to_string()]);
                        }
                        assert_eq!(error.downcast_ref::<OutOfMemory>(), Some(&OutOfMemory::new(size)));
                        alive.push(error);
                        if n % 3 == 2 {
                            sender.send(alive.remove(0)).unwrap();
                        }
                    }
                });
            }
            drop(sender);
        });
        prop_assert!(all_records_free(), "every record was released");
    }
}
