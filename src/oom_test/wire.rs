//! The messages a child of an isolated sweep sends its parent: fixed-size
//! frames of 64-bit words, made on the stack and written to a pipe of that
//! child's own (nothing else writes between the pieces of a frame), read
//! back whole by the parent. Making and sending one allocates nothing and
//! takes no lock.

use super::allocation::Allocation;
use super::outcome::{Outcome, Returned};
use super::text::{TEXT_BYTES, Text};
use core::alloc::Layout;

/// Words before a frame's text.
const HEADER: usize = 6;

/// Words in a frame: the header, then room for a [`Text`].
pub(crate) const FRAME_WORDS: usize = HEADER + TEXT_BYTES.div_ceil(8);

/// Bytes in a frame.
pub(crate) const FRAME_BYTES: usize = FRAME_WORDS * 8;

/// One message, as sent.
pub(crate) type Frame = [u64; FRAME_WORDS];

// The longest text fits after the header.
const _: () = assert!((FRAME_WORDS - HEADER) * 8 >= TEXT_BYTES);

/// Word 0 of a frame.
const INJECTED: u64 = 1;
const AFTER_OOM: u64 = 2;
const ENDED: u64 = 3;

/// Word 3 of an `ENDED` frame.
const RETURNED_OK: u64 = 0;
const RETURNED_OOM: u64 = 1;
const RETURNED_OTHER: u64 = 2;
const PANICKED: u64 = 3;

/// What a child tells its parent.
#[allow(
    clippy::large_enum_variant,
    reason = "the text is inline so that sending a message allocates nothing"
)]
pub(crate) enum Message {
    /// A sweeper failed the allocation its run was to fail. Sent at once,
    /// before the code under test can abort.
    Injected(Allocation),
    /// The first allocation after the failure. Sent when it is made.
    AfterOom(Allocation),
    /// A run ended: the allocation it was to fail, whether it failed it,
    /// what the closure did, and the bytes it left allocated.
    Ended {
        target: u64,
        injected: bool,
        outcome: Outcome,
        live_bytes: isize,
    },
}

impl Message {
    pub(crate) fn encode(&self) -> Frame {
        let mut frame = [0u64; FRAME_WORDS];
        match self {
            Message::Injected(allocation) => put_allocation(&mut frame, INJECTED, *allocation),
            Message::AfterOom(allocation) => put_allocation(&mut frame, AFTER_OOM, *allocation),
            Message::Ended {
                target,
                injected,
                outcome,
                live_bytes,
            } => {
                let (tag, text) = match outcome {
                    Outcome::Returned(Returned::Ok) => (RETURNED_OK, None),
                    Outcome::Returned(Returned::Oom) => (RETURNED_OOM, None),
                    Outcome::Returned(Returned::Other(text)) => (RETURNED_OTHER, Some(text)),
                    Outcome::Panicked(text) => (PANICKED, Some(text)),
                };
                frame[0] = ENDED;
                frame[1] = *target;
                frame[2] = u64::from(*injected);
                frame[3] = tag;
                frame[4] = *live_bytes as i64 as u64;
                if let Some(text) = text {
                    put_text(&mut frame, text);
                }
            }
        }
        frame
    }

    /// The message of a frame; `None` for a frame no child sends.
    pub(crate) fn decode(frame: &Frame) -> Option<Message> {
        match frame[0] {
            INJECTED => Some(Message::Injected(allocation(frame))),
            AFTER_OOM => Some(Message::AfterOom(allocation(frame))),
            ENDED => {
                let outcome = match frame[3] {
                    RETURNED_OK => Outcome::Returned(Returned::Ok),
                    RETURNED_OOM => Outcome::Returned(Returned::Oom),
                    RETURNED_OTHER => Outcome::Returned(Returned::Other(text(frame))),
                    PANICKED => Outcome::Panicked(text(frame)),
                    _ => return None,
                };
                Some(Message::Ended {
                    target: frame[1],
                    injected: frame[2] == 1,
                    outcome,
                    live_bytes: frame[4] as i64 as isize,
                })
            }
            _ => None,
        }
    }
}

fn put_allocation(frame: &mut Frame, kind: u64, allocation: Allocation) {
    frame[0] = kind;
    frame[1] = allocation.index;
    frame[2] = allocation.layout.size() as u64;
    frame[3] = allocation.layout.align() as u64;
}

fn allocation(frame: &Frame) -> Allocation {
    // Every frame comes from a `Layout` of the same program; the fallback
    // only keeps a damaged frame from being trusted.
    let layout = Layout::from_size_align(frame[2] as usize, frame[3] as usize)
        .unwrap_or(Layout::new::<u8>());
    Allocation {
        index: frame[1],
        layout,
    }
}

fn put_text(frame: &mut Frame, text: &Text) {
    let bytes = text.as_str().as_bytes();
    frame[5] = bytes.len() as u64;
    for (word, chunk) in frame[HEADER..].iter_mut().zip(bytes.chunks(8)) {
        let mut padded = [0u8; 8];
        padded[..chunk.len()].copy_from_slice(chunk);
        *word = u64::from_ne_bytes(padded);
    }
}

fn text(frame: &Frame) -> Text {
    let len = usize::try_from(frame[5])
        .unwrap_or(usize::MAX)
        .min(TEXT_BYTES);
    let mut bytes = [0u8; (FRAME_WORDS - HEADER) * 8];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(&frame[HEADER..]) {
        chunk.copy_from_slice(&word.to_ne_bytes());
    }
    Text::from_bytes(&bytes[..len])
}

/// A frame as the bytes written to the pipe.
pub(crate) fn to_bytes(frame: &Frame) -> [u8; FRAME_BYTES] {
    let mut bytes = [0u8; FRAME_BYTES];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(frame) {
        chunk.copy_from_slice(&word.to_ne_bytes());
    }
    bytes
}

/// The frame of bytes read from the pipe.
pub(crate) fn from_bytes(bytes: &[u8; FRAME_BYTES]) -> Frame {
    let mut frame = [0u64; FRAME_WORDS];
    for (word, chunk) in frame.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        *word = u64::from_ne_bytes(eight);
    }
    frame
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    fn through_the_pipe(message: &Message) -> Message {
        let bytes = to_bytes(&message.encode());
        Message::decode(&from_bytes(&bytes)).expect("a frame children send")
    }

    fn text_of(outcome: &Outcome) -> Option<&str> {
        match outcome {
            Outcome::Returned(Returned::Other(text)) | Outcome::Panicked(text) => {
                Some(text.as_str())
            }
            Outcome::Returned(_) => None,
        }
    }

    #[test]
    fn allocations_arrive_as_sent() {
        let allocation = Allocation {
            index: u64::MAX - 3,
            layout: Layout::from_size_align(48, 16).unwrap(),
        };
        match through_the_pipe(&Message::Injected(allocation)) {
            Message::Injected(received) => assert_eq!(received, allocation),
            _ => panic!("not an injection"),
        }
        match through_the_pipe(&Message::AfterOom(allocation)) {
            Message::AfterOom(received) => assert_eq!(received, allocation),
            _ => panic!("not an allocation after the failure"),
        }
    }

    #[test]
    fn every_outcome_arrives_as_sent() {
        let outcomes = [
            Outcome::Returned(Returned::Ok),
            Outcome::Returned(Returned::Oom),
            Outcome::Returned(Returned::Other(Text::format(format_args!("disk full")))),
            Outcome::Panicked(Text::format(format_args!("no room: ünïcode"))),
        ];
        for (number, outcome) in outcomes.into_iter().enumerate() {
            let expected_text = text_of(&outcome).map(String::from);
            let sent = Message::Ended {
                target: 7 + number as u64,
                injected: number % 2 == 0,
                outcome,
                live_bytes: -(number as isize) * 1000,
            };
            let Message::Ended {
                target,
                injected,
                outcome,
                live_bytes,
            } = through_the_pipe(&sent)
            else {
                panic!("not an end");
            };
            assert_eq!(target, 7 + number as u64);
            assert_eq!(injected, number % 2 == 0);
            assert_eq!(live_bytes, -(number as isize) * 1000);
            assert_eq!(text_of(&outcome).map(String::from), expected_text);
            let same_kind = matches!(
                (number, &outcome),
                (0, Outcome::Returned(Returned::Ok))
                    | (1, Outcome::Returned(Returned::Oom))
                    | (2, Outcome::Returned(Returned::Other(_)))
                    | (3, Outcome::Panicked(_))
            );
            assert!(same_kind, "outcome {number} changed kind");
        }
    }

    #[test]
    fn the_longest_text_arrives_whole() {
        let long = "é".repeat(TEXT_BYTES);
        let text = Text::format(format_args!("{long}"));
        let sent = Message::Ended {
            target: 0,
            injected: true,
            outcome: Outcome::Panicked(text),
            live_bytes: 0,
        };
        let Message::Ended { outcome, .. } = through_the_pipe(&sent) else {
            panic!("not an end");
        };
        assert_eq!(text_of(&outcome), Some(text.as_str()));
        assert!(text.as_str().ends_with('…'));
    }

    #[test]
    fn damaged_frames_are_not_trusted() {
        let mut frame = [0u64; FRAME_WORDS];
        assert!(Message::decode(&frame).is_none(), "kind 0");
        frame[0] = 99;
        assert!(Message::decode(&frame).is_none(), "unknown kind");
        frame[0] = ENDED;
        frame[3] = 4;
        assert!(Message::decode(&frame).is_none(), "unknown outcome");
        // A length past the text is cut to it.
        frame[3] = PANICKED;
        frame[5] = u64::MAX;
        let Some(Message::Ended { outcome, .. }) = Message::decode(&frame) else {
            panic!("an end");
        };
        assert!(text_of(&outcome).is_some_and(|text| text.len() <= TEXT_BYTES));
        // An impossible layout becomes one byte.
        let mut frame = [0u64; FRAME_WORDS];
        frame[0] = INJECTED;
        frame[2] = 8;
        frame[3] = 3;
        let Some(Message::Injected(allocation)) = Message::decode(&frame) else {
            panic!("an injection");
        };
        assert_eq!(allocation.layout, Layout::new::<u8>());
    }
}
