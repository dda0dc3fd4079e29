//! A `tokenizer.json` read by sentir itself, for the recipe: every part as a JSON value except the model's
//! vocabulary, which is read into one map and then the list of its pieces by id.
//!
//! Reading the whole file into a `serde_json::Value` and then into a `tokenizers::Tokenizer` was most of loading a
//! model in a page once the pre-tokenizer's regular expressions were deferred: the vocabulary went through a
//! `BTreeMap` of values, a `HashMap`, its reverse and two copies. The recipe needs only the pieces, their ids, the
//! unknown token and the longest word; the `tokenizers` pipeline is built from the file's bytes the first time a
//! text needs it.

use std::fmt;

use foldhash::HashMap;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// A `tokenizer.json`: `parts` is the whole file but its model's `vocab`, which is in `vocabulary`.
#[derive(Debug)]
pub(super) struct File {
    /// The file as an object, its model without `vocab`.
    pub(super) parts: Value,
    /// The model's `vocab`: a piece there twice has the last one's id, as `tokenizers` reads it.
    vocabulary: Option<HashMap<String, u32>>,
}

/// A WordPiece vocabulary that sentir reads as `tokenizers` does ([`File::word_pieces`]).
#[derive(Debug)]
pub(super) struct WordPieces {
    /// Every id's piece, indexed by id.
    pub(super) pieces: Vec<String>,
    pub(super) unknown: u32,
    /// Longer words are one unknown token.
    pub(super) max_word_chars: usize,
    /// Whether the file has added tokens (each one a piece of the vocabulary that begins with `[`).
    pub(super) added_tokens: bool,
}

impl File {
    /// The WordPiece vocabulary, if the model is a WordPiece with the `##` prefix, whose ids are `0..n` each once,
    /// with an unknown token among its pieces, and whose added tokens are pieces of the vocabulary beginning with
    /// `[` (`Recipe` refuses texts with a `[` then). For such a file `tokenizers` gives
    /// the same ids and spellings (an added token in the vocabulary keeps the vocabulary's id); any other file is
    /// left to it whole. Takes the vocabulary out of `self`.
    pub(super) fn word_pieces(&mut self) -> Option<WordPieces> {
        let vocabulary = self.vocabulary.take()?;
        let model = self.parts.get("model")?;
        let text = |key: &str| model.get(key).and_then(Value::as_str);
        if text("type") != Some("WordPiece") || text("continuing_subword_prefix") != Some("##") {
            return None;
        }
        let max_word_chars = usize::try_from(model.get("max_input_chars_per_word")?.as_u64()?).ok()?;
        let mut pieces = vec![None; vocabulary.len()];
        for (piece, id) in vocabulary {
            let slot = pieces.get_mut(id as usize)?;
            if slot.is_some() {
                return None;
            }
            *slot = Some(piece);
        }
        let pieces: Vec<String> = pieces.into_iter().collect::<Option<_>>()?;
        let id_of = |wanted: &str| pieces.iter().position(|piece| piece == wanted);
        let unknown = u32::try_from(id_of(text("unk_token")?)?).ok()?;
        let added = match self.parts.get("added_tokens") {
            None | Some(Value::Null) => Vec::new(),
            Some(added) => {
                added.as_array()?.iter().map(|token| token.get("content")?.as_str()).collect::<Option<_>>()?
            }
        };
        if !added.iter().all(|content| content.starts_with('[') && id_of(content).is_some()) {
            return None;
        }
        Some(WordPieces { pieces, unknown, max_word_chars, added_tokens: !added.is_empty() })
    }
}

impl<'de> Deserialize<'de> for File {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<File, D::Error> {
        deserializer.deserialize_map(FileVisitor)
    }
}

struct FileVisitor;

impl<'de> Visitor<'de> for FileVisitor {
    type Value = File;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tokenizer.json object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<File, A::Error> {
        let Split { rest: mut parts, value: model } = split::<_, Model>(map, "model")?;
        let vocabulary = model.and_then(|Model { rest, vocabulary }| {
            parts.insert("model".to_owned(), Value::Object(rest));
            vocabulary
        });
        Ok(File { parts: Value::Object(parts), vocabulary })
    }
}

/// A model: its `vocab` read as pieces and ids, the rest as JSON values.
struct Model {
    rest: Map<String, Value>,
    vocabulary: Option<HashMap<String, u32>>,
}

impl<'de> Deserialize<'de> for Model {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Model, D::Error> {
        deserializer.deserialize_map(ModelVisitor)
    }
}

struct ModelVisitor;

impl<'de> Visitor<'de> for ModelVisitor {
    type Value = Model;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tokenizer model")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Model, A::Error> {
        let Split { rest, value: vocabulary } = split(map, "vocab")?;
        Ok(Model { rest, vocabulary })
    }
}

/// An object's entries, one of them read as `T` ([`split`]).
struct Split<T> {
    /// The others, as JSON values.
    rest: Map<String, Value>,
    value: Option<T>,
}

/// The entries of `map`, the value under `key` read as `T`.
fn split<'de, A: MapAccess<'de>, T: Deserialize<'de>>(mut map: A, key: &str) -> Result<Split<T>, A::Error> {
    let (mut rest, mut value) = (Map::new(), None);
    while let Some(name) = map.next_key::<String>()? {
        if name == key {
            value = Some(map.next_value()?);
        } else {
            rest.insert(name, map.next_value()?);
        }
    }
    Ok(Split { rest, value })
}
