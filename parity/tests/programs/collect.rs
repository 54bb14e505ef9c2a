// `try_collect` into vectors and boxed slices, from plain items and from
// results, and a collection of the user's own.

fn parse_numbers(text: &str) -> Result<TryVec<u32>> {
    text.split_whitespace()
        .map(|word| {
            word.parse::<u32>()
                .map_err(Error::new)
                .with_context(|| format!("bad number {word:?}"))
        })
        .try_collect()
}

/// The user's own collection: keeps the largest item seen.
#[derive(Debug, PartialEq)]
struct Largest(Option<u32>);

impl TryFromIterator<u32, OutOfMemory> for Largest {
    fn try_from_iter<I>(iter: I) -> Result<Self, OutOfMemory>
    where
        I: Iterator<Item = u32>,
    {
        Ok(Largest(iter.max()))
    }
}

#[test]
fn results_collect_into_a_vector_or_the_first_error() -> Result<()> {
    assert_eq!(&*parse_numbers("3 1 4")?, &[3, 1, 4]);
    let error = parse_numbers("3 x 4").unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        "bad number \"x\": invalid digit found in string"
    );
    assert!(parse_numbers("")?.is_empty());

    let v: Result<TryVec<u32>> = [Ok(1), Ok(2)].into_iter().try_collect();
    assert_eq!(&*v?, &[1, 2]);
    Ok(())
}

#[test]
fn results_collect_into_a_boxed_slice() -> Result<()> {
    let boxed: Result<Box<[u8]>> = (1..=3u8).map(Result::Ok).try_collect();
    assert_eq!(&*boxed?, &[1, 2, 3]);
    let failed: Result<Box<[u8]>> = [Ok(1), Err(format_err!("stop")), Ok(3)]
        .into_iter()
        .try_collect();
    assert_eq!(failed.unwrap_err().to_string(), "stop");
    Ok(())
}

#[test]
fn plain_items_collect_with_out_of_memory_as_the_error() -> Result<()> {
    let squares: TryVec<u64> = (1..=4u64).map(|n| n * n).try_collect()?;
    assert_eq!(&*squares, &[1, 4, 9, 16]);
    let boxed: Box<[char]> = "abc".chars().try_collect()?;
    assert_eq!(&*boxed, &['a', 'b', 'c']);
    let named = (0..3).try_collect::<TryVec<i32>, _>()?;
    assert_eq!(named.len(), 3);
    let direct = TryVec::try_from_iter([7, 8].into_iter())?;
    assert_eq!(&*direct, &[7, 8]);
    Ok(())
}

#[test]
fn a_collection_of_the_users_own() -> Result<()> {
    let largest: Largest = [3, 9, 2].into_iter().try_collect()?;
    assert_eq!(largest, Largest(Some(9)));
    let none: Largest = core::iter::empty().try_collect()?;
    assert_eq!(none, Largest(None));
    Ok(())
}

#[test]
fn try_extend_appends() -> Result<()> {
    let mut v = TryVec::new();
    v.try_extend([1, 2])?;
    v.try_extend(3..5)?;
    assert_eq!(&*v, &[1, 2, 3, 4]);
    Ok(())
}
