//! Model format v1 and its loader: `config.json` + `model.safetensors` (+ `tokenizer.json`, see
//! [`crate::tokenize`]).
//!
//! The runtime loads exactly the layout the export script writes and never reshuffles it: conversion from a
//! training framework happens once, at export time. Loading checks every tensor's name, dtype and shape
//! against what the config implies, so a bad file is a typed [`Error`] that names the tensor, never a panic
//! later.

mod config;
mod layer;
mod weights;

pub use config::{Cell, Config, FORMAT_VERSION, MAX_DIMENSION, Reset};
pub use layer::{GruLayer, Layer, LstmLayer};
pub use weights::tensor_names;

use crate::error::{Error, Result};

/// A dense row-major matrix of `f32`.
#[derive(Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

impl Matrix {
    /// A matrix from row-major data; `None` when `data.len() != rows * cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<f32>) -> Option<Matrix> {
        (rows.checked_mul(cols) == Some(data.len())).then_some(Matrix { rows, cols, data })
    }

    /// All values, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `index`; panics if it is out of range, which callers rule out before they ask.
    pub fn row(&self, index: usize) -> &[f32] {
        &self.data[index * self.cols..(index + 1) * self.cols]
    }

    /// `out = self · x + bias` (`bias` has `rows` entries, `x` has `cols`).
    pub fn mat_vec_bias(&self, x: &[f32], bias: &[f32], out: &mut [f32]) {
        debug_assert_eq!(x.len(), self.cols);
        for ((out, row), b) in out.iter_mut().zip(self.data.chunks_exact(self.cols)).zip(bias) {
            *out = b + dot(row, x);
        }
    }

    /// `out += self · x`.
    pub fn mat_vec_add(&self, x: &[f32], out: &mut [f32]) {
        self.rows_mat_vec_add(0, x, out);
    }

    /// `out += self[first..first + out.len()] · x`: the product of the `out.len()` rows from row `first` on.
    pub fn rows_mat_vec_add(&self, first: usize, x: &[f32], out: &mut [f32]) {
        debug_assert_eq!(x.len(), self.cols);
        for (out, row) in out.iter_mut().zip(self.data[first * self.cols..].chunks_exact(self.cols)) {
            *out += dot(row, x);
        }
    }
}

impl std::fmt::Debug for Matrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Matrix[{}x{}]", self.rows, self.cols)
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// The linear classifier over the last layer's hidden state: `logits = weight · h + bias`.
#[derive(Debug, Clone)]
pub struct Head {
    /// `[labels, hidden_size]`.
    pub weight: Matrix,
    /// `[labels]`.
    pub bias: Vec<f32>,
}

impl Head {
    /// The logits of every prefix, `[T + 1, labels]` row-major, from the top layer's hidden states `[T, H]`:
    /// row 0 is the zero state's (the empty prefix), row `s` the state's after `s` tokens.
    pub fn prefix_logits(&self, hidden: &[f32]) -> Vec<f32> {
        let (labels, size) = (self.bias.len(), self.weight.cols());
        let zero = vec![0.0; size];
        let states = std::iter::once(zero.as_slice()).chain(hidden.chunks_exact(size));
        let mut logits = vec![0.0; (hidden.len() / size + 1) * labels];
        for (out, h) in logits.chunks_exact_mut(labels).zip(states) {
            self.weight.mat_vec_bias(h, &self.bias, out);
        }
        logits
    }
}

/// A loaded, validated model: embedding, recurrent layers (all of the config's cell) and head. Tokenizer-free; see
/// [`crate::Analyzer`].
#[derive(Debug, Clone)]
pub struct Model {
    pub config: Config,
    /// `[vocab_size, embedding_size]`.
    pub embedding: Matrix,
    pub layers: Vec<Layer>,
    pub head: Head,
}

impl Model {
    /// Loads a model from the bytes of `config.json` and `model.safetensors`.
    pub fn from_bytes(config: &[u8], weights: &[u8]) -> Result<Model> {
        Model::from_config(Config::from_json(config)?, weights)
    }

    /// Loads the weights for an already validated config.
    pub fn from_config(config: Config, weights: &[u8]) -> Result<Model> {
        weights::load(config, weights)
    }

    /// [`Error::TokenId`] for the first id outside the vocabulary, which every forward pass checks first.
    pub fn check_ids(&self, ids: &[u32]) -> Result<()> {
        let vocab_size = self.embedding.rows();
        match ids.iter().find(|&&id| id as usize >= vocab_size) {
            Some(&id) => Err(Error::TokenId { id, vocab_size }),
            None => Ok(()),
        }
    }
}
