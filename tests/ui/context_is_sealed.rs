// `Context` is sealed: only the crate implements it.

use wasmtime_error::{Context, Error};

struct Mine;

impl Context<(), ()> for Mine {
    fn context<C>(self, _context: C) -> Result<(), Error>
    where
        C: std::fmt::Display + Send + Sync + 'static,
    {
        Ok(())
    }

    fn with_context<C, F>(self, _f: F) -> Result<(), Error>
    where
        C: std::fmt::Display + Send + Sync + 'static,
        F: FnOnce() -> C,
    {
        Ok(())
    }
}

fn main() {}
