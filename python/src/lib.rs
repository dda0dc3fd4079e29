//! `sentir._sentir`: the analyzer for Python (PyO3), wrapped by the package in `python/sentir/`.
//!
//! One `Analyzer` is shared by every thread of a call: the many-text calls copy their texts out of Python, let
//! go of the GIL, and analyse contiguous parts of the batch on scoped threads (one per core on the CPU; one on the
//! GPU, which batches by itself), then build the Python results in input order. A text that cannot be analysed
//! (not a `str`, bytes that are not UTF-8, too long) is an error of its own row, never of the call.

use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use numpy::PyArray1;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use sentir::{Analysis, BackendChoice, Collection, Offsets, Post, Unit};

create_exception!(sentir, SentirError, PyException, "Base of sentir's errors; the message says what to do.");
create_exception!(
    sentir,
    ModelError,
    SentirError,
    "A model folder that cannot be loaded, or a backend that cannot run it."
);
create_exception!(sentir, TextError, SentirError, "A text that cannot be analysed (too long, for one).");
create_exception!(
    sentir,
    AdaptError,
    SentirError,
    "Labels `adapt` cannot fit on: a label the model does not have, too few posts of a label, one label only."
);

/// The default model, built into the extension: `models/default` of the checkout the wheel was built from.
const DEFAULT_MODEL: [&[u8]; 3] = [
    include_bytes!("../../models/default/config.json"),
    include_bytes!("../../models/default/model.safetensors"),
    include_bytes!("../../models/default/tokenizer.json"),
];

fn model_error(error: sentir::Error) -> PyErr {
    ModelError::new_err(error.to_string())
}

/// Sentiment of texts, with every token's contribution: a sentir model loaded once, used from any thread.
#[pyclass(frozen, module = "sentir")]
struct Analyzer {
    inner: sentir::Analyzer,
    /// The adapter `adapt` fitted, when this analyzer is the adapted one it returned.
    adapter: Option<sentir::Adapter>,
}

/// One row of a many-text call: its text, or why it has none.
type Row = Result<String, String>;

#[pymethods]
impl Analyzer {
    /// Loads the model folder at `path` (config.json, model.safetensors, tokenizer.json), or the default model
    /// built into the package. `backend`, as everywhere in sentir: "auto" (the best CPU kernel, and a hardware GPU
    /// for large batches when the system has one), "cpu" (the best CPU kernel), "cpu-simd", "cpu-scalar", or "gpu"
    /// (the GPU if one opens, else the CPU kernel, and `backend_reason` says why).
    #[staticmethod]
    #[pyo3(signature = (path = None, backend = "auto"))]
    fn load(py: Python<'_>, path: Option<PathBuf>, backend: &str) -> PyResult<Analyzer> {
        let choice = BackendChoice::from_name(backend).map_err(|e| PyValueError::new_err(e.to_string()))?;
        py.detach(|| {
            let mut inner = match &path {
                Some(path) => sentir::Analyzer::from_dir(path),
                None => sentir::Analyzer::from_bytes(DEFAULT_MODEL[0], DEFAULT_MODEL[1], DEFAULT_MODEL[2]),
            }
            .map_err(model_error)?;
            pollster::block_on(inner.choose_backend(choice)).map_err(model_error)?;
            Ok(Analyzer { inner, adapter: None })
        })
    }

    /// The model's labels, in the order of its outputs.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.config().labels.clone()
    }

    /// The model's name (its config.json's `name`).
    #[getter]
    fn model_name(&self) -> &str {
        &self.inner.config().name
    }

    /// The label per-token scores measure towards.
    #[getter]
    fn positive_label(&self) -> &str {
        self.inner.positive_label()
    }

    /// The label per-token scores measure against.
    #[getter]
    fn negative_label(&self) -> &str {
        self.inner.negative_label()
    }

    /// The backend that runs the model: "cpu-simd", "cpu-scalar" or "gpu".
    #[getter]
    fn backend(&self) -> &'static str {
        self.inner.backend().kind().name()
    }

    /// Why the backend is the one it is.
    #[getter]
    fn backend_reason(&self) -> String {
        self.inner.backend().reason.clone()
    }

    /// The analysis of one text: `label`, `probabilities` (label -> probability), `tokens` and `words` with
    /// their scores and their `start`/`end` offsets as Python string indices (`text[start:end]`), and `backend`.
    /// Raises TextError for a text the model cannot take (longer than its maximum, for one).
    fn analyze<'py>(&self, py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyDict>> {
        let analysis = py.detach(|| self.inner.analyze(text)).map_err(|e| TextError::new_err(e.to_string()))?;
        analysis_dict(py, text, &analysis)
    }

    /// `analyze` of every text of `texts` (any iterable), on every core: a list in input order, each an
    /// analysis, or `{"error": message}` for a text that could not be analysed (not a str, bytes that are not
    /// UTF-8, too long). `threads` defaults to the machine's cores; `batch_size` texts go through the model at once.
    #[pyo3(signature = (texts, batch_size = 256, threads = None))]
    fn analyze_many<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        batch_size: usize,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let threads = self.threads(threads, batch_size)?;
        let rows = rows(texts)?;
        let chunks: Vec<&[Row]> = rows.chunks(batch_size).collect();
        let list = PyList::empty(py);
        // The Python objects can only be made with the GIL, on this thread: it makes them chunk by chunk, in input
        // order, while `threads` threads analyse the next chunks without it (taking them from a shared counter).
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| -> PyResult<()> {
            let (sender, mut receiver) = std::sync::mpsc::channel();
            for _ in 0..threads.min(chunks.len()) {
                let (sender, next, chunks) = (sender.clone(), &next, &chunks);
                scope.spawn(move || {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(chunk) = chunks.get(index) else { break };
                        if sender.send((index, self.analyze_chunk(chunk))).is_err() {
                            break; // the call failed: nobody waits for the rest
                        }
                    }
                });
            }
            drop(sender);
            let mut ready = HashMap::new();
            for (index, chunk) in chunks.iter().enumerate() {
                while !ready.contains_key(&index) {
                    let (back, received) = py.detach(move || {
                        let received = receiver.recv();
                        (receiver, received)
                    });
                    receiver = back;
                    let (done, results) = received.map_err(|_| SentirError::new_err("an analysis thread stopped"))?;
                    ready.insert(done, results);
                }
                let results: Vec<Result<Analysis, String>> = ready.remove(&index).unwrap_or_default();
                for (row, result) in chunk.iter().zip(results) {
                    match result {
                        // A row with an analysis is a text.
                        Ok(analysis) => {
                            list.append(analysis_dict(py, row.as_deref().unwrap_or_default(), &analysis)?)?
                        }
                        Err(message) => {
                            let error = PyDict::new(py);
                            error.set_item(intern!(py, "error"), message)?;
                            list.append(error)?;
                        }
                    }
                }
            }
            Ok(())
        })?;
        Ok(list)
    }

    /// The texts of `texts` (a pandas Series, a list, any iterable) scored as columns, for a dataframe: a dict of
    /// numpy arrays, one row per text: `label` (object: the most probable label, None on an error row), `score`
    /// (float32: p(positive) - p(negative)), `p_<label>` for each label (float32), and `error` (object: None, or
    /// why that row has no result). NaN in the float columns of an error row. No Python object per token, and
    /// the work runs on every core with the GIL released; `pandas.DataFrame(result)` makes the frame.
    #[pyo3(signature = (texts, batch_size = 256, threads = None))]
    fn analyze_columns<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        batch_size: usize,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let threads = self.threads(threads, batch_size)?;
        let rows = rows(texts)?;
        let labels = self.inner.config().labels.clone();
        // A batch at a time on each of `threads` threads, with the GIL released, results in input order.
        let results = py.detach(|| {
            let mut results = Vec::with_capacity(rows.len());
            let analyze = |rows: &[&Row]| {
                let posts: Vec<Result<Post, &str>> = rows
                    .iter()
                    .map(|row| row.as_deref().map(|text| Post { text, ..Post::default() }).map_err(String::as_str))
                    .collect();
                // A failure of the whole call (the backend's) is every text's error; a row's own stays its.
                Collection::new(&self.inner).add_rows(&self.inner, &posts, false).unwrap_or_else(|error| {
                    rows.iter().map(|row| Err(row.as_ref().map_or_else(Clone::clone, |_| error.to_string()))).collect()
                })
            };
            let _: Result<(), Infallible> =
                sentir::collection::in_parts(&rows, threads, batch_size, analyze, |_, part| {
                    results.extend(part);
                    Ok(())
                });
            results
        });

        let mut label = Vec::with_capacity(rows.len());
        let mut score = Vec::with_capacity(rows.len());
        let mut probabilities = vec![Vec::with_capacity(rows.len()); labels.len()];
        let mut error = Vec::with_capacity(rows.len());
        for result in results {
            match result {
                Ok(brief) => {
                    label.push(PyString::new(py, &brief.label).into_any().unbind());
                    score.push(brief.score);
                    for (column, (_, p)) in probabilities.iter_mut().zip(&brief.probabilities.0) {
                        column.push(*p);
                    }
                    error.push(py.None());
                }
                Err(message) => {
                    label.push(py.None());
                    score.push(f32::NAN);
                    for column in &mut probabilities {
                        column.push(f32::NAN);
                    }
                    error.push(PyString::new(py, &message).into_any().unbind());
                }
            }
        }
        let columns = PyDict::new(py);
        columns.set_item("label", PyArray1::from_vec(py, label))?;
        columns.set_item("score", PyArray1::from_vec(py, score))?;
        for (name, column) in labels.iter().zip(probabilities) {
            columns.set_item(format!("p_{name}"), PyArray1::from_vec(py, column))?;
        }
        columns.set_item("error", PyArray1::from_vec(py, error))?;
        Ok(columns)
    }

    /// Fits a new head on `texts` labelled `labels` (each one of `labels`; two labels at least, each on 5 posts or
    /// more), kept only when its cross-validated accuracy clears the model's own by more than the noise (see
    /// sentir::adapt). Returns the analyzer to use (the adapted one when the new head is kept, else this model) and
    /// the report, a dict (`AdaptReport`: posts per label, skipped ones, accuracy and macro-F1 before and after with
    /// 95% intervals, the gain, the strength, `kept`, `verdict`). Raises AdaptError for labels it cannot fit on.
    #[pyo3(signature = (texts, labels, *, folds = 5, seed = 0))]
    fn adapt<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        labels: Vec<String>,
        folds: usize,
        seed: u64,
    ) -> PyResult<(Analyzer, Bound<'py, PyAny>)> {
        let options = sentir::AdaptOptions { folds, seed };
        let adaptation = py.detach(|| self.inner.adapt(&texts, &labels, &options)).map_err(|error| match error {
            sentir::Error::Adapt { .. } => AdaptError::new_err(error.to_string()),
            other => model_error(other),
        })?;
        let report = serde_json::to_string(&adaptation.report).map_err(|e| SentirError::new_err(e.to_string()))?;
        let report = py.import(intern!(py, "json"))?.call_method1(intern!(py, "loads"), (report,))?;
        Ok((Analyzer { inner: adaptation.analyzer, adapter: adaptation.adapter }, report))
    }

    /// The adapter `adapt` fitted, as the bytes of `adapter.json` and `adapter.safetensors`: written beside a copy of
    /// the model's files, `Analyzer.load` of that folder applies it. None unless this analyzer is one that `adapt`
    /// returned with its new head kept.
    fn adapter_files<'py>(&self, py: Python<'py>) -> PyResult<Option<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)>> {
        let Some(adapter) = &self.adapter else { return Ok(None) };
        let (json, weights) = adapter.to_bytes().map_err(|e| SentirError::new_err(e.to_string()))?;
        Ok(Some((PyBytes::new(py, &json), PyBytes::new(py, &weights))))
    }

    fn __repr__(&self) -> String {
        format!("<sentir.Analyzer model={:?} backend={:?}>", self.inner.config().name, self.backend())
    }
}

impl Analyzer {
    /// The threads a many-text call runs on ([`sentir::collection::threads`]: `threads`, or one per core, one on the GPU).
    fn threads(&self, threads: Option<usize>, batch_size: usize) -> PyResult<usize> {
        if batch_size == 0 || threads == Some(0) {
            return Err(PyValueError::new_err("batch_size and threads must be at least 1"));
        }
        Ok(sentir::collection::threads(&self.inner, threads))
    }

    /// The analyses of one chunk of rows, each its own result ([`sentir::Analyzer::analyze_each`]): a bad text
    /// costs only its own row.
    fn analyze_chunk(&self, chunk: &[Row]) -> Vec<Result<Analysis, String>> {
        let texts: Vec<&str> = chunk.iter().filter_map(|row| row.as_deref().ok()).collect();
        let analyses = match self.inner.analyze_each(&texts) {
            Ok(each) => each.into_iter().map(|analysis| analysis.map_err(|e| e.to_string())).collect(),
            Err(error) => vec![Err(error.to_string()); texts.len()],
        };
        in_rows(chunk, analyses.into_iter())
    }
}

/// Each row's result: the next of `results` (one per text of `rows`, in order), or the row's own error.
fn in_rows<T>(rows: &[Row], mut results: impl Iterator<Item = Result<T, String>>) -> Vec<Result<T, String>> {
    rows.iter()
        .map(|row| match row {
            Ok(_) => results.next().unwrap_or_else(|| Err("no result".to_owned())),
            Err(message) => Err(message.clone()),
        })
        .collect()
}

/// Every item of `texts` as a row: a `str` (or UTF-8 `bytes`) is a text; anything else is that row's error.
fn rows(texts: &Bound<'_, PyAny>) -> PyResult<Vec<Row>> {
    if texts.is_instance_of::<PyString>() || texts.is_instance_of::<PyBytes>() {
        return Err(PyValueError::new_err("texts is one text: pass a list of texts, or call analyze(text)"));
    }
    let mut rows = Vec::with_capacity(texts.len().unwrap_or(0));
    for item in texts.try_iter()? {
        let item = item?;
        rows.push(if let Ok(text) = item.cast::<PyString>() {
            text.to_cow()
                .map(Cow::into_owned)
                .map_err(|_| "the text is not valid Unicode (it holds lone surrogates)".to_owned())
        } else if let Ok(bytes) = item.cast::<PyBytes>() {
            String::from_utf8(bytes.as_bytes().to_vec())
                .map_err(|e| format!("the bytes are not UTF-8 ({e}): decode them first"))
        } else if item.is_none() {
            Err("the text is None: fill or drop missing texts".to_owned())
        } else {
            Err(format!("the text is a {}, not a str", item.get_type().name()?))
        });
    }
    Ok(rows)
}

/// An analysis as the JS API's object, its offsets turned from bytes into Python string indices. This runs with the
/// GIL, one text after another, so its keys are interned strings, made once.
fn analysis_dict<'py>(py: Python<'py>, text: &str, analysis: &Analysis) -> PyResult<Bound<'py, PyDict>> {
    let index = Offsets::new(text, Unit::Chars);
    let dict = PyDict::new(py);
    dict.set_item(intern!(py, "label"), &analysis.label)?;
    let probabilities = PyDict::new(py);
    for (label, p) in &analysis.probabilities.0 {
        probabilities.set_item(label, p)?;
    }
    dict.set_item(intern!(py, "probabilities"), probabilities)?;
    let tokens = PyList::empty(py);
    for token in &analysis.tokens {
        let item = PyDict::new(py);
        item.set_item(intern!(py, "id"), token.id)?;
        item.set_item(intern!(py, "piece"), &token.piece)?;
        item.set_item(intern!(py, "text"), &token.text)?;
        item.set_item(intern!(py, "start"), index.of(token.start))?;
        item.set_item(intern!(py, "end"), index.of(token.end))?;
        item.set_item(intern!(py, "score"), token.score)?;
        item.set_item(intern!(py, "probability"), token.probability)?;
        tokens.append(item)?;
    }
    dict.set_item(intern!(py, "tokens"), tokens)?;
    let words = PyList::empty(py);
    for word in &analysis.words {
        let item = PyDict::new(py);
        item.set_item(intern!(py, "text"), &word.text)?;
        item.set_item(intern!(py, "start"), index.of(word.start))?;
        item.set_item(intern!(py, "end"), index.of(word.end))?;
        item.set_item(intern!(py, "score"), word.score)?;
        item.set_item(intern!(py, "first_token"), word.first_token)?;
        item.set_item(intern!(py, "token_count"), word.token_count)?;
        words.append(item)?;
    }
    dict.set_item(intern!(py, "words"), words)?;
    dict.set_item(intern!(py, "backend"), analysis.backend)?;
    if let Some(fallback) = &analysis.fallback {
        dict.set_item(intern!(py, "fallback"), fallback)?;
    }
    Ok(dict)
}

#[pymodule]
fn _sentir(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Analyzer>()?;
    m.add("SentirError", m.py().get_type::<SentirError>())?;
    m.add("ModelError", m.py().get_type::<ModelError>())?;
    m.add("TextError", m.py().get_type::<TextError>())?;
    m.add("AdaptError", m.py().get_type::<AdaptError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
