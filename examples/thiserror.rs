//! A library's error enum, derived with thiserror, flowing into
//! `wasmtime_error::Result` with `?`, with context added on top, and
//! downcast back to the enum by the caller.
//!
//! Run it with `cargo run -p wasmtime-error-examples --example thiserror --features thiserror`.

use wasmtime_error::{Context, Result};

/// What a small config library reports.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A number did not parse; the parse error is the source.
    #[error("invalid number for `{key}`")]
    BadNumber {
        key: &'static str,
        #[source]
        cause: std::num::ParseIntError,
    },
    /// Reading failed; converted from `std::io::Error` by `?`.
    #[error("cannot read the config")]
    Io(#[from] std::io::Error),
    /// Anything else, shown as the inner error shows itself.
    #[error(transparent)]
    Other(#[from] std::fmt::Error),
}

fn parse_port(text: &str) -> Result<u16, ConfigError> {
    text.trim()
        .parse()
        .map_err(|cause| ConfigError::BadNumber { key: "port", cause })
}

/// Loads the port, with context.
pub fn load(text: &str) -> Result<u16> {
    let port = parse_port(text).context("loading server.toml")?;
    Ok(port)
}

fn main() {
    let error = load("eighty").unwrap_err();
    println!("{{}}   : {error}");
    println!("{{:#}} : {error:#}");
    println!("{{:?}} :\n{error:?}\n");

    match error.downcast_ref::<ConfigError>() {
        Some(ConfigError::BadNumber { key, .. }) => {
            println!("downcast to ConfigError: BadNumber for `{key}`")
        }
        other => panic!("unexpected: {other:?}"),
    }

    let io: Result<(), ConfigError> = Err(std::io::Error::other("disk gone").into());
    let error = io.context("reloading").unwrap_err();
    println!("an io::Error converted by #[from], {{:#}} : {error:#}");
}
