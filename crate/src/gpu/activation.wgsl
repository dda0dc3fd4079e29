// σ, tanh and exp, mirroring crate/src/lstm/activation.rs operation for operation. WGSL has no includes: the
// crate prepends this file to the shaders that use it (step.wgsl, recur.wgsl; see `SHADERS` in mod.rs).

const LOG2_E: f32 = 1.442695041;
// ln 2 in two parts, as in activation.rs: n · LN2_HI is exact for |n| ≤ 127.
const LN2_HI: f32 = 0.69314575;
const LN2_LO: f32 = 1.4286068e-6;
const EXP_LIMIT: f32 = 87.0;

// e^x = 2^n · p(r), n = round(x · log2 e) (ties to even), r = x − n · ln 2, p the degree-6 Taylor polynomial of
// e^r by Estrin's scheme: (1 + r) + r²·(1/2 + r/6) + r⁴·((1/24 + r/120) + r²/720).
fn exp_approx(x: f32) -> f32 {
    let y = clamp(x, -EXP_LIMIT, EXP_LIMIT);
    let n = round(y * LOG2_E);
    let r = y - n * LN2_HI - n * LN2_LO;
    let r2 = r * r;
    let r4 = r2 * r2;
    let low = (1.0 + r) + r2 * (0.5 + r * (1.0 / 6.0));
    let high = (1.0 / 24.0 + r * (1.0 / 120.0)) + r2 * (1.0 / 720.0);
    return ldexp(low + r4 * high, i32(n));
}

fn sigmoid(x: f32) -> f32 {
    return 1.0 / (1.0 + exp_approx(-x));
}

// No clamp of its own: beyond ±9.5 the formula gives ±1 exactly (exp_approx clamps its argument).
fn tanh_approx(x: f32) -> f32 {
    return 1.0 - 2.0 / (1.0 + exp_approx(x + x));
}
