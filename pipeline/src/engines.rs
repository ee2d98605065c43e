//! The run's Tesseract engines, shared by its threads: a page takes the
//! engines it needs from the pool and gives them back when it ends.
//!
//! Each thread used to keep its own engine for every language string it
//! had met ("vie", "khm", "vie+khm", "khm+vie": 20-35 MB each). On a long
//! mixed batch every thread meets every one, so engine memory was threads
//! times languages, and peak RSS grew with the batch: a 40-page batch left
//! each of 8 threads only the one or two languages of its five pages. With
//! the pool, the engines of a language are as many as pages once used it
//! at once (at most one for each page read at once, `run.pages_read_at_once`,
//! [`EnginePool::new`]), and a language no page used at the same time as
//! another holds one engine.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use workers::ocr::Engine;
use workers::page::Engines;

/// Engines no page is using, ready for the next.
pub struct EnginePool {
    tessdata: PathBuf,
    /// Least recently given back first.
    idle: Mutex<VecDeque<Engine>>,
    keep: usize,
    /// Engines loaded so far.
    loaded: AtomicUsize,
}

/// The engines one page has taken; they go back to the pool when it ends.
pub struct PageEngines<'a> {
    pool: &'a EnginePool,
    taken: Vec<Engine>,
}

impl EnginePool {
    /// A pool that keeps at most `keep` idle engines of each language
    /// string, dropping the least recently used beyond that. With one for
    /// each page read at once, no engine is loaded twice; the pool holds
    /// more engines of a language only when more pages used it at once.
    /// (A limit on all idle engines together, one a thread, loaded 68
    /// engines for 400 pages of four language strings with `--jobs 2`,
    /// 0.05-0.2 s each.)
    pub fn new(tessdata: &Path, keep: usize) -> EnginePool {
        EnginePool {
            tessdata: tessdata.to_path_buf(),
            idle: Mutex::new(VecDeque::new()),
            keep,
            loaded: AtomicUsize::new(0),
        }
    }

    /// Runs `f` for one page, with engines taken from the pool as the page
    /// asks for them and given back once `f` returns.
    pub fn with_engines<R>(
        &self,
        f: impl FnOnce(&mut PageEngines) -> workers::Result<R>,
    ) -> workers::Result<R> {
        let mut page = PageEngines {
            pool: self,
            taken: Vec::new(),
        };
        let result = f(&mut page);
        self.give_back(page.taken);
        result
    }

    /// How many engines were loaded (models read) so far.
    pub fn loaded(&self) -> usize {
        self.loaded.load(Ordering::Relaxed)
    }

    /// The most recently used idle engine for `lang`.
    fn take(&self, lang: &str) -> Option<Engine> {
        let mut idle = self.idle.lock().expect("not poisoned");
        let at = idle.iter().rposition(|e| e.lang() == lang)?;
        idle.remove(at)
    }

    fn give_back(&self, engines: Vec<Engine>) {
        let mut dropped = Vec::new();
        {
            let mut idle = self.idle.lock().expect("not poisoned");
            for engine in engines {
                let same = idle.iter().filter(|e| e.lang() == engine.lang()).count();
                if same >= self.keep {
                    let oldest = idle.iter().position(|e| e.lang() == engine.lang());
                    dropped.extend(oldest.and_then(|at| idle.remove(at)));
                }
                idle.push_back(engine);
            }
        }
        // Freed outside the lock: a model's memory takes a while to release.
        drop(dropped);
    }

    fn load(&self, lang: &str, psm: u32) -> workers::Result<Engine> {
        let engine = Engine::new(&self.tessdata, lang, psm)?;
        self.loaded.fetch_add(1, Ordering::Relaxed);
        Ok(engine)
    }
}

impl Engines for PageEngines<'_> {
    fn get(&mut self, lang: &str, psm: u32) -> workers::Result<&Engine> {
        let at = match self.taken.iter().position(|e| e.lang() == lang) {
            Some(at) => at,
            None => {
                let engine = match self.pool.take(lang) {
                    Some(e) => e,
                    None => self.pool.load(lang, psm)?,
                };
                self.taken.push(engine);
                self.taken.len() - 1
            }
        };
        let engine = &self.taken[at];
        engine.set_psm(psm)?;
        Ok(engine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(keep: usize) -> EnginePool {
        let tessdata = workers::ocr::find_tessdata().expect("tesseract-ocr is installed");
        EnginePool::new(&tessdata, keep)
    }

    fn use_langs(pool: &EnginePool, langs: &[&str]) {
        pool.with_engines(|e| {
            for lang in langs {
                assert_eq!(e.get(lang, 6)?.lang(), *lang);
            }
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_page_reuses_the_engines_pages_before_it_gave_back() {
        let pool = pool(2);
        use_langs(&pool, &["vie", "eng"]);
        use_langs(&pool, &["eng", "vie", "vie"]);
        assert_eq!(pool.loaded(), 2);
    }

    #[test]
    fn idle_engines_beyond_the_limit_of_a_language_are_dropped() {
        let pool = pool(1);
        use_langs(&pool, &["vie"]);
        use_langs(&pool, &["eng"]);
        // One idle engine of each language is kept.
        use_langs(&pool, &["vie", "eng"]);
        assert_eq!(pool.loaded(), 2);
        // Two pages at once need two vie engines; one is dropped after.
        pool.with_engines(|a| {
            a.get("vie", 6)?;
            pool.with_engines(|b| b.get("vie", 6).map(|_| ()))
        })
        .unwrap();
        assert_eq!(pool.loaded(), 3);
        assert_eq!(pool.idle.lock().unwrap().len(), 2);
    }

    #[test]
    fn pages_in_flight_at_once_each_have_their_own_engine() {
        let pool = pool(2);
        pool.with_engines(|a| {
            let first = a.get("eng", 6)? as *const Engine;
            pool.with_engines(|b| {
                assert_ne!(b.get("eng", 6)? as *const Engine, first);
                Ok(())
            })
        })
        .unwrap();
        assert_eq!(pool.loaded(), 2);
        assert_eq!(pool.idle.lock().unwrap().len(), 2);
    }
}
