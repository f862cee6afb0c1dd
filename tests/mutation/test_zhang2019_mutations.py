"""Each family can fail: run against a deliberately wrong claim under the ci budget, it must be refuted.

A family check that passes for a wrong closed form proves nothing; these meta-tests run the same check
functions the theorem tests use, with one formula mutated, under the ``ci`` profile's example budget (no
shrinking, to keep them quick), and require an AssertionError from the recorder.
"""
from dataclasses import replace

import numpy as np
import pytest

from landscape.zhang2019 import deep_linear as dl
from strategies.zhang2019.deep_linear import deep_linear_problems, factorization_targets
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.zhang2019.checks import check_balanced_factorization, check_schatten_duality


def _scaled(factor):
    return lambda p: replace(dl.closed_form(p), value=factor * dl.closed_form(p).value)


def _half_threshold(p):
    return dl.closed_form(replace(p, gamma=p.gamma / 2))


def _unprojected(p):
    # forgets that only the part of Y inside Row(X) can be fitted
    cf = dl.closed_form(p)
    Yt = dl.projected_targets(p.X, p.Y)
    return replace(cf, value=cf.value - 0.5 * float(np.sum((p.Y - Yt) ** 2)))


@pytest.mark.parametrize("mutant", [
    pytest.param(_scaled(0.9), id="optimum x 0.9"),
    pytest.param(_scaled(1.1), id="optimum x 1.1"),
    pytest.param(_half_threshold, id="soft threshold at gamma/2"),
    pytest.param(_unprojected, id="targets not projected on Row(X)"),
])
def test_schatten_duality_family_refutes_a_wrong_closed_form(mutant):
    message = refuted_under_ci_budget(deep_linear_problems(gamma_side="below"), check_schatten_duality,
                                      closed_form=mutant, starts=2)
    assert message is not None, "a wrong closed form survived the ci budget: the family cannot fail"
    assert "observed=" in message


def test_factorization_family_refutes_an_inflated_nuclear_norm():
    message = refuted_under_ci_budget(factorization_targets(), check_balanced_factorization,
                                      nuclear=lambda Z: 1.1 * float(np.sum(np.linalg.svd(Z, compute_uv=False))))
    assert message is not None and "||Z||_*" in message


@pytest.mark.parametrize("constant", [pytest.param(0.99, id="just below the best ratio 1"),
                                      pytest.param(0.5, id="half of it")])
def test_multibranch_search_refutes_a_too_small_constant(constant):
    from strategies.zhang2019.multibranch import pwl_branch_problems
    from theorems.zhang2019.checks import check_gap_bound

    message = refuted_under_ci_budget(pwl_branch_problems(), check_gap_bound, constant=constant)
    assert message is not None, f"the search never found a normalized gap above {constant}/I"
    assert f"P - D <= {constant:g} Delta_worst / I" in message
