#!/usr/bin/env python3
"""The native SIMD kernel on one core, at every width this machine runs, beside ONNX Runtime's CPU execution of
the same weights on the same token ids, in one run. Writes bench/results/native.md.

    scripts/bench-native [--model models/default] [--batch 256] [--rounds 5]

(scripts/bench-native builds the example `native` of sentir-tests, the data splits, and .venv with PyTorch, the
ONNX exporter and onnxruntime; it exports the model with bench/export-onnx.py, then runs this.)

Everything runs pinned to one core (the first this process may use), each round every row once. sentir:
tests/examples/native.rs, the forward pass an analysis makes (every prefix's logits, and the states) over the
tweets' test split in batches of `--batch` posts, as they come. ONNX Runtime (one intra-op and one inter-op thread, sequential execution, every
graph optimisation): the model as `bench/export-onnx.py` exports it (token ids in, every step's logits out), the
same batches padded to their longest post, and again with the posts sorted by length first, so that a batch pads
little: the kindest batching for it. The best of `--rounds` passes counts for each; the machine is shared.
"""

import argparse
import json
import os
import platform
import subprocess
import time
from datetime import date
from pathlib import Path

import numpy as np
import onnxruntime

ROOT = Path(__file__).resolve().parent.parent


def ort_session(onnx):
    """ONNX Runtime on one thread: one intra-op and one inter-op thread, sequential, every graph optimisation."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(str(onnx), options, providers=["CPUExecutionProvider"])


def padded_batches(ids, batch, sort):
    """`ids` in batches of `batch`, each padded with zeros to its longest post; sorted by length first if `sort`."""
    order = sorted(ids, key=len) if sort else ids
    batches = []
    for start in range(0, len(order), batch):
        posts = order[start:start + batch]
        padded = np.zeros((len(posts), max(map(len, posts))), dtype=np.int64)
        for row, post in enumerate(posts):
            padded[row, :len(post)] = post
        batches.append(padded)
    return batches


def ort_seconds(session, batches):
    """Seconds of one pass of `session` over `batches`."""
    started = time.perf_counter()
    for padded in batches:
        session.run(None, {"ids": padded})
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="models/default")
    parser.add_argument("--onnx", type=Path, help="the model exported by bench/export-onnx.py")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "native.md")
    args = parser.parse_args()
    model = (ROOT / args.model).resolve()
    onnx = args.onnx or ROOT / "bench" / "build" / f"{model.name}.onnx"

    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})  # this process and the example it starts
    ids_path = ROOT / "bench" / "build" / "native-ids.json"
    ids_path.parent.mkdir(parents=True, exist_ok=True)
    example = ROOT / "target" / "release" / "examples" / "native"

    def sentir_pass():
        run = subprocess.run([str(example), "--model", str(model), "--batch", str(args.batch), "--rounds", "1",
                              "--ids", str(ids_path)], cwd=ROOT, check=True, capture_output=True, text=True)
        return run.stdout, json.loads(run.stdout.strip().splitlines()[-1])

    # Each round runs every row once, so that a change in the machine's load falls on all of them alike.
    first, sentir = sentir_pass()
    print(first, end="")
    ids = json.loads(ids_path.read_text())
    session = ort_session(onnx)
    ort = {"ONNX Runtime, CPU, batches as they come": padded_batches(ids, args.batch, sort=False),
           "ONNX Runtime, CPU, batches sorted by length": padded_batches(ids, args.batch, sort=True)}
    for batches in ort.values():
        ort_seconds(session, batches)  # warms up
    best_ort = {name: float("inf") for name in ort}
    for _ in range(args.rounds):
        _, round_ = sentir_pass()
        for best, now in zip(sentir["rates"], round_["rates"]):
            best["posts_per_s"] = max(best["posts_per_s"], now["posts_per_s"])
        for name, batches in ort.items():
            best_ort[name] = min(best_ort[name], ort_seconds(session, batches))
    ort = [(name, len(ids) / seconds) for name, seconds in best_ort.items()]

    four = sentir["rates"][0]["posts_per_s"]
    widest = sentir["rates"][-1]
    rows = [(f"sentir, {r['kernel']}, {r['lanes']} lanes", r["posts_per_s"]) for r in sentir["rates"]] + ort
    lines = [
        "# The native kernel on one core, beside ONNX Runtime",
        "",
        f"{date.today()}, {platform.machine()}, {os.cpu_count()} cores (one used: core {core}), "
        f"onnxruntime {onnxruntime.__version__}; model {args.model} ({model.name}); {sentir['posts']:,} posts of "
        f"the tweets' test split ({sentir['tokens']:,} tokens), batches of {args.batch}; the best of {args.rounds} "
        f"rounds, each round running every row once. `scripts/bench-native`.",
        "",
        "| what | posts/s | ÷ sentir 4 lanes |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {rate:,.0f} | {rate / four:.2f}x |" for name, rate in rows]
    best_ort = max(rate for _, rate in ort)
    lines += [
        "",
        f"- sentir's widest path ({widest['kernel']}) ÷ its 4-lane path, the same binary: "
        f"**{widest['posts_per_s'] / four:.2f}x** (target ≥ 1.8)",
        f"- sentir's widest path ÷ ONNX Runtime's better batching: **{widest['posts_per_s'] / best_ort:.2f}x** "
        f"(target ≥ 1.5)",
    ]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
