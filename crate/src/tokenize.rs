//! Tokenization: a Hugging Face `tokenizer.json`, giving ids, byte offsets and word ids together.
//!
//! sentir never adds special tokens (no `[CLS]`/`[SEP]`), and it turns off any truncation or padding the file
//! asks for: every token the model reads is a piece of the text, so every step of the LSTM has a span of the
//! text it belongs to, and a text too long for the model is an error rather than silently cut.

use crate::error::{Error, Result};

/// A loaded `tokenizer.json`.
#[derive(Debug, Clone)]
pub struct Tokenizer {
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

/// One text, tokenized.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encoding {
    /// Vocabulary ids, one per token.
    pub ids: Vec<u32>,
    /// The vocabulary's spelling of each token (for example `##ful` for a WordPiece continuation).
    pub pieces: Vec<String>,
    /// Byte offsets `[start, end)` of each token in the original text.
    pub offsets: Vec<(usize, usize)>,
    /// The word (pre-tokenizer split) each token belongs to; tokens of one word share an id.
    pub word_ids: Vec<Option<u32>>,
}

impl Tokenizer {
    /// Loads a tokenizer from the bytes of a `tokenizer.json` file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tokenizer> {
        let error = |e: tokenizers::Error| Error::Tokenizer { message: e.to_string() };
        let json = |e: serde_json::Error| Error::Tokenizer { message: e.to_string() };
        // JSON first, then the tokenizer: tokenizers 0.23.2 panics (an `expect` in its decoder deserializer)
        // instead of returning an error when the `decoder` value is not valid JSON, which a malformed file hits.
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(json)?;
        if let Some(normalizer) = value.get("normalizer") {
            check_precompiled(normalizer)?;
        }
        let ascii_normalizer = value.get("normalizer").and_then(without_identities_on_ascii);
        let mut inner: tokenizers::Tokenizer = serde_json::from_value(value).map_err(json)?;
        inner.with_truncation(None).map_err(error)?;
        inner.with_padding(None);
        let ascii = match ascii_normalizer {
            Some(normalizer) => {
                let normalizer: tokenizers::NormalizerWrapper = serde_json::from_value(normalizer).map_err(json)?;
                let mut ascii = inner.clone();
                ascii.with_normalizer(Some(normalizer)).map_err(error)?;
                Some(ascii)
            }
            None => None,
        };
        Ok(Tokenizer { inner, ascii })
    }

    /// The number of ids the tokenizer can produce, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// Every id's spelling in the vocabulary (the `piece` of a token with that id), indexed by id.
    pub fn pieces(&self) -> Vec<String> {
        (0..self.vocab_size()).map(|id| self.inner.id_to_token(id as u32).unwrap_or_default()).collect()
    }

    /// Tokenizes `text` without special tokens.
    pub fn encode(&self, text: &str) -> Result<Encoding> {
        let tokenizer = match &self.ascii {
            Some(ascii) if text.is_ascii() => ascii,
            _ => &self.inner,
        };
        let encoding = tokenizer.encode(text, false).map_err(|e| Error::Tokenize { message: e.to_string() })?;
        Ok(Encoding {
            ids: encoding.get_ids().to_vec(),
            pieces: encoding.get_tokens().to_vec(),
            offsets: encoding.get_offsets().to_vec(),
            word_ids: encoding.get_word_ids().to_vec(),
        })
    }
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

    const SHIPPED: &[u8] = include_bytes!("../../models/sentir-en-lstm/tokenizer.json");

    #[test]
    fn ascii_texts_encode_the_same_without_the_normalizers_that_leave_them_alone() {
        let tokenizer = Tokenizer::from_bytes(SHIPPED).expect("loads");
        let ascii = tokenizer.ascii.as_ref().expect("the shipped tokenizer has NFD, StripAccents and NFC to skip");
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
            let full = tokenizer.inner.encode(text, false).expect("encodes");
            assert_eq!(fast.get_ids(), full.get_ids(), "{text:?}");
            assert_eq!(fast.get_offsets(), full.get_offsets(), "{text:?}");
            assert_eq!(fast.get_word_ids(), full.get_word_ids(), "{text:?}");
            assert_eq!(fast.get_tokens(), full.get_tokens(), "{text:?}");
        }
        // A text with any non-ASCII character takes the full pipeline, which strips the accent.
        let pieces = |text| tokenizer.encode(text).expect("encodes").pieces;
        assert_eq!(pieces("café"), pieces("cafe"));
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
