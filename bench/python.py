#!/usr/bin/env python3
"""The Python package's rates, side by side in one run: analyze_many on every core against one thread,
analyze_columns against the CLI on the same texts, a Dask LocalCluster of two worker processes against one, and
each worker's memory over 100,000 texts. Writes bench/results/python.md.

    scripts/bench-python [--texts 100000]

(scripts/bench-python builds the wheel and the release CLI, installs the wheel with python/requirements-test.txt
into target/bench-python-venv, and runs this.)
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sentir

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python" / "tests"))
from test_sentir import posts  # noqa: E402  the tests' texts: the behavioural suite's posts, with endings


def best_rate(count, run, rounds):
    """Texts per second of `run()` over `count` texts, the best of `rounds` runs (the machine is shared)."""
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        best = max(best, count / (time.perf_counter() - started))
    return best


def on_one_core(run):
    """`run` with this thread, and the threads it starts, on one CPU: what "one core" means, since even
    `threads=1` has the calling thread build Python objects beside the analysing one."""
    def pinned():
        everything = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(everything)})
        try:
            run()
        finally:
            os.sched_setaffinity(0, everything)
    return pinned


def cli_rate(texts, rounds):
    cli = ROOT / "target" / "release" / "sentir"
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as file:
        file.write("\n".join(texts) + "\n")
    try:
        return best_rate(len(texts), lambda: subprocess.run(
            [str(cli), "analyze", "--backend", "cpu-simd", "--input", file.name], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, check=True), rounds)
    finally:
        os.unlink(file.name)


def worker_rss():
    import psutil

    return psutil.Process().memory_info().rss


def score_partition(frame):
    columns = sentir.load_cached(None, "cpu").analyze_columns(frame["text"], threads=1)
    return frame.assign(label=columns["label"], score=columns["score"])


def cluster_run(texts, workers, rounds, memory_rounds=0):
    """Texts per second on a LocalCluster of `workers` processes (one thread each, TCP), the best of `rounds`
    runs; with `memory_rounds`, also each worker's RSS (MiB) after each of that many runs."""
    import dask.dataframe as dd
    import pandas as pd
    from dask.distributed import Client, LocalCluster

    frame = pd.DataFrame({"text": texts})
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, protocol="tcp",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        meta = frame.iloc[:0].assign(label=pd.Series(dtype=object), score=pd.Series(dtype="float32"))

        def run():
            parts = dd.from_pandas(frame, npartitions=8 * workers)
            parts.map_partitions(score_partition, meta=meta).compute()

        client.run(lambda: sentir.load_cached(None, "cpu").model_name)  # the model loads before the clock starts
        rate = best_rate(len(texts), run, rounds)
        memory = []
        for _ in range(memory_rounds):
            run()
            memory.append(sorted(v / 2**20 for v in client.run(worker_rss).values()))
    return rate, memory


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    cores = os.cpu_count()
    texts = posts(args.texts)
    small = texts[: args.texts // 5]
    analyzer = sentir.Analyzer.load(backend="cpu")

    rates = {}
    rates["analyze_many, one core"] = best_rate(len(small), on_one_core(lambda: analyzer.analyze_many(small, threads=1)), args.rounds)
    rates[f"analyze_many, {cores} threads"] = best_rate(len(small), lambda: analyzer.analyze_many(small), args.rounds)
    rates["analyze_columns, one core"] = best_rate(len(texts), on_one_core(lambda: analyzer.analyze_columns(texts, threads=1)), args.rounds)
    rates[f"analyze_columns, {cores} threads"] = best_rate(len(texts), lambda: analyzer.analyze_columns(texts), args.rounds)
    rates[f"CLI analyze --input, {cores} threads"] = cli_rate(texts, args.rounds)
    rates["Dask, 1 worker process"], _ = cluster_run(texts, 1, args.rounds)
    rates["Dask, 2 worker processes"], memory = cluster_run(texts, 2, args.rounds, memory_rounds=4)

    many = rates[f"analyze_many, {cores} threads"] / rates["analyze_many, one core"]
    columns_vs_cli = rates[f"CLI analyze --input, {cores} threads"] / rates[f"analyze_columns, {cores} threads"]
    cluster = rates["Dask, 2 worker processes"] / rates["Dask, 1 worker process"]
    lines = [
        "# The Python package's rates",
        "",
        f"{date.today()}, {platform.machine()}, {cores} cores, Python {platform.python_version()}, sentir "
        f"{sentir.__version__}, model {analyzer.model_name}; {len(texts):,} posts (the behavioural suite's, with "
        f"endings; analyze_many on the first {len(small):,}); the best of {args.rounds} runs each. "
        "`scripts/bench-python`.",
        "",
        "| what | texts/s |",
        "|---|---:|",
        *[f"| {name} | {rate:,.0f} |" for name, rate in rates.items()],
        "",
        f"- analyze_many on {cores} cores ÷ one: **{many:.2f}×** (target ≥ 1.7)",
        f"- analyze_columns on {cores} cores ÷ one: **{rates[f'analyze_columns, {cores} threads'] / rates['analyze_columns, one core']:.2f}×**",
        f"- the CLI's rate ÷ analyze_columns' on the same texts: **{columns_vs_cli:.2f}×** (target ≤ 1.3)",
        f"- Dask, two worker processes ÷ one: **{cluster:.2f}×** (target ≥ 1.5)",
        f"- each Dask worker's RSS (MiB) after each of 4 passes over the {len(texts):,} texts: "
        + "; ".join(", ".join(f"{m:.0f}" for m in pass_) for pass_ in memory),
        "",
    ]
    out = ROOT / "bench" / "results" / "python.md"
    out.write_text("\n".join(lines))
    (ROOT / "bench" / "results" / "python.json").write_text(json.dumps({"rates": rates, "memory_mib": memory}, indent=1) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
