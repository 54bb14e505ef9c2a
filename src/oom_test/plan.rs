//! Which allocations the injection runs fail: every one, some picked at
//! random, or the first and last occurrences of each site.

use super::capture::{self, StackId};
use super::site::{SiteKey, site_key};
use std::collections::HashMap;
use std::vec::Vec;

/// Which allocations the injection runs fail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Each one, in order.
    #[default]
    Every,
    /// `max_iters` picked at random, from `seed`.
    Random,
    /// The first `first` and last `last` occurrences of each site.
    Sites { first: u64, last: u64 },
}

/// `iters` allocations of `0..allocations` picked at random from `seed`
/// (the same seed picks the same ones).
pub(crate) fn random(seed: u64, iters: u64, allocations: u64) -> Vec<u64> {
    let mut random = SplitMix64(seed);
    (0..iters).map(|_| random.next() % allocations).collect()
}

/// Site mode's plan, from the stack of each allocation (in order): of each
/// site, the first `first` and the last `last` occurrences, in order, and
/// how many sites there are. Resolves the symbols of each distinct stack.
pub(crate) fn by_site(stacks: &[StackId], first: u64, last: u64) -> (Vec<u64>, u64) {
    let mut keys: HashMap<StackId, Option<SiteKey>> = HashMap::new();
    let mut occurrences: HashMap<Option<SiteKey>, Vec<u64>> = HashMap::new();
    for (index, &stack) in stacks.iter().enumerate() {
        let key = *keys
            .entry(stack)
            .or_insert_with(|| site_key(&capture::stack(stack)));
        occurrences.entry(key).or_default().push(index as u64);
    }
    let planned = occurrences_planned(occurrences.values(), first, last);
    (planned, occurrences.len() as u64)
}

/// Of each list of occurrences (in order), the first `first` and the last
/// `last`, once each, all in order.
fn occurrences_planned<'a>(
    lists: impl Iterator<Item = &'a Vec<u64>>,
    first: u64,
    last: u64,
) -> Vec<u64> {
    let mut planned = Vec::new();
    for indices in lists {
        let count = indices.len();
        let first = usize::try_from(first).unwrap_or(usize::MAX).min(count);
        let last = usize::try_from(last).unwrap_or(usize::MAX).min(count);
        planned.extend(&indices[..first]);
        planned.extend(&indices[count.max(first + last) - last..]);
    }
    planned.sort_unstable();
    planned.dedup();
    planned
}

/// A small, seedable generator (SplitMix64), enough to pick allocations.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    #[test]
    fn the_same_seed_picks_the_same_allocations() {
        let first = random(7, 50, 1000);
        assert_eq!(first, random(7, 50, 1000));
        assert_ne!(first, random(8, 50, 1000));
        assert_eq!(first.len(), 50);
        assert!(first.iter().all(|&index| index < 1000));
        // Spread out, not one value repeated.
        let mut distinct = first.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > 40, "{distinct:?}");
    }

    #[test]
    fn the_generator_is_splitmix64() {
        // The first outputs of SplitMix64 from 0, as published with it.
        let mut random = SplitMix64(0);
        assert_eq!(random.next(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(random.next(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn first_and_last_occurrences_of_each_site() {
        let a = vec![0, 2, 4, 6, 8];
        let b = vec![1, 3];
        let c = vec![5];
        let lists = [a, b, c];
        assert_eq!(occurrences_planned(lists.iter(), 1, 1), [0, 1, 3, 5, 8]);
        assert_eq!(occurrences_planned(lists.iter(), 2, 0), [0, 1, 2, 3, 5]);
        assert_eq!(occurrences_planned(lists.iter(), 0, 2), [1, 3, 5, 6, 8]);
        // More than a site has: each once.
        assert_eq!(
            occurrences_planned(lists.iter(), 9, 9),
            [0, 1, 2, 3, 4, 5, 6, 8]
        );
        assert!(occurrences_planned(lists.iter(), 0, 0).is_empty());
    }
}
