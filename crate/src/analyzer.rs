//! The public API: an [`Analyzer`] (tokenizer + model + backend) turns text into an [`Analysis`].

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::attribution::{self, TokenScores, WordSpan};
use crate::backend::{Backend, BackendChoice, BackendKind, Ran, SIMD, ready};
use crate::error::{Error, Result};
use crate::model::{Config, Head, Model};
use crate::recurrent::Trace;
use crate::tokenize::{Tokenizer, Tokens};

/// The most bytes of text per token of `max_length` that [`Analyzer::analyze`] accepts. English averages about
/// 5 bytes a token; the margin leaves room for long words, CJK and emoji.
pub const MAX_BYTES_PER_TOKEN: usize = 32;

/// Sentiment analysis with a loaded model.
#[derive(Debug)]
pub struct Analyzer {
    model: Model,
    tokenizer: Tokenizer,
    backend: Backend,
    /// The head's rows that per-token scores measure towards and against.
    positive: usize,
    negative: usize,
    /// Unique per analyzer, so that a [`Session`] never continues another analyzer's trace.
    id: u64,
}

/// What [`Analyzer::analyze_in`] keeps between the analyses of a text that is being edited (typed, pasted into):
/// the previous text's tokens and the model's trace over them. A new text whose tokens begin with some of those
/// continues from the state after them instead of reading them again, and gets exactly the analysis
/// [`Analyzer::analyze`] would give it. Appending is the common case; an edit in the middle reuses the tokens
/// before it.
#[derive(Debug, Default)]
pub struct Session {
    previous: Option<Previous>,
    reused: usize,
}

#[derive(Debug)]
struct Previous {
    analyzer: u64,
    ids: Vec<u32>,
    trace: Trace,
}

impl Session {
    /// An empty session: its first analysis reads the whole text.
    pub fn new() -> Session {
        Session::default()
    }

    /// How many tokens the last analysis took from the one before instead of running the model over them.
    pub fn reused(&self) -> usize {
        self.reused
    }
}

/// The result for one text. Offsets are **byte** offsets into the analysed `&str` (the JS API converts them
/// to UTF-16 code units, Python to characters: see [`Analysis::with_offsets`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// The most probable label for the whole text.
    pub label: String,
    /// Each label's probability for the whole text, in the model's label order.
    pub probabilities: Probabilities,
    /// Every token, in order, with its score (see [`crate::attribution`]).
    pub tokens: Vec<Token>,
    /// Every word (a run of tokens from one pre-tokenizer split), with the sum of its tokens' scores.
    pub words: Vec<Word>,
    /// The backend that ran the model.
    pub backend: &'static str,
    /// Set when the chosen backend failed and `backend` completed the call instead: what went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

/// One token of the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Token {
    /// Vocabulary id.
    pub id: u32,
    /// The vocabulary's spelling, for example `##ful`.
    pub piece: String,
    /// The original text the token covers: `text[start..end]`.
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// How much reading this token moved the positive-versus-negative log-odds (the prefix delta).
    pub score: f32,
    /// The positive probability once the text up to and including this token has been read.
    pub probability: f32,
}

/// One word: consecutive tokens from the same pre-tokenizer split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// The sum of its tokens' scores.
    pub score: f32,
    /// Index of its first token in [`Analysis::tokens`].
    pub first_token: usize,
    /// How many tokens it spans.
    pub token_count: usize,
}

/// An analysis in numbers, before any of the text is copied into it: what [`Analysis`] is made of, and what the
/// JS API turns into its objects directly (a `String` per token and word in Rust would only be copied into JS
/// strings again).
#[derive(Debug)]
pub(crate) struct Scored {
    pub(crate) tokens: Tokens,
    /// The index of the most probable label.
    pub(crate) best: usize,
    pub(crate) probabilities: Vec<f32>,
    pub(crate) scores: TokenScores,
    pub(crate) words: Vec<WordSpan>,
    pub(crate) backend: &'static str,
    pub(crate) fallback: Option<String>,
}

/// Label probabilities in the model's label order; serialized as an object `{label: probability}`.
pub type Probabilities = PerLabel<f32>;

/// A value per label, in the model's label order; serialized as an object `{label: value}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PerLabel<T>(pub Vec<(String, T)>);

impl<T: Copy> PerLabel<T> {
    /// The value of `label`, if the model has that label.
    pub fn get(&self, label: &str) -> Option<T> {
        self.0.iter().find(|(name, _)| name == label).map(|&(_, value)| value)
    }
}

impl<T: Serialize> Serialize for PerLabel<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (label, value) in &self.0 {
            map.serialize_entry(label, value)?;
        }
        map.end()
    }
}

impl Analyzer {
    /// Builds an analyzer from the bytes of a model folder's three files.
    pub fn from_bytes(config: &[u8], weights: &[u8], tokenizer: &[u8]) -> Result<Analyzer> {
        Analyzer::from_config(Config::from_json(config)?, weights, tokenizer)
    }

    /// Loads the model folder `dir` (`config.json` and the files it names).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_dir(dir: impl AsRef<std::path::Path>) -> Result<Analyzer> {
        let dir = dir.as_ref();
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })
        };
        let config = Config::from_json(&read("config.json")?)?;
        let (weights, tokenizer) = (read(&config.weights)?, read(&config.tokenizer)?);
        let analyzer = Analyzer::from_config(config, &weights, &tokenizer)?;
        // A folder that holds an adapter (crate::adapt) is the model with the adapter's head.
        if !dir.join(crate::adapt::ADAPTER_JSON).exists() {
            return Ok(analyzer);
        }
        let adapter =
            crate::Adapter::from_bytes(&read(crate::adapt::ADAPTER_JSON)?, &read(crate::adapt::ADAPTER_WEIGHTS)?)?;
        analyzer.with_adapter(&adapter)
    }

    /// Builds an analyzer from an already parsed and validated `config.json` and the bytes of the files it names.
    pub fn from_config(config: Config, weights: &[u8], tokenizer: &[u8]) -> Result<Analyzer> {
        let tokenizer = Tokenizer::from_bytes(tokenizer)?;
        if tokenizer.vocab_size() != config.vocab_size {
            return Err(Error::VocabMismatch { config: config.vocab_size, tokenizer: tokenizer.vocab_size() });
        }
        let model = Model::from_config(config, weights)?;
        let positive = model.config.positive_index().unwrap_or_else(|| validated());
        let negative = model.config.negative_index().unwrap_or_else(|| validated());
        let backend = Backend::choose(&model);
        Ok(Analyzer { model, tokenizer, backend, positive, negative, id: next_id() })
    }

    /// This analyzer with `head` in place of its model's (an adapted head, [`crate::adapt`]): the same tokenizer,
    /// layers and backend, whose prepared state (the SIMD kernel's tables, the GPU) the two share. `head` must have
    /// the model's labels and hidden size, and finite values.
    pub fn with_head(&self, head: Head) -> Result<Analyzer> {
        let (labels, hidden) = (self.model.head.weight.rows(), self.model.head.hidden_size());
        let features = hidden * head.pooling.width();
        if head.weight.rows() != labels || head.weight.cols() != features || head.bias.len() != labels {
            return Err(Error::Adapter {
                message: format!(
                    "its head is [{}, {}] with {} biases, but this model's labels and hidden size need [{labels}, \
                     {features}]",
                    head.weight.rows(),
                    head.weight.cols(),
                    head.bias.len()
                ),
            });
        }
        if !head.weight.as_slice().iter().chain(&head.bias).all(|v| v.is_finite()) {
            return Err(Error::Adapter { message: "its head holds a non-finite value".to_owned() });
        }
        let model = Model { head, ..self.model.clone() };
        Ok(Analyzer { model, tokenizer: self.tokenizer.clone(), backend: self.backend.clone(), id: next_id(), ..*self })
    }

    /// Runs on backend `kind` from now on, instead of the one chosen at load (the GPU opens here).
    pub async fn switch_backend(&mut self, kind: BackendKind) -> Result<()> {
        self.backend.switch(kind, &self.model).await
    }

    /// [`Analyzer::switch_backend`], blocking (in the browser, the GPU must be awaited).
    pub fn set_backend(&mut self, kind: BackendKind) -> Result<()> {
        self.backend.force(kind, &self.model)
    }

    /// Sets the backend as `choice` asks (see [`BackendChoice`]): what every front end calls with the name its
    /// user gave. An error only for a CPU kernel this build lacks; a GPU that does not open leaves the CPU kernel,
    /// and the backend's reason says why.
    pub async fn choose_backend(&mut self, choice: BackendChoice) -> Result<()> {
        match choice {
            BackendChoice::Auto => self.offer_gpu().await,
            BackendChoice::Cpu if SIMD.is_some() => self.switch_backend(BackendKind::CpuSimd).await?,
            BackendChoice::Cpu => self.switch_backend(BackendKind::CpuScalar).await?,
            BackendChoice::Named(BackendKind::Gpu) => self.prefer_gpu().await,
            BackendChoice::Named(kind) => self.switch_backend(kind).await?,
        }
        Ok(())
    }

    /// `gpu`, asked for where the GPU may be missing (the JS API's `backend: "gpu"`): runs on the GPU from now
    /// on if it opens; otherwise stays on the CPU kernel, and the backend's reason says why.
    pub async fn prefer_gpu(&mut self) {
        self.backend.prefer_gpu(&self.model).await;
    }

    /// What `auto` does beyond the CPU kernel it starts with: takes a hardware GPU for large calls, if the system
    /// has one (see [`Backend::offer_gpu`]); the backend's reason says what was found.
    pub async fn offer_gpu(&mut self) {
        self.backend.offer_gpu(&self.model).await;
    }

    /// The model's configuration.
    pub fn config(&self) -> &Config {
        &self.model.config
    }

    /// The label per-token scores measure towards: the config's `positive_label`.
    pub fn positive_label(&self) -> &str {
        &self.model.config.labels[self.positive]
    }

    /// The label per-token scores measure against: the config's `negative_label`, as resolved by
    /// [`Config::negative_index`].
    pub fn negative_label(&self) -> &str {
        &self.model.config.labels[self.negative]
    }

    /// The index of [`Analyzer::positive_label`] in the labels (and the probabilities).
    pub fn positive_index(&self) -> usize {
        self.positive
    }

    /// The index of [`Analyzer::negative_label`] in the labels (and the probabilities).
    pub fn negative_index(&self) -> usize {
        self.negative
    }

    /// The backend that runs the model, and why it was chosen.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The loaded model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The loaded tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Analyses one text: its label, label probabilities, and the score of every token and word.
    ///
    /// A text of more than `max_length` tokens is [`Error::TooLong`]; one of more than
    /// [`MAX_BYTES_PER_TOKEN`] times `max_length` bytes is [`Error::TooLarge`] before it is tokenized, so that
    /// memory stays bounded.
    ///
    /// Blocking; in the browser a call the GPU runs must be awaited ([`Analyzer::analyze_async`]).
    pub fn analyze(&self, text: &str) -> Result<Analysis> {
        ready("Analyzer::analyze_async", self.analyze_async(text))
    }

    /// [`Analyzer::analyze`], awaiting the GPU where it runs.
    pub async fn analyze_async(&self, text: &str) -> Result<Analysis> {
        Ok(self.analysis(text, self.score_async(text).await?))
    }

    /// [`Analyzer::analyze_async`] in numbers (see [`Scored`]).
    pub(crate) async fn score_async(&self, text: &str) -> Result<Scored> {
        let tokens = self.tokens(text)?;
        let (traces, ran) = self.backend.logits_batch_async(&self.model, &[&tokens.ids]).await?;
        self.scored(tokens, &traces[0], &ran)
    }

    /// [`Analyzer::analyze`] for the next version of a text being edited: reuses what `session` kept from the
    /// previous version (see [`Session`]) and keeps this one's. A failed call leaves the session as it was.
    pub fn analyze_in(&self, session: &mut Session, text: &str) -> Result<Analysis> {
        ready("Analyzer::analyze_in_async", self.analyze_in_async(session, text))
    }

    /// [`Analyzer::analyze_in`], awaiting the GPU where it runs.
    pub async fn analyze_in_async(&self, session: &mut Session, text: &str) -> Result<Analysis> {
        Ok(self.analysis(text, self.score_in_async(session, text).await?))
    }

    /// [`Analyzer::analyze_in_async`] in numbers (see [`Scored`]).
    pub(crate) async fn score_in_async(&self, session: &mut Session, text: &str) -> Result<Scored> {
        let tokens = self.tokens(text)?;
        let earlier = session.previous.as_ref().filter(|previous| previous.analyzer == self.id).map(|previous| {
            let keep = previous.ids.iter().zip(&tokens.ids).take_while(|(a, b)| a == b).count();
            (&previous.trace, keep)
        });
        let (trace, ran, reused) = self.backend.resume_async(&self.model, earlier, &tokens.ids).await?;
        let ids = tokens.ids.clone();
        let scored = self.scored(tokens, &trace, &ran)?;
        session.previous = Some(Previous { analyzer: self.id, ids, trace });
        session.reused = reused;
        Ok(scored)
    }

    /// Analyses several texts, in one pass of the model where the backend can; the first failure names the
    /// index of its text.
    pub fn analyze_batch<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Analysis>> {
        ready("Analyzer::analyze_batch_async", self.analyze_batch_async(texts))
    }

    /// [`Analyzer::analyze_batch`], awaiting the GPU where it runs.
    pub async fn analyze_batch_async<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Analysis>> {
        let scored = self.score_batch_async(texts).await?;
        Ok(texts.iter().zip(scored).map(|(text, scored)| self.analysis(text.as_ref(), scored)).collect())
    }

    /// Each text's analysis, or its own error: the texts that tokenize go through the model in one pass, and a text
    /// that fails (too long, say) costs only itself, as a many-text call needs. A failure of the forward pass itself
    /// fails the call.
    pub fn analyze_each<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Result<Analysis>>> {
        ready("Analyzer::analyze_each_async", self.analyze_each_async(texts))
    }

    /// [`Analyzer::analyze_each`], awaiting the GPU where it runs.
    pub async fn analyze_each_async<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Result<Analysis>>> {
        let scored = self.score_each_async(texts).await?;
        Ok(texts.iter().zip(scored).map(|(text, scored)| Ok(self.analysis(text.as_ref(), scored?))).collect())
    }

    /// [`Analyzer::analyze_batch_async`] in numbers (see [`Scored`]): [`Analyzer::score_each_async`], failing on the
    /// first text that failed, by its index.
    pub(crate) async fn score_batch_async<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Scored>> {
        let scored = self.score_each_async(texts).await?;
        scored
            .into_iter()
            .enumerate()
            .map(|(index, scored)| scored.map_err(|e| Error::InBatch { index, source: Box::new(e) }))
            .collect()
    }

    /// Each text's analysis in numbers or its own error: the texts that tokenize go through the model in one
    /// batch, and a text that fails costs only itself (what a collection of posts needs, where a bad row is
    /// counted, not fatal). A failure of the forward pass itself fails the call.
    pub(crate) async fn score_each_async<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Result<Scored>>> {
        let tokens: Vec<Result<Tokens>> = texts.iter().map(|text| self.tokens(text.as_ref())).collect();
        let ids: Vec<&[u32]> = tokens.iter().filter_map(|t| t.as_ref().ok()).map(|t| t.ids.as_slice()).collect();
        let (traces, ran) = self.backend.logits_batch_async(&self.model, &ids).await?;
        let mut traces = traces.iter();
        Ok(tokens
            .into_iter()
            .map(|tokens| {
                let tokens = tokens?;
                let trace = traces.next().unwrap_or_else(|| trace_per_text());
                self.scored(tokens, trace, &ran)
            })
            .collect())
    }

    /// The token ids of `text`, refused as [`Analyzer::analyze`] refuses it.
    pub(crate) fn token_ids(&self, text: &str) -> Result<Vec<u32>> {
        Ok(self.tokens(text)?.ids)
    }

    /// Tokenizes `text`, refusing texts over the size limits before and after.
    fn tokens(&self, text: &str) -> Result<Tokens> {
        let max = self.model.config.max_length;
        let max_bytes = max.saturating_mul(MAX_BYTES_PER_TOKEN);
        if text.len() > max_bytes {
            return Err(Error::TooLarge { bytes: text.len(), max: max_bytes });
        }
        let tokens = self.tokenizer.tokens(text)?;
        if tokens.ids.len() > max {
            return Err(Error::TooLong { tokens: tokens.ids.len(), max });
        }
        Ok(tokens)
    }

    /// The analysis of a text in numbers, from its tokens and the model's trace over them.
    fn scored(&self, tokens: Tokens, trace: &Trace, ran: &Ran) -> Result<Scored> {
        if !trace.logits.iter().all(|z| z.is_finite()) {
            return Err(Error::NonFiniteOutput);
        }
        let scores = attribution::token_scores(trace, self.positive, self.negative);
        let probabilities = attribution::softmax(trace.logits_at(trace.steps));
        let best =
            (0..probabilities.len()).fold(0, |best, k| if probabilities[k] > probabilities[best] { k } else { best });
        let words = attribution::words(&tokens.word_ids, &tokens.offsets, &scores.scores);
        Ok(Scored {
            tokens,
            best,
            probabilities,
            scores,
            words,
            backend: ran.kind.name(),
            fallback: ran.fallback.clone(),
        })
    }

    /// The analysis of `text` from its [`Scored`] numbers.
    fn analysis(&self, text: &str, scored: Scored) -> Analysis {
        let Scored { tokens, best, probabilities, scores: TokenScores { scores, running }, words, backend, fallback } =
            scored;
        let labels = &self.model.config.labels;
        let pieces = self.tokenizer.pieces();
        let slice = |start: usize, end: usize| text.get(start..end).unwrap_or_default().to_owned();
        let tokens = (0..tokens.ids.len())
            .map(|s| {
                let (id, (start, end)) = (tokens.ids[s], tokens.offsets[s]);
                Token {
                    id,
                    piece: pieces.get(id as usize).cloned().unwrap_or_default(),
                    text: slice(start, end),
                    start,
                    end,
                    score: scores[s],
                    probability: running[s],
                }
            })
            .collect();
        let words = words
            .into_iter()
            .map(|word| Word {
                text: slice(word.start, word.end),
                start: word.start,
                end: word.end,
                score: word.score,
                first_token: word.tokens.start,
                token_count: word.tokens.len(),
            })
            .collect();
        Analysis {
            label: labels[best].clone(),
            probabilities: PerLabel(labels.iter().cloned().zip(probabilities).collect()),
            tokens,
            words,
            backend,
            fallback,
        }
    }
}

/// Reached only if `Config::from_json` let through a `positive_label` or `negative_label` that is not a label.
#[cold]
fn validated() -> ! {
    unreachable!("Config::validate checks that positive_label and negative_label resolve to labels")
}

/// A new analyzer's [`Analyzer::id`]: unique, so that a [`Session`] never continues another analyzer's trace.
fn next_id() -> u64 {
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Reached only if a backend returned fewer traces than it was given texts.
#[cold]
fn trace_per_text() -> ! {
    unreachable!("Backend::logits_batch_async returns one trace per text, in order")
}
