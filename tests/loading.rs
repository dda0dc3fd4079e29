//! Bad model files are typed errors that name the problem, never panics.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use half::f16;
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use sentir::model::{Cell, Layer, Model, tensor_names};
use sentir::{Analyzer, Error};
use sentir_tests::{three_class, tiny, tiny_gru};

/// The three files of a model, edited from the tiny model's.
struct Files {
    config: serde_json::Value,
    weights: Vec<u8>,
    tokenizer: Vec<u8>,
}

impl Files {
    fn tiny() -> Files {
        Files {
            config: serde_json::from_slice(tiny::CONFIG).expect("config parses"),
            weights: tiny::WEIGHTS.to_vec(),
            tokenizer: tiny::TOKENIZER.to_vec(),
        }
    }

    /// The tiny GRU model (reset gate after the product), which shares the tiny model's tokenizer.
    fn tiny_gru() -> Files {
        Files {
            config: serde_json::from_slice(tiny_gru::CONFIG).expect("config parses"),
            weights: tiny_gru::WEIGHTS.to_vec(),
            tokenizer: tiny::TOKENIZER.to_vec(),
        }
    }

    /// Rewrites the weights file through `edit` on its `(name, dtype, shape, bytes)` tensors.
    fn edit_tensors(mut self, edit: impl FnOnce(&mut Vec<(String, Dtype, Vec<usize>, Vec<u8>)>)) -> Files {
        let file = SafeTensors::deserialize(&self.weights).expect("tiny weights parse");
        let mut tensors: Vec<_> = file
            .tensors()
            .into_iter()
            .map(|(name, view)| (name, view.dtype(), view.shape().to_vec(), view.data().to_vec()))
            .collect();
        edit(&mut tensors);
        let views = tensors.iter().map(|(name, dtype, shape, data)| {
            (name.clone(), TensorView::new(*dtype, shape.clone(), data).expect("consistent tensor"))
        });
        self.weights = safetensors::serialize(views, None).expect("serializes");
        self
    }

    /// The tiny model stored as float16: every tensor rounded to the nearest `f16`, and `dtype` `"f16"`.
    fn tiny_f16() -> Files {
        let mut files = Files::tiny().edit_tensors(|tensors| tensors.iter_mut().for_each(round_to_f16));
        files.config["dtype"] = "f16".into();
        files
    }

    #[track_caller]
    fn load(&self) -> Analyzer {
        let config = serde_json::to_vec(&self.config).expect("serializes");
        Analyzer::from_bytes(&config, &self.weights, &self.tokenizer).expect("loads")
    }

    /// Loads the files and returns the error's message, asserting that it contains each of `expected`.
    #[track_caller]
    fn fails_with(&self, expected: &[&str]) -> Error {
        let config = serde_json::to_vec(&self.config).expect("serializes");
        let error = Analyzer::from_bytes(&config, &self.weights, &self.tokenizer).expect_err("must not load");
        let message = error.to_string();
        for part in expected {
            assert!(message.contains(part), "expected {part:?} in the message {message:?}");
        }
        error
    }
}

fn tensor<'a>(
    tensors: &'a mut [(String, Dtype, Vec<usize>, Vec<u8>)],
    name: &str,
) -> &'a mut (String, Dtype, Vec<usize>, Vec<u8>) {
    tensors.iter_mut().find(|t| t.0 == name).expect("tensor exists")
}

/// Stores an F32 tensor as F16, each value rounded to the nearest `f16` (ties to even).
fn round_to_f16(tensor: &mut (String, Dtype, Vec<usize>, Vec<u8>)) {
    assert_eq!(tensor.1, Dtype::F32, "`{}` is stored as F32", tensor.0);
    tensor.1 = Dtype::F16;
    tensor.3 = tensor
        .3
        .chunks_exact(4)
        .flat_map(|b| f16::from_f32(f32::from_le_bytes(b.try_into().expect("4 bytes"))).to_le_bytes())
        .collect();
}

/// Every tensor of a weights file as `(name, shape, values)`, F16 values expanded one at a time by `f16::to_f32`
/// (not by the slice conversion the loader uses).
fn stored_values(weights: &[u8]) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let file = SafeTensors::deserialize(weights).expect("weights parse");
    file.tensors()
        .into_iter()
        .map(|(name, view)| {
            let values = match view.dtype() {
                Dtype::F16 => view.data().chunks_exact(2).map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
                Dtype::F32 => {
                    view.data().chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect()
                }
                other => panic!("`{name}` is stored as {other:?}"),
            };
            (name, view.shape().to_vec(), values)
        })
        .collect()
}

/// A loaded model's tensors under their format v1 names.
fn loaded_values(model: &Model) -> Vec<(String, &[f32])> {
    let mut values = vec![model.embedding.as_slice()];
    for layer in &model.layers {
        match layer {
            Layer::Lstm(layer) => {
                values.extend([layer.weight_ih.as_slice(), layer.weight_hh.as_slice(), layer.bias.as_slice()])
            }
            Layer::Gru(layer) => values.extend([
                layer.weight_ih.as_slice(),
                layer.weight_hh.as_slice(),
                layer.bias_ih.as_slice(),
                layer.bias_hh.as_slice(),
            ]),
        }
    }
    values.extend([model.head.weight.as_slice(), model.head.bias.as_slice()]);
    let names = tensor_names(&model.config).expect("a valid config");
    assert_eq!(names.len(), values.len(), "a value list per tensor name");
    names.into_iter().map(|(name, _)| name).zip(values).collect()
}

/// Asserts that `got` and `expected` hold the same bits, naming the first index where they differ.
#[track_caller]
fn assert_same_bits(what: &str, got: &[f32], expected: &[f32]) {
    assert_eq!(got.len(), expected.len(), "{what}: lengths differ");
    if let Some(i) = got.iter().zip(expected).position(|(g, e)| g.to_bits() != e.to_bits()) {
        panic!("{what}: index {i} is {:e}, expected {:e} (of {} values)", got[i], expected[i], got.len());
    }
}

#[test]
fn the_tiny_model_loads() {
    let files = Files::tiny();
    let config = serde_json::to_vec(&files.config).expect("serializes");
    assert!(Analyzer::from_bytes(&config, &files.weights, &files.tokenizer).is_ok());
}

#[test]
fn a_shape_mismatch_names_the_tensor_and_both_shapes() {
    let mut files = Files::tiny();
    files.config["hidden_size"] = 5.into();
    let error = files.fails_with(&["lstm.0.weight_ih", "[24, 8]", "[20, 8]"]);
    assert!(matches!(error, Error::TensorShape { .. }), "{error:?}");
}

#[test]
fn a_wrong_dtype_names_the_tensor() {
    let files = Files::tiny().edit_tensors(|tensors| {
        let (_, dtype, _, data) = tensor(tensors, "head.bias");
        *dtype = Dtype::F64;
        *data = [data.clone(), data.clone()].concat();
    });
    let error = files.fails_with(&["head.bias", "F64", "F32"]);
    assert!(matches!(error, Error::TensorDtype { .. }), "{error:?}");
}

#[test]
fn a_missing_or_unexpected_tensor_is_named() {
    let missing = Files::tiny().edit_tensors(|tensors| tensors.retain(|t| t.0 != "lstm.1.bias"));
    assert!(matches!(missing.fails_with(&["lstm.1.bias"]), Error::MissingTensor { .. }));

    let extra = Files::tiny().edit_tensors(|tensors| {
        let bias = tensor(tensors, "head.bias").clone();
        tensors.push(("head.extra".to_owned(), bias.1, bias.2, bias.3));
    });
    assert!(matches!(extra.fails_with(&["head.extra"]), Error::UnexpectedTensor { .. }));
}

#[test]
fn a_non_finite_weight_is_named() {
    let files = Files::tiny().edit_tensors(|tensors| {
        tensor(tensors, "lstm.0.bias").3[4..8].copy_from_slice(&f32::NAN.to_le_bytes());
    });
    assert!(matches!(files.fails_with(&["lstm.0.bias", "index 1"]), Error::NonFinite { .. }));
}

#[test]
fn a_truncated_weights_file_is_a_weights_error() {
    let mut files = Files::tiny();
    for keep in [0, 7, 100, files.weights.len() / 2, files.weights.len() - 1] {
        files.weights = tiny::WEIGHTS[..keep].to_vec();
        assert!(matches!(files.fails_with(&["safetensors"]), Error::Weights { .. }), "truncated to {keep}");
    }
}

#[test]
fn an_unknown_format_version_is_rejected() {
    let mut files = Files::tiny();
    files.config["format_version"] = 7.into();
    assert!(matches!(files.fails_with(&["format_version 7", "version 1"]), Error::FormatVersion { found: 7, .. }));
}

#[test]
fn a_tokenizer_that_does_not_parse_or_does_not_match_is_rejected() {
    let mut files = Files::tiny();
    files.tokenizer = b"{\"not\": \"a tokenizer\"}".to_vec();
    assert!(matches!(files.fails_with(&["tokenizer.json"]), Error::Tokenizer { .. }));

    let mut files = Files::tiny();
    let vocab_size = files.config["vocab_size"].as_u64().expect("a number");
    files.config["vocab_size"] = (vocab_size + 1).into();
    let error = files.fails_with(&["vocab_size", &vocab_size.to_string()]);
    assert!(matches!(error, Error::VocabMismatch { .. }), "{error:?}");
}

/// Found by `cargo fuzz run load_model` (fuzz/): a JSON syntax error inside the `decoder` value made tokenizers
/// 0.23.2 panic (`expect("Helper")`) instead of returning an error.
#[test]
fn a_syntax_error_in_the_tokenizers_decoder_is_an_error_not_a_panic() {
    let mut files = Files::tiny();
    let text = String::from_utf8(files.tokenizer).expect("UTF-8");
    assert!(text.contains(r#""decoder": null"#), "the tiny tokenizer has no decoder");
    files.tokenizer = text.replace(r#""decoder": null"#, r#""decoder": oull"#).into_bytes();
    let error = files.fails_with(&["tokenizer.json", "expected value"]);
    assert!(matches!(error, Error::Tokenizer { .. }), "{error:?}");
}

/// tokenizers 0.23.2 panics on a `Precompiled` normalizer whose charsmap does not parse (upstream #2156): refused
/// with an error instead, on its own and inside a `Sequence`.
#[test]
fn a_precompiled_normalizer_that_does_not_parse_is_an_error_not_a_panic() {
    for charsmap in ["AAAA", "!!not base64", ""] {
        for nested in [false, true] {
            let mut files = Files::tiny();
            let mut tokenizer: serde_json::Value = serde_json::from_slice(&files.tokenizer).expect("parses");
            let precompiled = serde_json::json!({ "type": "Precompiled", "precompiled_charsmap": charsmap });
            tokenizer["normalizer"] = if nested {
                serde_json::json!({ "type": "Sequence", "normalizers": [{ "type": "Lowercase" }, precompiled] })
            } else {
                precompiled
            };
            files.tokenizer = serde_json::to_vec(&tokenizer).expect("serializes");
            let error = files.fails_with(&["tokenizer.json", "Precompiled"]);
            assert!(matches!(error, Error::Tokenizer { .. }), "{error:?}");
        }
    }
}

#[test]
fn an_invalid_config_is_a_config_error() {
    let mut files = Files::tiny();
    files.config = serde_json::json!({ "format_version": 1, "name": "x" });
    assert!(matches!(files.fails_with(&["config.json", "missing field"]), Error::Config { .. }));
}

#[test]
fn truncation_and_padding_in_tokenizer_json_are_turned_off() {
    // A stride as large as max_length made tokenizers panic on any longer text; padding would add fake steps.
    let mut tokenizer: serde_json::Value = serde_json::from_slice(tiny::TOKENIZER).expect("parses");
    tokenizer["truncation"] =
        serde_json::json!({ "direction": "Right", "max_length": 2, "strategy": "LongestFirst", "stride": 2 });
    tokenizer["padding"] = serde_json::json!({
        "strategy": { "Fixed": 16 }, "direction": "Right", "pad_to_multiple_of": null,
        "pad_id": 0, "pad_type_id": 0, "pad_token": "[UNK]"
    });
    let tokenizer = serde_json::to_vec(&tokenizer).expect("serializes");
    let analyzer = Analyzer::from_bytes(tiny::CONFIG, tiny::WEIGHTS, &tokenizer).expect("loads");
    let analysis = analyzer.analyze("good good good good").expect("analyzes");
    assert_eq!(analysis.tokens.len(), 4);
}

#[test]
fn model_files_must_be_in_the_model_folder() {
    let mut files = Files::tiny();
    files.config["weights"] = "../../etc/passwd".into();
    assert!(matches!(files.fails_with(&["`weights`", "without a path"]), Error::Unsupported { .. }));
}

#[test]
fn text_too_large_to_tokenize_is_refused_before_tokenizing() {
    let analyzer = tiny::analyzer();
    let max_bytes = analyzer.config().max_length * sentir::MAX_BYTES_PER_TOKEN;
    let error = analyzer.analyze(&"a".repeat(max_bytes + 1)).expect_err("too large");
    assert!(matches!(error, Error::TooLarge { bytes, max } if bytes == max_bytes + 1 && max == max_bytes), "{error:?}");
}

#[test]
fn an_f16_model_loads_as_its_stored_values_expanded_to_f32() {
    let files = Files::tiny_f16();
    let analyzer = files.load();
    let stored = stored_values(&files.weights);
    let loaded = loaded_values(analyzer.model());
    assert_eq!(loaded.len(), stored.len());
    for (name, got) in loaded {
        let (_, _, expected) = stored.iter().find(|(stored, _, _)| *stored == name).expect("every tensor is stored");
        assert_same_bits(&name, got, expected);
    }

    // The comparison means something only if rounding to f16 changed weights.
    let original = stored_values(tiny::WEIGHTS);
    let changed = stored
        .iter()
        .filter(|(name, _, values)| original.iter().any(|(other, _, before)| other == name && before != values));
    assert!(changed.count() > 0, "rounding to f16 changed no tensor of the tiny model");
}

#[test]
fn an_f16_model_analyzes_bit_for_bit_like_the_f32_model_of_its_expanded_values() {
    let halves = Files::tiny_f16();
    // The tiny model's config (`dtype` `"f32"`) over the same values, stored as F32.
    let floats = Files { weights: three_class::serialize(&stored_values(&halves.weights)), ..Files::tiny() };
    let (halves, floats) = (halves.load(), floats.load());
    let texts: Vec<String> = tiny::golden().cases.into_iter().map(|case| case.text).collect();
    // serde_json writes every f32 as the shortest digits that read back as its bits, so equal JSON is equal bits.
    let json = |analyses: &[sentir::Analysis]| serde_json::to_string(analyses).expect("serializes");
    for text in &texts {
        let (a, b) = (halves.analyze(text).expect("analyzes"), floats.analyze(text).expect("analyzes"));
        assert_eq!(json(&[a]), json(&[b]), "the analyses of {text:?}");
    }
    let (a, b) = (halves.analyze_batch(&texts).expect("analyzes"), floats.analyze_batch(&texts).expect("analyzes"));
    assert_eq!(json(&a), json(&b), "the batch's analyses");
}

#[test]
fn a_tensor_stored_in_the_other_dtype_names_the_tensor_and_both_dtypes() {
    // An F32 tensor in an f16 model.
    let mut files = Files::tiny().edit_tensors(|tensors| {
        tensors.iter_mut().filter(|t| t.0 != "lstm.1.weight_hh").for_each(round_to_f16);
    });
    files.config["dtype"] = "f16".into();
    let error = files.fails_with(&["`lstm.1.weight_hh` is stored as F32", "weights are F16"]);
    assert!(
        matches!(&error, Error::TensorDtype { name, expected, found }
            if name == "lstm.1.weight_hh" && expected == "F16" && found == "F32"),
        "{error:?}"
    );

    // An F16 tensor in an f32 model.
    let files = Files::tiny().edit_tensors(|tensors| round_to_f16(tensor(tensors, "embedding.weight")));
    let error = files.fails_with(&["`embedding.weight` is stored as F16", "weights are F32"]);
    assert!(
        matches!(&error, Error::TensorDtype { name, expected, found }
            if name == "embedding.weight" && expected == "F32" && found == "F16"),
        "{error:?}"
    );
}

#[test]
fn a_non_finite_f16_weight_is_named() {
    for value in [f16::INFINITY, f16::NEG_INFINITY, f16::NAN] {
        let files = Files::tiny_f16().edit_tensors(|tensors| {
            tensor(tensors, "head.weight").3[6..8].copy_from_slice(&value.to_le_bytes());
        });
        let error = files.fails_with(&["head.weight", "index 3"]);
        assert!(matches!(&error, Error::NonFinite { name, index: 3 } if name == "head.weight"), "{value}: {error:?}");
    }
}

#[test]
fn an_unknown_dtype_is_an_unsupported_field() {
    let mut files = Files::tiny();
    files.config["dtype"] = "bf16".into();
    let error = files.fails_with(&["`dtype`", "\"bf16\"", "\"f32\" or \"f16\""]);
    assert!(matches!(error, Error::Unsupported { field: "dtype", .. }), "{error:?}");

    // A config made in code, never validated, gets the same error from the weights loader, not f32 by default.
    let mut config = tiny::analyzer().config().clone();
    config.dtype = "bf16".into();
    let error = Model::from_config(config, tiny::WEIGHTS).expect_err("must not load");
    assert!(matches!(error, Error::Unsupported { field: "dtype", .. }), "{error:?}");
}

#[test]
fn an_old_config_without_a_cell_loads_as_an_lstm() {
    let files = Files::tiny();
    assert!(
        files.config.get("cell").is_none() && files.config.get("reset_gate").is_none(),
        "a config from before GRUs"
    );
    let old = files.load();
    assert_eq!(old.config().cell().ok(), Some(Cell::Lstm));
    assert!(old.model().layers.iter().all(|layer| matches!(layer, Layer::Lstm(_))));

    // Saying so changes nothing.
    let mut explicit = Files::tiny();
    explicit.config["cell"] = "lstm".into();
    let explicit = explicit.load();
    let text = "The acting was not good, but the music was wonderful.";
    assert_eq!(explicit.analyze(text).expect("analyzes"), old.analyze(text).expect("analyzes"));
}

#[test]
fn a_gru_config_loads_its_tensors_as_stored() {
    for reset in tiny_gru::RESETS {
        let analyzer = tiny_gru::analyzer(reset);
        assert_eq!(analyzer.config().cell().ok(), Some(Cell::Gru(reset)));
        assert!(analyzer.model().layers.iter().all(|layer| layer.cell() == Cell::Gru(reset)));
        let stored = stored_values(tiny_gru::WEIGHTS);
        let loaded = loaded_values(analyzer.model());
        assert_eq!(loaded.len(), stored.len());
        assert!(loaded.iter().any(|(name, _)| name == "gru.1.bias_hh"), "both biases of every layer");
        for (name, got) in loaded {
            let (_, _, expected) =
                stored.iter().find(|(stored, _, _)| *stored == name).expect("every tensor is stored");
            assert_same_bits(&name, got, expected);
        }
    }
}

#[test]
fn a_bad_cell_or_reset_gate_is_an_unsupported_field_that_names_it() {
    let gru = |edit: fn(&mut serde_json::Value)| {
        let mut files = Files::tiny_gru();
        edit(&mut files.config);
        files
    };
    let lstm = |edit: fn(&mut serde_json::Value)| {
        let mut files = Files::tiny();
        edit(&mut files.config);
        files
    };
    for (files, field, expected) in [
        (lstm(|c| c["cell"] = "rnn".into()), "cell", &["`cell` is \"rnn\"", "\"lstm\" or \"gru\""][..]),
        (lstm(|c| c["cell"] = "LSTM".into()), "cell", &["`cell` is \"LSTM\""]),
        (lstm(|c| c["reset_gate"] = "after".into()), "reset_gate", &["`reset_gate` is \"after\"", "only a GRU"]),
        (gru(|c| c["reset_gate"] = "sometimes".into()), "reset_gate", &["\"sometimes\"", "\"after\"", "\"before\""]),
        (
            gru(|c| drop(c.as_object_mut().and_then(|c| c.remove("reset_gate")))),
            "reset_gate",
            &["`reset_gate` is missing"],
        ),
        (
            gru(|c| c["gate_order"] = serde_json::json!(["i", "f", "g", "o"])),
            "gate_order",
            &["[\"r\", \"z\", \"n\"] for gru"],
        ),
        (lstm(|c| c["gate_order"] = serde_json::json!(["r", "z", "n"])), "gate_order", &["for lstm"]),
    ] {
        let error = files.fails_with(expected);
        assert!(matches!(&error, Error::Unsupported { field: f, .. } if *f == field), "{error:?}");
    }

    // A config made in code, never validated, gets the same error from the weights loader.
    let mut config = tiny::analyzer().config().clone();
    config.cell = Some("rnn".into());
    let error = Model::from_config(config, tiny::WEIGHTS).expect_err("must not load");
    assert!(matches!(error, Error::Unsupported { field: "cell", .. }), "{error:?}");
}

#[test]
fn a_cell_whose_tensors_the_weights_file_lacks_names_the_first_missing_tensor() {
    let lstm_weights = Files { weights: tiny::WEIGHTS.to_vec(), ..Files::tiny_gru() };
    assert!(matches!(lstm_weights.fails_with(&["gru.0.weight_ih"]), Error::MissingTensor { .. }));
    let gru_weights = Files { weights: tiny_gru::WEIGHTS.to_vec(), ..Files::tiny() };
    assert!(matches!(gru_weights.fails_with(&["lstm.0.weight_ih"]), Error::MissingTensor { .. }));
    // A GRU needs both biases: one alone is PyTorch's layout half converted.
    let one_bias = Files::tiny_gru().edit_tensors(|tensors| tensors.retain(|t| t.0 != "gru.1.bias_hh"));
    assert!(matches!(one_bias.fails_with(&["gru.1.bias_hh"]), Error::MissingTensor { .. }));
}
