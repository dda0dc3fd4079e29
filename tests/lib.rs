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
            .expect("a valid config")
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
        let trace = sentir::recurrent::reference::forward(analyzer.model(), ids).expect("the reference runs");
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
        let trace = sentir::recurrent::reference::forward(analyzer.model(), &ids).expect("the reference runs");
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

/// The tiny GRU model made by `scripts/make-gru-golden.py`: the tiny model's tokenizer, embedding size and head,
/// two GRU layers (its folder's config applies the reset gate after the recurrent product, PyTorch's way; the same
/// tensors run the other convention too), and PyTorch's golden vectors for both conventions.
pub mod tiny_gru {
    use sentir::model::{Cell, Reset};

    pub const CONFIG: &[u8] = include_bytes!("../models/tiny-gru/config.json");
    pub const WEIGHTS: &[u8] = include_bytes!("../models/tiny-gru/model.safetensors");
    const GOLDEN: &str = include_str!("golden/tiny-gru.json");

    /// Both conventions.
    pub const RESETS: [Reset; 2] = [Reset::After, Reset::Before];

    /// `config.json` with the reset gate applied `reset`.
    pub fn config(reset: Reset) -> Vec<u8> {
        let mut config: serde_json::Value = serde_json::from_slice(CONFIG).expect("config parses");
        if let serde_json::Value::Object(fields) = super::cell_fields(Cell::Gru(reset)) {
            config.as_object_mut().expect("an object").extend(fields);
        }
        serde_json::to_vec(&config).expect("serializes")
    }

    /// An analyzer over the tiny GRU model with the reset gate applied `reset`.
    pub fn analyzer(reset: Reset) -> sentir::Analyzer {
        sentir::Analyzer::from_bytes(&config(reset), WEIGHTS, super::tiny::TOKENIZER).expect("the tiny GRU loads")
    }

    /// PyTorch's outputs (float64, from the stored weights) for the convention `reset`, with every layer's states.
    pub fn golden(reset: Reset) -> Vec<super::ParityCase> {
        #[derive(serde::Deserialize)]
        struct Both {
            after: Vec<super::ParityCase>,
            before: Vec<super::ParityCase>,
        }
        let both: Both = serde_json::from_str(GOLDEN).expect("tests/golden/tiny-gru.json parses");
        let cases = match reset {
            Reset::After => both.after,
            Reset::Before => both.before,
        };
        assert!(cases.len() >= 8, "tests/golden/tiny-gru.json has only {} cases for {reset:?}", cases.len());
        cases
    }
}

/// The config fields that name `cell`: `gate_order`, and for a GRU `cell` and `reset_gate` (an LSTM's config
/// leaves them out, as every config from before GRUs does).
pub fn cell_fields(cell: sentir::model::Cell) -> serde_json::Value {
    use sentir::model::{Cell, Reset};
    let mut fields = serde_json::json!({ "gate_order": cell.gate_order() });
    if let Cell::Gru(reset) = cell {
        fields["cell"] = "gru".into();
        fields["reset_gate"] = match reset {
            Reset::After => "after",
            Reset::Before => "before",
        }
        .into();
    }
    fields
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
    /// The default model (`models/default` points at it): three labels, the tokenizer for posts, float16 weights.
    posts_distilled,
    "sentir-en-posts-distilled"
);

exported_model!(
    /// The default model before it (issue 22), kept for its GRU twin's comparison and the tokenizer tests.
    posts,
    "sentir-en-posts"
);

exported_model!(
    /// The posts model's GRU twin (issue 24's comparison): the same data and recipe, a GRU of 148 units.
    gru_posts,
    "sentir-en-posts-gru"
);

exported_model!(
    /// The first default model, two labels trained on movie reviews: its tokenizer is the one the recipe writes out.
    movies,
    "sentir-en-lstm"
);

/// Golden vectors for one model (see `scripts/make-tiny-model.py` for how each field is computed).
#[derive(Debug, Deserialize)]
pub struct Golden<C = Case> {
    pub model: String,
    pub cases: Vec<C>,
}

/// What `scripts/export.py` (and `scripts/make-gru-golden.py`) records for one held-out text.
#[derive(Debug, Deserialize)]
pub struct ParityCase {
    pub text: String,
    pub ids: Vec<u32>,
    /// Per layer, per step, `[H]`, where the golden file records them (the GRU's does).
    #[serde(default)]
    pub hidden: Vec<Vec<Vec<f64>>>,
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

/// Checks `analyzer` (called `what` in messages) against PyTorch's `cases` within [`PARITY`]: the scalar reference's
/// logits, and its hidden states where a case has them; the analysis's ids, label, probabilities, per-token scores
/// and running probabilities on the analyzer's backend.
#[track_caller]
pub fn assert_matches_pytorch(what: &str, analyzer: &sentir::Analyzer, cases: &[ParityCase]) {
    for case in cases {
        let text = format!("{what}: {:?}", case.text);
        let trace = sentir::recurrent::reference::forward(analyzer.model(), &case.ids).expect("runs");
        PARITY.assert_close(&format!("logits of {text}"), &trace.logits, &case.logits.concat());
        if !case.hidden.is_empty() {
            assert_eq!(trace.hidden.len(), case.hidden.len(), "layers of {text}");
            for (layer, (got, expected)) in trace.hidden.iter().zip(&case.hidden).enumerate() {
                PARITY.assert_close(&format!("h of layer {layer} for {text}"), got, &expected.concat());
            }
        }

        let analysis = analyzer.analyze(&case.text).expect("analyzes");
        let ids: Vec<u32> = analysis.tokens.iter().map(|t| t.id).collect();
        assert_eq!(ids, case.ids, "ids of {text}");
        assert_eq!(analysis.label, case.label, "label of {text}");
        let probabilities: Vec<f32> = analysis.probabilities.0.iter().map(|&(_, p)| p).collect();
        PARITY.assert_close(&format!("probabilities of {text}"), &probabilities, &case.probabilities);
        let scores: Vec<f32> = analysis.tokens.iter().map(|t| t.score).collect();
        PARITY.assert_close(&format!("scores of {text}"), &scores, &case.scores);
        let running: Vec<f32> = analysis.tokens.iter().map(|t| t.probability).collect();
        PARITY.assert_close(&format!("running probabilities of {text}"), &running, &case.running);
    }
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
    use sentir::model::{Cell, Config, GruLayer, Head, Layer, LstmLayer, Matrix, Model, Pooling, Reset};

    /// Every cell the kernels run: the LSTM, and the GRU with its reset gate after and before the product.
    pub const CELLS: [Cell; 3] = [Cell::Lstm, Cell::Gru(Reset::After), Cell::Gru(Reset::Before)];

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

    /// A random LSTM model with PyTorch's initial scale (`1/√H`), doubled so that gates leave their linear range.
    pub fn random_model(seed: u64, vocab: usize, embedding: usize, hidden: usize, layers: usize) -> Model {
        random_model_of(Cell::Lstm, seed, vocab, embedding, hidden, layers)
    }

    /// [`random_model`] with layers of `cell`.
    pub fn random_model_of(
        cell: Cell,
        seed: u64,
        vocab: usize,
        embedding: usize,
        hidden: usize,
        layers: usize,
    ) -> Model {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut config = serde_json::json!({
            "format_version": 1, "name": "random", "vocab_size": vocab, "embedding_size": embedding,
            "hidden_size": hidden, "num_layers": layers, "direction": "forward",
            "labels": ["negative", "positive", "neutral"], "positive_label": "positive",
            "max_length": 64, "tokenizer": "tokenizer.json", "weights": "model.safetensors", "dtype": "f32"
        });
        if let serde_json::Value::Object(fields) = super::cell_fields(cell) {
            config.as_object_mut().expect("an object").extend(fields);
        }
        let config = Config::from_json(config.to_string().as_bytes()).expect("a valid config");
        let scale = 2.0 / (hidden as f32).sqrt();
        let embedding_matrix = rng.matrix(vocab, embedding, 1.0);
        let rows = cell.gates() * hidden;
        let layers = (0..layers)
            .map(|l| {
                let weight_ih = rng.matrix(rows, if l == 0 { embedding } else { hidden }, scale);
                let weight_hh = rng.matrix(rows, hidden, scale);
                let mut bias = || (0..rows).map(|_| rng.next(scale)).collect();
                match cell {
                    Cell::Lstm => Layer::Lstm(LstmLayer { weight_ih, weight_hh, bias: bias() }),
                    Cell::Gru(reset) => {
                        Layer::Gru(GruLayer { reset, weight_ih, weight_hh, bias_ih: bias(), bias_hh: bias() })
                    }
                }
            })
            .collect();
        let head = Head::last(rng.matrix(3, hidden, scale), (0..3).map(|_| rng.next(scale)).collect());
        Model { config, embedding: embedding_matrix, layers, head }
    }

    /// A random head over `hidden` units that pools over the steps ([`Pooling::Concat`], three labels), as an
    /// adapted head is.
    pub fn concat_head(seed: u64, hidden: usize) -> Head {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let scale = 2.0 / (hidden as f32).sqrt();
        let (weight, bias) = (rng.matrix(3, 3 * hidden, scale), (0..3).map(|_| rng.next(scale)).collect());
        Head { weight, bias, pooling: Pooling::Concat }
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
pub fn assert_traces_match_reference(
    label: &str,
    model: &Model,
    batch: &[Vec<u32>],
    traces: &[sentir::recurrent::Trace],
) {
    assert_eq!(traces.len(), batch.len(), "{label}: one trace per text");
    let (hidden, cell) = (model.layers[0].hidden_size(), model.layers[0].cell());
    for (text, (ids, got)) in batch.iter().zip(traces).enumerate() {
        let expected = sentir::recurrent::reference::forward(model, ids).expect("the reference runs");
        let what = |part: &str| {
            let layers = model.layers.len();
            format!("{label}, {cell:?} H={hidden} layers={layers} text {text} ({} tokens): {part}", ids.len())
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

/// The exported models and the tiny GRU against PyTorch: logits, states, probabilities and per-token scores within
/// 1e-5.
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
