//! One set of Tesseract engines per worker thread, created on first use
//! and reused for every later page on that thread.

use std::cell::RefCell;
use std::path::Path;
use workers::page::EngineCache;

thread_local! {
    static ENGINES: RefCell<Option<EngineCache>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's engines.
pub fn with_engines<R>(
    tessdata: &Path,
    f: impl FnOnce(&mut EngineCache) -> workers::Result<R>,
) -> workers::Result<R> {
    ENGINES.with(|cell| {
        let mut cache = cell.borrow_mut();
        f(cache.get_or_insert_with(|| EngineCache::new(tessdata)))
    })
}

/// Drops this thread's engines. Rayon's threads outlive the run, and an
/// engine never dropped makes Tesseract report leaks at exit, so the run
/// calls this on every thread of its pool when it ends.
pub fn drop_engines() {
    ENGINES.with(|cell| cell.borrow_mut().take());
}
