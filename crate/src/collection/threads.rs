//! Many texts across threads, results in input order: the rules the CLI's `analyze --input` and the Python
//! package's many-text calls share (natively; the JS API has one thread, and runs [`Collection::add_rows`] or
//! [`Analyzer::analyze_each`] in its own loop).
//!
//! [`Collection::add_rows`]: crate::Collection::add_rows
//! [`Analyzer::analyze_each`]: crate::Analyzer::analyze_each

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

/// Runs `work` over `items` in waves of up to `batch` items per thread, one thread per state of `states` (at
/// least one), and hands each part's result to `done` in input order, so memory holds three waves whatever the
/// input's size: while the threads work on a wave, this thread hands over the one before and reads the next (a
/// file's parsing and the printing of briefs overlap the model's work). A wave is split evenly over the threads,
/// so that a short one (a small input, the last wave) still uses every thread; the i-th part of every wave goes to
/// `states[i]`, so what the states gather does not depend on timing. `done`'s first error stops the run (the wave
/// in the threads' hands then finishes, and is dropped) and is returned.
pub fn in_waves<T, S, R, E>(
    items: impl IntoIterator<Item = T>,
    states: &mut [S],
    batch: usize,
    work: impl Fn(&mut S, &[T]) -> R + Sync,
    mut done: impl FnMut(&[T], R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Sync,
    S: Send,
    R: Send,
{
    assert!(!states.is_empty() && batch > 0, "in_waves needs a state per thread and a batch of at least 1");
    let (threads, work) = (states.len(), &work);
    let mut items = items.into_iter();
    let mut read = || -> Vec<T> { items.by_ref().take(threads * batch).collect() };
    // Hands a worked wave's parts and their results to `done`, in order.
    let mut hand_over = |(wave, results): (Vec<T>, Vec<R>)| -> Result<(), E> {
        let size = wave.len().div_ceil(threads);
        wave.chunks(size).zip(results).try_for_each(|(part, result)| done(part, result))
    };
    let mut wave = read();
    let mut worked: Option<(Vec<T>, Vec<R>)> = None;
    while !wave.is_empty() {
        let (results, handed, next) = std::thread::scope(|scope| {
            let workers: Vec<_> = wave
                .chunks(wave.len().div_ceil(threads))
                .zip(states.iter_mut())
                .map(|(part, state)| scope.spawn(move || work(state, part)))
                .collect();
            let handed = worked.take().map_or(Ok(()), &mut hand_over);
            let next = if handed.is_ok() { read() } else { Vec::new() };
            let results: Vec<R> = workers
                .into_iter()
                .map(|worker| worker.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect();
            (results, handed, next)
        });
        handed?;
        worked = Some((std::mem::replace(&mut wave, next), results));
    }
    worked.map_or(Ok(()), hand_over)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waves_keep_input_order_and_give_each_thread_its_part_of_every_wave() {
        // 10 items, 3 threads, batches of 2: waves of 6 (parts of 2) and 4 (parts of 2, 2: the last is empty).
        let mut states = vec![Vec::new(); 3];
        let mut seen = Vec::new();
        let result: Result<(), ()> = in_waves(
            0..10,
            &mut states,
            2,
            |state: &mut Vec<i32>, part: &[i32]| {
                state.extend_from_slice(part);
                part.iter().map(|x| x * 10).collect::<Vec<_>>()
            },
            |part, results| {
                assert_eq!(results, part.iter().map(|x| x * 10).collect::<Vec<_>>());
                seen.extend_from_slice(part);
                Ok(())
            },
        );
        assert_eq!(result, Ok(()));
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        assert_eq!(states, vec![vec![0, 1, 6, 7], vec![2, 3, 8, 9], vec![4, 5]]);
        // The first error stops the run.
        let mut calls = 0;
        let stopped = in_waves(
            0..10,
            &mut states,
            1,
            |_, part: &[i32]| part.len(),
            |_, _| {
                calls += 1;
                Err("stop")
            },
        );
        assert_eq!((stopped, calls), (Err("stop"), 1));
    }

    #[test]
    fn the_next_wave_is_read_and_the_last_handed_over_while_a_wave_is_worked() {
        // One thread, batches of 2: waves [0, 1], [2, 3], [4, 5]. While [2, 3] is worked, [0, 1] is handed over
        // and [4, 5] read.
        let log = std::cell::RefCell::new(Vec::new());
        let items = (0..6).inspect(|i| log.borrow_mut().push(format!("read {i}")));
        let result: Result<(), ()> = in_waves(
            items,
            &mut [()],
            2,
            |_, part: &[i32]| part.len(),
            |part, _| {
                log.borrow_mut().push(format!("done {part:?}"));
                Ok(())
            },
        );
        assert_eq!(result, Ok(()));
        let expected =
            ["read 0", "read 1", "read 2", "read 3", "done [0, 1]", "read 4", "read 5", "done [2, 3]", "done [4, 5]"];
        assert_eq!(log.into_inner(), expected);
    }
}
