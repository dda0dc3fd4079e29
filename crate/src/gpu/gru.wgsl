// The GRU's arithmetic per unit, shared by gru_step.wgsl and gru_persistent.wgsl so that both give the same bits (the
// equations: crate/src/recurrent/mod.rs). The crate prepends this file, after the other libraries, to both.
//
// Both shaders share one layout: `projected` is `[batch][steps][3H]`, the gates stacked r, z, n, with b_ih + b_hh
// for r and z and b_ih alone for n (the crate sums the unscaled biases at upload); W_hh is stored transposed,
// `[H][3H]`; `bias` is the candidate's recurrent bias b_hn, `[H]`, where the candidate's recurrent sum starts.
// `shape.reset_after` picks the convention: 1, r scales the candidate's recurrent sum (PyTorch's and Keras's
// default); 0, r scales h before the product (the original GRU), which needs every unit's r ⊙ h first.

// Gate g's input (0: r, 1: z, 2: n) for unit u at `position` = b · steps + s of the projection, for a layer of h
// units.
fn gru_input(position: u32, u: u32, h: u32, g: u32) -> f32 {
    return projected[position * 3u * h + g * h + u];
}

// Gate g's weight for unit u on h[k], the previous state's unit k: in row k of the transposed W_hh.
fn gru_weight(k: u32, u: u32, h: u32, g: u32) -> f32 {
    return weight[k * 3u * h + g * h + u];
}

// All three gates' weights for unit u on h[k] (reset after: r, z and the candidate's recurrent sum in one pass).
fn gru_weights(k: u32, u: u32, h: u32) -> vec3<f32> {
    return vec3<f32>(gru_weight(k, u, h, 0u), gru_weight(k, u, h, 1u), gru_weight(k, u, h, 2u));
}

// n: the candidate from its input projection `a_n`, its recurrent sum `u_n` (from b_hn) and, reset after, r.
fn gru_candidate(a_n: f32, u_n: f32, r: f32, reset_after: bool) -> f32 {
    if reset_after {
        return tanh_approx(a_n + r * u_n);
    }
    return tanh_approx(a_n + u_n);
}

// h_s = (1 − z) ⊙ n + z ⊙ h_{s−1}.
fn gru_state(z: f32, n: f32, h_previous: f32) -> f32 {
    return (1.0 - z) * n + z * h_previous;
}
