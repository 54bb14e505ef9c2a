//! The allocation counts the crate promises, measured with a counting global
//! allocator (per thread, so parallel tests do not interfere): none for
//! out-of-memory errors, literal messages, formatting, `chain`, `is` and
//! `downcast_ref`; exactly one for `new`, `msg` and `context`; two for a
//! formatted message (its `String`, then the error), as anyhow makes, but
//! never more. anyhow's counts are measured next to them.

#[path = "support/counting.rs"]
mod counting;
#[path = "support/layered.rs"]
mod layered;

use counting::{CountingAllocator, count_allocations, live_bytes};
use layered::Layered;
use std::error::Error as StdError;
use std::fmt::{self, Write};
use wasmtime_error::{Context, Error, OutOfMemory, Result, bail, ensure, format_err};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Backtrace capture allocates (in anyhow always, here with the feature
/// `backtrace`), and `RUST_BACKTRACE=1` may be set: turn capturing off before
/// any error is made, so the counts are those of the errors themselves.
fn setup() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: every test calls `setup` before anything else, so while
        // the `Once` runs no other thread of this process reads the
        // environment (the harness read it before starting the tests).
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
        // std decides once whether to capture and caches it: decide now.
        drop(std::backtrace::Backtrace::capture());
    });
}

/// Allocations made by `f`, with its result dropped afterwards (not counted).
fn allocations<R>(f: impl FnOnce() -> R) -> usize {
    let (result, count) = count_allocations(f);
    drop(result);
    count
}

/// A `fmt::Write` that keeps nothing, so that formatting itself is measured.
struct Sink(usize);

impl Write for Sink {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// Writes all four renderings of `error` to a sink; returns the bytes written.
fn format_all<E: fmt::Display + fmt::Debug>(error: &E) -> usize {
    let mut sink = Sink(0);
    write!(sink, "{error}|{error:#}|{error:?}|{error:#?}").unwrap();
    sink.0
}

fn layered() -> Layered {
    Layered::chain(&["outer\nline", "inner"])
}

/// One error of each kind, and a chain of boxed layers.
fn samples() -> Vec<Error> {
    vec![
        Error::from(OutOfMemory::new(64)),
        format_err!("static"),
        format_err!("formatted {}", std::hint::black_box(1)),
        format_err!("long {}", "x".repeat(300)),
        Error::msg(String::from("message")),
        Error::new(layered()),
        Error::new(layered())
            .context("one")
            .context(format_err!("two {}", 2).to_string()),
        Err::<(), _>(layered())
            .context("ctx")
            .unwrap_err()
            .context("top"),
        None::<()>.context("none").unwrap_err(),
        Error::from_boxed(Box::new(layered())),
        format_err!("static").context("on static"),
    ]
}

#[test]
fn out_of_memory_errors_do_not_allocate() {
    setup();
    assert_eq!(allocations(|| Error::from(OutOfMemory::new(8))), 0);
    assert_eq!(allocations(|| Error::new(OutOfMemory::new(8))), 0);
    let into: fn(OutOfMemory) -> Error = Into::into;
    assert_eq!(allocations(|| into(OutOfMemory::new(usize::MAX))), 0);
    assert_eq!(
        allocations(|| Error::from(OutOfMemory::new(8)).downcast::<OutOfMemory>()),
        0
    );
}

#[test]
fn literal_messages_do_not_allocate() {
    setup();
    assert_eq!(allocations(|| format_err!("a literal")), 0);
    assert_eq!(allocations(|| wasmtime_error::anyhow!("a literal")), 0);
    fn bails() -> Result<()> {
        bail!("a literal");
    }
    assert_eq!(allocations(bails), 0);
    let flag = false;
    let ensures = || -> Result<()> {
        ensure!(flag);
        Ok(())
    };
    assert_eq!(allocations(ensures), 0);
    let ensures_with_literal = || -> Result<()> {
        ensure!(flag, "a literal");
        Ok(())
    };
    assert_eq!(allocations(ensures_with_literal), 0);
    #[allow(clippy::overly_complex_bool_expr)] // `ensure!` shows the caller's tokens to clippy.
    let ensures_and = || -> Result<()> {
        ensure!(flag && !flag);
        Ok(())
    };
    assert_eq!(allocations(ensures_and), 0);
    // A comparison whose values are not shown (no `Debug`, or too long).
    #[derive(PartialEq)]
    struct Opaque;
    let ensures_opaque = || -> Result<()> {
        ensure!(Opaque != Opaque);
        Ok(())
    };
    assert_eq!(allocations(ensures_opaque), 0);
    let long = [0u8; 20];
    let ensures_long = || -> Result<()> {
        ensure!(long == [1; 20]);
        Ok(())
    };
    assert_eq!(allocations(ensures_long), 0);

    // anyhow boxes even a literal.
    assert_eq!(allocations(|| anyhow::format_err!("a literal")), 1);
}

#[test]
fn formatting_does_not_allocate() {
    setup();
    for error in samples() {
        let (written, count) = count_allocations(|| format_all(&error));
        assert!(written > 0);
        assert_eq!(count, 0, "formatting {error:?} allocated");
    }
    // Nor does formatting the boxed error it converts into.
    for error in samples() {
        let boxed = error.into_boxed_dyn_error();
        let (_, count) = count_allocations(|| format_all(&boxed));
        assert_eq!(count, 0, "formatting the box of {boxed:?} allocated");
    }
}

#[test]
fn chain_root_cause_is_and_downcast_ref_do_not_allocate() {
    setup();
    for error in samples() {
        let (_, count) = count_allocations(|| {
            let forward = error.chain().count();
            let backward = error.chain().rev().count();
            assert_eq!(forward, backward);
            assert_eq!(error.chain().len(), forward);
            let mut chain = error.chain();
            while chain.next_back().is_some() && chain.next().is_some() {}
            let _ = error.root_cause();
            let _ = error.is::<OutOfMemory>();
            let _ = error.is::<Layered>();
            let _ = error.downcast_ref::<&str>();
            let _ = error.downcast_ref::<String>();
            let _ = error.source();
        });
        assert_eq!(count, 0, "inspecting {error:?} allocated");
    }
}

#[test]
fn context_on_out_of_memory_does_not_allocate() {
    setup();
    let oom = || Error::from(OutOfMemory::new(32));
    assert_eq!(allocations(|| oom().context("ignored")), 0);
    let result = || -> std::result::Result<(), OutOfMemory> { Err(OutOfMemory::new(32)) };
    assert_eq!(allocations(|| result().context("ignored")), 0);
    assert_eq!(
        allocations(|| result().with_context(|| "ignored".repeat(100))),
        0
    );
    let result = || -> Result<()> { Err(oom()) };
    assert_eq!(allocations(|| result().context("ignored")), 0);
    assert_eq!(
        allocations(|| result().with_context(|| "ignored".repeat(100))),
        0
    );
}

#[test]
fn boxed_errors_allocate_once() {
    setup();
    assert_eq!(allocations(|| Error::new(std::fmt::Error)), 1);
    assert_eq!(allocations(|| Error::from(std::fmt::Error)), 1);
    assert_eq!(allocations(|| Error::msg("message")), 1);
    assert_eq!(allocations(|| Error::msg(12u64)), 1);
    let boxed: Box<dyn StdError + Send + Sync> = Box::new(std::fmt::Error);
    assert_eq!(allocations(|| Error::from_boxed(boxed)), 1);
    let parse = || -> Result<i32> { Ok("x".parse::<i32>()?) };
    assert_eq!(allocations(parse), 1);

    let error = Error::new(std::fmt::Error);
    assert_eq!(allocations(|| error.context("ctx")), 1);
    let error = format_err!("static");
    assert_eq!(allocations(|| error.context("ctx")), 1);
    let result: std::result::Result<(), std::fmt::Error> = Err(std::fmt::Error);
    assert_eq!(
        allocations(|| result.context("ctx")),
        1,
        "context and error share one allocation"
    );
    let result: Result<()> = Err(Error::new(std::fmt::Error));
    assert_eq!(allocations(|| result.with_context(|| "ctx")), 1);
    assert_eq!(allocations(|| None::<()>.context("none")), 1);
    assert_eq!(allocations(|| Some(1).context("unused")), 0);

    // anyhow makes as many for these.
    assert_eq!(allocations(|| anyhow::Error::new(std::fmt::Error)), 1);
    assert_eq!(allocations(|| anyhow::Error::msg("message")), 1);
}

#[test]
fn formatted_messages_allocate_twice() {
    setup();
    let short = "short";
    let long = "y".repeat(300);
    // The `String` (exactly sized, whatever the length), then the error.
    assert_eq!(allocations(|| format_err!("value: {}", short)), 2);
    assert_eq!(allocations(|| format_err!("value: {short}")), 2);
    assert_eq!(allocations(|| format_err!("value: {}", long)), 2);
    assert_eq!(allocations(|| format_err!("{0}{0}{0}{0}", long)), 2);
    // Known at compile time: the error holds the `&'static str`.
    assert_eq!(allocations(|| format_err!("braces {{}}")), 1);
    let bails = || -> Result<()> {
        bail!("value: {}", long);
    };
    assert_eq!(allocations(bails), 2);

    let (a, b) = (1, 2);
    let ensures = || -> Result<()> {
        ensure!(a == b);
        Ok(())
    };
    let (error, count) = count_allocations(ensures);
    assert_eq!(count, 2);
    assert_eq!(
        error.unwrap_err().to_string(),
        "Condition failed: `a == b` (1 vs 2)"
    );
    let ensures = || -> Result<()> {
        ensure!(a == b, "{} is not {}", a, b);
        Ok(())
    };
    assert_eq!(allocations(ensures), 2);

    // anyhow also formats into a `String`, then boxes it; a long text grows
    // its `String` on the way.
    assert_eq!(allocations(|| anyhow::format_err!("value: {}", short)), 2);
    assert!(allocations(|| anyhow::format_err!("value: {}", long)) > 2);
}

#[test]
fn into_boxed_dyn_error_reuses_boxed_allocations() {
    setup();
    let error = Error::new(std::fmt::Error).context("ctx");
    assert_eq!(allocations(|| error.into_boxed_dyn_error()), 0);
    let error = Error::msg("message");
    assert_eq!(
        allocations(|| Box::<dyn StdError + Send + Sync>::from(error)),
        0
    );
    let n = 1;
    let error = format_err!("formatted {n}");
    assert_eq!(allocations(|| error.into_boxed_dyn_error()), 0);
    // Unboxed errors need one small box.
    let error = format_err!("static");
    assert_eq!(allocations(|| error.into_boxed_dyn_error()), 1);
    let error = Error::from(OutOfMemory::new(1));
    assert_eq!(allocations(|| error.into_boxed_dyn_error()), 1);
}

#[test]
fn reallocate_into_boxed_dyn_error_allocates_one_box_at_most() {
    setup();
    let reallocate = Error::reallocate_into_boxed_dyn_error_without_backtrace;
    let parse_error = || "x".parse::<u8>().unwrap_err();
    let error = Error::new(parse_error());
    assert_eq!(allocations(|| reallocate(error)), 1);
    let theirs = anyhow::Error::new(parse_error());
    assert_eq!(
        allocations(|| theirs.reallocate_into_boxed_dyn_error_without_backtrace()),
        1
    );
    // The error's own allocation is freed: only the new box is left.
    let base = live_bytes();
    let boxed = reallocate(Error::new(parse_error()));
    assert_eq!(
        live_bytes() - base,
        std::mem::size_of::<std::num::ParseIntError>() as isize
    );
    drop(boxed);

    // A zero-sized error needs no box, a taken-over box is handed back.
    let error = Error::new(std::fmt::Error);
    assert_eq!(allocations(|| reallocate(error)), 0);
    let error = Error::from_boxed(Box::new(std::fmt::Error));
    assert_eq!(allocations(|| reallocate(error)), 0);
    // Everything else needs one box: messages, layers, out of memory.
    let n = 1;
    let error = format_err!("formatted {n}");
    assert_eq!(allocations(|| reallocate(error)), 1);
    let error = format_err!("static");
    assert_eq!(allocations(|| reallocate(error)), 1);
    let error = Error::msg("message").context("ctx");
    assert_eq!(allocations(|| reallocate(error)), 1);
    let error = Error::from(OutOfMemory::new(1));
    assert_eq!(allocations(|| reallocate(error)), 1);
}

#[test]
fn downcasting_does_not_allocate_except_to_promote_a_static_message() {
    setup();
    let error = Error::new(layered()).context("ctx");
    assert_eq!(allocations(|| error.downcast::<Layered>().unwrap()), 0);
    let error = format_err!("static");
    assert_eq!(allocations(|| error.downcast::<&str>().unwrap()), 0);

    let mut error = Error::new(layered()).context("ctx");
    let (_, count) = count_allocations(|| {
        error.downcast_mut::<Layered>().unwrap().text = "changed";
        assert!(error.downcast_mut::<String>().is_none());
    });
    assert_eq!(count, 0);

    let mut error = format_err!("static").context(String::from("ctx"));
    let (_, count) = count_allocations(|| {
        assert!(error.downcast_mut::<u32>().is_none());
        assert!(error.downcast_mut::<String>().is_some());
    });
    assert_eq!(
        count, 0,
        "a static message is only moved for a `&str` target"
    );

    let mut error = format_err!("static");
    let (_, count) = count_allocations(|| *error.downcast_mut::<&str>().unwrap() = "changed");
    assert_eq!(count, 1, "moved to the heap once");
    let (_, count) = count_allocations(|| *error.downcast_mut::<&str>().unwrap() = "again");
    assert_eq!(count, 0);
    assert_eq!(error.to_string(), "again");
}
