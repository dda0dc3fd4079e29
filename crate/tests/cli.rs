//! The `sentir` binary end to end: `analyze` (one text, and `--jsonl`) and `eval`.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/tiny-random");

fn sentir(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sentir"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("writes stdin");
    child.wait_with_output().expect("the binary finishes")
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
    assert!(stderr.contains("use auto, cpu-simd, cpu-scalar or gpu"), "{stderr}");
}

#[test]
fn jsonl_prints_one_object_per_input_line_and_reports_failures_in_place() {
    let too_long = "good ".repeat(100);
    let input = format!("I loved it!\n\n{too_long}\nTerrible.\n");
    let output = sentir(&["analyze", "--model", MODEL, "--jsonl"], &input);
    assert!(!output.status.success(), "a failed line makes the exit status non-zero");
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["tokens"].as_array().map(Vec::len), Some(4));
    assert_eq!(lines[1]["tokens"].as_array().map(Vec::len), Some(0), "the empty line is analysed too");
    assert!(lines[2]["error"].as_str().is_some_and(|e| e.contains("maximum")), "{}", lines[2]);
    assert!(lines[3]["label"].is_string());
}

#[test]
fn eval_counts_rows_labelled_0_or_1_and_ends_with_a_json_summary() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/eval-smoke.tsv");
    let output = sentir(&["eval", "--model", MODEL, file], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = json_lines(&output).pop().expect("a summary line");
    assert_eq!(summary["n"], 4, "{summary}");
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
    assert!(!output.status.success(), "a row over the maximum length must fail the run");
    let summary = json_lines(&output).pop().expect("a summary line");
    assert_eq!((summary["n"].as_u64(), summary["errors"].as_u64()), (Some(1), Some(1)), "{summary}");
}

#[test]
fn a_missing_model_is_a_clear_error() {
    let output = sentir(&["analyze", "--model", "/nonexistent/model", "x"], "");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/model") && stderr.contains("config.json"), "{stderr}");
}
