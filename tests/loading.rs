//! Bad model files are typed errors that name the problem, never panics.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use sentir::{Analyzer, Error};
use sentir_tests::tiny;

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
