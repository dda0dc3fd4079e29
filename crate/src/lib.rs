//! # sentir
//!
//! Per-token sentiment analysis, small and fast enough to run in a web page.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`tokenize`]: a Hugging Face `tokenizer.json` splits text into tokens with byte offsets and word ids.
//! 2. [`model`]: format v1 (`config.json` + `model.safetensors`), loaded and validated once.
//! 3. [`recurrent`]: embedding, stacked LSTM or GRU layers and linear head; the module docs are the
//!    specification, and [`recurrent::reference`] is the scalar oracle.
//! 4. [`backend`]: which implementation runs the forward pass (the scalar reference, the SIMD kernel, or the
//!    WGSL shaders of [`gpu`]), and why.
//! 5. [`attribution`]: each token's score is how far it moved the positive-versus-negative log-odds of the
//!    prefix.
//! 6. [`Analyzer`]: the public API tying these together; `wasm` (wasm32 only) is the one module that knows
//!    about JavaScript.
//! 7. [`collection`]: many texts at once, a [`Collection`] of per-text briefs and running aggregates (label shares,
//!    a score histogram, the words that move sentiment most), for the CLI's `analyze --input` and the page;
//!    natively, [`collection::in_parts`] spreads them over threads, as the CLI and the Python package do.
//!
//! Offsets are byte offsets into the analysed `&str` in Rust, UTF-16 code units in the JS API and characters in
//! Python, each converted by [`offsets`]. A token's span
//! covers the text it stands for even where the tokenizer's normalizer rewrote it (a `[url]` placeholder covers
//! the URL, a removed skin tone belongs to its emoji): sentir widens the spans `tokenizers` gives by one rule, in
//! [`tokenize`]'s docs.
//!
//! ```no_run
//! let analyzer = sentir::Analyzer::from_dir("models/tiny-random")?;
//! let analysis = analyzer.analyze("The acting was not good, but the music was wonderful.")?;
//! for word in &analysis.words {
//!     println!("{:>12} {:+.2}", word.text, word.score);
//! }
//! # Ok::<(), sentir::Error>(())
//! ```
//!
//! Targets: natively the tokenizer uses `fancy-regex`, as it must on wasm32, so both encode identically.

pub mod adapt;
pub mod analyzer;
pub mod attribution;
pub mod backend;
#[cfg(feature = "bench")]
pub mod bench;
pub mod collection;
mod error;
pub mod gpu;
pub mod model;
pub mod offsets;
pub mod recurrent;
pub mod tokenize;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use adapt::{AdaptOptions, Adaptation, Adapter, Report};
pub use analyzer::{Analysis, Analyzer, MAX_BYTES_PER_TOKEN, PerLabel, Probabilities, Session, Token, Word};
pub use backend::{Backend, BackendChoice, BackendKind};
pub use collection::{Brief, Collection, Post, Summary};
pub use error::{Error, Result};
pub use offsets::{Offsets, Unit};
