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
}

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
        let mut inner: tokenizers::Tokenizer = serde_json::from_value(value).map_err(json)?;
        inner.with_truncation(None).map_err(error)?;
        inner.with_padding(None);
        Ok(Tokenizer { inner })
    }

    /// The number of ids the tokenizer can produce, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// Tokenizes `text` without special tokens.
    pub fn encode(&self, text: &str) -> Result<Encoding> {
        let encoding = self.inner.encode(text, false).map_err(|e| Error::Tokenize { message: e.to_string() })?;
        Ok(Encoding {
            ids: encoding.get_ids().to_vec(),
            pieces: encoding.get_tokens().to_vec(),
            offsets: encoding.get_offsets().to_vec(),
            word_ids: encoding.get_word_ids().to_vec(),
        })
    }
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
