#!/usr/bin/env python3
"""Make the tiny GRU test model and its golden vectors, computed by PyTorch.

models/tiny-gru/ is format v1 with "cell": "gru": the tiny model's tokenizer (a link to
models/tiny-random/tokenizer.json), embedding size and labels, two GRU layers of hidden size 5 (off the SIMD lane
width) with seeded random weights, and the reset gate applied after the recurrent product, PyTorch's convention.
tests/golden/tiny-gru.json holds, for the texts of scripts/golden.py, the ids (Python `tokenizers`), every layer's
hidden state after every step, the logits of every prefix, the probabilities, the label, the running p(positive) and
the per-token scores, in float64 from the stored float32 weights, for both conventions of the same weights:

- "after": torch.nn.GRU itself, one layer at a time (so that every layer's states are seen), checked against a
  two-layer nn.GRU's outputs;
- "before": the cell with its reset gate applied before the recurrent product, n = tanh(W_in x + b_in +
  W_hn (r * h) + b_hn), written here in torch, since nn.GRU has no such option; the same code with the reset gate
  after the product is first checked against nn.GRU, so the two differ only where the conventions do.

    .venv/bin/python scripts/make-gru-golden.py           # writes models/tiny-gru/ and tests/golden/tiny-gru.json
    .venv/bin/python scripts/make-gru-golden.py --check   # regenerates into a temporary folder and compares

Needs PyTorch (scripts/requirements.txt): CI has none and only reads the committed files. Everything is seeded.
"""

import json
import os
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import save_file
from tokenizers import Tokenizer

import cells
from golden import ROOT, TEXTS, main, write_config

SEED = 20261206
NAME = "tiny-gru"
TOKENIZER = ROOT / "models" / "tiny-random" / "tokenizer.json"
EMBEDDING, HIDDEN, LAYERS = 8, 5, 2
LABELS = ["negative", "positive"]
MAX_LENGTH = 64


def make_weights(vocab_size, rng):
    """Format v1's tensors of a GRU: PyTorch's nn.GRU tensors under sentir's names, both biases kept. b_hh is large
    enough that gating the candidate's recurrent bias by r (reset after) or not (before) shows."""
    return cells.random_weights(rng, "gru", vocab_size, EMBEDDING, HIDDEN, LAYERS, len(LABELS),
                                {"weight_ih": 0.6, "weight_hh": 0.8, "bias_ih": 0.3, "bias_hh": 0.8})


def float64(tensors):
    return {name: torch.from_numpy(value.astype(np.float64)) for name, value in tensors.items()}


def nn_gru_layers(w):
    """One torch.nn.GRU per layer, holding the stored weights as they are (sentir's tensors are PyTorch's)."""
    layers = []
    for layer in range(LAYERS):
        gru = torch.nn.GRU(EMBEDDING if layer == 0 else HIDDEN, HIDDEN, batch_first=True, dtype=torch.float64)
        with torch.no_grad():
            for part in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]:
                getattr(gru, f"{part}_l0").copy_(w[f"gru.{layer}.{part}"])
        layers.append(gru)
    return layers


def by_nn_gru(w, ids):
    """Every layer's hidden states `[T, H]`, by nn.GRU one layer at a time; checked against a two-layer nn.GRU."""
    inputs = w["embedding.weight"][ids].unsqueeze(0)
    states = []
    with torch.no_grad():
        for gru in nn_gru_layers(w):
            inputs, _ = gru(inputs)
            states.append(inputs[0])
        stacked = torch.nn.GRU(EMBEDDING, HIDDEN, LAYERS, batch_first=True, dtype=torch.float64)
        for layer in range(LAYERS):
            for part in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]:
                getattr(stacked, f"{part}_l{layer}").copy_(w[f"gru.{layer}.{part}"])
        top, _ = stacked(w["embedding.weight"][ids].unsqueeze(0))
    assert torch.allclose(top[0], states[-1], rtol=0, atol=1e-13), "one layer at a time is a two-layer nn.GRU"
    return states


def by_hand(w, ids, reset):
    """Every layer's hidden states `[T, H]`, by the GRU's equations (scripts/cells.py, crate/src/recurrent/mod.rs)
    with the reset gate applied `reset` ("after" or "before") the recurrent product."""
    hidden, _ = cells.layers({name: value.numpy() for name, value in w.items()}, "gru", LAYERS, HIDDEN, ids, reset)
    return [torch.from_numpy(np.array(states)) if states else torch.zeros(0, HIDDEN, dtype=torch.float64)
            for states in hidden]


def golden_case(w, tokenizer, text, reset):
    ids = tokenizer.encode(text, add_special_tokens=False).ids
    if reset == "after":
        states = by_nn_gru(w, ids) if ids else by_hand(w, ids, reset)
        hand = by_hand(w, ids, reset)
        for layer, (ours, theirs) in enumerate(zip(hand, states)):
            assert torch.allclose(ours, theirs, rtol=0, atol=1e-13), f"the hand-written GRU is nn.GRU ({layer}, {text!r})"
    else:
        states = by_hand(w, ids, reset)
    tops = torch.cat([torch.zeros(1, HIDDEN, dtype=torch.float64), states[-1]])
    logits = (tops @ w["head.weight"].T + w["head.bias"]).numpy()
    probabilities = np.exp(logits - np.logaddexp.reduce(logits, axis=1)[:, None])
    positive, negative = LABELS.index("positive"), LABELS.index("negative")
    odds = logits[:, positive] - logits[:, negative]
    return {
        "text": text,
        "ids": ids,
        "hidden": [layer.tolist() for layer in states],
        "logits": logits.tolist(),
        "probabilities": probabilities[-1].tolist(),
        "label": LABELS[int(np.argmax(logits[-1]))],
        "running": probabilities[1:, positive].tolist(),
        "scores": np.diff(odds).tolist(),
    }


def generate(model_dir: Path, golden_path: Path):
    rng = np.random.default_rng(SEED)
    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)
    tensors = make_weights(vocab_size, rng)

    model_dir.mkdir(parents=True, exist_ok=True)
    link = model_dir / "tokenizer.json"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(TOKENIZER, model_dir))
    save_file(tensors, str(model_dir / "model.safetensors"))
    write_config(model_dir, NAME, vocab_size, EMBEDDING, HIDDEN, LAYERS, LABELS, MAX_LENGTH, cell="gru")

    torch.set_default_dtype(torch.float64)
    w = float64(tensors)
    golden = {
        "generator": "scripts/make-gru-golden.py",
        "model": NAME,
        "sources": {
            "after": "torch.nn.GRU (PyTorch's convention: the reset gate after the recurrent product)",
            "before": "the GRU's equations in torch, the reset gate before the recurrent product",
        },
        "after": [golden_case(w, tokenizer, text, "after") for text in TEXTS],
        "before": [golden_case(w, tokenizer, text, "before") for text in TEXTS],
    }
    golden_path.parent.mkdir(parents=True, exist_ok=True)
    golden_path.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(__doc__, NAME, generate)
