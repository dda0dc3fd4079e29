//! `config.json`: the model's shape, labels and files (format v1, specified in `models/README.md`).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// The largest size any dimension may have: far above any model sentir runs, and small enough that no size
/// computation overflows.
pub const MAX_DIMENSION: usize = 1 << 24;

/// The gate order of the fused LSTM weights; fixed by format v1 (PyTorch's order).
pub const GATE_ORDER: [&str; 4] = ["i", "f", "g", "o"];

/// A model's `config.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Always [`FORMAT_VERSION`] for a model this build loads.
    pub format_version: u64,
    /// A short name shown to users, for example in the page's status line.
    pub name: String,
    /// Rows of the embedding; must equal the tokenizer's vocabulary size.
    pub vocab_size: usize,
    /// Columns of the embedding, the input size of the first LSTM layer.
    pub embedding_size: usize,
    /// Hidden (and cell) state size of every LSTM layer.
    pub hidden_size: usize,
    /// Stacked LSTM layers; layer `l > 0` reads layer `l - 1`'s hidden states.
    pub num_layers: usize,
    /// `"forward"`: format v1 has unidirectional LSTMs only, so every prefix has a prediction of its own.
    pub direction: String,
    /// Class names, in the order of the head's rows.
    pub labels: Vec<String>,
    /// The label whose log-odds per-token scores measure.
    pub positive_label: String,
    /// `["i", "f", "g", "o"]`: the order of the four gates in the fused weights.
    pub gate_order: Vec<String>,
    /// The most tokens one text may have.
    pub max_length: usize,
    /// The tokenizer file, relative to the model folder.
    pub tokenizer: String,
    /// The weights file, relative to the model folder.
    pub weights: String,
    /// `"f32"`: the dtype of every tensor in the weights file.
    pub dtype: String,
}

impl Config {
    /// Parses and validates `config.json`.
    ///
    /// The version is read first, on its own, so that a model from a newer format gets a version error rather
    /// than a complaint about a field this build has never heard of.
    pub fn from_json(bytes: &[u8]) -> Result<Config> {
        #[derive(Deserialize)]
        struct Version {
            format_version: u64,
        }
        let Version { format_version } = serde_json::from_slice(bytes).map_err(Error::config)?;
        if format_version != FORMAT_VERSION {
            return Err(Error::FormatVersion { found: format_version, supported: FORMAT_VERSION });
        }
        let config: Config = serde_json::from_slice(bytes).map_err(Error::config)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<()> {
        let unsupported = |field, found: &dyn std::fmt::Debug, expected: &str| Error::Unsupported {
            field,
            found: format!("{found:?}"),
            expected: expected.to_owned(),
        };
        if self.direction != "forward" {
            return Err(unsupported("direction", &self.direction, "\"forward\""));
        }
        if self.gate_order != GATE_ORDER {
            return Err(unsupported("gate_order", &self.gate_order, "[\"i\", \"f\", \"g\", \"o\"]"));
        }
        if self.dtype != "f32" {
            return Err(unsupported("dtype", &self.dtype, "\"f32\""));
        }
        for (field, value) in [
            ("vocab_size", self.vocab_size),
            ("embedding_size", self.embedding_size),
            ("hidden_size", self.hidden_size),
            ("num_layers", self.num_layers),
            ("max_length", self.max_length),
        ] {
            if value == 0 || value > MAX_DIMENSION {
                return Err(unsupported(field, &value, "a positive number of at most 2^24"));
            }
        }
        // The files must sit in the model folder: a path could otherwise read any file (or a device) on the machine.
        for (field, name) in [("tokenizer", &self.tokenizer), ("weights", &self.weights)] {
            let plain = !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != "..";
            if !plain {
                return Err(unsupported(field, name, "a file name in the model folder, without a path"));
            }
        }
        if self.labels.len() < 2 {
            return Err(unsupported("labels", &self.labels, "at least two labels"));
        }
        if self.positive_index().is_none() {
            return Err(unsupported("positive_label", &self.positive_label, "one of `labels`"));
        }
        Ok(())
    }

    /// The row of the head that belongs to [`Config::positive_label`].
    pub fn positive_index(&self) -> Option<usize> {
        self.labels.iter().position(|label| *label == self.positive_label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> serde_json::Value {
        serde_json::json!({
            "format_version": 1, "name": "t", "vocab_size": 10, "embedding_size": 3, "hidden_size": 2,
            "num_layers": 1, "direction": "forward", "labels": ["negative", "positive"],
            "positive_label": "positive", "gate_order": ["i", "f", "g", "o"], "max_length": 16,
            "tokenizer": "tokenizer.json", "weights": "model.safetensors", "dtype": "f32"
        })
    }

    fn check(edit: impl FnOnce(&mut serde_json::Value), expected: &str) {
        let mut value = tiny();
        edit(&mut value);
        let result = Config::from_json(value.to_string().as_bytes());
        let got = match result {
            Ok(_) => "ok".to_owned(),
            Err(error) => error.to_string(),
        };
        assert!(got.contains(expected), "expected {expected:?} in {got:?}");
    }

    #[test]
    fn valid_config_loads() {
        check(|_| {}, "ok");
    }

    #[test]
    fn newer_version_is_a_version_error_even_with_new_fields() {
        check(
            |v| {
                v["format_version"] = 2.into();
                v["something_new"] = true.into();
            },
            "format_version 2",
        );
    }

    #[test]
    fn unsupported_values_are_named() {
        check(|v| v["direction"] = "bidirectional".into(), "`direction`");
        check(|v| v["gate_order"] = serde_json::json!(["i", "g", "f", "o"]), "`gate_order`");
        check(|v| v["dtype"] = "f16".into(), "`dtype`");
        check(|v| v["hidden_size"] = 0.into(), "`hidden_size`");
        check(|v| v["positive_label"] = "happy".into(), "`positive_label`");
        check(|v| v["labels"] = serde_json::json!(["only"]), "`labels`");
        check(|v| v["hidden_size"] = (1u64 << 62).into(), "`hidden_size`");
        check(|v| v["weights"] = "/dev/zero".into(), "`weights`");
        check(|v| v["tokenizer"] = "../tokenizer.json".into(), "`tokenizer`");
        check(|v| v["tokenizer"] = "..".into(), "`tokenizer`");
    }

    #[test]
    fn malformed_json_is_a_config_error() {
        let error = Config::from_json(b"{ not json").unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{error:?}");
        let error = Config::from_json(br#"{"format_version": 1}"#).unwrap_err();
        assert!(error.to_string().contains("missing field"), "{error}");
    }
}
