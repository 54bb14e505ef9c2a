//! A server loop under scoped memory limits: each request parses untrusted
//! input into the crate's collections inside a `MemoryScope` of its own.
//! One request is far too large: its parse gets `Err(OutOfMemory)` at the
//! limit, it is answered with an error, and the loop goes on. After each
//! request everything it allocated is freed, and its scope reads 0.
//!
//! Run with `cargo run -p wasmtime-error-examples --example memory_limit --features limit`.

use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};
use wasmtime_error::alloc::{TryHashMap, TryString, TryVec};
use wasmtime_error::{Context, OutOfMemory, Result, format_context};

#[global_allocator]
static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);

/// The most one request may allocate.
const REQUEST_LIMIT: usize = 64 * 1024;

/// `name: n n n` lines, parsed into a table from each name to its numbers.
fn parse(input: &str) -> Result<TryHashMap<TryString, TryVec<u64>>> {
    let mut table = TryHashMap::new();
    for (number, line) in input.lines().enumerate() {
        let (name, values) = line
            .split_once(':')
            .with_context(|| format_context!("line {}: no `:`", number + 1))?;
        let mut parsed = TryVec::new();
        for value in values.split_whitespace() {
            parsed.push(value.parse()?)?;
        }
        table.insert(TryString::try_from(name.trim())?, parsed)?;
    }
    Ok(table)
}

/// Answers one request: the sum of each name's numbers.
fn serve(input: &str) -> Result<u64> {
    let table = parse(input).context("parsing the request")?;
    Ok(table.values().flat_map(|values| values.iter()).sum())
}

fn main() {
    // A hostile request: a hundred thousand numbers under as many names.
    let mut huge = String::new();
    for n in 0..100_000 {
        huge.push_str(&format!("name{n}: {n} {n} {n}\n"));
    }
    let requests = [
        "alice: 1 2 3\nbob: 10 20",
        huge.as_str(),
        "carol: 5 5 5 5",
        "dave: 7\nerin: not-a-number",
    ];

    for (at, request) in requests.iter().enumerate() {
        let scope = MemoryScope::new(REQUEST_LIMIT).expect("a scope's counters fit in memory");
        match scope.run(|| serve(request)) {
            Ok(sum) => println!("request {at}: sum {sum}"),
            Err(error) if error.root_cause().is::<OutOfMemory>() => {
                println!("request {at}: refused, over its {REQUEST_LIMIT} bytes: {error:#}")
            }
            Err(error) => println!("request {at}: bad request: {error:#}"),
        }
        println!(
            "  peak {} bytes, {} requests refused, usage now {}",
            scope.peak(),
            scope.refused(),
            scope.usage()
        );
        assert_eq!(
            scope.usage(),
            0,
            "everything the request allocated is freed"
        );
    }
}
