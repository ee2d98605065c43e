//! The run's Tesseract engines, shared by its worker threads.
//!
//! A page leases the engines it needs from the [`EnginePool`] and gives them
//! back when it is done, so an engine for a language serves whichever
//! thread reads that language next. Each thread used to keep its own
//! engine for every language it had met: with `--jobs 8` and four language
//! strings (vie, khm, vie+khm, khm+vie), a long batch brought every
//! language to every thread, and peak memory grew with the batch until it
//! held threads × languages engines (README, Benchmarks: memory).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use workers::ocr::Engine;
use workers::page::Engines;

/// Engines not in use, kept for the next page that needs their language.
pub struct EnginePool {
    tessdata: PathBuf,
    /// Idle engines, the longest idle first.
    idle: Mutex<Vec<Engine>>,
    /// At most this many engines are kept idle; past it the longest idle is
    /// dropped (re-creating one costs about 0.1 s of CPU, a page about 1 s).
    /// Default: the number of worker threads, set by the scheduler.
    max_idle: AtomicUsize,
}

impl EnginePool {
    pub fn new(tessdata: impl Into<PathBuf>) -> EnginePool {
        EnginePool {
            tessdata: tessdata.into(),
            idle: Mutex::new(Vec::new()),
            max_idle: AtomicUsize::new(usize::MAX),
        }
    }

    /// Keeps at most `n` (at least 1) engines idle from now on.
    pub fn keep_idle(&self, n: usize) {
        self.max_idle.store(n.max(1), Ordering::Relaxed);
    }

    /// Engines for one page: each language's engine is taken from the pool
    /// or created on first use, and all go back when the lease is dropped.
    pub fn lease(&self) -> Lease<'_> {
        Lease {
            pool: self,
            held: HashMap::new(),
        }
    }

    /// Engines idle now, by language, sorted.
    #[cfg(test)]
    fn idle_languages(&self) -> Vec<String> {
        let mut langs: Vec<String> = self
            .lock()
            .iter()
            .map(|e| e.lang().to_string())
            .collect();
        langs.sort();
        langs
    }

    fn take(&self, lang: &str) -> Option<Engine> {
        let mut idle = self.lock();
        // The most recently returned, whose memory is likeliest still warm.
        let i = idle.iter().rposition(|e| e.lang() == lang)?;
        Some(idle.remove(i))
    }

    fn give_back(&self, engines: impl IntoIterator<Item = Engine>) {
        let dropped: Vec<Engine> = {
            let mut idle = self.lock();
            idle.extend(engines);
            let max = self.max_idle.load(Ordering::Relaxed);
            let excess = idle.len().saturating_sub(max);
            idle.drain(..excess).collect()
        };
        // Dropped outside the lock: freeing a model takes a while.
        drop(dropped);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Engine>> {
        // An engine is never left half-changed under the lock, so a panic
        // elsewhere does not make the idle list unusable.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The engines one page holds; see [`EnginePool::lease`].
pub struct Lease<'a> {
    pool: &'a EnginePool,
    held: HashMap<String, Engine>,
}

impl Engines for Lease<'_> {
    fn get(&mut self, lang: &str, psm: u32) -> workers::Result<&Engine> {
        if !self.held.contains_key(lang) {
            let engine = match self.pool.take(lang) {
                Some(e) => e,
                None => Engine::new(&self.pool.tessdata, lang, psm)?,
            };
            self.held.insert(lang.to_string(), engine);
        }
        let engine = &self.held[lang];
        engine.set_psm(psm)?;
        Ok(engine)
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        self.pool.give_back(self.held.drain().map(|(_, e)| e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> EnginePool {
        EnginePool::new(workers::ocr::find_tessdata().expect("tessdata installed"))
    }

    #[test]
    fn an_engine_given_back_serves_the_next_page() {
        let pool = pool();
        pool.lease().get("vie", 6).unwrap();
        assert_eq!(pool.idle_languages(), ["vie"]);
        // The next lease takes it rather than loading the model again.
        let mut lease = pool.lease();
        lease.get("vie", 3).unwrap();
        assert!(pool.idle_languages().is_empty());
        drop(lease);
        assert_eq!(pool.idle_languages(), ["vie"]);
    }

    #[test]
    fn no_more_than_max_idle_engines_are_kept_the_longest_idle_go() {
        let pool = pool();
        pool.keep_idle(2);
        for lang in ["vie", "khm", "eng"] {
            pool.lease().get(lang, 6).unwrap();
        }
        assert_eq!(pool.idle_languages(), ["eng", "khm"]);
        // Two pages at once, both reading Vietnamese: two engines, both kept.
        let mut a = pool.lease();
        let mut b = pool.lease();
        a.get("vie", 6).unwrap();
        b.get("vie", 6).unwrap();
        drop(a);
        drop(b);
        assert_eq!(pool.idle_languages(), ["vie", "vie"]);
    }
}
