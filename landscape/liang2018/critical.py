"""Critical points of the single-layer-plus-offsets objective of Liang et al. (2018), found and classified.

The generic machinery (Levenberg-Marquardt on the gradient with deflation, the classification) lives in
:mod:`landscape.core.critical`; this module supplies what is specific to ``ShallowProblem``:

* :func:`derivatives`: value, gradient and Hessian in closed form (numpy; the activation's and loss's first and
  second derivatives elementwise by torch autograd), ~100x cheaper than ``torch.func.hessian`` at these sizes and
  checked against it in ``tests/unit/test_liang_critical.py``;
* :func:`starting_points`: random starts of two scales, the constant-model critical point (all output weights 0,
  output bias balanced) perturbed, and the paper's own bad constructions moved inside the theorem's assumptions:
  Proposition 5/11's shape (input weights 0, output weights of one sign, bias balanced) and Proposition 3's
  linear-regime shape (large pre-activations, where a softplus-class neuron is nearly linear, realizing an affine
  classifier), each perturbed;
* :func:`critical_census`: every start run to a critical point (deflated away from the ones found), each one
  classified with Theorems 1-2's first-order evidence (:func:`landscape.liang2018.minima.first_order_evidence`)
  and its training error counted exactly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from landscape.core import critical as crit
from landscape.liang2018 import minima as lm
from landscape.liang2018 import models as lg
from landscape.liang2018.tolerances import SEARCH_REL_GRAD_TOL, THETA_MAX

# Levenberg-Marquardt stops when the gradient norm is at most this: the gradient is a mean of n terms of size
# <= ~1e2 (loss derivative times an O(1..10) feature), so rounding leaves ~1e2 * eps * sqrt(P) ~ 1e-12..1e-13;
# 1e-11 is reachable in float64 and four orders below the certifier's absolute gate (1e-7).
CRITICAL_POINT_TOL = 1e-11


def _elementwise(fn, z: np.ndarray, order: int = 2) -> list[np.ndarray]:
    """``[fn(z), fn'(z), fn''(z)]`` elementwise by torch autograd (first and second derivatives of a scalar map)."""
    import torch

    t = torch.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    v = fn(t)
    (d1,) = torch.autograd.grad(v.sum(), t, create_graph=True)
    out = [v.detach().numpy(), d1.detach().numpy()]
    if order >= 2:
        d2 = torch.autograd.grad(d1.sum(), t, allow_unused=True)[0] if d1.requires_grad else None
        out.append(np.zeros_like(out[0]) if d2 is None else d2.detach().numpy())  # None: fn is affine
    return out


def derivatives(problem: lg.ShallowProblem):
    """``theta -> (value, gradient, Hessian)`` of ``(1/n) sum_i l(-y_i f_i)`` in closed form:

    ``grad = (1/n) sum_i l'_i (-y_i) grad f_i``,
    ``H = (1/n) sum_i [l''_i grad f_i grad f_i^T + l'_i (-y_i) hess f_i]``, with ``grad f_i = (1, sigma(z_ij),
    a_j sigma'(z_ij) x_i / s)`` and the only non-zero blocks of ``hess f_i`` being ``d^2 f / da_j dw_j = sigma'(z_ij)
    x_i / s`` and ``d^2 f / dw_j^2 = a_j sigma''(z_ij) x_i x_i^T / s^2`` (``z_ij = w_j^T x_i / s``, s the neuron's
    input scale).  Flat layout as :class:`~landscape.liang2018.models.ShallowProblem` (W row-major, d x M).
    """
    act = lg.activation(problem.act)
    lossfn = lg.LOSSES[problem.loss][0]
    X, y, n, M, d, s = problem.X, problem.y, problem.n, problem.M, problem.d, act.input_scale
    pdeg = problem.p

    def compute(theta, hessian: bool = True):
        theta = np.asarray(theta, dtype=np.float64)
        a0, a, W = problem.unpack(theta)
        Z = X @ W / s
        sig_parts = _elementwise(act.torch_fn, Z, 2 if hessian else 1)  # [sigma, sigma', sigma'' if hessian]
        sig, dsig = sig_parts[0], sig_parts[1]
        f = a0 + sig @ a + problem.offsets
        r = -y * f
        loss_parts = _elementwise(lambda t: lossfn(t, pdeg), r, 2 if hessian else 1)  # [l, l', l'' if hessian]
        lv, l1 = loss_parts[0], loss_parts[1]
        value = float(np.mean(lv))
        J = np.empty((n, problem.size))
        J[:, 0] = 1.0
        J[:, 1 : 1 + M] = sig
        J[:, 1 + M :] = ((dsig * a)[:, None, :] * X[:, :, None] / s).reshape(n, d * M)
        c = -y * l1 / n  # d L / d f_i
        grad = J.T @ c
        if not hessian:
            return value, grad, None
        d2sig, l2 = sig_parts[2], loss_parts[2]
        H = (J * (l2 / n)[:, None]).T @ J
        for j in range(M):
            wj = 1 + M + np.arange(d) * M + j  # indices of W[:, j]
            cross = X.T @ (c * dsig[:, j]) / s  # d^2 f / da_j dw_j weighted by c
            H[1 + j, wj] += cross
            H[wj, 1 + j] += cross
            H[np.ix_(wj, wj)] += a[j] * (X.T * (c * d2sig[:, j])) @ X / s**2
        return value, grad, H

    return compute


def balanced_bias(problem: lg.ShallowProblem, a, W) -> float:
    """The output bias a_0 with ``d L / d a_0 = 0`` for the given (a, W) (root of the increasing slope)."""
    from scipy.optimize import brentq

    def slope(b):
        return -float(np.sum(problem.lambdas(problem.pack(b, a, W)) * problem.y))

    lo, hi = -1.0, 1.0
    while slope(lo) > 0 and lo > -1e4:
        lo *= 2
    while slope(hi) < 0 and hi < 1e4:
        hi *= 2
    if not slope(lo) <= 0 <= slope(hi):
        return 0.0
    return float(brentq(slope, lo, hi, xtol=1e-14))


def starting_points(
    problem: lg.ShallowProblem,
    rng: np.random.Generator,
    random_starts: int = 1,
    constant_starts: int = 4,
    perturbation: float = 1e-2,
) -> list[tuple[str, np.ndarray]]:
    """Named starting points (module docstring); every construction is perturbed by ``perturbation`` (relative)."""
    M, d = problem.M, problem.d
    out = [(f"random x{s:g}", problem.random_theta(rng, s)) for s in (0.3, 1.0, 0.1, 3.0)[:random_starts]]
    # the constant-model critical point: every output weight 0, input weights small, bias balanced (several times:
    # each run is deflated away from what the earlier ones found)
    for _ in range(constant_starts):
        a, W = perturbation * rng.standard_normal(M), perturbation * rng.standard_normal((d, M))
        out.append(("constant model", problem.pack(balanced_bias(problem, a, W), a, W)))
    # Propositions 5 / 11: input weights 0, output weights of one sign (both signs), bias balanced
    for sign in (1.0, -1.0):
        a = sign * rng.uniform(0.5, 1.5, M)
        W = perturbation * rng.standard_normal((d, M))
        out.append(("prop5/11 shape", problem.pack(balanced_bias(problem, a, W), a, W)))
    # Proposition 3: neurons far along one direction (softplus-class ~ linear there) realizing an affine rule
    u = rng.standard_normal(d)
    C = 4.0 / max(float(np.max(np.abs(problem.X @ u))), 1e-12)
    W = np.tile((C * u)[:, None], (1, M)) + perturbation * rng.standard_normal((d, M))
    a = rng.standard_normal(M) / M
    out.append(("prop3 shape", problem.pack(balanced_bias(problem, a, W), a, W)))
    return out


@dataclass
class CensusEntry:
    """One classified critical point: ``kind`` (local-min / saddle / inconclusive), exact error count, loss."""

    kind: str
    errors: int
    value: float
    start: str
    point: crit.CriticalPoint

    @property
    def near_global(self) -> bool:
        return self.value <= lg.NEAR_ZERO_LOSS


@dataclass
class Census:
    entries: list
    runs: int  # Newton runs started
    unconverged: int  # runs that did not reach a critical point
    stops: dict = field(default_factory=dict)  # why the unconverged runs stopped (reason -> count)
    seconds: dict = field(default_factory=dict)  # Newton time per kind of start

    def counts(self) -> dict:
        """``{"kind / errors=k": count}`` over the points that are not near-global."""
        out: dict = {}
        for e in self.entries:
            if not e.near_global:
                key = f"{e.kind} / errors={e.errors}"
                out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items()))

    @property
    def classified(self) -> list:
        return [e for e in self.entries if not e.near_global and e.kind != "inconclusive"]


def critical_census(
    problem: lg.ShallowProblem,
    seed: int,
    *,
    separator=None,
    random_starts: int = 1,
    constant_starts: int = 4,
    extra_starts=(),
    max_iter: int = 30,
    samples: int = 60,
) -> Census:
    """Run Levenberg-Marquardt on the gradient from every starting point, deflated away from the critical points
    already found; classify each one (certified local minimum / certified saddle / inconclusive) and count its
    training error exactly."""
    rng = np.random.default_rng(seed)
    der = derivatives(problem)
    loss = problem.objective()
    starts = starting_points(problem, rng, random_starts, constant_starts)
    starts += [(name, np.asarray(t, float)) for name, t in extra_starts]
    found: list[np.ndarray] = []
    entries: list[CensusEntry] = []
    unconverged = 0
    stops: dict[str, int] = {}  # why the unconverged runs stopped (reason -> count)
    seconds: dict[str, float] = {}  # Newton time per kind of start
    for k, (name, theta0) in enumerate(starts):
        t0 = time.perf_counter()
        run = crit.newton_on_gradient(
            der,
            theta0,
            found=found,
            tol=CRITICAL_POINT_TOL,
            max_iter=max_iter,
            theta_max=THETA_MAX,
            value_floor=lg.NEAR_ZERO_LOSS,
        )
        seconds[name.split()[0]] = seconds.get(name.split()[0], 0.0) + time.perf_counter() - t0
        if not run.converged:
            unconverged += 1
            stops[run.reason] = stops.get(run.reason, 0) + 1
            continue
        found.append(run.theta)
        errors = problem.errors(run.theta)
        if run.value <= lg.NEAR_ZERO_LOSS:
            cp = crit.CriticalPoint(run.theta, "near-global", run.value, run.grad_norm, name)
        else:
            ev = lm.first_order_evidence(problem, run.theta, separator)
            cp = crit.classify_critical(
                loss,
                run.theta,
                grad_tol=lg.CRITICAL_GRAD_TOL,
                eig_tol=lg.HESSIAN_EIG_TOL,
                start=name,
                first_order=ev,
                rel_grad_tol=SEARCH_REL_GRAD_TOL,
                theta_max=THETA_MAX,
                samples=samples,
                seed=seed + k,
                hessian=der(run.theta)[2],
            )
            if cp.kind == "local-min" and lm.spare_neuron_escape(problem, run.theta, seed + k) is not None:
                cp = crit.CriticalPoint(
                    run.theta,
                    "saddle",
                    cp.value,
                    cp.grad_norm,
                    name,
                    cp.certificate,
                    details={"escape": "spare-neuron move"},
                )
        entries.append(CensusEntry(cp.kind, errors, run.value, name, cp))
    return Census(entries, len(starts), unconverged, stops, seconds)
