//! A standard error with a `source()` chain of its own, for the tests that
//! need one.

use std::error::Error as StdError;
use std::fmt;

#[derive(Debug)]
pub struct Layered {
    pub text: &'static str,
    pub source: Option<Box<Layered>>,
}

impl Layered {
    /// The first text outermost, each next one its source.
    pub fn chain(texts: &[&'static str]) -> Layered {
        let mut layers = texts.iter().rev();
        let mut error = Layered {
            text: layers.next().expect("at least one layer"),
            source: None,
        };
        for text in layers {
            error = Layered {
                text,
                source: Some(Box::new(error)),
            };
        }
        error
    }
}

impl fmt::Display for Layered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

impl StdError for Layered {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}
