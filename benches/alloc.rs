//! `TryVec::push` against `Vec::push`, and `TryHashMap::insert` against
//! `hashbrown::HashMap::insert`, growing from empty to 10, 1 000 and
//! 100 000 elements.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use wasmtime_error::alloc::{TryHashMap, TryVec};

const SIZES: [u64; 3] = [10, 1_000, 100_000];

fn push(c: &mut Criterion) {
    let mut group = c.benchmark_group("push");
    for n in SIZES {
        group.bench_with_input(BenchmarkId::new("Vec", n), &n, |b, &n| {
            b.iter(|| {
                let mut v = Vec::new();
                for i in 0..n {
                    v.push(black_box(i));
                }
                v
            })
        });
        group.bench_with_input(BenchmarkId::new("TryVec", n), &n, |b, &n| {
            b.iter(|| {
                let mut v = TryVec::new();
                for i in 0..n {
                    v.push(black_box(i)).unwrap();
                }
                v
            })
        });
    }
    group.finish();
}

fn insert(c: &mut Criterion) {
    let mut group = c.benchmark_group("insert");
    for n in SIZES {
        group.bench_with_input(BenchmarkId::new("hashbrown::HashMap", n), &n, |b, &n| {
            b.iter(|| {
                let mut map = hashbrown::HashMap::new();
                for i in 0..n {
                    map.insert(black_box(i), i);
                }
                map
            })
        });
        group.bench_with_input(BenchmarkId::new("TryHashMap", n), &n, |b, &n| {
            b.iter(|| {
                let mut map = TryHashMap::new();
                for i in 0..n {
                    map.insert(black_box(i), i).unwrap();
                }
                map
            })
        });
    }
    group.finish();
}

criterion_group!(benches, push, insert);
criterion_main!(benches);
