//! [`format_context!`](crate::format_context): the `format!` of context
//! text, which cannot abort.

use crate::OutOfMemory;
use core::fmt;
use std_alloc::string::String;

/// Formats a context, as `format!` does, for
/// [`with_context`](crate::Context::with_context) and
/// [`context`](crate::Context::context): write
/// `.with_context(|| format_context!("reading {}", path.display()))` where
/// anyhow code writes `format!`.
///
/// The text goes into one `String` of exactly its length, allocated
/// fallibly; the context layer takes that `String` over (so the context
/// downcasts to `String`, as with anyhow), and its own allocation is the
/// only other one. If the text cannot be allocated, the result of
/// `with_context` is that out-of-memory error, and nothing more is
/// allocated. Inside the closure, nothing is evaluated or formatted while
/// the result is `Ok`, nor when the error is already out of memory.
///
/// # Example
///
/// ```
/// use std::path::Path;
/// use wasmtime_error::{Context, Result, format_context};
///
/// fn read(path: &Path) -> Result<String> {
///     let text = std::fs::read_to_string(path)
///         .with_context(|| format_context!("reading {}", path.display()))?;
///     Ok(text)
/// }
///
/// let error = read(Path::new("/no/such/file")).unwrap_err();
/// assert_eq!(error.to_string(), "reading /no/such/file");
/// assert!(error.is::<std::io::Error>());
/// assert_eq!(error.downcast::<String>().unwrap(), "reading /no/such/file");
/// ```
#[macro_export]
macro_rules! format_context {
    ($($arguments:tt)*) => {
        $crate::FormattedContext::__new(::core::format_args!($($arguments)*))
    };
}

/// The text [`format_context!`](crate::format_context) made, or the
/// out-of-memory error that kept it from being made.
///
/// [`Context`](crate::Context) unwraps it: the layer it adds holds the
/// `String`, and a context that could not be allocated turns the result
/// into its `OutOfMemory`. Displayed on its own, it shows the text, or the
/// out-of-memory message.
///
/// # Example
///
/// ```
/// use wasmtime_error::format_context;
///
/// let level = 3;
/// let context = format_context!("level {level}");
/// assert_eq!(context.to_string(), "level 3");
/// ```
pub struct FormattedContext {
    pub(crate) text: Result<String, OutOfMemory>,
}

impl FormattedContext {
    /// What `format_context!` expands to.
    #[doc(hidden)]
    pub fn __new(args: fmt::Arguments<'_>) -> FormattedContext {
        FormattedContext {
            text: crate::alloc::format_string(args),
        }
    }
}

impl fmt::Display for FormattedContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Ok(text) => fmt::Display::fmt(text, f),
            Err(oom) => fmt::Display::fmt(oom, f),
        }
    }
}

impl fmt::Debug for FormattedContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Ok(text) => fmt::Debug::fmt(text, f),
            Err(oom) => fmt::Debug::fmt(oom, f),
        }
    }
}
