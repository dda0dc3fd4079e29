//! `config.json`: the model's shape, labels and files (format v1, specified in `models/README.md`).

use safetensors::Dtype;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// The largest size any dimension may have: far above any model sentir runs, and small enough that no size
/// computation overflows.
pub const MAX_DIMENSION: usize = 1 << 24;

/// The recurrent cell of every layer: the config's `cell`, and for a GRU its `reset_gate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// `"lstm"`, and a config without `cell` (every model from before GRUs).
    Lstm,
    /// `"gru"`, with where its reset gate applies.
    Gru(Reset),
}

/// Where a GRU's reset gate `r` applies to the candidate `n` (the two conventions, equations in
/// [`crate::recurrent`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    /// `"after"` the recurrent product, `r ⊙ (W_hn · h + b_hn)`: PyTorch's `nn.GRU` and Keras's `reset_after=True`
    /// (both frameworks' default).
    After,
    /// `"before"` it, `W_hn · (r ⊙ h) + b_hn`: the original GRU, Keras's `reset_after=False`.
    Before,
}

impl Cell {
    /// The order of the gates stacked in the fused weights; fixed by format v1 for each cell (PyTorch's orders).
    pub fn gate_order(self) -> &'static [&'static str] {
        match self {
            Cell::Lstm => &["i", "f", "g", "o"],
            Cell::Gru(_) => &["r", "z", "n"],
        }
    }

    /// Gates per hidden unit: the rows of the fused weights are this many times `H`.
    pub fn gates(self) -> usize {
        self.gate_order().len()
    }

    /// The config's name of the cell, which is also the prefix of its tensors' names.
    pub fn name(self) -> &'static str {
        match self {
            Cell::Lstm => "lstm",
            Cell::Gru(_) => "gru",
        }
    }
}

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
    /// Columns of the embedding, the input size of the first recurrent layer.
    pub embedding_size: usize,
    /// Hidden (and, for an LSTM, cell) state size of every layer.
    pub hidden_size: usize,
    /// Stacked recurrent layers; layer `l > 0` reads layer `l - 1`'s hidden states.
    pub num_layers: usize,
    /// `"forward"`: format v1 has unidirectional layers only, so every prefix has a prediction of its own.
    pub direction: String,
    /// `"lstm"` or `"gru"`, see [`Config::cell`]. Optional: a config without it (every model from before GRUs) is
    /// an LSTM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// A GRU's convention, `"after"` or `"before"` (see [`Reset`]); required for a GRU, refused for an LSTM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_gate: Option<String>,
    /// Class names, in the order of the head's rows.
    pub labels: Vec<String>,
    /// The label per-token scores measure towards: a score is a change in `z_positive - z_negative`.
    pub positive_label: String,
    /// The label per-token scores measure against. Optional: with two labels it is the other one, with more the
    /// one named `"negative"`; see [`Config::negative_index`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_label: Option<String>,
    /// The order of the gates in the fused weights: `["i", "f", "g", "o"]` for an LSTM, `["r", "z", "n"]` for a GRU
    /// ([`Cell::gate_order`]).
    pub gate_order: Vec<String>,
    /// The most tokens one text may have.
    pub max_length: usize,
    /// The tokenizer file, relative to the model folder.
    pub tokenizer: String,
    /// The weights file, relative to the model folder.
    pub weights: String,
    /// `"f32"` or `"f16"`: the dtype of every tensor in the weights file. A loaded model holds `f32` either way:
    /// `f16` halves the download and is expanded at load, exactly (every `f16` value is an `f32` value).
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
        let cell = self.cell()?;
        if self.gate_order != cell.gate_order() {
            return Err(unsupported(
                "gate_order",
                &self.gate_order,
                &format!("{:?} for {}", cell.gate_order(), cell.name()),
            ));
        }
        self.stored_dtype()?;
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
        if self.negative_index().is_none() {
            return Err(match &self.negative_label {
                Some(name) => unsupported("negative_label", name, "one of `labels`, other than `positive_label`"),
                None => Error::Unsupported {
                    field: "negative_label",
                    found: "missing".to_owned(),
                    expected: "it to be set to one of `labels` (the label per-token scores measure against) when \
                               there are more than two labels and none is named \"negative\""
                        .to_owned(),
                },
            });
        }
        Ok(())
    }

    /// The safetensors dtype that [`Config::dtype`] names, which every tensor of the weights file must have; the
    /// `dtype` error for a value format v1 does not have. The weights loader asks here too, so that a `Config`
    /// made in code rather than parsed gets the same error.
    pub(crate) fn stored_dtype(&self) -> Result<Dtype> {
        match self.dtype.as_str() {
            "f32" => Ok(Dtype::F32),
            "f16" => Ok(Dtype::F16),
            other => Err(Error::Unsupported {
                field: "dtype",
                found: format!("{other:?}"),
                expected: "\"f32\" or \"f16\" (export the weights as float32 or float16)".to_owned(),
            }),
        }
    }

    /// The cell that [`Config::cell`] and [`Config::reset_gate`] name; the `cell` or `reset_gate` error for values
    /// format v1 does not have. The weights loader asks here too, so that a `Config` made in code rather than parsed
    /// gets the same error.
    pub fn cell(&self) -> Result<Cell> {
        let unsupported =
            |field, found: String, expected: &str| Error::Unsupported { field, found, expected: expected.to_owned() };
        let gru = match self.cell.as_deref() {
            None | Some("lstm") => false,
            Some("gru") => true,
            Some(other) => return Err(unsupported("cell", format!("{other:?}"), "\"lstm\" or \"gru\"")),
        };
        match (gru, self.reset_gate.as_deref()) {
            (false, None) => Ok(Cell::Lstm),
            (false, Some(other)) => Err(unsupported(
                "reset_gate",
                format!("{other:?}"),
                "no `reset_gate` for an LSTM (only a GRU has a reset gate; set `cell` to \"gru\" if the model is one)",
            )),
            (true, Some("after")) => Ok(Cell::Gru(Reset::After)),
            (true, Some("before")) => Ok(Cell::Gru(Reset::Before)),
            (true, found) => Err(unsupported(
                "reset_gate",
                found.map_or_else(|| "missing".to_owned(), |other| format!("{other:?}")),
                "\"after\" (the reset gate applied after the recurrent product: PyTorch's nn.GRU, Keras's \
                 reset_after=True) or \"before\" (Keras's reset_after=False) for a GRU",
            )),
        }
    }

    /// The row of the head that belongs to [`Config::positive_label`].
    pub fn positive_index(&self) -> Option<usize> {
        self.labels.iter().position(|label| *label == self.positive_label)
    }

    /// The row of the head that per-token scores measure against: [`Config::negative_label`] if set, else the
    /// other label of two, else the label named `"negative"`. `None` where that is missing from `labels` or is
    /// the positive label (which [`Config::from_json`] refuses).
    pub fn negative_index(&self) -> Option<usize> {
        let positive = self.positive_index()?;
        let negative = match &self.negative_label {
            Some(name) => self.labels.iter().position(|label| label == name)?,
            None if self.labels.len() == 2 => 1 - positive,
            None => self.labels.iter().position(|label| label == "negative")?,
        };
        (negative != positive).then_some(negative)
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
        check(|v| v["dtype"] = "f16".into(), "ok");
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
        check(|v| v["dtype"] = "bf16".into(), "`dtype` is \"bf16\"");
        check(|v| v["dtype"] = "F32".into(), "`dtype`");
        check(|v| v["hidden_size"] = 0.into(), "`hidden_size`");
        check(|v| v["positive_label"] = "happy".into(), "`positive_label`");
        check(|v| v["labels"] = serde_json::json!(["only"]), "`labels`");
        check(|v| v["hidden_size"] = (1u64 << 62).into(), "`hidden_size`");
        check(|v| v["weights"] = "/dev/zero".into(), "`weights`");
        check(|v| v["tokenizer"] = "../tokenizer.json".into(), "`tokenizer`");
        check(|v| v["tokenizer"] = "..".into(), "`tokenizer`");
    }

    /// `labels`, and `negative_label` where given, edited into the tiny config; the resolved indices, or the error.
    fn negative(labels: &[&str], negative_label: Option<&str>) -> Result<(usize, usize)> {
        let mut value = tiny();
        value["labels"] = serde_json::json!(labels);
        if let Some(name) = negative_label {
            value["negative_label"] = name.into();
        }
        let config = Config::from_json(value.to_string().as_bytes())?;
        Ok((config.positive_index().expect("validated"), config.negative_index().expect("validated")))
    }

    #[test]
    fn negative_label_resolves_to_the_other_of_two_or_the_one_named_negative() {
        assert_eq!(negative(&["negative", "positive"], None).ok(), Some((1, 0)));
        assert_eq!(negative(&["positive", "bad"], None).ok(), Some((0, 1)));
        assert_eq!(negative(&["negative", "neutral", "positive"], None).ok(), Some((2, 0)));
        assert_eq!(negative(&["neutral", "positive", "negative"], None).ok(), Some((1, 2)));
        assert_eq!(negative(&["sad", "meh", "positive"], Some("sad")).ok(), Some((2, 0)));
        assert_eq!(negative(&["negative", "neutral", "positive"], Some("neutral")).ok(), Some((2, 1)));
    }

    #[test]
    fn a_negative_label_that_cannot_be_resolved_is_named() {
        for (labels, negative_label, expected) in [
            (&["sad", "meh", "positive"][..], None, "`negative_label` is missing"),
            (&["negative", "neutral", "positive"], Some("bad"), "`negative_label` is \"bad\""),
            (&["negative", "positive"], Some("positive"), "`negative_label` is \"positive\""),
            (&["negative", "positive"], Some("Negative"), "`negative_label`"),
        ] {
            let error = negative(labels, negative_label).expect_err("must not load");
            assert!(matches!(error, Error::Unsupported { field: "negative_label", .. }), "{error:?}");
            assert!(error.to_string().contains(expected), "expected {expected:?} in {error}");
        }
    }

    #[test]
    fn a_two_label_config_without_negative_label_round_trips_without_it() {
        let config = Config::from_json(tiny().to_string().as_bytes()).expect("loads");
        assert_eq!(config.negative_label, None);
        assert_eq!(serde_json::to_value(&config).expect("serializes"), tiny());
    }

    #[test]
    fn malformed_json_is_a_config_error() {
        let error = Config::from_json(b"{ not json").unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{error:?}");
        let error = Config::from_json(br#"{"format_version": 1}"#).unwrap_err();
        assert!(error.to_string().contains("missing field"), "{error}");
    }
}
