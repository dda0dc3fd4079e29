"""What the scripts that make the tiny models' golden vectors share (scripts/make-tiny-model.py, numpy, run by CI's
freshness check; scripts/make-gru-golden.py, PyTorch, run by hand): the texts, the config.json, and the command line
with its `--check`.
"""

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def write_config(model_dir, name, vocab_size, embedding, hidden, layers, labels, max_length, cell="lstm"):
    """A tiny model's config.json (format v1, float32 weights): an LSTM's, or a GRU's with the reset gate after."""
    config = {
        "format_version": 1,
        "name": name,
        "vocab_size": vocab_size,
        "embedding_size": embedding,
        "hidden_size": hidden,
        "num_layers": layers,
        "direction": "forward",
        **({"cell": "gru", "reset_gate": "after"} if cell == "gru" else {}),
        "labels": labels,
        "positive_label": "positive",
        "gate_order": ["i", "f", "g", "o"] if cell == "lstm" else ["r", "z", "n"],
        "max_length": max_length,
        "tokenizer": "tokenizer.json",
        "weights": "model.safetensors",
        "dtype": "f32",
    }
    (model_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")


# Texts for the golden vectors: ASCII, accents, emoji (one ZWJ sequence), CJK, whitespace, and the empty text.
TEXTS = [
    "The acting was not good, but the music was wonderful.",
    "I loved it!",
    "Terrible. Just terrible.",
    "",
    "Café crème, très bon 😀",
    "The family 👨‍👩‍👧 was happy ❤️",
    "这部电影很好",
    "Naïve résumé, Zoë's coöperation",
    "unbelievably disappointing",
    "  leading and trailing spaces  ",
    "MIXED case WORDS\tand a\nnewline",
    "An extraordinarily long sentence that goes on about the plot, the characters, and the music of the film.",
]


def close(a, b, path="golden"):
    """Structural equality, floats within 1e-12 (float64 sums may differ in the last bits by library)."""
    if isinstance(a, float) or isinstance(b, float):
        if not math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12):
            sys.exit(f"{path}: {a} != {b}")
    elif isinstance(a, dict):
        if a.keys() != b.keys():
            sys.exit(f"{path}: keys differ")
        for key in a:
            close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        if len(a) != len(b):
            sys.exit(f"{path}: lengths {len(a)} != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, f"{path}[{i}]")
    elif a != b:
        sys.exit(f"{path}: {a!r} != {b!r}")


def main(doc, name, generate):
    """The command line of a script that makes models/<name>/ and tests/golden/<name>.json with
    `generate(model_dir, golden_path)`: writes them, or with --check makes them afresh in a temporary folder and
    compares them with the committed ones (the model's files byte for byte, the vectors within 1e-12)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare a fresh run with the committed files")
    args = parser.parse_args()
    script = Path(sys.argv[0]).resolve().relative_to(ROOT)
    model_dir, golden_path = ROOT / "models" / name, ROOT / "tests" / "golden" / f"{name}.json"
    if not args.check:
        generate(model_dir, golden_path)
        print(f"wrote {model_dir.relative_to(ROOT)}/ and {golden_path.relative_to(ROOT)}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        fresh_model, fresh_golden = Path(tmp) / name, Path(tmp) / "golden.json"
        generate(fresh_model, fresh_golden)
        for file in ["config.json", "model.safetensors", "tokenizer.json"]:
            if (fresh_model / file).read_bytes() != (model_dir / file).read_bytes():
                sys.exit(f"models/{name}/{file} is stale: run {script} and commit the result")
        close(json.loads(fresh_golden.read_text()), json.loads(golden_path.read_text()))
    print(f"models/{name}/ and tests/golden/{name}.json are current")
