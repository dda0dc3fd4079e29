//! The SIMD kernel against the scalar reference, the oracle: seeded random models whose hidden sizes and
//! lengths straddle the 4-lane width, one batch of texts of different lengths per model. Runs natively, in node
//! and in headless Chromium; on wasm it also checks that the build it runs is the SIMD one.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use sentir::lstm::{LstmLayer, reference, simd};
use sentir::model::{Config, Head, Matrix, Model};
use sentir::{BackendKind, backend};
use sentir_tests::{KERNEL, shipped, tiny};

/// xorshift64*: a few lines of seeded randomness, so the cases are the same on every target.
struct Rng(u64);

impl Rng {
    /// Uniform in [-scale, scale).
    fn next(&mut self, scale: f32) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40; // 24 random bits
        (bits as f32 / (1u64 << 23) as f32 - 1.0) * scale
    }

    fn matrix(&mut self, rows: usize, cols: usize, scale: f32) -> Matrix {
        Matrix::new(rows, cols, (0..rows * cols).map(|_| self.next(scale)).collect()).expect("rows × cols values")
    }
}

/// A random model with PyTorch's initial scale (`1/√H`), doubled so that gates leave their linear range.
fn random_model(seed: u64, vocab: usize, embedding: usize, hidden: usize, layers: usize) -> Model {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let config = Config::from_json(
        format!(
            r#"{{"format_version": 1, "name": "random", "vocab_size": {vocab}, "embedding_size": {embedding},
            "hidden_size": {hidden}, "num_layers": {layers}, "direction": "forward",
            "labels": ["negative", "positive", "neutral"], "positive_label": "positive",
            "gate_order": ["i", "f", "g", "o"], "max_length": 64, "tokenizer": "tokenizer.json",
            "weights": "model.safetensors", "dtype": "f32"}}"#
        )
        .as_bytes(),
    )
    .expect("a valid config");
    let scale = 2.0 / (hidden as f32).sqrt();
    let embedding_matrix = rng.matrix(vocab, embedding, 1.0);
    let layers = (0..layers)
        .map(|l| LstmLayer {
            weight_ih: rng.matrix(4 * hidden, if l == 0 { embedding } else { hidden }, scale),
            weight_hh: rng.matrix(4 * hidden, hidden, scale),
            bias: (0..4 * hidden).map(|_| rng.next(scale)).collect(),
        })
        .collect();
    let head = Head { weight: rng.matrix(3, hidden, scale), bias: (0..3).map(|_| rng.next(scale)).collect() };
    Model { config, embedding: embedding_matrix, layers, head }
}

/// Runs `batch` through the kernel in one recurrence, with and without the vocabulary table, and checks every
/// trace against the reference.
fn assert_kernel_matches_reference(model: &Model, batch: &[Vec<u32>]) {
    let with_table = simd::Packed::new(model);
    assert!(with_table.table_bytes() > 0, "the test models' vocabularies are small enough to table");
    for packed in [with_table, simd::Packed::without_table(model)] {
        assert_packed_matches_reference(model, &packed, batch);
    }
}

fn assert_packed_matches_reference(model: &Model, packed: &simd::Packed, batch: &[Vec<u32>]) {
    let ids: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
    let traces = simd::forward_batch(model, packed, &ids).expect("the kernel runs");
    assert_eq!(traces.len(), batch.len());
    let hidden = model.layers[0].hidden_size();
    for (text, (ids, got)) in batch.iter().zip(&traces).enumerate() {
        let expected = reference::forward(model, ids).expect("the reference runs");
        let what = |part: &str| {
            format!(
                "H={hidden} layers={} table {} text {text} ({} tokens): {part}",
                model.layers.len(),
                packed.table_bytes() > 0,
                ids.len()
            )
        };
        assert_eq!((got.steps, got.labels), (expected.steps, expected.labels), "{}", what("shape"));
        let widen = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>();
        KERNEL.assert_close(&what("logits"), &got.logits, &widen(&expected.logits));
        for l in 0..model.layers.len() {
            KERNEL.assert_close(&what(&format!("layer {l} hidden")), &got.hidden[l], &widen(&expected.hidden[l]));
            KERNEL.assert_close(&what(&format!("layer {l} cell")), &got.cell[l], &widen(&expected.cell[l]));
        }
    }
}

#[test]
fn kernel_matches_reference_for_hidden_sizes_around_the_lane_width() {
    let vocab = 50;
    for (seed, hidden) in [1, 3, 4, 5, 15, 16, 17, 130].into_iter().enumerate() {
        for layers in [1, 2] {
            let model = random_model(seed as u64 * 2 + layers as u64, vocab, 7, hidden, layers);
            let mut rng = Rng(seed as u64 + 99);
            // Lengths around the lane width too, and an empty text; in one batch, so shorter texts drop out.
            let batch: Vec<Vec<u32>> = [0, 1, 3, 4, 5, 16, 17, 40]
                .iter()
                .map(|&len| (0..len).map(|_| ((rng.next(0.5) + 0.5) * vocab as f32) as u32 % vocab as u32).collect())
                .collect();
            assert_kernel_matches_reference(&model, &batch);
        }
    }
}

#[test]
fn kernel_matches_reference_on_a_long_text_with_a_wide_embedding() {
    let model = random_model(7, 300, 50, 128, 1);
    let ids: Vec<u32> = (0..600).map(|i| (i * 37 % 300) as u32).collect();
    assert_kernel_matches_reference(&model, &[ids.clone(), ids[..1].to_vec(), ids[..333].to_vec()]);
}

#[test]
fn kernel_matches_reference_on_the_tiny_and_shipped_models() {
    for analyzer in [tiny::analyzer(), shipped::analyzer()] {
        let batch: Vec<Vec<u32>> = ["not good", "", "The acting was not good, but the music was wonderful. 👍🏽 ééé"]
            .iter()
            .map(|text| analyzer.tokenizer().encode(text).expect("encodes").ids)
            .collect();
        assert_kernel_matches_reference(analyzer.model(), &batch);
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
fn batch_analysis_equals_one_by_one_on_either_backend() {
    let texts = ["not good", "", "The acting was not good, but the music was wonderful.", "great"];
    let mut analyzer = shipped::analyzer();
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
