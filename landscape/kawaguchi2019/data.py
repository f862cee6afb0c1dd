"""Data of the family: Gaussian, low-rank and duplicated-row inputs, the paper's synthetic teacher (a deep tanh
network) and scikit-learn's bundled 8x8 digits (the stand-in for the paper's down-sampled MNIST)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from landscape.core.validate import positive_int

KINDS = ("gaussian", "low-rank", "duplicated", "digits")


def inputs(kind: str, m: int, d_x: int, rng: np.random.Generator) -> np.ndarray:
    """An m x d_x input matrix of the given kind (digits: d_x is taken from the first PCA-free pixel columns
    with the largest variance, scaled to [0, 1])."""
    positive_int("m", m)
    positive_int("d_x", d_x)
    if kind == "gaussian":
        return rng.standard_normal((m, d_x))
    if kind == "low-rank":
        r = max(1, d_x // 2)
        return rng.standard_normal((m, r)) @ rng.standard_normal((r, d_x)) / np.sqrt(r)
    if kind == "duplicated":
        half = max(1, (m + 1) // 2)
        base = rng.standard_normal((half, d_x))
        return base[rng.integers(0, half, size=m)]
    if kind == "digits":
        X, _ = digits()
        cols = np.argsort(-X.var(axis=0))[:d_x]
        rows = rng.choice(X.shape[0], size=m, replace=False)
        return X[np.ix_(rows, cols)].copy()
    raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


@lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits: X (1797 x 64) with pixel values 0..16 divided by 16, and the centred label
    (a scalar target, d_y = 1)."""
    from sklearn.datasets import load_digits

    d = load_digits()
    X = d.data.astype(np.float64) / 16.0
    y = d.target.astype(np.float64)
    return X, (y - y.mean())[:, None]


def teacher(m: int, seed: int, d_x: int = 10, depth: int = 7, width: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """The paper's synthetic data: x ~ N(0, I_{d_x}), y = a ground-truth tanh network (``depth`` hidden layers of
    ``width`` units, no biases, weights N(0, 2/fan-in), scalar output)."""
    positive_int("m", m)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d_x))
    h = X
    dims = [d_x] + [width] * depth + [1]
    for l in range(depth):
        h = np.tanh(h @ (rng.standard_normal((dims[l], dims[l + 1])) * np.sqrt(2.0 / dims[l])))
    Y = h @ (rng.standard_normal((width, 1)) * np.sqrt(2.0 / width))
    return X, Y
