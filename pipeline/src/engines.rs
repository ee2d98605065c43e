//! One Tesseract engine per worker thread and language, created on first use
//! and reused for every later page on that thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use workers::ocr::Engine;

thread_local! {
    static ENGINES: RefCell<HashMap<(String, u32), Engine>> = RefCell::new(HashMap::new());
}

/// Runs `f` with this thread's engine for `lang` and `psm`.
pub fn with_engine<R>(
    tessdata: &Path,
    lang: &str,
    psm: u32,
    f: impl FnOnce(&Engine) -> workers::Result<R>,
) -> workers::Result<R> {
    ENGINES.with(|cell| {
        let mut engines = cell.borrow_mut();
        let key = (lang.to_string(), psm);
        if !engines.contains_key(&key) {
            engines.insert(key.clone(), Engine::new(tessdata, lang, psm)?);
        }
        f(&engines[&key])
    })
}

/// Drops this thread's engines. Rayon's threads outlive the run, and an
/// engine never dropped makes Tesseract report leaks at exit, so the run
/// calls this on every thread of its pool when it ends.
pub fn drop_engines() {
    ENGINES.with(|cell| cell.borrow_mut().clear());
}
