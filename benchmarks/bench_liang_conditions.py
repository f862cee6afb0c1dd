"""Cost of deciding the data conditions of Liang et al. 2018 (Propositions 11 and 12) with CVXPY + Clarabel, as the
sample grows: one SDP side (with and without the zero-mean constraint) including the numpy certification of its
answer, and the convex fit over (a_0, A) used for quadratic neurons.  Instances are radial data that violate the
condition by construction, so every answer has a known sign; the value is checked, the time only measured."""

import numpy as np
import pytest

from landscape.liang2018 import conditions as lc


def radial(d: int, per_class: int, seed: int = 0):
    """Mirrored radial data: positives at radius 2, negatives at radius 1, random directions (a frame first)."""
    rng = np.random.default_rng(seed)

    def directions(k):
        U = np.c_[np.linalg.qr(rng.standard_normal((d, d)))[0], rng.standard_normal((d, max(k - d, 0)))]
        return (U / np.linalg.norm(U, axis=0)).T

    P, N = 2.0 * directions(per_class), 1.0 * directions(per_class)
    X = np.r_[P, -P, N, -N]
    y = np.r_[np.ones(2 * len(P)), -np.ones(2 * len(N))]
    return X, y


SIZES = [(2, 4), (3, 10), (5, 20), (8, 40)]  # (d, directions per class): n = 4 * directions


@pytest.mark.parametrize("zero_mean", [True, False], ids=["prop11 (zero mean)", "prop12"])
@pytest.mark.parametrize("size", SIZES, ids=[f"d={d} n={4 * k}" for d, k in SIZES])
def test_bench_condition_sdp(benchmark, size, zero_mean):
    X, y = radial(*size)
    benchmark.group = f"condition SDP, one side, d={size[0]} n={len(y)}"
    res = benchmark.pedantic(lambda: lc.condition_sdp(X, y, 1, zero_mean), rounds=3, iterations=1, warmup_rounds=1)
    assert res["verdict"] == "definite", res.status  # the positives are outer: S(lam) is positive definite
    benchmark.extra_info.update(t_solver=res.value, lower=res["lower"], upper=res["upper"])


@pytest.mark.parametrize("size", SIZES[:3], ids=[f"d={d} n={4 * k}" for d, k in SIZES[:3]])
def test_bench_convex_quadratic_fit(benchmark, size):
    X, y = radial(*size)
    benchmark.group = f"convex fit over (a_0, A), d={size[0]} n={len(y)}"
    fit = benchmark.pedantic(lambda: lc.convex_quadratic_fit(X, y, np.zeros(len(y)), 6), rounds=3, iterations=1)
    assert fit.ok and fit["value"] <= 1e-6  # radial data are separated by x^T A x
    benchmark.extra_info["value"] = fit["value"]
