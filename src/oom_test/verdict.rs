//! The one place where a run's verdict is decided: what a run did (a
//! [`RunRecord`], from this process or from a child's messages and end),
//! checked against the contract and the options that relax it.

use super::allocation::Allocation;
use super::capture::StackId;
use super::failure::FailureKind;
use super::frames::Frames;
use super::outcome::{Outcome, Returned};

/// The options that relax the contract.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Rules {
    pub(crate) allow_alloc_after_oom: bool,
    pub(crate) allow_missed_oom_errors: bool,
    pub(crate) allow_leaks: bool,
}

/// What one run did, wherever it ran.
pub(crate) struct RunRecord {
    /// The allocation it was to fail (`u64::MAX`: none, a dry run).
    pub(crate) target: u64,
    /// The allocation it failed, if it got there.
    pub(crate) injected: Option<Allocation>,
    /// Where that allocation was made.
    pub(crate) stack: Option<StackId>,
    /// The first allocation after the failure.
    pub(crate) after_oom: Option<Allocation>,
    /// Where that one was made, when the run took its stack (in this
    /// process; a child takes none).
    pub(crate) after_oom_stack: Option<Frames>,
    pub(crate) end: RunEnd,
}

/// How a run ended.
#[allow(
    clippy::large_enum_variant,
    reason = "the message is inline so that judging a run allocates nothing"
)]
pub(crate) enum RunEnd {
    /// The closure returned (or panicked), with this many bytes it had
    /// allocated still allocated.
    Returned { outcome: Outcome, live_bytes: isize },
    /// Its process died (isolated mode), which says this about it.
    Died(FailureKind),
}

impl Rules {
    /// The rule `record` broke, checked in order: its process died, it
    /// panicked, it allocated after the failure, it returned the wrong
    /// result, it leaked (when `check_leaks`).
    pub(crate) fn judge(&self, record: &RunRecord, check_leaks: bool) -> Option<FailureKind> {
        let (outcome, live_bytes) = match &record.end {
            RunEnd::Died(kind) => return Some(kind.clone()),
            RunEnd::Returned {
                outcome,
                live_bytes,
            } => (outcome, *live_bytes),
        };
        let returned = match outcome {
            Outcome::Panicked(message) => {
                return Some(FailureKind::Panicked {
                    message: message.as_str().into(),
                });
            }
            Outcome::Returned(returned) => returned,
        };
        if let Some(allocation) = record.after_oom
            && !self.allow_alloc_after_oom
        {
            return Some(FailureKind::AllocAfterOom { allocation });
        }
        match (record.injected.is_some(), returned) {
            (true, Returned::Oom) | (false, Returned::Ok) => {}
            _ if self.allow_missed_oom_errors => {}
            (true, Returned::Ok) => return Some(FailureKind::MissedOom),
            (true, Returned::Other(message)) => {
                return Some(FailureKind::NonOomError {
                    message: message.as_str().into(),
                });
            }
            (false, Returned::Oom) => {
                return Some(FailureKind::UnexpectedError {
                    message: "out of memory".into(),
                });
            }
            (false, Returned::Other(message)) => {
                return Some(FailureKind::UnexpectedError {
                    message: message.as_str().into(),
                });
            }
        }
        if check_leaks && !self.allow_leaks && live_bytes > 0 {
            return Some(FailureKind::Leak {
                bytes: live_bytes.unsigned_abs(),
            });
        }
        None
    }
}

/// What a child's end says about its run (isolated mode): it hung, it
/// aborted on a failed allocation or on a panic during a panic, a signal
/// killed it, or it exited before its run ended. `output` is the end of
/// what it printed.
#[cfg(all(unix, not(miri)))]
pub(crate) fn death(
    ended: super::child::Ended,
    output: &[u8],
    timeout: std::time::Duration,
) -> FailureKind {
    use super::child::Ended;
    use super::text::TEXT_BYTES;
    use std::string::String;

    /// The end of the output, about a [`Text`](super::text::Text)'s worth:
    /// from the first line that starts in it, or, when it holds no whole
    /// line, from its first whole character.
    fn tail(output: &[u8]) -> &[u8] {
        let start = output.len().saturating_sub(TEXT_BYTES - 4);
        let tail = &output[start..];
        if start == 0 {
            return tail;
        }
        match tail.iter().position(|&byte| byte == b'\n') {
            Some(at) if at + 1 < tail.len() => &tail[at + 1..],
            _ => {
                let continuation = |byte: &u8| byte & 0b1100_0000 == 0b1000_0000;
                &tail[tail.iter().take_while(|byte| continuation(byte)).count()..]
            }
        }
    }

    // What a child printed need not be UTF-8: a broken character shows as
    // U+FFFD and the rest is kept.
    let output = String::from_utf8_lossy(tail(output)).into_owned();
    match ended {
        Ended::TimedOut => FailureKind::Hung { limit: timeout },
        Ended::Signaled(libc::SIGABRT)
            if !output.contains("memory allocation of") && output.contains("panic") =>
        {
            FailureKind::DoublePanic { output }
        }
        Ended::Signaled(libc::SIGABRT) => FailureKind::Aborted { output },
        Ended::Signaled(signal) => FailureKind::Killed { signal, output },
        Ended::Exited(code) => FailureKind::Exited { code, output },
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::Text;
    use super::*;
    use core::alloc::Layout;

    fn allocation(index: u64) -> Allocation {
        Allocation {
            index,
            layout: Layout::new::<u64>(),
        }
    }

    fn record(injected: bool, returned: Returned) -> RunRecord {
        RunRecord {
            target: 0,
            injected: injected.then(|| allocation(0)),
            stack: None,
            after_oom: None,
            after_oom_stack: None,
            end: RunEnd::Returned {
                outcome: Outcome::Returned(returned),
                live_bytes: 0,
            },
        }
    }

    fn other(text: &str) -> Returned {
        Returned::Other(Text::format(format_args!("{text}")))
    }

    fn strict() -> Rules {
        Rules::default()
    }

    #[test]
    fn the_right_result_passes() {
        assert!(strict().judge(&record(true, Returned::Oom), true).is_none());
        assert!(strict().judge(&record(false, Returned::Ok), true).is_none());
    }

    #[test]
    fn each_wrong_result_has_its_kind() {
        let rules = strict();
        assert!(matches!(
            rules.judge(&record(true, Returned::Ok), true),
            Some(FailureKind::MissedOom)
        ));
        assert!(matches!(
            rules.judge(&record(true, other("disk full")), true),
            Some(FailureKind::NonOomError { message }) if message == "disk full"
        ));
        assert!(matches!(
            rules.judge(&record(false, Returned::Oom), true),
            Some(FailureKind::UnexpectedError { message }) if message == "out of memory"
        ));
        assert!(matches!(
            rules.judge(&record(false, other("always")), true),
            Some(FailureKind::UnexpectedError { message }) if message == "always"
        ));
    }

    #[test]
    fn missed_errors_can_be_allowed() {
        let rules = Rules {
            allow_missed_oom_errors: true,
            ..strict()
        };
        for (injected, returned) in [
            (true, Returned::Ok),
            (true, other("x")),
            (false, Returned::Oom),
            (false, other("y")),
        ] {
            assert!(rules.judge(&record(injected, returned), true).is_none());
        }
    }

    #[test]
    fn an_allocation_after_the_failure_comes_before_the_result() {
        let mut after = record(true, Returned::Ok);
        after.after_oom = Some(allocation(3));
        assert!(matches!(
            strict().judge(&after, true),
            Some(FailureKind::AllocAfterOom { allocation }) if allocation.index == 3
        ));
        let allowed = Rules {
            allow_alloc_after_oom: true,
            ..strict()
        };
        // Allowed, the wrong result is what is left.
        assert!(matches!(
            allowed.judge(&after, true),
            Some(FailureKind::MissedOom)
        ));
    }

    #[test]
    fn a_panic_comes_first() {
        let mut panicked = record(true, Returned::Oom);
        panicked.after_oom = Some(allocation(1));
        panicked.end = RunEnd::Returned {
            outcome: Outcome::Panicked(Text::format(format_args!("boom"))),
            live_bytes: 8,
        };
        assert!(matches!(
            strict().judge(&panicked, true),
            Some(FailureKind::Panicked { message }) if message == "boom"
        ));
    }

    #[test]
    fn leaks_are_checked_last_and_only_when_asked() {
        let leaky = |bytes: isize| RunRecord {
            end: RunEnd::Returned {
                outcome: Outcome::Returned(Returned::Oom),
                live_bytes: bytes,
            },
            ..record(true, Returned::Oom)
        };
        assert!(matches!(
            strict().judge(&leaky(24), true),
            Some(FailureKind::Leak { bytes: 24 })
        ));
        assert!(strict().judge(&leaky(24), false).is_none());
        // Freeing more than was allocated is not a leak.
        assert!(strict().judge(&leaky(-8), true).is_none());
        assert!(strict().judge(&leaky(0), true).is_none());
        let allowed = Rules {
            allow_leaks: true,
            ..strict()
        };
        assert!(allowed.judge(&leaky(24), true).is_none());
        // A wrong result is reported rather than the leak.
        let mut both = leaky(24);
        both.injected = None;
        assert!(matches!(
            strict().judge(&both, true),
            Some(FailureKind::UnexpectedError { .. })
        ));
    }

    #[test]
    fn a_death_is_its_own_verdict() {
        let mut died = record(true, Returned::Oom);
        died.end = RunEnd::Died(FailureKind::Aborted {
            output: "memory allocation of 8 bytes failed".into(),
        });
        let lenient = Rules {
            allow_alloc_after_oom: true,
            allow_missed_oom_errors: true,
            allow_leaks: true,
        };
        assert!(matches!(
            lenient.judge(&died, false),
            Some(FailureKind::Aborted { .. })
        ));
    }

    #[cfg(all(unix, not(miri)))]
    #[test]
    fn deaths_are_told_apart_by_signal_and_output() {
        use super::super::child::Ended;
        use std::time::Duration;

        let limit = Duration::from_millis(300);
        let oom = b"memory allocation of 16 bytes failed\n";
        assert!(matches!(
            death(Ended::Signaled(libc::SIGABRT), oom, limit),
            FailureKind::Aborted { output } if output.contains("16 bytes")
        ));
        let double = b"thread panicked\npanic in a destructor during cleanup\n";
        assert!(matches!(
            death(Ended::Signaled(libc::SIGABRT), double, limit),
            FailureKind::DoublePanic { .. }
        ));
        // An abort that mentions both is the failed allocation's.
        let both = b"panicked at x\nmemory allocation of 8 bytes failed\n";
        assert!(matches!(
            death(Ended::Signaled(libc::SIGABRT), both, limit),
            FailureKind::Aborted { .. }
        ));
        assert!(matches!(
            death(Ended::Signaled(libc::SIGSEGV), b"", limit),
            FailureKind::Killed { signal, .. } if signal == libc::SIGSEGV
        ));
        assert!(matches!(
            death(Ended::Exited(3), b"bye", limit),
            FailureKind::Exited { code: 3, output } if output == "bye"
        ));
        assert!(matches!(
            death(Ended::TimedOut, b"", limit),
            FailureKind::Hung { limit: l } if l == limit
        ));
    }

    #[cfg(all(unix, not(miri)))]
    #[test]
    fn only_the_end_of_a_long_output_is_kept_from_a_line_start() {
        use super::super::child::Ended;
        use super::super::text::TEXT_BYTES;
        use std::time::Duration;

        let mut output = std::vec::Vec::new();
        for line in 0..1000 {
            output.extend_from_slice(std::format!("line {line}\n").as_bytes());
        }
        let FailureKind::Exited { output: kept, .. } =
            death(Ended::Exited(1), &output, Duration::ZERO)
        else {
            panic!("an exit");
        };
        assert!(kept.len() < TEXT_BYTES);
        // As much as fits, but for the cut line: lines here are 9 bytes.
        assert!(kept.len() >= TEXT_BYTES - 4 - 9, "{}", kept.len());
        assert!(kept.starts_with("line "), "{kept}");
        assert!(kept.ends_with("line 999\n"), "{kept}");
    }

    #[cfg(all(unix, not(miri)))]
    #[test]
    fn a_long_line_and_broken_characters_are_kept() {
        use super::super::child::Ended;
        use std::time::Duration;

        let kept = |output: &[u8]| match death(Ended::Exited(1), output, Duration::ZERO) {
            FailureKind::Exited { output, .. } => output,
            other => panic!("an exit, not {other:?}"),
        };
        // One line of two-byte characters, longer than what is kept, cut
        // at an odd byte.
        let line = std::format!("x{}\n", "é".repeat(1000));
        let tail = kept(line.as_bytes());
        assert!(tail.len() > 900, "{tail}");
        assert!(tail.starts_with('é') && tail.ends_with("é\n"), "{tail}");
        // A byte that is not UTF-8 hides nothing after it.
        let tail = kept(b"before \xff after\n");
        assert_eq!(tail, "before \u{fffd} after\n");
    }
}
