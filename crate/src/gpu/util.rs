//! wgpu helpers: pipelines, buffers, bind groups, error scopes, dispatch grids and the readback.

use super::WORKGROUP;
use crate::error::{Error, Result};
use crate::model::Matrix;

#[derive(Debug)]
pub(super) struct Stage {
    pub(super) pipeline: wgpu::ComputePipeline,
    /// Another entry point of the same shader and bindings, dispatched before `main` at each step:
    /// `gru_step.wgsl`'s `gates`, for a GRU with the reset gate before the product.
    pub(super) first: Option<wgpu::ComputePipeline>,
    pub(super) layout: wgpu::BindGroupLayout,
}
/// How a shader binding is declared: a uniform (optionally at a dynamic offset), or a storage buffer.
#[derive(Clone, Copy)]
pub(super) enum Binding {
    Uniform,
    DynamicUniform,
    Read,
    ReadWrite,
}
/// A compute pipeline for the shader `(file, source)` (entry point `main`) whose bindings, in order, are
/// `bindings`.
pub(super) fn stage(device: &wgpu::Device, shader: (&str, &str), bindings: &[Binding]) -> Stage {
    stage_entries(device, shader, bindings, None)
}

/// [`stage`], with a pipeline for the entry point `first` too (over the same bindings), if there is one.
pub(super) fn stage_entries(
    device: &wgpu::Device,
    (file, source): (&str, &str),
    bindings: &[Binding],
    first: Option<&str>,
) -> Stage {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(file),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let entries: Vec<_> = bindings
        .iter()
        .enumerate()
        .map(|(binding, kind)| wgpu::BindGroupLayoutEntry {
            binding: binding as u32,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: match kind {
                    Binding::Uniform | Binding::DynamicUniform => wgpu::BufferBindingType::Uniform,
                    Binding::Read => wgpu::BufferBindingType::Storage { read_only: true },
                    Binding::ReadWrite => wgpu::BufferBindingType::Storage { read_only: false },
                },
                has_dynamic_offset: matches!(kind, Binding::DynamicUniform),
                min_binding_size: None,
            },
            count: None,
        })
        .collect();
    let layout =
        device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some(file), entries: &entries });
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(file),
        bind_group_layouts: &[Some(&layout)],
        immediate_size: 0,
    });
    let pipeline = |entry_point: &str| {
        device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(file),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some(entry_point),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            cache: None,
        })
    };
    Stage { pipeline: pipeline("main"), first: first.map(pipeline), layout }
}

/// Error scopes for every kind of error (validation, out of memory, internal), so that a failure inside becomes
/// an [`Error::Gpu`] for the caller instead of reaching wgpu's default handler, which panics.
pub(super) struct Scope([wgpu::ErrorScopeGuard; 3]);

impl Scope {
    pub(super) fn push(device: &wgpu::Device) -> Scope {
        Scope(
            [wgpu::ErrorFilter::Validation, wgpu::ErrorFilter::OutOfMemory, wgpu::ErrorFilter::Internal]
                .map(|filter| device.push_error_scope(filter)),
        )
    }

    /// The first error raised while the scopes were pushed, if any, as an [`Error::Gpu`] naming `what` failed.
    pub(super) async fn check(self, what: &str) -> Result<()> {
        // Scopes pop in the reverse order of their pushing, all before any is awaited: in a browser they are one
        // stack per device, and a call awaiting between two pops would let another call push onto it in between
        // (wgpu panics on a pop out of order).
        let [validation, memory, internal] = self.0;
        let popped = [internal.pop(), memory.pop(), validation.pop()];
        for result in popped {
            if let Some(error) = result.await {
                return Err(gpu_error(format!("{what} failed: {error}")));
            }
        }
        Ok(())
    }
}

pub(super) fn gpu_error(message: String) -> Error {
    Error::Gpu { message }
}

/// `matrix` column by column: the layout the shaders read with neighbouring invocations on neighbouring rows.
pub(super) fn transposed(matrix: &Matrix) -> Vec<f32> {
    (0..matrix.cols()).flat_map(|k| (0..matrix.rows()).map(move |j| matrix.row(j)[k])).collect()
}

/// A buffer holding `bytes`, written through the queue: unlike `create_buffer_init`, which panics when the
/// device is lost, a failure here is an error the enclosing [`Scope`] reports.
pub(super) fn upload(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    label: &str,
    bytes: &[u8],
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    let buffer = buffer(device, label, bytes.len() as u64, usage | wgpu::BufferUsages::COPY_DST);
    if !bytes.is_empty() {
        queue.write_buffer(&buffer, 0, bytes);
    }
    buffer
}

/// An uninitialised buffer of `bytes` (at least 4: a zero-length binding is invalid, so an empty tensor still
/// gets one element).
pub(super) fn buffer(device: &wgpu::Device, label: &str, bytes: u64, usage: wgpu::BufferUsages) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: bytes.max(4),
        usage,
        mapped_at_creation: false,
    })
}

pub(super) fn entries<'a>(resources: &[wgpu::BindingResource<'a>]) -> Vec<wgpu::BindGroupEntry<'a>> {
    resources
        .iter()
        .enumerate()
        .map(|(binding, resource)| wgpu::BindGroupEntry { binding: binding as u32, resource: resource.clone() })
        .collect()
}

/// A bind group of whole buffers, bound in order.
pub(super) fn bind(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    buffers: &[&wgpu::Buffer],
) -> wgpu::BindGroup {
    let resources: Vec<_> = buffers.iter().map(|buffer| buffer.as_entire_binding()).collect();
    device.create_bind_group(&wgpu::BindGroupDescriptor { label: None, layout, entries: &entries(&resources) })
}

/// Workgroups for `invocations` flat invocations, as a 2-D grid within the 65,535-per-dimension limit.
pub(super) fn grid(invocations: u32) -> (u32, u32) {
    let groups = invocations.div_ceil(WORKGROUP).max(1);
    let x = groups.min(65_535);
    (x, groups.div_ceil(x))
}

/// Maps the first `bytes` of `buffer` and copies them out as floats.
pub(super) async fn read(device: &wgpu::Device, buffer: &wgpu::Buffer, bytes: u64) -> Result<Vec<f32>> {
    let (sender, receiver) = futures_channel::oneshot::channel();
    buffer.map_async(wgpu::MapMode::Read, ..bytes, move |result| {
        let _ = sender.send(result);
    });
    // Natively this waits for the GPU and runs the callback; in the browser it returns at once, and the callback
    // comes from the event loop while `receiver` is awaited.
    device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| gpu_error(format!("waiting for the GPU ({e})")))?;
    receiver
        .await
        .map_err(|_| gpu_error("the readback was dropped".to_owned()))?
        .map_err(|e| gpu_error(format!("the readback failed ({e})")))?;
    let values = {
        let view = buffer.get_mapped_range(..bytes).map_err(|e| gpu_error(format!("the readback failed ({e})")))?;
        bytemuck::cast_slice::<u8, f32>(&view).to_vec()
    };
    buffer.unmap();
    Ok(values)
}
