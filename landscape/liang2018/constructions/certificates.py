"""Certificates of a constructed point: the shared certifier plus a numpy perturbation route, and the exact local
argument of each dead/linear-regime construction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np

from landscape.core.certify import certify
from landscape.liang2018 import models as lg
from landscape.liang2018.constructions.base import BadPoint, dead_unit_margin, live_unit_margin, local_samples
from landscape.liang2018.constructions.constant import constant_loss, constant_loss_slope
from landscape.liang2018.constructions.dead import first_layer
from landscape.liang2018.constructions.linear import LinearOptimum, linear_model_loss
from landscape.liang2018.tolerances import CONSTRUCTION_EIG_TOL, CONSTRUCTION_GRAD_TOL, PERTURBATION_RADII


# ------------------------------------------------------------------------------------------------------------
# Certificates
# ------------------------------------------------------------------------------------------------------------
@dataclass
class PointCertificate:
    verdict: str
    value_torch: float
    grad_norm: float
    lambda_min: float | None
    worst_change: float  # smallest loss change over the local samples (>= 0 up to rounding)
    samples: int

    @property
    def is_local_min(self) -> bool:
        return self.verdict.startswith("local-min")


def certify_point(bp: BadPoint[lg.BinaryLossModel], samples: int = 100, seed: int = 0) -> PointCertificate:
    """Run :func:`landscape.certify.certify` at the constructed point, then (whatever its verdict) the loss
    change over :func:`local_samples` evaluated in numpy (an evaluation route the certifier does not use)."""
    loss = bp.problem.objective()
    cert = certify(
        loss,
        bp.theta,
        grad_tol=CONSTRUCTION_GRAD_TOL,
        eig_tol=CONSTRUCTION_EIG_TOL,
        perturbation_radii=PERTURBATION_RADII,
        samples=samples,
        seed=seed,
    )
    base = bp.problem.value(bp.theta)
    pts = local_samples(bp.theta, PERTURBATION_RADII, samples, seed + 1)
    worst = min(bp.problem.value(t) - base for _, t in pts)
    return PointCertificate(cert.verdict, cert.value, cert.grad_norm, cert.lambda_min, worst, len(pts))


@dataclass
class LocalArgument:
    """Numbers of a construction's exact local argument (see :func:`local_argument`)."""

    radius: float  # the ball the argument covers (the largest perturbation radius used)
    regime_margin: float  # < 0 for dead units (largest pre-activation on the ball), > 0 for linear ones
    sampled_regime: float  # the same extreme, evaluated at the sample points
    reduction_error: float  # max |loss(theta') - reduced loss(theta')| over the sample points
    optimality: float  # |derivative| of the reduced function at the construction
    samples: int
    extra: dict = field(default_factory=dict)


def local_argument(bp: BadPoint[lg.LiangProblem], samples: int = 100, seed: int = 7) -> LocalArgument:
    """The construction's own proof, evaluated: (1) every hidden unit keeps its regime on the ball of radius
    ``max(PERTURBATION_RADII)`` (analytic bound, and the extreme at sample points); (2) on that ball the loss
    equals a reduced convex function (constant model or linear model), checked at the sample points; (3) the
    construction minimizes that reduced function (its derivative vanishes; for the linear model the gradient of
    the convex loss, computed in numpy).  The claim fixes the model (and the facts recorded with the point): each
    branch names it to the type checker."""
    r = max(PERTURBATION_RADII)
    pts = local_samples(bp.theta, PERTURBATION_RADII, samples, seed)
    prob = bp.problem
    if bp.claim == "liang2018.prop2":
        prob = cast(lg.ShallowProblem, prob)
        assert prob.offsets is not None and bp.B_star is not None  # set by ShallowProblem and prop2_dead_point
        _, _, W = prob.unpack(bp.theta)
        margin = dead_unit_margin(prob.X, W, r)
        sampled = max(float((prob.X @ prob.unpack(t)[2]).max()) for _, t in pts)
        red = max(
            abs(prob.value(t) - constant_loss(prob.unpack(t)[0] + prob.offsets[0], prob.y, prob.p)) for _, t in pts
        )
        return LocalArgument(r, margin, sampled, red, abs(constant_loss_slope(bp.B_star, prob.y, prob.p)), len(pts))
    if bp.claim == "liang2018.prop6":
        prob = cast(lg.FeedForwardProblem, prob)
        assert bp.B_star is not None  # set by prop6_dead_first_layer
        W1, b1 = first_layer(prob, bp.theta)
        margin = dead_unit_margin(prob.X, W1, r, b1)
        sampled = max(float((prob.X @ first_layer(prob, t)[0] + first_layer(prob, t)[1]).max()) for _, t in pts)
        red, spread = 0.0, 0.0
        for _, t in pts:
            f = prob.outputs(t)
            spread = max(spread, float(np.ptp(f)))
            red = max(red, abs(prob.value(t) - constant_loss(float(f[0]), prob.y, prob.p)))
        return LocalArgument(
            r,
            margin,
            sampled,
            red,
            abs(constant_loss_slope(bp.B_star, prob.y, prob.p)),
            len(pts),
            extra={"output_spread": spread},
        )
    if bp.claim == "liang2018.prop3":
        prob = cast(lg.ShallowProblem, prob)
        _, _, W = prob.unpack(bp.theta)
        margin = live_unit_margin(prob.X, W, r)
        sampled = min(float((prob.X @ prob.unpack(t)[2]).min()) for _, t in pts)
        red = 0.0
        for _, t in pts:
            a0, a, Wt = prob.unpack(t)
            red = max(red, abs(prob.value(t) - linear_model_loss(a0, Wt @ a, prob.X, prob.y, prob.p)))
        lin = bp.linear
        assert lin is not None  # the construction records its linear-model optimum
        return LocalArgument(r, margin, sampled, red, _linear_grad_norm(prob.X, prob.y, prob.p, lin), len(pts))
    if bp.claim == "liang2018.prop7":
        prob = cast(lg.IdentityShortcutProblem, prob)
        _, _, U, c, _, _ = prob.unpack(bp.theta)
        margin = dead_unit_margin(prob.X, U, r, c)
        sampled = max(float(prob.hidden_preactivations(t).max()) for _, t in pts)
        red = 0.0
        for _, t in pts:
            a, b, _, _, _, e = prob.unpack(t)
            red = max(red, abs(prob.value(t) - linear_model_loss(float(a @ e + b), a, prob.X, prob.y, prob.p)))
        lin = bp.linear
        assert lin is not None  # the construction records its linear-model optimum
        return LocalArgument(r, margin, sampled, red, _linear_grad_norm(prob.X, prob.y, prob.p, lin), len(pts))
    raise ValueError(f"no dead/linear-regime local argument for {bp.claim}")


def _linear_grad_norm(X, y, p, lin: LinearOptimum) -> float:
    n = X.shape[0]
    F = np.c_[np.ones(n), X]
    coef = np.r_[lin.beta, lin.u]
    return float(np.linalg.norm(F.T @ (-y * lg.poly_hinge_prime(-y * (F @ coef), p)) / n))
