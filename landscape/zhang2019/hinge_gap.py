"""Exact primal and dual values of tiny multi-branch problems by enumeration, hinge active or not.

For finitely many parameters per branch (a grid of G candidates for each of I branches), every joint choice c
has a loss ``L_c`` (the mean tau-hinge loss of the averaged network) and a budget ``B_c`` (the regularizer,
separable or not).  Then, with one constraint ``B_c <= K``,

    P = min { L_c : B_c <= K },      D = max_{lam >= 0} min_c L_c + lam (B_c - K),

and D is the lower convex hull of the points ``(B_c, L_c)`` read at ``K`` (clamped to the minimum loss where
the constraint is slack).  Both are exact and need no solver, so they serve as an independent route for the
separable case and as the only route where Assumption 1 fails (the hinge is active) or the regularizer couples
branches, where the paper gives no bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape.core.validate import finite_array, finite_scalar

MAX_CHOICES = 200_000


@dataclass(frozen=True)
class Enumerated:
    P: float
    D: float
    argmin: tuple[int, ...]  # the primal optimal choice (grid index per branch)
    lam: float  # a dual optimal multiplier
    n_choices: int


def joint_choices(G: int, I: int) -> np.ndarray:
    """All G^I choices as an (G^I, I) integer array (raises if there are more than MAX_CHOICES)."""
    total = float(G) ** I
    if total > MAX_CHOICES:
        raise ValueError(f"G^I = {G}^{I} = {total:.3g} choices exceed the enumeration limit {MAX_CHOICES}")
    return np.stack(np.unravel_index(np.arange(int(total)), (G,) * I), axis=1)


def hinge_losses(F: np.ndarray, y: np.ndarray, tau: float, choices: np.ndarray) -> np.ndarray:
    """Mean tau-hinge loss of the averaged network for each choice.  F: (I, G, n) branch outputs on the grid."""
    F = finite_array("F", F, ndim=3)
    y = finite_array("y", y, ndim=1, shape=(F.shape[2],))
    if not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError("y must hold labels -1 or +1")
    tau = finite_scalar("tau", tau, minimum=0.0, strict=True)
    I = F.shape[0]
    out = np.zeros((choices.shape[0], F.shape[2]))
    for i in range(I):
        out += F[i, choices[:, i], :]
    out /= I
    return np.mean(np.maximum(0.0, 1.0 - y[None, :] * out / tau), axis=1)


def _lower_hull(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of the lower convex hull of the points (x, y), by x (monotone chain; for equal x the smallest y)."""
    order = np.lexsort((y, x))
    xs, ys = x[order], y[order]
    keep = np.r_[True, xs[1:] != xs[:-1]]
    xs, ys = xs[keep], ys[keep]
    hull: list[int] = []
    for k in range(xs.size):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (xs[b] - xs[a]) * (ys[k] - ys[a]) - (ys[b] - ys[a]) * (xs[k] - xs[a]) <= 0:
                hull.pop()
            else:
                break
        hull.append(k)
    return xs[hull], ys[hull]


def lower_hull_value(B: np.ndarray, L: np.ndarray, K: float) -> tuple[float, float]:
    """``max_{lam >= 0} min_c L_c + lam (B_c - K)`` and a maximizing lam, via the lower convex hull of (B, L)."""
    B, L = np.asarray(B, dtype=np.float64), np.asarray(L, dtype=np.float64)
    if B.min() > K:
        raise ValueError(f"K = {K} is below every budget: the primal problem is infeasible")
    hx, hy = _lower_hull(B, L)
    best = int(np.argmin(hy))  # the hull's lowest point: to its right the constraint can be slack (lam = 0)
    if K >= hx[best]:
        return float(hy[best]), 0.0
    j = int(np.searchsorted(hx, K, side="right"))  # hx[j-1] <= K < hx[j], j <= best
    slope = (hy[j] - hy[j - 1]) / (hx[j] - hx[j - 1])
    return float(hy[j - 1] + slope * (K - hx[j - 1])), float(-slope)


def enumerate_problem(L: np.ndarray, B: np.ndarray, K: float, choices: np.ndarray) -> Enumerated:
    """Exact P and D from per-choice losses ``L`` and budgets ``B`` (see the module docstring)."""
    K = finite_scalar("K", K)
    feasible = B <= K
    if not feasible.any():
        raise ValueError(f"K = {K} is below every budget: the primal problem is infeasible")
    k = int(np.argmin(np.where(feasible, L, np.inf)))
    D, lam = lower_hull_value(B, L, K)
    return Enumerated(float(L[k]), D, tuple(int(c) for c in choices[k]), lam, int(L.size))


def delta_scalar_grid(w: np.ndarray, g: np.ndarray, center: float) -> float:
    """Delta of one branch on a finite scalar grid, by its own route (a cross-check of ``multibranch``).

    ``f~`` is the lower convex hull of the points ``(w_k, g_k)`` on ``[min w, max w]``; with h radial about
    ``center`` (non-decreasing in ``|w - center|``), ``f^(v) = min {g_k : |w_k - center| <= |v - center|}``, a step
    function of ``|v - center|`` (``+inf`` where no grid point is that close).  Between consecutive steps f^ is
    constant and f~ convex, so the supremum of ``f^ - f~`` there is the constant minus the minimum of f~ on the
    closed piece, attained at an end or at a hull vertex.  Returns ``inf`` if f^ is empty somewhere.
    """
    w = finite_array("w", w, ndim=1)
    g = finite_array("g", g, ndim=1, shape=w.shape)
    center = finite_scalar("center", center)
    lo, hi = float(w.min()), float(w.max())
    if lo == hi:
        return 0.0
    hx, hy = _lower_hull(w, g)

    def f_tilde(v):
        return np.interp(v, hx, hy)

    radii = np.abs(w - center)
    cuts = np.concatenate([[lo, hi, center], center - radii, center + radii])
    cuts = np.unique(cuts[(cuts >= lo) & (cuts <= hi)])
    best = 0.0
    for a, b in zip(cuts[:-1], cuts[1:]):
        # no cut inside (a, b) and the centre is not inside either, so |v - c| runs monotonically over the open
        # interval between |a - c| and |b - c|, and no grid radius lies strictly between those (it would have
        # produced a cut): the points with r_k <= |v - c| are those with r_k < the midpoint's radius.  (Comparing
        # with an end's radius instead fails by rounding: c - r_k - c need not equal -r_k in floating point.)
        allowed = radii < abs(0.5 * (a + b) - center)
        if not allowed.any():
            return float("inf")
        inner = hx[(hx > a) & (hx < b)]
        low = min(float(f_tilde(a)), float(f_tilde(b)), *(float(x) for x in f_tilde(inner)))
        best = max(best, float(g[allowed].min()) - low)
    return best


def single_unit_hinge_instances(X, y, tau, unit, interval, center, K):
    """One branch ``f(w; x) = v relu(w a.x + b) + e.x`` with w on an interval and ``h(w) = |w - center|``, with
    the hinge possibly active: returns ``(with_hinge, linear)``, two family-A instances on the same refined
    breakpoints, whose values are the true mean hinge loss ``L(w)`` and its linear surrogate ``g(w)``.

    With a single branch the training problem ``min {L(w) : h(w) <= K}`` is itself a family-A problem once the
    breakpoints include every kink of f and every zero of ``1 - y_j f(w; x_j) / tau`` (L is affine between them),
    so its primal and dual values are exact through the same routines; Delta is defined through g.
    """
    from landscape.zhang2019 import multibranch as mb

    X = finite_array("X", X, ndim=2)
    y = finite_array("y", y, ndim=1, shape=(X.shape[0],))
    tau = finite_scalar("tau", tau, minimum=0.0, strict=True)
    a, b, v, e = (np.asarray(u, dtype=np.float64) for u in unit)
    lo, hi = (float(u) for u in interval)
    if not lo < hi:
        raise ValueError(f"interval must satisfy lo < hi, got {interval!r}")
    s, off = X @ a, X @ e

    def f(w):  # (m,) -> (m, n)
        return v * np.maximum(np.outer(w, s) + b, 0.0) + off[None, :]

    pts = [lo, hi, float(center)]
    with np.errstate(divide="ignore", invalid="ignore"):
        pts += list((-b / s)[s != 0])
    t = np.unique(np.array(pts))
    t = t[(t >= lo) & (t <= hi)]
    # zeros of 1 - y_j f_j / tau on each segment (f_j affine there)
    margins = 1.0 - y[None, :] * f(t) / tau
    extra = []
    for k in range(t.size - 1):
        m0, m1 = margins[k], margins[k + 1]
        cross = m0 * m1 < 0
        extra += list(t[k] + (t[k + 1] - t[k]) * m0[cross] / (m0[cross] - m1[cross]))
    t = np.unique(np.concatenate([t, extra]))
    F = f(t)
    L = np.mean(np.maximum(0.0, 1.0 - y[None, :] * F / tau), axis=1)
    g = np.mean(1.0 - y[None, :] * F / tau, axis=1)
    h = np.abs(t - center)
    return mb.PWLBranches([t], [L], [h], K), mb.PWLBranches([t], [g], [h], K)
