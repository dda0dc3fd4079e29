//! Which implementation runs the forward pass, and why it was chosen.
//!
//! Call sites go through [`Backend::forward`] / [`Backend::forward_batch`] and need no `cfg`. The SIMD kernel
//! ([`crate::lstm::simd`]) is chosen whenever the build has SIMD instructions (wasm `simd128`, decided at compile
//! time by `.cargo/config.toml`; SSE on x86_64; NEON on aarch64); otherwise the scalar reference runs. The GPU
//! pass ([`crate::gpu`], native only so far) runs when asked for; a call it fails (a lost device, a refused
//! shader) completes on the SIMD kernel, and the [`Ran`] it returns says so and why. `auto` does not pick the
//! GPU yet: the crossover where it wins is still to be measured (issue 6).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::lstm::simd::{self, Packed};
use crate::lstm::{Trace, reference};
use crate::model::Model;

/// The implementations of the forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BackendKind {
    /// [`crate::lstm::reference`]: plain scalar Rust, one text at a time.
    CpuScalar,
    /// [`crate::lstm::simd`]: 4-lane SIMD, a batch in one recurrence.
    CpuSimd,
    /// [`crate::gpu`]: WGSL compute shaders through wgpu, with the SIMD kernel as the fallback.
    Gpu,
}

impl BackendKind {
    /// The name used in results, the CLI and the JS API.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::CpuScalar => "cpu-scalar",
            BackendKind::CpuSimd => "cpu-simd",
            BackendKind::Gpu => "gpu",
        }
    }

    /// The kind called `name` (see [`BackendKind::name`]).
    pub fn from_name(name: &str) -> Option<BackendKind> {
        [BackendKind::CpuScalar, BackendKind::CpuSimd, BackendKind::Gpu].into_iter().find(|kind| kind.name() == name)
    }
}

/// The SIMD instructions this build's kernel compiles to, if any.
pub const SIMD: Option<&str> = if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
    Some("wasm simd128")
} else if cfg!(target_arch = "x86_64") {
    Some("x86_64 SSE")
} else if cfg!(all(target_arch = "aarch64", target_feature = "neon")) {
    Some("aarch64 NEON")
} else {
    None
};

/// A chosen backend, the reason it was chosen, and what it prepared for the model at load.
#[derive(Debug, Clone)]
pub struct Backend {
    pub reason: String,
    engine: Engine,
}

/// What runs, with what it prepared: the kind is derived from it, so the two cannot disagree.
#[derive(Debug, Clone)]
enum Engine {
    Scalar,
    Simd(Packed),
    /// The GPU, and the SIMD kernel's weights for the calls it fails.
    #[cfg(not(target_arch = "wasm32"))]
    Gpu {
        gpu: std::sync::Arc<crate::gpu::Gpu>,
        cpu: Packed,
    },
}

/// Which backend ran a call, and why it was not the one asked for, if it was not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub kind: BackendKind,
    /// Set when the chosen backend failed and another completed the call: what went wrong.
    pub fallback: Option<String>,
}

impl Backend {
    /// Picks the best backend this build offers for `model`.
    pub fn choose(model: &Model) -> Backend {
        match SIMD {
            Some(instructions) => Backend {
                reason: format!(
                    "this build has SIMD ({instructions}); auto does not choose the GPU yet (its crossover is unmeasured)"
                ),
                engine: Engine::Simd(Packed::new(model)),
            },
            None => Backend {
                reason: "this build has no SIMD instructions (a wasm build without simd128)".to_owned(),
                engine: Engine::Scalar,
            },
        }
    }

    /// Which backend this is.
    pub fn kind(&self) -> BackendKind {
        match self.engine {
            Engine::Scalar => BackendKind::CpuScalar,
            Engine::Simd(_) => BackendKind::CpuSimd,
            #[cfg(not(target_arch = "wasm32"))]
            Engine::Gpu { .. } => BackendKind::Gpu,
        }
    }

    /// Switches to backend `kind`, chosen by the caller (weights already packed for the SIMD kernel are kept: the
    /// GPU backend's fallback uses them too); an error if this build lacks it, and then nothing changes.
    pub fn force(&mut self, kind: BackendKind, model: &Model) -> Result<()> {
        if self.kind() != kind {
            self.engine = match kind {
                BackendKind::CpuScalar => Engine::Scalar,
                BackendKind::CpuSimd if SIMD.is_some() => Engine::Simd(self.take_packed(model)),
                BackendKind::CpuSimd => {
                    return Err(Error::BackendUnavailable {
                        backend: kind.name(),
                        why: "this build has no SIMD instructions (built without target-feature=+simd128)",
                    });
                }
                #[cfg(not(target_arch = "wasm32"))]
                BackendKind::Gpu => {
                    let gpu = pollster::block_on(crate::gpu::Gpu::new(model))?;
                    Engine::Gpu { gpu: std::sync::Arc::new(gpu), cpu: self.take_packed(model) }
                }
                #[cfg(target_arch = "wasm32")]
                BackendKind::Gpu => {
                    return Err(Error::BackendUnavailable {
                        backend: kind.name(),
                        why: "the GPU backend runs natively only so far (WebGPU is issue 6)",
                    });
                }
            };
        }
        self.reason = "chosen by the caller".to_owned();
        Ok(())
    }

    /// The SIMD kernel's weights, taken from the current engine if it has them (it is replaced right after),
    /// packed afresh otherwise.
    fn take_packed(&mut self, model: &Model) -> Packed {
        match std::mem::replace(&mut self.engine, Engine::Scalar) {
            Engine::Simd(packed) => packed,
            #[cfg(not(target_arch = "wasm32"))]
            Engine::Gpu { cpu, .. } => cpu,
            Engine::Scalar => Packed::new(model),
        }
    }

    /// The SIMD kernel's packed weights, when the engine has them (the SIMD kernel, or the GPU's fallback).
    pub(crate) fn packed(&self) -> Option<&Packed> {
        match &self.engine {
            Engine::Simd(packed) => Some(packed),
            #[cfg(not(target_arch = "wasm32"))]
            Engine::Gpu { cpu, .. } => Some(cpu),
            Engine::Scalar => None,
        }
    }

    /// The GPU this backend runs on, if it is the GPU backend (for tests that break it on purpose).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn gpu(&self) -> Option<&crate::gpu::Gpu> {
        match &self.engine {
            Engine::Gpu { gpu, .. } => Some(gpu),
            _ => None,
        }
    }

    /// Bytes of the SIMD kernel's vocabulary table (0 without one).
    pub fn table_bytes(&self) -> usize {
        self.packed().map_or(0, Packed::table_bytes)
    }

    /// Runs the model over `ids`.
    pub fn forward(&self, model: &Model, ids: &[u32]) -> Result<(Trace, Ran)> {
        let (mut traces, ran) = self.forward_batch(model, &[ids])?;
        Ok((traces.remove(0), ran))
    }

    /// Runs the model over `ids`, whose first `keep` tokens are the first `keep` that `earlier` was run over: the
    /// CPU kernels take those steps from `earlier` and continue from its states after them, which gives the trace
    /// [`Backend::forward`] would, bit for bit (a step depends only on its token and the state before it). The GPU
    /// runs the whole text again.
    pub fn resume(&self, model: &Model, earlier: &Trace, keep: usize, ids: &[u32]) -> Result<(Trace, Ran)> {
        debug_assert!(keep <= earlier.steps.min(ids.len()));
        if keep == 0 {
            return self.forward(model, ids);
        }
        let (start, rest) = (earlier.states_after(keep), &ids[keep..]);
        let (rest, ran) = match &self.engine {
            Engine::Simd(packed) => (simd::forward_from(model, packed, rest, &start)?, BackendKind::CpuSimd),
            Engine::Scalar => (reference::forward_from(model, rest, &start)?, BackendKind::CpuScalar),
            #[cfg(not(target_arch = "wasm32"))]
            Engine::Gpu { .. } => return self.forward(model, ids),
        };
        Ok((earlier.continued(keep, rest), Ran { kind: ran, fallback: None }))
    }

    /// Runs the model over every text of `batch`: one [`Trace`] each, in order, and which backend ran them.
    pub fn forward_batch(&self, model: &Model, batch: &[&[u32]]) -> Result<(Vec<Trace>, Ran)> {
        let ran = |kind| Ran { kind, fallback: None };
        match &self.engine {
            Engine::Simd(packed) => Ok((simd::forward_batch(model, packed, batch)?, ran(BackendKind::CpuSimd))),
            Engine::Scalar => Ok((
                batch.iter().map(|ids| reference::forward(model, ids)).collect::<Result<_>>()?,
                ran(BackendKind::CpuScalar),
            )),
            #[cfg(not(target_arch = "wasm32"))]
            Engine::Gpu { gpu, cpu } => match pollster::block_on(gpu.forward_batch(model, batch)) {
                Ok(traces) => Ok((traces, ran(BackendKind::Gpu))),
                Err(Error::Gpu { message }) => {
                    let fallback = Some(format!("the GPU failed ({message}); the SIMD kernel ran this call instead"));
                    Ok((simd::forward_batch(model, cpu, batch)?, Ran { kind: BackendKind::CpuSimd, fallback }))
                }
                Err(other) => Err(other),
            },
        }
    }
}
