//! The GPU forward pass (WGSL through wgpu) against the scalar reference, natively: lavapipe's software Vulkan
//! in CI, a real GPU where there is one. Without an adapter the tests say why and pass, unless `REQUIRE_GPU=1`
//! (which `scripts/test` sets), where that is a failure.
#![cfg(not(target_arch = "wasm32"))]

use sentir::BackendKind;
use sentir::gpu::Gpu;
use sentir::model::Model;
use sentir_tests::random::{random_batch, random_model};
use sentir_tests::{KERNEL, assert_traces_match_reference, sample_batch, shipped, tiny};

/// Whether a missing GPU is a failure (`REQUIRE_GPU=1`).
fn required() -> bool {
    std::env::var("REQUIRE_GPU").is_ok_and(|v| v == "1")
}

/// The GPU with `model` on it, or `None` (with the reason printed) where there is none and none is required.
fn gpu(model: &Model) -> Option<Gpu> {
    match pollster::block_on(Gpu::new(model)) {
        Ok(gpu) => {
            eprintln!("GPU adapter: {}", gpu.adapter);
            Some(gpu)
        }
        Err(error) if required() => {
            panic!("REQUIRE_GPU=1, but the GPU backend did not start: {error}")
        }
        Err(error) => {
            eprintln!("not tested on a GPU: {error} (set REQUIRE_GPU=1 to make this a failure)");
            None
        }
    }
}

fn assert_gpu_matches_reference(model: &Model, batch: &[Vec<u32>]) {
    let Some(gpu) = gpu(model) else { return };
    let ids: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
    let traces = pollster::block_on(gpu.forward_batch(model, &ids)).expect("the GPU forward pass runs");
    assert_traces_match_reference(&format!("GPU {}", gpu.adapter), model, batch, &traces);
}

#[test]
fn gpu_matches_reference_for_hidden_sizes_not_multiples_of_the_workgroup() {
    let vocab = 50;
    for (seed, hidden) in [1, 5, 17, 64, 130].into_iter().enumerate() {
        for layers in [1, 2] {
            let model = random_model(seed as u64 * 2 + layers as u64, vocab, 7, hidden, layers);
            let batch = random_batch(seed as u64 + 99, vocab, &[0, 1, 3, 16, 17, 40]);
            assert_gpu_matches_reference(&model, &batch);
        }
    }
}

#[test]
fn gpu_matches_reference_on_the_tiny_and_shipped_models() {
    for analyzer in [tiny::analyzer(), shipped::analyzer()] {
        assert_gpu_matches_reference(analyzer.model(), &sample_batch(&analyzer));
    }
}

#[test]
fn calls_of_other_sizes_reuse_the_working_buffers_correctly() {
    let model = random_model(5, 40, 6, 9, 2);
    let Some(gpu) = gpu(&model) else { return };
    // Larger, smaller (fits in the kept buffers), then longer (needs new ones), then smaller again.
    for (seed, lengths) in [&[5, 12, 3][..], &[2, 7], &[30], &[1, 1, 4, 0]].into_iter().enumerate() {
        let batch = random_batch(seed as u64 + 7, 40, lengths);
        let ids: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
        let traces = pollster::block_on(gpu.forward_batch(&model, &ids)).expect("the GPU forward pass runs");
        assert_traces_match_reference(&format!("GPU call {seed}"), &model, &batch, &traces);
    }
}

#[test]
fn gpu_handles_a_batch_of_empty_texts_and_refuses_bad_ids() {
    let model = random_model(3, 10, 3, 5, 1);
    let Some(gpu) = gpu(&model) else { return };
    let traces = pollster::block_on(gpu.forward_batch(&model, &[&[], &[]])).expect("runs");
    assert_traces_match_reference("GPU, empty texts", &model, &[vec![], vec![]], &traces);
    let error = pollster::block_on(gpu.forward_batch(&model, &[&[1, 2], &[3, 10]])).expect_err("id 10 is out of range");
    assert!(error.to_string().contains("10"), "{error}");
}

#[test]
fn the_gpu_backend_agrees_with_the_cpu_and_a_lost_device_falls_back_to_it() {
    let text = "The acting was not good, but the music was wonderful.";
    let mut analyzer = shipped::analyzer();
    let cpu = analyzer.analyze(text).expect("analyzes on the CPU");
    if let Err(error) = analyzer.set_backend(BackendKind::Gpu) {
        assert!(!required(), "REQUIRE_GPU=1, but the GPU backend did not start: {error}");
        eprintln!("not tested on a GPU: {error}");
        return;
    }
    let gpu = analyzer.analyze(text).expect("analyzes on the GPU");
    assert_eq!((gpu.backend, &gpu.fallback, &gpu.label), ("gpu", &None, &cpu.label));
    let scores = |a: &sentir::Analysis| a.tokens.iter().map(|t| t.score).collect::<Vec<_>>();
    let widen = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<_>>();
    KERNEL.assert_close("token scores, GPU against CPU", &scores(&gpu), &widen(scores(&cpu)));

    analyzer.backend().gpu().expect("the GPU backend").destroy();
    let after = analyzer.analyze(text).expect("completes on the CPU");
    assert_eq!(after.backend, "cpu-simd");
    let why = after.fallback.as_deref().expect("says why the GPU did not run");
    assert!(why.contains("GPU"), "{why}");
    assert_eq!(after.tokens, cpu.tokens, "the fallback is the SIMD kernel: the same bits as before");
}
