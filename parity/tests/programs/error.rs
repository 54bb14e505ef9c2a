// The error API: `Error`, `Result`, `Context`, `bail!`, `ensure!`,
// `format_err!`, `OutOfMemory`, downcasts and the chain.

use core::fmt;

#[derive(Debug)]
struct PortInUse(u16);

impl fmt::Display for PortInUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "port {} is in use", self.0)
    }
}

impl core::error::Error for PortInUse {}

fn bind(port: u16) -> Result<u16> {
    ensure!(port != 0, "port 0 is reserved");
    if port == 80 {
        return Err(PortInUse(port).into());
    }
    if port < 1024 {
        bail!("port {port} needs privileges");
    }
    Ok(port)
}

fn start(config: &str) -> Result<u16> {
    let port = config
        .trim()
        .parse::<u16>()
        .with_context(|| format!("invalid port {config:?}"))?;
    let bound = bind(port).context("cannot start the server")?;
    Ok(bound)
}

#[test]
fn success_and_messages() -> Result<()> {
    assert_eq!(start("8080")?, 8080);
    assert_eq!(bind(0).unwrap_err().to_string(), "port 0 is reserved");
    assert_eq!(
        bind(22).unwrap_err().to_string(),
        "port 22 needs privileges"
    );
    Ok(())
}

#[test]
fn context_layers_and_the_chain() {
    let error = start("80").unwrap_err();
    assert_eq!(error.to_string(), "cannot start the server");
    assert_eq!(
        format!("{error:#}"),
        "cannot start the server: port 80 is in use"
    );
    let layers: Vec<String> = error.chain().map(|e| e.to_string()).collect();
    assert_eq!(layers, ["cannot start the server", "port 80 is in use"]);
    assert_eq!(error.root_cause().to_string(), "port 80 is in use");

    let parse = start("eighty").unwrap_err();
    assert_eq!(
        format!("{parse:#}"),
        "invalid port \"eighty\": invalid digit found in string"
    );
    assert!(parse.is::<core::num::ParseIntError>());
}

#[test]
fn downcasts_find_the_typed_error() {
    let error = start("80").unwrap_err();
    assert!(error.is::<PortInUse>());
    assert_eq!(error.downcast_ref::<PortInUse>().map(|p| p.0), Some(80));
    let mut error = bind(80).unwrap_err();
    if let Some(port) = error.downcast_mut::<PortInUse>() {
        port.0 = 81;
    }
    let port = error.downcast::<PortInUse>().unwrap();
    assert_eq!(port.0, 81);
}

#[test]
fn errors_made_directly() {
    let msg = Error::msg("plain message");
    assert_eq!(msg.to_string(), "plain message");
    let formatted = format_err!("{} + {} = {}", 1, 1, 2);
    assert_eq!(formatted.to_string(), "1 + 1 = 2");
    let typed = Error::new(PortInUse(443)).context("while probing");
    assert_eq!(format!("{typed:#}"), "while probing: port 443 is in use");
    let boxed: Box<dyn core::error::Error + Send + Sync> = Box::new(PortInUse(1));
    let from_boxed = Error::from_boxed(boxed);
    assert_eq!(from_boxed.to_string(), "port 1 is in use");
    let back = from_boxed.into_boxed_dyn_error();
    assert_eq!(back.to_string(), "port 1 is in use");
}

#[test]
fn option_context() {
    let found: Option<u8> = None;
    let error = found.context("nothing found").unwrap_err();
    assert_eq!(error.to_string(), "nothing found");
    let lazily = Some(3).with_context(|| "unused").unwrap();
    assert_eq!(lazily, 3);
}

#[test]
fn out_of_memory_is_an_ordinary_error() {
    let oom = OutOfMemory::new(4096);
    assert_eq!(oom.requested_allocation_size(), 4096);
    let error = Error::from(oom).context("growing the table");
    assert!(error.is::<OutOfMemory>());
    assert_eq!(
        error.root_cause().to_string(),
        OutOfMemory::new(4096).to_string()
    );
    let from_collection: Result<()> = TryVec::<u64>::with_capacity(usize::MAX)
        .map(drop)
        .map_err(Error::from);
    assert!(from_collection.unwrap_err().is::<OutOfMemory>());
}

/// Wasmtime's own `context_on_oom` test: context on an out-of-memory error
/// is no value a downcast finds, and the failure still is.
#[test]
fn context_on_oom_is_not_a_value() {
    let error = Error::new(OutOfMemory::new(5));
    let error = error.context("yikes");
    assert!(error.is::<OutOfMemory>());
    assert!(!error.is::<&str>());
    let oom = error.downcast_ref::<OutOfMemory>().unwrap();
    assert_eq!(oom.requested_allocation_size(), 5);
    assert_eq!(error.root_cause().to_string(), OutOfMemory::new(5).to_string());
}

#[test]
fn the_ok_helper_fixes_the_error_type() {
    let parse = |s: &str| {
        let n: i32 = s.parse()?;
        Ok(n * 2)
    };
    assert_eq!(parse("21").unwrap(), 42);
    assert!(parse("x").is_err());
}
