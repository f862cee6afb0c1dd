"""Kawaguchi et al. (2019), Proposition 1 and Lemma 5: with one hidden layer and a scalar output, the loss at a
differentiable local minimum is the per-unit Gram-Schmidt expression (Prop. 1) and the residual of the fit on
the pattern-masked inputs [Lambda_1 X, ..., Lambda_d X] (Lemma 5)."""

from __future__ import annotations

import pytest
from hypothesis import example, given

from strategies import budget
from strategies.kawaguchi2019 import near_relu_unit_on_duplicated_rows, near_relu_unit_on_low_rank_input, points
from theorems.kawaguchi2019.checks import check_prop1


@pytest.mark.claim(
    "kawaguchi2019.prop1",
    covers=(
        "one hidden layer, width 1-5, d_y 1; ReLU, |x|, leaky (slope in [-1,1]) mixed per unit; "
        "Gaussian/low-rank/dup/digits; planted and trained"
    ),
)
@budget(1.0)
@given(
    inst=points(
        kinds=("planted", "planted", "planted", "trained"),
        depth=(1, 1),
        width=(1, 5),
        d_y=(1, 1),
        kinds_of_units=("relu", "abs", "leaky"),
    )
)
@example(inst=near_relu_unit_on_duplicated_rows())
@example(inst=near_relu_unit_on_low_rank_input())
def test_shallow_loss_at_local_minima_is_the_per_unit_expression(inst, record):
    check_prop1(inst, record)
