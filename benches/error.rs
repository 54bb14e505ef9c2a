//! The same error operations on `wasmtime_error::Error`, `anyhow::Error` and
//! Wasmtime's `wasmtime_internal_core::error::Error`, one criterion group
//! per operation so the three medians sit side by side.
//!
//! `cargo bench --bench error`. Library backtraces are switched off
//! (`RUST_LIB_BACKTRACE=0`) before anything runs: with them on, anyhow
//! captures a backtrace per error and the comparison would measure that.

use criterion::{BenchmarkId, Criterion, criterion_group};
use std::hint::black_box;

/// The root error every chain starts from.
#[derive(Debug)]
struct Root;

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
        mod $name {
            use super::$krate::{Context, Error, Result};
            use super::{Root, black_box};

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

            pub fn with_context_ok(value: std::result::Result<u32, Root>) -> Result<u32> {
                value.with_context(|| "never built")
            }
        }
    };
}

operations!(ours_ops, ours);
operations!(anyhow_ops, theirs_anyhow);
operations!(wasmtime_ops, theirs_wasmtime);

const OURS: &str = "wasmtime-error";
const ANYHOW: &str = "anyhow";
const WASMTIME: &str = "wasmtime-internal-core";

fn creation(c: &mut Criterion) {
    let mut group = c.benchmark_group("msg_literal");
    group.bench_function(OURS, |b| b.iter(ours_ops::msg_literal));
    group.bench_function(ANYHOW, |b| b.iter(anyhow_ops::msg_literal));
    group.bench_function(WASMTIME, |b| b.iter(wasmtime_ops::msg_literal));
    group.finish();

    let mut group = c.benchmark_group("bail_literal");
    group.bench_function(OURS, |b| b.iter(ours_ops::bail_literal));
    group.bench_function(ANYHOW, |b| b.iter(anyhow_ops::bail_literal));
    group.bench_function(WASMTIME, |b| b.iter(wasmtime_ops::bail_literal));
    group.finish();

    let (x, y) = (black_box(7), black_box(9));
    let mut group = c.benchmark_group("format_err_args");
    group.bench_function(OURS, |b| b.iter(|| ours_ops::format_args(x, y)));
    group.bench_function(ANYHOW, |b| b.iter(|| anyhow_ops::format_args(x, y)));
    group.bench_function(WASMTIME, |b| b.iter(|| wasmtime_ops::format_args(x, y)));
    group.finish();

    let mut group = c.benchmark_group("new");
    group.bench_function(OURS, |b| b.iter(ours_ops::new));
    group.bench_function(ANYHOW, |b| b.iter(anyhow_ops::new));
    group.bench_function(WASMTIME, |b| b.iter(wasmtime_ops::new));
    group.finish();

    let mut group = c.benchmark_group("context_x3");
    group.bench_function(OURS, |b| b.iter(ours_ops::context_x3));
    group.bench_function(ANYHOW, |b| b.iter(anyhow_ops::context_x3));
    group.bench_function(WASMTIME, |b| b.iter(wasmtime_ops::context_x3));
    group.finish();

    let mut group = c.benchmark_group("from_out_of_memory");
    group.bench_function(OURS, |b| {
        b.iter(|| wasmtime_error::Error::from(wasmtime_error::OutOfMemory::new(black_box(64))))
    });
    group.bench_function(WASMTIME, |b| {
        b.iter(|| {
            wasmtime_internal_core::error::Error::from(
                wasmtime_internal_core::error::OutOfMemory::new(black_box(64)),
            )
        })
    });
    group.finish();
}

fn inspection(c: &mut Criterion) {
    let (ours, anyhow, wasmtime) = (
        ours_ops::chain(5),
        anyhow_ops::chain(5),
        wasmtime_ops::chain(5),
    );
    let mut group = c.benchmark_group("downcast_ref_depth5");
    group.bench_function(BenchmarkId::new(OURS, "hit"), |b| {
        b.iter(|| ours_ops::downcast_hit(black_box(&ours)))
    });
    group.bench_function(BenchmarkId::new(ANYHOW, "hit"), |b| {
        b.iter(|| anyhow_ops::downcast_hit(black_box(&anyhow)))
    });
    group.bench_function(BenchmarkId::new(WASMTIME, "hit"), |b| {
        b.iter(|| wasmtime_ops::downcast_hit(black_box(&wasmtime)))
    });
    group.bench_function(BenchmarkId::new(OURS, "miss"), |b| {
        b.iter(|| ours_ops::downcast_miss(black_box(&ours)))
    });
    group.bench_function(BenchmarkId::new(ANYHOW, "miss"), |b| {
        b.iter(|| anyhow_ops::downcast_miss(black_box(&anyhow)))
    });
    group.bench_function(BenchmarkId::new(WASMTIME, "miss"), |b| {
        b.iter(|| wasmtime_ops::downcast_miss(black_box(&wasmtime)))
    });
    group.finish();

    let (ours, anyhow, wasmtime) = (
        ours_ops::chain(3),
        anyhow_ops::chain(3),
        wasmtime_ops::chain(3),
    );
    let mut group = c.benchmark_group("format_depth3");
    group.bench_function(BenchmarkId::new(OURS, "debug"), |b| {
        b.iter(|| format!("{:?}", black_box(&ours)))
    });
    group.bench_function(BenchmarkId::new(ANYHOW, "debug"), |b| {
        b.iter(|| format!("{:?}", black_box(&anyhow)))
    });
    group.bench_function(BenchmarkId::new(WASMTIME, "debug"), |b| {
        b.iter(|| format!("{:?}", black_box(&wasmtime)))
    });
    group.bench_function(BenchmarkId::new(OURS, "alternate"), |b| {
        b.iter(|| format!("{:#}", black_box(&ours)))
    });
    group.bench_function(BenchmarkId::new(ANYHOW, "alternate"), |b| {
        b.iter(|| format!("{:#}", black_box(&anyhow)))
    });
    group.bench_function(BenchmarkId::new(WASMTIME, "alternate"), |b| {
        b.iter(|| format!("{:#}", black_box(&wasmtime)))
    });
    group.finish();
}

fn propagation(c: &mut Criterion) {
    let mut group = c.benchmark_group("question_mark_5");
    for (path, fail) in [("ok", false), ("err", true)] {
        group.bench_function(BenchmarkId::new(OURS, path), |b| {
            b.iter(|| ours_ops::question_mark_5(fail))
        });
        group.bench_function(BenchmarkId::new(ANYHOW, path), |b| {
            b.iter(|| anyhow_ops::question_mark_5(fail))
        });
        group.bench_function(BenchmarkId::new(WASMTIME, path), |b| {
            b.iter(|| wasmtime_ops::question_mark_5(fail))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("with_context_ok");
    group.bench_function(OURS, |b| {
        b.iter(|| ours_ops::with_context_ok(black_box(Ok(3))))
    });
    group.bench_function(ANYHOW, |b| {
        b.iter(|| anyhow_ops::with_context_ok(black_box(Ok(3))))
    });
    group.bench_function(WASMTIME, |b| {
        b.iter(|| wasmtime_ops::with_context_ok(black_box(Ok(3))))
    });
    group.finish();
}

criterion_group!(benches, creation, inspection, propagation);

fn main() {
    // SAFETY: nothing else runs yet; no other thread reads the environment.
    unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    benches();
    Criterion::default().configure_from_args().final_summary();
}
