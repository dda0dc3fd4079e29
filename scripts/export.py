#!/usr/bin/env python3
"""Export a checkpoint from scripts/train.py to format v1, with PyTorch golden vectors for the parity test.

    scripts/export.py --name sentir-en-lstm

Writes models/<name>/{config.json, model.safetensors, tokenizer.json} and tests/golden/<name>.json: for held-out
texts (validation splits, never test) and a few hand-written non-ASCII ones, the ids, the logits of every prefix,
the probabilities and the per-token scores, computed by PyTorch's own nn.LSTM (or nn.GRU) in float64 from the exported weights
(float32, or float16 with `--dtype f16`). Conversion happens here, once: the fused bias is PyTorch's bias_ih + bias_hh, and the gate order
[i, f, g, o] is PyTorch's, so the weights are copied as they are.
"""

import argparse
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import save_file
from spans import widen

from train import DATA, LABELS, ROOT, Net, read_tsv

GOLDEN_EXTRA = [
    "The acting was not good, but the music was wonderful.",
    "Never had a better meal in my life! 😀",
    "Café crème was not bad at all — très bon.",
    "I don't like it, and I wasn't impressed 👎",
    "这部电影很好, but the subtitles were awful",
    "@united soooooo slow!!!!! #fail https://t.co/abc :( xD",
    "that exam 😫 but the weekend 😍👍🏽 🤦\u200d♀️ 🇫🇷 <3",
]


def export_tensors(state, layers, cell, dtype=np.float32):
    """models/README.md's tensors: an LSTM's biases fused, a GRU's kept apart (its reset gate scales one)."""
    tensors = {"embedding.weight": state["embedding.weight"]}
    for layer in range(layers):
        tensors[f"{cell}.{layer}.weight_ih"] = state[f"rnn.weight_ih_l{layer}"]
        tensors[f"{cell}.{layer}.weight_hh"] = state[f"rnn.weight_hh_l{layer}"]
        if cell == "lstm":
            tensors[f"lstm.{layer}.bias"] = state[f"rnn.bias_ih_l{layer}"] + state[f"rnn.bias_hh_l{layer}"]
        else:
            tensors[f"gru.{layer}.bias_ih"] = state[f"rnn.bias_ih_l{layer}"]
            tensors[f"gru.{layer}.bias_hh"] = state[f"rnn.bias_hh_l{layer}"]
    tensors["head.weight"] = state["head.weight"]
    tensors["head.bias"] = state["head.bias"]
    return {name: value.detach().float().numpy().astype(dtype) for name, value in tensors.items()}


def golden_case(net, tokenizer, text):
    encoding = tokenizer.encode(text, add_special_tokens=False)
    ids = torch.tensor([encoding.ids])
    labels = net.head.out_features
    with torch.no_grad():
        steps = (net(ids, torch.tensor([len(encoding.ids)]))[0] if encoding.ids
                 else torch.zeros(0, labels, dtype=torch.float64))
        empty = net.head(torch.zeros(1, net.rnn.hidden_size, dtype=torch.float64))
    logits = torch.cat([empty, steps]).numpy()
    log_p = logits - np.logaddexp.reduce(logits, axis=1)[:, None]
    # Per-token scores: the change in the positive-versus-negative log-odds.
    odds = logits[:, net.positive] - logits[:, net.negative]
    probabilities = np.exp(log_p)
    return {
        "text": text,
        "ids": encoding.ids,
        "logits": logits.tolist(),
        "probabilities": probabilities[-1].tolist(),
        "label": LABELS[labels][int(np.argmax(probabilities[-1]))],
        "running": probabilities[1:, net.positive].tolist(),
        "scores": np.diff(odds).tolist(),
    }


TOKENIZER_EXTRA = [
    "", "   ", "I don't like it; it wasn't good, and they're not coming. Can't, won't, shouldn't!",
    "Check https://example.com/a?b=1 and www.example.org now", "Café crème brûlée, naïve résumé, Zoë, Ångström",
    "😀😍👍👎😡 ❤️ 👨‍👩‍👧 🇫🇷 👍🏽", "这部电影很好 日本語のテキスト 한국어 텍스트", "Ελληνικά, русский текст, עברית, العربية",
    "ALL CAPS SHOUTING!!! and sooooo many letters", "tabs\tand\nnewlines\r\nand  double  spaces",
    "e\u0301 combining accent, \u200b zero width space, \u00a0 no-break space", "1,234.56 $99 50% #hashtag @user :) :( <3",
    "XD :D :-( :'( </3 ^_^ 10:30 at 9:3o a@b.com @@x @ x http://t.co/q?x=1)",
    "👍🏽👍🏿 🤦\u200d♀️ 🤦\u200d♀ 🇬🇧🇫🇷 👨\u200d👩\u200d👧\u200d👦 ❤️‍🔥 #️⃣ 1️⃣ ©️ ™ ☺ ✌🏻",
    "noooooo waaaaay!!!!!!!???? ......... yesssss AAAAAAH",
]


def tokenizer_texts():
    """50+ texts for the tokenizer parity test: held-out snippets, behaviour sentences, and odd Unicode."""
    texts = [t for t, _ in read_tsv(DATA / "rt" / "valid.tsv")[16:46]]
    if (DATA / "tweets" / "valid.tsv").exists():
        texts += [t for t, _ in read_tsv(DATA / "tweets" / "valid.tsv")[:30]]
    behaviour = (ROOT / "tests" / "behaviour" / "behaviour.tsv").read_text(encoding="utf-8").splitlines()[1:13]
    texts += [line.split("\t")[1] for line in behaviour]
    return texts + TOKENIZER_EXTRA


def tokenizer_case(tokenizer, text):
    """Python `tokenizers`' encoding, with the spans widened as sentir widens them (scripts/spans.py)."""
    encoding = tokenizer.encode(text, add_special_tokens=False)

    def utf8(i):
        return len(text[:i].encode("utf-8"))

    offsets = widen(text, encoding.tokens, encoding.offsets)
    return {
        "text": text,
        "ids": encoding.ids,
        "byte_offsets": [[utf8(a), utf8(b)] for a, b in offsets],
        "word_ids": encoding.word_ids,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="sentir-en-lstm")
    parser.add_argument("--max-length", type=int, default=16384)
    parser.add_argument("--out", type=Path, help="model folder (default models/<name>); with it, no golden vectors")
    parser.add_argument("--dtype", choices=["f32", "f16"], default="f32",
                        help="f16 halves the download; the golden vectors are computed from the rounded weights")
    args = parser.parse_args()
    run = DATA / "runs" / args.name
    log = json.loads((run / "log.json").read_text())
    hp = log["args"]

    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(run / "tokenizer.json"))
    vocab = tokenizer.get_vocab_size(with_added_tokens=True)
    labels = hp.get("labels", 2)
    cell = hp.get("cell", "lstm")
    net = Net(vocab, hp["embedding"], hp["hidden"], hp["layers"], labels, cell)
    # Checkpoints written before the recurrent layer was `rnn` call it `lstm`, for a GRU too.
    saved = torch.load(run / "model.pt", map_location="cpu")
    state = {re.sub(r"^lstm\.", "rnn.", key): value for key, value in saved.items()}
    net.load_state_dict(state)

    out = args.out or ROOT / "models" / args.name
    out.mkdir(parents=True, exist_ok=True)
    tensors = export_tensors(net.state_dict(), hp["layers"], cell, {"f32": np.float32, "f16": np.float16}[args.dtype])
    save_file(tensors, str(out / "model.safetensors"))
    shutil.copy(run / "tokenizer.json", out / "tokenizer.json")
    config = {
        "format_version": 1,
        "name": args.name,
        "vocab_size": vocab,
        "embedding_size": hp["embedding"],
        "hidden_size": hp["hidden"],
        "num_layers": hp["layers"],
        "direction": "forward",
        **({"cell": "gru", "reset_gate": "after"} if cell == "gru" else {}),
        "labels": LABELS[labels],
        "positive_label": "positive",
        **({"negative_label": "negative"} if labels > 2 else {}),
        "gate_order": ["i", "f", "g", "o"] if cell == "lstm" else ["r", "z", "n"],
        "max_length": args.max_length,
        "tokenizer": "tokenizer.json",
        "weights": "model.safetensors",
        "dtype": args.dtype,
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")

    # The reference: the exported float32 weights, loaded back and run in float64.
    reference = Net(vocab, hp["embedding"], hp["hidden"], hp["layers"], labels, cell).double()
    reloaded = {name: torch.from_numpy(value.astype(np.float64)) for name, value in tensors.items()}
    state = {"embedding.weight": reloaded["embedding.weight"], "head.weight": reloaded["head.weight"],
             "head.bias": reloaded["head.bias"]}
    for layer in range(hp["layers"]):
        state[f"rnn.weight_ih_l{layer}"] = reloaded[f"{cell}.{layer}.weight_ih"]
        state[f"rnn.weight_hh_l{layer}"] = reloaded[f"{cell}.{layer}.weight_hh"]
        if cell == "lstm":
            state[f"rnn.bias_ih_l{layer}"] = reloaded[f"lstm.{layer}.bias"]
            state[f"rnn.bias_hh_l{layer}"] = torch.zeros_like(reloaded[f"lstm.{layer}.bias"])
        else:
            state[f"rnn.bias_ih_l{layer}"] = reloaded[f"gru.{layer}.bias_ih"]
            state[f"rnn.bias_hh_l{layer}"] = reloaded[f"gru.{layer}.bias_hh"]
    reference.load_state_dict({k: v.double() for k, v in state.items()})
    reference.eval()

    if args.out:
        print(f"wrote {out}/")
        return
    held_out = [t for t, _ in read_tsv(DATA / "rt" / "valid.tsv")[:16]]
    held_out += [t for t, _ in sorted(read_tsv(DATA / "imdb" / "valid.tsv"), key=lambda r: len(r[0]))[:4]]
    if labels > 2:
        held_out += [t for t, _ in read_tsv(DATA / "tweets" / "valid.tsv")[:16]]
    cases = [golden_case(reference, tokenizer, text) for text in held_out + GOLDEN_EXTRA]
    # The reference is rebuilt from the exported tensors, so a mistake in export_tensors would be on both sides of
    # the Rust parity test: check it against the trained network, with its two biases, first.
    net.eval()
    for case in cases:
        trained = golden_case(net.double(), tokenizer, case["text"])
        error = np.abs(np.array(trained["logits"]) - np.array(case["logits"])).max()
        # f16 rounding moves logits by up to a few thousandths; a mistake in the export moves them by far more.
        tolerance = 1e-4 if args.dtype == "f32" else 5e-2
        assert error < tolerance, f"exported weights differ from the trained network by {error} on {case['text']!r}"
    golden = {"generator": "scripts/export.py", "model": args.name, "cases": cases}
    golden_path = ROOT / "tests" / "golden" / f"{args.name}.json"
    golden_path.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
    tokenizer_cases = [tokenizer_case(tokenizer, text) for text in tokenizer_texts()]
    tokenizer_path = ROOT / "tests" / "golden" / f"{args.name}-tokenizer.json"
    tokenizer_path.write_text(json.dumps({"generator": "scripts/export.py", "model": args.name, "cases": tokenizer_cases},
                                         indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {tokenizer_path.relative_to(ROOT)} ({len(tokenizer_cases)} texts)")
    size = sum((out / f).stat().st_size for f in ("model.safetensors", "tokenizer.json"))
    print(f"wrote {out.relative_to(ROOT)}/ ({size / 1e6:.2f} MB) and {golden_path.relative_to(ROOT)} ({len(cases)} texts)")


if __name__ == "__main__":
    main()
