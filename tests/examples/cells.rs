//! The SIMD kernel's recurrent step for each cell, side by side in one run: an LSTM and a GRU of each
//! convention, random weights of the same hidden size, batches of 1, 16 and 64 texts. GFLOP/s counts two flops
//! per recurrent weight and step (`2 · gates · H · H`), so equal rates mean equal time per weight; the GRU's
//! ratio to the LSTM is printed beside. Natively (SSE on x86-64), the same source as the wasm simd128 build.
//!
//!     cargo run --release -p sentir-tests --example cells --features sentir/bench [-- --budget-ms 300]
//!
//! The best of the timed calls counts: the machine is shared and noisy.

use std::time::{Duration, Instant};

use sentir::model::Cell;
use sentir::recurrent::simd::{Packed, recurrence_only};
use sentir_tests::random::{CELLS, random_model_of};

const STEPS: usize = 32;

fn best_seconds(budget: Duration, mut call: impl FnMut() -> f32) -> f64 {
    let mut sink = call(); // warm up
    let (started, mut best, mut calls) = (Instant::now(), f64::INFINITY, 0);
    while calls < 5 || started.elapsed() < budget {
        let t = Instant::now();
        sink += call();
        best = best.min(t.elapsed().as_secs_f64());
        calls += 1;
    }
    assert!(sink.is_finite(), "the recurrence stays finite");
    best
}

fn name(cell: Cell) -> &'static str {
    match cell {
        Cell::Lstm => "LSTM",
        Cell::Gru(sentir::model::Reset::After) => "GRU, reset after",
        Cell::Gru(sentir::model::Reset::Before) => "GRU, reset before",
    }
}

fn main() {
    let budget_ms = std::env::args()
        .skip_while(|arg| arg != "--budget-ms")
        .nth(1)
        .map_or(300, |ms| ms.parse().expect("--budget-ms takes a number"));
    let budget = Duration::from_millis(budget_ms);
    println!("| H | batch | cell | GFLOP/s | time per weight ÷ LSTM's |");
    println!("|---:|---:|---|---:|---:|");
    for hidden in [64, 128, 148, 256] {
        for batch in [1, 16, 64] {
            let mut lstm = 0.0;
            for cell in CELLS {
                let model = random_model_of(cell, 7, 50, 50, hidden, 1);
                let packed = Packed::new(&model);
                let seconds = best_seconds(budget, || recurrence_only(&packed, batch, STEPS));
                let gflops = (2 * cell.gates() * hidden * hidden * batch * STEPS) as f64 / seconds / 1e9;
                if cell == Cell::Lstm {
                    lstm = gflops;
                }
                println!("| {hidden} | {batch} | {} | {gflops:.2} | {:.2} |", name(cell), lstm / gflops);
            }
        }
    }
}
