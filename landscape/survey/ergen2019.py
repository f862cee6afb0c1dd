"""The relaxed convex loss of a single ReLU neuron (Ergen & Pilanci 2019, as the survey restates it, Section 2.2).

Data ``X`` (d0 x n, columns are samples), labels ``Y`` (n,), weight ``w`` (d0,):

* original loss  ``L(w)   = ||relu(X^T w) - Y||^2``;
* relaxed loss   ``L_r(w) = ||relu(X^T w)||^2 - 2 w^T X Y + ||Y||^2`` (the ReLU dropped from the cross term), convex.

The survey says a global minimizer of L_r globally minimizes L.  Routes here: min L_r by CVXPY (Clarabel) and by
L-BFGS on the smooth convex L_r; min L exactly by enumerating the sectors cut out by the samples' hyperplanes
(d0 <= 2) and, in any dimension, by random-start L-BFGS (an upper bound attained by an explicit point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from landscape.core.results import RouteResult, solve_cvxpy
from landscape.core.validate import finite_array, positive_int

__all__ = [
    "NeuronProblem",
    "loss",
    "relaxed_loss",
    "relaxed_grad",
    "relaxed_min_cvxpy",
    "relaxed_min_lbfgs",
    "neuron_min_exhaustive",
    "neuron_min_multistart",
    "unbounded_direction",
]


@dataclass(frozen=True, eq=False)
class NeuronProblem:
    """X: d0 x n (columns = samples, none zero), Y: n labels."""

    X: np.ndarray
    Y: np.ndarray

    def __post_init__(self):
        X = finite_array("X", self.X, ndim=2)
        Y = finite_array("Y", self.Y, ndim=1)
        if Y.shape[0] != X.shape[1]:
            raise ValueError(f"Y has {Y.shape[0]} labels but X has {X.shape[1]} columns (samples)")
        if np.any(np.linalg.norm(X, axis=0) == 0):
            raise ValueError("X has a zero column (a sample at the origin)")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)

    @property
    def d0(self) -> int:
        return self.X.shape[0]

    @property
    def n(self) -> int:
        return self.X.shape[1]


def _w(p: NeuronProblem, w) -> np.ndarray:
    return finite_array("w", w, ndim=1, shape=(p.d0,))


def loss(p: NeuronProblem, w) -> float:
    """L(w) = ||relu(X^T w) - Y||^2."""
    z = p.X.T @ _w(p, w)
    return float(np.sum((np.maximum(z, 0.0) - p.Y) ** 2))


def relaxed_loss(p: NeuronProblem, w) -> float:
    """L_r(w) = ||relu(X^T w)||^2 - 2 w^T X Y + ||Y||^2."""
    w = _w(p, w)
    z = p.X.T @ w
    return float(np.sum(np.maximum(z, 0.0) ** 2) - 2.0 * z @ p.Y + p.Y @ p.Y)


def relaxed_grad(p: NeuronProblem, w) -> np.ndarray:
    """grad L_r(w) = 2 X (relu(X^T w) - Y)."""
    w = _w(p, w)
    return 2.0 * p.X @ (np.maximum(p.X.T @ w, 0.0) - p.Y)


def relaxed_min_cvxpy(p: NeuronProblem, solver: str = "CLARABEL") -> RouteResult:
    """min L_r by CVXPY; an unbounded problem comes back with status 'unbounded' (ok=False, value -inf)."""
    import cvxpy as cp

    w = cp.Variable(p.d0)
    obj = cp.sum_squares(cp.pos(p.X.T @ w)) - 2.0 * (p.X @ p.Y) @ w + float(p.Y @ p.Y)
    prob = cp.Problem(cp.Minimize(obj))
    failed = solve_cvxpy(prob, solver, w)
    if failed is not None:
        value = -np.inf if str(prob.status).startswith("unbounded") else float("nan")
        return RouteResult(value, failed.status, False, route=failed.route)
    wv = np.asarray(w.value, dtype=np.float64)
    return RouteResult(
        relaxed_loss(p, wv), "optimal", True, route=f"cvxpy/{solver}", data={"w": wv, "solver_value": float(prob.value)}
    )


def relaxed_min_lbfgs(p: NeuronProblem, seed: int = 0, gtol: float = 1e-10) -> RouteResult:
    """min L_r by L-BFGS (L_r is convex and continuously differentiable); ok when the gradient is below gtol
    times the data scale."""
    rng = np.random.default_rng(seed)
    scale = 1.0 + float(np.abs(p.X).max()) * (1.0 + float(np.abs(p.Y).max()))
    res = minimize(
        lambda w: (relaxed_loss(p, w), relaxed_grad(p, w)),
        rng.normal(size=p.d0),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": gtol * scale, "ftol": 0.0, "maxiter": 5000},
    )
    g = float(np.linalg.norm(relaxed_grad(p, res.x)))
    ok = bool(np.isfinite(res.fun) and g <= 1e3 * gtol * scale and np.linalg.norm(res.x) < 1e8)
    return RouteResult(
        relaxed_loss(p, res.x), f"{res.message} (|grad| = {g:.2e})", ok, route="lbfgs", data={"w": res.x, "grad": g}
    )


def _ray_min(p: NeuronProblem, e: np.ndarray) -> tuple[float, np.ndarray]:
    """min over t >= 0 of L(t e): a convex quadratic in t on the ray."""
    c = p.X.T @ e
    act = c > 0
    den = float(c[act] @ c[act])
    t = max(0.0, float(c[act] @ p.Y[act]) / den) if den > 0 else 0.0
    w = t * e
    return loss(p, w), w


def neuron_min_exhaustive(p: NeuronProblem) -> RouteResult:
    """min L exactly for d0 <= 2 by enumerating the closed sectors between consecutive sample hyperplanes: on each
    sector L is a convex quadratic, so its minimum is the sector's unconstrained least-squares point (if it lies in
    the sector) or lies on a bounding ray (a 1-D quadratic) or at 0.  Every candidate is evaluated with L itself."""
    if p.d0 > 2:
        raise ValueError(f"exhaustive enumeration is implemented for d0 <= 2, got d0 = {p.d0}")
    if p.d0 == 1:
        cands = [_ray_min(p, np.array([1.0])), _ray_min(p, np.array([-1.0]))]
        best = min(cands, key=lambda c: c[0])
        return RouteResult(best[0], "optimal", True, route="exhaustive", data={"w": best[1], "cells": 2})
    ang = np.arctan2(p.X[1], p.X[0])
    crit = np.unique(np.mod(np.concatenate([ang + np.pi / 2, ang - np.pi / 2]), 2 * np.pi))
    cands = [(loss(p, np.zeros(2)), np.zeros(2))]
    for k, a0 in enumerate(crit):
        a1 = crit[(k + 1) % crit.size] + (2 * np.pi if k + 1 == crit.size else 0.0)
        e0 = np.array([np.cos(a0), np.sin(a0)])
        cands.append(_ray_min(p, e0))
        mid = 0.5 * (a0 + a1)
        em = np.array([np.cos(mid), np.sin(mid)])
        S = (p.X.T @ em) > 0
        if S.any():
            wS = np.linalg.lstsq(p.X[:, S].T, p.Y[S], rcond=None)[0]
            z = p.X.T @ wS
            slack = 1e-12 * (1.0 + np.abs(z).max())
            if np.all(z[S] >= -slack) and np.all(z[~S] <= slack):
                cands.append((loss(p, wS), wS))
    best = min(cands, key=lambda c: c[0])
    return RouteResult(best[0], "optimal", True, route="exhaustive", data={"w": best[1], "cells": int(crit.size)})


def neuron_min_multistart(p: NeuronProblem, starts: int = 20, seed: int = 0) -> RouteResult:
    """Best L over random-start L-BFGS runs: an upper bound on min L attained by the returned point."""
    starts = positive_int("starts", starts)
    rng = np.random.default_rng(seed)

    def fg(w):
        z = p.X.T @ w
        r = np.maximum(z, 0.0) - p.Y
        return float(r @ r), 2.0 * p.X @ (r * (z > 0))

    best = (np.inf, None)
    scale = float(np.abs(p.Y).max() + 1.0) / float(np.linalg.norm(p.X, axis=0).mean())
    for _ in range(starts):
        res = minimize(
            fg, rng.normal(size=p.d0) * scale, jac=True, method="L-BFGS-B", options={"gtol": 1e-12, "maxiter": 2000}
        )
        v = loss(p, res.x)
        if v < best[0]:
            best = (v, res.x)
    return RouteResult(best[0], "upper bound", True, route="multistart", data={"w": best[1], "starts": starts})


def unbounded_direction(p: NeuronProblem, d) -> float | None:
    """If ``d`` certifies that L_r is unbounded below (X^T d <= 0 and Y^T X^T d > 0, so L_r(t d) = ||Y||^2 -
    2 t Y^T X^T d for t >= 0), the slope -2 Y^T X^T d; else None."""
    d = _w(p, d)
    z = p.X.T @ d
    if np.all(z <= 0) and float(p.Y @ z) > 0:
        return -2.0 * float(p.Y @ z)
    return None
