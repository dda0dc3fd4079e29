// One step `s` of a GRU layer's recurrence for every text still running (the equations: crate/src/recurrent/mod.rs;
// the layout and the conventions: gru.wgsl). One invocation per (unit u, text b), a text whose length is at most
// s masked out, the step index from a uniform bound at a dynamic offset, as in lstm_step.wgsl:
//
//   reset after:  one dispatch, `main`: r, z and the candidate's recurrent sum u_n together, then
//                 n = tanh(a_n + r · u_n), h = (1 − z) · n + z · h[s − 1]
//   reset before: two dispatches, `gates` (r and z; r ⊙ h[s − 1] into `gated`, z into `hidden` until `main`
//                 overwrites it), then `main`: u_n = b_hn + W_hn · (r ⊙ h[s − 1]), n = tanh(a_n + u_n), h
//
// `gated` is the layer's cell-state buffer, which a GRU has no use for (the crate reads none back). The sums run
// in gru_persistent.wgsl's order, so both give the same bits. The crate prepends activation.wgsl (σ, tanh),
// recurrence.wgsl (the shape), per_step.wgsl (bindings 0-5) and gru.wgsl (the GRU's arithmetic).

@group(0) @binding(6) var<storage, read_write> gated: array<f32>;
@group(0) @binding(7) var<storage, read> bias: array<f32>;

// Reset before only: r and z of unit u, text b, step s.
@compute @workgroup_size(64)
fn gates(@builtin(global_invocation_id) id: vec3<u32>) {
    if !has_step(id) {
        return;
    }
    let u = id.x;
    let b = id.y;
    let s = step.index;
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
    if !has_step(id) {
        return;
    }
    let u = id.x;
    let b = id.y;
    let s = step.index;
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
