//! The guides that the README links to: the pages of `docs/` and
//! `CONTRIBUTING.md`, shown here so that the links work on docs.rs too.
//!
//! Each page is its markdown file, read as it is. Its links to the other
//! pages name the files (`performance.md`) for readers of the repository;
//! a definition of the same link put before the page, here, points rustdoc
//! at the module instead (the first definition of a link is the one used).
//! Rustdoc builds this module, and runs its examples, only when it
//! documents or tests the crate: it adds nothing to a build.

#[doc = "[readme]: crate"]
#[doc = "[differences]: crate::guide::differences"]
#[doc = include_str!("../docs/migrating.md")]
pub mod migrating {}

#[doc = "[migrating]: crate::guide::migrating"]
#[doc = "[backtraces]: crate::guide::backtraces_and_locations"]
#[doc = include_str!("../docs/differences.md")]
pub mod differences {}

#[doc = include_str!("../docs/no-abort-lint.md")]
pub mod no_abort_lint {}

#[doc = "[performance]: crate::guide::performance"]
#[doc = "[differences]: crate::guide::differences"]
#[doc = include_str!("../docs/backtraces-and-locations.md")]
pub mod backtraces_and_locations {}

#[doc = include_str!("../docs/performance.md")]
pub mod performance {}

#[doc = include_str!("../docs/memory-limits.md")]
pub mod memory_limits {}

#[doc = "[performance]: crate::guide::performance"]
#[doc = include_str!("../CONTRIBUTING.md")]
pub mod contributing {}
