//! The configuration of the property tests: proptest's defaults
//! (`PROPTEST_CASES` applies) outside Miri. Miri's isolation hides the
//! environment, so `PROPTEST_CASES` does not reach the test there, and
//! forbids the file system, where proptest would save failing cases.

use proptest::prelude::ProptestConfig;

/// Proptest's defaults, or under Miri `miri_cases` cases and no file of
/// failing cases.
pub fn config(miri_cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if cfg!(miri) {
        config.cases = miri_cases;
        config.failure_persistence = None;
    }
    config
}
