//! Instructions per operation for `wasmtime_error`, `anyhow` and Wasmtime's
//! error, counted by valgrind's callgrind: the same count on every run of
//! the same binary, where the times of the `error` bench move by a few
//! percent with the machine's load and the code's placement.
//!
//! `cargo bench -p wasmtime-error-benches --bench instructions` (needs
//! `valgrind` on the `PATH`). The bench runs itself once per operation and
//! crate under callgrind, counting only the instructions inside that crate's
//! `repeat` loop, and divides by the number of repetitions.

#[allow(dead_code)] // the criterion bench uses the rest
mod common;

use common::{ANYHOW, OURS, Op, WASMTIME, anyhow_ops, ours_ops, wasmtime_ops};
use std::process::Command;

/// Repetitions per count: enough that the one-time cost of the first call
/// (lazy initialisation, a cold allocator) is below 0.1 instruction each.
const REPEAT: usize = 20_000;

/// Set in the environment of the runs under callgrind: "<op index> <crate>".
const CHILD: &str = "WASMTIME_ERROR_BENCH_CHILD";

const CRATES: [(&str, &str); 3] = [
    (OURS, "*ours_ops::repeat"),
    (ANYHOW, "*anyhow_ops::repeat"),
    (WASMTIME, "*wasmtime_ops::repeat"),
];

fn main() {
    // SAFETY: nothing else runs yet; no other thread reads the environment.
    unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    match std::env::var(CHILD) {
        Ok(task) => run_child(&task),
        Err(_) => run_parent(),
    }
}

/// One operation of one crate, `REPEAT` times, inside its `repeat`.
fn run_child(task: &str) {
    let (index, krate) = task.split_once(' ').expect("<op index> <crate>");
    let op = Op::ALL[index.parse::<usize>().expect("an op index")];
    match krate {
        OURS => ours_ops::repeat(op, REPEAT, &ours_ops::chain(5), &ours_ops::chain(3)),
        ANYHOW => anyhow_ops::repeat(op, REPEAT, &anyhow_ops::chain(5), &anyhow_ops::chain(3)),
        WASMTIME => {
            wasmtime_ops::repeat(op, REPEAT, &wasmtime_ops::chain(5), &wasmtime_ops::chain(3))
        }
        other => panic!("unknown crate {other}"),
    }
}

fn run_parent() {
    let exe = std::env::current_exe().expect("the bench's own path");
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("instructions: valgrind is not on the PATH; nothing measured");
        std::process::exit(1);
    }
    println!(
        "| operation (instructions) | {OURS} | {ANYHOW} | {WASMTIME} | ours / anyhow | ours / Wasmtime |"
    );
    println!("|---|---|---|---|---|---|");
    for (index, op) in Op::ALL.iter().enumerate() {
        let counts = CRATES.map(|(krate, function)| {
            let output = Command::new("valgrind")
                .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
                .arg(format!("--toggle-collect={function}"))
                .arg(&exe)
                .env(CHILD, format!("{index} {krate}"))
                .output()
                .expect("valgrind runs");
            let log = String::from_utf8_lossy(&output.stderr);
            assert!(
                output.status.success(),
                "{krate} {op:?} under callgrind failed:\n{log}"
            );
            let collected = log
                .lines()
                .find_map(|line| line.split_once("Collected : ").map(|(_, n)| n.trim()))
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or_else(|| panic!("no instruction count in callgrind's output:\n{log}"));
            assert!(
                collected > 0,
                "{krate} {op:?}: the pattern {function} matched nothing"
            );
            collected as f64 / REPEAT as f64
        });
        let [ours, anyhow, wasmtime] = counts;
        println!(
            "| {} | {ours:.1} | {anyhow:.1} | {wasmtime:.1} | {:.2} | {:.2} |",
            op.label(),
            ours / anyhow,
            ours / wasmtime,
        );
    }
}
