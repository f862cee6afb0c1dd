"""Zhang, Shao, Salakhutdinov (AISTATS 2019), Section 2: the duality gap of an I-branch network with the tau-hinge
loss is at most 2 Delta_worst / I (Theorem 1), for the empirical risk (Remark 2), unconstrained (Remark 3), and
its normalization is scale-free (Remark 1).

Routes: the primal optimum by a HiGHS MILP (value recomputed exactly from the integer choice) and, for tiny
instances, by enumeration; the dual optimum by the HiGHS LP relaxation and by exact maximization of the concave
one-dimensional dual function (at 10^3-10^4 branches: by bisection on its supergradient); Delta_i exactly from its
definition and, as a cross-check, from a dense tabulation of the definition (family A) or an independent exact
routine (family B).  The oracle functions live in ``theorems/zhang2019/checks.py``; every strategy draws the
claim's worst case explicitly, so the tests run without Hypothesis' target phase (``spread_budget``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given

from landscape.core import tolerances as tol
from landscape.zhang2019 import hinge_gap as hg
from landscape.zhang2019 import multibranch as mb
from strategies.zhang2019 import spread_budget
from strategies.zhang2019.multibranch import (
    BranchProblem,
    coupled_grid_problems,
    explicit_problem,
    grid_network_problems,
    pwl_branch_problems,
    relu_unit_problems,
    single_unit_hinge_problems,
)
from theorems.zhang2019.checks import (
    check_bracket,
    check_delta_by_tabulation,
    check_gap_bound,
    check_grid_gap_bound,
    check_rescaling,
    check_slack_budget,
    continuous_violation,
    coupled_values,
    exact_values,
    hinge_gap_values,
    violates_bound,
)


# ------------------------------------------------------------------------------------------------------------
# Theorem 1 (family A: literally inside the theorem)
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "zhang2019.thm1",
    covers=(
        "family A (interval W_i, PWL g_i, convex PWL h_i, radial or asymmetric): random, plateau-"
        "drop, convex (Delta = 0), identical-plateau worst case (normalized gap 1); I in 1..64; K"
        " from its least feasible value to slack; tau just above the reach"
    ),
)
@spread_budget(1.0)
@given(bp=pwl_branch_problems())
@example(bp=explicit_problem(5, 0.3))
@example(bp=explicit_problem(64, 0.5))
def test_normalized_gap_at_most_two_over_I(bp, record):
    check_gap_bound(bp, record)


@pytest.mark.claim("zhang2019.thm1", covers=("family A, I <= 6, every shape, radial and asymmetric h"))
@spread_budget(0.4)
@given(bp=pwl_branch_problems(max_I=6))
def test_delta_matches_a_dense_tabulation(bp, record):
    check_delta_by_tabulation(bp, record)


@pytest.mark.claim("zhang2019.thm1", covers=("family A with I in 10^3..10^4, every shape"))
@spread_budget(0.2)
@given(bp=pwl_branch_problems(min_I=1000, max_I=10_000, max_breaks=6))
def test_gap_bound_at_thousands_of_branches_by_a_certified_bracket(bp, record):
    """At I in [10^3, 10^4] the MILP is out of reach; the bracket D <= P <= upper (upper: the objective of an
    explicit feasible point; lower: phi(lam), equal to the dual by bisection) certifies P - D <= upper - lower."""
    check_bracket(bp, record)


# ------------------------------------------------------------------------------------------------------------
# Remark 2: the empirical risk of a drawn sample, branches built from data
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "zhang2019.rem2",
    covers=(
        "drawn samples (n <= 12, d <= 3; duplicated samples, rank-one inputs), ReLU-unit "
        "branches, random or separable labels; tight shape: identical units, labels +1, K at the "
        "level where Delta is attained (normalized gap 1)"
    ),
)
@spread_budget(0.8)
@given(bp=relu_unit_problems())
def test_empirical_risk_gap_at_most_two_over_I(bp, record):
    check_gap_bound(bp, record)


# ------------------------------------------------------------------------------------------------------------
# Theorem 1 on finite parameter grids (derived extension), with heterogeneous MLP branches
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "zhang2019.thm1.finite",
    covers=(
        "finite grids of MLP branches (depth 0-2, every catalogued activation), tied budgets, "
        "duplicated samples, rank-one inputs; tight grids with normalized gap 1 - eps"
    ),
)
@spread_budget(0.8)
@given(bp=grid_network_problems())
def test_grid_networks_gap_at_most_two_over_I(bp, record):
    check_grid_gap_bound(bp, record)


# ------------------------------------------------------------------------------------------------------------
# Remark 3: a slack budget (K at or above the largest regularizer value) closes the gap
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("zhang2019.rem3", covers=("family A, I <= 16, every shape, budget 1.5 x max + 1"))
@spread_budget(0.8)
@given(bp=pwl_branch_problems(max_I=16))
def test_slack_budget_has_zero_gap(bp, record):
    check_slack_budget(bp, record)


# ------------------------------------------------------------------------------------------------------------
# Remark 1: the normalized gap is scale-free
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "zhang2019.rem1",
    covers=(
        "family A, I <= 16, every shape; objective scale 0.1..10 with per-branch shifts, regularizer scale 0.1..10"
    ),
)
@spread_budget(0.8)
@given(bp=pwl_branch_problems(max_I=16))
def test_normalized_gap_is_invariant_to_rescaling(bp, record):
    check_rescaling(bp, record)


# ------------------------------------------------------------------------------------------------------------
# The constant: 1 instead of 2 (derived), attained by the explicit instance
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim("zhang2019.thm1.sharp", covers=("family A as for thm1, including the identical-plateau worst case"))
@spread_budget(1.0)
@given(bp=pwl_branch_problems())
@example(bp=explicit_problem(3, 0.25))
def test_normalized_gap_at_most_one_over_I(bp, record):
    check_gap_bound(bp, record, constant=1.0)


@pytest.mark.claim(
    "zhang2019.thm1.sharp",
    covers="fixed construction: the catalog's explicit family-A instance, I = 3, d = 1/4 (normalized gap exactly 1/I)",
)
def test_explicit_instance_attains_one_over_I(record):
    """The catalog's explicit instance (I = 3, d = 1/4): exact P = 1, D = 1 - (1 - d)/I, Delta_i = 1 - d, so the
    normalized gap is exactly 1/I: the constant 1 cannot be lowered.  Kept as a (non-refuting) witness."""
    I, d = 3, 0.25
    bp = explicit_problem(I, d)
    P, D = exact_values(bp, record)
    delta = mb.delta_exact(bp.inst).worst
    checks = {
        "P": P,
        "D": D,
        "Delta_worst": delta,
        "I(P-D)/Delta": I * (P - D) / delta,
        "expected_P": 1.0,
        "expected_D": 1.0 - (1.0 - d) / I,
        "expected_Delta": 1.0 - d,
    }
    exact = tol.highs(1.0)  # the numbers are exact fractions; HiGHS' LP is the least accurate route involved
    certified = abs(P - 1.0) <= exact and abs(D - checks["expected_D"]) <= exact and abs(delta - (1.0 - d)) <= exact
    arrays = {"t": np.array(bp.inst.t), "G": np.array(bp.inst.G), "H": np.array(bp.inst.H), "K": np.array(bp.inst.K)}
    record.witness("explicit-tight", arrays, certified=certified, checks=checks, instance=bp, refutes=False)


# ------------------------------------------------------------------------------------------------------------
# Outside Assumption 1: search for, certify and keep an instance where the bound fails
# ------------------------------------------------------------------------------------------------------------
def _search(strategy, condition, max_examples: int = 300):
    from hypothesis import find, settings

    # derandomized whatever the profile: a failure case must be found on every run, not on lucky ones.  (The
    # draws still depend on which project modules are loaded, since Hypothesis mines their constants; a search
    # must therefore not rely on one lucky draw: targeted conditions climb towards the violation.)
    return find(
        strategy,
        condition,
        settings=settings(settings.default, max_examples=max_examples, database=None, derandomize=True),
    )


def _coupled_violation_targeted(bp: BranchProblem) -> bool:
    """The coupled-budget violation test, steering the search by ``I (P - D) / (2 Delta_worst)`` (> 1 violates)."""
    from hypothesis import target

    v = coupled_values(bp)
    delta = max(v["delta_own"], v["delta_exact"])
    if np.isfinite(delta) and delta > 0:
        target(float(v["I"] * v["gap"] / (2.0 * delta)), label="coupled gap / bound")
    return violates_bound(v)


@pytest.mark.claim(
    "zhang2019.thm1.no-assumption1",
    covers=(
        "derandomized search (4000 draws): one ReLU unit on an interval, n 1-4, d 1-2 Gaussian data, tau below the "
        "reachable y f"
    ),
)
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
    checks = dict(
        v,
        P_enumerated=brute.value,
        D_lp=lp.value,
        delta_tabulated=delta_tab,
        tau=found.tau,
        reach=s["reach"],
        K=found.inst.K,
        bound=2.0 * max(v["delta_exact"], delta_tab),
    )
    certified = bool(
        found.tau < s["reach"]
        and brute.ok
        and lp.ok
        and abs(brute.value - v["P"]) <= tol.evaluation(v["P"], 64)
        and abs(lp.value - v["D"]) <= tol.highs(v["D"])
        and v["gap"] > checks["bound"] + tol.highs(v["P"])
    )
    arrays = {k: np.asarray(s[k]) for k in ("X", "y", "unit_a", "unit_b", "unit_v", "unit_e", "interval", "center")}
    arrays.update(tau=np.array(found.tau), K=np.array(found.inst.K), t=t, L=found.inst.G[0], g=g, h=linear.H[0])
    record.witness("continuous", arrays, certified=certified, checks=checks, instance=found)


@pytest.mark.claim(
    "zhang2019.thm1.no-assumption1",
    covers=(
        "derandomized search: MLP-branch parameter grids, I 1-3, G 2-4, n 1-4, d 1-2, tau below the reachable y f "
        "(Assumption 1 fails)"
    ),
)
def test_bound_fails_on_a_parameter_grid_when_the_hinge_can_be_active(record):
    found = _search(
        grid_network_problems(max_I=3, max_G=4, max_n=4, max_d=2, tau_side="below"),
        lambda bp: violates_bound(hinge_gap_values(bp)),
    )
    v = hinge_gap_values(found)
    s = found.scalars
    # certificate: Assumption 1 fails (tau <= reachable margin), the two Delta routines agree, P and D are exact
    # (enumeration / lower hull over every joint choice), and the gap exceeds the bound by more than rounding
    checks = dict(
        v,
        tau=found.tau,
        K=found.inst.K,
        bound=2.0 * v["delta_exact"] / v["I"],
        assumption1_fails=bool(found.tau <= v["reach"]),
        delta_routes_agree=bool(abs(v["delta_own"] - v["delta_exact"]) <= tol.evaluation(v["delta_own"], 64)),
    )
    certified = checks["assumption1_fails"] and checks["delta_routes_agree"] and violates_bound(v)
    arrays = {
        "X": s["X"],
        "y": s["y"],
        "F": s["F"],
        "w": s["w"],
        "h_center": s["center"],
        "H": np.array(found.inst.H),
        "G": np.array(found.inst.G),
        "tau": np.array(found.tau),
        "K": np.array(found.inst.K),
    }
    record.witness("grid", arrays, certified=certified, checks=checks, instance=found)


# ------------------------------------------------------------------------------------------------------------
# Outside the separable setting: a regularizer that couples the branches
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.claim(
    "zhang2019.thm1.coupled",
    covers=(
        "derandomized search: I = 2 scalar grids (G 3-25), convex or random-walk losses, tight budgets (quantile "
        "0.002-0.01), coupled regularizer"
    ),
)
def test_bound_fails_when_the_regularizer_couples_branches(record):
    # the search runs where coupling separates P from D: two branches, tight budgets (the quantile of joint choices
    # that fit), convex or random-walk losses.  Measured: 1.4 % of plain draws there violate the bound (0.15 % over
    # the whole family), so 1000 draws miss with probability ~1e-6 whichever constants Hypothesis mines from the
    # loaded modules (the wider family found it only through targeting, and lost it in one process layout)
    family = coupled_grid_problems(max_I=2, kinds=("convex", "random walk"), quantiles=(0.002, 0.005, 0.01))
    found = _search(family, _coupled_violation_targeted, max_examples=1000)
    v = coupled_values(found)
    s = found.scalars
    checks = dict(
        v,
        bound=2.0 * v["delta_exact"] / v["I"],
        tau=found.tau,
        assumption1_holds=bool(np.max(np.abs(s["F"])) < found.tau),
        delta_routes_agree=bool(abs(v["delta_own"] - v["delta_exact"]) <= tol.evaluation(v["delta_own"], 64)),
    )
    certified = checks["assumption1_holds"] and checks["delta_routes_agree"] and violates_bound(v)
    arrays = {
        "X": s["X"],
        "y": s["y"],
        "F": s["F"],
        "w": s["w"],
        "h_center": s["center"],
        "G": np.array(found.inst.G),
        "tau": np.array(found.tau),
        "K_coupled": np.array(v["K_coupled"]),
    }
    record.note("I (P - D) / Delta_worst with the coupled budget", v["I"] * v["gap"] / v["delta_exact"], instance=found)
    record.witness("coupled", arrays, certified=certified, checks=checks, instance=found)
