// The LSTM's reads and arithmetic per unit, shared by lstm_step.wgsl and lstm_persistent.wgsl so that both give the
// same bits (the equations: crate/src/recurrent/mod.rs). The crate prepends this file, after the other libraries,
// to both.
//
// Both shaders share one layout: `projected` is `[batch][steps][4H]`, the gates stacked i, f, g, o with b_ih + b_hh
// summed in; W_hh is stored transposed, `[H][4H]`, so that neighbouring invocations (neighbouring u) read
// neighbouring weights.

// Unit u's four gate inputs (i, f, g, o) at `position` = b · steps + s of the projection, for a layer of h units.
fn lstm_projected(position: u32, u: u32, h: u32) -> vec4<f32> {
    let at = position * 4u * h + u;
    return vec4<f32>(projected[at], projected[at + h], projected[at + 2u * h], projected[at + 3u * h]);
}

// Unit u's four gate weights on h[k], the previous state's unit k: row k of the transposed W_hh.
fn lstm_weights(k: u32, u: u32, h: u32) -> vec4<f32> {
    let row = k * 4u * h + u;
    return vec4<f32>(weight[row], weight[row + h], weight[row + 2u * h], weight[row + 3u * h]);
}

// c_s and h_s, in that order, from the gates' sums z and c_{s−1}.
fn lstm_cell(z: vec4<f32>, c_previous: f32) -> vec2<f32> {
    let c = sigmoid(z.y) * c_previous + sigmoid(z.x) * tanh_approx(z.z);
    return vec2<f32>(c, sigmoid(z.w) * tanh_approx(c));
}
