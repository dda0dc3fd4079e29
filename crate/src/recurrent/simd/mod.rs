//! The fast CPU forward pass: the module-level equations in SIMD, for a batch of texts in one recurrence. One
//! source, generic over the vector (`Lanes`), runs at every width ([`Width`]): 4 lanes (`wide::f32x4`: wasm
//! `simd128`, x86_64 SSE, aarch64 NEON, or plain arrays where the build has none) and, on x86_64 CPUs with AVX2 and
//! FMA, 8 lanes (`F32x8`), and on those with AVX-512F, 16 (`F32x16`), chosen at run time when the weights are
//! packed.
//!
//! # Layout
//!
//! [`Packed`] rearranges each layer's weights once, at load. Hidden units are taken a vector's lanes at a time (a
//! *block* of `L` units, `L` = 4, 8 or 16; `H` is padded with zero units up to a multiple of `L`), and for each
//! block and each input column `k` the cell's gates' weights are stored next to each other (an LSTM's
//! `[i, f, g, o]`, a GRU's `[r, z, n]`), one vector each, covering the block's units. Accumulating `x[k] · w` down
//! the columns leaves the block's gate pre-activations in as many registers: the gates are fused into one pass over
//! the weights, which are read once per step for up to `ROWS` texts at a time. Each gate's weights and bias are
//! stored times its activation's factor ([`SIGMOID_SCALE`](super::activation::SIGMOID_SCALE) for the gates σ
//! activates, [`TANH_SCALE`](super::activation::TANH_SCALE) for an LSTM's g and a GRU's n), so the sums come out as
//! the activations' arguments: every gate then runs one formula, `1 / (1 + 2^t)` (`Activations::sigmoid_of_scaled`).
//! Scaling rounds each weight once: the sums differ from the unscaled ones in the last bits, within the kernel's
//! tolerance of the reference.
//!
//! What the cells share is here: the packing, the multiply-adds (`accumulate`), the input projection and its
//! vocabulary table, the batch's recurrence loop, the head. What differs is one step of the recurrence, per cell:
//! `lstm.rs` (one pass of multiply-adds over four gates) and `gru.rs` (three gates; with the reset gate applied
//! after the product, one pass whose candidate sum `r` then scales; before it, a pass for `r` and `z`, then one
//! over `r ⊙ h` for the candidate).
//!
//! # Order of work
//!
//! Per layer: the input projection `W_ih · x_s + b` for every token of every text at once (no dependency
//! between steps, so `ROWS` steps share each read of `W_ih`), then the recurrence. The first layer's input is
//! an embedding row, so its projection depends only on the token id: [`Packed::new`] makes room to keep it for the
//! whole vocabulary (the *table*, `V × gates × H` floats, when that is at most [`TABLE_BYTES_MAX`]), filled
//! [`TABLE_CHUNK`] token ids at a time as texts first read them (so loading computes none of it, and the first
//! text only the rows of its own tokens' chunks), and a text's projection is then a gather of rows. That removes `E / (E + H)` of the multiply-adds per token (28% for
//! sentir-en-posts-distilled, E = 50, H = 128; 44% for sentir-en-lstm, H = 64) and the reads of `W_ih`. Texts are
//! sorted longest
//! first, so the texts still running at step `s` are a prefix of the batch and shorter ones simply drop out (the
//! mask is the length). Padded units stay exactly zero: their weights and bias are zero, so an LSTM's
//! `c = ½·c + ½·0` and `h = ½·tanh(0)`, and a GRU's `n = tanh(0)` and `h = n + ½·(h − n)`.

use wide::f32x4;

mod gru;
mod lanes;
mod lstm;
mod table;

pub(crate) use lanes::Lanes;
use lanes::Task;
#[cfg(target_arch = "x86_64")]
pub(crate) use lanes::{F32x8, F32x16};
pub use lanes::{WIDTH_VARIABLE, Width};
pub use table::TABLE_CHUNK;
use table::Table;

use super::{State, Trace};
use crate::error::Result;
use crate::model::{Head, Layer, Matrix, Model, Pooled, Pooling};

/// The most gates a cell has per unit (an LSTM's four): what the step's scratch has room for.
const MAX_GATES: usize = lstm::GATES;
/// Texts that share one read of the weights, unless the width says otherwise ([`Lanes::ROWS`]): 2 × 4
/// accumulators plus 4 weight vectors fit in the 16 vector registers of x86_64, SSE's and AVX's alike (SSE's are
/// what wasm engines map `v128` onto there).
const ROWS: usize = 2;
/// The largest vocabulary table [`Packed::new`] builds: 64 MiB (sentir-en-posts-distilled's, 16,898 × 512 floats,
/// is 33 MiB; sentir-en-lstm's, 8,000 × 256, 7.8 MiB).
pub const TABLE_BYTES_MAX: usize = 64 << 20;

/// A model's weights in the kernel's layout (see the module docs), at the width they were packed for.
#[derive(Debug, Clone)]
pub struct Packed(Widths);

#[derive(Debug, Clone)]
enum Widths {
    Four(Kernel<f32x4>),
    /// Only where [`Width::available`] found AVX2 and FMA (see `F32x8`).
    #[cfg(target_arch = "x86_64")]
    Eight(Kernel<F32x8>),
    /// Only where [`Width::available`] found AVX-512F.
    #[cfg(target_arch = "x86_64")]
    Sixteen(Kernel<F32x16>),
}

/// `$body` with `$kernel` bound to `$packed`'s weights, whatever their width.
macro_rules! with_kernel {
    ($packed:expr, $kernel:ident => $body:expr) => {
        match &$packed.0 {
            Widths::Four($kernel) => $body,
            #[cfg(target_arch = "x86_64")]
            Widths::Eight($kernel) => $body,
            #[cfg(target_arch = "x86_64")]
            Widths::Sixteen($kernel) => $body,
        }
    };
}

/// [`Packed`] at one width.
#[derive(Debug, Clone)]
struct Kernel<V: Lanes> {
    layers: Vec<PackedLayer<V>>,
    /// `H` rounded up to a multiple of the lanes.
    units: usize,
    hidden: usize,
    /// `[vocab][blocks][gate]`: the first layer's input projection of `embedding[v]`, for every token id `v`.
    table: Option<Table<V>>,
}

#[derive(Debug, Clone)]
struct PackedLayer<V: Lanes> {
    /// Input columns of `W_ih` as stored (`E` for layer 0, padded units above).
    inputs: usize,
    /// `[blocks][inputs][gate]`: the input weights, the cell's gates side by side.
    input: Vec<V>,
    /// `[blocks][gate]`: what the input projection starts from: the bias, and whatever part of the recurrent bias
    /// adds to it unchanged (a GRU's).
    bias: Vec<V>,
    /// The recurrent weights, in the layout of the cell's step.
    cell: PackedCell<V>,
}

/// A layer's recurrent weights and the step that reads them, per cell.
#[derive(Debug, Clone)]
enum PackedCell<V: Lanes> {
    Lstm(lstm::Lstm<V>),
    GruResetAfter(gru::ResetAfter<V>),
    GruResetBefore(gru::ResetBefore<V>),
}

impl<V: Lanes> PackedCell<V> {
    /// Gates per unit in the input projection.
    fn gates(&self) -> usize {
        match self {
            PackedCell::Lstm(_) => lstm::GATES,
            PackedCell::GruResetAfter(_) | PackedCell::GruResetBefore(_) => gru::GATES,
        }
    }

    /// Whether the cell has a cell state besides `h` (an LSTM's `c`).
    fn has_cell_state(&self) -> bool {
        matches!(self, PackedCell::Lstm(_))
    }
}

/// One step of a cell's recurrence in the kernel's layout: what differs between the cells ([`recur`] runs the
/// batch through it, `ROWS` texts at a time).
trait Step<V: Lanes> {
    /// Step `at.s` for the `R` texts of `rows`, whose input projections are ready: reads their states before the
    /// step and writes those after it. `gates`: room for `R × blocks × MAX_GATES` vectors (the gates' sums, then
    /// their activations); `columns`: for `R × units` floats (the texts' previous hidden states interleaved,
    /// [`interleave`], or what a step multiplies in their place). They come as slices of their own, not in a
    /// struct: as parameters, LLVM knows that they alias none of the texts' states, and keeps values in registers
    /// across the writes to those (a struct of them measured 5% slower in V8).
    fn step<const R: usize>(&self, at: StepAt, rows: [&mut Sequence<V>; R], gates: &mut [V], columns: &mut [f32]);
}

/// Which step [`Step::step`] computes: step `s` of a layer of `units` units (its hidden size padded to a multiple of
/// the lanes), `blocks` blocks of a vector's lanes.
#[derive(Clone, Copy)]
struct StepAt {
    blocks: usize,
    units: usize,
    s: usize,
}

impl Packed {
    /// Packs `model` for the widest [`Width`] this machine runs ([`Width::choose`]), with room for the vocabulary
    /// table if it fits in [`TABLE_BYTES_MAX`] (its rows are computed as texts first read them).
    pub fn new(model: &Model) -> Packed {
        Packed::with_width(model, Width::choose().0)
    }

    /// [`Packed::new`] at `width`, which must be one of [`Width::available`] (the 4-lane path otherwise).
    pub fn with_width(model: &Model, width: Width) -> Packed {
        Packed::at(model, width, true)
    }

    /// Packs `model` without the vocabulary table: every token's first-layer projection is computed when it is
    /// read (for tests and benchmarks of that path; [`Packed::new`] does so for vocabularies too large to table).
    pub fn without_table(model: &Model, width: Width) -> Packed {
        Packed::at(model, width, false)
    }

    fn at(model: &Model, width: Width, table: bool) -> Packed {
        let width = if Width::available().contains(&width) { width } else { Width::Four };
        match width {
            #[cfg(target_arch = "x86_64")]
            Width::Eight => Packed(Widths::Eight(Kernel::new(model, table))),
            #[cfg(target_arch = "x86_64")]
            Width::Sixteen => Packed(Widths::Sixteen(Kernel::new(model, table))),
            _ => Packed(Widths::Four(Kernel::new(model, table))),
        }
    }

    /// The width the weights were packed for: the one the forward pass runs.
    pub fn width(&self) -> Width {
        match self.0 {
            Widths::Four(_) => Width::Four,
            #[cfg(target_arch = "x86_64")]
            Widths::Eight(_) => Width::Eight,
            #[cfg(target_arch = "x86_64")]
            Widths::Sixteen(_) => Width::Sixteen,
        }
    }

    /// Whether the first layer's input projections come from a vocabulary table.
    pub fn has_table(&self) -> bool {
        with_kernel!(self, kernel => kernel.table.is_some())
    }

    /// The bytes the vocabulary table takes so far (0 without one): the chunks texts have read.
    pub fn table_bytes(&self) -> usize {
        with_kernel!(self, kernel => kernel.table.as_ref().map_or(0, Table::bytes))
    }
}

impl<V: Lanes> Kernel<V> {
    /// `model`'s weights in this width's layout, with room for the vocabulary table if `table` and it fits.
    fn new(model: &Model, table: bool) -> Kernel<V> {
        let hidden = model.layers.first().map_or(0, Layer::hidden_size);
        let units = hidden.div_ceil(V::LANES) * V::LANES;
        let layers: Vec<PackedLayer<V>> = model
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                // Layers above the first read padded hidden states: their zero columns stay zero.
                let inputs = if l == 0 { layer.weight_ih().cols() } else { units };
                match layer {
                    Layer::Lstm(layer) => lstm::pack_layer(layer, hidden, units, inputs),
                    Layer::Gru(layer) => gru::pack_layer(layer, hidden, units, inputs),
                }
            })
            .collect();
        let gates = layers.first().map_or(0, |layer| layer.cell.gates());
        let bytes = model.embedding.rows() * units * gates * size_of::<f32>();
        let table = (table && bytes <= TABLE_BYTES_MAX && !layers.is_empty())
            .then(|| Table::new(model.embedding.rows(), units / V::LANES * gates));
        Kernel { layers, units, hidden, table }
    }
}

/// `[blocks][columns][gate]` from a matrix whose rows are a cell's gates stacked (`H` rows each): for each
/// `(gate, scale)` of `gates`, in that order, gate `gate`'s rows times `scale`.
fn pack<V: Lanes>(matrix: &Matrix, hidden: usize, units: usize, columns: usize, gates: &[(usize, f32)]) -> Vec<V> {
    let mut out = Vec::with_capacity(units / V::LANES * columns * gates.len());
    let mut lanes = vec![0.0; V::LANES];
    for block in 0..units / V::LANES {
        for k in 0..columns {
            for &(gate, scale) in gates {
                for (lane, value) in lanes.iter_mut().enumerate() {
                    let unit = block * V::LANES + lane;
                    let inside = unit < hidden && k < matrix.cols();
                    *value = if inside { scale * matrix.row(gate * hidden + unit)[k] } else { 0.0 };
                }
                out.push(V::load(&lanes));
            }
        }
    }
    out
}

/// `[blocks][gate]` from biases stacked like the gates: for each `(gate, scale)` of `gates`, gate `gate`'s biases
/// times `scale`.
fn pack_bias<V: Lanes>(bias: &[f32], hidden: usize, units: usize, gates: &[(usize, f32)]) -> Vec<V> {
    let mut out = Vec::with_capacity(units / V::LANES * gates.len());
    let mut lanes = vec![0.0; V::LANES];
    for block in 0..units / V::LANES {
        for &(gate, scale) in gates {
            for (lane, value) in lanes.iter_mut().enumerate() {
                let unit = block * V::LANES + lane;
                *value = if unit < hidden { scale * bias[gate * hidden + unit] } else { 0.0 };
            }
            out.push(V::load(&lanes));
        }
    }
    out
}

/// `acc[r][gate] += Σ_k x[k][r] · panel[k][gate]` for `R` rows sharing each load of the weights, `G` gates a
/// column; `x` holds the rows interleaved, column by column ([`interleave`]), so that one pointer walks them.
///
/// One chain of additions per accumulator, in column order, whatever `R`: a text gets the same bits alone and in
/// a batch. (Splitting the columns over two chains for `R = 1` measured slower in V8 for the LSTM's four gates:
/// LLVM unrolls the loop, and the doubled live values spill out of the 16 vector registers.) Fewer gates than
/// four take [`accumulate_two_chains`].
#[inline(always)]
fn accumulate<V: Lanes, const R: usize, const G: usize>(panel: &[V], x: &[f32], acc: &mut [[V; G]; R]) {
    debug_assert_eq!(x.len(), panel.len() / G * R, "one value per column and row");
    if G < 4 {
        return accumulate_two_chains(panel, x, acc);
    }
    if R == 1 {
        return accumulate_one(panel, x, &mut acc[0]);
    }
    for (w, xk) in panel.as_chunks::<G>().0.iter().zip(x.as_chunks::<R>().0) {
        for r in 0..R {
            let xk = V::splat(xk[r]);
            for gate in 0..G {
                acc[r][gate] = xk.mul_add(w[gate], acc[r][gate]);
            }
        }
    }
}

/// [`accumulate`] for fewer gates than four (a GRU's three; the reset-before step's two and one): the even columns
/// in one chain of additions per accumulator and the odd ones in another, added at the end. One text alone has
/// only `G` accumulators, and `G` chains of dependent multiply-adds left the CPU waiting on each: the GRU's step
/// took 1.2 times the LSTM's time per weight for one text, and twice with the reset gate before the product
/// (`tests/examples/cells.rs`). A batch (of [`ROWS`] texts) sums the same two chains, one after the other, so that
/// a text still gets the same bits alone and in a batch; that second walk over the weights costs batches 7-9% in
/// Chromium (`scripts/bench --model sentir-en-posts-gru`), for 14% off one text's step.
#[inline(always)]
fn accumulate_two_chains<V: Lanes, const R: usize, const G: usize>(panel: &[V], x: &[f32], acc: &mut [[V; G]; R]) {
    let (columns, x) = (panel.as_chunks::<G>().0, x.as_chunks::<R>().0);
    let ((pairs, last), (x_pairs, x_last)) = (columns.as_chunks::<2>(), x.as_chunks::<2>());
    let mut odd = [[V::ZERO; G]; R];
    if R == 1 {
        for (w, xk) in pairs.iter().zip(x_pairs) {
            let (even_x, odd_x) = (V::splat(xk[0][0]), V::splat(xk[1][0]));
            for gate in 0..G {
                acc[0][gate] = even_x.mul_add(w[0][gate], acc[0][gate]);
                odd[0][gate] = odd_x.mul_add(w[1][gate], odd[0][gate]);
            }
        }
    } else {
        // Both chains in one loop would hold 2 · R · G accumulators, more than the vector registers: one, then
        // the other.
        for (w, xk) in pairs.iter().zip(x_pairs) {
            for r in 0..R {
                let xk = V::splat(xk[0][r]);
                for gate in 0..G {
                    acc[r][gate] = xk.mul_add(w[0][gate], acc[r][gate]);
                }
            }
        }
        for (w, xk) in pairs.iter().zip(x_pairs) {
            for r in 0..R {
                let xk = V::splat(xk[1][r]);
                for gate in 0..G {
                    odd[r][gate] = xk.mul_add(w[1][gate], odd[r][gate]);
                }
            }
        }
    }
    // The last even column, when there is an odd number of them.
    if let ([w], [xk]) = (last, x_last) {
        for r in 0..R {
            let xk = V::splat(xk[r]);
            for gate in 0..G {
                acc[r][gate] = xk.mul_add(w[gate], acc[r][gate]);
            }
        }
    }
    for (acc, odd) in acc.iter_mut().zip(&odd) {
        for (acc, odd) in acc.iter_mut().zip(odd) {
            *acc += *odd;
        }
    }
}

/// Every block's sums for `R` texts: `start(r, block)` plus `panels`' block times `x` (the texts' inputs
/// interleaved, [`interleave`]), written to `gates[(r · blocks + block) · stride..][..G]`. `panels` is
/// `[blocks][columns][G]`, a column for each value of one text's input (`x.len() / R` of them).
#[inline(always)]
fn sum_blocks<V: Lanes, const R: usize, const G: usize>(
    panels: &[V],
    blocks: usize,
    x: &[f32],
    start: impl Fn(usize, usize) -> [V; G],
    gates: &mut [V],
    stride: usize,
) {
    let size = x.len() / R * G;
    for block in 0..blocks {
        let panel = &panels[block * size..(block + 1) * size];
        let mut acc: [[V; G]; R] = std::array::from_fn(|r| start(r, block));
        accumulate(panel, x, &mut acc);
        for (r, acc) in acc.iter().enumerate() {
            gates[(r * blocks + block) * stride..][..G].copy_from_slice(acc);
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
/// and this halves them while the registers still hold everything (the same accumulators, two columns' weights);
/// 6% off one text's forward pass of the LSTM. With two texts, or four columns a turn, V8 spills. The additions are
/// the same, in the same order.
#[inline(always)]
fn accumulate_one<V: Lanes, const G: usize>(panel: &[V], x: &[f32], acc: &mut [V; G]) {
    let (pairs, rest) = panel.as_chunks::<G>().0.as_chunks::<2>();
    let x = &x[..pairs.len() * 2 + rest.len()];
    for (w, xk) in pairs.iter().zip(x.as_chunks::<2>().0) {
        for j in 0..2 {
            let xk = V::splat(xk[j]);
            for gate in 0..G {
                acc[gate] = xk.mul_add(w[j][gate], acc[gate]);
            }
        }
    }
    if let [last] = rest {
        let xk = V::splat(x[x.len() - 1]);
        for gate in 0..G {
            acc[gate] = xk.mul_add(last[gate], acc[gate]);
        }
    }
}

/// One text of the batch while it runs.
struct Sequence<'a, V: Lanes> {
    /// Its position in the batch.
    index: usize,
    ids: &'a [u32],
    /// Per layer, the state before its first step (empty: the zero state).
    start: &'a [State],
    /// `[units]`: the current layer's hidden and (an LSTM's) cell state before the first step.
    start_hidden: Vec<f32>,
    start_cell: Vec<f32>,
    /// The current layer's input projection, `[blocks][gate]` per step.
    projected: Projection<'a, V>,
    /// `[steps][units]`: the current layer's hidden states (the next layer's input).
    hidden: Vec<f32>,
    /// `[steps][units]`: the current layer's cell states; empty for a GRU.
    cell: Vec<f32>,
    /// `[steps + 1][labels]`: the head's logits for every prefix, once the last layer has run.
    logits: Vec<f32>,
    /// Per finished layer, `[steps][H]`: the states the trace reports.
    trace_hidden: Vec<Vec<f32>>,
    trace_cell: Vec<Vec<f32>>,
}

impl<'a, V: Lanes> Sequence<'a, V> {
    /// Text `index` of the batch, before any layer has run.
    fn new(index: usize, ids: &'a [u32], start: &'a [State]) -> Sequence<'a, V> {
        Sequence {
            index,
            ids,
            start,
            start_hidden: Vec::new(),
            start_cell: Vec::new(),
            projected: Projection::Computed(Vec::new()),
            hidden: Vec::new(),
            cell: Vec::new(),
            trace_hidden: Vec::new(),
            trace_cell: Vec::new(),
            logits: Vec::new(),
        }
    }

    /// Sets the states up for layer `l` (`layer`, of `units` padded units): zero, and the start state where the
    /// text continues an earlier one.
    fn begin_layer(&mut self, l: usize, layer: &PackedLayer<V>, units: usize) {
        let steps = self.ids.len();
        let cell_units = if layer.cell.has_cell_state() { units } else { 0 };
        self.hidden = vec![0.0; steps * units];
        self.cell = vec![0.0; steps * cell_units];
        let pad = |state: &[f32], size: usize| {
            let mut padded = state.to_vec();
            padded.resize(size, 0.0);
            padded
        };
        (self.start_hidden, self.start_cell) = match self.start.get(l) {
            Some(state) => (pad(&state.h, units), pad(&state.c, cell_units)),
            None => (vec![0.0; units], vec![0.0; cell_units]),
        };
    }

    /// The input projection of block `block` at step `at.s`: its `G` gates' vectors.
    #[inline(always)]
    fn block_projection<const G: usize>(&self, at: StepAt, block: usize) -> [V; G] {
        self.projected.step(at.s, at.blocks * G).as_chunks::<G>().0[block]
    }

    /// `[units]`: the hidden state before step `s`.
    fn hidden_before(&self, s: usize, units: usize) -> &[f32] {
        match s {
            0 => &self.start_hidden,
            _ => &self.hidden[(s - 1) * units..s * units],
        }
    }
}

/// A text's input projection for one layer.
enum Projection<'a, V: Lanes> {
    /// Computed for the text: `[steps][blocks][gate]`.
    Computed(Vec<V>),
    /// The vocabulary table's row of each step's token, read where it is: copying the rows into one array was a
    /// seventh of a batch's time natively at 16 lanes.
    Rows(Vec<&'a [V]>),
}

impl<V: Lanes> Projection<'_, V> {
    /// Step `s`'s projection, of `len` vectors (`[blocks][gate]`).
    #[inline(always)]
    fn step(&self, s: usize, len: usize) -> &[V] {
        match self {
            Projection::Computed(all) => &all[s * len..(s + 1) * len],
            Projection::Rows(rows) => rows[s],
        }
    }
}

/// The hidden states of the `R` texts of `rows` before step `s`, interleaved in `columns` (see [`interleave`]).
#[inline(always)]
fn hidden_before<'a, V: Lanes, const R: usize>(
    rows: &'a [&mut Sequence<V>; R],
    s: usize,
    units: usize,
    columns: &'a mut [f32],
) -> &'a [f32] {
    interleave::<R>(std::array::from_fn(|r| rows[r].hidden_before(s, units)), columns)
}

/// The state before step `s` and the room for the one after it, in `states` (`[steps][units]`) that start from
/// `start`.
#[inline(always)]
fn around_step<'a>(states: &'a mut [f32], start: &'a [f32], s: usize, units: usize) -> (&'a [f32], &'a mut [f32]) {
    if s == 0 {
        (start, &mut states[..units])
    } else {
        let (done, now) = states.split_at_mut(s * units);
        (&done[(s - 1) * units..], &mut now[..units])
    }
}

/// Runs the model over every text of `batch` in one recurrence; one [`Trace`] per text, in order.
pub fn forward_batch(model: &Model, packed: &Packed, batch: &[&[u32]]) -> Result<Vec<Trace>> {
    with_kernel!(packed, kernel => {
        run(model, kernel, batch.iter().enumerate().map(|(index, &ids)| Sequence::new(index, ids, &[])).collect())
    })
}

/// [`forward_batch`] for one text, from the states in `start` (one per layer; empty for the zero state): see
/// [`super::reference::forward_from`].
pub fn forward_from(model: &Model, packed: &Packed, ids: &[u32], start: &[State]) -> Result<Trace> {
    with_kernel!(packed, kernel => Ok(run(model, kernel, vec![Sequence::new(0, ids, start)])?.remove(0)))
}

/// The forward pass of [`forward_batch`] over `sequences` (indexed by their position in the batch).
fn run<'a, V: Lanes>(model: &Model, packed: &'a Kernel<V>, mut sequences: Vec<Sequence<'a, V>>) -> Result<Vec<Trace>> {
    for seq in &sequences {
        model.check_ids(seq.ids)?;
    }
    let (units, blocks) = (packed.units, packed.units / V::LANES);
    // Longest first: the texts still running at any step are a prefix.
    sequences.sort_by_key(|seq| std::cmp::Reverse(seq.ids.len()));

    for (l, layer) in packed.layers.iter().enumerate() {
        // The input projection of every step of every text: rows of the table, or computed from embedding rows
        // (layer 0) or the layer below's hidden states.
        for seq in &mut sequences {
            let steps = seq.ids.len();
            seq.projected = match (l, &packed.table) {
                (0, Some(table)) => {
                    Projection::Rows(seq.ids.iter().map(|&id| table.row(model, layer, blocks, id as usize)).collect())
                }
                (0, None) => Projection::Computed(project_all(layer, blocks, steps, |s| {
                    model.embedding.row(seq.ids[s] as usize)
                })),
                _ => {
                    Projection::Computed(project_all(layer, blocks, steps, |s| &seq.hidden[s * units..(s + 1) * units]))
                }
            };
            seq.begin_layer(l, layer, units);
        }

        recur(layer, blocks, units, &mut sequences);

        // The states the trace reports, moved rather than copied where there is no padding to drop (the hidden
        // states are still the next layer's input).
        let next_reads_hidden = l + 1 < packed.layers.len();
        for seq in &mut sequences {
            if !next_reads_hidden {
                seq.logits = prefix_logits(&model.head, &seq.hidden, packed.units);
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
/// texts still running, with the width's instructions enabled ([`Lanes::enter`]).
fn recur<V: Lanes>(layer: &PackedLayer<V>, blocks: usize, units: usize, sequences: &mut [Sequence<V>]) {
    V::enter(Recur { layer, blocks, units, sequences });
}

/// [`recur`]'s work, for [`Lanes::enter`].
struct Recur<'s, 'a, V: Lanes> {
    layer: &'s PackedLayer<V>,
    blocks: usize,
    units: usize,
    sequences: &'s mut [Sequence<'a, V>],
}

impl<V: Lanes> Task for Recur<'_, '_, V> {
    type Output = ();

    #[inline(always)]
    fn run(self) {
        let Recur { layer, blocks, units, sequences } = self;
        match &layer.cell {
            PackedCell::Lstm(cell) => recur_with(cell, blocks, units, sequences),
            PackedCell::GruResetAfter(cell) => recur_with(cell, blocks, units, sequences),
            PackedCell::GruResetBefore(cell) => recur_with(cell, blocks, units, sequences),
        }
    }
}

/// [`recur`] with the step of `cell`, [`Lanes::ROWS`] texts at a time (a const generic, so matched here).
/// Inlined into [`Lanes::enter`]'s function (see [`Task`]).
#[inline(always)]
fn recur_with<V: Lanes>(cell: &impl Step<V>, blocks: usize, units: usize, sequences: &mut [Sequence<V>]) {
    match V::ROWS {
        4 => recur_rows::<V, _, 4>(cell, blocks, units, sequences),
        _ => recur_rows::<V, _, ROWS>(cell, blocks, units, sequences),
    }
}

/// [`recur_with`], `R` texts at a time, then the rest two and one at a time.
#[inline(always)]
fn recur_rows<V: Lanes, C: Step<V>, const R: usize>(
    cell: &C,
    blocks: usize,
    units: usize,
    sequences: &mut [Sequence<V>],
) {
    let longest = sequences.first().map_or(0, |seq| seq.ids.len());
    let (mut gates, mut columns) = (vec![V::ZERO; R * blocks * MAX_GATES], vec![0.0; R * units]);
    for s in 0..longest {
        let at = StepAt { blocks, units, s };
        let running = sequences.partition_point(|seq| seq.ids.len() > s);
        let mut groups = sequences[..running].chunks_exact_mut(R);
        for group in &mut groups {
            let group: &mut [Sequence<V>; R] = group.try_into().expect("a chunk of R texts");
            cell.step(at, group.each_mut(), &mut gates, &mut columns);
        }
        let mut pairs = groups.into_remainder().chunks_exact_mut(2);
        for pair in &mut pairs {
            if let [a, b] = pair {
                cell.step(at, [a, b], &mut gates, &mut columns);
            }
        }
        if let [last] = pairs.into_remainder() {
            cell.step(at, [last], &mut gates, &mut columns);
        }
    }
}

/// The first layer's recurrence alone, for `batch` texts of `steps` tokens with a zero input projection: what
/// `scripts/bench` times as the recurrent step. Returns a value of the result, so that none of it is optimised
/// away.
#[cfg(feature = "bench")]
pub fn recurrence_only(packed: &Packed, batch: usize, steps: usize) -> f32 {
    with_kernel!(packed, kernel => recurrence_of(kernel, batch, steps))
}

/// [`recurrence_only`] at one width.
#[cfg(feature = "bench")]
fn recurrence_of<V: Lanes>(packed: &Kernel<V>, batch: usize, steps: usize) -> f32 {
    let (units, blocks) = (packed.units, packed.units / V::LANES);
    let ids = vec![0; steps];
    let Some(layer) = packed.layers.first() else { return 0.0 };
    let mut sequences: Vec<Sequence<V>> = (0..batch)
        .map(|index| {
            let mut seq = Sequence::new(index, &ids, &[]);
            seq.projected = Projection::Computed(vec![V::ZERO; steps * blocks * layer.cell.gates()]);
            seq.begin_layer(0, layer, units);
            seq
        })
        .collect();
    recur(layer, blocks, units, &mut sequences);
    sequences.iter().map(|seq| seq.hidden.last().copied().unwrap_or_default()).sum()
}

/// The gates of [`pack_matrix`]'s layout: an LSTM's four, unscaled.
#[cfg(feature = "bench")]
const BENCH_GATES: [(usize, f32); lstm::GATES] = [(0, 1.0), (1, 1.0), (2, 1.0), (3, 1.0)];

/// `matrix` (`4H × cols`, any `H`) in the LSTM's 4-lane layout, for [`mat_vec`].
#[cfg(feature = "bench")]
pub(crate) fn pack_matrix(matrix: &Matrix) -> Vec<f32x4> {
    let hidden = matrix.rows() / lstm::GATES;
    pack(matrix, hidden, hidden.div_ceil(4) * 4, matrix.cols(), &BENCH_GATES)
}

/// `y = W · x` for `W` packed by [`pack_matrix`]: the kernel's multiply-adds without the LSTM around them.
#[cfg(feature = "bench")]
pub(crate) fn mat_vec(packed: &[f32x4], x: &[f32], y: &mut [f32x4]) {
    const GATES: usize = lstm::GATES;
    for (panel, y) in packed.chunks_exact(x.len() * GATES).zip(y.chunks_exact_mut(GATES)) {
        let mut acc = [[f32x4::ZERO; GATES]];
        accumulate(panel, x, &mut acc);
        y.copy_from_slice(&acc[0]);
    }
}

/// `[count][blocks][gate]`: `b + W_ih · input(n)` for `n < count`, [`ROWS`] inputs sharing each read of the
/// weights, with the width's instructions enabled ([`Lanes::enter`]).
fn project_all<'a, V: Lanes>(
    layer: &PackedLayer<V>,
    blocks: usize,
    count: usize,
    input: impl Fn(usize) -> &'a [f32],
) -> Vec<V> {
    V::enter(Project { layer, blocks, count, input })
}

/// [`project_all`]'s work, for [`Lanes::enter`].
struct Project<'s, V: Lanes, F> {
    layer: &'s PackedLayer<V>,
    blocks: usize,
    count: usize,
    input: F,
}

impl<'a, V: Lanes, F: Fn(usize) -> &'a [f32]> Task for Project<'_, V, F> {
    type Output = Vec<V>;

    #[inline(always)]
    fn run(self) -> Vec<V> {
        let Project { layer, blocks, count, input } = self;
        match layer.cell {
            PackedCell::Lstm(_) => project_gates::<V, { lstm::GATES }>(layer, blocks, count, input),
            PackedCell::GruResetAfter(_) | PackedCell::GruResetBefore(_) => {
                project_gates::<V, { gru::GATES }>(layer, blocks, count, input)
            }
        }
    }
}

/// [`project_all`] for a cell of `G` gates. Inlined into [`Lanes::enter`]'s function (see [`Task`]).
#[inline(always)]
fn project_gates<'a, V: Lanes, const G: usize>(
    layer: &PackedLayer<V>,
    blocks: usize,
    count: usize,
    input: impl Fn(usize) -> &'a [f32],
) -> Vec<V> {
    let mut out = vec![V::ZERO; count * blocks * G];
    let mut columns = vec![0.0; ROWS * layer.inputs];
    let mut rows = out.chunks_exact_mut(ROWS * blocks * G);
    for (pair, out) in (&mut rows).enumerate() {
        let x = interleave([input(ROWS * pair), input(ROWS * pair + 1)], &mut columns);
        project::<V, ROWS, G>(layer, blocks, x, out);
    }
    let last = rows.into_remainder();
    if !last.is_empty() {
        project::<V, 1, G>(layer, blocks, input(count - 1), last);
    }
    out
}

/// `out[r][block][gate] = b + W_ih · x[r]` for `R` inputs, interleaved in `x` (see [`interleave`]).
#[inline(always)]
fn project<V: Lanes, const R: usize, const G: usize>(layer: &PackedLayer<V>, blocks: usize, x: &[f32], out: &mut [V]) {
    let bias = |_, block: usize| std::array::from_fn(|g| layer.bias[block * G + g]);
    sum_blocks::<V, R, G>(&layer.input, blocks, x, bias, out, G);
}

/// `[T + 1, labels]`: [`crate::model::Head::prefix_logits`] from the last layer's hidden states, state `t` at
/// `hidden[t · stride..]` (`stride`: the kernel's `units`, or `H` for a trace's states), each dot product in four
/// lanes (the reference's is one chain of additions, as long as a row). The head is read as it is, not packed, so
/// that analyzers that differ only in their head (an adapted one, [`crate::Analyzer::with_head`]) share one
/// [`Packed`].
pub(crate) fn prefix_logits(head: &Head, hidden: &[f32], stride: usize) -> Vec<f32> {
    let (weight, bias) = (&head.weight, &head.bias);
    let size = head.hidden_size();
    let mut logits = Vec::with_capacity((hidden.len() / stride.max(1) + 1) * bias.len());
    logits.extend_from_slice(bias); // the empty prefix's: every feature zero
    let (mut pooled, mut features) = (Pooled::new(size), vec![0.0; weight.cols()]);
    for state in hidden.chunks_exact(stride.max(1)) {
        let x = match head.pooling {
            Pooling::Last => state,
            Pooling::Concat => {
                pooled.add(&state[..size], &mut features);
                &features
            }
        };
        for (label, b) in bias.iter().enumerate() {
            logits.push(b + dot(weight.row(label), x));
        }
    }
    logits
}

/// `row · x[..row.len()]` in four lanes, the last `row.len() % 4` products added after.
fn dot(row: &[f32], x: &[f32]) -> f32 {
    let (chunks, tail) = row.as_chunks::<4>();
    let mut acc = f32x4::ZERO;
    for (w, x) in chunks.iter().zip(x.chunks_exact(4)) {
        acc = f32x4::load(x).mul_add(f32x4::from(*w), acc);
    }
    let at = chunks.len() * 4;
    let rest: f32 = tail.iter().zip(&x[at..]).map(|(w, x)| w * x).sum();
    acc.reduce_add() + rest
}

/// `[steps][hidden]` from `[steps][units]`.
fn unpad(states: &[f32], units: usize, hidden: usize) -> Vec<f32> {
    if units == hidden {
        return states.to_vec();
    }
    states.chunks_exact(units).flat_map(|row| &row[..hidden]).copied().collect()
}
