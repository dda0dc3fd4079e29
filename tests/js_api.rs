//! The JS API (`sentir::wasm`), called the way JavaScript calls it: JS values in, promises and plain objects
//! out, UTF-16 offsets. Runs under `wasm-pack test --node` and `--headless --chrome`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, JsString, Object, Promise, Reflect, TypeError, Uint8Array};
use sentir::wasm::JsAnalyzer;
use sentir_tests::{GOLDEN, three_class, tiny};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test as test;

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).expect("an object")
}

fn number(object: &JsValue, key: &str) -> f64 {
    get(object, key).as_f64().unwrap_or_else(|| panic!("`{key}` is not a number"))
}

fn files() -> JsValue {
    let files = Object::new();
    for (name, bytes) in [("config", tiny::CONFIG), ("weights", tiny::WEIGHTS), ("tokenizer", tiny::TOKENIZER)] {
        Reflect::set(&files, &name.into(), &Uint8Array::from(bytes).into()).expect("set");
    }
    files.into()
}

/// `texts` as a JS array, as `analyzeBatch` takes them.
fn strings(texts: &[impl AsRef<str>]) -> JsValue {
    texts.iter().map(|text| JsValue::from_str(text.as_ref())).collect::<Array>().into()
}

async fn analyzer() -> JsAnalyzer {
    JsAnalyzer::create(files(), None).await.expect("the tiny model loads from bytes")
}

async fn resolve(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|error| {
        let error: js_sys::Error = error.dyn_into().expect("rejections are Error objects");
        String::from(error.message())
    })
}

#[test]
async fn probabilities_and_scores_match_the_golden_vectors() {
    let analyzer = analyzer().await;
    for case in tiny::golden().cases {
        let result = resolve(analyzer.analyze(case.text.as_str().into())).await.expect("analyzes");
        let probabilities = get(&result, "probabilities");
        let got = [number(&probabilities, "negative") as f32, number(&probabilities, "positive") as f32];
        GOLDEN.assert_close(&format!("probabilities of {:?}", case.text), &got, &case.probabilities);
        assert_eq!(get(&result, "label").as_string().as_deref(), Some(case.label.as_str()));
        let scores: Vec<f32> =
            Array::from(&get(&result, "tokens")).iter().map(|token| number(&token, "score") as f32).collect();
        GOLDEN.assert_close(&format!("scores of {:?}", case.text), &scores, &case.scores);
    }
}

#[test]
async fn offsets_slice_the_original_js_string() {
    let analyzer = analyzer().await;
    let text = "Café crème, très bon 😀 — the family 👨‍👩‍👧 was happy ❤️ 这部电影很好";
    let js_text = JsString::from(text);
    let result = resolve(analyzer.analyze(text.into())).await.expect("analyzes");
    let tokens = Array::from(&get(&result, "tokens"));
    assert!(tokens.length() > 10, "expected many tokens, got {}", tokens.length());
    let mut sliced = Vec::new();
    for token in tokens.iter() {
        let (start, end) = (number(&token, "start") as u32, number(&token, "end") as u32);
        let slice = String::from(js_text.slice(start, end));
        assert_eq!(Some(slice.clone()), get(&token, "text").as_string(), "token at {start}..{end}");
        sliced.push(slice);
    }
    // The tiny model's normalizer strips U+FE0F (a mark) from ❤️; sentir's span rule gives it back to the token.
    for expected in ["Café", "😀", "👨‍👩‍👧", "❤\u{fe0f}", "这"] {
        assert!(sliced.iter().any(|s| s == expected), "no token slices to {expected:?} in {sliced:?}");
    }
    for word in Array::from(&get(&result, "words")).iter() {
        let (start, end) = (number(&word, "start") as u32, number(&word, "end") as u32);
        assert_eq!(Some(String::from(js_text.slice(start, end))), get(&word, "text").as_string());
    }
}

#[test]
async fn analyze_batch_returns_one_result_per_text_in_order() {
    let analyzer = analyzer().await;
    let cases = tiny::golden().cases;
    let texts: Vec<String> = cases.iter().map(|case| case.text.clone()).collect();
    let results = Array::from(&resolve(analyzer.analyze_batch(strings(&texts))).await.expect("analyzes"));
    assert_eq!(results.length() as usize, cases.len());
    for (result, case) in results.iter().zip(&cases) {
        let positive = number(&get(&result, "probabilities"), "positive") as f32;
        GOLDEN.assert_close(&format!("batch probability of {:?}", case.text), &[positive], &case.probabilities[1..]);
    }
}

#[test]
async fn results_are_the_rust_analysis_as_plain_objects() {
    // The JS objects are built in JS from flat arrays (crate/src/wasm/results.rs); they must say what the Rust analysis
    // says, field for field, with UTF-16 offsets. Numbers are compared as the f32 they are (serde_json's parser
    // may be one f64 ulp off).
    fn as_f32(value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::Number(n) => serde_json::json!(n.as_f64().expect("a finite number") as f32),
            Value::Array(items) => Value::Array(items.into_iter().map(as_f32).collect()),
            Value::Object(fields) => Value::Object(fields.into_iter().map(|(k, v)| (k, as_f32(v))).collect()),
            other => other,
        }
    }
    let (js, rust) = (analyzer().await, tiny::analyzer());
    let session = js.session();
    for text in ["not good, but wonderful", "Café crème 😀 très bon — 这部电影", "", "   ", "good good good"]
    {
        let expected =
            serde_json::to_value(rust.analyze(text).expect("analyzes").with_offsets(text, sentir::Unit::Utf16))
                .map(as_f32)
                .expect("serializes");
        let single = resolve(js.analyze(text.into())).await.expect("analyzes");
        let batch = Array::from(&resolve(js.analyze_batch(strings(&[text]))).await.expect("analyzes")).get(0);
        let in_session = resolve(session.analyze(text.into())).await.expect("analyzes");
        for (how, result) in [("analyze", single), ("analyzeBatch", batch), ("session.analyze", in_session)] {
            let json = String::from(js_sys::JSON::stringify(&result).expect("plain data"));
            let got = as_f32(serde_json::from_str(&json).expect("JSON"));
            assert_eq!(got, expected, "{how}({text:?})");
        }
    }
}

#[test]
async fn the_analyzer_reports_its_backend_model_and_labels() {
    let analyzer = analyzer().await;
    assert_eq!(analyzer.backend(), "cpu-simd");
    assert!(!analyzer.backend_reason().is_empty());
    assert_eq!(analyzer.model_name(), "tiny-random");
    assert_eq!(analyzer.labels(), vec!["negative".to_owned(), "positive".to_owned()]);
    assert_eq!((analyzer.positive_label(), analyzer.negative_label()), ("positive".to_owned(), "negative".to_owned()));
}

#[test]
async fn a_three_label_model_gives_all_three_probabilities() {
    let (config, weights) = three_class::files(3);
    let config = serde_json::to_vec(&config).expect("serializes");
    let files = Object::new();
    for (name, bytes) in [("config", &config[..]), ("weights", &weights[..]), ("tokenizer", tiny::TOKENIZER)] {
        Reflect::set(&files, &name.into(), &Uint8Array::from(bytes).into()).expect("set");
    }
    let analyzer = JsAnalyzer::create(files.into(), None).await.expect("the three-label model loads");
    assert_eq!(analyzer.labels(), three_class::LABELS.map(str::to_owned).to_vec());
    assert_eq!((analyzer.positive_label(), analyzer.negative_label()), ("positive".to_owned(), "negative".to_owned()));
    let result = resolve(analyzer.analyze("not good, but wonderful".into())).await.expect("analyzes");
    let probabilities = get(&result, "probabilities");
    assert_eq!(Reflect::own_keys(&probabilities).expect("an object").length(), 3);
    let sum: f64 = three_class::LABELS.iter().map(|label| number(&probabilities, label)).sum();
    assert!((sum - 1.0).abs() < 1e-6, "the three probabilities sum to {sum}");
    let label = get(&result, "label").as_string().expect("a label");
    assert!(three_class::LABELS.contains(&label.as_str()), "{label}");
}

#[test]
async fn errors_are_js_errors_that_say_what_is_wrong() {
    let analyzer = analyzer().await;
    let long = "good ".repeat(100);
    let message = resolve(analyzer.analyze(long.into())).await.expect_err("too long");
    assert!(message.contains("more than this model's maximum"), "{message}");

    let bad = files();
    Reflect::set(&bad, &"weights".into(), &Uint8Array::new_with_length(3).into()).expect("set");
    let error = JsAnalyzer::create(bad, None).await.expect_err("bad weights");
    let error: js_sys::Error = error.dyn_into().expect("an Error");
    assert!(String::from(error.message()).contains("safetensors"), "{}", String::from(error.message()));

    let error = JsAnalyzer::create(JsValue::from(42), None).await.expect_err("not a source");
    let error: js_sys::Error = error.dyn_into().expect("an Error");
    assert!(String::from(error.message()).contains("base URL"), "{}", String::from(error.message()));
}

/// The message of `error`, which must be a `TypeError`.
fn type_error_of(error: JsValue) -> String {
    assert!(error.is_instance_of::<TypeError>(), "a TypeError, not {error:?}");
    String::from(error.unchecked_into::<js_sys::Error>().message())
}

/// The message of the `TypeError` that `promise` rejects with.
async fn type_error(promise: Promise) -> String {
    type_error_of(JsFuture::from(promise).await.expect_err("rejects"))
}

#[test]
async fn arguments_of_the_wrong_kind_are_type_errors_that_name_them() {
    let analyzer = analyzer().await;
    let session = analyzer.session();
    let object = || JsValue::from(Object::new());
    let texts = ["a", "b", "c"].iter().map(|&text| JsValue::from(text)).chain([object()]).collect::<Array>();
    for (promise, expected) in [
        (analyzer.analyze(42.into()), "Analyzer.analyze(text): text must be a string, got number"),
        (analyzer.analyze(object()), "Analyzer.analyze(text): text must be a string, got object"),
        (analyzer.analyze(JsValue::NULL), "Analyzer.analyze(text): text must be a string, got null"),
        (analyzer.analyze(JsValue::UNDEFINED), "Analyzer.analyze(text): text must be a string, got undefined"),
        (session.analyze(42.into()), "Session.analyze(text): text must be a string, got number"),
        (
            analyzer.analyze_batch("not an array".into()),
            "Analyzer.analyzeBatch(texts): texts must be an array of strings, got string",
        ),
        (analyzer.analyze_batch(texts.into()), "Analyzer.analyzeBatch(texts): texts[3] must be a string, got object"),
    ] {
        assert_eq!(type_error(promise).await, expected);
    }
    // The calls that failed left the analyzer and the session as they were.
    resolve(analyzer.analyze("good".into())).await.expect("analyzes");
    resolve(session.analyze("good".into())).await.expect("analyzes");
}

#[test]
async fn unknown_options_and_options_of_the_wrong_kind_are_type_errors_that_name_them() {
    let parse = |json: &str| Some(js_sys::JSON::parse(json).expect("JSON").unchecked_into::<Object>());
    let backends = r#""auto", "cpu", "cpu-simd", "cpu-scalar", "gpu""#;
    for (options, expected) in [
        (r#"{"backnd": "gpu"}"#, r#"Analyzer.create: unknown option "backnd"; options are backend"#.to_owned()),
        (r#"{"backend": 42}"#, format!("Analyzer.create: options.backend must be one of {backends}; got 42")),
        (
            r#"{"backend": "gpu-please"}"#,
            format!(r#"Analyzer.create: options.backend must be one of {backends}; got "gpu-please""#),
        ),
        (
            r#"{"backend": ["gpu"]}"#,
            format!(r#"Analyzer.create: options.backend must be one of {backends}; got ["gpu"]"#),
        ),
        (r#""gpu""#, "Analyzer.create: options must be an object, got string".to_owned()),
        (r#"["gpu"]"#, "Analyzer.create: options must be an object, got array".to_owned()),
    ] {
        let error = JsAnalyzer::create(files(), parse(options)).await.expect_err(options);
        assert_eq!(type_error_of(error), expected, "{options}");
    }
    // What `load()` passes when no backend is given; `null` means the default too.
    for options in [r#"{}"#, r#"{"backend": null}"#] {
        let analyzer = JsAnalyzer::create(files(), parse(options)).await.expect(options);
        assert_eq!(analyzer.backend(), "cpu-simd", "{options}");
    }
    let undefined = Object::new();
    Reflect::set(&undefined, &"backend".into(), &JsValue::UNDEFINED).expect("set");
    JsAnalyzer::create(files(), Some(undefined)).await.expect("{ backend: undefined } is the default");

    let source = files();
    Reflect::set(&source, &"weights".into(), &42.into()).expect("set");
    let message = type_error_of(JsAnalyzer::create(source, None).await.expect_err("weights of the wrong kind"));
    assert!(message.starts_with("Analyzer.create(source): source.weights must be a Uint8Array"), "{message}");
    assert!(message.ends_with("got number"), "{message}");
    let message = type_error_of(JsAnalyzer::create(true.into(), None).await.expect_err("not a source"));
    assert!(message.contains("base URL") && message.ends_with("got boolean"), "{message}");
}

#[test]
async fn options_backend_forces_a_backend_or_says_which_exist() {
    let options = |backend: &str| {
        let options = Object::new();
        Reflect::set(&options, &"backend".into(), &backend.into()).expect("set");
        Some(options)
    };
    let simd = analyzer().await;
    let scalar = JsAnalyzer::create(files(), options("cpu-scalar")).await.expect("loads");
    assert_eq!(scalar.backend(), "cpu-scalar");
    assert_eq!(scalar.backend_reason(), "chosen by the caller");
    let text = "not good, but wonderful";
    let (a, b) = (
        resolve(simd.analyze(text.into())).await.expect("ok"),
        resolve(scalar.analyze(text.into())).await.expect("ok"),
    );
    assert_eq!(get(&b, "backend").as_string().as_deref(), Some("cpu-scalar"));
    let positive = |result: &JsValue| number(&get(result, "probabilities"), "positive");
    assert!((positive(&a) - positive(&b)).abs() < 1e-5, "{} vs {}", positive(&a), positive(&b));

    let auto = JsAnalyzer::create(files(), options("auto")).await.expect("loads");
    assert_eq!(auto.backend(), "cpu-simd");
    let error = JsAnalyzer::create(files(), options("gpu-please")).await.expect_err("no such backend");
    let error: js_sys::Error = error.dyn_into().expect("an Error");
    assert!(String::from(error.message()).contains("\"cpu-scalar\""), "{}", String::from(error.message()));
}

#[test]
async fn overlapping_calls_on_the_gpu_give_what_the_cpu_gives() {
    // In a browser the calls interleave at their awaits (error scopes, readbacks): every one must still complete.
    let options = Object::new();
    Reflect::set(&options, &"backend".into(), &"gpu".into()).expect("set");
    let gpu = JsAnalyzer::create(files(), Some(options)).await.expect("loads, GPU or not");
    let cpu = analyzer().await;
    let session = gpu.session();
    let texts: Vec<String> =
        (0..8).map(|i| format!("{i} {}", ["good", "not bad", "awful 😡", "fine, but meh"][i % 4])).collect();
    let mut promises = Vec::new();
    for text in &texts {
        promises.push(gpu.analyze(text.into()));
        promises.push(session.analyze(text.into()));
    }
    promises.push(gpu.analyze_batch(strings(&texts)));
    let all = Array::from(&resolve(Promise::all(&promises.into_iter().collect::<Array>())).await.expect("all resolve"));
    let positive = |result: &JsValue| number(&get(result, "probabilities"), "positive");
    for (i, text) in texts.iter().enumerate() {
        let expected = resolve(cpu.analyze(text.into())).await.expect("analyzes");
        let batch = Array::from(&all.get(2 * texts.len() as u32)).get(i as u32);
        for got in [all.get(2 * i as u32), all.get(2 * i as u32 + 1), batch] {
            assert_eq!(get(&got, "label").as_string(), get(&expected, "label").as_string(), "text {i}");
            assert!(
                (positive(&got) - positive(&expected)).abs() < 1e-5,
                "text {i}: {} vs {}",
                positive(&got),
                positive(&expected)
            );
        }
    }
    if gpu.backend() == "gpu" {
        // A forced GPU reruns a session's whole text: nothing was reused.
        resolve(session.analyze(format!("{} more", texts[7]).into())).await.expect("analyzes");
        assert_eq!(session.reused_tokens(), 0);
    }
}

#[test]
async fn options_backend_gpu_runs_on_webgpu_or_says_why_not() {
    let options = Object::new();
    Reflect::set(&options, &"backend".into(), &"gpu".into()).expect("set");
    let gpu = JsAnalyzer::create(files(), Some(options)).await.expect("loads, GPU or not");
    let text = "not good, but wonderful";
    let result = resolve(gpu.analyze(text.into())).await.expect("analyzes");
    let cpu = resolve(analyzer().await.analyze(text.into())).await.expect("analyzes");
    let in_browser = Reflect::has(&js_sys::global(), &"document".into()).unwrap_or(false);
    if gpu.backend() == "gpu" {
        assert_eq!(get(&result, "backend").as_string().as_deref(), Some("gpu"));
    } else {
        // Node has no WebGPU: the analyzer still loads, on the CPU, and says why.
        assert!(!in_browser, "headless Chromium runs with WebGPU (SwiftShader): {}", gpu.backend_reason());
        assert_eq!(gpu.backend(), "cpu-simd");
        assert!(gpu.backend_reason().contains("no WebGPU adapter"), "{}", gpu.backend_reason());
    }
    assert_eq!(get(&result, "label").as_string(), get(&cpu, "label").as_string());
    let positive = |result: &JsValue| number(&get(result, "probabilities"), "positive");
    assert!((positive(&result) - positive(&cpu)).abs() < 1e-5, "{} vs {}", positive(&result), positive(&cpu));
}

#[test]
async fn a_session_continues_the_text_and_outlives_its_analyzer() {
    let analyzer = analyzer().await;
    let session = analyzer.session();
    let json = |value: &JsValue| String::from(js_sys::JSON::stringify(value).expect("plain data"));
    resolve(session.analyze("not good".into())).await.expect("analyzes");
    let continued = resolve(session.analyze("not good at all 😀".into())).await.expect("analyzes");
    assert_eq!(session.reused_tokens(), 2, "'not good' was reused");
    let fresh = resolve(analyzer.analyze("not good at all 😀".into())).await.expect("analyzes");
    assert_eq!(json(&continued), json(&fresh), "the same result, UTF-16 offsets included");
    // The session keeps the model alive: freeing the analyzer first is fine.
    drop(analyzer);
    resolve(session.analyze("not good at all 😀 really".into())).await.expect("analyzes after the analyzer is freed");
    let message = resolve(session.analyze("good ".repeat(100).into())).await.expect_err("too long");
    assert!(message.contains("more than this model's maximum"), "{message}");
}

#[test]
async fn lone_surrogates_in_a_js_string_get_offsets_into_that_string() {
    // A JS string can hold lone surrogates, a Rust string cannot: wasm-bindgen replaces each with U+FFFD, one
    // UTF-16 unit for one, so offsets still index the caller's string. Called through JS, as a page would.
    let units: Vec<u16> = "good "
        .encode_utf16()
        .chain([0xd800])
        .chain(" bad ".encode_utf16())
        .chain([0xdfff])
        .chain(" end".encode_utf16())
        .collect();
    let text = JsString::from_char_code(&units);
    let analyzer = JsValue::from(analyzer().await);
    let analyze: js_sys::Function = get(&analyzer, "analyze").dyn_into().expect("a method");
    let promise: Promise = analyze.call1(&analyzer, &text).expect("returns").dyn_into().expect("a promise");
    let result = resolve(promise).await.expect("analyzes");
    // Words, not tokens: the tiny model's vocabulary splits words into pieces.
    let words: Vec<(String, u32, u32)> = Array::from(&get(&result, "words"))
        .iter()
        .map(|t| (get(&t, "text").as_string().expect("text"), number(&t, "start") as u32, number(&t, "end") as u32))
        .collect();
    for (word, start, end) in &words {
        if word.chars().all(char::is_alphabetic) {
            assert_eq!(String::from(text.slice(*start, *end)), *word, "the offsets of {word:?} index the JS string");
        }
    }
    let end = words.iter().find(|(w, ..)| w == "end").expect("'end' is a word");
    assert_eq!((end.1, end.2), (13, 16), "after two lone surrogates, one unit each");
}

#[test]
async fn overlapping_calls_give_independent_results() {
    let analyzer = analyzer().await;
    let session = analyzer.session();
    let texts: Vec<String> =
        (0..64).map(|i| format!("{i} {}", ["good", "not bad", "awful 😡", "", "fine, but meh"][i % 5])).collect();
    // All in flight at once, interleaved with batches and a session, before any is awaited.
    let mut promises = Vec::new();
    for text in &texts {
        promises.push(analyzer.analyze(text.into()));
        promises.push(analyzer.analyze_batch(strings(&[text.as_str(), "x"])));
        promises.push(session.analyze(text.into()));
    }
    let all = Array::from(&resolve(Promise::all(&promises.into_iter().collect::<Array>())).await.expect("all resolve"));
    let json = |value: &JsValue| String::from(js_sys::JSON::stringify(value).expect("plain data"));
    for (i, text) in texts.iter().enumerate() {
        let alone = resolve(analyzer.analyze(text.into())).await.expect("analyzes");
        assert_eq!(json(&all.get(3 * i as u32)), json(&alone), "analyze of text {i}");
        assert_eq!(json(&Array::from(&all.get(3 * i as u32 + 1)).get(0)), json(&alone), "batch of text {i}");
        assert_eq!(json(&all.get(3 * i as u32 + 2)), json(&alone), "session on text {i}");
    }
}

#[test]
async fn a_collection_gives_briefs_in_order_and_the_aggregates_as_a_plain_object() {
    let analyzer = analyzer().await;
    let collection = analyzer.collection();
    // 70 words: over the tiny model's maximum of 64 tokens, so that post fails alone.
    let long = "good ".repeat(70);
    let texts = ["Café 😀 not good", long.as_str(), "wonderful music", "bad"];
    let groups = ["a", "b", "a", "c"];
    let briefs = Array::from(
        &resolve(collection.add(strings(&texts), strings(&groups), JsValue::UNDEFINED)).await.expect("adds"),
    );
    assert_eq!(briefs.length(), 4);
    for (brief, text) in briefs.iter().zip(texts) {
        if text == long {
            assert!(get(&brief, "error").as_string().expect("an error").contains("maximum of 64"));
            continue;
        }
        let single = resolve(analyzer.analyze(text.into())).await.expect("analyzes");
        assert_eq!(get(&brief, "label").as_string(), get(&single, "label").as_string(), "{text}");
        let (p, q) =
            (number(&get(&brief, "probabilities"), "positive"), number(&get(&single, "probabilities"), "positive"));
        assert!((p - q).abs() < 1e-6, "{text}: {p} {q}");
        let js_text = JsString::from(text);
        for word in Array::from(&get(&brief, "words")).iter() {
            let (start, end) = (number(&word, "start") as u32, number(&word, "end") as u32);
            assert_eq!(js_text.slice(start, end).as_string(), get(&word, "text").as_string(), "UTF-16 offsets");
        }
    }
    let summary = collection.summary().expect("a summary");
    assert_eq!((number(&summary, "texts"), number(&summary, "failed"), collection.texts()), (3.0, 1.0, 4.0));
    let counts = get(&summary, "counts");
    assert_eq!(number(&counts, "negative") + number(&counts, "positive"), 3.0, "counts is a plain object");
    let groups: Vec<(String, f64)> = Array::from(&get(&summary, "groups"))
        .iter()
        .map(|g| (get(&g, "group").as_string().expect("a name"), number(&g, "texts")))
        .collect();
    assert_eq!(groups, [("a".to_owned(), 2.0), ("c".to_owned(), 1.0)]);

    let error = type_error(collection.add(strings(&["x"]), strings(&["a", "b"]), JsValue::NULL)).await;
    assert!(error.contains("one value per text"), "{error}");
    let error = type_error(collection.add("not an array".into(), JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert!(error.contains("texts must be an array of strings"), "{error}");
    let error = type_error(collection.add(strings(&["x"]), JsValue::UNDEFINED, strings(&["2024-03-05", "x"]))).await;
    assert!(error.contains("times must have one value per text"), "{error}");

    let dated = analyzer.collection();
    let times = ["2024-03-05T10:15:00Z", "2024-03-05T12:00:00Z", "yesterday"];
    resolve(dated.add(strings(&["good", "bad", "fine"]), JsValue::UNDEFINED, strings(&times))).await.expect("adds");
    let periods = get(&dated.summary().expect("a summary"), "periods");
    assert_eq!(get(&periods, "unit").as_string().as_deref(), Some("hour"));
    assert_eq!(number(&periods, "undated"), 1.0);
    let starts: Vec<String> =
        Array::from(&get(&periods, "periods")).iter().map(|p| get(&p, "start").as_string().expect("a start")).collect();
    assert_eq!(starts, ["2024-03-05T10:00Z", "2024-03-05T11:00Z", "2024-03-05T12:00Z"]);
}

/// The default model's three files, as `Analyzer.create` takes them.
fn posts_distilled_files() -> JsValue {
    let files = Object::new();
    let model = [
        ("config", sentir_tests::posts_distilled::CONFIG),
        ("weights", sentir_tests::posts_distilled::WEIGHTS),
        ("tokenizer", sentir_tests::posts_distilled::TOKENIZER),
    ];
    for (name, bytes) in model {
        Reflect::set(&files, &name.into(), &Uint8Array::from(bytes).into()).expect("set");
    }
    files.into()
}

/// `object.analyze(text)`'s label, called as JS calls it.
async fn label_of(object: &JsValue, text: &str) -> String {
    let analyze: js_sys::Function = get(object, "analyze").dyn_into().expect("a method");
    let promise: Promise = analyze.call1(object, &text.into()).expect("returns").dyn_into().expect("a promise");
    get(&resolve(promise).await.expect("analyses"), "label").as_string().expect("a label")
}

#[test]
async fn adapt_resolves_to_the_adapted_analyzer_its_report_and_files_that_with_adapter_takes() {
    let analyzer = JsAnalyzer::create(posts_distilled_files(), None).await.expect("the default model loads");
    // The behaviour suite's first 60 sentences with their labels swapped: a new head is kept.
    let (texts, labels): (Vec<&str>, Vec<&str>) = include_str!("behaviour/behaviour.tsv")
        .lines()
        .skip(1)
        .take(60)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields[1], if fields[2] == "1" { "negative" } else { "positive" })
        })
        .unzip();
    let result = resolve(analyzer.adapt(strings(&texts), strings(&labels), None)).await.expect("adapts");
    let report = get(&result, "report");
    assert_eq!(get(&report, "kept"), JsValue::TRUE);
    assert!(number(&get(&report, "adapted"), "accuracy") > number(&get(&report, "current"), "accuracy"));
    let adapted = get(&result, "analyzer");
    let model: JsValue = analyzer.with_adapter(JsValue::NULL).map(JsValue::from).unwrap_or(JsValue::NULL);
    assert!(model.is_null(), "withAdapter(null) throws");
    let (mut before, mut after) = (0, 0);
    let original = JsValue::from(JsAnalyzer::create(posts_distilled_files(), None).await.expect("loads"));
    for (text, label) in texts.iter().zip(&labels) {
        before += usize::from(label_of(&original, text).await == *label);
        after += usize::from(label_of(&adapted, text).await == *label);
    }
    assert!(after >= before + 20, "the adapted analyzer gives {after} of the 60 labels, the model {before}");

    let adapter = get(&result, "adapter");
    assert!(
        get(&adapter, "json").is_instance_of::<Uint8Array>() && get(&adapter, "weights").is_instance_of::<Uint8Array>()
    );
    let reloaded: JsValue = analyzer.with_adapter(adapter.clone()).expect("the adapter fits its model").into();
    for text in &texts[..5] {
        assert_eq!(label_of(&reloaded, text).await, label_of(&adapted, text).await);
    }
    let other = JsAnalyzer::create(files(), None).await.expect("the tiny model loads");
    let error: js_sys::Error = other.with_adapter(adapter).expect_err("another model").dyn_into().expect("an Error");
    let message = String::from(error.message());
    assert!(message.contains("sentir-en-posts-distilled"), "{message}");

    let unknown = analyzer.adapt(strings(&texts[..6]), strings(&["happy"; 6]), None);
    let message = resolve(unknown).await.expect_err("an unknown label");
    assert!(message.contains("\"happy\""), "{message}");
    let message = type_error(analyzer.adapt("not an array".into(), strings(&labels), None)).await;
    assert!(message.contains("texts must be an array of strings"), "{message}");
}
