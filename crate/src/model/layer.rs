//! The recurrent layers' weights as format v1 stores them, one type per cell. What they compute is specified in
//! [`crate::recurrent`]; the tensors' names and shapes are in [`super::tensor_names`].

use super::{Cell, Matrix, Reset};

/// One recurrent layer's weights; every layer of a model has the config's cell.
#[derive(Debug, Clone)]
pub enum Layer {
    Lstm(LstmLayer),
    Gru(GruLayer),
}

/// One LSTM layer's weights.
#[derive(Debug, Clone)]
pub struct LstmLayer {
    /// `[4H, input]`: the four gates' input weights, stacked `[i, f, g, o]`.
    pub weight_ih: Matrix,
    /// `[4H, H]`: the four gates' recurrent weights, stacked the same way.
    pub weight_hh: Matrix,
    /// `[4H]`: one bias per gate row (PyTorch's `bias_ih + bias_hh`).
    pub bias: Vec<f32>,
}

/// One GRU layer's weights: PyTorch's `nn.GRU` layer as it is, two biases included (with the reset gate applied
/// after the recurrent product, the candidate's recurrent bias is gated by `r` and cannot be summed into the
/// other).
#[derive(Debug, Clone)]
pub struct GruLayer {
    /// Where the reset gate applies.
    pub reset: Reset,
    /// `[3H, input]`: the three gates' input weights, stacked `[r, z, n]`.
    pub weight_ih: Matrix,
    /// `[3H, H]`: the three gates' recurrent weights, stacked the same way.
    pub weight_hh: Matrix,
    /// `[3H]`: the input projection's bias.
    pub bias_ih: Vec<f32>,
    /// `[3H]`: the recurrent product's bias.
    pub bias_hh: Vec<f32>,
}

impl Layer {
    /// `H`, the size of this layer's hidden (and an LSTM's cell) state.
    pub fn hidden_size(&self) -> usize {
        self.weight_hh().cols()
    }

    /// The cell this layer is.
    pub fn cell(&self) -> Cell {
        match self {
            Layer::Lstm(_) => Cell::Lstm,
            Layer::Gru(layer) => Cell::Gru(layer.reset),
        }
    }

    /// `[gates × H, input]`: the input weights, the gates stacked in the cell's order.
    pub fn weight_ih(&self) -> &Matrix {
        match self {
            Layer::Lstm(layer) => &layer.weight_ih,
            Layer::Gru(layer) => &layer.weight_ih,
        }
    }

    /// `[gates × H, H]`: the recurrent weights, stacked the same way.
    pub fn weight_hh(&self) -> &Matrix {
        match self {
            Layer::Lstm(layer) => &layer.weight_hh,
            Layer::Gru(layer) => &layer.weight_hh,
        }
    }

    /// `[gates × H]`: the bias added to the input projection `W_ih · x` (an LSTM's only bias, a GRU's `bias_ih`).
    pub fn input_bias(&self) -> &[f32] {
        match self {
            Layer::Lstm(layer) => &layer.bias,
            Layer::Gru(layer) => &layer.bias_ih,
        }
    }

    /// Every tensor of the layer, in format v1's order (see [`crate::model::tensor_names`]).
    pub fn tensors(&self) -> Vec<&[f32]> {
        match self {
            Layer::Lstm(layer) => vec![layer.weight_ih.as_slice(), layer.weight_hh.as_slice(), &layer.bias],
            Layer::Gru(layer) => {
                vec![layer.weight_ih.as_slice(), layer.weight_hh.as_slice(), &layer.bias_ih, &layer.bias_hh]
            }
        }
    }
}
