//! Teaching the model a user's own posts: a new head fitted on a few hundred labelled texts
//! ([`Analyzer::adapt`]), kept only when it reads them measurably better, and stored beside the model as an
//! adapter ([`Adapter`]: `adapter.json` and `adapter.safetensors`).
//!
//! Per-token scores are the head's reading of the recurrent state after each token, so a new head changes the
//! label, the shares of a collection and the per-token scores together and consistently; the layers and the
//! tokenizer stay as they are, and so does everything the backends prepared from them (an adapted analyzer shares
//! the SIMD kernel's tables and the GPU with the one it came from). The new head reads more than the model's own:
//! the top layer's state after each token, and the mean and the maximum of the states so far ([`Pooling::Concat`],
//! ULMFiT's concat pooling). Its weights on the new features start at zero and are pulled towards zero, so the new
//! head starts as the model's own; measured when the issue was filed, a head on the last state alone mostly
//! corrected the prior, while concat pooling gained on every held-back domain. Pooling over prefixes keeps the
//! per-token scores defined: the head reads the pooled states up to each token, so the scores still add up to the
//! label's log-odds.
//!
//! The fit (`adapt/fit.rs`) is multinomial logistic regression with an L2 pull towards the model's own head; its strength
//! is chosen by cross-validation on the user's labels, and the new head's accuracy on posts it was not fitted on
//! is estimated by nested cross-validation with a bootstrap interval (`adapt/select.rs`). The new head is kept only when
//! its gain over the model's own head clears the gain's own noise (the interval's lower end above zero): a user who
//! labels 40 posts must not get a worse model.

mod file;
mod fit;
mod select;

pub use file::{ADAPTER_JSON, ADAPTER_WEIGHTS, Adapter, BaseModel};

use serde::{Deserialize, Serialize};

use crate::analyzer::Analyzer;
use crate::backend::ready;
use crate::error::{Error, Result};
use crate::model::{Head, Matrix, Pooled, Pooling};
use fit::{Examples, Linear};
use select::Rng;

/// The fewest labelled posts of a label that [`Analyzer::adapt`] accepts (for a label given at all).
pub const MIN_POSTS_PER_LABEL: usize = 5;

/// The most cross-validation folds [`AdaptOptions::folds`] may ask for: the fits grow with their square.
pub const MAX_FOLDS: usize = 20;

/// How [`Analyzer::adapt`] fits and estimates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdaptOptions {
    /// Cross-validation folds, outer and inner: 2 to [`MAX_FOLDS`], and no more than the rarest label has posts
    /// (fewer are used then; the report says how many).
    pub folds: usize,
    /// Seeds the folds and the bootstrap: the same labels and seed give the same head and report.
    pub seed: u64,
}

impl Default for AdaptOptions {
    fn default() -> AdaptOptions {
        AdaptOptions { folds: 5, seed: 0 }
    }
}

/// What adapting found, in numbers and in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Labelled posts used, per label that has any, in the model's label order.
    pub counts: Vec<LabelCount>,
    /// Posts left out, and why.
    pub skipped: Skipped,
    /// Cross-validation folds used (see [`AdaptOptions::folds`]).
    pub folds: usize,
    /// The model's own head on the labelled posts (nothing was fitted to them, so this needs no cross-validation;
    /// where the model already holds an adapter fitted on some of these posts, this flatters it, and a new head is
    /// kept less readily).
    pub current: Score,
    /// The adapted head on posts it was not fitted on (nested cross-validation).
    pub adapted: Score,
    /// Accuracy, adapted minus current, on the same posts, and its 95% interval.
    pub gain: f64,
    pub gain_interval: [f64; 2],
    /// The pull towards the model's own head that the cross-validation chose on all the labels.
    pub strength: f64,
    /// Whether the adapted head is kept (the gain's interval lies above zero).
    pub kept: bool,
    /// The decision, said plainly.
    pub verdict: String,
}

/// Accuracy and macro-F1 (over the labels given), each with a 95% bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub accuracy: f64,
    pub accuracy_interval: [f64; 2],
    pub macro_f1: f64,
    pub macro_f1_interval: [f64; 2],
}

/// One label and how many posts carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelCount {
    pub label: String,
    pub posts: usize,
}

/// Posts [`Analyzer::adapt`] left out: empty (or only white space), a repeat of an earlier post (the same text, or
/// the same tokens: texts that differ only in what the tokenizer ignores; the first is kept), or failed to analyse
/// (too long, for example).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub empty: usize,
    pub duplicate: usize,
    pub failed: usize,
}

/// What [`Analyzer::adapt`] returns: the report, the adapter when the new head is kept, and the analyzer to use
/// (adapted when kept, else the same model as before).
#[derive(Debug)]
pub struct Adaptation {
    pub report: Report,
    pub adapter: Option<Adapter>,
    pub analyzer: Analyzer,
}

impl Analyzer {
    /// Fits a new head on `texts` labelled `labels` (each one of the model's labels; two labels at least, each on
    /// [`MIN_POSTS_PER_LABEL`] posts or more), and keeps it if it reads them better (see the module docs).
    pub fn adapt<S: AsRef<str>, L: AsRef<str>>(
        &self,
        texts: &[S],
        labels: &[L],
        options: &AdaptOptions,
    ) -> Result<Adaptation> {
        ready("Analyzer::adapt_async", self.adapt_async(texts, labels, options))
    }

    /// [`Analyzer::adapt`], awaiting the backend (the GPU in a browser).
    pub async fn adapt_async<S: AsRef<str>, L: AsRef<str>>(
        &self,
        texts: &[S],
        labels: &[L],
        options: &AdaptOptions,
    ) -> Result<Adaptation> {
        let mut labelled = self.labelled(texts, labels, options)?;
        // Texts that differ only where the tokenizer does not look (case, spaces) read as the same post: in two
        // folds they would test the head on a post it was fitted on.
        let mut seen = std::collections::HashSet::new();
        let mut posts = Vec::with_capacity(labelled.texts.len());
        for (text, &label) in labelled.texts.iter().zip(&labelled.labels) {
            match self.token_ids(text) {
                Err(_) => labelled.skipped.failed += 1,
                Ok(ids) if !seen.insert(ids.clone()) => labelled.skipped.duplicate += 1,
                Ok(ids) => posts.push((ids, label)),
            }
        }
        let features = self.last_states_async(posts.iter().map(|(ids, _)| ids.as_slice())).await?;
        let (mut y, mut x) = (Vec::new(), Vec::new());
        for (state, (_, label)) in features.into_iter().zip(&posts) {
            match state {
                Some(state) => {
                    x.extend(state.iter().map(|&v| f64::from(v)));
                    y.push(*label);
                }
                None => labelled.skipped.failed += 1,
            }
        }
        let counts = self.check_counts(&y)?;
        // No more folds than the rarest label has posts, so that each fold holds every label.
        let fewest = counts.iter().map(|count| count.posts).min().unwrap_or(MIN_POSTS_PER_LABEL);
        let options = AdaptOptions { folds: options.folds.min(fewest), ..options.clone() };
        let head = &self.model().head;
        let examples = Examples { x: &x, y: &y, features: head.hidden_size() * 3, labels: head.bias.len() };
        let (report, fitted) = estimate(&examples, head, &options, counts, labelled.skipped);
        if !report.kept {
            return Ok(Adaptation { report, adapter: None, analyzer: self.with_head(head.clone())? });
        }
        let adapter = Adapter {
            base: BaseModel { name: self.config().name.clone(), weights_sha256: self.body_sha256() },
            labels: self.config().labels.clone(),
            head: fitted,
            report: report.clone(),
        };
        // Fitted on this model: with_adapter's checks (its SHA-256 again) have nothing to find.
        let analyzer = self.with_head(adapter.head.clone())?;
        Ok(Adaptation { report, adapter: Some(adapter), analyzer })
    }

    /// The texts to fit on, each label's index, and what was skipped before any analysis.
    fn labelled<S: AsRef<str>, L: AsRef<str>>(
        &self,
        texts: &[S],
        labels: &[L],
        options: &AdaptOptions,
    ) -> Result<Labelled> {
        let adapt = |message: String| Error::Adapt { message };
        if texts.len() != labels.len() {
            return Err(adapt(format!("{} texts but {} labels; give one label per text", texts.len(), labels.len())));
        }
        if !(2..=MAX_FOLDS).contains(&options.folds) {
            return Err(adapt(format!("folds is {}; use 2 to {MAX_FOLDS}", options.folds)));
        }
        let names = &self.config().labels;
        let mut labelled = Labelled::default();
        for (text, label) in texts.iter().zip(labels) {
            let (text, label) = (text.as_ref(), label.as_ref());
            let Some(index) = names.iter().position(|name| name == label) else {
                return Err(adapt(format!("label {label:?} is not one of this model's labels ({})", names.join(", "))));
            };
            // Repeats are found by their token ids (adapt_async), which a repeated text has too.
            if text.trim().is_empty() {
                labelled.skipped.empty += 1;
            } else {
                labelled.texts.push(text.to_owned());
                labelled.labels.push(index);
            }
        }
        Ok(labelled)
    }

    /// The labels' counts, in the model's order, or an error naming what is missing.
    fn check_counts(&self, y: &[usize]) -> Result<Vec<LabelCount>> {
        let names = &self.config().labels;
        let counts: Vec<LabelCount> = names
            .iter()
            .enumerate()
            .map(|(index, label)| LabelCount { label: label.clone(), posts: y.iter().filter(|&&l| l == index).count() })
            .filter(|count| count.posts > 0)
            .collect();
        let adapt = |message: String| Err(Error::Adapt { message });
        if counts.len() < 2 {
            return adapt(format!(
                "the usable posts carry {} label(s); label posts with at least two of {}",
                counts.len(),
                names.join(", ")
            ));
        }
        if let Some(short) = counts.iter().find(|count| count.posts < MIN_POSTS_PER_LABEL) {
            return adapt(format!(
                "label {:?} is on {} usable post(s); label at least {MIN_POSTS_PER_LABEL} posts of every label you \
                 use, or leave that label out",
                short.label, short.posts
            ));
        }
        Ok(counts)
    }

    /// What a [`Pooling::Concat`] head reads after the last token of each text (`ids`), `[h_T, mean, max]` of the
    /// top layer's states (`None` where they are not finite), in waves of texts so that the states of a large
    /// labelled set are never all held at once.
    async fn last_states_async<'a>(&self, ids: impl Iterator<Item = &'a [u32]>) -> Result<Vec<Option<Vec<f32>>>> {
        const WAVE: usize = 256;
        let ids: Vec<&[u32]> = ids.collect();
        let hidden = self.model().head.hidden_size();
        let mut states = Vec::with_capacity(ids.len());
        for wave in ids.chunks(WAVE) {
            let (traces, _) = self.backend().forward_batch_async(self.model(), wave).await?;
            for trace in traces {
                let top = trace.hidden.last().filter(|top| !top.is_empty());
                states.push(top.and_then(|top| {
                    let (mut pooled, mut features) = (Pooled::new(hidden), vec![0.0; 3 * hidden]);
                    for h in top.chunks_exact(hidden) {
                        pooled.add(h, &mut features);
                    }
                    features.iter().all(|v| v.is_finite()).then_some(features)
                }));
            }
        }
        Ok(states)
    }
}

#[derive(Debug, Default)]
struct Labelled {
    texts: Vec<String>,
    labels: Vec<usize>,
    skipped: Skipped,
}

/// The new head fitted on all of `examples` (concat features), and the report of what it is worth against `head`.
fn estimate(
    examples: &Examples,
    head: &Head,
    options: &AdaptOptions,
    counts: Vec<LabelCount>,
    skipped: Skipped,
) -> (Report, Head) {
    let prior = concat_prior(head);
    let rows: Vec<usize> = (0..examples.y.len()).collect();
    let mut rng = Rng::new(options.seed);
    let folds = options.folds;
    let current: Vec<usize> = rows.iter().map(|&i| prior.predict(examples.row(i))).collect();
    let adapted = select::nested_predictions(examples, &rows, &prior, folds, &mut rng);
    let lambda = select::choose_strength(examples, &rows, &prior, folds, &mut rng);
    let fitted = fit::fit(examples, &rows, &prior, lambda, &prior);
    let intervals = select::bootstrap(examples.y, &current, &adapted, examples.labels, &mut rng);
    let (a0, f0) = select::accuracy_and_macro_f1(examples.y, &current, &rows, examples.labels);
    let (a1, f1) = select::accuracy_and_macro_f1(examples.y, &adapted, &rows, examples.labels);
    let gain = a1 - a0;
    // Four decimals (a hundredth of a point) are all a report means, and they survive adapter.json's round trip;
    // the decision reads the numbers the report shows.
    let round = |v: f64| (v * 1e4).round() / 1e4;
    let kept = round(intervals.gain[0]) > 0.0;
    let points = |v: f64| 100.0 * v;
    let (low, high) = (points(intervals.gain[0]), points(intervals.gain[1]));
    let verdict = if kept {
        format!(
            "the adapted head is kept: it reads your posts {:.1} points better (95% interval {low:+.1} to {high:+.1})",
            points(gain)
        )
    } else if gain > 0.0 {
        format!(
            "the model's own head is kept: with {} labelled posts a gain of {:+.1} points cannot be told from \
             noise (95% interval {low:+.1} to {high:+.1}); label more posts",
            rows.len(),
            points(gain)
        )
    } else {
        format!(
            "the model's own head is kept: the adapted one reads your posts no better ({:+.1} points, 95% interval \
             {low:+.1} to {high:+.1})",
            points(gain)
        )
    };
    let score = |accuracy, accuracy_interval: [f64; 2], macro_f1, macro_f1_interval: [f64; 2]| Score {
        accuracy: round(accuracy),
        accuracy_interval: accuracy_interval.map(round),
        macro_f1: round(macro_f1),
        macro_f1_interval: macro_f1_interval.map(round),
    };
    let report = Report {
        counts,
        skipped,
        folds,
        current: score(a0, intervals.current_accuracy, f0, intervals.current_macro_f1),
        adapted: score(a1, intervals.adapted_accuracy, f1, intervals.adapted_macro_f1),
        gain: round(gain),
        gain_interval: intervals.gain.map(round),
        strength: lambda,
        kept,
        verdict,
    };
    let to_f32 = |values: &[f64]| values.iter().map(|&v| v as f32).collect::<Vec<f32>>();
    let weight = Matrix::new(fitted.labels, fitted.features, to_f32(fitted.weight()))
        .unwrap_or_else(|| unreachable!("the fit keeps the prior's shape"));
    (report, Head { weight, bias: to_f32(fitted.bias()), pooling: Pooling::Concat })
}

/// `head` as a [`Pooling::Concat`] head: a head over the last state reads the mean and the maximum with zero weights,
/// so it gives the same logits.
fn concat_prior(head: &Head) -> Linear {
    let hidden = head.hidden_size();
    let weight: Vec<f32> = match head.pooling {
        Pooling::Concat => head.weight.as_slice().to_vec(),
        Pooling::Last => (0..head.weight.rows())
            .flat_map(|label| head.weight.row(label).iter().copied().chain(std::iter::repeat_n(0.0, 2 * hidden)))
            .collect(),
    };
    Linear::new(&weight, &head.bias)
}
