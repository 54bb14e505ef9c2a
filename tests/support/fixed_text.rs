//! Formatted text in a fixed buffer on the stack, so that checking output
//! allocates nothing (for tests under a failing allocator or the harness).
//! Include `support/locations.rs` as `locations` next to it.

#![allow(dead_code)]

use std::fmt;

pub struct FixedText {
    buffer: [u8; 2048],
    len: usize,
    truncated: bool,
}

impl FixedText {
    /// The text of `args`; what does not fit (a long backtrace) is dropped.
    pub fn of(args: fmt::Arguments<'_>) -> FixedText {
        let mut text = FixedText {
            buffer: [0; 2048],
            len: 0,
            truncated: false,
        };
        fmt::Write::write_fmt(&mut text, args).expect("formatting into a buffer");
        text
    }

    /// The text without the lines the feature `location` adds to `{:?}`
    /// (a no-op without it), dropped in place: no allocation.
    pub fn without_locations(mut self) -> FixedText {
        if !cfg!(feature = "location") {
            return self;
        }
        let written = self.buffer;
        let Ok(text) = std::str::from_utf8(&written[..self.len]) else {
            return self;
        };
        self.len = 0;
        let kept = text
            .split('\n')
            .filter(|line| !super::locations::is_location_line(line));
        for (n, line) in kept.enumerate() {
            if n > 0 {
                self.buffer[self.len] = b'\n';
                self.len += 1;
            }
            self.buffer[self.len..self.len + line.len()].copy_from_slice(line.as_bytes());
            self.len += line.len();
        }
        self
    }

    /// The text, cut before the backtrace the feature `backtrace` appends.
    pub fn as_str(&self) -> &str {
        let text = std::str::from_utf8(&self.buffer[..self.len]).expect("UTF-8");
        match text.find("\n\nStack backtrace:") {
            Some(end) => &text[..end],
            None => {
                assert!(!self.truncated, "test text longer than its buffer");
                text
            }
        }
    }
}

impl fmt::Write for FixedText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut take = s.len().min(self.buffer.len() - self.len);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.buffer[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        self.truncated |= take < s.len();
        Ok(())
    }
}
