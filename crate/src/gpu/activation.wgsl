// σ, tanh and 2^t, mirroring crate/src/recurrent/activation.rs operation for operation. WGSL has no includes: the
// crate prepends this file to the shaders that use it (the four recurrences; see `SHADERS` in mod.rs).

const LOG2_E: f32 = 1.442695041;
const EXP2_LIMIT: f32 = 125.5;
// p(f) ≈ 2^f on [−½, ½]: activation.rs's POLY (a test there checks that these are the same numbers).
const EXP2_C0: f32 = 1.0;
const EXP2_C1: f32 = 0.693147;
const EXP2_C2: f32 = 0.24022242;
const EXP2_C3: f32 = 0.055507336;
const EXP2_C4: f32 = 0.009671513;
const EXP2_C5: f32 = 0.0013264727;

// 2^t = 2^n · p(f), n = round(t) (ties to even), f = t − n (exact, |f| ≤ ½), by Estrin's scheme:
// (c0 + c1 f) + f²·(c2 + c3 f) + f⁴·(c4 + c5 f).
fn exp2_approx(t: f32) -> f32 {
    let y = clamp(t, -EXP2_LIMIT, EXP2_LIMIT);
    let n = round(y);
    let f = y - n;
    let f2 = f * f;
    let low = (EXP2_C0 + f * EXP2_C1) + f2 * (EXP2_C2 + f * EXP2_C3);
    let p = low + (f2 * f2) * (EXP2_C4 + f * EXP2_C5);
    return ldexp(p, i32(n));
}

// 1 / (1 + 2^t): σ(x) of t = x · −log2 e, and tanh(x) = 1 − 2q of q at t = x · 2 log2 e.
fn sigmoid_of_scaled(t: f32) -> f32 {
    return 1.0 / (1.0 + exp2_approx(t));
}

fn sigmoid(x: f32) -> f32 {
    return sigmoid_of_scaled(x * -LOG2_E);
}

// No clamp of its own: beyond ±9.5 the formula gives ±1 (exactly on the CPU; WGSL's division may be 2.5 ULP off).
fn tanh_approx(x: f32) -> f32 {
    return 1.0 - 2.0 * sigmoid_of_scaled(x * (2.0 * LOG2_E));
}
