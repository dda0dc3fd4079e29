//! Whatever text comes in, `analyze` answers or returns a typed error, in bounded time, never panicking: one table
//! of hostile texts, run natively, in node and in headless Chromium (lone surrogates, which only JS strings can
//! hold, are in `js_api.rs`).
//!
//! What happens to a text over the model's limits: more than `max_length` tokens (16,384 for sentir-en-posts-distilled) is
//! `Error::TooLong`, and more than 32 bytes per token of that (512 KiB) is `Error::TooLarge` before tokenizing; both
//! messages say to split the text (`analyzeBatch` over its sentences, for example).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use sentir::{Analysis, Error};
use sentir_tests::posts_distilled;

enum Expect {
    /// An analysis with this many tokens, or at least this many (`None` for the upper end).
    Tokens(usize, Option<usize>),
    /// An error of this kind.
    Fails(fn(&Error) -> bool),
}

fn cases() -> Vec<(&'static str, String, Expect)> {
    use Expect::{Fails, Tokens};
    let max = posts_distilled::analyzer().config().max_length;
    vec![
        ("empty", String::new(), Tokens(0, Some(0))),
        ("whitespace only", " \t\n\r \u{3000}\u{a0} ".into(), Tokens(0, Some(0))),
        ("1 MB of text", "good ".repeat(200_000), Fails(|e| matches!(e, Error::TooLarge { .. }))),
        // Not one letter repeated: the post tokenizer cuts a run of one letter to three.
        ("one 100,000-character word", "ab".repeat(50_000), Tokens(1, Some(1))),
        ("one letter 100,000 times", "a".repeat(100_000), Tokens(1, Some(2))),
        ("exactly the maximum length", "good ".repeat(max), Tokens(max, Some(max))),
        ("one token over the maximum", "good ".repeat(max + 1), Fails(|e| matches!(e, Error::TooLong { .. }))),
        ("emoji and ZWJ sequences", "👨‍👩‍👧‍👦 loves it 🏳️‍🌈 👍🏽❤️‍🔥 🇫🇷".into(), Tokens(4, None)),
        ("right to left", "هذا المطعم رائع جدا".into(), Tokens(4, None)),
        ("mixed scripts", "great 好 שלום bad Ελληνικά хорошо".into(), Tokens(6, None)),
        (
            "combining marks",
            "goo\u{301}\u{302}\u{303}d z\u{334}\u{335}\u{336}a\u{337}l\u{338}go ".repeat(50),
            Tokens(50, None),
        ),
        ("NUL and control characters", "good\0bad\u{1}\u{7}\u{1b}[31m red\u{7f}\u{85}\u{200b}".into(), Tokens(3, None)),
        (
            "noncharacters and the replacement character",
            "\u{fffd}\u{ffff}\u{fdd0} ok \u{10ffff}".into(),
            Tokens(1, None),
        ),
        ("a URL and an email address", "see https://example.com/a?b=c&d=%20 or me@example.com".into(), Tokens(3, None)),
        ("punctuation only", "!!!???...,,,;;;".repeat(100), Tokens(100, None)),
    ]
}

/// Milliseconds since some fixed point.
fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Date::now();
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::OnceLock;
        static START: OnceLock<std::time::Instant> = OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64() * 1e3
    }
}

#[track_caller]
fn assert_sound(name: &str, text: &str, analysis: &Analysis) {
    let total: f32 = analysis.probabilities.0.iter().map(|(_, p)| p).sum();
    assert!((total - 1.0).abs() < 1e-4, "{name}: probabilities sum to {total}");
    let mut previous_start = 0;
    for token in &analysis.tokens {
        assert!(token.score.is_finite() && token.probability.is_finite(), "{name}: {token:?}");
        // Two tokens may share a span (one character that normalises to two pieces), so starts only never go back.
        assert!(token.start <= token.end && token.start >= previous_start, "{name}: offsets out of order");
        assert_eq!(text.get(token.start..token.end), Some(token.text.as_str()), "{name}: offsets slice the text");
        previous_start = token.start;
    }
    let word_tokens: usize = analysis.words.iter().map(|w| w.token_count).sum();
    assert_eq!(word_tokens, analysis.tokens.len(), "{name}: every token is in one word");
}

#[test]
fn every_hostile_text_gets_an_answer_or_a_typed_error_in_bounded_time() {
    let analyzer = posts_distilled::analyzer();
    for (name, text, expect) in cases() {
        let started = now_ms();
        let outcome = analyzer.analyze(&text);
        let millis = now_ms() - started;
        println!(
            "{name}: {} in {millis:.1} ms",
            outcome.as_ref().map_or_else(|e| e.to_string(), |a| format!("{} tokens", a.tokens.len()))
        );
        match (expect, outcome) {
            (Expect::Tokens(min, max), Ok(analysis)) => {
                let n = analysis.tokens.len();
                assert!(n >= min && max.is_none_or(|max| n <= max), "{name}: {n} tokens, expected {min}..{max:?}");
                assert_sound(name, &text, &analysis);
            }
            (Expect::Fails(is_kind), Err(error)) => {
                assert!(is_kind(&error), "{name}: the wrong error: {error:?}");
                assert!(error.to_string().contains("split it"), "{name}: the message says what to do: {error}");
            }
            (Expect::Tokens(..), Err(error)) => panic!("{name}: failed: {error}"),
            (Expect::Fails(_), Ok(analysis)) => {
                panic!("{name}: expected an error, got {} tokens", analysis.tokens.len())
            }
        }
        // A guard against hangs, not a benchmark: unoptimised test builds in a browser still take well under this.
        assert!(millis < 30_000.0, "{name}: took {millis:.0} ms");
    }
}

#[test]
fn a_batch_of_hostile_texts_names_the_one_that_failed() {
    let analyzer = posts_distilled::analyzer();
    let large = "good ".repeat(200_000);
    let texts = ["fine", "", large.as_str(), "👍🏽"];
    let error = analyzer.analyze_batch(&texts).expect_err("the third is too large");
    assert!(matches!(error, Error::InBatch { index: 2, .. }), "{error:?}");
    assert!(error.to_string().starts_with("text 2 of the batch: "), "{error}");
    let ok = analyzer.analyze_batch(&["fine", "", "👍🏽", "\0"]).expect("the rest analyse");
    assert_eq!(ok.len(), 4);
}
