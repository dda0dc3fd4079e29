//! Which implementation runs the forward pass, and why it was chosen.
//!
//! Call sites go through [`Backend::forward`] / [`Backend::forward_batch`] and need no `cfg`. The SIMD kernel
//! ([`crate::lstm::simd`]) is chosen whenever the build has SIMD instructions (wasm `simd128`, decided at compile
//! time by `.cargo/config.toml`; SSE on x86_64; NEON on aarch64); otherwise the scalar reference runs. The
//! WebGPU path (chosen at run time, with a CPU fallback) will join this enum, and the choice keeps reporting its
//! reason.

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
}

impl BackendKind {
    /// The name used in results, the CLI and the JS API.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::CpuScalar => "cpu-scalar",
            BackendKind::CpuSimd => "cpu-simd",
        }
    }

    /// The kind called `name` (see [`BackendKind::name`]).
    pub fn from_name(name: &str) -> Option<BackendKind> {
        [BackendKind::CpuScalar, BackendKind::CpuSimd].into_iter().find(|kind| kind.name() == name)
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
}

impl Backend {
    /// Picks the best backend this build offers for `model`.
    pub fn choose(model: &Model) -> Backend {
        match SIMD {
            Some(instructions) => Backend {
                reason: format!("this build has SIMD ({instructions}) and no GPU backend yet"),
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
        }
    }

    /// Switches to backend `kind`, chosen by the caller (weights already packed for it are kept); an error if
    /// this build lacks it.
    pub fn force(&mut self, kind: BackendKind, model: &Model) -> Result<()> {
        if self.kind() != kind {
            self.engine = match kind {
                BackendKind::CpuScalar => Engine::Scalar,
                BackendKind::CpuSimd if SIMD.is_some() => Engine::Simd(Packed::new(model)),
                BackendKind::CpuSimd => {
                    return Err(Error::BackendUnavailable {
                        backend: kind.name(),
                        why: "this build has no SIMD instructions (built without target-feature=+simd128)",
                    });
                }
            };
        }
        self.reason = "chosen by the caller".to_owned();
        Ok(())
    }

    /// The SIMD kernel's packed weights, when that is the engine.
    #[cfg(feature = "bench")]
    pub(crate) fn packed(&self) -> Option<&Packed> {
        match &self.engine {
            Engine::Simd(packed) => Some(packed),
            Engine::Scalar => None,
        }
    }

    /// Bytes of the SIMD kernel's vocabulary table (0 without one).
    pub fn table_bytes(&self) -> usize {
        match &self.engine {
            Engine::Simd(packed) => packed.table_bytes(),
            Engine::Scalar => 0,
        }
    }

    /// Runs the model over `ids`.
    pub fn forward(&self, model: &Model, ids: &[u32]) -> Result<Trace> {
        match &self.engine {
            Engine::Simd(packed) => Ok(simd::forward_batch(model, packed, &[ids])?.remove(0)),
            Engine::Scalar => reference::forward(model, ids),
        }
    }

    /// Runs the model over every text of `batch`: one [`Trace`] each, in order.
    pub fn forward_batch(&self, model: &Model, batch: &[&[u32]]) -> Result<Vec<Trace>> {
        match &self.engine {
            Engine::Simd(packed) => simd::forward_batch(model, packed, batch),
            Engine::Scalar => batch.iter().map(|ids| reference::forward(model, ids)).collect(),
        }
    }
}
