"""Zhang, Shao, Salakhutdinov (2019): every theorem and derived claim of the family can fail.

Each test runs the claim's own check function (``theorems/zhang2019/checks.py``) on the claim's own strategy with
one statement mutated by a stated amount, under the ``ci`` profile's example budget (no shrinking), and passes when
the recorder refutes the mutant.  The mutants are false: Theorem 1's best constant is 1 (the explicit instance
attains I (P - D) / Delta_worst = 1), so a constant 0.9 must be refuted by the drawn examples, not only by an
``@example``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from landscape.zhang2019 import deep_linear as dl
from strategies.zhang2019.deep_linear import deep_linear_problems, factorization_targets, weight_tuples
from strategies.zhang2019.multibranch import grid_network_problems, pwl_branch_problems, relu_unit_problems
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.zhang2019.checks import (
    check_balanced_factorization,
    check_gap_bound,
    check_grid_gap_bound,
    check_penalty_bound,
    check_rescaling,
    check_schatten_duality,
    check_slack_budget,
)


def _scaled(factor):
    return lambda p: replace(dl.closed_form(p), value=factor * dl.closed_form(p).value)


def _half_threshold(p):
    return dl.closed_form(replace(p, gamma=p.gamma / 2))


def _unprojected(p):
    # forgets that only the part of Y inside Row(X) can be fitted
    cf = dl.closed_form(p)
    Yt = dl.projected_targets(p.X, p.Y)
    return replace(cf, value=cf.value - 0.5 * float(np.sum((p.Y - Yt) ** 2)))


def _refuted(strategy, check, expect: str, **kwargs) -> None:
    message = refuted_under_ci_budget(strategy, check, **kwargs)
    assert message is not None, "the mutant survived the ci budget: the claim's check cannot fail"
    assert expect in message, message


# ---- Theorem 2 and eq. 6 --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "mutant",
    [
        pytest.param(
            _scaled(0.999), id="optimum x 0.999", marks=pytest.mark.mutation("zhang2019.thm2", "optimum x 0.999")
        ),
        pytest.param(
            _scaled(1.001), id="optimum x 1.001", marks=pytest.mark.mutation("zhang2019.thm2", "optimum x 1.001")
        ),
        pytest.param(
            _half_threshold,
            id="soft threshold at gamma/2",
            marks=pytest.mark.mutation("zhang2019.thm2", "soft threshold at gamma/2 instead of gamma"),
        ),
        pytest.param(
            _unprojected,
            id="targets not projected on Row(X)",
            marks=pytest.mark.mutation("zhang2019.thm2", "targets not projected on Row(X)"),
        ),
    ],
)
def test_schatten_duality_refutes_a_wrong_closed_form(mutant):
    _refuted(
        deep_linear_problems(gamma_side="below"), check_schatten_duality, "observed=", closed_form=mutant, starts=2
    )


@pytest.mark.mutation("zhang2019.thm2.large-gamma", "optimum x 1.001 above the threshold")
def test_large_gamma_duality_refutes_a_perturbed_optimum():
    _refuted(
        deep_linear_problems(gamma_side="above"),
        check_schatten_duality,
        "observed=",
        closed_form=_scaled(1.001),
        starts=2,
    )


@pytest.mark.mutation("zhang2019.eq6", "||Z||_* inflated by 1 %")
def test_factorization_refutes_an_inflated_nuclear_norm():
    _refuted(
        factorization_targets(),
        check_balanced_factorization,
        "||Z||_*",
        nuclear=lambda Z: 1.01 * float(np.sum(np.linalg.svd(Z, compute_uv=False))),
    )


@pytest.mark.mutation("zhang2019.eq6", "penalty >= 1.01 x nuclear norm of the product")
def test_penalty_bound_refutes_a_larger_lower_bound():
    _refuted(weight_tuples(), check_penalty_bound, "||W_H...W_1 X||_*", factor=1.01)


# ---- Theorem 1 and Remarks 1-3 -------------------------------------------------------------------------------------
@pytest.mark.mutation("zhang2019.thm1", "constant 2/I replaced by 0.9/I")
def test_gap_bound_refutes_constant_point_nine():
    _refuted(pwl_branch_problems(), check_gap_bound, "P - D <= 0.9 Delta_worst / I", constant=0.9)


@pytest.mark.mutation("zhang2019.thm1.sharp", "constant 1/I replaced by 0.99/I")
def test_sharp_gap_bound_refutes_constant_point_nine_nine():
    _refuted(pwl_branch_problems(), check_gap_bound, "P - D <= 0.99 Delta_worst / I", constant=0.99)


@pytest.mark.mutation("zhang2019.rem2", "constant 2/I replaced by 0.9/I")
def test_empirical_risk_gap_bound_refutes_constant_point_nine():
    _refuted(relu_unit_problems(), check_gap_bound, "P - D <= 0.9 Delta_worst / I", constant=0.9)


@pytest.mark.mutation("zhang2019.thm1.finite", "constant 2/I replaced by 0.9/I")
def test_grid_gap_bound_refutes_constant_point_nine():
    _refuted(grid_network_problems(), check_grid_gap_bound, "P - D <= 0.9 Delta_worst / I", constant=0.9)


@pytest.mark.mutation("zhang2019.thm1.finite.constant-1", "constant 1/I replaced by 0.9/I (the worked example)")
def test_worked_example_refutes_constant_point_nine():
    _refuted(grid_network_problems(), check_gap_bound, "P - D <= 0.9 Delta_worst / I", constant=0.9)


@pytest.mark.mutation("zhang2019.rem1", "rescaled gap predicted 1 % too large")
def test_rescaling_refutes_a_perturbed_scaling():
    _refuted(pwl_branch_problems(max_I=16), check_rescaling, "gap scales with the objective", gap_factor=1.01)


@pytest.mark.mutation("zhang2019.rem3", "budget at the middle of its feasible range instead of slack")
def test_slack_budget_refutes_a_binding_budget():
    def middle(inst):
        lo, hi = float(np.mean([h.min() for h in inst.H])), float(np.mean([h.max() for h in inst.H]))
        return 0.5 * (lo + hi)

    _refuted(pwl_branch_problems(max_I=16), check_slack_budget, "slack budget", budget=middle)
