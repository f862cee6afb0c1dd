"""Kawaguchi et al. (2019), Theorem 2 and Corollaries 1-2: with induced linear units (a "highway" of at least
d_y identity units per layer after t that feed no non-linear unit), every differentiable local minimum is no
worse than basis-function regression on any subsequence S of the representations, minus a per-unit gain.
Corollary 1: the same with the separating edges removed from the architecture (restricted optimisation);
Corollary 2: strongly separated units, S inside (t, H).  Failure case: a highway narrower than d_y."""

from __future__ import annotations

import pytest
from hypothesis import Phase, example, find, given, settings

from strategies import budget
from strategies.kawaguchi2019 import highway_points, near_relu_highway_on_duplicated_rows
from theorems.kawaguchi2019.checks import certify_narrow_highway, check_highway, witness_arrays


@pytest.mark.claim(
    "kawaguchi2019.thm2",
    covers=(
        "highway nets: depth 1-3, t 0..H, d_y 1-2, d_y..d_y+1 linear units, 1-3 ReLU/|x|/leaky units per layer; "
        "Gaussian/low-rank/dup/digits; planted"
    ),
)
@budget(1.0)
@given(inst=highway_points())
def test_local_minima_with_induced_linear_units_beat_basis_regression(inst, record):
    check_highway(inst, record)


@pytest.mark.claim(
    "kawaguchi2019.cor1",
    covers=(
        "highway nets as for thm2 with the separating edges removed; targets planted critical over the free "
        "parameters only"
    ),
)
@budget(0.8)
@given(inst=highway_points(restricted=True))
def test_the_bound_holds_with_the_separating_edges_removed(inst, record):
    check_highway(inst, record)


@pytest.mark.claim(
    "kawaguchi2019.cor2", covers="highway nets as for thm2 with strongly separated units; S at the ends of (t, H)"
)
@budget(0.8)
@given(inst=highway_points(strong=True))
@example(inst=near_relu_highway_on_duplicated_rows())
def test_strongly_separated_units_give_the_bound_for_the_end_subsets(inst, record):
    check_highway(inst, record, only_ends=True)


@pytest.mark.claim(
    "kawaguchi2019.thm2.narrow-highway",
    covers=(
        "first certified of 40 derandomized highway draws with d_y 2 and one linear unit per layer (n = d_y - 1), "
        "depth 1-3, four data kinds"
    ),
)
def test_a_highway_narrower_than_d_y_breaks_the_bound(record):
    inst = find(
        highway_points(narrow=True),
        lambda i: certify_narrow_highway(i)["certified"],
        settings=settings(max_examples=40, derandomize=True, database=None, phases=[Phase.generate]),
    )
    checks = certify_narrow_highway(inst)
    record.note("L - RHS(S) at the witness", checks["excess"], instance=inst)
    record.witness(
        "narrow-highway",
        witness_arrays(inst.net, inst.X, inst.Y, inst.theta),
        certified=checks["certified"],
        checks={k: v for k, v in checks.items() if k != "S"} | {"S": [int(x) for x in checks["S"]]},
        instance=inst,
    )
