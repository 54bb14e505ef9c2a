//! Two modules side by side while a code base moves to `wasmtime_error`:
//! `?` turns our `Error` into an `anyhow::Error` by itself, and
//! `to_wasmtime_result()` goes the other way. Formats and downcasts survive
//! both directions.
//!
//! Run with `cargo run -p wasmtime-error-examples --example anyhow_interop --features anyhow`.

use std::num::ParseIntError;
use wasmtime_error::{Context, Error, OutOfMemory, ToWasmtimeResult};

/// A module already moved to `wasmtime_error`.
pub mod config {
    use wasmtime_error::{Context, Result, format_context};

    /// The port in `text`.
    pub fn port(text: &str) -> Result<u16> {
        let port = text
            .parse::<u16>()
            .with_context(|| format_context!("port {text:?} is not a number"))?;
        Ok(port)
    }
}

/// A module still on anyhow, calling the moved one: `?` converts.
mod server {
    // anyhow's `Context` does not apply to our `Result` (our `Error` is not
    // a `std::error::Error`, just like anyhow's); ours does, and `?` then
    // converts the error with its context.
    use wasmtime_error::Context as _;

    pub fn start(port_text: &str) -> anyhow::Result<u16> {
        let port = super::config::port(port_text).context("starting the server")?;
        Ok(port)
    }
}

/// Moved code calling anyhow code: `?` cannot convert an `anyhow::Error`
/// (see the docs of `ToWasmtimeResult`), `to_wasmtime_result()` does.
fn main_loop(port_text: &str) -> wasmtime_error::Result<u16> {
    let port = server::start(port_text)
        .to_wasmtime_result()
        .context("main loop")?;
    Ok(port)
}

fn main() {
    let error = main_loop("eighty").unwrap_err();
    println!("{{:#}}  {error:#}\n");
    println!("{{:?}}\n{error:?}\n");

    // Every layer is still there, whichever side made it.
    assert!(error.is::<anyhow::Error>());
    assert!(error.is::<ParseIntError>());
    let layers: Vec<String> = error.chain().map(|e| e.to_string()).collect();
    assert_eq!(
        layers,
        [
            "main loop",
            "starting the server",
            "port \"eighty\" is not a number",
            "invalid digit found in string",
        ]
    );
    println!("chain: {layers:?}");

    // Out of memory crosses over as itself.
    let oom = anyhow::Error::from(Error::from(OutOfMemory::new(1 << 30)));
    assert!(oom.is::<OutOfMemory>());
    println!("as anyhow: {oom}");

    assert_eq!(main_loop("8080").unwrap(), 8080);
}
