use wasmtime_error::alloc::{TryString, TryVec};
use wasmtime_error::oom_test::{OomTest, OomTestAllocator};
use wasmtime_error::{Result, try_format};
#[global_allocator]
static ALLOCATOR: OomTestAllocator = OomTestAllocator::new();
fn strings(k: usize) -> Result<()> {
    let mut strings: TryVec<TryString> = TryVec::new();
    for i in 0..k {
        let t = try_format!("item {i}")?;
        strings.push(t)?;
    }
    Ok(())
}
fn main() {
    let k: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let t = std::time::Instant::now();
    let s = if std::env::var_os("ZZ_IN").is_some() {
        OomTest::new().isolated(false).test(|| strings(k)).unwrap()
    } else {
        OomTest::new().test(|| strings(k)).unwrap()
    };
    println!("{:?} {:?}", t.elapsed(), s);
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    for line in status.lines().filter(|l| l.starts_with("VmRSS")) {
        println!("{line}");
    }
}
