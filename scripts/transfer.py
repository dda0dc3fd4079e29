#!/usr/bin/env python3
"""The transfer set: unlabelled sentences for the teacher to label and the student to learn from.

    scripts/transfer.py          # writes data/transfer/transfer.tsv (deterministic: same flags, same file)

Made from the training splits only (scripts/data.py): the RT snippets, the tweets (without @mentions, URLs, RT and
hashtag signs: the teacher labels the cue-free text, and scripts/train.py adds cues back at random), and IMDB
reviews cut into sentences and pairs of sentences. Then augmented variants, as Tang et al. (2019, "Distilling
Task-Specific Knowledge from BERT into Simple Neural Networks") and TinyBERT made them; in each variant every word,
independently:
- with p = 0.1 is masked (`[UNK]`, the teacher's unknown token; train.py encodes it as the student's);
- with p = 0.1 is replaced by one of its GloVe neighbours (the 8 nearest among GloVe's 30,000 most frequent words,
  by cosine), which may flip or soften its sentiment: the teacher labels the variant anew;
- a domain noun of the movie or airline texts ("plot", "flight", ...) is moved to another domain with p = 0.5
  (`DOMAINS`: "the plot" -> "the battery", "the flight" -> "the delivery");
and with p = 0.25 the variant is a window of 3 to 12 words of the sentence instead of all of it. Variants equal to a
text already in the set are dropped. Deterministic for the same flags on the same NumPy: the neighbours come from a
float32 matrix product, whose last bits (and so the order of near ties) may differ on another BLAS; `train.py` warns
when the file is not the one the logits were made from. Each row has a `source` column (rt, tweets, imdb; `+`
marks a variant).
The English descriptions of VADER's emoji lexicon ("face with rolling eyes") join unchanged (source `emoji`): an
emoji that the Emoji Sentiment Ranking does not rate takes its polarity from the teacher's reading of its
description (scripts/train.py), where VADER's rating of the description says nothing for most.
"""

import argparse
import random
import re
from pathlib import Path

import numpy as np

import posts
from evaluate import DATA, read_labelled

# Nouns that place a text in the movie or airline world, and nouns of the domains people post about besides.
MOVIE_WORLD = """film movie plot acting actors actor actress director script cast scenes scene characters character
ending story screenplay performance soundtrack cinematography sequel dialogue""".split()
AIRLINE_WORLD = """flight flights plane airline airlines crew pilot gate luggage baggage seat boarding airport
attendant attendants""".split()
DOMAINS = """battery screen app update phone laptop charger headphones delivery order package parcel seller store
shop staff service support team bank account card refund subscription meal food pizza burger coffee waiter menu
table restaurant hotel room stay booking driver car bike train bus course teacher doctor clinic game album song
podcast book article website price product brand vendor manager repair installation warranty""".split()
TRANSFER = DATA / "transfer" / "transfer.tsv"
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


def sentences(review):
    """A review's sentences of 4 to 50 words."""
    return [s for s in SENTENCE.split(review) if 4 <= len(s.split()) <= 50]


def glove_neighbours(words, count=8, vocabulary=30000):
    """{word: its `count` nearest GloVe words} for the `words` among GloVe's `vocabulary` most frequent."""
    names, vectors = [], []
    with (DATA / "glove" / "glove.6B.50d.txt").open(encoding="utf-8") as f:
        for line, _ in zip(f, range(vocabulary)):
            word, *values = line.rstrip().split(" ")
            names.append(word)
            vectors.append(np.array(values, dtype=np.float32))
    matrix = np.stack(vectors)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(names)}
    wanted = sorted(w for w in words if w in index and re.fullmatch(r"[a-z]+", w))
    out = {}
    for start in range(0, len(wanted), 2048):
        chunk = wanted[start:start + 2048]
        similarity = matrix[[index[w] for w in chunk]] @ matrix.T
        nearest = np.argpartition(-similarity, count + 1, axis=1)[:, : count + 1]
        for word, row in zip(chunk, nearest):
            out[word] = [names[i] for i in row if names[i] != word and re.fullmatch(r"[a-z]+", names[i])][:count]
    return out


def variant(text, rng, neighbours):
    words = text.split()
    if len(words) > 4 and rng.random() < 0.25:
        size = rng.randint(3, min(12, len(words)))
        start = rng.randint(0, len(words) - size)
        words = words[start:start + size]
    out = []
    for word in words:
        core = word.lower().strip(".,!?;:\"'()")
        draw = rng.random()
        if core in MOVIE_WORLD or core in AIRLINE_WORLD:
            if draw < 0.5:
                word = word.lower().replace(core, rng.choice(DOMAINS))
        elif draw < 0.1:
            word = "[UNK]"
        elif draw < 0.2 and neighbours.get(core):
            word = word.lower().replace(core, rng.choice(neighbours[core]))
        out.append(word)
    return " ".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imdb-sentences", type=int, default=80000, help="IMDB sentences and sentence pairs")
    parser.add_argument("--variants", type=int, default=3, help="augmented variants of each RT snippet and tweet")
    parser.add_argument("--imdb-variants", type=int, default=1, help="augmented variants of each IMDB sentence")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    base = [(posts.strip_cues(t), "rt") for t, _, _ in read_labelled(DATA / "rt" / "train.tsv")]
    base += [(posts.strip_cues(t), "tweets") for t, _, _ in read_labelled(DATA / "tweets" / "train.tsv")]
    imdb = []
    for text, _, _ in read_labelled(DATA / "imdb" / "train.tsv"):
        parts = sentences(text)
        imdb += parts + [f"{a} {b}" for a, b in zip(parts[::2], parts[1::2]) if len(f"{a} {b}".split()) <= 60]
    imdb = rng.sample(imdb, min(args.imdb_sentences, len(imdb)))
    base += [(s, "imdb") for s in imdb]
    neighbours = glove_neighbours({w.lower().strip(".,!?;:\"'()") for t, _ in base for w in t.split()})

    base += [(description, "emoji") for description in sorted(set(posts.read_emoji().values()))]
    seen, rows = set(), []
    for text, source in base:
        copies = {"imdb": args.imdb_variants, "emoji": 0}.get(source, args.variants)
        for made, tag in [(text, source)] + [(variant(text, rng, neighbours), f"{source}+") for _ in range(copies)]:
            made = " ".join(made.replace("\t", " ").split())
            if made and made not in seen:
                seen.add(made)
                rows.append((made, tag))
    TRANSFER.parent.mkdir(parents=True, exist_ok=True)
    TRANSFER.write_text("text\tsource\n" + "".join(f"{t}\t{s}\n" for t, s in rows), encoding="utf-8")
    counts = {tag: sum(s == tag for _, s in rows) for tag in sorted({s for _, s in rows})}
    print(f"{Path(TRANSFER).relative_to(DATA.parent)}: {len(rows)} texts {counts}")


if __name__ == "__main__":
    main()
