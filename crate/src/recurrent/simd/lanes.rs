//! The vectors the kernel computes with, so that one source runs at every width: [`Lanes`], implemented by
//! `wide::f32x4` (4 lanes: wasm `simd128`, x86_64 SSE, aarch64 NEON, or plain arrays, as the build's target says)
//! and, on x86_64, by `F32x8` (8 lanes of AVX2 with fused multiply-add) and `F32x16` (16 lanes of AVX-512F), which
//! run only where the CPU has those instructions. [`Width`] says which one a machine runs, decided at run time, so
//! that one binary runs at full width on any x86_64 and still runs on old ones.
//!
//! `wide` decides its instructions when the crate is compiled (for the build's baseline, SSE2 on x86_64), so its
//! wider types cannot be switched on at run time: the x86_64 types hold a register themselves, and their
//! operations are the `std::arch` intrinsics.

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, Sub};

use wide::{f32x4, i32x4};

use crate::backend::SIMD;

/// A vector of `f32` lanes and what the kernel does with it. `mul_add` is fused where the instruction set has it
/// (AVX2's FMA; NEON), and two roundings elsewhere (SSE, wasm `simd128`): the widths differ in their last bits,
/// each within the kernel's tolerance of the reference.
pub(crate) trait Lanes:
    Copy
    + Debug
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + AddAssign
{
    /// Lanes in a vector.
    const LANES: usize;
    /// Every lane zero.
    const ZERO: Self;
    /// Texts that share one read of the recurrent weights, 2 or 4: as many as leave an LSTM's `ROWS × 4`
    /// accumulators, its 4 weight vectors and a broadcast input in the vector registers.
    const ROWS: usize;
    /// Integer lanes, for the exponent step of `exp2`.
    type Bits: Copy + Debug + Send + Sync;

    fn splat(value: f32) -> Self;
    fn splat_bits(value: i32) -> Self::Bits;
    /// The first [`Lanes::LANES`] values of `values`.
    fn load(values: &[f32]) -> Self;
    /// Writes the lanes to the first [`Lanes::LANES`] values of `out`.
    fn store(self, out: &mut [f32]);
    /// `self · a + b`.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// The smaller or larger of each pair of lanes, without IEEE's care for NaN and −0 (one instruction).
    fn fast_min(self, other: Self) -> Self;
    fn fast_max(self, other: Self) -> Self;
    /// `(bits(shifted) + bias) << 23` read as floats: `2^n` from a sum `shifted = n + 1.5 · 2^23`, for the
    /// exponent bias 127 (see [`crate::recurrent::activation::Activations::exp2`]).
    fn exponent(shifted: Self, bias: Self::Bits) -> Self;
    /// Runs `task` with this width's instructions enabled (for `F32x8`, AVX2 and FMA; for `F32x16`, AVX-512F; for
    /// `f32x4`, the build's own): see [`Task`].
    fn enter<T: Task>(task: T) -> T::Output;
}

/// Work for [`Lanes::enter`]. Its `run` must be `#[inline(always)]`, as must everything it calls that computes with
/// vectors: so it compiles into `enter`'s function, for that function's instructions, and the intrinsics inline
/// into it. (A closure would not do: it is a function of its own, compiled without them wherever LLVM chooses not
/// to inline it, and there each AVX intrinsic is a call; the 8-lane kernel ran 20 times slower than the 4-lane.)
pub(crate) trait Task {
    type Output;

    fn run(self) -> Self::Output;
}

impl Lanes for f32x4 {
    const LANES: usize = 4;
    const ZERO: f32x4 = f32x4::ZERO;
    /// 16 registers on x86_64 (SSE, or wasm `simd128` there).
    const ROWS: usize = 2;
    type Bits = i32x4;

    #[inline(always)]
    fn splat(value: f32) -> f32x4 {
        f32x4::splat(value)
    }

    #[inline(always)]
    fn splat_bits(value: i32) -> i32x4 {
        i32x4::splat(value)
    }

    #[inline(always)]
    fn load(values: &[f32]) -> f32x4 {
        f32x4::from([values[0], values[1], values[2], values[3]])
    }

    #[inline(always)]
    fn store(self, out: &mut [f32]) {
        out[..4].copy_from_slice(&self.to_array());
    }

    /// In a wasm build with `relaxed-simd` (a measurement, not a shipped build: see `bench/README.md`), the
    /// engine's choice of fused or not (`f32x4.relaxed_madd`); otherwise `wide`'s.
    #[inline(always)]
    fn mul_add(self, a: f32x4, b: f32x4) -> f32x4 {
        #[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
        return f32x4::from(std::arch::wasm32::f32x4_relaxed_madd(self.into(), a.into(), b.into()));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
        f32x4::mul_add(self, a, b)
    }

    #[inline(always)]
    fn fast_min(self, other: f32x4) -> f32x4 {
        f32x4::fast_min(self, other)
    }

    #[inline(always)]
    fn fast_max(self, other: f32x4) -> f32x4 {
        f32x4::fast_max(self, other)
    }

    #[inline(always)]
    fn exponent(shifted: f32x4, bias: i32x4) -> f32x4 {
        bytemuck::cast::<i32x4, f32x4>((bytemuck::cast::<f32x4, i32x4>(shifted) + bias) << 23)
    }

    #[inline(always)]
    fn enter<T: Task>(task: T) -> T::Output {
        task.run()
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{F32x8, F32x16};

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code, reason = "AVX2 and AVX-512 intrinsics, reached only where the CPU has them (see `vector!`)")]
mod x86 {
    use std::arch::x86_64::*;
    use std::ops::{Add, AddAssign, Div, Mul, Sub};

    use super::{Lanes, Task};

    /// An x86_64 vector type for [`Lanes`], from the intrinsics of its instruction set.
    ///
    /// # Safety
    ///
    /// Its arithmetic is instructions that fault on a CPU without them. The kernel's layout for its width is built
    /// only by `Packed::with_width`, which builds it only for the widths [`super::Width::available`] lists: those
    /// whose instructions `is_x86_feature_detected!` found. Every operation runs in a forward pass over that
    /// layout, inside [`Lanes::enter`]. Building a vector (`splat`, `load`, `ZERO`) is plain memory and runs
    /// anywhere.
    macro_rules! vector {
        (
            $(#[$docs:meta])*
            $name:ident($lanes:literal lanes in $register:ty, bits $bits:ty, rows $rows:literal), $features:literal,
            $enter:ident,
            $add:ident, $sub:ident, $mul:ident, $div:ident, $fmadd:ident, $min:ident, $max:ident,
            exponent $to_bits:ident, $add_bits:ident, $shift:ident, $from_bits:ident $(,)?
        ) => {
            $(#[$docs])*
            #[derive(Clone, Copy, Debug)]
            #[repr(transparent)]
            pub(crate) struct $name($register);

            impl $name {
                /// The lanes as bits: a vector without an instruction.
                const fn from_array(values: [f32; $lanes]) -> $name {
                    // SAFETY: the register is `$lanes` `f32` lanes, as the array is; every bit pattern is valid in
                    // both.
                    $name(unsafe { std::mem::transmute::<[f32; $lanes], $register>(values) })
                }
            }

            impl Lanes for $name {
                const LANES: usize = $lanes;
                const ZERO: $name = $name::from_array([0.0; $lanes]);
                const ROWS: usize = $rows;
                type Bits = $bits;

                #[inline(always)]
                fn splat(value: f32) -> $name {
                    $name::from_array([value; $lanes])
                }

                #[inline(always)]
                fn splat_bits(value: i32) -> $bits {
                    // SAFETY: as `from_array`, of `i32` lanes.
                    unsafe { std::mem::transmute::<[i32; $lanes], $bits>([value; $lanes]) }
                }

                #[inline(always)]
                fn load(values: &[f32]) -> $name {
                    $name::from_array(values[..$lanes].try_into().expect("a vector's values"))
                }

                #[inline(always)]
                fn store(self, out: &mut [f32]) {
                    // SAFETY: as `from_array`.
                    out[..$lanes].copy_from_slice(&unsafe { std::mem::transmute::<$register, [f32; $lanes]>(self.0) });
                }

                #[inline(always)]
                fn mul_add(self, a: $name, b: $name) -> $name {
                    // SAFETY: the CPU has the instructions (the macro's docs).
                    $name(unsafe { $fmadd(self.0, a.0, b.0) })
                }

                #[inline(always)]
                fn fast_min(self, other: $name) -> $name {
                    // SAFETY: the CPU has the instructions (the macro's docs).
                    $name(unsafe { $min(self.0, other.0) })
                }

                #[inline(always)]
                fn fast_max(self, other: $name) -> $name {
                    // SAFETY: the CPU has the instructions (the macro's docs).
                    $name(unsafe { $max(self.0, other.0) })
                }

                #[inline(always)]
                fn exponent(shifted: $name, bias: $bits) -> $name {
                    // SAFETY: the CPU has the instructions (the macro's docs).
                    $name(unsafe { $from_bits($shift::<23>($add_bits($to_bits(shifted.0), bias))) })
                }

                #[inline(always)]
                fn enter<T: Task>(task: T) -> T::Output {
                    // SAFETY: the CPU has the instructions (the macro's docs).
                    unsafe { $enter(task) }
                }
            }

            /// `task.run()`, compiled for the type's instructions: the task's `#[inline(always)]` code is inlined
            /// into it, and the intrinsics into that.
            #[target_feature(enable = $features)]
            fn $enter<T: Task>(task: T) -> T::Output {
                task.run()
            }

            vector!(@op $name, Add, add, $add);
            vector!(@op $name, Sub, sub, $sub);
            vector!(@op $name, Mul, mul, $mul);
            vector!(@op $name, Div, div, $div);

            impl AddAssign for $name {
                #[inline(always)]
                fn add_assign(&mut self, other: $name) {
                    *self = *self + other;
                }
            }
        };
        (@op $name:ident, $trait:ident, $method:ident, $intrinsic:ident) => {
            impl $trait for $name {
                type Output = $name;

                #[inline(always)]
                fn $method(self, other: $name) -> $name {
                    // SAFETY: the CPU has the instructions (the macro's docs).
                    $name(unsafe { $intrinsic(self.0, other.0) })
                }
            }
        };
    }

    vector! {
        /// Eight `f32` lanes in an AVX register, for CPUs with AVX2 and FMA.
        /// Two texts a read of the weights: AVX2 has 16 registers.
        F32x8(8 lanes in __m256, bits __m256i, rows 2), "avx2,fma", with_avx2_fma,
        _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps, _mm256_div_ps, _mm256_fmadd_ps, _mm256_min_ps, _mm256_max_ps,
        exponent _mm256_castps_si256, _mm256_add_epi32, _mm256_slli_epi32, _mm256_castsi256_ps,
    }

    vector! {
        /// Sixteen `f32` lanes in an AVX-512 register, for CPUs with AVX-512F (which has the fused multiply-add).
        /// Four texts a read of the weights: AVX-512 has 32 registers.
        F32x16(16 lanes in __m512, bits __m512i, rows 4), "avx512f", with_avx512f,
        _mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps, _mm512_div_ps, _mm512_fmadd_ps, _mm512_min_ps, _mm512_max_ps,
        exponent _mm512_castps_si512, _mm512_add_epi32, _mm512_slli_epi32, _mm512_castsi512_ps,
    }
}

/// The vector widths the kernel is compiled for; [`Width::choose`] picks one per machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Width {
    /// 4 lanes: `wide::f32x4`, the build's own instructions ([`SIMD`]).
    Four,
    /// 8 lanes: AVX2 with FMA, x86_64 only, where the CPU has both.
    Eight,
    /// 16 lanes: AVX-512F, x86_64 only, where the CPU has it.
    Sixteen,
}

/// The variable that caps the kernel's width: `SENTIR_SIMD_WIDTH=4` runs the 4-lane path on a machine that has
/// wider (to compare them, or to get the bits of the wasm build, which computes as the 4-lane path does).
pub const WIDTH_VARIABLE: &str = "SENTIR_SIMD_WIDTH";

impl Width {
    /// Lanes in a vector.
    pub fn lanes(self) -> usize {
        match self {
            Width::Four => 4,
            Width::Eight => 8,
            Width::Sixteen => 16,
        }
    }

    /// The instructions this width runs: "x86_64 AVX2+FMA", or the build's 4-lane set ("x86_64 SSE", "wasm
    /// simd128", "aarch64 NEON"; "portable arrays" for a build without any).
    pub fn instructions(self) -> &'static str {
        match self {
            Width::Four => SIMD.unwrap_or("portable arrays"),
            Width::Eight => "x86_64 AVX2+FMA",
            Width::Sixteen => "x86_64 AVX-512F",
        }
    }

    /// Every width this machine runs, narrowest first.
    pub fn available() -> Vec<Width> {
        #[cfg(target_arch = "x86_64")]
        let wider = [
            (Width::Eight, std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")),
            (Width::Sixteen, std::arch::is_x86_feature_detected!("avx512f")),
        ];
        #[cfg(not(target_arch = "x86_64"))]
        let wider: [(Width, bool); 0] = [];
        std::iter::once(Width::Four).chain(wider.into_iter().filter_map(|(width, has)| has.then_some(width))).collect()
    }

    /// The widest width this machine runs, capped by [`WIDTH_VARIABLE`] where that is set; and why, in words for a
    /// backend's reason ("x86_64 AVX2+FMA, 8 lanes, found at run time").
    pub fn choose() -> (Width, String) {
        let available = Width::available();
        let widest = *available.last().expect("the 4-lane path runs everywhere");
        let cap = std::env::var(WIDTH_VARIABLE).ok();
        let capped = match cap.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("4") => Some(Width::Four),
            Some("8") => Some(Width::Eight),
            Some("16") => Some(Width::Sixteen),
            Some(other) => {
                let why = format!(
                    "{}, {} lanes; {WIDTH_VARIABLE}={other:?} was ignored (it takes 4, 8 or 16)",
                    widest.instructions(),
                    widest.lanes()
                );
                return (widest, why);
            }
        };
        match capped {
            Some(cap) if cap.lanes() < widest.lanes() => {
                let cap = *available.iter().rev().find(|w| w.lanes() <= cap.lanes()).expect("4 lanes run everywhere");
                (cap, format!("{}, {} lanes, as {WIDTH_VARIABLE} asks", cap.instructions(), cap.lanes()))
            }
            _ if widest == Width::Four && cfg!(target_arch = "x86_64") => {
                (widest, format!("{}, 4 lanes: this CPU lacks AVX2 or FMA", widest.instructions()))
            }
            _ if widest == Width::Four => (widest, format!("{}, 4 lanes", widest.instructions())),
            _ => (widest, format!("{}, {} lanes, found at run time", widest.instructions(), widest.lanes())),
        }
    }
}
