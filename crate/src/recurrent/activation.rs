//! The activations of the fast paths: one formula each for `2^t`, `σ` and `tanh`, in SIMD of every width the
//! kernel runs (`Lanes`), written so
//! that the WGSL shaders can mirror them operation for operation (`ldexp` there for the exponent step).
//!
//! The scalar [`reference`](super::reference) keeps the standard library's `exp` and `tanh`: it is the oracle, and
//! these formulas are tested against `f64` here and against the oracle through the kernels.
//!
//! ```text
//! 2^t     = 2^n · p(f),  n = round(t) (ties to even),  f = t − n (exact, |f| ≤ ½),  t clamped to [−125.5, 125.5],
//!           p(f) = 1 + c1 f + … + c5 f⁵ fitted to 2^f on [−½, ½] (relative error), by Estrin's scheme
//! σ(x)    = 1 / (1 + 2^(x · −log2 e))
//! tanh(x) = 1 − 2 / (1 + 2^(x · 2 log2 e))     (±1 exactly for |x| ≥ 9.5, as tanh is in f32)
//! ```
//!
//! In base 2 the argument needs no reduction by ln 2 (`f` is exact), and the factors `−log2 e` and `2 log2 e` are
//! one multiply that the SIMD kernel folds into its packed weights, whose sums come out as `t` ([`SIGMOID_SCALE`], [`TANH_SCALE`]).
//! `p(0)` is exactly 1, so `2^0 = 1`, `σ(0) = ½` and `tanh(0) = 0` exactly (the kernel's padded units stay zero).
//!
//! Largest errors against `f64`, measured by the tests below on a grid of 2^21 points over [−20, 20]:
//! `2^t` 2.4e-7 relative (in [−125.5, 125.5]); `σ` 1.0e-7 absolute; `tanh` 2.1e-7 absolute (`cargo test -p sentir
//! activation -- --nocapture` prints them).

use wide::f32x4;

use super::simd::Lanes;

const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// The clamp of `t`: `2^n` stays a normal number, `n + 127` in [1, 254].
const EXP2_LIMIT: f32 = 125.5;
/// 1.5 · 2^23: adding it to a float of magnitude below 2^22 rounds it to an integer (the sum's spacing is 1).
const ROUNDER: f32 = 12_582_912.0;
/// `p(f) ≈ 2^f` on [−½, ½]: coefficients of `f^0` … `f^5`, the first exactly 1, fitted towards the smallest
/// largest relative error by `scripts/fit-exp2.py` (1.1e-7 in exact arithmetic, 2.4e-7 evaluated in `f32`).
/// `activation.wgsl` repeats them (a test here compares).
#[allow(clippy::approx_constant, reason = "a fitted coefficient, 3 ulp below ln 2")]
const POLY: [f32; 6] = [1.0, 0.693_147, 0.240_222_42, 0.055_507_336, 0.009_671_513, 0.001_326_472_7];
/// σ's factor: `σ(x) = 1 / (1 + 2^(x · SIGMOID_SCALE))`. The SIMD kernel multiplies the packed weights of every gate
/// that σ activates by it, so that their sums are the arguments `t` of `Activations::sigmoid_of_scaled`.
pub const SIGMOID_SCALE: f32 = -LOG2_E;
/// tanh's factor: `tanh(x) = 1 − 2 / (1 + 2^(x · TANH_SCALE))`; the SIMD kernel folds it into the weights of the
/// gates that tanh activates (an LSTM's `g`, a GRU's `n`).
pub const TANH_SCALE: f32 = 2.0 * LOG2_E;

/// The formulas' constants as vectors of any width the kernel runs ([`Lanes`]), with the formulas as methods. The
/// SIMD kernel reads them once per step ([`Activations::opaque`]) and keeps them in registers: a wasm engine builds
/// a vector constant afresh at every use (V8: three instructions), and LLVM, with wasm's unlimited locals, writes a
/// constant at each of its uses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Activations<V: Lanes> {
    exp2_min: V,
    exp2_max: V,
    rounder: V,
    /// [`POLY`]; the first is 1.
    poly: [V; 6],
    exponent_bias: V::Bits,
    two: V,
    sigmoid_scale: V,
    tanh_scale: V,
}

impl<V: Lanes> Activations<V> {
    /// The constants, read through [`std::hint::black_box`] so that the compiler keeps them in variables rather
    /// than writing each where it is used (see the type's docs).
    #[inline(always)]
    pub(crate) fn opaque() -> Activations<V> {
        std::hint::black_box(Activations::new())
    }

    #[inline(always)]
    fn new() -> Activations<V> {
        Activations {
            exp2_min: V::splat(-EXP2_LIMIT),
            exp2_max: V::splat(EXP2_LIMIT),
            rounder: V::splat(ROUNDER),
            poly: POLY.map(V::splat),
            exponent_bias: V::splat_bits(127),
            two: V::splat(2.0),
            sigmoid_scale: V::splat(SIGMOID_SCALE),
            tanh_scale: V::splat(TANH_SCALE),
        }
    }

    /// `2^t`, lane by lane, for `t` clamped to [−125.5, 125.5] (so `2^n` stays a normal number).
    ///
    /// Written for what wasm engines make of it: the clamps are `pmin`/`pmax` (one instruction each; the IEEE
    /// `min`/`max` must also sort out NaN and −0), and `n` is rounded by adding 1.5 · 2^23, which leaves `n` in
    /// the low bits of the sum (ties to even, like WGSL's `round`), so that `2^n` comes from those bits without a
    /// float to integer conversion.
    #[inline(always)]
    pub(crate) fn exp2(&self, t: V) -> V {
        let t = t.fast_max(self.exp2_min).fast_min(self.exp2_max);
        let shifted = t + self.rounder;
        let f = t - (shifted - self.rounder);
        // p(f) by Estrin's scheme, (c0 + c1 f) + f²·(c2 + c3 f) + f⁴·(c4 + c5 f): three operations deep where
        // Horner's rule is ten; the activations are chains of dependent operations, and the step waits on them.
        let [c0, c1, c2, c3, c4, c5] = self.poly;
        let f2 = f * f;
        let low = (c0 + f * c1) + f2 * (c2 + f * c3);
        let p = low + (f2 * f2) * (c4 + f * c5);
        // 2^n from its exponent bits: the sum's bits are those of 1.5 · 2^23 plus n, and shifting the exponent
        // field into place drops all but the low 9 bits, n + 127.
        p * V::exponent(shifted, self.exponent_bias)
    }

    /// `σ(x) = 1 / (1 + 2^(x · −log2 e))`, lane by lane.
    #[inline(always)]
    pub(crate) fn sigmoid(&self, x: V) -> V {
        self.sigmoid_of_scaled(x * self.sigmoid_scale)
    }

    /// `tanh(x) = 1 − 2 / (1 + 2^(x · 2 log2 e))`, lane by lane. No clamp of its own: from |x| = 9.5 on, the
    /// formula gives ±1 exactly, as `tanh` does in `f32`, up to ±∞ (`exp2` clamps its argument).
    #[inline(always)]
    pub(crate) fn tanh(&self, x: V) -> V {
        self.tanh_from(self.sigmoid_of_scaled(x * self.tanh_scale))
    }

    /// `1 / (1 + 2^t)`: the step both formulas share, for callers that hold the scaled argument already (`σ(x)` of
    /// `t = x · −log2 e`; `tanh(x)` of `t = x · 2 log2 e`, through [`Activations::tanh_from`]).
    #[inline(always)]
    pub(crate) fn sigmoid_of_scaled(&self, t: V) -> V {
        let one = self.poly[0];
        one / (one + self.exp2(t))
    }

    /// `tanh(x) = 1 − 2q` from `q = 1 / (1 + 2^(x · 2 log2 e))`. The bits of `1 − 2 / (1 + …)`: doubling is exact,
    /// so `2 · (1 / d)` rounds as `2 / d` does.
    #[inline(always)]
    pub(crate) fn tanh_from(&self, q: V) -> V {
        self.poly[0] - self.two * q
    }
}

/// `Activations::exp2` in 4 lanes.
pub fn exp2(t: f32x4) -> f32x4 {
    Activations::new().exp2(t)
}

/// `Activations::sigmoid` in 4 lanes.
pub fn sigmoid(x: f32x4) -> f32x4 {
    Activations::new().sigmoid(x)
}

/// `Activations::tanh` in 4 lanes.
pub fn tanh(x: f32x4) -> f32x4 {
    Activations::new().tanh(x)
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
    fn exp2_is_within_its_documented_relative_error() {
        let error = max_error(-125.5, 125.5, exp2, f64::exp2, true);
        assert!(error < 2.5e-7, "exp2: relative error {error:e}");
    }

    #[test]
    fn sigmoid_is_within_its_documented_absolute_error() {
        let error = max_error(-20.0, 20.0, sigmoid, |x| 1.0 / (1.0 + (-x).exp()), false);
        assert!(error < 1.1e-7, "sigmoid: absolute error {error:e}");
    }

    #[test]
    fn tanh_is_within_its_documented_absolute_error() {
        let error = max_error(-20.0, 20.0, tanh, f64::tanh, false);
        assert!(error < 2.2e-7, "tanh: absolute error {error:e}");
    }

    #[test]
    fn zero_maps_exactly() {
        assert_eq!(exp2(f32x4::ZERO).to_array(), [1.0; 4]);
        assert_eq!(sigmoid(f32x4::ZERO).to_array(), [0.5; 4]);
        assert_eq!(tanh(f32x4::ZERO).to_array(), [0.0; 4]);
    }

    #[test]
    fn the_wgsl_mirror_has_the_same_constants() {
        let wgsl = include_str!("../gpu/activation.wgsl");
        let constant = |name: &str| -> f32 {
            let line = wgsl.lines().find(|line| line.starts_with(&format!("const {name}: f32 = "))).expect(name);
            line.rsplit(' ').next().and_then(|value| value.trim_end_matches(';').parse().ok()).expect(name)
        };
        for (k, c) in POLY.iter().enumerate() {
            assert_eq!(constant(&format!("EXP2_C{k}")).to_bits(), c.to_bits(), "EXP2_C{k}");
        }
        assert_eq!(constant("LOG2_E"), LOG2_E);
        assert_eq!(constant("EXP2_LIMIT"), EXP2_LIMIT);
    }

    /// Every formula is adds, multiplies, a division and clamps, none fused: every width gives the 4-lane bits.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_width_gives_the_bits_of_four() {
        use crate::recurrent::simd::{F32x8, F32x16, Width};
        let available = Width::available();
        eprintln!("widths this machine runs: {available:?}");
        if available.contains(&Width::Eight) {
            assert_gives_the_bits_of_four::<F32x8>();
        }
        if available.contains(&Width::Sixteen) {
            assert_gives_the_bits_of_four::<F32x16>();
        }
    }

    #[cfg(target_arch = "x86_64")]
    fn assert_gives_the_bits_of_four<V: Lanes>() {
        let (four, wide) = (Activations::<f32x4>::new(), Activations::<V>::new());
        type Formula<V> = fn(&Activations<V>, V) -> V;
        let formulas: [(Formula<f32x4>, Formula<V>); 3] = [
            (Activations::exp2, Activations::exp2),
            (Activations::sigmoid, Activations::sigmoid),
            (Activations::tanh, Activations::tanh),
        ];
        let n = 1 << 16;
        let xs: Vec<f32> = (0..n).map(|i| -20.0 + 40.0 * i as f32 / n as f32).collect();
        for (narrow, formula) in formulas {
            let (mut got, mut want) = (vec![0.0f32; n], vec![0.0f32; n]);
            for (x, out) in xs.chunks_exact(V::LANES).zip(got.chunks_exact_mut(V::LANES)) {
                formula(&wide, V::load(x)).store(out);
            }
            for (x, out) in xs.chunks_exact(4).zip(want.chunks_exact_mut(4)) {
                narrow(&four, f32x4::load(x)).store(out);
            }
            let differ = xs.iter().zip(got.iter().zip(&want)).find(|(_, (g, w))| g.to_bits() != w.to_bits());
            assert!(differ.is_none(), "{} lanes: at x = {differ:?}", V::LANES);
        }
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
