//! The workloads every arm of the limit bench runs, the same code under
//! each global allocator. Each returns the CPU time per operation: of the
//! thread for the one-thread workloads, of the process (both threads) for
//! the two-thread ones. CPU time, not wall time, because the machine is
//! shared: a run that waits for a core does not count the wait (the page
//! faults it takes do count).

use std::hint::black_box;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// A CPU clock started at `start`.
struct CpuClock {
    clock: libc::clockid_t,
    start: Duration,
}

impl CpuClock {
    /// The calling thread's CPU time.
    fn thread() -> CpuClock {
        CpuClock::start(libc::CLOCK_THREAD_CPUTIME_ID)
    }

    /// The process's CPU time, every thread's.
    fn process() -> CpuClock {
        CpuClock::start(libc::CLOCK_PROCESS_CPUTIME_ID)
    }

    fn start(clock: libc::clockid_t) -> CpuClock {
        CpuClock {
            clock,
            start: read(clock),
        }
    }

    fn elapsed(&self) -> Duration {
        read(self.clock) - self.start
    }
}

fn read(clock: libc::clockid_t) -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to write to.
    let status = unsafe { libc::clock_gettime(clock, &mut now) };
    assert_eq!(status, 0, "clock_gettime");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Where an arm runs a workload's threads: the system allocator and `cap`
/// just run them; `LimitAllocator` arms inside their scopes.
pub trait Context: Sync {
    /// Runs `work` on the calling thread, inside the arm's scope: with
    /// `shared`, the one scope every thread of the workload shares; else a
    /// scope (chain) of this thread's own.
    fn run(&self, shared: bool, work: &mut dyn FnMut());
}

/// Runs `name` under `context`; nanoseconds per operation.
pub fn run(name: &str, context: &dyn Context) -> f64 {
    match name {
        "churn" => churn(context),
        "vec" => vec_growth(context),
        "parse" => parse(context),
        "threads-shared" => threads(context, true),
        "threads-each" => threads(context, false),
        _ => panic!("unknown workload {name}"),
    }
}

fn per_op(elapsed: Duration, ops: usize) -> f64 {
    elapsed.as_nanos() as f64 / ops as f64
}

/// Small blocks of 16 to 136 bytes, 64 kept live: each operation frees one
/// and allocates one in its place.
const CHURN_OPS: usize = 4_000_000;

fn churn_loop(ops: usize) {
    let mut live: Vec<Box<[u8]>> = (0..64)
        .map(|i| vec![0u8; 16 + i].into_boxed_slice())
        .collect();
    let mut seed = 0x9e37_79b9u32;
    for op in 0..ops {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let size = 16 + (seed as usize % 121);
        live[op % 64] = vec![op as u8; size].into_boxed_slice();
    }
    black_box(&live);
}

fn churn(context: &dyn Context) -> f64 {
    let mut elapsed = Duration::ZERO;
    context.run(true, &mut || {
        let start = CpuClock::thread();
        churn_loop(CHURN_OPS);
        elapsed = start.elapsed();
    });
    per_op(elapsed, CHURN_OPS)
}

/// A `Vec<u64>` pushed to 4 M elements, grown by `realloc`, 4 times.
fn vec_growth(context: &dyn Context) -> f64 {
    const LEN: usize = 4 << 20;
    const TIMES: usize = 4;
    let mut elapsed = Duration::ZERO;
    context.run(true, &mut || {
        let start = CpuClock::thread();
        for _ in 0..TIMES {
            let mut v = Vec::new();
            for i in 0..LEN as u64 {
                v.push(i);
            }
            black_box(&v);
        }
        elapsed = start.elapsed();
    });
    per_op(elapsed, LEN * TIMES)
}

/// A JSON document of about 4 MB: records with strings, numbers, arrays.
pub fn document() -> String {
    let mut text = String::from("[");
    for i in 0..20_000 {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            r#"{{"id":{i},"name":"item number {i}","tags":["a{}","b{}","c"],"price":{}.{},"nested":{{"x":{},"y":[1,2,3,4,5,6,7,8]}}}}"#,
            i % 7,
            i % 13,
            i * 3,
            i % 100,
            i * 11
        ));
    }
    text.push(']');
    text
}

/// `serde_json::Value` parsed from `document()`, 5 times; per parse.
fn parse(context: &dyn Context) -> f64 {
    const TIMES: usize = 5;
    let text = document();
    let mut elapsed = Duration::ZERO;
    context.run(true, &mut || {
        let start = CpuClock::thread();
        for _ in 0..TIMES {
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            black_box(&value);
        }
        elapsed = start.elapsed();
    });
    per_op(elapsed, TIMES)
}

/// Two threads churn small blocks; every 64 operations each sends the
/// blocks it replaced to the other, which frees them.
fn threads(context: &dyn Context, shared: bool) -> f64 {
    const OPS: usize = 2_000_000;
    const BATCH: usize = 64;
    let (to_b, from_a) = mpsc::channel::<Vec<Box<[u8]>>>();
    let (to_a, from_b) = mpsc::channel::<Vec<Box<[u8]>>>();
    let start = CpuClock::process();
    thread::scope(|s| {
        for (send, receive) in [(to_b, from_b), (to_a, from_a)] {
            s.spawn(move || {
                context.run(shared, &mut || {
                    let mut live: Vec<Box<[u8]>> = (0..64)
                        .map(|i| vec![0u8; 16 + i].into_boxed_slice())
                        .collect();
                    let mut outgoing = Vec::with_capacity(BATCH);
                    let mut seed = 0x1234_5678u32 ^ shared as u32;
                    for op in 0..OPS {
                        seed ^= seed << 13;
                        seed ^= seed >> 17;
                        seed ^= seed << 5;
                        let size = 16 + (seed as usize % 121);
                        let old = std::mem::replace(
                            &mut live[op % 64],
                            vec![op as u8; size].into_boxed_slice(),
                        );
                        outgoing.push(old);
                        if outgoing.len() == BATCH {
                            let full = std::mem::replace(&mut outgoing, Vec::with_capacity(BATCH));
                            if send.send(full).is_err() {
                                break;
                            }
                            // Free what the other thread sent, if anything.
                            while let Ok(batch) = receive.try_recv() {
                                drop(batch);
                            }
                        }
                    }
                    black_box(&live);
                });
                drop(send);
                // Drain until the other thread is done.
                for batch in receive {
                    drop(batch);
                }
            });
        }
    });
    per_op(start.elapsed(), 2 * OPS)
}
