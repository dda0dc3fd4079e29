//! `analyze` and a session on arbitrary text with the shipped model: an analysis whose offsets slice the text and
//! whose numbers are finite, or a typed error; never a panic. Each input is also analysed as the next version of
//! the previous input, through one session, against a fresh analysis. The tokenizer's encoding (sentir's recipe
//! where it applies) must be the `tokenizers` crate's, for the words model's tokenizer and the posts model's.
#![no_main]

use std::sync::{LazyLock, Mutex};

use libfuzzer_sys::fuzz_target;
use sentir::tokenize::Tokenizer;
use sentir::{Analyzer, Session};

static ANALYZER: LazyLock<Analyzer> = LazyLock::new(|| {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/default");
    Analyzer::from_dir(dir).expect("the shipped model loads")
});
static SESSION: LazyLock<Mutex<Session>> = LazyLock::new(|| Mutex::new(Session::new()));
/// The words model's tokenizer (`scripts/train.py`, sentir-en-lstm), the other pipeline the recipe knows; the
/// shipped model's is the posts one (`scripts/posts.py`).
static WORDS: LazyLock<Tokenizer> = LazyLock::new(|| {
    let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../models/sentir-en-lstm/tokenizer.json"));
    Tokenizer::from_bytes(bytes).expect("the words tokenizer loads")
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let tokenizer = ANALYZER.tokenizer();
    for tokenizer in [tokenizer, &*WORDS] {
        assert_eq!(
            tokenizer.encode(&text).ok(),
            tokenizer.encode_with_tokenizers(&text).ok(),
            "the recipe is tokenizers"
        );
    }
    let fresh = ANALYZER.analyze(&text);
    if let Ok(analysis) = &fresh {
        for token in &analysis.tokens {
            assert_eq!(text.get(token.start..token.end), Some(token.text.as_str()), "offsets slice the text");
            assert!(token.score.is_finite() && token.probability.is_finite());
        }
    }
    let mut session = SESSION.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let continued = ANALYZER.analyze_in(&mut session, &text);
    assert_eq!(continued.ok(), fresh.ok(), "a session gives what analyze gives");
});
