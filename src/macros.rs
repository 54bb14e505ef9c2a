//! `format_err!` (also spelled `anyhow!`), `bail!` and `ensure!`.

/// Makes an [`Error`](crate::Error) from a message or a value.
///
/// - `format_err!("literal")`: no allocation; the error points at a `static`
///   holding the text (downcast it to `&'static str`).
/// - `format_err!("x = {}", x)` (or inline `{x}`): formatted, fallibly, into
///   one allocation with the error header.
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
/// and for a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`) also shows both
/// sides with `Debug`, exactly as anyhow does:
/// ``Condition failed: `a == b` (1 vs 2)``. Each side is evaluated once.
/// A condition without values needs no allocation.
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
/// ```
#[macro_export]
macro_rules! ensure {
    ($($tokens:tt)+) => {
        $crate::__ensure!(@cond {} [] $($tokens)+)
    };
}

/// The condition parser behind [`ensure!`]: it walks the tokens up to the
/// first top-level comma, looking for one comparison operator. `&&`, `||`,
/// `as`, closures and ranges fall back to the plain form; `::<..>` generic
/// arguments are skipped over so their `<`, `>` and `,` are not misread.
#[doc(hidden)]
#[macro_export]
macro_rules! __ensure {
    // Scanning the left side.
    (@cond {} [$($lhs:tt)*] :: < $($rest:tt)*) => {
        $crate::__ensure!(@generic cond {} [$($lhs)* :: <] [<] $($rest)*)
    };
    (@cond {} [$($lhs:tt)+] == $($rest:tt)+) => { $crate::__ensure!(@rhs {[$($lhs)+] ==} [] $($rest)+) };
    (@cond {} [$($lhs:tt)+] != $($rest:tt)+) => { $crate::__ensure!(@rhs {[$($lhs)+] !=} [] $($rest)+) };
    (@cond {} [$($lhs:tt)+] <= $($rest:tt)+) => { $crate::__ensure!(@rhs {[$($lhs)+] <=} [] $($rest)+) };
    (@cond {} [$($lhs:tt)+] >= $($rest:tt)+) => { $crate::__ensure!(@rhs {[$($lhs)+] >=} [] $($rest)+) };
    (@cond {} [$($lhs:tt)+] < $($rest:tt)+) => { $crate::__ensure!(@rhs {[$($lhs)+] <} [] $($rest)+) };
    (@cond {} [$($lhs:tt)+] > $($rest:tt)+) => { $crate::__ensure!(@rhs {[$($lhs)+] >} [] $($rest)+) };
    (@cond {} [$($lhs:tt)*] , $($msg:tt)+) => { $crate::__ensure!(@plain_done [$($lhs)*] $($msg)+) };
    (@cond {} [$($lhs:tt)*] $(,)?) => { $crate::__ensure!(@plain_done [$($lhs)*]) };
    (@cond {} [$($lhs:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@classify cond {} [$($lhs)*] $next $($rest)*)
    };

    // Scanning the right side of a comparison.
    (@rhs {$($data:tt)*} [$($rhs:tt)*] :: < $($rest:tt)*) => {
        $crate::__ensure!(@generic rhs {$($data)*} [$($rhs)* :: <] [<] $($rest)*)
    };
    (@rhs {[$($lhs:tt)+] $op:tt} [$($rhs:tt)+] , $($msg:tt)+) => {
        $crate::__ensure!(@compare_done [$($lhs)+] $op [$($rhs)+] $($msg)+)
    };
    (@rhs {[$($lhs:tt)+] $op:tt} [$($rhs:tt)+] $(,)?) => {
        $crate::__ensure!(@compare_done [$($lhs)+] $op [$($rhs)+])
    };
    (@rhs {[$($lhs:tt)+] $op:tt} [$($rhs:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@classify rhs {[$($lhs)+] $op} [$($rhs)*] $next $($rest)*)
    };

    // Scanning a condition that is not one comparison.
    (@plain {} [$($cond:tt)*] :: < $($rest:tt)*) => {
        $crate::__ensure!(@generic plain {} [$($cond)* :: <] [<] $($rest)*)
    };
    (@plain {} [$($cond:tt)*] , $($msg:tt)+) => { $crate::__ensure!(@plain_done [$($cond)*] $($msg)+) };
    (@plain {} [$($cond:tt)*] $(,)?) => { $crate::__ensure!(@plain_done [$($cond)*]) };
    (@plain {} [$($cond:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@plain {} [$($cond)* $next] $($rest)*)
    };

    // A token that rules out the comparison form switches to the plain one,
    // taking everything read so far (for the right side, with the left side
    // and operator in front).
    (@classify $state:ident {$($data:tt)*} [$($acc:tt)*] && $($rest:tt)*) => { $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* &&] $($rest)*) };
    (@classify $state:ident {$($data:tt)*} [$($acc:tt)*] || $($rest:tt)*) => { $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* ||] $($rest)*) };
    (@classify $state:ident {$($data:tt)*} [$($acc:tt)*] as $($rest:tt)*) => { $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* as] $($rest)*) };
    (@classify $state:ident {$($data:tt)*} [$($acc:tt)*] | $($rest:tt)*) => { $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* |] $($rest)*) };
    (@classify $state:ident {$($data:tt)*} [$($acc:tt)*] .. $($rest:tt)*) => { $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* ..] $($rest)*) };
    (@classify $state:ident {$($data:tt)*} [$($acc:tt)*] ..= $($rest:tt)*) => { $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* ..=] $($rest)*) };
    (@classify $state:ident {$($data:tt)*} [$($acc:tt)*] = $($rest:tt)*) => { $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* =] $($rest)*) };
    (@classify $state:ident {$($data:tt)*} [$($acc:tt)*] let $($rest:tt)*) => { $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* let] $($rest)*) };
    (@classify rhs {$($data:tt)*} [$($acc:tt)*] == $($rest:tt)*) => { $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* ==] $($rest)*) };
    (@classify rhs {$($data:tt)*} [$($acc:tt)*] != $($rest:tt)*) => { $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* !=] $($rest)*) };
    (@classify rhs {$($data:tt)*} [$($acc:tt)*] <= $($rest:tt)*) => { $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* <=] $($rest)*) };
    (@classify rhs {$($data:tt)*} [$($acc:tt)*] >= $($rest:tt)*) => { $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* >=] $($rest)*) };
    (@classify rhs {$($data:tt)*} [$($acc:tt)*] < $($rest:tt)*) => { $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* <] $($rest)*) };
    (@classify rhs {$($data:tt)*} [$($acc:tt)*] > $($rest:tt)*) => { $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* >] $($rest)*) };
    (@classify $state:ident {$($data:tt)*} [$($acc:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@ $state {$($data)*} [$($acc)* $next] $($rest)*)
    };
    (@fallback cond {} [$($acc:tt)*] $($rest:tt)*) => { $crate::__ensure!(@plain {} [$($acc)*] $($rest)*) };
    (@fallback rhs {[$($lhs:tt)+] $op:tt} [$($acc:tt)*] $($rest:tt)*) => {
        $crate::__ensure!(@plain {} [$($lhs)+ $op $($acc)*] $($rest)*)
    };

    // Inside `::<..>`: copy tokens until the brackets balance.
    (@generic $state:ident {$($data:tt)*} [$($acc:tt)*] [$($depth:tt)*] < $($rest:tt)*) => {
        $crate::__ensure!(@generic $state {$($data)*} [$($acc)* <] [< $($depth)*] $($rest)*)
    };
    (@generic $state:ident {$($data:tt)*} [$($acc:tt)*] [<] > $($rest:tt)*) => {
        $crate::__ensure!(@ $state {$($data)*} [$($acc)* >] $($rest)*)
    };
    (@generic $state:ident {$($data:tt)*} [$($acc:tt)*] [< $($depth:tt)+] > $($rest:tt)*) => {
        $crate::__ensure!(@generic $state {$($data)*} [$($acc)* >] [$($depth)+] $($rest)*)
    };
    (@generic $state:ident {$($data:tt)*} [$($acc:tt)*] [< <] >> $($rest:tt)*) => {
        $crate::__ensure!(@ $state {$($data)*} [$($acc)* >>] $($rest)*)
    };
    (@generic $state:ident {$($data:tt)*} [$($acc:tt)*] [< < $($depth:tt)+] >> $($rest:tt)*) => {
        $crate::__ensure!(@generic $state {$($data)*} [$($acc)* >>] [$($depth)+] $($rest)*)
    };
    (@generic $state:ident {$($data:tt)*} [$($acc:tt)*] [$($depth:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@generic $state {$($data)*} [$($acc)* $next] [$($depth)*] $($rest)*)
    };

    // Expansions.
    (@plain_done [$($cond:tt)+]) => {
        if $crate::__private::not($($cond)+) {
            static __MESSAGE: $crate::__private::StaticMessage = $crate::__private::StaticMessage::new(
                ::core::concat!("Condition failed: `", ::core::stringify!($($cond)+), "`"),
            );
            return $crate::__private::Err($crate::Error::__from_static(&__MESSAGE));
        }
    };
    (@plain_done [$($cond:tt)+] $($msg:tt)+) => {
        if $crate::__private::not($($cond)+) {
            return $crate::__private::Err($crate::format_err!($($msg)+));
        }
    };
    (@compare_done [$($lhs:tt)+] $op:tt [$($rhs:tt)+]) => {
        match (&($($lhs)+), &($($rhs)+)) {
            (lhs, rhs) => {
                if !(*lhs $op *rhs) {
                    return $crate::__private::Err($crate::__private::condition_failed(
                        // One space around the operator whatever the source
                        // spacing, as anyhow prints it.
                        ::core::concat!(
                            ::core::stringify!($($lhs)+),
                            " ",
                            ::core::stringify!($op),
                            " ",
                            ::core::stringify!($($rhs)+),
                        ),
                        {
                            #[allow(unused_imports)]
                            use $crate::__private::debug::{HasDebug, NoDebug};
                            (&$crate::__private::debug::Probe(lhs)).__debug()
                        },
                        {
                            #[allow(unused_imports)]
                            use $crate::__private::debug::{HasDebug, NoDebug};
                            (&$crate::__private::debug::Probe(rhs)).__debug()
                        },
                    ));
                }
            }
        }
    };
    (@compare_done [$($lhs:tt)+] $op:tt [$($rhs:tt)+] $($msg:tt)+) => {
        if !(($($lhs)+) $op ($($rhs)+)) {
            return $crate::__private::Err($crate::format_err!($($msg)+));
        }
    };
}
