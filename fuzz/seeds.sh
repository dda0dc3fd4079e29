#!/usr/bin/env bash
# Writes the seed corpora into fuzz/corpus/ (not committed): the tiny model's three files in load_model's input
# format, and texts for analyze (the behavioural sentences and some hostile ones).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/load_model corpus/analyze
python3 - <<'PY'
import struct
from pathlib import Path

tiny = Path("../models/tiny-random")
config, weights, tokenizer = [(tiny / name).read_bytes() for name in ("config.json", "model.safetensors", "tokenizer.json")]
seed = struct.pack("<I", len(config)) + config + struct.pack("<I", len(weights)) + weights + tokenizer
Path("corpus/load_model/tiny").write_bytes(seed)

lines = Path("../tests/behaviour/behaviour.tsv").read_text(encoding="utf-8").splitlines()[1:]
texts = [line.split("\t")[1] for line in lines] + ["", " ", "👨‍👩‍👧‍👦 🏳️‍🌈", "e\u0301\u0302", "a\0b", "x" * 200, "https://a.b/c d@e.f"]
for i, text in enumerate(texts):
    Path(f"corpus/analyze/{i:03}").write_text(text, encoding="utf-8")
PY
echo "seeds: $(ls corpus/load_model | wc -l) model, $(ls corpus/analyze | wc -l) texts"
