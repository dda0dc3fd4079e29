// One step `s` of an LSTM layer's recurrence for every text still running, the four gates fused (the equations:
// crate/src/recurrent/mod.rs):
//
//   z_g = projected[b, s, g·H + u] + Σ_k W_hh[g·H + u, k] · h[b, s−1, k]        g = i, f, g, o
//   c[b, s, u] = σ(z_f) · c[b, s−1, u] + σ(z_i) · tanh(z_g)
//   h[b, s, u] = σ(z_o) · tanh(c[b, s, u])                                       (h, c = 0 before step 0)
//
// One invocation per (unit u, text b); a text whose length is at most s is masked out (per_step.wgsl's `main`). One
// dispatch per step: the step index comes from a uniform bound at a dynamic offset. The crate prepends activation.wgsl (σ, tanh),
// recurrence.wgsl (the shape), per_step.wgsl (bindings 0-5, the entry point `main`) and lstm.wgsl (the layout, the LSTM's arithmetic); the
// cell states are binding 6.

@group(0) @binding(6) var<storage, read_write> cell: array<f32>;

// Unit u of a layer of h units at `position` = b · steps + s.
fn step_unit(u: u32, h: u32, position: u32) {
    var z = lstm_projected(position, u, h);
    var c_previous = 0.0;
    if step.index > 0u {
        let previous = (position - 1u) * h;
        for (var k = 0u; k < h; k++) {
            z += hidden[previous + k] * lstm_weights(k, u, h);
        }
        c_previous = cell[previous + u];
    }
    let state = lstm_cell(z, c_previous);
    cell[position * h + u] = state.x;
    hidden[position * h + u] = state.y;
}
