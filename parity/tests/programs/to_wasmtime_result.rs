// `ToWasmtimeResult` on a result that already is one: a no-op, so code
// that calls it on every layer keeps compiling.

fn checked_div(a: i32, b: i32) -> Result<i32> {
    ensure!(b != 0, "division of {a} by zero");
    Ok(a / b)
}

fn average(values: &[i32]) -> Result<i32> {
    let sum: i32 = values.iter().sum();
    let len = i32::try_from(values.len())?;
    checked_div(sum, len).to_wasmtime_result()
}

#[test]
fn our_own_results_pass_through() -> Result<()> {
    assert_eq!(average(&[2, 4, 6])?, 4);
    let error = average(&[]).unwrap_err();
    assert_eq!(error.to_string(), "division of 0 by zero");
    Ok(())
}

mod from_anyhow {
    use super::*;

    fn theirs(ok: bool) -> anyhow::Result<u8> {
        if ok {
            Ok(1)
        } else {
            anyhow::bail!("from anyhow")
        }
    }

    #[test]
    fn anyhow_results_convert() -> Result<()> {
        assert_eq!(theirs(true).to_wasmtime_result()?, 1);
        let error = theirs(false).to_wasmtime_result().unwrap_err();
        assert_eq!(error.to_string(), "from anyhow");
        assert!(error.is::<anyhow::Error>());
        Ok(())
    }
}
