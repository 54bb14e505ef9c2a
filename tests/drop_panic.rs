//! A context or error whose `Drop` panics: the rest of the chain is still
//! dropped and freed, as the fields of a `Box` would be, both when the
//! error is dropped and when a downcast drops what it does not return.
//! Measured with a counting global allocator (live bytes back to where
//! they were after `catch_unwind`) and drop counters (each value once).

#[path = "support/counting.rs"]
mod counting;
#[path = "support/quiet_panic.rs"]
mod quiet_panic;

use std::error::Error as StdError;
use std::fmt::{self, Debug, Display};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use counting::{CountingAllocator, live_bytes};
use quiet_panic::catch_quietly;
use wasmtime_error::{Context, Error};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Drops of the values of one test.
#[derive(Clone, Default)]
struct Drops(Arc<AtomicUsize>);

impl Drops {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A value that counts its drops, and panics in `drop` if told to. `KIND`
/// makes distinct types, so downcasts can tell them apart.
struct Value<const KIND: char> {
    drops: Drops,
    panics: bool,
}

impl<const KIND: char> Value<KIND> {
    fn new(drops: &Drops) -> Self {
        Value {
            drops: drops.clone(),
            panics: false,
        }
    }

    fn panicking(drops: &Drops) -> Self {
        Value {
            drops: drops.clone(),
            panics: true,
        }
    }
}

impl<const KIND: char> Drop for Value<KIND> {
    fn drop(&mut self) {
        self.drops.0.fetch_add(1, Ordering::SeqCst);
        if self.panics {
            panic!("drop of {KIND}");
        }
    }
}

impl<const KIND: char> Display for Value<KIND> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{KIND}")
    }
}

impl<const KIND: char> Debug for Value<KIND> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value<{KIND}>")
    }
}

impl<const KIND: char> StdError for Value<KIND> {}

/// Runs `f`, which must panic, and returns the live bytes it left behind.
fn leaked_by_panicking(f: impl FnOnce()) -> isize {
    // Installs the quiet hook (an allocation) before measuring.
    let _ = catch_quietly(|| ());
    let before = live_bytes();
    let unwound = catch_quietly(f).is_err();
    let leaked = live_bytes() - before;
    assert!(unwound, "the drop was expected to panic");
    leaked
}

/// A root error under three contexts, the middle one panicking on drop.
fn four_layers(drops: &Drops) -> Error {
    Error::new(Value::<'r'>::new(drops))
        .context(Value::<'m'>::new(drops))
        .context(Value::<'p'>::panicking(drops))
        .context(Value::<'t'>::new(drops))
}

#[test]
fn a_downcast_past_a_panicking_context_frees_the_rest_of_the_chain() {
    let drops = Drops::default();
    let leaked = leaked_by_panicking(|| {
        let error = four_layers(&drops);
        // Found in the innermost error: the three contexts are dropped,
        // the middle one panics.
        let _ = error.downcast::<Value<'r'>>();
    });
    assert_eq!((leaked, drops.get()), (0, 4));
}

#[test]
fn a_downcast_past_a_panicking_context_around_a_std_error() {
    let drops = Drops::default();
    let leaked = leaked_by_panicking(|| {
        // The innermost layer holds a context and a std error in one
        // allocation.
        let result: Result<(), _> = Err(Value::<'r'>::new(&drops));
        let error = result
            .context(Value::<'m'>::new(&drops))
            .context(Value::<'p'>::panicking(&drops))
            .unwrap_err()
            .context(Value::<'t'>::new(&drops));
        let _ = error.downcast::<Value<'m'>>();
    });
    assert_eq!((leaked, drops.get()), (0, 4));
}

#[test]
fn a_downcast_past_a_panicking_context_to_a_message() {
    let drops = Drops::default();
    let leaked = leaked_by_panicking(|| {
        let error = Error::msg(Value::<'r'>::new(&drops))
            .context(Value::<'p'>::panicking(&drops))
            .context(Value::<'m'>::new(&drops))
            .context("top");
        let _ = error.downcast::<Value<'r'>>();
    });
    assert_eq!((leaked, drops.get()), (0, 3));
}

#[test]
fn dropping_a_chain_with_a_panicking_context_frees_every_layer() {
    let drops = Drops::default();
    let leaked = leaked_by_panicking(|| {
        drop(four_layers(&drops));
    });
    assert_eq!((leaked, drops.get()), (0, 4));

    // The error itself panics on drop, under two layers.
    let drops = Drops::default();
    let leaked = leaked_by_panicking(|| {
        drop(
            Error::new(Value::<'r'>::panicking(&drops))
                .context(Value::<'m'>::new(&drops))
                .context(Value::<'t'>::new(&drops)),
        );
    });
    assert_eq!((leaked, drops.get()), (0, 3));
}
