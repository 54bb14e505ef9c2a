//! [`Text`]: a message in a buffer of fixed size, so that judging a run
//! (and, in a forked child, sending the verdict) never allocates.

use core::fmt;

/// How many bytes of a message are kept; longer ones are cut at a
/// character boundary and end with `…`.
pub(crate) const TEXT_BYTES: usize = 1000;

const ELLIPSIS: &str = "…";

/// A message of at most [`TEXT_BYTES`] bytes, written with `write!`.
#[derive(Clone, Copy)]
pub(crate) struct Text {
    bytes: [u8; TEXT_BYTES],
    len: usize,
    cut: bool,
}

impl Text {
    pub(crate) const fn new() -> Text {
        Text {
            bytes: [0; TEXT_BYTES],
            len: 0,
            cut: false,
        }
    }

    /// The text of `args`, cut to fit.
    pub(crate) fn format(args: fmt::Arguments<'_>) -> Text {
        let mut text = Text::new();
        // A `Display` that fails leaves what it wrote so far.
        let _ = fmt::Write::write_fmt(&mut text, args);
        text
    }

    /// Bytes received from a child: only valid UTF-8 up to the first
    /// broken character is kept.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Text {
        let bytes = &bytes[..bytes.len().min(TEXT_BYTES)];
        let valid = match core::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => core::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or(""),
        };
        Text::format(format_args!("{valid}"))
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this cannot fail.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.cut {
            return Ok(());
        }
        let room = TEXT_BYTES - ELLIPSIS.len() - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        if take < s.len() {
            self.bytes[self.len..self.len + ELLIPSIS.len()].copy_from_slice(ELLIPSIS.as_bytes());
            self.len += ELLIPSIS.len();
            self.cut = true;
        }
        Ok(())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    fn text_of(pieces: &[&str]) -> Text {
        let mut text = Text::new();
        for piece in pieces {
            fmt::Write::write_str(&mut text, piece).unwrap();
        }
        text
    }

    #[test]
    fn what_fits_is_kept_whole() {
        let fits = "x".repeat(TEXT_BYTES - ELLIPSIS.len());
        assert_eq!(text_of(&[&fits]).as_str(), fits);
    }

    #[test]
    fn what_does_not_fit_is_cut_and_marked() {
        let long = "x".repeat(TEXT_BYTES);
        let text = text_of(&[&long]);
        assert_eq!(text.as_str().len(), TEXT_BYTES);
        assert!(text.as_str().ends_with("x…"));
    }

    #[test]
    fn pieces_fill_what_is_left() {
        let piece = "y".repeat(TEXT_BYTES * 3 / 5);
        let text = text_of(&[&piece, &piece, "never"]);
        let mut expected = String::from(&piece);
        expected.push_str(&piece[..TEXT_BYTES - ELLIPSIS.len() - piece.len()]);
        expected.push_str(ELLIPSIS);
        assert_eq!(text.as_str(), expected);
    }

    #[test]
    fn debug_is_the_strings() {
        let text = Text::format(format_args!("say \"{}\"", 42));
        assert_eq!(std::format!("{text:?}"), r#""say \"42\"""#);
    }

    #[test]
    fn a_character_is_never_cut() {
        // Two bytes each: the room left (an odd number) ends inside one.
        let text = text_of(&["é".repeat(TEXT_BYTES).as_str()]);
        assert_eq!(text.as_str().len(), TEXT_BYTES - 1);
        assert!(text.as_str().starts_with("éé") && text.as_str().ends_with("é…"));
    }
}
