"""Imports a Keras or PyTorch sentiment model into a sentir model folder. Run it through scripts/import-model,
which sets up what it needs:

    scripts/import-model SRC --out DIR [--vocab FILE] [--labels A,B,...] [--name NAME] [--no-check]

SRC is a Keras model (`.keras`, Keras 3; `.h5`, Keras 2 or Keras 3's legacy format): [TextVectorization],
Embedding, LSTM or GRU layers, Dense; or a PyTorch state_dict (`.pt`, `torch.save(model.state_dict(), path)`) of
nn.Embedding, nn.LSTM or nn.GRU, and nn.Linear. The vocabulary comes from the model's TextVectorization layer or
from --vocab (one token per line, line i being id i, as `"\\n".join(layer.get_vocabulary())` writes it).
The tokenizer standardises and splits as Keras's TextVectorization does by default (lower-case ASCII letters,
strip ASCII punctuation, split on whitespace), or as the model's layer says.

Unless --no-check, the source model is run in its framework on a few texts and compared with the import (sentir's
CLI when one is built in target/, else its equations in numpy): the probabilities must agree to 1e-5.
"""

import argparse
import sys
from pathlib import Path

from .check import self_check
from .folder import write_folder
from .keras_source import read_keras
from .source import Refusal
from .torch_source import read_torch
from .vocabulary import STANDARDIZE, UNKNOWN, build_tokenizer, read_vocabulary


def main():
    parser = argparse.ArgumentParser(prog="scripts/import-model", description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a .keras, .h5 or .pt file")
    parser.add_argument("--out", type=Path, required=True, help="the sentir model folder to write")
    parser.add_argument("--vocab", type=Path, help="the vocabulary, one token per line in id order")
    parser.add_argument("--labels", help="the head's labels in order, comma-separated (default negative,positive "
                        "for two outputs or one sigmoid unit, negative,neutral,positive for three)")
    parser.add_argument("--name", help="the model's name (default: the source file's stem)")
    parser.add_argument("--unk", default=UNKNOWN, help=f"the vocabulary's out-of-vocabulary token (default {UNKNOWN})")
    parser.add_argument("--standardize", choices=[s for s in STANDARDIZE if s], help="how a PyTorch model's texts "
                        "were standardised (default lower_and_strip_punctuation, Keras's); a Keras model's layer says")
    parser.add_argument("--max-length", type=int, default=512, help="the most tokens a text may have (default 512)")
    parser.add_argument("--no-check", action="store_true", help="skip running the source model in its framework")
    args = parser.parse_args()

    try:
        line = run(args)
    except Refusal as refusal:
        sys.exit(f"error: cannot import {args.source}: {refusal}")
    print(line)


def run(args):
    if not args.source.is_file():
        raise Refusal("no such file")
    if args.out.exists() and not args.out.is_dir():
        raise Refusal(f"--out {args.out} is a file: name a folder")
    if args.max_length < 1:
        raise Refusal(f"--max-length {args.max_length}: a model takes at least one token")
    if not args.unk:
        raise Refusal("--unk: name the vocabulary's out-of-vocabulary token")
    suffix = args.source.suffix.lower()
    if suffix in (".keras", ".h5", ".hdf5"):
        source = read_keras(args.source)
    elif suffix in (".pt", ".pth", ".bin"):
        source = read_torch(args.source)
    else:
        raise Refusal(f"unknown extension {suffix!r}: a Keras model is .keras or .h5, a PyTorch state_dict .pt")
    if args.standardize:
        if source.text_vectorization:
            raise Refusal("--standardize: the model's TextVectorization layer says how it standardises")
        source.standardize = args.standardize
    if args.vocab:
        if source.vocabulary is not None:
            raise Refusal("--vocab: the model's TextVectorization layer has its own vocabulary")
        source.vocabulary = read_vocabulary(args.vocab)
    if source.vocabulary is None:
        raise Refusal(f"the {source.kind} model holds no vocabulary: pass --vocab FILE, one token per line in id order")
    if args.labels:
        labels = [label.strip() for label in args.labels.split(",")]
        if len(labels) != len(source.head_bias):
            raise Refusal(f"--labels names {len(labels)} labels but the head has {len(source.head_bias)} outputs")
        source.labels = labels
    elif source.labels is None:
        raise Refusal(f"the head has {len(source.head_bias)} outputs: name them in order with --labels")
    if "" in source.labels or len(set(source.labels)) != len(source.labels):
        raise Refusal(f"--labels {','.join(source.labels)}: every label needs a name of its own")

    tokenizer = build_tokenizer(source.vocabulary, source.standardize, source.split, args.unk)
    name = args.name or args.source.stem
    written = write_folder(source, tokenizer, args.out, name, args.max_length)
    layers = f"{len(source.layers)} {source.cell.upper()} layer{'s' if len(source.layers) > 1 else ''}"
    convention = f" (reset gate {source.reset_gate} the product)" if source.cell == "gru" else ""
    summary = (f"imported {args.source} ({source.kind}: {source.embedding.shape[0]} tokens, {layers}{convention} of "
               f"{source.hidden_size} units, labels {', '.join(source.labels)}) into {args.out}/")
    if args.no_check:
        return summary + "\nnot checked against the source's framework (--no-check)"
    try:
        return summary + "\nchecked: " + self_check(args.source, source, args.out)
    except BaseException:
        # A model that does not match its source is not left behind to be loaded by mistake.
        for path in written:
            path.unlink(missing_ok=True)
        raise


if __name__ == "__main__":
    main()
