"""Strategies for deep ReLU networks (Wang, Ergen, Pilanci 2023, Section 4); the two-layer convex program's
strategies (Pilanci & Ergen 2020) are in ``strategies/pilanci2020.py``.

Everything is planted, nothing filtered:

* ``rank_one_instances``      ``X = c a^T`` with targets built inside span{c_+, c_-} by construction, the label-sign
                              case chosen explicitly (one sign, one vertex only, c of one sign, or mixed signs).
* ``general_l3_instances``    small generic data (N <= 4, d in {2, 3}) for the exact three-layer dual.
* ``parallel_nets``           random parallel ReLU nets with unbalanced layer scales (rescaling identities).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from landscape.wang2023.relu import ParallelNet, RankOneData

# --------------------------------------------------------------------------------------------------------------
# rank-one data
# --------------------------------------------------------------------------------------------------------------
LABEL_CASES = ("same sign", "one vertex", "c of one sign", "mixed sign")


@dataclass(frozen=True)
class RankOneInstance:
    data: RankOneData
    case: str
    t: float
    L: int
    seed: int

    def summary(self) -> str:
        return f"{self.data.summary()} case={self.case} t={self.t:.4g} L={self.L} seed={self.seed}"


@st.composite
def rank_one_instances(
    draw, cases=("same sign", "one vertex", "c of one sign"), K: int = 1, depths=(3,), max_N: int = 6, max_d: int = 3
):
    """Rank-one data with targets in span{c_+, c_-} and the label case planted.

    ``same sign``: g_1, g_2 non-zero of one sign (K = 1); ``one vertex``: one of them zero; ``c of one sign``: c >= 0
    (c_- = 0), targets along c; ``mixed sign``: g_1 g_2 < 0.  For K > 1 the rows g_1, g_2 are Gaussian vectors
    (the sign cases are a scalar-output notion) unless the case removes one of them.
    """
    case = draw(st.sampled_from(cases), label="label case")
    N = draw(st.integers(2, max_N), label="N")
    d = draw(st.integers(1, max_d), label="d")
    L = draw(st.sampled_from(depths), label="L")
    t = 10 ** draw(st.floats(-0.5, 0.5), label="log10 t")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    mags = 10 ** rng.uniform(-0.5, 0.5, N)
    signs = rng.choice([-1.0, 1.0], N)
    if case == "c of one sign":
        signs[:] = 1.0
    else:
        signs[0], signs[1] = 1.0, -1.0  # both signs present
    c = signs * mags
    if N >= 4 and rng.uniform() < 0.3:
        c[-1] = 0.0  # a sample on the origin: its target must be 0
    a = rng.standard_normal(d)
    a *= 10 ** rng.uniform(-0.5, 0.5) / np.linalg.norm(a)
    if K == 1:
        m1, m2 = 10 ** rng.uniform(-0.5, 0.5, 2)
        s = rng.choice([-1.0, 1.0])
        if case == "same sign":
            g1, g2 = s * m1, s * m2
        elif case == "one vertex":
            g1, g2 = (s * m1, 0.0) if rng.uniform() < 0.5 else (0.0, s * m2)
        elif case == "c of one sign":
            g1, g2 = s * m1, 0.0
        else:
            g1, g2 = s * m1, -s * m2
        g1, g2 = np.array([g1]), np.array([g2])
    else:
        g1, g2 = rng.standard_normal(K), rng.standard_normal(K)
        if case in ("one vertex", "c of one sign"):
            g2 = np.zeros(K)
    if case == "c of one sign":
        g2 = np.zeros(K)
    cp_, cm = np.maximum(c, 0.0), np.maximum(-c, 0.0)
    Y = np.outer(cp_, g1) + np.outer(cm, g2)
    return RankOneInstance(RankOneData(c, a, Y), case, t, L, seed)


# --------------------------------------------------------------------------------------------------------------
# general small data for the exact three-layer dual
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GeneralInstance:
    X: np.ndarray
    y: np.ndarray
    seed: int

    def summary(self) -> str:
        return f"general N={self.X.shape[0]} d={self.X.shape[1]} ||y||={np.linalg.norm(self.y):.4g} seed={self.seed}"


# Smallest angle between two sample directions of ``general_l3_instances``.  Nearly parallel samples need huge
# weights to be told apart (dual values ~1e3 times the labels were seen at angles ~1e-3), which costs the conic
# solvers their relative accuracy; 0.3 rad keeps the instances well conditioned.  Not an assumption of the theorems.
MIN_ANGLE = 0.3
# Unit directions of a regular tetrahedron: pairwise angles 1.91 rad; a Gaussian jitter of ~0.05 rad per direction
# keeps them far more than MIN_ANGLE apart.
TETRAHEDRON = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]]) / np.sqrt(3.0)


def _separated_directions(rng: np.random.Generator, N: int, d: int) -> np.ndarray:
    """N unit vectors in R^d (d in {2, 3}, N <= 4) with pairwise angles >= MIN_ANGLE, by construction."""
    if d == 2:
        gaps = MIN_ANGLE + (2 * np.pi - MIN_ANGLE * N) * rng.dirichlet(np.ones(N))
        ang = rng.uniform(0, 2 * np.pi) + np.concatenate([[0.0], np.cumsum(gaps[:-1])])
        return np.column_stack([np.cos(ang), np.sin(ang)])
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    U = TETRAHEDRON[rng.permutation(4)[:N]] @ q.T
    U = U + 0.05 * rng.standard_normal(U.shape) / np.sqrt(3)
    return U / np.linalg.norm(U, axis=1, keepdims=True)


@st.composite
def general_l3_instances(draw, max_N: int = 4, dims=(2, 3)):
    """Data in general position with sample directions at least MIN_ANGLE apart (so every label vector is
    interpolable, with well-conditioned weights), norms in [0.5, 2], Gaussian labels."""
    N = draw(st.integers(2, min(max_N, 4)), label="N")
    d = draw(st.sampled_from(dims), label="d")
    scale = 10 ** draw(st.floats(-0.5, 0.5), label="log10 label scale")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    X = _separated_directions(rng, N, d) * rng.uniform(0.5, 2.0, (N, 1))
    return GeneralInstance(X, scale * rng.standard_normal(N), seed)


# --------------------------------------------------------------------------------------------------------------
# random parallel nets
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParallelNetInstance:
    net: ParallelNet
    X: np.ndarray
    beta: float
    seed: int

    def summary(self) -> str:
        return (
            f"parallel net L={self.net.L} m={self.net.m} K={self.net.WL.shape[1]} N={self.X.shape[0]} "
            f"d={self.X.shape[1]} beta={self.beta:.4g} seed={self.seed}"
        )


@st.composite
def parallel_nets(draw):
    L = draw(st.integers(2, 5), label="L")
    m = draw(st.integers(1, 4), label="branches")
    width = draw(st.integers(1, 3), label="width")
    d = draw(st.integers(1, 3), label="d")
    K = draw(st.integers(1, 2), label="K")
    N = draw(st.integers(1, 5), label="N")
    beta = 10 ** draw(st.floats(-2, 1), label="log10 beta")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    shapes = [(d, width)] + [(width, width)] * (L - 3) + [(width,)] if L >= 3 else [(d,)]
    branches = [[10 ** rng.uniform(-1, 1) * rng.standard_normal(s) for s in shapes] for _ in range(m)]
    WL = 10 ** rng.uniform(-1, 1) * rng.standard_normal((m, K))
    return ParallelNetInstance(ParallelNet(tuple(branches), WL), rng.standard_normal((N, d)), beta, seed)
