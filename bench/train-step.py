#!/usr/bin/env python3
"""Training cost of the shipped LSTM and its GRU twin, side by side in one run: scripts/train.py's `Net` at each
model's sizes, one optimiser step (forward, loss on every prefix, backward, Adam) on the same random batches of
padded token ids, alternating between the two so that the machine's load falls on both alike.

    .venv/bin/python bench/train-step.py [--steps 20] [--batch 64] [--tokens 200]

Prints each cell's median seconds per step and the GRU's ÷ the LSTM's. (The whole runs' times are in the models'
cards, but the machine was shared with other jobs while they ran.)
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from train import Net  # noqa: E402

VOCAB, EMBEDDING, LABELS = 16863, 50, 3
CELLS = {"LSTM, 128 units (sentir-en-posts)": ("lstm", 128), "GRU, 148 units (sentir-en-posts-gru)": ("gru", 148)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--tokens", type=int, default=200)
    args = parser.parse_args()
    torch.manual_seed(1)
    nets = {name: Net(VOCAB, EMBEDDING, hidden, 1, LABELS, cell) for name, (cell, hidden) in CELLS.items()}
    optimisers = {name: torch.optim.Adam(net.parameters(), lr=5e-3) for name, net in nets.items()}
    times = {name: [] for name in nets}
    for step in range(args.steps + 2):
        ids = torch.randint(1, VOCAB, (args.batch, args.tokens))
        lengths = torch.randint(args.tokens // 4, args.tokens + 1, (args.batch,))
        labels = torch.randint(0, LABELS, (args.batch,))
        for name, net in nets.items():
            started = time.perf_counter()
            logits = net(ids, lengths, dropout=0.3)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, LABELS), labels.repeat_interleave(args.tokens))
            optimisers[name].zero_grad()
            loss.backward()
            optimisers[name].step()
            if step >= 2:  # the first two warm up
                times[name].append(time.perf_counter() - started)
    lstm, gru = (statistics.median(t) for t in times.values())
    print(f"{args.steps} steps of {args.batch} texts × {args.tokens} tokens, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    for name, t in times.items():
        print(f"  {name}: {statistics.median(t) * 1e3:.0f} ms per step (median)")
    print(f"  GRU ÷ LSTM: {gru / lstm:.2f}×")


if __name__ == "__main__":
    main()
