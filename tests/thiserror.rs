//! A thiserror-derived enum flowing into `wasmtime_error::Result`: the three
//! formats of the chain, and downcasts back to the enum and its sources.

#[path = "support/locations.rs"]
mod locations;

use wasmtime_error::{Context, Error, Result};

#[derive(Debug, thiserror::Error)]
enum StoreError {
    #[error("key `{key}` holds no number")]
    NotANumber {
        key: String,
        #[source]
        cause: std::num::ParseIntError,
    },
    #[error("store unavailable")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Fmt(#[from] std::fmt::Error),
}

fn read_number(key: &str, raw: &str) -> Result<i64, StoreError> {
    raw.parse().map_err(|cause| StoreError::NotANumber {
        key: key.to_owned(),
        cause,
    })
}

fn total(raw: &str) -> Result<i64> {
    let value = read_number("count", raw).context("computing the total")?;
    Ok(value * 2)
}

#[test]
fn formats_of_a_chain_through_a_thiserror_enum() {
    let error = total("ten").unwrap_err();
    assert_eq!(error.to_string(), "computing the total");
    assert_eq!(
        format!("{error:#}"),
        "computing the total: key `count` holds no number: invalid digit found in string"
    );
    // With the feature `backtrace` and RUST_BACKTRACE set, `{:?}` ends with one.
    let debug = format!("{error:?}");
    let debug = locations::without_locations(debug.split("\n\nStack backtrace:").next().unwrap());
    assert_eq!(
        debug,
        "computing the total\n\nCaused by:\n    0: key `count` holds no number\n    1: invalid digit found in string"
    );
    assert_eq!(error.chain().len(), 3);
}

#[test]
fn downcasts_back_to_the_enum_and_the_context() {
    let error = total("x").unwrap_err();
    assert_eq!(error.downcast_ref::<&str>(), Some(&"computing the total"));
    match error.downcast_ref::<StoreError>() {
        Some(StoreError::NotANumber { key, cause }) => {
            assert_eq!(key, "count");
            assert_eq!(cause.to_string(), "invalid digit found in string");
        }
        other => panic!("expected NotANumber, got {other:?}"),
    }
    let root = error.root_cause();
    assert!(root.downcast_ref::<std::num::ParseIntError>().is_some());

    let owned = error
        .downcast::<StoreError>()
        .expect("the enum is in the chain");
    assert!(matches!(owned, StoreError::NotANumber { .. }));
}

#[test]
fn from_conversion_and_transparent_variants() {
    fn io() -> Result<()> {
        let failed: Result<(), std::io::Error> = Err(std::io::Error::other("socket closed"));
        failed.map_err(StoreError::from)?;
        Ok(())
    }
    let error = io().unwrap_err();
    assert_eq!(format!("{error:#}"), "store unavailable: socket closed");
    assert!(matches!(
        error.downcast_ref::<StoreError>(),
        Some(StoreError::Io(_))
    ));

    // `#[error(transparent)]` forwards Display and source to the inner error.
    let transparent = Error::new(StoreError::from(std::fmt::Error)).context("rendering");
    assert_eq!(
        format!("{transparent:#}"),
        "rendering: an error occurred when formatting an argument"
    );
    assert_eq!(transparent.chain().len(), 2);
}
