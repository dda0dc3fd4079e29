//! The JS objects of results: an analysis built by JS from flat arrays (`analysisObject`), and a post's brief.

use super::*;

// Results are built as JS objects by JS, from a few flat arrays: building them from Rust one property at a time
// is a call into JS per field (hundreds per analysis), and a JSON string for `JSON.parse` parses every number from
// text; both cost more than the analysis itself.
#[wasm_bindgen(inline_js = r#"
export function analysisObject(text, pieces, labels, best, probabilities, tokens, values, words, wordScores, backend,
                               fallback) {
  const byLabel = {};
  for (let i = 0; i < labels.length; i++) byLabel[labels[i]] = probabilities[i];
  const tokenList = new Array(tokens.length / 3);
  for (let i = 0; i < tokenList.length; i++) {
    const [id, start, end] = [tokens[3 * i], tokens[3 * i + 1], tokens[3 * i + 2]];
    tokenList[i] = { id, piece: pieces[id], text: text.slice(start, end), start, end, score: values[2 * i],
                     probability: values[2 * i + 1] };
  }
  const wordList = new Array(words.length / 4);
  for (let i = 0; i < wordList.length; i++) {
    const [start, end] = [words[4 * i], words[4 * i + 1]];
    wordList[i] = { text: text.slice(start, end), start, end, score: wordScores[i], first_token: words[4 * i + 2],
                    token_count: words[4 * i + 3] };
  }
  const result = { label: labels[best], probabilities: byLabel, tokens: tokenList, words: wordList, backend };
  if (fallback !== undefined) result.fallback = fallback;
  return result;
}
"#)]
extern "C" {
    /// `best`: the index of the label; `tokens`: `[id, start, end]` per token; `values`: `[score, probability]` per
    /// token; `words`: `[start, end, first_token, token_count]` per word. Offsets in UTF-16 code units of `text`.
    #[wasm_bindgen(js_name = analysisObject)]
    #[allow(clippy::too_many_arguments)]
    fn analysis_object(
        text: &str,
        pieces: &Array,
        labels: &Array,
        best: usize,
        probabilities: &[f32],
        tokens: &[u32],
        values: &[f32],
        words: &[u32],
        word_scores: &[f32],
        backend: &str,
        fallback: Option<String>,
    ) -> JsValue;
}

/// What turns an analysis ([`Scored`]) into the JS result: the vocabulary's pieces and the labels as JS strings,
/// kept for an analyzer and those made from it (which share its vocabulary).
#[derive(Debug)]
pub(super) struct Results {
    /// The vocabulary's pieces, indexed by id, each made the first time a result has a token with its id: making
    /// every one at load (16,863 for the default model, a call into JS and a decoding each) was a sixth of a page's
    /// first `create`.
    pieces: Array,
    /// Which ids `pieces` has.
    made: RefCell<Vec<bool>>,
    labels: Array,
}

impl Results {
    /// Puts the pieces of `ids` that it does not have yet into `pieces`, from `spellings` (the vocabulary's).
    fn make_pieces(&self, spellings: &[String], ids: &[u32]) {
        let mut made = self.made.borrow_mut();
        for &id in ids {
            if let (Some(made @ false), Some(piece)) = (made.get_mut(id as usize), spellings.get(id as usize)) {
                self.pieces.set(id, JsValue::from_str(piece));
                *made = true;
            }
        }
    }

    pub(super) fn new(analyzer: &crate::Analyzer) -> Results {
        let size = analyzer.tokenizer().pieces().len();
        Results {
            pieces: Array::new_with_length(size as u32),
            made: RefCell::new(vec![false; size]),
            labels: analyzer.config().labels.iter().map(|label| JsValue::from_str(label)).collect(),
        }
    }

    /// `{ label, probabilities, tokens, words, backend, fallback? }` for `scored`, the analysis of `text` by
    /// `analyzer` (this one's, or one made from it), offsets in UTF-16 code units.
    pub(super) fn object(&self, analyzer: &crate::Analyzer, scored: Scored, text: &str) -> JsValue {
        let utf16 = Offsets::new(text, Unit::Utf16);
        let at = |byte: usize| utf16.of(byte) as u32;
        let Scored { tokens, best, probabilities, scores, words, backend, fallback } = scored;
        self.make_pieces(analyzer.tokenizer().pieces(), &tokens.ids);
        let token_fields: Vec<u32> =
            tokens.ids.iter().zip(&tokens.offsets).flat_map(|(&id, &(start, end))| [id, at(start), at(end)]).collect();
        let values: Vec<f32> = scores.scores.iter().zip(&scores.running).flat_map(|(&s, &p)| [s, p]).collect();
        let word_fields: Vec<u32> =
            words.iter().flat_map(|w| [at(w.start), at(w.end), w.tokens.start as u32, w.tokens.len() as u32]).collect();
        let word_scores: Vec<f32> = words.iter().map(|w| w.score).collect();
        analysis_object(
            text,
            &self.pieces,
            &self.labels,
            best,
            &probabilities,
            &token_fields,
            &values,
            &word_fields,
            &word_scores,
            backend,
            fallback,
        )
    }
}

/// One post's result in `Collection.add`: its brief with UTF-16 offsets, or its error.
pub(super) fn brief_object(brief: crate::Result<crate::Brief>, text: &str) -> JsValue {
    #[derive(serde::Serialize)]
    struct Failed {
        error: String,
    }
    let value = match brief {
        Ok(brief) => plain_object(&brief.with_offsets(text, Unit::Utf16)),
        Err(error) => plain_object(&Failed { error: error.to_string() }),
    };
    value.unwrap_or_else(JsValue::from)
}

/// `value` as plain JS objects (maps as objects, not `Map`s).
pub(super) fn plain_object(value: &impl serde::Serialize) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).map_err(|error| JsError::new(&format!("cannot convert a result to JS: {error}")))
}
