"""The tokenizer for posts, and what the emoji and emoticon lexicons teach the model.

The tokenizer (a Hugging Face `tokenizers` file, so the Rust crate loads it as any other):
- normalizer: URLs become ` [url] `, @mentions ` [user] `; emoji skin tones (U+1F3FB-U+1F3FF) and the emoji
  presentation selector (U+FE0F) are removed, so 👍🏽 reads as 👍 (its token still covers both characters); accents
  go, case folds; a letter repeated more than three times is cut to three (`soooooo` -> `sooo`), and so are runs of
  `!`, `?` and `.`: training and analysis see the same spelling. Removed characters (skin tones, the fourth `o`)
  are covered by the token before them, a placeholder covers the text it replaced: sentir widens the spans
  `tokenizers` gives (scripts/spans.py mirrors the rule);
- pre-tokenizer: the placeholders, emoticons (`:)`, `:-(`, `<3`, `:d`, `xd`, ...), flags (two regional indicators)
  and emoji with their ZWJ sequences (👨‍👩‍👧, 🤦‍♀️) are pre-tokens of their own; then words, contractions as GloVe
  spells them (`do` + `n't`), and every other symbol alone (`#hashtag` is `#` + the word);
- WordPiece, trained on the training text, plus the everyday words of labMT (the 10,000 most frequent words of
  Twitter, the New York Times, Google Books and lyrics) that it lacks, so that "pizza" or "january" is one token
  even where the training text rarely has it (GloVe gives them their meaning), and every emoji of VADER's emoji
  lexicon and of the Emoji Sentiment Ranking and every emoticon of the lexicons, so each is one token.

Emoji and emoticons get a polarity from the lexicons: an emoticon its VADER and AFINN ratings; an emoji that the
Emoji Sentiment Ranking (Kralj Novak et al. 2015: 1.6 million tweets labelled by annotators) saw at least
RANKING_FLOOR times its sentiment score there, what the tweets around it said (🔥 leans positive there, where
"fire" reads negative); a few newer ones a hand rating (USAGE); any other emoji a reading of its English
description: the teacher's, when train.py distils, else VADER's rating of it (what VADER itself does with emoji),
else the mean of AFINN's ratings of its words. The ranking is from 2015: emoji that Unicode added in 7.0 or later
(🙂 🙄 🤦 🥰 🤡) are not in it. Those polarities make training signal
(`emoji_sentences`, and per-token targets through the lexicon loss), and the descriptions' GloVe vectors initialise
the emoji's embeddings.
"""

import hashlib
import random
import re

from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, trainers

from evaluate import DATA

URL = r"https?://\S+|www\.\S+"
MENTION = r"(?<![\w@])@\w+"
# Skin tones and the emoji presentation selector: removed, so one emoji has one spelling.
EMOJI_MODIFIERS = r"[\x{1F3FB}-\x{1F3FF}\x{FE0F}]"
EMOJI = r"\p{Regional_Indicator}{2}|\p{Extended_Pictographic}(?:\x{200D}\p{Extended_Pictographic})*"
WORDS = r"\w+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|\w+|\S"
PLACEHOLDERS = ["[url]", "[user]"]
# Emoticons written with letters or digits besides those with : ; = (which the lexicons' lists supply).
EMOTICON_EXTRA = ["<3", "</3", "xd", "xp", "^_^", "^^", "-_-", ">_<", "o_o", "t_t", ":3"]
# The fewest occurrences an emoji needs in the ranking for its score to stand. The score is a mean of labels
# -1/0/+1 whose spread is 0.65-0.8, so from n occurrences it is off by about 0.7 / sqrt(n): 0.16 at 20, near the
# 0.2 from which `emoji_sentences` calls a polarity clear; below that the sign itself can be chance, and the
# description says more. 466 of the ranking's 969 entries reach it, 411 of them emoji the tokenizer keeps (the
# paper ranks those seen at least 5 times).
RANKING_FLOOR = 20
# Emoji newer than the ranking whose descriptions say nothing of how they are used ("face with rolling eyes" reads
# neutral to VADER and to the teacher alike), and one whose use has moved since: rated here by hand from general
# usage, as synthetic.py's templates are written, on the ranking's -1..1 scale; they take precedence over the
# ranking. The only hand ratings of emoji; the model card lists them.
USAGE = {
    # Older than the ranking but used otherwise now: 🔥 for "great" ("this album 🔥"); its 2015 tweets were 61%
    # neutral (+0.14 plain, +0.02 corrected).
    "🔥": 0.6,
    "🙄": -0.5, "🤦": -0.5, "🤬": -0.8, "🤮": -0.7, "🤢": -0.6, "🤡": -0.4, "🙁": -0.4, "🤥": -0.4,
    "🤩": 0.7, "🥳": 0.7, "🤗": 0.5, "🙂": 0.3, "🤞": 0.3,
}


def strip_cues(text):
    """The text without what carries no sentiment: @mentions (with a colon after them), URLs, every leading RT, the
    sign of a hashtag. The teacher reads texts this way, and its logits are keyed by them (`text_key`)."""
    text = re.sub(MENTION + ":?", " ", re.sub(URL, " ", text))
    text = re.sub(r"^(?:\s*rt\b:?)+", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<!\w)#(?=\w)", "", text)
    return " ".join(text.split())


def text_key(text):
    """What the teacher's logits file is keyed by: the first 8 bytes of the sha256 of the cue-free text, as an
    integer."""
    return int.from_bytes(hashlib.sha256(strip_cues(text).encode("utf-8")).digest()[:8], "little")


def strip_modifiers(text):
    return re.sub("[\U0001F3FB-\U0001F3FF\uFE0F]", "", text)


def read_emoji():
    """{emoji as the normalizer leaves it: description} from VADER's emoji lexicon."""
    out = {}
    for line in (DATA / "lexicons" / "emoji.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        emoji, description = line.split("\t")
        emoji = strip_modifiers(emoji)
        if emoji:
            out.setdefault(emoji, description)
    return out


def read_emoji_sentiment():
    """{emoji as the normalizer leaves it: (occurrences, negative, neutral, positive)} from the Emoji Sentiment
    Ranking: how often it occurred in the annotated tweets, and how often in those labelled negative, neutral,
    positive."""
    out = {}
    for line in (DATA / "lexicons" / "emoji-sentiment.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        emoji, *counts = line.split("\t")
        emoji = strip_modifiers(emoji)
        if emoji:
            out.setdefault(emoji, tuple(int(c) for c in counts))
    return out


def ranked_only_emoji():
    """The ranking's emoji that VADER's emoji lexicon lacks, in the ranking's order (most used first), less those
    the normalizer would change (Ⓐ) or EMOJI would not keep as one pre-token: the ranking also counts symbols of
    text art (█ ╯ ☆) and lone regional indicators, halves of flags, which are no emoji."""
    known, norm = read_emoji(), normalizer()
    emoji = pre_tokenizers.Split(Regex(EMOJI), behavior="removed", invert=True)
    return [e for e in read_emoji_sentiment() if e not in known and norm.normalize_str(e) == e
            and [piece for piece, _ in emoji.pre_tokenize_str(e)] == [e]]


def ranking_score(occurrences, negative, neutral, positive, prior=None):
    """The ranking's sentiment score (Kralj Novak et al. 2015): the mean label (-1, 0, +1) of an emoji's
    occurrences, each label's probability Laplace-smoothed to (n + 1) / (occurrences + 3); already in -1..1.
    With `prior` (the ranking's shares of negative, neutral and positive labels, `ranking_prior`), each label's
    probability is first divided by the square root of its share and the three renormalised: the rule
    `teacher.class_weights` weighs training labels by. The ranking's tweets are 54% positive and 15% negative, so
    the plain mean reads every emoji about 0.4 more positive than its use departs from the rest: 👎 -0.19 and
    😢 +0.01 plain, -0.41 and -0.24 corrected, while 👍 stays positive (+0.52, +0.37) and ❤ (+0.75, +0.66)."""
    probabilities = [(n + 1) / (occurrences + 3) for n in (negative, neutral, positive)]
    if prior is not None:
        probabilities = [p / share ** 0.5 for p, share in zip(probabilities, prior)]
    return (probabilities[2] - probabilities[0]) / sum(probabilities)


def ranking_prior(ranking):
    """The shares of negative, neutral and positive labels over all of the ranking's occurrences."""
    totals = [sum(counts[i] for counts in ranking.values()) for i in (1, 2, 3)]
    return [t / sum(totals) for t in totals]


def read_emoticons():
    """{emoticon, lowercased: [ratings on VADER's -4..4 scale]} from VADER's lexicon and AFINN's emoticons."""
    out = {}
    for line in (DATA / "lexicons" / "vader.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        token, mean, _ = line.split("\t")
        if re.search(r"[:;=]", token) or token in EMOTICON_EXTRA:
            out.setdefault(token.lower(), []).append(float(mean))
    for line in (DATA / "lexicons" / "afinn-emoticons.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        token, score = line.split("\t")
        out.setdefault(token.lower(), []).append(float(score) * 4 / 5)
    for token in EMOTICON_EXTRA:
        out.setdefault(token, [])
    # Only what a pre-token can be: no spaces, and not something a word or number would take first.
    return {token: ratings for token, ratings in out.items() if " " not in token and not re.fullmatch(r"\w+", token)
            or token in EMOTICON_EXTRA}


def emoticon_pattern(emoticons):
    """One alternative per emoticon, longest first; one that begins or ends with a letter or digit must not touch
    another (`xd` is not the start of `xdr`), and none may follow a digit (`10:30` is not `:3`)."""
    alternatives = []
    for token in sorted(emoticons, key=lambda t: (-len(t), t)):
        pattern = re.escape(token).replace("\\ ", " ")
        if re.match(r"\w", token):
            pattern = r"(?<!\w)" + pattern
        if re.search(r"\w$", token):
            pattern += r"(?!\w)"
        alternatives.append(pattern)
    return r"(?<!\d)(?:" + "|".join(alternatives) + ")"


def normalizer():
    steps = [
        normalizers.Replace(Regex(URL), " [url] "),
        normalizers.Replace(Regex(MENTION), " [user] "),
        normalizers.Replace(Regex(EMOJI_MODIFIERS), ""),
        normalizers.NFD(),
        normalizers.StripAccents(),
        normalizers.Lowercase(),
        normalizers.NFC(),
    ]
    # Runs cut to three: each character after the third of a run is removed (tokenizers' Replace takes a literal,
    # not a back-reference, so one rule per character). Removing keeps the first three aligned with their own
    # characters, where replacing the run would align all three with its last.
    steps += [normalizers.Replace(Regex(f"(?<={re.escape(c) * 3}){re.escape(c)}"), "")
              for c in "abcdefghijklmnopqrstuvwxyz!?."]
    return normalizers.Sequence(steps)


def pre_tokenizer(emoticons):
    placeholders = "|".join(re.escape(p) for p in PLACEHOLDERS)
    pattern = f"{placeholders}|{emoticon_pattern(emoticons)}|{EMOJI}|{WORDS}"
    return pre_tokenizers.Split(Regex(pattern), behavior="removed", invert=True)


def read_labmt_words():
    """labMT's words that are plain lowercase letters (some entries hold digits or apostrophes)."""
    lines = (DATA / "lexicons" / "labmt.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [w for w in (line.split("\t")[0] for line in lines) if re.fullmatch(r"[a-z]+", w)]


def make_tokenizer(texts, vocab_size):
    """WordPiece of `vocab_size` pieces trained on `texts`, plus the placeholders, labMT's words, emoji and
    emoticons."""
    emoticons = read_emoticons()
    trained = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=40))
    trained.normalizer = normalizer()
    trained.pre_tokenizer = pre_tokenizer(emoticons)
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=3,
                                        special_tokens=["[UNK]", *PLACEHOLDERS], show_progress=False)
    trained.train_from_iterator(texts, trainer)
    vocab = trained.get_vocab()
    for token in [*read_labmt_words(), *read_emoji(), *ranked_only_emoji(), *sorted(emoticons)]:
        vocab.setdefault(token, len(vocab))
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=40))
    tokenizer.normalizer = trained.normalizer
    tokenizer.pre_tokenizer = trained.pre_tokenizer
    return tokenizer


def description_polarity(description, analyzer, afinn):
    """VADER's compound score of an emoji's description, else the mean of AFINN's ratings of its words, in -1..1."""
    compound = analyzer.polarity_scores(description)["compound"]
    if abs(compound) < 0.05:
        rated = [afinn[w] for w in re.findall(r"[a-z']+", description.lower()) if w in afinn]
        compound = sum(rated) / len(rated) / 5 if rated else 0.0
    return compound


def polarities(afinn, read_description=None):
    """{emoji or emoticon: polarity in -1..1}, for those the lexicons rate; `afinn`: {word: rating}. An emoji in
    USAGE takes its hand rating; one the ranking saw at least RANKING_FLOOR times the ranking's score corrected for
    its tweets' prior (`ranking_score`; near 0 there means no polarity, not a fall back to its description). `read_description`, when given, reads a description for the others (the
    teacher's reading, in train.py: description -> polarity, or None for one it has not read); else VADER does."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    descriptions, ranking = read_emoji(), read_emoji_sentiment()
    prior, out = ranking_prior(ranking), {}
    for emoji in [*descriptions, *ranked_only_emoji()]:
        counts = ranking.get(emoji)
        if emoji in USAGE:
            polarity = USAGE[emoji]
        elif counts and counts[0] >= RANKING_FLOOR:
            polarity = ranking_score(*counts, prior=prior)
        elif emoji in descriptions:
            read = read_description(descriptions[emoji]) if read_description else None
            polarity = description_polarity(descriptions[emoji], analyzer, afinn) if read is None else read
        else:
            continue
        if abs(polarity) >= 0.05:
            out[emoji] = polarity
    for emoticon, ratings in read_emoticons().items():
        if ratings and abs(sum(ratings) / len(ratings)) >= 0.5:
            out[emoticon] = max(-1.0, min(1.0, sum(ratings) / len(ratings) / 4))
    return out


def emoji_sentences(count, seed, polar, carriers):
    """`count` (text, label) pairs whose sentiment only emoji or emoticons carry: a neutral carrier text (or none)
    with one to three of them of one sign, at its end, its start or both. Labels: 1 positive, 0 negative. Half the
    marks are drawn evenly from those of that sign, half as often as people use them (the square root of the
    ranking's occurrences, RANKING_FLOOR for the emoji and emoticons it does not count), so that 😂, ❤ and 😭 are
    taught more often than 🈳."""
    rng, ranking = random.Random(seed), read_emoji_sentiment()
    signs = {sign: sorted(t for t, p in polar.items() if (p > 0) == (sign > 0) and abs(p) >= 0.2) for sign in (1, -1)}
    use = {sign: [max(ranking.get(t, (0,))[0], RANKING_FLOOR) ** 0.5 for t in marks] for sign, marks in signs.items()}

    def mark(sign):
        if rng.random() < 0.5:
            return rng.choice(signs[sign])
        return rng.choices(signs[sign], weights=use[sign])[0]

    out = []
    while len(out) < count:
        sign = rng.choice((1, -1))
        marks = " ".join(mark(sign) for _ in range(rng.choice((1, 1, 1, 2, 3))))
        carrier = rng.choice(carriers) if rng.random() < 0.85 else ""
        place = rng.random()
        text = f"{marks} {carrier}" if place < 0.2 else f"{carrier} {marks}" if place < 0.9 else f"{marks} {carrier} {marks}"
        out.append((text.strip(), int(sign > 0)))
    return out
