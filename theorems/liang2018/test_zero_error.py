"""Liang, Sun, Li, Srikant (ICML 2018), the positive results: with a single-layer branch of the right neurons added
to any network, every local minimum of the polynomial-hinge loss classifies the sample perfectly — on subspace data
with enough neurons (Theorem 1, Proposition 1 for quadratic neurons) and on linearly separable data with any number
of increasing neurons (Theorem 2).

Routes.  Local minima are searched by float64 L-BFGS from random starts plus a start next to a constant model, and
every end point is classified with evidence (``landscape.liang_minima``): near-global (loss <= 1e-10), certified
local minimum (gradient, Hessian spectrum, perturbation test, spare-neuron escape), escaped, or unconverged.  The
training error is always COUNTED from the outputs.  Independent certificates: for Theorem 2 the quantitative
first-order bound (a small gradient in one neuron's input weights forces every margin near 1); for Proposition 1 the
convex program over the quadratic forms the network can represent; the two lemmas behind Theorem 1 are checked by
exact evaluation.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from landscape.core import tolerances as tol
from landscape.liang2018 import conditions as lc
from landscape.liang2018 import models as lg
from strategies import budget
from strategies.liang2018.data import near_margin_one, separable_problems, subspace_problems
from theorems.liang2018.checks import (
    check_spare_neuron_move,
    check_subspace_lemma,
    check_thm2_certificate,
    check_zero_error_at_minima,
    class_membership,
    thm2_error_certificate,
)


# ------------------------------------------------------------------------------------------------------------
# Theorem 1 and Proposition 1 (subspace data)
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "liang2018.thm1",
    covers=(
        "subspace data (r 2-6, d r..6, n 5-14, optional rotation); softplus, exp, cosh, square; Thm-1 width + 0-2; "
        "p 6-8; offsets 0/0.5/3"
    ),
)
@budget(1.0)
@given(inst=subspace_problems(min_n=5))
def test_every_local_minimum_on_subspace_data_has_zero_error(inst, record):
    check_zero_error_at_minima(inst, record)


@pytest.mark.claim(
    "liang2018.prop1",
    covers=(
        "subspace data (r 2-6, d r..6, n 5-14, optional rotation); quadratic neurons at M = r + 1..r + 2; p 6-8; "
        "offsets 0/0.5/3"
    ),
)
@budget(1.0)
@given(inst=subspace_problems(acts=("square",), width="prop1", min_n=5))
def test_quadratic_neurons_more_than_the_data_rank_suffice(inst, record):
    assert inst.problem.M > inst.r
    p = inst.problem
    conv = record.decide(lambda: lc.convex_quadratic_fit(p.X, p.y, p.offsets, p.p), instance=inst, what="convex route")
    # subspace data are separable by a quadratic form, so the convex optimum over all (a0, A) is 0: Clarabel's
    # returned point is feasible for an unconstrained problem, and its loss (re-evaluated in numpy) is accurate
    # to the solver's gap tolerance
    record.leq(
        conv["value"],
        0.0,
        tol=tol.conic_value(0.0),
        instance=inst,
        what="zero-loss quadratic classifier exists (convex route)",
        routes=("convex program over (a0, A), re-evaluated", "claimed infimum 0"),
    )
    check_zero_error_at_minima(inst, record)


# ------------------------------------------------------------------------------------------------------------
# Theorem 2 (linearly separable data) and its quantitative form
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.claim(
    "liang2018.thm2",
    covers=(
        "separable data (d 1-5, n 6-20, margin 0.05-1); softplus, exp, linear, sigmoid, tanh, arctan; M 1-3; p "
        "3/4/6; offsets 0/0.5/3"
    ),
)
@budget(1.0)
@given(inst=separable_problems(min_n=6))
def test_every_local_minimum_on_separable_data_has_zero_error(inst, record):
    check_zero_error_at_minima(inst, record, cert_route=thm2_error_certificate)


@pytest.mark.claim(
    "liang2018.thm2.cert",
    covers=(
        "separable data (d 1-5, n 2-20, margin 0.05-1); six increasing activations; M 1-3; p 3/4/6; random "
        "parameters at scales 0.3/1/3"
    ),
)
@budget(1.0)
@given(inst=separable_problems(), scale=st.sampled_from([0.3, 1.0, 3.0]))
def test_input_weight_gradient_bounds_the_hinge_weights(inst, record, scale):
    """``n ||grad_{w_j} L|| >= |a_j| s_j gamma sum_i lambda_i`` at random parameters of several scales."""
    check_thm2_certificate(inst, record, scale)


# ------------------------------------------------------------------------------------------------------------
# The two lemmas behind Theorem 1 (derived; exact evaluation)
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.claim(
    "liang2018.lem.subspace",
    covers="subspace data (r 2-6, d r..6, n 2-14, optional rotation); softplus, exp, cosh, square; t 0.1/0.5/1",
)
@budget(1.0)
@given(inst=subspace_problems(), t=st.sampled_from([0.1, 0.5, 1.0]))
def test_weighted_response_is_nonzero_on_subspace_data(inst, record, t):
    """With e owned by one class only, w = s t e makes ``g_lambda(w)`` at least ``sum lambda_i D(s t e^T x_i)`` over
    that class (> 0): the other class does not see e, and the sigma(0) terms cancel by the balance condition."""
    check_subspace_lemma(inst, record, t)


@pytest.mark.claim(
    "liang2018.lem.spare",
    covers=(
        "subspace data (r 2-6, d r..6, n 2-14, optional rotation); softplus, exp, cosh, square; Thm-1 width + 0-2; "
        "offsets 0/0.5/3"
    ),
)
@budget(1.0)
@given(inst=subspace_problems())
@example(inst=near_margin_one(0))
@example(inst=near_margin_one(1))
@example(inst=near_margin_one(2))
@example(inst=near_margin_one(3))
def test_switched_off_neuron_gives_a_descent_move(inst, record):
    """At a point with a_j = 0 and the output bias optimal (so the weights lambda balance across classes), a nearby
    input weight with ``g_lambda != 0`` plus a small output weight of its sign lowers the loss: no such point is a
    local minimum unless all lambda vanish."""
    check_spare_neuron_move(inst, record)


# ------------------------------------------------------------------------------------------------------------
# Table 1: the activation classes, checked numerically (the report rebuilds the table from this run's verdicts)
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.claim(
    "liang2018.table1",
    covers=(
        "each of the 14 catalogued activations (ReLU, ReQU, leaky ReLU, ELU, softplus, exp, cosh, square, sigmoid, "
        "tanh, ...), decided on a grid"
    ),
)
@pytest.mark.parametrize("name", sorted(lg.ACTIVATIONS))
def test_activation_classes_of_table_1(name, record):
    act = lg.activation(name)
    found = class_membership(act)
    for cls in lg.CLASSES:
        record.leq(
            abs(int(found[cls]) - int(cls in act.classes)),
            0,
            tol=0.0,
            instance=name,
            what=f"class '{cls}' from the grid agrees with the catalogue",
            routes=("class decided from values on a grid", "class declared in the catalogue"),
        )
    record.note("classes", ",".join(sorted(act.classes)), instance=name)
