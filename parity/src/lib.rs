//! Nothing to build: the programs are the tests in `tests/`, each included
//! twice, once with Wasmtime's imports and once with this crate's.
