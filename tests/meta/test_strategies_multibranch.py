"""The multi-branch strategies build what they promise: Assumption 1 holds (or, for the failure search, fails),
regularizers are convex and feasible budgets are drawn; checked by direct evaluation, not by the strategy's
own bookkeeping."""

import numpy as np
from hypothesis import given, settings

from landscape.zhang2019 import multibranch as mb
from strategies.zhang2019.multibranch import (
    grid_network_problems,
    pwl_branch_problems,
    relu_unit_problems,
    single_unit_hinge_problems,
)


@settings(max_examples=40)
@given(bp=pwl_branch_problems())
def test_pwl_instances_satisfy_assumption_1_and_feasibility(bp):
    inst = bp.inst
    for t, g, h in zip(inst.t, inst.G, inst.H):
        F = bp.tau * (1.0 - g)  # the branch output behind g = 1 - F / tau
        assert np.max(np.abs(F)) < bp.tau  # |y f| < tau on the whole interval (PWL: maxima at breakpoints)
        slopes = np.diff(h) / np.diff(t)
        assert np.all(np.diff(slopes) >= -1e-9)  # h convex
    assert inst.K >= np.mean([h.min() for h in inst.H]) - 1e-12


@settings(max_examples=30)
@given(bp=relu_unit_problems())
def test_relu_unit_instances_satisfy_assumption_1_on_a_dense_grid(bp):
    # Assumption 1 for the averaged network: for every sample j and every joint parameter choice,
    # (1/I) sum_i y_j f_i(w_i; x_j) < tau; the worst choice maximizes each branch separately (dense grid here)
    s = bp.scalars
    A, b, v, E = s["units"]
    worst = -np.inf
    for j in range(s["X"].shape[0]):
        x, yj = s["X"][j], s["y"][j]
        per_branch = []
        for i in range(A.shape[0]):
            w = np.linspace(*s["intervals"][i], 4001)
            f = v[i] * np.maximum(w * (A[i] @ x) + b[i], 0.0) + E[i] @ x
            per_branch.append(np.max(yj * f))
        worst = max(worst, float(np.mean(per_branch)))
    assert worst < bp.tau


@settings(max_examples=30)
@given(bp=grid_network_problems())
def test_grid_instances_put_tau_above_every_output(bp):
    F = bp.scalars["F"]
    assert np.max(np.abs(F)) < bp.tau
    # the minimizer of each branch's weight decay is a grid point, so f^ is finite on the grid's hull
    for w, c in zip(bp.scalars["w"], bp.scalars["center"]):
        assert np.min(np.abs(w - c)) == 0.0


@settings(max_examples=30)
@given(bp=grid_network_problems(tau_side="below"))
def test_failure_search_grids_violate_assumption_1(bp):
    s = bp.scalars
    reach = np.max(np.mean(np.max(s["y"][None, None, :] * s["F"], axis=1), axis=0))
    assert bp.tau < reach


@settings(max_examples=30)
@given(bp=single_unit_hinge_problems())
def test_single_unit_failure_search_violates_assumption_1(bp):
    s = bp.scalars
    lo, hi = s["interval"]
    w = np.linspace(lo, hi, 20001)
    f = s["unit_v"] * np.maximum(np.outer(w, s["X"] @ s["unit_a"]) + s["unit_b"], 0.0) + s["X"] @ s["unit_e"]
    assert np.max(s["y"] * f) > bp.tau  # some parameter reaches a margin above tau: the hinge can be active
    # the true loss is affine between the refined breakpoints: its values there match a direct evaluation
    t, L = bp.inst.t[0], bp.inst.G[0]
    direct = np.mean(np.maximum(0.0, 1.0 - s["y"] * f / bp.tau), axis=1)
    assert np.max(np.abs(np.interp(w, t, L) - direct)) <= 1e-9 * (1 + np.abs(direct).max())
    assert isinstance(bp.inst, mb.PWLBranches)


def _normalized_gap(inst) -> float:
    P, D, delta = mb.primal_milp(inst), mb.dual_breakpoints(inst), mb.delta_exact(inst).worst
    assert P.ok and delta > 0
    return inst.I * (P.value - D.value) / delta


@settings(max_examples=25, deadline=None)
@given(bp=relu_unit_problems())
def test_tight_relu_unit_problems_reach_the_worst_case(bp):
    """The tight shape promises I (P - D) / Delta_worst = 1 (0.99 or 0.9 with K below the tight level): checked
    with the exact routes, so the rem2 mutation meta-test can rely on it."""
    if "tight" not in bp.shape:
        return
    assert np.all(bp.scalars["y"] == 1.0)
    assert _normalized_gap(bp.inst) >= 0.9 - 1e-9


@settings(max_examples=25, deadline=None)
@given(bp=grid_network_problems())
def test_tight_grid_problems_reach_one_minus_eps(bp):
    if "tight" not in bp.shape:
        return
    eps = float(bp.note.split("eps=")[1])
    assert _normalized_gap(bp.inst) >= 1.0 - eps - 1e-9
