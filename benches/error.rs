//! The same error operations on `wasmtime_error::Error`, `anyhow::Error` and
//! Wasmtime's `wasmtime_internal_core::error::Error`, one criterion group
//! per operation so the three medians sit side by side.
//!
//! `cargo bench -p wasmtime-error-benches --bench error`. Library
//! backtraces are switched off (`RUST_LIB_BACKTRACE=0`) before anything
//! runs: with them on, anyhow captures a backtrace per error and the
//! comparison would measure that.

#[allow(dead_code)] // the instruction counts use the rest
mod common;

use common::{ANYHOW, OURS, WASMTIME, anyhow_ops, black_box, ours_ops, wasmtime_ops};
use criterion::{BenchmarkId, Criterion, criterion_group};

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
