//! How long the OOM harness takes to report broken code, next to the same
//! code corrected (a timing binary).
//!
//! The closure is a builder of N lines: each line is formatted into a
//! `TryString`, stored in a `TryVec`, and appended to a text, with a label
//! made per line. In the broken version the label is made with `format!`,
//! which aborts when its allocation fails; in the corrected one with
//! `try_format!`. Both make the same allocations, so the harness fails as
//! many in each. It prints the ratio of the two times and whether it is
//! within the target: the broken one reported in at most 1.5 times the
//! time the corrected one takes to pass.
//!
//! `cargo bench -p wasmtime-error-benches --features oom-test --bench oom_planted`
//! (`-- N` sets the number of lines; 2 000 by default).

use std::hint::black_box;
use std::time::{Duration, Instant};
use wasmtime_error::Result;
use wasmtime_error::alloc::{TryString, TryVec};
use wasmtime_error::oom_test::{FailureKind, OomTest, OomTestAllocator};
use wasmtime_error::try_format;

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// The builder; `planted` makes each label with `format!`.
fn build(lines: usize, planted: bool) -> Result<()> {
    let mut kept: TryVec<TryString> = TryVec::new();
    let mut text = TryString::new();
    for i in 0..lines {
        let label = if planted {
            #[allow(clippy::disallowed_macros, reason = "the planted defect")]
            let label = format!("#{i}");
            TryString::try_from_str(&label)?
        } else {
            let label = try_format!("#{i}")?;
            TryString::try_from_str(&label)?
        };
        let line = try_format!("{label}: item {i}")?;
        text.push_str(&line)?;
        kept.push(line)?;
    }
    black_box((&kept, &text));
    Ok(())
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn main() {
    let lines = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(2_000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Symbols are resolved once per process; the first report pays it.
    let _ = OomTest::new().check(|| build(3, true));
    let mut summary = None;
    let correct = time(|| summary = Some(OomTest::new().check(|| build(lines, false)).unwrap()));
    let summary = summary.unwrap();
    let mut failure = None;
    let broken = time(|| failure = Some(OomTest::new().check(|| build(lines, true)).unwrap_err()));
    let failure = failure.unwrap();
    assert!(
        matches!(failure.kind(), FailureKind::Aborted { .. }),
        "{failure}"
    );
    let skipped = failure.summary();
    let ratio = broken.as_secs_f64() / correct.as_secs_f64();
    println!(
        "{cores} cores; {lines} lines, {} allocations: corrected {:.2} s ({} runs); \
         broken {:.2} s ({} failed run reported, {} runs, {} skipped): {:.2}x ({})",
        summary.allocations,
        correct.as_secs_f64(),
        summary.runs,
        broken.as_secs_f64(),
        failure.failed_runs().len(),
        skipped.runs,
        skipped.skipped,
        ratio,
        if ratio <= 1.5 {
            "within the target of 1.5x"
        } else {
            "past the target of 1.5x"
        },
    );
}
