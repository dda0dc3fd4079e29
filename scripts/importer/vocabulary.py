"""The tokenizer of an imported model: a `tokenizers` WordLevel tokenizer whose normalisation and splitting are
Keras's `TextVectorization` ones, so that a text gets the ids the source model was trained on.

Keras standardises with `tf.strings.lower` (ASCII letters only: `É` stays `É`) and strips its punctuation regex
(ASCII punctuation), then splits on ASCII whitespace. Index 0 is the padding (mask) token `""` and index 1 the
out-of-vocabulary token `[UNK]`.
"""

import re
import string

from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

from .source import Refusal

# Keras's `DEFAULT_STRIP_REGEX`, `[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~']`, as one character class: ASCII
# punctuation, which is exactly Python's `string.punctuation`.
PUNCTUATION = "[" + "".join("\\" + c if c in "\\[]^-" else c for c in string.punctuation) + "]"

# TextVectorization's `standardize` values that sentir reproduces.
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation", None)

PADDING, UNKNOWN = "", "[UNK]"

# What TensorFlow's `tf.strings.split` splits on: `absl::ascii_isspace`.
ASCII_WHITESPACE = " \t\n\v\f\r"


def read_vocabulary(path):
    """One token per line, line `i` being id `i`; Keras's `get_vocabulary()` written out has an empty first line
    (the padding token) and `[UNK]` second."""
    try:
        with open(path, encoding="utf-8") as file:
            tokens = file.read().split("\n")
    except (OSError, UnicodeDecodeError) as error:
        raise Refusal(f"--vocab {path}: {error}") from None
    if tokens and tokens[-1] == "":
        tokens.pop()
    return tokens


def build_tokenizer(vocabulary, standardize="lower_and_strip_punctuation", split="whitespace", unknown=UNKNOWN):
    """A `tokenizers.Tokenizer` giving each whitespace-separated word of the standardised text its id in
    `vocabulary` (a list, index = id), `unknown`'s id for any other word."""
    if standardize not in STANDARDIZE:
        raise Refusal(f"standardize={standardize!r} has no equivalent here: use one of {STANDARDIZE}")
    if split != "whitespace":
        raise Refusal(f"split={split!r} has no equivalent here: sentir reproduces split='whitespace' only")
    if unknown not in vocabulary:
        raise Refusal(f"the vocabulary has no out-of-vocabulary token {unknown!r}: name the one it has with --unk")
    ids = {}
    for i, token in enumerate(vocabulary):
        if i == 0 and token == PADDING:
            token = "[PAD]"  # never produced: splitting on whitespace yields no empty word
        if token in ids:
            raise Refusal(f"the vocabulary has {token!r} twice (ids {ids[token]} and {i}): one id per token")
        if any(c in ASCII_WHITESPACE for c in token):
            raise Refusal(f"vocabulary token {i} ({token!r}) holds whitespace, which splitting removes")
        ids[token] = i
    steps = []
    if standardize in ("lower", "lower_and_strip_punctuation"):
        # tf.strings.lower changes ASCII letters only; `normalizers.Lowercase` would change every letter.
        steps += [normalizers.Replace(c, c.lower()) for c in string.ascii_uppercase]
    if standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
        steps.append(normalizers.Replace(Regex(PUNCTUATION), ""))
    tokenizer = Tokenizer(models.WordLevel(ids, unk_token=unknown))
    if steps:
        tokenizer.normalizer = normalizers.Sequence(steps)
    # tf.strings.split splits on ASCII whitespace only (a no-break space stays inside a word).
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex(f"[{re.escape(ASCII_WHITESPACE)}]+"), "removed")
    return tokenizer
