//! The GPU forward pass (WGSL through wgpu) against the scalar reference: natively on Vulkan (lavapipe in CI, a
//! real GPU where there is one), and on WebGPU in headless Chromium (its SwiftShader adapter). Where there is no
//! adapter the tests say why and pass, unless one is required: `REQUIRE_GPU=1` natively, and in the browser when
//! the wasm was built with `REQUIRE_GPU=1` (`scripts/test` sets it). Node has no WebGPU: there the tests check
//! that asking for the GPU leaves a working CPU backend that says why.

use sentir::BackendKind;
use sentir::gpu::{Gpu, PERSISTENT_MAX_HIDDEN, Recurrence};
use sentir::model::{Cell, Model, Reset};
use sentir_tests::random::{concat_head, random_batch, random_model, random_model_of};
use sentir_tests::{
    KERNEL, assert_traces_match_reference, async_test, posts_distilled, sample_batch, three_class, tiny, tiny_gru,
};

/// Whether a missing GPU is a failure here.
fn required() -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    return std::env::var("REQUIRE_GPU").is_ok_and(|v| v == "1");
    // Node has no WebGPU to require; a page has a `document`.
    #[cfg(target_arch = "wasm32")]
    return option_env!("REQUIRE_GPU") == Some("1")
        && js_sys::Reflect::has(&js_sys::global(), &"document".into()).unwrap_or(false);
}

/// Switches `analyzer` to the GPU; `false` (with the reason printed) where none opens and none is required.
async fn switched_to_gpu(analyzer: &mut sentir::Analyzer) -> bool {
    match analyzer.switch_backend(BackendKind::Gpu).await {
        Ok(()) => true,
        Err(error) => {
            assert!(!required(), "a GPU is required here, but the GPU backend did not start: {error}");
            log(&format!("not tested on a GPU: {error}"));
            false
        }
    }
}

/// The GPU with `model` on it, or `None` (with the reason printed) where there is none and none is required.
async fn gpu(model: &Model) -> Option<Gpu> {
    match Gpu::new(model).await {
        Ok(gpu) => {
            log(&format!("GPU adapter: {}", gpu.adapter));
            Some(gpu)
        }
        Err(error) if required() => panic!("a GPU is required here, but the GPU backend did not start: {error}"),
        Err(error) => {
            // Node has no WebGPU by design: there the test checks that the GPU is refused for that reason, cleanly.
            #[cfg(target_arch = "wasm32")]
            assert!(error.to_string().contains("no WebGPU adapter"), "{error}");
            log(&format!("not tested on a GPU: {error} (REQUIRE_GPU=1 makes this a failure)"));
            None
        }
    }
}

fn log(message: &str) {
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{message}");
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::console_log!("{message}");
}

/// Both recurrences against the reference, and against each other: they sum in the same order, so bit for bit.
async fn assert_gpu_matches_reference(model: &Model, batch: &[Vec<u32>]) {
    let Some(mut gpu) = gpu(model).await else { return };
    let ids: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
    let mut each = Vec::new();
    for recurrence in [Recurrence::Persistent, Recurrence::PerStep] {
        gpu.set_recurrence(recurrence).await.expect("the hidden sizes tested fit both recurrences");
        let traces = gpu.forward_batch(model, &ids).await.expect("the GPU forward pass runs");
        assert_traces_match_reference(&format!("GPU {} {recurrence:?}", gpu.adapter), model, batch, &traces);
        each.push(traces);
    }
    assert!(each[0] == each[1], "the persistent and per-step recurrences differ");
}

async_test! {
    async fn gpu_matches_reference_for_hidden_sizes_not_multiples_of_the_workgroup() {
        let vocab = 50;
        for (seed, hidden) in [1, 5, 17, 64, 130].into_iter().enumerate() {
            for layers in [1, 2] {
                let model = random_model(seed as u64 * 2 + layers as u64, vocab, 7, hidden, layers);
                let batch = random_batch(seed as u64 + 99, vocab, &[0, 1, 3, 16, 17, 40]);
                assert_gpu_matches_reference(&model, &batch).await;
            }
        }
    }
}

async_test! {
    async fn gpu_matches_reference_on_the_tiny_and_posts_distilled_models() {
        for analyzer in [tiny::analyzer(), posts_distilled::analyzer()] {
            assert_gpu_matches_reference(analyzer.model(), &sample_batch(&analyzer)).await;
        }
    }
}

async_test! {
    async fn calls_of_other_sizes_reuse_the_working_buffers_correctly() {
        let model = random_model(5, 40, 6, 9, 2);
        let Some(gpu) = gpu(&model).await else { return };
        // Larger, smaller (fits in the kept buffers), then longer (needs new ones), then smaller again.
        for (seed, lengths) in [&[5, 12, 3][..], &[2, 7], &[30], &[1, 1, 4, 0]].into_iter().enumerate() {
            let batch = random_batch(seed as u64 + 7, 40, lengths);
            let ids: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
            let traces = gpu.forward_batch(&model, &ids).await.expect("the GPU forward pass runs");
            assert_traces_match_reference(&format!("GPU call {seed}"), &model, &batch, &traces);
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_persistent_recurrence_holds_layers_up_to_its_workgroup_memory() {
    assert!(
        Recurrence::Persistent.fits(PERSISTENT_MAX_HIDDEN) && !Recurrence::Persistent.fits(PERSISTENT_MAX_HIDDEN + 1)
    );
    assert!(Recurrence::PerStep.fits(1 << 20));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn auto_sends_the_gpu_only_several_texts_with_enough_steps() {
    use sentir::backend::{GPU_MIN_STEPS, GPU_MIN_TEXTS, gpu_pays};
    // One text never goes, however long: its steps are sequential on the GPU too.
    assert!(!gpu_pays(1, 100 * GPU_MIN_STEPS));
    assert!(!gpu_pays(GPU_MIN_TEXTS, GPU_MIN_STEPS / GPU_MIN_TEXTS - 1));
    assert!(gpu_pays(GPU_MIN_TEXTS, GPU_MIN_STEPS / GPU_MIN_TEXTS));
    assert!(gpu_pays(16, 32), "16 texts of 32 tokens ran 6.7× faster on an H200 than on its CPU");
    assert!(!gpu_pays(0, 0));
}

async_test! {
    async fn reading_back_only_the_logits_gives_the_same_logits_and_no_states() {
        let model = random_model(8, 30, 5, 12, 2);
        let Some(gpu) = gpu(&model).await else { return };
        let batch = random_batch(4, 30, &[9, 0, 21]);
        let ids: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
        let full = gpu.forward_batch(&model, &ids).await.expect("runs");
        let logits = gpu.logits_batch(&model, &ids).await.expect("runs");
        for (full, logits) in full.iter().zip(&logits) {
            assert_eq!((&logits.logits, logits.steps), (&full.logits, full.steps));
            assert!(logits.hidden.is_empty() && logits.cell.is_empty(), "no states were read back");
        }
    }
}

async_test! {
    async fn gpu_handles_a_batch_of_empty_texts_and_refuses_bad_ids() {
        let model = random_model(3, 10, 3, 5, 1);
        let Some(gpu) = gpu(&model).await else { return };
        let traces = gpu.forward_batch(&model, &[&[], &[]]).await.expect("runs");
        assert_traces_match_reference("GPU, empty texts", &model, &[vec![], vec![]], &traces);
        let error = gpu.forward_batch(&model, &[&[1, 2], &[3, 10]]).await.expect_err("id 10 is out of range");
        assert!(error.to_string().contains("10"), "{error}");
    }
}

async_test! {
    async fn the_gpu_backend_agrees_with_the_cpu_and_a_lost_device_falls_back_to_it() {
        let text = "The acting was not good, but the music was wonderful.";
        let mut analyzer = posts_distilled::analyzer();
        let cpu = analyzer.analyze(text).expect("analyzes on the CPU");
        if let Err(error) = analyzer.switch_backend(BackendKind::Gpu).await {
            assert!(!required(), "a GPU is required here, but the GPU backend did not start: {error}");
            log(&format!("not tested on a GPU: {error}"));
            assert_eq!(analyzer.backend().kind(), BackendKind::CpuSimd, "a failed switch changes nothing");
            return;
        }
        let gpu = analyzer.analyze_async(text).await.expect("analyzes on the GPU");
        assert_eq!((gpu.backend, &gpu.fallback, &gpu.label), ("gpu", &None, &cpu.label));
        let scores = |a: &sentir::Analysis| a.tokens.iter().map(|t| t.score).collect::<Vec<_>>();
        let widen = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<_>>();
        KERNEL.assert_close("token scores, GPU against CPU", &scores(&gpu), &widen(scores(&cpu)));

        analyzer.backend().gpu().expect("the GPU backend").destroy();
        let after = analyzer.analyze_async(text).await.expect("completes on the CPU");
        assert_eq!(after.backend, "cpu-simd");
        let why = after.fallback.as_deref().expect("says why the GPU did not run");
        assert!(why.contains("GPU"), "{why}");
        assert_eq!(after.tokens, cpu.tokens, "the fallback is the SIMD kernel: the same bits as before");
    }
}

async_test! {
    async fn gpu_scores_a_three_class_model_like_the_reference() {
        let mut analyzer = three_class::analyzer(11);
        if !switched_to_gpu(&mut analyzer).await {
            return;
        }
        for text in ["not good", "The acting was not good, but the music was wonderful. 👍🏽 ééé", ""] {
            let analysis = analyzer.analyze_async(text).await.expect("analyzes on the GPU");
            assert_eq!((analysis.backend, &analysis.fallback), ("gpu", &None));
            assert_eq!(analysis.probabilities.0.len(), 3);
            three_class::assert_scores_match_reference("GPU", &analyzer, text, &analysis);
        }
    }
}

async_test! {
    async fn an_adapted_head_runs_on_the_gpu_it_shares_with_the_model_it_came_from() {
        let mut analyzer = three_class::analyzer(11);
        if !switched_to_gpu(&mut analyzer).await {
            return;
        }
        // A head of other values, as `adapt` fits one: positive and negative swapped, the biases moved.
        let head = &analyzer.model().head;
        let (rows, cols) = (head.weight.rows(), head.weight.cols());
        let swapped: Vec<f32> = [2, 1, 0].iter().flat_map(|&row| head.weight.row(row).to_vec()).collect();
        let weight = sentir::model::Matrix::new(rows, cols, swapped).expect("the head's shape");
        let bias = head.bias.iter().map(|b| b + 0.25).collect();
        let adapted = analyzer.with_head(sentir::model::Head::last(weight, bias)).expect("the same shape");
        // One that pools over the steps, as `adapt` fits: the GPU runs the recurrence, the CPU the head.
        let pooling = analyzer.with_head(concat_head(3, cols)).expect("three labels, 3H features");
        // The analyzers take turns on the one GPU; each call reads its own head.
        for text in ["not good", "The acting was not good, but the music was wonderful.", "fine"] {
            let heads = [("the model's head", &analyzer), ("an adapted head", &adapted), ("a pooling head", &pooling)];
            for (what, analyzer) in heads {
                let analysis = analyzer.analyze_async(text).await.expect("analyzes on the GPU");
                assert_eq!((analysis.backend, &analysis.fallback), ("gpu", &None));
                three_class::assert_scores_match_reference(what, analyzer, text, &analysis);
            }
        }
    }
}

async_test! {
    async fn auto_takes_no_software_gpu_and_says_why() {
        // lavapipe (natively) and SwiftShader (Chromium) are software adapters; node has none: auto stays on the
        // CPU kernel everywhere CI runs, and the reason names what it found.
        let mut analyzer = tiny::analyzer();
        analyzer.offer_gpu().await;
        let reason = &analyzer.backend().reason;
        log(&format!("auto: {reason}"));
        match analyzer.backend().gpu() {
            Some(gpu) => assert!(reason.contains(&gpu.adapter), "{reason}"),
            None => {
                assert_eq!(analyzer.backend().kind(), BackendKind::CpuSimd);
                assert!(reason.contains("software") || reason.contains("no GPU"), "{reason}");
                assert!(!required() || reason.contains("software"), "a GPU is required here: {reason}");
            }
        }
        let analysis = analyzer.analyze_async("not good").await.expect("analyzes after auto looked for a GPU");
        assert_eq!(analysis.tokens.len(), 2);
    }
}

async_test! {
    async fn asking_for_a_missing_gpu_keeps_the_cpu_and_says_why() {
        let mut analyzer = tiny::analyzer();
        analyzer.prefer_gpu().await;
        let reason = analyzer.backend().reason.clone();
        if analyzer.backend().kind() == BackendKind::Gpu {
            assert_eq!(reason, "chosen by the caller");
            return;
        }
        assert!(!required(), "a GPU is required here: {reason}");
        assert!(reason.contains("did not start") && reason.contains("cpu-simd"), "{reason}");
        let analysis = analyzer.analyze_async("not good").await.expect("analyzes on the CPU");
        assert_eq!((analysis.backend, analysis.fallback), ("cpu-simd", None));
    }
}

async_test! {
    async fn gpu_matches_reference_for_gru_models_of_odd_sizes_in_both_conventions() {
        // Hidden sizes across the workgroup (64) and the persistent shader's lanes (128, so 130 gives a lane two
        // units), both conventions (reset before takes two dispatches a step, or a barrier), one and two layers.
        let vocab = 50;
        for cell in [Cell::Gru(Reset::After), Cell::Gru(Reset::Before)] {
            for (seed, hidden) in [1, 5, 17, 64, 130].into_iter().enumerate() {
                for layers in [1, 2] {
                    let model = random_model_of(cell, seed as u64 * 2 + layers as u64, vocab, 7, hidden, layers);
                    let batch = random_batch(seed as u64 + 99, vocab, &[0, 1, 3, 16, 17, 40]);
                    assert_gpu_matches_reference(&model, &batch).await;
                }
            }
        }
    }
}

async_test! {
    async fn gpu_matches_reference_on_the_tiny_gru_models() {
        for reset in tiny_gru::RESETS {
            let analyzer = tiny_gru::analyzer(reset);
            // Every text of the PyTorch golden vectors, as one batch, and the sample texts.
            let golden: Vec<Vec<u32>> = tiny_gru::golden(reset).into_iter().map(|case| case.ids).collect();
            assert_gpu_matches_reference(analyzer.model(), &golden).await;
            assert_gpu_matches_reference(analyzer.model(), &sample_batch(&analyzer)).await;
        }
    }
}

async_test! {
    async fn a_gru_model_runs_on_the_gpu_forced_and_auto_offers_it_as_for_an_lstm() {
        let text = "The acting was not good, but the music was wonderful.";
        for reset in tiny_gru::RESETS {
            let mut analyzer = tiny_gru::analyzer(reset);
            let cpu = analyzer.analyze(text).expect("analyzes on the CPU");
            if let Err(error) = analyzer.switch_backend(BackendKind::Gpu).await {
                assert!(!required(), "a GPU is required here, but the GPU backend did not start: {error}");
                assert!(!error.to_string().contains("GRU"), "a GRU is not refused: {error}");
                assert_eq!(analyzer.backend().kind(), BackendKind::CpuSimd, "a failed switch changes nothing");
                log(&format!("not tested on a GPU: {error}"));
            } else {
                let texts = vec![text; 2 * sentir::backend::GPU_MIN_TEXTS];
                for gpu in analyzer.analyze_batch_async(&texts).await.expect("analyzes on the GPU") {
                    assert_eq!((gpu.backend, &gpu.fallback, &gpu.label), ("gpu", &None, &cpu.label));
                    let scores = |a: &sentir::Analysis| a.tokens.iter().map(|t| t.score).collect::<Vec<_>>();
                    let widen = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<_>>();
                    KERNEL.assert_close("GRU token scores, GPU against CPU", &scores(&gpu), &widen(scores(&cpu)));
                }
            }

            // `auto` treats it as an LSTM: a hardware GPU is taken, a software one or none is refused for that.
            let mut auto = tiny_gru::analyzer(reset);
            auto.offer_gpu().await;
            let reason = &auto.backend().reason;
            log(&format!("auto, GRU: {reason}"));
            match auto.backend().gpu() {
                Some(gpu) => assert!(reason.contains(&gpu.adapter), "{reason}"),
                None => assert!(!reason.contains("GRU") && (reason.contains("software") || reason.contains("no GPU"))),
            }
            let analysis = auto.analyze_async("not good").await.expect("analyzes after auto looked for a GPU");
            assert_eq!(analysis.tokens.len(), 2);
        }
    }
}
