//! A small parser of `name = number` lines, written so that every
//! allocation can fail, and checked with the OOM-injection harness: each of
//! its allocations is made to fail once, and each failure must come back
//! as an `OutOfMemory` error.
//!
//! Run it with `cargo run --example oom_test --features oom-test`.

use wasmtime_error::oom_test::{OomTest, OomTestAllocator};
use wasmtime_error::{Context, OutOfMemory, Result, bail, ensure};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// One parsed line.
#[derive(Debug)]
struct Setting {
    name: String,
    value: u32,
}

/// Copies `text` into a new `String`, or fails with `OutOfMemory`.
fn try_to_string(text: &str) -> Result<String, OutOfMemory> {
    let mut copy = String::new();
    copy.try_reserve_exact(text.len())
        .map_err(|_| OutOfMemory::new(text.len()))?;
    copy.push_str(text);
    Ok(copy)
}

/// Appends to `list` after making room for it, or fails with `OutOfMemory`.
fn try_push<T>(list: &mut Vec<T>, value: T) -> Result<(), OutOfMemory> {
    list.try_reserve(1)
        .map_err(|_| OutOfMemory::new(size_of::<T>()))?;
    list.push(value);
    Ok(())
}

fn parse_line(line: &str) -> Result<Setting> {
    let Some((name, value)) = line.split_once('=') else {
        bail!("expected `name = number`");
    };
    let name = name.trim();
    ensure!(!name.is_empty(), "empty name");
    let value = value.trim().parse::<u32>().context("bad number")?;
    Ok(Setting {
        name: try_to_string(name)?,
        value,
    })
}

fn parse(text: &str) -> Result<Vec<Setting>> {
    let mut settings = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let setting = parse_line(line).with_context(|| LineNumber(number + 1))?;
        try_push(&mut settings, setting)?;
    }
    Ok(settings)
}

/// A context that formats without allocating.
struct LineNumber(usize);

impl std::fmt::Display for LineNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.0)
    }
}

const CONFIG: &str = "\
# memory limits
tables = 4
memories = 1
globals = 100
functions = 10000
";

const BROKEN: &str = "tables = 4\nmemories = lots\n";

fn main() -> Result<()> {
    let summary = OomTest::new().test(|| {
        let settings = parse(CONFIG)?;
        assert_eq!(settings.len(), 4);
        assert_eq!(settings[3].name, "functions");
        assert_eq!(settings[3].value, 10_000);
        // The error path is tested too: its allocations must fail cleanly.
        let error = parse(BROKEN).unwrap_err();
        if error.is::<OutOfMemory>() {
            return Err(error);
        }
        assert!(error.is::<std::num::ParseIntError>());
        Ok(())
    })?;
    println!(
        "covered {} allocation sites: each failed once, each handled ({} runs)",
        summary.injected, summary.runs
    );

    let error = parse(BROKEN).unwrap_err();
    println!("the broken input still reads: {error:#}");
    Ok(())
}
