//! What the benches share: the same operations written once and
//! instantiated for `wasmtime_error`, `anyhow` and Wasmtime's error.

pub use std::hint::black_box;

/// The root error every chain starts from.
#[derive(Debug)]
pub struct Root;

impl std::fmt::Display for Root {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("root cause")
    }
}

impl std::error::Error for Root {}

mod ours {
    pub use wasmtime_error::{Context, Error, Result, bail, format_err};
}

mod theirs_anyhow {
    pub use anyhow::{Context, Error, Result, bail, format_err};
}

mod theirs_wasmtime {
    pub use wasmtime_internal_core::error::{Context, Error, Result};
    pub use wasmtime_internal_core::{bail, format_err};
}

/// The operations, written once and instantiated for each crate.
macro_rules! operations {
    ($name:ident, $krate:ident) => {
        pub mod $name {
            use super::$krate::{Context, Error, Result};
            use super::{Op, Root, black_box};

            pub fn msg_literal() -> Error {
                Error::msg(black_box("a literal message"))
            }

            #[inline(never)]
            fn fails_with_literal() -> Result<()> {
                super::$krate::bail!("a literal message");
            }

            pub fn bail_literal() -> Error {
                fails_with_literal().unwrap_err()
            }

            pub fn format_args(x: u32, y: u32) -> Error {
                super::$krate::format_err!("value {} of {}", x, y)
            }

            pub fn new() -> Error {
                Error::new(Root)
            }

            pub fn context_x3() -> Error {
                Error::new(Root)
                    .context("first")
                    .context("second")
                    .context("third")
            }

            pub fn chain(depth: usize) -> Error {
                let mut error = Error::new(Root);
                for _ in 1..depth {
                    error = error.context("layer");
                }
                error
            }

            #[inline(never)]
            pub fn downcast_hit(error: &Error) -> bool {
                error.downcast_ref::<Root>().is_some()
            }

            #[inline(never)]
            pub fn downcast_miss(error: &Error) -> bool {
                error.downcast_ref::<std::fmt::Error>().is_some()
            }

            #[inline(never)]
            fn level0(fail: bool) -> std::result::Result<u32, Root> {
                if black_box(fail) { Err(Root) } else { Ok(1) }
            }
            #[inline(never)]
            fn level1(fail: bool) -> Result<u32> {
                Ok(level0(fail)? + 1)
            }
            #[inline(never)]
            fn level2(fail: bool) -> Result<u32> {
                Ok(level1(fail)? + 1)
            }
            #[inline(never)]
            fn level3(fail: bool) -> Result<u32> {
                Ok(level2(fail)? + 1)
            }
            #[inline(never)]
            fn level4(fail: bool) -> Result<u32> {
                Ok(level3(fail)? + 1)
            }
            #[inline(never)]
            pub fn question_mark_5(fail: bool) -> Result<u32> {
                Ok(level4(fail)? + 1)
            }

            #[inline(never)]
            pub fn with_context_ok(value: std::result::Result<u32, Root>) -> Result<u32> {
                value.with_context(|| "never built")
            }

            /// Runs `op` `n` times on the given chains; the instruction
            /// counter measures what runs inside this function.
            #[inline(never)]
            pub fn repeat(op: Op, n: usize, chain5: &Error, chain3: &Error) {
                let (x, y) = (black_box(7), black_box(9));
                match op {
                    Op::MsgLiteral => (0..n).for_each(|_| drop(black_box(msg_literal()))),
                    Op::BailLiteral => (0..n).for_each(|_| drop(black_box(bail_literal()))),
                    Op::FormatArgs => (0..n).for_each(|_| drop(black_box(format_args(x, y)))),
                    Op::New => (0..n).for_each(|_| drop(black_box(new()))),
                    Op::ContextX3 => (0..n).for_each(|_| drop(black_box(context_x3()))),
                    Op::DowncastHit => (0..n).for_each(|_| {
                        black_box(downcast_hit(black_box(chain5)));
                    }),
                    Op::DowncastMiss => (0..n).for_each(|_| {
                        black_box(downcast_miss(black_box(chain5)));
                    }),
                    Op::Debug => {
                        (0..n).for_each(|_| drop(black_box(format!("{:?}", black_box(chain3)))))
                    }
                    Op::Alternate => {
                        (0..n).for_each(|_| drop(black_box(format!("{:#}", black_box(chain3)))))
                    }
                    Op::QuestionMarkOk => {
                        (0..n).for_each(|_| drop(black_box(question_mark_5(false))))
                    }
                    Op::QuestionMarkErr => {
                        (0..n).for_each(|_| drop(black_box(question_mark_5(true))))
                    }
                    Op::WithContextOk => (0..n).for_each(|_| {
                        drop(black_box(with_context_ok(black_box(Ok(3)))));
                    }),
                }
            }
        }
    };
}

operations!(ours_ops, ours);
operations!(anyhow_ops, theirs_anyhow);
operations!(wasmtime_ops, theirs_wasmtime);

pub const OURS: &str = "wasmtime-error";
pub const ANYHOW: &str = "anyhow";
pub const WASMTIME: &str = "wasmtime-internal-core";

/// The operations both benches measure, in the order their tables list
/// them. `Error::from(OutOfMemory)` is not here: anyhow has no such error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    MsgLiteral,
    BailLiteral,
    FormatArgs,
    New,
    ContextX3,
    DowncastHit,
    DowncastMiss,
    Debug,
    Alternate,
    QuestionMarkOk,
    QuestionMarkErr,
    WithContextOk,
}

impl Op {
    pub const ALL: [Op; 12] = [
        Op::MsgLiteral,
        Op::BailLiteral,
        Op::FormatArgs,
        Op::New,
        Op::ContextX3,
        Op::DowncastHit,
        Op::DowncastMiss,
        Op::Debug,
        Op::Alternate,
        Op::QuestionMarkOk,
        Op::QuestionMarkErr,
        Op::WithContextOk,
    ];

    /// What the tables call it.
    pub fn label(self) -> &'static str {
        match self {
            Op::MsgLiteral => "Error::msg(\"literal\") + drop",
            Op::BailLiteral => "bail!(\"literal\") through one call",
            Op::FormatArgs => "format_err!(\"value {} of {}\", x, y) + drop",
            Op::New => "Error::new(e) + drop",
            Op::ContextX3 => "new + context x3 + drop",
            Op::DowncastHit => "downcast_ref, chain 5 deep, hit",
            Op::DowncastMiss => "downcast_ref, chain 5 deep, miss",
            Op::Debug => "format!(\"{:?}\"), chain 3 deep",
            Op::Alternate => "format!(\"{:#}\"), chain 3 deep",
            Op::QuestionMarkOk => "? through 5 calls, Ok path",
            Op::QuestionMarkErr => "? through 5 calls, Err path",
            Op::WithContextOk => "with_context on Ok",
        }
    }
}
