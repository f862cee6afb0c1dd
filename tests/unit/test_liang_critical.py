"""Meta-tests of the critical-point search: the closed-form Hessian against autograd, Newton on the gradient
converging to saddles as well as minima, deflation finding a second root, and the classification of planted
points (a saddle must be certified as one, with evaluated descent; a strict minimum as a local minimum)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.core import critical as crit
from landscape.liang2018 import critical as lcr
from landscape.liang2018 import models as lg


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    act=st.sampled_from(["softplus", "square", "exp", "cosh", "tanh", "linear", "relu", "sigmoid"]),
    loss=st.sampled_from(["poly_hinge", "logistic", "square"]),
    M=st.integers(1, 4),
    d=st.integers(1, 4),
)
def test_closed_form_hessian_matches_autograd(seed, act, loss, M, d):
    rng = np.random.default_rng(seed)
    n = 7
    X = rng.standard_normal((n, d))
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    y[0], y[1] = 1.0, -1.0
    p = lg.ShallowProblem(X, y, M, act, 6, loss, offsets=rng.standard_normal(n))
    theta = p.random_theta(rng)
    v, g, H = lcr.derivatives(p)(theta)
    t = torch.tensor(theta)
    Ht = torch.func.hessian(p.objective())(t).numpy()
    gt = torch.func.grad(p.objective())(t).numpy()
    scale = 1.0 + np.abs(Ht).max()
    assert abs(v - p.value(theta)) <= 1e-12 * (1.0 + abs(v))
    np.testing.assert_allclose(g, gt, rtol=0, atol=1e-11 * scale)
    np.testing.assert_allclose(H, Ht, rtol=0, atol=1e-11 * scale)


def _quartic():
    """L(x, y) = (x^2 - 1)^2 + y^2: minima at (+-1, 0), a saddle at (0, 0)."""

    def loss(t):
        return (t[0] ** 2 - 1.0) ** 2 + t[1] ** 2

    def der(theta, hessian=True):
        x, y = theta
        v = (x * x - 1.0) ** 2 + y * y
        g = np.array([4 * x * (x * x - 1.0), 2 * y])
        return v, g, (np.array([[12 * x * x - 4.0, 0.0], [0.0, 2.0]]) if hessian else None)

    return loss, der


def test_newton_on_the_gradient_reaches_the_saddle_and_deflation_moves_on():
    loss, der = _quartic()
    first = crit.newton_on_gradient(der, np.array([0.2, 0.3]), tol=1e-12)
    assert first.converged and np.allclose(first.theta, 0.0, atol=1e-10)  # descent would never stop here
    second = crit.newton_on_gradient(der, np.array([0.2, 0.3]), found=[first.theta], tol=1e-12)
    assert second.converged and abs(abs(second.theta[0]) - 1.0) < 1e-10  # pushed to another root


@pytest.mark.parametrize("point, kind", [((0.0, 0.0), "saddle"), ((1.0, 0.0), "local-min")])
def test_planted_points_are_classified(point, kind):
    loss, der = _quartic()
    cp = crit.classify_critical(loss, np.array(point), grad_tol=1e-9, eig_tol=1e-6)
    assert cp.kind == kind
    if kind == "saddle":
        assert cp.descent < 0  # the negative-curvature direction lowers the loss when evaluated


def test_constant_model_point_of_a_theorem_1_instance_is_a_certified_saddle():
    """All output weights 0, input weights 0, bias balanced: an exact critical point with errors, and Theorem 1 says
    it is not a local minimum; the census must certify it as a saddle."""
    rng = np.random.default_rng(3)
    X = np.zeros((6, 3))
    X[:3, :2] = rng.standard_normal((3, 2))
    X[3:, 1:] = rng.standard_normal((3, 2))
    y = np.r_[np.ones(3), -np.ones(3)]
    p = lg.ShallowProblem(X, y, 12, "softplus", 6)
    census = lcr.critical_census(p, 0)
    assert census.classified, census.counts()
    assert all(e.kind != "local-min" or e.errors == 0 for e in census.entries)
    assert any(e.kind == "saddle" and e.errors > 0 for e in census.entries)
