//! [`ToWasmtimeResult`]: `.to_wasmtime_result()` on results that are not yet
//! a [`Result`](crate::Result) of this crate.

use crate::Result;

/// `.to_wasmtime_result()`: turns a result into this crate's
/// [`Result`](crate::Result).
///
/// Implemented for [`Result<T>`](crate::Result) itself, where it changes
/// nothing, so that code written against Wasmtime's `ToWasmtimeResult`
/// compiles as it is, and with the feature `anyhow` for `anyhow::Result<T>`,
/// where the error goes through [`Error::from_anyhow`](crate::Error) (the
/// documentation of that implementation says why `?` cannot do it alone).
///
/// This trait is sealed: those are its only implementations.
///
/// # Example
///
/// ```
/// use wasmtime_error::{Result, ToWasmtimeResult, bail};
///
/// fn checked(n: u32) -> Result<u32> {
///     if n > 9 {
///         bail!("{n} has two digits");
///     }
///     Ok(n)
/// }
///
/// fn doubled(n: u32) -> Result<u32> {
///     Ok(checked(n).to_wasmtime_result()? * 2)
/// }
///
/// assert_eq!(doubled(4)?, 8);
/// assert_eq!(doubled(12).unwrap_err().to_string(), "12 has two digits");
/// # wasmtime_error::Ok(())
/// ```
pub trait ToWasmtimeResult<T>: private::Sealed {
    /// The same result, its error converted to [`Error`](crate::Error).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::{Result, ToWasmtimeResult, format_err};
    ///
    /// let ok: Result<u8> = Ok(7);
    /// assert_eq!(ok.to_wasmtime_result()?, 7);
    ///
    /// let err: Result<u8> = Err(format_err!("late"));
    /// assert_eq!(err.to_wasmtime_result().unwrap_err().to_string(), "late");
    /// # wasmtime_error::Ok(())
    /// ```
    fn to_wasmtime_result(self) -> Result<T>;
}

impl<T> ToWasmtimeResult<T> for Result<T> {
    /// Returns `self` unchanged.
    #[inline]
    fn to_wasmtime_result(self) -> Result<T> {
        self
    }
}

pub(crate) mod private {
    pub trait Sealed {}
    impl<T> Sealed for crate::Result<T> {}
    #[cfg(feature = "anyhow")]
    impl<T> Sealed for ::anyhow::Result<T> {}
}
