//! Every allocating public API of the crate, run under the OOM-injection
//! harness with no missed OOM allowed: each allocation is made to fail once,
//! and each failure must come back as an `OutOfMemory` error, with nothing
//! leaked and nothing allocated after it. Each test also asserts how many
//! allocations the API makes, and checks its output without allocating
//! (formatting goes into a fixed buffer).

#[path = "support/fixed_text.rs"]
mod fixed_text;
#[path = "support/locations.rs"]
mod locations;

use fixed_text::FixedText;
use std::error::Error as StdError;
use std::fmt::{self, Write};
use std::num::ParseIntError;
use wasmtime_error::oom_test::{OomTest, OomTestAllocator};
use wasmtime_error::{Context, Error, OutOfMemory, Result, bail, ensure, format_err};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// Formatted text in a fixed buffer, so that checking output allocates
/// nothing, without the lines the feature `location` adds to `{:?}` (see
/// tests/location_oom.rs for them).
macro_rules! text {
    ($($args:tt)*) => {
        FixedText::of(format_args!($($args)*)).without_locations()
    };
}

/// Passes an out-of-memory error back to the harness; any other error is
/// the value under test.
fn unless_oom(error: Error) -> Result<Error> {
    if error.is::<OutOfMemory>() {
        Err(error)
    } else {
        Ok(error)
    }
}

/// Runs `body` under the harness and checks it makes `allocations`
/// allocations, each of which was failed once.
fn check(allocations: u64, body: impl FnMut() -> Result<()>) {
    check_with(OomTest::new(), allocations, body)
}

fn check_with(test: OomTest, allocations: u64, body: impl FnMut() -> Result<()>) {
    let summary = test.check(body).unwrap();
    assert_eq!(summary.allocations, allocations, "allocations made");
    assert_eq!(
        summary.injected, allocations,
        "allocations failed once each"
    );
}

/// A `Box` made without aborting when memory runs out.
fn try_box<T>(value: T) -> Result<Box<T>, OutOfMemory> {
    let layout = std::alloc::Layout::new::<T>();
    assert!(layout.size() > 0);
    // SAFETY: the layout is not zero-sized.
    let block = unsafe { std::alloc::alloc(layout) }.cast::<T>();
    if block.is_null() {
        return Err(OutOfMemory::new(layout.size()));
    }
    // SAFETY: a fresh block from the global allocator with `T`'s layout,
    // which is what `Box<T>` frees with.
    unsafe {
        block.write(value);
        Ok(Box::from_raw(block))
    }
}

/// A `String` made without aborting when memory runs out.
fn try_string(text: &str) -> Result<String, OutOfMemory> {
    let mut string = String::new();
    string
        .try_reserve_exact(text.len())
        .map_err(|_| OutOfMemory::new(text.len()))?;
    string.push_str(text);
    Ok(string)
}

fn parse_error() -> ParseIntError {
    "x".parse::<u8>().unwrap_err()
}

const PARSE_MESSAGE: &str = "invalid digit found in string";

#[test]
fn error_new() {
    check(1, || {
        let error = unless_oom(Error::new(parse_error()))?;
        assert_eq!(text!("{error}").as_str(), PARSE_MESSAGE);
        assert!(error.is::<ParseIntError>());
        Ok(())
    });
}

#[test]
fn error_from_out_of_memory_allocates_nothing() {
    check(0, || {
        let error = Error::new(OutOfMemory::new(12));
        assert_eq!(
            error.downcast_ref::<OutOfMemory>(),
            Some(&OutOfMemory::new(12))
        );
        let error = Error::from(OutOfMemory::new(3)).context("kept");
        assert_eq!(
            text!("{error:#}").as_str(),
            "kept: out of memory (failed to allocate 3 bytes)"
        );
        Ok(())
    });
}

#[test]
fn question_mark_converts_with_one_allocation() {
    fn parse() -> Result<u8> {
        Ok("x".parse::<u8>()?)
    }
    check(1, || {
        let error = unless_oom(parse().unwrap_err())?;
        assert!(error.is::<ParseIntError>());
        Ok(())
    });
}

#[test]
fn error_msg() {
    check(1, || {
        let error = unless_oom(Error::msg("static text"))?;
        assert_eq!(text!("{error}").as_str(), "static text");
        assert_eq!(text!("{error:#?}").as_str(), "\"static text\"");
        Ok(())
    });
    // The message's own allocation, then the error's.
    check(2, || {
        let message = try_string("owned text")?;
        let error = unless_oom(Error::msg(message))?;
        assert_eq!(error.downcast::<String>().unwrap(), "owned text");
        Ok(())
    });
}

#[test]
fn error_from_boxed() {
    check(2, || {
        let boxed: Box<dyn StdError + Send + Sync> = try_box(parse_error())?;
        let error = unless_oom(Error::from_boxed(boxed))?;
        assert_eq!(text!("{error}").as_str(), PARSE_MESSAGE);
        assert!(error.is::<Box<dyn StdError + Send + Sync>>());
        Ok(())
    });
}

#[test]
fn format_err_literal_allocates_nothing() {
    check(0, || {
        let error = format_err!("plain literal");
        assert_eq!(error.downcast_ref::<&str>(), Some(&"plain literal"));
        let error = wasmtime_error::anyhow!("also plain");
        assert_eq!(text!("{error:?}").as_str(), "also plain");
        Ok(())
    });
}

#[test]
fn format_err_with_arguments() {
    let value = 42;
    // The text, then the error.
    check(2, || {
        let error = unless_oom(format_err!("value {value} out of range"))?;
        assert_eq!(text!("{error}").as_str(), "value 42 out of range");
        Ok(())
    });
    check(2, || {
        let error = unless_oom(format_err!("{}-{}", "a", value))?;
        assert_eq!(text!("{error:?}").as_str(), "a-42");
        Ok(())
    });
    // Longer than the stack buffer: measured, then written into a `String`
    // of that size.
    let long = "x".repeat(300);
    check(2, || {
        let error = unless_oom(format_err!("{long}!"))?;
        assert_eq!(text!("{error}").as_str().len(), 301);
        Ok(())
    });
}

#[test]
fn format_err_of_values() {
    check(1, || {
        let error = unless_oom(format_err!(parse_error()))?;
        assert!(error.is::<ParseIntError>());
        Ok(())
    });
    check(1, || {
        let seven = 7u32;
        let error = unless_oom(format_err!(seven))?;
        assert_eq!(text!("{error}").as_str(), "7");
        Ok(())
    });
    check(2, || {
        let boxed: Box<dyn StdError + Send + Sync> = try_box(parse_error())?;
        let error = unless_oom(format_err!(boxed))?;
        assert_eq!(text!("{error}").as_str(), PARSE_MESSAGE);
        Ok(())
    });
}

#[test]
fn bail() {
    fn literal() -> Result<()> {
        bail!("gave up")
    }
    fn formatted(tries: u32) -> Result<()> {
        bail!("gave up after {tries} tries")
    }
    check(0, || {
        let error = literal().unwrap_err();
        assert_eq!(text!("{error}").as_str(), "gave up");
        Ok(())
    });
    // The text, then the error.
    check(2, || {
        let error = unless_oom(formatted(3).unwrap_err())?;
        assert_eq!(text!("{error}").as_str(), "gave up after 3 tries");
        Ok(())
    });
}

#[test]
fn ensure() {
    fn plain(ok: bool) -> Result<()> {
        ensure!(ok);
        Ok(())
    }
    fn with_message(n: u32) -> Result<()> {
        ensure!(n < 2, "{n} is too many");
        Ok(())
    }
    fn comparison(a: u32, b: u32) -> Result<()> {
        ensure!(a == b);
        Ok(())
    }
    check(0, || {
        plain(true)?;
        let error = plain(false).unwrap_err();
        assert_eq!(text!("{error}").as_str(), "Condition failed: `ok`");
        Ok(())
    });
    check(2, || {
        with_message(1)?;
        let error = unless_oom(with_message(5).unwrap_err())?;
        assert_eq!(text!("{error}").as_str(), "5 is too many");
        Ok(())
    });
    check(2, || {
        comparison(2, 2)?;
        let error = unless_oom(comparison(1, 2).unwrap_err())?;
        assert_eq!(
            text!("{error}").as_str(),
            "Condition failed: `a == b` (1 vs 2)"
        );
        Ok(())
    });
}

#[test]
fn context_on_error_and_result() {
    check(2, || {
        let error = unless_oom(Error::msg("inner"))?;
        let error = unless_oom(error.context("outer"))?;
        assert_eq!(text!("{error:#}").as_str(), "outer: inner");
        Ok(())
    });
    // A standard error and its context share one allocation.
    check(1, || {
        let result: Result<u8, ParseIntError> = "x".parse();
        let error = unless_oom(result.context("reading x").unwrap_err())?;
        assert_eq!(
            text!("{error:#}").as_str(),
            "reading x: invalid digit found in string"
        );
        Ok(())
    });
    check(1, || {
        let result: Result<u8, ParseIntError> = "x".parse();
        let line = 4;
        let error = unless_oom(result.with_context(|| FormattedLine(line)).unwrap_err())?;
        assert_eq!(text!("{error}").as_str(), "line 4");
        Ok(())
    });
    // The text, the error, the layer.
    check(3, || {
        let result: Result<(), Error> = Err(unless_oom(format_err!("code {}", 7))?);
        let error = unless_oom(result.context("running").unwrap_err())?;
        assert_eq!(text!("{error:#}").as_str(), "running: code 7");
        Ok(())
    });
}

/// A context that formats without allocating.
#[derive(Debug)]
struct FormattedLine(u32);

impl fmt::Display for FormattedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.0)
    }
}

#[test]
fn context_on_option() {
    check(1, || {
        let missing: Option<u8> = None;
        let error = unless_oom(missing.context("no value").unwrap_err())?;
        assert_eq!(text!("{error}").as_str(), "no value");
        assert_eq!(Some(3).context("unused")?, 3);
        Ok(())
    });
    check(1, || {
        let missing: Option<u8> = None;
        let error = unless_oom(missing.with_context(|| FormattedLine(9)).unwrap_err())?;
        assert_eq!(text!("{error}").as_str(), "line 9");
        Ok(())
    });
}

#[test]
fn context_on_out_of_memory_allocates_nothing() {
    check(0, || {
        let oom: Result<(), OutOfMemory> = Err(OutOfMemory::new(16));
        let error = oom
            .with_context(|| -> &str { panic!("the closure must not run") })
            .unwrap_err();
        assert!(error.is::<OutOfMemory>());
        let error = Err::<(), _>(error).context("kept").unwrap_err();
        assert_eq!(
            text!("{error:#}").as_str(),
            "kept: (1 context layer dropped for lack of memory): \
             out of memory (failed to allocate 16 bytes)"
        );
        Ok(())
    });
}

/// Whichever allocation fails, the static layers added after it are kept
/// over the failure, without allocating, and the ones added before it are
/// gone with the error that held them.
#[test]
fn static_context_added_after_a_failure_is_kept() {
    check(3, || {
        let root = Error::msg("root");
        let kept = if root.is::<OutOfMemory>() {
            "top: middle: "
        } else {
            "top: "
        };
        let middle = root.context("middle");
        let kept = if middle.is::<OutOfMemory>() { kept } else { "" };
        let top = middle.context("top");
        let text = text!("{top:#}");
        if !top.is::<OutOfMemory>() {
            assert_eq!(text.as_str(), "top: middle: root");
            return Ok(());
        }
        let failure = text!("{}", top.root_cause());
        assert_eq!(
            text.as_str().strip_suffix(failure.as_str()),
            Some(kept),
            "the kept layers, then the failure"
        );
        Err(top)
    });
}

/// Builds a chain of `depth` layers over a formatted root, alternating the
/// ways of adding context.
fn chain(depth: usize) -> Result<Error> {
    let mut error = unless_oom(format_err!("layer {}", 0))?;
    for layer in 1..depth {
        error = unless_oom(match layer % 3 {
            0 => error.context(FormattedLine(layer as u32)),
            1 => Err::<(), _>(error)
                .with_context(|| FormattedLine(layer as u32))
                .unwrap_err(),
            _ => Err::<(), _>(error)
                .context(FormattedLine(layer as u32))
                .unwrap_err(),
        })?;
    }
    Ok(error)
}

fn layer_text(depth: usize, position: usize) -> FixedText {
    // Outermost first: position 0 is the last layer added.
    let layer = depth - 1 - position;
    if layer == 0 {
        text!("layer 0")
    } else {
        text!("line {layer}")
    }
}

#[test]
fn chains_one_to_eight_deep() {
    for depth in 1..=8 {
        // The root's text, then one allocation per layer.
        check(depth as u64 + 1, || {
            let error = chain(depth)?;
            assert_eq!(error.chain().len(), depth);
            for (position, layer) in error.chain().enumerate() {
                let expected = layer_text(depth, position);
                assert_eq!(text!("{layer}").as_str(), expected.as_str());
                // The `Debug` of a layer starts with its `Display`.
                assert!(text!("{layer:?}").as_str().contains(expected.as_str()));
            }
            for (position, layer) in error.chain().rev().enumerate() {
                let expected = layer_text(depth, depth - 1 - position);
                assert_eq!(text!("{layer}").as_str(), expected.as_str());
            }
            assert_eq!(text!("{}", error.root_cause()).as_str(), "layer 0");

            // `{:#}` joins every layer; `{:?}` lists the causes.
            let alternate = text!("{error:#}");
            let debug = text!("{error:?}");
            let mut causes = error.chain().skip(1);
            if depth == 1 {
                assert_eq!(alternate.as_str(), "layer 0");
                assert_eq!(debug.as_str(), "layer 0");
            } else {
                assert!(alternate.as_str().ends_with(": layer 0"));
                assert_eq!(alternate.as_str().matches(": ").count(), depth - 1);
                assert!(debug.as_str().contains("\n\nCaused by:\n"));
                assert!(causes.all(|cause| debug.as_str().contains(text!("{cause}").as_str())));
            }
            let pretty = text!("{error:#?}");
            assert!(!pretty.as_str().is_empty());
            Ok(())
        });
    }
}

#[test]
fn downcasts() {
    // By value: the rest of the chain is freed (the leak check sees it).
    check(4, || {
        let error = chain(3)?;
        // A miss gives the error back whole.
        let error = error.downcast::<u64>().unwrap_err();
        assert_eq!(error.chain().len(), 3);
        // The outermost match is moved out; the other layers are freed.
        assert_eq!(error.downcast::<FormattedLine>().unwrap().0, 2);
        Ok(())
    });
    check(2, || {
        let error = unless_oom(Error::msg(5u64))?.context(FormattedLine(1));
        let error = unless_oom(error)?;
        assert_eq!(error.downcast_ref::<FormattedLine>().unwrap().0, 1);
        assert_eq!(error.downcast_ref::<u64>(), Some(&5));
        assert_eq!(error.downcast::<u64>().unwrap(), 5);
        Ok(())
    });
    check(1, || {
        let mut error = unless_oom(Error::msg(1u8))?;
        *error.downcast_mut::<u8>().unwrap() += 1;
        assert_eq!(text!("{error}").as_str(), "2");
        Ok(())
    });
    // A static message is moved to the heap before it is handed out
    // mutably; if that fails, `downcast_mut` returns `None`.
    check(1, || {
        let mut error = format_err!("static");
        let Some(message) = error.downcast_mut::<&'static str>() else {
            return Err(OutOfMemory::new(0).into());
        };
        *message = "changed";
        assert_eq!(text!("{error}").as_str(), "changed");
        Ok(())
    });
    // `DerefMut` shows a static message without moving it: no allocation.
    check(0, || {
        let mut error = format_err!("static");
        let object: &mut (dyn StdError + Send + Sync) = &mut *error;
        assert_eq!(text!("{object}").as_str(), "static");
        assert_eq!(text!("{error}").as_str(), "static");
        Ok(())
    });
}

#[test]
fn into_boxed_dyn_error() {
    // A boxed error hands its allocation over.
    check(2, || {
        let error = unless_oom(Error::new(parse_error()).context("parsing"))?;
        let boxed = error.into_boxed_dyn_error();
        assert_eq!(text!("{boxed}").as_str(), "parsing");
        assert_eq!(text!("{}", boxed.source().unwrap()).as_str(), PARSE_MESSAGE);
        Ok(())
    });
    // A formatted message hands its allocation to the box as it is.
    let code = 1;
    check(2, || {
        let error = unless_oom(format_err!("code {code}"))?;
        let boxed: Box<dyn StdError + Send> = error.into();
        assert_eq!(text!("{boxed}").as_str(), "code 1");
        Ok(())
    });
    // Static messages need a box; if it cannot be had, the
    // box holds an out-of-memory error, which itself tries to take eight
    // bytes (an allocation after the failure, that fails too unless memory
    // is back).
    for succeeds in [false, true] {
        let test = OomTest::new()
            .allow_alloc_after_oom(true)
            .alloc_succeeds_after_oom(succeeds)
            .clone();
        check_with(test.clone(), 1, || {
            let boxed: Box<dyn StdError + Send + Sync> = format_err!("static").into();
            if text!("{boxed}").as_str().starts_with("out of memory") {
                return Err(OutOfMemory::new(0).into());
            }
            assert_eq!(text!("{boxed:?}").as_str(), "static");
            Ok(())
        });
        // An out-of-memory error gets a box of its own when there is room,
        // and a zero-sized stand-in with the same text when there is not.
        check_with(test, 1, || {
            let boxed: Box<dyn StdError> = Error::from(OutOfMemory::new(4)).into();
            assert_eq!(
                text!("{boxed}").as_str(),
                "out of memory (failed to allocate 4 bytes)"
            );
            if !boxed.is::<OutOfMemory>() {
                return Err(OutOfMemory::new(0).into());
            }
            Ok(())
        });
    }
}

#[test]
fn reallocate_into_boxed_dyn_error() {
    // The error, then its value's new box. When the box cannot be had, the
    // box holds the out-of-memory error for it, which itself tries to take
    // eight bytes: its own box while memory is back, a zero-sized stand-in
    // with the same text when it is not.
    for succeeds in [false, true] {
        let test = OomTest::new()
            .allow_alloc_after_oom(true)
            .alloc_succeeds_after_oom(succeeds)
            .clone();
        check_with(test, 2, || {
            let error = unless_oom(Error::new(parse_error()))?;
            let boxed = error.reallocate_into_boxed_dyn_error_without_backtrace();
            if text!("{boxed}").as_str().starts_with("out of memory") {
                assert_eq!(
                    text!("{boxed}").as_str(),
                    "out of memory (failed to allocate 1 bytes)"
                );
                assert_eq!(boxed.is::<OutOfMemory>(), succeeds);
                return Err(OutOfMemory::new(1).into());
            }
            assert_eq!(text!("{boxed}").as_str(), PARSE_MESSAGE);
            assert!(boxed.is::<ParseIntError>());
            Ok(())
        });
    }
    // A box taken over is handed back: nothing more to allocate.
    check(2, || {
        let inner: Box<dyn StdError + Send + Sync> = try_box(parse_error())?;
        let error = unless_oom(Error::from_boxed(inner))?;
        let boxed = error.reallocate_into_boxed_dyn_error_without_backtrace();
        assert!(boxed.is::<ParseIntError>());
        Ok(())
    });
}

/// Our side of the anyhow layer. Making an `anyhow::Error` allocates inside
/// anyhow, which aborts on failure, so that part runs without injection;
/// taking it over (`from_anyhow`, `to_wasmtime_result`) is fallible.
#[cfg(feature = "anyhow")]
#[test]
fn from_anyhow_and_to_wasmtime_result() {
    use wasmtime_error::ToWasmtimeResult;
    use wasmtime_error::oom_test::without_injection;

    check(1, || {
        let theirs = without_injection(|| anyhow::anyhow!("root").context("outer"));
        let error = unless_oom(Error::from_anyhow(theirs))?;
        assert!(error.is::<anyhow::Error>());
        assert_eq!(text!("{error:#}").as_str(), "outer: root");
        assert_eq!(error.downcast_ref::<&str>(), Some(&"outer"));
        Ok(())
    });
    check(2, || {
        let theirs: anyhow::Result<u8> = without_injection(|| Err(anyhow::anyhow!("theirs")));
        let error = unless_oom(theirs.to_wasmtime_result().unwrap_err())?;
        let error = unless_oom(error.context("ours"))?;
        assert_eq!(
            text!("{error:?}").as_str(),
            "ours\n\nCaused by:\n    theirs"
        );
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// The fallible allocation module, `wasmtime_error::alloc`: every growing
// method, with each of its allocations failed once. A failure must come back
// as `Err(OutOfMemory)` (which `?` turns into the harness's `Error`), and,
// where the method promises it, leave its collection as it was: `unchanged!`
// checks that on the error path before handing the error back. The
// collections hold `u32`s or `TryString`s, so that the clones that
// `extend_from_slice`, `resize` and `try_clone` make allocate too.
// ---------------------------------------------------------------------------

use std::collections::VecDeque;
use wasmtime_error::alloc::{
    Budget, Entry, StringExt, TryClone, TryCollect, TryExtend, TryHashMap, TryHashSet, TryString,
    TryToOwned, TryVec, VecDequeExt, VecExt, boxed,
};

/// Unwraps the result of a fallible call; on `Err(OutOfMemory)` asserts that
/// `$unchanged` holds (the collection reads as it did before the call) and
/// returns the error to the harness.
macro_rules! unchanged {
    ($call:expr, $unchanged:expr $(,)?) => {
        match $call {
            Ok(value) => value,
            Err(oom) => {
                let oom: OutOfMemory = oom;
                assert!(
                    $unchanged,
                    "a failed `{}` changed its collection",
                    stringify!($call)
                );
                return Err(oom.into());
            }
        }
    };
}

/// A `TryString` made outside the harness (not counted, not failed).
fn text(s: &str) -> TryString {
    TryString::try_from_str(s).expect("memory for test data")
}

#[test]
fn try_vec_push_grows_to_4_8_16() {
    // `u32` buffers start at 4 elements and double: pushes 1, 5 and 9 grow.
    check(3, || {
        let mut v = TryVec::new();
        for i in 0..9u32 {
            unchanged!(v.push(i), v.iter().copied().eq(0..i));
        }
        assert!(v.iter().copied().eq(0..9));
        assert_eq!(v.capacity(), 16);
        Ok(())
    });
}

#[test]
fn try_vec_insert() {
    check(2, || {
        let mut v = TryVec::new();
        for i in 0..5u32 {
            unchanged!(v.insert(0, i), v.iter().copied().eq((0..i).rev()));
        }
        unchanged!(v.insert(2, 9), v == [4, 3, 2, 1, 0]);
        assert_eq!(v, [4, 3, 9, 2, 1, 0]);
        Ok(())
    });
}

#[test]
fn try_vec_with_capacity_reserve_and_reserve_exact() {
    check(3, || {
        let mut v = TryVec::<u64>::with_capacity(2)?;
        assert_eq!(v.capacity(), 2);
        v.push(1)?;
        // Within capacity: no allocation.
        v.reserve(1)?;
        v.reserve_exact(1)?;
        // Amortised: at least double.
        unchanged!(v.reserve(2), v.capacity() == 2 && v == [1]);
        assert_eq!(v.capacity(), 4);
        unchanged!(v.reserve_exact(9), v.capacity() == 4 && v == [1]);
        assert_eq!(v.capacity(), 10);
        Ok(())
    });
    check(0, || {
        let v = TryVec::<u64>::with_capacity(0)?;
        assert_eq!(v.capacity(), 0);
        Ok(())
    });
}

#[test]
fn try_vec_extend_from_slice_clones_each_item() {
    let source = [text("b"), text("c")];
    // The vector's buffer, "a", then one clone per item (the reservation
    // fits in the buffer of 4).
    check(4, || {
        let mut v = TryVec::new();
        v.push(TryString::try_from_str("a")?)?;
        unchanged!(v.extend_from_slice(&source), v.len() == 1 && v[0] == "a");
        assert_eq!(v, ["a", "b", "c"]);
        Ok(())
    });
}

#[test]
fn try_vec_resize_clones_all_but_the_last() {
    // "x", the buffer, then two clones: the third element is `value` itself.
    check(4, || {
        let value = TryString::try_from_str("x")?;
        let mut v = TryVec::new();
        unchanged!(v.resize(3, value), v.is_empty());
        assert_eq!(v, ["x", "x", "x"]);
        // Shrinking drops the tail and allocates nothing.
        v.resize(1, TryString::new())?;
        assert_eq!(v, ["x"]);
        Ok(())
    });
}

#[test]
fn try_vec_shrink_to_fit_and_into_boxed_slice() {
    check(2, || {
        let mut v = TryVec::<u32>::with_capacity(8)?;
        v.extend_from_slice(&[1, 2, 3])?;
        unchanged!(v.shrink_to_fit(), v.capacity() == 8 && v == [1, 2, 3]);
        assert_eq!(v.capacity(), 3);
        // Already tight: nothing to do.
        v.shrink_to_fit()?;
        Ok(())
    });
    // Shrinking an empty buffer frees it: no allocation.
    check(1, || {
        let mut v = TryVec::<u32>::with_capacity(8)?;
        v.shrink_to_fit()?;
        assert_eq!(v.capacity(), 0);
        Ok(())
    });
    // The buffer, then the shrink that makes it a box.
    check(2, || {
        let mut v = TryVec::<u32>::with_capacity(4)?;
        v.extend_from_slice(&[5, 6])?;
        let boxed: Box<[u32]> = v.into_boxed_slice()?;
        assert_eq!(*boxed, [5, 6]);
        Ok(())
    });
    // Full already: the box takes the buffer over.
    check(1, || {
        let mut v = TryVec::<u32>::with_capacity(2)?;
        v.extend_from_slice(&[5, 6])?;
        assert_eq!(*v.into_boxed_slice()?, [5, 6]);
        Ok(())
    });
}

#[test]
fn try_vec_try_clone() {
    // The original (a buffer and two strings), then the same for the clone.
    check(6, || {
        let mut v = TryVec::with_capacity(2)?;
        v.push(TryString::try_from_str("ab")?)?;
        v.push(TryString::try_from_str("cd")?)?;
        let clone = unchanged!(v.try_clone(), v == ["ab", "cd"]);
        assert_eq!(clone, v);
        assert_eq!(clone.capacity(), 2);
        Ok(())
    });
}

#[test]
fn try_vec_collect_and_extend() {
    // An exact size hint: one reservation.
    check(1, || {
        let v: TryVec<u32> = (0..10).try_collect()?;
        assert!(v.iter().copied().eq(0..10));
        assert_eq!(v.capacity(), 10);
        Ok(())
    });
    // No lower bound: pushes grow the buffer to 4, then 8.
    check(2, || {
        let v: TryVec<u32> = (0..10).filter(|n| n % 2 == 0).try_collect()?;
        assert_eq!(v, [0, 2, 4, 6, 8]);
        Ok(())
    });
    // The buffer of 4, then one amortised reservation for five more (8).
    check(2, || {
        let mut v = TryVec::new();
        v.push(1u32)?;
        unchanged!(v.try_extend(2..=6), v == [1]);
        assert_eq!(v, [1, 2, 3, 4, 5, 6]);
        assert_eq!(v.capacity(), 8);
        Ok(())
    });
    // A failure after some items went in takes them out again.
    check(3, || {
        let mut v = TryVec::new();
        v.push(1u32)?;
        unchanged!(v.try_extend((2..20).filter(|n| n % 2 == 1)), v == [1]);
        assert_eq!(v.len(), 10);
        Ok(())
    });
}

#[test]
fn try_string_push_and_push_str() {
    // Byte buffers start at 8: the ninth byte grows the string to 16.
    check(2, || {
        let mut s = TryString::new();
        for (i, c) in "abcdefgé".chars().enumerate() {
            unchanged!(s.push(c), s.chars().eq("abcdefgé".chars().take(i)));
        }
        assert_eq!(s, "abcdefgé");
        assert_eq!(s.capacity(), 16);
        Ok(())
    });
    check(2, || {
        let mut s = TryString::new();
        unchanged!(s.push_str("hello"), s.is_empty());
        unchanged!(s.push_str(", world"), s == "hello");
        s.push_str("")?;
        assert_eq!(s, "hello, world");
        Ok(())
    });
}

#[test]
fn try_string_reserve_with_capacity_and_try_from_str() {
    check(3, || {
        let mut s = TryString::with_capacity(4)?;
        assert_eq!(s.capacity(), 4);
        s.push_str("ab")?;
        unchanged!(s.reserve(3), s.capacity() == 4 && s == "ab");
        assert_eq!(s.capacity(), 8);
        unchanged!(s.reserve(40), s.capacity() == 8 && s == "ab");
        assert_eq!(s.capacity(), 42);
        Ok(())
    });
    check(1, || {
        let s = TryString::try_from_str("copied")?;
        assert_eq!(s, "copied");
        assert_eq!(s.capacity(), 6);
        Ok(())
    });
    check(0, || {
        assert!(TryString::try_from_str("")?.is_empty());
        assert_eq!(TryString::with_capacity(0)?.capacity(), 0);
        Ok(())
    });
}

#[test]
fn try_string_fmt_write() {
    // "abcdef" takes a buffer of 8; "/" fits; the last piece needs 17.
    check(2, || {
        let (head, tail) = ("abcdef", "ghijklmnop");
        let mut s = TryString::new();
        if write!(s, "{head}/{tail}").is_err() {
            // `write!` writes piece by piece: a failure keeps the pieces
            // written before it, and only those.
            assert!("abcdef/ghijklmnop".starts_with(s.as_str()));
            assert!(s.len() < 17);
            return Err(OutOfMemory::new(0).into());
        }
        assert_eq!(s, "abcdef/ghijklmnop");
        Ok(())
    });
}

#[test]
fn try_string_try_clone_collect_and_extend() {
    check(2, || {
        let s = TryString::try_from_str("original")?;
        let clone = unchanged!(s.try_clone(), s == "original");
        assert_eq!(clone, "original");
        Ok(())
    });
    check(1, || {
        let s: TryString = "abc".chars().try_collect()?;
        assert_eq!(s, "abc");
        Ok(())
    });
    check(2, || {
        let s: TryString = ["ab", "cdefgh", "ij"].into_iter().try_collect()?;
        assert_eq!(s, "abcdefghij");
        Ok(())
    });
    // "x" exactly, then 8 for "xyy", then 16 for the nine z's; the chars
    // fit.
    check(3, || {
        let mut s = TryString::try_from_str("x")?;
        unchanged!(s.try_extend(["yy", "zzzzzzzzz"]), s == "x");
        unchanged!(s.try_extend("!?".chars()), s == "xyyzzzzzzzzz");
        assert_eq!(s, "xyyzzzzzzzzz!?");
        Ok(())
    });
}

#[test]
fn try_hash_map_insert_and_reserve() {
    // hashbrown tables have 4, 8, 16, 32 ... buckets and hold 3, 7, 14, 28
    // entries (7/8 of the buckets from 8 on): the 1st, 4th and 8th inserts
    // each allocate a new table.
    check(3, || {
        let mut map = TryHashMap::new();
        for i in 0..10u32 {
            let old = unchanged!(
                map.insert(i, i * i),
                map.len() == i as usize && !map.contains_key(&i)
            );
            assert_eq!(old, None);
        }
        // Replacing a value with room to spare allocates nothing.
        assert_eq!(map.insert(3, 0)?, Some(9));
        assert_eq!(map.len(), 10);
        assert_eq!(map.capacity(), 14);
        Ok(())
    });
    check(2, || {
        let mut map = TryHashMap::<u32, u32>::with_capacity(5)?;
        assert_eq!(map.capacity(), 7);
        map.insert(1, 1)?;
        map.reserve(6)?;
        unchanged!(map.reserve(20), map.capacity() == 7 && map.len() == 1);
        // 21 entries need 21 * 8 / 7 = 24 buckets, rounded up to 32.
        assert_eq!(map.capacity(), 28);
        assert_eq!(map.get(&1), Some(&1));
        Ok(())
    });
}

#[test]
fn try_hash_map_entry_api() {
    // Four distinct words: tables for 3, then for 7.
    let words = ["a", "b", "a", "c", "d", "a"];
    check(2, || {
        let mut counts = TryHashMap::new();
        for word in &words {
            let before = counts.len();
            let count = unchanged!(
                counts.entry(*word).or_try_insert(0u32),
                counts.len() == before && !counts.contains_key(word)
            );
            *count += 1;
        }
        assert_eq!(counts.get("a"), Some(&3));
        assert_eq!(counts.len(), 4);
        Ok(())
    });
    // `or_try_insert_with` calls its closure only when there is room.
    check(2, || {
        let mut made = 0;
        let mut map = TryHashMap::new();
        for key in 0..4u32 {
            let value = unchanged!(
                map.entry(key).or_try_insert_with(|| {
                    made += 1;
                    key * 10
                }),
                made == key && map.len() == key as usize
            );
            assert_eq!(*value, key * 10);
        }
        // An occupied entry neither allocates nor calls the closure.
        map.entry(0).or_try_insert_with(|| unreachable!())?;
        assert_eq!(made, 4);
        Ok(())
    });
    // `or_try_default` with values that allocate themselves: the table,
    // then each vector's buffer.
    check(3, || {
        let mut lists: TryHashMap<&str, TryVec<u32>> = TryHashMap::new();
        for (at, key) in ["x", "y", "x"].into_iter().enumerate() {
            let before = lists.len();
            let list = unchanged!(
                lists.entry(key).or_try_default(),
                lists.len() == before && !lists.contains_key(key)
            );
            list.push(at as u32)?;
        }
        assert_eq!(lists.get("x").map(|l| l.as_slice()), Some(&[0, 2][..]));
        Ok(())
    });
    // `VacantEntry::try_insert`.
    check(1, || {
        let mut map = TryHashMap::new();
        match map.entry(7u8) {
            Entry::Vacant(entry) => {
                assert_eq!(*entry.key(), 7);
                entry.try_insert('s')?;
            }
            Entry::Occupied(_) => panic!("the map is empty"),
        }
        match map.entry(7u8) {
            Entry::Occupied(entry) => assert_eq!(*entry.get(), 's'),
            Entry::Vacant(_) => panic!("7 was inserted"),
        }
        Ok(())
    });
}

#[test]
fn try_hash_map_try_clone() {
    // The original: its table and three keys. The clone: the same.
    check(8, || {
        let mut map = TryHashMap::new();
        for (key, value) in [("one", 1u32), ("two", 2), ("three", 3)] {
            map.insert(TryString::try_from_str(key)?, value)?;
        }
        let clone = unchanged!(map.try_clone(), map.len() == 3);
        assert_eq!(clone, map);
        assert_eq!(map.get("two"), Some(&2));
        Ok(())
    });
}

#[test]
fn try_hash_map_collect_and_extend() {
    // An exact size hint: one table, for 10 (16 buckets).
    check(1, || {
        let map: TryHashMap<u32, u32> = (0..10).map(|i| (i, i * i)).try_collect()?;
        assert_eq!(map.len(), 10);
        assert_eq!(map.get(&9), Some(&81));
        assert_eq!(map.capacity(), 14);
        Ok(())
    });
    // A table for 3, then one reservation for 2 + 5 entries (8 buckets).
    check(2, || {
        let mut map = TryHashMap::new();
        map.insert(0u32, 'a')?;
        map.insert(1, 'b')?;
        unchanged!(
            map.try_extend((2..7).zip('c'..)),
            map.len() == 2 && !map.contains_key(&2)
        );
        assert_eq!(map.len(), 7);
        assert_eq!(map.get(&6), Some(&'g'));
        Ok(())
    });
}

#[test]
fn try_hash_set_insert_reserve_clone_collect_and_extend() {
    check(3, || {
        let mut set = TryHashSet::new();
        for i in 0..10u32 {
            let new = unchanged!(set.insert(i), set.len() == i as usize && !set.contains(&i));
            assert!(new);
        }
        assert!(!set.insert(4)?);
        assert_eq!(set.capacity(), 14);
        Ok(())
    });
    check(2, || {
        let mut set = TryHashSet::<u32>::with_capacity(3)?;
        set.insert(1)?;
        unchanged!(set.reserve(10), set.capacity() == 3 && set.len() == 1);
        assert_eq!(set.capacity(), 14);
        Ok(())
    });
    // Original: table and two strings; clone: the same.
    check(6, || {
        let mut set = TryHashSet::new();
        set.insert(TryString::try_from_str("left")?)?;
        set.insert(TryString::try_from_str("right")?)?;
        let clone = unchanged!(set.try_clone(), set.len() == 2);
        assert_eq!(clone, set);
        assert!(clone.contains("right"));
        Ok(())
    });
    check(1, || {
        let set: TryHashSet<u32> = (0..5).try_collect()?;
        assert_eq!(set.len(), 5);
        Ok(())
    });
    check(2, || {
        let mut set: TryHashSet<u32> = TryHashSet::new();
        set.insert(100)?;
        unchanged!(set.try_extend(0..5), set.len() == 1);
        assert_eq!(set.len(), 6);
        Ok(())
    });
}

#[test]
fn vec_ext() {
    check(4, || {
        let mut v = Vec::<u32>::try_with_capacity_oom(2)?;
        assert_eq!(v.capacity(), 2);
        v.try_push(1)?;
        v.try_push(2)?;
        // Full: the buffer doubles to 4, as `Vec` would grow it.
        unchanged!(v.try_push(3), v == [1, 2] && v.capacity() == 2);
        assert_eq!(v.capacity(), 4);
        v.try_insert(0, 0)?;
        unchanged!(v.try_insert(2, 9), v == [0, 1, 2, 3]);
        assert_eq!(v, [0, 1, 9, 2, 3]);
        assert_eq!(v.capacity(), 8);
        v.try_reserve_oom(3)?;
        unchanged!(v.try_reserve_exact_oom(10), v.capacity() == 8);
        assert_eq!(v.capacity(), 15);
        Ok(())
    });
    let source = [String::from("b"), String::from("c")];
    // The buffer, "a", then a clone of each item.
    check(4, || {
        let mut v = Vec::<String>::try_with_capacity_oom(3)?;
        v.try_push("a".try_to_owned()?.into())?;
        unchanged!(v.try_extend_from_slice(&source), v == ["a"]);
        assert_eq!(v, ["a", "b", "c"]);
        Ok(())
    });
    // "x", the buffer (4), then clones for all but the last element.
    check(4, || {
        let value: String = "x".try_to_owned()?.into();
        let mut v: Vec<String> = Vec::new();
        unchanged!(v.try_resize(3, value), v.is_empty());
        assert_eq!(v, ["x", "x", "x"]);
        v.try_resize(1, String::new())?;
        assert_eq!(v, ["x"]);
        Ok(())
    });
    // `Vec`'s `TryFromIterator` (exactly 3, the range's hint) and
    // `TryExtend` (no hint from `filter`: 6, then 12).
    check(3, || {
        let mut v: Vec<u32> = (0..3).try_collect()?;
        assert_eq!(v.capacity(), 3);
        unchanged!(v.try_extend((3..20).filter(|n| n % 4 == 0)), v == [0, 1, 2]);
        assert_eq!(v, [0, 1, 2, 4, 8, 12, 16]);
        Ok(())
    });
}

#[test]
fn string_ext() {
    check(3, || {
        let mut s = String::try_with_capacity_oom(2)?;
        assert_eq!(s.capacity(), 2);
        s.try_push('a')?;
        s.try_push('b')?;
        unchanged!(s.try_push('c'), s == "ab" && s.capacity() == 2);
        assert_eq!(s.capacity(), 8);
        unchanged!(s.try_push_str("defghijk"), s == "abc");
        assert_eq!(s, "abcdefghijk");
        assert_eq!(s.capacity(), 16);
        s.try_reserve_oom(5)?;
        Ok(())
    });
    check(1, || {
        let mut s = String::new();
        unchanged!(s.try_reserve_oom(3), s.capacity() == 0);
        assert_eq!(s.capacity(), 8);
        Ok(())
    });
    check(2, || {
        let mut s: String = ["ab", "cd"].into_iter().try_collect()?;
        unchanged!(s.try_extend("efghijk".chars()), s == "abcd");
        assert_eq!(s, "abcdefghijk");
        Ok(())
    });
}

#[test]
fn vec_deque_ext() {
    // 4, then 8, then 16 (amortised, from the front or the back).
    check(3, || {
        let mut queue = VecDeque::new();
        for i in 0..5u32 {
            unchanged!(queue.try_push_back(i), queue.iter().copied().eq(0..i));
        }
        unchanged!(queue.try_push_front(99), queue.len() == 5);
        assert_eq!(queue.front(), Some(&99));
        assert_eq!(queue.back(), Some(&4));
        unchanged!(queue.try_reserve_oom(5), queue.capacity() == 8);
        assert!(queue.capacity() >= 11);
        Ok(())
    });
}

#[test]
fn boxed_helpers() {
    check(1, || {
        let boxed = boxed::try_new_box([7u64; 4])?;
        assert_eq!(*boxed, [7; 4]);
        Ok(())
    });
    check(1, || {
        let boxed = boxed::try_new_boxed_slice(1..=3u16)?;
        assert_eq!(*boxed, [1, 2, 3]);
        Ok(())
    });
    check(1, || {
        let boxed = boxed::try_new_boxed_str("boxed")?;
        assert_eq!(&*boxed, "boxed");
        Ok(())
    });
    // Empty and zero-sized: no allocation.
    check(0, || {
        assert!(boxed::try_new_boxed_str("")?.is_empty());
        assert!(boxed::try_new_boxed_slice(std::iter::empty::<u8>())?.is_empty());
        assert_eq!(*boxed::try_new_box(())?, ());
        assert_eq!(boxed::try_new_boxed_slice([(), (), ()])?.len(), 3);
        let unit: Box<[()]> = [(), ()].into_iter().try_collect()?;
        assert_eq!(unit.len(), 2);
        Ok(())
    });
    // `Box<[T]>` collected with an inexact hint: 4, 8, then shrunk to 5.
    check(3, || {
        let boxed: Box<[u32]> = (0..10).filter(|n| n % 2 == 1).try_collect()?;
        assert_eq!(*boxed, [1, 3, 5, 7, 9]);
        Ok(())
    });
    // `TryClone` for boxes: the originals (three boxes and a string), then
    // the same again for the clones.
    check(8, || {
        let one = boxed::try_new_box(TryString::try_from_str("s")?)?;
        let many = boxed::try_new_boxed_slice([1u8, 2])?;
        let text = boxed::try_new_boxed_str("str")?;
        assert_eq!(*unchanged!(one.try_clone(), *one == "s"), "s");
        let copy = many.try_clone()?;
        assert_eq!(copy, many);
        assert_eq!(&*text.try_clone()?, "str");
        Ok(())
    });
}

#[test]
fn try_clone_of_std_values_and_try_to_owned() {
    check(1, || {
        let owned: TryString = "owned".try_to_owned()?;
        assert_eq!(owned, "owned");
        assert_eq!(owned.capacity(), 5);
        Ok(())
    });
    let words = [String::from("p"), String::from("q")];
    // The vector, then one string per item.
    check(3, || {
        let owned: TryVec<String> = words.try_to_owned()?;
        assert_eq!(owned, words);
        Ok(())
    });
    // `Option`, `Result` and tuples clone what they hold: two strings.
    check(4, || {
        let pair = (Some("a".try_to_owned()?), Ok::<_, u8>("b".try_to_owned()?));
        let clone = pair.try_clone()?;
        assert_eq!(clone, pair);
        Ok(())
    });
}

#[test]
fn try_collect_of_results() {
    // All `Ok`: one buffer of exactly 3 (the array's hint).
    check(1, || {
        let items: [Result<u32>; 3] = [Ok(1), Ok(2), Ok(3)];
        let v: Vec<u32> = items.into_iter().try_collect()?;
        assert_eq!(v, [1, 2, 3]);
        assert_eq!(v.capacity(), 3);
        Ok(())
    });
    // The first `Err` stops the collection and is returned; what was
    // collected so far (one buffer) is freed.
    check(1, || {
        let items = [Ok(1u32), Err(format_err!("bad item")), Ok(3)];
        let result: Result<TryVec<u32>> = items.into_iter().try_collect();
        let error = unless_oom(result.unwrap_err())?;
        assert_eq!(text!("{error}").as_str(), "bad item");
        Ok(())
    });
    // An exact hint: one buffer, which the box takes without shrinking.
    check(1, || {
        let items: [Result<u32>; 3] = [Ok(1), Ok(2), Ok(3)];
        let boxed: Box<[u32]> = items.into_iter().try_collect()?;
        assert_eq!(*boxed, [1, 2, 3]);
        Ok(())
    });
    // The results' own error type, here `OutOfMemory` itself.
    check(1, || {
        let items = (0..5u16).map(Ok::<u16, OutOfMemory>);
        let v: TryVec<u16> = items.try_collect()?;
        assert!(v.iter().copied().eq(0..5));
        Ok(())
    });
    // An `Err` stops the collection: the strings collected before it and
    // the buffer are freed, the later items are not taken.
    check(3, || {
        let mut taken = 0;
        let items = ["a", "b", "", "c"].into_iter().map(|s| {
            taken += 1;
            ensure!(!s.is_empty(), "empty word");
            Ok(TryString::try_from_str(s)?)
        });
        let result: Result<TryVec<TryString>> = items.try_collect();
        let error = unless_oom(result.unwrap_err())?;
        assert_eq!(text!("{error}").as_str(), "empty word");
        assert_eq!(taken, 3);
        Ok(())
    });
    check(0, || {
        let none: Result<Box<[u8]>> = std::iter::empty().try_collect();
        assert!(none?.is_empty());
        Ok(())
    });
}

#[test]
fn budget_with_a_try_vec() {
    check(3, || {
        let budget = Budget::new(1024);
        let mut v = TryVec::new_in(&budget);
        for i in 0..9u64 {
            // A refused growth is refunded: the budget still holds only the
            // buffer the vector has.
            unchanged!(
                v.push(i),
                v.len() == i as usize && budget.used() == v.capacity() * 8
            );
        }
        assert_eq!(budget.used(), 16 * 8);
        assert_eq!(budget.peak(), 16 * 8);
        // Over the budget: refused by the budget itself, no allocation made.
        let used = budget.used();
        let refused = v.reserve(1000).unwrap_err();
        assert_eq!(refused, OutOfMemory::new(1009 * 8));
        assert_eq!((budget.used(), v.capacity()), (used, 16));
        drop(v);
        assert_eq!(budget.used(), 0);
        Ok(())
    });
}

#[test]
fn budget_with_a_try_hash_map() {
    // Tables of 4, 8 and 16 buckets, as in `try_hash_map_insert_and_reserve`.
    check(3, || {
        let budget = Budget::new(4096);
        let mut map = TryHashMap::new_in(&budget);
        for i in 0..10u32 {
            let used = budget.used();
            unchanged!(
                map.insert(i, u64::from(i)),
                map.len() == i as usize && budget.used() == used
            );
        }
        assert_eq!(map.get(&9), Some(&9));
        let used = budget.used();
        assert!(used > 0);
        assert!(map.reserve(1000).is_err());
        assert_eq!(budget.used(), used);
        drop(map);
        assert_eq!(budget.used(), 0);
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// Wasmtime's TryVec and TryString methods (issue 11): the growing ones
// under the harness, with their exact allocation counts.
// ---------------------------------------------------------------------------

use std::num::NonZeroUsize;

#[test]
fn try_vec_resize_with_reserves_before_calling_back() {
    // Growth to 5 (more than the minimum of 4), then amortised to 10.
    check(2, || {
        let mut v = TryVec::new();
        let mut calls = 0u32;
        unchanged!(
            v.resize_with(5, || {
                calls += 1;
                calls
            }),
            v.is_empty() && calls == 0
        );
        assert_eq!((v.capacity(), calls), (5, 5));
        unchanged!(v.resize_with(6, || 6), v == [1, 2, 3, 4, 5]);
        assert_eq!(v, [1, 2, 3, 4, 5, 6]);
        assert_eq!(v.capacity(), 10);
        // Shrinking calls nothing back and allocates nothing.
        v.resize_with(2, || unreachable!())?;
        assert_eq!(v, [1, 2]);
        Ok(())
    });
}

#[test]
fn try_vec_from_elem_clones_all_but_the_last() {
    // "x", the buffer of exactly 3, then two clones.
    check(4, || {
        let v = TryVec::from_elem(TryString::try_from_str("x")?, NonZeroUsize::new(3).unwrap())?;
        assert_eq!(v, ["x", "x", "x"]);
        assert_eq!(v.capacity(), 3);
        Ok(())
    });
}

#[test]
fn try_vec_shrink_to() {
    check(2, || {
        let mut v = TryVec::<u32>::with_capacity(8)?;
        v.extend_from_slice(&[1, 2, 3])?;
        unchanged!(v.shrink_to(5), v.capacity() == 8 && v == [1, 2, 3]);
        assert_eq!(v.capacity(), 5);
        // Not below the length, and never up.
        v.shrink_to(9)?;
        assert_eq!(v.capacity(), 5);
        Ok(())
    });
}

#[test]
fn try_vec_methods_that_never_allocate() {
    // Only the buffer: draining, retaining, deduplicating, indexing and the
    // raw-parts round trip reuse it.
    check(1, || {
        let mut v = TryVec::<u32>::with_capacity(8)?;
        v.extend_from_slice(&[1, 1, 2, 3, 3, 4, 5, 6])?;
        v.dedup();
        assert_eq!(v, [1, 2, 3, 4, 5, 6]);
        v.dedup_by_key(|n| *n / 2);
        assert_eq!(v, [1, 2, 4, 6]);
        v.retain_mut(|n| {
            *n += 1;
            *n != 3
        });
        assert_eq!(v, [2, 5, 7]);
        assert!(v.drain(..2).eq([2, 5]));
        v[0] += 1;
        assert_eq!(v[..], [8]);
        let (ptr, len, capacity) = v.into_raw_parts();
        // SAFETY: the parts come straight from `into_raw_parts`.
        let v = unsafe { TryVec::from_raw_parts(ptr, len, capacity) };
        assert_eq!((v.len(), v.capacity()), (1, 8));
        Ok(())
    });
}

#[test]
fn try_string_try_from_and_try_from_str_in() {
    check(1, || {
        let s = TryString::try_from("exact")?;
        assert_eq!((s.as_str(), s.capacity()), ("exact", 5));
        Ok(())
    });
    // The budget refuses without allocating; within it, one allocation.
    check(1, || {
        let budget = Budget::new(8);
        assert!(TryString::try_from_str_in("nine byte", &budget).is_err());
        let s = TryString::try_from_str_in("8 bytes!", &budget)?;
        assert_eq!((s.as_str(), budget.used()), ("8 bytes!", 8));
        Ok(())
    });
}

#[test]
fn try_string_reserve_exact_shrink_to_fit_and_into_boxed_str() {
    check(3, || {
        let mut s = TryString::try_from_str("ab")?;
        unchanged!(s.reserve_exact(5), s.capacity() == 2 && s == "ab");
        assert_eq!(s.capacity(), 7);
        unchanged!(s.shrink_to_fit(), s.capacity() == 7 && s == "ab");
        assert_eq!(s.capacity(), 2);
        Ok(())
    });
    // The string, then the shrink that makes it a box.
    check(2, || {
        let mut s = TryString::with_capacity(8)?;
        s.push_str("boxed")?;
        let boxed: Box<str> = s.into_boxed_str()?;
        assert_eq!(&*boxed, "boxed");
        Ok(())
    });
    // Full already: the box takes the buffer over.
    check(1, || {
        let boxed = TryString::try_from_str("full")?.into_boxed_str()?;
        assert_eq!(&*boxed, "full");
        Ok(())
    });
}

#[test]
fn try_string_insert_insert_str_and_retain() {
    // "ac" (2 bytes), then amortised growth to 8 and to 16.
    check(3, || {
        let mut s = TryString::try_from_str("ac")?;
        unchanged!(s.insert(1, 'b'), s == "ac");
        assert_eq!(s, "abc");
        unchanged!(s.insert_str(0, "é, "), s == "abc");
        unchanged!(s.insert_str(5, "..."), s == "é, abc");
        assert_eq!(s, "é, a...bc");
        assert_eq!(s.capacity(), 16);
        s.retain(|c| c != '.' && c != ' ');
        assert_eq!(s, "é,abc");
        let (ptr, len, capacity) = s.into_raw_parts();
        // SAFETY: the parts come straight from `into_raw_parts`.
        let s = unsafe { TryString::from_raw_parts(ptr, len, capacity) };
        assert_eq!((s.as_str(), s.capacity()), ("é,abc", 16));
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// Boxed slices from iterators, under Wasmtime's names.
// ---------------------------------------------------------------------------

mod boxed_slices {
    use super::{check, text};
    use wasmtime_error::OutOfMemory;
    use wasmtime_error::alloc::{
        BoxedSliceFromFallibleIterError, TryClone, TryString, boxed_slice_write_iter,
        new_boxed_slice_from_fallible_iter, new_boxed_slice_from_iter,
        new_boxed_slice_from_iter_with_len, new_uninit_boxed_slice,
    };

    #[test]
    fn uninit_then_write_makes_one_allocation() {
        check(1, || {
            let slots = new_uninit_boxed_slice::<u32>(3)?;
            let filled = boxed_slice_write_iter(slots, [4, 5, 6]).expect("three items");
            assert_eq!(*filled, [4, 5, 6]);
            Ok(())
        });
        check(0, || {
            assert!(new_uninit_boxed_slice::<u32>(0)?.is_empty());
            assert_eq!(new_uninit_boxed_slice::<()>(usize::MAX)?.len(), usize::MAX);
            Ok(())
        });
    }

    #[test]
    fn with_len_makes_one_allocation() {
        check(1, || {
            let boxed =
                new_boxed_slice_from_iter_with_len(3, 10u16..).map_err(|e| e.unwrap_oom())?;
            assert_eq!(*boxed, [10, 11, 12]);
            Ok(())
        });
    }

    #[test]
    fn from_iter_follows_the_size_hint() {
        // An exact hint: one allocation.
        check(1, || {
            let boxed = new_boxed_slice_from_iter((1..=4u8).map(|n| n * 2))?;
            assert_eq!(*boxed, [2, 4, 6, 8]);
            Ok(())
        });
        // A filter's upper bound (10), then the shrink to the five kept.
        check(2, || {
            let boxed = new_boxed_slice_from_iter((0..10u32).filter(|n| n % 2 == 1))?;
            assert_eq!(*boxed, [1, 3, 5, 7, 9]);
            Ok(())
        });
        // No upper bound and a lower bound of 0: grown to 4 and 8, then
        // shrunk to 5.
        check(3, || {
            let mut next = 0u32;
            let counter = std::iter::from_fn(|| {
                next += 1;
                (next <= 5).then_some(next)
            });
            let boxed = new_boxed_slice_from_iter(counter)?;
            assert_eq!(*boxed, [1, 2, 3, 4, 5]);
            Ok(())
        });
        check(0, || {
            assert!(new_boxed_slice_from_iter(std::iter::empty::<u64>())?.is_empty());
            assert_eq!(new_boxed_slice_from_iter([(), ()])?.len(), 2);
            Ok(())
        });
    }

    #[test]
    fn from_fallible_iter_reports_oom_from_either_side() {
        check(1, || {
            let items = ["7", "8"].into_iter().map(str::parse::<u8>);
            let boxed = new_boxed_slice_from_fallible_iter(items).map_err(|error| match error {
                BoxedSliceFromFallibleIterError::Oom(oom) => oom,
                BoxedSliceFromFallibleIterError::IterError(parse) => panic!("{parse}"),
            })?;
            assert_eq!(*boxed, [7, 8]);
            Ok(())
        });
        // An `Err` item: the buffer is freed, nothing else is allocated.
        check(1, || {
            let items = [Ok(1u64), Err("bad"), Ok(3)];
            match new_boxed_slice_from_fallible_iter(items) {
                Err(BoxedSliceFromFallibleIterError::IterError("bad")) => Ok(()),
                Err(BoxedSliceFromFallibleIterError::Oom(oom)) => Err(oom.into()),
                other => panic!("unexpected {other:?}"),
            }
        });
        // Items that allocate: the slice, then one string per item; a
        // failed clone drops the strings made before it.
        let source = [text("a"), text("b")];
        check(3, || {
            let clones = source.iter().map(TryClone::try_clone);
            let boxed: Box<[TryString]> = new_boxed_slice_from_fallible_iter(clones)
                .map_err(BoxedSliceFromFallibleIterError::flatten)?;
            assert_eq!(*boxed, ["a", "b"]);
            Ok(())
        });
        let flattened = BoxedSliceFromFallibleIterError::IterError(OutOfMemory::new(3)).flatten();
        assert_eq!(flattened, OutOfMemory::new(3));
    }
}

// ---------------------------------------------------------------------------
// Hash maps and sets: the constructors with a capacity in an allocator or
// with a hasher make one allocation; `extract_if` and `drain` make none.
// ---------------------------------------------------------------------------

mod hash_constructors {
    use super::check;
    use std::hash::RandomState;
    use wasmtime_error::alloc::{DefaultHashBuilder, Global, TryHashMap, TryHashSet};
    use wasmtime_error::oom_test::without_injection;

    #[test]
    fn map_constructors_with_capacity() {
        // 5 entries need 8 buckets, which hold 7.
        check(1, || {
            let map = TryHashMap::<u32, u32, _, _>::with_capacity_in(5, Global)?;
            assert_eq!(map.capacity(), 7);
            Ok(())
        });
        check(1, || {
            let mut map = TryHashMap::with_capacity_and_hasher(5, RandomState::new())?;
            assert_eq!(map.capacity(), 7);
            for i in 0..7u32 {
                map.insert(i, i)?;
            }
            Ok(())
        });
        check(1, || {
            let hasher = DefaultHashBuilder::default();
            let map = TryHashMap::<u64, u64, _, _>::with_capacity_and_hasher_in(3, hasher, Global)?;
            assert_eq!(map.capacity(), 3);
            Ok(())
        });
        check(0, || {
            let map = TryHashMap::<u8, u8, _, _>::with_capacity_in(0, Global)?;
            assert_eq!(map.capacity(), 0);
            Ok(())
        });
    }

    #[test]
    fn set_constructors_with_capacity() {
        check(1, || {
            let set = TryHashSet::<u64, _, _>::with_capacity_in(14, Global)?;
            assert_eq!(set.capacity(), 14);
            Ok(())
        });
        check(1, || {
            let mut set = TryHashSet::with_capacity_and_hasher(3, RandomState::new())?;
            for i in 0..3u64 {
                set.insert(i)?;
            }
            assert_eq!(set.capacity(), 3);
            Ok(())
        });
        check(1, || {
            let hasher = DefaultHashBuilder::default();
            let set = TryHashSet::<u64, _, _>::with_capacity_and_hasher_in(1, hasher, Global)?;
            assert_eq!(set.capacity(), 3);
            Ok(())
        });
    }

    #[test]
    fn extract_if_and_drain_allocate_nothing() {
        check(0, || {
            let (mut map, mut set) = without_injection(|| {
                let mut map = TryHashMap::new();
                let mut set = TryHashSet::new();
                for i in 0..6u32 {
                    map.insert(i, i * i).expect("memory for test data");
                    set.insert(i).expect("memory for test data");
                }
                (map, set)
            });
            let mut extracted = [0u32; 6];
            for (key, value) in map.extract_if(|key, _| key % 3 == 0) {
                extracted[key as usize] = value;
            }
            assert_eq!(extracted, [0, 0, 0, 9, 0, 0]);
            assert_eq!(map.len(), 4);
            let mut taken = 0;
            for value in set.extract_if(|value| *value >= 4) {
                taken += value;
            }
            assert_eq!((taken, set.len()), (9, 4));
            assert_eq!(set.drain().sum::<u32>(), 6);
            assert!(set.is_empty());
            without_injection(|| drop((map, set)));
            Ok(())
        });
    }
}

// ---------------------------------------------------------------------------
// What Wasmtime's alloc module names: `try_vec!`, `TryNew`, `TryCow`,
// `TryToOwned`, `try_collect` of results and `TryClone` of tuples and
// `ManuallyDrop`.
// ---------------------------------------------------------------------------

use std::mem::ManuallyDrop;
use wasmtime_error::alloc::{TryCow, TryNew, try_new};
use wasmtime_error::try_vec;

/// A type whose alignment is larger than any allocator's minimum.
#[repr(align(256))]
#[derive(Debug, PartialEq)]
struct OverAligned(u8);

#[test]
fn try_vec_macro() {
    // One allocation of exactly the number of elements.
    check(1, || {
        let v: TryVec<u32> = try_vec![1, 2, 3]?;
        assert_eq!((v.as_slice(), v.capacity()), (&[1, 2, 3][..], 3));
        Ok(())
    });
    // The element, the buffer of 3, then two clones (the element itself
    // fills the last slot).
    check(4, || {
        let v = try_vec![TryString::try_from_str("ab")?; 3]?;
        assert_eq!((v.len(), v.capacity()), (3, 3));
        assert!(v.iter().all(|s| s == "ab"));
        Ok(())
    });
    // `n == 0` drops the element; no elements or zero-sized ones allocate
    // nothing.
    check(1, || {
        let v = try_vec![TryString::try_from_str("dropped")?; 0]?;
        assert!(v.is_empty());
        Ok(())
    });
    check(0, || {
        let v: TryVec<u8> = try_vec![]?;
        assert_eq!(v.capacity(), 0);
        let units = try_vec![(); 1000]?;
        assert_eq!(units.len(), 1000);
        let units = try_vec![(), ()]?;
        assert_eq!(units.len(), 2);
        Ok(())
    });
    check(1, || {
        let v = try_vec![OverAligned(1), OverAligned(2)]?;
        assert_eq!(v.as_ptr() as usize % 256, 0);
        assert_eq!(v, [OverAligned(1), OverAligned(2)]);
        Ok(())
    });
}

#[test]
fn try_new_box() {
    check(1, || {
        let boxed: Box<TryString> = try_new(TryString::new())?;
        assert_eq!(*boxed, "");
        Ok(())
    });
    // The value (one string) is dropped when the box cannot be made.
    check(2, || {
        let boxed = <Box<_> as TryNew>::try_new(TryString::try_from_str("in a box")?)?;
        assert_eq!(*boxed, "in a box");
        Ok(())
    });
    check(1, || {
        let boxed = try_new::<Box<OverAligned>>(OverAligned(7))?;
        assert_eq!(&*boxed as *const OverAligned as usize % 256, 0);
        assert_eq!(boxed.0, 7);
        Ok(())
    });
    check(0, || {
        let unit = try_new::<Box<()>>(())?;
        assert_eq!(*unit, ());
        Ok(())
    });
}

/// `Arc` and `Rc` are fallible only through the unstable `Arc::try_new`;
/// with a stable compiler a failed allocation aborts, so the harness
/// cannot run them (`tests/alloc.rs` checks them without injection).
#[cfg(arc_try_new)]
#[test]
fn try_new_arc_and_rc() {
    use std::rc::Rc;
    use std::sync::Arc;
    check(2, || {
        let shared = try_new::<Arc<u64>>(5)?;
        let local = try_new::<Rc<OverAligned>>(OverAligned(6))?;
        assert_eq!((*shared, local.0), (5, 6));
        assert_eq!(&*local as *const OverAligned as usize % 256, 0);
        Ok(())
    });
}

#[test]
fn try_cow_copies_on_write() {
    // `to_mut` copies the borrowed text (exactly its length), then
    // `push_str` grows the copy (to 8); a failed copy leaves it borrowed.
    check(2, || {
        let mut cow = TryCow::from("abc");
        let owned = unchanged!(cow.to_mut(), matches!(cow, TryCow::Borrowed("abc")));
        assert_eq!(owned.capacity(), 3);
        unchanged!(owned.push_str("de"), owned == "abc");
        assert!(matches!(cow, TryCow::Owned(_)));
        assert_eq!(&*cow, "abcde");
        // Owned already: no copy.
        cow.to_mut()?.push('f')?;
        assert_eq!(cow.into_owned()?, "abcdef");
        Ok(())
    });
    // A slice: the buffer, then one clone per element.
    let words = [text("x"), text("y")];
    check(3, || {
        let cow = TryCow::from(&words[..]);
        let owned: TryVec<TryString> = cow.into_owned()?;
        assert_eq!(owned, ["x", "y"]);
        Ok(())
    });
    // Cloning a borrowed cow allocates nothing; an owned one is copied.
    check(2, || {
        let borrowed = TryCow::from("text");
        assert!(matches!(borrowed.try_clone()?, TryCow::Borrowed("text")));
        let owned: TryCow<'_, str> = TryCow::Owned(TryString::try_from_str("text")?);
        let copy = owned.try_clone()?;
        assert!(matches!(copy, TryCow::Owned(_)));
        assert_eq!(copy, borrowed);
        Ok(())
    });
    // A `TryClone` value is its own owned form: the string, then its copy.
    check(2, || {
        let number: TryCow<'_, u64> = TryCow::from(&7);
        assert_eq!(number.into_owned()?, 7);
        let pair = (TryString::try_from_str("p")?, 1u8);
        let owned = TryCow::from(&pair).into_owned()?;
        assert_eq!(owned, pair);
        Ok(())
    });
}

#[test]
fn try_clone_of_tuples_and_manually_drop() {
    // Twelve elements, two of which allocate: the two strings, then their
    // clones.
    check(4, || {
        let five = TryString::try_from_str("five")?;
        let twelve = TryString::try_from_str("12")?;
        let tuple = (
            1u8, 2u16, 3u32, 4u64, five, 6i8, 7i16, 8i32, 9i64, 'x', true, twelve,
        );
        let clone = tuple.try_clone()?;
        assert_eq!(clone, tuple);
        Ok(())
    });
    check(2, || {
        // The clone is a `ManuallyDrop` too: both are taken out to be
        // dropped, also when the clone failed.
        let kept = ManuallyDrop::new(TryString::try_from_str("kept")?);
        let copy = kept.try_clone();
        drop(ManuallyDrop::into_inner(kept));
        let copy = ManuallyDrop::into_inner(copy?);
        assert_eq!(copy, "kept");
        Ok(())
    });
}

// The everyday idioms (issue 12): formatted context, `?` on the
// allocation-failure errors of std and of the allocation libraries, and
// `try_format!`.

mod idioms {
    use super::*;
    use std::cell::Cell;
    use std::collections::TryReserveError;
    use std::path::Path;
    use wasmtime_error::{format_context, try_format};

    std::thread_local! {
        static DISPLAYED: Cell<usize> = const { Cell::new(0) };
    }

    /// Counts how many times it is formatted.
    struct Counted;

    impl fmt::Display for Counted {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            DISPLAYED.with(|n| n.set(n.get() + 1));
            f.write_str("counted")
        }
    }

    fn displayed() -> usize {
        DISPLAYED.with(Cell::get)
    }

    /// The allocations `body` makes when none fails.
    fn count(body: impl FnMut() -> Result<()>) -> u64 {
        OomTest::new().check(body).unwrap().allocations
    }

    #[test]
    fn formatted_context_with_a_borrowed_argument() {
        // The text and the layer: two allocations, each failed once.
        check(2, || {
            let path = Path::new("/etc/hosts");
            let result: Result<u8, ParseIntError> = "x".parse();
            let error = result
                .with_context(|| format_context!("reading {}", path.display()))
                .unwrap_err();
            let error = unless_oom(error)?;
            assert_eq!(
                text!("{error:#}").as_str(),
                "reading /etc/hosts: invalid digit found in string"
            );
            assert!(error.is::<ParseIntError>());
            let context = error.downcast_ref::<String>().unwrap();
            assert_eq!(context.capacity(), context.len());
            Ok(())
        });
    }

    #[test]
    fn formatted_context_longer_than_the_stack_buffer_is_one_exact_allocation() {
        let long = "x".repeat(1000);
        check(2, || {
            let result: Result<u8, ParseIntError> = "x".parse();
            let error = result
                .with_context(|| format_context!("{long}{}", 1))
                .unwrap_err();
            let error = unless_oom(error)?;
            let context = error.downcast_ref::<String>().unwrap();
            assert_eq!((context.len(), context.capacity()), (1001, 1001));
            Ok(())
        });
    }

    #[test]
    fn formatted_context_exhaustive_injection_over_an_error() {
        // `Error::msg`, the text, the layer.
        check(3, || {
            let line = 12;
            let result: Result<()> = Err(Error::msg("unexpected token"));
            let error = unless_oom(
                result
                    .with_context(|| format_context!("line {line}"))
                    .unwrap_err(),
            )?;
            assert_eq!(text!("{error:#}").as_str(), "line 12: unexpected token");
            Ok(())
        });
    }

    #[test]
    fn formatted_context_that_runs_out_of_memory_is_that_oom() {
        // Only the first allocation, the text's, is failed: the result is
        // its OOM, with the size of the text, and the harness sees nothing
        // allocated after it (no layer).
        let summary = OomTest::new()
            .max_iters(1)
            .check(|| {
                let result: Result<u8, ParseIntError> = "x".parse();
                let error = result
                    .with_context(|| format_context!("{}{}", "twelve bytes", ""))
                    .unwrap_err();
                if let Some(oom) = error.downcast_ref::<OutOfMemory>() {
                    assert!(!error.is::<ParseIntError>());
                    assert_eq!(oom.requested_allocation_size(), 12);
                    return Err(error);
                }
                Ok(())
            })
            .unwrap();
        assert_eq!((summary.allocations, summary.injected), (2, 1));
    }

    #[test]
    fn formatted_context_on_the_ok_path_allocates_and_formats_nothing() {
        let before = displayed();
        check(0, || {
            let ok: Result<u8, ParseIntError> = Ok(1);
            assert_eq!(ok.with_context(|| format_context!("{}", Counted))?, 1);
            let some = Some(2);
            assert_eq!(some.with_context(|| format_context!("{}", Counted))?, 2);
            Ok(())
        });
        assert_eq!(displayed(), before);
    }

    #[test]
    fn formatted_context_on_out_of_memory_formats_and_allocates_nothing() {
        let before = displayed();
        check(0, || {
            let oom: Result<(), OutOfMemory> = Err(OutOfMemory::new(24));
            let error = oom
                .with_context(|| format_context!("{}", Counted))
                .unwrap_err();
            assert_eq!(
                error.downcast_ref::<OutOfMemory>(),
                Some(&OutOfMemory::new(24))
            );
            let oom: Result<(), Error> = Err(OutOfMemory::new(24).into());
            let error = oom
                .with_context(|| format_context!("{}", Counted))
                .unwrap_err();
            assert!(error.is::<OutOfMemory>());
            Ok(())
        });
        assert_eq!(displayed(), before);
    }

    #[test]
    fn formatted_context_on_none() {
        check(2, || {
            let missing: Option<u8> = None;
            let name = "port";
            let error = unless_oom(
                missing
                    .with_context(|| format_context!("no {name}"))
                    .unwrap_err(),
            )?;
            assert_eq!(text!("{error}").as_str(), "no port");
            assert_eq!(error.downcast_ref::<String>().unwrap(), "no port");
            Ok(())
        });
    }

    #[test]
    fn formatted_context_on_error_context() {
        check(3, || {
            let error = unless_oom(Error::msg("inner"))?;
            let depth = 2;
            let error = unless_oom(error.context(format_context!("depth {depth}")))?;
            assert_eq!(text!("{error:#}").as_str(), "depth 2: inner");
            Ok(())
        });
    }

    #[test]
    fn with_context_of_a_format_err_that_ran_out_of_memory_is_that_oom() {
        let code = 7;
        let format_err_alone = count(|| {
            unless_oom(format_err!("code {code}"))?;
            Ok(())
        });
        // Whichever allocation fails, the harness sees an OOM and nothing
        // allocated after it: a `format_err!` that ran out of memory is not
        // wrapped in a layer.
        check(format_err_alone + 1, || {
            let result: Result<u8, ParseIntError> = "x".parse();
            let error = unless_oom(
                result
                    .with_context(|| format_err!("code {code}"))
                    .unwrap_err(),
            )?;
            assert_eq!(
                text!("{error:#}").as_str(),
                "code 7: invalid digit found in string"
            );
            Ok(())
        });
    }

    /// Runs `reserve` under the harness: its one allocation fails once, and
    /// `?` must make that an `OutOfMemory` of `size` bytes (when given)
    /// without allocating again.
    fn reserve_fails_into_oom<E>(size: Option<usize>, mut reserve: impl FnMut() -> Result<(), E>)
    where
        E: StdError + Send + Sync + 'static,
    {
        check(1, || {
            if let Err(error) = reserve() {
                let error = Error::from(error);
                let oom = error.downcast_ref::<OutOfMemory>().expect("an OutOfMemory");
                if let Some(size) = size {
                    assert_eq!(oom.requested_allocation_size(), size);
                }
                return Err(error);
            }
            Ok(())
        });
    }

    #[test]
    fn question_mark_on_std_try_reserve_errors_gives_out_of_memory() {
        reserve_fails_into_oom(Some(10), || Vec::<u8>::new().try_reserve_exact(10));
        reserve_fails_into_oom(Some(12), || String::new().try_reserve_exact(12));
        reserve_fails_into_oom(Some(20), || VecDeque::<u32>::new().try_reserve_exact(5));
        reserve_fails_into_oom(None, || {
            std::collections::HashMap::<u32, u32>::new().try_reserve(3)
        });
    }

    #[test]
    fn question_mark_on_hashbrown_and_allocator_api2_errors_gives_out_of_memory() {
        reserve_fails_into_oom(None, || {
            hashbrown::HashMap::<u32, u32>::new().try_reserve(3)
        });
        reserve_fails_into_oom(Some(0), || {
            use allocator_api2::alloc::{Allocator, Global};
            let layout = std::alloc::Layout::new::<u64>();
            let block = Global.allocate(layout)?;
            // SAFETY: allocated just above with this layout.
            unsafe { Global.deallocate(block.cast(), layout) };
            Ok::<(), allocator_api2::alloc::AllocError>(())
        });
    }

    #[test]
    fn capacity_overflow_is_an_out_of_memory_of_isize_max_without_allocating() {
        check(0, || {
            let overflow: TryReserveError = Vec::<u64>::new().try_reserve(usize::MAX).unwrap_err();
            let error = Error::from(overflow.clone());
            assert_eq!(
                error.downcast_ref::<OutOfMemory>(),
                Some(&OutOfMemory::new(isize::MAX as usize))
            );
            // Context is not added to it, and the closure does not run.
            let error = Err::<(), _>(overflow)
                .with_context(|| -> &str { panic!("not called") })
                .unwrap_err();
            assert!(error.is::<OutOfMemory>());
            let overflow = hashbrown::HashMap::<u8, u8>::new()
                .try_reserve(usize::MAX)
                .unwrap_err();
            assert_eq!(
                OutOfMemory::from(overflow).requested_allocation_size(),
                isize::MAX as usize
            );
            Ok(())
        });
    }

    #[test]
    fn try_format_is_one_exact_allocation() {
        check(1, || {
            let (table, index) = ("funcs", 3);
            let text = try_format!("{table}[{index}]")?;
            assert_eq!(text, "funcs[3]");
            assert_eq!(text.capacity(), text.len());
            Ok(())
        });
        let long = "y".repeat(300);
        check(1, || {
            let text = try_format!("<{long}>")?;
            assert_eq!((text.len(), text.capacity()), (302, 302));
            Ok(())
        });
        check(1, || {
            assert_eq!(try_format!("plain")?, "plain");
            Ok(())
        });
        check(0, || {
            assert_eq!(try_format!("{}", "")?, "");
            Ok(())
        });
    }

    #[test]
    fn try_format_reports_the_refused_size() {
        let summary = OomTest::new()
            .check(|| {
                let text = try_format!("{}", Counted).inspect_err(|oom| {
                    assert_eq!(oom.requested_allocation_size(), "counted".len());
                })?;
                assert_eq!(text, "counted");
                Ok(())
            })
            .unwrap();
        assert_eq!(summary.injected, 1);
    }

    #[test]
    fn try_format_formats_a_short_text_once_and_a_long_one_twice() {
        let before = displayed();
        let short = try_format!("{}", Counted).unwrap();
        assert_eq!((short.as_str(), displayed() - before), ("counted", 1));
        let before = displayed();
        let long = try_format!("{LONG}{}", Counted).unwrap();
        assert_eq!((long.len(), displayed() - before), (LONG.len() + 7, 2));
    }

    /// Writes one more byte each time it is formatted.
    struct Growing(Cell<usize>);

    impl fmt::Display for Growing {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let n = self.0.get() + 1;
            self.0.set(n);
            for _ in 0..n {
                f.write_char('z')?;
            }
            f.write_str(LONG)
        }
    }

    const LONG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\
                        0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\
                        0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\
                        0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn try_format_of_a_display_that_lies_grows_fallibly_and_cuts_nothing() {
        // Measured at 257 bytes, written at 258: the string grows once more.
        check(2, || {
            let growing = Growing(Cell::new(0));
            let text = try_format!("{growing}")?;
            assert_eq!(text.len(), 2 + LONG.len());
            Ok(())
        });
    }

    /// A `Display` that fails on its own.
    struct Failing;

    impl fmt::Display for Failing {
        fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
            Err(fmt::Error)
        }
    }

    #[test]
    #[should_panic = "a formatting trait implementation returned an error"]
    fn try_format_of_a_failing_display_panics_as_format_does() {
        let _ = try_format!("{Failing}");
    }

    #[test]
    fn write_into_a_try_string_returns_the_out_of_memory() {
        check(2, || {
            let mut text = TryString::new();
            write!(text, "{}", 12345)?;
            write!(text, "{}", LONG)?;
            assert_eq!(text.len(), 5 + LONG.len());
            Ok(())
        });
        // The first piece fits the budget; the second, refused, is not cut.
        let budget = Budget::new(8);
        let mut text = TryString::new_in(&budget);
        let (first, second) = (String::from("abcdef"), String::from("ghi"));
        let oom = write!(text, "{first}{second}").unwrap_err();
        assert!(oom.requested_allocation_size() >= 9);
        assert_eq!(text, "abcdef");
    }

    /// Writes a piece, one too long for the budget, then one more, ignoring
    /// the error of the second.
    struct WritesOnAfterAnError;

    impl fmt::Display for WritesOnAfterAnError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("ab")?;
            let _ = f.write_str("0123456789");
            f.write_str("z")
        }
    }

    #[test]
    fn write_into_a_try_string_stops_at_the_first_refused_growth() {
        let budget = Budget::new(8);
        let mut text = TryString::new_in(&budget);
        let oom = write!(text, "{WritesOnAfterAnError}").unwrap_err();
        assert!(oom.requested_allocation_size() >= 12);
        // "z" would fit in the 8 bytes held, but follows the refused piece.
        assert_eq!(text, "ab");
    }
}
