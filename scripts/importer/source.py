"""What every reader gives the writer: a model as sentir's tensors, framework-neutral."""

from dataclasses import dataclass

import numpy as np


class Refusal(Exception):
    """A source that cannot be imported as it is: the message names the layer (or tensor) and the option, and what
    to change. Never a guess: a model sentir would run differently is refused, not imported."""


@dataclass
class Source:
    """A model read from a framework's file, in sentir's layout (models/README.md): matrices `[out, in]`, an LSTM's
    gates `[i, f, g, o]`, a GRU's `[r, z, n]`."""

    kind: str  # "Keras" or "PyTorch", for messages
    cell: str  # "lstm" or "gru"
    reset_gate: str | None  # a GRU's convention, "after" or "before"
    embedding: np.ndarray  # [V, E]
    layers: list  # per layer: {"weight_ih", "weight_hh", "bias"} (LSTM) or {..., "bias_ih", "bias_hh"} (GRU)
    head_weight: np.ndarray  # [K, H]
    head_bias: np.ndarray  # [K]
    labels: list  # K names, or None when the head's size alone does not say
    vocabulary: list | None = None  # tokens in id order, when the file holds them
    standardize: str | None = "lower_and_strip_punctuation"
    split: str = "whitespace"
    text_vectorization: bool = False  # a Keras model whose first layer is TextVectorization
    torch_names: dict | None = None  # a state_dict's names of the embedding, recurrent module, head and its bias

    @property
    def hidden_size(self):
        return self.layers[0]["weight_hh"].shape[1]


def sigmoid_head(weight, bias):
    """One sigmoid unit `p = σ(w · h + b)` as the two-label softmax head `[0, w]`, `[0, b]`: softmax([0, z]) is
    σ(z) for the second label."""
    weight = np.asarray(weight, dtype=np.float32).reshape(1, -1)
    bias = np.asarray(bias, dtype=np.float32).reshape(1)
    return np.concatenate([np.zeros_like(weight), weight]), np.concatenate([np.zeros_like(bias), bias])


def default_labels(count):
    """The labels a head of `count` outputs gets without `--labels`, or None."""
    return {2: ["negative", "positive"], 3: ["negative", "neutral", "positive"]}.get(count)
