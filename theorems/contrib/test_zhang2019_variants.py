"""Worked example of docs/new-claim.md: two claims of one's own about Zhang, Shao, Salakhutdinov (AISTATS 2019),
Theorem 1 (the gap of an I-branch network is at most 2 Delta_worst / I), checked by reusing the suite's strategies
(strategies/zhang2019) and oracle functions (theorems/zhang2019/checks.py), nothing else.

(a) ``zhang2019.thm1.constant-0.9``: a deliberately false tightening (0.9 / I instead of 2 / I).  The suite searches
    for an instance inside the theorem's assumptions that breaks it, shrinks it, certifies it and saves it.
(b) ``zhang2019.thm1.finite.constant-1``: a true variant (constant 1 on finite parameter grids), verified.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, given, settings, target

from landscape.core import tolerances as tol
from landscape.zhang2019 import multibranch as mb
from strategies import budget
from strategies.zhang2019.multibranch import grid_network_problems, pwl_branch_problems
from theorems.zhang2019.checks import check_gap_bound, exact_values

FALSE_CONSTANT = 0.9


def normalized_gap(bp) -> float:
    """I (P - D) / Delta_worst by the MILP and the exact dual (NaN when a route fails or Delta_worst = 0)."""
    P, D, delta = mb.primal_milp(bp.inst), mb.dual_breakpoints(bp.inst), mb.delta_exact(bp.inst).worst
    return bp.I * (P.value - D.value) / delta if P.ok and D.ok and delta > 0 else float("nan")


def breaks_the_false_bound(bp) -> bool:
    ratio = normalized_gap(bp)
    if np.isfinite(ratio):
        target(ratio, label="I (P - D) / Delta_worst")  # climb towards the violation
    return ratio > FALSE_CONSTANT


@pytest.mark.claim(
    "zhang2019.thm1.constant-0.9",
    covers=(
        "derandomized search (300 draws) over family A (every shape, I 2-4, at most 3 segments), targeted on I (P "
        "- D)/Delta; shrunk"
    ),
)
def test_gap_can_exceed_nine_tenths_of_delta_over_I(record):
    search = settings(max_examples=300, database=None, derandomize=True)  # found on every run, then shrunk
    bp = find(pwl_branch_problems(min_I=2, max_I=4, max_breaks=3), breaks_the_false_bound, settings=search)
    P, D = exact_values(bp, record)  # records MILP = enumeration and LP = exact dual: P and D by two routes each
    delta = mb.delta_exact(bp.inst).worst
    checks = {"P": P, "D": D, "Delta_worst": delta, "I": bp.I, "false_bound": FALSE_CONSTANT * delta / bp.I}
    arrays = {f"{name}_{i}": np.asarray(v) for name in ("t", "G", "H") for i, v in enumerate(getattr(bp.inst, name))}
    certified = P - D > checks["false_bound"] + tol.highs(P)  # beyond the LP's accuracy: not a rounding artefact
    record.witness("shrunk", arrays | {"K": np.asarray(bp.inst.K)}, certified=certified, checks=checks, instance=bp)


@pytest.mark.claim(
    "zhang2019.thm1.finite.constant-1",
    covers=(
        "finite grids of MLP branches (depth 0-2, every catalogued activation), tied budgets, duplicated samples, "
        "rank-one inputs; tight grids"
    ),
)
@budget(0.8)
@given(bp=grid_network_problems())
def test_grid_networks_gap_at_most_delta_over_I(bp, record):
    check_gap_bound(bp, record, constant=1.0)
