"""Experiments behind Zhang, Shao, Salakhutdinov (2019), Section 5.1 (Figure 1 and Table 1), in miniature.

(a) ``gap_vs_branches``: i.i.d. families of I branches (one ReLU unit each, a finite grid of its scalar weight,
    weight decay h(w) = w^2, tau above every reachable margin so Assumption 1 holds), the exact primal P (MILP),
    dual D (LP relaxation) and Delta_worst (exact) from the multi-branch machinery, for I = 1, 2, 4, ..., 64.
(b) ``hit_rate``: a teacher one-hidden-layer ReLU net labels n points; students of width I are trained from random
    starts by L-BFGS on the mean squared loss; the fraction of runs reaching the global minimum (loss < ``hit``)
    per width, with Wilson score intervals.

Nothing here asserts; the numbers are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.stats import norm

from landscape.core.validate import finite_scalar, positive_int
from landscape.zhang2019 import multibranch as mb

__all__ = ["GapPoint", "iid_grid_family", "gap_vs_branches", "wilson", "HitRate", "hit_rate"]


@dataclass(frozen=True)
class GapPoint:
    """One family: I branches, exact P and D, Delta_worst; ok False when a route failed."""

    I: int
    seed: int
    P: float
    D: float
    delta_worst: float
    ok: bool
    status: str

    @property
    def gap(self) -> float:
        return self.P - self.D

    @property
    def scaled_gap(self) -> float:
        return self.I * (self.P - self.D)


def iid_grid_family(I: int, seed: int, *, G: int = 9, n: int = 8, d: int = 3, budget: float = 0.3):
    """I i.i.d. branches f_i(w; x) = v_i relu(w a_i^T x + b_i) on a shared sample (x_j, y_j), w on G grid points in
    [-1, 1], h(w) = w^2, K = budget (average h allowed; grid max is 1).  tau = 1.01 max |f| makes the hinge
    inactive everywhere (Assumption 1)."""
    I, G, n, d = positive_int("I", I), positive_int("G", G, 2), positive_int("n", n), positive_int("d", d)
    budget = finite_scalar("budget", budget, minimum=0.0)
    data = np.random.default_rng([seed, 0])  # the sample is shared by every I for one seed
    X = data.normal(size=(n, d))
    y = np.where(data.random(n) < 0.5, -1.0, 1.0)
    rng = np.random.default_rng([seed, I])
    w = np.linspace(-1.0, 1.0, G)
    A = rng.normal(size=(I, d))
    b = rng.normal(size=I)
    v = rng.normal(size=I)
    F = v[:, None, None] * np.maximum(w[None, :, None] * (A @ X.T)[:, None, :] + b[:, None, None], 0.0)  # (I, G, n)
    tau = 1.01 * float(np.abs(F).max()) + 1e-12
    Gv = np.mean(1.0 - y[None, None, :] * F / tau, axis=2)
    Hv = np.broadcast_to(w**2, (I, G)).copy()
    return mb.GridBranches(Gv, Hv, budget, w=np.broadcast_to(w, (I, G)).copy())


def gap_vs_branches(Is=(1, 2, 4, 8, 16, 32, 64), seeds=(0, 1, 2), **family) -> list[GapPoint]:
    """Exact P (MILP), D (LP) and Delta_worst for an i.i.d. family at each I and seed."""
    out = []
    for seed in seeds:
        for I in Is:
            inst = iid_grid_family(int(I), int(seed), **family)
            P, D = mb.primal_milp(inst), mb.dual_lp(inst)
            delta = mb.delta_exact(inst).worst
            ok = bool(P.ok and D.ok and np.isfinite(delta))
            out.append(
                GapPoint(
                    int(I), int(seed), float(P.value), float(D.value), float(delta), ok, f"P: {P.status}; D: {D.status}"
                )
            )
    return out


def wilson(hits: int, runs: int, z: float | None = None, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion."""
    runs = positive_int("runs", runs)
    if not 0 <= hits <= runs:
        raise ValueError(f"hits must lie in [0, runs], got {hits} of {runs}")
    z = float(norm.ppf(0.5 + level / 2)) if z is None else float(z)
    p = hits / runs
    den = 1.0 + z * z / runs
    centre = (p + z * z / (2 * runs)) / den
    half = z * np.sqrt(p * (1 - p) / runs + z * z / (4 * runs * runs)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class HitRate:
    width: int
    runs: int
    hits: int
    low: float
    high: float
    final_losses: tuple

    @property
    def rate(self) -> float:
        return self.hits / self.runs


def _student_loss(theta, X, y, I):
    d = X.shape[1]
    W, v = theta[: I * d].reshape(I, d), theta[I * d :]
    Z = X @ W.T
    A = np.maximum(Z, 0.0)
    r = A @ v - y
    n = y.size
    f = 0.5 * float(r @ r) / n
    gv = A.T @ r / n
    gW = ((r[:, None] * (Z > 0)) * v[None, :]).T @ X / n
    return f, np.concatenate([gW.ravel(), gv])


class _Reached(Exception):
    """Raised inside the objective to stop a run once its loss is far below the hit threshold."""


def hit_rate(
    widths=(2, 3, 6, 12),
    seeds: int = 20,
    *,
    d: int = 5,
    teacher: int = 3,
    n: int = 50,
    hit: float = 1e-5,
    data_seed: int = 0,
    maxiter: int = 500,
) -> list[HitRate]:
    """Fraction of L-BFGS runs from random starts that reach loss < ``hit`` (the teacher's loss is 0)."""
    seeds = positive_int("seeds", seeds)
    rng = np.random.default_rng(data_seed)
    X = rng.normal(size=(n, d))
    U = rng.normal(size=(teacher, d))
    y = np.maximum(X @ U.T, 0.0).sum(axis=1)
    out = []
    for I in widths:
        I = positive_int("width", I)
        finals = []
        for s in range(seeds):
            r = np.random.default_rng([data_seed, I, s])
            theta0 = np.concatenate([r.normal(size=I * d) / np.sqrt(d), r.normal(size=I) / np.sqrt(I)])
            box = {"best": np.inf}

            def fun(theta, box=box):
                f, g = _student_loss(theta, X, y, I)
                box["best"] = min(box["best"], f)
                if f < 1e-3 * hit:  # far below the threshold: this run has reached the global minimum
                    raise _Reached
                return f, g

            try:
                minimize(
                    fun, theta0, jac=True, method="L-BFGS-B", options={"maxiter": maxiter, "gtol": 1e-10, "ftol": 1e-13}
                )
            except _Reached:
                pass
            finals.append(float(box["best"]))
        hits = int(sum(f < hit for f in finals))
        lo, hi = wilson(hits, seeds)
        out.append(HitRate(I, seeds, hits, lo, hi, tuple(finals)))
    return out
