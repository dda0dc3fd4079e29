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

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, present in browsers, workers and node >= 18 alike.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str) -> Promise;
}

// Results are built as JS objects by JS, from a few flat arrays: building them from Rust one property at a time
// is a call into JS per field (hundreds per analysis), and a JSON string for `JSON.parse` parses every number from
// text; both cost more than the analysis itself.
#[wasm_bindgen(inline_js = r#"
export function analysisObject(text, pieces, labels, best, probabilities, tokens, values, words, wordScores, backend,
                               fallback) {
  const byLabel = {};
  for (let i = 0; i < labels.length; i++) byLabel[labels[i]] = probabilities[i];
  const tokenList = new Array(tokens.length / 3);
  for (let i = 0; i < tokenList.length; i++) {
    const [id, start, end] = [tokens[3 * i], tokens[3 * i + 1], tokens[3 * i + 2]];
    tokenList[i] = { id, piece: pieces[id], text: text.slice(start, end), start, end, score: values[2 * i],
                     probability: values[2 * i + 1] };
  }
  const wordList = new Array(words.length / 4);
  for (let i = 0; i < wordList.length; i++) {
    const [start, end] = [words[4 * i], words[4 * i + 1]];
    wordList[i] = { text: text.slice(start, end), start, end, score: wordScores[i], first_token: words[4 * i + 2],
                    token_count: words[4 * i + 3] };
  }
  const result = { label: labels[best], probabilities: byLabel, tokens: tokenList, words: wordList, backend };
  if (fallback !== undefined) result.fallback = fallback;
  return result;
}
"#)]
extern "C" {
    /// `best`: the index of the label; `tokens`: `[id, start, end]` per token; `values`: `[score, probability]` per
    /// token; `words`: `[start, end, first_token, token_count]` per word. Offsets in UTF-16 code units of `text`.
    #[wasm_bindgen(js_name = analysisObject)]
    #[allow(clippy::too_many_arguments)]
    fn analysis_object(
        text: &str,
        pieces: &Array,
        labels: &Array,
        best: usize,
        probabilities: &[f32],
        tokens: &[u32],
        values: &[f32],
        words: &[u32],
        word_scores: &[f32],
        backend: &str,
        fallback: Option<String>,
    ) -> JsValue;
}

/// What turns an analysis ([`Scored`]) into the JS result: the vocabulary's pieces and the labels, as JS strings
/// made once per analyzer.
#[derive(Debug)]
struct Results {
    pieces: Array,
    labels: Array,
}

impl Results {
    fn new(analyzer: &crate::Analyzer) -> Results {
        let strings = |items: &[String]| items.iter().map(|item| JsValue::from_str(item)).collect::<Array>();
        Results { pieces: strings(analyzer.tokenizer().pieces()), labels: strings(&analyzer.config().labels) }
    }

    /// `{ label, probabilities, tokens, words, backend, fallback? }` for `scored`, the analysis of `text`, offsets
    /// in UTF-16 code units.
    fn object(&self, scored: Scored, text: &str) -> JsValue {
        let utf16 = Offsets::new(text, Unit::Utf16);
        let at = |byte: usize| utf16.of(byte) as u32;
        let Scored { tokens, best, probabilities, scores, words, backend, fallback } = scored;
        let token_fields: Vec<u32> =
            tokens.ids.iter().zip(&tokens.offsets).flat_map(|(&id, &(start, end))| [id, at(start), at(end)]).collect();
        let values: Vec<f32> = scores.scores.iter().zip(&scores.running).flat_map(|(&s, &p)| [s, p]).collect();
        let word_fields: Vec<u32> =
            words.iter().flat_map(|w| [at(w.start), at(w.end), w.tokens.start as u32, w.tokens.len() as u32]).collect();
        let word_scores: Vec<f32> = words.iter().map(|w| w.score).collect();
        analysis_object(
            text,
            &self.pieces,
            &self.labels,
            best,
            &probabilities,
            &token_fields,
            &values,
            &word_fields,
            &word_scores,
            backend,
            fallback,
        )
    }
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
    /// three files as `Uint8Array`s, `ArrayBuffer`s or (for the JSON files) strings. `options.backend` is
    /// `"auto"` (the default: the CPU kernel, plus a hardware GPU through WebGPU for large calls), `"gpu"` (every
    /// call on WebGPU, if an adapter opens; otherwise the CPU kernel, and `backendReason` says why), `"cpu-simd"`
    /// or `"cpu-scalar"`. A source or an option of the wrong kind, or an unknown option, is a `TypeError`.
    pub async fn create(source: JsValue, options: Option<Object>) -> Result<JsAnalyzer, JsValue> {
        let options: CreateOptions = options_of("Analyzer.create", options.as_ref())?;
        let mut inner = if source.is_object() && Reflect::has(&source, &"config".into()).unwrap_or(false) {
            let file = |name: &str| bytes_field(&source, name);
            crate::Analyzer::from_bytes(&file("config")?, &file("weights")?, &file("tokenizer")?).map_err(error)?
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
        promise(async move { Ok(results.object(analyzer.score_async(&text).await?, &text)) })
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
                .map(|(scored, text)| results.object(scored, text))
                .collect::<Array>()
                .into())
        })
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

/// One post's result in `Collection.add`: its brief with UTF-16 offsets, or its error.
fn brief_object(brief: crate::Result<crate::Brief>, text: &str) -> JsValue {
    #[derive(serde::Serialize)]
    struct Failed {
        error: String,
    }
    let value = match brief {
        Ok(brief) => plain_object(&brief.with_offsets(text, Unit::Utf16)),
        Err(error) => plain_object(&Failed { error: error.to_string() }),
    };
    value.unwrap_or_else(JsValue::from)
}

/// `value` as plain JS objects (maps as objects, not `Map`s).
fn plain_object(value: &impl serde::Serialize) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).map_err(|error| JsError::new(&format!("cannot convert a result to JS: {error}")))
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
            Ok(results.object(analysis?, &text))
        })
    }

    /// How many tokens the last `analyze` took from the call before instead of running the model over them.
    #[wasm_bindgen(getter, js_name = reusedTokens)]
    pub fn reused_tokens(&self) -> usize {
        self.session.borrow().reused()
    }
}

/// For `scripts/bench` (feature `bench`): see [`crate::bench`].
#[cfg(feature = "bench")]
#[wasm_bindgen(js_class = Analyzer)]
impl JsAnalyzer {
    /// Runs the first layer's recurrent step alone, `steps` times for `batch` texts, on the current backend.
    #[wasm_bindgen(js_name = benchRecurrence)]
    pub fn bench_recurrence(&self, batch: usize, steps: usize) -> Result<f32, JsError> {
        crate::bench::recurrence(self.inner.model(), self.inner.backend(), batch, steps).map_err(error)
    }

    /// Floating-point operations of one recurrent step.
    #[wasm_bindgen(getter, js_name = benchRecurrenceFlops)]
    pub fn bench_recurrence_flops(&self) -> f64 {
        crate::bench::recurrence_flops(self.inner.model())
    }

    /// The forward pass alone, the work an ONNX runtime does for the same model: `ids` holds `texts` texts of
    /// equal length one after another; runs them as one batch on the current backend (every step's logits) and
    /// returns each text's positive probability after its last token.
    #[wasm_bindgen(js_name = benchForward)]
    pub fn bench_forward(&self, ids: &[u32], texts: usize) -> Result<Vec<f32>, JsError> {
        let length = ids.len().checked_div(texts).unwrap_or(0);
        if length == 0 || length * texts != ids.len() {
            return Err(JsError::new(&format!(
                "benchForward: {} ids are not {texts} texts of equal length",
                ids.len()
            )));
        }
        let batch: Vec<&[u32]> = ids.chunks_exact(length).collect();
        let positive = self.inner.positive_index();
        crate::bench::forward(self.inner.model(), self.inner.backend(), positive, &batch).map_err(error)
    }

    /// Tokenizes `text` `repeats` times; returns the number of tokens.
    #[wasm_bindgen(js_name = benchTokenize)]
    pub fn bench_tokenize(&self, text: &str, repeats: usize) -> Result<usize, JsError> {
        let mut tokens = 0;
        for _ in 0..repeats {
            tokens = self.inner.tokenizer().encode(text).map_err(error)?.ids.len();
        }
        Ok(tokens)
    }

    /// Runs `repeats` times on the CPU what `analyze(text)` runs in Rust, all but the JS objects; returns the
    /// number of tokens.
    #[wasm_bindgen(js_name = benchAnalyze)]
    pub fn bench_analyze(&self, text: &str, repeats: usize) -> Result<usize, JsError> {
        let mut tokens = 0;
        for _ in 0..repeats {
            let scored = crate::backend::ready("benchAnalyze", self.inner.score_async(text)).map_err(error)?;
            tokens = scored.tokens.ids.len();
        }
        Ok(tokens)
    }

    /// Bytes of the SIMD kernel's vocabulary table (0 without one).
    #[wasm_bindgen(getter, js_name = benchTableBytes)]
    pub fn bench_table_bytes(&self) -> usize {
        self.inner.backend().table_bytes()
    }
}

/// A matrix-vector product to time (feature `bench`): see [`crate::bench::MatVec`].
#[cfg(feature = "bench")]
#[wasm_bindgen(js_name = MatVecBench)]
#[derive(Debug)]
pub struct JsMatVec(crate::bench::MatVec);

#[cfg(feature = "bench")]
#[wasm_bindgen(js_class = MatVecBench)]
impl JsMatVec {
    #[wasm_bindgen(constructor)]
    pub fn new(rows: usize, cols: usize) -> JsMatVec {
        JsMatVec(crate::bench::MatVec::new(rows, cols))
    }

    /// Runs the product `repeats` times: `"dot"` (SIMD dot products), `"panels"` (SIMD, the kernel's layout) or
    /// `"scalar"`.
    pub fn run(&mut self, kind: &str, repeats: usize) -> Result<f32, JsError> {
        match kind {
            "dot" => Ok(self.0.run_simd(repeats)),
            "panels" => Ok(self.0.run_panels(repeats)),
            "scalar" => Ok(self.0.run_scalar(repeats)),
            _ => Err(JsError::new("MatVecBench.run: kind must be \"dot\", \"panels\" or \"scalar\"")),
        }
    }

    #[wasm_bindgen(getter)]
    pub fn flops(&self) -> f64 {
        self.0.flops()
    }
}

/// `Analyzer.create`'s options.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateOptions {
    /// Absent, `undefined` or `null`: `"auto"`.
    #[serde(default, deserialize_with = "backend_choice")]
    backend: Option<BackendChoice>,
}

/// `options.backend`: a name of [`BackendChoice::NAMES`], or `undefined` or `null`.
fn backend_choice<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<BackendChoice>, D::Error> {
    let must = || {
        let names: Vec<String> = BackendChoice::NAMES.iter().map(|name| format!("{name:?}")).collect();
        format!("options.backend must be one of {}", names.join(", "))
    };
    // Any JS value, so that the message can say what it was.
    let value = Option::<serde_json::Value>::deserialize(deserializer).map_err(|_| D::Error::custom(must()))?;
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => value
            .as_str()
            .and_then(|name| BackendChoice::from_name(name).ok())
            .map(Some)
            .ok_or_else(|| D::Error::custom(format_args!("{}; got {value}", must()))),
    }
}

/// `options` as the options struct `T`, whose fields are the call's options by their camelCase names; absent
/// options are `T::default()`. An unknown option, or one of the wrong kind, is a `TypeError` that names it.
///
/// serde-wasm-bindgen reads a struct from an object field by field, by name, so it never sees other keys and
/// `deny_unknown_fields` alone would let a misspelt option pass unnoticed: the keys are checked here first,
/// against the names `T`'s `Deserialize` asks for.
fn options_of<T: DeserializeOwned + Default>(call: &str, options: Option<&Object>) -> Result<T, JsValue> {
    let Some(options) = options else { return Ok(T::default()) };
    if !options.is_object() || Array::is_array(options) {
        return Err(type_error(&format!("{call}: options must be an object, got {}", kind_of(options))));
    }
    let names = field_names::<T>();
    for key in Object::keys(options).iter() {
        let key = key.as_string().unwrap_or_default();
        if !names.contains(&key.as_str()) {
            return Err(type_error(&format!("{call}: unknown option {key:?}; options are {}", names.join(", "))));
        }
    }
    serde_wasm_bindgen::from_value(options.into())
        .map_err(|error| type_error(&format!("{call}: {}", describe(&JsValue::from(error)))))
}

/// The field names that `T`'s derived `Deserialize` asks a deserializer for (after renaming), read by one that
/// records them and reads nothing.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Fields<'a>(&'a mut &'static [&'static str]);

    impl<'de> Deserializer<'de> for Fields<'_> {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(Self::Error::custom("only the field names are read"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    // Always an error: the names are all it was for.
    let _ = T::deserialize(Fields(&mut fields));
    fields
}

/// `value` as a string, or a `TypeError` that names it (`name`: for example `"Analyzer.analyze(text): text"`).
fn string_argument(name: &str, value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| type_error(&format!("{name} must be a string, got {}", kind_of(value))))
}

/// `value`, the argument `name` of `call`, as an array of strings, or a `TypeError` that names it or its first
/// element that is not a string (`call`: for example `"Analyzer.analyzeBatch(texts)"`). Only arrays: a string is
/// iterable too, and would otherwise be analysed character by character.
fn strings_argument(call: &str, name: &str, value: &JsValue) -> Result<Vec<String>, JsValue> {
    if !Array::is_array(value) {
        return Err(type_error(&format!("{call}: {name} must be an array of strings, got {}", kind_of(value))));
    }
    let strings: &Array = value.unchecked_ref();
    strings.iter().enumerate().map(|(i, item)| string_argument(&format!("{call}: {name}[{i}]"), &item)).collect()
}

/// A `TypeError`, for an argument or option of the wrong kind.
fn type_error(message: &str) -> JsValue {
    TypeError::new(message).into()
}

/// What kind of JS value `value` is, for error messages: its `typeof`, with `null` and arrays told apart from
/// other objects.
fn kind_of(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if Array::is_array(value) {
        "array".into()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

fn error(error: crate::Error) -> JsError {
    JsError::new(&error.to_string())
}

/// A promise of `future`'s result, or of its error as an `Error`.
fn promise(future: impl Future<Output = crate::Result<JsValue>> + 'static) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move { future.await.map_err(|e| error(e).into()) })
}

/// A base URL given as a string or a `URL` object.
fn url_of(source: &JsValue) -> Option<String> {
    source.as_string().or_else(|| Reflect::get(source, &"href".into()).ok()?.as_string())
}

/// `source[name]` as bytes: a `Uint8Array` (node's `Buffer` included), an `ArrayBuffer`, or a string.
fn bytes_field(source: &JsValue, name: &str) -> Result<Vec<u8>, JsValue> {
    let value = Reflect::get(source, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if let Some(text) = value.as_string() {
        Ok(text.into_bytes())
    } else if value.is_instance_of::<Uint8Array>() || value.is_instance_of::<ArrayBuffer>() {
        Ok(Uint8Array::new(&value).to_vec())
    } else {
        Err(type_error(&format!(
            "Analyzer.create(source): source.{name} must be a Uint8Array, ArrayBuffer or string holding the \
             model's {name} file, got {}",
            kind_of(&value)
        )))
    }
}

/// Fetches `config.json` from `base`, then the weights and tokenizer it names, both requests in flight at once.
async fn from_url(base: &str) -> Result<crate::Analyzer, JsError> {
    let url = |file: &str| format!("{}/{file}", base.trim_end_matches('/'));
    let config = Config::from_json(&fetch_bytes(&url("config.json")).await?).map_err(error)?;
    let (weights_url, tokenizer_url) = (url(&config.weights), url(&config.tokenizer));
    let weights = start_fetch(&weights_url);
    let tokenizer = start_fetch(&tokenizer_url);
    let weights = finish_fetch(&weights_url, weights).await?;
    let tokenizer = finish_fetch(&tokenizer_url, tokenizer).await?;
    crate::Analyzer::from_config(config, &weights, &tokenizer).map_err(error)
}

async fn fetch_bytes(url: &str) -> Result<Vec<u8>, JsError> {
    finish_fetch(url, start_fetch(url)).await
}

fn start_fetch(url: &str) -> JsFuture {
    JsFuture::from(global_fetch(url))
}

async fn finish_fetch(url: &str, request: JsFuture) -> Result<Vec<u8>, JsError> {
    let failed = |why: String| JsError::new(&format!("could not fetch {url}: {why}; check the model's base URL"));
    let response: web_sys::Response =
        request.await.map_err(|e| failed(describe(&e)))?.dyn_into().map_err(|_| failed("not a Response".into()))?;
    if !response.ok() {
        return Err(failed(format!("HTTP {} {}", response.status(), response.status_text())));
    }
    let buffer = response.array_buffer().map_err(|e| failed(describe(&e)))?;
    let buffer = JsFuture::from(buffer).await.map_err(|e| failed(describe(&e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A thrown JS value as text, for error messages.
fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
