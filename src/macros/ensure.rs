//! The condition parser behind `ensure!` without a message.
//!
//! `ensure!(a OP b)` shows both values when the condition is one comparison
//! at its top level. Finding that comparison takes a parser, because `<`,
//! `>` and `>>` also close and open generic arguments, `==` may sit inside
//! an `if`, and `break`, closures, `&&`, `||` and ranges bind more loosely
//! than a comparison. anyhow's rule is followed exactly: the values are shown
//! only when the parser understands the whole condition as
//! `LHS OP RHS`; any other shape, anything it does not know, and a
//! condition longer than its step budget take the plain form
//! ``Condition failed: `cond` `` (never a wrong split).
//!
//! # How it reads
//!
//! Every step is one call of `__ensure!`:
//!
//! ```text
//! @state [frames] (budget) {(all tokens) lhs op} [read] (unread) unread
//! ```
//!
//! - `@state` says what may come next: `expr` (an operand starts), `post`
//!   (after an operand: method calls, `as`, operators), `cmp` (a comparison
//!   operator), `path` (after a segment of an expression path), `ty` (a
//!   type starts), `tpath` (after a segment of a type path), `args` and
//!   `argsep` (inside `<..>` generic arguments), `qself` (inside
//!   `<T as Trait>`), `pat` (a pattern, after `let` or `for`) and `half`
//!   (a `>>` whose first `>` closed generic arguments, see below).
//! - `[frames]` is a stack of the states to go back to when a nested part
//!   ends (`post` after a path, `argsep` after a type inside `<..>`, ...);
//!   `block` stands for the `{..}` that ends the head of `if`, `while`,
//!   `match` and `for`. An empty stack is the top level, the only place
//!   where a comparison splits the condition.
//! - `(budget)` loses a token per step: when it runs out, the plain form is
//!   taken, so a condition of any length stays within the default recursion
//!   limit (128) and only a very long one loses its values.
//! - `{(all) lhs op}` keeps the condition as written, for the plain form, and
//!   after the split the left side and the operator.
//! - `[read]` holds the tokens of the current side read so far.
//! - The unread tokens come twice: the copy in parentheses is matched
//!   against the rules' punctuation, and the originals are taken from the
//!   second list, so that `stringify!` prints the caller's tokens (a token
//!   written in this macro would print with its own spacing).
//!
//! Most steps read one token; the common pairs (an identifier or a literal
//! followed by an arithmetic operator, `.name(..)`, `as u8`, a macro call)
//! are read in one step, so the budget lasts about twice as many tokens as
//! it has steps.
//!
//! # `>>`
//!
//! In `E::<u8>>E` the first `>` of `>>` closes the generic arguments and the
//! second is the comparison; in `<u8 as TryFrom<u16>>::Error` it closes a
//! qualified path. The `half` state carries the `>>` up the frames to see
//! which: at the top level the side gets a `>` of its own and the operator
//! is `>`; nested, the `>>` is read whole; after a qualified path it must be
//! followed by `::name`. A `>>` that closes two lists of generic arguments
//! (`Vec<Vec<u8>>`) takes the plain form, as in anyhow.

/// See the module documentation of `src/macros/ensure.rs`.
#[doc(hidden)]
#[macro_export]
macro_rules! __ensure {
    // The expansions.
    (@compare ($lhs:expr) $op:tt ($rhs:expr)) => {
        match (&$lhs, &$rhs) {
            (lhs, rhs) => {
                if !(*lhs $op *rhs) {
                    static __MESSAGE: $crate::__private::StaticMessage =
                        $crate::__private::StaticMessage::new(::core::concat!(
                            "Condition failed: `",
                            ::core::stringify!($lhs),
                            " ",
                            ::core::stringify!($op),
                            " ",
                            ::core::stringify!($rhs),
                            "`",
                        ));
                    return $crate::__private::Err($crate::__private::condition_failed(
                        &__MESSAGE,
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
    (@plain $cond:expr $(,)?) => {
        if $crate::__private::not($cond) {
            static __MESSAGE: $crate::__private::StaticMessage = $crate::__private::StaticMessage::new(
                ::core::concat!("Condition failed: `", ::core::stringify!($cond), "`"),
            );
            return $crate::__private::Err($crate::Error::__from_static(&__MESSAGE));
        }
    };

    // `@expr`: an operand starts. Control flow and closures bind more
    // loosely than a comparison: plain form.
    (@expr $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (return $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@expr $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (break $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@expr $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (continue $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@expr $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (yield $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@expr $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (move $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    // Blocks that are operands.
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (loop {$($g:tt)*} $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (async {$($g:tt)*} $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (async move {$($g:tt)*} $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (unsafe {$($g:tt)*} $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (const {$($g:tt)*} $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    // `async |x| ..` and `async move |x| ..` are closures.
    (@expr $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (async $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    // Prefix operators.
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (* $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (! $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (- $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (& raw const $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (& raw mut $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (&& raw const $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (&& raw mut $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (& mut $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (&& mut $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (& $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (&& $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:lifetime : $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    // `let` (in `if let` and `while let`) starts a pattern; `if`, `while`,
    // `match` and `for` a head that a block ends.
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (let $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (if $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [block $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (match $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [block $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (while $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [block $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (for $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat [block $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    // Groups.
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (($($g:tt)*) $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ([$($g:tt)*] $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ({$($g:tt)*} $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    // A literal (never `-1`: the `-` was read above), with the arithmetic
    // operator after it in the same step.
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal + $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal - $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal * $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal / $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal % $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal ^ $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal & $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal | $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal << $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal >> $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    // Paths and macro calls.
    (@expr [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (:: $i:ident $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@path [post $($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident :: $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@path [post $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident ! ($($g:tt)*) $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident ! [$($g:tt)*] $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident ! {$($g:tt)*} $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    // A name with the arithmetic operator after it. The keywords that
    // start something else were matched above.
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident + $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident - $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident * $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident / $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident % $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident ^ $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident & $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident | $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident << $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident >> $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@expr $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    // `<T as Trait>::f`.
    (@expr [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (< $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty [qself path post $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };

    // `@post`: after an operand. First the block that ends the head of
    // `if`, `while`, `match` or `for`, with its `else`.
    (@post [block $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] ({$($g:tt)*} else if $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@expr [block $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@post [block $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] ({$($g:tt)*} else {$($h:tt)*} $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post [$($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@post [block $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] ({$($g:tt)*} $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@post [$($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    // The end of a condition that was split at its comparison (an optional
    // trailing comma; a message never comes here, see `ensure!`).
    (@post [] $f:tt {$a:tt [$($l:tt)+] $op:tt} [$($b:tt)+] ($(,)?) $($r:tt)*) => { $crate::__ensure!(@compare ($($l)+) $op ($($b)+)) };
    // Calls, indexing, struct literals, `?`, fields, methods and casts.
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (($($g:tt)*) $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ([$($g:tt)*] $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ({$($g:tt)*} $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (? $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (. $i:ident :: < $($d:tt)*) $t1:tt $t2:tt $t3:tt $t4:tt $($r:tt)*) => { $crate::__ensure!(@args [post $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3 $t4] ($($r)*) $($r)*) };
    (@post [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (. $i:ident :: << $($d:tt)*) $t1:tt $t2:tt $t3:tt $t4:tt $($r:tt)*) => { $crate::__ensure!(@ty [qself tpath argsep post $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3 $t4] ($($r)*) $($r)*) };
    (@post $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (. $i:ident :: <- - $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@post [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (. $i:ident :: <- $l:literal $($d:tt)*) $t1:tt $t2:tt $t3:tt $t4:tt $t5:tt $($r:tt)*) => { $crate::__ensure!(@argsep [post $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3 $t4 $t5] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (. $i:ident ($($g:tt)*) $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (. $i:ident $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@post $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (. - $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (. $l:literal $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@post [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (as $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty [post $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    // Comparisons.
    (@post $s:tt (* $($f:tt)*) $c:tt $b:tt (== $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@cmp $s ($($f)*) $c $b ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt $b:tt (!= $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@cmp $s ($($f)*) $c $b ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt $b:tt (< $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@cmp $s ($($f)*) $c $b ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt $b:tt (<= $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@cmp $s ($($f)*) $c $b ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt $b:tt (> $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@cmp $s ($($f)*) $c $b ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt $b:tt (>= $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@cmp $s ($($f)*) $c $b ($($r)*) $($r)*) };
    // Operators that bind more tightly than a comparison.
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (+ $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (- $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (* $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (/ $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (% $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (^ $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (& $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (| $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (<< $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (>> $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    // Operators that bind more loosely: only inside a nested part (at the
    // top level they take the plain form, through the last rule).
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (&& $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (|| $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (+= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (-= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (*= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (/= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (%= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (^= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (&= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (|= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (<<= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@post [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] (>>= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };

    // `@cmp`: a comparison operator. The first one at the top level splits
    // the condition; a second one there takes the plain form (last rule).
    (@cmp [] (* $($f:tt)*) {$a:tt} [$($b:tt)+] $d:tt $op:tt $($r:tt)*) => { $crate::__ensure!(@expr [] ($($f)*) {$a [$($b)+] $op} [] ($($r)*) $($r)*) };
    (@cmp [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $d:tt $op:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $op] ($($r)*) $($r)*) };

    // `@path`: after a segment of an expression path; the frame says what
    // the path was (`post`: an operand, `pat`: a pattern).
    (@path [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (:: < $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@args [path $($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@path [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (:: << $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty [qself tpath argsep path $($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@path $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (:: <- - $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@path [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (:: <- $l:literal $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@argsep [path $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@path $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (:: $i:ident $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@path $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@path [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (! ($($g:tt)*) $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@path [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (! [$($g:tt)*] $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@path [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (! {$($g:tt)*} $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@path [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt $b:tt $d:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c $b $d $($r)*) };

    // `@ty`: a type starts (after `as`, inside `<..>`, in `<T as Trait>`).
    (@ty [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] ([$($g:tt)*] $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (($($g:tt)*) $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (_ $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (! $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (* const $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (* mut $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (& $l:lifetime mut $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (& mut $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (& $l:lifetime $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (& $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (&& $l:lifetime mut $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (&& mut $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (&& $l:lifetime $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (&& $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    // Function pointers: `unsafe extern "C" fn(..) -> R`. (`extern -1` is
    // not an ABI, and would match `$l:literal`.)
    (@ty $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (unsafe extern - $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (unsafe extern $l:literal fn $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (unsafe extern fn $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (unsafe fn $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (extern - $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (extern $l:literal fn $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (extern fn $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (fn ($($g:tt)*) -> $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@ty [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (fn ($($g:tt)*) $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (impl $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (dyn $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (for < $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@args [ty $($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    // Paths. A name that nothing path-like follows ends the type in the
    // same step (`as u8`).
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (:: $i:ident $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@tpath $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident :: $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident < $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident << $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident <- $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident ($($g:tt)*) $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident ! $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty [argsep $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident + $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath [argsep $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@ty [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (< $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty [qself tpath $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };

    // `@tpath`: after a segment of a type path.
    (@tpath [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (< $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@args [tpath $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@tpath [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (<< $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty [qself tpath argsep tpath $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@tpath $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (<- - $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@tpath [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (<- $l:literal $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@argsep [tpath $($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@tpath [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (:: < $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@args [tpath $($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@tpath [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (:: << $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty [qself tpath argsep tpath $($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@tpath $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (:: <- - $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@tpath [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (:: <- $l:literal $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@argsep [tpath $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@tpath $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (:: $i:ident $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@tpath $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    // `Fn(A) -> R`, `Fn::(A)`, and a type macro.
    (@tpath $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (($($g:tt)*) -> $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@tpath $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (($($g:tt)*) $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@tpath $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (:: ($($g:tt)*) -> $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@ty $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@tpath $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (:: ($($g:tt)*) $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@tpath $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@tpath [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (! ($($g:tt)*) $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@tpath [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (! [$($g:tt)*] $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@tpath [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (! {$($g:tt)*} $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    // `dyn A + B` inside generic arguments (after a cast, `+` is addition).
    (@tpath [argsep $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (+ :: $i:ident $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@tpath [argsep $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@tpath [argsep $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (+ $i:ident $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@tpath [argsep $($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@tpath [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt $b:tt $d:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c $b $d $($r)*) };

    // `@qself`: after `T` in `<T as Trait>::Name`.
    (@qself [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (> :: $i:ident $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@qself [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (as $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty [qself $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };

    // `@args`: a generic argument starts, or the list ends.
    (@args [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (> $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@args $s:tt (* $($f:tt)*) $c:tt $b:tt (>> $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@half $s ($($f)*) $c $b ($($r)*) $($r)*) };
    (@args $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (- - $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@args $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (- $l:literal $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@argsep $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@args $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (- $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@args $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@args $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ({$($g:tt)*} $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@args $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:lifetime $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@args [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident = $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty [argsep $($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@args $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident , $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@args $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident > $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@args $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident >> $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@args [$($s:tt)*] (* $($f:tt)*) $c:tt $b:tt $d:tt $($r:tt)*) => { $crate::__ensure!(@ty [argsep $($s)*] ($($f)*) $c $b $d $($r)*) };

    // `@argsep`: after a generic argument.
    (@argsep $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (, $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@args $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@argsep [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (> $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@argsep $s:tt (* $($f:tt)*) $c:tt $b:tt (>> $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@half $s ($($f)*) $c $b ($($r)*) $($r)*) };

    // `@half`: the next token is a `>>` whose first `>` closed generic
    // arguments; the frames say what the second one is.
    (@half [path $($s:tt)*] (* $($f:tt)*) $c:tt $b:tt $d:tt $($r:tt)*) => { $crate::__ensure!(@half [$($s)*] ($($f)*) $c $b $d $($r)*) };
    (@half [tpath $($s:tt)*] (* $($f:tt)*) $c:tt $b:tt $d:tt $($r:tt)*) => { $crate::__ensure!(@half [$($s)*] ($($f)*) $c $b $d $($r)*) };
    // The comparison `>` at the top level: each half gets a `>` of its own.
    (@half [post] (* $($f:tt)*) {$a:tt} [$($b:tt)+] $d:tt $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [] ($($f)*) {$a [$($b)+ >] >} [] ($($r)*) $($r)*) };
    (@half [post $($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $d:tt $t:tt $($r:tt)*) => { $crate::__ensure!(@expr [$($s)+] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@half [qself $k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (>> :: $i:ident $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@$k [$($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };

    // `@pat`: a pattern, up to its `=` (`let`) or `in` (`for`).
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (in $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@expr $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (| $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (ref $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (mut $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (@ $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (- - $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (- $l:literal $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@pat $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt (- $($d:tt)*) $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($l:literal $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (.. $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (..= $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (& $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (&& $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (($($g:tt)*) $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ([$($g:tt)*] $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ({$($g:tt)*} $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] (_ $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (:: $i:ident $($d:tt)*) $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@path [pat $($s)*] ($($f)*) $c [$($b)* $t1 $t2] ($($r)*) $($r)*) };
    (@pat [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident :: $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@path [pat $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident ! ($($g:tt)*) $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident ! [$($g:tt)*] $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident ! {$($g:tt)*} $($d:tt)*) $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t1 $t2 $t3] ($($r)*) $($r)*) };
    (@pat $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] ($i:ident $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@pat $s ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };
    (@pat [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] (< $($d:tt)*) $t:tt $($r:tt)*) => { $crate::__ensure!(@ty [qself path pat $($s)*] ($($f)*) $c [$($b)* $t] ($($r)*) $($r)*) };

    // Anything else, and the end of the budget: the plain form.
    (@$state:ident $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
}
