//! Work spread over all cores with results that do not depend on how it was
//! spread: the same items give the same output, in the same order, and the
//! same first error, on one core or on many.
//!
//! The work runs on rayon's pool, the one pool of the process: work started
//! from inside another item (a page whose rendering writes a file of cards)
//! is shared among the same threads by work stealing, rather than starting
//! threads of its own.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

/// The fewest items one task of the pool takes. Large enough that handing
/// out a task costs nothing next to rendering its items, small enough that
/// the cores finish close together when the items' costs differ (an
/// institution's page lists all its people; a person's page is short).
const BLOCK: usize = 32;

/// `f` applied to every item, in the items' order, on the current rayon
/// pool. When an item fails, items after it are not started, and the error
/// returned is that of the first item that fails, as a single thread would
/// return it. A panic in `f` is passed on to the caller once the items
/// being worked on are done. A single block of items runs on the calling
/// thread alone: handing it to the pool (and starting the pool's threads,
/// the first time) would cost more than it saves.
pub(crate) fn try_map<T, R, E>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, E> + Sync,
) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
{
    try_map_blocks(items, BLOCK, f)
}

/// [`try_map`] for items each of which is much work (a photo to resize and
/// encode in several sizes): every item is a task of its own, so that two
/// photos use two cores.
pub(crate) fn try_map_each<T, R, E>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, E> + Sync,
) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
{
    try_map_blocks(items, 1, f)
}

/// [`try_map`] for work done a block of items at a time (images drawn
/// together and timed once, where reading a clock per item would cost more
/// than drawing): `f` gets each run of up to `BLOCK` consecutive items, and
/// gives their results in order. Each block is a task of the pool; the
/// results, and the first error, are as `try_map`'s.
pub(crate) fn try_map_in_blocks<T, R, E>(
    items: &[T],
    f: impl Fn(&[T]) -> Result<Vec<R>, E> + Sync,
) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
{
    let blocks: Vec<&[T]> = items.chunks(BLOCK).collect();
    let done = try_map_blocks(&blocks, 1, |block| f(block))?;
    Ok(done.into_iter().flatten().collect())
}

fn try_map_blocks<T, R, E>(
    items: &[T],
    block: usize,
    f: impl Fn(&T) -> Result<R, E> + Sync,
) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
{
    if items.len() <= block {
        return items.iter().map(f).collect();
    }
    // The position of the first item known to have failed: every item
    // after it may be skipped, as its result would be thrown away.
    let failed = AtomicUsize::new(usize::MAX);
    let outcomes: Vec<Option<Result<R, E>>> = items
        .par_iter()
        .with_min_len(block)
        .enumerate()
        .map(|(i, item)| {
            if i > failed.load(Ordering::Relaxed) {
                return None;
            }
            let outcome = f(item);
            if outcome.is_err() {
                failed.fetch_min(i, Ordering::Relaxed);
            }
            Some(outcome)
        })
        .collect();
    let mut out = Vec::with_capacity(items.len());
    // Only items after a failed one are skipped, so going in order the
    // first failure comes before any skipped item.
    for outcome in outcomes {
        match outcome {
            Some(Ok(result)) => out.push(result),
            Some(Err(e)) => return Err(e),
            None => unreachable!("an item is skipped only after an earlier one failed"),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `work` on a pool of its own with `threads` threads.
    fn on<R: Send>(threads: usize, work: impl FnOnce() -> R + Send) -> R {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(work)
    }

    #[test]
    fn results_keep_the_items_order_on_any_number_of_threads() {
        let items: Vec<u32> = (0..1000).collect();
        for threads in [1, 2, 3, 8] {
            let out: Result<Vec<u32>, ()> = on(threads, || try_map(&items, |i| Ok(i * 2)));
            assert_eq!(
                out.unwrap(),
                items.iter().map(|i| i * 2).collect::<Vec<_>>()
            );
        }
        let none: Result<Vec<u32>, ()> = try_map(&[], |i: &u32| Ok(*i));
        assert_eq!(none.unwrap(), Vec::<u32>::new());
    }

    #[test]
    fn blocks_are_consecutive_runs_and_their_results_keep_the_order() {
        let items: Vec<u32> = (0..1000).collect();
        for threads in [1, 2, 8] {
            let out: Result<Vec<(u32, usize)>, ()> = on(threads, || {
                try_map_in_blocks(&items, |block| {
                    assert!((1..=BLOCK).contains(&block.len()));
                    assert!(block.windows(2).all(|w| w[1] == w[0] + 1));
                    Ok(block.iter().map(|i| (*i, block.len())).collect())
                })
            });
            let out = out.unwrap();
            assert_eq!(out.iter().map(|(i, _)| *i).collect::<Vec<_>>(), items);
            // Every block is full but the last.
            assert!(out[..992].iter().all(|(_, len)| *len == BLOCK));
            assert_eq!(out[999].1, 1000 % BLOCK);
        }
        let failed: Result<Vec<u32>, u32> = on(2, || {
            try_map_in_blocks(&items, |block| {
                match block.iter().find(|i| **i % 300 == 299) {
                    Some(i) => Err(*i),
                    None => Ok(block.to_vec()),
                }
            })
        });
        assert_eq!(failed, Err(299));
    }

    #[test]
    fn the_first_failing_item_is_reported() {
        let items: Vec<u32> = (0..5000).collect();
        for threads in [1, 2, 4] {
            // Later items fail quickly, earlier ones slowly, so that a
            // later failure is usually met first.
            let out = on(threads, || {
                try_map(&items, |&i| {
                    if i == 4000 || i == 1234 {
                        if i == 1234 {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                        }
                        Err(i)
                    } else {
                        Ok(i)
                    }
                })
            });
            assert_eq!(out, Err(1234), "{threads} threads");
        }
    }

    #[test]
    fn a_panicking_worker_is_passed_on() {
        let items: Vec<u32> = (0..1000).collect();
        let caught = std::panic::catch_unwind(|| {
            on(2, || {
                let _ = try_map(&items, |&i| -> Result<u32, ()> {
                    assert!(i != 700, "item {i} is bad");
                    Ok(i)
                });
            })
        });
        let panic = caught.expect_err("the worker's panic reaches the caller");
        assert_eq!(panic.downcast_ref::<String>().unwrap(), "item 700 is bad");
    }

    #[test]
    fn work_inside_an_item_shares_the_pool() {
        // Each item maps a list of its own, as a page renders its cards:
        // every thread that ran any of it is one of the pool's two.
        let items: Vec<u32> = (0..200).collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let seen = std::sync::Mutex::new(std::collections::HashSet::new());
        let note = || {
            seen.lock()
                .unwrap()
                .insert(rayon::current_thread_index().map(|_| std::thread::current().id()))
        };
        let out: Result<Vec<u32>, ()> = pool.install(|| {
            try_map(&items, |&i| {
                note();
                let inner: Vec<u32> = (0..100).collect();
                let sums = try_map(&inner, |&j| {
                    note();
                    Ok::<u32, ()>(i + j)
                })?;
                Ok(sums.iter().sum())
            })
        });
        assert_eq!(out.unwrap()[1], (0..100).map(|j| 1 + j).sum::<u32>());
        let seen = seen.into_inner().unwrap();
        assert!(
            !seen.contains(&None),
            "all the work ran on the pool's threads"
        );
        assert!(seen.len() <= 2, "{} threads did the work", seen.len());
    }
}
