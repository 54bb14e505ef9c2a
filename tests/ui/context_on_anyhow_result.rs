// `.context()` on an `anyhow::Result` points to `.to_wasmtime_result()`,
// not to anyhow's own `Context` trait.

use wasmtime_error::Context;

fn from_anyhow() -> anyhow::Result<u8> {
    Ok(1)
}

fn caller() -> wasmtime_error::Result<u8> {
    let value = from_anyhow().context("reading the value")?;
    Ok(value)
}

fn main() {
    let _ = caller();
}
