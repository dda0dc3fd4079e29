//! Many texts across threads, results in input order: the rules the CLI's `analyze --input` and the Python
//! package's many-text calls share (natively; the JS API has one thread, and runs [`Collection::add_rows`] or
//! [`Analyzer::analyze_each`] in its own loop).
//!
//! [`Collection::add_rows`]: crate::Collection::add_rows
//! [`Analyzer::analyze_each`]: crate::Analyzer::analyze_each

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, mpsc};

use crate::{Analyzer, BackendKind};

/// The threads a many-text call runs on: `asked`, or by default one per core, and one where the backend is the
/// GPU, which batches by itself.
pub fn threads(analyzer: &Analyzer, asked: Option<usize>) -> usize {
    match asked {
        Some(threads) => threads.max(1),
        None if analyzer.backend().kind() == BackendKind::Gpu => 1,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    }
}

/// Runs `work` over `items` in parts of up to `batch` items on `threads` threads (at least one), and hands each
/// part with its result to `done` in input order, on this thread. A thread takes the next part as soon as it has
/// finished one, so a thread that the host slows down holds up no other; meanwhile this thread reads parts ahead and
/// hands over the finished ones (a file's parsing and the printing of results overlap the model's work). At most
/// two parts per thread are read ahead of the last one handed over, so memory stays bounded whatever the input's
/// size. What a part's result carries depends on that part alone, and `done` sees the parts in order, so whatever
/// `done` gathers does not depend on timing or on the number of threads. `done`'s first error stops the run (the
/// parts in the threads' hands are finished and dropped) and is returned; a panic of `work` goes on on this thread.
pub fn in_parts<T, R, E>(
    items: impl IntoIterator<Item = T>,
    threads: usize,
    batch: usize,
    work: impl Fn(&[T]) -> R + Sync,
    mut done: impl FnMut(&[T], R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send,
    R: Send,
{
    assert!(threads > 0 && batch > 0, "in_parts needs a thread and a batch of at least 1");
    let ahead = 2 * threads;
    let mut items = items.into_iter();
    let (parts_in, parts) = mpsc::sync_channel::<(usize, Vec<T>)>(ahead);
    let parts = Mutex::new(parts);
    let (results_in, results) = mpsc::channel::<(usize, Vec<T>, std::thread::Result<R>)>();
    std::thread::scope(|scope| {
        // Moved into the scope's closure, so that however it ends, the parts' sender is dropped before the scope
        // joins the threads (each thread's `recv` then returns), and the results' receiver too (a thread then
        // stops at its next result instead of working through the parts read ahead).
        let (parts_in, results) = (parts_in, results);
        for _ in 0..threads {
            let (parts, results_in, work) = (&parts, results_in.clone(), &work);
            scope.spawn(move || {
                while let Ok((index, part)) = next_part(parts) {
                    let result = panic::catch_unwind(AssertUnwindSafe(|| work(&part)));
                    if results_in.send((index, part, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(results_in);
        let (mut read, mut handed, mut finished) = (0, 0, BTreeMap::new());
        let mut more = true;
        loop {
            while more && read - handed < ahead {
                let part: Vec<T> = items.by_ref().take(batch).collect();
                more = !part.is_empty() && parts_in.send((read, part)).is_ok();
                read += usize::from(more);
            }
            if handed == read {
                return Ok(());
            }
            // Every thread lives while `parts_in` does and catches its work's panics: a result comes.
            let Ok((index, part, result)) = results.recv() else { unreachable!("the threads outlive their parts") };
            finished.insert(index, (part, result.unwrap_or_else(|panic| panic::resume_unwind(panic))));
            while let Some((part, result)) = finished.remove(&handed) {
                done(&part, result)?;
                handed += 1;
            }
        }
    })
}

/// The next part for a thread to work on, `Err` when there are no more.
fn next_part<T>(parts: &Mutex<mpsc::Receiver<T>>) -> Result<T, mpsc::RecvError> {
    // No thread panics while it holds the lock (`recv` does not panic), so a poisoned lock would still be sound.
    parts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[test]
    fn parts_are_handed_over_in_input_order_whatever_the_threads_take() {
        for threads in 1..=4 {
            let mut seen = Vec::new();
            // Every third part sleeps, so that parts finish out of order.
            let result: Result<(), ()> = in_parts(
                0..23,
                threads,
                2,
                |part: &[i32]| {
                    if part[0] % 3 == 0 {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    part.iter().map(|x| x * 10).collect::<Vec<_>>()
                },
                |part, results| {
                    assert!(part.len() == 2 || part == [22], "{part:?}");
                    assert_eq!(results, part.iter().map(|x| x * 10).collect::<Vec<_>>());
                    seen.extend_from_slice(part);
                    Ok(())
                },
            );
            assert_eq!(result, Ok(()));
            assert_eq!(seen, (0..23).collect::<Vec<_>>(), "{threads} threads");
        }
        // No items: no part.
        let result: Result<(), ()> = in_parts(0..0, 2, 4, |part: &[i32]| part.len(), |_, _| panic!("a part"));
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn no_more_than_two_parts_per_thread_are_read_ahead() {
        let (read, handed) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let items = (0..100).inspect(|_| {
            read.fetch_add(1, Ordering::SeqCst);
        });
        let result: Result<(), ()> = in_parts(
            items,
            3,
            4,
            |part: &[i32]| part.len(),
            |_, len| {
                let handed = handed.fetch_add(len, Ordering::SeqCst) + len;
                // The items of the parts read ahead, and at most one more taken from the iterator.
                assert!(read.load(Ordering::SeqCst) <= handed + 2 * 3 * 4 + 1);
                Ok(())
            },
        );
        assert_eq!((result, handed.into_inner()), (Ok(()), 100));
    }

    #[test]
    fn the_first_error_of_done_stops_the_run() {
        let (mut calls, worked) = (0, AtomicUsize::new(0));
        let stopped = in_parts(
            0..1000,
            2,
            1,
            |_: &[i32]| worked.fetch_add(1, Ordering::SeqCst),
            |_, _| {
                calls += 1;
                Err("stop")
            },
        );
        assert_eq!((stopped, calls), (Err("stop"), 1));
        // The parts read ahead, at most, were worked: not the whole input.
        assert!(worked.into_inner() <= 2 * 2 + 2);
    }

    #[test]
    #[should_panic(expected = "part 7")]
    fn a_panic_in_work_goes_on_in_the_caller() {
        let _: Result<(), ()> =
            in_parts(0..20, 2, 1, |part: &[i32]| assert!(part[0] != 7, "part {}", part[0]), |_, _| Ok(()));
    }
}
