//! What `scripts/bench` times besides whole analyses (feature `bench`, off in the shipped builds): a
//! matrix-vector product, the rate the recurrent step is judged against, and the recurrent step alone. Each call
//! repeats its work so that JavaScript can time it with `performance.now()`, and returns a number computed
//! from the results so that none of the work is optimised away.

use wide::f32x4;

use crate::attribution::softmax;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::Model;
use crate::recurrent::{State, reference, simd};

/// `y = W · x` for a `rows × cols` matrix, in 4-lane SIMD two ways and in plain scalar code.
///
/// SIMD, dot products: `W` row-major, four rows at a time, each row's dot product in two accumulators (eight
/// independent chains of additions), horizontal sums at the end. SIMD, panels: `W` in the kernel's layout,
/// `x[k]` broadcast and multiplied into columns of 16 rows (`simd::mat_vec`). Scalar: the reference kernel's
/// own product ([`crate::model::Matrix::mat_vec_add`]).
#[derive(Debug)]
pub struct MatVec {
    rows: usize,
    cols: usize,
    /// `[rows][cols / 4]`.
    weights: Vec<f32x4>,
    x: Vec<f32x4>,
    y: Vec<f32>,
    matrix: crate::model::Matrix,
    /// `W` in the kernel's layout, and its output.
    panels: Vec<f32x4>,
    panel_y: Vec<f32x4>,
}

impl MatVec {
    /// A product with fixed pseudo-random values; `rows` is rounded up to a multiple of 16 (whole panels of 4
    /// units × 4 gates) and `cols` to a multiple of 4.
    pub fn new(rows: usize, cols: usize) -> MatVec {
        let (rows, cols) = (rows.div_ceil(16) * 16, cols.div_ceil(4) * 4);
        let value = |i: usize| ((i.wrapping_mul(2_654_435_761) >> 7) % 1000) as f32 / 1000.0 - 0.5;
        let data: Vec<f32> = (0..rows * cols).map(value).collect();
        let x: Vec<f32> = (0..cols).map(|i| value(i + 7)).collect();
        let pack = |values: &[f32]| values.chunks_exact(4).map(|c| f32x4::from([c[0], c[1], c[2], c[3]])).collect();
        let (weights, x) = (pack(&data), pack(&x));
        let matrix = crate::model::Matrix::new(rows, cols, data).expect("rows × cols values");
        let panels = simd::pack_matrix(&matrix);
        MatVec { rows, cols, weights, x, y: vec![0.0; rows], matrix, panels, panel_y: vec![f32x4::ZERO; rows / 4] }
    }

    /// Floating-point operations of one product: a multiply and an add per weight.
    pub fn flops(&self) -> f64 {
        2.0 * (self.rows * self.cols) as f64
    }

    /// Runs the SIMD product in the kernel's layout `repeats` times.
    pub fn run_panels(&mut self, repeats: usize) -> f32 {
        let mut x: Vec<f32> = self.x.iter().flat_map(|v| v.to_array()).collect();
        for _ in 0..repeats {
            simd::mat_vec(&self.panels, &x, &mut self.panel_y);
            x[0] = self.panel_y[0].reduce_add() * 1e-3;
        }
        self.panel_y.iter().map(|v| v.reduce_add()).sum()
    }

    /// Runs the SIMD product with dot products `repeats` times.
    pub fn run_simd(&mut self, repeats: usize) -> f32 {
        let chunks = self.cols / 4;
        let half = chunks / 2;
        for _ in 0..repeats {
            for (rows, y) in self.weights.chunks_exact(4 * chunks).zip(self.y.chunks_exact_mut(4)) {
                let mut acc = [[f32x4::ZERO; 2]; 4];
                for c in 0..half {
                    let (xa, xb) = (self.x[c], self.x[half + c]);
                    for (r, acc) in acc.iter_mut().enumerate() {
                        acc[0] = rows[r * chunks + c].mul_add(xa, acc[0]);
                        acc[1] = rows[r * chunks + half + c].mul_add(xb, acc[1]);
                    }
                }
                for (r, acc) in acc.iter_mut().enumerate() {
                    if chunks % 2 == 1 {
                        acc[1] = rows[r * chunks + chunks - 1].mul_add(self.x[chunks - 1], acc[1]);
                    }
                    y[r] = (acc[0] + acc[1]).reduce_add();
                }
            }
            self.x[0] = f32x4::from(self.y[0] * 1e-3);
        }
        self.y.iter().sum()
    }

    /// Runs the scalar product `repeats` times.
    pub fn run_scalar(&mut self, repeats: usize) -> f32 {
        let x: Vec<f32> = self.x.iter().flat_map(|v| v.to_array()).collect();
        for _ in 0..repeats {
            self.y.fill(0.0);
            self.matrix.mat_vec_add(&x, &mut self.y);
        }
        self.y.iter().sum()
    }
}

/// The first layer's recurrent step alone (no input projection, no head), `steps` times for `batch` texts, on
/// `backend`: the SIMD kernel runs the batch in one recurrence, the scalar reference one text at a time.
pub fn recurrence(model: &Model, backend: &Backend, batch: usize, steps: usize) -> Result<f32> {
    if let Some(packed) = backend.packed() {
        return Ok(simd::recurrence_only(packed, batch, steps));
    }
    let Some(layer) = model.layers.first() else { return Ok(0.0) };
    let mut total = 0.0;
    for _ in 0..batch {
        let mut state = State::zeros(layer);
        for _ in 0..steps {
            reference::recur(layer, vec![0.0; layer.weight_ih().rows()], &mut state);
        }
        total += state.h.iter().sum::<f32>();
    }
    Ok(total)
}

/// The forward pass of `batch` on `backend`, as one call (every step's logits, and on the CPU its states, as an
/// analysis computes them): each text's probability of label `positive` after its last token.
pub fn forward(model: &Model, backend: &Backend, positive: usize, batch: &[&[u32]]) -> Result<Vec<f32>> {
    let (traces, _) = backend.forward_batch(model, batch)?;
    Ok(traces.iter().map(|trace| softmax(trace.logits_at(trace.steps))[positive]).collect())
}

/// Floating-point operations of one recurrent step of `model`'s first layer: `W_hh · h`, `gates × H × H`
/// multiply-adds.
pub fn recurrence_flops(model: &Model) -> f64 {
    model.layers.first().map_or(0.0, |layer| 2.0 * (layer.weight_hh().rows() * layer.weight_hh().cols()) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_products_compute_the_same_vector() {
        for (rows, cols) in [(512, 128), (20, 13), (16, 4)] {
            // Each run feeds its result back into `x` to stay honest, so each variant starts afresh.
            let mut product = MatVec::new(rows, cols);
            product.run_scalar(1);
            let scalar = product.y.clone();
            product = MatVec::new(rows, cols);
            product.run_simd(1);
            let dot = product.y.clone();
            product = MatVec::new(rows, cols);
            product.run_panels(1);
            let panels: Vec<f32> = product.panel_y.iter().flat_map(|v| v.to_array()).collect();
            // Panels hold 4 units × 4 gates: row `gate · H + unit` is at `(unit / 4) · 16 + gate · 4 + unit % 4`.
            let hidden = product.rows / 4;
            for row in 0..product.rows {
                let (gate, unit) = (row / hidden, row % hidden);
                let at = (unit / 4) * 16 + gate * 4 + unit % 4;
                let close = |a: f32, b: f32| (a - b).abs() <= 1e-4 * (1.0 + b.abs());
                assert!(close(dot[row], scalar[row]), "{rows}×{cols} row {row}: dot {} vs {}", dot[row], scalar[row]);
                assert!(
                    close(panels[at], scalar[row]),
                    "{rows}×{cols} row {row}: panels {} vs {}",
                    panels[at],
                    scalar[row]
                );
            }
        }
    }
}
