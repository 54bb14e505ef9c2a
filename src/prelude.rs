//! Everything everyday code uses, in one import:
//! `use wasmtime_error::prelude::*;`.
//!
//! It brings [`Result`], [`Error`], [`Context`], [`OutOfMemory`],
//! [`FormattedContext`] and [`ToWasmtimeResult`], and the macros
//! `format_err!`, `anyhow!`, `bail!`, `ensure!` and `format_context!`. With
//! the feature `collections` it also brings the fallible collections
//! (`TryVec`, `TryString`, and with the feature `hash-map` `TryHashMap` and
//! `TryHashSet`), the traits whose methods they and std's collections are
//! used through (`TryClone`, `TryToOwned`, `TryNew`, `TryCollect`,
//! `TryExtend`, `TryFromIterator`, `VecExt`, `StringExt`, `VecDequeExt`,
//! `PanicOnOom`), `TryCow`, `try_format!` and `try_vec!`.
//!
//! # Example
//!
//! ```
//! use wasmtime_error::prelude::*;
//!
//! fn level(text: &str) -> Result<u8> {
//!     let level: u8 = text.parse().context("not a number")?;
//!     ensure!(level <= 9, "level {level} is above 9");
//!     Ok(level)
//! }
//!
//! assert_eq!(level("7")?, 7);
//! let error = level("12").with_context(|| format_context!("reading {}", "x")).unwrap_err();
//! assert_eq!(format!("{error:#}"), "reading x: level 12 is above 9");
//! assert!(!error.is::<OutOfMemory>());
//! # wasmtime_error::Ok(())
//! ```
//!
//! With `collections`, the same import writes fallible code:
//!
//! ```
//! # #[cfg(feature = "collections")] {
//! use wasmtime_error::prelude::*;
//!
//! fn doubled(words: &[&str]) -> Result<TryVec<TryString>> {
//!     let mut out = TryVec::new();
//!     for word in words {
//!         ensure!(!word.is_empty(), "empty word");
//!         out.push(try_format!("{word}{word}")?)?;
//!     }
//!     Ok(out)
//! }
//!
//! assert_eq!(doubled(&["ab", "c"])?[0], "abab");
//! let copy: TryVec<u8> = b"xyz"[..].try_to_owned()?;
//! assert_eq!(copy, *b"xyz");
//! # }
//! # wasmtime_error::Ok(())
//! ```

#[cfg(feature = "collections")]
pub use crate::alloc::{
    PanicOnOom, StringExt, TryClone, TryCollect, TryCow, TryExtend, TryFromIterator, TryNew,
    TryString, TryToOwned, TryVec, VecDequeExt, VecExt,
};
#[cfg(feature = "hash-map")]
pub use crate::alloc::{TryHashMap, TryHashSet};
pub use crate::{Context, Error, FormattedContext, OutOfMemory, Result, ToWasmtimeResult};
// Listed once in the docs, at the root where `#[macro_export]` puts them.
#[doc(no_inline)]
pub use crate::{anyhow, bail, ensure, format_context, format_err};
#[cfg(feature = "collections")]
#[doc(no_inline)]
pub use crate::{try_format, try_vec};
