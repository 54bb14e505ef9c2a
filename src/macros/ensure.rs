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
//! @state (unread) [frames] (budget) {(all tokens) lhs op} [read] unread
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
//!   last list, so that `stringify!` prints the caller's tokens (a token
//!   written in this macro would print with its own spacing). The copy comes
//!   first so that a rule that does not apply fails on its first tokens,
//!   not after the budget and the tokens read: that halves the compile
//!   time.
//!
//! Most steps read one token; the common runs (a name or a literal with the
//! arithmetic operator after it, `.name(..)`, a macro call `name!(..)`, a
//! type name that nothing path-like follows) are read in one step, so the
//! budget lasts about twice as many tokens as it has steps.
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
                            use $crate::__private::debug::{NoDebug, SizedDebug, UnsizedDebug};
                            (&&$crate::__private::debug::Probe(&lhs)).__debug()
                        },
                        {
                            #[allow(unused_imports)]
                            use $crate::__private::debug::{NoDebug, SizedDebug, UnsizedDebug};
                            (&&$crate::__private::debug::Probe(&rhs)).__debug()
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
    (@expr (return $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@expr (break $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@expr (continue $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@expr (yield $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@expr (move $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    // Blocks that are operands.
    (@expr (loop {$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr (async {$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr (async move {$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@expr (unsafe {$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr (const {$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    // `async |x| ..` and `async move |x| ..` are closures (anyhow reads
    // `async` as a name, and the `|` after it as an operator).
    (@expr (async $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    // Prefix operators.
    (@expr (* $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr (! $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr (- $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr (& raw const $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@expr (& raw mut $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@expr (&& raw const $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@expr (&& raw mut $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@expr (& mut $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr (&& mut $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr (& $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr (&& $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr ($l:lifetime : $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    // `let` (in `if let` and `while let`) starts a pattern; `if`, `while`,
    // `match` and `for` a head that a block ends.
    (@expr (let $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr (if $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [block $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr (match $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [block $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr (while $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [block $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr (for $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) [block $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    // Groups.
    (@expr (($($g:tt)*) $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr ([$($g:tt)*] $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr ({$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    // A literal (never `-1`: the `-` was read above), with the arithmetic
    // operator after it in the same step.
    (@expr ($l:literal + $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($l:literal - $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($l:literal * $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($l:literal / $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($l:literal % $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($l:literal ^ $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($l:literal & $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($l:literal | $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($l:literal << $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($l:literal >> $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($l:literal $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    // Paths and macro calls.
    (@expr (:: $i:ident $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@path ($($r)*) [post $($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident :: $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@path ($($r)*) [post $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@expr ($i:ident ! ($($g:tt)*) $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@expr ($i:ident ! [$($g:tt)*] $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@expr ($i:ident ! {$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    // A name with the arithmetic operator after it. The keywords that
    // start something else were matched above.
    (@expr ($i:ident + $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident - $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident * $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident / $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident % $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident ^ $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident & $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident | $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident << $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident >> $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@expr ($i:ident $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    // `<T as Trait>::f`.
    (@expr (< $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) [qself path post $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };

    // `@post`: after an operand. First the block that ends the head of
    // `if`, `while`, `match` or `for`, with its `else`.
    (@post ({$($g:tt)*} else if $($d:tt)*) [block $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [block $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@post ({$($g:tt)*} else {$($h:tt)*} $($d:tt)*) [block $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@post ({$($g:tt)*} $($d:tt)*) [block $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    // The end of a condition that was split at its comparison (an optional
    // trailing comma; a message never comes here, see `ensure!`).
    (@post ($(,)?) [] $f:tt {$a:tt [$($l:tt)+] $op:tt} [$($b:tt)+] $($r:tt)*) => { $crate::__ensure!(@compare ($($l)+) $op ($($b)+)) };
    // Calls, indexing, struct literals, `?`, fields, methods and casts.
    (@post (($($g:tt)*) $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post ([$($g:tt)*] $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post ({$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (? $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (. $i:ident :: < $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $t4:tt $($r:tt)*) => { $crate::__ensure!(@args ($($r)*) [post $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3 $t4] $($r)*) };
    (@post (. $i:ident :: << $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $t4:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) [qself tpath argsep post $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3 $t4] $($r)*) };
    (@post (. $i:ident :: <- - $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@post (. $i:ident :: <- $l:literal $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $t4:tt $t5:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) [post $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3 $t4 $t5] $($r)*) };
    (@post (. $i:ident ($($g:tt)*) $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@post (. $i:ident $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@post (. - $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@post (. $l:literal $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@post ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@post (as $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) [post $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    // Comparisons.
    (@post (== $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@cmp ($($r)*) $s ($($f)*) $c $b $($r)*) };
    (@post (!= $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@cmp ($($r)*) $s ($($f)*) $c $b $($r)*) };
    (@post (< $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@cmp ($($r)*) $s ($($f)*) $c $b $($r)*) };
    (@post (<= $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@cmp ($($r)*) $s ($($f)*) $c $b $($r)*) };
    (@post (> $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@cmp ($($r)*) $s ($($f)*) $c $b $($r)*) };
    (@post (>= $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@cmp ($($r)*) $s ($($f)*) $c $b $($r)*) };
    // Operators that bind more tightly than a comparison.
    (@post (+ $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (- $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (* $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (/ $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (% $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (^ $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (& $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (| $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (<< $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (>> $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    // Operators that bind more loosely: only inside a nested part (at the
    // top level they take the plain form, through the last rule).
    (@post (&& $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (|| $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (+= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (-= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (*= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (/= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (%= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (^= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (&= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (|= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (<<= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@post (>>= $($d:tt)*) [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };

    // `@cmp`: a comparison operator. The first one at the top level splits
    // the condition; a second one there takes the plain form (last rule).
    (@cmp $d:tt [] (* $($f:tt)*) {$a:tt} [$($b:tt)+] $op:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [] ($($f)*) {$a [$($b)+] $op} [] $($r)*) };
    (@cmp $d:tt [$($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $op:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $op] $($r)*) };

    // `@path`: after a segment of an expression path; the frame says what
    // the path was (`post`: an operand, `pat`: a pattern).
    (@path (:: < $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@args ($($r)*) [path $($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@path (:: << $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) [qself tpath argsep path $($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@path (:: <- - $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@path (:: <- $l:literal $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) [path $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@path (:: $i:ident $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@path ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@path (! ($($g:tt)*) $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@path (! [$($g:tt)*] $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@path (! {$($g:tt)*} $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@path $d:tt [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@$k $d [$($s)*] ($($f)*) $c $b $($r)*) };

    // `@ty`: a type starts (after `as`, inside `<..>`, in `<T as Trait>`).
    (@ty ([$($g:tt)*] $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty (($($g:tt)*) $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty (_ $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty (! $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty (* const $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@ty (* mut $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@ty (& $l:lifetime mut $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@ty (& mut $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@ty (& $l:lifetime $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@ty (& $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty (&& $l:lifetime mut $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@ty (&& mut $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@ty (&& $l:lifetime $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@ty (&& $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    // Function pointers: `unsafe extern "C" fn(..) -> R`. (`extern -1` is
    // not an ABI, and would match `$l:literal`.)
    (@ty (unsafe extern - $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@ty (unsafe extern $l:literal fn $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@ty (unsafe extern fn $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@ty (unsafe fn $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty (extern - $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@ty (extern $l:literal fn $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@ty (extern fn $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty (fn ($($g:tt)*) -> $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@ty (fn ($($g:tt)*) $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@ty (impl $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty (dyn $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty (for < $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@args ($($r)*) [ty $($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    // Paths. A name that nothing path-like follows ends the type in the
    // same step (`as u8`).
    (@ty (:: $i:ident $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@ty ($i:ident :: $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty ($i:ident < $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty ($i:ident << $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty ($i:ident <- $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty ($i:ident ($($g:tt)*) $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty ($i:ident ! $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty ($i:ident + $($d:tt)*) [argsep $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) [argsep $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty ($i:ident $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@ty (< $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) [qself tpath $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };

    // `@tpath`: after a segment of a type path.
    (@tpath (< $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@args ($($r)*) [tpath $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@tpath (<< $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) [qself tpath argsep tpath $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@tpath (<- - $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@tpath (<- $l:literal $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) [tpath $($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@tpath (:: < $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@args ($($r)*) [tpath $($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@tpath (:: << $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) [qself tpath argsep tpath $($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@tpath (:: <- - $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@tpath (:: <- $l:literal $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) [tpath $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@tpath (:: $i:ident $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    // `Fn(A) -> R`, `Fn::(A)`, and a type macro.
    (@tpath (($($g:tt)*) -> $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@tpath (($($g:tt)*) $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@tpath (:: ($($g:tt)*) -> $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@tpath (:: ($($g:tt)*) $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@tpath (! ($($g:tt)*) $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@tpath (! [$($g:tt)*] $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@tpath (! {$($g:tt)*} $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    // `dyn A + B` inside generic arguments (after a cast, `+` is addition).
    (@tpath (+ :: $i:ident $($d:tt)*) [argsep $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) [argsep $($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@tpath (+ $i:ident $($d:tt)*) [argsep $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@tpath ($($r)*) [argsep $($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@tpath $d:tt [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@$k $d [$($s)*] ($($f)*) $c $b $($r)*) };

    // `@qself`: after `T` in `<T as Trait>::Name`.
    (@qself (> :: $i:ident $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@qself (as $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) [qself $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };

    // `@args`: a generic argument starts, or the list ends.
    (@args (> $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@args (>> $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@half ($($r)*) $s ($($f)*) $c $b $($r)*) };
    (@args (- - $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@args (- $l:literal $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@args (- $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@args ($l:literal $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@args ({$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@args ($l:lifetime $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@args ($i:ident = $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) [argsep $($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@args ($i:ident , $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@args ($i:ident > $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@args ($i:ident >> $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@argsep ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@args $d:tt [$($s:tt)*] (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@ty $d [argsep $($s)*] ($($f)*) $c $b $($r)*) };

    // `@argsep`: after a generic argument.
    (@argsep (, $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@args ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@argsep (> $($d:tt)*) [$k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@argsep (>> $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@half ($($r)*) $s ($($f)*) $c $b $($r)*) };

    // `@half`: the next token is a `>>` whose first `>` closed generic
    // arguments; the frames say what the second one is.
    (@half $d:tt [path $($s:tt)*] (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@half $d [$($s)*] ($($f)*) $c $b $($r)*) };
    (@half $d:tt [tpath $($s:tt)*] (* $($f:tt)*) $c:tt $b:tt $($r:tt)*) => { $crate::__ensure!(@half $d [$($s)*] ($($f)*) $c $b $($r)*) };
    // The comparison `>` at the top level: each half gets a `>` of its own.
    (@half $d:tt [post] (* $($f:tt)*) {$a:tt} [$($b:tt)+] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [] ($($f)*) {$a [$($b)+ >] >} [] $($r)*) };
    (@half $d:tt [post $($s:tt)+] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) [$($s)+] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@half (>> :: $i:ident $($d:tt)*) [qself $k:ident $($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@$k ($($r)*) [$($s)*] ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };

    // `@pat`: a pattern, up to its `=` (`let`) or `in` (`for`).
    (@pat (= $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (in $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@expr ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (| $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (ref $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (mut $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (@ $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (- - $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@pat (- $l:literal $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@pat (- $($d:tt)*) $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $b:tt $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
    (@pat ($l:literal $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (.. $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (..= $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (& $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (&& $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (($($g:tt)*) $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat ([$($g:tt)*] $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat ({$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (_ $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (:: $i:ident $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $($r:tt)*) => { $crate::__ensure!(@path ($($r)*) [pat $($s)*] ($($f)*) $c [$($b)* $t1 $t2] $($r)*) };
    (@pat ($i:ident :: $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@path ($($r)*) [pat $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat ($i:ident ! ($($g:tt)*) $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@pat ($i:ident ! [$($g:tt)*] $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@pat ($i:ident ! {$($g:tt)*} $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t1:tt $t2:tt $t3:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t1 $t2 $t3] $($r)*) };
    (@pat ($i:ident $($d:tt)*) $s:tt (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@pat ($($r)*) $s ($($f)*) $c [$($b)* $t] $($r)*) };
    (@pat (< $($d:tt)*) [$($s:tt)*] (* $($f:tt)*) $c:tt [$($b:tt)*] $t:tt $($r:tt)*) => { $crate::__ensure!(@ty ($($r)*) [qself path pat $($s)*] ($($f)*) $c [$($b)* $t] $($r)*) };

    // Anything else, and the end of the budget: the plain form.
    (@$state:ident $d:tt $s:tt $f:tt {($($a:tt)*) $($x:tt)*} $($r:tt)*) => { $crate::__ensure!(@plain $($a)*) };
}
