//! sentir's own tokenizer pipelines written out on bytes, for the texts they can vouch for.

use std::sync::OnceLock;

use foldhash::HashMap;

use super::Tokens;
use super::file::WordPieces;

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
pub(super) struct Recipe {
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
    /// Whether the pipeline has emoji pre-tokens (posts): the recipe takes them with [`pictographs`]' table.
    emoji: bool,
}

/// The pipelines the recipe knows, the rules where they differ as data: [`Pipeline::json`] builds the normalizer and
/// pre-tokenizer each must have from them, and the recipe encodes by the same rules.
#[derive(Debug, Clone)]
pub(super) enum Pipeline {
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
    pub(super) fn of(value: &serde_json::Value) -> Option<Pipeline> {
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
    pub(super) fn json(&self) -> serde_json::Value {
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
pub(super) struct Emoticons {
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
    /// The recipe for a file with `pipeline` (see [`Pipeline::of`]) and `vocabulary`.
    pub(super) fn new(vocabulary: &WordPieces, pipeline: Pipeline) -> Recipe {
        let pieces = &vocabulary.pieces;
        let continuing = pieces.iter().filter(|piece| piece.starts_with("##")).count();
        let mut starts = HashMap::with_capacity_and_hasher(pieces.len() - continuing, Default::default());
        let mut continuations = HashMap::with_capacity_and_hasher(continuing, Default::default());
        for (id, piece) in (0..).zip(pieces) {
            match piece.strip_prefix("##") {
                Some(rest) => continuations.insert(rest.into(), id),
                None => starts.insert(piece.as_str().into(), id),
            };
        }
        let emoji = matches!(pipeline, Pipeline::Posts(_));
        Recipe {
            pipeline,
            starts,
            continuations,
            unknown: vocabulary.unknown,
            max_word_chars: vocabulary.max_word_chars,
            refuses_brackets: vocabulary.added_tokens,
            emoji,
        }
    }

    /// `text`'s encoding, or `None` if it has a character other than ASCII and those [`normalize_char`] knows (and,
    /// for posts, the emoji [`Pictographs::kind`] knows, where they are sequences the rules agree on), or a `[` where
    /// the file has added tokens (see the type's docs).
    pub(super) fn encode(&self, text: &str) -> Option<Tokens> {
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
            // The pre-tokenizer's alternatives in order: placeholders, (posts) emoticons and emoji, words.
            let placeholder = placeholders.iter().find(|placeholder| bytes[at..].starts_with(placeholder));
            let end = match (placeholder, &self.pipeline) {
                (Some(placeholder), _) => at + placeholder.len(),
                (None, Pipeline::Posts(emoticons)) => emoticons
                    .end(bytes, at)
                    .or_else(|| if bytes[at].is_ascii() { None } else { self.pictographs()?.end(&normalized.text, at) })
                    .unwrap_or_else(|| word_end(bytes, at)),
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

    /// The emoji table, if the pipeline has emoji. No ASCII character is one, so the callers ask only beyond ASCII:
    /// the table is read the first time a text has such a character.
    fn pictographs(&self) -> Option<&'static Pictographs> {
        self.emoji.then(pictographs).flatten()
    }

    /// `text` through the pipeline's normalizers, or `None` if a character is not one [`normalize_char`] (or, for
    /// posts, [`Pictographs::kind`]) knows. In order: URLs, then (posts) @mentions become placeholders; (posts)
    /// emoji modifiers go; NFD, StripAccents, Lowercase, NFC ([`normalize_char`]; emoji stay as they are); (posts)
    /// runs cut to three.
    fn normalize(&self, text: &str) -> Option<Normalized> {
        let posts = matches!(self.pipeline, Pipeline::Posts(_));
        let rewritten =
            !text.is_ascii() || text.contains("http") || text.contains("www.") || posts && text.contains('@');
        let mut normalized = if rewritten {
            rewrite(text, posts, if text.is_ascii() { None } else { self.pictographs() })?
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
/// (`(?<![\w@])@\w+`) by ` [user] `, each aligned with the last character of what it replaced, then with `emoji`
/// its emoji modifiers removed, and every other character through [`normalize_char`] (emoji as they are); `None`
/// if one is not a character it knows ([`takes`]). A URL runs to whitespace, so no mention follows one directly; a
/// mention can end where a URL begins (`@bobhttp://x`).
fn rewrite(text: &str, mentions: bool, emoji: Option<&Pictographs>) -> Option<Normalized> {
    if !takes(text, emoji) {
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
    // The accented Latin-1 letters are the only word characters beyond ASCII among those `normalize_char` knows;
    // of the emoji characters, the joiner and the variation selector are (`\w` has Join_Control and marks).
    let is_word = |ch: char| {
        ch.is_ascii_alphanumeric() || ch == '_' || without_accent(ch).is_some() || matches!(ch, JOINER | SELECTOR)
    };
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
        previous = Some(ch);
        if !(emoji.is_some() && is_modifier(ch)) {
            let mut buffer = [0; 4];
            let kept = normalize_char(ch).unwrap_or(ch);
            normalized.push(kept.encode_utf8(&mut buffer), (at, at + ch.len_utf8()));
        }
        at += ch.len_utf8();
    }
    Some(normalized)
}

/// Whether the recipe takes `text`: every character one [`normalize_char`] knows or (with `emoji`) an emoji
/// character, a variation selector only after a pictograph or a skin tone, and a joiner only between a pictograph
/// (or its modifier) and a pictograph. Both are word characters to `\w`, which the mention rule reads before the
/// modifiers go; where they are, they end no word and are removed or joined, as the rules do.
fn takes(text: &str, emoji: Option<&Pictographs>) -> bool {
    let mut previous = None;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        let kind = emoji.and_then(|emoji| emoji.kind(ch));
        let after_pictograph = matches!(previous, Some(Emoji::Pictograph | Emoji::Modifier));
        let known = match kind {
            None => normalize_char(ch).is_some(),
            Some(Emoji::Modifier) if ch == SELECTOR => after_pictograph,
            Some(Emoji::Joiner) => {
                let next = chars.peek().and_then(|&next| emoji.and_then(|emoji| emoji.kind(next)));
                after_pictograph && next == Some(Emoji::Pictograph)
            }
            Some(_) => true,
        };
        if !known {
            return false;
        }
        previous = kind;
    }
    true
}

/// The posts pipeline's emoji characters (`EMOJI` and `EMOJI_MODIFIERS`), with `\p{Extended_Pictographic}` read
/// from `regex-syntax`'s Unicode tables, the ones `fancy-regex` matches the pattern with.
#[derive(Debug, Clone)]
pub(super) struct Pictographs {
    /// `\p{Extended_Pictographic}`'s ranges, in order.
    ranges: Vec<(char, char)>,
}

/// What an emoji character is to the posts pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Emoji {
    /// `\p{Extended_Pictographic}`, as the recipe takes it: not a word character (`🅰` is a letter to `\w`) and
    /// not changed by Lowercase (`Ⓜ`).
    Pictograph,
    /// `\p{Regional_Indicator}`: two make a flag.
    Indicator,
    /// U+200D, which joins pictographs into one emoji.
    Joiner,
    /// A skin tone or U+FE0F, which the pipeline removes.
    Modifier,
}

const JOINER: char = '\u{200d}';
const SELECTOR: char = '\u{fe0f}';

/// The emoji table, read once (`None` if it could not be read: emoji are then left to `tokenizers`). Reading it was
/// a sixth of loading a model in a page, where most texts have no emoji.
fn pictographs() -> Option<&'static Pictographs> {
    static TABLE: OnceLock<Option<Pictographs>> = OnceLock::new();
    TABLE.get_or_init(Pictographs::new).as_ref()
}

impl Pictographs {
    fn new() -> Option<Pictographs> {
        use regex_syntax::hir::{Class, HirKind};
        let hir = regex_syntax::parse(r"\p{Extended_Pictographic}").ok()?;
        let HirKind::Class(Class::Unicode(class)) = hir.kind() else { return None };
        Some(Pictographs { ranges: class.ranges().iter().map(|range| (range.start(), range.end())).collect() })
    }

    /// What `ch` is, if it is an emoji character the recipe takes.
    fn kind(&self, ch: char) -> Option<Emoji> {
        match ch {
            _ if ch.is_ascii() => None,
            '\u{1f1e6}'..='\u{1f1ff}' => Some(Emoji::Indicator),
            _ if is_modifier(ch) => Some(Emoji::Modifier),
            JOINER => Some(Emoji::Joiner),
            _ if self.is_pictographic(ch) && !ch.is_alphanumeric() && is_caseless(ch) => Some(Emoji::Pictograph),
            _ => None,
        }
    }

    fn is_pictographic(&self, ch: char) -> bool {
        let at = self.ranges.partition_point(|&(_, end)| end < ch);
        self.ranges.get(at).is_some_and(|&(start, _)| start <= ch)
    }

    /// The end of the emoji at byte `at` of a normalized text, if one begins there: the pipeline's `EMOJI`,
    /// `\p{Regional_Indicator}{2}|\p{Extended_Pictographic}(?:\x{200D}\p{Extended_Pictographic})*`.
    fn end(&self, text: &str, at: usize) -> Option<usize> {
        if text.as_bytes()[at].is_ascii() {
            return None;
        }
        let mut chars = text[at..].chars();
        let first = chars.next()?;
        match self.kind(first)? {
            Emoji::Indicator => {
                let second = chars.next().filter(|&ch| self.kind(ch) == Some(Emoji::Indicator))?;
                Some(at + first.len_utf8() + second.len_utf8())
            }
            Emoji::Pictograph => {
                let mut end = at + first.len_utf8();
                let mut rest = text[end..].chars();
                while let (Some(JOINER), Some(next)) = (rest.next(), rest.next())
                    && self.kind(next) == Some(Emoji::Pictograph)
                {
                    end += JOINER.len_utf8() + next.len_utf8();
                    rest = text[end..].chars();
                }
                Some(end)
            }
            Emoji::Joiner | Emoji::Modifier => None,
        }
    }
}

/// A skin tone or U+FE0F: what the posts pipeline's `EMOJI_MODIFIERS` removes.
fn is_modifier(ch: char) -> bool {
    matches!(ch, '\u{1f3fb}'..='\u{1f3ff}' | SELECTOR)
}

/// Whether Lowercase leaves `ch` as it is.
fn is_caseless(ch: char) -> bool {
    let mut lower = ch.to_lowercase();
    lower.next() == Some(ch) && lower.next().is_none()
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

#[cfg(test)]
mod tests;
