"""Pilanci & Ergen (ICML 2020), "Neural networks are convex regularizers", Theorem 1: a two-layer ReLU network with
weight decay has the same optimal value as a convex program over the hyperplane arrangements of the data, and an
optimal network is read off the convex solution.

Routes: the convex program over EXACTLY enumerated cells (Clarabel through CVXPY); the network built from its
solution, evaluated directly (numpy, no arrangement involved); a certified lower bound from weak duality whose dual
constraint is evaluated exactly cell by cell (support functions of the cells' cones, no solver); the non-convex
objective minimized by L-BFGS in torch from random starts.  With SAMPLED cells the convex value is only an upper
bound on the optimum.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given

import landscape.pilanci2020 as tlc
from landscape.core import tolerances as tol
from strategies import budget
from strategies.pilanci2020 import sampled_two_layer_problems, two_layer_problems
from theorems.pilanci2020.checks import (
    check_two_layer_convex_program,
    explicit_two_layer_instance,
    regression_two_layer_instances,
)


@pytest.mark.claim(
    "pilanci2020.two-layer",
    covers=(
        "n 2..12, d 1..3, Gaussian, small-integer (repeated, parallel, anti-parallel and zero "
        "rows, several hyperplanes through one line), rank-deficient and planted-network data; "
        "beta 1e-3..1 (the zero network optimal at the top); label scale over two decades"
    ),
)
@budget(0.5)
@given(inst=two_layer_problems())
@example(inst=explicit_two_layer_instance())
@example(inst=regression_two_layer_instances()[0])
@example(inst=regression_two_layer_instances()[1])
@example(inst=regression_two_layer_instances()[2])
def test_two_layer_relu_net_equals_its_convex_program(inst, record):
    check_two_layer_convex_program(inst, record)


@pytest.mark.claim("pilanci2020.two-layer", covers=("n 8..20, d 4..6 Gaussian data with 16..64 sampled cells"))
@budget(0.24)
@given(inst=sampled_two_layer_problems())
def test_sampled_arrangements_give_an_attained_upper_bound(inst, record):
    """d = 4..6: only a random subset of the cells.  The convex value over a subset is attained by the network built
    from it (asserted), so it is an upper bound on the optimum, nothing more (recorded, not compared)."""
    p = inst.problem
    arr = tlc.sample_arrangements(p.X, inst.count, seed=inst.seed)
    # default solver accuracy: no certificate is built from this solution (see tlc.CLARABEL_TIGHT)
    conv = record.decide(
        lambda: tlc.convex_by_cvxpy(p, arr, tight=False), instance=inst, what="convex program (Clarabel)"
    )
    U, alpha = tlc.network_from_convex(conv["V"], conv["W"])
    record.close(
        tlc.nonconvex_objective(p, U, alpha),
        conv.value,
        tol=tol.conic_value(conv.value),
        instance=inst,
        routes=("network read off the blocks", "convex program over sampled cells"),
        what="network built from the sampled-cell solution attains its value",
    )
    record.note(
        "sampled cells: the convex value is only an upper bound on p*, not an equality check",
        arr.P,
        instance=inst,
        extra={"convex_value": conv.value, "cells": arr.P},
    )
