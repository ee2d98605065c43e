//! A bound on the pixels of the pages being processed at once, so that peak
//! memory depends on the setting and not on which pages happen to meet.
//!
//! With `--jobs 8`, eight pages are in flight; which eight depends on the
//! batch. A page costs about 11 bytes a pixel while it is prepared and
//! read (its gray and colour rasters, their cleaned and turned copies,
//! Tesseract's own), so eight 400-dpi pages take four times what eight
//! 200-dpi pages do. Peak RSS therefore grew with the batch, only because
//! a longer batch has more chances of putting its largest pages together
//! (README, Benchmarks). A page now waits, before it is decoded, until the
//! pages in flight leave room for its pixels.

use std::sync::{Condvar, Mutex};

/// Pixels in flight a CPU core, when `run.pixels_in_flight` is 0: two A4
/// pages at 600 dpi (35 million each), enough to keep the core busy, since
/// a core works on one page at a time and the others only wait in memory.
pub const PER_CORE: u64 = 40_000_000;

/// The budget `run.pixels_in_flight` sets: `setting`, or [`PER_CORE`]
/// times the cores when it is 0.
pub fn limit(setting: u64, cores: usize) -> u64 {
    match setting {
        0 => PER_CORE.saturating_mul(cores.max(1) as u64),
        n => n,
    }
}

/// Pixels in flight, bounded by a limit; see the module's comment.
pub struct PixelBudget {
    limit: u64,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Default)]
struct State {
    used: u64,
    /// The most pixels ever in flight at once.
    peak: u64,
}

/// Pixels held for one page; given back when dropped.
#[must_use = "the pixels are given back as soon as this is dropped"]
pub struct Held<'a> {
    budget: &'a PixelBudget,
    pixels: u64,
}

impl PixelBudget {
    /// A budget of `limit` pixels.
    pub fn new(limit: u64) -> PixelBudget {
        PixelBudget {
            limit,
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        }
    }

    /// Holds `pixels`, first waiting until the pages in flight leave room
    /// for them. A page larger than the whole budget goes when nothing else
    /// is in flight, so that it goes at all: no page waits for ever, since
    /// every holder is a page being processed, and none waits for another
    /// (pages never wait on rayon tasks while they hold pixels).
    pub fn hold(&self, pixels: u64) -> Held<'_> {
        let state = self.state.lock().expect("not poisoned");
        let mut state = self
            .freed
            .wait_while(state, |s| {
                s.used > 0 && s.used.saturating_add(pixels) > self.limit
            })
            .expect("not poisoned");
        state.used += pixels;
        state.peak = state.peak.max(state.used);
        Held {
            budget: self,
            pixels,
        }
    }

    /// The most pixels that were in flight at once.
    pub fn peak(&self) -> u64 {
        self.state.lock().expect("not poisoned").peak
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut state = self.budget.state.lock().expect("not poisoned");
        state.used -= self.pixels;
        drop(state);
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Whether a second holder of `second` pixels gets them while a first
    /// holds `first`, within a second.
    fn goes_alongside(limit: u64, first: u64, second: u64) -> bool {
        let budget = PixelBudget::new(limit);
        let held = budget.hold(first);
        let (tx, rx) = mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                let _second = budget.hold(second);
                tx.send(()).unwrap();
            });
            let went = rx.recv_timeout(Duration::from_secs(1)).is_ok();
            drop(held);
            // Once the first is given back, the second goes in any case.
            if !went {
                rx.recv_timeout(Duration::from_secs(5)).unwrap();
            }
            went
        })
    }

    #[test]
    fn pages_that_fit_together_go_together() {
        assert!(goes_alongside(100, 60, 40));
    }

    #[test]
    fn a_page_that_does_not_fit_waits_for_the_other_to_end() {
        assert!(!goes_alongside(100, 60, 41));
    }

    #[test]
    fn at_the_limit_nothing_waits() {
        assert!(goes_alongside(u64::MAX, u64::MAX / 4, u64::MAX / 4));
    }

    #[test]
    fn a_page_larger_than_the_budget_goes_alone() {
        let budget = PixelBudget::new(100);
        drop(budget.hold(500));
        assert_eq!(budget.peak(), 500);
        assert!(!goes_alongside(100, 500, 1));
    }

    #[test]
    fn the_default_budget_is_per_core() {
        assert_eq!(limit(0, 2), 80_000_000);
        assert_eq!(limit(0, 8), 320_000_000);
        assert_eq!(limit(5, 8), 5);
    }

    #[test]
    fn the_peak_is_the_most_held_at_once() {
        let budget = PixelBudget::new(100);
        let a = budget.hold(30);
        let b = budget.hold(70);
        drop((a, b));
        let _c = budget.hold(100);
        assert_eq!(budget.peak(), 100);
    }
}
