"""sentir's rule for token spans, in Python: `widen` mirrors `widen_spans` in crate/src/tokenize/spans.rs.

scripts/export.py applies it to Python `tokenizers`' offsets when it writes the tokenizer golden vectors, so that
they are the spans sentir gives. The two must stay the same rule; the Rust function's docs explain it.
"""

import re

# Unicode's White_Space, what Rust's `char::is_whitespace` tests (Python's `str.isspace` also takes U+001C-U+001F).
WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
PLACEHOLDER = re.compile(r"\[[A-Za-z]+\]")


def widen(text, pieces, offsets):
    """The spans `tokenizers` gave (`offsets`, character offsets into `text`, one per token; `pieces`, each token's
    vocabulary piece), widened as sentir widens them (`widen_spans` in crate/src/tokenize/spans.rs):

    1. a placeholder (a piece of ASCII letters in brackets, like `[url]` or `[user]`, at a span whose text is not that
       piece) starts earlier, over the characters before it that are not whitespace and that no token covers, back
       to the previous token's end (or the start of the text);
    2. then every token ends later, over the characters after it that are not whitespace and that no token covers, up
       to the next token's start (or the end of the text).

    Tokens that share a span move together, as one. Offsets out of order (a start before the previous start) or
    outside the text are returned as they are. Returns a new list of (start, end) tuples.
    """
    offsets = [tuple(span) for span in offsets]
    if any(not 0 <= start <= end <= len(text) for start, end in offsets) or any(
        later[0] < earlier[0] for earlier, later in zip(offsets, offsets[1:])
    ):
        return offsets

    def back(start, to):
        while to > start and text[to - 1] not in WHITESPACE:
            to -= 1
        return to

    def forward(at, limit):
        while at < limit and text[at] not in WHITESPACE:
            at += 1
        return at

    def widen_end(group, covered, limit):
        end = offsets[group[0]][1]
        if covered <= end <= limit:
            end = forward(end, limit)
            for token in group:
                offsets[token] = (offsets[token][0], end)

    covered = 0  # the furthest end of the tokens before the current group, as `tokenizers` gave them
    previous = None  # the previous group and `covered` before it
    first = 0
    while first < len(offsets):
        span = offsets[first]
        last = first
        while last < len(offsets) and offsets[last] == span:
            last += 1
        group = range(first, last)
        placeholder = any(
            token < len(pieces) and PLACEHOLDER.fullmatch(pieces[token]) and text[span[0]:span[1]] != pieces[token]
            for token in group
        )
        start = back(covered, span[0]) if placeholder and covered <= span[0] else span[0]
        if previous is not None:
            widen_end(*previous, start)
        for token in group:
            offsets[token] = (start, offsets[token][1])
        previous = (group, covered)
        covered = max(covered, span[1])
        first = last
    if previous is not None:
        widen_end(*previous, len(text))
    return offsets
