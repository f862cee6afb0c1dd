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

import numpy as np
import pytest
from hypothesis import example, given

from landscape.core import tolerances as tol
from landscape.pilanci2020 import two_layer as tlc
from strategies import budget
from strategies.wang2023.relu import TwoLayerInstance, sampled_two_layer_problems, two_layer_problems


def check_two_layer_convex_program(inst: TwoLayerInstance, record, convex_value=None, starts: int = 2) -> None:
    """Convex optimum = objective of the network built from it = certified lower bound <= every trained network.

    ``convex_value`` (mutation hook) replaces the solver's optimal value by a function of it.
    """
    p = inst.problem
    arr = tlc.enumerate_arrangements(p.X)
    conv = record.decide(lambda: tlc.convex_by_cvxpy(p, arr), instance=inst, what="convex program (Clarabel)")
    q = conv.value if convex_value is None else convex_value(conv.value)
    ctol = tol.conic_value(q)
    # the network read off the convex blocks, evaluated as a plain two-layer ReLU net
    U, alpha = tlc.network_from_convex(conv["V"], conv["W"])
    net_value = tlc.nonconvex_objective(p, U, alpha)
    record.close(net_value, q, tol=ctol, instance=inst,
                 what="network built from the convex solution attains the convex optimum")
    # weak duality with the network's residual as multiplier, its constraint evaluated exactly over the cells
    lam = p.y - tlc.network_output(p.X, U, alpha)
    bound = tlc.dual_lower_bound(p, arr, lam)
    size = p.n * max(U.shape[1], 1)
    record.leq(bound.value, net_value, tol=tol.evaluation(net_value, size), instance=inst,
               what="certified dual bound <= objective of an explicit network")
    record.close(q, bound.value, tol=ctol, instance=inst,
                 what="zero gap: convex optimum = certified lower bound on every network")
    # the non-convex route: no trained network may beat the optimum (the bound is valid for every width)
    trained = tlc.train_nonconvex(p, m=p.n + 1, starts=starts, seed=inst.seed, max_iter=150)
    lowest = min(trained["values"])
    record.geq(lowest, bound.value, tol=tol.evaluation(lowest, size), instance=inst,
               what="no trained network beats the certified lower bound")
    record.geq(lowest, q, tol=ctol, instance=inst, what="no trained network beats the convex optimum")
    reached = bool(lowest - q <= tlc.TRAINING_REACHED_RTOL * (1.0 + abs(q)))
    record.note("best training run reached the convex optimum", reached, instance=inst,
                extra={"relative_excess": (lowest - q) / (1.0 + abs(q))})
    record.note("cells", arr.P, instance=inst, extra={"blocks": conv["blocks"], "n": p.n, "d": p.d})


def _explicit() -> TwoLayerInstance:
    """Six points on the plane, beta = 0.1 (the catalog's check instance shape), with exact integer data."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 2.0], [2.0, -1.0], [-1.0, -1.0]])
    y = np.array([1.0, -0.5, 0.3, 0.8, -1.2, 0.4])
    return TwoLayerInstance(tlc.TwoLayerProblem(X, y, 0.1), "integer", 0)


@pytest.mark.claim("pilanci2020.two-layer")
@budget(0.3)
@given(inst=two_layer_problems())
@example(inst=_explicit())
def test_two_layer_relu_net_equals_its_convex_program(inst, record):
    check_two_layer_convex_program(inst, record)


@pytest.mark.claim("pilanci2020.two-layer")
@budget(0.24)
@given(inst=sampled_two_layer_problems())
def test_sampled_arrangements_give_an_attained_upper_bound(inst, record):
    """d = 4..6: only a random subset of the cells.  The convex value over a subset is attained by the network built
    from it (asserted), so it is an upper bound on the optimum, nothing more (recorded, not compared)."""
    p = inst.problem
    arr = tlc.sample_arrangements(p.X, inst.count, seed=inst.seed)
    # default solver accuracy: no certificate is built from this solution (see tlc.CLARABEL_TIGHT)
    conv = record.decide(lambda: tlc.convex_by_cvxpy(p, arr, tight=False), instance=inst,
                         what="convex program (Clarabel)")
    U, alpha = tlc.network_from_convex(conv["V"], conv["W"])
    record.close(tlc.nonconvex_objective(p, U, alpha), conv.value, tol=tol.conic_value(conv.value), instance=inst,
                 what="network built from the sampled-cell solution attains its value")
    record.note("sampled cells: the convex value is only an upper bound on p*, not an equality check", arr.P,
                instance=inst, extra={"convex_value": conv.value, "cells": arr.P})
