"""The shared route result and its named certificate checks."""

import math

import pytest

from landscape.core.results import COMPLEMENTARITY, DUAL_FEASIBILITY, PRIMAL_FEASIBILITY, RouteResult


def test_certified_needs_every_residual_within_its_tolerance():
    r = RouteResult(1.0, "optimal", True, route="cvxpy/CLARABEL").with_checks(
        {PRIMAL_FEASIBILITY: 1e-10, DUAL_FEASIBILITY: 3e-9, COMPLEMENTARITY: 0.0}
    )
    tols = {PRIMAL_FEASIBILITY: 1e-8, DUAL_FEASIBILITY: 1e-8, COMPLEMENTARITY: 1e-8}
    assert r.certified(tols)
    name, ratio = r.worst_check(tols)
    assert name == DUAL_FEASIBILITY and ratio == pytest.approx(0.3)
    assert not r.with_checks({COMPLEMENTARITY: 2e-8}).certified(tols)


def test_a_residual_without_a_tolerance_or_a_non_finite_one_is_not_a_certificate():
    r = RouteResult(1.0, "optimal", True).with_checks({"objective": 1e-12})
    with pytest.raises(ValueError, match="no tolerance"):
        r.certified({PRIMAL_FEASIBILITY: 1.0})
    bad = r.with_checks({PRIMAL_FEASIBILITY: math.nan})
    assert not bad.ok and "non-finite" in bad.status
    assert not RouteResult(1.0, "optimal", True).certified({})  # no checks at all certifies nothing


def test_a_failed_route_is_never_ok():
    r = RouteResult.failed("cvxpy/SCS", "optimal_inaccurate")
    assert not r.ok and math.isnan(r.value) and r.status == "optimal_inaccurate"
