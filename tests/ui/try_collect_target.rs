// `try_collect` into a type it cannot build lists the ones it can.

use std::collections::LinkedList;
use wasmtime_error::alloc::TryCollect;

fn main() {
    let _list: Result<LinkedList<u8>, _> = (0..3u8).try_collect();
}
