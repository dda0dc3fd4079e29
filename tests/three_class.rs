//! A three-class model (labels negative, neutral, positive), made in memory: a token's score is the prefix delta
//! of the positive-versus-negative log-odds `z_positive − z_negative` on both CPU kernels (the GPU's check is in
//! `tests/gpu.rs`), the probabilities cover the three labels, a neutral row added to a two-label model changes
//! no score, and a config whose negative label does not resolve is a typed error that names `negative_label`.
//! Runs natively, in node and in headless Chromium.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use safetensors::SafeTensors;
use sentir::{Analyzer, BackendKind, Error};
use sentir_tests::random::Rng;
use sentir_tests::three_class::{self, LABELS, assert_scores_match_reference};
use sentir_tests::tiny;

const CPU: [BackendKind; 2] = [BackendKind::CpuScalar, BackendKind::CpuSimd];

const TEXTS: [&str; 5] = [
    "not good",
    "",
    "The acting was not good, but the music was wonderful. 👍🏽 ééé",
    "good good good bad bad bad",
    "Café crème, très bon 😀",
];

#[test]
fn scores_are_prefix_deltas_of_the_positive_minus_negative_logit_on_both_cpu_kernels() {
    for seed in [1, 2, 3] {
        let mut analyzer = three_class::analyzer(seed);
        assert_eq!((analyzer.positive_label(), analyzer.negative_label()), ("positive", "negative"));
        for kind in CPU {
            analyzer.set_backend(kind).expect("this build has both CPU kernels");
            for text in TEXTS {
                let analysis = analyzer.analyze(text).expect("analyzes");
                assert_eq!(analysis.backend, kind.name());
                assert_scores_match_reference(&format!("seed {seed} {}", kind.name()), &analyzer, text, &analysis);
            }
        }
    }
}

#[test]
fn the_scalar_kernel_gives_the_reference_logit_differences_bit_for_bit() {
    let mut analyzer = three_class::analyzer(4);
    analyzer.set_backend(BackendKind::CpuScalar).expect("this build has the scalar kernel");
    let text = TEXTS[2];
    let analysis = analyzer.analyze(text).expect("analyzes");
    let ids: Vec<u32> = analysis.tokens.iter().map(|t| t.id).collect();
    let trace = sentir::recurrent::reference::forward(analyzer.model(), &ids).expect("the reference runs");
    // Labels [negative, neutral, positive]: rows 2 and 0.
    let odds: Vec<f32> = (0..=trace.steps).map(|s| trace.logits_at(s)[2] - trace.logits_at(s)[0]).collect();
    let expected: Vec<u32> = odds.windows(2).map(|w| (w[1] - w[0]).to_bits()).collect();
    let got: Vec<u32> = analysis.tokens.iter().map(|t| t.score.to_bits()).collect();
    assert_eq!(got, expected);
}

#[test]
fn probabilities_cover_the_three_labels_in_order_and_sum_to_one() {
    let analyzer = three_class::analyzer(5);
    for text in TEXTS {
        let analysis = analyzer.analyze(text).expect("analyzes");
        let names: Vec<&str> = analysis.probabilities.0.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, LABELS, "{text:?}");
        let p: Vec<f32> = analysis.probabilities.0.iter().map(|&(_, p)| p).collect();
        let sum: f32 = p.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6, "{text:?}: {p:?} sum to {sum}");
        let best = (0..3).fold(0, |best, k| if p[k] > p[best] { k } else { best });
        assert_eq!(analysis.label, LABELS[best], "{text:?}: {p:?}");
        let json = serde_json::to_value(&analysis).expect("serializes");
        for label in LABELS {
            assert!(json["probabilities"][label].is_number(), "{text:?}: {}", json["probabilities"]);
        }
    }
}

/// The tiny model with a third row in its head, between its two: `[negative, neutral, positive]`.
fn tiny_with_a_neutral_row() -> Analyzer {
    let file = SafeTensors::deserialize(tiny::WEIGHTS).expect("tiny weights parse");
    let mut rng = Rng(17);
    let tensors: Vec<(String, Vec<usize>, Vec<f32>)> = file
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            let mut shape = view.shape().to_vec();
            let mut values: Vec<f32> =
                view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            if name.starts_with("head.") {
                // One row of `[2, H]` (or one value of `[2]`) inserted after the first.
                let width = values.len() / 2;
                let row: Vec<f32> = (0..width).map(|_| rng.next(1.0)).collect();
                values.splice(width..width, row);
                shape[0] = 3;
            }
            (name, shape, values)
        })
        .collect();
    let mut config: serde_json::Value = serde_json::from_slice(tiny::CONFIG).expect("config parses");
    config["labels"] = serde_json::json!(LABELS);
    let config = serde_json::to_vec(&config).expect("serializes");
    Analyzer::from_bytes(&config, &three_class::serialize(&tensors), tiny::TOKENIZER).expect("loads")
}

#[test]
fn a_neutral_row_added_to_a_two_label_model_changes_no_score() {
    let (mut two, mut three) = (tiny::analyzer(), tiny_with_a_neutral_row());
    for kind in CPU {
        two.set_backend(kind).expect("this build has both CPU kernels");
        three.set_backend(kind).expect("this build has both CPU kernels");
        for text in TEXTS {
            let (a, b) = (two.analyze(text).expect("analyzes"), three.analyze(text).expect("analyzes"));
            let bits =
                |analysis: &sentir::Analysis| analysis.tokens.iter().map(|t| t.score.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b), "{}: scores of {text:?}", kind.name());
            let words =
                |analysis: &sentir::Analysis| analysis.words.iter().map(|w| w.score.to_bits()).collect::<Vec<_>>();
            assert_eq!(words(&a), words(&b), "{}: word scores of {text:?}", kind.name());
            let p = |analysis: &sentir::Analysis, label| analysis.probabilities.get(label).expect("a label");
            // Neutral takes its share from both: p(positive) against p(negative) keeps its ratio.
            let ratio =
                |analysis: &sentir::Analysis| f64::from(p(analysis, "positive")) / f64::from(p(analysis, "negative"));
            assert!((ratio(&a) / ratio(&b) - 1.0).abs() < 1e-5, "{text:?}: {} against {}", ratio(&a), ratio(&b));
        }
    }
}

/// Loads the tiny model with `labels` and, where given, `negative_label`; the error it is refused with.
fn refused(labels: &[&str], negative_label: Option<&str>) -> Error {
    let (mut config, weights) = three_class::files(6);
    config["labels"] = serde_json::json!(labels);
    if let Some(name) = negative_label {
        config["negative_label"] = name.into();
    }
    let config = serde_json::to_vec(&config).expect("serializes");
    Analyzer::from_bytes(&config, &weights, tiny::TOKENIZER).expect_err("must not load")
}

#[test]
fn a_negative_label_that_does_not_resolve_is_a_config_error_that_names_it() {
    for (labels, negative_label, says) in [
        (["sad", "neutral", "positive"], None, "`negative_label` is missing"),
        (["negative", "neutral", "positive"], Some("bad"), "`negative_label` is \"bad\""),
        (["negative", "neutral", "positive"], Some("positive"), "`negative_label` is \"positive\""),
    ] {
        let error = refused(&labels, negative_label);
        assert!(matches!(error, Error::Unsupported { field: "negative_label", .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(says) && message.contains("one of `labels`"), "{message}");
    }
}

#[test]
fn negative_label_picks_the_label_scores_measure_against() {
    // Scores against neutral instead: z_positive − z_neutral.
    let (mut config, weights) = three_class::files(7);
    config["negative_label"] = "neutral".into();
    let config = serde_json::to_vec(&config).expect("serializes");
    let analyzer = Analyzer::from_bytes(&config, &weights, tiny::TOKENIZER).expect("loads");
    assert_eq!((analyzer.config().negative_index(), analyzer.negative_label()), (Some(1), "neutral"));
    let text = TEXTS[2];
    assert_scores_match_reference(
        "negative_label neutral",
        &analyzer,
        text,
        &analyzer.analyze(text).expect("analyzes"),
    );
}
