//! Offsets into a text in the unit each front end counts in: bytes (Rust, and the CLI's JSON), characters
//! (Python's string indices) or UTF-16 code units (JavaScript's `String.prototype.slice`). sentir works in bytes;
//! a front end converts a result's offsets once, through [`Offsets`] or [`Analysis::with_offsets`].

use crate::{Analysis, Brief};

/// What an offset counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    /// Unicode scalar values: Python's `str` indices.
    Chars,
    /// UTF-16 code units: JavaScript's string indices.
    Utf16,
}

/// A text's byte offsets in another [`Unit`], from a table made once per text (none where the unit is bytes or
/// the text is ASCII: every offset is then the same number).
#[derive(Debug, Clone)]
pub struct Offsets {
    /// `table[b]`: the offset of the character byte `b` is in; `table[len]` the text's length. Empty: the same.
    table: Vec<u32>,
}

impl Offsets {
    pub fn new(text: &str, unit: Unit) -> Offsets {
        if unit == Unit::Bytes || text.is_ascii() {
            return Offsets { table: Vec::new() };
        }
        let mut table = vec![0u32; text.len() + 1];
        let mut at = 0u32;
        for (byte, ch) in text.char_indices() {
            table[byte..byte + ch.len_utf8()].fill(at);
            at += if unit == Unit::Utf16 { ch.len_utf16() as u32 } else { 1 };
        }
        table[text.len()] = at;
        Offsets { table }
    }

    /// The offset of byte offset `byte` (past the end: the text's length).
    pub fn of(&self, byte: usize) -> usize {
        match self.table.last() {
            None => byte,
            Some(&len) => self.table.get(byte).copied().unwrap_or(len) as usize,
        }
    }
}

impl Analysis {
    /// This analysis of `text` with every offset in `unit` instead of bytes.
    pub fn with_offsets(mut self, text: &str, unit: Unit) -> Analysis {
        let offsets = Offsets::new(text, unit);
        for token in &mut self.tokens {
            (token.start, token.end) = (offsets.of(token.start), offsets.of(token.end));
        }
        for word in &mut self.words {
            (word.start, word.end) = (offsets.of(word.start), offsets.of(word.end));
        }
        self
    }
}

impl Brief {
    /// This brief of `text` with its words' offsets in `unit` instead of bytes.
    pub fn with_offsets(mut self, text: &str, unit: Unit) -> Brief {
        let offsets = Offsets::new(text, unit);
        for word in &mut self.words {
            (word.start, word.end) = (offsets.of(word.start), offsets.of(word.end));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_bytes_chars_and_utf16_units() {
        // "é" is 2 bytes, 1 char, 1 unit; "👍" 4 bytes, 1 char, 2 units; "中" 3 bytes, 1 char, 1 unit.
        let text = "é👍 中";
        let boundaries = [0, 2, 6, 7, 10];
        let in_unit = |unit| boundaries.map(|byte| Offsets::new(text, unit).of(byte));
        assert_eq!(in_unit(Unit::Bytes), [0, 2, 6, 7, 10]);
        assert_eq!(in_unit(Unit::Chars), [0, 1, 2, 3, 4]);
        assert_eq!(in_unit(Unit::Utf16), [0, 1, 3, 4, 5]);
        // Inside a character: the character's own offset; past the end: the length.
        assert_eq!((Offsets::new(text, Unit::Utf16).of(4), Offsets::new(text, Unit::Chars).of(99)), (1, 4));
        // ASCII needs no table: every unit is a byte.
        assert_eq!(Offsets::new("plain", Unit::Utf16).of(3), 3);
    }

    #[test]
    fn an_analysis_converts_its_token_and_word_offsets() {
        let token = |(start, end)| crate::Token {
            id: 0,
            piece: String::new(),
            text: String::new(),
            start,
            end,
            score: 0.0,
            probability: 0.5,
        };
        let word = crate::Word { text: String::new(), start: 2, end: 10, score: 0.0, first_token: 1, token_count: 2 };
        let analysis = Analysis {
            label: String::new(),
            probabilities: crate::PerLabel(vec![]),
            tokens: [(0, 2), (2, 6), (7, 10)].into_iter().map(token).collect(),
            words: vec![word],
            backend: "test",
            fallback: None,
        };
        let converted = analysis.with_offsets("é👍 中", Unit::Utf16);
        let spans: Vec<_> = converted.tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(spans, vec![(0, 1), (1, 3), (4, 5)]);
        assert_eq!((converted.words[0].start, converted.words[0].end), (1, 5));
    }
}
