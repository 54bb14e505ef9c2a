//! Every allocating public API of the crate, run under the OOM-injection
//! harness with no missed OOM allowed: each allocation is made to fail once,
//! and each failure must come back as an `OutOfMemory` error, with nothing
//! leaked and nothing allocated after it. Each test also asserts how many
//! allocations the API makes, and checks its output without allocating
//! (formatting goes into a fixed buffer).

use std::error::Error as StdError;
use std::fmt::{self, Write};
use std::num::ParseIntError;
use wasmtime_error::oom_test::{OomTest, OomTestAllocator};
use wasmtime_error::{Context, Error, OutOfMemory, Result, bail, ensure, format_err};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// Formatted text in a fixed buffer, so that checking output allocates
/// nothing. Text past the buffer (a long backtrace) is dropped.
struct Text {
    buffer: [u8; 2048],
    len: usize,
    truncated: bool,
}

impl Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut take = s.len().min(self.buffer.len() - self.len);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.buffer[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        self.truncated |= take < s.len();
        Ok(())
    }
}

impl Text {
    fn of(args: fmt::Arguments<'_>) -> Text {
        let mut text = Text {
            buffer: [0; 2048],
            len: 0,
            truncated: false,
        };
        text.write_fmt(args).expect("formatting into a buffer");
        text
    }

    /// The text, without the backtrace `{:?}` appends when the `backtrace`
    /// feature captured one.
    fn as_str(&self) -> &str {
        let text = std::str::from_utf8(&self.buffer[..self.len]).expect("UTF-8");
        match text.find("\n\nStack backtrace:") {
            Some(end) => &text[..end],
            None => {
                assert!(!self.truncated, "test text longer than its buffer");
                text
            }
        }
    }
}

macro_rules! text {
    ($($args:tt)*) => {
        Text::of(format_args!($($args)*))
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
    let summary = test.test(body).unwrap();
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
        let error = Error::from(OutOfMemory::new(3)).context("dropped");
        assert_eq!(
            text!("{error:#}").as_str(),
            "out of memory (failed to allocate 3 bytes)"
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
    check(1, || {
        let error = unless_oom(format_err!("value {value} out of range"))?;
        assert_eq!(text!("{error}").as_str(), "value 42 out of range");
        Ok(())
    });
    check(1, || {
        let error = unless_oom(format_err!("{}-{}", "a", value))?;
        assert_eq!(text!("{error:?}").as_str(), "a-42");
        Ok(())
    });
    // Longer than the stack buffer: measured, then written in place.
    let long = "x".repeat(300);
    check(1, || {
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
    check(1, || {
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
    check(1, || {
        with_message(1)?;
        let error = unless_oom(with_message(5).unwrap_err())?;
        assert_eq!(text!("{error}").as_str(), "5 is too many");
        Ok(())
    });
    check(1, || {
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
    check(2, || {
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
        let error = Err::<(), _>(error).context("ignored").unwrap_err();
        assert_eq!(
            text!("{error}").as_str(),
            "out of memory (failed to allocate 16 bytes)"
        );
        Ok(())
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

fn layer_text(depth: usize, position: usize) -> Text {
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
        check(depth as u64, || {
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
    check(3, || {
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
    // Static and formatted messages need a box; if it cannot be had, the
    // box holds an out-of-memory error, which itself tries to take eight
    // bytes (an allocation after the failure, that fails too unless memory
    // is back).
    for succeeds in [false, true] {
        let test = OomTest::new()
            .allow_alloc_after_oom(true)
            .alloc_succeeds_after_oom(succeeds);
        check_with(test.clone(), 1, || {
            let boxed: Box<dyn StdError + Send + Sync> = format_err!("static").into();
            if text!("{boxed}").as_str().starts_with("out of memory") {
                return Err(OutOfMemory::new(0).into());
            }
            assert_eq!(text!("{boxed:?}").as_str(), "static");
            Ok(())
        });
        check_with(test.clone(), 2, || {
            let error = unless_oom(format_err!("code {}", 1))?;
            let boxed: Box<dyn StdError + Send> = error.into();
            if text!("{boxed}").as_str().starts_with("out of memory") {
                return Err(OutOfMemory::new(0).into());
            }
            assert_eq!(text!("{boxed}").as_str(), "code 1");
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
