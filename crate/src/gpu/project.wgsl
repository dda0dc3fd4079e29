// The input projection of every step of every text, in one dispatch (the equations: crate/src/recurrent/mod.rs):
//
//   projected[b, t, j] = bias[j] + Σ_k W_ih[j, k] · x[b, t, k]      j < 4H (gates stacked i, f, g, o)
//
// W_ih is stored transposed, `[inputs][4H]`, so that neighbouring invocations (neighbouring j) read neighbouring
// weights. x is an embedding row (the first layer: `source` is the embedding and `ids` picks the rows) or the
// layer below's hidden state (`source` is its states, `[batch][steps][H]`). Padded steps of shorter texts are
// projected too (their ids are 0) and never read. One invocation per output element; the flat index runs over
// a 2-D grid of workgroups so that large batches stay within the 65,535 workgroups a dimension allows. The crate
// prepends grid.wgsl (the shape, the weights and the biases).

@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read> source: array<f32>;
@group(0) @binding(5) var<storage, read_write> projected: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let index = flat_index(id, groups);
    if index >= shape.batch * shape.steps * shape.rows {
        return;
    }
    let j = index % shape.rows;
    let position = index / shape.rows;
    var row = position;
    if shape.from_ids != 0u {
        row = ids[position];
    }
    var sum = 0.0;
    for (var k = 0u; k < shape.inputs; k++) {
        sum += weight[k * shape.rows + j] * source[row * shape.inputs + k];
    }
    projected[index] = sum + bias[j];
}
