//! The README's code and each example's function that allocates, run under
//! the OOM-injection harness: every allocation they make is failed once, and
//! each failure must come back as an `OutOfMemory` error, never an abort.
//!
//! The README's functions are copied here between markers, and a test
//! checks that the README still holds them word for word. The examples are
//! included as modules, so their own functions run.

use std::num::ParseIntError;
use wasmtime_error::oom_test::{OomTest, OomTestAllocator, OomTestSummary};
use wasmtime_error::prelude::*;

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

#[allow(dead_code)]
#[path = "../examples/basic.rs"]
mod basic;

#[allow(dead_code)]
#[path = "../examples/budget.rs"]
mod budget;

#[allow(dead_code)]
#[path = "../examples/thiserror.rs"]
mod thiserror_example;

#[cfg(feature = "anyhow")]
#[allow(dead_code)]
#[path = "../examples/anyhow_interop.rs"]
mod anyhow_interop;

#[allow(dead_code)]
#[path = "../examples/oom_test.rs"]
mod oom_example;

/// Runs `body` under the harness, checks that each allocation was failed
/// once, and returns the summary.
fn each_allocation_fails_once(body: impl FnMut() -> Result<()>) -> OomTestSummary {
    let summary = OomTest::new().check(body).unwrap();
    assert_eq!(summary.injected, summary.allocations);
    summary
}

/// Passes an out-of-memory error back to the harness; any other error is
/// the value under test.
fn unless_oom(error: Error) -> Result<Error> {
    if error.is::<OutOfMemory>() {
        Err(error)
    } else {
        Ok(error)
    }
}

// README: begin
fn parse_level(text: &str) -> Result<u8> {
    ensure!(!text.is_empty(), "no level given");
    let level: u8 = text
        .parse()
        .with_context(|| format_context!("level {text:?}"))?;
    if level > 9 {
        bail!("level {level} is above 9");
    }
    Ok(level)
}
// README: end

// README: begin
fn describe(name: &str, sizes: &[&str]) -> Result<TryString> {
    let mut parsed = Vec::new();
    parsed.try_reserve_exact(sizes.len())?; // a failure is an `OutOfMemory`
    for size in sizes {
        let size: usize = size
            .parse()
            .with_context(|| format_context!("size {size:?} of {name}"))?;
        parsed.push(size); // within the reserved capacity
    }
    let text = try_format!("{name}: {} bytes", parsed.iter().sum::<usize>())?;
    Ok(text)
}
// README: end

#[test]
fn the_readme_holds_the_functions_tested_here() {
    let readme = include_str!("../README.md");
    let source = include_str!("idioms.rs");
    let mut copies = 0;
    for block in source.split("// README: begin\n").skip(1) {
        let (code, _) = block.split_once("// README: end").unwrap();
        assert!(readme.contains(code), "not in the README:\n{code}");
        copies += 1;
    }
    assert_eq!(copies, 2);
}

#[test]
fn the_readme_tour_survives_every_failure() {
    // The context's text and its layer.
    let summary = each_allocation_fails_once(|| {
        let error = unless_oom(parse_level("x").unwrap_err())?;
        assert_eq!(error.downcast_ref::<String>().unwrap(), "level \"x\"");
        assert!(error.is::<ParseIntError>());
        assert_eq!(parse_level("7")?, 7);
        Ok(())
    });
    assert_eq!(summary.allocations, 2);
    each_allocation_fails_once(|| {
        let error = unless_oom(parse_level("12").unwrap_err())?;
        assert!(error.downcast_ref::<OutOfMemory>().is_none());
        let error = unless_oom(parse_level("").unwrap_err())?;
        assert!(error.downcast_ref::<OutOfMemory>().is_none());
        Ok(())
    });
}

#[test]
fn the_readme_idioms_survive_every_failure() {
    // The reservation and the text.
    let summary = each_allocation_fails_once(|| {
        assert_eq!(describe("heap", &["1", "2"])?, "heap: 3 bytes");
        Ok(())
    });
    assert_eq!(summary.allocations, 2);
    // The reservation, the context's text and its layer.
    let summary = each_allocation_fails_once(|| {
        let error = unless_oom(describe("stack", &["x"]).unwrap_err())?;
        assert_eq!(
            error.downcast_ref::<String>().unwrap(),
            "size \"x\" of stack"
        );
        Ok(())
    });
    assert_eq!(summary.allocations, 3);
}

#[test]
fn example_basic_survives_every_failure() {
    // The sensor's context text, its layer, and the survey's layer.
    let summary = each_allocation_fails_once(|| {
        let error = unless_oom(basic::survey().unwrap_err())?;
        assert_eq!(error.chain().count(), 3);
        Ok(())
    });
    assert_eq!(summary.allocations, 3);
}

#[test]
fn example_budget_survives_every_failure() {
    let summary = each_allocation_fails_once(|| {
        let budget = wasmtime_error::alloc::Budget::new(64 * 1024);
        let (logged, indexed) = budget::record(&budget, 100)?;
        assert_eq!((logged, indexed), (100, 100));
        Ok(())
    });
    assert!(summary.allocations > 0);
}

#[test]
fn example_thiserror_survives_every_failure() {
    // The context layer.
    let summary = each_allocation_fails_once(|| {
        let error = unless_oom(thiserror_example::load("eighty").unwrap_err())?;
        assert!(error.is::<thiserror_example::ConfigError>());
        Ok(())
    });
    assert_eq!(summary.allocations, 1);
}

#[cfg(feature = "anyhow")]
#[test]
fn example_anyhow_interop_survives_every_failure() {
    // The context's text and its layer.
    let summary = each_allocation_fails_once(|| {
        let error = unless_oom(anyhow_interop::config::port("eighty").unwrap_err())?;
        assert_eq!(
            error.downcast_ref::<String>().unwrap(),
            "port \"eighty\" is not a number"
        );
        Ok(())
    });
    assert_eq!(summary.allocations, 2);
}

#[test]
fn example_oom_test_survives_every_failure() {
    let summary = each_allocation_fails_once(oom_example::exercise);
    assert!(summary.allocations > 0);
    if !cfg!(miri) {
        assert!(summary.sites() > 1 && summary.sites() < summary.injected);
    }
}
