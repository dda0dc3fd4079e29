"""The recurrent cells' equations (crate/src/recurrent/mod.rs) in numpy float64: the one reference that the golden
generators (make-tiny-model.py, make-gru-golden.py) and the importer's self-check (importer/folder.py) run.

`w` maps format v1's tensor names to float64 arrays; a layer's tensors are `{cell}.{layer}.weight_ih`, ... (an
LSTM's one `bias`, a GRU's `bias_ih` and `bias_hh`, PyTorch's)."""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_step(w, prefix, x, h, c):
    """One LSTM step: (h, c) after input `x` from state (h, c); the gates stacked i, f, g, o."""
    z = w[prefix + "weight_ih"] @ x + w[prefix + "weight_hh"] @ h + w[prefix + "bias"]
    i, f, g, o = np.split(z, 4)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def gru_step(w, prefix, x, h, reset):
    """One GRU step: h after input `x` from state `h`, the gates stacked r, z, n; `reset` "after" (r scales the
    candidate's recurrent sum, PyTorch's and Keras's default) or "before" (r scales h before the product)."""
    hidden = h.shape[0]
    a_r, a_z, a_n = np.split(w[prefix + "weight_ih"] @ x + w[prefix + "bias_ih"], 3)
    u_r, u_z, u_n = np.split(w[prefix + "weight_hh"] @ h + w[prefix + "bias_hh"], 3)
    r, z = sigmoid(a_r + u_r), sigmoid(a_z + u_z)
    if reset == "after":
        n = np.tanh(a_n + r * u_n)
    else:
        n = np.tanh(a_n + w[prefix + "weight_hh"][2 * hidden:] @ (r * h) + w[prefix + "bias_hh"][2 * hidden:])
    return (1 - z) * n + z * h


def layers(w, cell, num_layers, hidden, ids, reset="after"):
    """Every layer's hidden states over the tokens `ids` (a list per layer of one vector per step), and an LSTM's
    cell states (empty lists for a GRU)."""
    inputs = [w["embedding.weight"][i] for i in ids]
    hiddens, cells = [], []
    for layer in range(num_layers):
        prefix = f"{cell}.{layer}."
        h, c = np.zeros(hidden), np.zeros(hidden)
        hs, cs = [], []
        for x in inputs:
            if cell == "lstm":
                h, c = lstm_step(w, prefix, x, h, c)
                cs.append(c)
            else:
                h = gru_step(w, prefix, x, h, reset)
            hs.append(h)
        hiddens.append(hs)
        cells.append(cs)
        inputs = hs
    return hiddens, cells


def prefix_logits(w, top, hidden):
    """The head's logits of every prefix, the empty one first (h = 0), from the top layer's states `top`."""
    return [w["head.weight"] @ h + w["head.bias"] for h in [np.zeros(hidden), *top]]


def random_weights(rng, cell, vocab_size, embedding, hidden, layers, labels, scales):
    """Format v1's tensors of a random model (float32) for the golden vectors: the embedding (scale 1), each layer's
    tensors in the order of `scales` ({"weight_ih": 0.6, ...}: each drawn at its scale), then the head."""

    def normal(*shape, scale):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    rows = (4 if cell == "lstm" else 3) * hidden
    tensors = {"embedding.weight": normal(vocab_size, embedding, scale=1.0)}
    for layer in range(layers):
        columns = {"weight_ih": embedding if layer == 0 else hidden, "weight_hh": hidden}
        for part, scale in scales.items():
            shape = (rows, columns[part]) if part in columns else (rows,)
            tensors[f"{cell}.{layer}.{part}"] = normal(*shape, scale=scale)
    tensors["head.weight"] = normal(labels, hidden, scale=1.5)
    tensors["head.bias"] = normal(labels, scale=0.2)
    return tensors
