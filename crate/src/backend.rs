//! Which implementation runs the forward pass, and why it was chosen.
//!
//! Call sites go through [`Backend::forward`] and need no `cfg`. Today the scalar reference is the only
//! backend; the SIMD kernel (chosen at compile time) and the WebGPU path (chosen at run time, with a CPU
//! fallback) join this enum as variants, and the choice keeps reporting its reason.

use serde::Serialize;

use crate::error::Result;
use crate::lstm::{Trace, reference};
use crate::model::Model;

/// The implementations of the forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BackendKind {
    /// [`crate::lstm::reference`]: plain scalar Rust.
    CpuScalar,
}

impl BackendKind {
    /// The name used in results, the CLI and the JS API.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::CpuScalar => "cpu-scalar",
        }
    }
}

/// A chosen backend and the reason it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backend {
    pub kind: BackendKind,
    pub reason: String,
}

impl Backend {
    /// Picks the best backend this build and this machine offer.
    pub fn choose() -> Backend {
        Backend {
            kind: BackendKind::CpuScalar,
            reason: "the scalar CPU reference is the only backend in this build".to_owned(),
        }
    }

    /// Runs the model over `ids`.
    pub fn forward(&self, model: &Model, ids: &[u32]) -> Result<Trace> {
        match self.kind {
            BackendKind::CpuScalar => reference::forward(model, ids),
        }
    }
}
