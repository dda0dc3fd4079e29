//! The fast CPU forward pass: the module-level equations in 4-lane SIMD (`wide::f32x4`: wasm `simd128`, x86_64
//! SSE, aarch64 NEON, or plain arrays where the build has none), for a batch of texts in one recurrence.
//!
//! # Layout
//!
//! [`Packed`] rearranges each layer's weights once, at load. Hidden units are taken four at a time (a *block*;
//! `H` is padded with zero units up to a multiple of four), and for each block and each input column `k` the
//! four gates' weights are stored next to each other: `[i, f, g, o]`, one `f32x4` each, covering the block's
//! four units. Accumulating `x[k] · w` down the columns leaves the block's four gate pre-activations in four
//! registers: the four gates are fused into one pass over the weights, which are read once per step for up to
//! `ROWS` texts at a time. Each gate's weights and bias are stored times its factor in
//! [`GATE_SCALE`] (σ's `−log2 e` for i, f and o, tanh's `2 log2 e` for g), so the sums come out as the
//! activations' arguments: the four gates then run one formula, `1 / (1 + 2^t)`
//! ([`Activations::sigmoid_of_scaled`]). Scaling by `−log2 e` or `2 log2 e` rounds each weight once: the sums differ
//! from the unscaled ones in the last bits, within the kernel's tolerance of the reference.
//!
//! # Order of work
//!
//! Per layer: the input projection `W_ih · x_s + b` for every token of every text at once (no dependency
//! between steps, so `ROWS` steps share each read of `W_ih`), then the recurrence. The first layer's input is
//! an embedding row, so its projection depends only on the token id: [`Packed::new`] computes it once for the
//! whole vocabulary (the *table*, `V × 4H` floats, when that is at most [`TABLE_BYTES_MAX`]), and a text's
//! projection is then a gather of rows. That removes `E / (E + H)` of the multiply-adds per token (44% for the
//! shipped model, E = 50, H = 64) and the reads of `W_ih`. Texts are sorted longest
//! first, so the texts still running at step `s` are a prefix of the batch and shorter ones simply drop out (the
//! mask is the length). Padded units stay exactly zero: their weights and bias are zero, so `c = ½·c + ½·0` and
//! `h = ½·tanh(0)`.

use wide::f32x4;

use super::activation::{Activations, GATE_SCALE};
use super::{LstmLayer, State, Trace};
use crate::error::Result;
use crate::model::{Matrix, Model};

const LANES: usize = 4;
/// Gates per unit: i, f, g, o.
const GATES: usize = 4;
/// Texts that share one read of the recurrent weights: 2 × 4 accumulators plus 4 weight vectors fit in the 16
/// vector registers of x86_64 (which is what wasm engines map `v128` onto there).
const ROWS: usize = 2;
/// The largest vocabulary table [`Packed::new`] builds: 64 MiB (the shipped model's is 7.8 MiB).
pub const TABLE_BYTES_MAX: usize = 64 << 20;

/// A model's LSTM weights in the kernel's layout (see the module docs).
#[derive(Debug, Clone)]
pub struct Packed {
    layers: Vec<PackedLayer>,
    /// `H` rounded up to a multiple of four.
    units: usize,
    hidden: usize,
    /// `[vocab][blocks][gate]`: `b + W_ih · embedding[v]` of the first layer, for every token id `v`.
    table: Option<Vec<f32x4>>,
    /// `[labels][units / 4]`: the head's weights, padded units zero.
    head: Vec<f32x4>,
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
    /// Packs `model`, with the vocabulary table if it fits in [`TABLE_BYTES_MAX`].
    pub fn new(model: &Model) -> Packed {
        let mut packed = Packed::without_table(model);
        let bytes = model.embedding.rows() * packed.units * GATES * size_of::<f32>();
        if bytes <= TABLE_BYTES_MAX {
            packed.table = packed.layers.first().map(|layer| vocabulary_table(model, layer, packed.units / LANES));
        }
        packed
    }

    /// Packs `model` without the vocabulary table: every token's first-layer projection is computed when it is
    /// read (for tests and benchmarks of that path; [`Packed::new`] uses it for vocabularies too large to table).
    pub fn without_table(model: &Model) -> Packed {
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
                    input: pack(&layer.weight_ih, hidden, units, inputs, GATE_SCALE),
                    recurrent: pack(&layer.weight_hh, hidden, units, units, GATE_SCALE),
                    bias: pack_bias(&layer.bias, hidden, units, GATE_SCALE),
                }
            })
            .collect();
        let weight = &model.head.weight;
        let head = (0..weight.rows())
            .flat_map(|label| {
                let row = weight.row(label);
                (0..units / LANES).map(move |chunk| {
                    f32x4::from(std::array::from_fn(|lane| row.get(chunk * LANES + lane).copied().unwrap_or(0.0)))
                })
            })
            .collect();
        Packed { layers, units, hidden, table: None, head }
    }

    /// The bytes the vocabulary table takes (0 without one).
    pub fn table_bytes(&self) -> usize {
        self.table.as_ref().map_or(0, |table| size_of_val(table.as_slice()))
    }
}

/// `[vocab][blocks][gate]`: the first layer's input projection of every embedding row.
fn vocabulary_table(model: &Model, layer: &PackedLayer, blocks: usize) -> Vec<f32x4> {
    project_all(layer, blocks, model.embedding.rows(), |v| model.embedding.row(v))
}

/// `[blocks][columns][gate]` from a `[4H, cols]` matrix whose rows are the gates stacked `[i, f, g, o]`, each
/// gate's rows times its `scale`.
fn pack(matrix: &Matrix, hidden: usize, units: usize, columns: usize, scale: [f32; GATES]) -> Vec<f32x4> {
    let mut out = Vec::with_capacity(units / LANES * columns * GATES);
    for block in 0..units / LANES {
        for k in 0..columns {
            for (gate, scale) in scale.iter().enumerate() {
                out.push(f32x4::from(std::array::from_fn(|lane| {
                    let unit = block * LANES + lane;
                    if unit < hidden && k < matrix.cols() { scale * matrix.row(gate * hidden + unit)[k] } else { 0.0 }
                })));
            }
        }
    }
    out
}

/// `[blocks][gate]` from biases stacked `[i, f, g, o]`, each gate's times its `scale`.
fn pack_bias(bias: &[f32], hidden: usize, units: usize, scale: [f32; GATES]) -> Vec<f32x4> {
    let mut out = Vec::with_capacity(units / LANES * GATES);
    for block in 0..units / LANES {
        for (gate, scale) in scale.iter().enumerate() {
            out.push(f32x4::from(std::array::from_fn(|lane| {
                let unit = block * LANES + lane;
                if unit < hidden { scale * bias[gate * hidden + unit] } else { 0.0 }
            })));
        }
    }
    out
}

/// `acc[r][gate] += Σ_k x[k][r] · panel[k][gate]` for `R` rows sharing each load of the weights; `x` holds the
/// rows interleaved, column by column ([`interleave`]), so that one pointer walks them.
///
/// One chain of additions per accumulator, in column order, whatever `R`: a text gets the same bits alone and in
/// a batch. (Splitting the columns over two chains for `R = 1` measured slower in V8: LLVM unrolls the loop, and
/// the doubled live values spill out of the 16 vector registers.)
#[inline(always)]
fn accumulate<const R: usize>(panel: &[f32x4], x: &[f32], acc: &mut [[f32x4; GATES]; R]) {
    debug_assert_eq!(x.len(), panel.len() / GATES * R, "one value per column and row");
    if R == 1 {
        return accumulate_one(panel, x, &mut acc[0]);
    }
    for (w, xk) in panel.chunks_exact(GATES).zip(x.as_chunks::<R>().0) {
        for r in 0..R {
            let xk = f32x4::splat(xk[r]);
            for gate in 0..GATES {
                acc[r][gate] = xk.mul_add(w[gate], acc[r][gate]);
            }
        }
    }
}

/// `rows` in the layout [`accumulate`] reads, `[k][r]`, written to `out` (for one row, the row itself).
#[inline(always)]
fn interleave<'a, const R: usize>(rows: [&'a [f32]; R], out: &'a mut [f32]) -> &'a [f32] {
    if R == 1 {
        return rows[0];
    }
    let columns = rows[0].len();
    debug_assert!(rows.iter().all(|row| row.len() == columns), "rows of one length");
    let out = &mut out[..columns * R];
    for (k, column) in out.as_chunks_mut::<R>().0.iter_mut().enumerate() {
        for r in 0..R {
            column[r] = rows[r][k];
        }
    }
    out
}

/// [`accumulate`] for one text, two columns a turn: V8 runs the loop's counters and an interrupt check every turn,
/// and this halves them while the registers still hold everything (the same four accumulators, two columns'
/// weights); 6% off one text's forward pass. With two texts, or four columns a turn, V8 spills. The additions are
/// the same, in the same order.
#[inline(always)]
fn accumulate_one(panel: &[f32x4], x: &[f32], acc: &mut [f32x4; GATES]) {
    let (pairs, rest) = panel.as_chunks::<{ 2 * GATES }>();
    let x = &x[..pairs.len() * 2 + rest.len() / GATES];
    for (w, xk) in pairs.iter().zip(x.as_chunks::<2>().0) {
        for j in 0..2 {
            let xk = f32x4::splat(xk[j]);
            for gate in 0..GATES {
                acc[gate] = xk.mul_add(w[j * GATES + gate], acc[gate]);
            }
        }
    }
    if !rest.is_empty() {
        let xk = f32x4::splat(x[x.len() - 1]);
        for gate in 0..GATES {
            acc[gate] = xk.mul_add(rest[gate], acc[gate]);
        }
    }
}

/// One text of the batch while it runs.
struct Sequence<'a> {
    /// Its position in the batch.
    index: usize,
    ids: &'a [u32],
    /// Per layer, the state before its first step (empty: the zero state).
    start: &'a [State],
    /// `[units]`: the current layer's hidden and cell state before the first step.
    start_hidden: Vec<f32>,
    start_cell: Vec<f32>,
    /// `[steps][blocks][gate]`: the current layer's input projection.
    projected: Vec<f32x4>,
    /// `[steps][units]`: the current layer's hidden states (the next layer's input).
    hidden: Vec<f32>,
    /// `[steps][units]`: the current layer's cell states.
    cell: Vec<f32>,
    /// `[steps + 1][labels]`: the head's logits for every prefix, once the last layer has run.
    logits: Vec<f32>,
    /// Per finished layer, `[steps][H]`: the states the trace reports.
    trace_hidden: Vec<Vec<f32>>,
    trace_cell: Vec<Vec<f32>>,
}

impl<'a> Sequence<'a> {
    /// Text `index` of the batch, before any layer has run.
    fn new(index: usize, ids: &'a [u32], start: &'a [State]) -> Sequence<'a> {
        Sequence {
            index,
            ids,
            start,
            start_hidden: Vec::new(),
            start_cell: Vec::new(),
            projected: Vec::new(),
            hidden: Vec::new(),
            cell: Vec::new(),
            trace_hidden: Vec::new(),
            trace_cell: Vec::new(),
            logits: Vec::new(),
        }
    }
}

/// Runs the model over every text of `batch` in one recurrence; one [`Trace`] per text, in order.
pub fn forward_batch(model: &Model, packed: &Packed, batch: &[&[u32]]) -> Result<Vec<Trace>> {
    run(model, packed, batch.iter().enumerate().map(|(index, &ids)| Sequence::new(index, ids, &[])).collect())
}

/// [`forward_batch`] for one text, from the states in `start` (one per layer; empty for the zero state): see
/// [`super::reference::forward_from`].
pub fn forward_from(model: &Model, packed: &Packed, ids: &[u32], start: &[State]) -> Result<Trace> {
    Ok(run(model, packed, vec![Sequence::new(0, ids, start)])?.remove(0))
}

/// The forward pass of [`forward_batch`] over `sequences` (indexed by their position in the batch).
fn run(model: &Model, packed: &Packed, mut sequences: Vec<Sequence>) -> Result<Vec<Trace>> {
    for seq in &sequences {
        model.check_ids(seq.ids)?;
    }
    let (units, blocks) = (packed.units, packed.units / LANES);
    // Longest first: the texts still running at any step are a prefix.
    sequences.sort_by_key(|seq| std::cmp::Reverse(seq.ids.len()));

    for (l, layer) in packed.layers.iter().enumerate() {
        // The input projection of every step of every text: rows of the table, or computed from embedding rows
        // (layer 0) or the layer below's hidden states.
        for seq in &mut sequences {
            let steps = seq.ids.len();
            seq.projected = match (l, &packed.table) {
                (0, Some(table)) => {
                    let mut rows = Vec::with_capacity(steps * blocks * GATES);
                    for &id in seq.ids {
                        rows.extend_from_slice(&table[id as usize * blocks * GATES..][..blocks * GATES]);
                    }
                    rows
                }
                (0, None) => project_all(layer, blocks, steps, |s| model.embedding.row(seq.ids[s] as usize)),
                _ => project_all(layer, blocks, steps, |s| &seq.hidden[s * units..(s + 1) * units]),
            };
            seq.hidden = vec![0.0; steps * units];
            seq.cell = vec![0.0; steps * units];
            let pad = |state: &[f32]| {
                let mut padded = state.to_vec();
                padded.resize(units, 0.0);
                padded
            };
            (seq.start_hidden, seq.start_cell) = match seq.start.get(l) {
                Some(state) => (pad(&state.h), pad(&state.c)),
                None => (vec![0.0; units], vec![0.0; units]),
            };
        }

        recur(layer, blocks, units, &mut sequences);

        // The states the trace reports, moved rather than copied where there is no padding to drop (the hidden
        // states are still the next layer's input).
        let next_reads_hidden = l + 1 < packed.layers.len();
        for seq in &mut sequences {
            if !next_reads_hidden {
                seq.logits = prefix_logits(model, packed, &seq.hidden);
            }
            let hidden = if units == packed.hidden && !next_reads_hidden {
                std::mem::take(&mut seq.hidden)
            } else {
                unpad(&seq.hidden, units, packed.hidden)
            };
            let cell = if units == packed.hidden {
                std::mem::take(&mut seq.cell)
            } else {
                unpad(&seq.cell, units, packed.hidden)
            };
            seq.trace_hidden.push(hidden);
            seq.trace_cell.push(cell);
        }
    }

    sequences.sort_by_key(|seq| seq.index);
    Ok(sequences
        .into_iter()
        .map(|seq| Trace {
            steps: seq.ids.len(),
            labels: model.head.bias.len(),
            logits: seq.logits,
            hidden: seq.trace_hidden,
            cell: seq.trace_cell,
        })
        .collect())
}

/// The recurrence of one layer over `sequences` (sorted longest first, projections ready), step by step for the
/// texts still running.
fn recur(layer: &PackedLayer, blocks: usize, units: usize, sequences: &mut [Sequence]) {
    let longest = sequences.first().map_or(0, |seq| seq.ids.len());
    let mut gates = vec![f32x4::ZERO; ROWS * blocks * GATES];
    let mut columns = vec![0.0; ROWS * units];
    for s in 0..longest {
        let running = sequences.partition_point(|seq| seq.ids.len() > s);
        let mut pairs = sequences[..running].chunks_exact_mut(ROWS);
        for pair in &mut pairs {
            if let [a, b] = pair {
                step_rows(layer, blocks, units, s, [a, b], &mut gates, &mut columns);
            }
        }
        if let [last] = pairs.into_remainder() {
            step_rows(layer, blocks, units, s, [last], &mut gates, &mut columns);
        }
    }
}

/// The first layer's recurrence alone, for `batch` texts of `steps` tokens with a zero input projection: what
/// `scripts/bench` times as the recurrent step. Returns a value of the result, so that none of it is optimised
/// away.
#[cfg(feature = "bench")]
pub fn recurrence_only(packed: &Packed, batch: usize, steps: usize) -> f32 {
    let (units, blocks) = (packed.units, packed.units / LANES);
    let ids = vec![0; steps];
    let mut sequences: Vec<Sequence> = (0..batch)
        .map(|index| Sequence {
            projected: vec![f32x4::ZERO; steps * blocks * GATES],
            hidden: vec![0.0; steps * units],
            cell: vec![0.0; steps * units],
            start_hidden: vec![0.0; units],
            start_cell: vec![0.0; units],
            ..Sequence::new(index, &ids, &[])
        })
        .collect();
    if let Some(layer) = packed.layers.first() {
        recur(layer, blocks, units, &mut sequences);
    }
    sequences.iter().map(|seq| seq.hidden.last().copied().unwrap_or_default()).sum()
}

/// `matrix` (`4H × cols`, any `H`) in the kernel's layout, for [`mat_vec`].
#[cfg(feature = "bench")]
pub(crate) fn pack_matrix(matrix: &Matrix) -> Vec<f32x4> {
    let hidden = matrix.rows() / GATES;
    pack(matrix, hidden, hidden.div_ceil(LANES) * LANES, matrix.cols(), [1.0; GATES])
}

/// `y = W · x` for `W` packed by [`pack_matrix`]: the kernel's multiply-adds without the LSTM around them.
#[cfg(feature = "bench")]
pub(crate) fn mat_vec(packed: &[f32x4], x: &[f32], y: &mut [f32x4]) {
    for (panel, y) in packed.chunks_exact(x.len() * GATES).zip(y.chunks_exact_mut(GATES)) {
        let mut acc = [[f32x4::ZERO; GATES]];
        accumulate(panel, x, &mut acc);
        y.copy_from_slice(&acc[0]);
    }
}

/// `[count][blocks][gate]`: `b + W_ih · input(n)` for `n < count`, [`ROWS`] inputs sharing each read of the
/// weights.
fn project_all<'a>(layer: &PackedLayer, blocks: usize, count: usize, input: impl Fn(usize) -> &'a [f32]) -> Vec<f32x4> {
    let mut out = vec![f32x4::ZERO; count * blocks * GATES];
    let mut columns = vec![0.0; ROWS * layer.inputs];
    let mut rows = out.chunks_exact_mut(ROWS * blocks * GATES);
    for (pair, out) in (&mut rows).enumerate() {
        let x = interleave([input(ROWS * pair), input(ROWS * pair + 1)], &mut columns);
        project::<ROWS>(layer, blocks, x, out);
    }
    let last = rows.into_remainder();
    if !last.is_empty() {
        project::<1>(layer, blocks, input(count - 1), last);
    }
    out
}

/// `out[r][block][gate] = b + W_ih · x[r]` for `R` inputs, interleaved in `x` (see [`interleave`]).
#[inline(always)]
fn project<const R: usize>(layer: &PackedLayer, blocks: usize, x: &[f32], out: &mut [f32x4]) {
    for block in 0..blocks {
        let mut acc: [[f32x4; GATES]; R] = [std::array::from_fn(|g| layer.bias[block * GATES + g]); R];
        accumulate(&layer.input[block * layer.inputs * GATES..(block + 1) * layer.inputs * GATES], x, &mut acc);
        for (r, acc) in acc.iter().enumerate() {
            out[(r * blocks + block) * GATES..][..GATES].copy_from_slice(acc);
        }
    }
}

/// Step `s` for `R` texts, in three passes: gates from the projection plus `W_hh · h_{s-1}` for every block; every
/// gate's activation; the cell and hidden update of every block. (Not one pass per block: the activations are long
/// chains of dependent operations, and the CPU overlaps independent ones only when each loop turn is short;
/// right after each block's multiply-adds it could not, and it waited.) `gates`: room for `R × blocks × 4`
/// vectors; `columns`: for `R × units` floats, the texts' previous hidden states interleaved.
#[inline(always)]
fn step_rows<const R: usize>(
    layer: &PackedLayer,
    blocks: usize,
    units: usize,
    s: usize,
    mut rows: [&mut Sequence; R],
    gates: &mut [f32x4],
    columns: &mut [f32],
) {
    let previous: [&[f32]; R] = std::array::from_fn(|r| match s {
        0 => &rows[r].start_hidden[..],
        _ => &rows[r].hidden[(s - 1) * units..s * units],
    });
    let previous = interleave(previous, columns);
    for block in 0..blocks {
        let panel = &layer.recurrent[block * units * GATES..(block + 1) * units * GATES];
        let mut acc: [[f32x4; GATES]; R] =
            std::array::from_fn(|r| std::array::from_fn(|g| rows[r].projected[(s * blocks + block) * GATES + g]));
        accumulate(panel, previous, &mut acc);
        for (r, acc) in acc.iter().enumerate() {
            gates[(r * blocks + block) * GATES..][..GATES].copy_from_slice(acc);
        }
    }
    // Every gate's activation, all R texts' in one flat loop of short independent turns. (A block's five
    // activations in one turn, the cell state's tanh waiting on four of them, left the CPU waiting: the
    // activations were 30% of the step.)
    let act = Activations::opaque();
    for t in &mut gates[..R * blocks * GATES] {
        *t = act.sigmoid_of_scaled(*t);
    }
    for (r, seq) in rows.iter_mut().enumerate() {
        let (c_prev, hidden, cell) = if s == 0 {
            (&seq.start_cell[..], &mut seq.hidden[..units], &mut seq.cell[..units])
        } else {
            let (done, now) = seq.cell.split_at_mut(s * units);
            (&done[(s - 1) * units..], &mut seq.hidden[s * units..(s + 1) * units], &mut now[..units])
        };
        let gates = gates[r * blocks * GATES..(r + 1) * blocks * GATES].as_chunks::<GATES>().0;
        let (c_prev, cell, hidden) =
            (c_prev.as_chunks::<LANES>().0, cell.as_chunks_mut::<LANES>().0, hidden.as_chunks_mut::<LANES>().0);
        // `q`: σ(i), σ(f), the g gate's 1 / (1 + 2^(g · 2 log2 e)), σ(o).
        for (((q, c_prev), cell), hidden) in gates.iter().zip(c_prev).zip(cell).zip(hidden) {
            let c = q[1] * f32x4::from(*c_prev) + q[0] * act.tanh_from(q[2]);
            let h = q[3] * act.tanh(c);
            *cell = c.to_array();
            *hidden = h.to_array();
        }
    }
}

#[inline(always)]
fn load(values: &[f32]) -> f32x4 {
    f32x4::from([values[0], values[1], values[2], values[3]])
}

/// `[T + 1, labels]`: [`crate::model::Head::prefix_logits`] from the last layer's hidden states `[T][units]`, each
/// dot product in four lanes (the reference's is one chain of additions, as long as a row).
fn prefix_logits(model: &Model, packed: &Packed, hidden: &[f32]) -> Vec<f32> {
    let bias = &model.head.bias;
    let mut logits = Vec::with_capacity((hidden.len() / packed.units + 1) * bias.len());
    logits.extend_from_slice(bias); // the zero state's
    for h in hidden.chunks_exact(packed.units) {
        for (row, b) in packed.head.chunks_exact(packed.units / LANES).zip(bias) {
            let mut acc = f32x4::ZERO;
            for (w, x) in row.iter().zip(h.chunks_exact(LANES)) {
                acc = load(x).mul_add(*w, acc);
            }
            logits.push(b + acc.reduce_add());
        }
    }
    logits
}

/// `[steps][hidden]` from `[steps][units]`.
fn unpad(states: &[f32], units: usize, hidden: usize) -> Vec<f32> {
    if units == hidden {
        return states.to_vec();
    }
    states.chunks_exact(units).flat_map(|row| &row[..hidden]).copied().collect()
}
