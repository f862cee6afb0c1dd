"""Meta-tests of the certifier in saturated regions (the trap behind a false 'violated' verdict of liang2018.thm2).

A `dev` run with ``--hypothesis-seed=1515`` drew separable data (n = 16, d = 4, 14 positives, margin 0.05, offsets
of scale 0.5, strategy seed 159) with one softplus neuron and p = 3.  One L-BFGS run from that search ends where the
neuron is saturated: a misclassified sample has softplus' ~ 1e-17, the gradient is ~5e-9 (under the absolute
tolerance 1e-7), the Hessian is flat and no perturbation of radius 1e-2..1e-4 is lower.  The plain second-order
certifier called it a local minimum with one error.  It is not even a critical point: Theorem 2's first-order bound
(``liang2018.thm2.cert``) proves the gradient non-zero.  The certifier must withhold its verdict there.
"""

from __future__ import annotations

import numpy as np
import pytest

from landscape.core import certify as cert
from landscape.liang2018 import minima as lm
from landscape.liang2018 import models as lg


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
