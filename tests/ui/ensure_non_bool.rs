// `ensure!` takes a `bool` (or `&bool`) condition, not something merely truthy.

use wasmtime_error::{Result, ensure};

fn number() -> Result<()> {
    ensure!(1);
    Ok(())
}

fn text() -> Result<()> {
    let name = "x";
    ensure!(name, "needs a name");
    Ok(())
}

fn main() {
    let _ = number();
    let _ = text();
    let _ = truthy();
}

// Not even a type whose `!` gives a `bool`.
struct Truthy;

impl std::ops::Not for Truthy {
    type Output = bool;
    fn not(self) -> bool {
        false
    }
}

fn truthy() -> Result<()> {
    ensure!(Truthy);
    ensure!(Truthy, "with a message {}", 1);
    Ok(())
}
