//! A memory budget that runs out: a "tenant" fills a table until its budget
//! refuses more memory; the program reports the out-of-memory error, gives
//! the memory back and carries on.
//!
//! Run with `cargo run -p wasmtime-error-examples --example budget --features hash-map`
//! (`TryHashMap` is behind the feature `hash-map`).

use wasmtime_error::alloc::{Budget, TryHashMap, TryVec};
use wasmtime_error::{Context, OutOfMemory, Result, format_context};

/// Records `count` readings, each in a log and in an index: both live in the
/// tenant's budget.
pub fn record(budget: &Budget, count: u64) -> Result<(usize, usize)> {
    let mut log = TryVec::new_in(budget);
    let mut index = TryHashMap::new_in(budget);
    for reading in 0..count {
        log.push(reading)
            .with_context(|| format_context!("logging reading {reading}"))?;
        index
            .insert(reading, log.len() - 1)
            .context("indexing a reading")?;
    }
    Ok((log.len(), index.len()))
}

fn main() {
    let budget = Budget::new(64 * 1024);

    for count in [100, 10_000, 200] {
        // Each run reports its own peak, not the highest of all runs so far.
        budget.reset_peak();
        match record(&budget, count) {
            Ok((logged, indexed)) => println!(
                "{count} readings: logged {logged}, indexed {indexed}, peak {} of {} bytes",
                budget.peak(),
                budget.limit()
            ),
            // An out-of-memory error stays a bare `OutOfMemory`: adding the
            // context would itself need memory, so it is skipped.
            Err(error) => match error.downcast_ref::<OutOfMemory>() {
                Some(oom) => println!(
                    "{count} readings: refused a request of {} bytes ({} of {} in use at peak)",
                    oom.requested_allocation_size(),
                    budget.peak(),
                    budget.limit()
                ),
                None => println!("{count} readings: failed: {error:#}"),
            },
        }
        // Whatever happened, everything was given back.
        assert_eq!(budget.used(), 0);
    }
}
