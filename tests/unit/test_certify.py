"""The local-minimum certifier: planted minima pass, planted saddles and non-critical points fail, and the
matrix-free (Lanczos on Hessian-vector products) and dense routes agree."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.core import certify as cf


def bowl(t):
    return t[0] ** 2 + 3 * t[1] ** 2


def saddle(t):
    return t[0] ** 2 - t[1] ** 2


def product_fit(t):  # (1 - a b)^2: the origin is a strict saddle (Hessian [[0, -2], [-2, 0]])
    return (1 - t[0] * t[1]) ** 2


def quartic_flat(t):  # x^4 + y^2: a minimum whose Hessian is only semi-definite
    return t[0] ** 4 + t[1] ** 2


def cubic_flat(t):  # x^3 + y^2: same Hessian at 0, but not a minimum
    return t[0] ** 3 + t[1] ** 2


@pytest.mark.parametrize(
    "loss, point, verdict",
    [
        pytest.param(bowl, [0.0, 0.0], "local-min", id="planted minimum"),
        pytest.param(saddle, [0.0, 0.0], "saddle", id="x^2 - y^2 at 0"),
        pytest.param(product_fit, [0.0, 0.0], "saddle", id="(1 - ab)^2 at 0: strict saddle of a tiny network"),
        pytest.param(product_fit, [2.0, 0.5], "local-min (flat, perturbation)", id="(1 - ab)^2 on its valley"),
        pytest.param(quartic_flat, [0.0, 0.0], "local-min (flat, perturbation)", id="x^4 + y^2 at 0"),
        pytest.param(cubic_flat, [0.0, 0.0], "saddle", id="x^3 + y^2 at 0: flat, not a minimum"),
        pytest.param(bowl, [0.3, 0.0], "not-critical", id="non-critical point"),
    ],
)
def test_planted_points_are_classified(loss, point, verdict):
    cert = cf.certify(loss, np.array(point), grad_tol=1e-8, eig_tol=1e-6)
    assert cert.verdict == verdict, cert


@settings(max_examples=15, deadline=None)
@given(n=st.integers(3, 40), seed=st.integers(0, 2**32 - 1))
def test_lanczos_and_dense_agree_on_random_quadratic_plus_quartic(n, seed):
    rng = np.random.default_rng(seed)
    A = torch.tensor(rng.standard_normal((n, n)))
    S = A + A.T
    c = torch.tensor(rng.standard_normal(n))

    def loss(t):
        return 0.5 * t @ S @ t + 0.1 * torch.sum((t - c) ** 4)

    theta = rng.standard_normal(n)
    dense, _, m1 = cf.smallest_eigenpair(loss, theta, method="dense")
    lanczos, vec, m2 = cf.smallest_eigenpair(loss, theta, method="lanczos")
    assert (m1, m2) == ("dense", "lanczos")
    scale = float(np.abs(np.linalg.eigvalsh(cf.dense_hessian(loss, theta))).max())
    assert abs(dense - lanczos) <= 1e-8 * (1 + scale)
    H = cf.dense_hessian(loss, theta)
    assert np.linalg.norm(H @ vec - lanczos * vec) <= 1e-6 * (1 + scale)


def test_training_then_certifying_a_least_squares_fit():
    rng = np.random.default_rng(1)
    X, y = torch.tensor(rng.standard_normal((20, 4))), torch.tensor(rng.standard_normal(20))

    def loss(t):
        return 0.5 * torch.mean((X @ t - y) ** 2)

    theta = cf.minimize(loss, rng.standard_normal(4))
    cert = cf.certify(loss, theta, grad_tol=1e-8, eig_tol=1e-6)
    assert cert.verdict == "local-min" and cert.lambda_min > 0


def test_certifier_rejects_bad_input():
    with pytest.raises(ValueError, match="theta contains NaN"):
        cf.certify(bowl, np.array([np.nan, 0.0]), grad_tol=1e-8, eig_tol=1e-6)
    with pytest.raises(ValueError, match="grad_tol must be >"):
        cf.certify(bowl, np.zeros(2), grad_tol=0.0, eig_tol=1e-6)
    with pytest.raises(ValueError, match="method must be"):
        cf.smallest_eigenpair(bowl, np.zeros(2), method="power")


def test_an_unconverged_eigensolver_is_inconclusive_not_a_certificate(monkeypatch):
    """ARPACK giving up (a clustered bottom spectrum) must leave the point undecided: an unconverged Lanczos
    Ritz value bounds the smallest eigenvalue only from above."""
    from scipy.sparse.linalg import ArpackNoConvergence

    def no_convergence(*args, **kwargs):
        raise ArpackNoConvergence("No convergence (1000 iterations, 0/1 eigenvectors converged)", [], [])

    monkeypatch.setattr(cf, "smallest_eigenpair", no_convergence)
    c = cf.certify(lambda t: (t**2).sum(), np.zeros(3), grad_tol=1e-8, eig_tol=1e-8)
    assert c.verdict == "inconclusive" and not c.is_local_min
    assert "ArpackNoConvergence" in c.details["reason"]
