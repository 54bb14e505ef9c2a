//! `allocator_api2` allocators with the behaviours an allocator layered over
//! another must cope with: one that rounds every request up and hands back
//! the whole block (as size-class allocators do), one that refuses every
//! request, and an observer that counts what its callers hold.
//!
//! Also used by the fuzz targets (`fuzz/`), through `#[path]`.

#![allow(dead_code)]

use std::alloc::Layout;
use std::cell::Cell;
use std::ptr::NonNull;

use wasmtime_error::alloc::{AllocError, Allocator, Global};

/// Every block is a multiple of this many bytes.
pub const GRANULE: usize = 64;

/// Rounds each request up to a multiple of [`GRANULE`] (a zero-sized one
/// to a whole granule) and returns the whole block, which the `Allocator`
/// contract allows. Counts the bytes of the blocks it holds.
#[derive(Default)]
pub struct Rounding {
    live: Cell<usize>,
}

impl Rounding {
    /// Bytes of the blocks currently allocated, as rounded.
    pub fn live(&self) -> usize {
        self.live.get()
    }

    /// The layout of the block made for `layout`: any size between a
    /// request and its block's length rounds to the same block, so a caller
    /// may free with either.
    fn block(layout: Layout) -> Result<Layout, AllocError> {
        let size = layout
            .size()
            .max(1)
            .checked_next_multiple_of(GRANULE)
            .ok_or(AllocError)?;
        Layout::from_size_align(size, layout.align()).map_err(|_| AllocError)
    }

    fn made(&self, block: NonNull<[u8]>, layout: Layout) -> NonNull<[u8]> {
        self.live.set(self.live.get() + layout.size());
        NonNull::slice_from_raw_parts(block.cast::<u8>(), layout.size())
    }
}

// SAFETY: blocks come from `Global` with the rounded layout and go back to it
// with the same rounded layout, which every layout fitting the block (size
// between the request and the block's length, same alignment) rounds to.
// `grow` and `shrink` are the trait's defaults (allocate, copy, free).
unsafe impl Allocator for Rounding {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let block = Self::block(layout)?;
        Ok(self.made(Global.allocate(block)?, block))
    }

    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let block = Self::block(layout)?;
        Ok(self.made(Global.allocate_zeroed(block)?, block))
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        let block = Self::block(layout).expect("the layout fit a block made here");
        self.live.set(self.live.get() - block.size());
        // SAFETY: `ptr` came from `Global` with this rounded layout.
        unsafe { Global.deallocate(ptr, block) };
    }
}

/// Refuses every request, as an exhausted allocator does.
pub struct Refusing;

// SAFETY: no block is ever handed out, so none can be freed or resized.
unsafe impl Allocator for Refusing {
    fn allocate(&self, _: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Err(AllocError)
    }

    unsafe fn deallocate(&self, _: NonNull<u8>, _: Layout) {
        unreachable!("nothing was allocated");
    }

    unsafe fn grow(
        &self,
        _: NonNull<u8>,
        _: Layout,
        _: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        unreachable!("nothing was allocated");
    }
}

/// Forwards to `A` and counts the bytes its callers hold: the length of
/// each block handed out (which a caller may use and free whole, as
/// hashbrown does), minus the sizes they free.
pub struct Holdings<A> {
    pub inner: A,
    held: Cell<usize>,
    peak: Cell<usize>,
}

impl<A> Holdings<A> {
    pub fn new(inner: A) -> Self {
        Holdings {
            inner,
            held: Cell::new(0),
            peak: Cell::new(0),
        }
    }

    /// Bytes handed out and not freed yet.
    pub fn held(&self) -> usize {
        self.held.get()
    }

    /// The most bytes held at one time.
    pub fn peak(&self) -> usize {
        self.peak.get()
    }

    fn handed(&self, block: NonNull<[u8]>) -> NonNull<[u8]> {
        self.held.set(self.held.get() + block.len());
        self.peak.set(self.peak.get().max(self.held.get()));
        block
    }

    fn freed(&self, size: usize) {
        self.held.set(self.held.get() - size);
    }
}

// SAFETY: every call is forwarded to `inner` unchanged; the counters only
// observe.
unsafe impl<A: Allocator> Allocator for Holdings<A> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Ok(self.handed(self.inner.allocate(layout)?))
    }

    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Ok(self.handed(self.inner.allocate_zeroed(layout)?))
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's promises are passed on.
        unsafe { self.inner.deallocate(ptr, layout) };
        self.freed(layout.size());
    }

    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller's promises are passed on.
        let block = unsafe { self.inner.grow(ptr, old, new) }?;
        self.freed(old.size());
        Ok(self.handed(block))
    }

    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller's promises are passed on.
        let block = unsafe { self.inner.grow_zeroed(ptr, old, new) }?;
        self.freed(old.size());
        Ok(self.handed(block))
    }

    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller's promises are passed on.
        let block = unsafe { self.inner.shrink(ptr, old, new) }?;
        self.freed(old.size());
        Ok(self.handed(block))
    }
}
