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
// MAX_HIDDEN fit (lstm_step.wgsl runs any size). Workgroups run over a 2-D grid: text b = x + 65535 · y. The crate
// prepends activation.wgsl (σ, tanh), recurrence.wgsl (the shape), persistent.wgsl (bindings 0-4, LANES,
// MAX_HIDDEN, the workgroup's h[s − 1]) and lstm.wgsl (the layout, the LSTM's arithmetic); the cell states are
// binding 5.

@group(0) @binding(5) var<storage, read_write> cell: array<f32>;

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let b = group.x + 65535u * group.y;
    let h = shape.hidden;
    // The invocation's units' cell states, kept across the steps.
    var c: array<f32, UNITS>;
    for (var s = 0u; s < text_steps(b); s++) {
        let position = b * shape.steps + s;
        // This step's h of the invocation's units.
        var next: array<f32, UNITS>;
        var slot = 0u;
        for (var u = lane; u < h; u += LANES) {
            var z = lstm_projected(position, u, h);
            if s > 0u {
                for (var k = 0u; k < h; k++) {
                    z += previous[k] * lstm_weights(k, u, h);
                }
            }
            let state = lstm_cell(z, c[slot]);
            c[slot] = state.x;
            next[slot] = state.y;
            cell[position * h + u] = state.x;
            hidden[position * h + u] = state.y;
            slot++;
        }
        publish(lane, h, &next);
    }
}
