//! A session follows a text as it is edited and continues from the states it kept: its analyses must be exactly
//! (bit for bit) what a fresh `analyze` gives, on both CPU kernels, for appends, edits in the middle, deletions
//! and unrelated texts. Runs natively, in node and in headless Chromium.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use sentir::backend::Backend;
use sentir::{BackendKind, Session};
use sentir_tests::random::{CELLS, random_batch, random_model_of};
use sentir_tests::{posts_distilled, tiny_gru};

const CPU: [BackendKind; 2] = [BackendKind::CpuSimd, BackendKind::CpuScalar];

/// What someone typing, fixing a typo, pasting and deleting sends: each version of the text in turn.
fn edits() -> Vec<String> {
    let typed = "The food was not good, but the staff were wonderful 😍 and the café crème was great!";
    let mut versions: Vec<String> =
        typed.char_indices().map(|(at, ch)| typed[..at + ch.len_utf8()].to_owned()).collect();
    versions.extend(
        [
            "The food was not bad, but the staff were wonderful 😍 and the café crème was great!",
            "The food was not bad, but the staff were wonderful 😍 and the café crème was great! Would go again.",
            "The food was not bad",
            "",
            "   ",
            "Terrible. Never again.",
            "Terrible. Never again",
        ]
        .map(str::to_owned),
    );
    versions
}

#[test]
fn session_analyses_are_exactly_fresh_analyses() {
    let gru = tiny_gru::RESETS.map(|reset| (format!("GRU, reset {reset:?}"), tiny_gru::analyzer(reset)));
    for (model, mut analyzer) in
        [("sentir-en-posts-distilled".to_owned(), posts_distilled::analyzer())].into_iter().chain(gru)
    {
        for kind in CPU {
            analyzer.set_backend(kind).expect("this build has both CPU kernels");
            let mut session = Session::new();
            let mut reused = 0;
            for text in edits() {
                let continued = analyzer.analyze_in(&mut session, &text).expect("analyzes");
                let fresh = analyzer.analyze(&text).expect("analyzes");
                assert_eq!(continued, fresh, "{model}, {}: the session's analysis of {text:?}", kind.name());
                assert!(session.reused() <= fresh.tokens.len());
                reused += session.reused();
            }
            // Typing 85 characters (about 25 tokens) one at a time: all but the last token or two are reused each
            // time.
            assert!(reused > 400, "{model}, {}: only {reused} tokens were reused over the whole edit", kind.name());
        }
    }
}

#[test]
fn appending_reads_only_the_new_tokens() {
    let analyzer = posts_distilled::analyzer();
    let mut session = Session::new();
    let first = analyzer.analyze_in(&mut session, "The acting was not good.").expect("analyzes");
    assert_eq!(session.reused(), 0, "a new session reads the whole text");
    analyzer.analyze_in(&mut session, "The acting was not good. The music was wonderful.").expect("analyzes");
    assert_eq!(session.reused(), first.tokens.len(), "every token of the earlier text is reused");
    analyzer.analyze_in(&mut session, "The acting was great. The music was wonderful.").expect("analyzes");
    assert_eq!(session.reused(), 3, "an edit reuses the tokens before it: 'the acting was'");
}

#[test]
fn a_failed_call_leaves_the_session_as_it_was() {
    let analyzer = posts_distilled::analyzer();
    let mut session = Session::new();
    analyzer.analyze_in(&mut session, "not good").expect("analyzes");
    let too_large = "good ".repeat(200_000);
    assert!(analyzer.analyze_in(&mut session, &too_large).is_err(), "1 MB is over sentir-en-posts-distilled's limit");
    let after = analyzer.analyze_in(&mut session, "not good at all").expect("analyzes");
    assert_eq!(session.reused(), 2, "the session still holds 'not good'");
    assert_eq!(after, analyzer.analyze("not good at all").expect("analyzes"));
}

#[test]
fn a_session_never_continues_another_analyzers_text() {
    let (a, b) = (posts_distilled::analyzer(), posts_distilled::analyzer());
    let mut session = Session::new();
    a.analyze_in(&mut session, "not good").expect("analyzes");
    let from_b = b.analyze_in(&mut session, "not good at all").expect("analyzes");
    assert_eq!(session.reused(), 0, "b does not trust a's trace");
    assert_eq!(from_b, b.analyze("not good at all").expect("analyzes"));
}

/// `Backend::resume` on random models of every cell with two layers and hidden sizes off the lane width (padded
/// units must carry their start state too): bit-identical to a forward pass over the whole text.
#[test]
fn resuming_gives_the_forward_pass_bit_for_bit() {
    for cell in CELLS {
        for (seed, hidden) in [(1, 5), (2, 17)] {
            let model = random_model_of(cell, seed, 40, 6, hidden, 2);
            let mut backend = Backend::choose(&model);
            let texts = random_batch(seed + 7, 40, &[20, 20]);
            for kind in CPU {
                backend.force(kind, &model).expect("this build has both CPU kernels");
                let (earlier, _) = backend.forward(&model, &texts[0]).expect("runs");
                for keep in [0, 1, 4, 13, 20] {
                    let ids: Vec<u32> = texts[0][..keep].iter().chain(&texts[1][keep..]).copied().collect();
                    let (resumed, ran, reused) = backend.resume(&model, Some((&earlier, keep)), &ids).expect("runs");
                    let (fresh, _) = backend.forward(&model, &ids).expect("runs");
                    let what = format!("{cell:?} {} H={hidden}: resumed after {keep} of 20 tokens", kind.name());
                    assert_eq!(resumed, fresh, "{what}");
                    assert_eq!((ran.kind, reused), (kind, keep), "{what}");
                }
            }
        }
    }
}
