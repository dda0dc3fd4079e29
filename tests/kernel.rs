//! The SIMD kernel against the scalar reference, the oracle, at every width this machine runs (4 lanes, and 8 on
//! x86_64 CPUs with AVX2 and FMA): seeded random models of every cell (the LSTM, the GRU with its reset gate after
//! and before the product) whose hidden sizes and lengths straddle the lane widths, one batch of texts of different
//! lengths per model; and heads that pool over the steps, as an adapted one does. Runs natively, in node and in
//! headless Chromium; on wasm it also checks that the build it runs is the SIMD one.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use sentir::model::Model;
use sentir::recurrent::simd::{self, Width};
use sentir::{BackendKind, backend};
use sentir_tests::random::{CELLS, concat_head, random_batch, random_model, random_model_of};
use sentir_tests::{KERNEL, assert_traces_match_reference, posts_distilled, sample_batch, tiny, tiny_gru};

/// Runs `batch` through the kernel in one recurrence at every width this machine runs, with and without the
/// vocabulary table, and checks every trace against the reference.
fn assert_kernel_matches_reference(model: &Model, batch: &[Vec<u32>]) {
    for width in Width::available() {
        let with_table = simd::Packed::with_width(model, width);
        assert_eq!(with_table.width(), width);
        assert!(with_table.has_table(), "the test models' vocabularies are small enough to table");
        assert_eq!(with_table.table_bytes(), 0, "the table is filled as texts read it, not at load");
        for packed in [with_table, simd::Packed::without_table(model, width)] {
            assert_packed_matches_reference(model, &packed, batch);
            // Twice: the second time from the rows the first one computed.
            assert_packed_matches_reference(model, &packed, batch);
        }
    }
}

fn assert_packed_matches_reference(model: &Model, packed: &simd::Packed, batch: &[Vec<u32>]) {
    let ids: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
    let traces = simd::forward_batch(model, packed, &ids).expect("the kernel runs");
    let label = format!("{} lanes, table {}", packed.width().lanes(), packed.has_table());
    assert_traces_match_reference(&label, model, batch, &traces);
}

#[test]
fn kernel_matches_reference_for_hidden_sizes_around_the_lane_width() {
    let vocab = 50;
    for cell in CELLS {
        for (seed, hidden) in [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 130].into_iter().enumerate() {
            for layers in [1, 2] {
                let model = random_model_of(cell, seed as u64 * 2 + layers as u64, vocab, 7, hidden, layers);
                // Lengths around the lane width too, and an empty text; in one batch, so shorter texts drop out.
                let batch = random_batch(seed as u64 + 99, vocab, &[0, 1, 3, 4, 5, 16, 17, 40]);
                assert_kernel_matches_reference(&model, &batch);
            }
        }
    }
}

#[test]
fn kernel_matches_reference_with_a_head_that_pools_over_the_steps() {
    // An adapted head (sentir::adapt) reads [h_t, mean, max] of the states so far: 3H features, whose thirds fall
    // across the lanes when H is no multiple of four.
    let vocab = 50;
    for cell in CELLS {
        for (seed, hidden) in [1, 3, 4, 5, 17].into_iter().enumerate() {
            let mut model = random_model_of(cell, seed as u64 + 40, vocab, 7, hidden, 2);
            model.head = concat_head(seed as u64, hidden);
            let batch = random_batch(seed as u64 + 7, vocab, &[0, 1, 3, 4, 5, 16, 17, 40]);
            assert_kernel_matches_reference(&model, &batch);
        }
    }
}

#[test]
fn kernel_matches_reference_on_a_long_text_with_a_wide_embedding() {
    for cell in CELLS {
        let model = random_model_of(cell, 7, 300, 50, 128, 1);
        let ids: Vec<u32> = (0..600).map(|i| (i * 37 % 300) as u32).collect();
        assert_kernel_matches_reference(&model, &[ids.clone(), ids[..1].to_vec(), ids[..333].to_vec()]);
    }
}

#[test]
fn kernel_matches_reference_on_the_tiny_posts_distilled_and_tiny_gru_models() {
    let gru = tiny_gru::RESETS.map(tiny_gru::analyzer);
    for analyzer in [tiny::analyzer(), posts_distilled::analyzer()].iter().chain(&gru) {
        assert_kernel_matches_reference(analyzer.model(), &sample_batch(analyzer));
    }
}

#[test]
fn every_width_labels_the_suite_as_the_reference_does() {
    // The shipped model on the behavioural suite's 420 posts in one batch: the most probable label after the last
    // token is the reference's at every width (FMA rounds differently, within the tolerance).
    let analyzer = posts_distilled::analyzer();
    let suite = include_str!("behaviour/suite.tsv");
    let batch: Vec<Vec<u32>> = suite
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').nth(2))
        .map(|text| analyzer.tokenizer().encode(text).expect("encodes").ids)
        .collect();
    let argmax = |logits: &[f32]| (0..logits.len()).max_by(|&a, &b| logits[a].total_cmp(&logits[b]));
    let model = analyzer.model();
    for width in Width::available() {
        let packed = simd::Packed::with_width(model, width);
        let ids: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
        let traces = simd::forward_batch(model, &packed, &ids).expect("the kernel runs");
        assert_traces_match_reference(&format!("the suite, {width:?}"), model, &batch, &traces);
        for (ids, trace) in batch.iter().zip(&traces) {
            let reference = sentir::recurrent::reference::forward(model, ids).expect("the reference runs");
            let (got, want) = (trace.logits_at(trace.steps), reference.logits_at(reference.steps));
            assert_eq!(argmax(got), argmax(want), "{width:?}: {ids:?}: logits {got:?} against {want:?}");
        }
    }
}

#[test]
fn a_text_gets_the_same_bits_alone_and_in_a_batch_for_every_cell() {
    for (cell, width) in CELLS.into_iter().flat_map(|cell| Width::available().into_iter().map(move |w| (cell, w))) {
        let model = random_model_of(cell, 3, 40, 6, 9, 2);
        let packed = simd::Packed::with_width(&model, width);
        let batch = random_batch(5, 40, &[13, 0, 7, 13, 2]);
        let ids: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
        let together = simd::forward_batch(&model, &packed, &ids).expect("the kernel runs");
        for (ids, together) in ids.iter().zip(&together) {
            let alone = simd::forward_batch(&model, &packed, &[ids]).expect("the kernel runs").remove(0);
            assert!(alone == *together, "{cell:?}, {width:?}: a text of {} tokens alone and in a batch", ids.len());
        }
    }
}

#[test]
fn the_vocabulary_table_holds_only_the_chunks_texts_have_read() {
    // 300 token ids: whole chunks, then a last one of `300 % TABLE_CHUNK` ids.
    let (vocab, chunk_ids) = (300_usize, simd::TABLE_CHUNK);
    let last = if vocab.is_multiple_of(chunk_ids) { chunk_ids } else { vocab % chunk_ids };
    let model = random_model(7, vocab, 5, 9, 1);
    for width in Width::available() {
        let packed = simd::Packed::with_width(&model, width);
        simd::forward_batch(&model, &packed, &[&[1, 2]]).expect("the kernel runs");
        let chunk = packed.table_bytes();
        assert!(chunk > 0 && chunk.is_multiple_of(chunk_ids), "{width:?}: one chunk: {chunk} bytes");
        let (second, end) = (chunk_ids as u32, vocab as u32 - 1);
        simd::forward_batch(&model, &packed, &[&[second, end], &[0]]).expect("the kernel runs");
        let row = chunk / chunk_ids;
        assert_eq!(packed.table_bytes(), 2 * chunk + last * row, "{width:?}: the first, the second and the last chunk");
    }
}

#[test]
fn kernel_refuses_an_out_of_range_token_id() {
    let model = random_model(1, 10, 3, 5, 1);
    let packed = simd::Packed::new(&model);
    let error = simd::forward_batch(&model, &packed, &[&[1, 2], &[3, 10]]).expect_err("id 10 is out of range");
    assert!(error.to_string().contains("10"), "{error}");
}

#[test]
fn this_build_runs_the_simd_kernel() {
    // On wasm, SIMD is chosen at compile time by .cargo/config.toml, and a RUSTFLAGS variable silently replaces
    // that file's flags: this is the test that notices.
    assert!(
        backend::SIMD.is_some(),
        "this build has no SIMD: on wasm, .cargo/config.toml sets target-feature=+simd128 unless RUSTFLAGS overrides it"
    );
    let analyzer = tiny::analyzer();
    assert_eq!(analyzer.backend().kind(), BackendKind::CpuSimd, "{}", analyzer.backend().reason);
    assert_eq!(analyzer.analyze("good").expect("analyzes").backend, "cpu-simd");
}

#[test]
fn the_kernel_runs_the_widest_instructions_and_says_which() {
    // Unless SENTIR_SIMD_WIDTH caps it, the analyzer's kernel runs the widest width found, and its reason names it.
    let widest = *Width::available().last().expect("4 lanes run everywhere");
    eprintln!("widths this machine runs: {:?}", Width::available());
    let (chosen, why) = Width::choose();
    if std::env::var(simd::WIDTH_VARIABLE).is_err() {
        assert_eq!(chosen, widest, "{why}");
    }
    let reason = tiny::analyzer().backend().reason.clone();
    assert!(reason.contains(chosen.instructions()) && reason.contains(&why), "{reason}");
}

#[test]
fn batch_analysis_equals_one_by_one_on_either_backend() {
    let texts = ["not good", "", "The acting was not good, but the music was wonderful.", "great"];
    let mut analyzer = posts_distilled::analyzer();
    let batched = analyzer.analyze_batch(&texts).expect("analyzes");
    for (text, batched) in texts.iter().zip(&batched) {
        let alone = analyzer.analyze(text).expect("analyzes");
        assert_eq!(alone.tokens.len(), batched.tokens.len());
        KERNEL.assert_close(
            text,
            &batched.tokens.iter().map(|t| t.score).collect::<Vec<_>>(),
            &alone.tokens.iter().map(|t| f64::from(t.score)).collect::<Vec<_>>(),
        );
    }
    analyzer.set_backend(BackendKind::CpuScalar).expect("the scalar reference is always there");
    let scalar = analyzer.analyze_batch(&texts).expect("analyzes");
    for (scalar, simd) in scalar.iter().zip(&batched) {
        assert_eq!(scalar.backend, "cpu-scalar");
        assert_eq!(scalar.label, simd.label);
        KERNEL.assert_close(
            "probabilities",
            &simd.probabilities.0.iter().map(|(_, p)| *p).collect::<Vec<_>>(),
            &scalar.probabilities.0.iter().map(|(_, p)| f64::from(*p)).collect::<Vec<_>>(),
        );
    }
}
