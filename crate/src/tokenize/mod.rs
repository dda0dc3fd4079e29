//! Tokenization: a Hugging Face `tokenizer.json`, giving ids, byte offsets and word ids together.
//!
//! sentir never adds special tokens (no `[CLS]`/`[SEP]`), and it turns off any truncation or padding the file
//! asks for: every token the model reads is a piece of the text, so every step of the LSTM has a span of the
//! text it belongs to, and a text too long for the model is an error rather than silently cut.
//!
//! The `tokenizers` crate is the source of truth (for spans, before the rule below). Two shortcuts give its
//! encodings faster, each for the texts it can vouch for: `Recipe`, sentir's own tokenizers (`scripts/train.py`'s
//! for words, `scripts/posts.py`'s for posts, with @mentions, emoticons and runs cut to three) written out for the
//! common texts, and, for ASCII texts the recipe leaves (or every ASCII text, with another tokenizer), a clone
//! without the normalizers that leave ASCII alone.
//!
//! A token's span is where `tokenizers` puts it, widened by one rule of sentir's own (`widen_spans`) wherever a
//! normalizer rewrote the text: a placeholder (`[url]`, `[user]`) covers the text it replaced, and characters a
//! normalizer removed (a skin tone, the fourth `o` of `soooooo`, a combining accent) belong to the token before them.
//! So every character that belongs to a token is inside a span, and a page that colours the spans colours it.

mod file;
mod recipe;
mod spans;

use file::File;
use recipe::{Pipeline, Recipe};
use spans::widen_spans;

use std::sync::{Arc, OnceLock};

use crate::error::{Error, Result};

/// A loaded `tokenizer.json`.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    /// The `tokenizers` crate's pipeline: built at load, or, when the recipe takes the file, from `file` the first
    /// time a text needs it (a CJK character, say).
    pipeline: OnceLock<std::result::Result<Pipelines, String>>,
    /// The file's bytes, while `pipeline` may still have to be built from them.
    file: Option<Arc<[u8]>>,
    /// sentir's own tokenizer recipe, encoded directly, when the file is that recipe (see [`Recipe`]).
    recipe: Option<Recipe>,
    /// The vocabulary's spelling of every id, added tokens included.
    pieces: Vec<String>,
}

/// The `tokenizers` crate's pipeline for a file.
#[derive(Debug, Clone)]
struct Pipelines {
    inner: tokenizers::Tokenizer,
    /// A clone of `inner` without the normalizers that leave ASCII text as it is (Unicode normalization forms,
    /// `StripAccents`), for ASCII texts: they were a quarter of the time of encoding one, and on ASCII they change
    /// nothing, offsets included. `None` when the file has none of them, or a normalizer this cannot vouch for.
    ascii: Option<tokenizers::Tokenizer>,
}

/// Normalizer types that change nothing in ASCII text.
const IDENTITY_ON_ASCII: [&str; 5] = ["NFC", "NFD", "NFKC", "NFKD", "StripAccents"];
/// Normalizer types that keep ASCII text ASCII (a `Replace` only when its replacement is ASCII).
const ASCII_TO_ASCII: [&str; 3] = ["Lowercase", "Strip", "Replace"];

/// One text's tokens, without their spellings: an [`Encoding`] less `pieces`, for the analyzer, which looks a
/// spelling up in [`Tokenizer::pieces`] where it needs one.
#[derive(Debug, PartialEq, Eq, Default)]
pub(crate) struct Tokens {
    pub(crate) ids: Vec<u32>,
    pub(crate) offsets: Vec<(usize, usize)>,
    pub(crate) word_ids: Vec<Option<u32>>,
}

/// One text, tokenized.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encoding {
    /// Vocabulary ids, one per token.
    pub ids: Vec<u32>,
    /// The vocabulary's spelling of each token (for example `##ful` for a WordPiece continuation).
    pub pieces: Vec<String>,
    /// Byte offsets `[start, end)` of each token in the original text, widened over the text the normalizers rewrote
    /// by the rule in the module docs.
    pub offsets: Vec<(usize, usize)>,
    /// The word (pre-tokenizer split) each token belongs to; tokens of one word share an id.
    pub word_ids: Vec<Option<u32>>,
}

impl Tokenizer {
    /// Loads a tokenizer from the bytes of a `tokenizer.json` file.
    ///
    /// A file sentir's own tokenizer recipe takes is read by sentir: the `tokenizers` crate reads all of it but the
    /// vocabulary, normalizer and pre-tokenizer (which are the recipe's own) at once, so that what it would refuse
    /// is refused here, and builds its whole pipeline the first time a text needs it. The vocabulary's JSON values
    /// and `tokenizers`' maps of it, and the pre-tokenizer's regular expressions, were most of loading a model in a
    /// page. Any other file is read whole by `tokenizers` at once.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tokenizer> {
        match serde_json::from_slice::<File>(bytes) {
            Ok(file) => Tokenizer::with_recipe(file, bytes),
            // Not JSON, or a model or vocabulary that is not an object: `tokenizers` says what is wrong.
            Err(_) => Tokenizer::whole(bytes),
        }
    }

    /// The tokenizer of a file read by [`File`]: the recipe's if it takes the file, else [`Tokenizer::whole`].
    fn with_recipe(mut file: File, bytes: &[u8]) -> Result<Tokenizer> {
        let recipe = Pipeline::of(&file.parts).and_then(|pipeline| {
            let vocabulary = file.word_pieces()?;
            Some((Recipe::new(&vocabulary, pipeline), vocabulary.pieces))
        });
        let Some((recipe, pieces)) = recipe else { return Tokenizer::whole(bytes) };
        // What `tokenizers` would refuse in the rest (a decoder it does not know, say) is refused now, as before.
        let mut rest = file.parts;
        if let Some(model) = rest.get_mut("model").and_then(serde_json::Value::as_object_mut) {
            model.insert("vocab".to_owned(), serde_json::json!({}));
        }
        rest["normalizer"] = serde_json::Value::Null;
        rest["pre_tokenizer"] = serde_json::Value::Null;
        Pipelines::parse(rest)?;
        Ok(Tokenizer { pipeline: OnceLock::new(), file: Some(bytes.into()), recipe: Some(recipe), pieces })
    }

    /// The tokenizer of a file the `tokenizers` crate reads whole, its pipeline built now.
    fn whole(bytes: &[u8]) -> Result<Tokenizer> {
        let pipelines = Pipelines::read(bytes)?;
        let pieces = spellings(&pipelines.inner);
        Ok(Tokenizer { pipeline: OnceLock::from(Ok(pipelines)), file: None, recipe: None, pieces })
    }

    /// The `tokenizers` crate's pipeline, built now if it was deferred.
    fn pipelines(&self) -> Result<&Pipelines> {
        let built = self.pipeline.get_or_init(|| match &self.file {
            Some(file) => Pipelines::read(file).map_err(|e| e.to_string()),
            None => Err("the tokenizer has no pipeline".to_owned()),
        });
        built.as_ref().map_err(|message| Error::Tokenizer { message: message.clone() })
    }

    /// The number of ids the tokenizer can produce, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.pieces.len()
    }

    /// Every id's spelling in the vocabulary (the `piece` of a token with that id), indexed by id.
    pub fn pieces(&self) -> &[String] {
        &self.pieces
    }

    /// Tokenizes `text` without special tokens.
    pub fn encode(&self, text: &str) -> Result<Encoding> {
        Ok(self.spelled(self.tokenize(text, true)?))
    }

    /// [`Tokenizer::encode`] without the pieces' spellings, which cost an allocation each.
    pub(crate) fn tokens(&self, text: &str) -> Result<Tokens> {
        self.tokenize(text, true)
    }

    /// [`Tokenizer::encode`] by the `tokenizers` crate alone, without the recipe: the oracle the recipe is tested
    /// and fuzzed against (`fuzz/fuzz_targets/analyze.rs`). Its spans are widened as `encode`'s are.
    pub fn encode_with_tokenizers(&self, text: &str) -> Result<Encoding> {
        Ok(self.spelled(self.tokenize(text, false)?))
    }

    /// The one place an encoding is made: by the recipe when `recipe` allows it and the recipe takes `text`, else by
    /// the `tokenizers` crate; then its spans are widened ([`widen_spans`]).
    fn tokenize(&self, text: &str, recipe: bool) -> Result<Tokens> {
        let by_recipe = if recipe { self.recipe.as_ref().and_then(|recipe| recipe.encode(text)) } else { None };
        let mut tokens = match by_recipe {
            Some(tokens) => tokens,
            None => {
                let pipelines = self.pipelines()?;
                let tokenizer = match &pipelines.ascii {
                    Some(ascii) if text.is_ascii() => ascii,
                    _ => &pipelines.inner,
                };
                let encoding = tokenizer.encode(text, false).map_err(|e| Error::Tokenize { message: e.to_string() })?;
                Tokens {
                    ids: encoding.get_ids().to_vec(),
                    offsets: encoding.get_offsets().to_vec(),
                    word_ids: encoding.get_word_ids().to_vec(),
                }
            }
        };
        let ids = &tokens.ids;
        widen_spans(text, &mut tokens.offsets, |token| {
            ids.get(token).and_then(|&id| self.pieces.get(id as usize)).map(String::as_str)
        });
        Ok(tokens)
    }

    /// `tokens` with each token's spelling (`tokenizers`' own for an id beyond the spelling table, which a file
    /// whose ids leave gaps can have).
    fn spelled(&self, tokens: Tokens) -> Encoding {
        let Tokens { ids, offsets, word_ids } = tokens;
        let vocabulary = self.pipeline.get().and_then(|built| built.as_ref().ok()).map(|pipelines| &pipelines.inner);
        let pieces = ids
            .iter()
            .map(|&id| match self.pieces.get(id as usize) {
                Some(piece) => piece.clone(),
                None => vocabulary.and_then(|v| v.id_to_token(id)).unwrap_or_default(),
            })
            .collect();
        Encoding { ids, pieces, offsets, word_ids }
    }
}

impl Pipelines {
    /// The pipeline a whole `tokenizer.json` describes.
    fn read(bytes: &[u8]) -> Result<Pipelines> {
        // JSON first, then the tokenizer: tokenizers 0.23.2 panics (an `expect` in its decoder deserializer)
        // instead of returning an error when the `decoder` value is not valid JSON, which a malformed file hits.
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(json_error)?;
        if let Some(normalizer) = value.get("normalizer") {
            check_precompiled(normalizer)?;
        }
        Pipelines::new(value)
    }

    /// The pipeline `value` (a whole `tokenizer.json`) describes.
    fn new(value: serde_json::Value) -> Result<Pipelines> {
        let ascii_normalizer = value.get("normalizer").and_then(without_identities_on_ascii);
        Pipelines::with_ascii(Pipelines::parse(value)?, ascii_normalizer)
    }

    /// `inner`, with the clone for ASCII texts that `ascii_normalizer` makes, if any.
    fn with_ascii(inner: tokenizers::Tokenizer, ascii_normalizer: Option<serde_json::Value>) -> Result<Pipelines> {
        let ascii = match ascii_normalizer {
            Some(normalizer) => {
                let normalizer: tokenizers::NormalizerWrapper =
                    serde_json::from_value(normalizer).map_err(json_error)?;
                let mut ascii = inner.clone();
                ascii.with_normalizer(Some(normalizer)).map_err(tokenizer_error)?;
                Some(ascii)
            }
            None => None,
        };
        Ok(Pipelines { inner, ascii })
    }

    /// `value` as a `tokenizers` tokenizer, without the truncation and padding it may ask for.
    fn parse(value: serde_json::Value) -> Result<tokenizers::Tokenizer> {
        let mut tokenizer: tokenizers::Tokenizer = serde_json::from_value(value).map_err(json_error)?;
        tokenizer.with_truncation(None).map_err(tokenizer_error)?;
        tokenizer.with_padding(None);
        Ok(tokenizer)
    }
}

/// Every id's spelling in `vocabulary`, added tokens included.
fn spellings(vocabulary: &tokenizers::Tokenizer) -> Vec<String> {
    let size = vocabulary.get_vocab_size(true);
    (0..size).map(|id| vocabulary.id_to_token(id as u32).unwrap_or_default()).collect()
}

fn json_error(e: serde_json::Error) -> Error {
    Error::Tokenizer { message: e.to_string() }
}

fn tokenizer_error(e: tokenizers::Error) -> Error {
    Error::Tokenizer { message: e.to_string() }
}

/// `tokenizer.json`'s `normalizer` without the normalizers in [`IDENTITY_ON_ASCII`], if it has some and every other
/// normalizer keeps ASCII text ASCII (so that the removed ones would have met ASCII only); otherwise `None`.
fn without_identities_on_ascii(normalizer: &serde_json::Value) -> Option<serde_json::Value> {
    use serde_json::Value;
    let type_of = |normalizer: &Value| normalizer.get("type").and_then(Value::as_str).map(str::to_owned);
    let normalizers = match normalizer {
        Value::Null => return None,
        sequence if type_of(sequence).as_deref() == Some("Sequence") => {
            sequence.get("normalizers")?.as_array()?.clone()
        }
        single => vec![single.clone()],
    };
    let keeps_ascii = |normalizer: &Value| match type_of(normalizer).as_deref() {
        Some("Replace") => normalizer.get("content").and_then(Value::as_str).is_some_and(str::is_ascii),
        Some(kind) => ASCII_TO_ASCII.contains(&kind) || IDENTITY_ON_ASCII.contains(&kind),
        None => false,
    };
    if !normalizers.iter().all(keeps_ascii) {
        return None;
    }
    let kept: Vec<Value> = normalizers
        .iter()
        .filter(|n| !IDENTITY_ON_ASCII.contains(&type_of(n).as_deref().unwrap_or("")))
        .cloned()
        .collect();
    if kept.len() == normalizers.len() {
        return None;
    }
    Some(serde_json::json!({ "type": "Sequence", "normalizers": kept }))
}

/// Every `Precompiled` normalizer in `value` (a `normalizer`, possibly a `Sequence` of them) must parse: tokenizers
/// 0.23.2 panics on a SentencePiece charsmap that does not (an `expect` where its siblings return an error;
/// upstream huggingface/tokenizers#2156), so it is parsed here first, with the same parser.
fn check_precompiled(value: &serde_json::Value) -> Result<()> {
    use serde_json::Value;
    match value {
        Value::Object(fields) => {
            if fields.get("type").and_then(Value::as_str) == Some("Precompiled") {
                serde_json::from_value::<spm_precompiled::Precompiled>(value.clone()).map_err(|e| {
                    Error::Tokenizer { message: format!("its Precompiled normalizer's charsmap does not parse: {e}") }
                })?;
            }
            fields.values().try_for_each(check_precompiled)
        }
        Value::Array(items) => items.iter().try_for_each(check_precompiled),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words tokenizer (`scripts/train.py`, sentir-en-lstm), the first the recipe wrote out.
    pub(super) const WORDS_TOKENIZER: &[u8] = include_bytes!("../../../models/sentir-en-lstm/tokenizer.json");

    /// A xorshift generator from `seed`: `next(below)` is in `0..below`. Seeded, so a failure repeats.
    pub(super) fn xorshift(seed: u32) -> impl FnMut(usize) -> usize {
        let mut state = seed;
        move |below| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as usize % below
        }
    }

    #[test]
    fn the_recipe_leaves_tokenizers_pipeline_unbuilt_until_a_text_needs_it() {
        let tokenizer = Tokenizer::from_bytes(WORDS_TOKENIZER).expect("loads");
        assert!(tokenizer.recipe.is_some() && tokenizer.pipeline.get().is_none(), "not built at load");
        tokenizer.encode("Not good at all, they're fine").expect("encodes");
        assert!(tokenizer.pipeline.get().is_none(), "the recipe took the text");
        let text = "日本 is not bad";
        let encoding = tokenizer.encode(text).expect("encodes");
        assert!(matches!(tokenizer.pipeline.get(), Some(Ok(_))), "built for a text the recipe leaves");
        assert_eq!(encoding, tokenizer.encode_with_tokenizers(text).expect("encodes"));
        // A clone made before the pipeline was built builds its own, the same.
        let fresh = Tokenizer::from_bytes(WORDS_TOKENIZER).expect("loads").clone();
        assert_eq!(fresh.encode(text).expect("encodes"), encoding);
    }

    /// The tokenizers of `models/` that the recipe takes, each read by sentir ([`File`]) and by `tokenizers` whole.
    fn both_readings() -> Vec<(Tokenizer, Tokenizer)> {
        let files = [
            WORDS_TOKENIZER,
            include_bytes!("../../../models/sentir-en-posts/tokenizer.json"),
            include_bytes!("../../../models/sentir-en-posts-distilled/tokenizer.json"),
        ];
        files.map(|file| (Tokenizer::from_bytes(file).expect("loads"), Tokenizer::whole(file).expect("loads"))).into()
    }

    #[test]
    fn sentir_reads_a_vocabulary_as_tokenizers_does() {
        use tokenizers::{Model, ModelWrapper};
        for (ours, whole) in both_readings() {
            assert!(ours.recipe.is_some(), "the recipe takes the file");
            assert_eq!(ours.pieces, whole.pieces);
            let pipelines = whole.pipelines().expect("built");
            let ModelWrapper::WordPiece(model) = pipelines.inner.get_model() else { unreachable!("a WordPiece") };
            let mut vocab: Vec<(String, u32)> = model.get_vocab().into_iter().collect();
            vocab.sort_by_key(|&(_, id)| id);
            let pieces: Vec<String> = vocab.into_iter().map(|(piece, _)| piece).collect();
            assert_eq!(pieces, ours.pieces, "the model's vocabulary, added tokens in it");
        }
    }

    #[test]
    fn a_pipeline_built_later_encodes_as_the_whole_file_read_at_once() {
        // Added tokens, placeholders, emoji, accents, runs, on both recipes' files.
        let texts = [
            "[UNK] [url] [user] [ unk ] great!!!! 👍🏽 soooo",
            "@united 日本 https://x.co/a e\u{301}e ﬁne 🙄🙄 :-) <3",
            "Not BAD at all... they're fine, isn't it? 😭",
        ];
        for (ours, whole) in both_readings() {
            assert!(ours.file.is_some() && ours.pipeline.get().is_none(), "not built at load");
            for text in texts {
                assert_eq!(ours.encode_with_tokenizers(text).expect("encodes"), whole.encode(text).expect("encodes"));
            }
        }
    }

    #[test]
    fn a_vocabulary_sentir_cannot_vouch_for_is_read_by_tokenizers() {
        use serde_json::{Value, json};
        let value: Value = serde_json::from_slice(WORDS_TOKENIZER).expect("JSON");
        let size = value["model"]["vocab"].as_object().expect("a map").len();
        /// An edit of the file, given its vocabulary's size.
        type Edit = fn(&mut Value, usize);
        let edits: [(&str, Edit); 5] = [
            ("an id left out", |v, size| v["model"]["vocab"]["good"] = (size + 5).into()),
            ("an id twice", |v, _| v["model"]["vocab"]["good"] = v["model"]["vocab"]["bad"].clone()),
            ("an added token not in it", |v, size| {
                v["added_tokens"].as_array_mut().expect("a list").push(json!({
                    "id": size, "content": "[new]", "single_word": false, "lstrip": false, "rstrip": false,
                    "normalized": false, "special": true
                }))
            }),
            ("another prefix", |v, _| v["model"]["continuing_subword_prefix"] = "@@".into()),
            ("no unknown token in it", |v, _| v["model"]["unk_token"] = "[nope]".into()),
        ];
        for (what, edit) in edits {
            let mut edited = value.clone();
            edit(&mut edited, size);
            let tokenizer = Tokenizer::from_bytes(edited.to_string().as_bytes()).expect("loads");
            assert!(tokenizer.recipe.is_none() && tokenizer.file.is_none(), "{what}: read whole");
            let text = "not good at all";
            let expected = tokenizer.pipelines().expect("built").inner.encode(text, false).expect("encodes");
            assert_eq!(tokenizer.encode(text).expect("encodes").ids, expected.get_ids(), "{what}");
        }
        // A decoder `tokenizers` does not know is refused at load, as before, though the recipe takes the file.
        let mut broken = value.clone();
        broken["decoder"] = json!({ "type": "Nope" });
        let error = Tokenizer::from_bytes(broken.to_string().as_bytes()).expect_err("refused");
        assert!(matches!(error, Error::Tokenizer { .. }), "{error:?}");
    }

    #[test]
    fn ascii_texts_encode_the_same_without_the_normalizers_that_leave_them_alone() {
        let tokenizer = Tokenizer::from_bytes(WORDS_TOKENIZER).expect("loads");
        let pipelines = tokenizer.pipelines().expect("builds");
        let ascii = pipelines.ascii.as_ref().expect("the words tokenizer has NFD, StripAccents and NFC to skip");
        let texts = [
            "Not good. NOT BAD at all!",
            "I didn't like it; they're fine, it's... OK?",
            "see https://example.com/a?b=c and www.test.org -- great",
            "  tabs\tand\nnewlines  ",
            "a supercalifragilisticexpialidociousnessabcdefghijklmnopqrstuvwxyz word",
            "~!@#$%^&*()_+`{}|[]\\:\";'<>,./ 1234567890",
            "",
        ];
        for text in texts {
            let fast = ascii.encode(text, false).expect("encodes");
            let full = pipelines.inner.encode(text, false).expect("encodes");
            assert_eq!(fast.get_ids(), full.get_ids(), "{text:?}");
            assert_eq!(fast.get_offsets(), full.get_offsets(), "{text:?}");
            assert_eq!(fast.get_word_ids(), full.get_word_ids(), "{text:?}");
            assert_eq!(fast.get_tokens(), full.get_tokens(), "{text:?}");
        }
        // A text with any non-ASCII character takes the full pipeline, which strips the accent.
        let pieces = |text| tokenizer.encode(text).expect("encodes").pieces;
        assert_eq!(pieces("café"), pieces("cafe"));
    }

    /// emoji selector removed, runs cut to three, accents stripped.
    fn posts_tokenizer() -> Tokenizer {
        fn replace(pattern: &str, content: &str) -> serde_json::Value {
            serde_json::json!({ "type": "Replace", "pattern": { "Regex": pattern }, "content": content })
        }
        let pieces = [
            "[UNK]", "[url]", "[user]", "great", "!", "👍", "so", "##oo", "good", "e", "##e", "a", "o", "@", "日", "x",
        ];
        let vocab: serde_json::Map<String, serde_json::Value> =
            pieces.iter().enumerate().map(|(id, piece)| (piece.to_string(), id.into())).collect();
        let file = serde_json::json!({
            "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
            "normalizer": { "type": "Sequence", "normalizers": [
                replace(r"https?://\S+|www\.\S+", " [url] "),
                replace(r"(?<![\w@])@\w+", " [user] "),
                replace(r"[\x{1F3FB}-\x{1F3FF}\x{FE0F}]", ""),
                replace("(?<=ooo)o", ""),
                replace("(?<=!!!)!", ""),
                { "type": "NFD" }, { "type": "StripAccents" }, { "type": "NFC" },
            ] },
            "pre_tokenizer": {
                "type": "Split", "pattern": { "Regex": r"\[url\]|\[user\]|\w+|\S" }, "behavior": "Removed",
                "invert": true,
            },
            "post_processor": null, "decoder": null,
            "model": {
                "type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                "max_input_chars_per_word": 100, "vocab": vocab,
            },
        });
        Tokenizer::from_bytes(file.to_string().as_bytes()).expect("loads")
    }

    #[test]
    fn every_encoding_is_widened() {
        let tokenizer = posts_tokenizer();
        let text = "@united great!!!!! 👍🏽 soooooo e\u{301}e see https://x.co/a";
        let encoding = tokenizer.encode(text).expect("encodes");
        let texts: Vec<&str> = encoding.offsets.iter().map(|&(a, b)| &text[a..b]).collect();
        let expected =
            ["@united", "great", "!", "!", "!!!", "👍🏽", "so", "ooooo", "e\u{301}", "e", "see", "https://x.co/a"];
        assert_eq!(texts, expected);
        // A tokenizer made here, not the script's: no recipe, so these are `tokenizers`' spans, widened.
        assert!(tokenizer.recipe.is_none());
        let raw = tokenizer.pipelines().expect("builds").inner.encode(text, false).expect("encodes");
        assert_eq!((raw.get_ids(), raw.get_word_ids()), (&encoding.ids[..], &encoding.word_ids[..]));
        assert_eq!(&text[raw.get_offsets()[0].0..raw.get_offsets()[0].1], "d", "tokenizers' own span of [user]");
    }

    #[test]
    fn widened_spans_contain_tokenizers_spans_and_overlap_no_more() {
        let tokenizer = posts_tokenizer();
        let parts = [
            "@united", "@", "a", " ", "  ", "\t", "👍", "🏽", "\u{fe0f}", "o", "oooo", "!", "!!!!", "http://x",
            "www.a", "e\u{301}", "\u{301}", "[user]", "[url]", "great", "日", "x", "ﬁ",
        ];
        let mut next = xorshift(0x1234_5678);
        for _ in 0..3_000 {
            let text: String = (0..1 + next(12)).map(|_| parts[next(parts.len())]).collect();
            let raw = tokenizer.pipelines().expect("builds").inner.encode(text.as_str(), false).expect("encodes");
            let widened = tokenizer.encode(&text).expect("encodes").offsets;
            let before = raw.get_offsets();
            assert_eq!(widened.len(), before.len(), "{text:?}");
            for (i, (&(a, b), &(c, d))) in before.iter().zip(&widened).enumerate() {
                assert!(c <= a && b <= d && text.get(c..d).is_some(), "{text:?}: {:?} to {:?}", (a, b), (c, d));
                for (j, (&other, &widened_other)) in before.iter().zip(&widened).enumerate().skip(i + 1) {
                    let overlap = |x: (usize, usize), y: (usize, usize)| x.0.max(y.0) < x.1.min(y.1);
                    if !overlap((a, b), other) && a < b && other.0 < other.1 {
                        assert!(!overlap((c, d), widened_other), "{text:?}: tokens {i} and {j} came to overlap");
                    }
                    if other == (a, b) {
                        assert_eq!(widened_other, (c, d), "{text:?}: tokens {i} and {j} no longer share a span");
                    }
                }
            }
        }
    }

    #[test]
    fn only_a_pipeline_that_keeps_ascii_ascii_loses_its_unicode_normalizers() {
        let with = |normalizer: serde_json::Value| without_identities_on_ascii(&normalizer);
        let sequence = |items: serde_json::Value| serde_json::json!({ "type": "Sequence", "normalizers": items });
        assert_eq!(
            with(sequence(serde_json::json!([{ "type": "NFD" }, { "type": "Lowercase" }]))),
            Some(sequence(serde_json::json!([{ "type": "Lowercase" }])))
        );
        assert_eq!(with(serde_json::json!({ "type": "NFKC" })), Some(sequence(serde_json::json!([]))));
        // Nothing to remove, a replacement that is not ASCII, a normalizer it does not know: kept as it is.
        assert_eq!(with(sequence(serde_json::json!([{ "type": "Lowercase" }]))), None);
        let replace = serde_json::json!({ "type": "Replace", "pattern": { "String": "x" }, "content": "é" });
        assert_eq!(with(sequence(serde_json::json!([replace, { "type": "NFC" }]))), None);
        assert_eq!(with(sequence(serde_json::json!([{ "type": "Prepend", "prepend": "_" }, { "type": "NFC" }]))), None);
        assert_eq!(with(serde_json::Value::Null), None);
    }
}
