// The logits of every prefix of every text, in one dispatch (the equations: crate/src/recurrent/mod.rs):
//
//   logits[b, t, k] = bias[k] + Σ_j W[k, j] · h[b, t − 1, j]      t = 0 … length (t = 0: the empty prefix, h = 0)
//
// `hidden` is the top layer's states, `[batch][steps][H]`; `logits` is `[batch][steps + 1][labels]`, and rows
// past a text's length are left as they were. One invocation per output element, over a 2-D grid of workgroups.
// The crate prepends grid.wgsl (the shape, `rows` the labels and `inputs` the hidden size H; the
// weights, `[labels][H]`, and the biases).

@group(0) @binding(1) var<storage, read> lengths: array<u32>;
@group(0) @binding(2) var<storage, read> hidden: array<f32>;
@group(0) @binding(5) var<storage, read_write> logits: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let labels = shape.rows;
    let h = shape.inputs;
    let index = flat_index(id, groups);
    if index >= shape.batch * (shape.steps + 1u) * labels {
        return;
    }
    let k = index % labels;
    let t = (index / labels) % (shape.steps + 1u);
    let b = index / (labels * (shape.steps + 1u));
    if t > lengths[b] {
        return;
    }
    var sum = 0.0;
    if t > 0u {
        let state = (b * shape.steps + t - 1u) * h;
        for (var j = 0u; j < h; j++) {
            sum += weight[k * h + j] * hidden[state + j];
        }
    }
    logits[index] = sum + bias[k];
}
