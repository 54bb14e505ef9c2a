//! Where an allocation was made, as the user sees it: [`AllocationSite`],
//! a stack resolved only to be printed or to tell sites apart, through a
//! per-thread cache (a symbol is resolved once per address and thread),
//! and folded so that the first frame shown is the caller's code.

use super::frames::Frames;
use super::state::Paused;
use super::symbols::Symbol;
use std::boxed::Box;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::string::String;
use std::vec::Vec;

/// A site of the code under test, as [`site_key`] finds it: the same
/// function and line is the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SiteKey(u32);

/// Which site of the code under test made the allocation: the first frame
/// outside std, the allocation libraries and this crate. `None` when there
/// is none (or nothing was captured). Resolves symbols.
pub(crate) fn site_key(frames: &Frames) -> Option<SiteKey> {
    with_resolver(|resolver| {
        frames
            .ips()
            .iter()
            .find_map(|&ip| resolver.address(ip).caller)
    })
}

/// The stack as std prints a backtrace, every frame shown. Resolves
/// symbols.
pub(crate) fn render(frames: &Frames) -> String {
    with_resolver(|resolver| {
        let mut text = String::new();
        let mut number = 0;
        for &ip in frames.ips() {
            for symbol in resolver.address(ip).symbols.iter() {
                let _ = writeln!(text, "{number:>4}: {}", symbol.name);
                if let Some(location) = &symbol.location {
                    let _ = writeln!(text, "             at {location}");
                }
                number += 1;
            }
        }
        text
    })
}

/// What the cache knows of an address.
struct Address {
    symbols: Box<[Symbol]>,
    /// The site of the first symbol that is the caller's code.
    caller: Option<SiteKey>,
}

#[derive(Default)]
struct Resolver {
    addresses: HashMap<usize, Address>,
    keys: HashMap<String, SiteKey>,
}

impl Resolver {
    fn address(&mut self, ip: usize) -> &Address {
        if !self.addresses.contains_key(&ip) {
            let address = self.resolve(ip);
            self.addresses.insert(ip, address);
        }
        &self.addresses[&ip]
    }

    fn resolve(&mut self, ip: usize) -> Address {
        let mut symbols = super::symbols::resolve(ip);
        if symbols.is_empty() {
            symbols.push(Symbol {
                name: std::format!("<unknown> ({ip:#x})"),
                location: None,
            });
        }
        let caller = symbols
            .iter()
            .find(|symbol| !is_outside_the_caller(&symbol.name) && !is_library_file(symbol))
            .map(|symbol| {
                let text = match &symbol.location {
                    Some(location) => std::format!("{}\n             at {location}", symbol.name),
                    None => symbol.name.clone(),
                };
                let next = SiteKey(self.keys.len() as u32);
                *self.keys.entry(text).or_insert(next)
            });
        Address {
            symbols: symbols.into_boxed_slice(),
            caller,
        }
    }
}

std::thread_local! {
    static RESOLVER: RefCell<Resolver> = RefCell::new(Resolver::default());
}

/// Whether a symbol's file is std's, a registry crate's or this crate's:
/// with line tables only (`debug = "line-tables-only"`), the names of
/// inlined functions come without their paths, and the file tells.
fn is_library_file(symbol: &Symbol) -> bool {
    symbol.location.as_deref().is_some_and(is_library_location)
}

fn is_library_location(location: &str) -> bool {
    const OWN_SOURCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/");
    location.starts_with("/rustc/")
        || location.contains("/.cargo/registry/")
        || location.starts_with(OWN_SOURCES)
}

/// Runs `f` on this thread's cache, with injection paused: resolving
/// allocates, and it is the harness's work, not the code under test's.
fn with_resolver<R>(f: impl FnOnce(&mut Resolver) -> R) -> R {
    let _paused = Paused::new();
    RESOLVER.with_borrow_mut(f)
}

/// Where an allocation the harness failed (or saw after a failure) was
/// made: the stack captured at that moment, resolved when printed.
///
/// `{}` shows the frames of the code under test, with the frames of std,
/// the allocator, this crate and the runtime folded into one line each
/// (the first frame shown is the caller's code, such as the function that
/// called `Vec::push`); `{:#}` shows every frame.
///
/// # Example
///
/// ```
/// # #[global_allocator]
/// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
/// #     wasmtime_error::oom_test::OomTestAllocator::new();
/// use wasmtime_error::oom_test::OomTest;
///
/// let failure = OomTest::new()
///     .check(|| {
///         let _ = Vec::<u8>::new().try_reserve(1); // the failure is ignored
///         Ok(())
///     })
///     .unwrap_err();
/// let site = failure.site().unwrap();
/// if cfg!(not(miri)) {
///     assert!(site.caller().unwrap().contains("rust_out::main"));
///     let report = wasmtime_error::try_format!("{site:#}")?;
///     assert!(report.contains("OomTestAllocator"));
/// }
/// # wasmtime_error::Ok(())
/// ```
#[derive(Clone)]
pub struct AllocationSite {
    frames: Box<Frames>,
}

impl AllocationSite {
    pub(crate) fn new(frames: Frames) -> AllocationSite {
        AllocationSite {
            frames: Box::new(frames),
        }
    }

    /// The first frame of the code under test (its function and location,
    /// as a backtrace shows them), which tells sites apart; `None` if the
    /// stack has none, or nothing could be captured (Miri).
    ///
    /// # Example
    ///
    /// ```
    /// # #[global_allocator]
    /// # static ALLOCATOR: wasmtime_error::oom_test::OomTestAllocator =
    /// #     wasmtime_error::oom_test::OomTestAllocator::new();
    /// use wasmtime_error::oom_test::OomTest;
    ///
    /// fn forgetful() {
    ///     let _ = String::new().try_reserve(3);
    /// }
    ///
    /// let failure = OomTest::new().check(|| Ok(forgetful())).unwrap_err();
    /// if cfg!(not(miri)) {
    ///     assert!(failure.site().unwrap().caller().unwrap().starts_with("rust_out::"));
    /// }
    /// ```
    pub fn caller(&self) -> Option<String> {
        let folded = fold(&render(&self.frames));
        folded.site
    }

    pub(crate) fn key(&self) -> Option<SiteKey> {
        site_key(&self.frames)
    }
}

impl fmt::Display for AllocationSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let full = render(&self.frames);
        if f.alternate() {
            f.write_str(&full)
        } else {
            f.write_str(&fold(&full).text)
        }
    }
}

impl fmt::Debug for AllocationSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A backtrace as std prints it, with each run of frames that are not the
/// code under test folded into one line.
pub(crate) struct Folded {
    pub(crate) text: String,
    /// The first frame left (its name and location), if any was.
    pub(crate) site: Option<String>,
}

/// Folds the frames of std, core, alloc, the allocation libraries, this
/// crate (the harness, the allocator, the collections) and the runtime, so
/// that the first frame shown is the caller's code. A backtrace with no
/// such frame, or not in std's format, is left as it is.
pub(crate) fn fold(full: &str) -> Folded {
    let _paused = Paused::new();
    let mut frames: Vec<(bool, String)> = Vec::new();
    for line in full.lines() {
        match frame_name(line) {
            Some(name) => frames.push((is_outside_the_caller(name), std::format!("{line}\n"))),
            None => match frames.last_mut() {
                Some((outside, frame)) => {
                    if let Some(location) = line.trim_start().strip_prefix("at ") {
                        *outside |= is_library_location(location);
                    }
                    frame.push_str(line);
                    frame.push('\n');
                }
                None => frames.push((false, std::format!("{line}\n"))),
            },
        }
    }
    if frames.iter().all(|(outside, _)| *outside) {
        return Folded {
            text: full.into(),
            site: None,
        };
    }
    let mut text = String::new();
    let mut folded = 0;
    let mut last_folded = "";
    for (outside, frame) in &frames {
        if *outside {
            folded += 1;
            last_folded = frame.lines().next().and_then(frame_name).unwrap_or("");
            continue;
        }
        if folded > 0 {
            // The last folded frame is what the caller called, such as
            // the `Vec::push` that aborts.
            let _ = writeln!(text, "{}, up to {last_folded})", FoldedLine(folded));
            folded = 0;
        }
        text.push_str(frame);
    }
    if folded > 0 {
        let _ = writeln!(text, "{})", FoldedLine(folded));
    }
    let site = frames
        .iter()
        .find(|(outside, _)| !outside)
        .and_then(|(_, frame)| frame.split_once(": "))
        .map(|(_, rest)| rest.trim_end().into());
    Folded { text, site }
}

struct FoldedLine(usize);

impl fmt::Display for FoldedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(
            f,
            "      ({} frame{s} of std, wasmtime_error and the runtime folded",
            self.0
        )
    }
}

/// The function name of a frame's first line (`   12: name`).
fn frame_name(line: &str) -> Option<&str> {
    let (number, name) = line.trim_start().split_once(": ")?;
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

fn is_outside_the_caller(name: &str) -> bool {
    const LIBRARIES: [&str; 10] = [
        "fn(",
        "std::",
        "core::",
        "alloc::",
        "wasmtime_error::",
        "hashbrown::",
        "allocator_api2::",
        "backtrace::",
        "test::",
        "__",
    ];
    const RUNTIME: [&str; 5] = ["main", "_start", "clone", "clone3", "start_thread"];
    let path = name.trim_start_matches(['<', '&', '*', ' ']);
    let path = path
        .strip_prefix("dyn ")
        .or_else(|| path.strip_prefix("mut "))
        .unwrap_or(path);
    // `<T as core::fmt::Display>::fmt`: a blanket impl of the libraries.
    let blanket = path.split_once(" as ").is_some_and(|(ty, by)| {
        !ty.contains("::") && LIBRARIES.iter().any(|library| by.starts_with(library))
    });
    blanket
        || LIBRARIES.iter().any(|library| path.starts_with(library))
        || RUNTIME.contains(&name)
        || name.starts_with("<unknown>")
}
