"""Strategies for the two-layer ReLU convex program (Pilanci & Ergen 2020).

Everything is planted, nothing filtered:

* ``two_layer_problems``         data with rank(X) <= 3 (exact arrangements): Gaussian rows, small-integer rows (exact
                                 degeneracies: repeated, parallel and anti-parallel rows, zero rows, several
                                 hyperplanes through one line), or rank-deficient Gaussian data in R^3; labels
                                 Gaussian or from a planted ReLU network; beta > 0 drawn log-uniformly.
* ``sampled_two_layer_problems`` larger d (4..6), for the sampled-arrangement route.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from landscape.pilanci2020.program import TwoLayerProblem

DATA_KINDS = ("gaussian", "integer", "rank-deficient", "planted-net")


@dataclass(frozen=True)
class TwoLayerInstance:
    problem: TwoLayerProblem
    kind: str
    seed: int
    count: int | None = None  # sampled arrangements: how many cells to draw

    def summary(self) -> str:
        extra = f" cells={self.count}" if self.count else ""
        return f"{self.problem.summary()} data={self.kind} seed={self.seed}{extra}"


def _integer_rows(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Rows with entries in {-2, ..., 2}; repeats, parallel pairs and zero rows are common; at least one non-zero
    row by construction."""
    X = rng.integers(-2, 3, size=(n, d)).astype(np.float64)
    if n >= 3:  # plant one scaled copy and one negated copy of the first row
        X[1] = 2.0 * X[0]
        X[2] = -X[0]
    if not np.any(X):
        X[0, rng.integers(d)] = 1.0
    return X


@st.composite
def two_layer_problems(draw, max_n: int = 12, dims=(3, 2, 3, 1)):
    d = draw(st.sampled_from(dims), label="d")
    n = draw(st.integers(2, max_n), label="n")
    kind = draw(
        st.sampled_from(DATA_KINDS if d == 3 else tuple(k for k in DATA_KINDS if k != "rank-deficient")),
        label="data kind",
    )
    beta = 10 ** draw(st.floats(-3, 0), label="log10 beta")
    scale = 10 ** draw(st.floats(-1, 1), label="log10 label scale")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    if kind == "integer":
        X = _integer_rows(rng, n, d)
    elif kind == "rank-deficient":
        X = rng.standard_normal((n, 2)) @ rng.standard_normal((2, d))
    else:
        X = rng.standard_normal((n, d))
    if kind == "planted-net":
        U = rng.standard_normal((d, 3))
        y = np.maximum(X @ U, 0.0) @ rng.standard_normal(3) + 0.1 * rng.standard_normal(n)
    else:
        y = rng.standard_normal(n)
    return TwoLayerInstance(TwoLayerProblem(X, scale * y, beta), kind, seed)


@st.composite
def sampled_two_layer_problems(draw):
    d = draw(st.integers(4, 6), label="d")
    n = draw(st.integers(8, 20), label="n")
    count = draw(st.sampled_from([16, 32, 64]), label="cells")
    beta = 10 ** draw(st.floats(-2, 0), label="log10 beta")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    return TwoLayerInstance(TwoLayerProblem(X, y, beta), "gaussian", seed, count)
