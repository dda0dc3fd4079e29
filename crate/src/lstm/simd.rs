//! The fast CPU forward pass: the module-level equations in 4-lane SIMD (`wide::f32x4`: wasm `simd128`, x86_64
//! SSE, aarch64 NEON, or plain arrays where the build has none), for a batch of texts in one recurrence.
//!
//! # Layout
//!
//! [`Packed`] rearranges each layer's weights once, at load. Hidden units are taken four at a time (a *block*;
//! `H` is padded with zero units up to a multiple of four), and for each block and each input column `k` the
//! four gates' weights are stored next to each other: `[i, f, g, o]`, one `f32x4` each, covering the block's
//! four units. Accumulating `x[k] · w` down the columns leaves the block's four gate pre-activations in four
//! registers, so the activations and the cell update run right there: the four gates are fused into one pass
//! over the weights, which are read once per step for up to [`ROWS`] texts at a time.
//!
//! # Order of work
//!
//! Per layer: the input projection `W_ih · x_s + b` for every token of every text at once (no dependency
//! between steps, so [`ROWS`] steps share each read of `W_ih`), then the recurrence. Texts are sorted longest
//! first, so the texts still running at step `s` are a prefix of the batch and shorter ones simply drop out (the
//! mask is the length). Padded units stay exactly zero: their weights and bias are zero, so `c = ½·c + ½·0` and
//! `h = ½·tanh(0)`.

use wide::f32x4;

use super::activation::{sigmoid, tanh};
use super::{LstmLayer, Trace};
use crate::error::Result;
use crate::model::{Matrix, Model};

const LANES: usize = 4;
/// Gates per unit: i, f, g, o.
const GATES: usize = 4;
/// Texts that share one read of the recurrent weights: 2 × 4 accumulators plus 4 weight vectors fit in the 16
/// vector registers of x86_64 (which is what wasm engines map `v128` onto there).
const ROWS: usize = 2;

/// A model's LSTM weights in the kernel's layout (see the module docs).
#[derive(Debug, Clone)]
pub struct Packed {
    layers: Vec<PackedLayer>,
    /// `H` rounded up to a multiple of four.
    units: usize,
    hidden: usize,
}

#[derive(Debug, Clone)]
struct PackedLayer {
    /// Input columns of `W_ih` as stored (`E` for layer 0, padded units above).
    inputs: usize,
    /// `[blocks][inputs][gate]`.
    input: Vec<f32x4>,
    /// `[blocks][units][gate]`.
    recurrent: Vec<f32x4>,
    /// `[blocks][gate]`.
    bias: Vec<f32x4>,
}

impl Packed {
    pub fn new(model: &Model) -> Packed {
        let hidden = model.layers.first().map_or(0, LstmLayer::hidden_size);
        let units = hidden.div_ceil(LANES) * LANES;
        let layers = model
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                // Layers above the first read padded hidden states: their zero columns stay zero.
                let inputs = if l == 0 { layer.weight_ih.cols() } else { units };
                PackedLayer {
                    inputs,
                    input: pack(&layer.weight_ih, hidden, units, inputs),
                    recurrent: pack(&layer.weight_hh, hidden, units, units),
                    bias: pack_bias(&layer.bias, hidden, units),
                }
            })
            .collect();
        Packed { layers, units, hidden }
    }
}

/// `[blocks][columns][gate]` from a `[4H, cols]` matrix whose rows are the gates stacked `[i, f, g, o]`.
fn pack(matrix: &Matrix, hidden: usize, units: usize, columns: usize) -> Vec<f32x4> {
    let mut out = Vec::with_capacity(units / LANES * columns * GATES);
    for block in 0..units / LANES {
        for k in 0..columns {
            for gate in 0..GATES {
                out.push(f32x4::from(std::array::from_fn(|lane| {
                    let unit = block * LANES + lane;
                    if unit < hidden && k < matrix.cols() { matrix.row(gate * hidden + unit)[k] } else { 0.0 }
                })));
            }
        }
    }
    out
}

fn pack_bias(bias: &[f32], hidden: usize, units: usize) -> Vec<f32x4> {
    let mut out = Vec::with_capacity(units / LANES * GATES);
    for block in 0..units / LANES {
        for gate in 0..GATES {
            out.push(f32x4::from(std::array::from_fn(|lane| {
                let unit = block * LANES + lane;
                if unit < hidden { bias[gate * hidden + unit] } else { 0.0 }
            })));
        }
    }
    out
}

/// `acc[r][gate] += Σ_k x[r][k] · panel[k][gate]` for `R` rows sharing each load of the weights.
#[inline(always)]
fn accumulate<const R: usize>(panel: &[f32x4], x: [&[f32]; R], acc: &mut [[f32x4; GATES]; R]) {
    for (k, w) in panel.chunks_exact(GATES).enumerate() {
        for r in 0..R {
            let xk = f32x4::splat(x[r][k]);
            for gate in 0..GATES {
                acc[r][gate] = xk.mul_add(w[gate], acc[r][gate]);
            }
        }
    }
}

/// One text of the batch while it runs.
struct Sequence<'a> {
    /// Its position in the batch.
    index: usize,
    ids: &'a [u32],
    /// `[steps][blocks][gate]`: the current layer's input projection.
    projected: Vec<f32x4>,
    /// `[steps][units]`: the current layer's hidden states (the next layer's input).
    hidden: Vec<f32>,
    /// `[steps][units]`: the current layer's cell states.
    cell: Vec<f32>,
    /// Per finished layer, `[steps][H]`: the states the trace reports.
    trace_hidden: Vec<Vec<f32>>,
    trace_cell: Vec<Vec<f32>>,
}

/// Runs the model over every text of `batch` in one recurrence; one [`Trace`] per text, in order.
pub fn forward_batch(model: &Model, packed: &Packed, batch: &[&[u32]]) -> Result<Vec<Trace>> {
    for ids in batch {
        model.check_ids(ids)?;
    }
    let (units, blocks) = (packed.units, packed.units / LANES);
    let mut sequences: Vec<Sequence> = batch
        .iter()
        .enumerate()
        .map(|(index, &ids)| Sequence {
            index,
            ids,
            projected: Vec::new(),
            hidden: Vec::new(),
            cell: Vec::new(),
            trace_hidden: Vec::new(),
            trace_cell: Vec::new(),
        })
        .collect();
    // Longest first: the texts still running at any step are a prefix.
    sequences.sort_by_key(|seq| std::cmp::Reverse(seq.ids.len()));

    for (l, layer) in packed.layers.iter().enumerate() {
        // The input projection of every step of every text; layer 0 reads embedding rows.
        for seq in &mut sequences {
            let steps = seq.ids.len();
            let mut projected = vec![f32x4::ZERO; steps * blocks * GATES];
            let input = |s: usize| {
                if l == 0 { model.embedding.row(seq.ids[s] as usize) } else { &seq.hidden[s * units..(s + 1) * units] }
            };
            // Steps are independent here: ROWS of them share each read of the weights.
            let mut rows = projected.chunks_exact_mut(ROWS * blocks * GATES);
            for (pair, out) in (&mut rows).enumerate() {
                project(layer, blocks, [input(ROWS * pair), input(ROWS * pair + 1)], out);
            }
            let out = rows.into_remainder();
            if !out.is_empty() {
                project(layer, blocks, [input(steps - 1)], out);
            }
            seq.projected = projected;
            seq.hidden = vec![0.0; steps * units];
            seq.cell = vec![0.0; steps * units];
        }

        // The recurrence, step by step, for the texts still running.
        let zeros = vec![0.0; units];
        let longest = sequences.first().map_or(0, |seq| seq.ids.len());
        for s in 0..longest {
            let running = sequences.partition_point(|seq| seq.ids.len() > s);
            let mut pairs = sequences[..running].chunks_exact_mut(ROWS);
            for pair in &mut pairs {
                if let [a, b] = pair {
                    step_rows(layer, blocks, units, s, [a, b], &zeros);
                }
            }
            if let [last] = pairs.into_remainder() {
                step_rows(layer, blocks, units, s, [last], &zeros);
            }
        }

        for seq in &mut sequences {
            seq.trace_hidden.push(unpad(&seq.hidden, units, packed.hidden));
            seq.trace_cell.push(unpad(&seq.cell, units, packed.hidden));
        }
    }

    sequences.sort_by_key(|seq| seq.index);
    Ok(sequences
        .into_iter()
        .map(|seq| Trace {
            steps: seq.ids.len(),
            labels: model.head.bias.len(),
            logits: model.head.prefix_logits(seq.trace_hidden.last().map_or(&[], Vec::as_slice)),
            hidden: seq.trace_hidden,
            cell: seq.trace_cell,
        })
        .collect())
}

/// `out[r][block][gate] = b + W_ih · x[r]` for `R` inputs.
#[inline(always)]
fn project<const R: usize>(layer: &PackedLayer, blocks: usize, x: [&[f32]; R], out: &mut [f32x4]) {
    for block in 0..blocks {
        let mut acc: [[f32x4; GATES]; R] = [std::array::from_fn(|g| layer.bias[block * GATES + g]); R];
        accumulate(&layer.input[block * layer.inputs * GATES..(block + 1) * layer.inputs * GATES], x, &mut acc);
        for (r, acc) in acc.iter().enumerate() {
            out[(r * blocks + block) * GATES..][..GATES].copy_from_slice(acc);
        }
    }
}

/// Step `s` for `R` texts: gates from the projection plus `W_hh · h_{s-1}`, then the cell and hidden update.
#[inline(always)]
fn step_rows<const R: usize>(
    layer: &PackedLayer,
    blocks: usize,
    units: usize,
    s: usize,
    mut rows: [&mut Sequence; R],
    zeros: &[f32],
) {
    for block in 0..blocks {
        let panel = &layer.recurrent[block * units * GATES..(block + 1) * units * GATES];
        let mut acc: [[f32x4; GATES]; R] =
            std::array::from_fn(|r| std::array::from_fn(|g| rows[r].projected[(s * blocks + block) * GATES + g]));
        {
            let previous: [&[f32]; R] =
                std::array::from_fn(|r| if s == 0 { zeros } else { &rows[r].hidden[(s - 1) * units..s * units] });
            accumulate(panel, previous, &mut acc);
        }
        for (r, seq) in rows.iter_mut().enumerate() {
            let [zi, zf, zg, zo] = acc[r];
            let at = block * LANES;
            let c_prev = if s == 0 { f32x4::ZERO } else { load(&seq.cell[(s - 1) * units + at..]) };
            let c = sigmoid(zf) * c_prev + sigmoid(zi) * tanh(zg);
            let h = sigmoid(zo) * tanh(c);
            seq.cell[s * units + at..][..LANES].copy_from_slice(&c.to_array());
            seq.hidden[s * units + at..][..LANES].copy_from_slice(&h.to_array());
        }
    }
}

#[inline(always)]
fn load(values: &[f32]) -> f32x4 {
    f32x4::from([values[0], values[1], values[2], values[3]])
}

/// `[steps][hidden]` from `[steps][units]`.
fn unpad(states: &[f32], units: usize, hidden: usize) -> Vec<f32> {
    if units == hidden {
        return states.to_vec();
    }
    states.chunks_exact(units).flat_map(|row| &row[..hidden]).copied().collect()
}
