//! The static table of [`Record`]s that out-of-memory errors keep their
//! context in, claimed and released without locks and without allocating.
//!
//! [`RECORDS`] records, each owned by at most one error at a time. Which
//! ones are taken is one bit each in a few atomic words (one on 64-bit
//! targets). Claiming sets a clear bit with `fetch_or` (Acquire) and
//! retries with the next clear bit if another thread set it first;
//! releasing clears it with `fetch_and` (Release). Nothing waits on
//! anything: a claim fails only when every bit is set, and then the error
//! stays a plain out-of-memory word. The Acquire of a claim pairs with the
//! Release of the previous owner's release, so the new owner's writes to
//! the record come after everything the previous owner did with it; between
//! the two, only the owning error reads or writes it.

use super::oom_record::Record;
use core::cell::UnsafeCell;
use core::mem::size_of;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};

/// How many out-of-memory errors can keep context at the same time.
const RECORDS: usize = 64;

/// The most static memory the table may take.
const TABLE_BUDGET: usize = 16 * 1024;

const WORD_BITS: usize = usize::BITS as usize;
const WORDS: usize = RECORDS.div_ceil(WORD_BITS);

struct Table {
    /// Bit `i % WORD_BITS` of word `i / WORD_BITS` is set while record `i`
    /// is claimed.
    claimed: [AtomicUsize; WORDS],
    records: [UnsafeCell<Record>; RECORDS],
}

// SAFETY: a record is read and written only by the error that claimed it
// (or through borrows of that error), and the claim bits order one owner's
// accesses before the next owner's (see the module docs).
unsafe impl Sync for Table {}

static TABLE: Table = Table {
    claimed: [const { AtomicUsize::new(0) }; WORDS],
    records: [const { UnsafeCell::new(Record::EMPTY) }; RECORDS],
};

/// The bytes the table takes.
const TABLE_SIZE: usize = size_of::<Table>();

const _: () = assert!(TABLE_SIZE <= TABLE_BUDGET);
// The figures `Error`'s docs give, for 64-bit targets.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(
    size_of::<Record>() == if cfg!(feature = "location") { 232 } else { 160 }
        && TABLE_SIZE == RECORDS * size_of::<Record>() + size_of::<usize>()
);

/// A record nobody owns, now owned by the caller; `None` when all are taken.
/// Does not block: it retries only when another thread took the record it
/// was about to take.
pub(crate) fn claim() -> Option<NonNull<Record>> {
    for (word_index, word) in TABLE.claimed.iter().enumerate() {
        let mut seen = word.load(Ordering::Relaxed);
        while seen != usize::MAX {
            let bit = (!seen).trailing_zeros() as usize;
            let index = word_index * WORD_BITS + bit;
            if index >= RECORDS {
                break;
            }
            let mask = 1 << bit;
            let before = word.fetch_or(mask, Ordering::Acquire);
            if before & mask == 0 {
                return Some(record_at(index));
            }
            seen = before;
        }
    }
    None
}

/// Gives `record` back to the table.
///
/// # Safety
///
/// `record` was returned by [`claim`], is owned by the caller, and is not
/// used by it afterwards.
pub(crate) unsafe fn release(record: NonNull<Record>) {
    let index = index_of(record.addr().get());
    debug_assert!(index < RECORDS);
    let mask = 1 << (index % WORD_BITS);
    let before = TABLE.claimed[index / WORD_BITS].fetch_and(!mask, Ordering::Release);
    debug_assert!(before & mask != 0, "a record released twice");
}

/// Record `index`, with the provenance of the table: through the
/// `UnsafeCell`, its owner may write.
fn record_at(index: usize) -> NonNull<Record> {
    NonNull::from(&TABLE.records[index]).cast::<Record>()
}

/// The index of the record that contains the address `addr`.
fn index_of(addr: usize) -> usize {
    (addr - TABLE.records.as_ptr().addr()) / size_of::<UnsafeCell<Record>>()
}

/// The record that contains the address `addr` (of one of its layers),
/// with the provenance of the table.
pub(crate) fn record_containing(addr: usize) -> NonNull<Record> {
    let index = index_of(addr);
    debug_assert!(index < RECORDS, "not an address inside the table");
    record_at(index)
}
