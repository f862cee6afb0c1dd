"""Liang, Sun, Li, Srikant (ICML 2018), Sections 4.3-4.4: zero loss and zero error (Proposition 8), the logistic
loss (Propositions 9 and 10) and the data conditions through the matrix S(lam) = sum_i lam_i y_i x_i x_i^T
(Propositions 11 and 12).

Routes.  The data conditions are decided by semidefinite programs (CVXPY, Clarabel) whose answers are certified
in numpy from both sides (the returned weights' smallest eigenvalue, a weak-duality bound from the returned dual
matrix) and cross-checked against planted weights (a lower bound known by construction) and the algebra of the
subspace lemma (an upper bound in closed form).  The bad local minima the conditions predict are built in closed
form and certified by the local-minimum certifier (gradient, Hessian, perturbations) and, for quadratic neurons,
by a convex program over the cone the construction confines the model to.  Non-convex routes are float64 L-BFGS
runs from random starts; identities are evaluated by a closed form and by torch autograd.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given

from landscape.liang2018 import conditions as cond
from strategies import budget
from strategies.liang2018.conditions import (
    catalog_radial_instance,
    leaky_subspace_problems,
    radial_problems,
    teacher_problems,
)
from strategies.liang2018.data import LiangInstance, subspace_instance, subspace_problems
from theorems.liang2018.checks import (
    BadMinimumSpec,
    check_bad_minimum,
    check_constant_critical_point,
    check_constant_critical_point_misclassifies,
    check_error_below_loss,
    check_error_free_points_are_not_critical,
    check_euler_identity,
    check_no_local_minimum,
    check_quadratic_if_side,
    check_sdp_side,
    check_shift_and_scale,
    check_spare_neuron_descent,
    check_subspace_condition,
)

# ------------------------------------------------------------------------------------------------------------
# Proposition 8 — zero minimal loss iff zero minimal error; global minimizers are error-free
# ------------------------------------------------------------------------------------------------------------


# what the logistic-loss strategies draw (Props 9 and 10, several tests each)
LOGISTIC_SUBSPACE = (
    "logistic loss; subspace data (r 2-6, d r..6, n 2-14, optional rotation); softplus, exp, cosh, square; "
    "Thm-1 width + 0-2; offsets 0/0.5/3"
)
LOGISTIC_TEACHER = (
    "logistic loss; feed-forward nets, d 1-4, 1-2 hidden layers of width 1-4, n 3-16; tanh, ReLU, softplus, "
    "sigmoid, leaky ReLU; teacher labels"
)


@pytest.mark.claim(
    "liang2018.prop8",
    covers=(
        "feed-forward nets, d 1-4, 1-2 hidden layers of width 1-4, n 3-16; tanh, ReLU, softplus, sigmoid, leaky "
        "ReLU; p 1/2/3/6; teacher-labelled data"
    ),
)
@budget(1.0)
@given(inst=teacher_problems())
def test_zero_error_parameters_map_to_zero_loss(inst, record):
    """The claim's content: zero minimal error implies zero minimal loss, attained (the explicit shift-and-scale
    map of a zero-error parameter has loss exactly 0).  R_n <= L_n at random parameters follows from the loss's
    definition alone (as does "L_n < 1/n forces zero error", no longer tested): kept as a labelled sanity check,
    not evidence."""
    check_shift_and_scale(inst, record)
    check_error_below_loss(inst, record, draws=6)


# ------------------------------------------------------------------------------------------------------------
# Proposition 9 — logistic loss under Theorem 1's assumptions: no local minimum
# ------------------------------------------------------------------------------------------------------------


def _saturated_asymptote(act: str, sizes=(1, 2, 0)) -> LiangInstance:
    """A nightly draw (seed 273, n = 2, M = 6, rotated, offsets 0) on which Newton on the gradient, started at
    Proposition 3's shape, drives every neuron to pre-activations ~ -25 (sigma ~ 1e-11): gradient 9.6e-12, loss
    1 - 2e-13, no error.  The certifier once called that point a local minimum (flat Hessian, perturbation test);
    it is not even critical (d L / d a_j is a difference of two exponentials a factor ~7 apart, the Hessian is
    indefinite), and the saturated-neuron rule now leaves it inconclusive."""
    return subspace_instance(273, sizes, 4, 2, 1, True, act, surplus=2, loss="logistic")


def _far_from_the_boundary() -> LiangInstance:
    """A nightly draw (seed 14907) whose balanced point has margins 17-22 (lambda_i down to 3e-10): the closed-form
    lambda_i, then (1 + tanh(z/2)) / 2, carried errors of 4e-8 relative, and the derivative in a_0 missed the
    autograd route's value by 1000 times the (relative) tolerance."""
    return subspace_instance(14907, (2, 2, 1), 5, 5, 4, True, "exp", loss="logistic")


@pytest.mark.claim(
    "liang2018.prop9",
    covers=LOGISTIC_SUBSPACE,
)
@budget(0.4)
@given(inst=subspace_problems(loss="logistic"))
@example(inst=_saturated_asymptote("exp"))
@example(inst=_saturated_asymptote("softplus"))
@example(inst=_saturated_asymptote("softplus", (1, 1, 1)))
def test_logistic_loss_has_no_local_minimum_on_subspace_data(inst, record):
    check_no_local_minimum(inst, record)


@pytest.mark.claim(
    "liang2018.prop9",
    covers=LOGISTIC_SUBSPACE,
)
@budget(0.6)
@given(inst=subspace_problems(loss="logistic"))
@example(inst=_far_from_the_boundary())
def test_spare_neuron_move_descends_at_balanced_points(inst, record):
    check_spare_neuron_descent(inst, record)


@pytest.mark.claim(
    "liang2018.prop9",
    covers=LOGISTIC_SUBSPACE,
)
@budget(0.4)
@given(inst=subspace_problems(loss="logistic"))
def test_critical_points_with_switched_off_neurons_are_saddles(inst, record):
    check_constant_critical_point(inst, record)


# ------------------------------------------------------------------------------------------------------------
# Proposition 10 — logistic loss, feed-forward network: every critical point misclassifies
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.claim(
    "liang2018.prop10",
    covers=LOGISTIC_TEACHER,
)
@budget(0.5)
@given(inst=teacher_problems(loss="logistic"))
def test_euler_identity_of_the_output_layer(inst, record):
    check_euler_identity(inst, record)


@pytest.mark.claim(
    "liang2018.prop10",
    covers=LOGISTIC_TEACHER,
)
@budget(0.4)
@given(inst=teacher_problems(loss="logistic"))
def test_error_free_points_are_not_critical(inst, record):
    check_error_free_points_are_not_critical(inst, record)


@pytest.mark.claim(
    "liang2018.prop10",
    covers=LOGISTIC_TEACHER,
)
@budget(0.4)
@given(inst=teacher_problems(loss="logistic"))
def test_constant_critical_points_misclassify(inst, record):
    check_constant_critical_point_misclassifies(inst, record)


# ------------------------------------------------------------------------------------------------------------
# Propositions 11 and 12 — the data conditions
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.claim(
    "liang2018.prop11",
    covers=(
        "subspace data (r 2-6, d r..6, n 2-24, optional rotation), softplus neurons at Thm-1 width + 0-2, p 6-8, "
        "offsets 0/0.5/3"
    ),
)
@budget(0.4)
@given(inst=subspace_problems(acts=("softplus",), max_n=24))
def test_subspace_data_satisfy_the_zero_mean_condition(inst, record):
    check_subspace_condition(inst, record, zero_mean=True)


@pytest.mark.claim(
    "liang2018.prop11",
    covers=(
        "fixed catalog instance: positives at (+-2, 0), (0, +-2), negatives at (+-1, 0), (0, +-1); 3 softplus "
        "neurons, p 6, uniform weights"
    ),
)
def test_catalog_radial_instance_has_a_bad_local_minimum(record):
    """The catalog's instance: SDP value 1.5 on the definite side and -1.5 on the other (closed form: S(lam)
    = 1.5 I at the uniform weights, and every admissible S has trace 3); the construction from the uniform
    weights needs no second network (offsets 0): softplus neurons, W = 0, f = 0, every negative misclassified."""
    inst = catalog_radial_instance()
    for s, exact in ((1, 1.5), (-1, -1.5)):
        res = cond.condition_sdp(inst.X, inst.y, s, True)
        check_sdp_side(res, record, inst)
        record.close(
            res.value,
            exact,
            tol=cond.SDP_VALUE_RTOL * (1.0 + res["scale"]),
            instance=inst,
            what=f"SDP side {s:+d} = closed form {exact}",
            routes=("SDP solver's t* (Clarabel)", "closed form (S = 1.5 I at the uniform weights)"),
        )
        if s == 1:
            record.close(
                float(np.max(np.abs(res["lam"] - inst.lam0))),
                0.0,
                tol=1e-6,
                instance=inst,
                what="SDP weights = uniform weights (the unique optimum)",
                routes=("SDP solver's weights (Clarabel)", "uniform weights, closed form"),
            )
    pm = cond.plant_bad_minimum(inst.X, inst.y, inst.lam0, 1, "softplus", 3, p=6, level=1.0)
    record.holds(not np.any(pm.problem.offsets), instance=pm, what="no second network needed: offsets are 0")
    record.holds(2 * pm.problem.errors(pm.theta) == pm.problem.n, instance=pm, what="error = 1/2 (exact count)")
    record.close(
        pm.value,
        1.0,
        tol=0.0,
        instance=pm,
        what="L* = 1",
        routes=("construction's loss (1/n) sum l(z_i)", "catalog's stated L* = 1"),
    )
    check_bad_minimum(inst, record, BadMinimumSpec(zero_mean=True, planted_weights=True, witness="radial"))


@pytest.mark.claim(
    "liang2018.prop11",
    covers=(
        "mirror-symmetric radial data violating the condition (d 2-3, 0-2 extra directions, rho 0.1-0.7), both "
        "sides; softplus/exp/cosh/square, M 2-4"
    ),
)
@budget(0.4)
@given(inst=radial_problems(symmetric=True))
def test_violating_data_have_a_bad_local_minimum(inst, record):
    check_bad_minimum(inst, record, BadMinimumSpec(zero_mean=True))


@pytest.mark.claim(
    "liang2018.prop12",
    covers=(
        "subspace data (r 2-6, d r..6, n 2-20, optional rotation), quadratic neurons at M = r + 1..r + 2, p 6-8, "
        "offsets 0/0.5/3"
    ),
)
@budget(0.4)
@given(inst=subspace_problems(acts=("square",), width="prop1", max_n=20))
def test_subspace_data_satisfy_the_indefiniteness_condition(inst, record):
    """ "If" side, data part: both SDPs (no zero-mean constraint) certified negative; the Prop 11 SDP (a smaller
    feasible set) cannot exceed them."""
    check_subspace_condition(inst, record, zero_mean=False)
    p = inst.problem
    for side in (1, -1):
        r11 = cond.condition_sdp(p.X, p.y, side, True)
        r12 = cond.condition_sdp(p.X, p.y, side, False)
        if np.isfinite(r11["lower"]) and np.isfinite(r12["upper"]):
            record.leq(
                r11["lower"],
                r12["upper"],
                tol=cond.SDP_VALUE_RTOL * (1.0 + r12["scale"]),
                instance=inst,
                what=f"side {side:+d}: zero-mean value <= value without the constraint",
                routes=("Prop 11 SDP weights, eigvalsh", "Prop 12 SDP dual matrix, weak duality"),
            )


@pytest.mark.claim(
    "liang2018.prop12",
    covers=(
        "subspace data (r 2-6, d r..6, n 2-14, optional rotation), quadratic neurons at M = r + 1..r + 2, p 6-8, "
        "offsets 0/0.5/3"
    ),
)
@budget(0.4)
@given(inst=subspace_problems(acts=("square",), width="prop1"))
def test_quadratic_neurons_on_subspace_data_reach_zero_error(inst, record):
    check_quadratic_if_side(inst, record)


@pytest.mark.claim(
    "liang2018.prop12",
    covers=(
        "subspace data leaking out of their class's span (leak 0.5, not subspace data), quadratic neurons at M = r "
        "+ 1..r + 2, p 6-8"
    ),
)
@budget(0.4)
@given(inst=leaky_subspace_problems())
def test_condition_without_subspace_structure_still_gives_error_free_minima(inst, record):
    """The "if" side beyond Theorem 1/Proposition 1: samples leak out of their class's span (no longer subspace
    data), yet S(lam) stays indefinite for every admissible lam; the landscape must still be free of bad minima."""
    check_subspace_condition(inst, record, zero_mean=False)
    check_quadratic_if_side(inst, record)


@pytest.mark.claim(
    "liang2018.prop12",
    covers=(
        "radial data violating the condition (d 2-3, 0-2 extra directions, rho 0.1-0.7), both sides, quadratic "
        "neurons M > d; plus the catalog instance"
    ),
)
@budget(0.4)
@given(inst=radial_problems(symmetric=False, acts=("square",)))
@example(inst=catalog_radial_instance(act="square", M=3, level=1.3))
def test_semidefinite_witness_gives_a_bad_local_minimum_for_quadratic_neurons(inst, record):
    """ "Only if" side: M > d quadratic neurons on data where an SDP certifies a definite S(lam)."""
    spec = BadMinimumSpec(zero_mean=False, act="square", M=inst.d + 1 + inst.M % 2, cone=True)
    check_bad_minimum(inst, record, spec)


@pytest.mark.claim(
    "liang2018.prop12",
    covers="fixed catalog instance (radii 2 and 1 on the axes), M = 3 quadratic neurons, level 1.3, uniform weights",
)
def test_catalog_instance_witness_for_quadratic_neurons(record):
    """The catalog instance with M = 3 > d quadratic neurons: the uniform weights give S = 1.5 I, the construction
    is a local minimum by the cone route as well, and every sample is misclassified at level 1.3."""
    inst = catalog_radial_instance(act="square", M=3, level=1.3)
    spec = BadMinimumSpec(zero_mean=False, act="square", M=3, cone=True, planted_weights=True, witness="radial-square")
    check_bad_minimum(inst, record, spec)
