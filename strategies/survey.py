"""Hypothesis strategies for the survey's restated results: unit-norm input sets for the limiting Gram matrix of
Du et al. 2019, wide-net gradient-descent instances, and single-neuron data for Ergen & Pilanci's relaxation.

Continuous choices come from a drawn seed (``np.random.default_rng``); structure (unit norms, pairwise angles,
planted labels) is built by construction and returned with what is known about the instance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from landscape.survey import ergen2019 as eg

SMOOTH = ("tanh", "softplus", "sin", "gelu", "sigmoid")
ALL_ACTS = ("relu",) + SMOOTH
MIN_ANGLE = 1e-2  # pairwise angles kept in [MIN_ANGLE, pi - MIN_ANGLE] (the catalog's non-degeneracy margin)


def spread_unit_vectors(
    rng: np.random.Generator, n: int, d: int, min_angle: float = MIN_ANGLE, near_pair: float | None = None
) -> np.ndarray:
    """n unit vectors in R^d (d >= 2) whose pairwise angles lie in [min_angle, pi - min_angle].

    Each vector is drawn uniformly on the sphere and redrawn (from the same seeded generator) while it is within
    min_angle of the line of an earlier one; for d >= 2 that event has probability <= n * min_angle, so a handful of
    redraws suffice.  ``near_pair`` puts x_1 at exactly that angle from x_0 (the boundary of the assumption)."""
    if d < 2:
        raise ValueError("non-parallel unit vectors need d >= 2")
    X = np.empty((n, d))
    for i in range(n):
        for _ in range(1000):
            v = rng.normal(size=d)
            v /= np.linalg.norm(v)
            if i == 1 and near_pair is not None:
                u = v - (v @ X[0]) * X[0]
                u /= np.linalg.norm(u)
                v = np.cos(near_pair) * X[0] + np.sin(near_pair) * u
                v /= np.linalg.norm(v)
            cos = np.abs(X[:i] @ v)
            if i == 0 or np.all(cos <= np.cos(min_angle)):
                X[i] = v
                break
        else:  # pragma: no cover - probability < (n min_angle)^1000
            raise RuntimeError("could not place a non-parallel unit vector")
    return X


@dataclass(frozen=True, eq=False)
class GramInstance:
    X: np.ndarray
    H: int
    act: str
    seed: int
    near_pair: float | None = None

    def summary(self) -> str:
        n, d = self.X.shape
        near = f", closest pair at {self.near_pair:.3g} rad" if self.near_pair is not None else ""
        return f"{self.act}, H={self.H}, n={n}, d={d}, seed={self.seed}{near}"


@st.composite
def gram_instances(draw, acts=ALL_ACTS, max_n: int = 7, max_d: int = 4, H=(1, 5)) -> GramInstance:
    """Unit-norm, pairwise non-parallel inputs with an activation and a depth; sometimes one pair sits exactly at the
    smallest allowed angle (boundary of the assumption)."""
    act = draw(st.sampled_from(acts))
    n = draw(st.integers(2, max_n))
    d = draw(st.integers(2, max_d))
    depth = draw(st.integers(*H))
    seed = draw(st.integers(0, 2**31 - 1))
    near = draw(st.sampled_from([None, None, None, MIN_ANGLE, np.pi - MIN_ANGLE, 0.1]))
    X = spread_unit_vectors(np.random.default_rng(seed), n, d, MIN_ANGLE * 0.999, near_pair=near)
    return GramInstance(X, depth, act, seed, near)


@dataclass(frozen=True, eq=False)
class GDInstance:
    X: np.ndarray
    y: np.ndarray
    H: int
    act: str
    width: int
    step_scale: float
    seed: int

    def summary(self) -> str:
        n, d = self.X.shape
        return (
            f"{self.act}, H={self.H}, n={n}, d={d}, m={self.width}, eta={self.step_scale:.3g}/lambda_max(G(0)), "
            f"seed={self.seed}"
        )


@st.composite
def gd_instances(
    draw, acts=("tanh", "softplus", "sin", "gelu"), widths=(128, 256), max_n: int = 6, step=(0.25, 1.0), H=(2, 3)
) -> GDInstance:
    """Unit-norm non-parallel inputs, labels in [-1, 1] (|y| = O(1)), a smooth activation, a wide net and a step
    below the linearised stability limit 2 / lambda_max(G(0)) (step_scale in ``step``)."""
    act = draw(st.sampled_from(acts))
    n = draw(st.integers(2, max_n))
    d = draw(st.integers(2, 4))
    depth = draw(st.integers(*H))
    width = draw(st.sampled_from(widths))
    scale = draw(st.floats(*step))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    X = spread_unit_vectors(rng, n, d, 0.1)
    y = rng.uniform(-1.0, 1.0, n)
    return GDInstance(X, y, depth, act, width, scale, seed)


@dataclass(frozen=True, eq=False)
class NeuronInstance:
    problem: eg.NeuronProblem
    w_star: np.ndarray | None
    seed: int
    kind: str

    def summary(self) -> str:
        p = self.problem
        return f"{self.kind}, d0={p.d0}, n={p.n}, seed={self.seed}"


@st.composite
def planted_neurons(draw, max_d0: int = 3, max_n: int = 8) -> NeuronInstance:
    """Realizable labels Y = relu(X^T w*): generic data, or boundary members (all labels zero: w* with X^T w* <= 0;
    X not of full row rank: n < d0 or repeated columns)."""
    d0 = draw(st.integers(1, max_d0))
    n = draw(st.integers(1, max_n))
    shape = draw(st.sampled_from(["generic", "generic", "dead", "repeated"]))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(d0, n))
    w = rng.normal(size=d0)
    if shape == "dead":  # every sample on the inactive side of w*: all labels 0
        X = X - np.outer(w, np.maximum(w @ X, 0.0) + rng.uniform(0.1, 1.0, n)) / (w @ w)
    elif shape == "repeated" and n >= 2:
        X[:, -1] = X[:, 0] * rng.uniform(0.5, 2.0)
    Y = np.maximum(X.T @ w, 0.0)
    return NeuronInstance(eg.NeuronProblem(X, Y), w, seed, f"planted/{shape}")


@st.composite
def nonneg_neurons(draw, max_d0: int = 2, max_n: int = 6) -> NeuronInstance:
    """General non-negative labels (L_r bounded below) on d0 <= 2 data, where min L is computed exactly."""
    d0 = draw(st.integers(1, max_d0))
    n = draw(st.integers(2, max_n))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(d0, n))
    Y = rng.uniform(0.0, 2.0, n)
    return NeuronInstance(eg.NeuronProblem(X, Y), None, seed, "nonneg")
