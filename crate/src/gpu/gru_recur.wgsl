// A GRU layer's whole recurrence in one dispatch, as recur.wgsl runs an LSTM's: one workgroup per text loops over
// the text's steps, keeping h[s − 1] in workgroup memory (the equations: crate/src/recurrent/mod.rs; the layout and
// the conventions: gru.wgsl). The sums run in gru_step.wgsl's order, so both give the same bits:
//
//   reset after:  r, z and the candidate's recurrent sum u_n together, then n = tanh(a_n + r · u_n),
//                 h = (1 − z) · n + z · h[s − 1]
//   reset before: r and z, r ⊙ h[s − 1] into workgroup memory; a barrier; u_n = b_hn + W_hn · (r ⊙ h[s − 1]),
//                 n = tanh(a_n + u_n), h
//
// Invocation `lane` computes units lane, lane + 128, ...; hidden sizes up to MAX_HIDDEN fit (gru_step.wgsl runs
// any size). Workgroups run over a 2-D grid: text b = x + 65535 · y. σ and tanh come from activation.wgsl, the
// GRU's arithmetic from gru.wgsl, which the crate prepends. The bindings are recur.wgsl's with the candidate's
// recurrent bias in place of the cell states (a GRU has none).

struct Shape {
    batch: u32,
    steps: u32,
    hidden: u32,
    reset_after: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> lengths: array<u32>;
@group(0) @binding(2) var<storage, read> projected: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read_write> hidden: array<f32>;
@group(0) @binding(5) var<storage, read> bias: array<f32>;

const LANES: u32 = 128u;
const MAX_HIDDEN: u32 = 1024u;
// Units per invocation, at most.
const UNITS: u32 = MAX_HIDDEN / LANES;

// h[b, s − 1], read by every invocation during step s.
var<workgroup> previous: array<f32, MAX_HIDDEN>;
// Reset before: r ⊙ h[b, s − 1], read by every invocation during step s.
var<workgroup> gated: array<f32, MAX_HIDDEN>;

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let b = group.x + 65535u * group.y;
    if b >= shape.batch {
        return;
    }
    let h = shape.hidden;
    let reset_after = shape.reset_after != 0u;
    var next: array<f32, UNITS>;
    var update: array<f32, UNITS>;
    for (var s = 0u; s < lengths[b]; s++) {
        var slot = 0u;
        for (var u = lane; u < h; u += LANES) {
            let at = (b * shape.steps + s) * 3u * h + u;
            var h_previous = 0.0;
            if s > 0u {
                h_previous = previous[u];
            }
            if reset_after {
                var sum = vec3<f32>(projected[at], projected[at + h], bias[u]);
                if s > 0u {
                    for (var k = 0u; k < h; k++) {
                        let row = k * 3u * h + u;
                        sum += previous[k] * vec3<f32>(weight[row], weight[row + h], weight[row + 2u * h]);
                    }
                }
                let n = gru_candidate(projected[at + 2u * h], sum.z, sigmoid(sum.x), true);
                next[slot] = gru_state(sigmoid(sum.y), n, h_previous);
                hidden[(b * shape.steps + s) * h + u] = next[slot];
            } else {
                var rz = vec2<f32>(projected[at], projected[at + h]);
                if s > 0u {
                    for (var k = 0u; k < h; k++) {
                        let row = k * 3u * h + u;
                        rz += previous[k] * vec2<f32>(weight[row], weight[row + h]);
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
                let at = (b * shape.steps + s) * 3u * h + u;
                var u_n = bias[u];
                if s > 0u {
                    for (var k = 0u; k < h; k++) {
                        u_n += gated[k] * weight[k * 3u * h + 2u * h + u];
                    }
                }
                var h_previous = 0.0;
                if s > 0u {
                    h_previous = previous[u];
                }
                let n = gru_candidate(projected[at + 2u * h], u_n, 0.0, false);
                next[slot] = gru_state(update[slot], n, h_previous);
                hidden[(b * shape.steps + s) * h + u] = next[slot];
                slot++;
            }
        }
        // Every invocation has read h[s − 1] before any overwrites it with h[s].
        workgroupBarrier();
        slot = 0u;
        for (var u = lane; u < h; u += LANES) {
            previous[u] = next[slot];
            slot++;
        }
        workgroupBarrier();
    }
}
