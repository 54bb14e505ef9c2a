//! `{}`, `{:#}`, `{:?}` and `{:#?}` are byte-identical to anyhow's: a
//! proptest builds the same random chain in both crates and compares the
//! strings, and fixed cases pin down the corners. With the feature
//! `location`, `{:?}` is compared after dropping the location lines it adds
//! (tests/location.rs checks those).

#[path = "support/locations.rs"]
mod locations;
#[path = "support/proptest_config.rs"]
mod proptest_config;

use locations::without_locations;
use proptest::prelude::*;
use std::error::Error as StdError;
use std::fmt;

/// A standard error with a `source()` chain of its own.
#[derive(Debug, Clone)]
struct Layered {
    text: String,
    source: Option<Box<Layered>>,
}

impl Layered {
    fn chain(texts: &[String]) -> Layered {
        let mut layers = texts.iter().rev();
        let mut error = Layered {
            text: layers.next().expect("at least one layer").clone(),
            source: None,
        };
        for text in layers {
            error = Layered {
                text: text.clone(),
                source: Some(Box::new(error)),
            };
        }
        error
    }
}

impl fmt::Display for Layered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl StdError for Layered {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// How the innermost error is made.
#[derive(Debug, Clone)]
enum Root {
    /// `Error::new` of a standard error with sources.
    New(Vec<String>),
    /// `format_err!(std_error)` / `anyhow!(std_error)`.
    Macro(Vec<String>),
    /// `Error::from_boxed` of a boxed standard error with sources.
    Boxed(Vec<String>),
    /// `Error::msg(String)`.
    Msg(String),
    /// `format_err!("literal")`, one of a few fixed literals.
    Literal(usize),
    /// `format_err!` with arguments; `long` repeats the text past the stack buffer.
    Formatted {
        text: String,
        number: i64,
        long: bool,
    },
    /// `Err(std_error).context(..)` / `.with_context(..)`.
    ResultContext {
        error: Vec<String>,
        context: String,
        lazy: bool,
    },
    /// `None.context(..)` / `.with_context(..)`.
    OptionContext { context: String, lazy: bool },
}

/// A context layer added on top.
#[derive(Debug, Clone)]
enum Layer {
    /// `Error::context` with a `String`.
    Context(String),
    /// `Result<T, Error>::context` with a `Box<str>`.
    ResultContext(String),
    /// `Result<T, Error>::with_context`.
    WithContext(String),
}

/// Short random text with newlines, quotes, escapes, unicode and braces.
fn text() -> impl Strategy<Value = String> {
    let chars = vec![
        'a', 'b', 'z', ' ', ' ', '\n', '\t', 'é', 'ü', '💥', '中', ':', '"', '\'', '\\', '{', '}',
        '\u{301}', '\u{7f}', '0',
    ];
    prop::collection::vec(prop::sample::select(chars), 0..16)
        .prop_map(|chars| chars.into_iter().collect())
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(text(), 1..4)
}

fn root() -> impl Strategy<Value = Root> {
    prop_oneof![
        texts().prop_map(Root::New),
        texts().prop_map(Root::Macro),
        texts().prop_map(Root::Boxed),
        text().prop_map(Root::Msg),
        (0..LITERALS).prop_map(Root::Literal),
        (text(), any::<i64>(), any::<bool>()).prop_map(|(text, number, long)| Root::Formatted {
            text,
            number,
            long
        }),
        (texts(), text(), any::<bool>()).prop_map(|(error, context, lazy)| Root::ResultContext {
            error,
            context,
            lazy
        }),
        (text(), any::<bool>()).prop_map(|(context, lazy)| Root::OptionContext { context, lazy }),
    ]
}

fn layer() -> impl Strategy<Value = Layer> {
    prop_oneof![
        text().prop_map(Layer::Context),
        text().prop_map(Layer::ResultContext),
        text().prop_map(Layer::WithContext),
    ]
}

/// A root and up to 7 layers: 1 to 8 layers of `Error` in all (a root's own
/// sources come on top of that).
fn plan() -> impl Strategy<Value = (Root, Vec<Layer>)> {
    (root(), prop::collection::vec(layer(), 0..8))
}

const LITERALS: usize = 4;

/// `format_err!` needs literal tokens, so the same literals are spelled out
/// for each crate.
macro_rules! literal {
    ($krate:ident, $index:expr) => {
        match $index {
            0 => $krate::format_err!("a static message"),
            1 => $krate::format_err!("two\nlines"),
            2 => $krate::format_err!("ünïcødé 💥"),
            _ => $krate::format_err!(""),
        }
    };
}

/// Builds the plan with `$krate`; both crates have the same API.
macro_rules! build {
    ($krate:ident, $plan:expr) => {{
        use $krate::Context as _;
        let (root, layers): &(Root, Vec<Layer>) = $plan;
        let mut error: $krate::Error = match root.clone() {
            Root::New(texts) => $krate::Error::new(Layered::chain(&texts)),
            Root::Macro(texts) => $krate::format_err!(Layered::chain(&texts)),
            Root::Boxed(texts) => $krate::Error::from_boxed(Box::new(Layered::chain(&texts))),
            Root::Msg(text) => $krate::Error::msg(text),
            Root::Literal(index) => literal!($krate, index),
            Root::Formatted { text, number, long } => {
                if long {
                    $krate::format_err!("{0}|{1}|{0:?}|{0:>100}|{1:#x}{0}{0}", text, number)
                } else {
                    $krate::format_err!("{}: {} {text:?}", text, number)
                }
            }
            Root::ResultContext {
                error,
                context,
                lazy,
            } => {
                let result: Result<(), Layered> = Err(Layered::chain(&error));
                if lazy {
                    result.with_context(|| context).unwrap_err()
                } else {
                    result.context(context).unwrap_err()
                }
            }
            Root::OptionContext { context, lazy } => {
                if lazy {
                    None::<()>.with_context(|| context).unwrap_err()
                } else {
                    None::<()>.context(context).unwrap_err()
                }
            }
        };
        for layer in layers.clone() {
            error = match layer {
                Layer::Context(text) => error.context(text),
                Layer::ResultContext(text) => Err::<(), _>(error)
                    .context(text.into_boxed_str())
                    .unwrap_err(),
                Layer::WithContext(text) => Err::<(), _>(error).with_context(|| text).unwrap_err(),
            };
        }
        error
    }};
}

/// `{:?}` output without the backtrace either crate may append.
fn cut_backtrace(text: String) -> String {
    match text.find("\n\nStack backtrace:") {
        Some(end) => text[..end].to_owned(),
        None => text,
    }
}

/// The four renderings of an error.
fn renderings<E: fmt::Display + fmt::Debug>(error: &E) -> [String; 4] {
    [
        format!("{error}"),
        format!("{error:#}"),
        without_locations(&cut_backtrace(format!("{error:?}"))),
        format!("{error:#?}"),
    ]
}

fn assert_same(ours: &wasmtime_error::Error, theirs: &anyhow::Error) {
    let [a, b, c, d] = renderings(ours);
    let [e, f, g, h] = renderings(theirs);
    assert_eq!(a, e, "{{}} differs");
    assert_eq!(b, f, "{{:#}} differs");
    assert_eq!(c, g, "{{:?}} differs");
    assert_eq!(d, h, "{{:#?}} differs");
    let ours_chain: Vec<String> = ours.chain().map(|e| e.to_string()).collect();
    let theirs_chain: Vec<String> = theirs.chain().map(|e| e.to_string()).collect();
    assert_eq!(ours_chain, theirs_chain, "chain differs");
    assert_eq!(
        ours.root_cause().to_string(),
        theirs.root_cause().to_string()
    );
}

proptest! {
    #![proptest_config(proptest_config::config(4))]

    #[test]
    fn random_chains_format_like_anyhow(plan in plan()) {
        let ours = build!(wasmtime_error, &plan);
        let theirs = build!(anyhow, &plan);
        assert_same(&ours, &theirs);
    }

    #[test]
    fn reallocated_boxes_format_like_anyhows(plan in plan()) {
        let ours = build!(wasmtime_error, &plan).reallocate_into_boxed_dyn_error_without_backtrace();
        let theirs = build!(anyhow, &plan).reallocate_into_boxed_dyn_error_without_backtrace();
        assert_same_box(&*ours, &*theirs);
    }
}

/// What two standard errors show: their formats, sources and root type.
/// `{:?}` is compared unless a backtrace is in it (that of an inner error,
/// where a context layer's `Debug` shows it).
fn assert_same_box(ours: &(dyn StdError + 'static), theirs: &(dyn StdError + 'static)) {
    assert_eq!(format!("{ours}"), format!("{theirs}"), "{{}} differs");
    assert_eq!(format!("{ours:#}"), format!("{theirs:#}"), "{{:#}} differs");
    assert_eq!(
        format!("{ours:#?}"),
        format!("{theirs:#?}"),
        "{{:#?}} differs"
    );
    // With the feature `location`, ours shows where each layer was made.
    let (a, b) = (
        without_locations(&format!("{ours:?}")),
        format!("{theirs:?}"),
    );
    if !a.contains("Stack backtrace:") && !b.contains("Stack backtrace:") {
        assert_eq!(a, b, "{{:?}} differs");
    }
    let sources = |mut error: &(dyn StdError + 'static)| {
        let mut texts = vec![error.to_string()];
        while let Some(source) = error.source() {
            texts.push(source.to_string());
            error = source;
        }
        texts
    };
    assert_eq!(sources(ours), sources(theirs), "sources differ");
    assert_eq!(ours.is::<Layered>(), theirs.is::<Layered>());
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

#[test]
fn multi_line_messages_in_every_position() {
    let plan = (
        Root::New(strings(&["root\nline 2", "deeper\n\nafter a blank line\n"])),
        vec![
            Layer::Context("ctx\nwith two lines".into()),
            Layer::WithContext("\nstarts with a newline".into()),
        ],
    );
    let ours = build!(wasmtime_error, &plan);
    assert_same(&ours, &build!(anyhow, &plan));
    assert_eq!(
        without_locations(&cut_backtrace(format!("{ours:?}"))),
        "\nstarts with a newline\n\nCaused by:\n    0: ctx\n       with two lines\n    \
         1: root\n       line 2\n    2: deeper\n       \n       after a blank line\n       "
    );
}

#[test]
fn single_cause_is_not_numbered() {
    let plan = (
        Root::Msg("root\ncont".into()),
        vec![Layer::Context("top".into())],
    );
    let ours = build!(wasmtime_error, &plan);
    assert_same(&ours, &build!(anyhow, &plan));
    assert_eq!(
        without_locations(&cut_backtrace(format!("{ours:?}"))),
        "top\n\nCaused by:\n    root\n    cont"
    );
}

#[test]
fn twelve_causes_are_numbered_with_two_digits() {
    let texts: Vec<String> = (0..10).map(|i| format!("source {i}\nmore")).collect();
    let plan = (
        Root::New(texts),
        vec![
            Layer::Context("a".into()),
            Layer::ResultContext("b".into()),
            Layer::Context("top".into()),
        ],
    );
    let ours = build!(wasmtime_error, &plan);
    assert_same(&ours, &build!(anyhow, &plan));
    let debug = without_locations(&cut_backtrace(format!("{ours:?}")));
    assert!(debug.contains("\n    9: source 7\n       more\n   10: source 8\n       more\n   11: source 9\n       more"), "{debug}");
    assert_eq!(ours.chain().count(), 13);
}

#[test]
fn each_root_alone() {
    let roots = [
        Root::New(strings(&["only"])),
        Root::Macro(strings(&["m", "n"])),
        Root::Boxed(strings(&["b", "c"])),
        Root::Msg("msg".into()),
        Root::Literal(0),
        Root::Literal(1),
        Root::Literal(3),
        Root::Formatted {
            text: "é\n".into(),
            number: -5,
            long: false,
        },
        Root::Formatted {
            text: "x".repeat(120),
            number: 7,
            long: true,
        },
        Root::ResultContext {
            error: strings(&["e1", "e2"]),
            context: "c\"q\"".into(),
            lazy: false,
        },
        Root::OptionContext {
            context: "none\there".into(),
            lazy: true,
        },
    ];
    for root in roots {
        let plan = (root, Vec::new());
        assert_same(&build!(wasmtime_error, &plan), &build!(anyhow, &plan));
    }
}

#[test]
fn out_of_memory_formats_like_an_anyhow_wrapped_out_of_memory() {
    let oom = wasmtime_error::OutOfMemory::new(1024);
    let ours = wasmtime_error::Error::from(oom);
    let theirs = anyhow::Error::new(oom);
    assert_same(&ours, &theirs);
    assert_eq!(
        format!("{ours:#?}"),
        "OutOfMemory {\n    requested_allocation_size: 1024,\n}"
    );
}

/// The context layers an out-of-memory error keeps without allocating
/// print as anyhow prints the same layers around the same failure.
#[test]
fn out_of_memory_with_kept_context_formats_like_anyhow() {
    let oom = wasmtime_error::OutOfMemory::new(786432);
    let ours = wasmtime_error::Error::from(oom)
        .context("reading the body")
        .context(wasmtime_error::format_err!("parsing the request"))
        .context("serving\na client");
    let theirs = anyhow::Error::new(oom)
        .context("reading the body")
        .context("parsing the request")
        .context("serving\na client");
    assert_same(&ours, &theirs);
    assert_eq!(
        format!("{ours:#}"),
        "serving\na client: parsing the request: reading the body: \
         out of memory (failed to allocate 786432 bytes)"
    );
}

/// The error each crate's `ensure!` makes for the same tokens.
macro_rules! same_ensure {
    ($($tokens:tt)+) => {{
        let ours = (|| -> wasmtime_error::Result<()> {
            wasmtime_error::ensure!($($tokens)+);
            Ok(())
        })()
        .expect_err(stringify!(wasmtime_error::ensure!($($tokens)+) passed));
        let theirs = (|| -> anyhow::Result<()> {
            anyhow::ensure!($($tokens)+);
            Ok(())
        })()
        .expect_err(stringify!(anyhow::ensure!($($tokens)+) passed));
        assert_same(&ours, &theirs);
        ours.to_string()
    }};
}

#[test]
fn ensure_messages_match_anyhow() {
    let (a, b, flag) = (1, 2, false);
    let name = "hello";
    let spaced = "hello world";
    let long = "x".repeat(50);
    let v = vec![1, 2];

    assert_eq!(same_ensure!(a == b), "Condition failed: `a == b` (1 vs 2)");
    same_ensure!(a == b);
    same_ensure!(a >= b);
    same_ensure!(b < a);
    same_ensure!(b <= a);
    same_ensure!(a > b);
    same_ensure!(a != 1);
    same_ensure!(a + 1 == b * 2);
    let signed = 4i32;
    same_ensure!(-signed == 4);
    same_ensure!(&a == &b);
    same_ensure!(name.len() == b);
    same_ensure!(name == "other");
    same_ensure!(Some(a) == None);
    // Values with a space or a newline, or longer than 40 bytes, are left out.
    same_ensure!(spaced == name);
    same_ensure!(name == spaced);
    same_ensure!(long.as_str() == name);
    same_ensure!(v.len() == 3);
    same_ensure!(v == vec![3]);
    same_ensure!("a\nb" == name);
    // Conditions that are not one comparison.
    same_ensure!(flag);
    same_ensure!(!flag && a == 2);
    same_ensure!(a < b && flag);
    same_ensure!(flag || a > b);
    #[allow(clippy::manual_contains)]
    let closure_condition = same_ensure!(v.iter().any(|x| *x == 3));
    assert_eq!(
        closure_condition,
        "Condition failed: `v.iter().any(|x| *x == 3)`"
    );
    same_ensure!((a == b));
    // With messages.
    same_ensure!(a == b, "a literal");
    same_ensure!(a == b, "formatted {} {a}", b);
    same_ensure!(flag, "formatted {}", a,);
    same_ensure!(a == b, Layered::chain(&strings(&["custom", "cause"])));
}

#[test]
fn ensure_without_debug_matches_anyhow() {
    #[derive(PartialEq)]
    struct NoDebug(u8);
    let (x, y) = (NoDebug(1), NoDebug(2));
    assert_eq!(same_ensure!(x == y), "Condition failed: `x == y`");
}

/// A `&bool` is a condition too, as in anyhow and Wasmtime: a field bound
/// by reference in a pattern, a flag passed by reference.
#[test]
fn ensure_takes_a_bool_reference_like_anyhow() {
    struct Settings {
        enabled: bool,
    }
    let settings = Settings { enabled: false };
    let Settings { enabled } = &settings;
    assert_eq!(same_ensure!(enabled), "Condition failed: `enabled`");
    assert_eq!(same_ensure!(enabled, "disabled {}", 7), "disabled 7");
    let on: &bool = &true;
    let message = same_ensure!(!on);
    assert_eq!(message, "Condition failed: `!on`");
    // A `&bool` that holds passes, with or without a message.
    let passes = || -> wasmtime_error::Result<u8> {
        wasmtime_error::ensure!(on);
        wasmtime_error::ensure!(on, "never shown {}", 1);
        Ok(7)
    };
    assert_eq!(passes().unwrap(), 7);
}

/// A side is shown when its `Debug` has at most 40 bytes, as in anyhow.
#[test]
fn ensure_shows_sides_of_up_to_forty_bytes() {
    let forty = "x".repeat(38);
    let forty_one = "x".repeat(39);
    let short = "y";
    assert_eq!(format!("{forty:?}").len(), 40);
    assert_eq!(
        same_ensure!(forty.as_str() == short),
        format!("Condition failed: `forty.as_str() == short` (\"{forty}\" vs \"y\")")
    );
    assert_eq!(
        same_ensure!(forty_one.as_str() == short),
        "Condition failed: `forty_one.as_str() == short`"
    );
    assert_eq!(
        same_ensure!(short == forty_one.as_str()),
        "Condition failed: `short == forty_one.as_str()`"
    );
}

#[test]
fn ensure_generic_arguments_match_anyhow() {
    let v = [1, 2];
    assert_eq!(
        same_ensure!(Vec::<i32>::new().len() == 1),
        "Condition failed: `Vec::<i32>::new().len() == 1` (0 vs 1)"
    );
    // A `>>` closing two levels: anyhow shows no values then.
    assert_eq!(
        same_ensure!(Vec::<Vec<u8>>::new().len() == 1),
        "Condition failed: `Vec::<Vec<u8>>::new().len() == 1`"
    );
    same_ensure!(std::mem::size_of::<Vec<u8>>() < 1);
    same_ensure!(1 == std::mem::size_of::<Vec<u8>>());
    same_ensure!(1 == std::mem::size_of::<Vec<Vec<u8>>>());
    same_ensure!(1 == std::mem::size_of::<Vec<Vec<u8>>>(), "{}", 1);
    same_ensure!(<Vec<Vec<u8>> as Default>::default().len() == 1);
    #[rustfmt::skip]
    same_ensure!(Vec::<Vec<u8> >::new().len() == 1);
    same_ensure!(std::mem::size_of::<(Vec<u8>, u8)>() == 1);
    // A `>>` closing generic arguments and a qualified path keeps them.
    same_ensure!(Vec::<<u8 as TryFrom<u16>>::Error>::new().len() == 1);
    same_ensure!(std::collections::HashMap::<u8, <u8 as TryFrom<u16>>::Error>::new().len() == 1);
    same_ensure!(v.iter().map(|x| x * 2).collect::<Vec<_>>().len() == 1);
    same_ensure!(std::collections::HashMap::<u8, Vec<u8>>::new().len() == 1);
    same_ensure!(v.iter().sum::<i32>() == 4);
    same_ensure!(1 == v.iter().map(|x| x * 2).sum::<i32>());
    same_ensure!(std::mem::size_of::<<u8 as TryFrom<u16>>::Error>() == 100);
    // Qualified paths at the start of a side.
    assert_eq!(
        same_ensure!(<i32 as Default>::default() == v[0]),
        "Condition failed: `<i32 as Default>::default() == v[0]` (0 vs 1)"
    );
    same_ensure!(v.len() == <Vec<u8> as Default>::default().len());
    // Commas inside generic arguments are not the message's comma.
    same_ensure!(
        std::collections::HashMap::<u8, u8>::new().len() == 1,
        "map of {} entries",
        0
    );
    same_ensure!(flag(false) || Vec::<u8>::new().len() == 1);
}

#[test]
fn ensure_casts_match_anyhow() {
    let x = 3i32;
    let null = std::ptr::null::<u8>();
    assert_eq!(
        same_ensure!(x as u8 == 4),
        "Condition failed: `x as u8 == 4` (3 vs 4)"
    );
    assert_eq!(
        same_ensure!(1 == x as i64),
        "Condition failed: `1 == x as i64` (1 vs 3)"
    );
    same_ensure!(x as u8 > 4);
    same_ensure!(x as u8 as u64 >= 4);
    same_ensure!(x as core::ffi::c_long == 4);
    same_ensure!(x as u32 >> 1 == 4);
    same_ensure!(1 << x as u32 == 4);
    same_ensure!(-x as i64 == 3);
    // Types with generic arguments after `as`.
    same_ensure!(null as *const Vec<u8> as usize == 1);
    same_ensure!(1 == null as *const std::collections::HashMap<u8, u8> as usize);
    same_ensure!(null as *const Vec<u8> as *const Vec<Vec<u8>> as usize == 1);
    same_ensure!(null as *const Vec<Vec<u8>> as usize == 1);
    same_ensure!(std::ptr::null::<u8>() as usize == 1);
    same_ensure!(x as u8 == 4, "bad {}", x as u8);
    same_ensure!(flag(false) || x as u8 == 4);
    same_ensure!(x as u8 == 4 && flag(true));
    same_ensure!(&&x == &&4);
    same_ensure!(x | 4 == 8);
}

/// A `bool` the compiler cannot see through.
fn flag(value: bool) -> bool {
    std::hint::black_box(value)
}

/// The source's spacing is kept, as anyhow keeps it.
#[test]
#[rustfmt::skip]
fn ensure_keeps_the_callers_spacing_like_anyhow() {
    let x = 3i32;
    assert_eq!(
        same_ensure!(Vec :: < i32 > :: new().len()==1),
        "Condition failed: `Vec :: < i32 > :: new().len() == 1` (0 vs 1)"
    );
    same_ensure!(x as u8==4);
    same_ensure!(x  as  u8  ==  4);
    same_ensure!(std::mem::size_of::< Vec<u8> >()==1);
    same_ensure!(flag(false)||x==4);
    same_ensure!(x==4||flag(false));
}

/// The error of this crate's `ensure!` alone, for what anyhow's does not
/// compile or shows differently.
macro_rules! our_ensure {
    ($($tokens:tt)+) => {
        (|| -> wasmtime_error::Result<()> {
            wasmtime_error::ensure!($($tokens)+);
            Ok(())
        })()
        .expect_err(stringify!(wasmtime_error::ensure!($($tokens)+) passed))
        .to_string()
    };
}

/// Adds to anything, giving `false`: lets a closure, `break` or a block be
/// the right operand of `+` in a condition that still has a `bool` type.
struct Sink;

impl<T> std::ops::Add<T> for Sink {
    type Output = bool;
    fn add(self, _: T) -> bool {
        false
    }
}

/// A method on every value, `()` included, so that an `if`, a loop or a
/// `match` can be the receiver of a call.
trait Doubled: Sized {
    fn doubled(self, n: i32) -> i32 {
        n * 2
    }
}

impl<T> Doubled for T {}

/// Operators that bind more loosely than the comparison after them (a
/// closure, `break`) keep the whole condition together, as in anyhow.
#[test]
#[cfg_attr(
    miri,
    ignore = "the split is decided at compile time; no unsafe code runs"
)]
#[allow(clippy::redundant_closure_call, clippy::never_loop)]
fn ensure_closures_and_break_are_not_split() {
    assert_eq!(
        same_ensure!(Sink + || 1 == 1),
        "Condition failed: `Sink + || 1 == 1`"
    );
    same_ensure!(Sink + move || 1 == 1);
    same_ensure!(Sink + |_: u8| 1 == 1);
    same_ensure!(Sink + move |_: u8| 1 == 1);
    same_ensure!((|| 3)() == 4);
    same_ensure!(Sink + async || 1 == 1);
    same_ensure!(Sink + async |_: u8| 1 == 1);
    // `Sink + (break (2 == 2))`: leaves the loop with `true`, no error.
    #[allow(unreachable_code)]
    let result = (|| -> wasmtime_error::Result<bool> {
        let value = loop {
            wasmtime_error::ensure!(Sink + break 2 == 2);
        };
        Ok(value)
    })();
    assert!(result.unwrap());
}

// The conditions are shapes for the parser to read, not code to imitate.
#[test]
#[cfg_attr(miri, ignore = "the split is decided at compile time; no unsafe code runs")]
#[rustfmt::skip]
#[allow(
    clippy::never_loop,
    clippy::unit_arg,
    clippy::needless_else,
    clippy::if_same_then_else,
    clippy::redundant_pattern_matching,
    clippy::impossible_comparisons,
    clippy::while_immutable_condition,
    clippy::reversed_empty_ranges,
    clippy::unused_enumerate_index,
    irrefutable_let_patterns
)]
fn ensure_blocks_and_control_flow_match_anyhow() {
    let a = 1;
    assert_eq!(
        same_ensure!(if flag(false) {}.doubled(2) == 5),
        "Condition failed: `if flag(false) {}.doubled(2) == 5` (4 vs 5)"
    );
    same_ensure!(if flag(false) {} else {}.doubled(2) == 5);
    same_ensure!(if flag(false) {} else if flag(true) {}.doubled(2) == 5);
    same_ensure!(if a == 1 { 2 } else if a == 2 { 3 } else { 4 } == 9);
    same_ensure!(if let Some(_) = None::<u8> {}.doubled(1) == 3);
    same_ensure!(if let Some(x) = Some(a) && x > 5 { 1 } else { 0 } == 1);
    same_ensure!(while flag(false) {}.doubled(3) == 1);
    same_ensure!(while let Some(_) = None::<u8> {}.doubled(1) == 0);
    same_ensure!(while a > 1 && a < 0 {} != ());
    same_ensure!(for _ in 0..0 {}.doubled(2) == 0);
    same_ensure!(for (_i, _) in [5].iter().enumerate() {}.doubled(i32::from(flag(true))) == 3);
    assert_eq!(
        same_ensure!(match a { 0 => 5, _ => 6 } == 7),
        "Condition failed: `match a { 0 => 5, _ => 6 } == 7` (6 vs 7)"
    );
    same_ensure!(match a == 1 { true => 1, false => 0 } == 2);
    same_ensure!(loop { break 3 } + 1 == 5);
    same_ensure!(1 + 'outer: loop { break 'outer 3 } == 5);
    same_ensure!({ let y = a; y * 2 } < 1);
    same_ensure!(unsafe { std::ptr::read(&a) } == 9);
    // anyhow's `$lhs:expr` (edition 2018) does not take a `const` block.
    assert_eq!(
        our_ensure!(const { 2 + 2 } == a),
        "Condition failed: `const { 2 + 2 } == a` (4 vs 1)"
    );
    same_ensure!(Sink + async { 1 } == true);
    same_ensure!(Sink + async move { a } == true);
    // At the top level `&&` and `||` bind more loosely than the comparison.
    same_ensure!(flag(true) == flag(true) && a > 1);
    same_ensure!(a > 1 || a * 2 >= 10);
}

/// A constant to match in a pattern through a qualified path.
trait Limit {
    const MAX: i32;
}

impl Limit for Sink {
    const MAX: i32 = 9;
}

#[test]
#[cfg_attr(miri, ignore = "the split is decided at compile time; no unsafe code runs")]
#[rustfmt::skip]
#[allow(
    irrefutable_let_patterns,
    clippy::redundant_pattern_matching,
    clippy::single_element_loop
)]
fn ensure_patterns_match_anyhow() {
    let (a, b) = (1, 2);
    assert_eq!(
        same_ensure!(if let 1..=5 = a { 0 } else { 1 } == 1),
        "Condition failed: `if let 1..=5 = a { 0 } else { 1 } == 1` (0 vs 1)"
    );
    same_ensure!(if let -3..=-1 = a { 0 } else { 1 } == 0);
    same_ensure!(if let (1, _) | (_, 1) = (a, b) { 0 } else { 1 } == 1);
    same_ensure!(if let | 1 | 2 = b { 0 } else { 1 } == 1);
    same_ensure!(if let [x, ..] = [1, 2] { x } else { 0 } == 9);
    same_ensure!(if let ref r @ 1 = a { *r } else { 0 } == 2);
    same_ensure!(if let mut m = a { m += 1; m } else { 0 } == 9);
    same_ensure!(if let &1 = &a { 0 } else { 1 } == 1);
    same_ensure!(if let &&1 = &&a { 0 } else { 1 } == 1);
    same_ensure!(if let &mut 1 = &mut 1 { 0 } else { 1 } == 1);
    same_ensure!(if let Some(ref mut v) = Some(a) { *v } else { 0 } == 3);
    same_ensure!(if let std::cmp::Ordering::Less = a.cmp(&b) { 0 } else { 1 } == 1);
    same_ensure!(if let ::std::cmp::Ordering::Less = a.cmp(&b) { 0 } else { 1 } == 1);
    same_ensure!(if let <Sink as Limit>::MAX = 9 { 0 } else { 1 } == 1);
    same_ensure!(if let std::marker::PhantomData::<u8> {} = std::marker::PhantomData { 0 } else { 1 } == 1);
    same_ensure!(if let "x" = stringify!(x) { 0 } else { 1 } == 1);
    same_ensure!(if let stringify!(x) = "x" { 0 } else { 1 } == 1);
    same_ensure!(if let _ = a { 0 } else { 1 } == 1);
    same_ensure!(for | x in [a] { let _ = x; } != ());
    same_ensure!(for true | false in [flag(true)] {} != ());
}

#[test]
#[cfg_attr(miri, ignore = "the split is decided at compile time; no unsafe code runs")]
#[rustfmt::skip]
#[allow(clippy::deref_addrof, clippy::op_ref, clippy::nonminimal_bool)]
fn ensure_prefix_operators_match_anyhow() {
    let mut x = &1;
    let y = 5;
    assert_eq!(
        same_ensure!(&mut x == *&&mut &2),
        "Condition failed: `&mut x == *&&mut &2` (1 vs 2)"
    );
    same_ensure!(*x == 2);
    same_ensure!(!*x == 1);
    same_ensure!(-*x == 1);
    same_ensure!(&x == &&2);
    same_ensure!(&&x == &&&2);
    same_ensure!(!!flag(false) == true);
    same_ensure!(&raw const y == std::ptr::null());
    same_ensure!(Sink + &raw const y != Sink + &raw const y);
}

/// A generic enum with a variant that takes turbofish arguments, to put
/// `>>` between a path and a comparison.
#[derive(PartialEq, PartialOrd, Debug)]
enum Level<T> {
    Low,
    #[allow(dead_code)]
    High(std::marker::PhantomData<T>),
}

/// A type with a `dyn` parameter, to put trait objects in generic arguments.
struct Holder<T: ?Sized>(std::marker::PhantomData<T>);

impl<T: ?Sized> PartialEq for Holder<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T: ?Sized> fmt::Debug for Holder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Holder")
    }
}

fn constant<const N: isize>() -> isize {
    N
}

#[allow(clippy::extra_unused_type_parameters)]
fn typed<T, const N: isize>() -> isize {
    N
}

#[test]
#[cfg_attr(miri, ignore = "the split is decided at compile time; no unsafe code runs")]
#[rustfmt::skip]
#[allow(clippy::unit_cmp)]
fn ensure_paths_and_generic_arguments_match_anyhow() {
    // The first `>` of `>>` closes the arguments, the second compares.
    assert_eq!(
        same_ensure!(Level::Low::<u8>>Level::Low),
        "Condition failed: `Level::Low::<u8> > Level::Low` (Low vs Low)"
    );
    same_ensure!(Level::Low::<>>Level::<u8>::Low);
    same_ensure!(Level::Low::<u8,>>Level::Low);
    same_ensure!(Level::<u8>::Low>Level::Low);
    same_ensure!(Level::Low::<u8> > Level::Low);
    same_ensure!(Level::Low::<Vec<u8>>>Level::Low);
    assert_eq!(
        same_ensure!(constant::<-1>() == 0),
        "Condition failed: `constant::<-1>() == 0` (-1 vs 0)"
    );
    same_ensure!(constant::<1>() == 0);
    same_ensure!(constant::<{ 1 + 1 }>() == 0);
    same_ensure!(typed::<u8, -1>() == 0);
    same_ensure!(typed::<u8, 1>() == 0);
    same_ensure!(Holder::<dyn fmt::Debug + Send>(std::marker::PhantomData) != Holder(std::marker::PhantomData));
    same_ensure!(Holder::<dyn Fn(u8) -> u8 + Sync>(std::marker::PhantomData) != Holder(std::marker::PhantomData));
    same_ensure!(Holder::<dyn Fn::() + ::std::marker::Send>(std::marker::PhantomData) != Holder(std::marker::PhantomData));
    same_ensure!(Holder::<dyn Iterator<Item = u8>>(std::marker::PhantomData) != Holder(std::marker::PhantomData));
    same_ensure!(Holder::<&'static str>(std::marker::PhantomData) != Holder(std::marker::PhantomData));
    same_ensure!(Holder::<for<'a> fn(&'a u8)>(std::marker::PhantomData) != Holder(std::marker::PhantomData));
    same_ensure!(Vec::<Box<dyn Fn(u8) -> u8 + Send>>::new().len() == 1);
    same_ensure!(<Vec<u8>>::new().len() == 1);
    same_ensure!(<Vec<u8> as Default>::default().len() == 1);
    same_ensure!(<u8 as TryFrom<u16>>::try_from(300).is_ok() == true);
    same_ensure!(<<Vec<u8> as IntoIterator>::Item as Default>::default() == 1);
    same_ensure!("7".parse::<u8>().unwrap() == 8);
    same_ensure!([1u8].iter().map(|x| u32::from(*x)).sum::<u32>() == 8);
    same_ensure!([1u8].into_iter().map(<u8 as Into<u32>>::into).sum::<u32>() == 8);
    same_ensure!(std::collections::HashMap::<u8, Level<u8>>::new().len() == 1);
    same_ensure!(crate::flag(false) == true);
    same_ensure!(::std::primitive::u8::MAX == 1);
    same_ensure!(self::flag(false) == true);
}

#[test]
#[cfg_attr(miri, ignore = "the split is decided at compile time; no unsafe code runs")]
#[rustfmt::skip]
#[allow(clippy::unnecessary_literal_unwrap, clippy::init_numbered_fields)]
fn ensure_macros_and_trailers_match_anyhow() {
    let (a, b) = (1, 2);
    let pair = ((a, b), 7);
    let array = [4, 5];
    assert_eq!(
        same_ensure!(vec![1, 2].len() == 3),
        "Condition failed: `vec![1, 2].len() == 3` (2 vs 3)"
    );
    same_ensure!(format!("{a}").len() == 9);
    same_ensure!(stringify! {} != "");
    same_ensure!(concat!("a", "b") == "c");
    same_ensure!(pair.1 == 3);
    same_ensure!(pair.0.1 == 3);
    same_ensure!(pair.0 .0 == 3);
    same_ensure!(array[0] == 9);
    // An unsized side is shown too.
    assert_eq!(
        same_ensure!(array[..1] == [5]),
        "Condition failed: `array[..1] == [5]` ([4] vs [5])"
    );
    same_ensure!(*"abc" == *"abd");
    same_ensure!(b"xyz"[1] == b'a');
    same_ensure!(Some(a).unwrap() == 3);
    same_ensure!(Holder::<u8> { 0: std::marker::PhantomData } != Holder(std::marker::PhantomData));
    // `?` needs each crate's own error type.
    let ours = {
        let result = Ok::<_, wasmtime_error::Error>(1);
        our_ensure!(result? == 2)
    };
    let theirs = {
        let result = Ok::<_, anyhow::Error>(1);
        (|| -> anyhow::Result<()> {
            anyhow::ensure!(result? == 2);
            Ok(())
        })()
        .unwrap_err()
        .to_string()
    };
    assert_eq!(ours, theirs);
    assert_eq!(ours, "Condition failed: `result? == 2` (1 vs 2)");
}

fn answer() -> u8 {
    42
}

macro_rules! byte {
    () => {
        u8
    };
}

#[test]
#[cfg_attr(miri, ignore = "the split is decided at compile time; no unsafe code runs")]
#[rustfmt::skip]
#[allow(
    clippy::unnecessary_cast,
    clippy::char_lit_as_u8,
    clippy::fn_to_numeric_cast,
    clippy::erasing_op
)]
fn ensure_cast_types_match_anyhow() {
    let a = 3i32;
    let v = [1i32];
    let s = "s";
    assert_eq!(
        same_ensure!('\0' as u8 > 1),
        "Condition failed: `'\\0' as u8 > 1` (0 vs 1)"
    );
    same_ensure!('\0' as ::core::primitive::u8 > 1);
    same_ensure!(&v as &[i32] == [9]);
    same_ensure!(&v as &[i32; 1] == &[9]);
    same_ensure!(s as &str != s);
    same_ensure!(s as &'static str != s);
    same_ensure!(&s as &&'static str != &s);
    same_ensure!(std::ptr::null::<u8>() as *const () as *mut u8 != std::ptr::null_mut());
    same_ensure!(std::ptr::null::<u8>() as *const () as *const _ as usize == 1);
    same_ensure!(answer as fn() -> u8 as usize * 0 != 0);
    same_ensure!(answer as unsafe fn() -> u8 as usize * 0 != 0);
    same_ensure!(answer as extern "Rust" fn() -> u8 as usize * 0 != 0);
    same_ensure!(answer as for<'a> fn() -> u8 as usize * 0 != 0);
    same_ensure!(&a as &dyn fmt::Debug as *const dyn fmt::Debug as *const u8 as usize == 0);
    same_ensure!(0 as byte!() == 1);
    same_ensure!(0 as byte![] == 1);
    same_ensure!(0 as byte! {} == 1);
    same_ensure!(a as i64 - 1 == 9);
    same_ensure!(a as usize % 2 == 0);
}

/// How far the values are shown: the step budget of the parser, which
/// reads a name or a literal with the operator after it in one step.
#[test]
#[rustfmt::skip]
fn ensure_long_conditions() {
    let a = 1;
    // With a message the condition is not parsed: any length compiles (more
    // than anyhow's own `ensure!` compiles with a message).
    let ours = (|| -> wasmtime_error::Result<()> {
        wasmtime_error::ensure!(
            a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
                + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
                + a + a + a + a + a + a + a + a + a + a + Vec::<u8>::new().len()
                == 2,
            "sum {}",
            a
        );
        Ok(())
    })()
    .unwrap_err()
    .to_string();
    assert_eq!(ours, "sum 1");
    // Within anyhow's budget, the same message as anyhow's.
    let message = same_ensure!(
        a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
            + a + a + a + a + a + a + a + a + a + a + Vec::<u8>::new().len()
            == 2
    );
    assert!(message.ends_with("== 2` (30 vs 2)"), "{message}");
    let message = same_ensure!(
        a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64
            + a as u64 + a as u64 + a as u64 + std::mem::size_of::<u32>() as u64
            == 2
    );
    assert!(message.ends_with("== 2` (14 vs 2)"), "{message}");
    // Past both budgets: the plain form (printed by the compiler's
    // pretty-printer, which wraps long lines, in both crates).
    let message = same_ensure!(
        a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64
            + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64
            + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64
            + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64
            + a as u64 + a as u64 + a as u64 == 2
    );
    assert!(message.ends_with("a as u64 == 2`"), "{message}");
    same_ensure!(
        false | false | false | false | false | false | false | false | false | false |
        false | false | false | false | false | false | false | false | false | false |
        false | false | false | false | false | false | false | false | false | false |
        false | false | false | false | false | false | false | false | false | false |
        false | false | false | false | false | false | false | false | false | false |
        false | false | false | false | false | false | false | false | false | false |
        false | false | false
    );
}

/// Past anyhow's budget this parser still shows the values, up to its own
/// (109 terms `a + .. + a == 2`, 219 tokens); past that, the plain form.
#[test]
#[rustfmt::skip]
fn ensure_long_conditions_beyond_anyhow() {
    let a = 1;
    let sum_50 = our_ensure!(
        a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
            + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
            + a + a + a + a + a + a + a + a + a + a + Vec::<u8>::new().len()
            == 2
    );
    assert!(sum_50.ends_with("Vec::<u8>::new().len() == 2` (49 vs 2)"), "{sum_50}");
    // 108 terms, then the end of the condition.
    macro_rules! sum_of_108 {
        ($($end:tt)+) => {
            our_ensure!(
                a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
                    + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
                    + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
                    + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
                    + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
                    + a + a + a + a + a + a + a + a
                    $($end)+
            )
        };
    }
    let widest = sum_of_108!(+ a == 2);
    assert!(widest.ends_with(" == 2` (109 vs 2)"), "{widest}");
    let one_more = sum_of_108!(+ a + a == 2);
    assert!(one_more.ends_with("a + a == 2`"), "{one_more}");
}

/// One cause of a long chain; the causes live in a static so that a chain
/// of any length needs neither recursion to build nor to drop.
#[derive(Debug)]
struct Numbered(usize);

static NUMBERED: std::sync::OnceLock<Vec<Numbered>> = std::sync::OnceLock::new();

impl fmt::Display for Numbered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cause {}", self.0)
    }
}

impl StdError for Numbered {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        let next = NUMBERED.get()?.get(self.0 + 1)?;
        Some(next)
    }
}

#[derive(Debug)]
struct Head;

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("head")
    }
}

impl StdError for Head {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&NUMBERED.get()?[0])
    }
}

#[test]
#[cfg_attr(miri, ignore = "formats 100 001 causes")]
fn six_digit_cause_numbers_push_the_label_right_like_anyhow() {
    NUMBERED.get_or_init(|| (0..100_001).map(Numbered).collect());
    let ours = without_locations(&cut_backtrace(format!(
        "{:?}",
        wasmtime_error::Error::new(Head)
    )));
    let theirs = cut_backtrace(format!("{:?}", anyhow::Error::new(Head)));
    assert_eq!(ours, theirs);
    assert!(ours.contains("\n99999: cause 99999\n100000: cause 100000"));
    assert!(ours.starts_with("head\n\nCaused by:\n    0: cause 0\n    1: cause 1\n"));
}
