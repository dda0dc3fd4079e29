//! The `sentir` binary end to end: `analyze` (one text, `--jsonl` and `--input`) and `eval` (two-way and
//! three-way).
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/tiny-random");

fn sentir(args: &[&str], stdin: &str) -> Output {
    sentir_bytes(args, stdin.as_bytes())
}

/// `sentir` with `stdin` as bytes (not necessarily UTF-8), written from a thread of its own so that a large input
/// cannot deadlock against the output.
fn sentir_bytes(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sentir"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut pipe = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || pipe.write_all(&stdin));
    let output = child.wait_with_output().expect("the binary finishes");
    writer.join().expect("the writer finishes").expect("writes stdin");
    output
}

fn stderr(output: &Output) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(&output.stderr)
}

fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

#[test]
fn analyze_prints_one_json_object_with_tokens_words_and_offsets() {
    let text = "Café: not good 😀";
    let output = sentir(&["analyze", "--model", MODEL, text], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 1);
    let analysis = &lines[0];
    assert!(["negative", "positive"].contains(&analysis["label"].as_str().expect("a label")));
    let p = &analysis["probabilities"];
    let sum = p["negative"].as_f64().expect("a number") + p["positive"].as_f64().expect("a number");
    assert!((sum - 1.0).abs() < 1e-6, "{p}");
    // Rust offsets count bytes: "é" takes two and "😀" four.
    let spans: Vec<(&str, u64, u64)> = analysis["words"]
        .as_array()
        .expect("words")
        .iter()
        .map(|w| {
            (w["text"].as_str().expect("text"), w["start"].as_u64().expect("start"), w["end"].as_u64().expect("end"))
        })
        .collect();
    assert_eq!(spans, vec![("Café", 0, 5), (":", 5, 6), ("not", 7, 10), ("good", 11, 15), ("😀", 16, 20)]);
}

#[test]
fn the_default_model_is_used_without_model() {
    let output = sentir(&["analyze", "fine"], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(json_lines(&output).len(), 1);
}

#[test]
fn backend_picks_the_implementation_and_an_unknown_one_is_refused() {
    for backend in ["cpu-scalar", "cpu-simd"] {
        let output = sentir(&["analyze", "--model", MODEL, "--backend", backend, "not good"], "");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(json_lines(&output)[0]["backend"], backend);
    }
    let output = sentir(&["analyze", "--model", MODEL, "--backend", "gpu-please", "fine"], "");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("use auto, cpu, cpu-simd, cpu-scalar or gpu"), "{stderr}");
}

/// tests/backends.tsv's cases, the same for every front end: each name gives one of the backends listed, or an
/// error that names every choice.
#[test]
fn every_front_end_takes_the_same_backend_names() {
    let table = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/backends.tsv")).expect("reads");
    let rows: Vec<(&str, &str)> = table
        .lines()
        .filter(|line| !line.starts_with('#'))
        .skip(1)
        .map(|line| line.split_once('\t').expect("two columns"))
        .collect();
    assert!(rows.len() >= 9, "{} cases", rows.len());
    for (name, gives) in rows {
        let output = sentir(&["analyze", "--model", MODEL, "--backend", name, "fine"], "");
        if gives == "error" {
            assert!(!output.status.success(), "{name:?} is refused");
            assert!(stderr(&output).contains("use auto, cpu, cpu-simd, cpu-scalar or gpu"), "{}", stderr(&output));
        } else {
            assert!(output.status.success(), "{name:?}: {}", stderr(&output));
            let backend = json_lines(&output)[0]["backend"].as_str().expect("a backend").to_owned();
            assert!(gives.split('|').any(|kind| kind == backend), "{name:?} gave {backend}, not {gives}");
        }
    }
}

/// Where no display is, probing the GPU prints nothing (Mesa's device-select layer used to make libwayland print
/// "XDG_RUNTIME_DIR is invalid" once per probe); the GPU backend is probed too where CI requires one.
#[test]
fn probing_the_gpu_without_a_display_prints_nothing() {
    let require_gpu = std::env::var("REQUIRE_GPU").is_ok_and(|value| value == "1");
    for backend in if require_gpu { &["auto", "gpu"][..] } else { &["auto"][..] } {
        let output = Command::new(env!("CARGO_BIN_EXE_sentir"))
            .args(["analyze", "--model", MODEL, "--backend", backend, "fine"])
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("DISPLAY")
            .env_remove("NODEVICE_SELECT")
            .output()
            .expect("the binary runs");
        assert!(output.status.success(), "{backend}: {}", stderr(&output));
        assert_eq!(stderr(&output), "", "{backend}");
    }
}

#[test]
fn jsonl_prints_one_object_per_input_line_and_reports_failures_in_place() {
    let too_long = "good ".repeat(100);
    let input = format!("I loved it!\n\n{too_long}\nTerrible.\n");
    let output = sentir(&["analyze", "--model", MODEL, "--jsonl"], &input);
    assert_eq!(output.status.code(), Some(1), "a failed line makes the exit status 1");
    assert!(stderr(&output).contains("1 of 4 lines could not be analysed"), "{}", stderr(&output));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["tokens"].as_array().map(Vec::len), Some(4));
    assert_eq!(lines[1]["tokens"].as_array().map(Vec::len), Some(0), "the empty line is analysed too");
    assert!(lines[2]["error"].as_str().is_some_and(|e| e.contains("maximum")), "{}", lines[2]);
    assert!(lines[3]["label"].is_string());
}

#[test]
fn jsonl_goes_on_past_a_line_that_is_not_utf8_or_too_long_and_skips_a_byte_order_mark() {
    // Over 1 MiB, more than the tiny model's longest text (64 tokens × 32 bytes): never read whole.
    let long = "good ".repeat(250_000);
    let input = [&b"\xEF\xBB\xBFI loved it!\n\xff\xfe not UTF-8\r\n"[..], long.as_bytes(), b"\nTerrible.\n"].concat();
    let output = sentir_bytes(&["analyze", "--model", MODEL, "--jsonl"], &input);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("2 of 4 lines could not be analysed"), "{}", stderr(&output));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 4, "{lines:?}");
    let plain = json_lines(&sentir(&["analyze", "--model", MODEL, "--jsonl"], "I loved it!\n"));
    assert_eq!(lines[0], plain[0], "the byte order mark is not part of the first text");
    assert_eq!(lines[1]["error"], "the line is not UTF-8 text");
    assert_eq!(lines[2]["error"], "line 3 is longer than 1048576 bytes, the most sentir reads of a line");
    assert!(lines[3]["label"].is_string(), "{}", lines[3]);
}

#[test]
fn eval_counts_rows_labelled_0_or_1_and_ends_with_a_json_summary() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/eval-smoke.tsv");
    let output = sentir(&["eval", "--model", MODEL, file], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = json_lines(&output).pop().expect("a summary line");
    assert_eq!(summary["n"], 4, "{summary}");
    assert_eq!(summary["mode"], "two-way", "{summary}");
    assert_eq!(summary["per_label"]["positive"]["n"], 2);
    assert_eq!(summary["per_label"]["negative"]["n"], 2);
    let accuracy = summary["accuracy"].as_f64().expect("a number");
    assert!((0.0..=1.0).contains(&accuracy));
}

#[test]
fn eval_fails_when_a_row_cannot_be_scored_but_still_prints_its_summary() {
    let file = std::env::temp_dir().join(format!("sentir-eval-{}.tsv", std::process::id()));
    std::fs::write(&file, format!("text\tlabel\nfine\t1\n{}\t0\n", "good ".repeat(100))).expect("writes");
    let output = sentir(&["eval", "--model", MODEL, file.to_str().expect("a UTF-8 path")], "");
    std::fs::remove_file(&file).ok();
    assert_eq!(output.status.code(), Some(1), "a row over the maximum length must fail the run");
    assert!(stderr(&output).contains("1 of 2 rows could not be analysed"), "{}", stderr(&output));
    let summary = json_lines(&output).pop().expect("a summary line");
    assert_eq!((summary["n"].as_u64(), summary["errors"].as_u64()), (Some(1), Some(1)), "{summary}");
}

/// A three-label model folder in a temporary directory, removed when dropped: the tiny model with a neutral row
/// between its two, `z_neutral = (z_negative + z_positive) / 2 + 0.5`, so that neutral wins where the other two
/// are within 1 of each other, and `z_positive − z_negative` is the tiny model's.
struct ThreeClass(std::path::PathBuf);

impl ThreeClass {
    fn new(name: &str) -> ThreeClass {
        use safetensors::{Dtype, SafeTensors, tensor::TensorView};
        let dir = std::env::temp_dir().join(format!("sentir-cli-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creates the model folder");
        let read = |file: &str| std::fs::read(format!("{MODEL}/{file}")).expect("reads the tiny model");
        let weights = read("model.safetensors");
        let file = SafeTensors::deserialize(&weights).expect("tiny weights parse");
        let tensors: Vec<(String, Vec<usize>, Vec<u8>)> = file
            .tensors()
            .into_iter()
            .map(|(name, view)| {
                let mut shape = view.shape().to_vec();
                let mut values: Vec<f32> =
                    view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
                if name.starts_with("head.") {
                    let width = values.len() / 2;
                    let shift = if name == "head.bias" { 0.5 } else { 0.0 };
                    let row: Vec<f32> = (0..width).map(|i| (values[i] + values[width + i]) / 2.0 + shift).collect();
                    values.splice(width..width, row);
                    shape[0] = 3;
                }
                (name, shape, values.iter().flat_map(|v| v.to_le_bytes()).collect())
            })
            .collect();
        let views = tensors.iter().map(|(name, shape, data)| {
            (name.clone(), TensorView::new(Dtype::F32, shape.clone(), data).expect("values fill the shape"))
        });
        let weights = safetensors::serialize(views, None).expect("serializes");
        let mut config: serde_json::Value = serde_json::from_slice(&read("config.json")).expect("config parses");
        config["name"] = "tiny-three-class".into();
        config["labels"] = serde_json::json!(["negative", "neutral", "positive"]);
        std::fs::write(dir.join("config.json"), config.to_string()).expect("writes");
        std::fs::write(dir.join("model.safetensors"), weights).expect("writes");
        std::fs::write(dir.join("tokenizer.json"), read("tokenizer.json")).expect("writes");
        ThreeClass(dir)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 path")
    }

    /// Writes `rows` (tab-separated lines, the header first) to a file in the folder; its path.
    fn tsv(&self, name: &str, rows: &[&str]) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, rows.join("\n") + "\n").expect("writes");
        path.to_str().expect("a UTF-8 path").to_owned()
    }
}

impl Drop for ThreeClass {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// The label each text gets from `sentir analyze --jsonl` with `model`, and its probabilities.
fn analyses(model: &str, texts: &[&str]) -> Vec<(String, serde_json::Value)> {
    let output = sentir(&["analyze", "--model", model, "--jsonl"], &(texts.join("\n") + "\n"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    json_lines(&output)
        .into_iter()
        .map(|a| (a["label"].as_str().expect("a label").to_owned(), a["probabilities"].clone()))
        .collect()
}

#[test]
fn eval_of_a_three_way_file_reports_precision_recall_f1_and_the_confusion_counts() {
    let model = ThreeClass::new("three-way");
    let rows = [
        ("I loved it!", "1", "praise", "reviews"),
        ("\"Terrible\" film, \"just\" terrible.", "0", "negation", "reviews"),
        ("The meeting is at noon.", "2", "plain", "news"),
        ("The music was wonderful.", "positive", "praise", "news"),
        ("A boring, bad plot.", "negative", "plain", "reviews"),
        ("It is a phone.", "neutral", "negation", ""),
        ("not good", "0", "negation", "news"),
        ("fine", "2", "plain", "news"),
    ];
    let mut lines = vec!["id\ttext\tlabel\tcapability\tdomain\tgroup".to_owned()];
    lines.extend(
        rows.iter()
            .enumerate()
            .map(|(i, (text, label, capability, domain))| format!("{i}\t{text}\t{label}\t{capability}\t{domain}\tall")),
    );
    lines.push("99\tskipped\t?\tplain\tnews\tall".to_owned());
    let file = model.tsv("three-way.tsv", &lines.iter().map(String::as_str).collect::<Vec<_>>());
    let output = sentir(&["eval", "--model", model.path(), &file], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = json_lines(&output).pop().expect("a summary line");
    assert_eq!(summary["mode"], "three-way", "{summary}");
    assert_eq!(summary["n"], rows.len(), "{summary}");

    // The confusion counts and everything else, recomputed from `analyze`'s labels.
    let labels = ["negative", "neutral", "positive"];
    let gold = |label: &str| match label {
        "0" | "negative" => "negative",
        "1" | "positive" => "positive",
        _ => "neutral",
    };
    let texts: Vec<&str> = rows.iter().map(|row| row.0).collect();
    let predicted: Vec<String> = analyses(model.path(), &texts).into_iter().map(|(label, _)| label).collect();
    let mut confusion = std::collections::BTreeMap::new();
    for (row, predicted) in rows.iter().zip(&predicted) {
        *confusion.entry((gold(row.1), predicted.as_str())).or_insert(0u64) += 1;
    }
    assert!(confusion.keys().any(|(_, p)| *p == "neutral"), "the neutral row wins somewhere: {confusion:?}");
    let count = |g: &str, p: &str| confusion.get(&(g, p)).copied().unwrap_or(0);
    let mut f1s = Vec::new();
    for label in labels {
        for predicted in labels {
            assert_eq!(summary["confusion"][label][predicted], count(label, predicted), "{label} → {predicted}");
        }
        let tp = count(label, label) as f64;
        let n: u64 = labels.iter().map(|p| count(label, p)).sum();
        let guessed: u64 = labels.iter().map(|g| count(g, label)).sum();
        let metrics = &summary["per_label"][label];
        assert_eq!(metrics["n"], n, "{label}: {metrics}");
        let close = |value: &serde_json::Value, expected: Option<f64>| match expected {
            Some(expected) => (value.as_f64().expect("a number") - expected).abs() < 1e-12,
            None => value.is_null(),
        };
        assert!(close(&metrics["accuracy"], (n > 0).then(|| tp / n as f64)), "{label}: {metrics}");
        assert!(close(&metrics["precision"], (guessed > 0).then(|| tp / guessed as f64)), "{label}: {metrics}");
        let f1 = (n + guessed > 0).then(|| 2.0 * tp / (n + guessed) as f64);
        assert!(close(&metrics["f1"], f1), "{label}: {metrics}");
        f1s.extend(f1);
    }
    let macro_f1 = summary["macro_f1"].as_f64().expect("a number");
    assert!((macro_f1 - f1s.iter().sum::<f64>() / f1s.len() as f64).abs() < 1e-12, "{summary}");
    let right = labels.iter().map(|l| count(l, l)).sum::<u64>() as f64;
    assert!((summary["accuracy"].as_f64().expect("a number") - right / rows.len() as f64).abs() < 1e-12);

    let groups = summary["per_group"].as_object().expect("per_group");
    let keys: Vec<&str> = groups.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["all", "capability:negation", "capability:plain", "capability:praise", "domain:news", "domain:reviews"],
        "an empty domain counts towards no key; {summary}"
    );
    assert_eq!((groups["all"]["n"].as_u64(), groups["domain:news"]["n"].as_u64()), (Some(8), Some(4)));
}

#[test]
fn eval_of_a_two_way_file_with_a_three_label_model_compares_positive_with_negative_only() {
    let model = ThreeClass::new("two-way");
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/eval-smoke.tsv");
    let three = sentir(&["eval", "--model", model.path(), file], "");
    assert!(three.status.success(), "{}", String::from_utf8_lossy(&three.stderr));
    let mut three = json_lines(&three).pop().expect("a summary line");
    assert_eq!(three["mode"], "two-way", "{three}");
    assert!(three.get("confusion").is_none() && three.get("macro_f1").is_none(), "{three}");
    let per_label: Vec<&String> = three["per_label"].as_object().expect("per_label").keys().collect();
    assert_eq!(per_label, ["negative", "positive"]);
    // z_positive − z_negative is the tiny model's, so the two-label model's numbers are the three-label one's.
    let two = sentir(&["eval", "--model", MODEL, file], "");
    let mut two = json_lines(&two).pop().expect("a summary line");
    three["model"] = serde_json::Value::Null;
    two["model"] = serde_json::Value::Null;
    assert_eq!(three, two);
}

#[test]
fn eval_of_a_file_with_neutral_rows_needs_a_model_with_a_neutral_label() {
    let folder = ThreeClass::new("no-neutral");
    let file = folder.tsv("neutral.tsv", &["text\tlabel", "fine\t1", "It is a phone.\t2"]);
    let output = sentir(&["eval", "--model", MODEL, &file], "");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no neutral label") && stderr.contains("row 3"), "{stderr}");
}

#[test]
fn a_missing_model_is_a_clear_error() {
    let output = sentir(&["analyze", "--model", "/nonexistent/model", "x"], "");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/model") && stderr.contains("config.json"), "{stderr}");
}

/// Writes `bytes` to a file of this test run named `name` and returns its path.
fn temp_file(name: &str, bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("sentir-input-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("writes the input file");
    path.to_str().expect("a UTF-8 path").to_owned()
}

#[test]
fn analyze_input_reads_csv_with_quotes_and_prints_briefs_in_input_order_on_every_thread() {
    // Eleven posts in batches of two on three threads: six parts, each taken by whichever thread is free.
    let posts: Vec<String> = (0..11).map(|i| format!("\"post {i}, \"\"quoted\"\", good\"")).collect();
    let csv = format!(
        "id,text\n{}\n",
        posts.iter().enumerate().map(|(i, p)| format!("{i},{p}")).collect::<Vec<_>>().join("\n")
    );
    let file = temp_file("order.csv", csv.as_bytes());
    let output = sentir(&["analyze", "--model", MODEL, "--input", &file, "--threads", "3", "--batch-size", "2"], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let lines = json_lines(&output);
    assert_eq!(
        lines.iter().map(|l| l["line"].as_u64().expect("a line")).collect::<Vec<_>>(),
        (2..13).collect::<Vec<_>>()
    );
    for (i, line) in lines.iter().enumerate() {
        let text = format!("post {i}, \"quoted\", good");
        let (label, probabilities) = &analyses(MODEL, &[&text])[0];
        assert_eq!(line["label"].as_str(), Some(label.as_str()), "{text}");
        let (p, q) = (&line["probabilities"]["positive"], &probabilities["positive"]);
        assert!((p.as_f64().expect("p") - q.as_f64().expect("q")).abs() < 1e-6, "{text}: {p} {q}");
        for word in line["words"].as_array().expect("words") {
            let (start, end) =
                (word["start"].as_u64().expect("start") as usize, word["end"].as_u64().expect("end") as usize);
            assert_eq!(text.get(start..end), word["text"].as_str());
        }
    }
}

#[test]
fn the_summary_is_the_same_on_any_number_of_threads() {
    // Each batch gathers its own aggregates, added to the whole in input order: which thread analysed which batch,
    // and how many threads there were, changes no bit of the summary.
    let posts: Vec<String> = (0..40).map(|i| format!("{i},day {i} was {}", ["good", "bad", "fine"][i % 3])).collect();
    let file = temp_file("threads.csv", format!("id,text\n{}\n", posts.join("\n")).as_bytes());
    let summary = |threads: &str| {
        let args =
            ["analyze", "--model", MODEL, "--input", &file, "--summary", "--batch-size", "3", "--threads", threads];
        let output = sentir(&args, "");
        assert!(output.status.success(), "{}", stderr(&output));
        output.stdout
    };
    let one = summary("1");
    assert!(String::from_utf8_lossy(&one).contains("\"texts\":40"), "{}", String::from_utf8_lossy(&one));
    assert_eq!(summary("3"), one);
    assert_eq!(summary("5"), one);
}

#[test]
fn analyze_input_counts_bad_rows_without_stopping_and_summarises_by_group() {
    let jsonl = b"{\"text\": \"good\", \"brand\": \"a\"}\nnot json\n\n{\"body\": \"no text field\"}\n{\"text\": \"bad\", \"brand\": 7}\n";
    let text = b"good\n\xff\xfe not UTF-8\n\nbad\n";
    let (jsonl, text) = (temp_file("bad.jsonl", jsonl), temp_file("bad.txt", text));
    let output = sentir(&["analyze", "--model", MODEL, "--input", &jsonl, "--group", "brand"], "");
    assert_eq!(output.status.code(), Some(1), "a failed row makes the exit status 1: {}", stderr(&output));
    let lines = json_lines(&output);
    let errors: Vec<(u64, bool)> =
        lines.iter().map(|l| (l["line"].as_u64().expect("line"), l["error"].is_string())).collect();
    assert_eq!(errors, [(1, false), (2, true), (4, true), (5, false)]);
    assert!(lines[2]["error"].as_str().expect("an error").contains("`text`"), "{}", lines[2]);
    assert!(stderr(&output).contains("2 of 4 posts could not be analysed"), "{}", stderr(&output));

    let output = sentir(&["analyze", "--model", MODEL, "--input", &text], "");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let errors: Vec<(u64, bool)> =
        json_lines(&output).iter().map(|l| (l["line"].as_u64().expect("line"), l["error"].is_string())).collect();
    assert_eq!(errors, [(1, false), (2, true), (4, false)]);

    let output = sentir(&["analyze", "--model", MODEL, "--input", &jsonl, "--group", "brand", "--summary"], "");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("2 of 4 posts could not be analysed (counted as `failed`)"));
    let summary = &json_lines(&output)[0];
    assert_eq!((summary["texts"].as_u64(), summary["failed"].as_u64()), (Some(2), Some(2)));
    let groups = group_texts(summary);
    assert_eq!(groups, [("7", 1), ("a", 1)]);
    let counts = &summary["counts"];
    assert_eq!(counts["negative"].as_u64().expect("n") + counts["positive"].as_u64().expect("n"), 2);
    assert_eq!(summary["histogram"]["counts"].as_array().expect("bins").len(), sentir::collection::HISTOGRAM_BINS);
}

#[test]
fn analyze_input_reads_stdin_and_refuses_what_is_not_text_or_lacks_the_column() {
    let output = sentir(
        &["analyze", "--model", MODEL, "--input", "-", "--format", "tsv", "--column", "body"],
        "id\tbody\n1\tgood\n",
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(json_lines(&output).len(), 1);

    let output = sentir(&["analyze", "--model", MODEL, "--input", "-", "--format", "csv"], "id,body\n1,good\n");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no column `text`") && stderr.contains("\"body\"") && stderr.contains("--column"),
        "{stderr}"
    );

    let binary = temp_file("binary.txt", b"PK\x03\x04\x00\x00 a zip file");
    let output = sentir(&["analyze", "--model", MODEL, "--input", &binary], "");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not look like text"));
}

#[test]
fn analyze_input_summarises_over_time_with_a_time_column() {
    let csv = "text,when\ngreat,2024-03-05\nawful,2024-03-20T10:00:00Z\nfine,1710892800\nok,not a date\n";
    let file = temp_file("dated.csv", csv.as_bytes());
    let output = sentir(&["analyze", "--model", MODEL, "--input", &file, "--time", "when", "--summary"], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let periods = &json_lines(&output)[0]["periods"];
    assert_eq!((periods["unit"].as_str(), periods["undated"].as_u64()), (Some("day"), Some(1)));
    let days = periods["periods"].as_array().expect("periods");
    assert_eq!(days.len(), 16, "every day from the 5th to the 20th");
    assert_eq!((days[0]["start"].as_str(), days[0]["texts"].as_u64()), (Some("2024-03-05"), Some(1)));
    assert_eq!((days[15]["start"].as_str(), days[15]["texts"].as_u64()), (Some("2024-03-20"), Some(2)));
}

#[test]
fn group_or_time_with_plain_text_is_a_usage_error() {
    let text = temp_file("columns.txt", b"good\n");
    let csv = temp_file("columns.csv", b"text,brand\ngood,a\n");
    for (args, why) in [
        (vec!["--input", &csv, "--format", "text", "--group", "brand"], "(--format text)"),
        (vec!["--input", &csv, &text, "--time", "brand"], "(its extension)"),
    ] {
        let output = sentir(&[&["analyze", "--model", MODEL][..], &args].concat(), "");
        assert_eq!(output.status.code(), Some(2), "a usage error: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "nothing is analysed");
        let stderr = stderr(&output);
        assert!(stderr.contains("is read as plain text") && stderr.contains(why), "{stderr}");
        assert!(stderr.contains("no columns") && stderr.contains("--format csv, tsv or jsonl"), "{stderr}");
    }
}

#[test]
fn analyze_input_skips_a_byte_order_mark_in_every_format() {
    for (name, body) in [
        ("bom.csv", &b"text,n\n\"good, fine\",1\nbad,2\n"[..]),
        ("bom.tsv", b"text\tn\ngood, fine\t1\nbad\t2\n"),
        ("bom.jsonl", b"{\"text\": \"good, fine\"}\n{\"text\": \"bad\"}\n"),
        ("bom.txt", b"good, fine\nbad\n"),
    ] {
        let plain = temp_file(name, body);
        let marked = temp_file(&format!("marked-{name}"), &[b"\xEF\xBB\xBF", body].concat());
        let analyse = |file: &str| {
            let output = sentir(&["analyze", "--model", MODEL, "--input", file], "");
            assert!(output.status.success(), "{name}: {}", stderr(&output));
            let mut lines = json_lines(&output);
            lines.iter_mut().for_each(|line| line["input"] = serde_json::Value::Null);
            lines
        };
        let (plain, marked) = (analyse(&plain), analyse(&marked));
        assert_eq!(plain.len(), 2, "{name}: {plain:?}");
        assert_eq!(marked, plain, "{name}");
    }
}

#[test]
fn analyze_input_errs_on_a_line_or_row_over_the_cap_and_goes_on_at_the_next() {
    let long = "good ".repeat(250_000);
    for (name, body) in [
        ("long.txt", format!("fine\n{long}\nbad\n")),
        ("long.jsonl", format!("{{\"text\": \"fine\"}}\n{{\"text\": \"{long}\"}}\n{{\"text\": \"bad\"}}\n")),
        // A quoted field over many lines: the row is one record, and the next starts after it.
        ("long.csv", format!("text\nfine\n\"{}\"\nbad\n", long.replace(' ', "\n"))),
    ] {
        let file = temp_file(name, body.as_bytes());
        let output = sentir(&["analyze", "--model", MODEL, "--input", &file], "");
        assert_eq!(output.status.code(), Some(1), "{name}: {}", stderr(&output));
        assert!(stderr(&output).contains("1 of 3 posts could not be analysed"), "{name}: {}", stderr(&output));
        let lines = json_lines(&output);
        let first = if name.ends_with(".csv") { 2 } else { 1 };
        let at: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().expect("line")).collect();
        let next = if name.ends_with(".csv") { first + 250_002 } else { first + 2 };
        assert_eq!(at, [first, first + 1, next], "{name}");
        let error = lines[1]["error"].as_str().expect("an error");
        assert!(error.contains(&format!("line {} is longer than 1048576 bytes", first + 1)), "{name}: {error}");
        assert!(lines[0]["label"].is_string() && lines[2]["label"].is_string(), "{name}: {lines:?}");
    }
}

#[test]
fn a_json_null_group_or_time_is_no_group_or_no_time() {
    let jsonl = concat!(
        "{\"text\": \"good\", \"brand\": \"a\", \"when\": \"2024-03-05\"}\n",
        "{\"text\": \"bad\", \"brand\": null, \"when\": null}\n",
        "{\"text\": \"fine\", \"brand\": \"a\", \"when\": null}\n",
        "{\"text\": \"meh\", \"brand\": null, \"when\": \"2024-03-09\"}\n",
    );
    let file = temp_file("nulls.jsonl", jsonl.as_bytes());
    let args = ["analyze", "--model", MODEL, "--input", &file, "--group", "brand", "--time", "when"];
    let output = sentir(&args, "");
    assert!(output.status.success(), "{}", stderr(&output));
    let lines = json_lines(&output);
    assert_eq!(lines.iter().map(|l| l["line"].as_u64()).collect::<Vec<_>>(), [Some(1), Some(2), Some(3), Some(4)]);
    assert!(lines.iter().all(|l| l["label"].is_string()), "no error rows: {lines:?}");
    // The briefs are the same as without --group and --time, in input order.
    let plain = json_lines(&sentir(&["analyze", "--model", MODEL, "--input", &file], ""));
    assert_eq!(lines, plain);

    let output = sentir(&[&args[..], &["--summary"]].concat(), "");
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = &json_lines(&output)[0];
    assert_eq!((summary["texts"].as_u64(), summary["failed"].as_u64()), (Some(4), Some(0)));
    let groups = group_texts(summary);
    assert_eq!(groups, [("a", 2)], "the posts with a null group count in the whole only");
    let periods = &summary["periods"];
    assert_eq!(periods["undated"].as_u64(), Some(2), "{periods}");
    let days: Vec<u64> =
        periods["periods"].as_array().expect("periods").iter().map(|p| p["texts"].as_u64().expect("n")).collect();
    assert_eq!((periods["unit"].as_str(), days), (Some("day"), vec![1, 0, 0, 0, 1]));
}

/// Each group of a `--summary` and its number of texts, in the summary's order.
fn group_texts(summary: &serde_json::Value) -> Vec<(&str, u64)> {
    let groups = summary["groups"].as_array().expect("groups");
    groups.iter().map(|g| (g["group"].as_str().expect("a name"), g["texts"].as_u64().expect("texts"))).collect()
}

#[test]
fn adapt_writes_a_model_folder_whose_adapter_eval_applies() {
    // The behaviour suite's first 80 sentences with their labels swapped: the default model reads them the other
    // way round, so a new head is kept.
    let rows: Vec<String> = include_str!("../../tests/behaviour/behaviour.tsv")
        .lines()
        .skip(1)
        .take(80)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            format!("{}\t{}", fields[1], if fields[2] == "1" { "0" } else { "1" })
        })
        .collect();
    let file = temp_file("swapped.tsv", format!("text\tlabel\n{}\n", rows.join("\n")).as_bytes());
    let out = std::env::temp_dir().join(format!("sentir-adapted-{}", std::process::id()));
    let out = out.to_str().expect("a UTF-8 path");
    let output = sentir(&["adapt", "--out", out, "--folds", "4", &file], "");
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON report");
    assert_eq!((&report["kept"], &report["folds"]), (&true.into(), &4.into()), "{report}");
    assert!(report["adapted"]["accuracy"].as_f64() > report["current"]["accuracy"].as_f64(), "{report}");
    assert!(stderr(&output).contains("the adapted head is kept"), "{}", stderr(&output));
    for name in ["config.json", "model.safetensors", "tokenizer.json", "adapter.json", "adapter.safetensors"] {
        assert!(std::path::Path::new(out).join(name).exists(), "{name} written");
    }

    let accuracy = |model: &str| {
        let output = sentir(&["eval", "--model", model, &file], "");
        let last = String::from_utf8_lossy(&output.stdout).lines().last().unwrap_or_default().to_owned();
        serde_json::from_str::<serde_json::Value>(&last).expect("eval's summary")["accuracy"].as_f64().unwrap_or(0.0)
    };
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/default");
    assert!(accuracy(out) > 0.8 && accuracy(default) < 0.3, "{} against {}", accuracy(out), accuracy(default));

    let again = sentir(&["adapt", "--out", out, &file], "");
    assert!(!again.status.success() && stderr(&again).contains("not empty"), "{}", stderr(&again));
    std::fs::remove_dir_all(out).ok();

    let unknown = temp_file("unknown.tsv", b"text\tlabel\ngood\tpositive\nbad\tnegative\n");
    let refused = sentir(&["adapt", "--out", out, &unknown], "");
    assert!(!refused.status.success(), "two labelled posts are too few");
    assert!(stderr(&refused).contains("at least 5"), "{}", stderr(&refused));
    let one_fold = sentir(&["adapt", "--out", out, "--folds", "1", &file], "");
    assert!(!one_fold.status.success() && stderr(&one_fold).contains("folds"), "{}", stderr(&one_fold));
    assert!(!std::path::Path::new(out).exists(), "nothing written");
}
