//! A forward pass's working buffers and the bind groups over them, kept between calls, and their sizes.

use std::num::NonZeroU64;

use super::util::{bind, buffer, entries, gpu_error, upload};
use super::{Gpu, STEP_SLOT};
use crate::error::Result;

/// The byte sizes of a call's working buffers, computed in `u64`: in wasm32 a `usize` product would wrap for a large
/// batch, and WebGPU clamps out-of-range accesses instead of failing, so a wrapped size would give wrong results.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sizes {
    pub(super) ids: u64,
    /// One layer's hidden (or cell) states, `[texts][steps][H]`.
    pub(super) states: u64,
    /// The input projections, `[texts][steps][4H]` (a GRU uses `3H` of each row's room).
    pub(super) projected: u64,
    /// The logits of every prefix, `[texts][steps + 1][K]`.
    pub(super) logits: u64,
    /// The readback buffer: the logits and every layer's states (a GRU's hidden states only: the rest unused).
    pub(super) readback: u64,
}

impl Sizes {
    /// The sizes for `texts` texts of up to `steps` tokens through `layers` layers of `hidden` units and `labels`
    /// labels, or an [`Error::Gpu`] saying to split the batch if a buffer would exceed `limits`.
    pub(super) fn checked(
        texts: usize,
        steps: usize,
        hidden: usize,
        labels: usize,
        layers: usize,
        limits: &wgpu::Limits,
    ) -> Result<Sizes> {
        let (t, s, h, k, layers) = (texts as u64, steps as u64, hidden as u64, labels as u64, layers as u64);
        let states = t * s * h * 4;
        let logits = t * (s + 1) * k * 4;
        let sizes =
            Sizes { ids: t * s * 4, states, projected: 4 * states, logits, readback: logits + 2 * states * layers };
        // The shaders index with u32: every element count must fit one too.
        let storage = limits.max_storage_buffer_binding_size.min(4 * u64::from(u32::MAX));
        if sizes.projected > storage || sizes.readback > limits.max_buffer_size {
            let mb = |bytes: u64| bytes.div_ceil(1 << 20);
            return Err(gpu_error(format!(
                "{texts} texts of up to {steps} tokens need buffers of {} and {} MiB, over this GPU's limits of {} and \
                 {} MiB; split the batch",
                mb(sizes.projected),
                mb(sizes.readback),
                mb(storage),
                mb(limits.max_buffer_size)
            )));
        }
        Ok(sizes)
    }
}

/// The working buffers of a forward pass and the bind groups over them, for up to `texts` texts of up to `steps`
/// tokens; kept between calls and replaced by larger ones when a call needs more.
#[derive(Debug)]
pub(super) struct Scratch {
    pub(super) texts: usize,
    pub(super) steps: usize,
    pub(super) ids: wgpu::Buffer,
    pub(super) lengths: wgpu::Buffer,
    pub(super) step_shape: wgpu::Buffer,
    pub(super) head_shape: wgpu::Buffer,
    /// The head, `[labels][H]` and `[labels]`: written by each call from its model, so that analyzers that differ
    /// only in their head (an adapted one, [`crate::Analyzer::with_head`]) share one [`Gpu`].
    pub(super) head_weight: wgpu::Buffer,
    pub(super) head_bias: wgpu::Buffer,
    /// One per layer (their inputs differ).
    pub(super) project_shapes: Vec<wgpu::Buffer>,
    /// Per layer: hidden and cell states, `[texts][steps][H]`.
    pub(super) states: Vec<(wgpu::Buffer, wgpu::Buffer)>,
    pub(super) logits: wgpu::Buffer,
    pub(super) readback: wgpu::Buffer,
    pub(super) project_groups: Vec<wgpu::BindGroup>,
    pub(super) step_groups: Vec<wgpu::BindGroup>,
    pub(super) recur_groups: Vec<wgpu::BindGroup>,
    pub(super) head_group: wgpu::BindGroup,
}

impl Scratch {
    pub(super) fn new(gpu: &Gpu, texts: usize, steps: usize, sizes: Sizes) -> Scratch {
        let (device, queue) = (&gpu.device, &gpu.queue);
        let (state_bytes, logits_bytes) = (sizes.states, sizes.logits);
        use wgpu::BufferUsages as Usage;
        // Inputs and shapes are written by each call; states and logits are copied out for the readback.
        let (input, shape, output) =
            (Usage::STORAGE | Usage::COPY_DST, Usage::UNIFORM | Usage::COPY_DST, Usage::STORAGE | Usage::COPY_SRC);
        let ids = buffer(device, "ids", sizes.ids, input);
        let lengths = buffer(device, "lengths", texts as u64 * 4, input);
        let step_shape = buffer(device, "step shape", 16, shape);
        let head_shape = buffer(device, "head shape", 32, shape);
        let head_weight = buffer(device, "head weight", (gpu.labels * gpu.hidden * 4) as u64, input);
        let head_bias = buffer(device, "head bias", (gpu.labels * 4) as u64, input);
        let project_shapes = gpu.layers.iter().map(|_| buffer(device, "project shape", 32, shape)).collect();
        let projected = buffer(device, "projected", sizes.projected, Usage::STORAGE);
        let states: Vec<(wgpu::Buffer, wgpu::Buffer)> = gpu
            .layers
            .iter()
            .map(|_| (buffer(device, "hidden", state_bytes, output), buffer(device, "cell", state_bytes, output)))
            .collect();
        let logits = buffer(device, "logits", logits_bytes, output);
        let readback = buffer(device, "readback", sizes.readback, Usage::MAP_READ | Usage::COPY_DST);
        // The step index: slot s (STEP_SLOT bytes apart) holds s.
        let slots: Vec<u32> =
            (0..steps).flat_map(|s| [s as u32].into_iter().chain([0; STEP_SLOT as usize / 4 - 1])).collect();
        let step_index = upload(device, queue, "step index", bytemuck::cast_slice(&slots), wgpu::BufferUsages::UNIFORM);

        let project_groups = gpu
            .layers
            .iter()
            .zip(&project_shapes)
            .enumerate()
            .map(|(l, (layer, shape))| {
                let source = if l == 0 { &gpu.embedding } else { &states[l - 1].0 };
                bind(device, &gpu.project.layout, &[shape, &ids, source, &layer.input, &layer.bias, &projected])
            })
            .collect();
        let step_groups = gpu
            .layers
            .iter()
            .zip(&states)
            .map(|(layer, (hidden_states, cells))| {
                let step_binding = wgpu::BufferBinding { buffer: &step_index, offset: 0, size: NonZeroU64::new(16) };
                let mut resources = vec![
                    step_shape.as_entire_binding(),
                    wgpu::BindingResource::Buffer(step_binding),
                    lengths.as_entire_binding(),
                    projected.as_entire_binding(),
                    layer.recurrent.as_entire_binding(),
                    hidden_states.as_entire_binding(),
                    // A GRU's shader holds r ⊙ h here with the reset gate before the product.
                    cells.as_entire_binding(),
                ];
                // A GRU's: the candidate's recurrent bias.
                resources.extend(layer.candidate_bias.iter().map(wgpu::Buffer::as_entire_binding));
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("step"),
                    layout: &gpu.step.layout,
                    entries: &entries(&resources),
                })
            })
            .collect();
        // Only once the persistent recurrence's pipeline exists (see Gpu::set_recurrence).
        let recur_groups = gpu.recur.as_ref().map_or_else(Vec::new, |recur| {
            gpu.layers
                .iter()
                .zip(&states)
                .map(|(layer, (hidden_states, cells))| {
                    // A GRU's shader binds its candidate's recurrent bias where an LSTM's binds the cell states.
                    let last = layer.candidate_bias.as_ref().unwrap_or(cells);
                    let buffers = [&step_shape, &lengths, &projected, &layer.recurrent, hidden_states, last];
                    bind(device, &recur.layout, &buffers)
                })
                .collect()
        });
        let top = &states[gpu.layers.len() - 1].0;
        let head_group =
            bind(device, &gpu.head.layout, &[&head_shape, &lengths, top, &head_weight, &head_bias, &logits]);
        Scratch {
            texts,
            steps,
            ids,
            lengths,
            step_shape,
            head_shape,
            head_weight,
            head_bias,
            project_shapes,
            states,
            logits,
            readback,
            project_groups,
            step_groups,
            recur_groups,
            head_group,
        }
    }

    /// Whether `texts` texts of up to `steps` tokens fit. The shaders index with the call's own shape, so a
    /// larger scratch serves a smaller call as long as both dimensions fit.
    pub(super) fn fits(&self, texts: usize, steps: usize) -> bool {
        texts <= self.texts && steps <= self.steps
    }

    pub(super) fn capacity(&self) -> usize {
        self.texts * self.steps
    }
}

/// Reached only if [`Gpu::set_recurrence`] chose the persistent recurrence without making its pipeline, or kept
/// working buffers made without its bind groups.
#[cold]
pub(super) fn persistent_unprepared() -> ! {
    unreachable!(
        "set_recurrence makes lstm_persistent.wgsl's pipeline and drops the working buffers made without its groups"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn sizes_are_counted_in_u64_and_a_call_over_the_limits_says_to_split_the_batch() {
        let limits = wgpu::Limits::default(); // WebGPU's: 128 MiB a storage binding, 256 MiB a buffer
        // 1024 texts of 512 tokens, H = 128, 2 labels, 1 layer: 256 MiB of projections, over 128 MiB.
        let error = Sizes::checked(1024, 512, 128, 2, 1, &limits).expect_err("over the binding limit");
        let message = error.to_string();
        assert!(message.contains("1024 texts of up to 512 tokens") && message.contains("split the batch"), "{message}");
        // A count whose usize product would wrap in wasm32 (2^33 bytes of states) is still counted exactly.
        let huge =
            wgpu::Limits { max_storage_buffer_binding_size: u64::MAX, max_buffer_size: u64::MAX, ..limits.clone() };
        let error = Sizes::checked(1 << 14, 1 << 14, 1 << 3, 2, 1, &huge).expect_err("over the u32 index range");
        assert!(error.to_string().contains("split the batch"), "{error}");
        let sizes = Sizes::checked(64, 32, 128, 2, 2, &limits).expect("a batch of 64 short texts fits");
        assert_eq!(
            (sizes.states, sizes.projected, sizes.logits),
            (64 * 32 * 128 * 4, 4 * 64 * 32 * 128 * 4, 64 * 33 * 2 * 4)
        );
        assert_eq!(sizes.readback, sizes.logits + 2 * 2 * sizes.states);
    }
}
