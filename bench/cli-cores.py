"""The CLI on every core against one core, beside what this host gives two busy processes at the same moment.

    python3 bench/cli-cores.py [--posts 100000] [--rounds 3] [--cli target/release/sentir] [--cli OTHER ...]

Writes a CSV of `--posts` posts (the tweets' training split, repeated, each copy numbered so that no text repeats)
to bench/build/, then, in each round and for each CLI given (an A/B: the binary of another commit), times
`sentir analyze --input FILE` on one core (`taskset -c 0`, `--threads 1`: the CLI reads and prints on a thread
of its own, which would otherwise borrow a second core) and with one thread per core, and, as the yardstick, one
`--threads 1` process per core started together, each on its share of the posts: on a shared machine that steals
time, a ratio of cores is judged against what the same moment gives independent processes. Prints each round's
posts per second and the ratios, and the best of the rounds for each. Needs the data splits (scripts/lib.sh
ensure_data_splits) and the release CLI (cargo build --release --bin sentir).
"""

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "bench" / "build"


def posts_file(count):
    """A CSV of `count` posts from the tweets' training split, written once per count."""
    path = BUILD / f"cli-cores-{count}.csv"
    if path.exists():
        return path
    with open(ROOT / "data" / "tweets" / "train.tsv", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        column = header.index("text")
        texts = [line.rstrip("\n").split("\t")[column] for line in f]
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text"])
        for k in range(count):
            writer.writerow([f"{texts[k % len(texts)]} #{k // len(texts)}" if k >= len(texts) else texts[k]])
    return path


def split(path, parts):
    """`path`'s posts in `parts` files of about equal size (header repeated), for the independent processes."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    size = -(-len(rows) // parts)
    paths = []
    for k in range(parts):
        part = path.with_name(f"{path.stem}-part{k}of{parts}.csv")
        with open(part, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows[k * size:(k + 1) * size])
        paths.append(part)
    return paths


def run(commands):
    """Seconds for `commands` (argument lists) run together, each printing to /dev/null; fails on a non-zero exit."""
    started = time.perf_counter()
    processes = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for command in commands]
    for process, command in zip(processes, commands):
        _, stderr = process.communicate()
        if process.returncode != 0:
            sys.exit(f"{' '.join(map(str, command))}: exit {process.returncode}: {stderr.decode()[-2000:]}")
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cli", action="append", help="a sentir binary (repeat for an A/B)")
    args = parser.parse_args()
    clis = args.cli or [str(ROOT / "target" / "release" / "sentir")]
    cores = os.cpu_count() or 1
    path = posts_file(args.posts)
    parts = split(path, cores)
    best = {}
    print(f"{args.posts:,} posts, {cores} cores; posts per second (ratio to one core)")
    for round_ in range(args.rounds):
        for cli in clis:
            one = args.posts / run([["taskset", "-c", "0", cli, "analyze", "--input", path, "--threads", "1"]])
            every = args.posts / run([[cli, "analyze", "--input", path, "--threads", str(cores)]])
            apart = args.posts / run([[cli, "analyze", "--input", part, "--threads", "1"] for part in parts])
            print(f"round {round_ + 1} {cli}: one core {one:,.0f}; {cores} threads {every:,.0f} "
                  f"({every / one:.2f}x); {cores} processes {apart:,.0f} ({apart / one:.2f}x)", flush=True)
            best[cli] = tuple(max(pair) for pair in zip(best.get(cli, (0, 0, 0)), (one, every, apart)))
    for cli, (one, every, apart) in best.items():
        print(f"best of {args.rounds}, {cli}: one core {one:,.0f}; {cores} threads {every:,.0f} ({every / one:.2f}x); "
              f"{cores} independent processes {apart:,.0f} ({apart / one:.2f}x)")


if __name__ == "__main__":
    main()
