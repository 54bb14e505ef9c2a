//! Compile-time promises, checked with trybuild: what must not compile does
//! not, with the error a user would see, and what must compile does.

#[test]
#[cfg_attr(miri, ignore = "trybuild runs rustc")]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/error_is_not_std_error.rs");
    cases.compile_fail("tests/ui/context_is_sealed.rs");
    cases.compile_fail("tests/ui/ensure_non_bool.rs");
    cases.compile_fail("tests/ui/result_must_use.rs");
    cases.compile_fail("tests/ui/context_on_anyhow_result.rs");
    if cfg!(feature = "collections") {
        cases.compile_fail("tests/ui/try_clone_missing.rs");
    }
    // rustc lists some implementors in the message, the hash maps among them.
    if cfg!(feature = "hash-map") {
        cases.compile_fail("tests/ui/try_collect_target.rs");
    }
    cases.pass("tests/ui/error_is_send_sync_static.rs");
}
