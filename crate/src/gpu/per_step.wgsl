// What both per-step recurrences (lstm_step.wgsl, gru_step.wgsl) share: one dispatch per step, the step index from
// a uniform bound at a dynamic offset, the bindings 0-5 (each shader declares its own from 6 on) and the entry
// point, `main`: one invocation per (unit u, text b) that has the step calls the shader's `step_unit`.

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

// Where invocation `id` works, unit id.x of text id.y: its step `step.index` in the `[batch][steps]` arrays,
// b · steps + s.
fn step_position(id: vec3<u32>) -> u32 {
    return id.y * shape.steps + step.index;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if has_step(id) {
        step_unit(id.x, shape.hidden, step_position(id));
    }
}
