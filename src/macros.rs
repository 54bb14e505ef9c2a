//! `format_err!` (also spelled `anyhow!`), `bail!` and `ensure!`.

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
/// and for a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`) also shows both
/// sides with `Debug`, exactly as anyhow does:
/// ``Condition failed: `a == b` (1 vs 2)``. A side may hold casts
/// (`x as u8`), generic arguments (`Vec::<u8>::new()`) and qualified paths
/// (`<T as Trait>::f()`); the condition is printed with the caller's
/// spacing. Each side is evaluated once.
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
///
/// fn fits(x: i32) -> Result<()> {
///     ensure!(x as u8 as i32 == x);
///     Ok(())
/// }
/// assert_eq!(fits(300).unwrap_err().to_string(), "Condition failed: `x as u8 as i32 == x` (44 vs 300)");
/// ```
#[macro_export]
macro_rules! ensure {
    ($($tokens:tt)+) => {
        $crate::__ensure!(@scan lhs {} [] ($($tokens)+) $($tokens)+)
    };
}

/// The condition parser behind [`ensure!`]: it walks the tokens up to the
/// first top-level comma, looking for one comparison operator, and splits
/// the condition there. `&&`, `||`, closures, ranges and assignments fall
/// back to the plain form. `::<..>` generic arguments, qualified paths
/// (`<T as Trait>::f`) and the type of an `as` cast are read as a whole, so
/// their `<`, `>` and `,` are not misread.
///
/// Every step carries, in parentheses, a copy of the tokens still to read:
/// punctuation is matched against the copy and the originals are taken from
/// the second list, so that `stringify!` prints the caller's spacing (a
/// token written in this macro would print with its own). Each step reads
/// one token, so a condition can be about as long as the recursion limit
/// (anyhow's parser stops after about 120 steps and then leaves the values
/// out; this one does not).
///
/// The states: `@scan lhs {}` reads the left side, `@scan rhs {[lhs] op}`
/// the right one, `@scan plain {}` a condition that is not one comparison;
/// `@ty k`, `@tpath k` and `@angle k [depth]` read a type, a type's path and
/// a `<..>` group, then go on with `@ k`.
#[doc(hidden)]
#[macro_export]
macro_rules! __ensure {
    // The end of the condition: nothing left, or a top-level comma.
    (@scan lhs {} [$($cond:tt)*] ()) => { $crate::__ensure!(@plain_done [$($cond)*]) };
    (@scan lhs {} [$($cond:tt)*] (, $($_d:tt)*) , $($msg:tt)*) => {
        $crate::__ensure!(@plain_done [$($cond)*] $($msg)*)
    };
    (@scan plain {} [$($cond:tt)*] ()) => { $crate::__ensure!(@plain_done [$($cond)*]) };
    (@scan plain {} [$($cond:tt)*] (, $($_d:tt)*) , $($msg:tt)*) => {
        $crate::__ensure!(@plain_done [$($cond)*] $($msg)*)
    };
    (@scan rhs {[$($lhs:tt)+] $op:tt} [$($rhs:tt)+] ()) => {
        $crate::__ensure!(@compare_done [$($lhs)+] $op [$($rhs)+])
    };
    (@scan rhs {[$($lhs:tt)+] $op:tt} [$($rhs:tt)+] (, $($_d:tt)*) , $($msg:tt)*) => {
        $crate::__ensure!(@compare_done [$($lhs)+] $op [$($rhs)+] $($msg)*)
    };
    // `a ==` with nothing after: let the compiler say what is wrong.
    (@scan rhs {[$($lhs:tt)+] $op:tt} [] ($(, $($_d:tt)*)?) $($rest:tt)*) => {
        $crate::__ensure!(@scan plain {} [$($lhs)+ $op] ($($rest)*) $($rest)*)
    };

    // In every state: generic arguments, casts, and a qualified path or a
    // `&&` reference at the start.
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (:: < $($_d:tt)*) $colons:tt $open:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle (scan $state {$($data)*}) [$($acc)* $colons $open] [<] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (:: << $($_d:tt)*) $colons:tt $open:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle (scan $state {$($data)*}) [$($acc)* $colons $open] [q <] ($($rest)*) $($rest)*)
    };
    // `as name`, the usual cast, in one step unless a path or `<..>`
    // follows the name.
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (as $_i:ident :: $($_d:tt)*) $as:tt $name:tt $($rest:tt)*) => {
        $crate::__ensure!(@tpath (scan $state {$($data)*}) [$($acc)* $as $name] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (as $_i:ident < $($_d:tt)*) $as:tt $name:tt $($rest:tt)*) => {
        $crate::__ensure!(@tpath (scan $state {$($data)*}) [$($acc)* $as $name] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (as $_i:ident << $($_d:tt)*) $as:tt $name:tt $($rest:tt)*) => {
        $crate::__ensure!(@tpath (scan $state {$($data)*}) [$($acc)* $as $name] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (as $_i:ident $($_d:tt)*) $as:tt $name:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan $state {$($data)*} [$($acc)* $as $name] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (as $($_d:tt)*) $as:tt $($rest:tt)*) => {
        $crate::__ensure!(@ty (scan $state {$($data)*}) [$($acc)* $as] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [] (< $($_d:tt)*) $open:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle (scan $state {$($data)*}) [$open] [q] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [] (&& $($_d:tt)*) $refs:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan $state {$($data)*} [$refs] ($($rest)*) $($rest)*)
    };
    (@scan plain {} [$($acc:tt)*] ($_t:tt $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan plain {} [$($acc)* $next] ($($rest)*) $($rest)*)
    };

    // The comparison operator.
    (@scan lhs {} [$($lhs:tt)+] (== $($_d:tt)*) $op:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan rhs {[$($lhs)+] $op} [] ($($rest)*) $($rest)*)
    };
    (@scan lhs {} [$($lhs:tt)+] (!= $($_d:tt)*) $op:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan rhs {[$($lhs)+] $op} [] ($($rest)*) $($rest)*)
    };
    (@scan lhs {} [$($lhs:tt)+] (<= $($_d:tt)*) $op:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan rhs {[$($lhs)+] $op} [] ($($rest)*) $($rest)*)
    };
    (@scan lhs {} [$($lhs:tt)+] (>= $($_d:tt)*) $op:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan rhs {[$($lhs)+] $op} [] ($($rest)*) $($rest)*)
    };
    (@scan lhs {} [$($lhs:tt)+] (< $($_d:tt)*) $op:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan rhs {[$($lhs)+] $op} [] ($($rest)*) $($rest)*)
    };
    (@scan lhs {} [$($lhs:tt)+] (> $($_d:tt)*) $op:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan rhs {[$($lhs)+] $op} [] ($($rest)*) $($rest)*)
    };
    // A second comparison (inside a longer condition).
    (@scan rhs {$($data:tt)*} [$($acc:tt)*] (== $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan rhs {$($data:tt)*} [$($acc:tt)*] (!= $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan rhs {$($data:tt)*} [$($acc:tt)*] (<= $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan rhs {$($data:tt)*} [$($acc:tt)*] (>= $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan rhs {$($data:tt)*} [$($acc:tt)*] (< $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan rhs {$($data:tt)*} [$($acc:tt)*] (> $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback rhs {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };

    // Tokens that bind more loosely than a comparison, and a closure's `|`
    // at the start of a side, rule out the comparison form.
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (&& $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (|| $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [] (| $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback $state {$($data)*} [$next] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (.. $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (..= $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (= $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] (let $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@fallback $state {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@scan $state:ident {$($data:tt)*} [$($acc:tt)*] ($_t:tt $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan $state {$($data)*} [$($acc)* $next] ($($rest)*) $($rest)*)
    };

    // Switching to the plain form keeps everything read so far (for the
    // right side, with the left side and the operator in front).
    (@fallback lhs {} [$($acc:tt)*] $dup:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan plain {} [$($acc)*] $dup $($rest)*)
    };
    (@fallback rhs {[$($lhs:tt)+] $op:tt} [$($acc:tt)*] $dup:tt $($rest:tt)*) => {
        $crate::__ensure!(@scan plain {} [$($lhs)+ $op $($acc)*] $dup $($rest)*)
    };

    // The type after `as`: reference and pointer prefixes, then a path
    // whose `<..>` arguments need no turbofish. Anything else (`_`, a tuple,
    // an array) is one token the caller's state copies.
    (@ty $k:tt [$($acc:tt)*] (& $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    (@ty $k:tt [$($acc:tt)*] (&& $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    (@ty $k:tt [$($acc:tt)*] (* $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    (@ty $k:tt [$($acc:tt)*] (mut $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    (@ty $k:tt [$($acc:tt)*] (const $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    (@ty $k:tt [$($acc:tt)*] (dyn $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    (@ty $k:tt [$($acc:tt)*] (unsafe $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    (@ty $k:tt [$($acc:tt)*] (extern $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    (@ty $k:tt [$($acc:tt)*] (fn $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    (@ty $k:tt [$($acc:tt)*] ($_l:lifetime $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    (@ty $k:tt [$($acc:tt)*] ($_l:literal $($_d:tt)*) $next:tt $($rest:tt)*) => { $crate::__ensure!(@ty $k [$($acc)* $next] ($($rest)*) $($rest)*) };
    // `fn(A) -> R`: the return type is a type again.
    (@ty $k:tt [$($acc:tt)*] (($($_a:tt)*) -> $($_d:tt)*) $args:tt $arrow:tt $($rest:tt)*) => {
        $crate::__ensure!(@ty $k [$($acc)* $args $arrow] ($($rest)*) $($rest)*)
    };
    (@ty $k:tt [$($acc:tt)*] (< $($_d:tt)*) $open:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle (tpath $k) [$($acc)* $open] [q] ($($rest)*) $($rest)*)
    };
    (@ty $k:tt [$($acc:tt)*] (:: $_i:ident $($_d:tt)*) $colons:tt $name:tt $($rest:tt)*) => {
        $crate::__ensure!(@tpath $k [$($acc)* $colons $name] ($($rest)*) $($rest)*)
    };
    (@ty $k:tt [$($acc:tt)*] ($_i:ident $($_d:tt)*) $name:tt $($rest:tt)*) => {
        $crate::__ensure!(@tpath $k [$($acc)* $name] ($($rest)*) $($rest)*)
    };
    (@ty ($($k:tt)*) [$($acc:tt)*] $dup:tt $($rest:tt)*) => {
        $crate::__ensure!(@ $($k)* [$($acc)*] $dup $($rest)*)
    };

    // A type's path: `::name` segments and `<..>` arguments (with or
    // without `::`); it ends at the first other token.
    (@tpath $k:tt [$($acc:tt)*] (:: < $($_d:tt)*) $colons:tt $open:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle (tpath $k) [$($acc)* $colons $open] [<] ($($rest)*) $($rest)*)
    };
    (@tpath $k:tt [$($acc:tt)*] (:: << $($_d:tt)*) $colons:tt $open:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle (tpath $k) [$($acc)* $colons $open] [q <] ($($rest)*) $($rest)*)
    };
    (@tpath $k:tt [$($acc:tt)*] (< $($_d:tt)*) $open:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle (tpath $k) [$($acc)* $open] [<] ($($rest)*) $($rest)*)
    };
    (@tpath $k:tt [$($acc:tt)*] (<< $($_d:tt)*) $open:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle (tpath $k) [$($acc)* $open] [q <] ($($rest)*) $($rest)*)
    };
    (@tpath $k:tt [$($acc:tt)*] (:: $_i:ident $($_d:tt)*) $colons:tt $name:tt $($rest:tt)*) => {
        $crate::__ensure!(@tpath $k [$($acc)* $colons $name] ($($rest)*) $($rest)*)
    };
    (@tpath ($($k:tt)*) [$($acc:tt)*] $dup:tt $($rest:tt)*) => {
        $crate::__ensure!(@ $($k)* [$($acc)*] $dup $($rest)*)
    };

    // Inside `<..>`: copy tokens until the brackets balance. The depth
    // stack, innermost first, has `<` for generic arguments and `q` for a
    // qualified path (`<T as Trait>::Item`); the two differ only for `>>`.
    (@angle $k:tt [$($acc:tt)*] [$($depth:tt)*] (, < $($_d:tt)*) $comma:tt $open:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle $k [$($acc)* $comma $open] [q $($depth)*] ($($rest)*) $($rest)*)
    };
    (@angle $k:tt [$($acc:tt)*] [$($depth:tt)*] (= < $($_d:tt)*) $eq:tt $open:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle $k [$($acc)* $eq $open] [q $($depth)*] ($($rest)*) $($rest)*)
    };
    (@angle $k:tt [$($acc:tt)*] [$($depth:tt)*] (< $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle $k [$($acc)* $next] [< $($depth)*] ($($rest)*) $($rest)*)
    };
    (@angle $k:tt [$($acc:tt)*] [$($depth:tt)*] (<< $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle $k [$($acc)* $next] [q < $($depth)*] ($($rest)*) $($rest)*)
    };
    (@angle ($($k:tt)*) [$($acc:tt)*] [$_top:tt] (> $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@ $($k)* [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@angle $k:tt [$($acc:tt)*] [$_top:tt $($depth:tt)+] (> $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle $k [$($acc)* $next] [$($depth)+] ($($rest)*) $($rest)*)
    };
    // A `>>` that closes two levels of generic arguments (`Vec<Vec<u8>>`):
    // anyhow then shows no values, so the condition takes the plain form
    // (the state to go back to becomes `plain`, see `@demote`).
    (@angle $k:tt [$($acc:tt)*] [$_top:tt < $($depth:tt)*] (>> $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@demote () $k [$($acc)* $next] [$($depth)*] ($($rest)*) $($rest)*)
    };
    (@angle ($($k:tt)*) [$($acc:tt)*] [$_top:tt q] (>> $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@ $($k)* [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    (@angle $k:tt [$($acc:tt)*] [$_top:tt q $($depth:tt)+] (>> $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle $k [$($acc)* $next] [$($depth)+] ($($rest)*) $($rest)*)
    };
    // A `>>` closing one level too many only happens in code the compiler
    // rejects or in a shift right after a cast's generic type; it closes
    // the group either way.
    (@angle ($($k:tt)*) [$($acc:tt)*] [$_top:tt] (>> $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@ $($k)* [$($acc)* $next] ($($rest)*) $($rest)*)
    };
    // Unbalanced to the end: the plain form, for the compiler to judge.
    (@angle $k:tt [$($acc:tt)*] [$($depth:tt)*] ()) => {
        $crate::__ensure!(@unwind $k [$($acc)*])
    };
    (@angle $k:tt [$($acc:tt)*] [$($depth:tt)*] ($_t:tt $($_d:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__ensure!(@angle $k [$($acc)* $next] [$($depth)*] ($($rest)*) $($rest)*)
    };
    // `@demote (tpath..) k [acc] [depth]`: replaces the state at the bottom
    // of `k` by `plain`, counting the `tpath` levels above it to put them
    // back, then goes on inside `<..>` or after it.
    (@demote ($($levels:tt)*) (tpath $k:tt) $($more:tt)*) => {
        $crate::__ensure!(@demote (tpath $($levels)*) $k $($more)*)
    };
    (@demote $levels:tt (scan rhs {[$($lhs:tt)+] $op:tt}) [$($acc:tt)*] $($more:tt)*) => {
        $crate::__ensure!(@rewrap $levels (scan plain {}) [$($lhs)+ $op $($acc)*] $($more)*)
    };
    (@demote $levels:tt (scan $state:ident {}) $($more:tt)*) => {
        $crate::__ensure!(@rewrap $levels (scan plain {}) $($more)*)
    };
    (@rewrap (tpath $($levels:tt)*) $k:tt $($more:tt)*) => {
        $crate::__ensure!(@rewrap ($($levels)*) (tpath $k) $($more)*)
    };
    (@rewrap () ($($k:tt)*) [$($acc:tt)*] [] $($rest:tt)*) => {
        $crate::__ensure!(@ $($k)* [$($acc)*] $($rest)*)
    };
    (@rewrap () $k:tt [$($acc:tt)*] [$($depth:tt)+] $($rest:tt)*) => {
        $crate::__ensure!(@angle $k [$($acc)*] [$($depth)+] $($rest)*)
    };
    (@unwind (tpath $k:tt) [$($acc:tt)*]) => { $crate::__ensure!(@unwind $k [$($acc)*]) };
    (@unwind (scan rhs {[$($lhs:tt)+] $op:tt}) [$($acc:tt)*]) => {
        $crate::__ensure!(@plain_done [$($lhs)+ $op $($acc)*])
    };
    (@unwind (scan $state:ident {}) [$($acc:tt)*]) => { $crate::__ensure!(@plain_done [$($acc)*]) };

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
