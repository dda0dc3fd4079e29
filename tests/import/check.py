#!/usr/bin/env python3
"""Imports every model of tests/import/sources/ with scripts/import-model (no Keras, no PyTorch: --no-check) and
runs sentir's CLI on the result: its token ids must be those tests/import/expected.json has, and its probabilities
those the source's framework gave (scripts/make-import-sources.py), to 1e-5. The models the importer must refuse
are refused, with a message that names the layer and the option.

    python3 tests/import/check.py SENTIR_BINARY
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TOLERANCE = 1e-5


def import_model(source, out, args):
    return subprocess.run([str(ROOT / "scripts" / "import-model"), str(HERE / "sources" / source), "--out", str(out),
                           "--no-check", *args], cwd=HERE / "sources", capture_output=True, text=True)


def main():
    sentir = sys.argv[1]
    expected = json.loads((HERE / "expected.json").read_text())
    texts = expected["texts"]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for source, case in expected["imports"].items():
            out = Path(tmp) / source
            run = import_model(source, out, case["args"])
            if run.returncode != 0:
                failures.append(f"{source}: the import failed: {run.stderr.strip()}")
                continue
            labels = json.loads((out / "config.json").read_text())["labels"]
            analysed = subprocess.run([sentir, "analyze", "--model", str(out), "--backend", "cpu-scalar", "--jsonl"],
                                      input="\n".join(texts) + "\n", capture_output=True, text=True, check=True)
            rows = [json.loads(line) for line in analysed.stdout.splitlines()]
            worst = 0.0
            for text, ids, want, row in zip(texts, expected["ids"], case["probabilities"], rows):
                got_ids = [token["id"] for token in row["tokens"]]
                if got_ids != ids:
                    failures.append(f"{source}: {text!r} has ids {got_ids}, the source's tokenisation {ids}")
                got = [row["probabilities"][label] for label in labels]
                worst = max(worst, max(abs(g - w) for g, w in zip(got, want)))
            status = "ok" if worst <= TOLERANCE else "FAILED"
            print(f"{status}: {source} ({', '.join(labels)}): sentir and the framework agree to {worst:.1e} on {len(texts)} texts")
            if worst > TOLERANCE:
                failures.append(f"{source}: probabilities differ by {worst:.1e} > {TOLERANCE:g}")
        for source, must_name in expected["refusals"].items():
            run = import_model(source, Path(tmp) / source, ["--vocab", "vocabulary.txt"])
            message = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
            if run.returncode == 0 or not all(part in message for part in must_name):
                failures.append(f"{source}: expected a refusal naming {must_name}, got exit {run.returncode}: {message!r}")
            else:
                print(f"refused: {message}")
    if failures:
        sys.exit("\n".join(["tests/import failed:"] + failures))
    print(f"{len(expected['imports'])} imported models agree with their frameworks; {len(expected['refusals'])} refused")


if __name__ == "__main__":
    main()
