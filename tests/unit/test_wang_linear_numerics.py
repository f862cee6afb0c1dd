"""Meta-tests of the deep linear family of Wang et al. 2023 (landscape/wang2023/linear/, strategies/wang2023/linear.py,
theorems/wang2023/checks/linear/).

* Bad input: malformed data, depth, scale, widths, or Y outside range(X) raise a ValueError that names the problem.
* Strategies: every drawn instance has the structure it claims, recomputed independently (lstsq, matrix_rank).
* Routes and certificates: the committed witness re-verifies and a doctored one does not; the training routes
  return interpolating points; an infeasible dual point is caught by the sampled constraint.
"""

import numpy as np
import pytest
from hypothesis import given, settings

from landscape.wang2023 import linear as wl
from landscape.wang2023.linear import scip
from strategies.wang2023.linear import build_instance, identity_instance, wang_linear_instances
from theorems.wang2023.checks import linear as tw

# the mutation meta-tests of this family are in tests/mutation/test_wang2023_linear.py


# ------------------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------------------
X2, Y2 = np.eye(2), np.diag([2.0, 1.0])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: wl.check_data(np.full((2, 2), np.nan), Y2), "X contains NaN"),
        (lambda: wl.check_data(X2, np.array([[np.inf, 0.0], [0.0, 1.0]])), "Y contains NaN or inf"),
        (lambda: wl.check_data(X2, np.ones((3, 2))), "same number of rows"),
        (lambda: wl.check_data(np.ones(2), Y2), "X must be 2-dimensional"),
        (lambda: wl.check_data(np.array([[1.0, 0.0], [2.0, 0.0]]), np.array([[1.0], [0.0]])), "not in range\\(X\\)"),
        (lambda: wl.spectrum(np.array([[1.0, 0.0], [2.0, 0.0]]), np.array([[1.0], [0.0]])), "not in range\\(X\\)"),
        (lambda: wl.check_depth(1), "L \\(depth\\) must be >= 2"),
        (lambda: wl.check_depth(2.5), "must be an integer"),
        (lambda: wl.check_depth(True), "must be an integer"),
        (lambda: wl.check_scale(0.0), "t must be > 0"),
        (lambda: wl.check_scale(-1.0), "t must be > 0"),
        (lambda: wl.check_scale(float("nan")), "t must be finite"),
        (lambda: wl.check_scale(float("inf")), "t must be finite"),
        (lambda: wl.dual_t_by_cvxpy(X2, Y2, 1, 1.0), "L \\(depth\\) must be >= 2"),
        (lambda: wl.dual_t_by_cvxpy(X2, Y2, 3, 0.0), "t must be > 0"),
        (lambda: wl.bidual_t_by_cvxpy(X2, Y2, 3, -2.0), "t must be > 0"),
        (lambda: wl.gap_certificate(np.array([[1.0, 0.0], [2.0, 0.0]]), np.array([[1.0], [0.0]]), 3), "range"),
        (lambda: wl.stair_factors(Y2, 3, 2, 1.0, (2,), 2), "s \\(shared layers\\) must be <= L - 2 = 1"),
        (lambda: wl.stair_factors(Y2, 3, 1, 1.0, (1,), 2), "must be >= rank 2"),
        (lambda: wl.stair_factors(Y2, 3, 1, 1.0, (2,), 1), "cannot carry rank 2"),
        (lambda: wl.stair_factors(np.zeros((2, 2)), 3, 1, 1.0, (2,), 2), "W is zero"),
        (lambda: wl.stair_factors(Y2, 3, 1, np.nan, (2,), 2), "t must be finite"),
        (lambda: wl.balanced_factors(Y2, 3, (2,)), "must list 2 widths"),
        (lambda: wl.StairShape(3, 2, 2), "s \\(shared layers\\) must be <= L - 2"),
        (lambda: wl.StairShape(4, 1, 2, ()), "must list the 1 shared widths"),
        (lambda: wl.StairShape(3, 0, 0), "m \\(branches\\) must be >= 1"),
        (lambda: wl.StairShape(1, 0, 2), "L \\(depth\\) must be >= 2"),
        (lambda: wl.train_stair_net(X2, Y2, wl.StairShape(3, 0, 2), "lasso"), "penalty must be one of"),
        (lambda: wl.train_stair_net(X2, Y2, wl.StairShape(3, 0, 2), "budget"), "t must be a real number"),
        (lambda: wl.train_stair_net(X2, Y2, wl.StairShape(3, 1, 2, (2,)), "power"), "parallel nets"),
        (lambda: wl.train_stair_net(X2, Y2, wl.StairShape(3, 0, 1), "power"), "m = 1 branches < 2"),
        (lambda: wl.train_stair_net(X2, Y2, wl.StairShape(3, 1, 2, (1,)), "weight_decay"), "infeasible"),
        (lambda: wl.train_stair_net(X2, Y2, wl.StairShape(3, 0, 2), "power", starts=0), "starts must be >= 1"),
        (lambda: wl.dual_constraint_samples(X2, np.ones((3, 2)), 3, 1.0), "Lam has shape"),
        (
            lambda: wl.budget_feasible(wl.StairNet((np.zeros((2, 2)),), (), np.ones((2, 2)), np.ones((2, 2))), 1.0),
            "shared matrix is zero",
        ),
        (lambda: wl.standard_net([np.ones((2, 3)), np.ones((2, 2))]), "do not chain"),
        (lambda: wl.standard_net([np.ones((2, 3))]), "L >= 2"),
        (lambda: build_instance((3, 2), 2, "equal", 2, L=3, t=1.0, widths=(2, 2), seed=0), "full row rank"),
        (lambda: build_instance((2, 2), 2, "repeated", 2, L=3, t=1.0, widths=(2, 2), seed=0), "does not fit"),
        (lambda: build_instance((2, 2), 2, "flat", 2, L=3, t=1.0, widths=(2, 2), seed=0), "structure must be one of"),
    ],
)
def test_malformed_input_raises_a_named_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_a_solver_exception_in_a_route_becomes_an_inconclusive_record():
    from reports.records import Inconclusive, Recorder

    rec = Recorder("wang2023.thm3")
    with pytest.raises(Inconclusive):
        tw._trained(rec, lambda: 1 / 0, instance="i", what="P_lin(t) (L-BFGS)")
    (line,) = rec.sink.records()
    assert line["status"] == "inconclusive" and "ZeroDivisionError" in line["reason"]


# ------------------------------------------------------------------------------------------------------------
# strategies build what they promise (checked without the library's pinv/SVD pipeline)
# ------------------------------------------------------------------------------------------------------------
def _structure_of(sv: np.ndarray) -> str:
    if sv.size == 1:
        return "rank-one"
    ratios = sv[:-1] / sv[1:]
    if np.all(ratios < 1 + 1e-9):
        return "equal"
    if np.any(ratios < 1 + 1e-9):
        return "repeated"
    return "distinct" if np.all(ratios >= 10**0.05 - 1e-9) else "too close"


@settings(max_examples=80)
@given(inst=wang_linear_instances(depth=(2, 6)))
def test_instances_have_the_planted_structure(inst):
    X, Y = inst.X, inst.Y
    assert inst.N <= inst.d and np.linalg.matrix_rank(X) == inst.N  # full row rank
    W, *_ = np.linalg.lstsq(X, Y, rcond=None)  # minimum-norm interpolator
    assert np.linalg.norm(X @ W - Y) <= 1e-10 * (1 + np.linalg.norm(Y))  # Y in range(X)
    s = np.linalg.svd(W, compute_uv=False)
    s = s[s > 1e-9 * s[0]]
    np.testing.assert_allclose(s, inst.planted_sv, rtol=1e-9)
    assert _structure_of(s) == inst.structure
    assert len(inst.widths) == inst.L - 1 and min(inst.widths) >= inst.rank  # m_i >= rank(X^+Y)
    assert inst.equal_all == (inst.structure in ("equal", "rank-one") and inst.rank == min(inst.d, inst.K))


@settings(max_examples=40)
@given(inst=wang_linear_instances(structures=("distinct", "equal", "repeated"), full_rank=True, depth=(3, 4)))
def test_full_rank_instances_use_every_sample_direction(inst):
    assert np.linalg.matrix_rank(inst.Y) == inst.N == inst.rank


@settings(max_examples=40)
@given(inst=wang_linear_instances(identity=True, depth=(2, 4)))
def test_identity_instances_factor_the_targets_themselves(inst):
    assert np.array_equal(inst.X, np.eye(inst.d))
    np.testing.assert_allclose(np.linalg.svd(inst.Y, compute_uv=False)[: inst.rank], inst.planted_sv, rtol=1e-9)


def test_hand_made_instances_are_classified():
    assert identity_instance([1.0, 1.0], 3).structure == "equal"
    assert identity_instance([1.0, 0.0], 3).structure == "rank-one"
    assert identity_instance([3.0, 2.0, 2.0], 3).structure == "repeated"
    assert identity_instance([3.0, 2.0], 3).structure == "distinct"
    assert identity_instance([1.0, 1.0], 3).equal_all and not identity_instance([1.0, 0.0], 3).equal_all


# ------------------------------------------------------------------------------------------------------------
# certificates and routes
# ------------------------------------------------------------------------------------------------------------
def _committed_witness() -> dict:
    from reports.registry import witness_path

    with np.load(witness_path("wang2023.thm3.equal-implies-no-gap"), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def test_committed_equal_values_witness_reverifies_and_matches_its_construction():
    arrays = _committed_witness()
    checks = tw.verify_equal_values_witness(arrays)
    assert tw.equal_values_witness_is_certified(checks), checks
    assert abs(checks["P_upper"] - 2 * np.sqrt(2)) <= 1e-12 and checks["D_upper"] == 2.0
    built = wl.equal_values_witness()
    assert set(arrays) == set(built)
    for k in built:
        np.testing.assert_array_equal(arrays[k], built[k])


def test_gap_certificate_on_the_identity_witness():
    cert = wl.gap_certificate(np.eye(2), np.eye(2), 3, 1.0)
    assert cert.ok
    assert abs(cert["P_lower"] - 2 * np.sqrt(2)) <= 1e-12 and abs(cert["P_upper"] - 2 * np.sqrt(2)) <= 1e-12
    assert abs(cert["D_upper"] - 2.0) <= 1e-6 and cert["D_lower"] <= cert["D_upper"] + 1e-12
    assert abs(cert["P_overall"] - 3.0) <= 1e-12


def test_an_infeasible_dual_point_violates_the_sampled_and_aligned_constraint():
    X = np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 2.0]])
    Lam = np.array([[1.0, -0.5], [0.3, 0.8]])
    t, L = 0.8, 4
    Lam = Lam / (np.linalg.norm(X.T @ Lam, 2) * t ** (L - 2))  # exactly on the boundary ||X^T Lam|| = t^-(L-2)
    assert wl.dual_constraint_samples(X, Lam, L, t, samples=300).max() <= 1 + 1e-12
    assert abs(wl.aligned_path(X, Lam, L, t)[1] - 1.0) <= 1e-12
    assert wl.aligned_path(X, 2 * Lam, L, t)[1] > 1.9


@pytest.mark.parametrize(
    "penalty, s", [("budget", 0), ("budget", 1), ("weight_decay", 1), ("weight_decay", 0), ("power", 0)]
)
@pytest.mark.parametrize("reduce", [True, False], ids=["reduced", "on the data"])
def test_training_routes_return_interpolating_points_no_better_than_the_closed_form(penalty, s, reduce):
    inst = build_instance((2, 3), 3, "distinct", 2, L=3, t=1.2, widths=(2, 2), seed=7)
    shape = wl.StairShape(3, s, 2, (2,) * s, 2)
    res = wl.train_stair_net(inst.X, inst.Y, shape, penalty, t=inst.t, starts=2, seed=1, reduce=reduce)
    assert res.ok, res.status
    net = res["net"]
    residual = np.linalg.norm(inst.X @ wl.end_to_end(net, inst.d) - inst.Y)
    assert residual <= wl.RESIDUAL_RTOL * (1 + np.linalg.norm(inst.Y))
    sv = inst.planted_sv
    C = wl.CLOSED
    expected = {
        ("budget", 0): C.stair(sv, 3, inst.t, 0),
        ("budget", 1): C.primal_t(sv, 3, inst.t),
        ("weight_decay", 1): C.primal(sv, 3),
        ("weight_decay", 0): C.parallel_weight_decay(sv, 3),
        ("power", 0): C.parallel(sv, 3),
    }[(penalty, s)]
    assert min(res["values"]) >= expected - 1e-9
    assert res.value <= expected * (1 + 1e-6)


def test_rescalings_keep_the_map_and_reach_the_am_gm_bounds():
    rng = np.random.default_rng(3)
    inst = build_instance((2, 3), 2, "distinct", 2, L=4, t=1.0, widths=(2, 2, 2), seed=3)
    net = tw.random_parallel_net(inst, 4, rng)
    for out in (wl.balance_branches(net), wl.balance_last_two(net)):
        np.testing.assert_allclose(wl.end_to_end(out, 3), wl.end_to_end(net, 3), rtol=1e-12, atol=1e-12)
    bal = wl.balance_branches(net)
    assert abs(wl.power_cost(bal) - wl.product_cost(net)) <= 1e-10 * wl.product_cost(net)
    assert wl.power_cost(net) >= wl.product_cost(net)
    assert abs(wl.weight_decay_cost(bal) - wl.weight_decay_power_cost(net)) <= 1e-10 * wl.weight_decay_cost(bal)
    feasible = wl.budget_feasible(net, 0.7)
    np.testing.assert_allclose(wl.end_to_end(feasible, 3), wl.end_to_end(net, 3), rtol=1e-12, atol=1e-12)
    assert all(abs(np.linalg.norm(B[j]) - 0.7) <= 1e-12 for B in feasible.branch for j in range(4))
    assert abs(np.sum(np.linalg.norm(feasible.rows, axis=1)) - wl.budget_cost(net, 0.7)) <= 1e-12


def test_perturbation_allowance_bounds_the_drop_of_a_schatten_quasi_norm():
    rng = np.random.default_rng(0)
    for _ in range(200):
        W = rng.standard_normal((3, 3)) @ np.diag([1.0, 0.3, 0.0]) @ rng.standard_normal((3, 3))
        E = 10.0 ** rng.uniform(-12, -2) * rng.standard_normal((3, 3))
        p, L, t = 2.0 / 5, 5, 0.9
        sv = np.linalg.svd(W, compute_uv=False)
        sv = sv[sv > 1e-12 * sv[0]]
        drop = t ** (-(L - 2)) * (wl.schatten(sv, p) - wl.schatten(np.linalg.svd(W + E, compute_uv=False), p))
        assert drop <= wl.perturbation_allowance(sv, L, t, p, np.linalg.norm(E, 2), 3) + 1e-12


# ------------------------------------------------------------------------------------------------------------
# the report section reads what the tests write
# ------------------------------------------------------------------------------------------------------------
def test_report_section_and_plots_render_from_notes(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from reports.families import wang2023 as fw
    from reports.summary import build_summary

    summary = build_summary([])
    assert fw.wang_linear_section(summary) == []  # nothing checked: no section
    table = summary["claims"]["wang2023.table1"]
    table["examples"]["tried"] = 1
    table["notes"][fw.TABLE_NOTE] = {
        "values": [
            {"value": 0.3, "architecture": "standard", "column": "linear L=3", "L": 3, "zero_gap": False, "gap": 0.3},
            {"value": 0.0, "architecture": "parallel", "column": "linear L=3", "L": 3, "zero_gap": True, "gap": 0.0},
        ]
    }
    summary["claims"]["wang2023.thm3.gap"]["notes"][fw.GAP_NOTE] = {
        "values": [{"value": 0.1 * L / s, "L": L, "spread": s, "rank": 2} for L in (3, 4) for s in (1.0, 10.0)]
    }
    summary["claims"]["wang2023.thm1"]["notes"][fw.GAP_NOTE] = {
        "values": [{"value": 0.0, "L": 2, "spread": 2.5, "rank": 2}, {"value": 0.2, "L": 3, "spread": 2.5, "rank": 2}]
    }
    text = "\n".join(fw.wang_linear_section(summary))
    assert "Table 1" in text and "P > D (relative gap 0.3)" in text and "P = D" in text
    assert "| 3 | 3 |" in text  # depth 3: two sweep points and one from thm1
    for plot in fw.PLOTS:
        (name,) = plot(summary, tmp_path, plt)
        assert (tmp_path / name).stat().st_size > 0


# ------------------------------------------------------------------------------------------------------------
# the Hoelder lower bound on P_lin(t) (the gap claims' independent lower route)
# ------------------------------------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(inst=wang_linear_instances(depth=(3, 6)))
def test_no_feasible_factorization_beats_the_hoelder_bound(inst):
    """Random feasible factorizations (optimal ones perturbed by 1e-4..1, last layer re-solved, rescaled into the
    budgets) never cost less than the bound, and the bound equals the closed form computed by another code path."""
    bound = wl.holder_lower_bound(inst.X, inst.Y, inst.L, inst.t)
    lowest, res = tw.perturbed_costs(inst, inst.t, count=8)
    allow = tw.eval_tol(inst, bound) + tw._schatten_allowance(inst, inst.t, 2.0 / inst.L, res)
    assert not np.isfinite(lowest) or lowest >= bound - allow, (lowest, bound)
    closed = wl.CLOSED.primal_t(inst.planted_sv, inst.L, inst.t)
    assert abs(bound - closed) <= tw.eval_tol(inst, closed), (bound, closed)


def test_hoelder_bound_is_never_above_a_global_solvers_feasible_point():
    """SCIP (spatial branch and bound) on tiny targets: its best feasible point is never below the Hoelder bound
    (which would refute the bound), and its proven lower bound never above it."""
    for sv in ([1.0, 0.4], [1.0, 1.0]):
        X, Y = np.eye(2), np.diag(sv)
        bound = wl.holder_lower_bound(X, Y, 3, 1.0)
        res = scip.plin_by_scip(X, Y, 3, 1.0, time_limit=1.0)
        assert np.isfinite(res.value)
        assert res.value >= bound - 1e-6 * (1 + bound), (res.value, bound)
        assert res["dual_bound"] <= bound + 1e-6 * (1 + bound), (res["dual_bound"], bound)
