//! [`Outcome`]: how one run of the closure ended, judged before the run
//! ended and held without allocating, so that a child can send it.

use super::text::Text;

/// How one run ended. Holds no allocation, so that a child can send it.
pub(crate) enum Outcome {
    Returned(Returned),
    Panicked(Text),
}

/// What the closure returned, judged while the run was still loaded.
#[allow(
    clippy::large_enum_variant,
    reason = "the message is inline so that judging a run allocates nothing"
)]
pub(crate) enum Returned {
    Ok,
    Oom,
    Other(Text),
}
