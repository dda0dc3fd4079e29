#!/usr/bin/env python3
"""What adapting buys: each of our sources in turn as "the user's domain".

For each source (RT, IMDB, tweets two-way, tweets three-way), each k (labelled posts) and each seed: draw k posts
from the source's validation split, run `sentir adapt` on them (the release CLI), and score the source's test split
with the folder it writes (the model, with the adapter when its head was kept). Reports, per source and k, the test
accuracy before and after (the model card's rule: two-way files positive against negative, the three-way file the
most probable label) over the seeds, how often the new head was kept, and whether the accuracy the report showed the
user (its cross-validated estimate for the head it kept, by the most probable label as the page shows it) lies
within the report's own 95% interval of the test accuracy measured the same way.

    python3 scripts/adapt-study.py [--k 50,100,200,500] [--seeds 5] [--model models/default] [--out FILE.md]

Needs the data splits (scripts/data.py) and builds the release CLI. Prints a Markdown table and writes it to
bench/results/adapt.md. About 10 minutes on 2 cores.
"""

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "target" / "release" / "sentir"
LABELS = {"0": "negative", "1": "positive", "2": "neutral"}


def read_split(path, two_way):
    """(text, label name) rows of a data split's TSV (text, label, ...); two_way keeps negative and positive only."""
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        text_col, label_col = header.index("text"), header.index("label")
        for line in f:
            fields = line.rstrip("\n").split("\t")
            label = LABELS.get(fields[label_col].strip())
            if label is None or (two_way and label == "neutral"):
                continue
            rows.append((fields[text_col], label))
    return rows


SOURCES = {
    "RT": ("rt", True),
    "IMDB": ("imdb", True),
    "tweets 2-way": ("tweets", True),
    "tweets 3-way": ("tweets", False),
}


def predictions(model, rows, work):
    """Each row's probabilities per label from `sentir analyze --input` (JSON lines in, one brief per post out)."""
    posts = work / "posts.jsonl"
    with open(posts, "w", encoding="utf-8") as f:
        for text, _ in rows:
            f.write(json.dumps({"text": text}) + "\n")
    run = subprocess.run([str(CLI), "analyze", "--model", str(model), "--input", str(posts)],
                         capture_output=True, text=True, check=False)
    briefs = [json.loads(line) for line in run.stdout.splitlines()]
    if len(briefs) != len(rows) or any("probabilities" not in b for b in briefs):
        sys.exit(f"sentir analyze failed on {len(rows)} rows: {run.stderr[-2000:]}")
    return [b["probabilities"] for b in briefs]


def accuracies(probabilities, rows, two_way):
    """(the card's rule, the most probable label) accuracy."""
    card = most = 0
    for p, (_, gold) in zip(probabilities, rows):
        best = max(p, key=p.get)
        most += best == gold
        if two_way:
            card += ("positive" if p["positive"] > p["negative"] else "negative") == gold
        else:
            card += best == gold
    return card / len(rows), most / len(rows)


def adapt(model, sample, work, seed):
    """The report of `sentir adapt` on `sample`, and the folder it wrote."""
    labelled = work / "labelled.tsv"
    with open(labelled, "w", encoding="utf-8") as f:
        f.write("text\tlabel\n")
        for text, label in sample:
            f.write(text.replace("\t", " ") + "\t" + label + "\n")
    out = work / "adapted"
    shutil.rmtree(out, ignore_errors=True)
    run = subprocess.run([str(CLI), "adapt", "--model", str(model), "--out", str(out), "--seed", str(seed),
                          str(labelled)], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        return None, run.stderr.strip()
    return json.loads(run.stdout), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--k", default="50,100,200,500",
                        help="labelled posts per run, comma-separated; `all`: the whole validation split (a ceiling: "
                             "what a head on these features can gain on the source at all)")
    parser.add_argument("--sources", default=",".join(SOURCES), help=f"of {', '.join(SOURCES)}, comma-separated")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "adapt.md"))
    args = parser.parse_args()
    ks = [k if k == "all" else int(k) for k in args.k.split(",")]
    sources = {name: SOURCES[name] for name in args.sources.split(",")}
    subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "sentir"], cwd=ROOT, check=True)

    lines = [
        "| source | k | test before | test after: mean (min – max) | change | most probable label, before → after "
        "| kept | estimate within its interval |",
        "|---|---|---|---|---|---|---|---|",
    ]
    covered = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, (folder, two_way) in sources.items():
            valid = read_split(ROOT / "data" / folder / "valid.tsv", two_way)
            test = read_split(ROOT / "data" / folder / "test.tsv", two_way)
            before, before_most = accuracies(predictions(args.model, test, work), test, two_way)
            for k in ks:
                after, after_most, kept, inside, refused = [], [], 0, 0, []
                for seed in range(args.seeds):
                    size = len(valid) if k == "all" else min(k, len(valid))
                    sample = random.Random(f"{name}/{k}/{seed}").sample(valid, size)
                    report, out = adapt(args.model, sample, work, seed)
                    if report is None:
                        refused.append(out)
                        continue
                    if report["kept"]:
                        kept += 1
                        card, most = accuracies(predictions(out, test, work), test, two_way)
                        shown = report["adapted"]
                    else:
                        card, most = before, before_most
                        shown = report["current"]
                    after.append(card)
                    after_most.append(most)
                    low, high = shown["accuracy_interval"]
                    inside += low <= most <= high
                    print(f"{name} k={k} seed={seed}: kept={report['kept']} test {card:.4f} (before {before:.4f}); "
                          f"shown {shown['accuracy']:.3f} [{low:.3f}, {high:.3f}] vs test {most:.3f}", flush=True)
                covered += inside
                total += len(after)
                if not after:
                    lines.append(f"| {name} | {k} | {before:.3f} | refused: {refused[0]} | | | | |")
                    continue
                mean = sum(after) / len(after)
                lines.append(
                    f"| {name} | {len(valid) if k == 'all' else k} | {before:.3f} | {mean:.3f} ({min(after):.3f} – {max(after):.3f}) | "
                    f"{100 * (mean - before):+.1f} | {before_most:.3f} → {sum(after_most) / len(after_most):.3f} | "
                    f"{kept} of {len(after)} | {inside} of {len(after)} |"
                    + (f" ({len(refused)} refused)" if refused else ""))
    lines.append("")
    lines.append(f"The estimate shown lay within its own 95% interval of the test accuracy in {covered} of {total} runs.")
    table = "\n".join(lines)
    print(table)
    Path(args.out).write_text(
        f"# Adapting to a source's own labels\n\n`python3 scripts/adapt-study.py --k {args.k} --seeds {args.seeds}"
        + (f" --sources '{args.sources}'" if args.sources != ",".join(SOURCES) else "")
        + f"` (model `{Path(args.model).resolve().name}`).\n\n{table}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
