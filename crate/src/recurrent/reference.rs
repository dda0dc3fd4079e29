//! The scalar reference: the module-level equations in plain safe Rust, one text at a time, in `f32`.
//!
//! Written for clarity, not speed: it is the oracle the fast kernels are tested against.

use super::{State, Trace};
use crate::error::Result;
use crate::model::{GruLayer, Layer, LstmLayer, Model, Reset};

/// `σ(x) = 1 / (1 + e^-x)`; saturates to exactly 0 or 1 without producing NaN.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Advances `state` by one step on input `x`.
pub fn step(layer: &Layer, x: &[f32], state: &mut State) {
    let mut projected = vec![0.0; layer.weight_ih().rows()];
    layer.weight_ih().mat_vec_bias(x, layer.input_bias(), &mut projected);
    recur(layer, projected, state);
}

/// The recurrent half of [`step`], from the input projection `projected = W_ih · x + b` (an LSTM's `b`, a GRU's
/// `b_ih`; the gates stacked in the cell's order): updates the state.
pub fn recur(layer: &Layer, projected: Vec<f32>, state: &mut State) {
    match layer {
        Layer::Lstm(layer) => lstm(layer, projected, state),
        Layer::Gru(layer) => gru(layer, &projected, state),
    }
}

/// An LSTM step: adds `W_hh · h` to `z` (gates `[i, f, g, o]`), then updates the cell and hidden state.
fn lstm(layer: &LstmLayer, mut z: Vec<f32>, state: &mut State) {
    let h = layer.weight_hh.cols();
    layer.weight_hh.mat_vec_add(&state.h, &mut z);
    let (zi, rest) = z.split_at(h);
    let (zf, rest) = rest.split_at(h);
    let (zg, zo) = rest.split_at(h);
    for j in 0..h {
        let (i, f, g, o) = (sigmoid(zi[j]), sigmoid(zf[j]), zg[j].tanh(), sigmoid(zo[j]));
        state.c[j] = f * state.c[j] + i * g;
        state.h[j] = o * state.c[j].tanh();
    }
}

/// A GRU step from `a = W_ih · x + b_ih` (gates `[r, z, n]`): the reset and update gates, the candidate with the
/// reset gate applied after or before the recurrent product, then the hidden state.
fn gru(layer: &GruLayer, a: &[f32], state: &mut State) {
    let h = layer.weight_hh.cols();
    // u = W_hh · h + b_hh: the reset and update gates' rows, then the candidate's, whose input is `r ⊙ h` where the
    // reset gate applies before the product.
    let mut u = layer.bias_hh.clone();
    let (gates, candidate) = u.split_at_mut(2 * h);
    layer.weight_hh.rows_mat_vec_add(0, &state.h, gates);
    let r: Vec<f32> = (0..h).map(|j| sigmoid(a[j] + gates[j])).collect();
    let z: Vec<f32> = (0..h).map(|j| sigmoid(a[h + j] + gates[h + j])).collect();
    match layer.reset {
        Reset::After => {
            layer.weight_hh.rows_mat_vec_add(2 * h, &state.h, candidate);
            for (u, r) in candidate.iter_mut().zip(&r) {
                *u *= r;
            }
        }
        Reset::Before => {
            let reset: Vec<f32> = r.iter().zip(&state.h).map(|(r, h)| r * h).collect();
            layer.weight_hh.rows_mat_vec_add(2 * h, &reset, candidate);
        }
    }
    for j in 0..h {
        let n = (a[2 * h + j] + candidate[j]).tanh();
        state.h[j] = (1.0 - z[j]) * n + z[j] * state.h[j];
    }
}

/// Runs the whole model over `ids`: the logits of every prefix, and every layer's states.
pub fn forward(model: &Model, ids: &[u32]) -> Result<Trace> {
    forward_from(model, ids, &[])
}

/// [`forward`] from the states in `start` (one per layer; empty for the zero state), as if the text read so far
/// were followed by `ids`. Row 0 of the logits is still the empty prefix's: callers that continue an earlier
/// trace keep its rows instead (see [`Trace::continued`]).
pub fn forward_from(model: &Model, ids: &[u32], start: &[State]) -> Result<Trace> {
    model.check_ids(ids)?;
    let steps = ids.len();
    let labels = model.head.bias.len();

    // Layer by layer over the whole sequence: each layer's outputs are the next one's inputs.
    let mut inputs: Vec<Vec<f32>> = ids.iter().map(|&id| model.embedding.row(id as usize).to_vec()).collect();
    let (mut hidden, mut cell) = (Vec::new(), Vec::new());
    for (l, layer) in model.layers.iter().enumerate() {
        let mut state = start.get(l).cloned().unwrap_or_else(|| State::zeros(layer));
        let (mut hs, mut cs) = (Vec::with_capacity(steps), Vec::with_capacity(steps));
        for x in &inputs {
            step(layer, x, &mut state);
            hs.push(state.h.clone());
            cs.push(state.c.clone());
        }
        hidden.push(hs.concat());
        cell.push(cs.concat());
        inputs = hs;
    }

    let logits = model.head.prefix_logits(hidden.last().map_or(&[], Vec::as_slice));
    Ok(Trace { steps, labels, logits, hidden, cell })
}
