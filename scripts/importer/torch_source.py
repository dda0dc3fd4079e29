"""PyTorch `state_dict`s read without PyTorch: `torch.save`'s zip (`*/data.pkl`, and one file per storage under
`*/data/`) unpickled by an unpickler that builds numpy arrays and knows nothing else, so a file cannot run code.

A model is `nn.Embedding` + `nn.LSTM` or `nn.GRU` (`batch_first` or not, any number of layers) + `nn.Linear`, under
any attribute names: the tensors are recognised by their names' endings and shapes.
"""

import pickle
import re
import zipfile
from collections import OrderedDict

import numpy as np

from .source import Refusal, Source, default_labels, sigmoid_head

DTYPES = {"FloatStorage": np.float32, "HalfStorage": np.float16, "DoubleStorage": np.float64,
          "LongStorage": np.int64, "IntStorage": np.int32, "BoolStorage": np.bool_}


def read_state_dict(path):
    """`{name: numpy array}` of a `torch.save(model.state_dict(), path)` file."""
    if not zipfile.is_zipfile(path):
        raise Refusal(f"{path} is not a zip: save the state_dict with torch.save (PyTorch 1.6 or later), not a legacy or TorchScript file")
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise Refusal(f"{path} has no single data.pkl: not a torch.save file")
        prefix = pickles[0][: -len("data.pkl")]
        if any(n.endswith("/constants.pkl") for n in archive.namelist()):
            raise Refusal(f"{path} is a TorchScript module: save model.state_dict() with torch.save instead")

        class Unpickler(pickle.Unpickler):
            def find_class(self, module, name):
                if module == "collections" and name == "OrderedDict":
                    return OrderedDict
                if module == "torch._utils" and name == "_rebuild_tensor_v2":
                    return rebuild_tensor
                if module == "torch._utils" and name == "_rebuild_parameter":
                    return lambda data, *_: data  # dict(model.named_parameters()): a Parameter is its tensor
                if module == "torch" and name == "BFloat16Storage":
                    raise Refusal(f"{path} holds bfloat16 tensors, which numpy has not: save them as float32, "
                                  "{name: t.float() for name, t in model.state_dict().items()}")
                if module == "torch" and name in DTYPES:
                    return DTYPES[name]
                raise Refusal(f"{path} holds a {module}.{name}, not only tensors: save model.state_dict()")

            def persistent_load(self, pid):
                # ("storage", storage type, key, location, element count)
                kind, dtype, key, _location, count = pid
                if kind != "storage":
                    raise Refusal(f"{path}: unknown persistent object {kind!r}")
                data = archive.read(f"{prefix}data/{key}")
                return np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<"), count=count)

        with archive.open(pickles[0]) as file:
            state = Unpickler(file).load()
    if not isinstance(state, dict):
        raise Refusal(f"{path} holds a {type(state).__name__}, not a state_dict: torch.save(model.state_dict(), path)")
    others = sorted(name for name, value in state.items() if not isinstance(value, np.ndarray))
    if others:
        raise Refusal(f"{path} holds {others[:5]}, which are not tensors: save the model's state_dict itself, "
                      "torch.save(model.state_dict(), path)")
    return dict(state)


def rebuild_tensor(storage, offset, size, stride, *_):
    """A tensor as a numpy array copied out of its storage (elements, not bytes, as PyTorch counts them)."""
    itemsize = storage.itemsize
    view = np.lib.stride_tricks.as_strided(storage[offset:], shape=tuple(size), strides=[s * itemsize for s in stride])
    return np.array(view)


def read_torch(path):
    """The `Source` of a state_dict of an embedding, an LSTM or GRU, and a linear head."""
    state = {name: value for name, value in read_state_dict(path).items() if not name.endswith("num_batches_tracked")}
    recurrent = {}
    for name in state:
        match = re.fullmatch(r"(.*?)\.?(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?", name)
        if match:
            module, kind, layer, reverse = match.groups()
            if reverse:
                raise Refusal(f"tensor {name!r}: a bidirectional recurrent layer (bidirectional=True); sentir reads a text forward, to score every prefix")
            if kind == "weight_hr":
                raise Refusal(f"tensor {name!r}: an LSTM with proj_size > 0 has no equivalent in sentir")
            recurrent.setdefault(module, {}).setdefault(int(layer), {})[kind] = state[name].astype(np.float32)
    if len(recurrent) != 1:
        raise Refusal(f"the state_dict has {len(recurrent)} recurrent modules ({sorted(recurrent) or 'no weight_ih_l0'}): sentir imports one nn.LSTM or nn.GRU")
    (module, by_layer), = recurrent.items()
    prefix = f"{module}." if module else ""
    layers = [by_layer[i] for i in range(len(by_layer))]
    hidden = layers[0]["weight_hh"].shape[1]
    gates = layers[0]["weight_hh"].shape[0] // hidden
    if gates not in (3, 4) or any(l["weight_hh"].shape != (gates * hidden, hidden) for l in layers):
        raise Refusal(f"{prefix}weight_hh_l0 is {layers[0]['weight_hh'].shape}: neither an LSTM's [4H, H] nor a GRU's [3H, H]")
    cell = "lstm" if gates == 4 else "gru"
    for l, tensors in enumerate(layers):
        for kind in ("bias_ih", "bias_hh"):
            tensors.setdefault(kind, np.zeros(gates * hidden, np.float32))  # bias=False
        if cell == "lstm":
            tensors["bias"] = tensors.pop("bias_ih") + tensors.pop("bias_hh")

    rest = {n: v for n, v in state.items() if not n.startswith(prefix) or not re.search(r"_l\d+$", n)}
    inputs = layers[0]["weight_ih"].shape[1]
    # An nn.Embedding [V, E] and an nn.Linear [K, H]: the matrix of fewer rows is the head (K labels, V tokens).
    matrices = sorted((n for n, v in rest.items() if n.endswith("weight") and v.ndim == 2), key=lambda n: rest[n].shape[0])
    if len(matrices) != 2 or rest[matrices[0]].shape[1] != hidden or rest[matrices[1]].shape[1] != inputs:
        raise Refusal(f"the state_dict's other tensors {sorted(rest)} are not one nn.Embedding [V, {inputs}] and one nn.Linear [K, {hidden}]")
    heads, embeddings = matrices[:1], matrices[1:]
    head_weight = rest[heads[0]].astype(np.float32)
    bias_name = heads[0][: -len("weight")] + "bias"
    head_bias = rest.get(bias_name, np.zeros(head_weight.shape[0], np.float32)).astype(np.float32)
    unused = set(rest) - {embeddings[0], heads[0], bias_name}
    if unused:
        raise Refusal(f"the state_dict has tensors no layer of sentir's would use: {sorted(unused)}")
    if head_weight.shape[0] == 1:
        head_weight, head_bias = sigmoid_head(head_weight[0], head_bias)
        labels = ["negative", "positive"]
    else:
        labels = default_labels(head_weight.shape[0])
    return Source(kind="PyTorch", cell=cell, reset_gate="after" if cell == "gru" else None,
                  embedding=rest[embeddings[0]].astype(np.float32), layers=layers, head_weight=head_weight,
                  head_bias=head_bias, labels=labels,
                  torch_names={"embedding": embeddings[0], "recurrent": prefix, "head": heads[0], "head_bias": bias_name})
