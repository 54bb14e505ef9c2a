//! The README's code, run under the OOM-injection harness: every allocation
//! it makes is failed once, and each failure must come back as an
//! `OutOfMemory` error, never an abort. (The examples' own code is tested
//! the same way in examples/tests/survive_oom.rs.)
//!
//! The README's functions are copied here between markers, and a test
//! checks that the README still holds them word for word. The README's
//! examples of the feature `collections` are not doctests (the crate's
//! docs are tested without it too): their assertions are copied here as
//! well, unindented as the README shows them.

#[path = "support/fail_each.rs"]
mod fail_each;

use fail_each::{each_allocation_fails_once, unless_oom};
use std::num::ParseIntError;
use wasmtime_error::alloc::Budget;
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
    assert_eq!(copies, 7);
}

#[rustfmt::skip]
#[test]
fn the_readmes_assertions_on_its_idioms_hold() {
// README: begin
assert_eq!(describe("heap", &["1", "2"]).unwrap(), "heap: 3 bytes");
let error = describe("stack", &["x"]).unwrap_err();
assert_eq!(format!("{error:#}"), "size \"x\" of stack: invalid digit found in string");
// README: end
}

// README: begin
fn copy_all(words: &[&str], budget: &Budget) -> Result<usize> {
    let mut copies = TryVec::new_in(budget);
    for word in words {
        let mut copy = TryString::new_in(budget);
        copy.push_str(word)?;
        copies.push(copy)?;
    }
    Ok(copies.len())
}
// README: end

#[rustfmt::skip]
#[test]
fn the_readmes_assertions_on_its_budget_hold() {
// README: begin
let roomy = Budget::new(1024);
assert_eq!(copy_all(&["oom", "ok"], &roomy).unwrap(), 2);
let tiny = Budget::new(16);
let error = copy_all(&["oom", "ok"], &tiny).unwrap_err();
assert!(error.is::<wasmtime_error::OutOfMemory>());
// README: end
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
// README: end

// README: begin
#[test]
fn greeting_survives_every_allocation_failure() -> Result<()> {
    OomTest::new().test(|| {
        assert_eq!(greeting("world")?, "hello, world");
        Ok(())
    })
}
// README: end
