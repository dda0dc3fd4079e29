// σ, tanh and exp, mirroring crate/src/lstm/activation.rs operation for operation. WGSL has no includes: the
// crate prepends this file to the shaders that use it (step.wgsl, recur.wgsl; see `SHADERS` in mod.rs).

const LOG2_E: f32 = 1.442695041;
// ln 2 in two parts, as in activation.rs: n · LN2_HI is exact for |n| ≤ 127.
const LN2_HI: f32 = 0.69314575;
const LN2_LO: f32 = 1.4286068e-6;
const EXP_LIMIT: f32 = 87.0;
const TANH_LIMIT: f32 = 10.0;

// e^x = 2^n · p(r), n = round(x · log2 e), r = x − n · ln 2, p the degree-6 Taylor polynomial of e^r.
fn exp_approx(x: f32) -> f32 {
    let y = clamp(x, -EXP_LIMIT, EXP_LIMIT);
    let n = round(y * LOG2_E);
    let r = y - n * LN2_HI - n * LN2_LO;
    var p = 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    return ldexp(p, i32(n));
}

fn sigmoid(x: f32) -> f32 {
    return 1.0 / (1.0 + exp_approx(-x));
}

fn tanh_approx(x: f32) -> f32 {
    let y = clamp(x, -TANH_LIMIT, TANH_LIMIT);
    return 1.0 - 2.0 / (1.0 + exp_approx(y + y));
}
