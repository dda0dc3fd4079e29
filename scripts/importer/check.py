"""The self-check: the source model run by its own framework (Keras 3 on the numpy backend, PyTorch on the CPU)
beside the imported folder run by sentir's CLI when one is built, else by `Folder`'s numpy reference."""

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .folder import Folder

ROOT = Path(__file__).resolve().parent.parent.parent

# Short posts of the kind sentiment models see; words a vocabulary lacks are its out-of-vocabulary token.
TEXTS = [
    "I loved this movie, it was great!",
    "What a terrible waste of time.",
    "not bad at all",
    "The food was okay but the service was slow",
    "best purchase ever",
    "I hate it. I really do.",
    "boring",
]

TOLERANCE = 1e-5


def framework_probabilities(source_path, source, ids):
    """The source model's probabilities for each id sequence, from its own framework."""
    if source.kind == "Keras":
        os.environ.setdefault("KERAS_BACKEND", "numpy")
        import keras

        if source.text_vectorization and not tensorflow_available():
            with tempfile.TemporaryDirectory() as tmp:
                model = keras.saving.load_model(without_text_vectorization(source_path, Path(tmp)), compile=False)
        else:
            model = keras.saving.load_model(source_path, compile=False)
        layers = [l for l in model.layers if type(l).__name__ not in ("InputLayer", "TextVectorization")]
        results = []
        for sequence in ids:
            x = np.array([sequence], dtype="int32")
            if len(layers) == len(model.layers):
                y = model(x)
            else:  # past the TextVectorization layer, which needs TensorFlow, layer by layer
                y = x
                for layer in layers:
                    y = layer(y)
            y = np.asarray(keras.ops.convert_to_numpy(y), dtype=np.float64)[0]
            results.append(np.array([1 - y[0], y[0]]) if y.shape == (1,) else y)
        return results

    import torch

    # Run in float32, as sentir does, whatever the file stores.
    state = {k: v.float() for k, v in torch.load(source_path, map_location="cpu", weights_only=True).items()}
    names = source.torch_names
    prefix = names["recurrent"]
    rnn_state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix) and k[len(prefix):].startswith(("weight_", "bias_"))}
    kind = torch.nn.LSTM if source.cell == "lstm" else torch.nn.GRU
    rnn = kind(source.embedding.shape[1], source.hidden_size, num_layers=len(source.layers), batch_first=True,
               bias="bias_ih_l0" in rnn_state)
    rnn.load_state_dict(rnn_state)
    embedding = torch.nn.Embedding.from_pretrained(state[names["embedding"]])
    head = state[names["head"]]
    head_bias = state.get(names["head_bias"], torch.zeros(head.shape[0]))
    results = []
    with torch.no_grad():
        for sequence in ids:
            states, _ = rnn(embedding(torch.tensor([sequence])))
            z = (states[0, -1] @ head.T + head_bias).double()
            results.append(np.array([1 - torch.sigmoid(z[0]).item(), torch.sigmoid(z[0]).item()]) if z.shape == (1,)
                           else torch.softmax(z, 0).numpy())
    return results


def tensorflow_available():
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        return False
    return True


def without_text_vectorization(path, tmp):
    """A copy of the Sequential `.keras` file at `path` without its TextVectorization layer, which needs TensorFlow:
    the rest of the model, from token ids, with the same weights (Keras 3 names each layer's weights after its
    class, so removing the one TextVectorization layer moves no other layer's)."""
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        layers = config["config"]["layers"]
        if config["class_name"] != "Sequential" or layers[0]["class_name"] != "InputLayer":
            raise SystemExit("self-check: a functional model with TextVectorization needs TensorFlow; install it, or pass --no-check")
        layers[0]["config"].update(batch_shape=[None, None], dtype="int32")
        config["config"]["layers"] = [l for l in layers if l["class_name"] != "TextVectorization"]
        copy = tmp / "without-text-vectorization.keras"
        with zipfile.ZipFile(copy, "w") as out:
            for name in archive.namelist():
                if name != "config.json" and not name.startswith("assets/"):
                    out.writestr(name, archive.read(name))
            out.writestr("config.json", json.dumps(config))
    return copy


def sentir_cli():
    """A built `sentir` binary of this checkout, or one on PATH, or None."""
    for build in ("release", "debug"):
        binary = ROOT / "target" / build / "sentir"
        if binary.exists():
            return str(binary)
    return shutil.which("sentir")


def imported_probabilities(out, folder, texts):
    """The imported folder's probabilities for `texts` (sentir's CLI, else `folder`'s equations), and what
    computed them."""
    cli = sentir_cli()
    if cli:
        run = subprocess.run([cli, "analyze", "--model", str(out), "--backend", "cpu-scalar", "--jsonl"],
                             input="\n".join(texts) + "\n", capture_output=True, text=True, check=True)
        rows = [json.loads(line) for line in run.stdout.splitlines()]
        labels = json.loads((Path(out) / "config.json").read_text())["labels"]
        return [np.array([row["probabilities"][label] for label in labels]) for row in rows], f"sentir ({cli})"
    return [folder.probabilities(folder.ids(t)) for t in texts], "sentir's equations in numpy (no sentir binary built)"


def self_check(source_path, source, out, texts=TEXTS):
    """Compares the framework's and the import's probabilities on `texts`; returns the largest difference and a
    line that says what was compared, and raises if any differs by more than TOLERANCE."""
    folder = Folder(out)
    texts = [t for t in texts if folder.ids(t)]
    expected = framework_probabilities(source_path, source, [folder.ids(t) for t in texts])
    got, by = imported_probabilities(out, folder, texts)
    worst = max(float(np.abs(np.asarray(e) - np.asarray(g)).max()) for e, g in zip(expected, got))
    line = f"{source.kind} and {by} agree on {len(texts)} texts to {worst:.1e} (tolerance {TOLERANCE:g})"
    if not worst <= TOLERANCE:
        raise SystemExit(f"self-check failed: {line}")
    return line
