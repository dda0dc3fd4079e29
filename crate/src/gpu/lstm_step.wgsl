// One step `s` of an LSTM layer's recurrence for every text still running, the four gates fused (the equations:
// crate/src/recurrent/mod.rs):
//
//   z_g = projected[b, s, g·H + u] + Σ_k W_hh[g·H + u, k] · h[b, s−1, k]        g = i, f, g, o
//   c[b, s, u] = σ(z_f) · c[b, s−1, u] + σ(z_i) · tanh(z_g)
//   h[b, s, u] = σ(z_o) · tanh(c[b, s, u])                                       (h, c = 0 before step 0)
//
// W_hh is stored transposed, `[H][4H]`, so that neighbouring invocations (neighbouring u) read neighbouring
// weights. One invocation per (unit u, text b); a text whose length is at most s is masked out. One dispatch per step:
// the step index comes from a uniform bound at a dynamic offset. The crate prepends activation.wgsl (σ, tanh),
// recurrence.wgsl (the shape) and per_step.wgsl (bindings 0-5); the cell states are binding 6.

@group(0) @binding(6) var<storage, read_write> cell: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if !has_step(id) {
        return;
    }
    let u = id.x;
    let b = id.y;
    let s = step.index;
    let h = shape.hidden;
    let at = (b * shape.steps + s) * 4u * h + u;
    var z = vec4<f32>(projected[at], projected[at + h], projected[at + 2u * h], projected[at + 3u * h]);
    var c_previous = 0.0;
    if s > 0u {
        let previous = (b * shape.steps + s - 1u) * h;
        for (var k = 0u; k < h; k++) {
            let row = k * 4u * h + u;
            let w = vec4<f32>(weight[row], weight[row + h], weight[row + 2u * h], weight[row + 3u * h]);
            z += hidden[previous + k] * w;
        }
        c_previous = cell[previous + u];
    }
    let c = sigmoid(z.y) * c_previous + sigmoid(z.x) * tanh_approx(z.z);
    let out = (b * shape.steps + s) * h + u;
    cell[out] = c;
    hidden[out] = sigmoid(z.w) * tanh_approx(c);
}
