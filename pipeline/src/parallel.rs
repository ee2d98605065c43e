//! How the batch's work is handed to rayon's threads: one item per task.

use rayon::iter::{IndexedParallelIterator, IntoParallelIterator, MaxLen};

/// `items` as a parallel iterator whose every item is a task of its own,
/// which an idle thread can take.
///
/// Rayon's default splits a list into about as many runs as there are
/// threads (more only when a thread steals), and a thread goes through its
/// run in order: nobody can take the rest of a run that has begun. With one
/// page of very different cost per document, one thread was left with a
/// run of 12 documents (the last 23 s) while the other had nothing to do: on the
/// 57-page mix, `--jobs 2` kept 1.73 cores busy (92.6 s wall for 160.5 s of
/// CPU); one task a document kept 1.97 (84.2 s for 165.7 s). A task costs
/// microseconds; a page, a tenth of a second or more. Results still come
/// back in the items' order.
pub fn each<I>(items: I) -> MaxLen<I::Iter>
where
    I: IntoParallelIterator,
    I::Iter: IndexedParallelIterator,
{
    items.into_par_iter().with_max_len(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    /// Whether, on two threads, the first of 64 items can wait for the 63
    /// others to be done: only if the other thread may take every one of
    /// them, including those that follow the first in its run. The wait
    /// gives up after five seconds rather than hang.
    fn others_done_while_first_runs(one_task_each: bool) -> bool {
        let done = Mutex::new(0usize);
        let changed = Condvar::new();
        let work = |item: usize| {
            let mut count = done.lock().unwrap();
            if item == 0 {
                let (_count, wait) = changed
                    .wait_timeout_while(count, Duration::from_secs(5), |c| *c < 63)
                    .unwrap();
                return !wait.timed_out();
            }
            *count += 1;
            changed.notify_all();
            true
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let items: Vec<usize> = (0..64).collect();
        let results: Vec<bool> = pool.install(|| {
            if one_task_each {
                each(items).map(work).collect()
            } else {
                items.into_par_iter().map(work).collect()
            }
        });
        results[0]
    }

    /// A long page does not hold up the documents after it in the list:
    /// the other thread takes them all.
    #[test]
    fn a_long_item_does_not_hold_up_those_after_it() {
        assert!(others_done_while_first_runs(true));
    }

    /// Rayon's default splitting leaves the items after the long one to
    /// its thread: what [`each`] is for, and proof that the test above can
    /// fail.
    #[test]
    fn default_splitting_holds_up_the_items_after_a_long_one() {
        assert!(!others_done_while_first_runs(false));
    }
}
