#!/usr/bin/env python3
"""Make the small Keras and PyTorch models that CI imports (tests/import/), and what their frameworks say of them.

    KERAS_BACKEND=numpy .venv/bin/python scripts/make-import-sources.py

Writes tests/import/sources/: Keras 3 `.keras` and legacy `.h5` files (LSTM and GRU, one and two layers, sigmoid
and softmax heads, both GRU conventions), PyTorch state_dicts (`.pt`), their vocabulary, and models the importer
must refuse; and tests/import/expected.json: for each model, the importer's arguments, and the probabilities its
framework gives for a few texts (ids from a tokenisation written here, independently of the importer's
tokenizer.json: Keras's standardisation, lower-case ASCII and strip punctuation, then split on whitespace). For a
refused model, what the refusal must name. tests/import/check.py (run by scripts/test, with neither framework)
imports each, runs sentir's CLI, and compares.

Needs Keras 3 with jax (scripts/requirements-import-keras.txt) and PyTorch (scripts/requirements.txt). Seeded, but
the files are not byte-identical run to run (zip and HDF5 timestamps): regenerate only when the set changes.
"""

import json
import os
import re
import string
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "import"
SEED = 20261206
WORDS = ("the a movie film food service it was is not very really good great bad terrible awful loved hated "
         "boring fun slow fast best worst ever i this and but at all okay fine waste of time plot acting "
         "story music friendly rude price cheap expensive again never always recommend").split()
VOCABULARY = ["", "[UNK]"] + WORDS
TEXTS = [
    "I loved this movie, it was great!",
    "What a terrible waste of time.",
    "not bad at all",
    "The food was okay but the service was slow",
    "Best. Film. Ever!!!",
    "never again: rude, slow, expensive",
    "it is not good, it is not bad",
    "The ACTING was great but the plot was boring",
    "Zoë's café was fine",
    "recommend",
]


def ids(text):
    """Keras TextVectorization's defaults: tf.strings.lower (ASCII letters), strip ASCII punctuation, split on ASCII
    whitespace (tf.strings.split)."""
    lowered = "".join(c.lower() if c in string.ascii_uppercase else c for c in text)
    words = re.findall(r"[^ \t\n\v\f\r]+", re.sub("[" + re.escape(string.punctuation) + "]", "", lowered))
    return [VOCABULARY.index(w) if w in VOCABULARY else 1 for w in words]


def randomize(model, rng):
    """Weights larger than Keras's initialisers give, so that the probabilities spread and differences show."""
    for layer in model.layers:
        layer.set_weights([(rng.standard_normal(w.shape) * 0.7).astype(np.float32) for w in layer.get_weights()])


def keras_model(name, layers, rng, save_as):
    """`layers()` makes the layers after the embedding, once the session is cleared."""
    keras.backend.clear_session()  # layer names start afresh: lstm, lstm_1, ...
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(len(VOCABULARY), 8, mask_zero=True), *layers()])
    randomize(model, rng)
    path = OUT / "sources" / f"{name}.{save_as}"
    model.save(path)
    return model, path


def keras_probabilities(model):
    result = []
    for text in TEXTS:
        y = np.asarray(model(np.array([ids(text)], dtype="int32")), dtype=np.float64)[0]
        result.append([1 - y[0], y[0]] if y.shape == (1,) else y.tolist())
    return result


class TorchModel(torch.nn.Module):
    def __init__(self, cell, layers, outputs):
        super().__init__()
        self.embed = torch.nn.Embedding(len(VOCABULARY), 8)
        self.rnn = cell(8, 6, num_layers=layers, batch_first=True)
        self.dropout = torch.nn.Dropout(0.3)
        self.classifier = torch.nn.Linear(6, outputs)

    def forward(self, x):
        states, _ = self.rnn(self.embed(x))
        return self.classifier(self.dropout(states[:, -1]))


def torch_model(name, cell, layers, outputs):
    model = TorchModel(cell, layers, outputs).eval()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn_like(parameter) * 0.7)
    path = OUT / "sources" / f"{name}.pt"
    torch.save(model.state_dict(), path)
    result = []
    with torch.no_grad():
        for text in TEXTS:
            z = model(torch.tensor([ids(text)])).double()[0]
            p = torch.sigmoid(z[0]).item() if outputs == 1 else None
            result.append([1 - p, p] if outputs == 1 else torch.softmax(z, 0).tolist())
    return path, result


def main():
    rng = np.random.default_rng(SEED)
    torch.manual_seed(SEED)
    keras.utils.set_random_seed(SEED)
    (OUT / "sources").mkdir(parents=True, exist_ok=True)
    (OUT / "sources" / "vocabulary.txt").write_text("\n".join(VOCABULARY) + "\n")
    L = keras.layers
    imports = {}

    def keras_case(name, layers, save_as, labels=None):
        model, path = keras_model(name, layers, rng, save_as)
        imports[path.name] = {"args": ["--vocab", "vocabulary.txt"] + (["--labels", labels] if labels else []),
                              "probabilities": keras_probabilities(model)}

    keras_case("keras-lstm-sigmoid", lambda: [L.LSTM(6), L.Dropout(0.5), L.Dense(1, activation="sigmoid")], "keras")
    keras_case("keras-lstm2-softmax", lambda: [L.LSTM(6, return_sequences=True, dropout=0.2), L.LSTM(6, recurrent_dropout=0.1),
                                       L.Dense(3, activation="softmax")], "h5")
    keras_case("keras-gru-softmax", lambda: [L.GRU(6), L.Dense(2, activation="softmax")], "keras")
    keras_case("keras-gru2-before-sigmoid", lambda: [L.GRU(6, return_sequences=True, reset_after=False), L.GRU(6, reset_after=False),
                                             L.Dense(1, activation="sigmoid")], "h5")
    keras_case("keras-gru-labels", lambda: [L.GRU(5), L.Dense(4), L.Activation("softmax")], "keras",
               labels="negative,mixed,neutral,positive")
    # A functional model: Keras 3 records Embedding(mask_zero=True)'s mask as a NotEqual layer passed as `mask`.
    keras.backend.clear_session()
    inputs = keras.Input((None,), dtype="int32")
    hidden = L.Embedding(len(VOCABULARY), 8, mask_zero=True)(inputs)
    hidden = L.GRU(6, return_sequences=True)(hidden)
    outputs = L.Dense(3, activation="softmax")(L.Dropout(0.2)(L.GRU(6)(hidden)))
    model = keras.Model(inputs, outputs)
    randomize(model, rng)
    model.save(OUT / "sources" / "keras-functional-gru2.keras")
    imports["keras-functional-gru2.keras"] = {"args": ["--vocab", "vocabulary.txt"], "probabilities": keras_probabilities(model)}

    for name, cell, layers, outputs in [("torch-lstm2-softmax", torch.nn.LSTM, 2, 3), ("torch-gru-sigmoid", torch.nn.GRU, 1, 1)]:
        path, probabilities = torch_model(name, cell, layers, outputs)
        imports[path.name] = {"args": ["--vocab", "vocabulary.txt"], "probabilities": probabilities}

    refusals = {}

    def refused(name, layers, save_as, must_name):
        _, path = keras_model(name, layers, rng, save_as)
        refusals[path.name] = must_name

    refused("keras-bidirectional", lambda: [L.Bidirectional(L.LSTM(3)), L.Dense(1, activation="sigmoid")], "keras", ["bidirectional", "Bidirectional"])
    refused("keras-hard-sigmoid", lambda: [L.LSTM(3, recurrent_activation="hard_sigmoid"), L.Dense(1, activation="sigmoid")], "h5",
            ["'lstm", "recurrent_activation='hard_sigmoid'"])
    refused("keras-return-sequences", lambda: [L.GRU(3, return_sequences=True), L.Dense(1, activation="sigmoid")], "keras",
            ["'gru", "return_sequences=True"])
    refused("keras-sizes", lambda: [L.LSTM(4, return_sequences=True), L.LSTM(3), L.Dense(2, activation="softmax")], "h5", ["'lstm_1", "units=3"])
    refused("keras-backwards", lambda: [L.LSTM(3, go_backwards=True), L.Dense(2, activation="softmax")], "keras", ["'lstm", "go_backwards=True"])
    model = TorchModel(torch.nn.LSTM, 1, 2)
    model.rnn = torch.nn.LSTM(8, 3, bidirectional=True, batch_first=True)
    torch.save(model.state_dict(), OUT / "sources" / "torch-bidirectional.pt")
    refusals["torch-bidirectional.pt"] = ["rnn.weight_ih_l0_reverse", "bidirectional=True"]

    expected = {
        "generator": "scripts/make-import-sources.py",
        "texts": TEXTS,
        "ids": [ids(t) for t in TEXTS],
        "imports": imports,
        "refusals": refusals,
    }
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote {len(imports)} models and {len(refusals)} refused ones to {(OUT / 'sources').relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
