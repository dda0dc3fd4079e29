//! The crate against golden vectors from independent implementations: Python `tokenizers` + numpy for the tiny test
//! model, PyTorch (`nn.GRU`, and the same cell with its reset gate before the product) for the tiny GRU. Runs
//! natively, in node and in headless Chromium.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use sentir::BackendKind;
use sentir::recurrent::reference;
use sentir_tests::{GOLDEN, TokenizerCase, assert_encodes_like_python, assert_matches_pytorch, tiny, tiny_gru};

#[test]
fn tokenizer_matches_python() {
    let analyzer = tiny::analyzer();
    for case in tiny::golden().cases {
        let expected = TokenizerCase {
            text: case.text.clone(),
            ids: case.ids,
            byte_offsets: case.byte_offsets,
            word_ids: case.word_ids,
        };
        assert_encodes_like_python(analyzer.tokenizer(), &expected);
        let encoding = analyzer.tokenizer().encode(&case.text).expect("encodes");
        assert_eq!(encoding.pieces, case.pieces, "pieces of {:?}", case.text);
    }
}

#[test]
fn reference_lstm_matches_numpy_states_and_logits() {
    let analyzer = tiny::analyzer();
    for case in tiny::golden().cases {
        let trace = reference::forward(analyzer.model(), &case.ids).expect("runs");
        assert_eq!(trace.hidden.len(), case.hidden.len(), "layers");
        for (layer, (hidden, cell)) in case.hidden.iter().zip(&case.cell).enumerate() {
            let what = |state| format!("{state} of layer {layer} for {:?}", case.text);
            GOLDEN.assert_close(&what("h"), &trace.hidden[layer], &hidden.concat());
            GOLDEN.assert_close(&what("c"), &trace.cell[layer], &cell.concat());
        }
        GOLDEN.assert_close(&format!("logits for {:?}", case.text), &trace.logits, &case.logits.concat());
    }
}

#[test]
fn analysis_matches_numpy_probabilities_and_scores() {
    let analyzer = tiny::analyzer();
    for case in tiny::golden().cases {
        let analysis = analyzer.analyze(&case.text).expect("analyzes");
        let text = format!("{:?}", case.text);
        assert_eq!(analysis.label, case.label, "label of {text}");
        let probabilities: Vec<f32> = analysis.probabilities.0.iter().map(|&(_, p)| p).collect();
        GOLDEN.assert_close(&format!("probabilities of {text}"), &probabilities, &case.probabilities);

        let field = |f: fn(&sentir::Token) -> f32| analysis.tokens.iter().map(f).collect::<Vec<_>>();
        GOLDEN.assert_close(&format!("token scores of {text}"), &field(|t| t.score), &case.scores);
        GOLDEN.assert_close(&format!("running probabilities of {text}"), &field(|t| t.probability), &case.running);
        let token_texts: Vec<&str> = analysis.tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(token_texts, case.token_texts, "token texts of {text}");

        assert_eq!(analysis.words.len(), case.words.len(), "words of {text}");
        for (word, expected) in analysis.words.iter().zip(&case.words) {
            assert_eq!(word.text, expected.text, "word of {text}");
            assert_eq!((word.start, word.end), expected.byte_offsets, "offsets of {:?}", word.text);
            assert_eq!((word.first_token, word.token_count), (expected.first_token, expected.token_count));
            GOLDEN.assert_close(&format!("score of word {:?}", word.text), &[word.score], &[expected.score]);
        }
    }
}

#[test]
fn utf16_offsets_match_python() {
    let analyzer = tiny::analyzer();
    for case in tiny::golden().cases {
        let analysis = analyzer.analyze(&case.text).expect("analyzes").with_offsets(&case.text, sentir::Unit::Utf16);
        let tokens: Vec<_> = analysis.tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(tokens, case.utf16_offsets, "token UTF-16 offsets of {:?}", case.text);
        let words: Vec<_> = analysis.words.iter().map(|w| (w.start, w.end)).collect();
        let expected: Vec<_> = case.words.iter().map(|w| w.utf16_offsets).collect();
        assert_eq!(words, expected, "word UTF-16 offsets of {:?}", case.text);
    }
}

#[test]
fn batch_gives_the_same_results_as_one_at_a_time() {
    let analyzer = tiny::analyzer();
    let texts: Vec<String> = tiny::golden().cases.into_iter().map(|case| case.text).collect();
    let batch = analyzer.analyze_batch(&texts).expect("analyzes");
    for (text, analysis) in texts.iter().zip(batch) {
        assert_eq!(analysis, analyzer.analyze(text).expect("analyzes"));
    }
}

#[test]
fn text_over_the_maximum_length_is_a_typed_error_naming_its_batch_index() {
    let analyzer = tiny::analyzer();
    let max = analyzer.config().max_length;
    let long = "good ".repeat(max + 1);
    let error = analyzer.analyze_batch(&["fine", long.as_str()]).expect_err("too long");
    match error {
        sentir::Error::InBatch { index: 1, source } => {
            assert!(matches!(*source, sentir::Error::TooLong { tokens, max: m } if tokens == max + 1 && m == max))
        }
        other => panic!("expected TooLong at index 1, got {other:?}"),
    }
}

#[test]
fn gru_matches_pytorch_states_logits_probabilities_and_scores_on_both_cpu_kernels() {
    for reset in tiny_gru::RESETS {
        let mut analyzer = tiny_gru::analyzer(reset);
        for kind in [BackendKind::CpuSimd, BackendKind::CpuScalar] {
            analyzer.set_backend(kind).expect("this build has both CPU kernels");
            assert_matches_pytorch(
                &format!("GRU, reset {reset:?}, {}", kind.name()),
                &analyzer,
                &tiny_gru::golden(reset),
            );
        }
    }
}

#[test]
fn gru_traces_have_no_cell_state() {
    for reset in tiny_gru::RESETS {
        let analyzer = tiny_gru::analyzer(reset);
        let ids = analyzer.tokenizer().encode("not good at all").expect("encodes").ids;
        let trace = reference::forward(analyzer.model(), &ids).expect("runs");
        assert_eq!(trace.hidden.len(), 2, "two layers");
        assert!(trace.cell.iter().all(Vec::is_empty), "{reset:?}: a GRU's state is h alone");
        assert!(trace.states_after(2).iter().all(|state| state.c.is_empty() && state.h.len() == 5));
    }
}

#[test]
fn gru_batch_gives_the_same_results_as_one_at_a_time() {
    let texts: Vec<String> = tiny::golden().cases.into_iter().map(|case| case.text).collect();
    for reset in tiny_gru::RESETS {
        let analyzer = tiny_gru::analyzer(reset);
        let batch = analyzer.analyze_batch(&texts).expect("analyzes");
        for (text, analysis) in texts.iter().zip(batch) {
            assert_eq!(analysis, analyzer.analyze(text).expect("analyzes"), "{reset:?}: {text:?}");
        }
    }
}
