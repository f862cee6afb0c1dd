"""Liang et al. family: cost of certifying an end point of the single-layer-plus-offsets model at ~10^4
parameters (Lanczos on Hessian-vector products; gradient, smallest eigenvalue and, where flat, the perturbation
test), against the dense Hessian at a size where it still fits; and the cost of one Theorem 1 example (search
from 4 starts + classification) at the largest sizes the strategies draw."""

import numpy as np
import pytest

from landscape.core import certify as cf
from landscape.liang2018 import minima as lm
from landscape.liang2018 import models as lg


def shallow(d, M, n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.where(X[:, 0] + 0.3 * rng.standard_normal(n) >= 0, 1.0, -1.0)
    p = lg.ShallowProblem(X, y, M, "softplus", 6, offsets=rng.standard_normal(n))
    return p, p.random_theta(rng)


@pytest.mark.parametrize("method", ["lanczos", "dense"])
def test_bench_liang_smallest_eigenvalue_5k(benchmark, method):
    p, theta = shallow(d=49, M=100)  # 1 + 100 + 4900 = 5001 parameters
    benchmark.group = f"Liang model, smallest Hessian eigenvalue, {p.size} parameters"
    lam = benchmark.pedantic(
        lambda: cf.smallest_eigenpair(p.objective(), theta, method=method)[0],
        rounds=1,
        iterations=1,
        warmup_rounds=1 if method == "lanczos" else 0,
    )
    benchmark.extra_info["lambda_min"] = lam


def test_bench_liang_certify_10k(benchmark):
    p, theta = shallow(d=99, M=100)  # 1 + 100 + 9900 = 10001 parameters
    benchmark.group = f"Liang model, certify, {p.size} parameters"
    c = benchmark.pedantic(
        lambda: cf.certify(p.objective(), theta, grad_tol=1e30, eig_tol=1e-6, method="lanczos"),
        rounds=1,
        iterations=1,
        warmup_rounds=1,
    )
    benchmark.extra_info.update(verdict=c.verdict, lambda_min=c.lambda_min)


def test_bench_liang_theorem1_example(benchmark):
    rng = np.random.default_rng(1)
    n, d = 14, 6
    X = np.zeros((n, d))
    y = np.r_[np.ones(7), -np.ones(7)]
    X[:7, :3] = rng.standard_normal((7, 3))
    X[7:, 3:] = rng.standard_normal((7, 3))
    p = lg.ShallowProblem(X, y, lg.required_width_thm1(n, 3, 3, 3), "softplus", 6)
    ends = benchmark.pedantic(lambda: lm.search(p, 3, seed=0), rounds=1, iterations=1)
    benchmark.extra_info["statuses"] = [e.status for e in ends]


@pytest.mark.parametrize("n", [6, 14])
def test_bench_liang_critical_census_per_point(benchmark, n):
    """The critical-point search on one Theorem 1 instance (7 Newton runs, deflated, each end point classified):
    seconds per classified critical point that is not near-global are in ``extra_info``."""
    from landscape.liang2018 import critical as lcr

    rng = np.random.default_rng(2)
    d = 6
    X = np.zeros((n, d))
    y = np.r_[np.ones(n // 2), -np.ones(n - n // 2)]
    X[: n // 2, :3] = rng.standard_normal((n // 2, 3))
    X[n // 2 :, 3:] = rng.standard_normal((n - n // 2, 3))
    p = lg.ShallowProblem(X, y, lg.required_width_thm1(n, 3, 3, 3), "softplus", 6)
    benchmark.group = f"Liang model, critical-point census, n={n}, {p.size} parameters"
    census = benchmark.pedantic(lambda: lcr.critical_census(p, 0), rounds=1, iterations=1, warmup_rounds=1)
    seconds = benchmark.stats.stats.mean if benchmark.stats else float("nan")
    benchmark.extra_info.update(
        classified=len(census.classified),
        counts=census.counts(),
        runs=census.runs,
        unconverged=census.unconverged,
        seconds_per_classified=seconds / max(len(census.classified), 1),
    )
