//! A counting semaphore for work that only computes.
//!
//! More computations at once than the machine has cores gain no speed, and
//! each holds its buffers while it waits for a core. Two are bounded this
//! way: the Khmer network's forward passes, and in the pipeline, the pages
//! being prepared and read.

use std::sync::{Condvar, Mutex};

/// At most `n` closures given to [`Slots::run`] run at once; the others
/// wait their turn.
pub struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Slots {
    /// `n` slots (at least one).
    pub fn new(n: usize) -> Slots {
        Slots {
            free: Mutex::new(n.max(1)),
            freed: Condvar::new(),
        }
    }

    /// One slot per core this process may run on.
    pub fn per_core() -> Slots {
        Slots::new(cores())
    }

    /// Runs `f` in a slot, first waiting while every slot is taken. The
    /// slot is given back when `f` returns or panics.
    ///
    /// `f` must not wait on work that needs a slot of the same `Slots`
    /// (nor on rayon tasks that might), or every slot could be held by a
    /// waiter.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        // The count is valid whatever panicked while it was locked.
        let lock = || self.free.lock().unwrap_or_else(|p| p.into_inner());
        let mut free = lock();
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        drop(free);
        struct Release<'a>(&'a Slots);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
                self.0.freed.notify_one();
            }
        }
        let _release = Release(self);
        f()
    }
}

/// The CPU cores this process may run on (1 when it cannot tell).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_more_run_at_once_than_there_are_slots() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let slots = Slots::new(2);
        let (now, most, done) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        std::thread::scope(|s| {
            for _ in 0..6 {
                s.spawn(|| {
                    slots.run(|| {
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(30));
                        now.fetch_sub(1, Ordering::SeqCst);
                        done.fetch_add(1, Ordering::SeqCst);
                    })
                });
            }
        });
        assert_eq!(done.load(Ordering::SeqCst), 6);
        assert_eq!(most.load(Ordering::SeqCst), 2);
        // A closure that panics gives its slot back.
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            slots.run(|| panic!("bad line"))
        }));
        assert!(r.is_err());
        assert_eq!(*slots.free.lock().unwrap(), 2);
    }
}
