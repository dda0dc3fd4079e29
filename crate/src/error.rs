//! The one error type of the crate, grouped by the stage that fails.
//!
//! Every variant carries what a caller needs to fix the problem (the file, the tensor, both shapes), and its
//! message says what to do. Bad input never panics: it becomes one of these.

use std::fmt;

/// Everything that can go wrong when loading a model or analysing text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- Loading: config.json ---
    /// `config.json` is not valid JSON, or a field is missing or has the wrong type.
    #[error("config.json is invalid: {message}; see models/README.md for the format")]
    Config { message: String },

    /// The model was written for a format version this build cannot read.
    #[error(
        "config.json has format_version {found}, but this build of sentir reads version {supported}; \
         use a sentir release that matches the model, or re-export the model"
    )]
    FormatVersion { found: u64, supported: u64 },

    /// A config field holds a value that format v1 does not support.
    #[error("config.json field `{field}` is {found}, but format v1 requires {expected}")]
    Unsupported { field: &'static str, found: String, expected: String },

    /// A backend was asked for by a name that is none of [`crate::BackendChoice::NAMES`].
    #[error("unknown backend {name:?}; use {choices}", choices = crate::BackendChoice::listed())]
    UnknownBackend { name: String },

    /// A backend was asked for by name that this build or this machine does not have.
    #[error("backend {backend} is not available: {why}; ask for \"auto\" to let sentir choose")]
    BackendUnavailable { backend: &'static str, why: &'static str },

    /// The GPU backend could not start or failed during a call (no adapter, a lost device, a shader error).
    #[error("the GPU backend failed: {message}; use a CPU backend (\"cpu-simd\") or \"auto\"")]
    Gpu { message: String },

    /// A blocking call met a backend that can only be awaited: the GPU in a browser answers on the event loop.
    #[error("a blocking call cannot wait for the browser's GPU, which answers on the event loop; await {instead}")]
    MustAwait { instead: &'static str },

    // --- Loading: model.safetensors ---
    /// The weights file is not a readable safetensors file (truncated, corrupt header, ...).
    #[error("the weights file is not valid safetensors ({message}); re-export or re-download it")]
    Weights { message: String },

    /// A tensor the config implies is not in the weights file.
    #[error("the weights file has no tensor `{name}`; it was expected from config.json")]
    MissingTensor { name: String },

    /// The weights file has a tensor the config does not explain.
    #[error("the weights file has a tensor `{name}` that config.json does not describe")]
    UnexpectedTensor { name: String },

    /// A tensor has a shape other than the one the config implies.
    #[error("tensor `{name}` has shape {found:?}, but config.json implies {expected:?}")]
    TensorShape { name: String, expected: Vec<usize>, found: Vec<usize> },

    /// A tensor is stored with a dtype other than the config's `dtype`.
    #[error("tensor `{name}` is stored as {found}, but config.json says the weights are {expected}")]
    TensorDtype { name: String, expected: String, found: String },

    /// A weight is NaN or infinite, which would silently poison every result.
    #[error("tensor `{name}` holds a non-finite value at index {index}; the model file is corrupt")]
    NonFinite { name: String, index: usize },

    // --- Loading: tokenizer.json ---
    /// `tokenizer.json` does not parse as a Hugging Face tokenizer.
    #[error("tokenizer.json could not be loaded ({message}); it must be a Hugging Face tokenizers file")]
    Tokenizer { message: String },

    /// The tokenizer and the embedding disagree on the vocabulary size.
    #[error(
        "tokenizer.json has {tokenizer} tokens but config.json says vocab_size is {config}; \
         the tokenizer does not belong to this model"
    )]
    VocabMismatch { config: usize, tokenizer: usize },

    // --- Analysing text ---
    /// The tokenizer failed on the text.
    #[error("the text could not be tokenized: {message}")]
    Tokenize { message: String },

    /// The tokenizer produced an id outside the embedding (a broken tokenizer/model pair).
    #[error("token id {id} is outside the vocabulary of {vocab_size} tokens")]
    TokenId { id: u32, vocab_size: usize },

    /// The text has more tokens than the model accepts in one pass.
    #[error("the text has {tokens} tokens, more than this model's maximum of {max}; split it into shorter parts")]
    TooLong { tokens: usize, max: usize },

    /// The text is so large that even tokenizing it would take unbounded memory.
    #[error("the text is {bytes} bytes, more than this model accepts ({max} bytes); split it into shorter parts")]
    TooLarge { bytes: usize, max: usize },

    /// The forward pass produced a non-finite value (the weights overflow `f32` on this input).
    #[error("the model produced a non-finite result on this text; the model's weights are out of range")]
    NonFiniteOutput,

    /// One text of a batch failed; `index` is its position in the batch.
    #[error("text {index} of the batch: {source}")]
    InBatch {
        index: usize,
        #[source]
        source: Box<Error>,
    },

    // --- Adapting ---
    /// Labelled posts that [`crate::Analyzer::adapt`] cannot fit a head on.
    #[error("cannot adapt the model: {message}")]
    Adapt { message: String },

    /// An adapter that cannot be applied: unreadable, or fitted on another model.
    #[error("the adapter cannot be applied: {message}")]
    Adapter { message: String },

    // --- Native file access ---
    /// A model file could not be read from disk.
    #[error("could not read {path}: {message}")]
    Io { path: String, message: String },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn config(message: impl fmt::Display) -> Self {
        Error::Config { message: message.to_string() }
    }
}
