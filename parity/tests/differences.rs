//! The deliberate differences from Wasmtime that the README's "Coming from
//! Wasmtime" lists: `{:?}` and `{:#?}` print what anyhow prints, where
//! Wasmtime's `{:?}` ends a chain with a newline and does not indent the
//! continuation lines of a cause, and its `{:#?}` shows the error's
//! internals; context on an out-of-memory error is kept here (when it
//! needs no memory), never added there. (The expected texts are spelled out
//! rather than taken from anyhow, whose `{:?}` adds a backtrace under
//! `RUST_BACKTRACE=1`.)

fn layered_wasmtime() -> wasmtime_internal_core::error::Error {
    wasmtime_internal_core::error::format_err!("inner").context("outer")
}

fn layered_ours() -> wasmtime_error::Error {
    wasmtime_error::format_err!("inner").context("outer")
}

#[test]
fn debug_of_a_chain_ends_without_a_newline_in_ours_only() {
    assert_eq!(
        format!("{:?}", layered_ours()),
        "outer\n\nCaused by:\n    inner"
    );
    assert_eq!(
        format!("{:?}", layered_wasmtime()),
        "outer\n\nCaused by:\n    inner\n"
    );
}

/// A cause over several lines, made as wasmparser makes its bad-magic
/// message (a byte array printed with `{:#x?}`).
fn magic_message() -> String {
    format!("bad magic number - expected={:#x?}", [0u8, 0x61])
}

#[test]
fn debug_indents_a_multi_line_cause_in_ours_only() {
    let ours = wasmtime_error::Error::msg(magic_message()).context("outer");
    assert_eq!(
        format!("{ours:?}"),
        "outer\n\nCaused by:\n    bad magic number - expected=[\n        0x0,\n        0x61,\n    ]"
    );
    let theirs = wasmtime_internal_core::error::Error::msg(magic_message()).context("outer");
    assert_eq!(
        format!("{theirs:?}"),
        "outer\n\nCaused by:\n    bad magic number - expected=[\n    0x0,\n    0x61,\n]\n"
    );
}

#[test]
fn alternate_debug_shows_anyhows_structure_in_ours_and_internals_in_wasmtimes() {
    assert_eq!(
        format!("{:#?}", layered_ours()),
        "Error {\n    context: \"outer\",\n    source: \"inner\",\n}"
    );
    let theirs = format!("{:#?}", layered_wasmtime());
    assert!(
        theirs.starts_with("Error {\n    inner: DynError {"),
        "{theirs}"
    );

    let single = wasmtime_error::format_err!("single");
    assert_eq!(format!("{single:#?}"), "\"single\"");
    let single = wasmtime_internal_core::error::format_err!("single");
    assert!(format!("{single:#?}").contains("DynError"));
}

#[test]
fn display_is_the_same() {
    assert_eq!(layered_ours().to_string(), layered_wasmtime().to_string());
    assert_eq!(
        format!("{:#}", layered_ours()),
        format!("{:#}", layered_wasmtime())
    );
}

/// Context on an out-of-memory error: Wasmtime never adds it (it would need
/// memory); ours keeps a `&'static str` context in static memory and shows
/// it as a boxed layer would be shown.
#[test]
fn context_on_out_of_memory_is_kept_in_ours_only() {
    let ours = wasmtime_error::Error::from(wasmtime_error::OutOfMemory::new(64))
        .context("growing the table");
    assert_eq!(
        format!("{ours:#}"),
        "growing the table: out of memory (failed to allocate 64 bytes)"
    );
    let theirs = wasmtime_internal_core::error::Error::from(
        wasmtime_internal_core::error::OutOfMemory::new(64),
    )
    .context("growing the table");
    assert_eq!(
        format!("{theirs:#}"),
        "out of memory (failed to allocate 64 bytes)"
    );
}
