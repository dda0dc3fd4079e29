//! The JavaScript API. This is the only module that knows about `wasm_bindgen`, `js_sys` and `web_sys`; the rest
//! of the crate is plain Rust that builds and tests natively.
//!
//! ```js
//! import init, { Analyzer } from "sentir";
//! await init();
//! const analyzer = await Analyzer.create("models/tiny-random/");   // or { config, weights, tokenizer } bytes
//! const result = await analyzer.analyze("not good, but wonderful");
//! for (const t of result.tokens) console.log(text.slice(t.start, t.end), t.score);
//! analyzer.free();
//! ```
//!
//! Offsets in results are UTF-16 code units, the unit of `String.prototype.slice`. Errors are JS `Error`s whose
//! message says what went wrong and what to do. Arguments and options are checked here, at the boundary: one of
//! the wrong kind, or an option the call does not have, is a `TypeError` that names it and says what it must be
//! (the methods that return a promise reject with it). Options objects are read into serde structs with
//! `serde-wasm-bindgen` (`options_of`).

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Object, Promise, Reflect, TypeError, Uint8Array};
use serde::de::{DeserializeOwned, Error as _, Visitor};
use serde::{Deserialize, Deserializer};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::BackendChoice;
use crate::analyzer::Scored;
use crate::model::Config;
use crate::offsets::{Offsets, Unit};

mod args;
#[cfg(feature = "bench")]
mod bench;
mod fetch;
mod results;

use args::{
    AdaptOptions, CreateOptions, error, kind_of, options_of, promise, string_argument, strings_argument, type_error,
};
use fetch::{bytes_field, from_url, url_of};
use results::{Results, brief_object, plain_object};

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// A loaded model, ready to analyse text. Call `free()` when done with it.
#[wasm_bindgen(js_name = Analyzer)]
#[derive(Debug)]
pub struct JsAnalyzer {
    /// Shared with the sessions made from it.
    inner: Rc<crate::Analyzer>,
    results: Rc<Results>,
}

#[wasm_bindgen(js_class = Analyzer)]
impl JsAnalyzer {
    /// Loads a model. `source` is either the base URL of a model folder (a string or `URL`; `config.json` and
    /// the files it names are fetched from there), or an object `{ config, weights, tokenizer }` holding the
    /// three files as `Uint8Array`s, `ArrayBuffer`s or (for the JSON files) strings, and optionally `adapter`, an
    /// adapter's files `{ json, weights }` as `withAdapter` takes them (a folder that holds `adapter.json`, read by
    /// node's `load`). `options.backend` is
    /// `"auto"` (the default: the CPU kernel, plus a hardware GPU through WebGPU for large calls), `"gpu"` (every
    /// call on WebGPU, if an adapter opens; otherwise the CPU kernel, and `backendReason` says why), `"cpu-simd"`
    /// or `"cpu-scalar"`. A source or an option of the wrong kind, or an unknown option, is a `TypeError`.
    pub async fn create(source: JsValue, options: Option<Object>) -> Result<JsAnalyzer, JsValue> {
        let options: CreateOptions = options_of("Analyzer.create", options.as_ref())?;
        let mut inner = if source.is_object() && Reflect::has(&source, &"config".into()).unwrap_or(false) {
            let file = |name: &str| bytes_field("Analyzer.create(source): source", &source, name, "model");
            let analyzer =
                crate::Analyzer::from_bytes(&file("config")?, &file("weights")?, &file("tokenizer")?).map_err(error)?;
            match Reflect::get(&source, &"adapter".into()) {
                Ok(files) if !files.is_undefined() && !files.is_null() => analyzer
                    .with_adapter(&adapter_of("Analyzer.create(source): source.adapter", &files)?)
                    .map_err(error)?,
                _ => analyzer,
            }
        } else if let Some(base) = url_of(&source) {
            from_url(&base).await?
        } else {
            return Err(type_error(&format!(
                "Analyzer.create(source): source must be a model folder's base URL, or \
                 {{ config, weights, tokenizer }} with each file as a Uint8Array, ArrayBuffer or string; got {}",
                kind_of(&source)
            )));
        };
        inner.choose_backend(options.backend.unwrap_or(BackendChoice::Auto)).await.map_err(error)?;
        let results = Rc::new(Results::new(&inner));
        Ok(JsAnalyzer { inner: Rc::new(inner), results })
    }

    /// Analyses one text. Resolves to `{ label, probabilities, tokens, words, backend }`, offsets in UTF-16
    /// code units; rejects with a `TypeError` when `text` is not a string.
    pub fn analyze(&self, text: JsValue) -> Promise {
        let text = match string_argument("Analyzer.analyze(text): text", &text) {
            Ok(text) => text,
            Err(error) => return Promise::reject(&error),
        };
        let (analyzer, results) = (Rc::clone(&self.inner), Rc::clone(&self.results));
        promise(async move { Ok(results.object(&analyzer, analyzer.score_async(&text).await?, &text)) })
    }

    /// Analyses several texts. Resolves to an array of results, in order; rejects naming the first text that
    /// failed, or with a `TypeError` when `texts` is not an array of strings.
    #[wasm_bindgen(js_name = analyzeBatch)]
    pub fn analyze_batch(&self, texts: JsValue) -> Promise {
        let texts = match strings_argument("Analyzer.analyzeBatch(texts)", "texts", &texts) {
            Ok(texts) => texts,
            Err(error) => return Promise::reject(&error),
        };
        let (analyzer, results) = (Rc::clone(&self.inner), Rc::clone(&self.results));
        promise(async move {
            let analyses = analyzer.score_batch_async(&texts).await?;
            Ok(analyses
                .into_iter()
                .zip(&texts)
                .map(|(scored, text)| results.object(&analyzer, scored, text))
                .collect::<Array>()
                .into())
        })
    }

    /// Fits a new head on `texts` labelled `labels` (each one of `labels`; two labels at least, each on 5 texts or
    /// more) and keeps it only when its cross-validated accuracy clears the model's own by more than the noise.
    /// Resolves to `{ analyzer, report, adapter }`: `analyzer` the one to use (the adapted one when the new head is
    /// kept, else this model; free it when done), `report` what `sentir adapt` prints (posts per label, skipped,
    /// accuracy and macro-F1 before and after with 95% intervals, `kept`, `verdict`), and `adapter` the adapter's
    /// files `{ json, weights }` as `Uint8Array`s (to store, and to give `withAdapter` later), or `null` when the
    /// new head is not kept. `options`: `folds` (5) and `seed` (0). Rejects with an `Error` that says what to label
    /// for labels it cannot fit on, and with a `TypeError` for arguments of the wrong kind.
    pub fn adapt(&self, texts: JsValue, labels: JsValue, options: Option<Object>) -> Promise {
        let call = "Analyzer.adapt(texts, labels, options)";
        let checked = strings_argument(call, "texts", &texts).and_then(|texts| {
            let labels = strings_argument(call, "labels", &labels)?;
            let options: AdaptOptions = options_of("Analyzer.adapt", options.as_ref())?;
            let defaults = crate::AdaptOptions::default();
            let options = crate::AdaptOptions {
                folds: options.folds.unwrap_or(defaults.folds),
                seed: options.seed.unwrap_or(defaults.seed),
            };
            Ok((texts, labels, options))
        });
        let (texts, labels, options) = match checked {
            Ok(checked) => checked,
            Err(error) => return Promise::reject(&error),
        };
        let (analyzer, results) = (Rc::clone(&self.inner), Rc::clone(&self.results));
        wasm_bindgen_futures::future_to_promise(async move {
            let adaptation = analyzer.adapt_async(&texts, &labels, &options).await.map_err(error)?;
            let adapter = match &adaptation.adapter {
                Some(adapter) => {
                    let (json, weights) = adapter.to_bytes().map_err(error)?;
                    let files = Object::new();
                    Reflect::set(&files, &"json".into(), &Uint8Array::from(json.as_slice()))?;
                    Reflect::set(&files, &"weights".into(), &Uint8Array::from(weights.as_slice()))?;
                    files.into()
                }
                None => JsValue::NULL,
            };
            let result = Object::new();
            let adapted = JsAnalyzer { inner: Rc::new(adaptation.analyzer), results };
            Reflect::set(&result, &"analyzer".into(), &adapted.into())?;
            Reflect::set(&result, &"report".into(), &plain_object(&adaptation.report)?)?;
            Reflect::set(&result, &"adapter".into(), &adapter)?;
            Ok(result.into())
        })
    }

    /// This model with an adapter's head (a new analyzer; free it when done): `files` is `{ json, weights }`,
    /// `adapter.json` and `adapter.safetensors` as `Uint8Array`s or `ArrayBuffer`s (the JSON may be a string), as
    /// `adapt` gives them. Throws an `Error` naming both models when the adapter was fitted on another model.
    #[wasm_bindgen(js_name = withAdapter)]
    pub fn with_adapter(&self, files: JsValue) -> Result<JsAnalyzer, JsValue> {
        let adapter = adapter_of("Analyzer.withAdapter(files): files", &files)?;
        let inner = self.inner.with_adapter(&adapter).map_err(error)?;
        Ok(JsAnalyzer { inner: Rc::new(inner), results: Rc::clone(&self.results) })
    }

    /// A session for a text that is being edited: its `analyze(text)` gives what `analyze` gives, but continues
    /// from the previous call's text where the new one begins with the same tokens (typing at the end reads only
    /// the new tokens). Free it with `free()`; it keeps the model alive until then.
    pub fn session(&self) -> JsSession {
        JsSession { analyzer: Rc::clone(&self.inner), results: Rc::clone(&self.results), session: Rc::default() }
    }

    /// A collection of posts analysed batch by batch: see `Collection`. Free it with `free()`; it keeps the model
    /// alive until then.
    pub fn collection(&self) -> JsCollection {
        JsCollection {
            analyzer: Rc::clone(&self.inner),
            collection: Rc::new(RefCell::new(crate::Collection::new(&self.inner))),
        }
    }

    /// The backend that runs the model: `"gpu"` (with `"auto"`, for large calls only), `"cpu-simd"` or
    /// `"cpu-scalar"`. Each result's `backend` says which one ran it.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.inner.backend().kind().name().to_owned()
    }

    /// The GPU adapter the analyzer holds (its description, device type and API), if it holds one.
    #[wasm_bindgen(getter, js_name = gpuAdapter)]
    pub fn gpu_adapter(&self) -> Option<String> {
        self.inner.backend().gpu().map(|gpu| gpu.adapter.clone())
    }

    /// Why that backend was chosen.
    #[wasm_bindgen(getter, js_name = backendReason)]
    pub fn backend_reason(&self) -> String {
        self.inner.backend().reason.clone()
    }

    /// The model's name from its `config.json`.
    #[wasm_bindgen(getter, js_name = modelName)]
    pub fn model_name(&self) -> String {
        self.inner.config().name.clone()
    }

    /// The model's labels, in the order of `probabilities`: `["negative", "positive"]`, or with a neutral label,
    /// for example `["negative", "neutral", "positive"]`.
    #[wasm_bindgen(getter)]
    pub fn labels(&self) -> Vec<String> {
        self.inner.config().labels.clone()
    }

    /// The label token scores measure towards (a positive score pushes towards it), and `probability` is of.
    #[wasm_bindgen(getter, js_name = positiveLabel)]
    pub fn positive_label(&self) -> String {
        self.inner.positive_label().to_owned()
    }

    /// The label token scores measure against (a negative score pushes towards it).
    #[wasm_bindgen(getter, js_name = negativeLabel)]
    pub fn negative_label(&self) -> String {
        self.inner.negative_label().to_owned()
    }
}

/// The adapter in `files`, `{ json, weights }` (`adapter.json` and `adapter.safetensors`); `what` names `files` in
/// the errors.
fn adapter_of(what: &str, files: &JsValue) -> Result<crate::Adapter, JsValue> {
    let field = |name: &str| bytes_field(what, files, name, "adapter");
    Ok(crate::Adapter::from_bytes(&field("json")?, &field("weights")?).map_err(error)?)
}

/// Many posts, analysed batch by batch into running aggregates (`crate::collection`): `add` resolves to each post's
/// brief, `summary()` gives the aggregates so far, what `sentir analyze --summary` prints.
#[wasm_bindgen(js_name = Collection)]
#[derive(Debug)]
pub struct JsCollection {
    analyzer: Rc<crate::Analyzer>,
    /// Borrowed only between awaits, so calls that overlap each add their own posts.
    collection: Rc<RefCell<crate::Collection>>,
}

#[wasm_bindgen(js_class = Collection)]
impl JsCollection {
    /// Analyses `texts` (an array of strings) in one batch, each post counted under `groups[i]` and at
    /// `times[i]` (ISO 8601 dates or times, or Unix seconds or milliseconds, as strings) when those arrays (as long
    /// as `texts`) are given (an empty group is none, an empty time undated), and adds them to the aggregates.
    /// Resolves to one object per text, in order: `{ label, probabilities, score, words }` (`score` is
    /// p(positive) − p(negative); `words` its strongest words, `{ text, start, end, score }`, offsets in UTF-16 code
    /// units), or `{ error }` for a text that could not be analysed (counted as failed; the others go on). Rejects with a `TypeError` for arguments of the wrong kind.
    pub fn add(&self, texts: JsValue, groups: JsValue, times: JsValue) -> Promise {
        const CALL: &str = "Collection.add(texts, groups, times)";
        let texts = match strings_argument(CALL, "texts", &texts) {
            Ok(texts) => texts,
            Err(error) => return Promise::reject(&error),
        };
        let per_text = |name: &str, value: &JsValue| -> Result<Option<Vec<String>>, JsValue> {
            if value.is_undefined() || value.is_null() {
                return Ok(None);
            }
            let values = strings_argument(CALL, name, value)?;
            if values.len() != texts.len() {
                return Err(type_error(&format!(
                    "{CALL}: {name} must have one value per text; got {} {name} for {} texts",
                    values.len(),
                    texts.len()
                )));
            }
            Ok(Some(values))
        };
        let (groups, times) = match (per_text("groups", &groups), per_text("times", &times)) {
            (Ok(groups), Ok(times)) => (groups, times),
            (Err(error), _) | (_, Err(error)) => return Promise::reject(&error),
        };
        let (analyzer, cell) = (Rc::clone(&self.analyzer), Rc::clone(&self.collection));
        promise(async move {
            let scored = analyzer.score_each_async(&texts).await?;
            let briefs = cell.borrow_mut().add_each(&texts, groups.as_deref(), times.as_deref(), scored);
            let objects = briefs.into_iter().zip(&texts).map(|(brief, text)| brief_object(brief, text));
            Ok(objects.collect::<Array>().into())
        })
    }

    /// The aggregates so far, as a plain object: `labels`, `texts`, `failed`, `counts` and `shares` per label,
    /// `mean_score`, `histogram`, `words` (`positive` and `negative`, the top 20 each way), `groups` and
    /// `periods` (over time: `unit`, `undated`, and per period its `start` and counts).
    pub fn summary(&self) -> Result<JsValue, JsError> {
        plain_object(&self.collection.borrow().summary())
    }

    /// Posts added so far, analysed or failed.
    #[wasm_bindgen(getter)]
    pub fn texts(&self) -> f64 {
        self.collection.borrow().texts() as f64
    }
}

/// See `Analyzer.session()`.
#[wasm_bindgen(js_name = Session)]
#[derive(Debug)]
pub struct JsSession {
    analyzer: Rc<crate::Analyzer>,
    results: Rc<Results>,
    /// Shared with the calls in flight. A call takes the session out while it runs and puts back its own; a call
    /// that overlaps it (not awaited in between) starts from an empty session, which only costs reuse.
    session: Rc<RefCell<crate::Session>>,
}

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// Analyses the text's current version. Resolves to what `Analyzer.analyze` resolves to; a rejected call
    /// leaves the session as it was.
    pub fn analyze(&self, text: JsValue) -> Promise {
        let text = match string_argument("Session.analyze(text): text", &text) {
            Ok(text) => text,
            Err(error) => return Promise::reject(&error),
        };
        let (analyzer, results, cell) = (Rc::clone(&self.analyzer), Rc::clone(&self.results), Rc::clone(&self.session));
        promise(async move {
            let mut session = cell.take();
            let analysis = analyzer.score_in_async(&mut session, &text).await;
            cell.replace(session);
            Ok(results.object(&analyzer, analysis?, &text))
        })
    }

    /// How many tokens the last `analyze` took from the call before instead of running the model over them.
    #[wasm_bindgen(getter, js_name = reusedTokens)]
    pub fn reused_tokens(&self) -> usize {
        self.session.borrow().reused()
    }
}
