//! Threads that walk and unwind stacks without pause, for the stress run of
//! isolated mode (`.ci/oom-fork-stress`): a child forked while one of them
//! holds a lock (std's backtrace lock, the unwinder's) must not wait on it.

use std::sync::Once;

/// Starts the threads once per process, when `OOM_TEST_STRESS_NOISE` is set.
pub fn start_if_asked() {
    static START: Once = Once::new();
    if std::env::var_os("OOM_TEST_STRESS_NOISE").is_none() {
        return;
    }
    START.call_once(|| {
        for _ in 0..2 {
            // Captures and resolves under std's backtrace lock.
            std::thread::spawn(|| {
                loop {
                    let backtrace = std::backtrace::Backtrace::force_capture();
                    std::hint::black_box(backtrace.to_string());
                }
            });
        }
        // Unwinds through the unwinder's frame lookup, without the hook.
        std::thread::spawn(|| {
            loop {
                let _ = std::panic::catch_unwind(|| std::panic::resume_unwind(Box::new(0u8)));
            }
        });
    });
}
