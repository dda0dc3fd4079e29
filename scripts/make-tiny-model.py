#!/usr/bin/env python3
"""Make the tiny test model (random weights, a small WordPiece tokenizer) and its golden vectors.

The golden vectors come from an implementation independent of the Rust crate: Python `tokenizers` for ids and
offsets (widened by sentir's span rule, scripts/spans.py), and numpy in float64 for the LSTM, the head and the
per-token scores, following the equations in crate/src/recurrent/mod.rs and the score definition in
crate/src/attribution.rs.

    scripts/make-tiny-model.py           # writes models/tiny-random/ and tests/golden/tiny-random.json
    scripts/make-tiny-model.py --check   # regenerates into a temporary folder and compares with the committed files

Dependencies: scripts/requirements-golden.txt (numpy, tokenizers, safetensors). Everything is seeded.
"""

import json
import math
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

import cells
from golden import TEXTS, main, write_config
from spans import widen

SEED = 20261126
NAME = "tiny-random"
EMBEDDING, HIDDEN, LAYERS = 8, 6, 2
LABELS = ["negative", "positive"]
MAX_LENGTH = 64

# A small corpus for the tokenizer: enough words that common ones are whole tokens and rarer ones split into
# WordPiece pieces, with accents, CJK and emoji so those have tokens of their own.
CORPUS = [
    "The acting was not good, but the music was wonderful.",
    "I loved this movie, it was great and the story was good.",
    "A terrible, boring film with a bad plot and worse acting.",
    "The food was not bad at all, and the service was friendly.",
    "Never had a better meal in my life!",
    "What a waste of time. I hated every minute.",
    "The music is beautiful, the characters are wonderful.",
    "It was okay, nothing special, but not awful either.",
    "Great acting, great music, great fun.",
    "The ending was sad but the film was good.",
    "I do not like it. I did not enjoy the show.",
    "Brilliant, moving and funny; a wonderful surprise.",
    "café crème très bon 😀 ❤ 👍 这部电影很好 很 好 电 影",
    "The worst movie of the year, bad bad bad.",
    "Best meal ever, the chef was amazing and the wine was wonderful.",
    "It is good. It is bad. It was fine. They were happy.",
]

def make_tokenizer():
    """A WordPiece tokenizer over a vocabulary built by hand from CORPUS, so it is the same on every run
    (the trainer's ordering of equal-count pieces is not): every character alone and as a continuation,
    the words of the corpus, and a few suffixes so that longer words split into several pieces."""
    normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    words = sorted({w for line in CORPUS for w, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(line))})
    chars = sorted({c for w in words for c in w})
    suffixes = ["##able", "##ably", "##ing", "##ly", "##ed", "##er", "##s", "##tion", "##ive"]
    pieces = ["[UNK]"] + chars + [f"##{c}" for c in chars] + suffixes + [w for w in words if len(w) > 1]
    vocab = {piece: i for i, piece in enumerate(dict.fromkeys(pieces))}
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.normalizer = normalizer
    tokenizer.pre_tokenizer = pre_tokenizer
    return tokenizer


def make_weights(vocab_size, rng):
    return cells.random_weights(rng, "lstm", vocab_size, EMBEDDING, HIDDEN, LAYERS, len(LABELS),
                                {"weight_ih": 0.6, "weight_hh": 0.6, "bias": 0.3})


def forward(tensors, ids):
    """The LSTM in float64, from the float32 weights: per-layer states and the logits of every prefix."""
    w = {name: value.astype(np.float64) for name, value in tensors.items()}
    hidden, cell = cells.layers(w, "lstm", LAYERS, HIDDEN, ids)
    return hidden, cell, cells.prefix_logits(w, hidden[-1], HIDDEN)


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def golden_case(tokenizer, tensors, text):
    encoding = tokenizer.encode(text, add_special_tokens=False)
    ids = encoding.ids
    # The spans sentir gives: `tokenizers`' own, widened by sentir's rule (scripts/spans.py).
    offsets = widen(text, encoding.tokens, encoding.offsets)
    hidden, cell, logits = forward(tensors, ids)
    positive = LABELS.index("positive")
    odds = [float(math.log(softmax(z)[positive]) - math.log(1.0 - softmax(z)[positive])) for z in logits]
    scores = [odds[s + 1] - odds[s] for s in range(len(ids))]

    # Python's offsets count characters; the Rust API counts UTF-8 bytes and the JS API UTF-16 code units.
    def utf8(i):
        return len(text[:i].encode("utf-8"))

    def utf16(i):
        return len(text[:i].encode("utf-16-le")) // 2

    words = []
    for s, word_id in enumerate(encoding.word_ids):
        if s > 0 and word_id is not None and encoding.word_ids[s - 1] == word_id:
            words[-1]["token_count"] += 1
            words[-1]["end"] = offsets[s][1]
            words[-1]["score"] += scores[s]
        else:
            start, end = offsets[s]
            words.append({"first_token": s, "token_count": 1, "start": start, "end": end, "score": scores[s]})
    for word in words:
        start, end = word.pop("start"), word.pop("end")
        word.update(text=text[start:end], byte_offsets=[utf8(start), utf8(end)], utf16_offsets=[utf16(start), utf16(end)])

    final = softmax(logits[-1])
    return {
        "text": text,
        "ids": ids,
        "pieces": encoding.tokens,
        "token_texts": [text[a:b] for a, b in offsets],
        "byte_offsets": [[utf8(a), utf8(b)] for a, b in offsets],
        "utf16_offsets": [[utf16(a), utf16(b)] for a, b in offsets],
        "word_ids": encoding.word_ids,
        "hidden": [[h.tolist() for h in layer] for layer in hidden],
        "cell": [[c.tolist() for c in layer] for layer in cell],
        "logits": [z.tolist() for z in logits],
        "probabilities": final.tolist(),
        "label": LABELS[int(np.argmax(final))],
        "running": [float(softmax(z)[positive]) for z in logits[1:]],
        "scores": scores,
        "words": words,
    }


def generate(model_dir: Path, golden_path: Path):
    rng = np.random.default_rng(SEED)
    tokenizer = make_tokenizer()
    vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)
    tensors = make_weights(vocab_size, rng)

    model_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(model_dir / "tokenizer.json"))
    save_file(tensors, str(model_dir / "model.safetensors"))
    write_config(model_dir, NAME, vocab_size, EMBEDDING, HIDDEN, LAYERS, LABELS, MAX_LENGTH)

    golden = {
        "generator": "scripts/make-tiny-model.py",
        "model": NAME,
        "cases": [golden_case(tokenizer, tensors, text) for text in TEXTS],
    }
    golden_path.parent.mkdir(parents=True, exist_ok=True)
    golden_path.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(__doc__, NAME, generate)
