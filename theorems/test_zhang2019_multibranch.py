"""Zhang, Shao, Salakhutdinov (AISTATS 2019), Section 2: the duality gap of an I-branch network with the tau-hinge
loss is at most 2 Delta_worst / I (Theorem 1), for the empirical risk (Remark 2), unconstrained (Remark 3), and
its normalization is scale-free (Remark 1).

Routes: the primal optimum by a HiGHS MILP (value recomputed exactly from the integer choice) and, for tiny
instances, by enumeration; the dual optimum by the HiGHS LP relaxation and by exact maximization of the concave
one-dimensional dual function; Delta_i exactly from its definition and, as a cross-check, from a dense
tabulation (family A) or an independent exact routine (family B).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given

from landscape import hinge_gap as hg
from landscape import multibranch as mb
from landscape import tolerances as tol
from strategies import budget
from strategies.multibranch import (BranchProblem, grid_network_problems, pwl_branch_problems,
                                    relu_unit_problems)

BRUTE_FORCE_LIMIT = 4096  # enumerate the primal when the number of (segment) choices is at most this


def exact_values(bp: BranchProblem, record, inst=None):
    """P (MILP), D (exact 1-D maximization), with the LP and enumeration as cross-checks; returns (P, D).
    ``inst`` overrides ``bp.inst`` (a transformed copy); checks are still recorded against the example ``bp``."""
    inst = bp.inst if inst is None else inst
    primal = record.require(mb.primal_milp(inst), instance=bp, what="primal MILP (HiGHS)")
    dual = record.require(mb.dual_breakpoints(inst), instance=bp, what="dual (exact breakpoints)")
    lp = record.require(mb.dual_lp(inst), instance=bp, what="dual LP (HiGHS)")
    P, D = primal.value, dual.value
    record.close(lp.value, D, tol=tol.highs(D), instance=bp, what="dual: HiGHS LP = exact 1-D maximization")
    sizes = [len(r) - (1 if isinstance(inst, mb.PWLBranches) else 0) for r in inst.H]
    if float(np.prod(np.array(sizes, dtype=float))) <= BRUTE_FORCE_LIMIT:
        brute = record.require(mb.primal_bruteforce(inst, limit=BRUTE_FORCE_LIMIT), instance=bp,
                               what="primal enumeration")
        record.close(P, brute.value, tol=tol.evaluation(P, inst.I), instance=bp,
                     what="primal: MILP = enumeration")
    return P, D


def check_gap_bound(bp: BranchProblem, record, constant: float = 2.0, delta_route=mb.delta_exact) -> None:
    """0 <= P - D <= constant * Delta_worst / I, with both sides exact; notes the normalized gap."""
    inst, I = bp.inst, bp.I
    P, D = exact_values(bp, record)
    gap = P - D
    record.geq(gap, 0.0, tol=tol.highs(P), instance=bp, what="weak duality: P - D >= 0")
    delta = delta_route(inst).worst
    rho = mb.rho_exact(inst).worst
    record.leq(rho, delta, tol=tol.evaluation(delta, 64), instance=bp, what="rho_worst <= Delta_worst")
    record.leq(gap, constant * delta / I, tol=tol.highs(P), instance=bp,
               what=f"P - D <= {constant:g} Delta_worst / I")
    if delta > 1e-9:
        ratio = I * gap / delta
        record.target(ratio, "normalized gap")
        record.note("I (P - D) / Delta_worst", ratio, instance=bp, extra={"I": I, "gap": gap, "delta": delta})


def check_delta_by_tabulation(bp: BranchProblem, record, points: int = 4001) -> None:
    """Family A: Delta from a dense tabulation lies in [Delta_exact, Delta_exact + Lip(g) * spacing]."""
    inst = bp.inst
    exact = mb.delta_exact(inst).per_branch
    for i, (t, g) in enumerate(zip(inst.t, inst.G)):
        grid = np.unique(np.concatenate([t, np.linspace(t[0], t[-1], points)]))
        tab = hg.delta_scalar_grid(grid, np.interp(grid, t, g), bp.scalars["center"][i])
        lip = float(np.max(np.abs(np.diff(g) / np.diff(t))))
        spacing = float(np.max(np.diff(grid)))
        slack = tol.evaluation(max(abs(g).max(), 1.0), points)
        record.leq(exact[i], tab, tol=slack, instance=bp, what="Delta_i <= tabulated Delta_i")
        record.leq(tab, exact[i] + lip * spacing, tol=slack, instance=bp,
                   what="tabulated Delta_i <= Delta_i + Lip * spacing")


# ------------------------------------------------------------------------------------------------------------
# Theorem 1 (family A: literally inside the theorem)
# ------------------------------------------------------------------------------------------------------------
def _explicit(I: int, d: float) -> BranchProblem:
    inst = mb.explicit_instance(I, d)
    return BranchProblem(inst, "explicit worst case", 0, None, note=f"explicit d={d}",
                         scalars={"center": np.zeros(I)})


@pytest.mark.claim("zhang2019.thm1")
@budget(1.0)
@given(bp=pwl_branch_problems())
@example(bp=_explicit(5, 0.3))
@example(bp=_explicit(64, 0.5))
def test_normalized_gap_at_most_two_over_I(bp, record):
    check_gap_bound(bp, record)


@pytest.mark.claim("zhang2019.thm1")
@budget(0.4)
@given(bp=pwl_branch_problems(max_I=6))
def test_delta_matches_a_dense_tabulation(bp, record):
    check_delta_by_tabulation(bp, record)


# ------------------------------------------------------------------------------------------------------------
# Remark 2: the empirical risk of a drawn sample, branches built from data
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("zhang2019.rem2")
@budget(0.6)
@given(bp=relu_unit_problems())
def test_empirical_risk_gap_at_most_two_over_I(bp, record):
    check_gap_bound(bp, record)


# ------------------------------------------------------------------------------------------------------------
# Theorem 1 on finite parameter grids (derived extension), with heterogeneous MLP branches
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("zhang2019.thm1.finite")
@budget(0.8)
@given(bp=grid_network_problems())
def test_grid_networks_gap_at_most_two_over_I(bp, record):
    s = bp.scalars
    own = np.array([hg.delta_scalar_grid(s["w"][i], bp.inst.G[i], s["center"][i]) for i in range(bp.I)])
    helper = mb.delta_exact(bp.inst).per_branch
    record.close(float(np.max(np.abs(own - helper))), 0.0, tol=tol.evaluation(np.abs(own).max(), 64), instance=bp,
                 what="Delta_i: two exact routines agree")
    # an independent route for both optimal values: enumerate every joint choice with the actual hinge loss
    choices = hg.joint_choices(len(bp.inst.G[0]), bp.I)
    L = hg.hinge_losses(s["F"], s["y"], bp.tau, choices)
    B = np.mean(np.stack([bp.inst.H[i][choices[:, i]] for i in range(bp.I)], axis=1), axis=1)
    enum = hg.enumerate_problem(L, B, bp.inst.K, choices)
    P, D = exact_values(bp, record)
    record.close(P, enum.P, tol=tol.evaluation(P, bp.I), instance=bp, what="primal: MILP = hinge enumeration")
    record.close(D, enum.D, tol=tol.evaluation(D, bp.I), instance=bp, what="dual: 1-D maximization = hull of joint choices")
    check_gap_bound(bp, record)


# ------------------------------------------------------------------------------------------------------------
# Remark 3: a slack budget (K at or above the largest regularizer value) closes the gap
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("zhang2019.rem3")
@budget(0.6)
@given(bp=pwl_branch_problems(max_I=16))
def test_slack_budget_has_zero_gap(bp, record):
    inst = bp.inst
    k_max = float(np.mean([h.max() for h in inst.H]))
    slack = BranchProblem(replace_K(inst, k_max * 1.5 + 1.0), bp.shape, bp.seed, bp.tau, note="K slack")
    P, D = exact_values(slack, record)
    record.close(P, D, tol=tol.highs(P), instance=slack, what="slack budget: P = D")
    record.close(P, float(np.mean([g.min() for g in inst.G])), tol=tol.highs(P), instance=slack,
                 what="slack budget: P = mean of per-branch minima")


def replace_K(inst, K):
    if isinstance(inst, mb.PWLBranches):
        return mb.PWLBranches(inst.t, inst.G, inst.H, K)
    return mb.GridBranches(inst.G, inst.H, K, w=inst.w, h_center=inst.h_center)


# ------------------------------------------------------------------------------------------------------------
# Remark 1: the normalized gap is scale-free
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("zhang2019.rem1")
@budget(0.6)
@given(bp=pwl_branch_problems(max_I=16))
def test_normalized_gap_is_invariant_to_rescaling(bp, record):
    inst, I = bp.inst, bp.I
    rng = np.random.default_rng(bp.seed)
    c_obj, c_reg = float(rng.uniform(0.1, 10)), float(rng.uniform(0.1, 10))
    shifts = rng.uniform(-1, 1, I)
    moved = mb.PWLBranches(inst.t, [c_obj * g + b for g, b in zip(inst.G, shifts)], [c_reg * h for h in inst.H],
                           c_reg * inst.K)
    P0, D0 = exact_values(bp, record)
    P1, D1 = exact_values(bp, record, inst=moved)
    d0, d1 = mb.delta_exact(inst).worst, mb.delta_exact(moved).worst
    record.close(d1, c_obj * d0, tol=tol.evaluation(c_obj * d0, 64), instance=bp,
                 what="Delta scales with the objective, not with the regularizer")
    record.close(P1 - D1, c_obj * (P0 - D0), tol=tol.highs(c_obj * (abs(P0) + 1) + abs(shifts).sum()), instance=bp,
                 what="gap scales with the objective, not with the regularizer")
