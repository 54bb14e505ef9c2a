//! `{}`, `{:#}`, `{:?}` and `{:#?}` are byte-identical to anyhow's: a
//! proptest builds the same random chain in both crates and compares the
//! strings, and fixed cases pin down the corners.

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
        cut_backtrace(format!("{error:?}")),
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

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if cfg!(miri) {
        config.cases = config.cases.min(4);
        // Miri isolates the file system.
        config.failure_persistence = None;
    }
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_chains_format_like_anyhow(plan in plan()) {
        let ours = build!(wasmtime_error, &plan);
        let theirs = build!(anyhow, &plan);
        assert_same(&ours, &theirs);
    }
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
        cut_backtrace(format!("{ours:?}")),
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
        cut_backtrace(format!("{ours:?}")),
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
    let debug = cut_backtrace(format!("{ours:?}"));
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
    let ours = wasmtime_error::Error::from(oom).context("never shown");
    let theirs = anyhow::Error::new(oom);
    assert_same(&ours, &theirs);
    assert_eq!(
        format!("{ours:#?}"),
        "OutOfMemory {\n    requested_allocation_size: 1024,\n}"
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

/// A long condition still fits the default recursion limit (128): each
/// token is one step of the parser (`as name` too), so about 120 tokens fit.
#[test]
#[rustfmt::skip]
fn ensure_long_conditions() {
    let a = 1;
    // 108 tokens before the comparison operator (more than anyhow's own
    // `ensure!` compiles with a message).
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
    // anyhow stops looking for the values after about 120 steps of its
    // parser and leaves them out; this parser has no such budget.
    let ours = (|| -> wasmtime_error::Result<()> {
        wasmtime_error::ensure!(
            a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
                + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a + a
                + a + a + a + a + a + a + a + a + a + a + Vec::<u8>::new().len()
                == 2
        );
        Ok(())
    })()
    .unwrap_err()
    .to_string();
    assert!(ours.ends_with("Vec::<u8>::new().len() == 2` (49 vs 2)"), "{ours}");
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
    // 32 casts, 127 tokens: beyond anyhow's budget, but one step per cast here.
    let ours = (|| -> wasmtime_error::Result<()> {
        wasmtime_error::ensure!(
            a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64
                + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64
                + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64
                + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64 + a as u64
                + a as u64 + a as u64 + a as u64 == 2
        );
        Ok(())
    })()
    .unwrap_err()
    .to_string();
    assert!(ours.ends_with("a as u64 == 2` (32 vs 2)"), "{ours}");
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
    let ours = cut_backtrace(format!("{:?}", wasmtime_error::Error::new(Head)));
    let theirs = cut_backtrace(format!("{:?}", anyhow::Error::new(Head)));
    assert_eq!(ours, theirs);
    assert!(ours.contains("\n99999: cause 99999\n100000: cause 100000"));
    assert!(ours.starts_with("head\n\nCaused by:\n    0: cause 0\n    1: cause 1\n"));
}
