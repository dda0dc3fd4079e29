//! The activations of the fast paths: one formula each for `exp`, `σ` and `tanh`, in 4-lane SIMD, written so
//! that the WGSL shaders can mirror them operation for operation (`ldexp` there for the exponent step).
//!
//! The scalar [`reference`](super::reference) keeps the standard library's `exp` and `tanh`: it is the oracle, and
//! these formulas are tested against `f64` here and against the oracle through the kernels.
//!
//! ```text
//! exp(x)  = 2^n · p(r),  n = round(x · log2 e),  r = x − n·ln 2 (ln 2 split in two parts, so r is exact),
//!           p(r) = the degree-6 Taylor polynomial of e^r, |r| ≤ ln2/2;  x clamped to [−87, 87]
//! σ(x)    = 1 / (1 + exp(−x))
//! tanh(x) = 1 − 2 / (1 + exp(2x)),     x clamped to [−10, 10] (beyond, tanh is ±1 in f32)
//! ```
//!
//! Largest errors against `f64`, measured by the tests below on a grid of 2^21 points over [−20, 20]:
//! `exp` 2.48e-7 relative (in [−87, 87]); `σ` 9.5e-8 absolute; `tanh` 1.9e-7 absolute (`cargo test -p sentir
//! activation -- --nocapture` prints them).

use wide::{f32x4, i32x4};

const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// ln 2 in two parts: `LN2_HI` has few enough mantissa bits that `n · LN2_HI` is exact for |n| ≤ 127.
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
const EXP_LIMIT: f32 = 87.0;
const TANH_LIMIT: f32 = 10.0;

/// `e^x`, lane by lane, for `x` clamped to [−87, 87] (so `2^n` stays a normal number).
#[inline(always)]
pub fn exp(x: f32x4) -> f32x4 {
    let x = x.max(f32x4::splat(-EXP_LIMIT)).min(f32x4::splat(EXP_LIMIT));
    let n = (x * f32x4::splat(LOG2_E)).round();
    let r = x - n * f32x4::splat(LN2_HI) - n * f32x4::splat(LN2_LO);
    // e^r = 1 + r + r²/2! + … + r⁶/6!, by Horner's rule.
    let mut p = f32x4::splat(1.0 / 720.0);
    for c in [1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
        p = p.mul_add(r, f32x4::splat(c));
    }
    // 2^n from its exponent bits.
    let bits = (n.round_int() + i32x4::splat(127)) << 23;
    p * bytemuck::cast::<i32x4, f32x4>(bits)
}

/// `σ(x) = 1 / (1 + e^−x)`, lane by lane.
#[inline(always)]
pub fn sigmoid(x: f32x4) -> f32x4 {
    f32x4::ONE / (f32x4::ONE + exp(-x))
}

/// `tanh(x) = 1 − 2 / (1 + e^2x)`, lane by lane.
#[inline(always)]
pub fn tanh(x: f32x4) -> f32x4 {
    let x = x.max(f32x4::splat(-TANH_LIMIT)).min(f32x4::splat(TANH_LIMIT));
    f32x4::ONE - f32x4::splat(2.0) / (f32x4::ONE + exp(x + x))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest error of `f` against `exact` over 2^21 evenly spaced points in [lo, hi].
    fn max_error(lo: f64, hi: f64, f: fn(f32x4) -> f32x4, exact: fn(f64) -> f64, relative: bool) -> f64 {
        let n = 1 << 21;
        let mut worst = 0f64;
        for first in (0..n).step_by(4) {
            let xs: [f32; 4] = std::array::from_fn(|i| (lo + (hi - lo) * (first + i) as f64 / n as f64) as f32);
            let got = f(f32x4::from(xs)).to_array();
            for (x, y) in xs.iter().zip(got) {
                let want = exact(*x as f64);
                let error = (y as f64 - want).abs() / if relative { want.abs() } else { 1.0 };
                worst = worst.max(error);
            }
        }
        eprintln!("largest {} error: {worst:e}", if relative { "relative" } else { "absolute" });
        worst
    }

    #[test]
    fn exp_is_within_its_documented_relative_error() {
        let error = max_error(-87.0, 87.0, exp, f64::exp, true);
        assert!(error < 2.5e-7, "exp: relative error {error:e}");
    }

    #[test]
    fn sigmoid_is_within_its_documented_absolute_error() {
        let error = max_error(-20.0, 20.0, sigmoid, |x| 1.0 / (1.0 + (-x).exp()), false);
        assert!(error < 1e-7, "sigmoid: absolute error {error:e}");
    }

    #[test]
    fn tanh_is_within_its_documented_absolute_error() {
        let error = max_error(-20.0, 20.0, tanh, f64::tanh, false);
        assert!(error < 2e-7, "tanh: absolute error {error:e}");
    }

    #[test]
    fn huge_and_infinite_inputs_saturate() {
        let extremes = f32x4::from([f32::NEG_INFINITY, -1e30, 1e30, f32::INFINITY]);
        let sigmoid = sigmoid(extremes).to_array();
        assert!(sigmoid[..2].iter().all(|&y| (0.0..1e-37).contains(&y)) && sigmoid[2..] == [1.0, 1.0], "{sigmoid:?}");
        assert_eq!(tanh(extremes).to_array(), [-1.0, -1.0, 1.0, 1.0]);
    }
}
