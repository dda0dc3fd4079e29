//! Adapting the default model to a user's labels (`sentir::adapt`): labels the model already gives leave its head
//! in place; labels it cannot give from its own head (positive and negative swapped) are learnt, and the adapted
//! analyzer's per-token scores are still the moves in its own log-odds on both CPU kernels; the adapter goes
//! through its files and a model folder unchanged, and is refused by another model, naming both; bad labels are
//! typed errors or counted skips. Native (the folder round trip reads files); the GPU's agreement on an adapted
//! head is in `tests/gpu.rs`.
#![cfg(not(target_arch = "wasm32"))]

use sentir::adapt::{ADAPTER_JSON, ADAPTER_WEIGHTS, Skipped};
use sentir::{AdaptOptions, Adaptation, Analyzer, BackendKind, Error};
use sentir_tests::posts_distilled;
use sentir_tests::three_class::assert_scores_match_reference;

/// The behaviour suite's texts (tests/behaviour/suite.tsv: capability, domain, text, label), the first `n`.
fn suite_texts(n: usize) -> Vec<String> {
    include_str!("behaviour/suite.tsv")
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').nth(2))
        .map(str::to_owned)
        .take(n)
        .collect()
}

fn labels_of(analyzer: &Analyzer, texts: &[String]) -> Vec<String> {
    analyzer.analyze_batch(texts).expect("the suite analyses").into_iter().map(|a| a.label).collect()
}

fn swapped(labels: &[String]) -> Vec<String> {
    let swap = |label: &String| match label.as_str() {
        "positive" => "negative".to_owned(),
        "negative" => "positive".to_owned(),
        other => other.to_owned(),
    };
    labels.iter().map(swap).collect()
}

/// The suite's first 150 texts labelled with the model's own labels, positive and negative swapped.
fn swapped_adaptation(analyzer: &Analyzer) -> (Vec<String>, Vec<String>, Adaptation) {
    let texts = suite_texts(150);
    let labels = swapped(&labels_of(analyzer, &texts));
    let adaptation = analyzer.adapt(&texts, &labels, &AdaptOptions::default()).expect("adapting runs");
    (texts, labels, adaptation)
}

#[test]
fn labels_the_model_already_gives_keep_its_own_head() {
    let analyzer = posts_distilled::analyzer();
    let texts = suite_texts(100);
    let labels = labels_of(&analyzer, &texts);
    let adaptation = analyzer.adapt(&texts, &labels, &AdaptOptions::default()).expect("adapting runs");
    let report = &adaptation.report;
    assert!(!report.kept, "{report:#?}");
    assert!(adaptation.adapter.is_none());
    assert_eq!(report.current.accuracy, 1.0);
    assert!(report.verdict.contains("own head is kept"), "{}", report.verdict);
    let kept = &adaptation.analyzer;
    for text in &texts[..10] {
        assert_eq!(kept.analyze(text).expect("analyses"), analyzer.analyze(text).expect("analyses"));
    }
}

#[test]
fn swapped_labels_are_learnt_and_the_scores_are_the_adapted_heads_log_odds() {
    let analyzer = posts_distilled::analyzer();
    let (texts, labels, adaptation) = swapped_adaptation(&analyzer);
    let report = &adaptation.report;
    assert!(report.kept, "{report:#?}");
    assert!(report.current.accuracy < 0.6 && report.adapted.accuracy > 0.8, "{report:#?}");
    assert!(report.gain_interval[0] > 0.0 && report.gain > 0.2, "{report:#?}");
    let [low, high] = report.adapted.accuracy_interval;
    assert!(low <= report.adapted.accuracy && report.adapted.accuracy <= high);
    assert_eq!(report.counts.iter().map(|count| count.posts).sum::<usize>(), 150);
    assert_eq!(report.skipped, Skipped::default());

    let mut adapted = adaptation.analyzer;
    let agree = labels_of(&adapted, &texts).iter().zip(&labels).filter(|(got, want)| got == want).count();
    assert!(agree >= 135, "the adapted head gives {agree} of the 150 labels it was fitted on");
    for kind in [BackendKind::CpuSimd, BackendKind::CpuScalar] {
        adapted.set_backend(kind).expect("a CPU kernel");
        for text in &texts[..12] {
            let analysis = adapted.analyze(text).expect("analyses");
            assert_scores_match_reference(kind.name(), &adapted, text, &analysis);
        }
    }
    // The analyzer it came from is untouched.
    assert_eq!(labels_of(&analyzer, &texts), swapped(&labels));
}

#[test]
fn the_adapter_goes_through_its_files_and_a_model_folder_unchanged() {
    let analyzer = posts_distilled::analyzer();
    let (texts, _, adaptation) = swapped_adaptation(&analyzer);
    let adapter = adaptation.adapter.expect("kept");
    let (json, weights) = adapter.to_bytes().expect("writes");
    let read = sentir::Adapter::from_bytes(&json, &weights).expect("reads back");
    assert_eq!(read.head.weight, adapter.head.weight);
    assert_eq!(read.head.bias, adapter.head.bias);
    assert_eq!(read.report, adapter.report);
    assert_eq!(read.base, adapter.base);

    let dir = std::env::temp_dir().join(format!("sentir-adapt-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    for (name, bytes) in [
        ("config.json", posts_distilled::CONFIG),
        ("model.safetensors", posts_distilled::WEIGHTS),
        ("tokenizer.json", posts_distilled::TOKENIZER),
        (ADAPTER_JSON, &json),
        (ADAPTER_WEIGHTS, &weights),
    ] {
        std::fs::write(dir.join(name), bytes).expect("writes");
    }
    let loaded = Analyzer::from_dir(&dir).expect("the folder loads with its adapter");
    std::fs::remove_dir_all(&dir).ok();
    for text in &texts[..10] {
        assert_eq!(loaded.analyze(text).expect("analyses"), adaptation.analyzer.analyze(text).expect("analyses"));
    }
}

#[test]
fn an_adapter_is_refused_by_another_model_and_by_other_weights_naming_them() {
    let analyzer = posts_distilled::analyzer();
    let (_, _, adaptation) = swapped_adaptation(&analyzer);
    let adapter = adaptation.adapter.expect("kept");
    let other = sentir_tests::posts::analyzer();
    let error = other.with_adapter(&adapter).expect_err("another model");
    let message = error.to_string();
    assert!(matches!(error, Error::Adapter { .. }), "{error:?}");
    assert!(message.contains("\"sentir-en-posts-distilled\"") && message.contains("\"sentir-en-posts\""), "{message}");

    let mut retrained = adapter.clone();
    retrained.base.weights_sha256 = "0".repeat(64);
    let message = analyzer.with_adapter(&retrained).expect_err("other weights").to_string();
    assert!(message.contains("other weights"), "{message}");

    let (json, weights) = adapter.to_bytes().expect("writes");
    let message = sentir::Adapter::from_bytes(&json[..json.len() / 2], &weights).expect_err("cut").to_string();
    assert!(message.contains(ADAPTER_JSON), "{message}");
    let message = sentir::Adapter::from_bytes(&json, &weights[..10]).expect_err("cut").to_string();
    assert!(message.contains(ADAPTER_WEIGHTS), "{message}");
}

/// `adapt`'s error for `texts` labelled `labels`, as text.
fn refusal(analyzer: &Analyzer, texts: &[String], labels: &[&str]) -> String {
    match analyzer.adapt(texts, labels, &AdaptOptions::default()) {
        Err(error @ Error::Adapt { .. }) => error.to_string(),
        other => panic!("expected Error::Adapt, got {:?}", other.map(|adaptation| adaptation.report)),
    }
}

#[test]
fn bad_labels_are_typed_errors_and_bad_texts_counted_skips() {
    let analyzer = posts_distilled::analyzer();
    let texts = suite_texts(20);
    let half: Vec<&str> = (0..20).map(|i| if i < 10 { "positive" } else { "negative" }).collect();

    let mut unknown = half.clone();
    unknown[3] = "happy";
    let message = refusal(&analyzer, &texts, &unknown);
    assert!(message.contains("\"happy\"") && message.contains("negative, neutral, positive"), "{message}");
    assert!(refusal(&analyzer, &texts, &half[..19]).contains("20 texts but 19 labels"));
    assert!(refusal(&analyzer, &texts, &["positive"; 20]).contains("at least two"));
    let mut few = half.clone();
    few[..7].fill("negative");
    let message = refusal(&analyzer, &texts, &few);
    assert!(message.contains("\"positive\" is on 3 usable post(s)"), "{message}");

    // Empty texts and repeats are skipped and counted; a text too long to analyse too.
    let mut texts = suite_texts(24);
    texts[0] = "   ".to_owned();
    texts[1] = texts[2].clone();
    texts[3] = "word ".repeat(analyzer.config().max_length + 1);
    let labels: Vec<&str> = (0..24).map(|i| if i % 2 == 0 { "positive" } else { "negative" }).collect();
    let report = analyzer.adapt(&texts, &labels, &AdaptOptions::default()).expect("adapting runs").report;
    assert_eq!(report.skipped, Skipped { empty: 1, duplicate: 1, failed: 1 });
    assert_eq!(report.counts.iter().map(|count| count.posts).sum::<usize>(), 21);
}

#[test]
fn a_text_being_typed_gets_the_analysis_a_new_one_gets_under_a_pooling_head() {
    // A pooling head reads the states before the edit too: a session's continued analysis must still be the one
    // `analyze` gives, bit for bit, on both CPU kernels.
    let base = posts_distilled::analyzer();
    let head = sentir_tests::random::concat_head(5, base.model().head.hidden_size());
    let mut analyzer = base.with_head(head).expect("three labels, 3H features");
    for kind in [BackendKind::CpuSimd, BackendKind::CpuScalar] {
        analyzer.set_backend(kind).expect("a CPU kernel");
        let mut session = sentir::Session::new();
        for text in ["The food", "The food was not", "The food was not good", "The food was not good, but fine 🙂"] {
            let typed = analyzer.analyze_in(&mut session, text).expect("analyses");
            assert_eq!(typed, analyzer.analyze(text).expect("analyses"), "{kind:?}: {text:?}");
        }
        assert!(session.reused() > 0, "the session continued from the text before");
    }
}

#[test]
fn folds_are_bounded_and_texts_the_tokenizer_reads_alike_are_one_post() {
    let analyzer = posts_distilled::analyzer();
    let texts = suite_texts(30);
    let labels: Vec<&str> = (0..30).map(|i| if i % 3 == 0 { "positive" } else { "negative" }).collect();
    let too_many = AdaptOptions { folds: 1000, ..AdaptOptions::default() };
    let message = match analyzer.adapt(&texts, &labels, &too_many) {
        Err(error @ Error::Adapt { .. }) => error.to_string(),
        other => panic!("expected Error::Adapt, got {:?}", other.map(|adaptation| adaptation.report)),
    };
    assert!(message.contains("use 2 to 20"), "{message}");
    // 10 positive posts: 20 folds asked for, 10 used, so that each fold holds every label.
    let twenty = AdaptOptions { folds: 20, ..AdaptOptions::default() };
    assert_eq!(analyzer.adapt(&texts, &labels, &twenty).expect("adapts").report.folds, 10);

    // The default model's tokenizer lower-cases: an upper-cased repeat is the same post.
    let mut texts = suite_texts(30);
    texts[1] = texts[4].to_uppercase();
    let report = analyzer.adapt(&texts, &labels, &AdaptOptions::default()).expect("adapts").report;
    assert_eq!(report.skipped, Skipped { empty: 0, duplicate: 1, failed: 0 });
}
