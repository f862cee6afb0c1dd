"""The zero-error family can fail: with one assumption of Liang et al.'s theorems dropped, the same check the
theorem tests run must find a certified local minimum that misclassifies, within the ci budget.

* a neuron outside Theorem 1's class (ReLU) on subspace data in a half-space, with a start at a dead-neuron point;
* a loss outside Assumption 1 (the square loss) with quadratic neurons on 1-D-per-class subspace data.

Width below Theorem 1's threshold (M = 1 or 2 softplus neurons on subspace data) used to be "refuted" here; with a
certifier that withholds its verdict in saturated regions it no longer is: every misclassifying end point the
search reached at that width was a saturated, asymptotic point (weights 14..100, Theorem 2's first-order bound
positive), not a local minimum.  See tests/mutation/test_liang2018_critical.py for what the critical-point search
finds there.
"""

from __future__ import annotations

import pytest

from strategies.liang2018.mutants import half_space_relu_problems, square_loss_problems
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.liang2018.checks import check_zero_error_at_minima


@pytest.mark.mutation("liang2018.thm1", "ReLU neurons (outside Assumption 5), descent search from a dead start")
def test_relu_neurons_give_a_certified_bad_minimum():
    def check(pair, record):
        inst, dead = pair
        check_zero_error_at_minima(inst, record, starts=1, extra_starts=[dead], critical=False)

    message = refuted_under_ci_budget(half_space_relu_problems(), check)
    assert message is not None and "misclassified samples at a local-min end point" in message


@pytest.mark.mutation("liang2018.thm1", "square loss (outside Assumption 1) with quadratic neurons")
def test_square_loss_gives_a_certified_bad_minimum():
    message = refuted_under_ci_budget(square_loss_problems(), check_zero_error_at_minima, critical=False)
    assert message is not None and "misclassified samples at a local-min end point" in message
