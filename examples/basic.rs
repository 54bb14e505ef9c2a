//! A first look: an error chain with context, its three formats, a
//! downcast, and a program that survives an allocation failure.
//!
//! Run it with `cargo run -p wasmtime-error-examples --example basic`; with
//! `--features location` added, `{:?}` shows where each layer was made,
//! and the example lists the locations once more.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};
use wasmtime_error::{Context, OutOfMemory, Result, bail, format_context, format_err};

/// The system allocator, except that it refuses every request while
/// `REFUSE` is set: a stand-in for a machine that has run out of memory.
struct Refusing;

static REFUSE: AtomicBool = AtomicBool::new(false);

// SAFETY: every call is forwarded to the system allocator, or refused with
// a null pointer, which `GlobalAlloc` allows.
unsafe impl GlobalAlloc for Refusing {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if REFUSE.load(Ordering::Relaxed) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

// Not in tests/survive_oom.rs, which includes this file with its own allocator.
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: Refusing = Refusing;

#[derive(Debug)]
struct TooHot {
    celsius: u32,
}

impl std::fmt::Display for TooHot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} °C is too hot", self.celsius)
    }
}

impl std::error::Error for TooHot {}

fn read_sensor(celsius: u32) -> Result<u32, TooHot> {
    if celsius > 90 {
        Err(TooHot { celsius })
    } else {
        Ok(celsius)
    }
}

fn check_room(name: &str, celsius: u32) -> Result<u32> {
    let reading = read_sensor(celsius).with_context(|| format_context!("sensor in {name}"))?;
    if reading < 5 {
        bail!("{name} is freezing");
    }
    Ok(reading)
}

/// Checks two rooms; the second is too hot.
pub fn survey() -> Result<()> {
    check_room("kitchen", 21)?;
    check_room("boiler room", 97).context("survey of the house")?;
    Ok(())
}

/// Each layer next to where it was made (feature `location`). The sensor's
/// `TooHot` was made by plain Rust code, so it has none; the layer that
/// `with_context` put around it has the location of that call.
#[cfg(feature = "location")]
fn print_locations(error: &wasmtime_error::Error) {
    println!("where each layer was made:");
    for (layer, location) in error.locations() {
        match location {
            Some(location) => println!("  {layer}: made at {location}"),
            None => println!("  {layer}: not made by wasmtime-error"),
        }
    }
    println!();
}

fn main() {
    let error = survey().unwrap_err();
    println!("{{}}   : {error}");
    println!("{{:#}} : {error:#}");
    println!("{{:?}} :\n{error:?}\n");
    #[cfg(feature = "location")]
    print_locations(&error);

    let hot = error
        .downcast_ref::<TooHot>()
        .expect("the root cause is a TooHot");
    println!("downcast: the sensor read {} °C", hot.celsius);
    println!(
        "chain from the root: {:?}\n",
        error
            .chain()
            .rev()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );

    // Now the machine runs out of memory while errors are being made.
    REFUSE.store(true, Ordering::Relaxed);
    let formatted = format_err!("room {} failed", 3);
    let with_context = Err::<(), _>(TooHot { celsius: 120 }).context("while out of memory");
    let literal = format_err!("boiler room sensor is offline");
    REFUSE.store(false, Ordering::Relaxed);

    assert!(formatted.is::<OutOfMemory>());
    let with_context = with_context.unwrap_err();
    assert!(with_context.is::<OutOfMemory>());
    assert!(!literal.is::<OutOfMemory>());
    println!("while every allocation is refused:");
    println!("  format_err! with arguments (allocates) : {formatted}");
    println!("  context on an error (allocates)        : {with_context}");
    println!("  format_err! of a literal (no memory)   : {literal}");
    #[cfg(feature = "location")]
    println!(
        "  ... made at {}; the out-of-memory errors have no location: {:?}",
        literal
            .location()
            .expect("a static message has its location"),
        formatted.location(),
    );
    println!("and the program carries on.");
}
