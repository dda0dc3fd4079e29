//! Which implementation runs the forward pass, and why it was chosen.
//!
//! Call sites go through [`Backend::forward_async`] / [`Backend::forward_batch_async`] (or their blocking forms)
//! and need no `cfg`. A backend always has a CPU kernel: the SIMD kernel ([`crate::recurrent::simd`]) whenever the
//! build has SIMD instructions (wasm `simd128`, decided at compile time by `.cargo/config.toml`; SSE on x86_64,
//! or AVX2 with FMA where the CPU has them, decided at run time ([`simd::Width`]); NEON on aarch64), otherwise the
//! scalar reference. It may also have the GPU ([`crate::gpu`]):
//!
//! - forced (`gpu`): every call runs on the GPU;
//! - offered by `auto` ([`Backend::offer_gpu`]): only a hardware adapter is taken (a software one, lavapipe or
//!   SwiftShader, is slower than the SIMD kernel at every size measured), and only the calls [`gpu_pays`] accepts
//!   run on it: several texts, enough token steps.
//!
//! A call the GPU fails (a lost device, a refused shader) completes on the CPU kernel, and the [`Ran`] it returns
//! says so and why.

use std::future::Future;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::gpu::{self, Gpu};
use crate::model::{Model, Pooling};
use crate::recurrent::simd::{self, Packed};
use crate::recurrent::{State, Trace, reference};

/// The fewest texts in a call that `auto` runs on a hardware GPU. A single text's steps run one after another
/// wherever they run, and one GPU step is no faster than one SIMD step: measured on an NVIDIA H200 against the SIMD
/// kernel on its host's CPU, one text of 32, 128 and 512 tokens ran 0.47×, 1.06× and 0.83× as fast on the GPU
/// (`bench/results/gpu-native.md`).
pub const GPU_MIN_TEXTS: usize = 2;

/// The smallest call, in token steps (texts × the longest text's tokens), that `auto` runs on a hardware GPU.
///
/// On the H200 the GPU's time hardly grows with the batch up to 64 texts (0.31 ms for 1, 16 or 64 texts of 32
/// tokens) while the SIMD kernel's grows with every text (0.14 ms each), so the GPU wins from about 3 texts of 32
/// tokens (96 steps) and 2 of 128; 16 × 32 ran 6.7× faster there. 256 leaves room for a browser, where a submission
/// and a readback cost more than natively. Software adapters never win (`bench/README.md`), so `auto` never takes
/// them.
pub const GPU_MIN_STEPS: usize = 256;

/// Whether `auto` runs a call of `texts` texts, the longest `longest` tokens, on a hardware GPU (see
/// [`GPU_MIN_TEXTS`] and [`GPU_MIN_STEPS`]).
pub fn gpu_pays(texts: usize, longest: usize) -> bool {
    texts >= GPU_MIN_TEXTS && texts * longest >= GPU_MIN_STEPS
}

/// How the GPU is shared: `Gpu` holds wgpu handles, which are `Send` natively but not in the browser.
#[cfg(not(target_arch = "wasm32"))]
type Shared<T> = std::sync::Arc<T>;
#[cfg(target_arch = "wasm32")]
type Shared<T> = std::rc::Rc<T>;

/// The implementations of the forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BackendKind {
    /// [`crate::recurrent::reference`]: plain scalar Rust, one text at a time.
    CpuScalar,
    /// [`crate::recurrent::simd`]: SIMD at the machine's width ([`simd::Width`]), a batch in one recurrence.
    CpuSimd,
    /// [`crate::gpu`]: WGSL compute shaders through wgpu, with a CPU kernel as the fallback.
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

/// What a caller asks for, by the names every front end takes (the CLI's `--backend`, the JS API's `backend`
/// option, Python's `backend=`), applied by [`crate::Analyzer::choose_backend`]; one meaning everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackendChoice {
    /// `auto`: the best CPU kernel this build has, and a hardware GPU, where the system has one, for the calls it
    /// pays for ([`gpu_pays`]); a software adapter is never taken.
    Auto,
    /// `cpu`: the best CPU kernel this build has (the SIMD one wherever the build has SIMD instructions).
    Cpu,
    /// `cpu-simd`, `cpu-scalar`: that kernel, or an error where this build lacks it. `gpu`: every call on the GPU
    /// if one opens (software adapters too), otherwise the CPU kernel, with the backend's reason saying why.
    Named(BackendKind),
}

impl BackendChoice {
    /// Every choice's name, in the order messages list them.
    pub const NAMES: [&'static str; 5] = ["auto", "cpu", "cpu-simd", "cpu-scalar", "gpu"];

    /// The choice called `name`; otherwise [`Error::UnknownBackend`], whose message lists the names.
    pub fn from_name(name: &str) -> Result<BackendChoice> {
        match name {
            "auto" => Ok(BackendChoice::Auto),
            "cpu" => Ok(BackendChoice::Cpu),
            name => BackendKind::from_name(name)
                .map(BackendChoice::Named)
                .ok_or_else(|| Error::UnknownBackend { name: name.to_owned() }),
        }
    }

    /// The names as a message lists them: "auto, cpu, cpu-simd, cpu-scalar or gpu".
    pub fn listed() -> String {
        let (last, rest) = BackendChoice::NAMES.split_last().expect("there are names");
        format!("{} or {last}", rest.join(", "))
    }
}

impl std::str::FromStr for BackendChoice {
    type Err = Error;

    fn from_str(name: &str) -> Result<BackendChoice> {
        BackendChoice::from_name(name)
    }
}

/// The 4-lane SIMD instructions this build's kernel compiles to, if any (on x86_64 the kernel may run AVX2 instead,
/// found at run time: [`simd::Width`]).
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
    cpu: Cpu,
    gpu: Option<GpuUse>,
}

/// The CPU kernel, with what it prepared: every backend has one (the GPU's fallback, and `auto`'s small calls).
#[derive(Debug, Clone)]
enum Cpu {
    Scalar,
    /// Shared: analyzers that differ only in their head share it (see [`crate::Analyzer::with_head`]).
    Simd(Shared<Packed>),
}

#[derive(Debug, Clone)]
struct GpuUse {
    gpu: Shared<Gpu>,
    /// `auto`: only the calls [`gpu_pays`] accepts run on the GPU, the others on the CPU kernel. `false` when the
    /// GPU was forced.
    auto: bool,
}

/// Which backend ran a call, and why it was not the one asked for, if it was not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub kind: BackendKind,
    /// Set when the chosen backend failed and another completed the call: what went wrong.
    pub fallback: Option<String>,
}

impl Ran {
    fn plain(kind: BackendKind) -> Ran {
        Ran { kind, fallback: None }
    }
}

impl Backend {
    /// The best CPU kernel this build offers for `model`. [`Backend::offer_gpu`] may add the GPU.
    pub fn choose(model: &Model) -> Backend {
        match SIMD {
            Some(_) => {
                let (width, why) = simd::Width::choose();
                Backend {
                    reason: format!("this build has SIMD ({why})"),
                    cpu: Cpu::Simd(Shared::new(Packed::with_width(model, width))),
                    gpu: None,
                }
            }
            None => Backend {
                reason: "this build has no SIMD instructions (a wasm build without simd128)".to_owned(),
                cpu: Cpu::Scalar,
                gpu: None,
            },
        }
    }

    /// `auto`'s GPU: takes the system's GPU for the calls [`gpu_pays`] accepts if it is a hardware one and opens;
    /// otherwise keeps the CPU kernel and adds why to [`Backend::reason`].
    pub async fn offer_gpu(&mut self, model: &Model) {
        if self.gpu.is_some() {
            return;
        }
        let opened = match gpu::adapter().await {
            Err(error) => Err(format!("no GPU ({})", gpu_message(error))),
            Ok(adapter) if !gpu::is_hardware(&adapter) => Err(format!(
                "the only GPU adapter, {}, renders in software on the CPU, which is slower than this kernel",
                gpu::describe(&adapter.get_info())
            )),
            Ok(adapter) => {
                Gpu::open(adapter, model).await.map_err(|e| format!("the GPU did not open ({})", gpu_message(e)))
            }
        };
        match opened {
            Ok(gpu) => {
                self.reason = format!(
                    "auto: the GPU ({}) runs calls of at least {GPU_MIN_TEXTS} texts and {GPU_MIN_STEPS} token \
                     steps (texts × the longest text's tokens), the {} kernel smaller ones",
                    gpu.adapter,
                    self.cpu.kind().name()
                );
                self.gpu = Some(GpuUse { gpu: Shared::new(gpu), auto: true });
            }
            Err(why) => self.reason = format!("{}; {why}", self.reason),
        }
    }

    /// [`Backend::switch`] to the GPU, or, if it does not open, the CPU kernel as before with the reason.
    pub async fn prefer_gpu(&mut self, model: &Model) {
        if let Err(error) = self.switch(BackendKind::Gpu, model).await {
            self.reason = format!(
                "the GPU was asked for but did not start ({}); the {} kernel runs instead",
                gpu_message(error),
                self.cpu.kind().name()
            );
        }
    }

    /// Which backend this is.
    pub fn kind(&self) -> BackendKind {
        match self.gpu {
            Some(_) => BackendKind::Gpu,
            None => self.cpu.kind(),
        }
    }

    /// Switches to backend `kind`, chosen by the caller (weights already packed for the SIMD kernel are kept);
    /// an error if this build or machine lacks it, and then nothing changes. The GPU keeps the CPU kernel for the
    /// calls it fails.
    pub async fn switch(&mut self, kind: BackendKind, model: &Model) -> Result<()> {
        match kind {
            BackendKind::CpuScalar => (self.cpu, self.gpu) = (Cpu::Scalar, None),
            BackendKind::CpuSimd if SIMD.is_none() => {
                return Err(Error::BackendUnavailable {
                    backend: kind.name(),
                    why: "this build has no SIMD instructions (built without target-feature=+simd128)",
                });
            }
            BackendKind::CpuSimd => {
                if !matches!(self.cpu, Cpu::Simd(_)) {
                    self.cpu = Cpu::Simd(Shared::new(Packed::new(model)));
                }
                self.gpu = None;
            }
            BackendKind::Gpu => match &mut self.gpu {
                Some(used) => used.auto = false,
                None => self.gpu = Some(GpuUse { gpu: Shared::new(Gpu::new(model).await?), auto: false }),
            },
        }
        self.reason = "chosen by the caller".to_owned();
        Ok(())
    }

    /// [`Backend::switch`], blocking (see `ready`).
    pub fn force(&mut self, kind: BackendKind, model: &Model) -> Result<()> {
        ready("Backend::switch", self.switch(kind, model))
    }

    /// The SIMD kernel's packed weights, when the CPU kernel is the SIMD one.
    pub(crate) fn packed(&self) -> Option<&Packed> {
        match &self.cpu {
            Cpu::Simd(packed) => Some(packed.as_ref()),
            Cpu::Scalar => None,
        }
    }

    /// The GPU this backend runs on, if it has one (for tests that break it on purpose).
    pub fn gpu(&self) -> Option<&Gpu> {
        self.gpu.as_ref().map(|used| &*used.gpu)
    }

    /// Bytes of the SIMD kernel's vocabulary table so far: the chunks texts have read (0 without one).
    pub fn table_bytes(&self) -> usize {
        self.packed().map_or(0, Packed::table_bytes)
    }

    /// Runs the model over `ids`.
    pub async fn forward_async(&self, model: &Model, ids: &[u32]) -> Result<(Trace, Ran)> {
        let (mut traces, ran) = self.forward_batch_async(model, &[ids]).await?;
        Ok((traces.remove(0), ran))
    }

    /// [`Backend::forward_async`], blocking (see `ready`).
    pub fn forward(&self, model: &Model, ids: &[u32]) -> Result<(Trace, Ran)> {
        ready("Backend::forward_async", self.forward_async(model, ids))
    }

    /// Runs a session's next text, `ids`. With `earlier = Some((trace, keep))`, the first `keep` tokens of `ids`
    /// are the first `keep` that `trace` was run over: the CPU kernels take those steps from it and continue from
    /// its states after them, which gives the trace [`Backend::forward_async`] would, bit for bit (a step depends
    /// only on its token and the state before it). Returns the trace, what ran, and how many tokens it took from
    /// `earlier`.
    ///
    /// `auto` runs sessions on its CPU kernel alone, so that a session never mixes the GPU's arithmetic with the
    /// CPU's; a forced GPU runs the whole text again and takes nothing.
    pub async fn resume_async(
        &self,
        model: &Model,
        earlier: Option<(&Trace, usize)>,
        ids: &[u32],
    ) -> Result<(Trace, Ran, usize)> {
        if self.gpu.as_ref().is_some_and(|used| !used.auto) {
            let (trace, ran) = self.forward_async(model, ids).await?;
            return Ok((trace, ran, 0));
        }
        let ran = Ran::plain(self.cpu.kind());
        match earlier {
            Some((earlier, keep)) if keep > 0 => {
                debug_assert!(keep <= earlier.steps.min(ids.len()));
                let rest = self.cpu.forward_from(model, &ids[keep..], &earlier.states_after(keep))?;
                let mut trace = earlier.continued(keep, rest);
                // A head that pools over the steps (an adapted one) reads the earlier steps too: the logits are
                // the whole text's again, by the kernel that ran it, so that they are the bits a new analysis gives.
                if let (Pooling::Concat, Some(top)) = (model.head.pooling, trace.hidden.last()) {
                    trace.logits = self.cpu.prefix_logits(model, top);
                }
                Ok((trace, ran, keep))
            }
            _ => Ok((self.cpu.forward_from(model, ids, &[])?, ran, 0)),
        }
    }

    /// [`Backend::resume_async`], blocking (see `ready`).
    pub fn resume(&self, model: &Model, earlier: Option<(&Trace, usize)>, ids: &[u32]) -> Result<(Trace, Ran, usize)> {
        ready("Backend::resume_async", self.resume_async(model, earlier, ids))
    }

    /// Runs the model over every text of `batch`: one [`Trace`] each, in order, and which backend ran them.
    pub async fn forward_batch_async(&self, model: &Model, batch: &[&[u32]]) -> Result<(Vec<Trace>, Ran)> {
        self.run_batch(model, batch, true).await
    }

    /// [`Backend::forward_batch_async`] for callers that need only the logits: the GPU then reads back nothing
    /// else, and its traces have no states ([`Trace::hidden`]); the CPU kernels' traces have them anyway.
    pub async fn logits_batch_async(&self, model: &Model, batch: &[&[u32]]) -> Result<(Vec<Trace>, Ran)> {
        self.run_batch(model, batch, false).await
    }

    async fn run_batch(&self, model: &Model, batch: &[&[u32]], with_states: bool) -> Result<(Vec<Trace>, Ran)> {
        // `auto` leaves the calls the GPU does not pay for to the CPU kernel.
        let longest = batch.iter().map(|ids| ids.len()).max().unwrap_or(0);
        let mut fallback = None;
        if let Some(used) = self.gpu.as_ref().filter(|used| !used.auto || gpu_pays(batch.len(), longest)) {
            match used.gpu.run(model, batch, with_states).await {
                Ok(traces) => return Ok((traces, Ran::plain(BackendKind::Gpu))),
                Err(Error::Gpu { message }) => {
                    let kernel = self.cpu.kind().name();
                    fallback = Some(format!("the GPU failed ({message}); the {kernel} kernel ran this call instead"));
                }
                Err(other) => return Err(other),
            }
        }
        Ok((self.cpu.forward_batch(model, batch)?, Ran { kind: self.cpu.kind(), fallback }))
    }

    /// [`Backend::forward_batch_async`], blocking (see `ready`).
    pub fn forward_batch(&self, model: &Model, batch: &[&[u32]]) -> Result<(Vec<Trace>, Ran)> {
        ready("Backend::forward_batch_async", self.forward_batch_async(model, batch))
    }
}

impl Cpu {
    fn kind(&self) -> BackendKind {
        match self {
            Cpu::Scalar => BackendKind::CpuScalar,
            Cpu::Simd(_) => BackendKind::CpuSimd,
        }
    }

    fn forward_batch(&self, model: &Model, batch: &[&[u32]]) -> Result<Vec<Trace>> {
        match self {
            Cpu::Simd(packed) => simd::forward_batch(model, packed, batch),
            Cpu::Scalar => batch.iter().map(|ids| reference::forward(model, ids)).collect(),
        }
    }

    /// The logits of every prefix from the top layer's states `[T, H]`, as this kernel's forward pass computes them.
    fn prefix_logits(&self, model: &Model, top: &[f32]) -> Vec<f32> {
        match self {
            Cpu::Simd(_) => simd::prefix_logits(&model.head, top, model.head.hidden_size()),
            Cpu::Scalar => model.head.prefix_logits(top),
        }
    }

    fn forward_from(&self, model: &Model, ids: &[u32], start: &[State]) -> Result<Trace> {
        match self {
            Cpu::Simd(packed) => simd::forward_from(model, packed, ids, start),
            Cpu::Scalar => reference::forward_from(model, ids, start),
        }
    }
}

/// What went wrong with the GPU, without [`Error::Gpu`]'s advice to use a CPU backend (this is that).
fn gpu_message(error: Error) -> String {
    match error {
        Error::Gpu { message } => message,
        other => other.to_string(),
    }
}

/// Runs `future`, an async call of this crate, to its end for a blocking caller. Natively it blocks on it. In the
/// browser nothing may block: it polls once, which finishes every CPU path (they never wait), and a call that
/// has to wait for the GPU is [`Error::MustAwait`], naming `instead`, the async function to await.
pub(crate) fn ready<T>(instead: &'static str, future: impl Future<Output = Result<T>>) -> Result<T> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = instead;
        pollster::block_on(future)
    }
    #[cfg(target_arch = "wasm32")]
    {
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(result) => result,
            std::task::Poll::Pending => Err(Error::MustAwait { instead }),
        }
    }
}
