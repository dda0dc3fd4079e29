//! The LSTM's step in the SIMD kernel: four gates a unit, `[i, f, g, o]`, in one pass of multiply-adds.

use super::{
    Lanes, PackedCell, PackedLayer, Sequence, Step, StepAt, around_step, hidden_before, pack, pack_bias, sum_blocks,
};
use crate::model::LstmLayer;
use crate::recurrent::activation::{Activations, SIGMOID_SCALE, TANH_SCALE};

/// Gates per unit: i, f, g, o.
pub(super) const GATES: usize = 4;

/// Each gate's rows in the weights, in the packed order, and its factor: σ's for i, f and o, tanh's for g.
const SCALED: [(usize, f32); GATES] = [(0, SIGMOID_SCALE), (1, SIGMOID_SCALE), (2, TANH_SCALE), (3, SIGMOID_SCALE)];

/// An LSTM layer's recurrent weights in the kernel's layout.
#[derive(Debug, Clone)]
pub(super) struct Lstm<V: Lanes> {
    /// `[blocks][units][gate]`.
    recurrent: Vec<V>,
}

/// `layer` in the kernel's layout, for `hidden` units padded to `units` and `inputs` input columns.
pub(super) fn pack_layer<V: Lanes>(layer: &LstmLayer, hidden: usize, units: usize, inputs: usize) -> PackedLayer<V> {
    PackedLayer {
        inputs,
        input: pack(&layer.weight_ih, hidden, units, inputs, &SCALED),
        bias: pack_bias(&layer.bias, hidden, units, &SCALED),
        cell: PackedCell::Lstm(Lstm { recurrent: pack(&layer.weight_hh, hidden, units, units, &SCALED) }),
    }
}

impl<V: Lanes> Step<V> for Lstm<V> {
    /// Step `s` in three passes: gates from the projection plus `W_hh · h_{s-1}` for every block; every gate's
    /// activation; the cell and hidden update of every block. (Not one pass per block: the activations are long
    /// chains of dependent operations, and the CPU overlaps independent ones only when each loop turn is short;
    /// right after each block's multiply-adds it could not, and it waited.)
    #[inline(always)]
    fn step<const R: usize>(&self, at: StepAt, mut rows: [&mut Sequence<V>; R], gates: &mut [V], columns: &mut [f32]) {
        let StepAt { blocks, units, s } = at;
        let previous = hidden_before(&rows, s, units, columns);
        let start = |r: usize, block: usize| rows[r].block_projection::<GATES>(at, block);
        sum_blocks::<V, R, GATES>(&self.recurrent, blocks, previous, start, gates, GATES);
        // Every gate's activation, all R texts' in one flat loop of short independent turns. (A block's five
        // activations in one turn, the cell state's tanh waiting on four of them, left the CPU waiting: the
        // activations were 30% of the step.)
        let act = Activations::opaque();
        for t in &mut gates[..R * blocks * GATES] {
            *t = act.sigmoid_of_scaled(*t);
        }
        for (r, seq) in rows.iter_mut().enumerate() {
            let (c_prev, cell) = around_step(&mut seq.cell, &seq.start_cell, s, units);
            let hidden = &mut seq.hidden[s * units..(s + 1) * units];
            let gates = gates[r * blocks * GATES..(r + 1) * blocks * GATES].as_chunks::<GATES>().0;
            let (c_prev, cell, hidden) =
                (c_prev.chunks_exact(V::LANES), cell.chunks_exact_mut(V::LANES), hidden.chunks_exact_mut(V::LANES));
            // `q`: σ(i), σ(f), the g gate's 1 / (1 + 2^(g · 2 log2 e)), σ(o).
            for (((q, c_prev), cell), hidden) in gates.iter().zip(c_prev).zip(cell).zip(hidden) {
                let c = q[1] * V::load(c_prev) + q[0] * act.tanh_from(q[2]);
                let h = q[3] * act.tanh(c);
                c.store(cell);
                h.store(hidden);
            }
        }
    }
}
