"""Proposition 5: quadratic-class neurons on separable data, W = 0 with output weights of the uphill sign; the
Hessian block, the flipped descent point and (for sigma = z^2) the convex cone route."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape.core.validate import finite_array, positive_int
from landscape.liang2018 import models as lg
from landscape.liang2018.constructions.base import BadPoint
from landscape.liang2018.constructions.constant import constant_loss
from landscape.liang2018.data import class_counts
from landscape.liang2018.tolerances import strict_decrease


# -- Proposition 5: quadratic-class neurons on separable data -----------------------------------------------------
def weighted_second_moment(X, y, B: float, p: int) -> np.ndarray:
    """``S = sum_i lambda_i y_i x_i x_i^T`` at the constant output B (lambda_i = l_p'(-y_i B))."""
    X, y = lg.check_data(X, y)
    lam = lg.poly_hinge_prime(-y * B, p)
    return (X * (lam * y)[:, None]).T @ X


def prop5_constant_point(
    X, y, M: int, act: str = "square", p: int = 6, magnitudes=None, description: str = "", seed: int = 0
) -> BadPoint[lg.ShallowProblem]:
    """``W = 0``, every ``a_j`` of sign ``-sign(S)`` (S the weighted second moment at B*, a scalar for d = 1),
    ``a_0 = B* - sigma(0) sum_j a_j``: f = B* on the data, a local minimum because every small ``w_j`` moves the
    outputs along ``-sign(S) x^2``, which the weights lambda make uphill."""
    X, y = lg.check_data(X, y)
    M = positive_int("M (number of neurons)", M)
    if X.shape[1] != 1:
        raise ValueError("Proposition 5's construction here is one-dimensional (d = 1)")
    if "quadratic" not in lg.activation(act).classes:
        raise ValueError(f"Proposition 5 is about the quadratic class; {act!r} is not in it")
    n_plus, n_minus = class_counts(y)
    B = lg.constant_model_optimum(n_plus, n_minus, p)
    S = float(weighted_second_moment(X, y, B, p)[0, 0])
    if S == 0.0:
        raise ValueError("the weighted second moment S is exactly 0 (a probability-zero sample)")
    mags = np.ones(M) if magnitudes is None else np.abs(finite_array("magnitudes", magnitudes, shape=(M,)))
    if np.any(mags == 0):
        raise ValueError("output weights must be non-zero")
    a = -np.sign(S) * mags
    sigma0 = float(lg.activation(act).np_fn(np.array(0.0)))
    prob = lg.ShallowProblem(X, y, M, act, p)
    theta = prob.pack(B - sigma0 * float(np.sum(a)), a, np.zeros((1, M)))
    text = description or (
        f"prop5 separable 1-d: n+={n_plus} n-={n_minus} M={M} act={act} p={p} B*={B:.6g} "
        f"S={S:.4g} sign(a)={-int(np.sign(S)):+d}"
    )
    return BadPoint(
        "liang2018.prop5",
        prob,
        theta,
        constant_loss(B, y, p),
        "cone" if act == "square" else "constant-curved",
        text,
        seed,
        B_star=B,
        meta={"S": S},
    )


def flipped_descent_point(bp: BadPoint[lg.ShallowProblem], max_halvings: int = 60) -> tuple[np.ndarray | None, float]:
    """A lower point next to a Proposition-5 construction: flip every output weight (a_0 compensated so the
    output stays B* at W = 0) and move every w_j to a small common delta, halving delta until the loss is below
    the reference by more than rounding.  Returns (point, decrease) or (None, best change seen)."""
    prob = bp.problem
    assert bp.B_star is not None  # prop5_constant_point records B*
    a0, a, W = prob.unpack(bp.theta)
    sigma0 = float(lg.activation(prob.act).np_fn(np.array(0.0)))
    base = prob.value(bp.theta)
    delta, best = 0.5, np.inf
    for _ in range(max_halvings):
        a_new = -a
        cand = prob.pack(bp.B_star - sigma0 * float(np.sum(a_new)), a_new, np.full_like(W, delta))
        change = prob.value(cand) - base
        best = min(best, change)
        if change < -strict_decrease(base):
            return cand, change
        delta *= 0.5
    return None, best


@dataclass
class ConeValues:
    """Proposition 5 with sigma(z) = z^2: the model on the data is ``a_0 + A x^2`` (``A = sum_j a_j w_j^2``), and
    near the construction A keeps the sign s of the output weights.  ``constrained`` is the convex optimum over
    that cone, ``free`` the optimum without the sign constraint (both re-evaluated in numpy at the solver's
    point); ``ok`` only when both solves report ``optimal``."""

    ok: bool
    status: str
    constrained: float = float("nan")
    constrained_A: float = float("nan")
    free: float = float("nan")
    free_point: tuple = ()


def prop5_cone_values(bp: BadPoint[lg.ShallowProblem]) -> ConeValues:
    import cvxpy as cp

    prob = bp.problem
    if prob.act != "square":
        raise ValueError("the convex-cone route needs sigma(z) = z^2")
    x2 = prob.X[:, 0] ** 2
    y, p, n = prob.y, prob.p, prob.n
    s = float(np.sign(prob.unpack(bp.theta)[1][0]))
    out = []
    for constrained in (True, False):
        a0, A = cp.Variable(), cp.Variable()
        obj = cp.sum(cp.power(cp.pos(1 - cp.multiply(y, a0 + A * x2)), p + 1)) / n
        problem = cp.Problem(cp.Minimize(obj), [s * A >= 0] if constrained else [])
        problem.solve(solver=cp.CLARABEL)
        if problem.status != "optimal":
            return ConeValues(False, f"{'constrained' if constrained else 'free'} cone problem: {problem.status}")
        assert a0.value is not None and A.value is not None  # status "optimal": the solver set both
        a0v, Av = float(a0.value), float(A.value)
        out.append((float(np.mean(lg.poly_hinge(-y * (a0v + Av * x2), p))), a0v, Av))
    return ConeValues(True, "optimal", out[0][0], out[0][2], out[1][0], (out[1][1], out[1][2]))


def second_derivative_at_zero(act: str, h: float = 1e-3) -> float:
    """sigma''(0) by a central difference in numpy (exact for z^2; for cosh off by h^2/12 ~ 1e-7 relative, with
    rounding ~ eps / h^2 ~ 2e-10): a route independent of autograd."""
    f = lg.activation(act).np_fn
    return float((f(np.array(h)) - 2.0 * f(np.array(0.0)) + f(np.array(-h))) / h**2)


def curved_block(bp: BadPoint[lg.ShallowProblem]) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 5's second-order argument: the Hessian block in the input weights W at the construction,
    by autograd, and its closed form ``diag(-a_j sigma''(0) S / n)`` (the input weights do not couple)."""
    from landscape.core.certify import dense_hessian

    prob = bp.problem
    H = dense_hessian(prob.objective(), bp.theta)
    idx = np.arange(1 + prob.M, prob.size)
    block = H[np.ix_(idx, idx)]
    _, a, _ = prob.unpack(bp.theta)
    closed = np.diag(-a * second_derivative_at_zero(prob.act) * bp.meta["S"] / prob.n)
    return block, closed
