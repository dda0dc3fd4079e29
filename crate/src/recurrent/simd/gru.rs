//! The GRU's steps in the SIMD kernel: three gates a unit, `[r, z, n]`, one step for each convention.
//!
//! The input projection starts from `b_ih` plus whatever of `b_hh` adds to it unscaled: the reset and update
//! gates' recurrent biases, and, with the reset gate applied before the product, the candidate's too. Applied
//! after it, `r` scales the candidate's recurrent bias with the product, so that bias starts the candidate's
//! recurrent sum instead. Scaling the candidate's weights and biases by tanh's factor scales `a_n + r ⊙ u_n` as a
//! whole, since both terms are scaled.

use super::{
    Lanes, PackedCell, PackedLayer, Sequence, Step, StepAt, around_step, hidden_before, pack, pack_bias, sum_blocks,
};
use crate::model::{GruLayer, Reset};
use crate::recurrent::activation::{Activations, SIGMOID_SCALE, TANH_SCALE};

/// Gates per unit: r, z, n.
pub(super) const GATES: usize = 3;
/// The most lanes a vector has.
const MAX_LANES: usize = 16;

/// Each gate's rows in the weights, in the packed order, and its factor: σ's for r and z, tanh's for n.
const SCALED: [(usize, f32); GATES] = [(0, SIGMOID_SCALE), (1, SIGMOID_SCALE), (2, TANH_SCALE)];
/// The reset and update gates alone.
const RESET_UPDATE: [(usize, f32); 2] = [(0, SIGMOID_SCALE), (1, SIGMOID_SCALE)];
/// The candidate alone.
const CANDIDATE: [(usize, f32); 1] = [(2, TANH_SCALE)];

/// A GRU layer's recurrent weights in the kernel's layout, reset gate after the product.
#[derive(Debug, Clone)]
pub(super) struct ResetAfter<V: Lanes> {
    /// `[blocks][units][gate]`.
    recurrent: Vec<V>,
    /// `[blocks]`: the candidate's recurrent bias, where its recurrent sum starts.
    candidate_bias: Vec<V>,
}

/// A GRU layer's recurrent weights in the kernel's layout, reset gate before the product.
#[derive(Debug, Clone)]
pub(super) struct ResetBefore<V: Lanes> {
    /// `[blocks][units][gate]`: the reset and update gates'.
    reset_update: Vec<V>,
    /// `[blocks][units]`: the candidate's.
    candidate: Vec<V>,
}

/// `layer` in the kernel's layout, for `hidden` units padded to `units` and `inputs` input columns.
pub(super) fn pack_layer<V: Lanes>(layer: &GruLayer, hidden: usize, units: usize, inputs: usize) -> PackedLayer<V> {
    let (weights, unscaled_by_r) = (
        &layer.weight_hh,
        match layer.reset {
            Reset::After => 2 * hidden,
            Reset::Before => 3 * hidden,
        },
    );
    let mut bias = layer.bias_ih.clone();
    for (bias, recurrent) in bias.iter_mut().zip(&layer.bias_hh[..unscaled_by_r]) {
        *bias += recurrent;
    }
    let cell = match layer.reset {
        Reset::After => PackedCell::GruResetAfter(ResetAfter {
            recurrent: pack(weights, hidden, units, units, &SCALED),
            candidate_bias: pack_bias(&layer.bias_hh, hidden, units, &CANDIDATE),
        }),
        Reset::Before => PackedCell::GruResetBefore(ResetBefore {
            reset_update: pack(weights, hidden, units, units, &RESET_UPDATE),
            candidate: pack(weights, hidden, units, units, &CANDIDATE),
        }),
    };
    PackedLayer {
        inputs,
        input: pack(&layer.weight_ih, hidden, units, inputs, &SCALED),
        bias: pack_bias(&bias, hidden, units, &SCALED),
        cell,
    }
}

/// `r`'s and `z`'s activations in place, in one flat loop over every text's blocks (the candidate's slot is left).
#[inline(always)]
fn activate_reset_update<V: Lanes>(gates: &mut [V], act: &Activations<V>) {
    for q in gates.as_chunks_mut::<GATES>().0 {
        q[0] = act.sigmoid_of_scaled(q[0]);
        q[1] = act.sigmoid_of_scaled(q[1]);
    }
}

/// The input projections of `r` and `z` of block `block` at step `at.s`.
#[inline(always)]
fn reset_update_projection<V: Lanes>(seq: &Sequence<V>, at: StepAt, block: usize) -> [V; 2] {
    let [reset, update, _] = seq.block_projection::<GATES>(at, block);
    [reset, update]
}

impl<V: Lanes> Step<V> for ResetAfter<V> {
    /// Step `s` in three passes, as the LSTM's: every block's multiply-adds (`r`, `z` and the candidate's
    /// `u_n = W_hn · h + b_hn`, all three gates in one read of the weights); `r`'s and `z`'s activations in one flat
    /// loop; every block's candidate and hidden state.
    #[inline(always)]
    fn step<const R: usize>(&self, at: StepAt, mut rows: [&mut Sequence<V>; R], gates: &mut [V], columns: &mut [f32]) {
        let StepAt { blocks, units, s } = at;
        let previous = hidden_before(&rows, s, units, columns);
        let start = |r: usize, block: usize| {
            let [reset, update] = reset_update_projection(rows[r], at, block);
            [reset, update, self.candidate_bias[block]]
        };
        sum_blocks::<V, R, GATES>(&self.recurrent, blocks, previous, start, gates, GATES);
        let act = Activations::opaque();
        activate_reset_update(&mut gates[..R * blocks * GATES], &act);
        for (r, seq) in rows.iter_mut().enumerate() {
            let gates = gates[r * blocks * GATES..(r + 1) * blocks * GATES].as_chunks::<GATES>().0;
            let projected = seq.projected.step(s, blocks * GATES).as_chunks::<GATES>().0;
            let (h_prev, hidden) = around_step(&mut seq.hidden, &seq.start_hidden, s, units);
            let (h_prev, hidden) = (h_prev.chunks_exact(V::LANES), hidden.chunks_exact_mut(V::LANES));
            // `q`: r, z, u_n; `a`: the projection, whose candidate part and `u_n` are both tanh-scaled.
            for (((q, a), h_prev), hidden) in gates.iter().zip(projected).zip(h_prev).zip(hidden) {
                let n = act.tanh_from(act.sigmoid_of_scaled(q[0].mul_add(q[2], a[2])));
                update(q[1], V::load(h_prev), n).store(hidden);
            }
        }
    }
}

impl<V: Lanes> Step<V> for ResetBefore<V> {
    /// Step `s` in five passes: every block's multiply-adds for `r` and `z`; their activations in one flat loop;
    /// `r ⊙ h`, interleaved like the hidden states; every block's multiply-adds for the candidate over it; every
    /// block's candidate and hidden state.
    #[inline(always)]
    fn step<const R: usize>(&self, at: StepAt, mut rows: [&mut Sequence<V>; R], gates: &mut [V], columns: &mut [f32]) {
        let StepAt { blocks, units, s } = at;
        let previous = hidden_before(&rows, s, units, columns);
        let start = |r: usize, block: usize| reset_update_projection(rows[r], at, block);
        sum_blocks::<V, R, 2>(&self.reset_update, blocks, previous, start, gates, GATES);
        let act = Activations::opaque();
        activate_reset_update(&mut gates[..R * blocks * GATES], &act);
        // `r ⊙ h` in the hidden states' place: unit `u` of text `r` at `u · R + r`.
        let mut reset = [0.0; MAX_LANES];
        let reset = &mut reset[..V::LANES];
        for (r, seq) in rows.iter().enumerate() {
            for (block, h_prev) in seq.hidden_before(s, units).chunks_exact(V::LANES).enumerate() {
                (gates[(r * blocks + block) * GATES] * V::load(h_prev)).store(reset);
                for (lane, value) in reset.iter().enumerate() {
                    columns[(block * V::LANES + lane) * R + r] = *value;
                }
            }
        }
        let start = |r: usize, block: usize| [rows[r].block_projection::<GATES>(at, block)[2]];
        sum_blocks::<V, R, 1>(&self.candidate, blocks, &columns[..R * units], start, &mut gates[2..], GATES);
        for (r, seq) in rows.iter_mut().enumerate() {
            let gates = gates[r * blocks * GATES..(r + 1) * blocks * GATES].as_chunks::<GATES>().0;
            let (h_prev, hidden) = around_step(&mut seq.hidden, &seq.start_hidden, s, units);
            let (h_prev, hidden) = (h_prev.chunks_exact(V::LANES), hidden.chunks_exact_mut(V::LANES));
            for ((q, h_prev), hidden) in gates.iter().zip(h_prev).zip(hidden) {
                let n = act.tanh_from(act.sigmoid_of_scaled(q[2]));
                update(q[1], V::load(h_prev), n).store(hidden);
            }
        }
    }
}

/// `h = (1 − z) ⊙ n + z ⊙ h_prev`, as `n + z ⊙ (h_prev − n)`.
#[inline(always)]
fn update<V: Lanes>(z: V, h_prev: V, n: V) -> V {
    z.mul_add(h_prev - n, n)
}
