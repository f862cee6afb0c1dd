"""The ReLU convex-program numerics on their own (Pilanci & Ergen 2020; Wang, Ergen, Pilanci 2023, Section 4).

* mutation meta-tests: every family check, run against a deliberately wrong value (x 0.9) under the ci budget,
  must be refuted;
* arrangement enumeration: cell counts against Euler's formula and the general-position count, interior points,
  cone generators, closure under negation, and dense sampling as a subset;
* the exact dual constraints (two-layer cells; three-layer orthant programs) against sampled lower estimates;
* the committed mixed-sign witness reverifies, and a doctored one does not;
* malformed input raises ValueError naming the argument.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscape.pilanci2020 as tlc
from landscape.wang2023 import relu as wr
from reports.registry import witness_path
from strategies.pilanci2020 import two_layer_problems
from strategies.wang2023.relu import general_l3_instances

# the mutation meta-tests of these families are in tests/mutation/test_wang2023_relu.py and
# tests/mutation/test_pilanci2020_two_layer.py


# ------------------------------------------------------------------------------------------------------------
# arrangement enumeration
# ------------------------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(inst=two_layer_problems())
def test_enumeration_is_complete_and_consistent(inst):
    X = inst.problem.X
    arr = tlc.enumerate_arrangements(X)
    P = arr.patterns
    assert len({tuple(p) for p in P}) == arr.P, "patterns must be distinct"
    assert arr.P == tlc.region_count(X), "enumeration and Euler's count disagree"
    hyper = tlc._distinct_hyperplanes(X).shape[0]
    assert arr.P <= tlc.cover_bound(hyper, np.linalg.matrix_rank(X)) if hyper else arr.P == 1
    zero = tlc._zero_rows(X)
    keys = {tuple(p) for p in P}
    for p, u, rays in zip(P, arr.reps, arr.rays):
        assert tlc.strict_margin(X, u) > tlc.STRICT_RTOL
        np.testing.assert_array_equal(tlc.activation_pattern(X, u), p)
        S = 2 * p - 1
        # generators lie in the closed cone, and the interior point is a non-negative combination of them
        assert np.all(S * (X @ rays.T).T >= -1e-12 * np.abs(X).max())
        from scipy.optimize import linprog

        combo = linprog(np.zeros(rays.shape[0]), A_eq=rays.T, b_eq=u, bounds=(0, None), method="highs")
        assert combo.status == 0, "the interior point is not in the cone of the cell's rays"
        neg = np.where(zero, 1.0, 1.0 - p)
        assert tuple(neg) in keys, "the cell of -u is missing"
    sampled = tlc.sample_arrangements(X, 10**6, seed=inst.seed, max_draws=3000)
    assert {tuple(p) for p in sampled.patterns} <= keys


@pytest.mark.parametrize("n, d, expected", [(5, 2, 10), (7, 2, 14), (4, 3, 14), (9, 3, 74), (12, 3, 134)])
def test_general_position_counts(n, d, expected):
    X = np.random.default_rng(n * d).standard_normal((n, d))
    arr = tlc.enumerate_arrangements(X)
    assert arr.P == expected == tlc.cover_bound(n, d)


def test_degenerate_counts_match_dense_sampling():
    # three coordinate planes: the 8 octants; then a pencil of planes through one line plus two more
    axes = np.eye(3)
    assert tlc.enumerate_arrangements(axes).P == 8
    X = np.array(
        [[1, 0, 0], [0, 1, 0], [1, 1, 0], [2, 2, 0], [-1, -1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 1], [0, 0, 0]],
        dtype=float,
    )
    arr = tlc.enumerate_arrangements(X)
    dense = tlc.sample_arrangements(X, 10**6, seed=1, max_draws=200_000)
    assert arr.P == tlc.region_count(X) == dense.P == 26
    assert {tuple(p) for p in dense.patterns} == {tuple(p) for p in arr.patterns}
    # rank 2 data in R^3: a line arrangement
    assert tlc.enumerate_arrangements(np.array([[1.0, 2, 0], [2, 1, 0], [1, -1, 0]])).P == 6


# ------------------------------------------------------------------------------------------------------------
# exact dual constraints against sampled lower estimates
# ------------------------------------------------------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 8), seed=st.integers(0, 2**32 - 1))
def test_two_layer_dual_constraint_is_the_maximum_over_directions(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    lam = rng.standard_normal(n)
    p = tlc.TwoLayerProblem(X, rng.standard_normal(n), 0.1)
    s = tlc.dual_constraint_value(p, tlc.enumerate_arrangements(X), lam)
    ang = np.linspace(0, 2 * np.pi, 200_001)
    U = np.stack([np.cos(ang), np.sin(ang)])
    dense = float(np.abs(lam @ np.maximum(X @ U, 0.0)).max())
    # exact >= every sampled direction; the grid step 3e-5 rad changes a value by at most ||lam|| ||X|| 3e-5
    assert s >= dense - 1e-12
    assert s <= dense + 3.2e-5 * np.linalg.norm(lam) * np.linalg.norm(X, 2)


@settings(max_examples=8, deadline=None)
@given(inst=two_layer_problems(max_n=8, dims=(3, 2)))
def test_cell_support_equals_the_conic_maximum(inst):
    """The exact support function of each cell's cone (rays and sectors) against a direct SOCP per cell."""
    import cvxpy as cp

    X = inst.problem.X
    arr = tlc.enumerate_arrangements(X)
    rng = np.random.default_rng(inst.seed)
    lam = rng.standard_normal(X.shape[0])
    for pattern, rays in zip(arr.patterns, arr.rays):
        c = X.T @ (pattern * lam)
        for sign in (1.0, -1.0):
            u = cp.Variable(X.shape[1])
            prob = cp.Problem(cp.Maximize(sign * c @ u), [cp.norm(u) <= 1, cp.multiply(2 * pattern - 1, X @ u) >= 0])
            prob.solve(solver="CLARABEL")
            assert prob.status == "optimal"
            assert abs(tlc.cell_support(X, pattern, rays, sign * c) - prob.value) <= 1e-6 * (1 + np.linalg.norm(c))


@settings(max_examples=6, deadline=None)
@given(inst=general_l3_instances(max_N=3))
def test_three_layer_dual_constraint_dominates_sampled_branches(inst):
    X = inst.X
    rng = np.random.default_rng(inst.seed)
    lam = rng.standard_normal(X.shape[0])
    res = wr.l3_constraint_value(X, lam, tlc.enumerate_arrangements(X))
    assert res.ok
    F = wr.features_of(X, wr.sample_branches(X.shape[1], 3, X.shape[0] + 1, 2000, rng))
    assert res.value >= float(np.abs(lam @ F).max()) - 1e-7 * (1 + res.value)
    # the maximizing branch is a unit-bounded branch that attains the value
    b = res["branch"]
    assert max(wr.layer_norms(b)) <= 1 + 1e-9
    assert abs(abs(lam @ wr.branch_output(X, b)) - res.value) <= 1e-6 * (1 + res.value)


def test_rank_one_branch_outputs_lie_in_the_triangle():
    data = wr.RankOneData(
        np.array([1.0, -2.0, 0.5, 0.0]), np.array([0.3, -0.4]), np.array([[1.0], [0.4], [0.5], [0.0]])
    )
    rng = np.random.default_rng(0)
    for L in (2, 3, 4, 5):
        F = wr.features_of(data.X, wr.sample_branches(2, L, 3, 500, rng))
        for f in F.T:
            alpha, beta, res = wr.triangle_coordinates(data, f)
            assert alpha >= -1e-12 and beta >= -1e-12 and res <= 1e-12
            assert alpha + beta <= np.linalg.norm(data.a) + 1e-12
        vert = wr.features_of(data.X, wr.rank_one_vertex_branches(data, L))
        np.testing.assert_allclose(vert[:, 0], 0.5 * data.c_plus, atol=1e-15)
        np.testing.assert_allclose(vert[:, 1], 0.5 * data.c_minus, atol=1e-15)


def test_training_routes_return_interpolating_networks():
    data = wr.RankOneData(np.array([1.0, -1.0, 2.0]), np.array([1.0, 0.5]), np.array([[1.0], [1.0], [2.0]]))
    std = wr.train_standard3(data.X, data.Y, 3, 3, starts=1, seed=0, max_iter=50)
    A, B, w3 = std["weights"]
    assert std.ok and wr.interpolation_residual(wr.standard3_output(data.X, A, B, w3), data.Y) <= 1e-8
    assert std.value == pytest.approx(wr.standard3_cost(A, B, w3), rel=1e-14)
    par = wr.train_parallel(data.X, data.Y, 3, 3, 2, starts=1, seed=0, max_iter=50)
    assert par.ok and par["net"].max_layer_norm() <= 1 + 1e-12
    assert wr.interpolation_residual(par["net"].output(data.X), data.Y) <= 1e-8


# ------------------------------------------------------------------------------------------------------------
# the mixed-sign witness
# ------------------------------------------------------------------------------------------------------------
def _witness():
    with np.load(witness_path("wang2023.thm5.mixed-signs"), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def test_committed_mixed_sign_witness_reverifies_and_matches_its_construction():
    from theorems.wang2023.checks.relu import mixed_sign_counterexample_is_certified, verify_mixed_sign_counterexample

    arrays = _witness()
    built = wr.thm5_mixed_sign_witness()
    assert set(arrays) == set(built)
    for k in built:
        np.testing.assert_array_equal(arrays[k], built[k])
    checks = verify_mixed_sign_counterexample(arrays, starts=2)
    assert mixed_sign_counterexample_is_certified(checks), checks
    assert checks["dual_lp"] == pytest.approx(2.0, abs=1e-12)
    assert checks["G_star"] == pytest.approx(2 * np.sqrt(2), abs=1e-12)
    assert checks["overall_primal"] == pytest.approx(3.0, abs=1e-12)


# ------------------------------------------------------------------------------------------------------------
# malformed input
# ------------------------------------------------------------------------------------------------------------
X3, y3 = np.eye(3), np.ones(3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(X=np.full((3, 2), np.nan), y=y3, beta=0.1), "X contains NaN"),
        (dict(X=X3, y=np.array([1.0, np.inf, 0.0]), beta=0.1), "y contains NaN or inf"),
        (dict(X=X3, y=np.ones(4), beta=0.1), "one per sample"),
        (dict(X=X3, y=y3, beta=0.0), "beta must be > 0"),
        (dict(X=X3, y=y3, beta=-1.0), "beta must be > 0"),
        (dict(X=X3, y=y3, beta=float("nan")), "beta must be finite"),
        (dict(X=np.ones(3), y=y3, beta=0.1), "X must be 2-dimensional"),
        (dict(X=X3, y=np.ones((3, 1)), beta=0.1), "y must be 1-dimensional"),
    ],
)
def test_two_layer_problem_rejects_malformed_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tlc.TwoLayerProblem(**kwargs)


def test_two_layer_routes_reject_malformed_input():
    p = tlc.TwoLayerProblem(X3, y3, 0.1)
    with pytest.raises(ValueError, match="rank\\(X\\) <= 3"):
        tlc.enumerate_arrangements(np.random.default_rng(0).standard_normal((6, 4)))
    with pytest.raises(ValueError, match="count must be >= 1"):
        tlc.sample_arrangements(X3, 0)
    sampled = tlc.sample_arrangements(X3, 4)
    with pytest.raises(ValueError, match="exact enumeration"):
        tlc.dual_lower_bound(p, sampled, y3)
    wrong = tlc.enumerate_arrangements(np.eye(2))
    with pytest.raises(ValueError, match="patterns have shape"):
        tlc.convex_by_cvxpy(p, wrong)
    with pytest.raises(ValueError, match="alpha has shape"):
        tlc.nonconvex_objective(p, np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="m must be >= 1"):
        tlc.train_nonconvex(p, 0)
    with pytest.raises(ValueError, match="lam has shape"):
        tlc.dual_lower_bound(p, tlc.enumerate_arrangements(X3), np.ones(2))


def test_wang_routes_reject_malformed_input():
    c = np.array([1.0, -1.0])
    with pytest.raises(ValueError, match="not in span"):
        # c_+ = (1, 2, 0): targets on its support must be a multiple of (1, 2)
        wr.RankOneData(np.array([1.0, 2.0, -1.0]), np.ones(2), np.array([[1.0], [1.0], [0.0]]))
    with pytest.raises(ValueError, match="must be non-zero"):
        wr.RankOneData(np.zeros(2), np.ones(2), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="one row per entry"):
        wr.RankOneData(c, np.ones(2), np.ones((3, 1)))
    with pytest.raises(ValueError, match="c contains NaN"):
        wr.RankOneData(np.array([np.nan, 1.0]), np.ones(2), np.ones((2, 1)))
    mixed = wr.RankOneData(c, np.ones(1), np.array([[1.0], [-1.0]]))
    with pytest.raises(ValueError, match="mixed sign"):
        wr.thm5_stated_weights(mixed, 1.0)
    with pytest.raises(ValueError, match="t must be > 0"):
        wr.rank_one_dual_closed_form(mixed, 0.0)
    vec = wr.RankOneData(c, np.ones(1), np.ones((2, 2)))
    with pytest.raises(ValueError, match="K = 1"):
        wr.thm5_stated_weights(vec, 1.0)
    with pytest.raises(ValueError, match="K = 1"):
        wr.rank_one_standard_value(vec)
    X = np.random.default_rng(0).standard_normal((3, 2))
    with pytest.raises(ValueError, match="exact enumeration"):
        wr.l3_dual_exact(X, np.ones(3), tlc.sample_arrangements(X, 4))
    X7 = np.random.default_rng(0).standard_normal((7, 2))
    with pytest.raises(ValueError, match="too large"):
        wr.l3_dual_exact(X7, np.ones(7), tlc.enumerate_arrangements(X7))
    with pytest.raises(ValueError, match="WL has 2 rows"):
        wr.ParallelNet(([np.ones(2)],), np.ones((2, 1)))
    with pytest.raises(ValueError, match="contains NaN"):
        wr.ParallelNet(([np.array([np.nan, 1.0])],), np.ones((1, 1)))
    with pytest.raises(ValueError, match="L must be >= 2"):
        wr.train_parallel(X, np.ones(3), 1, 2, 2)
