//! The forward pass on the GPU, with each recurrence (persistent, per step), against the SIMD kernel, natively:
//! tokens/s and ms per call for batches of 1 to 1024 texts of 32, 128 and 512 tokens (random ids of the shipped
//! model's vocabulary; the forward pass only, reading back the logits as an analysis does, no tokenizing). The GPU
//! is whatever wgpu finds: lavapipe here, a real GPU where there is one.
//!
//!   cargo run --release --example gpu_bench [-- --model DIR --budget-ms MS]
//!
//! Each cell runs for the budget (default 2000 ms; at least one call after a warm-up); a backend whose call
//! takes longer than the budget skips the larger cells of that length.

/// Native only: it reads a model folder and drives wgpu on Vulkan.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    native::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Instant;

    use sentir::Analyzer;
    use sentir::gpu::{Gpu, Recurrence};
    use sentir::model::Model;

    const BATCHES: [usize; 5] = [1, 16, 64, 256, 1024];
    const LENGTHS: [usize; 3] = [32, 128, 512];

    pub(crate) fn main() -> Result<(), Box<dyn std::error::Error>> {
        let args: Vec<String> = std::env::args().collect();
        let option = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
        let model = option("--model").unwrap_or_else(|| "models/default".to_owned());
        let budget_ms: f64 = option("--budget-ms").map_or(Ok(2000.0), |v| v.parse())?;

        let analyzer = Analyzer::from_dir(&model)?;
        let model = analyzer.model();
        let simd = analyzer.backend();
        // Two devices, one per way of dispatching the recurrence.
        let mut per_step = pollster::block_on(Gpu::new(model))?;
        pollster::block_on(per_step.set_recurrence(Recurrence::PerStep))?;
        let mut persistent = pollster::block_on(Gpu::new(model))?;
        // A model too wide for the persistent kernel is measured per step only.
        if let Err(error) = pollster::block_on(persistent.set_recurrence(Recurrence::Persistent)) {
            println!("(no persistent recurrence: {error})");
        }
        println!("GPU: {}; CPU: {} ({})\n", persistent.adapter, simd.kind().name(), simd.reason);

        // The logits only, as an analysis reads them (no states back from the GPU). The GPU runs here without the
        // backend's fallback, so a failure stops the benchmark instead of timing the CPU.
        let mut runs: Vec<(&str, Run<'_>)> = vec![("GPU per step", on_gpu(&per_step, model))];
        if persistent.recurrence() == Recurrence::Persistent {
            runs.insert(0, ("GPU persistent", on_gpu(&persistent, model)));
        }
        runs.push((
            "SIMD",
            Box::new(|ids| {
                pollster::block_on(simd.logits_batch_async(model, ids)).map(drop).map_err(|e| e.to_string())
            }),
        ));
        let header: Vec<String> = runs.iter().map(|(name, _)| format!("{name} ms | {name} tokens/s")).collect();
        println!("| tokens | batch | {} | best GPU ÷ SIMD |", header.join(" | "));
        println!("|---:|---:|{}---:|", "---:|---:|".repeat(runs.len()));

        let vocab = analyzer.config().vocab_size as u64;
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next_id = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % vocab) as u32
        };
        for length in LENGTHS {
            // A run slower than the budget skips the larger batches of this length.
            let mut done = vec![false; runs.len()];
            for batch in BATCHES {
                let texts: Vec<Vec<u32>> = (0..batch).map(|_| (0..length).map(|_| next_id()).collect()).collect();
                let ids: Vec<&[u32]> = texts.iter().map(Vec::as_slice).collect();
                let mut times = Vec::new();
                for ((_, run), done) in runs.iter().zip(&mut done) {
                    let ms = if *done { None } else { Some(time_calls(budget_ms, || run(&ids))?) };
                    *done = ms.is_none_or(|ms| ms > budget_ms);
                    times.push(ms);
                }
                let tokens = (batch * length) as f64;
                let cells: Vec<String> = times
                    .iter()
                    .map(|ms| ms.map_or("— | —".to_owned(), |ms| format!("{ms:.2} | {:.0}", tokens / ms * 1000.0)))
                    .collect();
                let (gpus, cpu) = times.split_at(times.len() - 1);
                let best_gpu = gpus.iter().flatten().copied().reduce(f64::min);
                let ratio = match (best_gpu, cpu[0]) {
                    (Some(g), Some(s)) => format!("{:.2}×", s / g),
                    _ => "—".to_owned(),
                };
                println!("| {length} | {batch} | {} | {ratio} |", cells.join(" | "));
            }
        }
        Ok(())
    }

    /// One timed call: runs the forward pass over a batch.
    type Run<'a> = Box<dyn Fn(&[&[u32]]) -> Result<(), String> + 'a>;

    fn on_gpu<'a>(gpu: &'a Gpu, model: &'a Model) -> Run<'a> {
        Box::new(move |ids| pollster::block_on(gpu.logits_batch(model, ids)).map(drop).map_err(|e| e.to_string()))
    }

    /// The median ms of `call` over as many runs as fit in `budget_ms` (at least one, after one warm-up).
    fn time_calls(budget_ms: f64, mut call: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
        call()?;
        let started = Instant::now();
        let mut times = Vec::new();
        while times.is_empty() || (started.elapsed().as_secs_f64() * 1000.0 < budget_ms && times.len() < 100) {
            let t = Instant::now();
            call()?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        Ok(times[times.len() / 2])
    }
}
