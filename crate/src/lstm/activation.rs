//! The activations of the fast paths: one formula each for `exp`, `σ` and `tanh`, in 4-lane SIMD, written so
//! that the WGSL shaders can mirror them operation for operation (`ldexp` there for the exponent step).
//!
//! The scalar [`reference`](super::reference) keeps the standard library's `exp` and `tanh`: it is the oracle, and
//! these formulas are tested against `f64` here and against the oracle through the kernels.
//!
//! ```text
//! exp(x)  = 2^n · p(r),  n = round(x · log2 e) (ties to even),  r = x − n·ln 2 (ln 2 split in two parts, so r is exact),
//!           p(r) = the degree-6 Taylor polynomial of e^r, |r| ≤ ln2/2, by Estrin's scheme;  x clamped to [−87, 87]
//! σ(x)    = 1 / (1 + exp(−x))
//! tanh(x) = 1 − 2 / (1 + exp(2x))     (±1 exactly for |x| ≥ 9.5, as tanh is in f32)
//! ```
//!
//! Largest errors against `f64`, measured by the tests below on a grid of 2^21 points over [−20, 20]:
//! `exp` 2.95e-7 relative (in [−87, 87]); `σ` 9.5e-8 absolute; `tanh` 1.9e-7 absolute (`cargo test -p sentir
//! activation -- --nocapture` prints them).

use wide::{f32x4, i32x4};

const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// ln 2 in two parts: `LN2_HI` has few enough mantissa bits that `n · LN2_HI` is exact for |n| ≤ 127.
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
const EXP_LIMIT: f32 = 87.0;
/// 1.5 · 2^23: adding it to a float of magnitude below 2^22 rounds it to an integer (the sum's spacing is 1).
const ROUNDER: f32 = 12_582_912.0;

/// The formulas' constants as vectors, with the formulas as methods. The SIMD kernel reads them once per step
/// ([`Activations::opaque`]) and keeps them in registers: a wasm engine builds a vector constant afresh at every
/// use (V8: three instructions), and LLVM, with wasm's unlimited locals, writes a constant at each of its uses.
#[derive(Debug, Clone, Copy)]
pub struct Activations {
    exp_min: f32x4,
    exp_max: f32x4,
    log2_e: f32x4,
    rounder: f32x4,
    ln2_hi: f32x4,
    ln2_lo: f32x4,
    /// 1, 1/2, 1/6, 1/24, 1/120, 1/720.
    taylor: [f32x4; 6],
    exponent_bias: i32x4,
    two: f32x4,
}

const ACTIVATIONS: Activations = Activations {
    exp_min: f32x4::new([-EXP_LIMIT; 4]),
    exp_max: f32x4::new([EXP_LIMIT; 4]),
    log2_e: f32x4::new([LOG2_E; 4]),
    rounder: f32x4::new([ROUNDER; 4]),
    ln2_hi: f32x4::new([LN2_HI; 4]),
    ln2_lo: f32x4::new([LN2_LO; 4]),
    taylor: [
        f32x4::new([1.0; 4]),
        f32x4::new([1.0 / 2.0; 4]),
        f32x4::new([1.0 / 6.0; 4]),
        f32x4::new([1.0 / 24.0; 4]),
        f32x4::new([1.0 / 120.0; 4]),
        f32x4::new([1.0 / 720.0; 4]),
    ],
    exponent_bias: i32x4::new([127; 4]),
    two: f32x4::new([2.0; 4]),
};

impl Activations {
    /// The constants, read through [`std::hint::black_box`] so that the compiler keeps them in variables rather
    /// than writing each where it is used (see the type's docs).
    #[inline(always)]
    pub fn opaque() -> Activations {
        std::hint::black_box(ACTIVATIONS)
    }

    /// `e^x`, lane by lane, for `x` clamped to [−87, 87] (so `2^n` stays a normal number).
    ///
    /// Written for what wasm engines make of it: the clamps are `pmin`/`pmax` (one instruction each; the IEEE
    /// `min`/`max` must also sort out NaN and −0), and `n` is rounded by adding 1.5 · 2^23, which leaves `n` in
    /// the low bits of the sum (ties to even, like WGSL's `round`), so that `2^n` comes from those bits without a
    /// float to integer conversion.
    #[inline(always)]
    pub fn exp(&self, x: f32x4) -> f32x4 {
        let x = x.fast_max(self.exp_min).fast_min(self.exp_max);
        let shifted = x * self.log2_e + self.rounder;
        let n = shifted - self.rounder;
        let r = x - n * self.ln2_hi - n * self.ln2_lo;
        // e^r = 1 + r + r²/2! + … + r⁶/6!, by Estrin's scheme: (1 + r) + r²·(1/2 + r/6) + r⁴·((1/24 + r/120) +
        // r²/720). Four operations deep where Horner's rule is twelve: the activations are chains of dependent
        // operations, and the step waits on them.
        let [c0, c2, c3, c4, c5, c6] = self.taylor;
        let r2 = r * r;
        let r4 = r2 * r2;
        let low = (c0 + r) + r2 * (c2 + r * c3);
        let high = (c4 + r * c5) + r2 * c6;
        let p = low + r4 * high;
        // 2^n from its exponent bits: the sum's bits are those of 1.5 · 2^23 plus n, and shifting the exponent
        // field into place drops all but the low 9 bits, n + 127.
        let bits = (bytemuck::cast::<f32x4, i32x4>(shifted) + self.exponent_bias) << 23;
        p * bytemuck::cast::<i32x4, f32x4>(bits)
    }

    /// `σ(x) = 1 / (1 + e^−x)`, lane by lane.
    #[inline(always)]
    pub fn sigmoid(&self, x: f32x4) -> f32x4 {
        let one = self.taylor[0];
        one / (one + self.exp(-x))
    }

    /// `tanh(x) = 1 − 2 / (1 + e^2x)`, lane by lane. No clamp of its own: from |x| = 9.5 on, the formula gives
    /// ±1 exactly, as `tanh` does in `f32`, up to ±∞ (`exp` clamps `2x`).
    #[inline(always)]
    pub fn tanh(&self, x: f32x4) -> f32x4 {
        let one = self.taylor[0];
        one - self.two / (one + self.exp(x + x))
    }
}

/// [`Activations::exp`].
pub fn exp(x: f32x4) -> f32x4 {
    ACTIVATIONS.exp(x)
}

/// [`Activations::sigmoid`].
pub fn sigmoid(x: f32x4) -> f32x4 {
    ACTIVATIONS.sigmoid(x)
}

/// [`Activations::tanh`].
pub fn tanh(x: f32x4) -> f32x4 {
    ACTIVATIONS.tanh(x)
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
        assert!(error < 3e-7, "exp: relative error {error:e}");
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
    fn tanh_is_exactly_one_in_magnitude_from_nine_and_a_half_on() {
        for step in 0..=(1 << 16) {
            let x = 9.5 + step as f32 * (100.0 - 9.5) / (1 << 16) as f32;
            assert_eq!(tanh(f32x4::from([x, -x, x * 1e6, -x * 1e6])).to_array(), [1.0, -1.0, 1.0, -1.0], "x = {x}");
        }
    }

    #[test]
    fn huge_and_infinite_inputs_saturate() {
        let extremes = f32x4::from([f32::NEG_INFINITY, -1e30, 1e30, f32::INFINITY]);
        let sigmoid = sigmoid(extremes).to_array();
        assert!(sigmoid[..2].iter().all(|&y| (0.0..1e-37).contains(&y)) && sigmoid[2..] == [1.0, 1.0], "{sigmoid:?}");
        assert_eq!(tanh(extremes).to_array(), [-1.0, -1.0, 1.0, 1.0]);
    }
}
