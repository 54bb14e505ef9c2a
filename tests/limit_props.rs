//! Property tests of scoped limits: random sequences of allocations,
//! reallocations and frees across nested scopes (and across threads),
//! with every counter checked against a model.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use proptest::prelude::*;
use std::thread;

use wasmtime_error::alloc::TryVec;
use wasmtime_error::alloc::limit::{LimitAllocator, MemoryScope};

#[global_allocator]
static ALLOCATOR: LimitAllocator = LimitAllocator::new(std::alloc::System);

/// The scopes of a case: a root, two children, a grandchild under the
/// first child.
const PARENTS: [Option<usize>; 4] = [None, Some(0), Some(0), Some(1)];

/// A block, with a capacity of exactly its size, owned by the context it
/// was last (re)allocated in.
enum Block {
    Fallible(TryVec<u8>),
    Infallible(Vec<u8>),
}

impl Block {
    /// A block of `size` bytes: through `TryVec` (fallible), or `Vec`,
    /// with `alloc_zeroed` or `alloc`. Length 0, so that it resizes to
    /// exactly what it asks.
    fn new(size: usize, fallible: bool, zeroed: bool) -> Option<Block> {
        if fallible {
            TryVec::with_capacity(size).ok().map(Block::Fallible)
        } else if zeroed {
            let mut zeroes = vec![0u8; size];
            zeroes.clear();
            Some(Block::Infallible(zeroes))
        } else {
            Some(Block::Infallible(Vec::with_capacity(size)))
        }
    }

    /// Grows or shrinks the block to `size` bytes: whether it did.
    fn resize(&mut self, size: usize) -> bool {
        let old = self.size();
        match self {
            Block::Fallible(v) if size > old => v.reserve_exact(size).is_ok(),
            Block::Fallible(v) => v.shrink_to(size).is_ok(),
            Block::Infallible(v) if size > old => {
                v.reserve_exact(size);
                true
            }
            Block::Infallible(v) => {
                v.shrink_to(size);
                true
            }
        }
    }

    fn size(&self) -> usize {
        match self {
            Block::Fallible(v) => v.capacity(),
            Block::Infallible(v) => v.capacity(),
        }
    }
}

/// A block's owner (none: allocated outside every scope) and size.
type Owned = (Option<usize>, usize);

#[derive(Clone, Debug)]
enum Op {
    /// In scope `scope` (none: outside every scope).
    Alloc {
        scope: Option<usize>,
        size: usize,
        fallible: bool,
        zeroed: bool,
    },
    Free {
        block: usize,
        scope: Option<usize>,
    },
    Resize {
        block: usize,
        scope: Option<usize>,
        size: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let scope = prop::option::weighted(0.85, 0..4usize);
    prop_oneof![
        3 => (scope.clone(), 1..3000usize, any::<bool>(), any::<bool>())
            .prop_map(|(scope, size, fallible, zeroed)| Op::Alloc { scope, size, fallible, zeroed }),
        2 => (any::<usize>(), scope.clone()).prop_map(|(block, scope)| Op::Free { block, scope }),
        2 => (any::<usize>(), scope, 1..4000usize)
            .prop_map(|(block, scope, size)| Op::Resize { block, scope, size }),
    ]
}

/// What the counters must read.
struct Model {
    limits: Vec<usize>,
    refused: Vec<usize>,
    /// The highest usage of each scope so far (one thread: exact).
    peaks: Vec<usize>,
    /// The blocks alive.
    blocks: Vec<Owned>,
}

impl Model {
    fn chain(&self, scope: Option<usize>) -> Vec<usize> {
        std::iter::successors(scope, |&s| PARENTS[s]).collect()
    }

    fn usage(&self, scope: usize) -> usize {
        self.blocks
            .iter()
            .filter(|(owner, _)| self.chain(*owner).contains(&scope))
            .map(|(_, size)| size)
            .sum()
    }

    /// Whether a fallible request of `bytes` in `scope` fits every limit.
    fn fits(&self, scope: Option<usize>, bytes: usize) -> bool {
        self.chain(scope)
            .iter()
            .all(|&s| self.usage(s) + bytes <= self.limits[s])
    }

    fn refuse(&mut self, scope: Option<usize>) {
        for s in self.chain(scope) {
            self.refused[s] += 1;
        }
    }

    /// Raises the peaks of `scope`'s chain to its usage plus `extra` bytes
    /// (a block that counts for a moment besides the live ones).
    fn note_peaks(&mut self, scope: Option<usize>, extra: usize) {
        for s in self.chain(scope) {
            self.peaks[s] = self.peaks[s].max(self.usage(s) + extra);
        }
    }
}

fn inside<R>(scopes: &[MemoryScope], scope: Option<usize>, f: impl FnOnce() -> R) -> R {
    match scope {
        Some(s) => scopes[s].run(f),
        None => f(),
    }
}

/// Makes the scopes of a case, each inside its parent.
fn make_scopes(limits: &[usize]) -> Vec<MemoryScope> {
    let mut scopes: Vec<MemoryScope> = Vec::new();
    for (s, &limit) in limits.iter().enumerate() {
        let scope = inside(&scopes, PARENTS[s], || MemoryScope::new(limit)).unwrap();
        scopes.push(scope);
    }
    scopes
}

/// Applies `op`, checking its outcome against the model, which it updates.
fn apply(scopes: &[MemoryScope], blocks: &mut Vec<Block>, model: &mut Model, op: &Op) {
    match *op {
        Op::Alloc {
            scope,
            size,
            fallible,
            zeroed,
        } => {
            let fits = scope.is_none() || model.fits(scope, size);
            let made = inside(scopes, scope, || Block::new(size, fallible, zeroed));
            assert_eq!(made.is_some(), !fallible || fits, "{op:?}");
            match made {
                Some(block) => {
                    blocks.push(block);
                    model.blocks.push((scope, size));
                    model.note_peaks(scope, 0);
                }
                None => model.refuse(scope),
            }
        }
        Op::Free { block, scope } if !blocks.is_empty() => {
            let at = block % blocks.len();
            let freed = blocks.swap_remove(at);
            model.blocks.swap_remove(at);
            inside(scopes, scope, || drop(freed));
        }
        Op::Resize { block, scope, size } if !blocks.is_empty() => {
            let at = block % blocks.len();
            let (owner, old) = model.blocks[at];
            if size == old {
                return;
            }
            // In place when the owner is the current scope; else it moves
            // to the current context, the old block counting meanwhile.
            let needed = if owner == scope {
                size.saturating_sub(old)
            } else {
                size
            };
            let fits = scope.is_none() || needed == 0 || model.fits(scope, needed);
            let resized = inside(scopes, scope, || blocks[at].resize(size));
            let fallible = matches!(blocks[at], Block::Fallible(_));
            assert_eq!(
                resized,
                !fallible || fits,
                "{op:?} of a block of {old} owned by {owner:?}"
            );
            if resized {
                assert_eq!(blocks[at].size(), size);
                if owner != scope {
                    // Moved: the new block was made while the old one lived.
                    model.note_peaks(scope, size);
                }
                model.blocks[at] = (scope, size);
                model.note_peaks(scope, 0);
            } else {
                model.refuse(scope);
            }
        }
        Op::Free { .. } | Op::Resize { .. } => {}
    }
}

fn check_counters(scopes: &[MemoryScope], model: &Model) {
    for (s, scope) in scopes.iter().enumerate() {
        let usage = model.usage(s);
        assert_eq!(scope.usage(), usage, "usage of scope {s}");
        assert_eq!(scope.peak(), model.peaks[s], "peak of scope {s}");
        assert_eq!(scope.refused(), model.refused[s], "refusals of scope {s}");
        let over = model
            .chain(Some(s))
            .iter()
            .any(|&l| model.usage(l) > model.limits[l]);
        assert_eq!(scope.check().is_err(), over, "check of scope {s}");
    }
}

proptest! {
    #![proptest_config(proptest_config::config(4))]

    #[test]
    fn one_thread_counts_exactly(
        limits in prop::collection::vec(0..20_000usize, 4),
        ops in prop::collection::vec(op(), 1..if cfg!(miri) { 12 } else { 60 }),
    ) {
        let scopes = make_scopes(&limits);
        let mut model = Model {
            limits,
            refused: vec![0; 4],
            peaks: vec![0; 4],
            blocks: Vec::new(),
        };
        let mut blocks = Vec::with_capacity(ops.len());
        for op in &ops {
            apply(&scopes, &mut blocks, &mut model, op);
            check_counters(&scopes, &model);
        }
        drop(blocks);
        for scope in &scopes {
            prop_assert_eq!(scope.usage(), 0);
        }
    }

    #[test]
    fn threads_sharing_scopes_end_with_exact_counters(
        limits in prop::collection::vec(0..400_000usize, 4),
        plans in prop::collection::vec(
            prop::collection::vec(op(), 1..if cfg!(miri) { 6 } else { 40 }),
            2..=3,
        ),
    ) {
        let scopes = make_scopes(&limits);
        // Each thread works on blocks of its own, in the shared scopes;
        // what it keeps comes back here, to be freed on this thread.
        let kept: Vec<(Vec<Block>, Vec<Owned>)> = thread::scope(|s| {
            let workers: Vec<_> = plans
                .iter()
                .map(|plan| {
                    let scopes = &scopes;
                    s.spawn(move || {
                        let mut blocks = Vec::with_capacity(plan.len());
                        let mut owners = Vec::with_capacity(plan.len());
                        for op in plan {
                            let before = blocks.len();
                            let made = apply_unmodelled(scopes, &mut blocks, op);
                            match (op, made) {
                                (Op::Alloc { scope, .. }, true) => owners.push((*scope, blocks[before].size())),
                                (Op::Free { block, .. }, true) => {
                                    owners.swap_remove(block % (before.max(1)));
                                }
                                (Op::Resize { block, scope, .. }, true) => {
                                    let at = block % before.max(1);
                                    owners[at] = (*scope, blocks[at].size());
                                }
                                _ => {}
                            }
                        }
                        (blocks, owners)
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        let model = Model {
            limits: limits.clone(),
            refused: vec![0; 4],
            peaks: vec![0; 4],
            blocks: kept.iter().flat_map(|(_, owners)| owners.iter().copied()).collect(),
        };
        for (s, scope) in scopes.iter().enumerate() {
            prop_assert_eq!(scope.usage(), model.usage(s));
        }
        for (n, (blocks, _)) in kept.into_iter().enumerate() {
            inside(&scopes, Some(n % 4), || drop(blocks));
        }
        for scope in &scopes {
            prop_assert_eq!(scope.usage(), 0);
        }
    }
}

/// Applies `op` without a model (other threads make the outcome of a
/// fallible request near a limit depend on timing); whether it changed a
/// block.
fn apply_unmodelled(scopes: &[MemoryScope], blocks: &mut Vec<Block>, op: &Op) -> bool {
    match *op {
        Op::Alloc {
            scope,
            size,
            fallible,
            zeroed,
        } => {
            let made = inside(scopes, scope, || Block::new(size, fallible, zeroed));
            made.map(|block| blocks.push(block)).is_some()
        }
        Op::Free { block, scope } if !blocks.is_empty() => {
            let freed = blocks.swap_remove(block % blocks.len());
            inside(scopes, scope, || drop(freed));
            true
        }
        Op::Resize { block, scope, size } if !blocks.is_empty() => {
            let at = block % blocks.len();
            let old = blocks[at].size();
            if size == old {
                return false;
            }
            inside(scopes, scope, || blocks[at].resize(size))
        }
        Op::Free { .. } | Op::Resize { .. } => false,
    }
}
