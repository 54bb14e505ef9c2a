//! A `no_std` library whose thiserror enum flows into
//! `wasmtime_error::Result` with `?`, gets context, and is downcast back.

#![no_std]

extern crate alloc;

use wasmtime_error::{Context, Error, OutOfMemory, Result, bail, ensure};

/// A driver's error, derived without std.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The device did not answer.
    #[error("device {0} timed out")]
    Timeout(u8),
    /// A lower layer failed.
    #[error("bus fault")]
    Bus(#[source] BusFault),
    /// Formatting failed, shown as the inner error.
    #[error(transparent)]
    Fmt(#[from] core::fmt::Error),
}

/// The bus layer's own error.
#[derive(Debug, thiserror::Error)]
#[error("parity error at {0:#x}")]
pub struct BusFault(pub u32);

fn probe(device: u8) -> Result<u8, DriverError> {
    match device {
        0 => Err(DriverError::Timeout(device)),
        1 => Err(DriverError::Bus(BusFault(0x40))),
        _ => Ok(device),
    }
}

/// Probes a device, adding context on failure.
pub fn start(device: u8) -> Result<u8> {
    ensure!(device < 8, "no device {device}");
    let found = probe(device).with_context(|| alloc::format!("starting device {device}"))?;
    if found == 7 {
        bail!("device 7 is reserved");
    }
    Ok(found)
}

/// Whether the failure came from the bus.
pub fn is_bus_fault(error: &Error) -> bool {
    matches!(error.downcast_ref::<DriverError>(), Some(DriverError::Bus(_)))
}

/// The line of each layer of `error` that knows where it was made,
/// outermost first, read without allocating (feature `location`).
#[cfg(feature = "location")]
pub fn layer_lines(error: &Error) -> impl Iterator<Item = u32> + '_ {
    error
        .locations()
        .filter_map(|(_, location)| location.map(|location| location.line()))
}

/// Out of memory travels without allocation, with or without std.
pub fn out_of_memory() -> Error {
    Error::from(OutOfMemory::new(64)).context("ignored")
}

/// The device numbers of `text` (`"1,2"`), in a fallible vector, with the
/// allocator-api2 collections (feature `collections`) and no std.
#[cfg(feature = "collections")]
pub fn devices(text: &str) -> Result<wasmtime_error::alloc::TryVec<u8>> {
    use wasmtime_error::alloc::TryCollect;
    text.split(',')
        .map(|device| device.parse::<u8>().context("not a device number"))
        .try_collect()
}
