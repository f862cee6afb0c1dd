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

from landscape.zhang2019 import hinge_gap as hg
from landscape.zhang2019 import multibranch as mb
from landscape.core import tolerances as tol
from strategies import budget
from strategies.zhang2019.multibranch import (BranchProblem, grid_network_problems, pwl_branch_problems,
                                    relu_unit_problems, single_unit_hinge_problems,
                                    coupled_grid_problems)

BRUTE_FORCE_LIMIT = 4096  # enumerate the primal when the number of (segment) choices is at most this


def _scales(inst) -> tuple[float, float, float]:
    """(max |G|, max(|H|, |K|), steepest loss-per-budget trade-off between two budget values of one branch)."""
    steepest = 0.0
    for g, h in zip(inst.G, inst.H):
        hs = np.unique(h)
        if hs.size > 1:
            steepest = max(steepest, float(np.ptp(g)) / float(np.min(np.diff(hs))))
    G_scale = max(float(np.max(np.abs(g))) for g in inst.G)
    H_scale = max(max(float(np.max(np.abs(h))) for h in inst.H), abs(inst.K))
    return G_scale, H_scale, steepest


def exact_tol(inst) -> float:
    """Allowance for two exact routes on this instance (``tolerances.interpolation``), with the budget slack the
    routines grant to ties (``inst.feas_tol``)."""
    G_scale, H_scale, steepest = _scales(inst)
    return tol.interpolation(G_scale, H_scale, steepest, inst.I, budget_slack=inst.feas_tol)


def milp_tol(inst, value: float) -> float:
    """The MILP's segment/point choice is optimal only up to HiGHS' tolerances (its budget row is held to the
    mip feasibility tolerance 1e-9 set by ``primal_milp``), so its exactly recomputed value may exceed the true
    optimum by the HiGHS allowance plus 1e-9 of the budget scale along the steepest trade-off."""
    G_scale, H_scale, steepest = _scales(inst)
    return tol.highs(value) + steepest * 1e-9 * (1.0 + H_scale) + exact_tol(inst)


def own_deltas(bp: BranchProblem) -> np.ndarray:
    """Per-branch Delta_i of a scalar-grid instance by the suite's own routine (``hinge_gap.delta_scalar_grid``)."""
    s = bp.scalars
    return np.array([hg.delta_scalar_grid(s["w"][i], bp.inst.G[i], s["center"][i]) for i in range(bp.I)])


def enumerate_with_hinge(bp: BranchProblem) -> hg.Enumerated:
    """Exact P and D over every joint grid choice, with the real (possibly active) tau-hinge loss."""
    s, inst = bp.scalars, bp.inst
    choices = hg.joint_choices(len(inst.G[0]), bp.I)
    L = hg.hinge_losses(s["F"], s["y"], bp.tau, choices)
    B = np.mean(np.stack([inst.H[i][choices[:, i]] for i in range(bp.I)], axis=1), axis=1)
    return hg.enumerate_problem(L, B, inst.K, choices)


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
        record.close(P, brute.value, tol=milp_tol(inst, P), instance=bp,
                     what="primal: MILP = enumeration")
    return P, D


def check_gap_bound(bp: BranchProblem, record, constant: float = 2.0) -> None:
    """0 <= P - D <= constant * Delta_worst / I, with both sides exact; notes the normalized gap."""
    inst, I = bp.inst, bp.I
    P, D = exact_values(bp, record)
    gap = P - D
    record.geq(gap, 0.0, tol=tol.highs(P), instance=bp, what="weak duality: P - D >= 0")
    delta = mb.delta_exact(inst).worst
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


@pytest.mark.claim("zhang2019.thm1")
@budget(0.2)
@given(bp=pwl_branch_problems(min_I=1000, max_I=10_000, max_breaks=6))
def test_gap_bound_at_thousands_of_branches_by_a_certified_bracket(bp, record):
    """At I in [10^3, 10^4] the MILP is out of reach; the bracket D <= P <= upper (upper: the objective of an
    explicit feasible point, D: exact dual) certifies P - D <= upper - D, which must stay below 2 Delta_worst/I."""
    bracket = record.require(mb.certified_bracket(bp.inst), instance=bp, what="certified bracket")
    dual = record.require(mb.dual_breakpoints(bp.inst), instance=bp, what="dual (exact breakpoints)")
    record.close(bracket.lower, dual.value, tol=exact_tol(bp.inst), instance=bp,
                 what="bracket lower end = exact dual")
    delta = mb.delta_exact(bp.inst).worst
    record.leq(bracket.upper - bracket.lower, 2.0 * delta / bp.I, tol=tol.highs(bracket.upper), instance=bp,
               what="bracket width <= 2 Delta_worst / I")
    if delta > 1e-9:
        record.note("I (P - D) / Delta_worst (upper estimate from the bracket)",
                    bp.I * (bracket.upper - bracket.lower) / delta, instance=bp, extra={"I": bp.I})


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
    own = own_deltas(bp)
    helper = mb.delta_exact(bp.inst).per_branch
    record.close(float(np.max(np.abs(own - helper))), 0.0, tol=tol.evaluation(np.abs(own).max(), 64), instance=bp,
                 what="Delta_i: two exact routines agree")
    # an independent route for both optimal values: enumerate every joint choice with the actual hinge loss
    enum = enumerate_with_hinge(bp)
    P, D = exact_values(bp, record)
    record.close(P, enum.P, tol=milp_tol(bp.inst, P), instance=bp, what="primal: MILP = hinge enumeration")
    record.close(D, enum.D, tol=exact_tol(bp.inst), instance=bp,
                 what="dual: 1-D maximization = hull of joint choices")
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


# ------------------------------------------------------------------------------------------------------------
# The constant: 1 instead of 2 (derived), attained by the explicit instance
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("zhang2019.thm1.sharp")
@budget(1.0)
@given(bp=pwl_branch_problems())
@example(bp=_explicit(3, 0.25))
def test_normalized_gap_at_most_one_over_I(bp, record):
    check_gap_bound(bp, record, constant=1.0)


@pytest.mark.claim("zhang2019.thm1.sharp")
def test_explicit_instance_attains_one_over_I(record):
    """The catalog's explicit instance (I = 3, d = 1/4): exact P = 1, D = 1 - (1 - d)/I, Delta_i = 1 - d, so the
    normalized gap is exactly 1/I: the constant 1 cannot be lowered.  Kept as a (non-refuting) witness."""
    I, d = 3, 0.25
    bp = _explicit(I, d)
    P, D = exact_values(bp, record)
    delta = mb.delta_exact(bp.inst).worst
    checks = {"P": P, "D": D, "Delta_worst": delta, "I(P-D)/Delta": I * (P - D) / delta,
              "expected_P": 1.0, "expected_D": 1.0 - (1.0 - d) / I, "expected_Delta": 1.0 - d}
    exact = tol.highs(1.0)  # the numbers are exact fractions; HiGHS' LP is the least accurate route involved
    certified = (abs(P - 1.0) <= exact and abs(D - checks["expected_D"]) <= exact
                 and abs(delta - (1.0 - d)) <= exact)
    arrays = {"t": np.array(bp.inst.t), "G": np.array(bp.inst.G), "H": np.array(bp.inst.H), "K": np.array(bp.inst.K)}
    record.witness("explicit-tight", arrays, certified=certified, checks=checks, instance=bp, refutes=False)


# ------------------------------------------------------------------------------------------------------------
# Outside Assumption 1: search for, certify and keep an instance where the bound fails
# ------------------------------------------------------------------------------------------------------------
def hinge_gap_values(bp: BranchProblem) -> dict:
    """Exact P, D (enumeration of all joint choices with the real hinge loss) and Delta by two routines."""
    s, inst = bp.scalars, bp.inst
    enum = enumerate_with_hinge(bp)
    return {"P": enum.P, "D": enum.D, "gap": enum.P - enum.D, "delta_own": float(own_deltas(bp).max()),
            "delta_exact": mb.delta_exact(inst).worst, "I": bp.I, "lam": enum.lam,
            "reach": float(np.max(np.mean(np.max(s["y"][None, None, :] * s["F"], axis=1), axis=0)))}


def violates_bound(v: dict) -> bool:
    delta = max(v["delta_own"], v["delta_exact"])
    return v["gap"] > 2.0 * delta / v["I"] + tol.evaluation(v["P"], 64) and np.isfinite(delta)


def continuous_violation(bp: BranchProblem) -> dict:
    """Exact values of a single-unit instance with the hinge active: P, D of the true loss; Delta of g."""
    P, D = mb.primal_milp(bp.inst), mb.dual_breakpoints(bp.inst)
    linear = bp.scalars["linear"]
    return {"P": P.value, "D": D.value, "gap": P.value - D.value, "delta_exact": mb.delta_exact(linear).worst,
            "I": 1, "ok": bool(P.ok and D.ok)}


def _search(strategy, condition, max_examples: int = 300):
    from hypothesis import find, settings

    # derandomized whatever the profile: a failure case must be found on every run, not on lucky ones.  (The
    # draws still depend on which project modules are loaded, since Hypothesis mines their constants; a search
    # must therefore not rely on one lucky draw: targeted conditions climb towards the violation.)
    return find(strategy, condition, settings=settings(settings.default, max_examples=max_examples, database=None,
                                                       derandomize=True))


def _coupled_violation_targeted(bp: BranchProblem) -> bool:
    """The coupled-budget violation test, steering the search by ``I (P - D) / (2 Delta_worst)`` (> 1 violates)."""
    from hypothesis import target

    v = coupled_values(bp)
    delta = max(v["delta_own"], v["delta_exact"])
    if np.isfinite(delta) and delta > 0:
        target(float(v["I"] * v["gap"] / (2.0 * delta)), label="coupled gap / bound")
    return violates_bound(v)


@pytest.mark.claim("zhang2019.thm1.no-assumption1")
def test_bound_fails_for_a_continuous_branch_when_the_hinge_can_be_active(record):
    def violated(bp):
        from hypothesis import target

        v = continuous_violation(bp)
        if v["ok"] and v["delta_exact"] > 0:  # steer towards gap / bound > 1 (about 1 % of plain draws violate)
            target(float(v["gap"] / (2.0 * v["delta_exact"])), label="gap / bound")
        return v["ok"] and v["gap"] > 2.0 * v["delta_exact"] + tol.highs(v["P"])

    found = _search(single_unit_hinge_problems(), violated, max_examples=4000)  # ~0.5 % of draws violate
    v = continuous_violation(found)
    s, linear = found.scalars, found.scalars["linear"]
    # second routes: P by enumerating segments, D by the HiGHS LP, Delta by a dense tabulation (an upper
    # estimate of Delta, which is the direction a certificate of violation needs)
    brute = mb.primal_bruteforce(found.inst, limit=10_000)
    lp = mb.dual_lp(found.inst)
    t, g = linear.t[0], linear.G[0]
    grid = np.unique(np.concatenate([t, np.linspace(t[0], t[-1], 20001)]))
    delta_tab = hg.delta_scalar_grid(grid, np.interp(grid, t, g), s["center"][0])
    checks = dict(v, P_enumerated=brute.value, D_lp=lp.value, delta_tabulated=delta_tab, tau=found.tau,
                  reach=s["reach"], K=found.inst.K, bound=2.0 * max(v["delta_exact"], delta_tab))
    certified = bool(found.tau < s["reach"] and brute.ok and lp.ok
                     and abs(brute.value - v["P"]) <= tol.evaluation(v["P"], 64)
                     and abs(lp.value - v["D"]) <= tol.highs(v["D"])
                     and v["gap"] > checks["bound"] + tol.highs(v["P"]))
    arrays = {k: np.asarray(s[k]) for k in ("X", "y", "unit_a", "unit_b", "unit_v", "unit_e", "interval", "center")}
    arrays.update(tau=np.array(found.tau), K=np.array(found.inst.K), t=t, L=found.inst.G[0], g=g, h=linear.H[0])
    record.witness("continuous", arrays, certified=certified, checks=checks, instance=found)


@pytest.mark.claim("zhang2019.thm1.no-assumption1")
def test_bound_fails_on_a_parameter_grid_when_the_hinge_can_be_active(record):
    found = _search(grid_network_problems(max_I=3, max_G=4, max_n=4, max_d=2, tau_side="below"),
                    lambda bp: violates_bound(hinge_gap_values(bp)))
    v = hinge_gap_values(found)
    s = found.scalars
    # certificate: Assumption 1 fails (tau <= reachable margin), the two Delta routines agree, P and D are exact
    # (enumeration / lower hull over every joint choice), and the gap exceeds the bound by more than rounding
    checks = dict(v, tau=found.tau, K=found.inst.K, bound=2.0 * v["delta_exact"] / v["I"],
                  assumption1_fails=bool(found.tau <= v["reach"]),
                  delta_routes_agree=bool(abs(v["delta_own"] - v["delta_exact"]) <= tol.evaluation(v["delta_own"], 64)))
    certified = checks["assumption1_fails"] and checks["delta_routes_agree"] and violates_bound(v)
    arrays = {"X": s["X"], "y": s["y"], "F": s["F"], "w": s["w"], "h_center": s["center"],
              "H": np.array(found.inst.H), "G": np.array(found.inst.G), "tau": np.array(found.tau),
              "K": np.array(found.inst.K)}
    record.witness("grid", arrays, certified=certified, checks=checks, instance=found)


# ------------------------------------------------------------------------------------------------------------
# Outside the separable setting: a regularizer that couples the branches
# ------------------------------------------------------------------------------------------------------------
def coupled_values(bp: BranchProblem) -> dict:
    """Exact P, D by enumeration when the budget is ``(mean_i (w_i - c_i))^2 <= K`` (convex, not separable);
    Delta_i as in the theorem, with each branch's own radial ``h_i = (w - c_i)^2``."""
    s, inst = bp.scalars, bp.inst
    choices = hg.joint_choices(len(inst.G[0]), bp.I)
    L = np.mean(np.stack([inst.G[i][choices[:, i]] for i in range(bp.I)], axis=1), axis=1)  # hinge inactive
    B = np.mean(np.stack([s["w"][i][choices[:, i]] - s["center"][i] for i in range(bp.I)], axis=1), axis=1) ** 2
    K = float(np.quantile(B, s.get("quantile", 0.1)))  # a budget that binds: that share of joint choices fits
    enum = hg.enumerate_problem(L, B, K, choices)
    return {"P": enum.P, "D": enum.D, "gap": enum.P - enum.D, "K_coupled": K, "delta_own": float(own_deltas(bp).max()),
            "delta_exact": mb.delta_exact(inst).worst, "I": bp.I}


@pytest.mark.claim("zhang2019.thm1.coupled")
def test_bound_fails_when_the_regularizer_couples_branches(record):
    found = _search(coupled_grid_problems(), _coupled_violation_targeted, max_examples=1000)
    v = coupled_values(found)
    s = found.scalars
    checks = dict(v, bound=2.0 * v["delta_exact"] / v["I"], tau=found.tau,
                  assumption1_holds=bool(np.max(np.abs(s["F"])) < found.tau),
                  delta_routes_agree=bool(abs(v["delta_own"] - v["delta_exact"]) <= tol.evaluation(v["delta_own"], 64)))
    certified = checks["assumption1_holds"] and checks["delta_routes_agree"] and violates_bound(v)
    arrays = {"X": s["X"], "y": s["y"], "F": s["F"], "w": s["w"], "h_center": s["center"],
              "G": np.array(found.inst.G), "tau": np.array(found.tau), "K_coupled": np.array(v["K_coupled"])}
    record.note("I (P - D) / Delta_worst with the coupled budget", v["I"] * v["gap"] / v["delta_exact"], instance=found)
    record.witness("coupled", arrays, certified=certified, checks=checks, instance=found)
