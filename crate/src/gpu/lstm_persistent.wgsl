// An LSTM layer's whole recurrence in one dispatch: one workgroup per text loops over the text's steps, keeping the
// hidden state in workgroup memory and each unit's cell in its invocation's registers. The equations are
// lstm_step.wgsl's (crate/src/recurrent/mod.rs), summed in the same order, so both give the same bits:
//
//   z_g = projected[b, s, g·H + u] + Σ_k W_hh[g·H + u, k] · h[b, s−1, k]        g = i, f, g, o
//   c[b, s, u] = σ(z_f) · c[b, s−1, u] + σ(z_i) · tanh(z_g)
//   h[b, s, u] = σ(z_o) · tanh(c[b, s, u])                                       (h, c = 0 before step 0)
//
// Texts are independent, so workgroups never wait for each other: a step ends at a workgroup barrier, not at the
// end of a dispatch as in lstm_step.wgsl. Invocation `lane` computes units lane, lane + 128, ...; hidden sizes up to
// MAX_HIDDEN fit (lstm_step.wgsl runs any size). W_hh is stored transposed, `[H][4H]`, so that
// neighbouring invocations read neighbouring weights. Workgroups run over a 2-D grid: text b = x + 65535 · y.
// The crate prepends activation.wgsl (σ, tanh), recurrence.wgsl (the shape) and persistent.wgsl (bindings 0-4,
// LANES, MAX_HIDDEN, the workgroup's h[s − 1]); the cell states are binding 5.

@group(0) @binding(5) var<storage, read_write> cell: array<f32>;

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let b = group.x + 65535u * group.y;
    if b >= shape.batch {
        return;
    }
    let h = shape.hidden;
    var c: array<f32, UNITS>;
    var next: array<f32, UNITS>;
    for (var s = 0u; s < lengths[b]; s++) {
        var slot = 0u;
        for (var u = lane; u < h; u += LANES) {
            let at = (b * shape.steps + s) * 4u * h + u;
            var z = vec4<f32>(projected[at], projected[at + h], projected[at + 2u * h], projected[at + 3u * h]);
            if s > 0u {
                for (var k = 0u; k < h; k++) {
                    let row = k * 4u * h + u;
                    let w = vec4<f32>(weight[row], weight[row + h], weight[row + 2u * h], weight[row + 3u * h]);
                    z += previous[k] * w;
                }
            }
            c[slot] = sigmoid(z.y) * c[slot] + sigmoid(z.x) * tanh_approx(z.z);
            next[slot] = sigmoid(z.w) * tanh_approx(c[slot]);
            let out = (b * shape.steps + s) * h + u;
            cell[out] = c[slot];
            hidden[out] = next[slot];
            slot++;
        }
        publish(lane, h, &next);
    }
}
