// A GRU layer's whole recurrence in one dispatch, as lstm_persistent.wgsl runs an LSTM's: one workgroup per text
// loops over the text's steps, keeping h[s − 1] in workgroup memory (the equations: crate/src/recurrent/mod.rs; the
// layout and the conventions: gru.wgsl). The sums run in gru_step.wgsl's order, so both give the same bits:
//
//   reset after:  r, z and the candidate's recurrent sum u_n together, then n = tanh(a_n + r · u_n),
//                 h = (1 − z) · n + z · h[s − 1]
//   reset before: r and z, r ⊙ h[s − 1] into workgroup memory; a barrier; u_n = b_hn + W_hn · (r ⊙ h[s − 1]),
//                 n = tanh(a_n + u_n), h
//
// Invocation `lane` computes units lane, lane + 128, ...; hidden sizes up to MAX_HIDDEN fit (gru_step.wgsl runs
// any size). Workgroups run over a 2-D grid: text b = x + 65535 · y. The crate prepends activation.wgsl (σ, tanh),
// recurrence.wgsl (the shape), persistent.wgsl (bindings 0-4, LANES, MAX_HIDDEN, the workgroup's h[s − 1]) and
// gru.wgsl (the GRU's arithmetic); binding 5 is the candidate's recurrent bias where an LSTM has its cell states.

@group(0) @binding(5) var<storage, read> bias: array<f32>;

// Reset before: r ⊙ h[b, s − 1], read by every invocation during step s.
var<workgroup> gated: array<f32, MAX_HIDDEN>;

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let b = group.x + 65535u * group.y;
    let h = shape.hidden;
    let reset_after = shape.reset_after != 0u;
    for (var s = 0u; s < text_steps(b); s++) {
        let position = b * shape.steps + s;
        // This step's h and (reset before) z of the invocation's units.
        var next: array<f32, UNITS>;
        var update: array<f32, UNITS>;
        var slot = 0u;
        for (var u = lane; u < h; u += LANES) {
            var h_previous = 0.0;
            if s > 0u {
                h_previous = previous[u];
            }
            if reset_after {
                var sum = vec3<f32>(gru_input(position, u, h, 0u), gru_input(position, u, h, 1u), bias[u]);
                if s > 0u {
                    for (var k = 0u; k < h; k++) {
                        sum += previous[k] * gru_weights(k, u, h);
                    }
                }
                let n = gru_candidate(gru_input(position, u, h, 2u), sum.z, sigmoid(sum.x), true);
                next[slot] = gru_state(sigmoid(sum.y), n, h_previous);
                hidden[position * h + u] = next[slot];
            } else {
                var rz = vec2<f32>(gru_input(position, u, h, 0u), gru_input(position, u, h, 1u));
                if s > 0u {
                    for (var k = 0u; k < h; k++) {
                        rz += previous[k] * vec2<f32>(gru_weight(k, u, h, 0u), gru_weight(k, u, h, 1u));
                    }
                }
                // Nobody reads `gated` until the barrier below: the last step's readers passed the two at its end.
                gated[u] = sigmoid(rz.x) * h_previous;
                update[slot] = sigmoid(rz.y);
            }
            slot++;
        }
        if !reset_after {
            workgroupBarrier();
            slot = 0u;
            for (var u = lane; u < h; u += LANES) {
                var u_n = bias[u];
                if s > 0u {
                    for (var k = 0u; k < h; k++) {
                        u_n += gated[k] * gru_weight(k, u, h, 2u);
                    }
                }
                var h_previous = 0.0;
                if s > 0u {
                    h_previous = previous[u];
                }
                let n = gru_candidate(gru_input(position, u, h, 2u), u_n, 0.0, false);
                next[slot] = gru_state(update[slot], n, h_previous);
                hidden[position * h + u] = next[slot];
                slot++;
            }
        }
        publish(lane, h, &next);
    }
}
