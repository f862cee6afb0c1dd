"""Meta-tests of the certifier in saturated regions (the trap behind a false 'violated' verdict of liang2018.thm2).

A `dev` run with ``--hypothesis-seed=1515`` drew separable data (n = 16, d = 4, 14 positives, margin 0.05, offsets
of scale 0.5, strategy seed 159) with one softplus neuron and p = 3.  One L-BFGS run from that search ends where the
neuron is saturated: a misclassified sample has softplus' ~ 1e-17, the gradient is ~5e-9 (under the absolute
tolerance 1e-7), the Hessian is flat and no perturbation of radius 1e-2..1e-4 is lower.  The plain second-order
certifier called it a local minimum with one error.  It is not even a critical point: Theorem 2's first-order bound
(``liang2018.thm2.cert``) proves the gradient non-zero.  The certifier must withhold its verdict there.

A nightly run of liang2018.prop9 (logistic loss, seed 273) met the same trap without a misclassified sample: the
critical-point search drove every neuron to its activation's asymptote (pre-activations ~ -25), where a gradient
of 1e-11 that does not cancel at all in the output weights passed as critical beside the output bias's O(1)
terms.  The saturated-neuron rule (``landscape.liang2018.minima.saturated_neuron``) withholds the verdict there.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from landscape.core import certify as cert
from landscape.liang2018 import conditions as cond
from landscape.liang2018 import critical as lcr
from landscape.liang2018 import minima as lm
from landscape.liang2018 import models as lg
from landscape.liang2018.tolerances import SEARCH_REL_GRAD_TOL, THETA_MAX, strict_decrease
from strategies.liang2018.conditions import catalog_radial_instance
from strategies.liang2018.data import subspace_instance


def saturated_instance() -> tuple[lg.ShallowProblem, np.ndarray]:
    """The failing draw, rebuilt exactly as ``strategies.liang2018.data.separable_problems`` builds it."""
    rng = np.random.default_rng(159)
    n, d = 16, 4
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    y = np.r_[np.ones(14), -np.ones(2)]
    Z = rng.standard_normal((n, d))
    Z -= np.outer(Z @ u, u)
    X = Z + np.outer(y * (0.05 + np.abs(rng.standard_normal(n))), u)
    offsets = 0.5 * rng.standard_normal(n)
    return lg.ShallowProblem(X, y, 1, "softplus", 3, offsets=offsets), u


@pytest.fixture(scope="module")
def trap():
    """The saturated end point: the third random start of the search, one L-BFGS round."""
    problem, u = saturated_instance()
    ends = [theta for _, theta in lm.descend(problem, 3, 159, rounds=1)]
    bad = [t for t in ends if problem.errors(t) > 0]
    assert len(bad) == 1
    return problem, u, bad[0]


def test_the_trap_is_real(trap):
    """The point has what fooled the old certifier: one error, a gradient under the absolute tolerance, a flat
    Hessian, no lower point at the perturbation radii; yet Theorem 2's bound proves its gradient non-zero."""
    problem, u, theta = trap
    plain = cert.certify(
        problem.objective(), theta, grad_tol=lg.CRITICAL_GRAD_TOL, eig_tol=lg.HESSIAN_EIG_TOL, samples=100
    )
    assert problem.errors(theta) == 1
    assert plain.grad_norm <= lg.CRITICAL_GRAD_TOL
    assert plain.is_local_min, plain.verdict  # what an absolute gradient tolerance concludes
    assert lm.first_order_evidence(problem, theta, u).floor > 0.0


@pytest.mark.parametrize("with_separator", [True, False], ids=["thm2-floor", "saturation-rule"])
def test_saturated_point_is_not_certified(trap, with_separator):
    """With the first-order evidence (Theorem 2's floor when the separator is known, the saturation rule on the
    misclassified samples' gradient terms otherwise) the point is inconclusive, never a local minimum."""
    problem, u, theta = trap
    end = lm.classify(problem, theta, seed=3, separator=u if with_separator else None)
    assert end.status == "inconclusive", (end.status, end.details)
    assert "saturated" in end.details["reason"]


def test_the_issue_search_certifies_no_bad_minimum():
    """The search exactly as the failing run did it (three random starts, seed 159, restarts): no end point that
    misclassifies is a certified local minimum."""
    problem, u = saturated_instance()
    ends = lm.search(problem, 3, 159, separator=u)
    assert all(e.status != "local-min" for e in ends if e.errors > 0), [(e.status, e.errors) for e in ends]
    assert any(e.status == "inconclusive" and e.errors > 0 for e in ends)


def test_growing_weights_are_inconclusive():
    """Weights beyond ``theta_max`` (an asymptotic region) are never certified, even at an exact minimum of a
    strictly convex function."""
    import torch

    loss = lambda t: torch.sum((t - 2e3) ** 2)  # noqa: E731
    c = cert.certify(loss, np.full(3, 2e3), grad_tol=1e-8, eig_tol=1e-6, theta_max=1e3)
    assert c.verdict == "inconclusive" and "asymptotic" in c.details["reason"]
    assert cert.certify(loss, np.full(3, 2e3), grad_tol=1e-8, eig_tol=1e-6).verdict == "local-min"


def test_relative_criticality_rejects_a_small_but_uncancelled_gradient():
    """A gradient under the absolute tolerance but not small relative to its own terms is not critical."""
    loss = lambda t: 1e-9 * t[0] + t[1] ** 2  # noqa: E731 - gradient 1e-9: no cancellation at all
    theta = np.zeros(2)
    assert cert.certify(loss, theta, grad_tol=1e-7, eig_tol=1e-6).verdict != "not-critical"
    ev = cert.FirstOrderEvidence(term_scale=1e-9)
    assert cert.certify(loss, theta, grad_tol=1e-7, eig_tol=1e-6, first_order=ev).verdict == "not-critical"


# ------------------------------------------------------------------------------------------------------------
# The nightly asymptote of liang2018.prop9 (seed 273): every neuron saturated, no misclassified sample
# ------------------------------------------------------------------------------------------------------------
def _asymptote(act: str, loss: str = "logistic"):
    """The critical-point search exactly as the failing run did it; its Proposition-3-shape start ends on the
    asymptote.  ``loss="poly_hinge"``: the same trap under Theorem 1's loss (seed 1018, offsets of scale 0.5),
    where the old certifier counted the point as an error-free local minimum (evidence for Theorem 1)."""
    if loss == "logistic":
        inst = subspace_instance(273, (1, 2, 0), 4, 2, 1, True, act, surplus=2, loss="logistic")
    else:
        inst = subspace_instance(1018, (1, 2, 2), 5, 3, 2, True, act, p=8, offset_scale=0.5)
    census = lcr.critical_census(inst.problem, inst.seed, random_starts=1, constant_starts=2)
    (entry,) = [e for e in census.entries if e.start == "prop3 shape"]
    return inst.problem, entry


ASYMPTOTES = [("exp", "logistic"), ("softplus", "logistic"), ("exp", "poly_hinge")]


@pytest.mark.parametrize("act, loss", ASYMPTOTES)
def test_the_asymptote_is_real(act, loss):
    """What fooled the certifier: every pre-activation below -20, a gradient under the search's tolerance, a
    Hessian flat up to 1e-10, and the plain verdict "local minimum (flat, perturbation)".  Why it is no minimum:
    the gradient in the output weights does not cancel (for some neuron it is at least half the size of its own
    terms, so it is not zero beyond rounding), the Hessian has a negative eigenvalue far beyond its rounding, and a
    step of length 1 against the gradient in the output weights lowers the evaluated loss beyond rounding."""
    problem, e = _asymptote(act, loss)
    theta = e.point.theta
    _, a, W = problem.unpack(theta)
    Z = problem.X @ W
    assert Z.max() < -20.0
    value, grad, H = lcr.derivatives(problem)(theta)
    assert np.linalg.norm(grad) <= lcr.CRITICAL_POINT_TOL
    ev = lm.first_order_evidence(problem, theta)
    assert "is saturated" in ev.saturated
    old = cert.certify(
        problem.objective(),
        theta,
        grad_tol=lg.CRITICAL_GRAD_TOL,
        eig_tol=lg.HESSIAN_EIG_TOL,
        first_order=dataclasses.replace(ev, saturated=""),  # the evidence before the saturated-neuron rule
        rel_grad_tol=SEARCH_REL_GRAD_TOL,
        theta_max=THETA_MAX,
        samples=60,
        hessian=H,
    )
    assert old.verdict == "local-min (flat, perturbation)", old
    # d L / d a_j = (1/n) sum_i l'_i (-y_i) sigma(z_ij): its terms, and how much of them survives
    terms = (-problem.lambdas(theta) * problem.y)[:, None] * lg.activation(problem.act).np_fn(Z) / problem.n
    size = np.abs(terms).sum(axis=0)
    assert np.all(np.abs(terms.sum(axis=0) - grad[1 : 1 + problem.M]) <= 1e3 * lg.EPS64 * size)
    assert np.max(np.abs(terms.sum(axis=0)) / size) >= 0.5
    # negative curvature beyond the rounding of its own Rayleigh quotient (entrywise: |v|^T |H| |v|)
    v = np.linalg.eigh(H)[1][:, 0]
    assert v @ H @ v < -1e3 * lg.EPS64 * (np.abs(v) @ np.abs(H) @ np.abs(v))
    moved = theta.copy()
    moved[1 : 1 + problem.M] -= grad[1 : 1 + problem.M] / np.linalg.norm(grad[1 : 1 + problem.M])
    assert problem.value(moved) < value - strict_decrease(value)


@pytest.mark.parametrize("act, loss", ASYMPTOTES)
def test_the_asymptote_is_not_certified(act, loss):
    """With the saturated-neuron rule both classifiers (the search's and the end-point classifier of the
    condition tests) leave the point inconclusive, naming the neuron."""
    problem, e = _asymptote(act, loss)
    assert e.kind == "inconclusive" and "is saturated" in e.point.details["reason"], (e.kind, e.point.details)
    if loss == "logistic":
        v = cond.classify_end_point(problem, e.point.theta)
        assert v.status == "inconclusive" and "is saturated" in v.details["reason"], v


@pytest.mark.parametrize("act", ["softplus", "exp", "cosh", "square"])
def test_the_saturation_rules_spare_planted_minima(act):
    """Genuine bad local minima (Proposition 11/12's construction on the catalog's radial data: W = 0, output
    weights of one sign) have no saturated neuron and stay certified by both classifiers."""
    inst = catalog_radial_instance(act=act)
    pm = cond.plant_bad_minimum(inst.X, inst.y, inst.lam0, 1, act, 3, p=6, level=1.3)
    assert lm.first_order_evidence(pm.problem, pm.theta).saturated == ""
    assert lm.classify(pm.problem, pm.theta).status == "local-min"
    assert cond.classify_end_point(pm.problem, pm.theta).status == "local-min"


def test_a_neuron_switched_off_by_its_output_weight_is_not_saturated():
    """A quadratic neuron with a_j = 0 at w_j = 0 has every term of its gradient and curvature zero, but its
    activation is alive (sigma'' = 2): that is the spare-neuron case, decided by its own move, not an asymptote."""
    inst = catalog_radial_instance(act="square")
    pm = cond.plant_bad_minimum(inst.X, inst.y, inst.lam0, 1, "square", 3, p=6, level=1.3)
    p = pm.problem
    a0, a, W = p.unpack(pm.theta)
    q = lg.ShallowProblem(p.X, p.y, p.M + 1, p.act, p.p, p.loss, p.offsets)
    theta = q.pack(a0, np.r_[a, 0.0], np.c_[W, np.zeros(p.d)])
    assert lm.saturated_neuron(q, theta, lg.CRITICAL_GRAD_TOL, lg.HESSIAN_EIG_TOL) == ""
