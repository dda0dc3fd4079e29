"""The sentir model folder an import writes (models/README.md's format v1), and what that folder computes, in
numpy float64 from its own files, for the self-check."""

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from tokenizers import Tokenizer

import cells

from .source import Refusal


def write_folder(source, tokenizer, out, name, max_length):
    """Writes `config.json`, `model.safetensors` and `tokenizer.json` for `source` into `out`; returns their paths."""
    vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)
    if vocab_size != source.embedding.shape[0]:
        raise Refusal(f"the vocabulary has {vocab_size} tokens but the Embedding {source.embedding.shape[0]} rows: "
                      "pass the vocabulary the model was trained with (--vocab), one token per line in id order")
    labels = source.labels
    if "positive" not in labels:
        raise Refusal(f"labels {labels} have none named 'positive', which per-token scores measure towards: name it with --labels")
    tensors = {"embedding.weight": source.embedding}
    for layer, weights in enumerate(source.layers):
        for key, value in weights.items():
            tensors[f"{source.cell}.{layer}.{key}"] = value
    tensors["head.weight"] = source.head_weight
    tensors["head.bias"] = source.head_bias
    config = {
        "format_version": 1,
        "name": name,
        "vocab_size": vocab_size,
        "embedding_size": int(source.embedding.shape[1]),
        "hidden_size": int(source.hidden_size),
        "num_layers": len(source.layers),
        "direction": "forward",
        "cell": source.cell,
        **({"reset_gate": source.reset_gate} if source.cell == "gru" else {}),
        "labels": labels,
        "positive_label": "positive",
        **({"negative_label": "negative"} if len(labels) > 2 and "negative" in labels else {}),
        "gate_order": ["i", "f", "g", "o"] if source.cell == "lstm" else ["r", "z", "n"],
        "max_length": max_length,
        "tokenizer": "tokenizer.json",
        "weights": "model.safetensors",
        "dtype": "f32",
    }
    if len(labels) > 2 and "negative" not in labels:
        raise Refusal(f"labels {labels}: with more than two, one must be named 'negative' for per-token scores")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()}, str(out / "model.safetensors"))
    tokenizer.save(str(out / "tokenizer.json"))
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    return [out / "model.safetensors", out / "tokenizer.json", out / "config.json"]


class Folder:
    """A written model folder, run in float64 by the equations of crate/src/recurrent/mod.rs."""

    def __init__(self, path):
        path = Path(path)
        self.config = json.loads((path / "config.json").read_text())
        self.tensors = {k: v.astype(np.float64) for k, v in load_file(str(path / "model.safetensors")).items()}
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))

    def ids(self, text):
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def probabilities(self, ids):
        w, config = self.tensors, self.config
        hidden, _ = cells.layers(w, config.get("cell", "lstm"), config["num_layers"], config["hidden_size"], ids,
                                 config.get("reset_gate", "after"))
        logits = cells.prefix_logits(w, hidden[-1], config["hidden_size"])[-1]
        e = np.exp(logits - logits.max())
        return e / e.sum()
