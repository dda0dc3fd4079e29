"""Keras models read without TensorFlow or Keras: a `.keras` file (Keras 3: a zip of `config.json`,
`model.weights.h5` and `assets/`) or a legacy `.h5` (Keras 2, or Keras 3's `save("x.h5")`: the config in the
`model_config` attribute, the weights under `model_weights/`), with `json`, `zipfile` and `h5py`.

A model is a chain: [`TextVectorization`], `Embedding`, one or more `LSTM` or `GRU` (all of one kind), `Dense`
(one sigmoid unit, or a softmax over labels), with `Dropout`-like layers anywhere, which do nothing at inference.
"""

import io
import json
import re
import zipfile

import h5py
import numpy as np

from .source import Refusal, Source, default_labels, sigmoid_head

# Layers that are the identity at inference.
INFERENCE_IDENTITY = {"Dropout", "SpatialDropout1D", "GaussianDropout", "GaussianNoise", "AlphaDropout", "ActivityRegularization"}
RECURRENT = {"LSTM": "lstm", "GRU": "gru"}


def read_keras(path):
    """The model in `path` (`.keras` or `.h5`) as a `Source`."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "config.json" not in names or "model.weights.h5" not in names:
                raise Refusal(f"{path} is a zip without config.json and model.weights.h5: not a Keras 3 .keras file")
            config = json.loads(archive.read("config.json"))
            weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
            assets = {name: archive.read(name) for name in names if name.startswith("assets/")}
        layers = chain(config)
        paths = keras3_paths(layers)
        variables = lambda layer: keras3_variables(weights, paths[layer["name"]], layer)  # noqa: E731
    elif h5py.is_hdf5(path):
        weights = h5py.File(path, "r")
        if "model_config" not in weights.attrs:
            raise Refusal(f"{path} holds weights only (save_weights): save the whole model, model.save('model.h5') or 'model.keras'")
        layers = chain(json.loads(text(weights.attrs["model_config"])))
        assets = {}
        variables = lambda layer: legacy_variables(weights, layer)  # noqa: E731
    else:
        raise Refusal(f"{path} is neither a .keras zip nor an HDF5 .h5 file")
    return from_layers(layers, variables, assets)


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def chain(config):
    """The model's layers in order, each `(class_name, config)`, refusing anything but a single chain."""
    kind = config.get("class_name")
    body = config.get("config", {})
    layers = body if isinstance(body, list) else body.get("layers")
    if kind not in ("Sequential", "Functional", "Model") or not isinstance(layers, list):
        raise Refusal(f"the model is a {kind}: sentir imports a Sequential model or a functional one that is a single chain of layers")
    result = []
    previous = None
    for layer in layers:
        name = layer["config"].get("name", layer["class_name"])
        if kind != "Sequential":
            if layer["class_name"] == "NotEqual":
                continue  # Keras 3's padding mask of a functional model, `ids != 0`, passed to the cells as `mask`
            if len(layer.get("inbound_nodes", [])) > 1:
                raise Refusal(f"layer {name!r} is called {len(layer['inbound_nodes'])} times: sentir imports a single chain of layers")
            inputs = inbound_layers(layer)
            if layer["class_name"] != "InputLayer" and inputs != [previous]:
                raise Refusal(f"layer {name!r} reads {inputs or 'nothing'}, not the layer before it ({previous!r}): sentir imports a single chain of layers")
            previous = name
        result.append((layer["class_name"], layer["config"]))
    return result


def inbound_layers(layer):
    """The names of the layers whose outputs `layer` of a functional model reads as its inputs (Keras 2 and 3 node
    formats); keyword arguments (a cell's `mask`) are not inputs."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            history = node.get("config", {}).get("keras_history") if node.get("class_name") == "__keras_tensor__" else None
            if history:
                found.append(history[0])
                return
            for key, value in node.items():
                if key != "kwargs":
                    walk(value)
        elif isinstance(node, list):
            if len(node) >= 3 and isinstance(node[0], str) and isinstance(node[1], int):
                found.append(node[0])  # Keras 2: [layer_name, node_index, tensor_index, kwargs]
                return
            for value in node:
                walk(value)

    walk(layer.get("inbound_nodes", []))
    return found


def snake_case(name):
    """Keras's `naming.to_snake_case`, which names a layer's group in `model.weights.h5` after its class."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def keras3_paths(layers):
    """Each layer's group in a Keras 3 `model.weights.h5`: `layers/<class in snake case>`, with `_1`, `_2`, ...
    for the second and later layers of a class, in the model's order (not the layer's own name, which varies)."""
    used = {}
    paths = {}
    for class_name, config in layers:
        base = snake_case(class_name)
        used[base] = used.get(base, -1) + 1
        paths[config["name"]] = f"layers/{base}" + (f"_{used[base]}" if used[base] else "")
    return paths


def keras3_variables(weights, path, layer):
    """A layer's variables in a Keras 3 `model.weights.h5`, in creation order (`vars/0`, `vars/1`, ...):
    `embeddings`; `kernel`, `recurrent_kernel`, `bias` (under `cell/`); `kernel`, `bias`."""
    group = weights.get(f"{path}/cell/vars") or weights.get(f"{path}/vars")
    if group is None or (len(group) == 0 and f"{path}/cell/vars" not in weights):
        raise Refusal(f"layer {layer['name']!r} has no weights in model.weights.h5 (at {path})")
    return [np.asarray(group[str(i)]) for i in range(len(group))]


def legacy_variables(weights, layer):
    """A layer's variables in a legacy `.h5`, in the order of its `weight_names` attribute."""
    name = layer["name"]
    group = weights["model_weights"].get(name) if "model_weights" in weights else weights.get(name)
    if group is None:
        raise Refusal(f"layer {name!r} has no weights in the .h5 file")
    return [np.asarray(group[text(weight_name)]) for weight_name in group.attrs.get("weight_names", [])]


def refuse_option(layer, option, value, why):
    raise Refusal(f"layer {layer['name']!r} ({option}={value!r}): {why}")


def from_layers(layers, variables, assets):
    """The `Source` of a chain of `(class_name, config)` layers, whose weights `variables(config)` reads."""
    vocabulary = None
    standardize, split = "lower_and_strip_punctuation", "whitespace"
    embedding = None
    recurrent = []  # (cell, config)
    head = None
    vectorized = False
    pads = None
    stage = "start"
    for class_name, config in layers:
        name = config.get("name", class_name)
        if class_name == "InputLayer" or class_name in INFERENCE_IDENTITY:
            continue
        if class_name == "TextVectorization":
            if stage != "start":
                raise Refusal(f"layer {name!r} (TextVectorization) is not the first layer")
            vocabulary, standardize, split, pads = text_vectorization(config, assets)
            vectorized = True
            stage = "vectorized"
        elif class_name == "Embedding":
            if stage not in ("start", "vectorized"):
                raise Refusal(f"layer {name!r} (Embedding) comes after another model layer: sentir's embedding is the first")
            if pads and not config.get("mask_zero"):
                raise Refusal(
                    f"layer {name!r} (mask_zero=False) reads the padding that TextVectorization's "
                    f"output_sequence_length={pads} adds, which sentir never adds: set mask_zero=True, or "
                    "output_sequence_length=None, and train again")
            (embedding,) = variables(config)
            stage = "embedded"
        elif class_name in RECURRENT:
            if stage not in ("embedded", "recurrent"):
                raise Refusal(f"layer {name!r} ({class_name}) does not read an Embedding's output")
            if recurrent and recurrent[-1][0] != RECURRENT[class_name]:
                raise Refusal(f"layer {name!r} is a {class_name} after a {recurrent[-1][0].upper()}: sentir runs one kind of cell per model")
            if recurrent and not recurrent[-1][1].get("return_sequences"):
                raise Refusal(f"layer {recurrent[-1][1]['name']!r} (return_sequences=False) feeds {name!r}: only the last recurrent layer may return its last state alone")
            check_recurrent(class_name, config)
            recurrent.append((RECURRENT[class_name], config))
            stage = "recurrent"
        elif class_name == "Dense":
            if stage != "recurrent":
                raise Refusal(f"layer {name!r} (Dense) does not follow the recurrent layers: sentir's head is one Dense layer on the last state")
            head = config
            stage = "head"
        elif class_name == "Activation" and stage == "head" and head.get("activation") in (None, "linear"):
            head = dict(head, activation=config.get("activation"))
        elif class_name in ("Bidirectional", "Masking", "Conv1D", "Attention", "MultiHeadAttention", "Flatten",
                            "GlobalAveragePooling1D", "GlobalMaxPooling1D", "TimeDistributed"):
            raise Refusal(f"layer {name!r} ({class_name}) has no equivalent in sentir, whose models are Embedding, LSTM or GRU layers reading forward, and Dense")
        else:
            raise Refusal(f"layer {name!r} ({class_name}) has no equivalent in sentir, whose models are Embedding, LSTM or GRU layers, and Dense")
    if embedding is None or not recurrent or head is None:
        raise Refusal("the model needs an Embedding, at least one LSTM or GRU, and a Dense head")
    if recurrent[-1][1].get("return_sequences"):
        top = recurrent[-1][1]
        refuse_option(top, "return_sequences", True, "the last recurrent layer must return its last state only (the Dense head then reads one vector): set return_sequences=False")

    sizes = [config["units"] for _, config in recurrent]
    if len(set(sizes)) > 1:
        odd = next(config for _, config in recurrent if config["units"] != sizes[0])
        refuse_option(odd, "units", odd["units"], f"the recurrent layers have {sizes} units, and sentir's layers share one size")
    cell = recurrent[0][0]
    reset_after = {bool(config.get("reset_after", True)) for _, config in recurrent} if cell == "gru" else set()
    if len(reset_after) > 1:
        raise Refusal("the GRU layers mix reset_after=True and reset_after=False: sentir runs one convention per model")
    layers_out = [recurrent_tensors(cell, config, variables(config)) for _, config in recurrent]
    head_weight, head_bias, labels = dense_head(head, variables(head))
    return Source(
        kind="Keras", cell=cell, reset_gate=("after" if reset_after == {True} else "before") if cell == "gru" else None,
        embedding=embedding.astype(np.float32), layers=layers_out, head_weight=head_weight, head_bias=head_bias,
        labels=labels, vocabulary=vocabulary, standardize=standardize, split=split,
        text_vectorization=vectorized)


def text_vectorization(config, assets):
    """The vocabulary (from the config, or the layer's `assets/.../vocabulary.txt`; None if neither has it),
    standardisation and splitting of a `TextVectorization` layer, and its `output_sequence_length`."""
    if config.get("output_mode", "int") != "int":
        refuse_option(config, "output_mode", config.get("output_mode"), "sentir embeds token ids: use output_mode='int'")
    if config.get("ngrams"):
        refuse_option(config, "ngrams", config.get("ngrams"), "sentir's tokens are single words: use ngrams=None")
    for option in ("standardize", "split"):
        if not (config.get(option) is None or isinstance(config.get(option), str)):
            refuse_option(config, option, "a function", "a Python function cannot be carried into a tokenizer.json: use one of Keras's named ones")
    vocabulary = config.get("vocabulary")
    if isinstance(vocabulary, str):
        vocabulary = None  # a file path on the training machine; the asset holds the same list
    if not vocabulary:
        # Keras 3 writes it as an asset of the layer, in a folder named after the layer's class.
        files = [n for n in assets if n.endswith("/vocabulary.txt")]
        if len(files) != 1:
            return None, config.get("standardize"), config.get("split"), config.get("output_sequence_length")
        vocabulary = assets[files[0]].decode("utf-8").splitlines()
        while vocabulary and vocabulary[-1] == "":
            vocabulary.pop()
    elif vocabulary[0] != "":
        # A vocabulary given as a list to the layer leaves out the padding and [UNK] tokens, which come first.
        vocabulary = ["", "[UNK]"] + [v for v in vocabulary if v not in ("", "[UNK]")]
    return vocabulary, config.get("standardize"), config.get("split"), config.get("output_sequence_length")


def check_recurrent(class_name, config):
    """Refuses the options sentir cannot run; the dropouts, initialisers and implementation choices change nothing
    at inference and pass."""
    expected = {"activation": "tanh", "recurrent_activation": "sigmoid"}
    for option, value in expected.items():
        if config.get(option, value) != value:
            refuse_option(config, option, config.get(option), f"sentir's {class_name} uses {value} here; "
                          f"Keras 2's hard_sigmoid and other activations have no equivalent: train with {option}='{value}'")
    for option, why in [("go_backwards", "sentir reads a text forward, to score every prefix"),
                        ("return_state", "the states would feed another layer; sentir's Dense reads the last state"),
                        ("time_major", "a layout sentir's runtime does not need: set time_major=False"),
                        ("stateful", "the state would carry from one text to the next; sentir reads every text afresh: "
                                     "rebuild the model with stateful=False and load the weights into it")]:
        if config.get(option):
            refuse_option(config, option, True, why)


def recurrent_tensors(cell, config, values):
    """A Keras `LSTM` or `GRU` cell's `kernel [in, gH]`, `recurrent_kernel [H, gH]`, `bias` as sentir's tensors."""
    units = config["units"]
    kernel, recurrent = values[0], values[1]
    gates = 4 if cell == "lstm" else 3
    if recurrent.shape != (units, gates * units):
        raise Refusal(f"layer {config['name']!r}: recurrent_kernel is {recurrent.shape}, not {(units, gates * units)}")
    bias = values[2] if len(values) > 2 else None
    if cell == "lstm":
        bias = np.zeros(4 * units, np.float32) if bias is None else bias
        return {"weight_ih": kernel.T, "weight_hh": recurrent.T, "bias": bias}

    # Keras stacks a GRU's gates [z, r, h]; sentir (and PyTorch) [r, z, n].
    def reorder(m):
        z, r, h = np.split(m, 3, axis=-1)
        return np.concatenate([r, z, h], axis=-1)

    if bias is None:
        bias_ih = bias_hh = np.zeros(3 * units, np.float32)
    elif bias.ndim == 2:  # reset_after=True: input and recurrent biases
        bias_ih, bias_hh = reorder(bias[0]), reorder(bias[1])
    else:
        bias_ih, bias_hh = reorder(bias), np.zeros(3 * units, np.float32)
    return {"weight_ih": reorder(kernel).T, "weight_hh": reorder(recurrent).T, "bias_ih": bias_ih, "bias_hh": bias_hh}


def dense_head(config, values):
    """A `Dense` head as sentir's `[K, H]` weight and `[K]` bias, with its default labels."""
    kernel = values[0]
    bias = values[1] if len(values) > 1 else np.zeros(kernel.shape[1], np.float32)
    activation = config.get("activation")
    units = kernel.shape[1]
    if units == 1:
        if activation != "sigmoid":
            refuse_option(config, "activation", activation, "one unit is read as a probability: sentir imports Dense(1, activation='sigmoid')")
        weight, bias = sigmoid_head(kernel[:, 0], bias)
        return weight, bias, ["negative", "positive"]
    if activation != "softmax":
        refuse_option(config, "activation", activation, f"{units} units are read as probabilities: sentir imports Dense({units}, activation='softmax')")
    return kernel.T, bias, default_labels(units)
