"""The convex linear model of Propositions 3 and 7, by two routes (damped Newton in numpy, CVXPY/Clarabel), and
the LP that decides whether an error-free affine classifier exists."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape.liang2018 import models as lg
from landscape.liang2018.tolerances import NEWTON_GRAD_TOL, newton_grad_allowance


# ------------------------------------------------------------------------------------------------------------
# The convex linear model (Propositions 3 and 7): two routes to its minimum
# ------------------------------------------------------------------------------------------------------------
@dataclass
class LinearOptimum:
    beta: float  # intercept
    u: np.ndarray  # weights
    value: float  # (1/n) sum l_p(-y_i (beta + u^T x_i))
    grad_norm: float  # of the loss in (beta, u) at the returned point
    iterations: int
    ok: bool
    status: str = ""


def linear_model_loss(beta: float, u, X, y, p: int) -> float:
    f = float(beta) + np.asarray(X) @ np.asarray(u, dtype=np.float64)
    return float(np.mean(lg.poly_hinge(-np.asarray(y) * f, p)))


def linear_model_by_newton(X, y, p: int, max_iter: int = 200) -> LinearOptimum:
    """Minimize the convex linear-model loss by damped Newton steps in an orthonormal basis of the feature span
    ``[1, X]`` (collinear features such as a constant coordinate are handled by the reduction); returns the
    minimum-norm minimizer.  ``ok`` is False when the gradient does not reach :data:`NEWTON_GRAD_TOL`."""
    X, y = lg.check_data(X, y)
    n = X.shape[0]
    F = np.c_[np.ones(n), X]
    Uf, s, Vt = np.linalg.svd(F, full_matrices=False)
    r = int(np.sum(s > 1e-12 * s[0]))
    Uf, s, Vt = Uf[:, :r], s[:r], Vt[:r]
    z = np.zeros(r)

    def parts(z):
        m = -y * (Uf @ z)  # z_i = -y_i f_i
        w = np.maximum(m + 1.0, 0.0)
        val = float(np.mean(w ** (p + 1)))
        g1 = (p + 1) * w**p  # l'
        g2 = (p + 1) * p * w ** (p - 1)  # l''
        grad = Uf.T @ (-y * g1) / n
        hess = (Uf * g2[:, None]).T @ Uf / n
        return val, grad, hess

    val, grad, hess = parts(z)
    floor = newton_grad_allowance(n) - NEWTON_GRAD_TOL  # rounding floor of the gradient
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007  (the step count is reported after the loop)
        if np.linalg.norm(s * grad) <= NEWTON_GRAD_TOL:  # gradient in the original coordinates: V S grad_z
            break
        try:
            step = -np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = -grad
        if not np.all(np.isfinite(step)):
            step = -grad
        t = 1.0
        while True:
            new = parts(z + t * step)
            # Armijo on the value, or (once values stop resolving the decrease) a smaller gradient
            if (
                new[0] <= val + 1e-4 * t * float(grad @ step) or np.linalg.norm(s * new[1]) < np.linalg.norm(s * grad)
            ) or t < 1e-12:
                break
            t *= 0.5
        if np.linalg.norm(s * new[1]) >= np.linalg.norm(s * grad) and np.linalg.norm(s * grad) <= floor:
            break  # at the rounding floor: no step improves anything
        z = z + t * step
        val, grad, hess = new
    coef = Vt.T @ (z / s)  # minimum-norm beta with F coef = Uf z
    full_grad = F.T @ (-y * (p + 1) * np.maximum(-y * (F @ coef) + 1.0, 0.0) ** p) / n
    gn = float(np.linalg.norm(full_grad))
    ok = bool(np.isfinite(val) and gn <= newton_grad_allowance(n))
    return LinearOptimum(
        float(coef[0]),
        coef[1:],
        linear_model_loss(coef[0], coef[1:], X, y, p),
        gn,
        it,
        ok,
        "converged" if ok else f"gradient {gn:.3g} after {it} Newton steps",
    )


def linear_model_by_cvxpy(X, y, p: int) -> LinearOptimum:
    """The same convex minimum by CVXPY with Clarabel (power cones); ``ok`` only for status ``optimal``."""
    import cvxpy as cp

    X, y = lg.check_data(X, y)
    n, d = X.shape
    beta, u = cp.Variable(), cp.Variable(d)
    margin = cp.multiply(y, beta + X @ u)
    prob = cp.Problem(cp.Minimize(cp.sum(cp.power(cp.pos(1 - margin), p + 1)) / n))
    prob.solve(solver=cp.CLARABEL)
    ok = prob.status == "optimal"
    if not ok:
        return LinearOptimum(float("nan"), np.full(d, np.nan), float("nan"), float("nan"), 0, False, prob.status)
    assert beta.value is not None  # status "optimal": the solver set the variables
    b, w = float(beta.value), np.asarray(u.value, dtype=np.float64)
    return LinearOptimum(b, w, linear_model_loss(b, w, X, y, p), float("nan"), 0, True, "optimal")


def affinely_separable(X, y) -> tuple[bool, str]:
    """Is there an affine f with ``y_i f(x_i) >= 1`` for all i?  An LP feasibility problem (HiGHS)."""
    from scipy.optimize import linprog

    X, y = lg.check_data(X, y)
    n, d = X.shape
    A = -(y[:, None] * np.c_[np.ones(n), X])
    res = linprog(np.zeros(d + 1), A_ub=A, b_ub=-np.ones(n), bounds=[(None, None)] * (d + 1), method="highs")
    if res.status == 0:
        return True, "feasible"
    if res.status == 2:
        return False, "infeasible"
    return False, f"undecided ({res.message})"
