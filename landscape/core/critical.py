"""Critical points found and classified, not only the minima a descent method happens to end at.

A descent method started anywhere ends near a minimum (or drifts): it almost never stops at a saddle, so a claim
about "every local minimum" tested only at descent end points never meets the critical points that could refute
it.  Here the gradient itself is driven to zero:

* :func:`newton_on_gradient` runs Levenberg-Marquardt (damped Gauss-Newton) on the residual ``g(theta) =
  grad L(theta)``, whose Jacobian is the Hessian (dense, ``torch.func.hessian``; the models here have at most a
  few hundred parameters).  Gauss-Newton on ``1/2 ||g||^2`` converges to critical points of every index (minima,
  saddles, maxima), not only to minima;
* *deflation* (Farrell, Birkisson, Funke 2015) keeps it away from points already found: the residual is multiplied
  by ``m(theta) = prod_k (||theta - theta_k||^-power + shift)``, which is singular at each found point, so a run
  started near one is pushed to another root;
* :func:`classify_critical` decides each point with the local-minimum certifier
  (:func:`landscape.core.certify.certify`, with the caller's first-order evidence): a certified local minimum, a
  certified saddle (a negative Hessian eigenvalue whose direction lowers the loss when evaluated), or
  inconclusive (saturated, flat, or not critical after all).

Everything is float64; the caller counts training errors and keeps the census.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from landscape.core import certify as cert
from landscape.core.validate import finite_array, positive_int


@dataclass
class NewtonRun:
    theta: np.ndarray
    value: float
    grad_norm: float
    iterations: int
    converged: bool
    reason: str = ""


def _torch():
    import torch

    return torch


def deflation(theta: np.ndarray, found: Sequence[np.ndarray], power: float, shift: float) -> tuple[float, np.ndarray]:
    """``m(theta) = prod_k (||theta - theta_k||^-power + shift)`` and its gradient (1.0 and 0 with nothing found)."""
    m, grad_log = 1.0, np.zeros_like(theta)
    for t in found:
        d = theta - t
        r = float(np.linalg.norm(d))
        if r == 0.0:
            return np.inf, grad_log
        term = r**-power + shift
        m *= term
        grad_log += (-power * r ** (-power - 2) * d) / term
    return m, m * grad_log


def autograd_derivatives(loss: Callable) -> Callable:
    """``theta -> (value, gradient, Hessian)`` by ``torch.func`` (generic, but slow: the Hessian costs ~0.1 s at a
    few hundred parameters; a model with a closed-form Hessian should pass its own)."""
    torch = _torch()
    grad_fn = torch.func.grad_and_value(loss)
    hess_fn = torch.func.hessian(loss)

    def derivatives(theta, hessian: bool = True):
        t = torch.tensor(theta, dtype=torch.float64)
        g, v = grad_fn(t)
        H = hess_fn(t).detach().numpy() if hessian else None
        return float(v), g.detach().numpy(), H

    return derivatives


def newton_on_gradient(
    derivatives: Callable,
    theta0: np.ndarray,
    *,
    found: Sequence[np.ndarray] = (),
    tol: float = 1e-11,
    max_iter: int = 60,
    power: float = 2.0,
    shift: float = 1.0,
    theta_max: float = 1e3,
    mu0: float = 1e-3,
    value_floor: float | None = None,
) -> NewtonRun:
    """Levenberg-Marquardt on the deflated residual ``m(theta) grad L(theta)`` from ``theta0``.

    ``derivatives(theta, hessian=True)`` returns ``(value, gradient, Hessian or None)`` (see
    :func:`autograd_derivatives`).  Converged when the (undeflated) gradient norm is at most ``tol``; stops (not
    converged) when the damping explodes (a local minimum of ``||g||`` that is not a root), the weights leave
    ``[-theta_max, theta_max]`` or ``max_iter`` steps are spent.  With ``value_floor`` (a loss bounded below by 0)
    a run whose loss falls to the floor stops there, converged: it has reached the global minimum's level, where
    a degenerate loss (e.g. a high power of a hinge) makes Newton's convergence only linear.  The end point is
    returned either way: certify it, do not trust it.
    """
    with _one_blas_thread():
        return _levenberg_marquardt(
            derivatives,
            finite_array("theta0", theta0, ndim=1).copy(),
            found,
            tol,
            positive_int("max_iter", max_iter),
            power,
            shift,
            theta_max,
            mu0,
            value_floor,
        )


def _one_blas_thread():
    """Dense solves of a few hundred unknowns are ~100x slower with a BLAS thread pool on an oversubscribed
    machine (two cores, several processes) than single-threaded; limit the pool while the search runs."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn and scipy's test extras
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(1)


def _levenberg_marquardt(
    derivatives, theta, found, tol, max_iter, power, shift, theta_max, mu0, value_floor
) -> NewtonRun:
    def residual(th):
        return derivatives(th, hessian=False)[1]

    def merit(th, g):
        m, _ = deflation(th, found, power, shift)
        return m * float(np.linalg.norm(g))

    g = residual(theta)
    mu = mu0
    it = 0
    reason = "iteration cap"
    for it in range(1, max_iter + 1):  # noqa: B007 - the iteration count is returned after the loop
        gn = float(np.linalg.norm(g))
        if not np.isfinite(gn):
            reason = "non-finite gradient"
            break
        if gn <= tol:
            reason = "converged"
            break
        value, _, H = derivatives(theta)
        if value_floor is not None and value <= value_floor:
            reason = "loss at the floor"
            break
        H = 0.5 * (H + H.T)
        m, dm = deflation(theta, found, power, shift)
        if not np.isfinite(m):
            reason = "started on a found point"
            break
        J = m * H + np.outer(g, dm)  # Jacobian of the deflated residual m g
        r = m * g
        JTJ, JTr = J.T @ J, J.T @ r
        current = merit(theta, g)
        accepted = False
        while mu < 1e12:
            try:
                step = -np.linalg.solve(JTJ + mu * np.diag(np.maximum(np.diag(JTJ), 1e-12)), JTr)
            except np.linalg.LinAlgError:
                mu *= 10.0
                continue
            cand = theta + step
            g_new = residual(cand)
            if np.all(np.isfinite(g_new)) and merit(cand, g_new) < current:
                theta, g, accepted = cand, g_new, True
                mu = max(mu / 3.0, 1e-12)
                break
            mu *= 10.0
        if not accepted:
            reason = "damping exploded (a non-root minimum of ||grad||)"
            break
        if float(np.max(np.abs(theta))) > theta_max:
            reason = f"weights beyond {theta_max:g}"
            break
    value = derivatives(theta, hessian=False)[0]
    gn = float(np.linalg.norm(g))
    at_floor = value_floor is not None and value <= value_floor
    return NewtonRun(theta, value, gn, it, bool((gn <= tol or at_floor) and np.isfinite(value)), reason)


@dataclass
class CriticalPoint:
    """A point the search reached, classified.  ``kind``: ``"local-min"``, ``"saddle"`` or ``"inconclusive"``;
    ``certificate`` the certifier's numbers; ``descent`` for a saddle the loss change along its negative-curvature
    direction at the step that showed it (negative); ``start`` names where the run began."""

    theta: np.ndarray
    kind: str
    value: float
    grad_norm: float
    start: str
    certificate: cert.Certificate | None = None
    descent: float | None = None
    details: dict = field(default_factory=dict)


def saddle_descent(
    loss: Callable, theta: np.ndarray, direction: np.ndarray, lam: float, steps=(1e-1, 3e-2, 1e-2, 3e-3, 1e-3)
) -> float:
    """The smallest evaluated ``loss(theta + t v) - loss(theta)`` over both signs of the unit direction v and the
    steps t whose second-order prediction ``t^2 lam / 2`` exceeds rounding: negative certifies descent."""
    torch = _torch()
    v = np.asarray(direction, dtype=np.float64)
    v = v / np.linalg.norm(v)
    with torch.no_grad():
        base = float(loss(torch.tensor(theta)))
        best = np.inf
        for t in steps:
            if 0.5 * t * t * abs(lam) <= 1e3 * np.finfo(float).eps * (1.0 + abs(base)):
                continue
            for s in (1.0, -1.0):
                best = min(best, float(loss(torch.tensor(theta + s * t * v))) - base)
    return best


def classify_critical(
    loss: Callable,
    theta: np.ndarray,
    *,
    grad_tol: float,
    eig_tol: float,
    start: str = "",
    first_order: cert.FirstOrderEvidence | None = None,
    rel_grad_tol: float = 1e-6,
    theta_max: float | None = None,
    samples: int = 100,
    seed: int = 0,
    hessian: np.ndarray | None = None,
) -> CriticalPoint:
    """Certify one point: a local minimum, a saddle whose negative-curvature direction lowers the loss when
    evaluated (a negative eigenvalue alone is not enough: the step along it must show the decrease beyond
    rounding), or inconclusive (with the certifier's reason)."""
    with _one_blas_thread():
        c = cert.certify(
            loss,
            theta,
            grad_tol=grad_tol,
            eig_tol=eig_tol,
            samples=samples,
            seed=seed,
            first_order=first_order,
            rel_grad_tol=rel_grad_tol,
            theta_max=theta_max,
            hessian=hessian,
        )
    if c.is_local_min:
        return CriticalPoint(theta, "local-min", c.value, c.grad_norm, start, c)
    if c.verdict == "saddle":
        if "direction" in c.details:
            drop = saddle_descent(
                loss, theta, c.details["direction"], float(c.lambda_min if c.lambda_min is not None else np.nan)
            )
        else:  # found by the perturbation test: its worst change is the descent
            drop = float(c.perturbation_min_increase if c.perturbation_min_increase is not None else np.nan)
        noise = 1e3 * np.finfo(float).eps * (1.0 + abs(c.value))
        if drop < -noise:
            return CriticalPoint(theta, "saddle", c.value, c.grad_norm, start, c, drop)
        return CriticalPoint(
            theta,
            "inconclusive",
            c.value,
            c.grad_norm,
            start,
            c,
            drop,
            {"reason": "negative eigenvalue, but no evaluated descent along its direction"},
        )
    reason = c.details.get("reason", c.verdict)
    return CriticalPoint(theta, "inconclusive", c.value, c.grad_norm, start, c, None, {"reason": reason})
