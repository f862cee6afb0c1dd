"""Kawaguchi et al. (2019), Theorem 1 outside its assumptions: L = J fails at non-critical points, at points
critical in the output weights only, with a tanh output layer, and with weight decay (each certified, saved as a
witness); inside the derived extension (smooth activations, linear output) L = J still holds at critical points."""

from __future__ import annotations

import pytest
from hypothesis import example, given

from strategies import budget
from strategies.kawaguchi2019 import points, saturated_tanh_on_duplicated_rows
from theorems.kawaguchi2019.checks import check_failure_case, check_thm1_at_certified_minima


@pytest.mark.claim(
    "kawaguchi2019.thm1.non-critical",
    covers=(
        "fixed construction: random weights of a 3-4-4-2 mixed ReLU/leaky/|x| net on Gaussian data (first "
        "certified of seeds 0-7)"
    ),
)
def test_L_exceeds_J_at_a_non_critical_point(record):
    check_failure_case("non-critical", record)


@pytest.mark.claim(
    "kawaguchi2019.thm1.partial-critical",
    covers=(
        "fixed construction: 3-5-1 mixed ReLU/leaky/|x| net, random hidden layer, least-squares output layer, "
        "Gaussian data (seeds 0-7)"
    ),
)
def test_L_exceeds_J_when_only_the_output_layer_is_optimal(record):
    check_failure_case("partial-critical", record)


@pytest.mark.claim(
    "kawaguchi2019.thm1.nonlinear-output",
    covers=(
        "fixed construction: 2-2-1 identity hidden units with tanh output, trained to a certified local minimum on "
        "Gaussian data (seeds 0-7)"
    ),
)
def test_L_differs_from_J_at_a_local_minimum_with_tanh_output(record):
    check_failure_case("nonlinear-output", record)


@pytest.mark.claim(
    "kawaguchi2019.thm1.weight-decay",
    covers=(
        "fixed construction: 3-3-3-2 deep linear net trained on L + 0.05 ||theta||^2 to a certified local minimum, "
        "Gaussian data (seeds 0-7)"
    ),
)
def test_L_exceeds_J_at_a_local_minimum_of_the_weight_decayed_loss(record):
    check_failure_case("weight-decay", record)


@pytest.mark.claim(
    "kawaguchi2019.thm1.smooth",
    covers=(
        "depth 1-3, widths 1-3, d_y 1-3; tanh or softplus units, linear output; Gaussian/low-rank/dup/digits; "
        "planted and trained points"
    ),
)
# three planted points to one trained: L-BFGS on saturating units mostly runs off along a valley (weights 30..1e4,
# gradient 1e-2..1e2 after 300-600 iterations; Newton steps from there do not help, measured), and those end points
# are inconclusive, not local minima; at the old 2:1 mix 46 % of nightly examples were inconclusive and 3 of 13 dev
# runs had an inconclusive majority, which the recorder refuses as evidence.  Planted points of smooth nets are
# saddles more often than those of piecewise-linear ones (flat directions of J^T J meet negative curvature of the
# residual term), so this test also draws twice the examples: at an inconclusive share near 0.35, a majority of
# inconclusive examples is then a 2-3 standard-deviation event even at dev size.
@budget(2.0)
@given(
    inst=points(
        kinds=("planted", "planted", "planted", "trained"), smooth=("tanh", "softplus"), depth=(1, 3), width=(1, 3)
    )
)
@example(inst=saturated_tanh_on_duplicated_rows())
def test_smooth_activations_with_linear_output_keep_L_equal_J(inst, record):
    check_thm1_at_certified_minima(inst, record, need_class=False)
