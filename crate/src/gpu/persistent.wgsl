// The bindings and the workgroup memory both persistent recurrences (lstm_persistent.wgsl, gru_persistent.wgsl)
// share: one workgroup of LANES invocations per text, looping over its steps with h[s − 1] in workgroup memory;
// hidden sizes up to MAX_HIDDEN (the crate's PERSISTENT_MAX_HIDDEN). Each shader declares its own bindings from 5 on.

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> lengths: array<u32>;
@group(0) @binding(2) var<storage, read> projected: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read_write> hidden: array<f32>;

const LANES: u32 = 128u;
const MAX_HIDDEN: u32 = 1024u;
// Units per invocation, at most.
const UNITS: u32 = MAX_HIDDEN / LANES;

// h[b, s − 1], read by every invocation during step s.
var<workgroup> previous: array<f32, MAX_HIDDEN>;

// The number of steps of text b, the text of workgroup `group`, b = x + 65535 · y (workgroups run over a 2-D
// grid): 0 for the grid's workgroups past the batch.
fn text_steps(b: u32) -> u32 {
    if b >= shape.batch {
        return 0u;
    }
    return lengths[b];
}

// Ends a step: once every invocation has read h[s − 1], each writes its units' h[s], `next` (units lane,
// lane + LANES, ...), over it in `previous`, and all wait for the whole of h[s] before the next step reads it.
fn publish(lane: u32, h: u32, next: ptr<function, array<f32, UNITS>>) {
    workgroupBarrier();
    var slot = 0u;
    for (var u = lane; u < h; u += LANES) {
        previous[u] = (*next)[slot];
        slot++;
    }
    workgroupBarrier();
}
