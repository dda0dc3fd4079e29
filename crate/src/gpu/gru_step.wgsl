// One step `s` of a GRU layer's recurrence for every text still running (the equations: crate/src/recurrent/mod.rs;
// the layout and the conventions: gru.wgsl). One invocation per (unit u, text b), a text whose length is at most
// s masked out, the step index from a uniform bound at a dynamic offset, as in step.wgsl:
//
//   reset after:  one dispatch, `main`: r, z and the candidate's recurrent sum u_n together, then
//                 n = tanh(a_n + r · u_n), h = (1 − z) · n + z · h[s − 1]
//   reset before: two dispatches, `gates` (r and z; r ⊙ h[s − 1] into `gated`, z into `hidden` until `main`
//                 overwrites it), then `main`: u_n = b_hn + W_hn · (r ⊙ h[s − 1]), n = tanh(a_n + u_n), h
//
// `gated` is the layer's cell-state buffer, which a GRU has no use for (the crate reads none back). The sums run
// in gru_recur.wgsl's order, so both give the same bits. σ and tanh come from activation.wgsl, the GRU's
// arithmetic from gru.wgsl, which the crate prepends.

struct Shape {
    batch: u32,
    steps: u32,
    hidden: u32,
    reset_after: u32,
}

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
@group(0) @binding(6) var<storage, read_write> gated: array<f32>;
@group(0) @binding(7) var<storage, read> bias: array<f32>;

// Reset before only: r and z of unit u, text b, step s.
@compute @workgroup_size(64)
fn gates(@builtin(global_invocation_id) id: vec3<u32>) {
    let u = id.x;
    let b = id.y;
    let s = step.index;
    if u >= shape.hidden || b >= shape.batch || s >= lengths[b] {
        return;
    }
    let h = shape.hidden;
    let at = (b * shape.steps + s) * 3u * h + u;
    var rz = vec2<f32>(projected[at], projected[at + h]);
    var h_previous = 0.0;
    if s > 0u {
        let previous = (b * shape.steps + s - 1u) * h;
        for (var k = 0u; k < h; k++) {
            let row = k * 3u * h + u;
            rz += hidden[previous + k] * vec2<f32>(weight[row], weight[row + h]);
        }
        h_previous = hidden[previous + u];
    }
    let out = (b * shape.steps + s) * h + u;
    gated[out] = sigmoid(rz.x) * h_previous;
    hidden[out] = sigmoid(rz.y);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let u = id.x;
    let b = id.y;
    let s = step.index;
    if u >= shape.hidden || b >= shape.batch || s >= lengths[b] {
        return;
    }
    let h = shape.hidden;
    let at = (b * shape.steps + s) * 3u * h + u;
    let out = (b * shape.steps + s) * h + u;
    let previous = (b * shape.steps + s - 1u) * h;
    var h_previous = 0.0;
    if s > 0u {
        h_previous = hidden[previous + u];
    }
    if shape.reset_after != 0u {
        var sum = vec3<f32>(projected[at], projected[at + h], bias[u]);
        if s > 0u {
            for (var k = 0u; k < h; k++) {
                let row = k * 3u * h + u;
                sum += hidden[previous + k] * vec3<f32>(weight[row], weight[row + h], weight[row + 2u * h]);
            }
        }
        let n = gru_candidate(projected[at + 2u * h], sum.z, sigmoid(sum.x), true);
        hidden[out] = gru_state(sigmoid(sum.y), n, h_previous);
    } else {
        var u_n = bias[u];
        if s > 0u {
            let row = (b * shape.steps + s) * h;
            for (var k = 0u; k < h; k++) {
                u_n += gated[row + k] * weight[k * 3u * h + 2u * h + u];
            }
        }
        let n = gru_candidate(projected[at + 2u * h], u_n, 0.0, false);
        hidden[out] = gru_state(hidden[out], n, h_previous);
    }
}
