//! Work spread over all cores with results that do not depend on how it was
//! spread: the same items give the same output, in the same order, and the
//! same first error, on one core or on many.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Items handed to a worker at a time. Large enough that taking the next
/// block costs nothing next to rendering it, small enough that the cores
/// finish within a block of each other when the items' costs differ (an
/// institution's page lists all its people; a person's page is short).
const BLOCK: usize = 32;

/// What a block of items gave: all its results, or its first error.
type Outcome<R, E> = Result<Vec<R>, E>;

/// `f` applied to every item, in the items' order, on up to `threads`
/// threads. Workers take blocks of items in order; when an item fails, no
/// new block is started, and the error returned is that of the first item
/// that fails, as a single thread would return it. A worker's panic is
/// passed on to the caller. Fewer than two blocks of items run on the
/// calling thread alone: starting threads would cost more than they save.
pub fn try_map<T, R, E>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> Result<R, E> + Sync,
) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
{
    let blocks = items.len().div_ceil(BLOCK);
    let threads = threads.min(blocks);
    if threads < 2 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // Each block's outcome, by block number; filled as workers finish them.
    let done: Mutex<Vec<Option<Outcome<R, E>>>> =
        Mutex::new(std::iter::repeat_with(|| None).take(blocks).collect());
    std::thread::scope(|scope| {
        let work = || {
            while !failed.load(Ordering::Relaxed) {
                let block = next.fetch_add(1, Ordering::Relaxed);
                let start = block * BLOCK;
                if start >= items.len() {
                    break;
                }
                let chunk = &items[start..items.len().min(start + BLOCK)];
                let outcome: Outcome<R, E> = chunk.iter().map(&f).collect();
                if outcome.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                done.lock().unwrap_or_else(|e| e.into_inner())[block] = Some(outcome);
            }
        };
        let workers: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        for worker in workers {
            // A worker that panicked would leave items out; its panic goes
            // on to the caller instead of a result with holes in it.
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    let mut out = Vec::with_capacity(items.len());
    // Blocks are taken in order and a started block is always finished, so
    // every block before a failed one is done: the first failure found
    // here is the first item's failure, whichever worker met it.
    for outcome in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
        match outcome {
            Some(Ok(results)) => out.extend(results),
            Some(Err(e)) => return Err(e),
            None => unreachable!("a block is skipped only after an earlier one failed"),
        }
    }
    Ok(out)
}

/// How many threads to use: one per core the process may run on.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_on_any_number_of_threads() {
        let items: Vec<u32> = (0..1000).collect();
        for threads in [1, 2, 3, 8] {
            let out: Result<Vec<u32>, ()> = try_map(&items, threads, |i| Ok(i * 2));
            assert_eq!(
                out.unwrap(),
                items.iter().map(|i| i * 2).collect::<Vec<_>>()
            );
        }
        let none: Result<Vec<u32>, ()> = try_map(&[], 4, |i: &u32| Ok(*i));
        assert_eq!(none.unwrap(), Vec::<u32>::new());
    }

    #[test]
    fn the_first_failing_item_is_reported() {
        let items: Vec<u32> = (0..5000).collect();
        for threads in [1, 2, 4] {
            // Later items fail quickly, earlier ones slowly, so that a
            // later failure is usually met first.
            let out = try_map(&items, threads, |&i| {
                if i == 4000 || i == 1234 {
                    if i == 1234 {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    Err(i)
                } else {
                    Ok(i)
                }
            });
            assert_eq!(out, Err(1234), "{threads} threads");
        }
    }

    #[test]
    fn a_panicking_worker_is_passed_on() {
        let items: Vec<u32> = (0..1000).collect();
        let caught = std::panic::catch_unwind(|| {
            let _ = try_map(&items, 2, |&i| -> Result<u32, ()> {
                assert!(i != 700, "item {i} is bad");
                Ok(i)
            });
        });
        let panic = caught.expect_err("the worker's panic reaches the caller");
        assert_eq!(panic.downcast_ref::<String>().unwrap(), "item 700 is bad");
    }
}
