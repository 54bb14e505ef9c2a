// `TryCow` and `TryToOwned`: copying text and slices only when they change.

/// Lower-cases ASCII text, borrowing it when it is already lower case.
fn lower(text: &str) -> Result<TryCow<'_, str>, OutOfMemory> {
    let mut cow = TryCow::from(text);
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        cow.to_mut()?.make_ascii_lowercase();
    }
    Ok(cow)
}

/// Removes zeros, copying the slice only when it has some.
fn without_zeros(values: &[u32]) -> Result<TryCow<'_, [u32]>> {
    if !values.contains(&0) {
        return Ok(TryCow::Borrowed(values));
    }
    let mut kept = TryVec::with_capacity(values.len())?;
    for &v in values.iter().filter(|&&v| v != 0) {
        kept.push(v)?;
    }
    Ok(TryCow::Owned(kept))
}

#[test]
fn text_is_copied_only_when_changed() -> Result<()> {
    let unchanged = lower("quiet")?;
    assert!(matches!(unchanged, TryCow::Borrowed(_)));
    let changed = lower("LOUD")?;
    assert!(matches!(changed, TryCow::Owned(_)));
    assert_eq!(&*changed, "loud");
    assert_eq!(changed.len(), 4);

    let owned: TryString = changed.into_owned()?;
    assert_eq!(&*owned, "loud");
    let copied: TryString = unchanged.into_owned()?;
    assert_eq!(&*copied, "quiet");
    Ok(())
}

#[test]
fn slices_are_copied_only_when_changed() -> Result<()> {
    let input = [1, 0, 2, 0, 3];
    let cleaned = without_zeros(&input)?;
    assert_eq!(&*cleaned, &[1, 2, 3]);
    let clean = [4, 5];
    assert!(matches!(without_zeros(&clean)?, TryCow::Borrowed(_)));

    let owned: TryVec<u32> = TryCow::from(&clean[..]).into_owned()?;
    assert_eq!(&*owned, &[4, 5]);
    Ok(())
}

#[test]
fn cows_compare_hash_and_clone_by_value() -> Result<()> {
    use std::collections::HashSet;

    let borrowed = TryCow::from("word");
    let mut owned = TryCow::from("wor");
    owned.to_mut()?.push('d')?;
    assert!(borrowed == owned);
    assert!(TryCow::from("a") < borrowed);
    assert_eq!(format!("{owned:?}"), "\"word\"");

    let mut set = HashSet::new();
    set.insert(borrowed.try_clone()?);
    assert!(!set.insert(owned.try_clone()?));
    assert!(set.contains("word"));

    let as_ref: &str = owned.as_ref();
    assert_eq!(as_ref, "word");
    let empty: TryCow<'_, str> = TryCow::default();
    assert!(empty.is_empty());
    Ok(())
}

#[test]
fn try_to_owned_of_text_slices_and_values() -> Result<()> {
    let text: TryString = "owned".try_to_owned()?;
    assert_eq!(&*text, "owned");
    let words: TryVec<TryString> = [text.try_clone()?, text][..].try_to_owned()?;
    assert_eq!(words.len(), 2);
    let number: u64 = 5u64.try_to_owned()?;
    assert_eq!(number, 5);
    let pair: (u8, Option<char>) = (1, Some('x')).try_to_owned()?;
    assert_eq!(pair, (1, Some('x')));
    Ok(())
}
