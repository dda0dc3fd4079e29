"""What every front end prints for the same texts, checked byte for byte against committed digests, so that
moving code between the crate and its front ends is seen to change nothing (issue 32).

    python3 tests/outputs/check.py CLI [--python PYTHON] [--npm-project tests/npm] [--update]

Inputs (written to target/outputs/): the behavioural suite's 420 texts, and the many-texts page test's file of
3,001 posts (tests/page/many.test.mjs, `postsCsv(3000)`: 3,000 posts of the suite with dates and a brand, one row
cut short). Outputs, each a file there and a line of tests/outputs/sha256:
- cli-jsonl: `sentir analyze --jsonl` over the suite's texts;
- cli-input, cli-summary: `sentir analyze --input` over the posts (briefs; then `--summary`), by brand and day;
- python-many, python-columns: the Python package's `analyze_many` (the suite) and `analyze_columns` (the posts);
- js-batch, js-collection: the npm package in node, `analyzeBatch` (the suite) and a collection's summary (the posts).
The model is sentir-en-posts, not models/default, so that shipping a new default changes no digest. `--update`
rewrites the digests; a change of backend arithmetic (a new kernel) is the only other reason to.

The native front ends run the 4-lane kernel here (SENTIR_SIMD_WIDTH=4, set for every command this starts): its
bits are the same on every x86_64 CPU, and the wasm build's. The wider paths (AVX2 with FMA, AVX-512F, where the
CPU has them) round their multiply-adds once instead of twice, so their last bits differ, and which one runs
depends on the CPU; tests/kernel.rs checks each against the reference within the kernel's tolerance.
"""

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "target" / "outputs"
DIGESTS = ROOT / "tests" / "outputs" / "sha256"
MODEL = ROOT / "models" / "sentir-en-posts"


def suite_texts():
    with open(ROOT / "tests" / "behaviour" / "suite.tsv", encoding="utf-8") as file:
        return [row["text"] for row in csv.DictReader(file, delimiter="\t")]


def posts_csv(count):
    """tests/page/many.test.mjs's postsCsv(count), line for line."""
    with open(ROOT / "tests" / "behaviour" / "suite.tsv", encoding="utf-8") as file:
        suite = [line.split("\t") for line in file.read().strip().split("\n")[1:]]

    def quote(value):
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in '",\n') else value

    lines = ["id,date,brand,text"]
    for k in range(count):
        _, domain, text, _ = suite[k % len(suite)]
        post = f"{text} 😀" if k % 7 == 0 else text
        if k == 5:
            post = "Fast delivery, lovely packaging,\nand it works. Great!"
        lines.append(",".join([str(k), f"2026-03-{1 + k % 20:02d}T{k % 24:02d}:00:00Z", domain, quote(post)]))
    lines.append(f"{count},2026-03-01")
    return "\n".join(lines) + "\n"


def cli(command, *args, stdin=None, ok=(0,)):
    """`command args` run in target/outputs/ (the briefs name their input file: the same relative name anywhere)."""
    run = subprocess.run([command, *args], input=stdin, capture_output=True, text=True, check=False, cwd=OUT)
    if run.returncode not in ok:
        raise SystemExit(f"{command} {' '.join(args)} exited {run.returncode}: {run.stderr}")
    return run.stdout


PYTHON = """
import json, sys
import sentir
texts, posts = json.load(open(sys.argv[1], encoding="utf-8")), sys.argv[2]
analyzer = sentir.Analyzer.load(sys.argv[3], backend="cpu")
with open(sys.argv[4], "w", encoding="utf-8") as out:
    for result in analyzer.analyze_many(texts):
        out.write(json.dumps(result, sort_keys=True, ensure_ascii=False) + "\\n")
columns = analyzer.analyze_columns(json.load(open(posts, encoding="utf-8"))["texts"])
with open(sys.argv[5], "w", encoding="utf-8") as out:
    json.dump({name: [None if v is None else (v if isinstance(v, str) else float(v)) for v in values.tolist()]
               for name, values in sorted(columns.items())}, out, sort_keys=True)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cli", type=lambda path: str(Path(path).resolve()), help="the sentir CLI to check")
    parser.add_argument("--python", help="a Python with the sentir wheel installed")
    parser.add_argument("--npm-project", help="tests/npm, with the sentir npm package installed (scripts/test-npm)")
    parser.add_argument("--update", action="store_true", help="write the digests instead of checking them")
    args = parser.parse_args()
    os.environ["SENTIR_SIMD_WIDTH"] = "4"
    OUT.mkdir(parents=True, exist_ok=True)
    texts = suite_texts()
    (OUT / "suite.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    posts = OUT / "posts.csv"
    posts.write_text(posts_csv(3000), encoding="utf-8")
    # The posts' columns for the Python and JS APIs (the row cut short has no text: "").
    with open(posts, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    columns = {"texts": [row["text"] or "" for row in rows], "groups": [row["brand"] or "" for row in rows],
               "times": [row["date"] or "" for row in rows]}
    (OUT / "posts.json").write_text(json.dumps(columns, ensure_ascii=False), encoding="utf-8")
    model = str(MODEL)
    outputs = {
        "cli-jsonl": cli(args.cli, "analyze", "--model", model, "--backend", "cpu", "--jsonl", stdin="\n".join(texts) + "\n"),
        # One row has no text: the CLI exits 1 and goes on.
        "cli-input": cli(args.cli, "analyze", "--model", model, "--backend", "cpu", "--input", posts.name,
                         "--group", "brand", "--time", "date", ok=(1,)),
        "cli-summary": cli(args.cli, "analyze", "--model", model, "--backend", "cpu", "--input", posts.name,
                           "--group", "brand", "--time", "date", "--summary", ok=(1,)),
    }
    for name, text in outputs.items():
        (OUT / name).write_text(text, encoding="utf-8")
    names = list(outputs)
    if args.python:
        subprocess.run([args.python, "-c", PYTHON, str(OUT / "suite.json"), str(OUT / "posts.json"), model,
                        str(OUT / "python-many"), str(OUT / "python-columns")], check=True)
        names += ["python-many", "python-columns"]
    if args.npm_project:
        # Run from there, so that `import "sentir"` finds the installed package.
        subprocess.run(["node", "outputs.mjs", str(OUT), model], check=True, cwd=args.npm_project)
        names += ["js-batch", "js-collection"]
    digests = {name: hashlib.sha256((OUT / name).read_bytes()).hexdigest() for name in names}
    if args.update:
        old = dict(line.split("  ")[::-1] for line in DIGESTS.read_text().splitlines()) if DIGESTS.exists() else {}
        old.update(digests)
        DIGESTS.write_text("".join(f"{digest}  {name}\n" for name, digest in sorted(old.items())))
        print(f"wrote {len(digests)} digests to {DIGESTS.relative_to(ROOT)}")
        return
    expected = dict(line.split("  ")[::-1] for line in DIGESTS.read_text().splitlines())
    changed = [name for name in names if expected.get(name) != digests[name]]
    for name in names:
        print(f"{'changed' if name in changed else 'same':8} {name} ({(OUT / name).stat().st_size:,} bytes)")
    if changed:
        sys.exit(f"{len(changed)} front-end outputs changed (target/outputs/): {', '.join(changed)}; if the change "
                 "is meant, rerun with --update and say why in the commit")


if __name__ == "__main__":
    main()
