//! [`TryString`]: a UTF-8 string whose every growing method is fallible.

use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Deref, DerefMut};
use std_alloc::boxed::Box;
use std_alloc::string::String;
use std_alloc::vec::Vec;

use allocator_api2::alloc::{Allocator, Global};

use super::{TryClone, TryVec};
use crate::OutOfMemory;

/// A growable UTF-8 string, like [`String`], whose methods that may allocate
/// return `Result<_, OutOfMemory>` instead of aborting.
///
/// Read access goes through `Deref<Target = str>`. A failing method leaves
/// the string as it was. With the default [`Global`] allocator it converts
/// to and from a `String` without reallocating.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::TryString;
///
/// let mut s = TryString::try_from_str("hello")?;
/// s.push(',')?;
/// s.push_str(" world")?;
/// assert_eq!(s, "hello, world");
/// assert!(s.starts_with("hello"));
/// let std: String = s.into();
/// assert_eq!(std, "hello, world");
/// # wasmtime_error::Ok(())
/// ```
pub struct TryString<A: Allocator = Global> {
    /// Always valid UTF-8.
    bytes: TryVec<u8, A>,
}

impl TryString {
    /// An empty string; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// assert_eq!(TryString::new(), "");
    /// ```
    #[inline]
    pub const fn new() -> Self {
        TryString {
            bytes: TryVec::new(),
        }
    }

    /// An empty string with room for at least `capacity` bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// assert!(TryString::with_capacity(10)?.capacity() >= 10);
    /// assert!(TryString::with_capacity(usize::MAX).is_err());
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn with_capacity(capacity: usize) -> Result<Self, OutOfMemory> {
        Self::with_capacity_in(capacity, Global)
    }

    /// A copy of `s`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// assert_eq!(TryString::try_from_str("abc")?, "abc");
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn try_from_str(s: &str) -> Result<Self, OutOfMemory> {
        Self::try_from_str_in(s, Global)
    }

    /// Moves the string into a `Box<str>`, first shrinking the allocation
    /// to the length (which may itself fail; then the string is dropped).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::with_capacity(16)?;
    /// s.push_str("boxed")?;
    /// let boxed: Box<str> = s.into_boxed_str()?;
    /// assert_eq!(&*boxed, "boxed");
    /// # wasmtime_error::Ok(())
    /// ```
    #[allow(
        clippy::disallowed_methods,
        reason = "`into_boxed_str` after `shrink_to_fit` cannot reallocate"
    )]
    pub fn into_boxed_str(mut self) -> Result<Box<str>, OutOfMemory> {
        self.shrink_to_fit()?;
        // `String::into_boxed_str` reallocates only when the capacity
        // exceeds the length, which `shrink_to_fit` just ruled out.
        Ok(String::from(self).into_boxed_str())
    }

    /// Splits the string into the pointer, length and capacity of its
    /// UTF-8 buffer; the caller takes over the allocation (the global
    /// allocator's, with the layout `Layout::array::<u8>(capacity)`).
    /// [`TryString::from_raw_parts`] puts it back together.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let s = TryString::try_from_str("parts")?;
    /// let (ptr, len, capacity) = s.into_raw_parts();
    /// // SAFETY: the parts come straight from `into_raw_parts`.
    /// let s = unsafe { TryString::from_raw_parts(ptr, len, capacity) };
    /// assert_eq!(s, "parts");
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn into_raw_parts(self) -> (*mut u8, usize, usize) {
        self.bytes.into_raw_parts()
    }

    /// A string from the parts [`TryString::into_raw_parts`] (or
    /// `String::into_raw_parts`) returned.
    ///
    /// # Safety
    ///
    /// The contract of [`TryVec::from_raw_parts`] for `u8` (the buffer
    /// belongs to the global allocator with the layout
    /// `Layout::array::<u8>(capacity)`, and nothing else owns it), and the
    /// first `length` bytes are valid UTF-8.
    ///
    /// # Example
    ///
    /// ```
    /// use std::mem::ManuallyDrop;
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut std = ManuallyDrop::new(String::from("std"));
    /// // SAFETY: the parts of a `String` that is never dropped.
    /// let s = unsafe { TryString::from_raw_parts(std.as_mut_ptr(), std.len(), std.capacity()) };
    /// assert_eq!(s, "std");
    /// ```
    #[inline]
    pub unsafe fn from_raw_parts(buf: *mut u8, length: usize, capacity: usize) -> Self {
        TryString {
            // SAFETY: the caller's promises; they include the UTF-8 invariant.
            bytes: unsafe { TryVec::from_raw_parts(buf, length, capacity) },
        }
    }
}

impl<A: Allocator> TryString<A> {
    /// An empty string in `alloc`; does not allocate.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryString};
    ///
    /// let budget = Budget::new(8);
    /// let mut s = TryString::new_in(&budget);
    /// s.push_str("8 bytes.")?;
    /// assert!(s.push('!').is_err());
    /// assert_eq!(s, "8 bytes.");
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub const fn new_in(alloc: A) -> Self {
        TryString {
            bytes: TryVec::new_in(alloc),
        }
    }

    /// An empty string in `alloc` with room for exactly `capacity` bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryString};
    ///
    /// let budget = Budget::new(8);
    /// assert!(TryString::with_capacity_in(9, &budget).is_err());
    /// ```
    #[inline]
    pub fn with_capacity_in(capacity: usize, alloc: A) -> Result<Self, OutOfMemory> {
        Ok(TryString {
            bytes: TryVec::with_capacity_in(capacity, alloc)?,
        })
    }

    /// A copy of `s` in `alloc`, in one allocation of exactly `s.len()`
    /// bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{Budget, TryString};
    ///
    /// let budget = Budget::new(8);
    /// let s = TryString::try_from_str_in("budget", &budget)?;
    /// assert_eq!(s, "budget");
    /// assert_eq!(budget.used(), 6);
    /// assert!(TryString::try_from_str_in("too long", &budget).is_err());
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn try_from_str_in(s: &str, alloc: A) -> Result<Self, OutOfMemory> {
        let mut string = Self::with_capacity_in(s.len(), alloc)?;
        string.push_str(s)?;
        Ok(string)
    }

    /// The string as a `&str`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let s = TryString::from(String::from("x"));
    /// assert_eq!(s.as_str(), "x");
    /// ```
    #[inline]
    pub fn as_str(&self) -> &str {
        // SAFETY: `bytes` is valid UTF-8 (field invariant).
        unsafe { core::str::from_utf8_unchecked(&self.bytes) }
    }

    /// The string as a `&mut str`.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::from(String::from("abc"));
    /// s.as_mut_str().make_ascii_uppercase();
    /// assert_eq!(s, "ABC");
    /// ```
    #[inline]
    pub fn as_mut_str(&mut self) -> &mut str {
        // SAFETY: `bytes` is valid UTF-8, and `&mut str` only allows
        // changes that keep it so.
        unsafe { core::str::from_utf8_unchecked_mut(&mut self.bytes) }
    }

    /// The length in bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// assert_eq!(TryString::try_from_str("é")?.len(), 2);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the string is empty.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// assert!(TryString::new().is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// How many bytes fit without reallocating.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// assert_eq!(TryString::new().capacity(), 0);
    /// ```
    #[inline]
    pub fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// Makes room for at least `additional` more bytes, grown amortised.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::new();
    /// s.reserve(5)?;
    /// assert!(s.capacity() >= 5);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn reserve(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        self.bytes.reserve(additional)
    }

    /// Makes room for at least `additional` more bytes, asking for no more
    /// than that.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::try_from_str("ab")?;
    /// s.reserve_exact(3)?;
    /// assert_eq!(s.capacity(), 5);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn reserve_exact(&mut self, additional: usize) -> Result<(), OutOfMemory> {
        self.bytes.reserve_exact(additional)
    }

    /// Shrinks the allocation to the length. Shrinking may move the bytes,
    /// so it may fail; then nothing changes.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::with_capacity(10)?;
    /// s.push_str("abc")?;
    /// s.shrink_to_fit()?;
    /// assert_eq!(s.capacity(), 3);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn shrink_to_fit(&mut self) -> Result<(), OutOfMemory> {
        self.bytes.shrink_to_fit()
    }

    /// Appends a character.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::new();
    /// s.push('ß')?;
    /// assert_eq!(s, "ß");
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn push(&mut self, c: char) -> Result<(), OutOfMemory> {
        self.push_str(c.encode_utf8(&mut [0; 4]))
    }

    /// Appends a string slice. On failure nothing is appended.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::new();
    /// s.push_str("ab")?;
    /// s.push_str("cd")?;
    /// assert_eq!(s, "abcd");
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn push_str(&mut self, s: &str) -> Result<(), OutOfMemory> {
        // Whole-string reservation first, so a failure appends nothing and
        // the UTF-8 invariant never sees a partial character.
        self.bytes.extend_from_copy_slice(s.as_bytes())
    }

    /// Inserts `c` at byte index `idx`. On failure the string is unchanged.
    ///
    /// # Panics
    ///
    /// If `idx` is not a character boundary (or is past the end).
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::try_from_str("ac")?;
    /// s.insert(1, 'b')?;
    /// assert_eq!(s, "abc");
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn insert(&mut self, idx: usize, c: char) -> Result<(), OutOfMemory> {
        self.insert_str(idx, c.encode_utf8(&mut [0; 4]))
    }

    /// Inserts `s` at byte index `idx`, growing amortised like
    /// [`TryString::push_str`]. On failure the string is unchanged.
    ///
    /// # Panics
    ///
    /// If `idx` is not a character boundary (or is past the end), before
    /// anything is allocated.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::try_from_str("hé!")?;
    /// s.insert_str(3, "llo")?;
    /// assert_eq!(s, "héllo!");
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn insert_str(&mut self, idx: usize, s: &str) -> Result<(), OutOfMemory> {
        assert!(
            self.is_char_boundary(idx),
            "byte index {idx} is not a char boundary"
        );
        let len = self.len();
        // Append, then move the tail right and copy `s` into the gap. No
        // step after the append can panic, so the string is never left
        // with a split character.
        self.bytes.extend_from_copy_slice(s.as_bytes())?;
        self.bytes.copy_within(idx..len, idx + s.len());
        self.bytes[idx..idx + s.len()].copy_from_slice(s.as_bytes());
        Ok(())
    }

    /// Keeps only the characters for which `keep` returns `true`, in order;
    /// does not allocate. If `keep` panics, the string keeps the
    /// characters kept so far and loses the rest, as `String::retain` does.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::try_from_str("a1é2b")?;
    /// s.retain(|c| !c.is_ascii_digit());
    /// assert_eq!(s, "aéb");
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn retain<F>(&mut self, mut keep: F)
    where
        F: FnMut(char) -> bool,
    {
        /// Cuts the bytes back to the characters kept when dropped, also
        /// while `keep` unwinds: past them lie stale, perhaps split,
        /// characters.
        struct KeptPrefix<'a, A: Allocator> {
            bytes: &'a mut TryVec<u8, A>,
            kept: usize,
        }

        impl<A: Allocator> Drop for KeptPrefix<'_, A> {
            fn drop(&mut self) {
                self.bytes.truncate(self.kept);
            }
        }

        let len = self.len();
        let mut prefix = KeptPrefix {
            bytes: &mut self.bytes,
            kept: 0,
        };
        let mut read = 0;
        // Bytes from `read` on are still the original characters: writes
        // go to `..kept`, and `kept <= read`.
        while read < len {
            let width = utf8_width(prefix.bytes[read]);
            let c = core::str::from_utf8(&prefix.bytes[read..read + width])
                .ok()
                .and_then(|c| c.chars().next())
                .expect("a TryString holds valid UTF-8");
            if keep(c) {
                let kept = prefix.kept;
                prefix.bytes.copy_within(read..read + width, kept);
                prefix.kept += width;
            }
            read += width;
        }
    }

    /// Removes and returns the last character.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::try_from_str("hé")?;
    /// assert_eq!(s.pop(), Some('é'));
    /// assert_eq!(s, "h");
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn pop(&mut self) -> Option<char> {
        let c = self.as_str().chars().next_back()?;
        self.bytes.truncate(self.len() - c.len_utf8());
        Some(c)
    }

    /// Shortens the string to `new_len` bytes; nothing happens if it is
    /// not shorter.
    ///
    /// # Panics
    ///
    /// If `new_len` is not on a character boundary.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::try_from_str("hello")?;
    /// s.truncate(2);
    /// assert_eq!(s, "he");
    /// # wasmtime_error::Ok(())
    /// ```
    pub fn truncate(&mut self, new_len: usize) {
        if new_len < self.len() {
            assert!(
                self.as_str().is_char_boundary(new_len),
                "new length {new_len} is not on a char boundary"
            );
            self.bytes.truncate(new_len);
        }
    }

    /// Empties the string, keeping its allocation.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let mut s = TryString::try_from_str("abc")?;
    /// s.clear();
    /// assert!(s.is_empty() && s.capacity() >= 3);
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.bytes.clear();
    }

    /// The UTF-8 bytes, as a vector.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let bytes = TryString::try_from_str("hi")?.into_bytes();
    /// assert_eq!(bytes, *b"hi");
    /// # wasmtime_error::Ok(())
    /// ```
    #[inline]
    pub fn into_bytes(self) -> TryVec<u8, A> {
        self.bytes
    }
}

/// The length of the UTF-8 sequence that starts with `first`.
fn utf8_width(first: u8) -> usize {
    match first {
        0x00..0x80 => 1,
        0x80..0xE0 => 2,
        0xE0..0xF0 => 3,
        _ => 4,
    }
}

impl<A: Allocator + Default> Default for TryString<A> {
    fn default() -> Self {
        Self::new_in(A::default())
    }
}

impl<A: Allocator> Deref for TryString<A> {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<A: Allocator> DerefMut for TryString<A> {
    #[inline]
    fn deref_mut(&mut self) -> &mut str {
        self.as_mut_str()
    }
}

impl<A: Allocator> AsRef<str> for TryString<A> {
    fn as_ref(&self) -> &str {
        self
    }
}

impl<A: Allocator> fmt::Display for TryString<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl<A: Allocator> fmt::Debug for TryString<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<A: Allocator> Hash for TryString<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl<A: Allocator, B: Allocator> PartialEq<TryString<B>> for TryString<A> {
    fn eq(&self, other: &TryString<B>) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<A: Allocator> Eq for TryString<A> {}

impl<A: Allocator> PartialEq<str> for TryString<A> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<A: Allocator> PartialEq<&str> for TryString<A> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<A: Allocator> PartialEq<String> for TryString<A> {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl<A: Allocator> PartialOrd for TryString<A> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<A: Allocator> Ord for TryString<A> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl<A: Allocator> core::borrow::Borrow<str> for TryString<A> {
    fn borrow(&self) -> &str {
        self
    }
}

impl<A: Allocator> fmt::Write for TryString<A> {
    /// Appends `s`; an allocation failure becomes `fmt::Error` (use
    /// [`TryString::push_str`] to keep the size of the failed request).
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s).map_err(|_| fmt::Error)
    }
}

impl<A: Allocator + Clone> TryClone for TryString<A> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(TryString {
            bytes: self.bytes.try_clone()?,
        })
    }
}

impl TryFrom<&str> for TryString {
    type Error = OutOfMemory;

    /// A copy of `s`, as [`TryString::try_from_str`] makes it.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::TryString;
    ///
    /// let s = TryString::try_from("text")?;
    /// assert_eq!(s, "text");
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_from(s: &str) -> Result<Self, OutOfMemory> {
        TryString::try_from_str(s)
    }
}

impl From<String> for TryString {
    /// Takes over the `String`'s allocation; no copy, no allocation.
    fn from(string: String) -> Self {
        TryString {
            bytes: TryVec::from(string.into_bytes()),
        }
    }
}

impl From<TryString> for String {
    /// Hands the allocation over to a `String`; no copy, no allocation.
    fn from(string: TryString) -> Self {
        let bytes: Vec<u8> = string.bytes.into();
        // SAFETY: the bytes of a `TryString` are valid UTF-8.
        unsafe { String::from_utf8_unchecked(bytes) }
    }
}
