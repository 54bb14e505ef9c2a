// `Error` does not implement `std::error::Error` (as with anyhow, that would
// conflict with `From<E: std::error::Error> for Error`).

fn wants_std_error<E: std::error::Error>(_: E) {}

fn main() {
    let error = wasmtime_error::format_err!("oops");
    wants_std_error(error);
}
