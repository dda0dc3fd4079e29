#!/usr/bin/env python3
"""Fits the polynomial p(f) ≈ 2^f on [-1/2, 1/2] that crate/src/recurrent/activation.rs (POLY) and
crate/src/gpu/activation.wgsl use, and prints its coefficients as f32 with its largest relative error.

    .venv/bin/python scripts/fit-exp2.py      (needs numpy: bench/requirements.txt's venv has it)

p(f) = 1 + c1 f + c2 f^2 + ... + c5 f^5, with the constant term fixed at exactly 1 (so 2^0 is exactly 1 and
σ(0) exactly 1/2, which keeps the kernel's padded units at zero), fitted by least squares on Chebyshev nodes,
reweighted towards the smallest largest relative error (Lawson's iteration). The error is then measured in f32,
evaluated in the kernel's order (Estrin's scheme), over 2^20 + 1 points.
"""
import numpy as np

DEGREE = 5
nodes = 0.5 * np.cos(np.pi * (np.arange(4000) + 0.5) / 4000)
target = 2.0**nodes
# Rows: f^k / 2^f for k = 1..DEGREE; the fit makes 1 + Σ c_k f^k ≈ 2^f in relative terms.
basis = np.vstack([nodes**k for k in range(1, DEGREE + 1)]).T / target[:, None]
rhs = 1.0 - 1.0 / target
weights = np.ones_like(nodes)
for _ in range(200):
    coefficients, *_ = np.linalg.lstsq(basis * np.sqrt(weights)[:, None], rhs * np.sqrt(weights), rcond=None)
    error = np.abs(basis @ coefficients - rhs)
    weights *= error / error.sum()
    weights /= weights.sum()

c = np.concatenate([[1.0], coefficients]).astype(np.float32)
f = np.linspace(-0.5, 0.5, (1 << 20) + 1).astype(np.float32)
f2 = f * f
low = (c[0] + f * c[1]) + f2 * (c[2] + f * c[3])
p = low + (f2 * f2) * (c[4] + f * c[5])
exact = 2.0 ** f.astype(np.float64)
coefficients64 = c.astype(np.float64)
ideal = sum(coefficients64[k] * f.astype(np.float64) ** k for k in range(DEGREE + 1))
print("POLY:", ", ".join(np.format_float_positional(x, unique=True) for x in c))
print(f"largest relative error: {np.abs(ideal / exact - 1).max():.3g} in exact arithmetic, "
      f"{np.abs(p.astype(np.float64) / exact - 1).max():.3g} evaluated in f32")
