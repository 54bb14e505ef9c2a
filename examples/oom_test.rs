//! A small parser of `name = number` lines, written so that every
//! allocation can fail, and checked with the OOM-injection harness: each of
//! its allocations is made to fail once, and each failure must come back
//! as an `OutOfMemory` error.
//!
//! The parser keeps its data in the collections of `wasmtime_error::alloc`
//! (`TryVec`, `TryString`, `TryHashMap`), whose growing methods return
//! `Result<_, OutOfMemory>`: `?` turns a failed allocation straight into
//! the function's `Result`, and no call in it can abort on a full heap.
//! Its error context is formatted with `format_context!` (where anyhow code
//! writes `format!`, which aborts when memory runs out), and one line is
//! rebuilt with `try_format!`.
//!
//! The program prints how many allocations the harness failed and at how
//! many distinct places of the code they were made.
//!
//! Run it with `cargo run -p wasmtime-error-examples --example oom_test --features oom-test`.

use wasmtime_error::oom_test::OomTest;
use wasmtime_error::prelude::*;

// Not when tests/survive_oom.rs includes this file to run `exercise`: the test
// binary installs its own.
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    wasmtime_error::oom_test::OomTestAllocator::new();

/// One parsed line.
#[derive(Debug)]
struct Setting {
    name: TryString,
    value: u32,
}

/// The parsed file: the settings in file order, and where each name is.
#[derive(Debug, Default)]
pub struct Config {
    settings: TryVec<Setting>,
    by_name: TryHashMap<TryString, usize>,
}

impl Config {
    /// The value of the setting `name`.
    pub fn get(&self, name: &str) -> Option<u32> {
        let &at = self.by_name.get(name)?;
        Some(self.settings[at].value)
    }
}

fn parse_line(line: &str) -> Result<Setting> {
    let Some((name, value)) = line.split_once('=') else {
        bail!("expected `name = number`");
    };
    let name = name.trim();
    ensure!(!name.is_empty(), "empty name");
    let value = value.trim().parse::<u32>().context("bad number")?;
    Ok(Setting {
        name: TryString::try_from_str(name)?,
        value,
    })
}

/// Parses `name = number` lines; every allocation it makes may fail.
pub fn parse(text: &str) -> Result<Config> {
    let mut config = Config::default();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let setting = parse_line(line).with_context(|| format_context!("line {}", number + 1))?;
        ensure!(
            !config.by_name.contains_key(setting.name.as_str()),
            "line {}: `{}` is set twice",
            number + 1,
            setting.name
        );
        // The index needs its own copy of the name.
        let key = TryString::try_from_str(&setting.name)?;
        config.by_name.insert(key, config.settings.len())?;
        config.settings.push(setting)?;
    }
    Ok(config)
}

/// A well-formed file.
pub const CONFIG: &str = "\
# memory limits
tables = 4
memories = 1
globals = 100
functions = 10000
";

/// A file with a bad number on line 2.
pub const BROKEN: &str = "tables = 4\nmemories = lots\n";

/// A file that sets a name twice.
pub const TWICE: &str = "tables = 4\ntables = 5\n";

/// Parses the three files and checks the results; under `OomTest`, each
/// of its allocations is made to fail once.
pub fn exercise() -> Result<()> {
    let config = parse(CONFIG)?;
    assert_eq!(config.settings.len(), 4);
    assert_eq!(config.settings[3].name, "functions");
    assert_eq!(config.get("functions"), Some(10_000));
    assert_eq!(config.get("tables"), Some(4));
    let first = &config.settings[0];
    let line = try_format!("{} = {}", first.name, first.value)?;
    assert_eq!(line, "tables = 4");
    // The error paths are tested too: their allocations must fail cleanly.
    let error = parse(BROKEN).unwrap_err();
    if error.is::<OutOfMemory>() {
        return Err(error);
    }
    assert!(error.is::<std::num::ParseIntError>());
    let error = parse(TWICE).unwrap_err();
    if error.is::<OutOfMemory>() {
        return Err(error);
    }
    Ok(())
}

fn main() -> Result<()> {
    let summary = OomTest::new().test(exercise)?;
    println!(
        "failed {} allocations, one per run, made at {} distinct places in the code; \
         each failure came back as an OutOfMemory error",
        summary.injected, summary.sites
    );

    println!(
        "the broken input still reads: {:#}",
        parse(BROKEN).unwrap_err()
    );
    println!(
        "and so does the repeated one: {:#}",
        parse(TWICE).unwrap_err()
    );
    Ok(())
}
