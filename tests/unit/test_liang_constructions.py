"""Meta-tests of the Liang et al. failure-case constructions (landscape/liang_constructions.py) and their checks.

* planted saddles and non-critical points built next to each construction FAIL certification and the family
  check (a flipped output-weight sign, neurons pushed out of their regime, a broken sample symmetry);
* the family checks refute mutated claims (fewer errors than the proposition's floor, Theorem 1/2's zero-error
  conclusion, a larger error bound in Example 1 / B.8, a wrong best constant);
* every strategy draws instances inside the proposition's assumptions, checked by an independent computation;
* committed witnesses equal their constructions, and a doctored witness is rejected;
* malformed input raises ValueError naming the argument.
"""

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.core import certify as cf
from landscape.liang2018 import constructions as cons
from landscape.liang2018 import models as lg
from reports.records import Recorder
from reports.registry import WITNESS_DIR
from strategies.liang2018 import constructions as S
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.liang2018 import checks as C


def fails(check, bp, **kwargs):
    try:
        check(bp, Recorder("mutant"), **kwargs)
    except AssertionError as exc:
        return str(exc)
    return None


READABLE = cons.readable_instances()


# ------------------------------------------------------------------------------------------------------------
# Planted saddles and non-critical points fail
# ------------------------------------------------------------------------------------------------------------
def _flip_prop5(bp):
    prob = bp.problem
    a0, a, W = prob.unpack(bp.theta)
    sigma0 = float(lg.activation(prob.act).np_fn(np.array(0.0)))
    return replace(bp, theta=prob.pack(bp.B_star + sigma0 * float(np.sum(a)), -a, W))


@pytest.mark.parametrize("act", ["square", "cosh"])
def test_prop5_with_flipped_output_weights_is_a_certified_saddle(act):
    X, y = cons.prop5_data([1.25, 1.5, 1.75], [-1.5, -1.25])
    bp = cons.prop5_constant_point(X, y, 2, act, 6)
    assert cons.certify_point(bp).is_local_min
    flipped = _flip_prop5(bp)
    np.testing.assert_allclose(flipped.problem.outputs(flipped.theta), bp.B_star, atol=1e-14)  # same outputs
    cert = cf.certify(
        flipped.problem.objective(),
        flipped.theta,
        grad_tol=cons.CONSTRUCTION_GRAD_TOL,
        eig_tol=cons.CONSTRUCTION_EIG_TOL,
    )
    assert cert.verdict == "saddle" and cert.lambda_min < -cons.CONSTRUCTION_EIG_TOL, cert
    message = fails(C.check_prop5, flipped)
    assert message is not None and "positive definite" in message


def test_prop2_point_pushed_into_the_live_region_fails():
    bp = READABLE["liang2018.prop2__thm1-data"]
    prob = bp.problem
    a0, a, W = prob.unpack(bp.theta)
    live = W.copy()
    live[0] = 1.0  # every pre-activation +1: all neurons alive
    # keep the outputs at B* (sigma(1) = 1 for ReLU), so only the certificate can tell the difference
    moved = replace(bp, theta=prob.pack(bp.B_star - float(np.sum(a)), a, live))
    np.testing.assert_allclose(prob.outputs(moved.theta), bp.B_star, atol=1e-14)
    assert cons.certify_point(moved).verdict == "not-critical"
    assert cons.local_argument(moved).regime_margin > 0
    message = fails(C.check_prop2, moved)
    assert message is not None and "dead units" in message


def test_prop3_point_with_neurons_across_the_kink_fails():
    bp = READABLE["liang2018.prop3__linear-regime"]
    prob = bp.problem
    relu = lg.ShallowProblem(prob.X, prob.y, prob.M, "relu", prob.p)
    a0, a, W = relu.unpack(bp.theta)
    W = W.copy()
    W[0] -= W[0, 1] - 0.05  # shift C down to 0.05: u*^T x + C < 0 on some sample
    moved = replace(bp, problem=relu, theta=relu.pack(a0, a, W))
    assert cons.local_argument(moved).regime_margin < 0
    assert fails(C.check_prop3, moved) is not None


def test_prop4_without_the_sample_symmetry_is_not_critical():
    X, y = cons.symmetric_sample(2, 1)
    X, y = X[1:], y[1:]  # drop one copy of +e1: the pairs no longer balance
    bp = cons.prop4_constant_point(X, y, 6, "tanh", 6)
    assert cons.certify_point(bp).verdict == "not-critical"
    message = fails(C.check_prop4, bp)
    assert message is not None and "Jensen" in message  # the global argument breaks first


def test_prop6_with_a_live_first_layer_fails():
    bp = READABLE["liang2018.prop6__dead-first-layer"]
    prob = bp.problem
    layers = [(W.copy(), b.copy()) for W, b in prob.unpack(bp.theta)]
    W1, b1 = layers[0]
    layers[0] = (W1, -b1)  # biases +(max + 1): every first-layer unit alive
    moved = replace(bp, theta=prob.pack(layers))
    assert cons.local_argument(moved).regime_margin > 0
    assert fails(C.check_prop6, moved) is not None


def test_prop7_with_a_live_residual_fails():
    bp = READABLE["liang2018.prop7__dead-residual"]
    prob = bp.problem
    a, b, U, c, V, e = prob.unpack(bp.theta)
    moved = replace(bp, theta=prob.pack(a, b, U, -c, V, e))
    assert cons.local_argument(moved).regime_margin > 0
    assert fails(C.check_prop7, moved) is not None


def test_a_wrong_output_bias_is_not_critical():
    bp = READABLE["liang2018.prop2__thm2-data"]
    moved = replace(bp, theta=bp.theta + np.r_[0.05, np.zeros(bp.theta.size - 1)])
    assert cons.certify_point(moved).verdict == "not-critical"
    message = fails(C.check_prop2, moved)
    assert message is not None


# ------------------------------------------------------------------------------------------------------------
# Mutated claims are refuted
# ------------------------------------------------------------------------------------------------------------
def below_floor(bp, record, floor, label):
    """Mutant: fewer errors than the proposition's floor (error < min(n+, n-)/n)."""
    record.holds(bp.errors() <= floor - 1, instance=bp, what=f"(mutant) errors < {label}")


def zero_error(bp, record, floor, label):
    """Mutant: Theorem 1/2's conclusion (every local minimum is error-free) transplanted to the failure case."""
    record.holds(bp.errors() == 0, instance=bp, what="(mutant) zero training error")


@pytest.mark.parametrize(
    "strategy, check",
    [
        pytest.param(
            S.prop2_instances("relu"),
            C.check_prop2,
            id="prop2",
            marks=pytest.mark.mutation("liang2018.prop2", "fewer errors than min(n+, n-)"),
        ),
        pytest.param(
            S.prop4_instances("tanh"),
            C.check_prop4,
            id="prop4",
            marks=pytest.mark.mutation("liang2018.prop4", "fewer errors than min(n+, n-)"),
        ),
        pytest.param(
            S.prop5_instances("square"),
            C.check_prop5,
            id="prop5",
            marks=pytest.mark.mutation("liang2018.prop5", "fewer errors than min(n+, n-)"),
        ),
        pytest.param(
            S.prop6_instances("relu"),
            C.check_prop6,
            id="prop6",
            marks=pytest.mark.mutation("liang2018.prop6", "fewer errors than min(n+, n-)"),
        ),
    ],
)
def test_error_below_the_floor_is_refuted(strategy, check):
    message = refuted_under_ci_budget(strategy, check, error_claim=below_floor)
    assert message is not None and "(mutant) errors <" in message


@pytest.mark.parametrize(
    "strategy, check",
    [
        pytest.param(
            S.prop3_instances("elu"),
            C.check_prop3,
            id="prop3",
            marks=pytest.mark.mutation("liang2018.prop3", "zero training error at the construction"),
        ),
        pytest.param(
            S.prop7_instances(),
            C.check_prop7,
            id="prop7",
            marks=pytest.mark.mutation("liang2018.prop7", "zero training error at the construction"),
        ),
    ],
)
def test_theorems_zero_error_conclusion_is_refuted(strategy, check):
    message = refuted_under_ci_budget(strategy, check, error_claim=zero_error)
    assert message is not None and "(mutant) zero training error" in message


@pytest.mark.mutation("liang2018.ex1", "error bound 1/15 instead of 1/16")
def test_example1_refutes_a_larger_bound():
    with pytest.raises(AssertionError, match=">= 1/15"):
        C.check_example1(Recorder("mutant"), bound=Fraction(1, 15))


def test_example1_holds_with_equality_at_one_sixteenth():
    v = C.ex1_values()
    assert v["error"] == Fraction(1, 16) and (v["a"], v["b"]) == (Fraction(72, 35), Fraction(-9, 5))


@pytest.mark.mutation("liang2018.b8", "threshold 1/4 instead of 1/8")
def test_b8_refutes_a_larger_threshold():
    values, labels = cons.B8_INSTANCES["A"]  # errs on exactly 1/4
    with pytest.raises(AssertionError, match="more than 1/4"):
        C.b8_check("A", values, labels, Recorder("mutant"), "instance A", starts=2, threshold=Fraction(1, 4))


def test_a_wrong_best_constant_is_refuted():
    bp = READABLE["liang2018.prop4__symmetric"]
    message = fails(lambda b, r: C.check_best_constant(b, r), replace(bp, B_star=bp.B_star + 1e-6))
    assert message is not None and "closed form = root" in message


# ------------------------------------------------------------------------------------------------------------
# Strategies draw inside the assumptions (independent checks)
# ------------------------------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(bp=S.prop2_instances("relu"))
def test_prop2_instances_meet_theorem_1_or_2(bp):
    X, y, M, p = bp.problem.X, bp.problem.y, bp.problem.M, bp.problem.p
    assert np.all(X[:, 0] == 1.0) and set(np.unique(y)) == {-1.0, 1.0}
    if np.all(X[y < 0, 1] == 0):  # Thm-1 data: positives on span(e1, e2), negatives on span(e1, e3)
        assert np.all(X[y > 0, 2] == 0) and np.all(np.abs(X[:, 1:]) <= 1)
        # Assumption 2 for r = 2: two samples of a class are independent iff their t differ
        for cls, col in ((1.0, 1), (-1.0, 2)):
            t = X[y == cls, col]
            assert np.unique(t).size == t.size and np.all(t != 0)
        n = len(y)
        assert M >= 2 * max(n / 1, 2, 2) and p >= 2
    else:  # Thm-2 data: e2 separates through the origin with margin 1/2
        assert np.all(y * X[:, 1] >= 0.5) and np.all(X[:, 2] == 0) and p >= 2


@settings(max_examples=30, deadline=None)
@given(bp=S.prop3_instances("relu"))
def test_prop3_instances_lie_on_the_non_separable_event(bp):
    X, y = bp.problem.X, bp.problem.y
    for cls, col in ((1.0, 1), (-1.0, 2)):
        t = X[y == cls, col]
        assert t.max() > 0 > t.min()  # both signs in each class: no affine rule separates (see prop3)
    assert bp.problem.M >= 2 * len(y)


@settings(max_examples=30, deadline=None)
@given(bp=S.prop4_instances("sigmoid"))
def test_prop4_instances_are_symmetric_subspace_samples(bp):
    X, y = bp.problem.X, bp.problem.y
    for i in range(len(y)):
        same = np.sum(np.all(np.isclose(X, X[i], atol=1e-15), axis=1) & (y == y[i]))
        mirror = np.sum(np.all(np.isclose(X, -X[i], atol=1e-15), axis=1) & (y == y[i]))
        assert same == mirror >= 1
    # each class lies on one line, the two lines orthogonal (U+ = {e1}, U- = {e2} up to rotation)
    P, N = X[y > 0], X[y < 0]
    assert np.linalg.matrix_rank(P) == 1 and np.linalg.matrix_rank(N) == 1 and abs(P[0] @ N[0]) < 1e-14
    assert bp.problem.M >= 2 * len(y)


@settings(max_examples=30, deadline=None)
@given(bp=S.prop5_instances("cosh"))
def test_prop5_instances_are_separable_through_the_origin(bp):
    x, y = bp.problem.X[:, 0], bp.problem.y
    assert np.all(y * x >= 1) and np.all(np.abs(x) <= 2) and bp.problem.p >= 2
    assert np.sign(bp.meta["S"]) == -np.sign(bp.problem.unpack(bp.theta)[1][0])


@settings(max_examples=30, deadline=None)
@given(bp=S.prop6_instances("relu"))
def test_prop6_instances_hold_both_classes_and_planted_labels_are_consistent(bp):
    y = bp.problem.y
    assert set(np.unique(y)) == {-1.0, 1.0}
    if bp.better is not None:
        assert bp.problem.errors(bp.better) == 0


# ------------------------------------------------------------------------------------------------------------
# Witness files
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(READABLE))
def test_committed_witness_matches_its_construction(name):
    built = cons.witness_arrays(READABLE[name])
    with np.load(WITNESS_DIR / f"{name}.npz", allow_pickle=False) as data:
        assert set(data.files) == set(built)
        for k, v in built.items():
            if np.asarray(v).dtype.kind in "US":
                assert str(data[k]) == str(v), k
            else:
                np.testing.assert_allclose(data[k], v, rtol=1e-12, atol=1e-14, err_msg=k)


def test_a_doctored_witness_is_rejected():
    arrays = C.committed_witness("liang2018.prop2__thm1-data")
    bp = cons.bad_point_from_arrays(arrays)
    a0, a, W = bp.problem.unpack(bp.theta)
    arrays["theta"] = bp.problem.pack(a0, a, -W)  # neurons alive instead of dead
    assert fails(C.check_prop2, cons.bad_point_from_arrays(arrays)) is not None


# ------------------------------------------------------------------------------------------------------------
# Exact helpers against independent routes
# ------------------------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_exact_least_squares_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 7)), int(rng.integers(1, 4))
    A = rng.integers(-3, 4, (n, k))
    if k > 1 and rng.random() < 0.3:
        A[:, -1] = A[:, 0]  # rank-deficient: fitted values are still unique
    y = rng.choice([-1, 1], n)
    fit = cons.exact_least_squares_fit([[Fraction(int(v)) for v in row] for row in A], y)
    ls = A @ np.linalg.lstsq(A.astype(float), y.astype(float), rcond=None)[0]
    np.testing.assert_allclose([float(f) for f in fit], ls, atol=1e-10)


@pytest.mark.parametrize("instance, n", [("A", 5), ("B", 4)])
def test_b8_sample_probabilities_sum_to_one(instance, n):
    assert sum(p for _, _, p in cons.b8_patterns(instance, n)) == 1


def test_newton_and_clarabel_agree_on_the_linear_model():
    X, y = cons.half_space_subspace_data(*cons.draw_subspace_t(np.random.default_rng(5), 6, 5, both_signs=True))
    newton, conic = cons.linear_model_by_newton(X, y, 7), cons.linear_model_by_cvxpy(X, y, 7)
    assert newton.ok and conic.ok
    assert abs(newton.value - conic.value) <= 1e-6 * (1 + newton.value) and newton.value <= conic.value + 1e-12


def test_zero_loss_scaling():
    assert cons.scale_to_zero_loss(np.array([0.5, -0.25]), np.array([1.0, -1.0])) == 8.0
    with pytest.raises(ValueError, match="not error-free"):
        cons.scale_to_zero_loss(np.array([0.5, 0.25]), np.array([1.0, -1.0]))


# ------------------------------------------------------------------------------------------------------------
# Malformed input
# ------------------------------------------------------------------------------------------------------------
X3, Y4 = cons.half_space_subspace_data([0.5, -0.5], [0.25, -1.0])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: cons.half_space_subspace_data([np.nan, 0.5], [0.1]), "t_plus contains NaN"),
        (lambda: cons.half_space_separable_data([0.1], [np.inf]), "u_minus contains NaN"),
        (lambda: cons.half_space_separable_data([-0.1], [0.2]), "must be >= 0"),
        (lambda: cons.IdentityShortcutProblem(X3, np.array([1.0, 0.0, -1.0, -1.0]), 2), "labels must be -1 or \\+1"),
        (lambda: cons.IdentityShortcutProblem(X3, Y4, 0), "k \\(hidden width of H\\) must be >= 1"),
        (lambda: cons.IdentityShortcutProblem(np.full((4, 3), np.inf), Y4, 2), "X contains NaN"),
        (lambda: cons.prop2_dead_point(X3, Y4, 0), "M \\(number of neurons\\) must be >= 1"),
        (lambda: cons.prop2_dead_point(X3, Y4, 2, act="tanh"), "ReLU class"),
        (lambda: cons.prop2_dead_point(X3, np.array([1.0, 1.0, 2.0, -1.0]), 2), "labels must be -1 or \\+1"),
        (lambda: cons.prop3_linear_point(X3, Y4, 1), "M >= 2"),
        (lambda: cons.prop6_dead_first_layer(X3, Y4, (2, 0)), "hidden width must be >= 1"),
        (lambda: cons.prop6_dead_first_layer(X3, Y4, (2,), act="tanh"), "vanish on z <= 0"),
        (lambda: cons.prop7_shortcut_point(X3, Y4, -1), "k \\(hidden width of H\\) must be >= 1"),
        (lambda: cons.prop5_data([0.5], [-1.5]), "positives must lie in \\[1, 2\\]"),
        (lambda: cons.prop5_constant_point(X3, Y4, 1), "one-dimensional"),
        (lambda: cons.symmetric_sample(0, 1), "k must be >= 1"),
        (lambda: cons.sigmoid_class_constant("relu"), "not in the sigmoid class"),
        (lambda: cons.draw_subspace_t(np.random.default_rng(0), 1, 3, both_signs=True), "two samples of each class"),
        (lambda: cons.linear_model_by_newton(np.full((4, 3), np.nan), Y4, 6), "X contains NaN"),
        (lambda: cons.b8_features("C", [1], [1]), "unknown B.8 instance"),
        (lambda: cons.constant_optimum_by_root(np.ones(3), 6), "both classes"),
    ],
)
def test_malformed_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_a_witness_with_the_wrong_parameter_count_is_rejected():
    arrays = C.committed_witness("liang2018.prop5__square")
    arrays["theta"] = arrays["theta"][:-1]
    with pytest.raises(ValueError, match="parameters"):
        cons.bad_point_from_arrays(arrays)
