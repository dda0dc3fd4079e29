// σ, tanh and 2^t, mirroring crate/src/lstm/activation.rs operation for operation. WGSL has no includes: the
// crate prepends this file to the shaders that use it (step.wgsl, recur.wgsl; see `SHADERS` in mod.rs).

const LOG2_E: f32 = 1.442695041;
const EXP2_LIMIT: f32 = 125.5;

// 2^t = 2^n · p(f), n = round(t) (ties to even), f = t − n (exact, |f| ≤ ½), p the degree-5 polynomial fitted to
// 2^f on [−½, ½] (activation.rs: POLY), by Estrin's scheme: (c0 + c1 f) + f²·(c2 + c3 f) + f⁴·(c4 + c5 f).
fn exp2_approx(t: f32) -> f32 {
    let y = clamp(t, -EXP2_LIMIT, EXP2_LIMIT);
    let n = round(y);
    let f = y - n;
    let f2 = f * f;
    let low = (1.0000001 + f * 0.69314694) + f2 * (0.2402212 + f * 0.055507135);
    let p = low + (f2 * f2) * (0.009675541 + f * 0.0013276467);
    return ldexp(p, i32(n));
}

// σ(x) = 1 / (1 + 2^(x · −log2 e)).
fn sigmoid(x: f32) -> f32 {
    return 1.0 / (1.0 + exp2_approx(x * -LOG2_E));
}

// tanh(x) = 1 − 2 / (1 + 2^(x · 2 log2 e)). No clamp of its own: beyond ±9.5 the formula gives ±1 exactly
// (exp2_approx clamps its argument).
fn tanh_approx(x: f32) -> f32 {
    return 1.0 - 2.0 / (1.0 + exp2_approx(x * (2.0 * LOG2_E)));
}
