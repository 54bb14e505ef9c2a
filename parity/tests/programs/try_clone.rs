// `TryClone`: derived-style impls on the user's types, the std types it
// covers, and `clone_panic_on_oom`.

use core::mem::ManuallyDrop;
use core::ptr::NonNull;
use std::sync::Arc;

#[derive(Debug, PartialEq)]
struct Config {
    name: TryString,
    limits: TryVec<u32>,
    shared: Arc<u8>,
}

impl TryClone for Config {
    fn try_clone(&self) -> Result<Self, OutOfMemory> {
        Ok(Config {
            name: self.name.try_clone()?,
            limits: self.limits.try_clone()?,
            shared: self.shared.try_clone()?,
        })
    }
}

fn config() -> Result<Config> {
    let mut name = TryString::new();
    name.push_str("default")?;
    Ok(Config {
        name,
        limits: try_vec![1, 2, 3]?,
        shared: Arc::new(7),
    })
}

#[test]
fn a_users_struct_clones_field_by_field() -> Result<()> {
    let original = config()?;
    let copy = original.try_clone()?;
    assert_eq!(copy, original);
    assert!(Arc::ptr_eq(&copy.shared, &original.shared));
    assert_eq!(Arc::strong_count(&original.shared), 2);
    Ok(())
}

#[test]
fn clone_panic_on_oom_when_failure_is_a_bug() -> Result<()> {
    let original = config()?;
    let copy = original.clone_panic_on_oom();
    assert_eq!(&*copy.name, "default");
    let numbers = try_vec![4u8, 5]?;
    assert_eq!(&*numbers.clone_panic_on_oom(), &[4, 5]);
    Ok(())
}

#[test]
fn tuples_options_results_and_pointers() -> Result<()> {
    let wide = (1u8, 2u16, 3u32, 4u64, 5u128, 6usize, 7i8, 8i16, 9i32, 10i64);
    assert_eq!(wide.try_clone()?, wide);
    let nested = (Some(try_vec!['a', 'b']?), Ok::<_, u8>(true));
    let copy = nested.try_clone()?;
    assert_eq!(copy.0.as_deref(), Some(&['a', 'b'][..]));

    let mut slot = 0u32;
    let raw: *mut u32 = &mut slot;
    assert_eq!(raw.try_clone()?, raw);
    let non_null = NonNull::from(&mut slot);
    assert_eq!(non_null.try_clone()?, non_null);
    let reference: &u32 = &slot;
    let copied: &u32 = TryClone::try_clone(&reference)?;
    assert!(core::ptr::eq(copied, reference));
    Ok(())
}

#[test]
fn manually_drop_clones_its_value() -> Result<()> {
    let held = ManuallyDrop::new(try_vec![1u16, 2]?);
    let copy = held.try_clone()?;
    assert_eq!(&**copy, &[1, 2]);
    drop(ManuallyDrop::into_inner(copy));
    drop(ManuallyDrop::into_inner(held));
    Ok(())
}
