// The logits of every prefix of every text, in one dispatch (the equations: crate/src/recurrent/mod.rs):
//
//   logits[b, t, k] = bias[k] + Σ_j W[k, j] · h[b, t − 1, j]      t = 0 … length (t = 0: the empty prefix, h = 0)
//
// `hidden` is the top layer's states, `[batch][steps][H]`; `logits` is `[batch][steps + 1][labels]`, and rows
// past a text's length are left as they were. One invocation per output element, over a 2-D grid of workgroups.

struct Shape {
    batch: u32,
    steps: u32,
    hidden: u32,
    labels: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> lengths: array<u32>;
@group(0) @binding(2) var<storage, read> hidden: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> logits: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let index = flat_index(id, groups);
    if index >= shape.batch * (shape.steps + 1u) * shape.labels {
        return;
    }
    let k = index % shape.labels;
    let t = (index / shape.labels) % (shape.steps + 1u);
    let b = index / (shape.labels * (shape.steps + 1u));
    if t > lengths[b] {
        return;
    }
    var sum = 0.0;
    if t > 0u {
        let state = (b * shape.steps + t - 1u) * shape.hidden;
        for (var j = 0u; j < shape.hidden; j++) {
            sum += weight[k * shape.hidden + j] * hidden[state + j];
        }
    }
    logits[index] = sum + bias[k];
}
