//! The README's code, run under the OOM-injection harness: every allocation
//! it makes is failed once, and each failure must come back as an
//! `OutOfMemory` error, never an abort. (The examples' own code is tested
//! the same way in examples/tests/survive_oom.rs.)
//!
//! The README's functions are copied here between markers, and a test
//! checks that the README still holds them word for word.

#[path = "support/fail_each.rs"]
mod fail_each;

use fail_each::{each_allocation_fails_once, unless_oom};
use std::num::ParseIntError;
use wasmtime_error::oom_test::{OomTest, OomTestAllocator};
use wasmtime_error::prelude::*;

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

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
    assert_eq!(copies, 3);
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

// README: begin
fn greeting(name: &str) -> Result<TryString> {
    let text = try_format!("hello, {name}")?;
    Ok(text)
}

#[test]
fn greeting_survives_every_allocation_failure() {
    let summary = OomTest::new()
        .test(|| {
            assert_eq!(greeting("world")?, "hello, world");
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.allocations, 1);
}
// README: end
