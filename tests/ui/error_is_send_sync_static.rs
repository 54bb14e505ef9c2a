// `Error` (and so `Result<T>`) is `Send + Sync + 'static`: it crosses
// threads and fits in `Box<dyn Any + Send + Sync>`.

fn assert_send_sync_static<T: Send + Sync + 'static>() {}

fn main() {
    assert_send_sync_static::<wasmtime_error::Error>();
    assert_send_sync_static::<wasmtime_error::Result<String>>();

    let error = wasmtime_error::format_err!("from {}", "a thread");
    let joined = std::thread::spawn(move || error).join().unwrap();
    let any: Box<dyn std::any::Any + Send + Sync> = Box::new(joined);
    assert!(any.is::<wasmtime_error::Error>());
}
