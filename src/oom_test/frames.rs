//! [`Frames`]: the return addresses of a stack, taken without allocating
//! and without resolving a symbol, from the allocation up to the code that
//! called the closure under test.

use core::hash::{Hash, Hasher};

/// Frames kept of a stack: the allocator and the harness take the first
/// ten or so, the code under test the rest.
pub(crate) const MAX_FRAMES: usize = 64;

/// The return addresses of a stack, innermost first.
#[derive(Clone, Copy)]
pub(crate) struct Frames {
    ips: [usize; MAX_FRAMES],
    len: usize,
}

impl Frames {
    pub(crate) const EMPTY: Frames = Frames {
        ips: [0; MAX_FRAMES],
        len: 0,
    };

    /// The current stack, innermost first, up to the function whose frame
    /// holds the address `boundary` (a local of the function that calls the
    /// closure under test), included: its callers differ from run to run,
    /// and are left out. `0` takes the whole stack. Allocates nothing and
    /// resolves nothing; empty under Miri, which cannot afford a walk per
    /// allocation.
    ///
    /// A frame's `sp` is the stack pointer of its function where it made
    /// the call: below that function's locals, and above every callee's. So
    /// the function that holds `boundary` and its callees have one at or
    /// below it, and its callers one above it.
    #[inline(never)]
    pub(crate) fn capture(boundary: usize) -> Frames {
        let mut frames = Frames::EMPTY;
        if cfg!(miri) {
            return frames;
        }
        let mut push = |frame: &backtrace_rs::Frame| {
            let sp = frame.sp() as usize;
            if boundary != 0 && sp > boundary {
                return false;
            }
            frames.ips[frames.len] = frame.ip() as usize;
            frames.len += 1;
            frames.len < MAX_FRAMES
        };
        #[cfg(unix)]
        // SAFETY: the walk is unsynchronised only towards other walks on
        // platforms whose unwinder is not thread-safe (Windows' dbghelp); on
        // unix it is `_Unwind_Backtrace`, which is. Taking no lock of the
        // `backtrace` crate's, it cannot wait inside std's handler for a
        // failed allocation on a lock this thread holds.
        unsafe {
            backtrace_rs::trace_unsynchronized(&mut push)
        };
        #[cfg(not(unix))]
        backtrace_rs::trace(&mut push);
        frames
    }

    pub(crate) fn ips(&self) -> &[usize] {
        &self.ips[..self.len]
    }
}

impl PartialEq for Frames {
    fn eq(&self, other: &Frames) -> bool {
        self.ips() == other.ips()
    }
}

impl Eq for Frames {}

impl Hash for Frames {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.ips().hash(state);
    }
}

/// The address a run's boundary is taken from: a local of the function that
/// calls the closure, so that [`Frames::capture`] stops below it.
pub(crate) fn boundary_of<T>(local: &T) -> usize {
    core::hint::black_box(local as *const T).addr()
}

#[cfg(all(test, not(miri)))]
mod tests {
    use super::{Frames, boundary_of};

    #[inline(never)]
    fn capture_below(boundary: usize) -> Frames {
        core::hint::black_box(Frames::capture(boundary))
    }

    #[inline(never)]
    fn with_boundary() -> (Frames, Frames) {
        let marker = 0u8;
        let boundary = boundary_of(&marker);
        (capture_below(boundary), capture_below(0))
    }

    #[test]
    fn the_boundary_cuts_the_callers_off() {
        let (cut, whole) = with_boundary();
        let kept = cut.ips().len();
        // `Frames::capture`, `capture_below` and `with_boundary` at least;
        // not this test's function and its callers.
        assert!(kept >= 3, "{kept}");
        assert!(kept < whole.ips().len());
        // The cut stack is the inner end of the whole one, but for the
        // last frame: `with_boundary` made the two captures from two calls.
        assert_eq!(cut.ips()[..kept - 1], whole.ips()[..kept - 1]);
    }

    #[inline(never)]
    fn capture_at_depth(depth: u32) -> Frames {
        if depth == 0 {
            return Frames::capture(0);
        }
        core::hint::black_box(capture_at_depth(depth - 1))
    }

    #[test]
    fn a_deep_stack_keeps_its_innermost_frames() {
        let deep = capture_at_depth(2 * super::MAX_FRAMES as u32);
        assert_eq!(deep.ips().len(), super::MAX_FRAMES);
        // The innermost ones: the walk, then the recursion.
        let shallow = capture_at_depth(super::MAX_FRAMES as u32);
        assert_eq!(deep.ips()[..8], shallow.ips()[..8]);
    }

    /// The return address and stack pointer of each frame, innermost first.
    #[inline(never)]
    fn walk() -> std::vec::Vec<(usize, usize)> {
        let mut frames = std::vec::Vec::new();
        backtrace_rs::trace(|frame| {
            frames.push((frame.ip() as usize, frame.sp() as usize));
            true
        });
        frames
    }

    /// The whole stack, and the stack cut at the stack pointer of this
    /// function's caller's frame; and where that frame is in both.
    #[inline(never)]
    fn cut_at_the_callers_frame() -> (Frames, Frames, usize) {
        let whole = Frames::capture(0);
        let walked = walk();
        // The frames of this function's callers are the same in both walks
        // (the outermost ones); this function's own differs (two calls).
        let common = whole
            .ips()
            .iter()
            .rev()
            .zip(walked.iter().rev())
            .take_while(|(ip, (walked_ip, _))| **ip == *walked_ip)
            .count();
        assert!(common > 0);
        let (_, callers_sp) = walked[walked.len() - common];
        let cut = Frames::capture(callers_sp);
        (whole, cut, whole.ips().len() - common)
    }

    #[test]
    fn the_frame_at_the_boundary_is_kept() {
        let (whole, cut, caller) = cut_at_the_callers_frame();
        assert_eq!(cut.ips().len(), caller + 1);
        assert_eq!(cut.ips()[caller], whole.ips()[caller]);
    }

    #[test]
    fn the_same_call_gives_the_same_frames() {
        let [first, again] = [0, 1].map(|_| with_boundary().0);
        assert!(first == again);
        // Where the callers differ, the frames do not.
        let elsewhere = with_boundary().0;
        assert!(first == elsewhere);
        assert!(first != with_boundary().1);
    }
}
