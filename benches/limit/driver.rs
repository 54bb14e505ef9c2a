//! The limit bench: the workloads of `workloads.rs` under the system
//! allocator, `cap`, and `LimitAllocator` with no scope, in one scope,
//! three scopes deep and near the limit; each arm a binary of its own
//! (`limit-arm-*`), run in turn, the arms interleaved within each round so
//! that the machine's drift spreads over all of them. Prints the medians
//! of CPU time (see `workloads.rs`) as a Markdown table, the largest
//! overshoot of fallible requests racing for the last bytes of a scope, and
//! the machine with its load.
//!
//! `cargo bench -p wasmtime-error-benches --features limit --bench limit`
//! (`-- ROUNDS`, 7 by default).

use std::process::Command;

const ARMS: [(&str, &str, &str); 6] = [
    ("system", env!("CARGO_BIN_EXE_limit-arm-system"), ""),
    ("cap", env!("CARGO_BIN_EXE_limit-arm-cap"), ""),
    (
        "ours, no scope",
        env!("CARGO_BIN_EXE_limit-arm-ours"),
        "none",
    ),
    (
        "ours, 1 scope",
        env!("CARGO_BIN_EXE_limit-arm-ours"),
        "scope",
    ),
    ("ours, 3 deep", env!("CARGO_BIN_EXE_limit-arm-ours"), "deep"),
    (
        "ours, near limit",
        env!("CARGO_BIN_EXE_limit-arm-ours"),
        "near",
    ),
];

const WORKLOADS: [(&str, &str); 5] = [
    ("churn", "small-block churn, 64 live (CPU ns/op)"),
    ("vec", "`Vec<u64>` grown by realloc (CPU ns/push)"),
    ("parse", "serde_json, 4 MB document (CPU ms/parse)"),
    (
        "threads-shared",
        "2 threads, one shared scope, cross frees (CPU ns/op)",
    ),
    (
        "threads-each",
        "2 threads, a scope each, cross frees (CPU ns/op)",
    ),
];

fn run(binary: &str, args: &[&str]) -> String {
    let output = Command::new(binary).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{binary} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "unknown kernel".to_owned(), |k| k.trim().to_owned());
    format!("{cores} cores ({cpu}), Linux {kernel}")
}

/// The load average over the last minute, as the kernel reports it.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |avg| avg.split(' ').next().unwrap_or("unknown").to_owned(),
    )
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with('-'))
        .map_or(7, |n| n.parse().expect("the number of rounds"));
    // times[workload][arm]
    let mut times = vec![vec![Vec::new(); ARMS.len()]; WORKLOADS.len()];
    let mut overshoot = isize::MIN;
    let load_before = load();
    for round in 0..rounds {
        for (w, (workload, _)) in WORKLOADS.iter().enumerate() {
            for turn in 0..ARMS.len() {
                let a = (turn + round) % ARMS.len();
                let (_, binary, mode) = ARMS[a];
                let args: Vec<&str> = [*workload, mode]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect();
                let mut ns: f64 = run(binary, &args).parse().unwrap();
                if *workload == "parse" {
                    ns /= 1e6;
                }
                times[w][a].push(ns);
            }
        }
        let worst: isize = run(ARMS[2].1, &["overshoot"]).parse().unwrap();
        overshoot = overshoot.max(worst);
        eprintln!("round {} of {rounds} done", round + 1);
    }
    let header: Vec<&str> = ARMS.iter().map(|(name, _, _)| *name).collect();
    println!("| workload | {} |", header.join(" | "));
    println!("|---|{}", "---:|".repeat(ARMS.len()));
    for (w, (_, title)) in WORKLOADS.iter().enumerate() {
        let medians: Vec<f64> = times[w].iter().cloned().map(median).collect();
        let cells: Vec<String> = medians
            .iter()
            .enumerate()
            .map(|(a, &m)| {
                if a == 0 {
                    format!("{m:.2}")
                } else {
                    format!("{m:.2} ({:+.0}%)", (m / medians[0] - 1.0) * 100.0)
                }
            })
            .collect();
        println!("| {title} | {} |", cells.join(" | "));
    }
    println!();
    println!(
        "Medians of {rounds} interleaved runs of CPU time (the thread's; both threads' for the \
         two-thread workloads); in parentheses, the difference from the system allocator."
    );
    println!(
        "Largest overshoot past a 1 MiB limit by two threads racing with fallible requests, \
         over {} races: {} bytes ({}).",
        rounds * 200,
        overshoot.max(0),
        if overshoot <= 0 {
            "never past the limit"
        } else {
            "PAST THE LIMIT"
        }
    );
    println!(
        "Machine: {}; load average {load_before} at the start, {} at the end.",
        machine(),
        load()
    );
}
