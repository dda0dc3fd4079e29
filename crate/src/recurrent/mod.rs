//! The forward pass: embedding, stacked recurrent layers (LSTM or GRU), linear head. This doc comment is its
//! specification; the scalar [`reference`](mod@reference) implements it plainly and is the oracle that faster
//! siblings (the [`simd`] kernel, the WGSL shaders) are tested against, never against each other.
//!
//! # Equations
//!
//! Token ids `t_1 .. t_T` become inputs `x_s = E[t_s]`, a row of the embedding. Each layer `l` keeps a hidden
//! state `h` of size `H` (an LSTM also a cell state `c`), zero before the first step, and at each step `s` reads
//! `x_s` (layer 0) or the hidden state `h_s` of layer `l - 1` (layers above). Every layer is of the cell the config
//! names ([`Cell`]); the weights are [`crate::model::Layer`]s, the gates stacked in the cell's order.
//!
//! ## LSTM
//!
//! ```text
//! z   = W_ih · x_s + W_hh · h_{s-1} + b        4H values, the gates stacked in the order [i, f, g, o]
//! i   = σ(z[0H..1H])     input gate
//! f   = σ(z[1H..2H])     forget gate
//! g   = tanh(z[2H..3H])  candidate cell
//! o   = σ(z[3H..4H])     output gate
//! c_s = f ⊙ c_{s-1} + i ⊙ g
//! h_s = o ⊙ tanh(c_s)
//! ```
//!
//! This is PyTorch's `nn.LSTM` with its two biases summed into one `b`.
//!
//! ## GRU
//!
//! ```text
//! a   = W_ih · x_s + b_ih                      3H values, the gates stacked in the order [r, z, n]
//! u   = W_hh · h_{s-1} + b_hh                  (the same order)
//! r   = σ(a[0H..1H] + u[0H..1H])               reset gate
//! z   = σ(a[1H..2H] + u[1H..2H])               update gate
//! n   = tanh(a[2H..3H] + r ⊙ u[2H..3H])         candidate, reset "after" the recurrent product
//!     = tanh(a[2H..3H] + W_hh[2H..3H] · (r ⊙ h_{s-1}) + b_hh[2H..3H])     or reset "before" it
//! h_s = (1 − z) ⊙ n + z ⊙ h_{s-1}
//! ```
//!
//! Reset after ([`Reset::After`](crate::model::Reset::After)) is PyTorch's `nn.GRU` and Keras's `GRU` (`reset_after=True`), both frameworks'
//! default; reset before ([`Reset::Before`](crate::model::Reset::Before)) is the original GRU and Keras's `reset_after=False`. The two differ
//! only in `n`: in the first `r` scales the recurrent product and its bias, in the second it scales `h` before the
//! product, and the bias is not scaled. A GRU's state is `h` alone.
//!
//! ## Head
//!
//! With `σ(x) = 1 / (1 + e^-x)`. The head maps the last layer's hidden state to one logit per label:
//! `logits_s = W_head · h_s + b_head`. It is applied after every step, and also to the zero state (`s = 0`, the
//! empty prefix), so that one pass gives the prediction for every prefix of the text (see [`crate::attribution`]).
//!
//! # One step by hand
//!
//! An LSTM with `H = 1` and a one-dimensional input `x = [1]`, previous state `h = 0`, `c = 1`, no recurrent
//! weights and no bias, and input weights chosen so that the gate pre-activations are `z = [ln 3, 0, atanh ½, 0]`.
//! Then `i = σ(ln 3) = 3/4`, `f = σ(0) = 1/2`, `g = tanh(atanh ½) = 1/2`, `o = 1/2`, so
//! `c = ½·1 + ¾·½ = 0.875` and `h = ½·tanh(0.875) = 0.3519528…`:
//!
//! ```
//! use sentir::model::{Layer, LstmLayer, Matrix};
//! use sentir::recurrent::{State, reference};
//!
//! let weights = vec![3f32.ln(), 0.0, 0.5f32.atanh(), 0.0];
//! let layer = Layer::Lstm(LstmLayer {
//!     weight_ih: Matrix::new(4, 1, weights).unwrap(),
//!     weight_hh: Matrix::new(4, 1, vec![0.0; 4]).unwrap(),
//!     bias: vec![0.0; 4],
//! });
//! let mut state = State { h: vec![0.0], c: vec![1.0] };
//! reference::step(&layer, &[1.0], &mut state);
//! assert!((state.c[0] - 0.875).abs() < 1e-6);
//! assert!((state.h[0] - 0.351_952_8).abs() < 1e-6);
//! ```
//!
//! A GRU with `H = 1`, `x = [1]`, previous state `h = 1`, input weights `[ln 3, 0, 0]`, no recurrent weights, and
//! one bias, the candidate's recurrent one, `b_hh = [0, 0, atanh ½]`. Then `r = σ(ln 3) = 3/4` and `z = σ(0) = 1/2`.
//! Reset before: `n = tanh(atanh ½) = 1/2` (the bias is not gated) and `h = ½·½ + ½·1 = 0.75`. Reset after:
//! `n = tanh(¾·atanh ½) = 0.3901522…` and `h = ½·n + ½·1 = 0.6950761…`:
//!
//! ```
//! use sentir::model::{GruLayer, Layer, Matrix, Reset};
//! use sentir::recurrent::{State, reference};
//!
//! let step = |reset| {
//!     let layer = Layer::Gru(GruLayer {
//!         reset,
//!         weight_ih: Matrix::new(3, 1, vec![3f32.ln(), 0.0, 0.0]).unwrap(),
//!         weight_hh: Matrix::new(3, 1, vec![0.0; 3]).unwrap(),
//!         bias_ih: vec![0.0; 3],
//!         bias_hh: vec![0.0, 0.0, 0.5f32.atanh()],
//!     });
//!     let mut state = State { h: vec![1.0], c: vec![] };
//!     reference::step(&layer, &[1.0], &mut state);
//!     state.h[0]
//! };
//! assert!((step(Reset::Before) - 0.75).abs() < 1e-6);
//! assert!((step(Reset::After) - 0.695_076_1).abs() < 1e-6);
//! ```

pub mod activation;
pub mod reference;
pub mod simd;

use crate::model::{Cell, Layer};

/// The recurrent state of one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// `[H]`: the hidden state.
    pub h: Vec<f32>,
    /// `[H]`: an LSTM's cell state; empty for a GRU, whose state is `h` alone.
    pub c: Vec<f32>,
}

impl State {
    /// The zero state every sequence starts from, for a layer like `layer`.
    pub fn zeros(layer: &Layer) -> State {
        let size = layer.hidden_size();
        let cell = match layer.cell() {
            Cell::Lstm => size,
            Cell::Gru(_) => 0,
        };
        State { h: vec![0.0; size], c: vec![0.0; cell] }
    }
}

/// What a forward pass over one text yields: the prediction for every prefix, and the states it went through.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Tokens read, `T`.
    pub steps: usize,
    /// Labels, `K`.
    pub labels: usize,
    /// `[T + 1, K]`, row-major: row `s` holds the head's logits after `s` tokens (row 0 is the empty prefix).
    pub logits: Vec<f32>,
    /// Per layer, `[T, H]`: the hidden state after each step; what a [`crate::Session`] continues from, and what
    /// the tests compare. Empty (no layers) when the pass read back only the logits, as the GPU does for a plain
    /// analysis (see [`crate::backend::Backend::logits_batch_async`]).
    pub hidden: Vec<Vec<f32>>,
    /// Per layer, `[T, H]`: an LSTM's cell state after each step. Each layer's is empty for a GRU, which has none;
    /// like [`Trace::hidden`], it has no layers when only the logits were read back.
    pub cell: Vec<Vec<f32>>,
}

impl Trace {
    /// The logits after the first `prefix` tokens.
    pub fn logits_at(&self, prefix: usize) -> &[f32] {
        &self.logits[prefix * self.labels..(prefix + 1) * self.labels]
    }

    /// Every layer's state after the first `prefix` tokens (`1 ≤ prefix ≤ steps`): where a text that begins with
    /// those tokens can continue from.
    pub fn states_after(&self, prefix: usize) -> Vec<State> {
        let row = |states: &[f32]| {
            let size = states.len() / self.steps;
            states[(prefix - 1) * size..prefix * size].to_vec()
        };
        // A GRU's cell states are empty, and so are the rows `row` takes from them.
        self.hidden.iter().zip(&self.cell).map(|(h, c)| State { h: row(h), c: row(c) }).collect()
    }

    /// The trace of this trace's first `keep` tokens followed by those of `rest`, a trace run from
    /// [`Trace::states_after`]`(keep)`: rows and states up to `keep` come from `self`, the others from `rest`
    /// (whose row 0, the logits of its own empty prefix, is dropped).
    pub fn continued(&self, keep: usize, rest: Trace) -> Trace {
        if keep == 0 {
            return rest;
        }
        let join = |earlier: &[f32], later: Vec<f32>| {
            let size = earlier.len() / self.steps;
            [&earlier[..keep * size], &later].concat()
        };
        Trace {
            steps: keep + rest.steps,
            labels: self.labels,
            logits: [&self.logits[..(keep + 1) * self.labels], &rest.logits[rest.labels..]].concat(),
            hidden: self.hidden.iter().zip(rest.hidden).map(|(a, b)| join(a, b)).collect(),
            cell: self.cell.iter().zip(rest.cell).map(|(a, b)| join(a, b)).collect(),
        }
    }
}
