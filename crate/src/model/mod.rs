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
pub(crate) use weights::read_f32;
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

/// The linear classifier over what it reads of the top layer's states at each prefix (see [`Pooling`]):
/// `logits = weight · features + bias`.
#[derive(Debug, Clone)]
pub struct Head {
    /// `[labels, features]`: `features` is `H` for [`Pooling::Last`], `3H` for [`Pooling::Concat`].
    pub weight: Matrix,
    /// `[labels]`.
    pub bias: Vec<f32>,
    pub pooling: Pooling,
}

/// What a head reads at the prefix of `t` tokens, from the top layer's states `h_1 … h_t` (at `t = 0`, the empty
/// prefix, every feature is zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// `h_t`: every model's own head (format v1 stores no other).
    Last,
    /// `[h_t, mean(h_1 … h_t), max(h_1 … h_t)]` (ULMFiT's concat pooling, Howard and Ruder 2018), the maximum per
    /// unit: an adapted head ([`crate::adapt`]), which reads what the states held earlier in the text too.
    Concat,
}

impl Pooling {
    /// How many features per hidden unit.
    pub fn width(self) -> usize {
        match self {
            Pooling::Last => 1,
            Pooling::Concat => 3,
        }
    }
}

impl Head {
    /// A head over the last state, as format v1 stores one.
    pub fn last(weight: Matrix, bias: Vec<f32>) -> Head {
        Head { weight, bias, pooling: Pooling::Last }
    }

    /// `H`, the hidden size the head reads.
    pub fn hidden_size(&self) -> usize {
        self.weight.cols() / self.pooling.width()
    }

    /// The logits of every prefix, `[T + 1, labels]` row-major, from the top layer's hidden states `[T, H]`:
    /// row 0 is the empty prefix's (every feature zero), row `s` the prefix's of `s` tokens.
    pub fn prefix_logits(&self, hidden: &[f32]) -> Vec<f32> {
        let (labels, size) = (self.bias.len(), self.hidden_size());
        let steps = hidden.len() / size.max(1);
        let mut logits = vec![0.0; (steps + 1) * labels];
        let mut features = vec![0.0; self.weight.cols()];
        let mut pooled = Pooled::new(size);
        let mut rows = logits.chunks_exact_mut(labels);
        self.weight.mat_vec_bias(&features, &self.bias, rows.next().unwrap_or_default());
        for (out, h) in rows.zip(hidden.chunks_exact(size)) {
            match self.pooling {
                Pooling::Last => features.copy_from_slice(h),
                Pooling::Concat => pooled.add(h, &mut features),
            }
            self.weight.mat_vec_bias(&features, &self.bias, out);
        }
        logits
    }
}

/// The running sum and maximum of the states read so far, for [`Pooling::Concat`].
#[derive(Debug)]
pub struct Pooled {
    steps: usize,
    sum: Vec<f32>,
    max: Vec<f32>,
}

impl Pooled {
    pub fn new(size: usize) -> Pooled {
        Pooled { steps: 0, sum: vec![0.0; size], max: vec![f32::NEG_INFINITY; size] }
    }

    /// Reads the next state `h` and writes the concat features after it, `[h, mean, max]`, into `features`.
    pub fn add(&mut self, h: &[f32], features: &mut [f32]) {
        self.steps += 1;
        let n = self.steps as f32;
        let (last, rest) = features.split_at_mut(h.len());
        let (mean, max) = rest.split_at_mut(h.len());
        last.copy_from_slice(h);
        for (((x, sum), top), (mean, max)) in
            h.iter().zip(&mut self.sum).zip(&mut self.max).zip(mean.iter_mut().zip(max))
        {
            *sum += x;
            *top = top.max(*x);
            (*mean, *max) = (*sum / n, *top);
        }
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
