"""General data of Wang et al. (2023), Section 4: sampled-branch dual and group lasso, and the exact L = 3
dual and bi-dual over the hyperplane arrangements.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from landscape.core.results import RouteResult, solve_cvxpy
from landscape.core.validate import finite_array, positive_int
from landscape.pilanci2020.arrangements import Arrangements
from landscape.wang2023.relu.networks import ParallelNet, branch_output
from landscape.wang2023.tolerances import (
    BRANCH_DROP_RTOL,
)


# --------------------------------------------------------------------------------------------------------------
# sampled-constraint duals (upper bounds) and group lasso over given branches
# --------------------------------------------------------------------------------------------------------------
def sample_branches(d: int, L: int, width: int, count: int, rng: np.random.Generator) -> list:
    """``count`` random branches of depth L (hidden width ``width``), each layer Gaussian scaled to norm 1."""
    d, L, width, count = (
        positive_int("d", d),
        positive_int("L", L, minimum=2),
        positive_int("width", width),
        positive_int("count", count),
    )
    shapes = [(d, width)] + [(width, width)] * (L - 3) + [(width,)] if L >= 3 else [(d,)]
    out = []
    for _ in range(count):
        b = []
        for s in shapes:
            W = rng.standard_normal(s)
            b.append(W / np.linalg.norm(W))
        out.append(b)
    return out


def features_of(X: np.ndarray, branches) -> np.ndarray:
    """Branch outputs as columns (N x S)."""
    return np.column_stack([branch_output(X, b) for b in branches])


def sampled_dual(X: np.ndarray, Y: np.ndarray, F: np.ndarray, solver: str = "CLARABEL") -> RouteResult:
    """``max tr(Lam^T Y)`` s.t. ``||Lam^T f_s|| <= 1`` for the columns f_s of F only: a relaxation of the dual, hence
    an UPPER bound on it.  K = 1 goes to HiGHS (an LP), K > 1 to CVXPY.  ``ok`` False when unbounded (Y outside
    the span of the sampled outputs)."""
    Y = finite_array("Y", Y)
    Y = Y[:, None] if Y.ndim == 1 else Y
    F = finite_array("F", F, ndim=2, shape=(Y.shape[0], None))
    keep = np.linalg.norm(F, axis=0) > 0
    F = F[:, keep]
    if F.shape[1] == 0:
        return RouteResult(float("inf"), "no non-zero sampled output", False, route="sampled")
    if Y.shape[1] == 1:
        from scipy.optimize import linprog

        A = np.vstack([F.T, -F.T])
        res = linprog(-Y[:, 0], A_ub=A, b_ub=np.ones(A.shape[0]), bounds=(None, None), method="highs")
        if res.status != 0:
            return RouteResult(float("inf"), res.message, False, route="scipy/HiGHS")
        return RouteResult(float(-res.fun), "optimal", True, route="scipy/HiGHS", data={"Lam": res.x[:, None]})
    import cvxpy as cp

    Lam = cp.Variable(Y.shape)
    prob = cp.Problem(cp.Maximize(cp.sum(cp.multiply(Lam, Y))), [cp.norm(F.T @ Lam, 2, axis=1) <= 1])
    failed = solve_cvxpy(prob, solver, failed_value=float("inf"))
    if failed is not None:
        return failed
    return RouteResult(float(prob.value), "optimal", True, route=f"cvxpy/{solver}", data={"Lam": np.asarray(Lam.value)})


def exact_fit(F: np.ndarray, Y: np.ndarray, W: np.ndarray) -> np.ndarray:
    """A solver's last layer W with its interpolation residual removed: ``W + F^+ (Y - F W)``, the least-norm
    correction (solvers meet ``F W = Y`` only to their feasibility tolerance, 1e-7 for HiGHS; the correction is of
    that size, so the cost moves by as little).  Kept only if it lowers the residual."""
    W = np.asarray(W, dtype=np.float64).reshape(F.shape[1], -1)
    Y = Y.reshape(F.shape[0], -1)
    corrected = W + np.linalg.lstsq(F, Y - F @ W, rcond=None)[0]
    return corrected if np.linalg.norm(F @ corrected - Y) < np.linalg.norm(F @ W - Y) else W


def group_lasso(F: np.ndarray, Y: np.ndarray, solver: str = "CLARABEL", lp: bool = True) -> RouteResult:
    """Problem (26): the cheapest last layer ``min sum_j ||w_j||`` s.t. ``F W = Y`` for fixed branch outputs F.

    K = 1 with ``lp`` is a linear program (HiGHS); otherwise a second-order cone program (CVXPY).  ``data["W"]``
    (S x K)."""
    Y = finite_array("Y", Y)
    Y = Y[:, None] if Y.ndim == 1 else Y
    F = finite_array("F", F, ndim=2, shape=(Y.shape[0], None))
    S = F.shape[1]
    if Y.shape[1] == 1 and lp:
        from scipy.optimize import linprog

        res = linprog(np.ones(2 * S), A_eq=np.hstack([F, -F]), b_eq=Y[:, 0], bounds=(0, None), method="highs")
        if res.status != 0:
            return RouteResult(float("nan"), res.message, False, route="scipy/HiGHS")
        w = exact_fit(F, Y, (res.x[:S] - res.x[S:])[:, None])
        return RouteResult(float(np.abs(w).sum()), "optimal", True, route="scipy/HiGHS", data={"W": w})
    import cvxpy as cp

    W = cp.Variable((S, Y.shape[1]))
    prob = cp.Problem(cp.Minimize(cp.sum(cp.norm(W, 2, axis=1))), [F @ W == Y])
    failed = solve_cvxpy(prob, solver)
    if failed is not None:
        return failed
    Wv = exact_fit(F, Y, np.asarray(W.value))
    return RouteResult(
        float(np.linalg.norm(Wv, axis=1).sum()), "optimal", True, route=f"cvxpy/{solver}", data={"W": Wv}
    )


# --------------------------------------------------------------------------------------------------------------
# exact dual constraint of three-layer branches (K = 1, small data)
# --------------------------------------------------------------------------------------------------------------
def _blocks(N: int):
    """(S mask, sign) for every non-empty orthant S and sign: relu(z) = 1_S * z on the orthant of S."""
    for bits in itertools.product((True, False), repeat=N):
        S = np.array(bits)
        if S.any():
            for sigma in (1.0, -1.0):
                yield S, sigma


def _check_l3(X: np.ndarray, arr: Arrangements) -> tuple[np.ndarray, np.ndarray]:
    X = finite_array("X", X, ndim=2)
    if not isinstance(arr, Arrangements) or not arr.exact:
        raise ValueError("the exact three-layer dual needs an exact enumeration of the arrangement cells")
    if arr.patterns.shape[1] != X.shape[0]:
        raise ValueError(f"arrangement patterns have {arr.patterns.shape[1]} columns for {X.shape[0]} samples")
    if X.shape[0] > 6:
        raise ValueError(f"the orthant decomposition has 2^(N+1) blocks: N = {X.shape[0]} > 6 is too large")
    Dm = arr.patterns.T
    return Dm, 2.0 * Dm - 1.0


def _branch_from_blocks(Pb: np.ndarray, Qb: np.ndarray, theta: float):
    """A unit-bounded three-layer branch whose hidden output ``relu(X W_1) w_2`` is ``sum_j D_j X (p_j - q_j)/theta``
    (p_j, q_j in their cones): one unit per non-zero block with ``u = p/||p|| sqrt(rho)``, ``w_2 = +-sqrt(rho)``,
    ``rho = ||p||/theta`` (so ``||W_1||_F^2 = ||w_2||^2 = sum rho <= 1``)."""
    cols, w2 = [], []
    for B, sign in ((Pb, 1.0), (Qb, -1.0)):
        for p in B.T:
            npn = float(np.linalg.norm(p))
            if npn > BRANCH_DROP_RTOL * theta:
                rho = npn / theta
                cols.append(p / npn * math.sqrt(rho))
                w2.append(sign * math.sqrt(rho))
    return [np.array(cols).T, np.array(w2)]


def l3_constraint_value(X: np.ndarray, lam: np.ndarray, arr: Arrangements, solver: str = "CLARABEL") -> RouteResult:
    """``max |lam^T f(X)|`` over three-layer branches with ``||W_1||_F, ||w_2|| <= 1`` (any width >= N + 1), exactly.

    One second-order cone program per orthant S and sign s: maximize ``s lam_S^T z_S`` over ``z in C`` with z in the
    orthant, ``C = {sum_j D_j X (p_j - q_j) : p_j, q_j in K_j, sum ||p_j|| + ||q_j|| <= 1}``; the blocks are
    independent, so all are solved as one program with the sum of their objectives.  ``data["branch"]``: a branch
    attaining the maximum; ``data["block_values"]``.
    """
    import cvxpy as cp

    Dm, Sm = _check_l3(X, arr)
    lam = finite_array("lam", lam, ndim=1, shape=(X.shape[0],))
    d, P = X.shape[1], arr.P
    blocks = list(_blocks(X.shape[0]))
    objs, cons, vars_ = [], [], []
    for S, sigma in blocks:
        Pb, Qb = cp.Variable((d, P)), cp.Variable((d, P))
        z = cp.sum(cp.multiply(Dm, X @ (Pb - Qb)), axis=1)
        cons += [
            cp.multiply(Sm, X @ Pb) >= 0,
            cp.multiply(Sm, X @ Qb) >= 0,
            cp.sum(cp.norm(Pb, 2, axis=0)) + cp.sum(cp.norm(Qb, 2, axis=0)) <= 1,
        ]
        if S.all():
            cons.append(z >= 0)
        else:
            cons += [z[np.flatnonzero(S)] >= 0, z[np.flatnonzero(~S)] <= 0]
        objs.append(sigma * (lam * S) @ z)
        vars_.append((Pb, Qb))
    prob = cp.Problem(cp.Maximize(cp.sum(cp.hstack(objs))), cons)
    failed = solve_cvxpy(prob, solver)
    if failed is not None:
        return failed
    values = np.array([float(o.value) for o in objs])
    k = int(np.argmax(values))
    Pv, Qv = (np.asarray(v.value) for v in vars_[k])
    theta = float(np.linalg.norm(Pv, axis=0).sum() + np.linalg.norm(Qv, axis=0).sum())
    branch = _branch_from_blocks(Pv, Qv, max(theta, 1e-300)) if theta > 0 else None
    return RouteResult(
        float(values.max()), "optimal", True, route=f"cvxpy/{solver}", data={"block_values": values, "branch": branch}
    )


def l3_dual_exact(X: np.ndarray, y: np.ndarray, arr: Arrangements, solver: str = "CLARABEL") -> RouteResult:
    """The exact dual (24) (= (20) at t = 1) of three-layer nets for K = 1, as one second-order cone program.

    The constraint ``max_{z in C, z in orthant S} s lam_S^T z_S <= 1`` of each block is replaced by its conic dual:
    multipliers ``mu >= 0`` of the orthant signs and, per cell j, ``nu >= 0`` of the cone ``K_j`` with
    ``||X^T (D_j g) + X^T S_j nu|| <= 1`` (and the same for -g), ``g = s lam 1_S + mu (+-1 on/off S)``.
    """
    import cvxpy as cp

    Dm, Sm = _check_l3(X, arr)
    y = finite_array("y", y, ndim=1, shape=(X.shape[0],))
    N, P = X.shape[0], arr.P
    lam = cp.Variable(N)
    cons = []
    ones = np.ones((1, P))
    for S, sigma in _blocks(N):
        mu = cp.Variable(N, nonneg=True)
        nu_p = cp.Variable((N, P), nonneg=True)
        nu_m = cp.Variable((N, P), nonneg=True)
        g = sigma * cp.multiply(S.astype(float), lam) + cp.multiply(np.where(S, 1.0, -1.0), mu)
        G = cp.multiply(Dm, cp.reshape(g, (N, 1), order="F") @ ones)
        cons += [
            cp.norm(X.T @ (G + cp.multiply(Sm, nu_p)), 2, axis=0) <= 1,
            cp.norm(X.T @ (-G + cp.multiply(Sm, nu_m)), 2, axis=0) <= 1,
        ]
    prob = cp.Problem(cp.Maximize(lam @ y), cons)
    failed = solve_cvxpy(prob, solver)
    if failed is not None:
        return failed
    return RouteResult(float(prob.value), "optimal", True, route=f"cvxpy/{solver}", data={"lam": np.asarray(lam.value)})


def l3_bidual_exact(X: np.ndarray, y: np.ndarray, arr: Arrangements, solver: str = "CLARABEL") -> RouteResult:
    """The bi-dual: the convex program of parallel three-layer nets (K = 1), and the explicit net it yields.

    One block per orthant S and sign s: ``z_b = sum_j D_j X (p_bj - q_bj)`` in the orthant, ``y = sum_b s_b 1_S z_b``,
    minimize ``sum_b sum_j ||p_bj|| + ||q_bj||``.  Block b becomes one branch (``_branch_from_blocks``) with output
    weight ``s_b theta_b``, ``theta_b`` its share of the cost.  ``data["net"]``: the ParallelNet.
    """
    import cvxpy as cp

    Dm, Sm = _check_l3(X, arr)
    y = finite_array("y", y, ndim=1, shape=(X.shape[0],))
    d, P = X.shape[1], arr.P
    blocks = list(_blocks(X.shape[0]))
    cons, vars_, out, cost = [], [], 0, 0
    for S, sigma in blocks:
        Pb, Qb = cp.Variable((d, P)), cp.Variable((d, P))
        z = cp.sum(cp.multiply(Dm, X @ (Pb - Qb)), axis=1)
        cons += [cp.multiply(Sm, X @ Pb) >= 0, cp.multiply(Sm, X @ Qb) >= 0]
        if S.all():
            cons.append(z >= 0)
        else:
            cons += [z[np.flatnonzero(S)] >= 0, z[np.flatnonzero(~S)] <= 0]
        out = out + sigma * cp.multiply(S.astype(float), z)
        cost = cost + cp.sum(cp.norm(Pb, 2, axis=0)) + cp.sum(cp.norm(Qb, 2, axis=0))
        vars_.append((Pb, Qb, sigma))
    prob = cp.Problem(cp.Minimize(cost), cons + [out == y])
    failed = solve_cvxpy(prob, solver)
    if failed is not None:
        return failed
    thetas = []
    for Pb, Qb, _ in vars_:
        thetas.append(
            float(
                np.linalg.norm(np.asarray(Pb.value), axis=0).sum() + np.linalg.norm(np.asarray(Qb.value), axis=0).sum()
            )
        )
    total = max(sum(thetas), 1e-300)
    branches, weights = [], []
    for (Pb, Qb, sigma), theta in zip(vars_, thetas):
        if theta > BRANCH_DROP_RTOL * total:
            branches.append(_branch_from_blocks(np.asarray(Pb.value), np.asarray(Qb.value), theta))
            weights.append(sigma * theta)
    rows = np.array(weights, dtype=np.float64).reshape(len(weights), 1)
    # the branches are built from an interior-point point whose cone and equality constraints hold to ~1e-8, so
    # the explicit net's last layer gets the least-norm correction that makes it interpolate
    WL = exact_fit(features_of(X, branches), y[:, None], rows) if branches else rows
    net = ParallelNet(tuple(branches), WL)
    return RouteResult(float(prob.value), "optimal", True, route=f"cvxpy/{solver}", data={"net": net})
