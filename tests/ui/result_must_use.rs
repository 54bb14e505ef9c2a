// `Result<T>` and a freshly made error are `#[must_use]`.

#![deny(unused_must_use)]

fn fallible() -> wasmtime_error::Result<()> {
    Ok(())
}

fn main() {
    fallible();
    wasmtime_error::format_err!("made and dropped {}", 1);
}
