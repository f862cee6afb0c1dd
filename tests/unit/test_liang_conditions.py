"""Meta-tests of the Propositions 8-12 family (Liang et al. 2018): mutated statements are refuted by the same check
functions the theorem tests use, planted minima pass and planted saddles fail certification, the SDP certificates
are valid bounds, the strategies deliver what they promise, and malformed input raises ValueError."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.core import certify as cf
from landscape.liang2018 import conditions as cond
from landscape.liang2018 import models as lg
from reports.records import Recorder
from strategies.liang2018.conditions import (
    catalog_radial_instance,
    leaky_subspace_problems,
    radial_problems,
    teacher_problems,
)
from strategies.liang2018.data import subspace_instance, subspace_problems
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.liang2018 import checks as C


# ------------------------------------------------------------------------------------------------------------
# Mutated statements are refuted
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.mutation("liang2018.prop8", "shift-and-scale to margin 1/2 instead of >= z_0 = 1")
def test_prop8_refutes_a_scale_too_small_for_margin_one():
    message = refuted_under_ci_budget(
        teacher_problems(),
        C.check_shift_and_scale,
        starts=0,
        shift_and_scale=lambda p, t: cond.shift_and_scale(p, t, target_margin=0.5),
    )
    # refuted by the claim's own check (evidence), before the margin sanity check
    assert message is not None and "loss after shift-and-scale is exactly 0" in message


def test_prop8_refutes_a_loss_that_is_not_a_surrogate():
    # max(z, 0)^(p+1) vanishes at z = 0: a sample on the wrong side of the boundary can cost less than 1
    message = refuted_under_ci_budget(
        teacher_problems(), C.check_error_below_loss, loss_fn=lambda z, p: torch.clamp(z, min=0.0) ** (p + 1)
    )
    assert message is not None and "R_n <= loss" in message


@dataclass
class _Planted:
    problem: lg.ShallowProblem
    seed: int = 0

    def summary(self) -> str:
        return f"planted logistic minimum n={self.problem.n} M={self.problem.M}"


def _logistic_planted_minimum():
    inst = catalog_radial_instance()
    return cond.plant_bad_minimum(inst.X, inst.y, inst.lam0, 1, "softplus", 3, loss="logistic", level=1.5)


@pytest.mark.mutation("liang2018.prop9", "data outside Theorem 1's (radial): a planted logistic minimum")
def test_prop9_family_detects_a_planted_logistic_minimum():
    """Off Theorem 1's data (the radial instance violates the data condition) the logistic loss does have a
    local minimum; handed to the Proposition 9 check, it must be found."""
    pm = _logistic_planted_minimum()
    with pytest.raises(AssertionError, match="not a certified local minimum"):
        C.check_no_local_minimum(_Planted(pm.problem), Recorder("mutant"), starts=0, extra_points=[pm.theta])


@pytest.mark.mutation("liang2018.prop9", "subspace lemma's sign flipped")
def test_prop9_refutes_the_wrong_sign_in_the_subspace_lemma():
    message = refuted_under_ci_budget(
        subspace_problems(loss="logistic"), C.check_spare_neuron_descent, expected_sign=-1.0
    )
    assert message is not None and "lemma" in message


def test_prop9_refutes_an_unbalanced_constant_point_as_critical():
    message = refuted_under_ci_budget(
        subspace_problems(loss="logistic"), C.check_constant_critical_point, balance=lambda p, theta: theta
    )
    assert message is not None and "is critical" in message


def test_prop10_refutes_a_constant_point_with_output_bias_zero():
    def unbalanced(problem, rng):
        theta = cond.constant_critical_point(problem, rng)
        theta[-1] = 0.0
        return theta

    message = refuted_under_ci_budget(
        teacher_problems(loss="logistic"), C.check_constant_critical_point_misclassifies, critical_point=unbalanced
    )
    assert message is not None and "is critical" in message


def _euler_without_bias(problem, theta):
    s = cond.euler_sides(problem, theta)
    sl = cond.output_layer_slice(problem)
    s["rhs"] = -problem.n * float(s["grad"][sl][:-1] @ theta[sl][:-1])  # forgets the output bias
    return s


@pytest.mark.mutation("liang2018.prop10", "Euler identity without the output bias term")
def test_prop10_refutes_an_identity_without_the_output_bias():
    message = refuted_under_ci_budget(
        teacher_problems(loss="logistic"), C.check_euler_identity, sides=_euler_without_bias
    )
    assert message is not None and "Euler identity" in message


@pytest.mark.mutation("liang2018.prop10", "lower bound with max lambda instead of min lambda")
def test_prop10_refutes_a_bound_with_the_largest_weight():
    message = refuted_under_ci_budget(
        teacher_problems(loss="logistic"),
        C.check_error_free_points_are_not_critical,
        bound=lambda lam, y, f: float(np.max(lam) * np.sum(y * f) / y.size),
        starts=0,
    )
    assert message is not None and "min lam" in message


@pytest.mark.mutation("liang2018.prop11", "construction's output weights flipped (a saddle)")
def test_prop11_refutes_a_flipped_construction():
    message = refuted_under_ci_budget(
        radial_problems(symmetric=True), C.check_bad_minimum, spec=C.BadMinimumSpec(zero_mean=True, flip=True, starts=0)
    )
    assert message is not None and "certified local minimum" in message


@pytest.mark.mutation("liang2018.prop11", "SDP witness claimed on the wrong side")
def test_prop11_refutes_a_witness_on_the_wrong_side():
    message = refuted_under_ci_budget(
        radial_problems(symmetric=True, sides=(1,)),
        C.check_bad_minimum,
        spec=C.BadMinimumSpec(zero_mean=True, claimed_side=-1, starts=0),
    )
    assert message is not None and "condition fails" in message


@pytest.mark.mutation("liang2018.prop12", "subspace lemma's bound with the largest outer coordinate")
def test_subspace_condition_refutes_a_too_tight_lemma_bound():
    """The lemma's bound with the largest instead of the smallest coordinate of the outer class claims more
    than the algebra gives; the solver's value exceeds it on some draw."""

    def too_tight(inst):
        p = inst.problem
        out = {}
        for side, own in ((1, set(inst.U_minus) - set(inst.U_plus)), (-1, set(inst.U_plus) - set(inst.U_minus))):
            outer = p.y < 0 if side == 1 else p.y > 0
            out[side] = min(-float(np.max((p.X[outer] @ inst.basis(k)) ** 2)) for k in own)
        return out

    message = refuted_under_ci_budget(
        subspace_problems(acts=("square",), width="prop1", max_n=20),
        C.check_subspace_condition,
        zero_mean=False,
        bounds=too_tight,
    )
    assert message is not None and "lemma bound" in message


@pytest.mark.mutation("liang2018.prop12", "cone of the wrong sign")
def test_prop12_refutes_the_cone_of_the_wrong_sign():
    message = refuted_under_ci_budget(
        radial_problems(symmetric=False, acts=("square",)),
        C.check_bad_minimum,
        spec=C.BadMinimumSpec(zero_mean=False, act="square", M=4, cone=True, starts=0, cone_side=-1),
    )
    assert message is not None and "cone" in message


@pytest.mark.mutation("liang2018.prop12", "quadratic construction's output weights flipped")
def test_prop12_refutes_a_flipped_quadratic_construction():
    message = refuted_under_ci_budget(
        radial_problems(symmetric=False, acts=("square",)),
        C.check_bad_minimum,
        spec=C.BadMinimumSpec(zero_mean=False, act="square", M=4, flip=True, starts=0),
    )
    assert message is not None and "certified local minimum" in message


# ------------------------------------------------------------------------------------------------------------
# Planted minima pass, planted saddles fail
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("act", lg.THM1_ACTIVATIONS)
def test_planted_minimum_certifies_and_its_flip_is_a_saddle(act):
    inst = catalog_radial_instance()
    pm = cond.plant_bad_minimum(inst.X, inst.y, inst.lam0, 1, act, 3, level=1.3)
    loss = pm.problem.objective()
    good = cf.certify(loss, pm.theta, grad_tol=lg.CRITICAL_GRAD_TOL, eig_tol=lg.HESSIAN_EIG_TOL)
    bad = cf.certify(loss, cond.flipped(pm), grad_tol=lg.CRITICAL_GRAD_TOL, eig_tol=lg.HESSIAN_EIG_TOL)
    assert good.is_local_min, good
    assert bad.verdict == "saddle", bad
    # the flip keeps f_S = B on the data: same loss, same errors, only the curvature changes sign
    assert abs(pm.problem.value(cond.flipped(pm)) - pm.value) <= cond.EVAL_RTOL * (1 + pm.value)


def test_end_point_classifier_on_planted_points():
    pm = _logistic_planted_minimum()
    assert cond.classify_end_point(pm.problem, pm.theta).status == "local-min"
    assert cond.classify_end_point(pm.problem, cond.flipped(pm)).status == "escaped"
    moved = pm.theta.copy()
    moved[0] += 0.1  # off the balance: a plain non-critical point
    assert cond.classify_end_point(pm.problem, moved).status == "not-critical"


def test_end_point_classifier_spare_neuron_escape():
    """The planted minimum plus one more neuron, switched off at w = 0: still exactly critical, with a Hessian
    that is flat in the new neuron's directions, yet not a minimum (the new neuron, switched on with a positive
    output weight, exploits the positive curvature of g_lam at 0).  Only the spare-neuron move sees it."""
    pm = _logistic_planted_minimum()
    p = pm.problem
    a0, a, W = p.unpack(pm.theta)
    q = lg.ShallowProblem(p.X, p.y, p.M + 1, p.act, p.p, p.loss, p.offsets)
    theta = q.pack(a0, np.r_[a, 0.0], np.c_[W, np.zeros(2)])
    v = cond.classify_end_point(q, theta)
    assert v.status == "escaped" and v.details["move"] == "spare neuron", v
    assert v.rel_grad <= cond.REL_GRAD_TOL


def test_zero_loss_of_the_polynomial_hinge_is_classified_a_minimum():
    inst = catalog_radial_instance()
    p = lg.ShallowProblem(inst.X, inst.y, 2, "square", 6)
    theta = p.pack(-10.0, np.array([4.0, 4.0]), np.eye(2))  # 4|x|^2 - 10: +6 outside, -6 inside
    assert p.value(theta) == 0.0
    assert cond.classify_end_point(p, theta).status == "local-min"


def test_logistic_weights_are_relatively_accurate_in_both_tails():
    """lambda_i = l'(z_i) is compared with autograd relative to its own size, so it must be accurate to a few ulps
    relative even deep in the tails (down to z = -700, where the weight is still a normal float).  The reference is
    e^z / (1 + e^z) / ln 2 in 50-digit decimal arithmetic; (1 + tanh(z/2)) / 2, the formula used before a nightly
    run (liang2018.prop9, seed 14907, margins 17-22) caught it, is 4e-8 off at z = -22."""
    import decimal

    z = np.array([-700.0, -100.0, -22.0, -17.4, -1.0, 0.0, 1e-3, 1.0, 22.0, 100.0, 800.0])
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        ln2 = decimal.Decimal(2).ln()
        reference = np.array([float(1 / (1 + (-decimal.Decimal(v)).exp()) / ln2) for v in z])
    assert np.all(np.abs(lg.logistic_prime(z) - reference) <= 4 * lg.EPS64 * reference)
    old = 0.5 * (1.0 + np.tanh(0.5 * z)) / np.log(2.0)
    assert abs(old[2] - reference[2]) > 1e-9 * reference[2]  # what the old formula did


def test_balanced_output_bias_agrees_with_autograd_far_from_the_boundary():
    """The nightly draw: at the balanced point (margins 17-22) the closed-form derivative in a_0 and autograd's
    agree to the relative tolerance of the theorem test, 1e3 eps sum_i lambda_i / n."""
    inst = subspace_instance(14907, (2, 2, 1), 5, 5, 4, True, "exp", loss="logistic")
    p = inst.problem
    rng = np.random.default_rng(inst.seed + 7)
    theta = p.random_theta(rng)
    theta[1 + int(rng.integers(p.M))] = 0.0
    theta = cond.balance_output_bias(p, theta)
    lam = p.lambdas(theta)
    assert np.min(-p.y * p.outputs(theta)) < -20.0  # far from the boundary: lambda down to ~3e-10
    _, grad = cf.gradient(p.objective(), theta)
    assert abs(grad[0] + float(np.sum(lam * p.y)) / p.n) <= 1e3 * lg.EPS64 * float(np.sum(lam)) / p.n


def test_shift_and_scale_handles_a_positive_sample_exactly_on_the_boundary():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.5, 2.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0])
    p = lg.FeedForwardProblem(X, y, (2,), "relu", 3)
    layers = [(np.array([[1.0, 0.0], [0.0, 1.0]]), np.zeros(2)), (np.array([[1.0], [-1.0]]), np.zeros(1))]
    theta = p.pack(layers)
    f = p.outputs(theta)
    assert f[0] == 0.0 and p.errors(theta) == 0  # the tie goes to the positive class
    moved = cond.shift_and_scale(p, theta)
    assert p.value(moved) == 0.0 and np.min(p.y * p.outputs(moved)) >= 1.0


# ------------------------------------------------------------------------------------------------------------
# The SDP certificates are valid bounds
# ------------------------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), zero_mean=st.booleans(), side=st.sampled_from([1, -1]))
def test_weak_duality_bound_dominates_every_admissible_weight(seed, zero_mean, side):
    rng = np.random.default_rng(seed)
    d, half = int(rng.integers(2, 4)), int(rng.integers(2, 6))
    P = rng.standard_normal((half, d))
    N = rng.standard_normal((half, d))
    X = np.r_[P, -P, N, -N]  # mirrored: the uniform weights have zero mean
    y = np.r_[np.ones(2 * half), -np.ones(2 * half)]
    Z = rng.standard_normal((d, d))
    Z = Z @ Z.T
    upper, mu = cond.dual_upper_bound(X, y, side, Z, zero_mean)
    for _ in range(20):
        lam = rng.exponential(size=4 * half)
        lam[: 2 * half] = np.r_[lam[:half], lam[:half]]  # keep the mirror pairs equal (zero mean)
        lam[2 * half :] = np.r_[lam[2 * half : 3 * half], lam[2 * half : 3 * half]]
        lam[y > 0] /= lam[y > 0].sum()
        lam[y < 0] /= lam[y < 0].sum()
        assert cond.constraint_residual(X, y, lam, True) <= 1e-12
        assert cond.side_value(X, y, lam, side) <= upper + 1e-12 * (1 + abs(upper))


@settings(max_examples=30, deadline=None)
@given(inst=radial_problems(symmetric=True))
def test_clean_weights_restore_the_constraints(inst):
    rng = np.random.default_rng(inst.seed)
    noisy = inst.lam0 * (1 + 1e-6 * rng.standard_normal(inst.n))
    clean = cond.clean_weights(inst.X, inst.y, noisy, zero_mean=True)
    assert clean is not None and np.all(clean >= 0)
    assert cond.constraint_residual(inst.X, inst.y, clean, True) <= 1e-13


def test_sdp_reports_infeasible_zero_mean_and_the_lp_agrees():
    X = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, 3.0]])  # all coordinates positive: no zero mean
    y = np.array([1.0, 1.0, -1.0, -1.0])
    res = cond.condition_sdp(X, y, 1, zero_mean=True)
    assert res.status == "infeasible" and res["verdict"] == "not-definite"
    assert cond.admissible_exists(X, y, True).value == 0.0
    assert cond.admissible_exists(X, y, False).value == 1.0


# ------------------------------------------------------------------------------------------------------------
# Strategies deliver what they promise (independent recomputation)
# ------------------------------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(inst=radial_problems(symmetric=True))
def test_radial_instances_violate_the_zero_mean_condition_by_construction(inst):
    S = sum(inst.lam0[i] * inst.y[i] * np.outer(inst.X[i], inst.X[i]) for i in range(inst.n))
    assert np.min(np.linalg.eigvalsh(inst.side * S)) > 1e-3 * np.max(np.sum(inst.X**2, axis=1))
    assert np.allclose(sum(inst.lam0[i] * inst.y[i] * inst.X[i] for i in range(inst.n)), 0.0, atol=1e-14)
    assert np.isclose(inst.lam0[inst.y > 0].sum(), 1.0) and np.isclose(inst.lam0[inst.y < 0].sum(), 1.0)
    assert inst.M >= 2 and inst.level > 1.0


@settings(max_examples=40, deadline=None)
@given(inst=leaky_subspace_problems())
def test_leaky_instances_satisfy_the_condition_but_leave_the_subspaces(inst):
    p = inst.problem
    span_plus = np.array([inst.basis(k) for k in inst.U_plus]).T
    resid = p.X[p.y > 0] - p.X[p.y > 0] @ span_plus @ span_plus.T
    assert np.max(np.linalg.norm(resid, axis=1)) > 0  # positives are no longer in span(U+)
    for side, own in ((1, set(inst.U_minus) - set(inst.U_plus)), (-1, set(inst.U_plus) - set(inst.U_minus))):
        inner, outer = (p.y > 0, p.y < 0) if side == 1 else (p.y < 0, p.y > 0)
        for k in own:
            e = inst.basis(k)
            assert np.max((p.X[inner] @ e) ** 2) <= 0.25 * np.min((p.X[outer] @ e) ** 2) * (1 + 1e-12)


@settings(max_examples=40, deadline=None)
@given(inst=teacher_problems())
def test_teacher_instances_have_a_zero_error_parameter(inst):
    p = inst.problem
    f = p.outputs(inst.teacher)
    assert np.all(np.where(f >= 0, 1.0, -1.0) == p.y)
    assert np.any(p.y > 0) and np.any(p.y < 0) and inst.gap > 0


# ------------------------------------------------------------------------------------------------------------
# Malformed input
# ------------------------------------------------------------------------------------------------------------
X2 = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [0.0, 2.0]])
Y2 = np.array([1.0, -1.0, 1.0, -1.0])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: cond.second_moment(X2, Y2, np.ones(3)), "lam has shape"),
        (lambda: cond.condition_sdp(X2, Y2, 0, True), "side must be"),
        (lambda: cond.condition_sdp(X2, np.ones(4), 1, True), "both classes"),
        (lambda: cond.condition_sdp(X2, np.array([1.0, 0.0, 1.0, -1.0]), 1, True), "labels must be -1 or \\+1"),
        (lambda: cond.dual_upper_bound(X2, Y2, 1, -np.eye(2), False), "no positive eigenvalue"),
        (lambda: cond.plant_bad_minimum(X2, Y2, np.array([1.0, -1.0, 0.0, 2.0]), 1, "square", 3), "non-negative"),
        (lambda: cond.plant_bad_minimum(X2, Y2, np.array([1.0, 0.0, 1.0, 0.0]), 1, "square", 3), "equal, positive"),
        (lambda: cond.plant_bad_minimum(X2, Y2, np.full(4, 0.5), 1, "softplus", 3), "weighted mean"),
        (lambda: cond.plant_bad_minimum(X2, Y2, np.full(4, 0.5), 1, "square", 3, level=0.5), "level must be >= 1"),
        (lambda: cond.plant_bad_minimum(X2, Y2, np.full(4, 0.5), 1, "nope", 3), "unknown activation"),
        (lambda: cond.margins_for_weights(np.array([2.0]), 6, "logistic"), "logistic loss realizes"),
        (lambda: cond.quadratic_network_from(0.0, np.eye(3), 2), "need M >= d"),
    ],
)
def test_malformed_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_routes_reject_points_outside_their_assumptions():
    p = lg.FeedForwardProblem(X2, Y2, (2,), "tanh", 3)
    theta = np.zeros(p.size)
    theta[-1] = -1.0  # f = -1 everywhere: the positives are wrong
    with pytest.raises(ValueError, match="zero-error parameter"):
        cond.shift_and_scale(p, theta)
    q = lg.ShallowProblem(X2, Y2, 2, "softplus", 6, "logistic")
    with pytest.raises(ValueError, match="not switched off"):
        cond.spare_neuron_move(q, q.pack(0.0, [1.0, 1.0], np.zeros((2, 2))), 0, np.ones(2))
    with pytest.raises(ValueError, match="positive derivative"):
        cond.balance_output_bias(lg.ShallowProblem(X2, Y2, 2, "softplus", 6), np.zeros(7))
    with pytest.raises(ValueError, match="theta has shape"):
        cond.euler_sides(p, np.zeros(p.size + 1))
