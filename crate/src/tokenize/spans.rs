//! sentir's rule for token spans: where `tokenizers` puts a token, widened wherever a normalizer rewrote the text.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
