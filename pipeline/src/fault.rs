//! Fault injection for the crash-and-resume tests. Each hook is read from an
//! environment variable that no user sets; when set, diachi dies on the spot
//! with `abort()`, as a `kill -9` or a power cut would stop it: no cleanup,
//! no flushing, no lock released by hand.
//!
//! Compiled in only with the `fault-injection` feature, which the tests'
//! build turns on; elsewhere each hook is an empty function.

#[cfg(not(feature = "fault-injection"))]
pub fn page_done() {}

#[cfg(not(feature = "fault-injection"))]
pub fn before_rename() {}

#[cfg(feature = "fault-injection")]
pub use hooks::*;

#[cfg(feature = "fault-injection")]
mod hooks {
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// `DIACHI_TEST_ABORT_AFTER_PAGES=N`: die when the N-th page of the run has
    /// been processed (before its document is packaged).
    pub fn page_done() {
        static DONE: AtomicUsize = AtomicUsize::new(0);
        let done = DONE.fetch_add(1, Ordering::SeqCst) + 1;
        if hook("DIACHI_TEST_ABORT_AFTER_PAGES") == Some(done) {
            std::process::abort();
        }
    }

    /// `DIACHI_TEST_ABORT_BEFORE_RENAME=N`: die when the N-th bag of the run is
    /// complete in staging but not yet renamed into place.
    pub fn before_rename() {
        static BAGS: AtomicUsize = AtomicUsize::new(0);
        let n = BAGS.fetch_add(1, Ordering::SeqCst) + 1;
        if hook("DIACHI_TEST_ABORT_BEFORE_RENAME") == Some(n) {
            std::process::abort();
        }
    }

    fn hook(name: &str) -> Option<usize> {
        std::env::var(name).ok()?.parse().ok()
    }
}
