// `TryNew` and `try_new` for `Box` and `Arc` (Wasmtime 48 has no `Rc` one).

use std::sync::Arc;

#[repr(align(64))]
struct CacheLine([u8; 64]);

struct Node {
    value: u32,
    next: Option<Box<Node>>,
}

fn list(values: &[u32]) -> Result<Option<Box<Node>>> {
    let mut head = None;
    for &value in values.iter().rev() {
        head = Some(try_new::<Box<Node>>(Node { value, next: head })?);
    }
    Ok(head)
}

#[test]
fn boxes_made_with_try_new() -> Result<()> {
    let head = list(&[1, 2, 3])?;
    let mut seen = TryVec::new();
    let mut node = head.as_deref();
    while let Some(n) = node {
        seen.push(n.value)?;
        node = n.next.as_deref();
    }
    assert_eq!(&*seen, &[1, 2, 3]);

    let boxed: Box<u64> = TryNew::try_new(9)?;
    assert_eq!(*boxed, 9);
    Ok(())
}

#[test]
fn shared_pointers_made_with_try_new() -> Result<()> {
    let shared = try_new::<Arc<TryVec<u8>>>(TryVec::new())?;
    let other = shared.clone();
    assert_eq!(Arc::strong_count(&other), 2);

    let named = <Arc<&str> as TryNew>::try_new("named")?;
    assert_eq!(*named, "named");
    Ok(())
}

#[test]
fn zero_sized_and_over_aligned_values() -> Result<()> {
    let unit = try_new::<Box<()>>(())?;
    assert_eq!(*unit, ());
    let line = try_new::<Box<CacheLine>>(CacheLine([3; 64]))?;
    assert_eq!(&*line as *const CacheLine as usize % 64, 0);
    assert_eq!(line.0[63], 3);
    let shared = try_new::<Arc<CacheLine>>(CacheLine([4; 64]))?;
    assert_eq!(Arc::as_ptr(&shared) as usize % 64, 0);
    Ok(())
}
