"""Data conditions, realizability and the logistic loss for the single-layer-plus-offsets model of Liang, Sun, Li,
Srikant (ICML 2018), Section 4.3-4.4 (Propositions 8-12).

What lives here (numerics only; the tests in ``theorems/test_liang2018_conditions.py`` combine the routes):

* the weighted second-moment matrix ``S(lam) = sum_i lam_i y_i x_i x_i^T`` and the two semidefinite programs
  behind Propositions 11 and 12: ``max t`` subject to ``side * S(lam) >= t I``, ``lam >= 0``, one unit of weight on
  each class, and (Proposition 11 only) a zero weighted mean ``sum_i lam_i y_i x_i = 0``.  A solver's answer is
  never taken on trust: the returned ``lam`` is cleaned onto the constraint set and its smallest eigenvalue
  recomputed with ``eigvalsh`` (a rigorous lower bound on the optimum), and the solver's dual matrix gives a
  rigorous upper bound through an explicit weak-duality inequality evaluated in numpy (with an LP for the
  multiplier of the zero-mean constraint).  Only a bound that clears a tolerance decides a side;
* the bad local minimum a definite ``S(lam)`` implies: targets realizing ``lam`` as loss derivatives, offsets
  standing for the second network, all input weights zero and output weights of one sign;
* Proposition 8's shift-and-scale map, turning a zero-error feed-forward parameter into a zero-loss one;
* Proposition 10's Euler identity for the output layer, and the lower bound it gives at error-free points;
* Proposition 9's tools: balancing the output bias, the explicit direction of the subspace lemma, the spare-neuron
  descent move, and a classifier of optimizer end points for losses without minimizer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from landscape.core import certify as cert
from landscape.core.results import RouteResult, solve_cvxpy
from landscape.core.validate import finite_array, finite_scalar, positive_int
from landscape.liang2018 import minima as lm
from landscape.liang2018 import models as lg
from landscape.liang2018.tolerances import (  # noqa: F401  (re-exported: the tests read them here)
    CLEAN_RESIDUAL_RTOL,
    DELTA_NORM,
    EPS64,
    EVAL_RTOL,
    HESS_RTOL,
    LAMBDA_ZERO_RTOL,
    MU_BOX,
    REL_GRAD_TOL,
    SDP_DECIDE_RTOL,
    SDP_VALUE_RTOL,
    SPARE_AJ,
    UNDECIDABLE_LOSS,
    conic_poly_hinge_value,
)


# ------------------------------------------------------------------------------------------------------------
# The weighted second-moment matrix and the admissible weights
# ------------------------------------------------------------------------------------------------------------
def _check_xy(X, y):
    X, y = lg.check_data(X, y)
    if not (np.any(y > 0) and np.any(y < 0)):
        raise ValueError("the data conditions need both classes in the sample")
    return X, y


def _check_side(side) -> int:
    if side not in (1, -1):
        raise ValueError(f"side must be +1 (S >= t I) or -1 (-S >= t I), got {side!r}")
    return int(side)


def second_moment(X, y, lam) -> np.ndarray:
    """``S(lam) = sum_i lam_i y_i x_i x_i^T`` (symmetric, d x d)."""
    X, y = lg.check_data(X, y)
    lam = finite_array("lam", lam, ndim=1, shape=(X.shape[0],))
    S = (X * (lam * y)[:, None]).T @ X
    return 0.5 * (S + S.T)


def data_scale(X) -> float:
    """``max_i ||x_i||^2``: with unit weight on each class, ``||S(lam)||_2`` is at most twice this."""
    X = finite_array("X", X, ndim=2)
    return float(np.max(np.sum(X * X, axis=1)))


def constraint_matrix(X, y, zero_mean: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``A lam = b``: unit weight on positives, unit weight on negatives, and (``zero_mean``) the d rows
    of ``sum_i lam_i y_i x_i = 0``."""
    rows = [(y > 0).astype(float), (y < 0).astype(float)]
    b = [1.0, 1.0]
    if zero_mean:
        rows += list((X * y[:, None]).T)
        b += [0.0] * X.shape[1]
    return np.array(rows), np.array(b)


def clean_weights(X, y, lam, zero_mean: bool) -> np.ndarray | None:
    """The solver's weights moved onto the constraint set: tiny entries zeroed, then the least-norm correction
    on the remaining support that restores ``A lam = b`` exactly (to rounding).  ``None`` if the correction
    would make a weight negative or cannot restore the constraints (the caller treats that as inconclusive)."""
    X, y = lg.check_data(X, y)
    lam = np.maximum(finite_array("lam", lam, ndim=1, shape=(X.shape[0],)), 0.0)
    if lam.max() <= 0:
        return None
    A, b = constraint_matrix(X, y, zero_mean)
    support = lam > LAMBDA_ZERO_RTOL * lam.max()
    out = np.zeros_like(lam)
    sub = lam[support]
    for _ in range(3):  # one correction is exact up to rounding; a second and third polish the last ulps
        sub = sub + np.linalg.lstsq(A[:, support], b - A[:, support] @ sub, rcond=None)[0]
    if np.any(sub < 0):
        return None
    out[support] = sub
    if np.max(np.abs(A @ out - b)) > CLEAN_RESIDUAL_RTOL * (1.0 + math.sqrt(data_scale(X))):
        return None
    return out


def constraint_residual(X, y, lam, zero_mean: bool) -> float:
    A, b = constraint_matrix(X, y, zero_mean)
    return float(max(np.max(np.abs(A @ lam - b)), max(0.0, -float(np.min(lam)))))


def side_value(X, y, lam, side: int) -> float:
    """``lambda_min(side * S(lam))``: the largest t with ``side * S(lam) >= t I`` (exact up to eigvalsh)."""
    return float(np.linalg.eigvalsh(_check_side(side) * second_moment(X, y, lam))[0])


def dual_upper_bound(X, y, side: int, Z, zero_mean: bool) -> tuple[float, np.ndarray]:
    """A rigorous upper bound on the SDP value from any ``Z >= 0`` (weak duality), and the multiplier used.

    For admissible ``lam`` and ``side * S(lam) >= t I``: with ``Z`` PSD of unit trace, ``t <= <Z, side S(lam)> =
    sum_i lam_i c_i`` where ``c_i = side * y_i x_i^T Z x_i``; for any ``mu`` the zero-mean constraint lets one
    subtract ``mu^T y_i x_i`` from every ``c_i``, and unit class weights bound the sum by the largest value on
    each class.  ``mu`` (only with ``zero_mean``) comes from an LP (HiGHS); the bound itself is evaluated here,
    so it is valid for whatever ``mu`` the LP returns.
    """
    X, y = _check_xy(X, y)
    side = _check_side(side)
    Z = finite_array("Z", Z, ndim=2, shape=(X.shape[1], X.shape[1]))
    w, V = np.linalg.eigh(0.5 * (Z + Z.T))
    w = np.maximum(w, 0.0)
    if w.sum() <= 0:
        raise ValueError("Z has no positive eigenvalue; it cannot bound the SDP")
    Z = (V * (w / w.sum())) @ V.T
    c = side * y * np.einsum("ij,jk,ik->i", X, Z, X)
    pos, neg = y > 0, y < 0
    mu = np.zeros(X.shape[1])
    if zero_mean:
        from scipy.optimize import linprog

        d = X.shape[1]
        a = X * y[:, None]  # rows y_i x_i
        # variables (nu_+, nu_-, mu): minimize nu_+ + nu_- s.t. c_i - mu^T a_i <= nu_class(i)
        G = np.zeros((X.shape[0], 2 + d))
        G[pos, 0] = -1.0
        G[neg, 1] = -1.0
        G[:, 2:] = -a
        box = MU_BOX * math.sqrt(data_scale(X))
        res = linprog(
            np.r_[1.0, 1.0, np.zeros(d)],
            A_ub=G,
            b_ub=-c,
            bounds=[(None, None), (None, None)] + [(-box, box)] * d,
            method="highs",
        )
        if res.status == 0:
            mu = res.x[2:]
    shifted = c - (X * y[:, None]) @ mu
    return float(np.max(shifted[pos]) + np.max(shifted[neg])), mu


def admissible_exists(X, y, zero_mean: bool) -> RouteResult:
    """Is there any admissible ``lam`` at all?  (An LP feasibility problem, HiGHS; ``value`` 1 or 0.)"""
    from scipy.optimize import linprog

    X, y = _check_xy(X, y)
    A, b = constraint_matrix(X, y, zero_mean)
    res = linprog(np.zeros(X.shape[0]), A_eq=A, b_eq=b, bounds=[(0, None)] * X.shape[0], method="highs")
    if res.status == 0:
        return RouteResult(1.0, "feasible", True, "scipy/highs", {"lam": res.x})
    if res.status == 2:
        return RouteResult(0.0, "infeasible", True, "scipy/highs")
    return RouteResult(np.nan, res.message, False, "scipy/highs")


def _side_result(
    side: int,
    zero_mean: bool,
    status: str,
    solver: str,
    t_solver: float,
    lower: float,
    upper: float,
    lam: np.ndarray | None,
    residual: float,
    scale: float,
    Z: np.ndarray | None = None,
) -> RouteResult:
    """One SDP side as a route result: ``value`` is the solver's t*, ``ok`` says whether the side is decided, and
    ``data`` holds the two certified bounds around t* and what they came from:

    ``side``, ``zero_mean``; ``lower`` (lambda_min(side S(lam)) at the cleaned admissible weights, or -inf);
    ``upper`` (weak-duality bound from the solver's dual matrix, or +inf); ``lam`` (cleaned admissible weights or
    None); ``residual`` (constraint residual of lam); ``scale`` (data scale max ||x_i||^2); ``decide_tol``
    (``SDP_DECIDE_RTOL * scale``); ``verdict`` ("definite", "not-definite" or "inconclusive"); ``Z`` (dual matrix).
    """
    tol = SDP_DECIDE_RTOL * scale
    verdict = "definite" if lower > tol else "not-definite" if upper < -tol else "inconclusive"
    data = {
        "side": side,
        "zero_mean": zero_mean,
        "lower": lower,
        "upper": upper,
        "lam": lam,
        "residual": residual,
        "scale": scale,
        "decide_tol": tol,
        "verdict": verdict,
        "Z": Z,
    }
    return RouteResult(t_solver, status, verdict != "inconclusive", route=f"cvxpy/{solver}", data=data)


def condition_sdp(X, y, side: int, zero_mean: bool, solver: str = "CLARABEL") -> RouteResult:
    """Solve ``max t  s.t.  side * S(lam) >= t I,  lam >= 0,  sum_+ lam = sum_- lam = 1  [, sum lam_i y_i x_i = 0]``
    with CVXPY and certify the answer from both sides (see the module docstring).

    Verdict ``definite``: an admissible ``lam`` with ``side * S(lam)`` positive definite beyond the tolerance was
    found and re-verified.  ``not-definite``: the certified upper bound is negative beyond the tolerance (no
    admissible ``lam`` makes ``side * S`` even semidefinite; vacuous when no admissible ``lam`` exists).
    """
    import cvxpy as cp

    X, y = _check_xy(X, y)
    side = _check_side(side)
    n, d = X.shape
    scale = data_scale(X)
    G = np.stack([y[i] * np.outer(X[i], X[i]).reshape(-1) for i in range(n)], axis=1)
    lam = cp.Variable(n, nonneg=True)
    t = cp.Variable()
    E = cp.reshape(G @ lam, (d, d), order="F")
    lmi = side * (E + E.T) / 2 - t * np.eye(d) >> 0
    cons = [lmi, cp.sum(lam[y > 0]) == 1, cp.sum(lam[y < 0]) == 1]
    if zero_mean:
        cons.append((X.T * y) @ lam == 0)
    prob = cp.Problem(cp.Maximize(t), cons)
    try:
        prob.solve(solver=solver)
    except cp.error.SolverError as exc:
        return _side_result(
            side, zero_mean, f"solver error: {exc}", solver, np.nan, -np.inf, np.inf, None, np.nan, scale
        )
    status = str(prob.status)
    lower, upper, clean, residual, Z = -np.inf, np.inf, None, np.nan, None
    if status == cp.OPTIMAL and lam.value is not None:
        clean = clean_weights(X, y, lam.value, zero_mean)
        if clean is not None:
            lower = side_value(X, y, clean, side)
            residual = constraint_residual(X, y, clean, zero_mean)
        if lmi.dual_value is not None:
            Z = np.asarray(lmi.dual_value, dtype=float)
    elif status == cp.INFEASIBLE:
        Z = np.eye(d)  # no admissible lam: any unit-trace Z with a good multiplier bounds the (empty) problem
    else:
        return _side_result(side, zero_mean, status, solver, np.nan, -np.inf, np.inf, None, np.nan, scale)
    if Z is not None and np.max(np.linalg.eigvalsh(0.5 * (Z + Z.T))) > 0:
        upper = dual_upper_bound(X, y, side, Z, zero_mean)[0]
    t_solver = float(t.value) if t.value is not None else np.nan
    return _side_result(side, zero_mean, status, solver, t_solver, lower, upper, clean, residual, scale, Z)


# ------------------------------------------------------------------------------------------------------------
# The bad local minimum implied by a definite S(lam) (Propositions 11 and 12, "only if")
# ------------------------------------------------------------------------------------------------------------
@cache
def activation_at_zero(act: str) -> tuple[float, float, float]:
    """``(sigma(0), sigma'(0), sigma''(0))`` of the neuron as the model applies it (input scale included), by
    torch autograd (cached per activation name: the catalogue is fixed)."""
    import torch

    a = lg.activation(act)

    def s(z):
        return a(z / a.input_scale)

    z = torch.zeros((), dtype=torch.float64)
    d1 = torch.func.grad(s)
    d2 = torch.func.grad(d1)
    return float(s(z)), float(d1(z)), float(d2(z))


def margins_for_weights(lam: np.ndarray, p: int, loss: str) -> np.ndarray:
    """``z_i = -y_i f_i`` with ``l'(z_i) = lam_i`` (inverse of the loss derivative; ``lam_i = 0`` -> z = -2,
    inside the flat part of the polynomial hinge)."""
    lam = np.asarray(lam, dtype=float)
    if loss == "poly_hinge":
        return np.where(lam > 0, (np.maximum(lam, 0.0) / (p + 1)) ** (1.0 / p) - 1.0, -2.0)
    if loss == "logistic":
        q = lam * math.log(2.0)
        if np.any(q <= 0) or np.any(q >= 1):
            raise ValueError("the logistic loss realizes only weights in (0, 1/ln 2)")
        return np.log(q) - np.log1p(-q)
    raise ValueError(f"no inverse derivative for the loss {loss!r}")


@dataclass
class PlantedMinimum:
    """A parameter ``theta`` of ``problem`` (single layer plus offsets) built from admissible weights ``lam``:
    input weights 0, output weights of sign ``-side``, offsets realizing the target margins ``z``."""

    problem: lg.ShallowProblem
    theta: np.ndarray
    lam: np.ndarray  # the weights l'(z_i), scaled
    z: np.ndarray  # target -y_i f_i
    side: int
    value: float  # closed form (1/n) sum l(z_i)
    expected_errors: int  # errors of the target outputs under the paper's sgn
    note: str = ""

    def summary(self) -> str:
        p = self.problem
        return (
            f"planted minimum n={p.n} d={p.d} M={p.M} act={p.act} loss={p.loss} p={p.p} side={self.side:+d} "
            f"L*={self.value:.6g} errors={self.expected_errors} {self.note}"
        ).strip()


def plant_bad_minimum(
    X,
    y,
    lam,
    side: int,
    act: str,
    M: int,
    p: int = 6,
    loss: str = "poly_hinge",
    level: float = 1.0,
    B: float = 0.0,
    a_magnitudes=None,
    note: str = "",
) -> PlantedMinimum:
    """The construction behind Propositions 11/12 ("only if"): from admissible ``lam`` (balanced class weights,
    and a zero weighted mean when ``sigma'(0) != 0``) with ``side * S(lam)`` definite, a parameter whose loss
    cannot decrease nearby.

    ``lam`` is rescaled so that the largest weight sits at margin ``z = level - 1`` (``level >= 1``: that sample
    is misclassified for ``level > 1``, and on the boundary f = 0 for ``level = 1``); every other sample gets the
    margin whose loss derivative is its weight.  Offsets ``c_i = f_i - B`` carry the targets (a second network
    that is locally constant), ``f_S`` is the constant ``B``: ``W = 0``, ``a_j = -side |a_j|``,
    ``a_0 = B - sigma(0) sum_j a_j``.  Near this point ``L >= L* - (1/n) sum_j a_j g_lam(w_j)`` by convexity of
    the loss, and ``g_lam`` has a strict local minimum (side +1) or maximum (side -1) of value 0 at w = 0.
    """
    X, y = _check_xy(X, y)
    side = _check_side(side)
    M = positive_int("M", M)
    level = finite_scalar("level", level, minimum=1.0)
    lam = finite_array("lam", lam, ndim=1, shape=(X.shape[0],))
    if np.any(lam < 0):
        raise ValueError("lam must be non-negative")
    if not np.isclose(lam[y > 0].sum(), lam[y < 0].sum(), rtol=1e-9, atol=0) or lam.max() <= 0:
        raise ValueError("lam must put equal, positive total weight on the two classes")
    s0, s1, _ = activation_at_zero(act)
    mean = np.linalg.norm((X * (lam * y)[:, None]).sum(axis=0))
    if s1 != 0.0 and mean > CLEAN_RESIDUAL_RTOL * lam.sum() * (1.0 + math.sqrt(data_scale(X))):
        raise ValueError(f"the weighted mean sum lam_i y_i x_i = {mean:.3g} must vanish when sigma'(0) != 0")
    if loss == "poly_hinge":
        lam = lam * ((p + 1) * level**p / lam.max())
    elif loss == "logistic":
        top = 1.0 / (1.0 + math.exp(-(level - 1.0)))  # l'(level - 1) ln 2
        lam = lam * (top / math.log(2.0) / lam.max())
    else:
        raise ValueError(f"unknown loss {loss!r} for the construction")
    z = margins_for_weights(lam, p, loss)
    f = -y * z
    offsets = f - B
    rng_a = (
        np.ones(M) if a_magnitudes is None else np.abs(finite_array("a_magnitudes", a_magnitudes, ndim=1, shape=(M,)))
    )
    if np.any(rng_a == 0):
        raise ValueError("output weights must be non-zero")
    a = -side * rng_a
    problem = lg.ShallowProblem(X, y, M, act, p, loss, offsets)
    theta = problem.pack(B - s0 * float(np.sum(a)), a, np.zeros((X.shape[1], M)))
    value = float(np.mean(lg.LOSSES[loss][0](z, p)))
    expected = lg.error_count(f, y)
    return PlantedMinimum(problem, theta, lam, z, side, value, expected, note)


def flipped(planted: PlantedMinimum) -> np.ndarray:
    """The same point with every output weight's sign flipped (and a_0 moved to keep f_S = B): the curvature of
    ``-(1/n) sum_j a_j g_lam(w_j)`` changes sign, so the point becomes a saddle (a planted negative control)."""
    p = planted.problem
    a0, a, W = p.unpack(planted.theta)
    s0 = activation_at_zero(p.act)[0]
    B = a0 + s0 * float(np.sum(a))
    return p.pack(B + s0 * float(np.sum(a)), -a, W)


def convex_quadratic_fit(X, y, offsets, p: int, cone_side: int = 0, solver: str = "CLARABEL") -> RouteResult:
    """``min over (a_0, A symmetric) of (1/n) sum_i max(1 - y_i (a_0 + x_i^T A x_i + c_i), 0)^(p+1)``, optionally
    with ``cone_side * A <= 0``.  The value is re-evaluated in numpy at the returned point (``data['value']``),
    which is an attained loss of the network whenever ``A`` is realizable (any symmetric A with M >= d)."""
    import cvxpy as cp

    X, y = _check_xy(X, y)
    c = finite_array("offsets", offsets, ndim=1, shape=(X.shape[0],))
    n, d = X.shape
    a0 = cp.Variable()
    A = cp.Variable((d, d), symmetric=True)
    quad = cp.hstack([X[i] @ A @ X[i] for i in range(n)])
    margins = cp.multiply(y, a0 + quad + c)
    obj = cp.sum(cp.power(cp.pos(1 - margins), p + 1)) / n
    cons = [] if cone_side == 0 else [-_check_side(cone_side) * A >> 0]
    prob = cp.Problem(cp.Minimize(obj), cons)
    failed = solve_cvxpy(prob, solver, A)
    if failed is not None:
        return failed
    assert A.value is not None and a0.value is not None  # solve_cvxpy checked A; an optimal solve sets a0 too
    Av = 0.5 * (A.value + A.value.T)
    if cone_side != 0:  # project onto the cone so the re-evaluated value belongs to an admissible point
        w, V = np.linalg.eigh(-cone_side * Av)
        Av = -cone_side * (V * np.maximum(w, 0.0)) @ V.T
    f = float(a0.value) + np.einsum("ij,jk,ik->i", X, Av, X) + c
    value = float(np.mean(lg.poly_hinge(-y * f, p)))
    return RouteResult(
        float(prob.value),
        str(prob.status),
        True,
        f"cvxpy/{solver}",
        {"a0": float(a0.value), "A": Av, "value": value, "outputs": f},
    )


def quadratic_network_from(a0: float, A: np.ndarray, M: int) -> tuple[np.ndarray, np.ndarray, float]:
    """``(a, W, a0)`` of M >= d quadratic neurons with ``W diag(a) W^T = A`` (eigendecomposition; extra neurons
    switched off)."""
    A = finite_array("A", A, ndim=2)
    d = A.shape[0]
    if M < d:
        raise ValueError(f"M = {M} quadratic neurons cannot realize every symmetric {d}x{d} matrix (need M >= d)")
    w, V = np.linalg.eigh(0.5 * (A + A.T))
    a = np.zeros(M)
    W = np.zeros((d, M))
    a[:d] = w
    W[:, :d] = V
    return a, W, float(a0)


# ------------------------------------------------------------------------------------------------------------
# Proposition 8: shift and scale
# ------------------------------------------------------------------------------------------------------------
def shift_and_scale(problem: lg.FeedForwardProblem, theta, target_margin: float = 2.0) -> np.ndarray:
    """From a zero-error parameter, one whose every margin ``y_i f_i`` is at least ``target_margin``.

    Step 1 moves the output bias up by half the smallest ``|f|`` among negatives (so positives, which may sit at
    f = 0, become strictly positive and negatives stay negative); step 2 multiplies the output layer
    ``(W_L, b_L)`` by ``target_margin / shift``.  Both change only the last (linear) layer.
    """
    theta = finite_array("theta", theta, ndim=1, shape=(problem.size,)).copy()
    target_margin = finite_scalar("target_margin", target_margin, minimum=0.0, strict=True)
    f = problem.outputs(theta)
    if problem.errors(theta) != 0:
        raise ValueError("shift_and_scale needs a zero-error parameter")
    neg = problem.y < 0
    shift = 0.5 * float(np.min(np.abs(f[neg]))) if neg.any() else 1.0
    W, b = problem.unpack(theta)[-1]
    b += shift  # views into theta
    theta[-(W.size + b.size) :] *= target_margin / shift
    return theta


def constant_critical_point(problem: lg.FeedForwardProblem, rng: np.random.Generator) -> np.ndarray:
    """A critical point of the logistic loss of a feed-forward net: every weight matrix 0 (hidden biases drawn),
    output bias ``log(n_+ / n_-)``.  Then f is the constant b, the hidden activations are the same on every
    sample, and ``n_+ sigmoid(-b) = n_- sigmoid(b)`` makes every partial derivative vanish."""
    if problem.loss != "logistic":
        raise ValueError("the constant critical point is computed for the logistic loss")
    n_plus, n_minus = int(np.sum(problem.y > 0)), int(np.sum(problem.y < 0))
    if n_plus == 0 or n_minus == 0:
        raise ValueError("the constant critical point needs both classes")
    layers = []
    for a, b in zip(problem.widths[:-1], problem.widths[1:]):
        layers.append((np.zeros((a, b)), rng.standard_normal(b)))
    layers[-1] = (layers[-1][0], np.array([math.log(n_plus / n_minus)]))
    return problem.pack(layers)


def output_layer_slice(problem: lg.FeedForwardProblem) -> slice:
    """Positions of ``(W_L, b_L)`` in the flat parameter vector (they come last)."""
    k = problem.widths[-2] * problem.widths[-1] + problem.widths[-1]
    return slice(problem.size - k, problem.size)


# ------------------------------------------------------------------------------------------------------------
# Proposition 10: the Euler identity of the output layer
# ------------------------------------------------------------------------------------------------------------
def euler_sides(problem: lg.FeedForwardProblem, theta) -> dict:
    """Both sides of ``sum_i lam_i y_i f_i = -n <grad_(W_L, b_L) L, (W_L, b_L)>`` (f is linear in the output
    layer): the left by the closed form in numpy, the right from the torch gradient.  ``scale`` bounds the
    size of the terms both sides sum (for the rounding allowance): ``sum_i lam_i (|W_L| |h_i| + |b_L|)``."""
    theta = finite_array("theta", theta, ndim=1, shape=(problem.size,))
    f = problem.outputs(theta)
    lam = lg.LOSSES[problem.loss][1](-problem.y * f, problem.p)
    lhs = float(np.sum(lam * problem.y * f))
    value, grad = cert.gradient(problem.objective(), theta)
    sl = output_layer_slice(problem)
    inner = float(grad[sl] @ theta[sl])
    # last hidden layer's activations (numpy), for the size of the output layer's terms
    h = problem.X
    layers = problem.unpack(theta)
    act = lg.activation(problem.act)
    for W, b in layers[:-1]:
        h = act.np_fn(h @ W + b)
    W_L, b_L = layers[-1]
    term = np.abs(h) @ np.abs(W_L).reshape(-1) + abs(float(b_L[0]))
    return {
        "lhs": lhs,
        "rhs": -problem.n * inner,
        "inner": inner,
        "lam": lam,
        "f": f,
        "value": value,
        "grad": grad,
        "grad_out_norm": float(np.linalg.norm(grad[sl])),
        "out_norm": float(np.linalg.norm(theta[sl])),
        "scale": float(np.sum(lam * term)),
    }


def euler_lower_bound(lam, y, f) -> float:
    """At an error-free point every ``y_i f_i >= 0``: ``(1/n) sum lam_i y_i f_i >= (1/n) min_i lam_i sum_i y_i f_i``."""
    lam, y, f = (np.asarray(v, dtype=float) for v in (lam, y, f))
    return float(np.min(lam) * np.sum(y * f) / y.size)


# ------------------------------------------------------------------------------------------------------------
# Proposition 9: output bias balance, the subspace lemma's direction, the spare-neuron move
# ------------------------------------------------------------------------------------------------------------
def balance_output_bias(problem: lg.ShallowProblem, theta) -> np.ndarray:
    """``theta`` with ``a_0`` moved so that ``sum_i lam_i y_i = 0`` (the loss is stationary in ``a_0``).  For
    losses with ``l' > 0`` the map ``a_0 -> sum_i l'(-y_i f_i) y_i`` decreases strictly from ``n_+ sup l'`` to
    ``-n_- sup l'``; its root is found by bracketing (brentq)."""
    from scipy.optimize import brentq

    if problem.loss != "logistic":
        raise ValueError("balancing by bisection needs a loss with positive derivative (logistic)")
    theta = finite_array("theta", theta, ndim=1, shape=(problem.size,)).copy()
    f0 = problem.outputs(theta) - theta[0]
    prime = lg.LOSSES[problem.loss][1]

    def h(a0):
        return float(np.sum(prime(-problem.y * (f0 + a0)) * problem.y))

    lo, hi = -1.0, 1.0
    while h(lo) <= 0:
        lo *= 2.0
    while h(hi) >= 0:
        hi *= 2.0
    theta[0] = brentq(h, lo, hi, xtol=1e-15, rtol=4 * EPS64, maxiter=200)
    return theta


def subspace_direction(X, y, lam, basis_vector, act: str) -> np.ndarray:
    """The lemma's direction ``s e`` for a basis vector ``e`` owned by the positives only: ``s`` is the sign of
    ``sigma'(0) sum_{y_i = 1} lam_i e^T x_i`` (1 when that is 0).  Then ``g_lam(t s e) > 0`` for every t > 0."""
    e = finite_array("basis_vector", basis_vector, ndim=1)
    s1 = activation_at_zero(act)[1]
    lin = s1 * float(np.sum((lam * (X @ e))[np.asarray(y) > 0]))
    return (1.0 if lin >= 0 else -1.0) * e


@dataclass
class Move:
    decreased: bool
    base: float
    new: float
    eps: float
    g: float
    predicted: float
    theta: np.ndarray


def spare_neuron_move(problem: lg.ShallowProblem, theta, j: int, w, eps0: float = 1e-2, halvings: int = 40) -> Move:
    """Switch neuron ``j`` (output weight 0) on at input weight ``w``: ``a_j = eps s``, ``a_0 -= eps s sigma(0)``
    with ``s`` the sign of ``g_c = g_lam(w) - sigma(0) sum_i lam_i y_i`` (= g_lam(w) when a_0 is balanced).

    Moving ``w_j`` is free while ``a_j = 0``; the switched-on neuron then adds ``eps s (sigma(w^T x_i) -
    sigma(0))`` to every output, so the loss changes by ``-eps |g_c| / n + O(eps^2 max_i |sigma(w^T x_i) -
    sigma(0)|^2)``.  (Without the a_0 correction the second-order term would carry sigma(0)^2 and swamp the
    first-order gain whenever g is small, e.g. for sigma'(0) = 0 and w near 0.)  ``eps`` is halved until the
    evaluated decrease is at least half the first-order prediction and above rounding."""
    theta = finite_array("theta", theta, ndim=1, shape=(problem.size,))
    a0, a, W = problem.unpack(theta)
    if abs(a[j]) > SPARE_AJ:
        raise ValueError(f"neuron {j} is not switched off (a_j = {a[j]:.3g})")
    s0 = activation_at_zero(problem.act)[0]
    base = problem.value(theta)
    lam = problem.lambdas(theta)
    g = problem.g_lambda(lam, w) - s0 * float(np.sum(lam * problem.y))
    W2, a2 = W.copy(), a.copy()
    W2[:, j] = np.asarray(w, dtype=float)
    eps = eps0
    new, moved = base, theta
    for _ in range(halvings):
        a2[j] = eps * np.sign(g)
        moved = problem.pack(a0 - a2[j] * s0, a2, W2)
        new = problem.value(moved)
        predicted = eps * abs(g) / problem.n
        if base - new >= 0.5 * predicted and base - new > 1e3 * EPS64 * (1.0 + base):
            return Move(True, base, new, eps, g, predicted, moved)
        eps *= 0.5
    return Move(False, base, new, eps, g, eps * abs(g) / problem.n, moved)


# ------------------------------------------------------------------------------------------------------------
# End points of a loss without minimizer (Proposition 9)
# ------------------------------------------------------------------------------------------------------------
@dataclass
class EndPointVerdict:
    status: str  # "not-critical", "escaped", "local-min", "inconclusive"
    value: float
    errors: int
    rel_grad: float
    grad_norm: float
    details: dict = field(default_factory=dict)

    @property
    def is_minimum(self) -> bool:
        return self.status == "local-min"


def relative_gradient(problem, theta) -> tuple[float, float, float]:
    """``(||grad L||, scale, ratio)`` with ``scale = (1/n) sum_i |l'_i| ||grad f_i||``, the size the gradient
    would have if none of its per-sample terms cancelled (``ratio`` is in [0, 1])."""
    import torch

    loss = problem.objective()
    value, grad = cert.gradient(loss, theta)
    J = torch.func.jacrev(problem.torch_outputs)(torch.tensor(theta, dtype=torch.float64)).numpy()
    lam = np.abs(problem.lambdas(theta))
    scale = float(np.mean(lam * np.linalg.norm(J, axis=1)))
    g = float(np.linalg.norm(grad))
    return g, scale, (g / scale if scale > 0 else (0.0 if g == 0 else np.inf))


def classify_end_point(problem: lg.ShallowProblem, theta, seed: int = 0, samples: int = 100) -> EndPointVerdict:
    """Decide whether an optimizer end point can be a local minimum.

    ``not-critical``: the gradient is non-zero beyond its rounding (relative gradient > REL_GRAD_TOL).
    ``escaped``: approximately critical, but a switched-off neuron's move or the certifier (negative Hessian
    eigenvalue, a lower nearby point) shows descent.  ``local-min``: certified (a zero loss of a loss with
    minimum 0 is a global minimum outright).  ``inconclusive``: undecidable (non-finite, loss underflow, an
    approximately critical point at a loss too small for the perturbation test, a saturated neuron).
    """
    theta = finite_array("theta", theta, ndim=1, shape=(problem.size,))
    value = problem.value(theta)
    errors = problem.errors(theta)
    if value == 0.0:
        if problem.loss == "logistic":  # log2(1 + e^z) > 0: an exact zero is an underflow
            return EndPointVerdict("inconclusive", value, errors, np.nan, np.nan, {"reason": "loss underflow"})
        return EndPointVerdict("local-min", value, errors, 0.0, 0.0, {"reason": "zero loss: global minimum"})
    g, scale, rho = relative_gradient(problem, theta)
    if not np.isfinite(rho):
        return EndPointVerdict("inconclusive", value, errors, rho, g, {"reason": "non-finite gradient"})
    if rho > REL_GRAD_TOL:
        return EndPointVerdict("not-critical", value, errors, rho, g)
    a0, a, W = problem.unpack(theta)
    rng = np.random.default_rng(seed)
    for j in np.flatnonzero(np.abs(a) <= SPARE_AJ):
        for _ in range(10):
            delta = rng.standard_normal(problem.d)
            mv = spare_neuron_move(problem, theta, int(j), W[:, j] + DELTA_NORM * delta / np.linalg.norm(delta))
            if mv.decreased:
                return EndPointVerdict(
                    "escaped",
                    value,
                    errors,
                    rho,
                    g,
                    {"move": "spare neuron", "neuron": int(j), "decrease": mv.base - mv.new},
                )
    if value < UNDECIDABLE_LOSS:
        return EndPointVerdict(
            "inconclusive", value, errors, rho, g, {"reason": f"approximately critical at loss {value:.3g}"}
        )
    loss = problem.objective()
    H = cert.dense_hessian(loss, theta)
    eig_tol = max(HESS_RTOL * float(np.max(np.abs(H))), np.finfo(float).tiny)
    grad_tol = max(REL_GRAD_TOL * scale, np.finfo(float).tiny)
    # a neuron saturated on its activation's asymptote (all its gradient terms below grad_tol, all its curvature
    # terms below eig_tol; see landscape.liang2018.minima.saturated_neuron) leaves the certifier blind in its
    # directions: withheld, never a local minimum (a nightly run's Newton search stopped at such a point)
    saturated = lm.saturated_neuron(problem, theta, grad_tol, eig_tol)
    c = cert.certify(
        loss,
        theta,
        grad_tol=grad_tol,
        eig_tol=eig_tol,
        samples=samples,
        seed=seed,
        first_order=cert.FirstOrderEvidence(saturated=saturated),
    )
    if c.is_local_min:
        return EndPointVerdict(
            "local-min", value, errors, rho, g, {"certificate": c.verdict, "lambda_min": c.lambda_min}
        )
    if c.verdict == "saddle":
        return EndPointVerdict("escaped", value, errors, rho, g, {"certificate": c.verdict, "lambda_min": c.lambda_min})
    return EndPointVerdict(
        "inconclusive", value, errors, rho, g, {"reason": f"certifier: {c.details.get('reason', c.verdict)}"}
    )
