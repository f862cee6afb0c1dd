"""Closed forms vs CVXPY for the deep linear results of Wang, Ergen, Pilanci 2023 on the same instances.

Goal: the closed forms (one SVD: P_lin(t), D_lin(t), every stair, the parallel value) at least 20x faster than the
conic routes (the dual with its sigma_max constraint, the nuclear-norm bi-dual), values agreeing to 1e-6.
Agreement is checked (it is correctness); the speed ratio is measured, never asserted.  The non-convex training
routes are timed too, for scale.
"""

import pytest
from hypothesis import HealthCheck, given, settings

from landscape.wang2023 import linear as wl
from strategies.wang2023.linear import wang_linear_instances


def _instances(count=12):
    found = []

    @settings(max_examples=count, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(inst=wang_linear_instances(depth=(3, 6)))
    def collect(inst):
        found.append(inst)

    collect()
    return found


INSTANCES = _instances()


def closed_forms(inst):
    """Everything the closed forms give for one instance, from one SVD of X^+ Y."""
    sv = wl.spectrum(inst.X, inst.Y).sv
    C = wl.CLOSED
    return (
        C.primal_t(sv, inst.L, inst.t),
        C.dual_t(sv, inst.L, inst.t),
        C.primal(sv, inst.L),
        C.dual(sv, inst.L),
        [C.stair(sv, inst.L, inst.t, s) for s in range(inst.L - 1)],
        C.parallel(sv, inst.L),
    )


def test_closed_forms_and_cvxpy_agree_on_the_benchmark_instances():
    for inst in INSTANCES:
        _, D_t, _, _, stairs, par = closed_forms(inst)
        dual = wl.dual_t_by_cvxpy(inst.X, inst.Y, inst.L, inst.t)
        bid = wl.bidual_t_by_cvxpy(inst.X, inst.Y, inst.L, inst.t)
        par_dual = wl.spectral_dual_by_cvxpy(inst.X, inst.Y, 1.0)
        assert dual.ok and bid.ok and par_dual.ok
        for value, route in ((D_t, dual), (D_t, bid), (stairs[0], bid), (par, par_dual)):
            assert abs(value - route["certified_value"]) <= 1e-6 * (1 + abs(value)), (value, route.value)


@pytest.mark.parametrize("route", ["closed_forms", "cvxpy_dual", "cvxpy_bidual"])
def test_bench_dual_value_routes(benchmark, route):
    fn = {
        "closed_forms": closed_forms,
        "cvxpy_dual": lambda i: wl.dual_t_by_cvxpy(i.X, i.Y, i.L, i.t),
        "cvxpy_bidual": lambda i: wl.bidual_t_by_cvxpy(i.X, i.Y, i.L, i.t),
    }[route]
    benchmark.group = "wang2023 linear: D_lin(t) (closed forms: every value of the family) for 12 instances"
    benchmark.pedantic(lambda: [fn(i) for i in INSTANCES], rounds=5 if route != "closed_forms" else 50, warmup_rounds=1)


@pytest.mark.parametrize("penalty", ["budget", "weight_decay", "power"])
def test_bench_training_routes(benchmark, penalty):
    benchmark.group = "wang2023 linear: non-convex routes, 2 starts, 12 instances"

    def run():
        out = []
        for i in INSTANCES:
            s = i.L - 2 if penalty != "power" else 0
            m = i.widths[-1] if s == i.L - 2 else i.rank + 1
            shape = wl.StairShape(i.L, s, m, tuple(i.widths[:s]), 2)
            out.append(wl.train_stair_net(i.X, i.Y, shape, penalty, t=i.t, starts=2, seed=0))
        return out

    benchmark.pedantic(run, rounds=1)


@pytest.mark.parametrize("L", [3, 4])
def test_bench_scip_global_route_on_a_two_by_two_target(benchmark, L):
    """SCIP's spatial branch and bound on P_lin(1) for X = I_2, Y = diag(1, 0.4), 10 s limit: time, best feasible
    value, proven lower bound and relative gap (recorded in extra_info), next to the Hoelder bound."""
    import numpy as np

    from landscape.wang2023.linear import scip

    X, Y = np.eye(2), np.diag([1.0, 0.4])
    res = benchmark.pedantic(lambda: scip.plin_by_scip(X, Y, L, 1.0, time_limit=10.0), rounds=1, iterations=1)
    bound = wl.holder_lower_bound(X, Y, L, 1.0)
    benchmark.extra_info.update(
        primal=res.value, dual_bound=res["dual_bound"], gap=res["gap"], hoelder=bound, status=res.status
    )
    assert res.value >= bound - 1e-6 * (1 + bound)
