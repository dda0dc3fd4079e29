#!/usr/bin/env python3
"""Export a sentir model folder (format v1) to ONNX through PyTorch, for the peers benchmark.

    bench/export-onnx.py [models/sentir-en-lstm] [bench/build/sentir-en-lstm.onnx]

The graph is what a PyTorch user would export: token ids [batch, time] in, the head's logits after every step
[batch, time, labels] out (per-token scores need every prefix), with batch and time dynamic. The weights are the
model folder's, so ONNX Runtime runs exactly what sentir runs. Needs scripts/requirements.txt plus onnx and
onnxscript (see bench/README.md).
"""

import json
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

ROOT = Path(__file__).resolve().parent.parent


class Net(nn.Module):
    def __init__(self, config, tensors):
        super().__init__()
        vocab, embedding, hidden = config["vocab_size"], config["embedding_size"], config["hidden_size"]
        layers, labels = config["num_layers"], len(config["labels"])
        self.embedding = nn.Embedding(vocab, embedding)
        self.lstm = nn.LSTM(embedding, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, labels)
        state = {"embedding.weight": tensors["embedding.weight"], "head.weight": tensors["head.weight"],
                 "head.bias": tensors["head.bias"]}
        for layer in range(layers):
            state[f"lstm.weight_ih_l{layer}"] = tensors[f"lstm.{layer}.weight_ih"]
            state[f"lstm.weight_hh_l{layer}"] = tensors[f"lstm.{layer}.weight_hh"]
            state[f"lstm.bias_ih_l{layer}"] = tensors[f"lstm.{layer}.bias"]  # format v1 fuses the two biases
            state[f"lstm.bias_hh_l{layer}"] = torch.zeros_like(tensors[f"lstm.{layer}.bias"])
        self.load_state_dict(state)

    def forward(self, ids):
        out, _ = self.lstm(self.embedding(ids))
        return self.head(out)


def main():
    model = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "sentir-en-lstm"
    out = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else ROOT / "bench" / "build" / f"{model.resolve().name}.onnx"
    config = json.loads((model / "config.json").read_text())
    net = Net(config, load_file(model / config["weights"])).eval()
    out.parent.mkdir(parents=True, exist_ok=True)
    example = torch.zeros(2, 7, dtype=torch.long)
    batch, time = torch.export.Dim("batch"), torch.export.Dim("time")
    program = torch.onnx.export(net, (example,), dynamo=True, input_names=["ids"], output_names=["logits"],
                                dynamic_shapes={"ids": {0: batch, 1: time}}, external_data=False)
    program.save(str(out))
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
