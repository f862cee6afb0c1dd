"""The two-layer ReLU problem with weight decay and its exact convex program (Pilanci & Ergen 2020): the problem,
the second-order cone program over given cells (Clarabel through CVXPY), the network read off a convex solution,
the network's objective evaluated directly, and a certified lower bound by weak duality whose dual constraint is
evaluated exactly cell by cell."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from landscape.core.results import RouteResult, solve_cvxpy
from landscape.core.validate import finite_array, finite_scalar
from landscape.pilanci2020.arrangements import Arrangements, data_rank
from landscape.pilanci2020.tolerances import BLOCK_DROP_RTOL, CLARABEL_TIGHT, STRICT_RTOL


# --------------------------------------------------------------------------------------------------------------
# problem
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TwoLayerProblem:
    """Data ``X`` (n x d, rows are samples), labels ``y`` (n,), weight decay ``beta > 0``."""

    X: np.ndarray
    y: np.ndarray
    beta: float
    note: str = field(default="", compare=False)

    def __post_init__(self):
        X = finite_array("X", self.X, ndim=2)
        y = finite_array("y", self.y, ndim=1)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"y has {y.shape[0]} entries but X has {X.shape[0]} rows (one per sample)")
        beta = finite_scalar("beta", self.beta, minimum=0.0, strict=True)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "beta", beta)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]

    def summary(self) -> str:
        return (
            f"n={self.n} d={self.d} rank(X)={data_rank(self.X)} beta={self.beta:.4g} "
            f"||y||={np.linalg.norm(self.y):.4g} {self.note}"
        ).strip()


def _check_arrangements(problem: TwoLayerProblem, arr: Arrangements) -> None:
    if not isinstance(arr, Arrangements):
        raise ValueError(f"arr must be an Arrangements, got {type(arr).__name__}")
    if arr.patterns.ndim != 2 or arr.patterns.shape[1] != problem.n or arr.P < 1:
        raise ValueError(f"arrangement patterns have shape {arr.patterns.shape}, expected (P >= 1, {problem.n})")


# --------------------------------------------------------------------------------------------------------------
# the convex program
# --------------------------------------------------------------------------------------------------------------


def cone_violation(problem: TwoLayerProblem, arr: Arrangements, V: np.ndarray, W: np.ndarray) -> float:
    """Largest violation of ``(2 D_i - I) X v_i >= 0`` (and the same for w_i), relative to the block scale."""
    S = 2.0 * arr.patterns.T - 1.0
    worst = max(float(np.max(-S * (problem.X @ V), initial=0.0)), float(np.max(-S * (problem.X @ W), initial=0.0)))
    scale = max(float(np.abs(problem.X).max()) * max(np.abs(V).max(), np.abs(W).max()), 1e-300)
    return worst / scale


def convex_by_cvxpy(
    problem: TwoLayerProblem, arr: Arrangements, solver: str = "CLARABEL", tight: bool = True
) -> RouteResult:
    """Solve the convex program over the given cells (a second-order cone program).

    ``ok`` only for status ``optimal``; ``data``: ``V``, ``W`` (d x P), ``blocks`` (number of blocks above the drop
    threshold), ``cone_violation``, ``exact`` (whether the cells are all of them: otherwise the value is only an
    upper bound on p*).  ``tight`` (Clarabel only) uses ``CLARABEL_TIGHT``.
    """
    import cvxpy as cp

    _check_arrangements(problem, arr)
    X, P, d = problem.X, arr.P, problem.d
    # The program is homogeneous: labels y and weight beta scaled by s > 0 scale the optimal blocks by s and the
    # value by s^2.  Labels of norm below 1 are solved scaled up to unit norm and scaled back, because the solver's
    # absolute gap tolerance would otherwise dominate (seen: ||y|| = 7e-3 left the value 3e-6 (relative) above the
    # optimum; scaled, 1e-12).  Larger labels are solved as they are: scaling them down shrinks beta with them, and
    # the certified bound built from the solution loses the solver's error divided by beta (seen: ||y|| = 37,
    # beta = 5e-3: 3e-7 (relative) scaled to unit norm, 3e-12 as they are).
    scale = min(float(np.linalg.norm(problem.y)), 1.0) or 1.0
    y, beta = problem.y / scale, problem.beta / scale
    Dm = arr.patterns.T
    Sm = 2.0 * Dm - 1.0
    V = cp.Variable((d, P))
    W = cp.Variable((d, P))
    XV, XW = X @ V, X @ W
    pred = cp.sum(cp.multiply(Dm, XV - XW), axis=1)
    objective = 0.5 * cp.sum_squares(pred - y) + beta * (cp.sum(cp.norm(V, 2, axis=0)) + cp.sum(cp.norm(W, 2, axis=0)))
    prob = cp.Problem(cp.Minimize(objective), [cp.multiply(Sm, XV) >= 0, cp.multiply(Sm, XW) >= 0])
    options = CLARABEL_TIGHT if (tight and solver == "CLARABEL") else {}
    failed = solve_cvxpy(prob, solver, V, **options)
    if failed is not None:
        return failed
    Vv, Wv = scale * np.asarray(V.value), scale * np.asarray(W.value)
    norms = np.concatenate([np.linalg.norm(Vv, axis=0), np.linalg.norm(Wv, axis=0)])
    blocks = int(np.sum(norms > BLOCK_DROP_RTOL * max(norms.max(), 1e-300)))
    fit = np.sum(Dm * (X @ (Vv - Wv)), axis=1)
    value = scale**2 * float(prob.value)
    reevaluated = float(
        0.5 * np.sum((fit - problem.y) ** 2)
        + problem.beta * (np.linalg.norm(Vv, axis=0).sum() + np.linalg.norm(Wv, axis=0).sum())
    )
    violation = cone_violation(problem, arr, Vv, Wv)
    return RouteResult(
        value,
        "optimal",
        True,
        route=f"cvxpy/{solver}",
        data={"V": Vv, "W": Wv, "blocks": blocks, "cone_violation": violation, "exact": arr.exact, "P": P},
    ).with_checks({"primal feasibility": violation, "objective": abs(value - reevaluated)})


def network_from_convex(V: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units of the two-layer network read off convex blocks: ``u = v/sqrt||v||, alpha = +sqrt||v||`` for each
    non-zero v_i, ``u = w/sqrt||w||, alpha = -sqrt||w||`` for each non-zero w_i.  Returns (U (d x m), alpha (m,))."""
    V = finite_array("V", V, ndim=2)
    W = finite_array("W", W, ndim=2, shape=V.shape)
    cols, alphas = [], []
    top = max(np.linalg.norm(V, axis=0).max(initial=0.0), np.linalg.norm(W, axis=0).max(initial=0.0))
    for B, sign in ((V, 1.0), (W, -1.0)):
        for b in B.T:
            nb = float(np.linalg.norm(b))
            if nb > BLOCK_DROP_RTOL * top and nb > 0:
                cols.append(b / np.sqrt(nb))
                alphas.append(sign * np.sqrt(nb))
    if not cols:
        return np.zeros((V.shape[0], 1)), np.zeros(1)
    return np.array(cols).T, np.array(alphas)


# --------------------------------------------------------------------------------------------------------------
# the network, evaluated directly (no arrangement involved)
# --------------------------------------------------------------------------------------------------------------
def network_output(X: np.ndarray, U: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return np.maximum(X @ U, 0.0) @ alpha


def nonconvex_objective(problem: TwoLayerProblem, U: np.ndarray, alpha: np.ndarray) -> float:
    """``1/2 ||relu(X U) alpha - y||^2 + beta/2 (||U||_F^2 + ||alpha||^2)`` in numpy."""
    U = finite_array("U", U, ndim=2, shape=(problem.d, None))
    alpha = finite_array("alpha", alpha, ndim=1, shape=(U.shape[1],))
    r = network_output(problem.X, U, alpha) - problem.y
    return float(0.5 * r @ r + 0.5 * problem.beta * (np.sum(U**2) + alpha @ alpha))


# --------------------------------------------------------------------------------------------------------------
# certified lower bound (weak duality with an exactly evaluated dual constraint)
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DualBound:
    value: float  # tau lambda^T y - tau^2 ||lambda||^2 / 2, a lower bound on p*(m) for every m
    s: float  # max over ||u|| <= 1 of |lambda^T relu(X u)|
    tau: float  # scaling that makes tau * lambda dual feasible (tau * s <= beta)


def _sector_support(c: np.ndarray, r1: np.ndarray, r2: np.ndarray) -> float:
    """``max {c^T u : u in cone(r1, r2), ||u|| <= 1}`` for unit, non-parallel r1, r2: the norm of c's projection onto
    their plane when that projection lies between them, else the better of the two rays (or 0)."""
    B = np.column_stack([r1, r2])
    coef = np.linalg.lstsq(B, c, rcond=None)[0]
    if coef.min() >= 0:
        return float(np.linalg.norm(B @ coef))
    return max(float(c @ r1), float(c @ r2), 0.0)


def cell_support(X: np.ndarray, pattern: np.ndarray, rays: np.ndarray, c: np.ndarray) -> float:
    """``max {c^T u : u in K, ||u|| <= 1}`` for the closed cone K of one cell (c in the row space of X), exactly.

    If c lies in K the answer is ||c||.  Otherwise the maximizer (the direction of c's projection onto K) lies on
    the boundary of K, i.e. on a face spanned by at most two extreme rays (rank <= 3: rays, or 2-D sectors between
    adjacent rays), and every sector between two rays of K lies in K; so the answer is the largest value over all
    rays and pairs of rays.  (This replaces non-negative least squares: scipy's ``optimize.nnls`` returns wrong
    projections with a zero residual on some of these small cones, scipy/scipy#25389.)
    """
    c = np.asarray(c, dtype=np.float64)
    nc = float(np.linalg.norm(c))
    if nc == 0.0 or rays.shape[0] == 0:
        return 0.0
    S = 2.0 * pattern - 1.0
    if np.all(S * (X @ c) >= -STRICT_RTOL * float(np.abs(X).max()) * nc):
        return nc
    best = max(0.0, float(np.max(rays @ c)))
    for i in range(rays.shape[0]):
        for j in range(i + 1, rays.shape[0]):
            if abs(float(rays[i] @ rays[j])) < 1.0 - 1e-12:  # (anti)parallel pairs span no sector
                best = max(best, _sector_support(c, rays[i], rays[j]))
    return best


def dual_constraint_value(problem: TwoLayerProblem, arr: Arrangements, lam: np.ndarray) -> float:
    """``max_{||u|| <= 1} |lambda^T relu(X u)|``, exactly: over each cell's closed cone relu(X u) = D X u is linear."""
    _check_arrangements(problem, arr)
    if not arr.exact or arr.rays is None:
        raise ValueError("the dual constraint can only be evaluated exactly over an exact enumeration of the cells")
    lam = finite_array("lam", lam, ndim=1, shape=(problem.n,))
    s = 0.0
    for pattern, rays in zip(arr.patterns, arr.rays):
        c = problem.X.T @ (pattern * lam)
        s = max(s, cell_support(problem.X, pattern, rays, c), cell_support(problem.X, pattern, rays, -c))
    return s


def dual_lower_bound(problem: TwoLayerProblem, arr: Arrangements, lam: np.ndarray) -> DualBound:
    """A certified lower bound on p*(m) (every m) from any multiplier ``lam``.

    For lambda with ``max_{||u||<=1} |lambda^T relu(X u)| <= beta``, every network satisfies
    ``objective >= lambda^T y - ||lambda||^2/2`` (complete the square in the fit term and bound
    ``lambda^T relu(X u) alpha <= beta ||u|| |alpha| <= beta (||u||^2 + alpha^2)/2``).  ``lam`` is scaled by the best
    ``tau`` in ``[0, beta / s]``.
    """
    lam = finite_array("lam", lam, ndim=1, shape=(problem.n,))
    s = dual_constraint_value(problem, arr, lam)
    ly, ll = float(lam @ problem.y), float(lam @ lam)
    if ll == 0.0:
        return DualBound(0.0, s, 0.0)
    tau = max(0.0, ly / ll)
    if s > 0:
        tau = min(tau, problem.beta / s)
    return DualBound(tau * ly - 0.5 * tau * tau * ll, s, tau)
