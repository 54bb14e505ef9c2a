//! [`TryToOwned`] and [`TryCow`]: `ToOwned` and `Cow` whose copies report
//! allocation failure.

use core::borrow::Borrow;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Deref;

use super::{TryClone, TryString, TryVec};
use crate::OutOfMemory;

/// `ToOwned` that returns `Err(OutOfMemory)` instead of aborting: `str`
/// becomes a [`TryString`], `[T]` a [`TryVec<T>`] (its elements copied with
/// [`TryClone`]), and every sized `T: TryClone` a copy of itself.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TryString, TryToOwned, TryVec};
///
/// let owned: TryString = "text".try_to_owned()?;
/// assert_eq!(owned, "text");
/// let numbers: TryVec<u32> = [1, 2, 3][..].try_to_owned()?;
/// assert_eq!(numbers, [1, 2, 3]);
/// let pair: (u8, char) = (1, 'x').try_to_owned()?;
/// assert_eq!(pair, (1, 'x'));
/// # wasmtime_error::Ok(())
/// ```
pub trait TryToOwned {
    /// The owned form, which borrows back as `Self`.
    type Owned: Borrow<Self>;

    /// An owned copy of `self`, or the allocation failure that prevented it.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryToOwned;
    ///
    /// assert_eq!("abc".try_to_owned()?, "abc");
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_to_owned(&self) -> Result<Self::Owned, OutOfMemory>;
}

impl TryToOwned for str {
    type Owned = TryString;

    /// One allocation of exactly `self.len()` bytes (none when empty).
    fn try_to_owned(&self) -> Result<TryString, OutOfMemory> {
        TryString::try_from_str(self)
    }
}

impl<T: TryClone> TryToOwned for [T] {
    type Owned = TryVec<T>;

    /// One allocation of exactly `self.len()` elements, then a clone of
    /// each; on failure the clones made so far are dropped.
    fn try_to_owned(&self) -> Result<TryVec<T>, OutOfMemory> {
        let mut owned = TryVec::with_capacity(self.len())?;
        owned.extend_from_slice(self)?;
        Ok(owned)
    }
}

impl<T: TryClone> TryToOwned for T {
    type Owned = T;

    fn try_to_owned(&self) -> Result<T, OutOfMemory> {
        self.try_clone()
    }
}

/// A borrowed value or its owned copy, like `Cow`, where making the copy
/// ([`to_mut`](TryCow::to_mut), [`into_owned`](TryCow::into_owned),
/// [`try_clone`](TryClone::try_clone)) returns `Err(OutOfMemory)` instead
/// of aborting.
///
/// Comparisons, hashing and formatting go through the borrowed form, so a
/// borrowed and an owned `TryCow` of equal values are equal.
///
/// # Example
///
/// ```
/// use wasmtime_error::Result;
/// use wasmtime_error::alloc::{TryCow, TryString};
///
/// /// Replaces tabs, copying only when there is one to replace.
/// fn expand_tabs(line: &str) -> Result<TryCow<'_, str>> {
///     if !line.contains('\t') {
///         return Ok(TryCow::Borrowed(line));
///     }
///     let mut expanded = TryString::new();
///     for c in line.chars() {
///         match c {
///             '\t' => expanded.push_str("    ")?,
///             c => expanded.push(c)?,
///         }
///     }
///     Ok(TryCow::Owned(expanded))
/// }
///
/// assert!(matches!(expand_tabs("plain")?, TryCow::Borrowed("plain")));
/// let expanded = expand_tabs("a\tb")?;
/// assert!(matches!(expanded, TryCow::Owned(_)));
/// assert_eq!(&*expanded, "a    b");
/// # wasmtime_error::Ok(())
/// ```
pub enum TryCow<'a, B: ?Sized + TryToOwned + 'a> {
    /// A borrowed value.
    Borrowed(&'a B),
    /// An owned copy.
    Owned(B::Owned),
}

impl<'a, B: ?Sized + TryToOwned> TryCow<'a, B> {
    /// The owned value, copying the borrowed one first if need be (then
    /// `self` becomes [`Owned`](TryCow::Owned)). On failure `self` stays
    /// borrowed.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryCow;
    ///
    /// let numbers = [1, 2];
    /// let mut cow = TryCow::from(&numbers[..]);
    /// cow.to_mut()?.push(3)?;
    /// assert_eq!(&*cow, &[1, 2, 3]);
    /// assert_eq!(numbers, [1, 2]);
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn to_mut(&mut self) -> Result<&mut B::Owned, OutOfMemory> {
        if let TryCow::Borrowed(borrowed) = *self {
            *self = TryCow::Owned(borrowed.try_to_owned()?);
        }
        match self {
            TryCow::Owned(owned) => Ok(owned),
            TryCow::Borrowed(_) => unreachable!("made owned above"),
        }
    }

    /// The owned value, copying the borrowed one if need be.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryCow, TryString};
    ///
    /// let owned: TryString = TryCow::from("copied").into_owned()?;
    /// assert_eq!(owned, "copied");
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn into_owned(self) -> Result<B::Owned, OutOfMemory> {
        match self {
            TryCow::Borrowed(borrowed) => borrowed.try_to_owned(),
            TryCow::Owned(owned) => Ok(owned),
        }
    }
}

impl<'a, B: ?Sized + TryToOwned> From<&'a B> for TryCow<'a, B> {
    /// Borrows `value`; allocates nothing.
    fn from(value: &'a B) -> Self {
        TryCow::Borrowed(value)
    }
}

impl<B: ?Sized + TryToOwned> Deref for TryCow<'_, B> {
    type Target = B;

    fn deref(&self) -> &B {
        match self {
            TryCow::Borrowed(borrowed) => borrowed,
            TryCow::Owned(owned) => owned.borrow(),
        }
    }
}

impl<B: ?Sized + TryToOwned> AsRef<B> for TryCow<'_, B> {
    fn as_ref(&self) -> &B {
        self
    }
}

impl<B: ?Sized + TryToOwned> Borrow<B> for TryCow<'_, B> {
    fn borrow(&self) -> &B {
        self
    }
}

impl<B: ?Sized + TryToOwned> TryClone for TryCow<'_, B> {
    /// A borrowed value stays borrowed (no allocation); an owned one is
    /// copied with [`TryToOwned`].
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        match self {
            TryCow::Borrowed(borrowed) => Ok(TryCow::Borrowed(borrowed)),
            TryCow::Owned(owned) => Ok(TryCow::Owned(owned.borrow().try_to_owned()?)),
        }
    }
}

impl<B: ?Sized + TryToOwned> Default for TryCow<'_, B>
where
    B::Owned: Default,
{
    /// An owned default value.
    fn default() -> Self {
        TryCow::Owned(B::Owned::default())
    }
}

impl<B: ?Sized + TryToOwned + fmt::Debug> fmt::Debug for TryCow<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<B: ?Sized + TryToOwned + fmt::Display> fmt::Display for TryCow<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<B: ?Sized + TryToOwned + PartialEq> PartialEq for TryCow<'_, B> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<B: ?Sized + TryToOwned + Eq> Eq for TryCow<'_, B> {}

impl<B: ?Sized + TryToOwned + PartialOrd> PartialOrd for TryCow<'_, B> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<B: ?Sized + TryToOwned + Ord> Ord for TryCow<'_, B> {
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl<B: ?Sized + TryToOwned + Hash> Hash for TryCow<'_, B> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}
