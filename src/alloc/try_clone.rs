//! [`TryClone`]: copies that report allocation failure.

use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;
use std_alloc::boxed::Box;
use std_alloc::rc::Rc;
use std_alloc::string::String;
use std_alloc::sync::Arc;
use std_alloc::vec::Vec;

use super::TryVec;
use super::boxed::{try_new_box, try_new_boxed_str};
use super::{StringExt, VecExt};
use crate::OutOfMemory;

/// `Clone` that returns `Err(OutOfMemory)` instead of aborting when the copy
/// needs memory it cannot get.
///
/// Implemented for the primitive types, shared references, raw and
/// `NonNull` pointers (the pointer is copied, not what it points to),
/// `Option`, `Result`, `ManuallyDrop`, tuples up to twelve elements,
/// `PhantomData`, `Rc` and `Arc` (which only count references), `Vec`,
/// `String`, `Box` and the collections of this module.
///
/// # Example
///
/// ```
/// use wasmtime_error::alloc::{TryClone, TryString, TryVec};
///
/// let mut words = TryVec::new();
/// words.push(TryString::try_from("hello")?)?;
/// words.push(TryString::try_from("world")?)?;
/// let copy = words.try_clone()?;
/// assert_eq!(copy, words);
/// assert_eq!(Some((1, 'x')).try_clone()?, Some((1, 'x')));
/// # wasmtime_error::Ok(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be cloned fallibly: it does not implement `TryClone`",
    label = "not `TryClone`",
    note = "implement `TryClone` for it: `fn try_clone(&self) -> Result<Self, OutOfMemory>`; a type that owns no heap memory can return `Ok(self.clone())`"
)]
pub trait TryClone: Sized {
    /// A copy of `self`, or the allocation failure that prevented it.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryClone, TryString, try_new};
    ///
    /// let boxed: Box<TryString> = try_new(TryString::try_from("boxed")?)?;
    /// assert_eq!(boxed.try_clone()?, boxed);
    /// # wasmtime_error::Ok(())
    /// ```
    fn try_clone(&self) -> Result<Self, OutOfMemory>;

    /// A copy of `self`, panicking if memory runs out: for code that
    /// treats a failed allocation as a bug, as
    /// [`PanicOnOom`](super::PanicOnOom) does.
    ///
    /// # Panics
    ///
    /// If [`try_clone`](TryClone::try_clone) fails.
    ///
    /// # Example
    ///
    /// ```
    /// use wasmtime_error::alloc::{TryClone, TryString};
    ///
    /// let name = TryString::try_from_str("wasm")?;
    /// assert_eq!(name.clone_panic_on_oom(), "wasm");
    /// # wasmtime_error::Ok(())
    /// ```
    #[track_caller]
    fn clone_panic_on_oom(&self) -> Self {
        super::PanicOnOom::panic_on_oom(self.try_clone())
    }
}

macro_rules! try_clone_by_copy {
    ($($ty:ty),* $(,)?) => {$(
        impl TryClone for $ty {
            #[inline]
            fn try_clone(&self) -> Result<Self, OutOfMemory> {
                Ok(*self)
            }
        }
    )*};
}

try_clone_by_copy!(
    (),
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    OutOfMemory,
    core::num::NonZeroU8,
    core::num::NonZeroU16,
    core::num::NonZeroU32,
    core::num::NonZeroU64,
    core::num::NonZeroUsize,
    core::time::Duration,
);

impl<T: ?Sized> TryClone for &T {
    #[inline]
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(*self)
    }
}

/// Hash builders hold a few words of seed and allocate nothing.
#[cfg(feature = "hash-map")]
impl TryClone for hashbrown::DefaultHashBuilder {
    #[inline]
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(self.clone())
    }
}

#[cfg(feature = "std")]
impl TryClone for std::hash::RandomState {
    #[inline]
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(self.clone())
    }
}

impl<T: ?Sized> TryClone for *const T {
    #[inline]
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(*self)
    }
}

impl<T: ?Sized> TryClone for *mut T {
    #[inline]
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(*self)
    }
}

impl<T: ?Sized> TryClone for NonNull<T> {
    #[inline]
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(*self)
    }
}

impl<T: TryClone> TryClone for ManuallyDrop<T> {
    /// Clones the value inside; the copy is not dropped either.
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(ManuallyDrop::new((**self).try_clone()?))
    }
}

impl<T: ?Sized> TryClone for PhantomData<T> {
    #[inline]
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(PhantomData)
    }
}

impl<T: ?Sized> TryClone for Rc<T> {
    /// Counts one more reference; allocates nothing.
    #[inline]
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(Rc::clone(self))
    }
}

impl<T: ?Sized> TryClone for Arc<T> {
    /// Counts one more reference; allocates nothing.
    #[inline]
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(Arc::clone(self))
    }
}

impl<T: TryClone> TryClone for Option<T> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        match self {
            Some(value) => Ok(Some(value.try_clone()?)),
            None => Ok(None),
        }
    }
}

impl<T: TryClone, E: TryClone> TryClone for Result<T, E> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        match self {
            Ok(value) => Ok(Ok(value.try_clone()?)),
            Err(error) => Ok(Err(error.try_clone()?)),
        }
    }
}

macro_rules! try_clone_tuple {
    ($($name:ident)+) => {
        impl<$($name: TryClone),+> TryClone for ($($name,)+) {
            #[allow(non_snake_case)]
            fn try_clone(&self) -> Result<Self, OutOfMemory> {
                let ($($name,)+) = self;
                Ok(($($name.try_clone()?,)+))
            }
        }
    };
}

try_clone_tuple!(A);
try_clone_tuple!(A B);
try_clone_tuple!(A B C);
try_clone_tuple!(A B C D);
try_clone_tuple!(A B C D E);
try_clone_tuple!(A B C D E F);
try_clone_tuple!(A B C D E F G);
try_clone_tuple!(A B C D E F G H);
try_clone_tuple!(A B C D E F G H I);
try_clone_tuple!(A B C D E F G H I J);
try_clone_tuple!(A B C D E F G H I J K);
try_clone_tuple!(A B C D E F G H I J K L);

impl<T: TryClone> TryClone for Vec<T> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        let mut clone = Vec::try_with_capacity_oom(self.len())?;
        clone.try_extend_from_slice(self)?;
        Ok(clone)
    }
}

impl TryClone for String {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        let mut clone = String::try_with_capacity_oom(self.len())?;
        clone.try_push_str(self)?;
        Ok(clone)
    }
}

impl<T: TryClone> TryClone for Box<T> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        try_new_box((**self).try_clone()?)
    }
}

impl<T: TryClone> TryClone for Box<[T]> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        let mut vec = TryVec::with_capacity(self.len())?;
        vec.extend_from_slice(self)?;
        vec.into_boxed_slice()
    }
}

impl TryClone for Box<str> {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        try_new_boxed_str(self)
    }
}
