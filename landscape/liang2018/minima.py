"""Search for local minima of a Liang et al. objective and classify every end point with evidence.

An end point of a random-start L-BFGS run is

* ``near-global``     its loss is at most ``NEAR_ZERO_LOSS`` (the loss is >= 0, so it is within that of the global
                      infimum; the certifier's flat-direction test adds nothing here);
* ``local-min``       certified by :func:`landscape.certify.certify` (small gradient and a Hessian spectrum that is
                      positive, or PSD plus a perturbation test), and no explicit escape move lowers it;
* ``escaped``         small gradient, but a negative Hessian direction, a failed perturbation test or the
                      spare-neuron move exhibits a lower point nearby: not a local minimum;
* ``unconverged``     the gradient is not small (absolutely, or relative to its own terms): the run says nothing
                      about local minima;
* ``inconclusive``    a small gradient in a saturated or asymptotic region (see :func:`first_order_evidence`):
                      never counted as a local minimum.

Only ``near-global`` and ``local-min`` end points exercise the theorems ("at every local minimum ...").

One random-start driver (:func:`descend`) feeds both users: :func:`search` classifies every end point for the
positive theorems, and :func:`search_bad_minima` keeps only the certified bad minima of a ReLU-class problem (the
targeted search of Proposition 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from landscape.core import certify as cert
from landscape.core import optimize as opt
from landscape.core.validate import positive_int
from landscape.liang2018 import models as lg
from landscape.liang2018.tolerances import CONSTRUCTION_EIG_TOL, PERTURBATION_RADII, SEARCH_REL_GRAD_TOL, THETA_MAX

if TYPE_CHECKING:
    from landscape.liang2018.constructions.certificates import PointCertificate

# The spare-neuron move (a neuron with output weight ~0 is switched on at a nearby input weight) uses input
# perturbations of this norm and an output step of at most this size, halved up to SPARE_HALVINGS times (the lemma's
# decrease holds for all small eps; near margin 1 the hinge's curvature l'' / l' = p / (1 - y f) makes the O(eps^2)
# term large); a realized decrease must be at least half the first-order prediction eps |g| / n, so second-order
# effects cannot fake it, and the prediction must exceed 1e3 times the float64 rounding floor of the two loss
# evaluations (:func:`loss_rounding_floor`).
SPARE_DELTA = 1e-3
SPARE_STEP = 1e-4
SPARE_HALVINGS = 20
# |a_j| below this counts as a switched-off neuron (weights are O(1); L-BFGS drives an unused a_j to ~1e-9 or 0)
SPARE_AJ = 1e-6


@dataclass
class EndPoint:
    theta: np.ndarray
    status: str
    value: float
    errors: int
    grad_norm: float
    min_margin: float
    certificate: object = None
    details: dict = field(default_factory=dict)

    @property
    def exercises_claim(self) -> bool:
        return self.status in ("near-global", "local-min")


def loss_rounding_floor(problem: lg.ShallowProblem, theta: np.ndarray) -> float:
    """An estimate (to a factor covering the sums' lengths) of the float64 rounding error of ``problem.value`` at
    ``theta`` (and of the torch objective, which does the same operations): ``eps (L + (1/n) sum_i |l'_i| F_i)``.

    Rounding perturbs each output ``f_i = a_0 + sum_j a_j sigma(z_ij) + c_i`` by at most ~(M + 2) eps times the sum
    of its terms' sizes, and each pre-activation ``z_ij`` by ~d eps ``sum_k |x_ik W_kj| / s``, which sigma turns into
    ``|sigma'(z_ij)|`` times that; the margin ``1 - y_i f_i`` adds eps (1 + |f_i|).  So with ``F_i = 1 + |a_0| +
    |c_i| + sum_j |a_j| (|sigma(z_ij)| + |sigma'(z_ij)| sum_k |x_ik W_kj| / s)`` the loss term ``l(-y_i f_i)`` moves
    by ``|l'_i| F_i`` times a few (M + d + 2) eps, plus its own power's and the mean's rounding, a few (p + 2) eps
    relative to L.  The callers multiply by 1e3, which covers those counts (M + d + p + 4 <= ~50 on the suite's
    sizes) with room to spare.  This floor scales with the loss: at a point of loss 1.5e-14 (margins 0.989, l' ~
    1e-11) it is ~1e-26, where the previous absolute floor 1e3 eps (1 + L) = 2.2e-13 hid a genuine decrease of
    2.7e-15 (confirmed in 60-digit arithmetic; nightly, liang2018.lem.spare, seed 2)."""
    a0, a, W = problem.unpack(np.asarray(theta, dtype=np.float64))
    act = lg.activation(problem.act)
    Z = problem.X @ W / act.input_scale
    zsize = np.abs(problem.X) @ np.abs(W) / act.input_scale
    terms = np.abs(a)[None, :] * (np.abs(act.np_fn(Z)) + np.abs(lg.activation_prime(problem.act, Z)) * zsize)
    offsets = np.zeros(problem.n) if problem.offsets is None else problem.offsets
    F = 1.0 + abs(float(a0)) + np.abs(offsets) + terms.sum(axis=1)
    lam = np.abs(problem.lambdas(theta))
    return float(lg.EPS64 * (abs(problem.value(theta)) + np.mean(lam * F)))


def spare_neuron_escape(
    problem: lg.ShallowProblem, theta: np.ndarray, seed: int = 0, tries: int = 20, sign: float = 1.0
) -> dict | None:
    """Try the explicit descent move at every neuron whose output weight is ~0; return its numbers or None.
    (``sign = -1`` moves the output weight against ``g_lambda``: a false move, for the mutation meta-tests.)

    A move counts when its realized decrease is at least half its first-order prediction ``eps |g| / n`` and that
    prediction exceeds 1e3 times the rounding floor of both evaluations (:func:`loss_rounding_floor`, relative to
    the loss and its weights, not to 1); ``eps`` starts at SPARE_STEP and is halved while the prediction stays
    above that floor."""
    rng = np.random.default_rng(seed)
    a0, a, W = problem.unpack(theta)
    base = problem.value(theta)
    base_floor = loss_rounding_floor(problem, theta)
    lam = problem.lambdas(theta)
    sigma0 = float(lg.activation(problem.act).np_fn(np.zeros(1))[0])
    for j in np.flatnonzero(np.abs(a) < SPARE_AJ):
        for _ in range(tries):
            delta = rng.standard_normal(problem.d)
            delta *= SPARE_DELTA / np.linalg.norm(delta)
            w = W[:, j] + delta
            # switching the neuron on adds eps sigma(w^T x_i); moving a_0 by -eps sigma(0) removes its constant
            # part, so the first-order change is -(eps/n) sum lambda_i y_i (sigma(w^T x_i) - sigma(0)) exactly,
            # whatever the residual of the a_0-balance at an approximate critical point
            g = problem.g_lambda(lam, w) - sigma0 * float(np.sum(lam * problem.y))
            if g == 0.0:
                continue
            W2, a2 = W.copy(), a.copy()
            W2[:, j] = w
            step = SPARE_STEP
            for _ in range(SPARE_HALVINGS):
                a2[j] = sign * step * np.sign(g)
                moved = problem.pack(a0 - a2[j] * sigma0, a2, W2)
                predicted = step * abs(g) / problem.n
                # the prediction must stand 1e3x above the rounding of both evaluations (see loss_rounding_floor);
                # smaller steps only shrink it further
                if predicted <= 1e3 * (base_floor + loss_rounding_floor(problem, moved)):
                    break
                new = problem.value(moved)
                if base - new >= 0.5 * predicted:
                    return {
                        "neuron": int(j),
                        "decrease": base - new,
                        "predicted": predicted,
                        "step": step,
                        "theta": moved,
                    }
                step *= 0.5
    return None


def output_jacobian(problem: lg.BinaryLossModel, theta: np.ndarray) -> np.ndarray:
    """``d f_i / d theta`` (n x P) by ``torch.func.jacrev``."""
    import torch

    return torch.func.jacrev(problem.torch_outputs)(torch.tensor(theta, dtype=torch.float64)).numpy()


def gradient_term_scale(problem: lg.BinaryLossModel, theta: np.ndarray, J: np.ndarray | None = None) -> float:
    """``(1/n) sum_i |l'_i| ||grad_theta f_i||``: the size the gradient would have if none of its per-sample terms
    cancelled (the outputs' Jacobian ``J`` by :func:`output_jacobian` unless given)."""
    J = output_jacobian(problem, theta) if J is None else J
    return float(np.mean(np.abs(problem.lambdas(theta)) * np.linalg.norm(J, axis=1)))


def loss_second(problem: lg.ShallowProblem, z: np.ndarray) -> np.ndarray:
    """``l''(z)`` elementwise by automatic differentiation of the loss alone."""
    import torch

    t = torch.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    (d1,) = torch.autograd.grad(lg.LOSSES[problem.loss][0](t, problem.p).sum(), t, create_graph=True)
    if not d1.requires_grad:
        return np.zeros(t.shape)
    (d2,) = torch.autograd.grad(d1.sum(), t, allow_unused=True)
    return np.zeros(t.shape) if d2 is None else d2.detach().numpy()


def saturated_neuron(
    problem: lg.ShallowProblem, theta: np.ndarray, threshold: float, eig_tol: float, J: np.ndarray | None = None
) -> str:
    """A neuron that the certifier cannot see (its reason, or "" when there is none): analytic neurons only.

    For neuron j with pre-activations ``z_ij``, the absolute sizes of its terms (no cancellation allowed, so they
    bound the true values from above) are

    * gradient: ``(1/n) sum_i lambda_i (|sigma(z_ij)| + |a_j| |sigma'(z_ij)| ||x_i||)`` >= ``||d L / d(a_j, w_j)||``;
    * curvature: ``(1/n) sum_i lambda_i (|sigma'(z_ij)| ||x_i|| + max(|a_j|, 1) |sigma''(z_ij)| ||x_i||^2)
      + (1/n) sum_i |l''_i| (|sigma(z_ij)| + |a_j| |sigma'(z_ij)| ||x_i||) ||grad f_i||``, which bounds
      ``|v^T H v|`` for every unit v in the neuron's block (a_j, w_j) and the block's Gauss-Newton coupling to
      every other parameter.

    The neuron is saturated when the first is at most the resolvable gradient ``threshold`` and the second at most
    the Hessian tolerance ``eig_tol`` (the certifier's own two thresholds): the first-order test cannot tell its
    gradient from zero, the second-order test cannot tell its curvature from zero (no strict verdict is possible
    in its block), and the random-direction perturbation test mixes its block with the other parameters, whose
    curvature (0.36 in a_0 on the nightly instance below) swamps changes of size ``threshold * r`` at radius r: a
    local-minimum verdict would rest on nothing.  For an analytic neuron this happens only on an asymptote: a
    softplus-class activation pushed to z -> -infinity on every sample that carries loss weight (sigma, sigma',
    sigma'' -> 0), where the neuron is switched off without a_j = 0 and the paper's spare-neuron argument
    (descent by switching it back on) cannot be resolved in float64.  The factor ``max(|a_j|, 1)`` keeps a neuron
    switched off by ``a_j = 0`` with a live activation (e.g. a quadratic neuron at w_j = 0, where sigma'' = 2) out
    of the rule: that is the spare-neuron case, which has its own explicit move.  Dead ReLU-class units (sigma' = 0
    exactly on a half-line, the loss exactly constant in their weights on a ball) are not analytic and never
    flagged: there the perturbation test is valid evidence.

    The rule can only withhold a verdict that the perturbation test would have given (a strict verdict needs every
    eigenvalue >= eig_tol, which a block with curvature <= eig_tol excludes); a negative eigenvalue still makes a
    saddle.  Found by a nightly run (liang2018.prop9, seed 273, n = 2, exp and softplus neurons): Newton on the
    gradient from Proposition 3's shape drove every neuron to z ~ -25 (sigma ~ 1e-11), where the gradient (9.6e-12,
    under the search's absolute tolerance 1e-11) is not zero at all (d L / d a_j = (lambda / 2)(e^{z_-j} -
    e^{z_+j}), for most neurons two terms a factor ~7 apart), the Hessian is indefinite (-5.3e-11, confirmed in
    80-digit arithmetic) and the loss falls linearly along -d L / d a; the certifier had called it a local minimum
    at L = 1 - 2e-13 (zero errors, so no misclassified sample for the sample rule of first_order_evidence).
    """
    act = lg.activation(problem.act)
    if not (act.curved or act.increasing):
        return ""
    _, a, W = problem.unpack(theta)
    Z = problem.X @ W / act.input_scale
    s0 = np.abs(act.np_fn(Z))
    s1 = np.abs(lg.activation_prime(problem.act, Z)) / act.input_scale
    s2 = np.abs(lg.activation_second(problem.act, Z)) / act.input_scale**2
    xn = np.linalg.norm(problem.X, axis=1)[:, None]
    weight = np.abs(problem.lambdas(theta)) / problem.n
    J = output_jacobian(problem, theta) if J is None else J
    coupling = np.abs(loss_second(problem, -problem.y * problem.outputs(theta))) * np.linalg.norm(J, axis=1)
    df = s0 + np.abs(a)[None, :] * s1 * xn  # size of d f_i / d(a_j, w_j)
    grad_terms = weight @ df
    curv_terms = weight @ (s1 * xn + np.maximum(np.abs(a), 1.0)[None, :] * s2 * xn**2) + (coupling / problem.n) @ df
    blind = np.flatnonzero((grad_terms <= threshold) & (curv_terms <= eig_tol))
    if blind.size == 0:
        return ""
    j = int(blind[np.argmin(grad_terms[blind])])
    return (
        f"neuron {j} is saturated (pre-activations {float(Z[:, j].min()):.3g}..{float(Z[:, j].max()):.3g}): its "
        f"gradient terms sum to {grad_terms[j]:.3g} <= the resolvable gradient {threshold:.3g} and its curvature "
        f"terms to {curv_terms[j]:.3g} <= the Hessian tolerance {eig_tol:.3g}: no test of the certifier sees its "
        "directions (an asymptote, undecidable in float64)"
    )


def first_order_evidence(problem: lg.ShallowProblem, theta: np.ndarray, separator=None) -> cert.FirstOrderEvidence:
    """What Theorems 1-2's first-order argument says at ``theta`` (for :func:`landscape.core.certify.certify`).

    * ``term_scale``: :func:`gradient_term_scale` (criticality is judged relative to it);
    * ``floor`` (separable data with a known unit separator u, margin gamma = min_i y_i u^T x_i > 0): the bound of
      ``liang2018.thm2.cert``, ``||grad L|| >= max_j |a_j| s_j gamma sum_i lambda_i / n`` with ``s_j = min_i
      sigma'(w_j^T x_i)``.  The terms of ``u^T grad_{w_j} L`` all have one sign, so they cannot cancel: a positive
      floor proves the gradient non-zero.  It is 0 exactly when every lambda_i is 0 (or sigma' underflows);
    * ``saturated`` (analytic neurons only): a misclassified sample whose gradient terms in every hidden weight,
      ``lambda_i |a_j| sigma'(w_j^T x_i) ||x_i|| / n``, are below the resolvable gradient level and whose curvature
      terms ``lambda_i |a_j| sigma''(w_j^T x_i) ||x_i||^2 / n`` are below the Hessian tolerance.  Theorems 1-2
      argue through exactly these terms (at a critical point they force lambda = 0); when they are numerically
      zero, a small gradient says nothing about the point (the certifier then withholds a local-minimum verdict,
      while a negative Hessian eigenvalue still certifies a saddle); failing that, a neuron whose every term is
      below those levels (:func:`saturated_neuron`).
    """
    J = output_jacobian(problem, theta)
    scale = gradient_term_scale(problem, theta, J)
    threshold = min(lg.CRITICAL_GRAD_TOL, max(SEARCH_REL_GRAD_TOL * scale, np.finfo(float).tiny))
    _, a, W = problem.unpack(theta)
    act = lg.activation(problem.act)
    S = lg.activation_prime(problem.act, problem.X @ W / act.input_scale) / act.input_scale  # n x M
    lam = problem.lambdas(theta)
    floor = 0.0
    if separator is not None:
        u = np.asarray(separator, dtype=np.float64)
        gamma = float(np.min(problem.y * (problem.X @ u))) / float(np.linalg.norm(u))
        if gamma > 0:
            floor = float(np.max(np.abs(a) * S.min(axis=0))) * gamma * float(np.sum(lam)) / problem.n
    saturated = ""
    wrong = np.flatnonzero(lg.sgn(problem.outputs(theta)) != problem.y)
    # only for analytic neurons (sigma' > 0 or sigma'' > 0 everywhere): there a numerically zero sigma' is an
    # asymptote the weights drift along.  A dead ReLU-class unit is different: sigma' = 0 exactly on a half-line,
    # the loss is constant in its weights on a ball, and the perturbation test is valid evidence.
    # A sample counts as resolved when some neuron's first-order term exceeds the resolvable gradient or its
    # second-order term the Hessian tolerance (sigma' = 0 at a quadratic neuron's minimum is not saturation: the
    # curvature sigma'' > 0 takes over there).
    if wrong.size and (act.curved or act.increasing):
        xn = np.linalg.norm(problem.X, axis=1)[wrong]
        weight = lam[wrong] / problem.n
        first = weight * xn * np.max(np.abs(a)[None, :] * np.abs(S[wrong]), axis=1) / threshold
        S2 = lg.activation_second(problem.act, problem.X[wrong] @ W / act.input_scale) / act.input_scale**2
        second = weight * xn**2 * np.max(np.abs(a)[None, :] * np.abs(S2), axis=1) / lg.HESSIAN_EIG_TOL
        reach = np.maximum(first, second)
        k = int(np.argmin(reach))
        if reach[k] <= 1.0:
            saturated = (
                f"misclassified sample {int(wrong[k])}: its gradient terms in every hidden weight are at "
                f"most {first[k] * threshold:.3g}, below the resolvable gradient {threshold:.3g}, and its "
                f"curvature terms at most {second[k] * lg.HESSIAN_EIG_TOL:.3g} (sigma', sigma'' "
                "numerically zero)"
            )
    # a neuron switched off by saturation rather than by a_j = 0 (see saturated_neuron): the term scale above is
    # dominated by the output bias's terms (lambda_i * 1), so a gradient that does not cancel at all in that
    # neuron's parameters still passes as "relatively critical"
    if not saturated:
        saturated = saturated_neuron(problem, theta, threshold, lg.HESSIAN_EIG_TOL, J)
    return cert.FirstOrderEvidence(term_scale=scale, floor=floor, saturated=saturated)


def classify(
    problem: lg.ShallowProblem, theta: np.ndarray, seed: int = 0, samples: int = 100, separator=None
) -> EndPoint:
    """Classify one end point (module docstring).  Criticality is judged relative to the gradient's own terms, and
    saturated or asymptotic points are ``inconclusive`` (:func:`first_order_evidence`), never local minima."""
    loss = problem.objective()
    value, grad = cert.gradient(loss, theta)
    gnorm = float(np.linalg.norm(grad))
    f = problem.outputs(theta)
    errors = lg.error_count(f, problem.y)
    margin = float(np.min(problem.y * f))
    if value <= lg.NEAR_ZERO_LOSS:
        return EndPoint(theta, "near-global", value, errors, gnorm, margin)
    if gnorm > lg.CRITICAL_GRAD_TOL:
        return EndPoint(theta, "unconverged", value, errors, gnorm, margin)
    c = cert.certify(
        loss,
        theta,
        grad_tol=lg.CRITICAL_GRAD_TOL,
        eig_tol=lg.HESSIAN_EIG_TOL,
        samples=samples,
        seed=seed,
        first_order=first_order_evidence(problem, theta, separator),
        rel_grad_tol=SEARCH_REL_GRAD_TOL,
        theta_max=THETA_MAX,
    )
    if c.verdict == "not-critical":
        return EndPoint(theta, "unconverged", value, errors, gnorm, margin, c, {"reason": "relative gradient"})
    if c.verdict == "inconclusive":
        return EndPoint(theta, "inconclusive", value, errors, gnorm, margin, c, dict(c.details))
    if not c.is_local_min:
        return EndPoint(theta, "escaped", value, errors, gnorm, margin, c)
    move = spare_neuron_escape(problem, theta, seed)
    if move is not None:
        return EndPoint(theta, "escaped", value, errors, gnorm, margin, c, {"spare-neuron": move})
    return EndPoint(theta, "local-min", value, errors, gnorm, margin, c)


def near_constant_start(problem: lg.ShallowProblem, rng: np.random.Generator) -> np.ndarray:
    """A start next to a constant model: tiny input weights, output weights of one sign (the shape of the bad
    minima of Props 5 and 11), so the search also visits the region where those would sit."""
    a = -np.abs(rng.standard_normal(problem.M)) * rng.choice([-1.0, 1.0])
    return problem.pack(0.0, a, 1e-3 * rng.standard_normal((problem.d, problem.M)))


def run_lbfgs(loss, theta0: np.ndarray, max_iter: int = 400, rounds: int = 3) -> np.ndarray:
    """L-BFGS restarted (fresh curvature memory) up to ``rounds`` times while the gradient is not yet small."""
    theta = theta0
    for _ in range(rounds):
        theta = opt.minimize(loss, theta, max_iter=max_iter)
        if not np.all(np.isfinite(theta)):
            return theta
        value, grad = cert.gradient(loss, theta)
        if value <= lg.NEAR_ZERO_LOSS or np.linalg.norm(grad) <= 0.1 * lg.CRITICAL_GRAD_TOL:
            break
    return theta


def descend(
    problem: lg.ShallowProblem,
    starts: int,
    seed: int,
    *,
    extra_starts=(),
    max_iter: int = 400,
    rounds: int = 3,
    scale: float = 1.0,
    near_constant: bool = True,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """L-BFGS from ``starts`` random points (drawn first, from ``default_rng(seed)``), one near-constant start and
    any given starting points; returns ``(start, end point)`` pairs in that order."""
    rng = np.random.default_rng(seed)
    loss = problem.objective()
    points = [problem.random_theta(rng, scale) for _ in range(positive_int("starts", starts))]
    if near_constant:
        points.append(near_constant_start(problem, rng))
    points += [np.asarray(t, float) for t in extra_starts]
    return [(theta0, run_lbfgs(loss, theta0, max_iter=max_iter, rounds=rounds)) for theta0 in points]


def search(
    problem: lg.ShallowProblem,
    starts: int,
    seed: int,
    extra_starts=(),
    max_iter: int = 400,
    scale: float = 1.0,
    near_constant: bool = True,
    separator=None,
) -> list[EndPoint]:
    """:func:`descend`, then every end point classified (:func:`classify`)."""
    out = []
    for k, (theta0, theta) in enumerate(
        descend(
            problem,
            starts,
            seed,
            extra_starts=extra_starts,
            max_iter=max_iter,
            scale=scale,
            near_constant=near_constant,
        )
    ):
        if not np.all(np.isfinite(theta)):
            out.append(EndPoint(theta0, "unconverged", float("nan"), -1, float("nan"), float("nan")))
            continue
        out.append(classify(problem, theta, seed=seed + k, separator=separator))
    return out


# ------------------------------------------------------------------------------------------------------------
# Targeted search: plain training that ends at certified bad minima
# ------------------------------------------------------------------------------------------------------------
@dataclass
class FoundMinimum:
    theta: np.ndarray
    value: float
    errors: int
    certificate: PointCertificate
    kink_margin: float  # smallest |pre-activation| on the data (> radius * max ||x||: no kink nearby)
    start: int


def search_bad_minima(
    prob: lg.ShallowProblem, starts: int, seed: int = 0, init_scale: float = 1.0, samples: int = 60
) -> tuple[list, int]:
    """L-BFGS from random starts on a ReLU-class shallow problem; keep the end points that (i) have gradient at
    most :data:`landscape.liang.CRITICAL_GRAD_TOL`, (ii) have no pre-activation within the perturbation ball's
    reach of the kink at 0 (so the loss is smooth around them), (iii) are certified local minima, and
    (iv) misclassify at least one sample.  Returns (found, number of end points examined)."""
    # imported here: the constructions package re-exports this module's names
    from landscape.liang2018.constructions.base import local_samples
    from landscape.liang2018.constructions.certificates import PointCertificate

    loss = prob.objective()
    reach = max(PERTURBATION_RADII) * float(np.linalg.norm(prob.X, axis=1).max())
    found = []
    ends = descend(prob, starts, seed, max_iter=1000, rounds=1, scale=init_scale, near_constant=False)
    for s, (_, theta) in enumerate(ends):
        errs = prob.errors(theta)
        if errs == 0:
            continue
        _, _, W = prob.unpack(theta)
        kink = float(np.abs(prob.X @ W).min())
        if kink <= reach:
            continue
        c = cert.certify(
            loss,
            theta,
            grad_tol=lg.CRITICAL_GRAD_TOL,
            eig_tol=CONSTRUCTION_EIG_TOL,
            perturbation_radii=PERTURBATION_RADII,
            samples=samples,
            seed=s,
        )
        if not c.is_local_min:
            continue
        base = prob.value(theta)
        worst = min(prob.value(t) - base for _, t in local_samples(theta, PERTURBATION_RADII, samples, s + 1))
        pc = PointCertificate(c.verdict, c.value, c.grad_norm, c.lambda_min, worst, samples)
        found.append(FoundMinimum(theta, base, errs, pc, kink, s))
    return found, starts
