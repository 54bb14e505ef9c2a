//! Everything everyday code uses, in one import:
//! `use wasmtime_error::prelude::*;`.
//!
//! It brings [`Result`], [`Error`], [`Context`], [`OutOfMemory`] and
//! [`FormattedContext`]; the macros `format_err!`, `anyhow!`, `bail!`,
//! `ensure!`, `format_context!` and `try_format!`; the fallible collections
//! ([`TryVec`], [`TryString`], and with the feature `hash-map`
//! `TryHashMap` and `TryHashSet`) and the traits whose methods they and
//! std's collections are used through ([`TryClone`], [`TryToOwned`],
//! [`TryNew`], [`TryCollect`], [`TryExtend`], [`TryFromIterator`],
//! [`VecExt`], [`StringExt`], [`VecDequeExt`], [`PanicOnOom`],
//! [`ToWasmtimeResult`]) with [`TryCow`] and `try_vec!`.
//!
//! # Example
//!
//! ```
//! use wasmtime_error::prelude::*;
//!
//! fn doubled(words: &[&str]) -> Result<TryVec<TryString>> {
//!     let mut out = TryVec::new();
//!     for word in words {
//!         ensure!(!word.is_empty(), "empty word");
//!         let text = try_format!("{word}{word}")?;
//!         out.push(text)?;
//!     }
//!     Ok(out)
//! }
//!
//! let words = doubled(&["ab", "c"]).context("doubling")?;
//! assert_eq!(words[0], "abab");
//! let copy: TryVec<u8> = b"xyz"[..].try_to_owned()?;
//! let error = doubled(&[""]).with_context(|| format_context!("{} words", 1)).unwrap_err();
//! assert_eq!(format!("{error:#}"), "1 words: empty word");
//! # assert_eq!(copy, *b"xyz");
//! # wasmtime_error::Ok(())
//! ```

pub use crate::alloc::{
    PanicOnOom, StringExt, TryClone, TryCollect, TryCow, TryExtend, TryFromIterator, TryNew,
    TryString, TryToOwned, TryVec, VecDequeExt, VecExt,
};
#[cfg(feature = "hash-map")]
pub use crate::alloc::{TryHashMap, TryHashSet};
pub use crate::{Context, Error, FormattedContext, OutOfMemory, Result, ToWasmtimeResult};
// Listed once in the docs, at the root where `#[macro_export]` puts them.
#[doc(no_inline)]
pub use crate::{anyhow, bail, ensure, format_context, format_err, try_format, try_vec};
