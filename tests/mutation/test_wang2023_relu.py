"""The deep ReLU families of Wang, Ergen, Pilanci (2023, Section 4) can fail: each claim's check, handed a wrong
value (the dual 10 % too small, the penalty's constant off by 10 %), must be refuted within the ci budget."""

from __future__ import annotations

import numpy as np
import pytest

from landscape.wang2023 import relu as wr
from strategies.wang2023.relu import general_l3_instances, parallel_nets, rank_one_instances
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.wang2023.checks import relu as wt


def _scaled_closed_form(factor):
    return lambda data, t=1.0: factor * wr.rank_one_dual_closed_form(data, t)


WRONG = _scaled_closed_form(0.9)


def _m(claim: str, what: str):
    return pytest.mark.mutation(claim, what)


CASES = [
    pytest.param(
        rank_one_instances(cases=("same sign", "mixed sign")),
        wt.check_standard_dual_and_parallel_bidual,
        dict(closed_form=WRONG),
        id="prop5: dual x 0.9",
        marks=_m("wang2023.prop5", "dual value x 0.9"),
    ),
    pytest.param(
        rank_one_instances(),
        wt.check_rank_one_standard_zero_gap,
        dict(closed_form=WRONG, starts=1),
        id="thm5: dual x 0.9",
        marks=_m("wang2023.thm5", "dual value x 0.9"),
    ),
    pytest.param(
        parallel_nets(),
        wt.check_power_penalty_rescaling,
        dict(factor=0.9),
        id="prop6: beta L x group norm x 0.9",
        marks=_m("wang2023.prop6", "(22) = beta L x (23) with the constant x 0.9"),
    ),
    pytest.param(
        rank_one_instances(K=2, depths=(3, 4)),
        wt.check_power_penalty_dual,
        dict(closed_form=WRONG),
        id="prop6: dual (24) x 0.9",
        marks=_m("wang2023.prop6", "dual (24) value x 0.9"),
    ),
    pytest.param(
        rank_one_instances(K=2, depths=(3, 4), max_N=4),
        wt.check_parallel_zero_gap_rank_one,
        dict(closed_form=WRONG, starts=1),
        id="thm6 rank-one: dual x 0.9",
        marks=_m("wang2023.thm6", "rank-one dual value x 0.9"),
    ),
    pytest.param(
        general_l3_instances(max_N=3),
        wt.check_parallel_zero_gap_general,
        dict(dual_value=lambda v: 0.9 * v),
        id="thm6 general: exact dual x 0.9",
        marks=_m("wang2023.thm6", "exact three-layer dual value x 0.9"),
    ),
    pytest.param(
        rank_one_instances(K=2),
        wt.check_recovery_rank_one,
        dict(closed_form=WRONG),
        id="thm7: dual x 0.9",
        marks=_m("wang2023.thm7", "dual value x 0.9"),
    ),
]


@pytest.mark.parametrize("strategy, check, mutant", CASES)
def test_each_relu_family_refutes_a_wrong_value(strategy, check, mutant):
    message = refuted_under_ci_budget(strategy, check, **mutant)
    assert message is not None, "a wrong value survived the ci budget: the family cannot fail"
    assert "observed=" in message


@pytest.mark.mutation("wang2023.thm5", "assumption dropped: labels of mixed sign admitted")
def test_thm5_family_refutes_mixed_sign_labels_when_they_are_included():
    """The theorem-5 check itself, run on mixed-sign data, fails: the stated weights do not exist there."""
    with pytest.raises(ValueError, match="mixed sign"):
        refuted_under_ci_budget(
            rank_one_instances(cases=("mixed sign",)), wt.check_rank_one_standard_zero_gap, starts=1
        )


def _witness():
    from reports.registry import witness_path

    with np.load(witness_path("wang2023.thm5.mixed-signs"), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.mutation("wang2023.thm5.mixed-signs", "labels of one sign y = (1, 1) instead of (1, -1)")
def test_a_witness_with_labels_of_one_sign_is_rejected():
    arrays = _witness()
    arrays["Y"] = np.array([[1.0], [1.0]])  # labels of one sign: Theorem 5 holds there, nothing to refute
    with pytest.raises(ValueError, match="mixed sign"):
        wt.verify_mixed_sign_counterexample(arrays, starts=1)


@pytest.mark.mutation("wang2023.thm5.mixed-signs", "last layer of the witness net x 0.5 (does not interpolate)")
def test_a_witness_net_that_does_not_interpolate_is_rejected():
    arrays = _witness()
    arrays["w3"] = 0.5 * arrays["w3"]
    assert not wt.mixed_sign_counterexample_is_certified(wt.verify_mixed_sign_counterexample(arrays, starts=1))
