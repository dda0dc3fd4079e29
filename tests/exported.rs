//! The exported models against PyTorch (`scripts/export.py`): sentir-en-posts-distilled (the default), the posts
//! model before it with its GRU twin, and the movie model before that: each tokenizer encodes exactly as Python's,
//! and probabilities and per-token scores match within 1e-5.
//! Runs natively, in node and in headless Chromium.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use sentir_tests::{
    Golden, ParityCase, TokenizerCase, assert_encodes_like_python, assert_matches_pytorch, gru_posts, movies, posts,
    posts_distilled,
};

#[test]
fn tokenizer_encodes_exactly_as_python() {
    encodes_exactly_as_python(posts_distilled::analyzer(), posts_distilled::tokenizer_golden());
    encodes_exactly_as_python(posts::analyzer(), posts::tokenizer_golden());
    encodes_exactly_as_python(gru_posts::analyzer(), gru_posts::tokenizer_golden());
    encodes_exactly_as_python(movies::analyzer(), movies::tokenizer_golden());
}

#[test]
fn probabilities_and_scores_match_pytorch() {
    matches_pytorch(posts_distilled::analyzer(), posts_distilled::golden());
    matches_pytorch(posts::analyzer(), posts::golden());
    matches_pytorch(gru_posts::analyzer(), gru_posts::golden());
    matches_pytorch(movies::analyzer(), movies::golden());
}

fn encodes_exactly_as_python(analyzer: sentir::Analyzer, golden: Golden<TokenizerCase>) {
    assert!(golden.cases.len() >= 50, "only {} tokenizer cases", golden.cases.len());
    for case in &golden.cases {
        assert_encodes_like_python(analyzer.tokenizer(), case);
    }
}

fn matches_pytorch(analyzer: sentir::Analyzer, golden: Golden<ParityCase>) {
    assert!(golden.cases.len() >= 20, "only {} parity cases", golden.cases.len());
    assert_matches_pytorch(&golden.model, &analyzer, &golden.cases);
}
