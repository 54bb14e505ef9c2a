//! `format_err!` (also spelled `anyhow!`), `bail!` and `ensure!`.

mod ensure;

/// Makes an [`Error`](crate::Error) from a message or a value.
///
/// - `format_err!("literal")`: no allocation; the error points at a `static`
///   holding the text (downcast it to `&'static str`).
/// - `format_err!("x = {}", x)` (or inline `{x}`): formatted, fallibly,
///   into a `String` of exactly its length (downcast it to `String`, as in
///   anyhow), then boxed: two allocations, as anyhow makes.
/// - `format_err!(value)`: a value that converts `Into<Error>` (any standard
///   error, or an `Error`) keeps its source chain; a
///   `Box<dyn Error + Send + Sync>` is taken over; anything else that is
///   `Display + Debug` becomes a message.
///
/// Whenever an allocation fails, the result is the out-of-memory error.
///
/// # Example
///
/// ```
/// use wasmtime_error::format_err;
///
/// let literal = format_err!("no input");
/// assert_eq!(literal.downcast_ref::<&str>(), Some(&"no input"));
///
/// let line = 3;
/// let formatted = format_err!("bad token on line {line}");
/// assert_eq!(formatted.to_string(), "bad token on line 3");
/// assert_eq!(formatted.downcast_ref::<String>().unwrap(), "bad token on line 3");
///
/// let io = std::io::Error::other("pipe closed");
/// assert!(format_err!(io).is::<std::io::Error>());
/// ```
#[macro_export]
macro_rules! format_err {
    ($msg:literal $(,)?) => {
        $crate::__private::must_use(
            if const { $crate::__private::is_plain_literal($msg) } {
                static __MESSAGE: $crate::__private::StaticMessage =
                    $crate::__private::StaticMessage::new($msg);
                $crate::Error::__from_static(&__MESSAGE)
            } else {
                $crate::__private::format_err_literal($crate::__private::format_args!($msg))
            },
        )
    };
    ($error:expr $(,)?) => {
        $crate::__private::must_use({
            #[allow(unused_imports)]
            use $crate::__private::kind::{AdhocKind, BoxedKind, TraitKind};
            match $error {
                error => (&error).__error_kind().wrap(error),
            }
        })
    };
    ($fmt:expr, $($arg:tt)*) => {
        $crate::__private::must_use($crate::__private::format_err(
            $crate::__private::format_args!($fmt, $($arg)*),
        ))
    };
}

/// The same as [`format_err!`], under anyhow's name, so that code moving
/// from anyhow keeps compiling.
///
/// # Example
///
/// ```
/// use wasmtime_error::anyhow;
///
/// let error = anyhow!("code {}", 7);
/// assert_eq!(error.to_string(), "code 7");
/// ```
#[macro_export]
macro_rules! anyhow {
    ($($tokens:tt)*) => {
        $crate::format_err!($($tokens)*)
    };
}

/// Returns early with an error: `return Err(format_err!(...))`.
///
/// # Example
///
/// ```
/// use wasmtime_error::{Result, bail};
///
/// fn check(depth: u32) -> Result<()> {
///     if depth > 8 {
///         bail!("too deep: {depth}");
///     }
///     Ok(())
/// }
/// assert_eq!(check(9).unwrap_err().to_string(), "too deep: 9");
/// ```
#[macro_export]
macro_rules! bail {
    ($($tokens:tt)*) => {
        return $crate::__private::Err($crate::format_err!($($tokens)*))
    };
}

/// Returns early with an error if a condition is false.
///
/// With a message (`ensure!(cond, "text {}", x)`, or any value `format_err!`
/// takes) the error is that message. Without one, it names the condition,
/// and when the condition is one comparison (`==`, `!=`, `<`, `<=`, `>`,
/// `>=`) it also shows both sides with `Debug`, exactly as anyhow does:
/// ``Condition failed: `a == b` (1 vs 2)``. The condition is printed with
/// the caller's spacing, each side is evaluated once, and a condition
/// shown without values needs no allocation.
///
/// The sides may hold anything an expression holds: casts (`x as u8`),
/// generic arguments (`Vec::<u8>::new()`, `E::<u8>>E`), qualified paths
/// (`<T as Trait>::f()`), blocks, `if`, `match` and loops. A condition that
/// is not one comparison at its top level (`a < b && c`, a closure,
/// `break`) is shown without values, as is a very long one: the parser
/// stops after 112 steps, about 200 tokens, for any condition to stay within
/// the default recursion limit.
///
/// The condition is a `bool` or a `&bool`.
///
/// # Example
///
/// ```
/// use wasmtime_error::{Result, ensure};
///
/// fn check(a: u32, b: u32) -> Result<()> {
///     ensure!(a == b);
///     ensure!(a > 0, "a must be positive, got {a}");
///     Ok(())
/// }
/// assert_eq!(check(1, 2).unwrap_err().to_string(), "Condition failed: `a == b` (1 vs 2)");
/// assert_eq!(check(0, 0).unwrap_err().to_string(), "a must be positive, got 0");
///
/// fn fits(x: i32) -> Result<()> {
///     ensure!(x as u8 as i32 == x);
///     Ok(())
/// }
/// assert_eq!(fits(300).unwrap_err().to_string(), "Condition failed: `x as u8 as i32 == x` (44 vs 300)");
///
/// fn enabled(flag: &bool) -> Result<()> {
///     ensure!(flag);
///     Ok(())
/// }
/// assert_eq!(enabled(&false).unwrap_err().to_string(), "Condition failed: `flag`");
/// ```
#[macro_export]
macro_rules! ensure {
    // A message makes the condition's shape irrelevant: no parsing.
    ($cond:expr, $($msg:tt)+) => {
        if $crate::__private::not($cond) {
            return $crate::__private::Err($crate::format_err!($($msg)+));
        }
    };
    ($($cond:tt)+) => {
        // 112 steps: with the expansions around them, the longest parse
        // stays within the default recursion limit even when `ensure!` is
        // called from four levels of the caller's own macros (anyhow's
        // parser, from two).
        $crate::__ensure!(
            @expr ($($cond)+) [] (
                * * * * * * * * * * * * * * * *
                * * * * * * * * * * * * * * * *
                * * * * * * * * * * * * * * * *
                * * * * * * * * * * * * * * * *
                * * * * * * * * * * * * * * * *
                * * * * * * * * * * * * * * * *
                * * * * * * * * * * * * * * * *
            ) {($($cond)+)} [] $($cond)+
        )
    };
}
