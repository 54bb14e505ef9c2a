//! Random allocation-failure schedules over the public API: the input is a
//! small program (error constructors, context, downcasts, formatting into a
//! fixed buffer, and collection operations) and a seed, and the oom-test
//! harness's fuzz mode runs the program several times, each time failing
//! one allocation picked from the seed. The harness checks that the program
//! returns the out-of-memory error exactly when an allocation failed,
//! allocates nothing after it, leaks nothing and does not panic; an
//! infallible allocation on the way aborts, which libFuzzer reports as a
//! crash.

#![no_main]

use std::fmt::{self, Write};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wasmtime_error::alloc::{TryClone, TryExtend, TryHashMap, TryHashSet, TryString, TryVec};
use wasmtime_error::oom_test::{OomTest, OomTestAllocator};
use wasmtime_error::{Context, Error, OutOfMemory, Result, format_err};

#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();

/// Runs of the program per input, each failing one allocation.
const RUNS: u32 = 4;

#[derive(Arbitrary, Debug)]
struct Input {
    seed: u64,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    New(u8),
    Msg(String),
    Formatted(String, u32),
    Literal,
    Context(String),
    ContextNumber(u32),
    WithContext(u16),
    ResultContext(u8),
    DowncastRef,
    DowncastMut,
    Downcast,
    Format,
    VecPush(u32),
    VecExtend(Vec<u16>),
    VecClone,
    StrPushStr(String),
    MapInsert(u8, u64),
    MapEntry(u8),
    SetExtend(Vec<u8>),
    SetClone,
}

/// A std error.
#[derive(Debug)]
struct Failure(u8);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failure {}", self.0)
    }
}

impl std::error::Error for Failure {}

/// Formats into a fixed buffer, so that formatting itself cannot allocate
/// (the crate promises it does not).
struct Buffer {
    bytes: [u8; 512],
    len: usize,
}

impl Write for Buffer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        room.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The error a constructor made, or its out-of-memory error handed back to
/// the harness (the chains built here never hold one otherwise).
fn built(error: Error) -> Result<Error> {
    if error.is::<OutOfMemory>() {
        return Err(error);
    }
    Ok(error)
}

fuzz_target!(|input: Input| {
    // In this process: libFuzzer watches it for crashes itself, and a fork
    // per run would cost more than the runs.
    let summary = OomTest::new()
        .isolated(false)
        .seed(input.seed)
        .max_iters(RUNS)
        .fuzzing(true)
        .check(|| program(&input.ops));
    if let Err(failure) = summary {
        panic!("{failure}\nops: {:?}", input.ops);
    }
});

fn program(ops: &[Op]) -> Result<()> {
    let mut error: Option<Error> = None;
    let mut vec = TryVec::new();
    let mut string = TryString::new();
    let mut map = TryHashMap::new();
    let mut set = TryHashSet::new();
    for op in ops {
        match op {
            Op::New(n) => {
                error = Some(built(Error::new(Failure(*n)))?);
            }
            Op::Msg(text) => error = Some(built(Error::msg(text.try_clone()?))?),
            Op::Formatted(text, n) => error = Some(built(format_err!("{text} #{n}"))?),
            Op::Literal => error = Some(built(format_err!("literal"))?),
            Op::Context(text) => {
                if let Some(inner) = error.take() {
                    error = Some(built(inner.context(text.try_clone()?))?);
                }
            }
            Op::ContextNumber(n) => {
                if let Some(inner) = error.take() {
                    error = Some(built(inner.context(*n))?);
                }
            }
            Op::WithContext(n) => {
                if let Some(inner) = error.take() {
                    let result: Result<()> = Err(inner);
                    error = Some(built(result.with_context(|| *n).unwrap_err())?);
                }
            }
            Op::ResultContext(n) => {
                let result: std::result::Result<(), Failure> = Err(Failure(*n));
                error = Some(built(result.context("around a std error").unwrap_err())?);
            }
            Op::DowncastRef => {
                if let Some(error) = &error {
                    let _ = error.downcast_ref::<Failure>();
                    let _ = error.downcast_ref::<&'static str>();
                    let _ = error.downcast_ref::<u32>();
                }
            }
            Op::DowncastMut => {
                if let Some(error) = &mut error {
                    if let Some(n) = error.downcast_mut::<u32>() {
                        *n = n.wrapping_add(1);
                    }
                    // A static message moves to the heap for this; when
                    // that allocation fails the answer is `None` while the
                    // message is still there.
                    if error.downcast_mut::<&'static str>().is_none() && error.is::<&'static str>()
                    {
                        return Err(OutOfMemory::new(0).into());
                    }
                }
            }
            Op::Downcast => {
                if let Some(inner) = error.take() {
                    error = inner.downcast::<Failure>().err();
                }
            }
            Op::Format => {
                if let Some(error) = &error {
                    let mut buffer = Buffer {
                        bytes: [0; 512],
                        len: 0,
                    };
                    let _ = write!(buffer, "{error} {error:#} {error:?} {error:#?}");
                    let _ = error.chain().rev().count();
                }
            }
            Op::VecPush(value) => vec.push(*value)?,
            Op::VecExtend(values) => vec.try_extend(values.iter().map(|&v| u32::from(v)))?,
            Op::VecClone => drop(vec.try_clone()?),
            Op::StrPushStr(text) => string.push_str(text)?,
            Op::MapInsert(key, value) => drop(map.insert(*key, *value)?),
            Op::MapEntry(key) => {
                let count = map.entry(*key).or_try_insert(0)?;
                *count = count.wrapping_add(1);
            }
            Op::SetExtend(values) => set.try_extend(values.iter().copied())?,
            Op::SetClone => drop(set.try_clone()?),
        }
    }
    Ok(())
}
