//! How long the OOM harness takes to check a closure of K allocations, in
//! each of its ways, next to the floor of each way (a timing binary: each
//! check is long enough to time once).
//!
//! The closure pushes K small `try_format!` strings into a `TryVec`: K + log
//! K allocations at 2 sites. Rows:
//!
//! - exhaustive, in this process: K runs, run i repeating i allocations;
//! - exhaustive, isolated (the default on unix): the same K failures, each
//!   in a child process;
//! - site mode (`each_site(1, 1)`, isolated): the first and last
//!   occurrence of each site.
//!
//! Floors: for exhaustive, the K runs of the closure's prefix (a plain run
//! of j strings for each j, measured for K up to 16 000 and extrapolated
//! from a plain run of K beyond); for site mode, sites x a plain run.
//!
//! `cargo bench -p wasmtime-error-benches --features oom-test --bench oom_harness`
//! (`-- quick` skips the slow exhaustive rows at K = 100 000).

use std::hint::black_box;
use std::time::{Duration, Instant};
use wasmtime_error::Result;
use wasmtime_error::alloc::{TryString, TryVec};
use wasmtime_error::oom_test::{OomTest, OomTestAllocator};
use wasmtime_error::try_format;

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

fn strings(k: usize) -> Result<()> {
    let mut strings: TryVec<TryString> = TryVec::new();
    for i in 0..k {
        // Two lines: two sites.
        let text = try_format!("item {i}")?;
        strings.push(text)?;
    }
    black_box(&strings);
    Ok(())
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// The fastest of a few plain runs of `strings(k)`.
fn plain(k: usize) -> Duration {
    (0..5).map(|_| time(|| strings(k).unwrap())).min().unwrap()
}

fn prefix_floor(k: usize) -> (Duration, &'static str) {
    if k <= 16_000 {
        (
            time(|| (0..k).for_each(|j| strings(j).unwrap())),
            "measured",
        )
    } else {
        (plain(k) * (k as u32 + 1) / 2, "extrapolated")
    }
}

fn show(duration: Duration) -> String {
    if duration >= Duration::from_secs(1) {
        format!("{:.2} s", duration.as_secs_f64())
    } else {
        format!("{:.1} ms", duration.as_secs_f64() * 1e3)
    }
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "quick");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Site mode resolves symbols; the first resolution starts the symbol
    // server and loads the debug info (about 0.1 s), once per process: a
    // test binary pays it once, not per test. Exhaustive tests that pass
    // resolve none.
    let _ = OomTest::new()
        .each_site(1, 1)
        .check(|| strings(10))
        .unwrap()
        .sites();
    println!("{cores} cores; closure: K try_format! strings pushed into a TryVec\n");
    println!(
        "| K | allocations | plain run | exhaustive, in process | exhaustive, isolated | floor: K prefix runs | site mode (1 + 1), isolated | floor: sites x plain run |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for k in [1_000, 10_000, 16_000, 100_000] {
        let plain_run = plain(k);
        let slow = k > 16_000;
        let in_process = (!slow).then(|| {
            let mut summary = None;
            let took = time(|| {
                summary = Some(OomTest::new().isolated(false).check(|| strings(k)).unwrap())
            });
            (took, summary.unwrap())
        });
        let isolated = (!(slow && quick)).then(|| {
            let mut summary = None;
            let took = time(|| summary = Some(OomTest::new().check(|| strings(k)).unwrap()));
            (took, summary.unwrap())
        });
        let (floor, how) = prefix_floor(k);
        let mut sites = None;
        let site_mode =
            time(|| sites = Some(OomTest::new().each_site(1, 1).check(|| strings(k)).unwrap()));
        let sites = sites.unwrap();
        let allocations = sites.allocations;
        if let Some((_, summary)) = &isolated {
            assert_eq!(summary.injected, allocations);
        }
        println!(
            "| {k} | {allocations} | {} | {} | {} | {} ({how}) | {} ({} sites, {} runs) | {} |",
            show(plain_run),
            in_process.map_or("—".into(), |(took, _)| show(took)),
            isolated.map_or("—".into(), |(took, _)| show(took)),
            show(floor),
            show(site_mode),
            sites.sites(),
            sites.runs,
            show(plain_run * sites.sites() as u32),
        );
    }
}
