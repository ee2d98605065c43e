//! How the batch's work is handed to rayon's threads: one item at a time,
//! in the list's order.

use rayon::iter::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};
use std::sync::Mutex;

/// `work` done on every item of `items` in parallel, each item a task of
/// its own that the next idle thread takes, in the items' order; the
/// results come back in that order too.
///
/// Rayon's default splits a list into about as many runs as there are
/// threads (more only when a thread steals), and a thread goes through its
/// run in order: nobody can take the rest of a run that has begun. With one
/// page of very different cost per document, one thread was left with a
/// run of 12 documents (the last 23 s) while the other had nothing to do: on the
/// 57-page mix, `--jobs 2` kept 1.73 cores busy (92.6 s wall for 160.5 s of
/// CPU); one task a document kept 1.97 (84.2 s for 165.7 s).
///
/// Split down to one item a task, rayon still halved the list: a thread
/// that stole began in the middle, and what was left at the end was
/// whichever item the halving put last. On the 54-page mix one 1.5-s page
/// ran alone for the last 1.5 s of 29. So the tasks are still rayon's, one
/// an item, but each task takes the next item of the list when it begins:
/// the items left at the end are the list's last, and no thread waits
/// while another has more than one item to go. A task costs microseconds;
/// a page, a tenth of a second or more.
///
/// Measured for memory with `bench.py --flat`: the batch's documents
/// repeated in cycles, so that each has the same neighbours. Taken in
/// turn, neighbours in the list run together: in a batch of ten
/// hard-linked copies side by side, each document runs beside its own copy,
/// the heaviest too (peak RSS 1.14-1.2× the single batch, both with this and with
/// rayon's `par_bridge`, which a stop before was reverted for); in cycles,
/// 54 -> 540 pages, it is 1.06×.
pub fn each<T, R>(items: impl IntoIterator<Item = T>, work: impl Fn(T) -> R + Sync + Send) -> Vec<R>
where
    T: Send,
    R: Send,
{
    let items: Vec<T> = items.into_iter().collect();
    let count = items.len();
    let queue = Mutex::new(items.into_iter().enumerate());
    let mut done: Vec<(usize, R)> = (0..count)
        .into_par_iter()
        .with_max_len(1)
        .map(|_| {
            // Only `next` runs under the lock, and it cannot panic, so the
            // lock is never poisoned; there is an item for every task.
            let (i, item) = queue
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .next()
                .expect("one item for every task");
            (i, work(item))
        })
        .collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Condvar;
    use std::time::Duration;

    /// How the items are handed out: by [`each`], or by rayon over an
    /// indexed list, split as it likes or down to one item a task.
    #[derive(Clone, Copy)]
    enum Handout {
        Each,
        RayonDefault,
        RayonOneEach,
    }

    /// On two threads, the first of 64 items waits for the 63 others to be
    /// done: whether it could (only if the other thread may take every one
    /// of them), and the order the others were begun in. The wait gives up
    /// after five seconds rather than hang.
    fn while_the_first_runs(handout: Handout) -> (bool, Vec<usize>) {
        let begun = Mutex::new(Vec::new());
        let changed = Condvar::new();
        let work = |item: usize| {
            let mut begun = begun.lock().unwrap();
            if item == 0 {
                let (_begun, wait) = changed
                    .wait_timeout_while(begun, Duration::from_secs(5), |b| b.len() < 63)
                    .unwrap();
                return !wait.timed_out();
            }
            begun.push(item);
            changed.notify_all();
            true
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let items: Vec<usize> = (0..64).collect();
        let results: Vec<bool> = pool.install(|| match handout {
            Handout::Each => each(items, work),
            Handout::RayonDefault => items.into_par_iter().map(work).collect(),
            Handout::RayonOneEach => items.into_par_iter().with_max_len(1).map(work).collect(),
        });
        assert_eq!(results.len(), 64, "a result for every item");
        (results[0], begun.into_inner().unwrap())
    }

    /// A long page does not hold up the documents after it in the list:
    /// the other thread takes them all.
    #[test]
    fn a_long_item_does_not_hold_up_those_after_it() {
        assert!(while_the_first_runs(Handout::Each).0);
    }

    /// Rayon's default splitting leaves the items after the long one to
    /// its thread: proof that the test above can fail.
    #[test]
    fn default_splitting_holds_up_the_items_after_a_long_one() {
        assert!(!while_the_first_runs(Handout::RayonDefault).0);
    }

    /// The other thread takes the items in the list's order, so that what
    /// is left at the end of a run is the end of the list.
    #[test]
    fn items_are_taken_in_turn() {
        let (_, begun) = while_the_first_runs(Handout::Each);
        assert_eq!(begun, (1..64).collect::<Vec<_>>());
    }

    /// Rayon split down to one item a task still begins in the middle of
    /// the list: proof that the test above can fail.
    #[test]
    fn one_task_each_still_begins_in_the_middle() {
        let (done, begun) = while_the_first_runs(Handout::RayonOneEach);
        assert!(done);
        assert_ne!(begun, (1..64).collect::<Vec<_>>());
    }

    /// Results come back in the items' order whatever order they were
    /// done in.
    #[test]
    fn results_keep_the_items_order() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let out = pool.install(|| {
            each(0..200u64, |i| {
                std::thread::sleep(Duration::from_micros((200 - i) * 10));
                i * i
            })
        });
        assert_eq!(out, (0..200u64).map(|i| i * i).collect::<Vec<_>>());
    }
}
