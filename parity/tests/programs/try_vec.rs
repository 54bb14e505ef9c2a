// `try_vec!` in both of its forms, as a user building small tables would.

/// A row of `width` cells, each a copy of `fill`.
fn row(fill: &str, width: usize) -> Result<TryVec<TryString>> {
    let mut cell = TryString::new();
    cell.push_str(fill)?;
    Ok(try_vec![cell; width]?)
}

#[test]
fn list_form_holds_its_elements_in_order() -> Result<()> {
    let primes: TryVec<u32> = try_vec![2, 3, 5, 7, 11]?;
    assert_eq!(&*primes, &[2, 3, 5, 7, 11]);
    assert_eq!(primes.len(), 5);
    assert!(primes.capacity() >= 5);

    let nothing: TryVec<u64> = try_vec![]?;
    assert!(nothing.is_empty());
    Ok(())
}

#[test]
fn repeat_form_clones_the_element() -> Result<()> {
    let cells = row("-", 4)?;
    assert_eq!(cells.len(), 4);
    assert!(cells.iter().all(|cell| &**cell == "-"));

    let zeros = try_vec![0u8; 16]?;
    assert_eq!(zeros.iter().map(|&b| u32::from(b)).sum::<u32>(), 0);
    assert_eq!(zeros.len(), 16);
    Ok(())
}

#[test]
fn repeat_form_with_zero_length_or_zero_size() -> Result<()> {
    assert!(row("unused", 0)?.is_empty());
    let units = try_vec![(); 3]?;
    assert_eq!(units.len(), 3);
    Ok(())
}

#[test]
fn impossible_lengths_are_out_of_memory() {
    let result = try_vec![0u64; usize::MAX];
    let error: OutOfMemory = result.unwrap_err();
    assert!(error.requested_allocation_size() > 0);
}
