//! [`Allocation`]: one allocation the harness counted.

use core::alloc::Layout;
use core::fmt;

/// One allocation the harness saw: its index among the counted allocations
/// of a run (from 0), and what it asked for.
///
/// # Example
///
/// ```
/// use std::alloc::Layout;
/// use wasmtime_error::oom_test::Allocation;
///
/// let allocation = Allocation { index: 2, layout: Layout::new::<u64>() };
/// let text = wasmtime_error::try_format!("{allocation}")?;
/// assert_eq!(text, "allocation #2 (size 8, align 8)");
/// # wasmtime_error::Ok(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Position among the allocations the closure made in that run, from 0.
    pub index: u64,
    /// The size and alignment requested.
    pub layout: Layout,
}

impl fmt::Display for Allocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "allocation #{} (size {}, align {})",
            self.index,
            self.layout.size(),
            self.layout.align()
        )
    }
}
