//! The GPU forward pass: the module-level equations of [`crate::recurrent`], for the LSTM and the GRU (both
//! conventions), as WGSL compute shaders run through `wgpu`: in the browser on WebGPU, natively on Vulkan (lavapipe
//! in CI, a real GPU where there is one).
//!
//! The weight matrices are uploaded transposed (column by column), so that neighbouring invocations, which
//! compute neighbouring rows, read neighbouring addresses.
//!
//! Per layer: [`project.wgsl`](project.wgsl) projects every step of every text in one dispatch (reading embedding
//! rows for the first layer, the layer below's states above it), then the recurrence runs, the gates fused, shorter
//! texts masked by their length, in one of two dispatch shapes (see [`Recurrence`]; both give the same bits):
//! persistent, one dispatch, one workgroup per text looping over its steps (hidden sizes up to
//! [`PERSISTENT_MAX_HIDDEN`]; the default on a hardware GPU), or per step, one dispatch per step for the whole batch
//! (the default on a software adapter). Each cell has a shader for each shape: [`lstm_persistent.wgsl`],
//! [`lstm_step.wgsl`], [`gru_persistent.wgsl`] and [`gru_step.wgsl`] (two dispatches a step with the reset gate
//! before the product: every unit's `r ⊙ h` first), over the shared preludes `recurrence.wgsl` (the shape),
//! `per_step.wgsl` and `persistent.wgsl` (each shape's bindings) and each cell's layout and arithmetic, `lstm.wgsl`
//! and `gru.wgsl` (the GRU's convention a uniform). The projection and the head are the same shaders for both cells (a GRU's unscaled
//! recurrent biases summed into its projection's at upload); finally [`head.wgsl`](head.wgsl) computes the logits of
//! every prefix. Everything goes into one submission and comes back in one readback. Pipelines and weight buffers
//! are made once, in [`Gpu::new`]; the working buffers and the bind groups over them (`scratch.rs`) are kept and
//! reused by later calls that fit in them (a larger call replaces them).
//!
//! [`lstm_persistent.wgsl`]: lstm_persistent.wgsl
//! [`lstm_step.wgsl`]: lstm_step.wgsl
//! [`gru_persistent.wgsl`]: gru_persistent.wgsl
//! [`gru_step.wgsl`]: gru_step.wgsl
//!
//! The activations (`activation.wgsl`) mirror [`crate::recurrent::activation`] operation for operation, and the results
//! are tested against the scalar reference (`tests/gpu.rs`).

use crate::error::Result;
use crate::model::{Cell, Layer, Model, Pooling, Reset};
use crate::recurrent::Trace;

mod scratch;
mod util;

use scratch::{Scratch, Sizes, persistent_unprepared};
use util::{Binding, Scope, Stage, gpu_error, grid, read, stage, stage_entries, transposed, upload};

/// The shaders, one file per stage, as compiled: WGSL has no includes, so each recurrence gets the
/// [`WGSL_LIBRARIES`] it uses prepended: `activation.wgsl` (σ, tanh), `recurrence.wgsl` (the shape), the bindings of
/// its dispatch shape (`per_step.wgsl` or `persistent.wgsl`), and its cell's layout and arithmetic (`lstm.wgsl` or
/// `gru.wgsl`); the projection and the
/// head get `grid.wgsl` (an invocation's flat index over the 2-D grid of workgroups).
pub const SHADERS: [(&str, &str); 6] = [PROJECT, LSTM_STEP, LSTM_PERSISTENT, GRU_STEP, GRU_PERSISTENT, HEAD];

const PROJECT: (&str, &str) = ("project.wgsl", concat!(include_str!("grid.wgsl"), include_str!("project.wgsl")));
/// The libraries every per-step recurrence starts with, and every persistent one.
macro_rules! per_step {
    ($($file:literal),*) => {
        concat!(include_str!("activation.wgsl"), include_str!("recurrence.wgsl"), include_str!("per_step.wgsl"),
                $(include_str!($file)),*)
    };
}
macro_rules! persistent {
    ($($file:literal),*) => {
        concat!(include_str!("activation.wgsl"), include_str!("recurrence.wgsl"), include_str!("persistent.wgsl"),
                $(include_str!($file)),*)
    };
}
const LSTM_STEP: (&str, &str) = ("lstm_step.wgsl", per_step!("lstm.wgsl", "lstm_step.wgsl"));
const LSTM_PERSISTENT: (&str, &str) = ("lstm_persistent.wgsl", persistent!("lstm.wgsl", "lstm_persistent.wgsl"));
const GRU_STEP: (&str, &str) = ("gru_step.wgsl", per_step!("gru.wgsl", "gru_step.wgsl"));
const GRU_PERSISTENT: (&str, &str) = ("gru_persistent.wgsl", persistent!("gru.wgsl", "gru_persistent.wgsl"));
const HEAD: (&str, &str) = ("head.wgsl", concat!(include_str!("grid.wgsl"), include_str!("head.wgsl")));

/// WGSL files that are not shaders but are prepended to some (see [`SHADERS`]), as written: each is validated in
/// the shaders it is part of.
pub const WGSL_LIBRARIES: [(&str, &str); 7] = [
    ("activation.wgsl", include_str!("activation.wgsl")),
    ("grid.wgsl", include_str!("grid.wgsl")),
    ("recurrence.wgsl", include_str!("recurrence.wgsl")),
    ("per_step.wgsl", include_str!("per_step.wgsl")),
    ("persistent.wgsl", include_str!("persistent.wgsl")),
    ("lstm.wgsl", include_str!("lstm.wgsl")),
    ("gru.wgsl", include_str!("gru.wgsl")),
];

/// The largest hidden size `lstm_persistent.wgsl` and `gru_persistent.wgsl` hold in workgroup memory (their `MAX_HIDDEN`).
pub const PERSISTENT_MAX_HIDDEN: usize = 1024;

/// How a layer's recurrence is dispatched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurrence {
    /// `lstm_step.wgsl` (`gru_step.wgsl`): one dispatch per step for the whole batch (two for a GRU with the reset gate
    /// before the product).
    PerStep,
    /// `lstm_persistent.wgsl` (`gru_persistent.wgsl`): one dispatch for all steps, one workgroup per text looping over its steps
    /// (hidden sizes up to [`PERSISTENT_MAX_HIDDEN`]).
    Persistent,
}

impl Recurrence {
    /// Whether this recurrence runs layers of `hidden` units.
    pub fn fits(self, hidden: usize) -> bool {
        self == Recurrence::PerStep || hidden <= PERSISTENT_MAX_HIDDEN
    }
}

/// Invocations per workgroup in the shaders dispatched one invocation per element (`@workgroup_size(64)`:
/// project, step, head; `lstm_persistent.wgsl` runs a workgroup per text).
const WORKGROUP: u32 = 64;
/// The step index lives at a dynamic offset into one uniform buffer: one slot per step, this far apart (the
/// largest `min_uniform_buffer_offset_alignment` WebGPU allows).
const STEP_SLOT: u64 = 256;

/// A GPU device with the model's weights and the three pipelines on it.
#[derive(Debug)]
pub struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
    /// The adapter: its name, device type and graphics backend.
    pub adapter: String,
    /// The layers' cell: which recurrence shaders run, and whether there are cell states to read back.
    cell: Cell,
    project: Stage,
    step: Stage,
    /// `lstm_persistent.wgsl`'s (`gru_persistent.wgsl`'s) pipeline, made when [`Recurrence::Persistent`] is first chosen.
    recur: Option<Stage>,
    recurrence: Recurrence,
    head: Stage,
    embedding: wgpu::Buffer,
    layers: Vec<LayerWeights>,
    hidden: usize,
    labels: usize,
    /// The last call's working buffers, reused by the next call that fits in them.
    scratch: std::sync::Mutex<Option<Scratch>>,
}

#[derive(Debug)]
struct LayerWeights {
    input: wgpu::Buffer,
    inputs: usize,
    /// Gates × H: the rows of the input projection.
    rows: usize,
    recurrent: wgpu::Buffer,
    /// The input projection's bias: an LSTM's, or a GRU's `b_ih` with `b_hh` added for r and z.
    bias: wgpu::Buffer,
    /// A GRU's candidate recurrent bias `b_hn`, where the candidate's recurrent sum starts.
    candidate_bias: Option<wgpu::Buffer>,
}

impl LayerWeights {
    fn upload(layer: &Layer, upload: impl Fn(&str, &[f32]) -> wgpu::Buffer) -> LayerWeights {
        let (weight_ih, weight_hh) = (layer.weight_ih(), layer.weight_hh());
        let (bias, candidate_bias) = match layer {
            Layer::Lstm(layer) => (layer.bias.clone(), None),
            Layer::Gru(layer) => {
                // r and z add b_hh unscaled in both conventions; the candidate's b_hn is scaled by r (reset after)
                // or added after the product (before), and stays apart for the shaders to start its sum from.
                let h = weight_hh.cols();
                let mut bias = layer.bias_ih.clone();
                for (sum, recurrent) in bias.iter_mut().zip(&layer.bias_hh[..2 * h]) {
                    *sum += recurrent;
                }
                (bias, Some(upload("bias_hn", &layer.bias_hh[2 * h..])))
            }
        };
        LayerWeights {
            input: upload("weight_ih", &transposed(weight_ih)),
            inputs: weight_ih.cols(),
            rows: weight_ih.rows(),
            recurrent: upload("weight_hh", &transposed(weight_hh)),
            bias: upload("bias", &bias),
            candidate_bias,
        }
    }
}

impl Gpu {
    /// Opens the first GPU adapter the system offers and uploads `model` to it.
    pub async fn new(model: &Model) -> Result<Gpu> {
        Gpu::open(adapter().await?, model).await
    }

    /// Opens `adapter` (from [`adapter`]) and uploads `model` to it.
    pub async fn open(adapter: wgpu::Adapter, model: &Model) -> Result<Gpu> {
        let info = adapter.get_info();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("sentir"),
                required_limits: adapter.limits(),
                ..wgpu::DeviceDescriptor::default()
            })
            .await
            .map_err(|e| gpu_error(format!("the adapter {} gave no device ({e})", info.name)))?;

        let scope = Scope::push(&device);
        use Binding::{DynamicUniform, Read, ReadWrite, Uniform};
        let project = stage(&device, PROJECT, &[Uniform, Read, Read, Read, Read, ReadWrite]);
        let cell = model.layers.first().map_or(Cell::Lstm, Layer::cell);
        let step = match cell {
            Cell::Lstm => stage(&device, LSTM_STEP, &[Uniform, DynamicUniform, Read, Read, Read, ReadWrite, ReadWrite]),
            Cell::Gru(reset) => {
                let bindings = [Uniform, DynamicUniform, Read, Read, Read, ReadWrite, ReadWrite, Read];
                stage_entries(&device, GRU_STEP, &bindings, (reset == Reset::Before).then_some("gates"))
            }
        };
        let head = stage(&device, HEAD, &[Uniform, Read, Read, Read, Read, ReadWrite]);
        let hidden = model.layers.first().map_or(0, |layer| layer.hidden_size());

        let upload = |label: &str, values: &[f32]| {
            upload(&device, &queue, label, bytemuck::cast_slice(values), wgpu::BufferUsages::STORAGE)
        };
        let layers = model.layers.iter().map(|layer| LayerWeights::upload(layer, upload)).collect();
        let mut gpu = Gpu {
            adapter: describe(&info),
            embedding: upload("embedding", model.embedding.as_slice()),
            hidden,
            recurrence: Recurrence::PerStep,
            labels: model.head.bias.len(),
            scratch: std::sync::Mutex::new(None),
            layers,
            cell,
            project,
            step,
            recur: None,
            head,
            device,
            queue,
        };
        scope.check("loading the shaders and weights").await?;
        // Measured (crate/examples/gpu_bench.rs): on an NVIDIA H200 the persistent recurrence is 1.4–3.6× faster
        // than one dispatch per step at every size; on lavapipe 1.2–2× slower, since a workgroup runs on one core
        // there.
        if is_hardware(&adapter) && Recurrence::Persistent.fits(hidden) {
            gpu.set_recurrence(Recurrence::Persistent).await?;
        }
        Ok(gpu)
    }

    /// The buffer sizes of a call of `texts` texts of up to `steps` tokens, or an [`Error::Gpu`] (which the backend
    /// answers by running the call on the CPU) if one exceeds what this device allows in one buffer.
    fn sizes(&self, texts: usize, steps: usize) -> Result<Sizes> {
        Sizes::checked(texts, steps, self.hidden, self.labels, self.layers.len(), &self.device.limits())
    }

    /// How the recurrence is dispatched: [`Recurrence::Persistent`] on a hardware GPU, [`Recurrence::PerStep`] on a
    /// software one, unless set otherwise.
    pub fn recurrence(&self) -> Recurrence {
        self.recurrence
    }

    /// Dispatches the recurrence as `recurrence` from now on (to compare the two; the first switch to
    /// [`Recurrence::Persistent`] makes its pipeline); an error if the hidden size is too large for it.
    pub async fn set_recurrence(&mut self, recurrence: Recurrence) -> Result<()> {
        if !recurrence.fits(self.hidden) {
            return Err(gpu_error(format!(
                "the persistent recurrence holds at most {PERSISTENT_MAX_HIDDEN} hidden units, the model has {}",
                self.hidden
            )));
        }
        if recurrence == Recurrence::Persistent && self.recur.is_none() {
            use Binding::{Read, ReadWrite, Uniform};
            let scope = Scope::push(&self.device);
            let recur = match self.cell {
                Cell::Lstm => stage(&self.device, LSTM_PERSISTENT, &[Uniform, Read, Read, Read, ReadWrite, ReadWrite]),
                // The cell states' binding holds the candidate's recurrent bias: a GRU has none.
                Cell::Gru(_) => stage(&self.device, GRU_PERSISTENT, &[Uniform, Read, Read, Read, ReadWrite, Read]),
            };
            scope.check("making the persistent recurrence's pipeline").await?;
            self.recur = Some(recur);
            // The kept working buffers have no bind groups for it.
            self.scratch = std::sync::Mutex::new(None);
        }
        self.recurrence = recurrence;
        Ok(())
    }

    /// Destroys the device, as a driver reset or a removed GPU would: every later call fails. For tests of the
    /// fallback to the CPU.
    pub fn destroy(&self) {
        self.device.destroy();
    }

    /// Runs the model over every text of `batch` in one submission: one [`Trace`] per text, in order.
    pub async fn forward_batch(&self, model: &Model, batch: &[&[u32]]) -> Result<Vec<Trace>> {
        self.run(model, batch, true).await
    }

    /// [`Gpu::forward_batch`], reading back only the logits: the traces have no states (see [`Trace::hidden`]).
    /// The states are most of a full readback: `2 × layers × H` floats a token, against `K` logits.
    pub async fn logits_batch(&self, model: &Model, batch: &[&[u32]]) -> Result<Vec<Trace>> {
        self.run(model, batch, false).await
    }

    /// [`Gpu::forward_batch`] (`with_states`) or [`Gpu::logits_batch`].
    ///
    /// `head.wgsl` runs a head over the last state ([`Pooling::Last`], every model's own). An adapted head that
    /// pools over the steps ([`Pooling::Concat`]) runs on the CPU instead, over the top layer's states read back: a
    /// running mean and maximum are a scan along each text, a shader of their own, and the head is a few
    /// multiply-adds a token beside the recurrence's thousands.
    pub(crate) async fn run(&self, model: &Model, batch: &[&[u32]], asked_states: bool) -> Result<Vec<Trace>> {
        for ids in batch {
            model.check_ids(ids)?;
        }
        let gpu_head = model.head.pooling == Pooling::Last;
        let with_states = asked_states || !gpu_head;
        let steps = batch.iter().map(|ids| ids.len()).max().unwrap_or(0);
        if steps == 0 {
            // Nothing to run: every text is empty, and its only logits are the empty prefix's.
            let empty = || Trace {
                steps: 0,
                labels: self.labels,
                logits: model.head.prefix_logits(&[]),
                hidden: vec![Vec::new(); self.layers.len()],
                cell: vec![Vec::new(); self.layers.len()],
            };
            return Ok(batch.iter().map(|_| empty()).collect());
        }
        let (texts, hidden, labels) = (batch.len(), self.hidden, self.labels);
        let sizes = self.sizes(texts, steps)?;
        let mut ids = vec![0u32; texts * steps];
        for (row, text) in ids.chunks_exact_mut(steps).zip(batch) {
            row[..text.len()].copy_from_slice(text);
        }
        let lengths: Vec<u32> = batch.iter().map(|ids| ids.len() as u32).collect();
        let (device, queue) = (&self.device, &self.queue);
        let scope = Scope::push(device);

        // The working buffers and bind groups of an earlier call, if they are large enough; a call that overlaps
        // another (the scratch is out) makes its own.
        let taken = self.scratch.lock().map(|mut scratch| scratch.take()).unwrap_or(None);
        let scratch = match taken {
            Some(scratch) if scratch.fits(texts, steps) => scratch,
            _ => Scratch::new(self, texts, steps, sizes),
        };
        let write = |buffer: &wgpu::Buffer, values: &[u32]| queue.write_buffer(buffer, 0, bytemuck::cast_slice(values));
        write(&scratch.ids, &ids);
        write(&scratch.lengths, &lengths);
        if gpu_head {
            queue.write_buffer(&scratch.head_weight, 0, bytemuck::cast_slice(model.head.weight.as_slice()));
            queue.write_buffer(&scratch.head_bias, 0, bytemuck::cast_slice(&model.head.bias));
        }
        // The GRU's shaders read their convention from the shape's last field; the LSTM's ignore it.
        let reset_after = u32::from(self.cell == Cell::Gru(Reset::After));
        write(&scratch.step_shape, &[texts as u32, steps as u32, hidden as u32, reset_after]);
        // grid.wgsl's shape: the head's rows are the labels, its inputs the top layer's states.
        write(&scratch.head_shape, &[texts as u32, steps as u32, labels as u32, hidden as u32, 0, 0, 0, 0]);
        for (l, (shape, layer)) in scratch.project_shapes.iter().zip(&self.layers).enumerate() {
            // The first layer reads embedding rows by id; the others read the states below.
            let from_ids = u32::from(l == 0);
            write(shape, &[texts as u32, steps as u32, layer.rows as u32, layer.inputs as u32, from_ids, 0, 0, 0]);
        }

        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("forward") });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
            for l in 0..self.layers.len() {
                pass.set_pipeline(&self.project.pipeline);
                pass.set_bind_group(0, &scratch.project_groups[l], &[]);
                // One invocation per projected value; `sizes` checked that their count fits a u32.
                let (x, y) = grid((sizes.projected / 4) as u32);
                pass.dispatch_workgroups(x, y, 1);
                match self.recurrence {
                    Recurrence::PerStep => {
                        let workgroups = (hidden as u32).div_ceil(WORKGROUP);
                        pass.set_pipeline(&self.step.pipeline);
                        for s in 0..steps {
                            let offset = [(s as u64 * STEP_SLOT) as u32];
                            if let Some(first) = &self.step.first {
                                pass.set_pipeline(first);
                                pass.set_bind_group(0, &scratch.step_groups[l], &offset);
                                pass.dispatch_workgroups(workgroups, texts as u32, 1);
                                pass.set_pipeline(&self.step.pipeline);
                            }
                            pass.set_bind_group(0, &scratch.step_groups[l], &offset);
                            pass.dispatch_workgroups(workgroups, texts as u32, 1);
                        }
                    }
                    Recurrence::Persistent => {
                        let (Some(recur), Some(group)) = (&self.recur, scratch.recur_groups.get(l)) else {
                            persistent_unprepared()
                        };
                        pass.set_pipeline(&recur.pipeline);
                        pass.set_bind_group(0, group, &[]);
                        let texts = texts as u32;
                        pass.dispatch_workgroups(texts.min(65_535), texts.div_ceil(65_535), 1);
                    }
                }
            }
            if gpu_head {
                pass.set_pipeline(&self.head.pipeline);
                pass.set_bind_group(0, &scratch.head_group, &[]);
                let (x, y) = grid((texts * (steps + 1) * labels) as u32);
                pass.dispatch_workgroups(x, y, 1);
            }
        }
        let states = &scratch.states;
        let logits = &scratch.logits;
        let readback = &scratch.readback;

        // One readback: the logits, then (if asked for) every layer's hidden and (an LSTM's) cell states.
        let (state_bytes, logits_bytes) = (sizes.states, sizes.logits);
        let layers_read = if with_states { self.layers.len() } else { 0 };
        let with_cells = self.cell == Cell::Lstm;
        let per_layer = if with_cells { 2 } else { 1 };
        let total = logits_bytes + per_layer * state_bytes * layers_read as u64;
        encoder.copy_buffer_to_buffer(logits, 0, readback, 0, logits_bytes);
        for (l, (h, c)) in states.iter().take(layers_read).enumerate() {
            let at = logits_bytes + per_layer * state_bytes * l as u64;
            encoder.copy_buffer_to_buffer(h, 0, readback, at, state_bytes);
            if with_cells {
                encoder.copy_buffer_to_buffer(c, 0, readback, at + state_bytes, state_bytes);
            }
        }
        self.queue.submit([encoder.finish()]);
        scope.check("the forward pass").await?;
        let values = read(device, readback, total).await?;
        // Kept for the next call, unless a larger one came back meanwhile.
        if let Ok(mut kept) = self.scratch.lock()
            && kept.as_ref().is_none_or(|kept| kept.capacity() <= scratch.capacity())
        {
            *kept = Some(scratch);
        }

        let (logits, states) = values.split_at(logits_bytes as usize / 4);
        // A GRU's cell states are empty, as the reference's are.
        let layer_states: Vec<(&[f32], &[f32])> = states
            .chunks_exact(per_layer as usize * texts * steps * hidden)
            .map(|both| both.split_at(texts * steps * hidden))
            .collect();
        Ok(batch
            .iter()
            .enumerate()
            .map(|(b, text)| {
                let n = text.len();
                let rows = |states: &[f32]| {
                    if states.is_empty() { Vec::new() } else { states[b * steps * hidden..][..n * hidden].to_vec() }
                };
                let hidden: Vec<Vec<f32>> = layer_states.iter().map(|(h, _)| rows(h)).collect();
                let logits = match hidden.last() {
                    Some(top) if !gpu_head => model.head.prefix_logits(top),
                    _ => logits[b * (steps + 1) * labels..][..(n + 1) * labels].to_vec(),
                };
                let cell = layer_states.iter().map(|(_, c)| rows(c)).collect();
                let (hidden, cell) = if asked_states { (hidden, cell) } else { (Vec::new(), Vec::new()) };
                Trace { steps: n, labels, logits, hidden, cell }
            })
            .collect())
    }
}

/// The GPU adapter the system offers first (preferring a discrete GPU): WebGPU's in a browser, Vulkan's natively.
pub async fn adapter() -> Result<wgpu::Adapter> {
    // In node, making a wgpu instance aborts the whole wasm instance; a browser may also have `navigator.gpu`
    // and still no adapter. This asks for one through JS first.
    #[cfg(target_arch = "wasm32")]
    if !wgpu::util::is_browser_webgpu_supported().await {
        return Err(gpu_error(
            "this JavaScript engine offers no WebGPU adapter (no navigator.gpu, or requestAdapter() gave none)".into(),
        ));
    }
    #[cfg(target_arch = "wasm32")]
    let descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
    // WGPU_BACKEND and friends may narrow the choice (see wgpu's InstanceDescriptor::with_env).
    #[cfg(not(target_arch = "wasm32"))]
    let descriptor = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    wgpu::Instance::new(descriptor)
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..wgpu::RequestAdapterOptions::default()
        })
        .await
        .map_err(|e| gpu_error(format!("no GPU adapter ({e})")))
}

/// An adapter's name, device type and graphics backend, for reasons and logs. In a browser the name is the
/// adapter's description, which may be empty ("unnamed").
pub fn describe(info: &wgpu::AdapterInfo) -> String {
    let name = if info.name.is_empty() { "unnamed" } else { info.name.as_str() };
    format!("{name} ({:?}, {:?})", info.device_type, info.backend)
}

/// Whether `adapter` is a GPU rather than a software rasteriser on the CPU (lavapipe, SwiftShader, WARP).
pub fn is_hardware(adapter: &wgpu::Adapter) -> bool {
    adapter.get_info().device_type != wgpu::DeviceType::Cpu
}
