// The bindings both per-step recurrences (lstm_step.wgsl, gru_step.wgsl) share: one dispatch per step, the step
// index from a uniform bound at a dynamic offset. Each shader declares its own bindings from 6 on.

// 16 bytes: one slot of the step-index buffer (slots are 256 bytes apart).
struct Step {
    index: u32,
    _padding_1: u32,
    _padding_2: u32,
    _padding_3: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<uniform> step: Step;
@group(0) @binding(2) var<storage, read> lengths: array<u32>;
@group(0) @binding(3) var<storage, read> projected: array<f32>;
@group(0) @binding(4) var<storage, read> weight: array<f32>;
@group(0) @binding(5) var<storage, read_write> hidden: array<f32>;

// Whether invocation `id`, unit id.x of text id.y, has step `step.index` to compute: a unit of the layer, of a text
// in the batch that is longer than the step.
fn has_step(id: vec3<u32>) -> bool {
    return id.x < shape.hidden && id.y < shape.batch && step.index < lengths[id.y];
}
