//! The adapter's files, beside a model's in its folder: `adapter.json` (the base model it was fitted on, by name and
//! by a hash of its weights; the labels; how the head reads the states, `pooling`: `"concat"` or `"last"`; the
//! report) and `adapter.safetensors` (the head, `head.weight` `[labels, 3H]` (`[labels, H]` for `"last"`) and
//! `head.bias` `[labels]`, float32). Loading a folder that holds both applies the adapter ([`Analyzer::from_dir`],
//! [`Analyzer::with_adapter`]); an adapter fitted on another model is refused.

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Report;
use crate::analyzer::Analyzer;
use crate::error::{Error, Result};
use crate::model::{Head, Matrix, Pooling, read_f32};

/// The adapter's two files in a model folder.
pub const ADAPTER_JSON: &str = "adapter.json";
pub const ADAPTER_WEIGHTS: &str = "adapter.safetensors";

/// The version of the adapter format this build reads and writes.
const ADAPTER_VERSION: u64 = 1;

/// What an adapter's head reads (see [`Pooling`]), by its name in `adapter.json`.
fn pooling_name(pooling: Pooling) -> &'static str {
    match pooling {
        Pooling::Last => "last",
        Pooling::Concat => "concat",
    }
}

/// A head fitted on a user's labelled posts, for one base model.
#[derive(Debug, Clone)]
pub struct Adapter {
    pub base: BaseModel,
    /// The base model's labels, in its order: the head's rows.
    pub labels: Vec<String>,
    pub head: Head,
    pub report: Report,
}

/// The model an adapter was fitted on: its `config.json` name, and the SHA-256 of what decides the states its head
/// reads: the embedding and recurrent weights as loaded (float32, little-endian, in format v1's tensor order), the
/// cell and its convention, and the vocabulary's pieces in id order; so that a retrained model of the same name, or
/// another tokenizer, is told apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseModel {
    pub name: String,
    pub weights_sha256: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdapterJson {
    format_version: u64,
    base: BaseModel,
    labels: Vec<String>,
    pooling: String,
    report: Report,
}

impl Adapter {
    /// The bytes of `adapter.json` and `adapter.safetensors`.
    pub fn to_bytes(&self) -> Result<(Vec<u8>, Vec<u8>)> {
        let json = AdapterJson {
            format_version: ADAPTER_VERSION,
            base: self.base.clone(),
            labels: self.labels.clone(),
            pooling: pooling_name(self.head.pooling).to_owned(),
            report: self.report.clone(),
        };
        let mut json = serde_json::to_vec_pretty(&json).map_err(|e| adapter(format!("could not write it: {e}")))?;
        json.push(b'\n');
        let (rows, cols) = (self.head.weight.rows(), self.head.weight.cols());
        let weight: Vec<u8> = self.head.weight.as_slice().iter().flat_map(|v| v.to_le_bytes()).collect();
        let bias: Vec<u8> = self.head.bias.iter().flat_map(|v| v.to_le_bytes()).collect();
        let written = |e: safetensors::SafeTensorError| adapter(format!("could not write it: {e}"));
        let tensors = [
            ("head.weight", TensorView::new(Dtype::F32, vec![rows, cols], &weight).map_err(written)?),
            ("head.bias", TensorView::new(Dtype::F32, vec![rows], &bias).map_err(written)?),
        ];
        let weights = safetensors::serialize(tensors, None).map_err(written)?;
        Ok((json, weights))
    }

    /// An adapter from the bytes of its two files (checked for itself here; against a model by
    /// [`Analyzer::with_adapter`]).
    pub fn from_bytes(json: &[u8], weights: &[u8]) -> Result<Adapter> {
        let json: AdapterJson = serde_json::from_slice(json)
            .map_err(|e| adapter(format!("{ADAPTER_JSON} is invalid ({e}); write it again with adapt")))?;
        if json.format_version != ADAPTER_VERSION {
            return Err(adapter(format!(
                "{ADAPTER_JSON} has format_version {}, but this build reads version {ADAPTER_VERSION}",
                json.format_version
            )));
        }
        let Some(pooling) = [Pooling::Last, Pooling::Concat].into_iter().find(|&p| pooling_name(p) == json.pooling)
        else {
            return Err(adapter(format!("its head reads {:?}, which this build cannot run", json.pooling)));
        };
        let file = SafeTensors::deserialize(weights)
            .map_err(|e| adapter(format!("{ADAPTER_WEIGHTS} is not valid safetensors ({e})")))?;
        let labels = json.labels.len();
        let weight = file.tensor("head.weight").map_err(|e| adapter(format!("{ADAPTER_WEIGHTS}: {e}")))?;
        let features = match weight.shape() {
            [rows, cols] if *rows == labels && cols % pooling.width() == 0 => *cols,
            shape => {
                let width = pooling.width();
                return Err(adapter(format!("head.weight has shape {shape:?}, not [{labels}, {width} × hidden size]")));
            }
        };
        let weight = read_f32(&file, "head.weight", Dtype::F32, &[labels, features])?;
        let bias = read_f32(&file, "head.bias", Dtype::F32, &[labels])?;
        let weight =
            Matrix::new(labels, features, weight).unwrap_or_else(|| unreachable!("read_f32 checked the shape"));
        let head = Head { weight, bias, pooling };
        Ok(Adapter { base: json.base, labels: json.labels, head, report: json.report })
    }
}

fn adapter(message: String) -> Error {
    Error::Adapter { message }
}

impl Analyzer {
    /// SHA-256 of what decides the states a head reads: the model's embedding and recurrent weights as loaded, its
    /// cell and the vocabulary (see [`BaseModel`]).
    pub fn body_sha256(&self) -> String {
        let model = self.model();
        let mut hash = Sha256::new();
        let mut add = |values: &[f32]| {
            for value in values {
                hash.update(value.to_le_bytes());
            }
        };
        add(model.embedding.as_slice());
        for layer in &model.layers {
            for tensor in layer.tensors() {
                add(tensor);
            }
        }
        // What else decides the states: the cell and its convention, and which token each row of the embedding is.
        hash.update(format!("{:?}", model.layers.first().map(|layer| layer.cell())));
        for piece in self.tokenizer().pieces() {
            hash.update(piece.as_bytes());
            hash.update([0]);
        }
        hash.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// This analyzer with `adapter`'s head, if the adapter was fitted on this model (the same name, weights and
    /// labels); an error naming both models if not.
    pub fn with_adapter(&self, adapter: &Adapter) -> Result<Analyzer> {
        let config = self.config();
        if adapter.base.name != config.name {
            return Err(Error::Adapter {
                message: format!(
                    "it was fitted on model {:?}, not on {:?}; adapt {:?} again on your labels",
                    adapter.base.name, config.name, config.name
                ),
            });
        }
        if adapter.base.weights_sha256 != self.body_sha256() {
            return Err(Error::Adapter {
                message: format!(
                    "it was fitted on other weights of model {:?} (an earlier or later version); adapt it again on \
                     your labels",
                    config.name
                ),
            });
        }
        if adapter.labels != config.labels {
            return Err(Error::Adapter {
                message: format!(
                    "its labels ({}) are not the model's ({})",
                    adapter.labels.join(", "),
                    config.labels.join(", ")
                ),
            });
        }
        self.with_head(adapter.head.clone())
    }
}
