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

use foldhash::HashMap;

use crate::error::{Error, Result};

/// A loaded `tokenizer.json`.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    /// A clone of `inner` without the normalizers that leave ASCII text as it is (Unicode normalization forms,
    /// `StripAccents`), for ASCII texts: they were a quarter of the time of encoding one, and on ASCII they change
    /// nothing, offsets included. `None` when the file has none of them, or a normalizer this cannot vouch for.
    ascii: Option<tokenizers::Tokenizer>,
    /// sentir's own tokenizer recipe, encoded directly, when the file is that recipe (see [`Recipe`]).
    recipe: Option<Recipe>,
    /// The vocabulary's spelling of every id.
    pieces: Vec<String>,
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
        let pipeline = Pipeline::of(&value);
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
        let recipe = pipeline.and_then(|pipeline| Recipe::new(&inner, pipeline));
        let pieces =
            (0..inner.get_vocab_size(true)).map(|id| inner.id_to_token(id as u32).unwrap_or_default()).collect();
        Ok(Tokenizer { inner, ascii, recipe, pieces })
    }

    /// The number of ids the tokenizer can produce, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
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
                let tokenizer = match &self.ascii {
                    Some(ascii) if text.is_ascii() => ascii,
                    _ => &self.inner,
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
        let pieces = ids
            .iter()
            .map(|&id| match self.pieces.get(id as usize) {
                Some(piece) => piece.clone(),
                None => self.inner.id_to_token(id).unwrap_or_default(),
            })
            .collect();
        Encoding { ids, pieces, offsets, word_ids }
    }
}

/// sentir's rule for token spans, applied to every encoding ([`Tokenizer::tokenize`]): the spans `tokenizers` gives,
/// widened so that every character that belongs to a token is inside one, for a page to colour. `piece(i)` is token
/// `i`'s vocabulary piece. `scripts/spans.py` (`widen`) mirrors this for the golden vectors.
///
/// A normalizer that rewrites the text leaves spans that miss characters: `tokenizers` aligns everything a `Replace`
/// inserts with the last character of its match (the placeholder `[user]` for `@united` spans the `d`), and nothing
/// with what a normalizer removes (`👍🏽` without its skin tone is a token for `👍` alone; `soooooo`, cut to `sooo`,
/// a token for the first four characters; a combining mark `StripAccents` removes, no token). So, in order:
///
/// 1. A placeholder, a token whose piece is ASCII letters in brackets (`[url]`, `[user]`) and whose span's text is
///    not that piece, starts earlier: over the characters before it that are not whitespace and that no token
///    covers, back to the previous token's end (or the start of the text). `[user]` covers `@united`, and in
///    `great!@united` too (the `!` is a token of its own).
/// 2. Every token ends later: over the characters after it that are not whitespace and that no token covers, up to
///    the next token's start (or the end of the text). `👍` covers `👍🏽`, `sooo` covers `soooooo`.
///
/// Nothing else changes. Tokens that share a span (one character that became several tokens) are one token here: they
/// move together and keep sharing a span. Spans stay on character boundaries, and no two spans come to overlap that
/// did not. Whitespace is Unicode's `White_Space` ([`char::is_whitespace`]). Offsets out of order (a start before the
/// previous token's start) or not on `text`'s character boundaries, which no pipeline sentir knows makes, are left as
/// they are. The cost is one pass over the tokens and the characters a span moves over.
pub(crate) fn widen_spans<'a>(text: &str, offsets: &mut [(usize, usize)], piece: impl Fn(usize) -> Option<&'a str>) {
    let on_boundaries =
        |&(start, end): &(usize, usize)| start <= end && text.is_char_boundary(start) && text.is_char_boundary(end);
    if !offsets.iter().all(on_boundaries) || offsets.windows(2).any(|pair| pair[1].0 < pair[0].0) {
        return;
    }
    // Where the run of characters that are not whitespace ending at `to` begins, at `from` at the earliest; and
    // where the run beginning at `from` ends, at `to` at the latest.
    let back = |from: usize, to: usize| {
        text[from..to]
            .char_indices()
            .rev()
            .find(|&(_, ch)| ch.is_whitespace())
            .map_or(from, |(at, ch)| from + at + ch.len_utf8())
    };
    let forward = |from: usize, to: usize| text[from..to].find(char::is_whitespace).map_or(to, |at| from + at);
    // The end of the tokens `group` (one span), no earlier token reaching further than `covered`, moves up to `limit`.
    let widen_end = |offsets: &mut [(usize, usize)], group: std::ops::Range<usize>, covered: usize, limit: usize| {
        let end = offsets[group.start].1;
        if covered <= end && end <= limit {
            let end = forward(end, limit);
            offsets[group].iter_mut().for_each(|span| span.1 = end);
        }
    };
    // The furthest end of the tokens before the current group, as `tokenizers` gave them.
    let mut covered = 0;
    // The previous group and `covered` before it: its end moves once the current group's start is known.
    let mut previous: Option<(std::ops::Range<usize>, usize)> = None;
    let mut first = 0;
    while first < offsets.len() {
        let span = offsets[first];
        let group =
            first..offsets[first..].iter().position(|&other| other != span).map_or(offsets.len(), |n| first + n);
        let placeholder = group.clone().any(|token| {
            piece(token).is_some_and(|piece| is_placeholder_piece(piece) && text[span.0..span.1] != *piece)
        });
        let start = if placeholder && covered <= span.0 { back(covered, span.0) } else { span.0 };
        if let Some((previous, before)) = previous.take() {
            widen_end(offsets, previous, before, start);
        }
        offsets[group.clone()].iter_mut().for_each(|span| span.0 = start);
        first = group.end;
        previous = Some((group, covered));
        covered = covered.max(span.1);
    }
    if let Some((previous, before)) = previous {
        widen_end(offsets, previous, before, text.len());
    }
}

/// Whether a vocabulary piece is a placeholder's: ASCII letters in brackets, like `[url]` and `[user]`.
fn is_placeholder_piece(piece: &str) -> bool {
    piece
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .is_some_and(|letters| !letters.is_empty() && letters.bytes().all(|byte| byte.is_ascii_alphabetic()))
}

/// sentir's own tokenizers written out for the common texts: the pipelines that `make_tokenizer` makes in
/// `scripts/train.py` and in `scripts/posts.py` ([`Pipeline`]), encoded as the `tokenizers` crate encodes them, for
/// texts whose characters are ASCII, accented Latin-1 letters or common symbols ([`normalize_char`]), and without a
/// `[` where the file has added tokens. On such texts a pipeline is a few rules on bytes: URLs (and, for posts,
/// @mentions) become placeholders, accents and case go, runs are cut to three (posts); then the pre-tokenizer's
/// regular expression is tried at each position in its order (placeholders, emoticons, words), as `fancy-regex`
/// tries it. The WordPiece vocabulary is read from the file. Any other text, and any other `tokenizer.json`, goes
/// through `tokenizers`; the tests check the two agree on every character this takes, on every emoticon, in many
/// contexts. Measured: words, a seventh of `tokenizers`' cost natively and a tenth in wasm (it was a third of an
/// analysis); posts, whose pre-tokenizer `fancy-regex` tries some 250 emoticons at every position, a fiftieth
/// natively (3,000 tweets of `data/tweets/valid.tsv`: 15 ms against 775 ms; it took 2,998 of them).
#[derive(Debug, Clone)]
struct Recipe {
    pipeline: Pipeline,
    /// Ids of the pieces that begin a word.
    starts: HashMap<Box<str>, u32>,
    /// Ids of the pieces that continue a word, without the `##` they are spelled with.
    continuations: HashMap<Box<str>, u32>,
    unknown: u32,
    /// Longer words are one unknown token.
    max_word_chars: usize,
    /// Whether a text with a `[` is left to `tokenizers`: the file has added tokens (`[UNK]`, `[url]`), which are
    /// matched in the raw text before the normalizers, and the recipe does not do that. Without them a `[` is a
    /// character like another (the pre-tokenizer's placeholders and emoticons know it).
    refuses_brackets: bool,
}

/// The pipelines the recipe knows, the rules where they differ as data: [`Pipeline::json`] builds the normalizer and
/// pre-tokenizer each must have from them, and the recipe encodes by the same rules.
#[derive(Debug, Clone)]
enum Pipeline {
    /// `scripts/train.py`: URLs become ` [url] `, accents and case go; pre-tokens are `[url]`, words, contractions as
    /// GloVe spells them (`do` + `n't`), and every other symbol alone.
    Words,
    /// `scripts/posts.py`: also @mentions become ` [user] `, emoji modifiers go, and a run of a letter, `!`, `?` or `.`
    /// is cut to three; `[user]`, these emoticons and emoji are pre-tokens too, before words.
    Posts(Emoticons),
}

/// The URL rule of both pipelines, `scripts/train.py`'s `URL`; the rest are `scripts/posts.py`'s, named as there.
const URL: &str = r"https?://\S+|www\.\S+";
const MENTION: &str = r"(?<![\w@])@\w+";
const EMOJI_MODIFIERS: &str = r"[\x{1F3FB}-\x{1F3FF}\x{FE0F}]";
const EMOJI: &str = r"\p{Regional_Indicator}{2}|\p{Extended_Pictographic}(?:\x{200D}\p{Extended_Pictographic})*";
const WORDS: &str = r"\w+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|\w+|\S";
/// The characters whose runs the posts pipeline cuts to three.
const RUN_CHARACTERS: &str = "abcdefghijklmnopqrstuvwxyz!?.";
/// What the posts pre-tokenizer's pattern has before its emoticons and after them.
const POSTS_BEFORE_EMOTICONS: &str = r"\[url\]|\[user\]|(?<!\d)(?:";
const POSTS_AFTER_EMOTICONS: &str = ")|";

impl Pipeline {
    /// The pipeline `tokenizer.json` (`value`) has: its normalizer, pre-tokenizer and post-processor (a missing one
    /// counts as `null`) are exactly [`Pipeline::json`]'s. A posts file's emoticons are read out of its pattern by
    /// the pattern's known structure, and the whole pipeline is rebuilt from them and compared, so a file made by a
    /// changed script is simply not a recipe: it is encoded by `tokenizers`, correctly, slower.
    fn of(value: &serde_json::Value) -> Option<Pipeline> {
        let pattern = value.pointer("/pre_tokenizer/pattern/Regex").and_then(serde_json::Value::as_str);
        let posts = pattern.and_then(Emoticons::in_pattern).map(Pipeline::Posts);
        [Some(Pipeline::Words), posts].into_iter().flatten().find(|pipeline| {
            let expected = pipeline.json();
            ["normalizer", "pre_tokenizer", "post_processor"]
                .iter()
                .all(|&key| value.get(key).unwrap_or(&serde_json::Value::Null) == &expected[key])
        })
    }

    /// The normalizer, pre-tokenizer and post-processor of the pipeline, as `tokenizers` writes them.
    fn json(&self) -> serde_json::Value {
        use serde_json::json;
        let replace = |pattern: &str, content: &str| json!({ "type": "Replace", "pattern": { "Regex": pattern }, "content": content });
        let unicode = ["NFD", "StripAccents", "Lowercase", "NFC"].map(|kind| json!({ "type": kind }));
        let (normalizers, pattern) = match self {
            Pipeline::Words => {
                let normalizers: Vec<_> = [replace(URL, " [url] ")].into_iter().chain(unicode).collect();
                (normalizers, format!(r"\[url\]|{WORDS}"))
            }
            Pipeline::Posts(emoticons) => {
                let runs = RUN_CHARACTERS.chars().map(|ch| {
                    let ch = python_escape(&ch.to_string());
                    replace(&format!("(?<={ch}{ch}{ch}){ch}"), "")
                });
                let normalizers: Vec<_> =
                    [replace(URL, " [url] "), replace(MENTION, " [user] "), replace(EMOJI_MODIFIERS, "")]
                        .into_iter()
                        .chain(unicode)
                        .chain(runs)
                        .collect();
                let pattern = format!(
                    "{POSTS_BEFORE_EMOTICONS}{}{POSTS_AFTER_EMOTICONS}{EMOJI}|{WORDS}",
                    emoticons.alternatives()
                );
                (normalizers, pattern)
            }
        };
        json!({
            "normalizer": { "type": "Sequence", "normalizers": normalizers },
            "pre_tokenizer": { "type": "Split", "pattern": { "Regex": pattern }, "behavior": "Removed", "invert": true },
            "post_processor": null,
        })
    }
}

/// The posts pre-tokenizer's emoticons, in its pattern's order (longest first), which is the order `fancy-regex`
/// tries them in.
#[derive(Debug, Clone)]
struct Emoticons {
    list: Vec<Emoticon>,
    /// For each byte, the indices in `list` of the emoticons that begin with it, in `list`'s order: at a position
    /// only those can match.
    by_first_byte: Vec<Vec<usize>>,
}

#[derive(Debug, Clone)]
struct Emoticon {
    text: Box<str>,
    /// It begins with a word character, so it must not follow one (`(?<!\w)` before it).
    after_no_word: bool,
    /// It ends with a word character, so it must not be followed by one (`(?!\w)` after it).
    before_no_word: bool,
}

impl Emoticons {
    fn new(texts: Vec<String>) -> Emoticons {
        let is_word = |ch: Option<char>| ch.is_some_and(|ch| ch.is_alphanumeric() || ch == '_');
        let list: Vec<Emoticon> = texts
            .into_iter()
            .map(|text| Emoticon {
                after_no_word: is_word(text.chars().next()),
                before_no_word: is_word(text.chars().next_back()),
                text: text.into(),
            })
            .collect();
        let mut by_first_byte = vec![Vec::new(); 256];
        for (index, emoticon) in list.iter().enumerate() {
            if let Some(&first) = emoticon.text.as_bytes().first() {
                by_first_byte[usize::from(first)].push(index);
            }
        }
        Emoticons { list, by_first_byte }
    }

    /// The emoticons of a posts pre-tokenizer's `pattern`, read by its structure (the alternatives between
    /// [`POSTS_BEFORE_EMOTICONS`] and [`POSTS_AFTER_EMOTICONS`], each an escaped emoticon, `(?<!\w)` before it or
    /// `(?!\w)` after it or both), or `None` if it has no such structure or an emoticon is empty or holds whitespace
    /// (which `scripts/posts.py` leaves out, and which the recipe's skipping of spaces would not match). What is read
    /// need not be right: [`Pipeline::of`] rebuilds the whole pattern from it and requires the file's.
    fn in_pattern(pattern: &str) -> Option<Emoticons> {
        let inner = pattern.strip_prefix(POSTS_BEFORE_EMOTICONS)?;
        let inner = &inner[..inner.find(&format!("{POSTS_AFTER_EMOTICONS}{EMOJI}|"))?];
        let mut alternatives = Vec::new();
        let (mut start, mut escaped) = (0, false);
        for (at, ch) in inner.char_indices() {
            match ch {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '|' => {
                    alternatives.push(&inner[start..at]);
                    start = at + 1;
                }
                _ => {}
            }
        }
        alternatives.push(&inner[start..]);
        let texts = alternatives
            .into_iter()
            .map(|alternative| {
                let body = alternative.strip_prefix(r"(?<!\w)").unwrap_or(alternative);
                let body = body.strip_suffix(r"(?!\w)").unwrap_or(body);
                let mut text = String::new();
                let mut chars = body.chars();
                while let Some(ch) = chars.next() {
                    text.push(if ch == '\\' { chars.next()? } else { ch });
                }
                (!text.is_empty() && !text.contains(char::is_whitespace)).then_some(text)
            })
            .collect::<Option<Vec<String>>>()?;
        Some(Emoticons::new(texts))
    }

    /// The alternatives `scripts/posts.py`'s `emoticon_pattern` writes for these emoticons (without its
    /// `(?<!\d)(?:` and `)`): longest first, then in code point order, each escaped as Python's `re.escape` does,
    /// with `(?<!\w)` before one that begins with a word character and `(?!\w)` after one that ends with one.
    fn alternatives(&self) -> String {
        let mut sorted: Vec<&Emoticon> = self.list.iter().collect();
        sorted.sort_by(|a, b| b.text.chars().count().cmp(&a.text.chars().count()).then_with(|| a.text.cmp(&b.text)));
        let alternatives: Vec<String> = sorted
            .into_iter()
            .map(|emoticon| {
                let before = if emoticon.after_no_word { r"(?<!\w)" } else { "" };
                let after = if emoticon.before_no_word { r"(?!\w)" } else { "" };
                format!("{before}{}{after}", python_escape(&emoticon.text))
            })
            .collect();
        alternatives.join("|")
    }

    /// The end of the emoticon the pre-tokenizer takes at byte `at` of a normalized text, if any:
    /// `(?<!\d)(?:...)`, the first alternative that matches there. The text's characters beyond ASCII are symbols
    /// (see [`normalize_char`]), neither word characters nor digits, so the lookarounds look at bytes.
    fn end(&self, bytes: &[u8], at: usize) -> Option<usize> {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        if before.is_some_and(|byte| byte.is_ascii_digit()) {
            return None;
        }
        let word_before = before.is_some_and(is_word_byte);
        self.by_first_byte[usize::from(bytes[at])].iter().find_map(|&index| {
            let emoticon = &self.list[index];
            let end = at + emoticon.text.len();
            let matches = bytes[at..].starts_with(emoticon.text.as_bytes())
                && !(emoticon.after_no_word && word_before)
                && !(emoticon.before_no_word && bytes.get(end).copied().is_some_and(is_word_byte));
            matches.then_some(end)
        })
    }
}

/// `text` escaped as Python's `re.escape` escapes it (3.7 and later: a backslash before each of
/// `()[]{}?*+-|^$\.&~#`, space and `\t\n\r\v\f`).
fn python_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(ch) {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped
}

impl Recipe {
    /// The recipe for `tokenizer`, whose file has `pipeline` (see [`Pipeline::of`]), if its model is WordPiece with
    /// `##` continuations and every added token begins with `[`.
    fn new(tokenizer: &tokenizers::Tokenizer, pipeline: Pipeline) -> Option<Recipe> {
        use tokenizers::{Model, ModelWrapper};
        let ModelWrapper::WordPiece(model) = tokenizer.get_model() else { return None };
        let added = tokenizer.get_added_tokens_decoder();
        if model.continuing_subword_prefix != "##" || !added.values().all(|token| token.content.starts_with('[')) {
            return None;
        }
        let vocab = model.get_vocab();
        let unknown = *vocab.get(&model.unk_token)?;
        let (mut starts, mut continuations) = (HashMap::default(), HashMap::default());
        for (piece, &id) in &vocab {
            match piece.strip_prefix("##") {
                Some(rest) => continuations.insert(rest.into(), id),
                None => starts.insert(piece.as_str().into(), id),
            };
        }
        let max_word_chars = model.max_input_chars_per_word;
        Some(Recipe { pipeline, starts, continuations, unknown, max_word_chars, refuses_brackets: !added.is_empty() })
    }

    /// `text`'s encoding, or `None` if it has a character other than ASCII and those [`normalize_char`] knows, or a
    /// `[` where the file has added tokens (see the type's docs).
    fn encode(&self, text: &str) -> Option<Tokens> {
        if self.refuses_brackets && text.contains('[') {
            return None;
        }
        let normalized = self.normalize(text)?;
        let bytes = normalized.text.as_bytes();
        let placeholders: &[&[u8]] = match self.pipeline {
            Pipeline::Words => &[b"[url]"],
            Pipeline::Posts(_) => &[b"[url]", b"[user]"],
        };
        let mut tokens = Tokens::default();
        let mut at = 0;
        let mut word = 0;
        while at < bytes.len() {
            if is_space(bytes[at]) {
                at += 1;
                continue;
            }
            // The pre-tokenizer's alternatives in order. Posts' emoji come between emoticons and words: in the texts
            // the recipe takes they are `©`, `®` and `™` alone, one character as `\S` takes them.
            let placeholder = placeholders.iter().find(|placeholder| bytes[at..].starts_with(placeholder));
            let end = match (placeholder, &self.pipeline) {
                (Some(placeholder), _) => at + placeholder.len(),
                (None, Pipeline::Posts(emoticons)) => emoticons.end(bytes, at).unwrap_or_else(|| word_end(bytes, at)),
                (None, Pipeline::Words) => word_end(bytes, at),
            };
            self.word_piece(&normalized, at..end, word, &mut tokens);
            word += 1;
            at = end;
        }
        Some(tokens)
    }

    /// WordPiece on the word at `span` of `normalized` (the text's word number `index`): the longest piece of the
    /// vocabulary that begins the rest of the word, again and again; the whole word is one unknown token if some
    /// rest begins with no piece, or if the word is too long.
    fn word_piece(&self, normalized: &Normalized, span: std::ops::Range<usize>, index: u32, tokens: &mut Tokens) {
        let word = &normalized.text[span.clone()];
        let before = tokens.ids.len();
        let push = |tokens: &mut Tokens, id: u32, from: usize, to: usize| {
            tokens.ids.push(id);
            tokens.offsets.push(normalized.origin(span.start + from, span.start + to));
            tokens.word_ids.push(Some(index));
        };
        let chars = if word.is_ascii() { word.len() } else { word.chars().count() };
        if chars <= self.max_word_chars {
            let mut from = 0;
            while from < word.len() {
                let pieces = if from == 0 { &self.starts } else { &self.continuations };
                let Some((to, id)) = (from + 1..=word.len())
                    .rev()
                    .filter(|&to| word.is_char_boundary(to))
                    .find_map(|to| Some((to, *pieces.get(&word[from..to])?)))
                else {
                    break;
                };
                push(tokens, id, from, to);
                from = to;
            }
            if from == word.len() {
                return;
            }
        }
        tokens.ids.truncate(before);
        tokens.offsets.truncate(before);
        tokens.word_ids.truncate(before);
        push(tokens, self.unknown, 0, word.len());
    }

    /// `text` through the pipeline's normalizers, or `None` if a character is not one [`normalize_char`] knows.
    /// In order: URLs, then (posts) @mentions become placeholders; (posts: emoji modifiers, which such a text
    /// lacks); NFD, StripAccents, Lowercase, NFC ([`normalize_char`]); (posts) runs cut to three.
    fn normalize(&self, text: &str) -> Option<Normalized> {
        let posts = matches!(self.pipeline, Pipeline::Posts(_));
        let rewritten =
            !text.is_ascii() || text.contains("http") || text.contains("www.") || posts && text.contains('@');
        let mut normalized = if rewritten {
            rewrite(text, posts)?
        } else {
            Normalized { text: text.to_ascii_lowercase(), origins: Vec::new() }
        };
        if posts {
            cut_runs(&mut normalized);
        }
        Some(normalized)
    }
}

/// A text as the recipe's normalizers leave it, and where each of its bytes came from.
struct Normalized {
    text: String,
    /// For each byte of `text`, the byte range of the character of the original text it came from (a placeholder's,
    /// the last character of the text it replaced, as `tokenizers` aligns it); empty when each byte is its own (an
    /// ASCII text that nothing rewrote).
    origins: Vec<(usize, usize)>,
}

impl Normalized {
    /// The original text's byte range of `text[from..to]`.
    fn origin(&self, from: usize, to: usize) -> (usize, usize) {
        if self.origins.is_empty() { (from, to) } else { (self.origins[from].0, self.origins[to - 1].1) }
    }

    fn push(&mut self, text: &str, origin: (usize, usize)) {
        self.text.push_str(text);
        self.origins.extend(std::iter::repeat_n(origin, text.len()));
    }
}

/// `text` with its URLs (`https?://\S+|www\.\S+`) replaced by ` [url] ` and, with `mentions`, then its @mentions
/// (`(?<![\w@])@\w+`) by ` [user] `, each aligned with the last character of what it replaced, and every other
/// character through [`normalize_char`]; `None` if one is not a character it knows. A URL runs to whitespace, so
/// no mention follows one directly; a mention can end where a URL begins (`@bobhttp://x`).
fn rewrite(text: &str, mentions: bool) -> Option<Normalized> {
    if !text.chars().all(|ch| normalize_char(ch).is_some()) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut urls = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let scheme = ["https://", "http://", "www."].iter().find(|scheme| rest.starts_with(scheme.as_bytes()));
        match scheme.map(|scheme| at + scheme.len()) {
            Some(from) if bytes.get(from).is_some_and(|&byte| !is_space(byte)) => {
                let end = (from..bytes.len()).find(|&i| is_space(bytes[i])).unwrap_or(bytes.len());
                urls.push(at..end);
                at = end;
            }
            _ => at += 1,
        }
    }
    // The accented Latin-1 letters are the only word characters beyond ASCII among those `normalize_char` knows.
    let is_word = |ch: char| ch.is_ascii_alphanumeric() || ch == '_' || without_accent(ch).is_some();
    let last_char = |end: usize| {
        let ch = text[..end].chars().next_back().unwrap_or_default();
        (end - ch.len_utf8(), end)
    };
    let mut normalized =
        Normalized { text: String::with_capacity(text.len() + 8), origins: Vec::with_capacity(text.len() + 8) };
    let mut urls = urls.into_iter().peekable();
    let mut previous: Option<char> = None;
    let mut at = 0;
    while let Some(ch) = text[at..].chars().next() {
        let next_url = urls.peek().map_or(text.len(), |url| url.start);
        if at == next_url {
            let end = urls.next().map_or(at, |url| url.end);
            normalized.push(" [url] ", last_char(end));
            previous = Some(' ');
            at = end;
            continue;
        }
        if mentions && ch == '@' && previous.is_none_or(|previous| !is_word(previous) && previous != '@') {
            let end = text[at + 1..next_url].find(|ch: char| !is_word(ch)).map_or(next_url, |n| at + 1 + n);
            if end > at + 1 {
                normalized.push(" [user] ", last_char(end));
                previous = text[..end].chars().next_back();
                at = end;
                continue;
            }
        }
        let mut buffer = [0; 4];
        let kept = normalize_char(ch)?;
        normalized.push(kept.encode_utf8(&mut buffer), (at, at + ch.len_utf8()));
        previous = Some(ch);
        at += ch.len_utf8();
    }
    Some(normalized)
}

/// The posts pipeline's last normalizers, `(?<=ccc)c` removed for each `c` of [`RUN_CHARACTERS`]: each character
/// of a run of one of them after the third is removed (the rules remove only their own character, so each cuts its
/// runs as if it were alone), and its origin with it.
fn cut_runs(normalized: &mut Normalized) {
    let bytes = normalized.text.as_bytes();
    let in_runs = |byte: u8| RUN_CHARACTERS.as_bytes().contains(&byte);
    // Whether byte `i` is the fourth or later of a run.
    let cut = |i: usize| i >= 3 && in_runs(bytes[i]) && bytes[i - 3..i].iter().all(|&byte| byte == bytes[i]);
    if !(3..bytes.len()).any(cut) {
        return;
    }
    let origins = if normalized.origins.is_empty() {
        (0..bytes.len()).map(|i| (i, i + 1)).collect()
    } else {
        std::mem::take(&mut normalized.origins)
    };
    let mut text = Vec::with_capacity(bytes.len());
    let mut kept_origins = Vec::with_capacity(bytes.len());
    for (i, (&byte, origin)) in bytes.iter().zip(origins).enumerate() {
        if !cut(i) {
            text.push(byte);
            kept_origins.push(origin);
        }
    }
    // Only ASCII bytes were removed, so the text is still UTF-8.
    normalized.text = String::from_utf8(text).unwrap_or_default();
    normalized.origins = kept_origins;
}

/// A character of a text the recipe takes through NFD, StripAccents, Lowercase and NFC: ASCII lowercased, a
/// Latin-1 letter with one accent its lowercase ASCII base (see [`without_accent`]), an [`is_plain_symbol`] as it
/// is; `None` for any other character (the recipe leaves the text to `tokenizers`).
fn normalize_char(ch: char) -> Option<char> {
    if ch.is_ascii() {
        Some(ch.to_ascii_lowercase())
    } else {
        without_accent(ch).or_else(|| is_plain_symbol(ch).then_some(ch))
    }
}

/// The lowercase ASCII letter a Latin-1 letter with one accent becomes under NFD, StripAccents and Lowercase
/// (`À` to `ÿ`; not `Æ`, `Ð`, `Ø`, `Þ`, `ß`, which have no accent to strip).
fn without_accent(ch: char) -> Option<char> {
    const BASES: &[u8; 32] = b"aaaaaa_ceeeeiiii_nooooo__uuuuy__";
    let code = u32::from(ch);
    let base = match code {
        0xc0..=0xdf => BASES[(code - 0xc0) as usize],
        0xe0..=0xfe => BASES[(code - 0xe0) as usize],
        0xff => b'y',
        _ => return None,
    };
    (base != b'_').then_some(char::from(base))
}

/// Characters other than ASCII that every normalizer of the recipe leaves as they are and that the pre-tokenizer
/// takes one at a time (`\S`: neither a word character nor a space; `©`, `®`, `™` as emoji in posts, one
/// character too): curly quotes, dashes, the ellipsis and the rest of U+2010–U+2027, the Latin-1 symbols and
/// control characters, `€`, `™`.
fn is_plain_symbol(ch: char) -> bool {
    matches!(u32::from(ch),
        0x80..=0x84 | 0x86..=0x9f // C1 controls, not U+0085 (a space)
        | 0xa1..=0xa9 | 0xab..=0xb4 | 0xb6..=0xb9 | 0xbb..=0xbf // not NBSP, ª, µ, º (a space, letters)
        | 0xd7 | 0xf7 // × ÷
        | 0x2010..=0x2027 | 0x20ac | 0x2122)
}

/// `\w` on a byte of a normalized text (ASCII letters, digits, `_`; the bytes of the symbols beyond ASCII are not).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The end of the word that begins at byte `at` of a normalized text (not at a space): the pre-tokenizer's
/// `\w+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|\w+|\S`, the first alternative that matches there.
fn word_end(bytes: &[u8], at: usize) -> usize {
    let is_word = |i: usize| bytes.get(i).copied().is_some_and(is_word_byte);
    // `n't\b` at `i`: "n't" and no word character after it.
    let nt = |i: usize| bytes[i..].starts_with(b"n't") && !is_word(i + 3);
    if is_word(at) {
        let run = (at..).find(|&i| !is_word(i)).unwrap_or(bytes.len());
        if run - at >= 2 && nt(run - 1) {
            run - 1 // "do" of "don't"
        } else if run - at == 1 && nt(at) {
            at + 3
        } else {
            run
        }
    } else if bytes[at] == b'\'' {
        let rest = &bytes[at + 1..];
        ["s", "re", "ve", "ll", "d", "m"]
            .iter()
            .find(|suffix| rest.starts_with(suffix.as_bytes()) && !is_word(at + 1 + suffix.len()))
            .map_or(at + 1, |suffix| at + 1 + suffix.len())
    } else {
        // One character (of one to four bytes).
        at + (1..=4).find(|&len| bytes.get(at + len).is_none_or(|&b| b & 0xc0 != 0x80)).unwrap_or(1)
    }
}

/// `\s` on ASCII (Unicode's White_Space: tab, line feed, vertical tab, form feed, carriage return, space).
fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
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
    const WORDS_TOKENIZER: &[u8] = include_bytes!("../../models/sentir-en-lstm/tokenizer.json");

    #[test]
    fn ascii_texts_encode_the_same_without_the_normalizers_that_leave_them_alone() {
        let tokenizer = Tokenizer::from_bytes(WORDS_TOKENIZER).expect("loads");
        let ascii = tokenizer.ascii.as_ref().expect("the words tokenizer has NFD, StripAccents and NFC to skip");
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

    /// The recipe's encoding of `text`, which must take it, and the `tokenizers` crate's.
    fn both(tokenizer: &Tokenizer, text: &str) -> (Encoding, Encoding) {
        let recipe = tokenizer.recipe.as_ref().expect("the tokenizer is a recipe");
        assert!(recipe.encode(text).is_some(), "the recipe takes {text:?}");
        (tokenizer.encode(text).expect("encodes"), tokenizer.encode_with_tokenizers(text).expect("encodes"))
    }

    #[test]
    fn the_recipe_encodes_as_tokenizers_does() {
        let tokenizer = Tokenizer::from_bytes(WORDS_TOKENIZER).expect("loads");
        let texts = [
            "Don't, DON'T, can't, won't've, n't, xn't, n'tx, don'ts, isn't_ it's 'S 's 'sm 're 'ree 'll 'd 'm '",
            "I'm o'neill, rock'n'roll -- we'll see; you'd've _under_score_ 3.14 1,000 x2",
            "  tabs\tand\nnewlines\x0b\x0c\r  \x1c\x00 end ",
            "a supercalifragilisticexpialidociousnessabcdefghijklmnopqrstuvwxyz word zzzzqqqq",
            "~!@#$%^&*()_+`{}|\\:\";'<>,./ 1234567890",
            "see https://example.com/a?b=c and www.test.org -- great, http:// https://é wwww.x xhttp://a’b",
            "Not good. NOT BAD at all! The qwertyuiop of it, unbelievably.",
            "",
            "   ",
        ];
        for text in texts {
            let (fast, full) = both(&tokenizer, text);
            assert_eq!(fast, full, "{text:?}");
        }
        // Texts made of the pieces where the pre-tokenizer's rules meet, from a fixed seed; the last parts are
        // characters the recipe leaves to `tokenizers`.
        let parts = [
            "n",
            "N",
            "'",
            "t",
            "T",
            "'s",
            "'re",
            "'ve",
            "'ll",
            "'d",
            "'m",
            "n't",
            "do",
            "ca",
            "wo",
            " ",
            "  ",
            "\t",
            "\n",
            "_",
            "-",
            ".",
            "!",
            "?",
            "0",
            "42",
            "good",
            "bad",
            "not",
            "ing",
            "un",
            "movie",
            "zq",
            "x",
            "é",
            "É",
            "ñ",
            "ÿ",
            "’",
            "“",
            "”",
            "–",
            "—",
            "…",
            "\u{96}",
            "×",
            "½",
            "€",
            "http://",
            "www.",
            "https://x.co/a",
            "ß",
            "µ",
            "\u{a0}",
            "日",
            "👍",
        ];
        let others = ["ß", "µ", "\u{a0}", "日", "👍"];
        let recipe = tokenizer.recipe.as_ref().expect("the tokenizer is a recipe");
        let mut next = xorshift(0x2545_f491);
        let texts = (0..20_000).map(|_| (0..1 + next(24)).map(|_| parts[next(parts.len())]).collect::<String>());
        let compared = compare_with_tokenizers(&tokenizer, recipe, texts, &others);
        assert!(compared > 5_000, "{compared}");
    }

    #[test]
    fn every_character_the_recipe_takes_beyond_ascii_encodes_as_tokenizers_does() {
        let tokenizer = Tokenizer::from_bytes(WORDS_TOKENIZER).expect("loads");
        let recipe = tokenizer.recipe.as_ref().expect("the tokenizer is a recipe");
        let mut taken = 0;
        for ch in (0x80..0x3000).filter_map(char::from_u32) {
            let text = format!("x{ch}y {ch} don{ch}t don't{ch} {ch}{ch}A{ch}");
            if recipe.encode(&text).is_some() {
                let (fast, full) = both(&tokenizer, &text);
                assert_eq!(fast, full, "{ch:?} (U+{:04X})", u32::from(ch));
                taken += 1;
            }
        }
        // C1 controls 31, Latin-1 symbols 28, × ÷, accented letters 53, U+2010–U+2027, € ™.
        assert_eq!(taken, 31 + 28 + 2 + 53 + 24 + 2, "characters taken beyond ASCII");
    }

    #[test]
    fn the_recipe_leaves_brackets_and_unicode_to_tokenizers() {
        let tokenizer = Tokenizer::from_bytes(WORDS_TOKENIZER).expect("loads");
        let recipe = tokenizer.recipe.as_ref().expect("the tokenizer is a recipe");
        // The shipped file has added tokens (`[UNK]`, `[url]`), matched before the normalizers.
        for text in ["[UNK] and [url] and [URL]", "a [ b", "straße", "日本", "see https://日本.jp"] {
            assert_eq!(recipe.encode(text), None, "{text:?}");
        }
        // Another pre-tokenizer: not the recipe.
        let mut value: serde_json::Value = serde_json::from_slice(WORDS_TOKENIZER).expect("JSON");
        value["pre_tokenizer"] = serde_json::json!({ "type": "Whitespace" });
        let other = Tokenizer::from_bytes(value.to_string().as_bytes()).expect("loads");
        assert!(other.recipe.is_none());
    }

    const POSTS: &[u8] = include_bytes!("../../models/sentir-en-posts/tokenizer.json");

    /// The posts model's tokenizer and its emoticons, in its pattern's order.
    fn posts() -> (Tokenizer, Vec<String>) {
        let tokenizer = Tokenizer::from_bytes(POSTS).expect("loads");
        let Some(Recipe { pipeline: Pipeline::Posts(emoticons), .. }) = &tokenizer.recipe else {
            unreachable!(
                "the posts tokenizer is the posts recipe: {:?}",
                tokenizer.recipe.as_ref().map(|r| &r.pipeline)
            )
        };
        let list = emoticons.list.iter().map(|emoticon| emoticon.text.to_string()).collect();
        (tokenizer, list)
    }

    #[test]
    fn the_posts_tokenizer_is_the_posts_recipe_and_a_changed_one_is_not() {
        let (_, emoticons) = posts();
        assert!(emoticons.len() > 200 && emoticons.iter().any(|e| e == ":)") && emoticons.iter().any(|e| e == "xd"));
        let value: serde_json::Value = serde_json::from_slice(POSTS).expect("JSON");
        let recipe = |value: &serde_json::Value| {
            let tokenizer = Tokenizer::from_bytes(value.to_string().as_bytes()).expect("loads");
            tokenizer.recipe.map(|recipe| matches!(recipe.pipeline, Pipeline::Posts(_)))
        };
        assert_eq!(recipe(&value), Some(true));
        let pattern = value["pre_tokenizer"]["pattern"]["Regex"].as_str().expect("a pattern").to_owned();
        // Each a change to the pre-tokenizer's pattern that `emoticon_pattern` would not make: `(from, to)`.
        let patterns = [
            (r"|:\-\(|:\-\)|:\-\*|", r"|:\-\(|:\-\)|:\-\-\)|:\-\*|"), // one added, out of order
            (r"|:\-\(|:\-\)|:\-\*|", r"|:\-\)|:\-\(|:\-\*|"),         // two swapped
            (r"(?<!\w)xd(?!\w)", r"(?<!\w)xd"),                       // a lookahead left out
            (r"(?<!\w)xd(?!\w)", r"xd(?!\w)"),                        // a lookbehind left out
            (r"|:\)|", r"|:\)(?!\w)|"),                               // a lookahead added
            (r"|:\)|", r"|\:\)|"),                                    // escaped differently
            (r"(?<!\d)(?:", "(?:"),                                   // the digit rule left out
            (r"\[url\]|\[user\]|", r"\[url\]|"),                      // a placeholder left out
            (r"|\p{Regional_Indicator}{2}", ""),                      // flags left out
            (r"'(?:s|re|ve|ll|d|m)\b", r"'(?:s|re|ve|ll|d)\b"),       // a contraction left out
            (r"|\w+|\S", r"|\w+|\S|\s"),                              // a rule added
        ];
        for (from, to) in patterns {
            assert_eq!(pattern.matches(from).count(), 1, "{from}");
            let mut changed = value.clone();
            changed["pre_tokenizer"]["pattern"]["Regex"] = pattern.replacen(from, to, 1).into();
            assert_ne!(recipe(&changed), Some(true), "{from} -> {to}");
        }
        // Each normalizer left out in turn, or changed.
        let normalizers = value["normalizer"]["normalizers"].as_array().expect("a sequence").clone();
        assert_eq!(normalizers.len(), 3 + 4 + 29);
        for left_out in 0..normalizers.len() {
            let mut changed = value.clone();
            changed["normalizer"]["normalizers"].as_array_mut().expect("a sequence").remove(left_out);
            assert_eq!(recipe(&changed), None, "normalizer {left_out} left out");
        }
        let edits: [(&str, serde_json::Value); 5] = [
            ("/normalizer/normalizers/1/content", " [mention] ".into()),
            ("/normalizer/normalizers/1/pattern/Regex", r"@\w+".into()),
            ("/normalizer/normalizers/7/pattern/Regex", "(?<=aa)a".into()),
            ("/pre_tokenizer/behavior", "Isolated".into()),
            ("/pre_tokenizer/invert", false.into()),
        ];
        for (pointer, to) in edits {
            let mut changed = value.clone();
            *changed.pointer_mut(pointer).expect(pointer) = to;
            assert_eq!(recipe(&changed), None, "{pointer}");
        }
        let mut changed = value.clone();
        changed["normalizer"]["normalizers"].as_array_mut().expect("a sequence").swap(5, 6);
        assert_eq!(recipe(&changed), None, "Lowercase and StripAccents swapped");
        let mut changed = value.clone();
        changed["model"]["continuing_subword_prefix"] = "@@".into();
        assert_eq!(recipe(&changed), None, "another continuation prefix");
        // A pattern that `emoticon_pattern` makes from another list (a retrained tokenizer's) is the recipe, with
        // that list.
        let mut shorter = value.clone();
        shorter["pre_tokenizer"]["pattern"]["Regex"] =
            pattern.replacen(r"|:\-\(|:\-\)|", r"|:\-\(|", 1).replacen(r"|(?<!\w)xd(?!\w)|", "|", 1).into();
        assert_eq!(recipe(&shorter), Some(true));
        // And encodes as `tokenizers` does, without them.
        let shorter = Tokenizer::from_bytes(shorter.to_string().as_bytes()).expect("loads");
        for text in [":-) xd :) xD:-(", "a:-)b"] {
            let (fast, full) = both(&shorter, text);
            assert_eq!(fast, full, "{text:?}");
        }
    }

    /// Texts made of `parts` from a fixed seed, one in `1 / rare` of the parts drawn from `others`.
    /// A xorshift generator from `seed`: `next(below)` is in `0..below`. Seeded, so a failure repeats.
    fn xorshift(seed: u32) -> impl FnMut(usize) -> usize {
        let mut state = seed;
        move |below| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as usize % below
        }
    }

    /// Each text with a character of `others` is refused by the recipe; every other is encoded by the recipe as
    /// `tokenizers` encodes it. Returns how many were compared, for the caller to check the recipe took enough.
    fn compare_with_tokenizers(
        tokenizer: &Tokenizer,
        recipe: &Recipe,
        texts: impl IntoIterator<Item = String>,
        others: &[&str],
    ) -> usize {
        let mut compared = 0;
        for text in texts {
            if others.iter().any(|other| text.contains(other)) {
                assert_eq!(recipe.encode(&text), None, "{text:?}");
            } else {
                let (fast, full) = both(tokenizer, &text);
                assert_eq!(fast, full, "{text:?}");
                compared += 1;
            }
        }
        compared
    }

    fn generated<'a>(parts: &'a [&'a str], others: &'a [&'a str], rare: usize) -> impl Iterator<Item = String> + 'a {
        let mut next = xorshift(0x2545_f491);
        std::iter::repeat_with(move || {
            let count = 1 + next(24);
            (0..count)
                .map(|_| if next(rare) == 0 { others[next(others.len())] } else { parts[next(parts.len())] })
                .collect()
        })
    }

    #[test]
    fn the_posts_recipe_encodes_as_tokenizers_does() {
        let (tokenizer, emoticons) = posts();
        let recipe = tokenizer.recipe.as_ref().expect("the posts recipe");
        let texts = [
            ":) great :( xD :Dgreat 10:30 :3 x:3 a:3 1:3 :3a <3 <33 </3 <3333333333 lol<3 ;) ;-) :-))))))))",
            ":)))))))))))) :-)))))))))) :(((( :-(((((( 8-) 8) 8-D B-) :-þ",
            "soooooo goooood!!!!!! ....  AAAAH whyyyy??? ?!?!?!! ....... .. zzzzz xddddd :DDDD <3333",
            "I can't, won't, don't; it's they're we've you'll he'd I'm xDD XD Xd xd! (xd) x-d xp XP",
            "#hashtag #BlackLivesMatter #1 ##x #:) #xd",
            "@united @ @@bob a@b x@y.com .@bob (@bob) @bob's @bob_1:) @josé @AAAAH @bobhttp://x @1",
            "see https://t.co/abc?x=1 and http://x, www.example.com https:// http:// www. wwww.x xhttp://a",
            "[url] [user] [URL] [USER] [ :[ ]: [: [url]:) [[user]] [u :-[ >:[",
            "^_^ ^^ -_- >_< o_o O_O t_t T_T o_0 \\o/ d: D: s: o: xo:) 0:) 0:-) o:-) 3:) 3:-)",
            "café CAFÉ naïve ÀÀÀÀH ééééé “quoted” — dash … ellipsis ©®™ 50€",
            "",
            "   ",
        ];
        for text in texts.iter().filter(|text| !text.contains('þ')) {
            let (fast, full) = both(&tokenizer, text);
            assert_eq!(fast, full, "{text:?}");
        }
        // Every emoticon it can take, alone and in contexts: after a digit, between letters, doubled, cased.
        let mut taken = 0;
        for emoticon in &emoticons {
            if !emoticon.chars().all(|ch| normalize_char(ch).is_some()) {
                assert_eq!(recipe.encode(emoticon), None, "{emoticon:?}");
                continue;
            }
            let upper = emoticon.to_uppercase();
            let contexts = [
                emoticon.clone(),
                format!("a{emoticon}b"),
                format!("1{emoticon}1"),
                format!("x {emoticon} y"),
                format!("{emoticon}{emoticon}{emoticon}"),
                format!("{emoticon}x{emoticon}_"),
                format!("_{emoticon}. {upper}!"),
                format!("don{emoticon}'t it{emoticon}'s"),
                format!("@bob{emoticon} http://x{emoticon} {emoticon}www.x"),
            ];
            for text in &contexts {
                let (fast, full) = both(&tokenizer, text);
                assert_eq!(fast, full, "{text:?}");
            }
            taken += 1;
        }
        assert!(taken > 200, "{taken}");
        // Texts of the pieces where the rules meet, the file's emoticons among them; the others are characters
        // the recipe leaves to `tokenizers`.
        let mut parts = vec![
            ":",
            ";",
            "=",
            "-",
            ")",
            "(",
            "d",
            "D",
            "p",
            "P",
            "x",
            "X",
            "o",
            "O",
            "3",
            "<",
            ">",
            "/",
            "\\",
            "^",
            "_",
            "'",
            "[",
            "]",
            "{",
            "}",
            "|",
            "*",
            "#",
            "!",
            "!!!",
            "?",
            "??",
            ".",
            "...",
            "0",
            "1",
            "10",
            " ",
            "  ",
            " ",
            "\n",
            "\t",
            "so",
            "ooo",
            "oooo",
            "a",
            "AAAA",
            "h",
            "s",
            "t",
            "n",
            "n't",
            "'s",
            "'re",
            "'m",
            "don",
            "ca",
            "wo",
            "good",
            "bad",
            "not",
            "lol",
            "haha",
            "url",
            "user",
            "@",
            "@",
            "@bob",
            "@United",
            "http://",
            "https://t.co/x",
            "www.",
            "www.x.com",
            "http",
            "[url]",
            "[user]",
            "é",
            "É",
            "’",
            "—",
            "…",
            "©",
        ];
        let taken: Vec<String> = emoticons
            .iter()
            .filter(|emoticon| emoticon.chars().all(|ch| normalize_char(ch).is_some()))
            .flat_map(|emoticon| [emoticon.clone(), emoticon.to_uppercase()])
            .collect();
        parts.extend(taken.iter().map(String::as_str));
        let others = ["þ", "♥", "👍", "🏽", "日", "\u{a0}", "\u{fe0f}"];
        let compared =
            compare_with_tokenizers(&tokenizer, recipe, generated(&parts, &others, 60).take(20_000), &others);
        assert!(compared > 14_000, "the recipe took {compared} of 20,000");
    }

    /// Widens `tokens` (each a vocabulary piece and its span in `text`, as `tokenizers` gave it) and checks the
    /// spans against `expected`.
    fn check(text: &str, tokens: &[(&str, (usize, usize))], expected: &[(usize, usize)]) {
        let mut offsets: Vec<(usize, usize)> = tokens.iter().map(|&(_, span)| span).collect();
        widen_spans(text, &mut offsets, |token| tokens.get(token).map(|&(piece, _)| piece));
        let texts = |spans: &[(usize, usize)]| spans.iter().map(|&(a, b)| text.get(a..b)).collect::<Vec<_>>();
        assert_eq!(offsets, expected, "{text:?}: {:?}, not {:?}", texts(&offsets), texts(expected));
    }

    #[test]
    fn a_placeholder_covers_the_text_it_replaced() {
        // `tokenizers` aligns ` [user] ` with the `d` of `@united`.
        check("@united great", &[("[user]", (6, 7)), ("great", (8, 13))], &[(0, 7), (8, 13)]);
        // After another token without a space: back to that token's end.
        check("great!@united", &[("great", (0, 5)), ("!", (5, 6)), ("[user]", (12, 13))], &[(0, 5), (5, 6), (6, 13)]);
        // Whitespace stops it: the URL, not the word before it.
        check(
            "see https://x.co/a ok",
            &[("see", (0, 3)), ("[url]", (17, 18)), ("ok", (19, 21))],
            &[(0, 3), (4, 18), (19, 21)],
        );
        check("@a @b", &[("[user]", (1, 2)), ("[user]", (4, 5))], &[(0, 2), (3, 5)]);
        // Multi-byte characters: `é` is two bytes, `日` three.
        check("日@é", &[("[UNK]", (0, 3)), ("[user]", (4, 6))], &[(0, 3), (3, 6)]);
    }

    #[test]
    fn removed_characters_belong_to_the_token_before_them() {
        // A skin tone (four bytes) after 👍 (four bytes).
        check("👍🏽", &[("👍", (0, 4))], &[(0, 8)]);
        check("soooooo", &[("sooo", (0, 4))], &[(0, 7)]);
        check("soooooo good", &[("so", (0, 2)), ("##oo", (2, 4)), ("good", (8, 12))], &[(0, 2), (2, 7), (8, 12)]);
        // A combining accent (U+0301, two bytes) that `StripAccents` removed, between adjacent tokens.
        check("e\u{301}e", &[("e", (0, 1)), ("##e", (3, 4))], &[(0, 3), (3, 4)]);
        // Up to the end of the text.
        check(
            "wow !!!!!",
            &[("wow", (0, 3)), ("!", (4, 5)), ("!", (5, 6)), ("!", (6, 7))],
            &[(0, 3), (4, 5), (5, 6), (6, 9)],
        );
        // Not over whitespace: a skin tone alone after a space belongs to no token.
        check("👍 🏽 x", &[("👍", (0, 4)), ("x", (10, 11))], &[(0, 4), (10, 11)]);
    }

    #[test]
    fn spans_that_need_no_widening_stay_as_they_are() {
        check("", &[], &[]);
        check("ab c", &[("a", (0, 1)), ("##b", (1, 2)), ("c", (3, 4))], &[(0, 1), (1, 2), (3, 4)]);
        check("  x\t\n", &[("x", (2, 3))], &[(2, 3)]);
        // A placeholder piece whose text is itself (an added token typed in the text) is not a placeholder: the
        // removed accent before it goes to the token before it.
        check("e\u{301}[url]", &[("e", (0, 1)), ("[url]", (3, 8))], &[(0, 3), (3, 8)]);
        // Pieces that look like placeholders but are not ASCII letters in brackets.
        for piece in ["[]", "[u1]", "[url", "url]", "[ur l]", "[é]"] {
            assert!(!is_placeholder_piece(piece), "{piece}");
        }
        assert!(is_placeholder_piece("[url]") && is_placeholder_piece("[UNK]"));
        check("@united", &[("[u1]", (6, 7))], &[(6, 7)]);
    }

    #[test]
    fn tokens_that_share_a_span_keep_sharing_it() {
        // `ﬁ` (three bytes) became `f` + `##i`; the skin tone after it goes to both.
        check("ﬁ🏽 x", &[("f", (0, 3)), ("##i", (0, 3)), ("x", (8, 9))], &[(0, 7), (0, 7), (8, 9)]);
        // Split into `[`, `user`, `]` by a pre-tokenizer that does not know the placeholder: none is one, so they
        // keep the `d`.
        check("@united", &[("[", (6, 7)), ("user", (6, 7)), ("]", (6, 7))], &[(6, 7), (6, 7), (6, 7)]);
        // A group with a placeholder in it moves as one.
        check("x @ab", &[("x", (0, 1)), ("[user]", (4, 5)), ("##x", (4, 5))], &[(0, 1), (2, 5), (2, 5)]);
    }

    #[test]
    fn spans_never_come_to_overlap_and_bad_offsets_are_left_alone() {
        // A span inside another: the uncovered skin tone after both goes to neither (each stops at the other).
        check("abcde🏽", &[("abcde", (0, 5)), ("b", (1, 2))], &[(0, 5), (1, 2)]);
        // Overlapping spans, a placeholder among them: it cannot move back into the token before it.
        check("ab@cd", &[("ab", (0, 4)), ("[user]", (3, 5))], &[(0, 4), (3, 5)]);
        // Out of order, past the end, inside a character, backwards: left as they are, without a panic.
        let bad: [&[(&str, (usize, usize))]; 5] = [
            &[("b", (4, 5)), ("[user]", (1, 2))],
            &[("[user]", (1, 99))],
            &[("[user]", (2, 3))],
            &[("[user]", (3, 1))],
            &[("x", (usize::MAX, usize::MAX))],
        ];
        for tokens in bad {
            let spans: Vec<(usize, usize)> = tokens.iter().map(|&(_, span)| span).collect();
            check("@é bcd🏽", tokens, &spans);
        }
        // A piece missing from the vocabulary is not a placeholder.
        let mut offsets = vec![(6, 7)];
        widen_spans("@united", &mut offsets, |_| None);
        assert_eq!(offsets, [(6, 7)]);
    }

    /// A tokenizer for posts like `scripts/posts.py`'s: placeholders for URLs and mentions, skin tones and the
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
        let raw = tokenizer.inner.encode(text, false).expect("encodes");
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
            let raw = tokenizer.inner.encode(text.as_str(), false).expect("encodes");
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
