//! Shared test helpers: the tiny test model, its golden vectors, and tolerances named once.
//!
//! Everything is embedded with `include_*!`, so the same tests run natively, in node and in a browser, where
//! there is no file system.

use sentir::model::Model;
use serde::Deserialize;

/// An `async fn` test on every target: `wasm_bindgen_test` runs it in node and the browser, natively `pollster`
/// blocks on it (the futures are wgpu's, which resolve as the device is polled).
#[macro_export]
macro_rules! async_test {
    ($(#[$attribute:meta])* async fn $name:ident() $body:block) => {
        #[cfg(target_arch = "wasm32")]
        #[wasm_bindgen_test::wasm_bindgen_test]
        $(#[$attribute])*
        async fn $name() $body

        #[cfg(not(target_arch = "wasm32"))]
        #[test]
        $(#[$attribute])*
        fn $name() {
            pollster::block_on(async $body)
        }
    };
}

/// The tiny random model made by `scripts/make-tiny-model.py`.
pub mod tiny {
    pub const CONFIG: &[u8] = include_bytes!("../models/tiny-random/config.json");
    pub const WEIGHTS: &[u8] = include_bytes!("../models/tiny-random/model.safetensors");
    pub const TOKENIZER: &[u8] = include_bytes!("../models/tiny-random/tokenizer.json");
    const GOLDEN: &str = include_str!("golden/tiny-random.json");

    /// An analyzer over the tiny model.
    pub fn analyzer() -> sentir::Analyzer {
        sentir::Analyzer::from_bytes(CONFIG, WEIGHTS, TOKENIZER).expect("the tiny model loads")
    }

    /// The golden vectors computed by numpy for the tiny model.
    pub fn golden() -> super::Golden {
        let golden: super::Golden = serde_json::from_str(GOLDEN).expect("tests/golden/tiny-random.json parses");
        assert!(golden.cases.len() >= 12, "tests/golden/tiny-random.json has only {} cases", golden.cases.len());
        golden
    }
}

/// A three-class model made in memory (labels negative, neutral, positive): the tiny model's config, vocabulary
/// and tokenizer, with seeded random weights of its shapes and a head of three rows.
pub mod three_class {
    use sentir::model::{Config, tensor_names};

    use super::random::Rng;

    pub const LABELS: [&str; 3] = ["negative", "neutral", "positive"];

    /// `config.json` (a value, to edit) and `model.safetensors` of a random three-class model.
    pub fn files(seed: u64) -> (serde_json::Value, Vec<u8>) {
        let mut config: serde_json::Value = serde_json::from_slice(super::tiny::CONFIG).expect("config parses");
        config["name"] = "three-class-random".into();
        config["labels"] = serde_json::json!(LABELS);
        let parsed = Config::from_json(config.to_string().as_bytes()).expect("a valid three-class config");
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        // PyTorch's initial scale (`1/√H`), doubled so that gates leave their linear range, as `random_model`.
        let scale = 2.0 / (parsed.hidden_size as f32).sqrt();
        let tensors: Vec<_> = tensor_names(&parsed)
            .into_iter()
            .map(|(name, shape)| {
                let scale = if name == "embedding.weight" { 1.0 } else { scale };
                let values = (0..shape.iter().product()).map(|_| rng.next(scale)).collect();
                (name, shape, values)
            })
            .collect();
        (config, serialize(&tensors))
    }

    /// An analyzer over [`files`]`(seed)` and the tiny model's tokenizer.
    pub fn analyzer(seed: u64) -> sentir::Analyzer {
        let (config, weights) = files(seed);
        let config = serde_json::to_vec(&config).expect("serializes");
        sentir::Analyzer::from_bytes(&config, &weights, super::tiny::TOKENIZER).expect("the three-class model loads")
    }

    /// A safetensors file of `(name, shape, values)` f32 tensors.
    pub fn serialize(tensors: &[(String, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
        let bytes: Vec<Vec<u8>> =
            tensors.iter().map(|(_, _, values)| values.iter().flat_map(|v| v.to_le_bytes()).collect()).collect();
        let views = tensors.iter().zip(&bytes).map(|((name, shape, _), data)| {
            let view = safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), data);
            (name.clone(), view.expect("values fill the shape"))
        });
        safetensors::serialize(views, None).expect("serializes")
    }

    /// `L_s = z_s(positive) − z_s(negative)` after every prefix of `ids` (`T + 1` values), from the scalar
    /// reference's logits, in `f64`.
    pub fn reference_log_odds(analyzer: &sentir::Analyzer, ids: &[u32]) -> Vec<f64> {
        let config = analyzer.config();
        let (positive, negative) = (config.positive_index().expect("valid"), config.negative_index().expect("valid"));
        let trace = sentir::lstm::reference::forward(analyzer.model(), ids).expect("the reference runs");
        (0..=trace.steps)
            .map(|s| f64::from(trace.logits_at(s)[positive]) - f64::from(trace.logits_at(s)[negative]))
            .collect()
    }

    /// Checks `analysis`, `analyzer`'s analysis of `text` on some backend (`what`), against the scalar reference
    /// within [`super::KERNEL`]: every token's score is the prefix delta of the positive-versus-negative log-odds,
    /// the scores add up to the whole text's, and the probability after each token is the positive one over all
    /// labels.
    #[track_caller]
    pub fn assert_scores_match_reference(
        what: &str,
        analyzer: &sentir::Analyzer,
        text: &str,
        analysis: &sentir::Analysis,
    ) {
        let ids: Vec<u32> = analysis.tokens.iter().map(|t| t.id).collect();
        let odds = reference_log_odds(analyzer, &ids);
        let expected: Vec<f64> = odds.windows(2).map(|w| w[1] - w[0]).collect();
        let scores: Vec<f32> = analysis.tokens.iter().map(|t| t.score).collect();
        super::KERNEL.assert_close(&format!("{what}: scores of {text:?}"), &scores, &expected);
        let total: f32 = scores.iter().sum();
        let whole = odds.last().expect("T + 1 values") - odds[0];
        super::KERNEL.assert_close(&format!("{what}: the sum of the scores of {text:?}"), &[total], &[whole]);

        let positive = analyzer.config().positive_index().expect("valid");
        let trace = sentir::lstm::reference::forward(analyzer.model(), &ids).expect("the reference runs");
        let running: Vec<f64> = (1..=trace.steps).map(|s| softmax(trace.logits_at(s))[positive]).collect();
        let got: Vec<f32> = analysis.tokens.iter().map(|t| t.probability).collect();
        super::KERNEL.assert_close(&format!("{what}: running p(positive) of {text:?}"), &got, &running);
    }

    /// Softmax in `f64`, the expected values' precision.
    pub fn softmax(logits: &[f32]) -> Vec<f64> {
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exps: Vec<f64> = logits.iter().map(|&z| (f64::from(z) - f64::from(max)).exp()).collect();
        let sum: f64 = exps.iter().sum();
        exps.into_iter().map(|e| e / sum).collect()
    }
}

/// A model exported by `scripts/export.py`: its files and its PyTorch golden vectors.
macro_rules! exported_model {
    ($(#[$doc:meta])* $module:ident, $name:literal) => {
        $(#[$doc])*
        pub mod $module {
            pub const CONFIG: &[u8] = include_bytes!(concat!("../models/", $name, "/config.json"));
            pub const WEIGHTS: &[u8] = include_bytes!(concat!("../models/", $name, "/model.safetensors"));
            pub const TOKENIZER: &[u8] = include_bytes!(concat!("../models/", $name, "/tokenizer.json"));
            const GOLDEN: &str = include_str!(concat!("golden/", $name, ".json"));
            const TOKENIZER_GOLDEN: &str = include_str!(concat!("golden/", $name, "-tokenizer.json"));

            pub fn analyzer() -> sentir::Analyzer {
                sentir::Analyzer::from_bytes(CONFIG, WEIGHTS, TOKENIZER).expect(concat!($name, " loads"))
            }

            /// PyTorch's outputs (float64, from the exported weights) for held-out texts.
            pub fn golden() -> super::Golden<super::ParityCase> {
                serde_json::from_str(GOLDEN).expect(concat!("tests/golden/", $name, ".json parses"))
            }

            /// Python `tokenizers`' encodings of 50+ texts, spans widened as sentir widens them.
            pub fn tokenizer_golden() -> super::Golden<super::TokenizerCase> {
                serde_json::from_str(TOKENIZER_GOLDEN).expect(concat!("tests/golden/", $name, "-tokenizer.json parses"))
            }
        }
    };
}

exported_model!(
    /// The shipped model (`models/default` points at it): three labels, the tokenizer for posts, float16 weights.
    shipped,
    "sentir-en-posts"
);

exported_model!(
    /// The model shipped before, two labels trained on movie reviews: its tokenizer is the one the recipe writes out.
    movies,
    "sentir-en-lstm"
);

/// Golden vectors for one model (see `scripts/make-tiny-model.py` for how each field is computed).
#[derive(Debug, Deserialize)]
pub struct Golden<C = Case> {
    pub model: String,
    pub cases: Vec<C>,
}

/// What `scripts/export.py` records for one held-out text.
#[derive(Debug, Deserialize)]
pub struct ParityCase {
    pub text: String,
    pub ids: Vec<u32>,
    /// Per prefix (`T + 1` rows), per label.
    pub logits: Vec<Vec<f64>>,
    pub probabilities: Vec<f64>,
    pub label: String,
    pub running: Vec<f64>,
    pub scores: Vec<f64>,
}

/// One text as Python `tokenizers` encodes it.
#[derive(Debug, Deserialize)]
pub struct TokenizerCase {
    pub text: String,
    pub ids: Vec<u32>,
    pub byte_offsets: Vec<(usize, usize)>,
    pub word_ids: Vec<Option<u32>>,
}

/// One text and everything the reference implementation computed for it.
#[derive(Debug, Deserialize)]
pub struct Case {
    pub text: String,
    pub ids: Vec<u32>,
    pub pieces: Vec<String>,
    pub token_texts: Vec<String>,
    pub byte_offsets: Vec<(usize, usize)>,
    pub utf16_offsets: Vec<(usize, usize)>,
    pub word_ids: Vec<Option<u32>>,
    /// Per layer, per step, `[H]`.
    pub hidden: Vec<Vec<Vec<f64>>>,
    pub cell: Vec<Vec<Vec<f64>>>,
    /// Per prefix (`T + 1` rows), per label.
    pub logits: Vec<Vec<f64>>,
    pub probabilities: Vec<f64>,
    pub label: String,
    pub running: Vec<f64>,
    pub scores: Vec<f64>,
    pub words: Vec<GoldenWord>,
}

#[derive(Debug, Deserialize)]
pub struct GoldenWord {
    pub first_token: usize,
    pub token_count: usize,
    pub text: String,
    pub byte_offsets: (usize, usize),
    pub utf16_offsets: (usize, usize),
    pub score: f64,
}

/// Asserts that `tokenizer` encodes `expected.text` exactly as Python `tokenizers` did: ids, byte offsets, word ids.
#[track_caller]
pub fn assert_encodes_like_python(tokenizer: &sentir::tokenize::Tokenizer, expected: &TokenizerCase) {
    let encoding = tokenizer.encode(&expected.text).expect("encodes");
    assert_eq!(encoding.ids, expected.ids, "ids of {:?}", expected.text);
    assert_eq!(encoding.offsets, expected.byte_offsets, "byte offsets of {:?}", expected.text);
    assert_eq!(encoding.word_ids, expected.word_ids, "word ids of {:?}", expected.text);
}

/// Seeded random models, the same on every target.
pub mod random {
    use sentir::lstm::LstmLayer;
    use sentir::model::{Config, Head, Matrix, Model};

    /// xorshift64*: a few lines of seeded randomness, so the cases are the same on every target.
    #[derive(Debug)]
    pub struct Rng(pub u64);

    impl Rng {
        /// Uniform in [-scale, scale).
        pub fn next(&mut self, scale: f32) -> f32 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40; // 24 random bits
            (bits as f32 / (1u64 << 23) as f32 - 1.0) * scale
        }

        pub fn matrix(&mut self, rows: usize, cols: usize, scale: f32) -> Matrix {
            Matrix::new(rows, cols, (0..rows * cols).map(|_| self.next(scale)).collect()).expect("rows × cols values")
        }
    }

    /// A random model with PyTorch's initial scale (`1/√H`), doubled so that gates leave their linear range.
    pub fn random_model(seed: u64, vocab: usize, embedding: usize, hidden: usize, layers: usize) -> Model {
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

    /// Texts of random ids below `vocab`, one per length.
    pub fn random_batch(seed: u64, vocab: usize, lengths: &[usize]) -> Vec<Vec<u32>> {
        let mut rng = Rng(seed);
        lengths
            .iter()
            .map(|&len| (0..len).map(|_| ((rng.next(0.5) + 0.5) * vocab as f32) as u32 % vocab as u32).collect())
            .collect()
    }
}

/// The ids of a short text, an empty one and a long one with emoji and accents, under `analyzer`'s tokenizer.
pub fn sample_batch(analyzer: &sentir::Analyzer) -> Vec<Vec<u32>> {
    ["not good", "", "The acting was not good, but the music was wonderful. 👍🏽 ééé"]
        .iter()
        .map(|text| analyzer.tokenizer().encode(text).expect("encodes").ids)
        .collect()
}

/// Checks each trace of `batch` (one per text, from a fast forward pass) against the scalar reference within
/// [`KERNEL`]: logits, and every layer's hidden and cell states. `label` names the pass in messages.
#[track_caller]
pub fn assert_traces_match_reference(label: &str, model: &Model, batch: &[Vec<u32>], traces: &[sentir::lstm::Trace]) {
    assert_eq!(traces.len(), batch.len(), "{label}: one trace per text");
    let hidden = model.layers[0].hidden_size();
    for (text, (ids, got)) in batch.iter().zip(traces).enumerate() {
        let expected = sentir::lstm::reference::forward(model, ids).expect("the reference runs");
        let what = |part: &str| {
            format!("{label}, H={hidden} layers={} text {text} ({} tokens): {part}", model.layers.len(), ids.len())
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

/// How close a computed value must be to its reference: `|got - expected| <= abs + rel * |expected|`.
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    pub rel: f64,
    pub abs: f64,
}

/// Rust's `f32` forward pass against numpy's `f64` one, on the same `f32` weights.
pub const GOLDEN: Tolerance = Tolerance::rel_abs(1e-4, 1e-5);

/// The SIMD kernel (and later the WGSL shaders) against the scalar reference, on states and probabilities.
pub const KERNEL: Tolerance = Tolerance::rel_abs(1e-4, 1e-5);

/// The shipped model against PyTorch: probabilities and per-token scores within 1e-5.
pub const PARITY: Tolerance = Tolerance::rel_abs(0.0, 1e-5);

impl Tolerance {
    pub const fn rel_abs(rel: f64, abs: f64) -> Tolerance {
        Tolerance { rel, abs }
    }

    /// Panics naming `what`, the first index out of tolerance and the largest error, if any value is off.
    #[track_caller]
    pub fn assert_close(&self, what: &str, got: &[f32], expected: &[f64]) {
        assert_eq!(got.len(), expected.len(), "{what}: {} values, expected {}", got.len(), expected.len());
        let mut first_bad = None;
        let mut largest = 0.0f64;
        for (index, (&got, &expected)) in got.iter().zip(expected).enumerate() {
            let error = (f64::from(got) - expected).abs();
            largest = largest.max(error);
            // Written so that a NaN is out of tolerance.
            let within = error <= self.abs + self.rel * expected.abs();
            if first_bad.is_none() && !within {
                first_bad = Some((index, got, expected));
            }
        }
        if let Some((index, got, expected)) = first_bad {
            panic!(
                "{what}: index {index} is {got}, expected {expected} (largest error {largest:e}, tolerance rel {} abs {})",
                self.rel, self.abs
            );
        }
    }
}
