//! Random error chains built twice, with `wasmtime_error` and with anyhow:
//! a root (`new` of a std error, with or without a source, `msg` of a
//! string or a number, a formatted or a literal message), context layers of
//! several types, then downcasts by reference, by mutable reference (which
//! change the value found) and by value. After every step both errors must
//! print the same `{}`, `{:#}`, `{:?}` and `{:#?}`, and every downcast must
//! give the same answer (a formatted message downcasts to `String` in
//! both).
//!
//! anyhow appends a backtrace to `{:?}` when it captured one
//! (`RUST_BACKTRACE=1`); run with `RUST_LIB_BACKTRACE=0` so it does not
//! capture (capturing is slow), and the comparison leaves that part out.

#![no_main]

use std::fmt::{self, Display};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wasmtime_error::{Error, format_err};

#[derive(Arbitrary, Debug)]
struct Input {
    root: Root,
    layers: Vec<Layer>,
    probes: Vec<Probe>,
}

#[derive(Arbitrary, Debug)]
enum Root {
    Custom(u8),
    Outer(u8),
    Text(String),
    Number(u32),
    Formatted(u16),
    Literal,
}

#[derive(Arbitrary, Debug)]
enum Layer {
    Text(String),
    Number(u32),
    Ctx(u8),
    Literal,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Probe {
    Ref(Target),
    Mut(Target),
    Take(Target),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Target {
    Custom,
    Outer,
    String,
    Str,
    Number,
    Ctx,
    Io,
}

/// A std error without a source.
#[derive(Debug, PartialEq)]
struct Custom(u8);

impl Display for Custom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "custom {}", self.0)
    }
}

impl std::error::Error for Custom {}

/// A std error whose source is its field.
#[derive(Debug, PartialEq)]
struct Outer(Custom);

impl Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("outer\nwith a second line")
    }
}

impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// A context that is not an error.
#[derive(Debug, PartialEq)]
struct Ctx(u8);

impl Display for Ctx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ctx {}", self.0)
    }
}

fuzz_target!(|input: Input| {
    let (mut ours, mut theirs) = match input.root {
        Root::Custom(n) => (Error::new(Custom(n)), anyhow::Error::new(Custom(n))),
        Root::Outer(n) => (
            Error::new(Outer(Custom(n))),
            anyhow::Error::new(Outer(Custom(n))),
        ),
        Root::Text(ref text) => (Error::msg(text.clone()), anyhow::Error::msg(text.clone())),
        Root::Number(n) => (Error::msg(n), anyhow::Error::msg(n)),
        Root::Formatted(n) => (
            format_err!("formatted {n}"),
            anyhow::anyhow!("formatted {n}"),
        ),
        Root::Literal => (format_err!("literal"), anyhow::anyhow!("literal")),
    };
    same_formats(&ours, &theirs);
    // Deeper chains only cost time: every step formats the whole chain.
    let layers = &input.layers[..input.layers.len().min(16)];
    for layer in layers {
        (ours, theirs) = match *layer {
            Layer::Text(ref text) => (ours.context(text.clone()), theirs.context(text.clone())),
            Layer::Number(n) => (ours.context(n), theirs.context(n)),
            Layer::Ctx(n) => (ours.context(Ctx(n)), theirs.context(Ctx(n))),
            Layer::Literal => (ours.context("layer"), theirs.context("layer")),
        };
        same_formats(&ours, &theirs);
    }
    for probe in input.probes.into_iter().take(16) {
        match probe {
            Probe::Ref(target) => by_ref(&ours, &theirs, target),
            Probe::Mut(target) => by_mut(&mut ours, &mut theirs, target),
            Probe::Take(target) => match by_value(ours, theirs, target) {
                Some(both) => (ours, theirs) = both,
                None => return,
            },
        }
        same_formats(&ours, &theirs);
    }
});

fn same_formats(ours: &Error, theirs: &anyhow::Error) {
    assert_eq!(format!("{ours}"), format!("{theirs}"));
    assert_eq!(format!("{ours:#}"), format!("{theirs:#}"));
    let debug = format!("{theirs:?}");
    let debug = debug
        .split_once("\n\nStack backtrace:")
        .map_or(debug.as_str(), |(before, _)| before);
    assert_eq!(format!("{ours:?}"), debug);
    assert_eq!(format!("{ours:#?}"), format!("{theirs:#?}"));
}

/// What a downcast to `target` finds, as its `Debug`.
macro_rules! for_target {
    ($target:expr, $probe:ident) => {
        match $target {
            Target::Custom => $probe!(Custom),
            Target::Outer => $probe!(Outer),
            Target::String => $probe!(String),
            Target::Str => $probe!(&'static str),
            Target::Number => $probe!(u32),
            Target::Ctx => $probe!(Ctx),
            Target::Io => $probe!(std::io::Error),
        }
    };
}

fn by_ref(ours: &Error, theirs: &anyhow::Error, target: Target) {
    macro_rules! probe {
        ($t:ty) => {{
            let found = ours.downcast_ref::<$t>().map(|v| format!("{v:?}"));
            assert_eq!(found, theirs.downcast_ref::<$t>().map(|v| format!("{v:?}")));
            assert_eq!(ours.is::<$t>(), theirs.is::<$t>());
        }};
    }
    for_target!(target, probe)
}

/// Changes the value found, the same way in both.
trait Change {
    fn change(&mut self);
}

impl Change for Custom {
    fn change(&mut self) {
        self.0 = self.0.wrapping_add(1);
    }
}

impl Change for Outer {
    fn change(&mut self) {
        self.0.change();
    }
}

impl Change for String {
    fn change(&mut self) {
        self.push('!');
    }
}

impl Change for &'static str {
    fn change(&mut self) {
        *self = "changed";
    }
}

impl Change for u32 {
    fn change(&mut self) {
        *self = self.wrapping_mul(3);
    }
}

impl Change for Ctx {
    fn change(&mut self) {
        self.0 = self.0.wrapping_sub(1);
    }
}

impl Change for std::io::Error {
    fn change(&mut self) {
        *self = std::io::Error::other("changed");
    }
}

fn by_mut(ours: &mut Error, theirs: &mut anyhow::Error, target: Target) {
    macro_rules! probe {
        ($t:ty) => {{
            match (ours.downcast_mut::<$t>(), theirs.downcast_mut::<$t>()) {
                (Some(a), Some(b)) => {
                    assert_eq!(format!("{a:?}"), format!("{b:?}"));
                    a.change();
                    b.change();
                }
                (None, None) => {}
                (a, b) => panic!("downcast_mut: ours {a:?}, anyhow's {b:?}"),
            }
        }};
    }
    for_target!(target, probe)
}

/// Takes the target out of both, or gives both errors back.
fn by_value(ours: Error, theirs: anyhow::Error, target: Target) -> Option<(Error, anyhow::Error)> {
    macro_rules! probe {
        ($t:ty) => {{
            match (ours.downcast::<$t>(), theirs.downcast::<$t>()) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(format!("{a:?}"), format!("{b:?}"));
                    None
                }
                (Err(a), Err(b)) => Some((a, b)),
                (a, b) => panic!("downcast: ours {:?}, anyhow's {:?}", a.is_ok(), b.is_ok()),
            }
        }};
    }
    for_target!(target, probe)
}
