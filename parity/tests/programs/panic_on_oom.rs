// `PanicOnOom`, including generic code that names its `Result` type.

/// Unwraps any allocation result, for setup code where running out of
/// memory is a bug.
fn setup<P>(step: P) -> P::Result
where
    P: PanicOnOom,
{
    step.panic_on_oom()
}

#[test]
fn panic_on_oom_unwraps_success() {
    let mut names = setup(TryVec::with_capacity(2));
    setup(names.push("first"));
    let mut text = TryString::new();
    text.push_str("second").panic_on_oom();
    setup(names.push("second"));
    assert_eq!(&*names, &["first", "second"]);
    assert_eq!(&*text, "second");
}

#[test]
fn panic_on_oom_panics_on_failure() {
    let outcome = std::panic::catch_unwind(|| {
        let huge: Result<TryVec<u64>, OutOfMemory> = TryVec::with_capacity(usize::MAX);
        setup(huge)
    });
    assert!(outcome.is_err());
}

#[test]
fn the_result_type_is_named_result() {
    fn len_of<P: PanicOnOom<Result = TryVec<u8>>>(p: P) -> usize {
        p.panic_on_oom().len()
    }
    assert_eq!(len_of(TryVec::with_capacity(4)), 0);
}
