"""Strategies for Schatten-H regularized deep linear networks (Zhang et al. 2019, Thm 2 and eq. 6).

Structure is planted, not filtered: X is built from a drawn rank and condition number (rank-deficient whenever
the drawn rank is below min(d_0, n)), the projected targets ``Y~`` from drawn singular values (spread, ties)
inside Row(X), a component of Y outside Row(X) is added on top, and gamma is placed relative to the planted
smallest singular value of ``Y~``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from landscape.zhang2019.deep_linear import DeepLinearProblem, balanced_factorization

# gamma is kept this far (relatively) below sigma_min(Y~) on the "below" side: the computed singular values of
# the assembled Y~ differ from the planted ones by ~1e-14 relative, so 1e-6 keeps the side of the threshold
# unambiguous without leaving the assumption's range in any meaningful way.
THRESHOLD_CLEARANCE = 1e-6


@dataclass(frozen=True)
class PlantedDeepLinear:
    problem: DeepLinearProblem
    planted_sv: np.ndarray  # singular values of Y~ as planted (descending)
    rank_X: int
    gamma_ratio: float  # gamma / sigma_min(Y~)
    seed: int

    def summary(self) -> str:
        return f"{self.problem.summary()} gamma/sigma_min={self.gamma_ratio:.8g} seed={self.seed}"


def _orthonormal(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    q, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
    return q[:, :cols]


@st.composite
def deep_linear_problems(draw, gamma_side: str = "below", max_depth: int = 4, max_dim: int = 5, max_n: int = 7):
    """Instances of problem (4) with ``d_min <= min(d_0, d_H, n)`` and gamma on ``gamma_side`` of sigma_min(Y~).

    ``gamma_side``: ``"below"`` (Theorem 2's assumption, 0 <= gamma < sigma_min), ``"above"`` (sigma_min <= gamma,
    up to 3 times the largest planted value: the region the theorem leaves open).
    """
    if gamma_side not in ("below", "above"):
        raise ValueError(f"gamma_side must be 'below' or 'above', got {gamma_side!r}")
    H = draw(st.integers(2, max_depth), label="H")
    d0 = draw(st.integers(1, max_dim), label="d_0")
    n = draw(st.integers(1, max_n), label="n")
    dH = draw(st.integers(1, 4), label="d_H")
    rank_X = draw(st.integers(1, min(d0, n)), label="rank_X")
    d_min = draw(st.integers(1, min(d0, dH, n)), label="d_min")
    hidden = [draw(st.integers(d_min, d_min + 2)) for _ in range(H - 1)]
    hidden[draw(st.integers(0, H - 2), label="narrowest layer")] = d_min
    rank_Y = draw(st.integers(1, min(dH, rank_X)), label="rank_Y~")
    log_cond_X = draw(st.floats(0, 3), label="log10 cond(X)")
    spread = draw(st.floats(0, 2), label="log10 spread of sv(Y~)")
    ties = draw(st.sampled_from(["distinct", "all equal", "top two equal"]), label="ties")
    scale = 10 ** draw(st.floats(-1, 1), label="log10 scale")
    outside = draw(st.floats(0, 1), label="weight of Y outside Row(X)")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)

    Qa, Qb = _orthonormal(rng, d0, rank_X), _orthonormal(rng, n, rank_X)
    sx = np.sort(10 ** rng.uniform(-log_cond_X, 0, rank_X))[::-1]
    sx[0] = 1.0
    X = (Qa * sx) @ Qb.T
    s = np.sort(scale * 10 ** rng.uniform(-spread, 0, rank_Y))[::-1]
    if ties == "all equal":
        s[:] = s[0]
    elif ties == "top two equal" and rank_Y >= 2:
        s[1] = s[0]
    U, Q = _orthonormal(rng, dH, rank_Y), _orthonormal(rng, rank_X, rank_Y)
    Y_row = (U * s) @ (Qb @ Q).T
    Y_perp = outside * rng.standard_normal((dH, n)) @ (np.eye(n) - Qb @ Qb.T)
    sigma_min = float(s.min())
    if gamma_side == "below":
        ratio = draw(st.floats(0, 1 - THRESHOLD_CLEARANCE), label="gamma / sigma_min")
    else:
        top = 3.0 * float(s.max()) / sigma_min
        ratio = draw(st.one_of(st.just(1.0), st.floats(1.0, top)), label="gamma / sigma_min")
    problem = DeepLinearProblem(X, Y_row + Y_perp, (d0, *hidden, dH), ratio * sigma_min)
    return PlantedDeepLinear(problem, s, rank_X, ratio, seed)


@dataclass(frozen=True)
class Factorization:
    """Data X, widths, and weights (for eq. 6's inequality), or a target Z = A X of rank <= d_min."""

    X: np.ndarray
    widths: tuple[int, ...]
    weights: tuple[np.ndarray, ...]
    seed: int

    def summary(self) -> str:
        return f"H={len(self.widths) - 1} widths={self.widths} n={self.X.shape[1]} seed={self.seed}"


@st.composite
def weight_tuples(draw, max_depth: int = 5, max_dim: int = 4, max_n: int = 5):
    """Weights of arbitrary shapes (eq. 6's inequality needs no width condition).  ``random``: scales drawn per
    layer over four decades, so unbalanced factorizations are common; ``balanced``: the balanced factorization of
    a product (where the inequality is an equality), optionally perturbed by a small relative amount, so that the
    boundary of the inequality is drawn too."""
    H = draw(st.integers(1, max_depth), label="H")
    widths = tuple(draw(st.integers(1, max_dim)) for _ in range(H + 1))
    n = draw(st.integers(1, max_n), label="n")
    kind = draw(st.sampled_from(("random", "random", "balanced")), label="kind")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((widths[0], n))
    if kind == "random":
        weights = tuple(
            10 ** rng.uniform(-2, 2) * rng.standard_normal((widths[i], widths[i - 1])) for i in range(1, H + 1)
        )
        return Factorization(X, widths, weights, seed)
    rank = min(widths[1:-1], default=min(widths[0], widths[-1]))
    Z = rng.standard_normal((widths[-1], rank)) @ rng.standard_normal((rank, widths[0])) @ X
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    r = int(np.sum(s > 1e-10 * s[0])) if s.size and s[0] > 0 else 0
    perturb = draw(st.sampled_from((0.0, 1e-3, 1e-1)), label="relative perturbation")
    weights = tuple(
        W + perturb * np.linalg.norm(W) * rng.standard_normal(W.shape) / np.sqrt(W.size)
        for W in balanced_factorization(U[:, :r], s[:r], Vt[:r], X, widths)
    )
    return Factorization(X, widths, weights, seed)


@st.composite
def factorization_targets(draw, max_depth: int = 5, max_dim: int = 5, max_n: int = 6):
    """``(X, widths, Z)`` with ``Z = A X``, ``rank Z <= d_min <= min(d_0, d_H, n)``: eq. 6's attainment setting.
    The returned ``weights`` hold a single matrix, the end-to-end map ``Z``."""
    H = draw(st.integers(2, max_depth), label="H")
    d0 = draw(st.integers(1, max_dim))
    dH = draw(st.integers(1, max_dim))
    n = draw(st.integers(1, max_n))
    d_min = draw(st.integers(1, min(d0, dH, n)))
    hidden = [draw(st.integers(d_min, d_min + 2)) for _ in range(H - 1)]
    hidden[draw(st.integers(0, H - 2))] = d_min
    rank_Z = draw(st.integers(1, d_min))
    rank_X = draw(st.integers(rank_Z, min(d0, n)))
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((d0, rank_X)) @ rng.standard_normal((rank_X, n))
    A = rng.standard_normal((dH, rank_Z)) @ rng.standard_normal((rank_Z, d0))
    return Factorization(X, (d0, *hidden, dH), (A @ X,), seed)


def tie_instance() -> PlantedDeepLinear:
    """The catalog's tie instance: X = I_2, Y = diag(3, 2), one hidden unit, gamma = 1 < sigma_min = 2."""
    problem = DeepLinearProblem(np.eye(2), np.diag([3.0, 2.0]), (2, 1, 2), 1.0, note="tie instance")
    return PlantedDeepLinear(problem, np.array([3.0, 2.0]), 2, 0.5, 0)


def explicit_factorization() -> Factorization:
    """A rank-one target Z with rows in Row(X) for eq. 6's attainment (H = 3, widths (2, 1, 1, 2))."""
    X = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]])
    Z = np.array([[3.0, 0.0, 6.0], [0.0, 0.0, 0.0]])  # rank one, rows in Row(X)
    return Factorization(X, (2, 1, 1, 2), (Z,), 0)
