//! The forward pass on the GPU against the SIMD kernel, natively: tokens/s and ms per call for batches of 1 to
//! 1024 texts of 32, 128 and 512 tokens (random ids of the shipped model's vocabulary; the forward pass only,
//! no tokenizing). The GPU is whatever wgpu finds: lavapipe here, a real GPU where there is one.
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

    use sentir::backend::Backend;
    use sentir::{Analyzer, BackendKind};

    const BATCHES: [usize; 5] = [1, 16, 64, 256, 1024];
    const LENGTHS: [usize; 3] = [32, 128, 512];

    pub(crate) fn main() -> Result<(), Box<dyn std::error::Error>> {
        let args: Vec<String> = std::env::args().collect();
        let option = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
        let model = option("--model").unwrap_or_else(|| "models/default".to_owned());
        let budget_ms: f64 = option("--budget-ms").map_or(Ok(2000.0), |v| v.parse())?;

        let mut analyzer = Analyzer::from_dir(&model)?;
        let simd = analyzer.backend().clone();
        analyzer.set_backend(BackendKind::Gpu)?;
        let gpu = analyzer.backend().clone();
        let adapter = gpu.gpu().map_or("?".to_owned(), |g| g.adapter.clone());
        println!("model {model}; GPU: {adapter}; CPU: {} ({})", simd.kind().name(), simd.reason);
        println!("| tokens | batch | GPU ms/call | GPU tokens/s | SIMD ms/call | SIMD tokens/s | GPU ÷ SIMD |");
        println!("|---:|---:|---:|---:|---:|---:|---:|");

        let vocab = analyzer.config().vocab_size as u64;
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next_id = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % vocab) as u32
        };
        for length in LENGTHS {
            let (mut gpu_done, mut simd_done) = (false, false);
            for batch in BATCHES {
                let texts: Vec<Vec<u32>> = (0..batch).map(|_| (0..length).map(|_| next_id()).collect()).collect();
                let ids: Vec<&[u32]> = texts.iter().map(Vec::as_slice).collect();
                let time = |backend: &Backend, done: &mut bool| -> Result<Option<f64>, String> {
                    if *done {
                        return Ok(None);
                    }
                    let ms = time_calls(budget_ms, || {
                        let (_, ran) = backend.forward_batch(analyzer.model(), &ids).map_err(|e| e.to_string())?;
                        // A GPU call that fell back to the CPU would time the CPU: stop instead.
                        ran.fallback.map_or(Ok(()), Err)
                    })?;
                    *done = ms > budget_ms;
                    Ok(Some(ms))
                };
                let (g, s) = (time(&gpu, &mut gpu_done)?, time(&simd, &mut simd_done)?);
                let tokens = (batch * length) as f64;
                let cell = |ms: Option<f64>| {
                    ms.map_or("—".to_owned(), |ms| format!("{ms:.2}"))
                        + " | "
                        + &ms.map_or("—".to_owned(), |ms| format!("{:.0}", tokens / ms * 1000.0))
                };
                let ratio = match (g, s) {
                    (Some(g), Some(s)) => format!("{:.2}×", s / g),
                    _ => "—".to_owned(),
                };
                println!("| {length} | {batch} | {} | {} | {ratio} |", cell(g), cell(s));
            }
        }
        Ok(())
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
