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
// recurrence.wgsl (the shape), per_step.wgsl (bindings 0-5, the entry point `main`) and gru.wgsl (the GRU's layout and arithmetic).

@group(0) @binding(6) var<storage, read_write> gated: array<f32>;
@group(0) @binding(7) var<storage, read> bias: array<f32>;

// The step's second dispatch, `main` (per_step.wgsl): unit u of a layer of h units at `position` = b · steps + s.
fn step_unit(u: u32, h: u32, position: u32) {
    let a_n = gru_input(position, u, h, 2u);
    let out = position * h + u;
    var h_previous = 0.0;
    if step.index > 0u {
        h_previous = hidden[out - h];
    }
    if shape.reset_after != 0u {
        var sum = vec3<f32>(gru_input(position, u, h, 0u), gru_input(position, u, h, 1u), bias[u]);
        if step.index > 0u {
            let previous = (position - 1u) * h;
            for (var k = 0u; k < h; k++) {
                sum += hidden[previous + k] * gru_weights(k, u, h);
            }
        }
        hidden[out] = gru_state(sigmoid(sum.y), gru_candidate(a_n, sum.z, sigmoid(sum.x), true), h_previous);
    } else {
        var u_n = bias[u];
        if step.index > 0u {
            for (var k = 0u; k < h; k++) {
                u_n += gated[position * h + k] * gru_weight(k, u, h, 2u);
            }
        }
        hidden[out] = gru_state(hidden[out], gru_candidate(a_n, u_n, 0.0, false), h_previous);
    }
}

// Reset before only, the step's first dispatch: r and z of every unit that has the step.
@compute @workgroup_size(64)
fn gates(@builtin(global_invocation_id) id: vec3<u32>) {
    if !has_step(id) {
        return;
    }
    let u = id.x;
    let h = shape.hidden;
    let position = step_position(id);
    var rz = vec2<f32>(gru_input(position, u, h, 0u), gru_input(position, u, h, 1u));
    var h_previous = 0.0;
    if step.index > 0u {
        let previous = (position - 1u) * h;
        for (var k = 0u; k < h; k++) {
            rz += hidden[previous + k] * vec2<f32>(gru_weight(k, u, h, 0u), gru_weight(k, u, h, 1u));
        }
        h_previous = hidden[previous + u];
    }
    gated[position * h + u] = sigmoid(rz.x) * h_previous;
    hidden[position * h + u] = sigmoid(rz.y);
}
