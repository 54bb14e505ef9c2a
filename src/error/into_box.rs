//! `Error::into_boxed_dyn_error`: a standard `Box<dyn Error>` that shows what
//! the error shows; `Error::reallocate_into_boxed_dyn_error_without_backtrace`:
//! one that holds the error's own value, so that it downcasts to it.

use super::oom_record::Record;
use super::payload::Message;
use super::repr::Decoded;
use super::vtable::try_alloc;
use super::{Error, fmt};
use crate::OutOfMemory;
use core::alloc::Layout;
use core::error::Error as StdError;
use core::ptr::NonNull;
use std_alloc::boxed::Box;

pub(crate) fn into_box(error: Error) -> Box<dyn StdError + Send + Sync + 'static> {
    match error.repr.decode() {
        Decoded::Oom(oom) => box_oom(oom),
        Decoded::Boxed(header) => {
            core::mem::forget(error);
            // SAFETY: a boxed word heads a live allocation, handed over to
            // the box here; the error that owned it was forgotten.
            unsafe { ((*header.as_ptr()).vtable.into_box)(header) }
        }
        Decoded::Static(_) => wrap(error),
        Decoded::Record(record) => wrap_record(error, record),
    }
}

pub(crate) fn reallocate(error: Error) -> Box<dyn StdError + Send + Sync + 'static> {
    let boxed = match error.repr.decode() {
        Decoded::Oom(oom) => return box_oom(oom),
        // What `anyhow!("literal")` holds: the message as `Error::msg` keeps it.
        Decoded::Static(message) => try_box(Message(*message.message_ref())),
        // The layers live in the error's record, which the box keeps.
        Decoded::Record(record) => return wrap_record(error, record),
        Decoded::Boxed(header) => {
            core::mem::forget(error);
            // SAFETY: a boxed word heads a live allocation, handed over to
            // the vtable here; the error that owned it was forgotten.
            unsafe { ((*header.as_ptr()).vtable.reallocate)(header) }
        }
    };
    boxed.unwrap_or_else(box_oom)
}

/// Boxes the whole error behind a one-word box.
fn wrap(error: Error) -> Box<dyn StdError + Send + Sync + 'static> {
    match try_box(Wrapped(error)) {
        Ok(boxed) => boxed,
        Err(oom) => box_oom(oom),
    }
}

/// Boxes an out-of-memory error that kept context, which stays in its
/// record while the box lives; if even the box cannot be had, the record
/// is released and the box holds the failure alone.
fn wrap_record(error: Error, record: NonNull<Record>) -> Box<dyn StdError + Send + Sync + 'static> {
    // SAFETY: the record is claimed by `error`, alive here.
    let oom = unsafe { *Record::oom(record).as_ref() };
    try_box(Wrapped(error)).unwrap_or_else(|_| box_oom(oom))
}

fn box_oom(oom: OutOfMemory) -> Box<dyn StdError + Send + Sync + 'static> {
    match try_box(oom) {
        Ok(boxed) => boxed,
        Err(_) => {
            // SAFETY: `Unboxed` is zero-sized with alignment 1, so any
            // non-null address is a valid, never-freed `Box<Unboxed>`; the
            // packed word is odd, hence non-null.
            unsafe { Box::from_raw(core::ptr::without_provenance_mut::<Unboxed>(oom.packed())) }
        }
    }
}

/// `Box::new` that returns the failed request instead of aborting.
pub(crate) fn try_box<T: StdError + Send + Sync + 'static>(
    value: T,
) -> Result<Box<dyn StdError + Send + Sync>, OutOfMemory> {
    let layout = Layout::new::<T>();
    let raw: NonNull<T> = match layout.size() {
        0 => NonNull::dangling(),
        _ => try_alloc(layout)?.cast(),
    };
    // SAFETY: a zero-sized `Box<T>` may be made from any aligned non-null
    // pointer and never frees it; any other `raw` was freshly allocated by
    // the global allocator with `T`'s layout, which is what `Box<T>` frees
    // with.
    unsafe {
        raw.as_ptr().write(value);
        Ok(Box::from_raw(raw.as_ptr()))
    }
}

/// An error that cannot hand its allocation to a box as it is.
struct Wrapped(Error);

impl core::fmt::Display for Wrapped {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.0, f)
    }
}

impl core::fmt::Debug for Wrapped {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.0, f)
    }
}

impl StdError for Wrapped {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.as_dyn().source()
    }
}

/// The box for an out-of-memory error when even eight bytes cannot be had:
/// zero-sized, with the packed `OutOfMemory` as its address.
struct Unboxed;

impl Unboxed {
    fn oom(&self) -> OutOfMemory {
        OutOfMemory::from_packed((self as *const Unboxed).addr())
    }
}

impl core::fmt::Display for Unboxed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fmt::display(&self.oom(), f)
    }
}

impl core::fmt::Debug for Unboxed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.oom(), f)
    }
}

impl StdError for Unboxed {}
