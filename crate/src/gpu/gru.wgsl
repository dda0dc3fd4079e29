// The GRU's arithmetic per unit, shared by gru_step.wgsl and gru_persistent.wgsl so that both give the same bits (the
// equations: crate/src/recurrent/mod.rs). The crate prepends this file, after the other libraries, to both.
//
// Both shaders share one layout: `projected` is `[batch][steps][3H]`, the gates stacked r, z, n, with b_ih + b_hh
// for r and z and b_ih alone for n (the crate sums the unscaled biases at upload); W_hh is stored transposed,
// `[H][3H]`; `bias` is the candidate's recurrent bias b_hn, `[H]`, where the candidate's recurrent sum starts.
// `shape.reset_after` picks the convention: 1, r scales the candidate's recurrent sum (PyTorch's and Keras's
// default); 0, r scales h before the product (the original GRU), which needs every unit's r ⊙ h first.

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
