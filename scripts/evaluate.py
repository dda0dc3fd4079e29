#!/usr/bin/env python3
"""Evaluate an exported model with the Rust CLI; for a two-label model, write its MODEL_CARD.md.

    scripts/evaluate.py --name sentir-en-lstm             # two labels: numbers and the card
    scripts/evaluate.py --posts --name sentir-en-posts    # sentir beside VADER: tweets, movies, the suite
    scripts/evaluate.py --posts --split valid --name ...  # the same on the validation splits (no suite)

With --posts on the test split it also prints the invariance pairs (tests/behaviour/invariance.tsv): how often
the label stays the same when an @mention, a URL, a hashtag sign or RT is added to a post, or a brand name is put in.

Runs `sentir eval` on the test splits (read here, for the final report only) and on the behavioural sentences
in tests/behaviour/behaviour.tsv, measures how often per-token scores agree in sign with the VADER lexicon, and
writes models/<name>/MODEL_CARD.md with those numbers, the training log and the sizes. `--posts` prints, instead,
sentir and VADER on the same texts (the tweets two- and three-way, RT and IMDB, tests/behaviour/suite.tsv per
capability and domain) and the word sign agreement; a three-label model's card is written by hand from it.
Needs scripts/data.py's output and cargo; `--posts` also needs vaderSentiment (scripts/requirements.txt).
"""

import argparse
import gzip
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

# VADER's negation words (vaderSentiment.NEGATE), lowercased, and the contraction piece our tokenizer makes.
NEGATIONS = {
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't",
    "couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt",
    "neither", "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't",
    "never", "none", "nope", "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt",
    "werent", "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt",
    "won't", "wouldn't", "rarely", "seldom", "despite", "no", "n't",
}
SENTENCE_END = re.compile(r"[.!?]+")


def sentir(*args, stdin=None):
    command = ["cargo", "run", "--quiet", "--release", "--bin", "sentir", "--", *args]
    return subprocess.run(command, cwd=ROOT, input=stdin, capture_output=True, text=True, check=False)


def eval_file(model, path):
    result = sentir("eval", "--model", str(model), str(path))
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def vader_agreement(model, texts, lexicon, held_out=()):
    """Sign agreement of word scores with VADER, for strong lexicon words with no negation earlier in their sentence;
    also over just the words in `held_out` (those that training never targeted)."""
    result = sentir("analyze", "--model", str(model), "--jsonl", stdin="\n".join(texts) + "\n")
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) != len(texts):
        raise SystemExit(f"sentir analyze --jsonl failed ({len(lines)} of {len(texts)} lines): {result.stderr}")
    agree = total = held_out_agree = held_out_total = 0
    for text, line in zip(texts, lines):
        analysis = json.loads(line)
        negated = False
        last_end = 0
        for word in analysis["words"]:
            between = text.encode("utf-8")[last_end:word["start"]].decode("utf-8", "replace")
            if SENTENCE_END.search(between) or SENTENCE_END.fullmatch(word["text"]):
                negated = False
            last_end = word["end"]
            key = word["text"].lower()
            mean = lexicon.get(key)
            if mean is not None and abs(mean) >= 2 and not negated and word["score"] != 0:
                total += 1
                agree += (word["score"] > 0) == (mean > 0)
                if key in held_out:
                    held_out_total += 1
                    held_out_agree += (word["score"] > 0) == (mean > 0)
            if key in NEGATIONS:
                negated = True
    return {"words": total, "agreement": agree / max(1, total),
            "held_out_words": held_out_total, "held_out_agreement": held_out_agree / max(1, held_out_total)}


def read_lexicon():
    lexicon = {}
    for line in (DATA / "lexicons" / "vader.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        token, mean, _ = line.split("\t")
        lexicon[token] = float(mean)
    return lexicon


def read_afinn():
    """AFINN-165, the lexicon training targets come from: {entry: score}; a few entries are phrases."""
    lines = (DATA / "lexicons" / "afinn.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {entry: int(score) for entry, score in (line.split("\t") for line in lines)}


def vader_words_outside_afinn():
    """VADER's entries that AFINN lacks: words training never targeted."""
    return set(read_lexicon()) - set(read_afinn())


def read_texts(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    column = lines[0].split("\t").index("text")
    return [line.split("\t")[column] for line in lines[1:]]


# The TSVs' label codes (scripts/data.py writes them); the behavioural suite spells the names.
CODES = {"negative": 0, "positive": 1, "neutral": 2}
CODE_NAMES = {str(code): name for name, code in CODES.items()}


def read_labelled(path, columns=()):
    """[(text, label name, {column: value})] from a TSV with `text` and `label` (codes or names)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        fields = dict(zip(header, line.split("\t")))
        rows.append((fields["text"], CODE_NAMES.get(fields["label"], fields["label"]), {c: fields[c] for c in columns}))
    return rows


def sentir_probabilities(model, texts):
    """Each text's {label: probability}, from `sentir analyze --jsonl`."""
    result = sentir("analyze", "--model", str(model), "--jsonl", stdin="\n".join(texts) + "\n")
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) != len(texts):
        raise SystemExit(f"sentir analyze --jsonl failed ({len(lines)} of {len(texts)} lines): {result.stderr}")
    return [json.loads(line)["probabilities"] for line in lines]


def sentir_label(probabilities, three_way):
    """Three-way: the most probable label; two-way: positive when it is more probable than negative."""
    p = probabilities
    return max(p, key=p.get) if three_way else "positive" if p["positive"] > p["negative"] else "negative"


def vader_compounds(texts):
    """VADER's compound score of each text."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return [analyzer.polarity_scores(text)["compound"] for text in texts]


def vader_label(compound, three_way):
    """Three-way: >= 0.05 positive, <= -0.05 negative, else neutral (VADER's own thresholds); two-way: positive
    above 0 (ties negative)."""
    if three_way:
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
    return "positive" if compound > 0 else "negative"


def scores(gold, predicted):
    """Accuracy and macro-F1 over the labels in `gold`."""
    labels = sorted(set(gold))
    f1 = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        precision, recall = tp / max(1, predicted.count(label)), tp / max(1, gold.count(label))
        f1.append(2 * precision * recall / max(1e-12, precision + recall))
    return {"n": len(gold), "accuracy": sum(g == p for g, p in zip(gold, predicted)) / max(1, len(gold)),
            "macro_f1": sum(f1) / len(f1)}


def evaluation_sets(split, three_way=True, imdb_limit=None):
    """{name: (rows, three_way)}, what a model is scored on: the tweets two-way (their polar rows) and, with
    `three_way`, three-way; RT and IMDB two-way (IMDB's first `imdb_limit` rows, if given); on the test split also the
    behavioural suite, per capability and per domain and whole (three-way, or two-way on its polar rows). The suite
    is a test set: never read while choosing a model. The teacher's report reads the same sets."""
    sets = {}
    for corpus in ("rt", "imdb", "tweets"):
        rows = read_labelled(DATA / corpus / f"{split}.tsv")
        if corpus == "imdb" and imdb_limit:
            rows = rows[:imdb_limit]
        sets[f"{corpus} two-way"] = ([r for r in rows if r[1] != "neutral"], False)
        if corpus == "tweets" and three_way:
            sets["tweets three-way"] = (rows, True)
    if split == "test":
        suite = read_labelled(ROOT / "tests" / "behaviour" / "suite.tsv", ("capability", "domain"))
        if not three_way:
            suite = [r for r in suite if r[1] != "neutral"]
        for column in ("capability", "domain"):
            for value in sorted({extra[column] for _, _, extra in suite}):
                sets[f"suite {column} {value}"] = ([r for r in suite if r[2][column] == value], three_way)
        sets["suite"] = (suite, three_way)
    return sets


def posts_report(model, split="test"):
    """sentir and VADER side by side on `evaluation_sets`: each text analysed once by each."""
    three_way = "neutral" in json.loads((model / "config.json").read_text())["labels"]
    sets = evaluation_sets(split, three_way)
    texts = list(dict.fromkeys(t for rows, _ in sets.values() for t, _, _ in rows))
    outputs = {"sentir": dict(zip(texts, sentir_probabilities(model, texts))),
               "vader": dict(zip(texts, vader_compounds(texts)))}
    label = {"sentir": sentir_label, "vader": vader_label}
    return {name: {who: scores([gold for _, gold, _ in rows], [label[who](output[t], three) for t, _, _ in rows])
                   for who, output in outputs.items()}
            for name, (rows, three) in sets.items()}


def invariance_report(model):
    """{cue: {who: share of pairs whose three-way label is the same with and without the cue}} on
    tests/behaviour/invariance.tsv (hand-written pairs: an @mention, a URL, a hashtag sign, RT or a brand name added
    to a post), for sentir and VADER; "all" over every pair."""
    lines = (ROOT / "tests" / "behaviour" / "invariance.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    pairs = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    texts = [pair[column] for pair in pairs for column in ("text", "with_cue")]
    three_way = "neutral" in json.loads((model / "config.json").read_text())["labels"]
    labels = {"sentir": [sentir_label(p, three_way) for p in sentir_probabilities(model, texts)],
              "vader": [vader_label(c, three_way) for c in vader_compounds(texts)]}
    out = {}
    for cue in ["all", *sorted({pair["cue"] for pair in pairs})]:
        picked = [i for i, pair in enumerate(pairs) if cue in ("all", pair["cue"])]
        out[cue] = {who: {"n": len(picked), "unchanged": sum(got[2 * i] == got[2 * i + 1] for i in picked) / len(picked)}
                    for who, got in labels.items()}
    return out


def markdown(report):
    rows = ["| set | n | sentir accuracy | VADER accuracy | sentir macro-F1 | VADER macro-F1 |", "|---|---:|---:|---:|---:|---:|"]
    for key, r in report.items():
        rows.append(f"| {key} | {r['sentir']['n']} | {r['sentir']['accuracy']:.3f} | {r['vader']['accuracy']:.3f} | "
                    f"{r['sentir']['macro_f1']:.3f} | {r['vader']['macro_f1']:.3f} |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="sentir-en-lstm")
    parser.add_argument("--posts", action="store_true",
                        help="sentir beside VADER on the tweets, the movie splits and tests/behaviour/suite.tsv; "
                             "prints a JSON report and a markdown table (with --split valid: validation splits)")
    parser.add_argument("--model", type=Path, help="with --split valid: a model folder other than models/<name>")
    parser.add_argument("--split", choices=["test", "valid"], default="test",
                        help="valid: accuracy and VADER agreement on the validation splits, for experiments; no card")
    args = parser.parse_args()
    model = args.model or ROOT / "models" / args.name
    if args.posts:
        report = posts_report(model, args.split)
        texts = read_texts(DATA / "rt" / f"{args.split}.tsv") + read_texts(DATA / "imdb" / f"{args.split}.tsv")[:1000]
        vader = vader_agreement(model, texts, read_lexicon(), vader_words_outside_afinn())
        print(json.dumps({**report, "vader word agreement": vader}, indent=1))
        print(markdown(report))
        if args.split == "test":
            invariance = invariance_report(model)
            print(json.dumps({"invariance": invariance}))
            print("| cue | pairs | sentir unchanged | VADER unchanged |\n|---|---:|---:|---:|")
            for cue, r in invariance.items():
                print(f"| {cue} | {r['sentir']['n']} | {r['sentir']['unchanged']:.3f} | {r['vader']['unchanged']:.3f} |")
        print(f"word sign agreement with VADER: {100 * vader['agreement']:.1f}% of {vader['words']} words; "
              f"{100 * vader['held_out_agreement']:.1f}% of the {vader['held_out_words']} not in AFINN")
        return
    if len(json.loads((model / "config.json").read_text())["labels"]) > 2:
        raise SystemExit(f"{model} has more than two labels: its numbers come from `scripts/evaluate.py --posts`, "
                         "and its card is written by hand")
    log = json.loads((DATA / "runs" / args.name / "log.json").read_text())
    if args.split == "valid":
        texts = read_texts(DATA / "rt" / "valid.tsv") + read_texts(DATA / "imdb" / "valid.tsv")[:1000]
        report = {split: eval_file(model, DATA / split / "valid.tsv")["accuracy"] for split in ("rt", "imdb")}
        report["vader"] = vader_agreement(model, texts, read_lexicon(), vader_words_outside_afinn())
        print(json.dumps(report))
        return

    results = {split: eval_file(model, DATA / split.split()[0] / "test.tsv") for split in ("rt test", "imdb test")}
    behaviour = eval_file(model, ROOT / "tests" / "behaviour" / "behaviour.tsv")
    texts = read_texts(DATA / "rt" / "test.tsv") + read_texts(DATA / "imdb" / "test.tsv")[:1000]
    vader = vader_agreement(model, texts, read_lexicon(), vader_words_outside_afinn())

    weights = (model / "model.safetensors").read_bytes()
    tokenizer = (model / "tokenizer.json").read_bytes()
    sizes = {
        "weights": len(weights), "tokenizer": len(tokenizer),
        "gzipped": len(gzip.compress(weights, 9)) + len(gzip.compress(tokenizer, 9)),
    }
    report = {"test": results, "behaviour": behaviour, "vader": vader, "sizes": sizes}
    (DATA / "runs" / args.name / "eval.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    from card import write_card  # here: card imports this module

    write_card(model, args.name, log, report)


if __name__ == "__main__":
    main()
