"""A global route to ``P_lin(t)`` on tiny instances: the non-convex factorization problem as a polynomial program
solved by SCIP's spatial branch and bound (through ``pyscipopt``), which returns a feasible point (an upper bound)
and a proven lower bound (its dual bound) with the gap between them.

Used by the benchmarks and a unit test to measure how far a general-purpose global solver gets on these problems; it
is not a claim route: on 2 x 2 targets with L = 3 SCIP finds the optimum as its primal value within a second but its
dual bound stays far below it after tens of seconds (spatial branching on the trilinear interpolation constraint),
so the claims' lower bound on ``P_lin(t)`` comes from the Hoelder inequality (:func:`holder_lower_bound`) instead.
"""

from __future__ import annotations

import numpy as np

from landscape.core.results import RouteResult
from landscape.core.validate import positive_int
from landscape.wang2023.linear.closed_forms import check_data, check_depth, check_scale
from landscape.wang2023.linear.training import _reduced_data


def plin_by_scip(
    X, Y, L: int, t: float, *, width: int | None = None, upper: float | None = None, time_limit: float = 10.0
) -> RouteResult:
    """``P_lin(t)`` by SCIP on the reduced data (``I_r``, ``Q^T X^+ Y``; the same optimum, see ``train_stair_net``).

    Variables: ``W_1..W_{L-2}`` (|entries| <= t, ``||W_i||_F <= t``), columns of ``W_{L-1}`` (unit ball), rows of
    ``W_L`` with epigraph variables ``s_j >= ||w_{L,j}||``, and one auxiliary matrix per partial product (bilinear
    equalities).  ``upper`` bounds the rows (any feasible cost, e.g. of explicit factors; default ``4 ||X^+Y||_*
    t^-(L-2) + 1``).  ``value`` is SCIP's best primal value; ``data``: ``dual_bound``, ``gap`` (relative), ``time``.
    ``ok`` only when SCIP proved optimality.
    """
    from pyscipopt import Model, quicksum

    X, Y = check_data(X, Y)
    L, t = check_depth(L, minimum=3), check_scale(t)
    Xr, Yr, _ = _reduced_data(X, Y)
    r, K = Yr.shape
    m = positive_int("width", width if width is not None else r)
    ub = (
        float(upper)
        if upper is not None
        else 4.0 * float(np.sum(np.linalg.svd(Yr, compute_uv=False))) * t ** (-(L - 2)) + 1.0
    )
    M = Model()
    M.hideOutput()
    M.setParam("limits/time", float(time_limit))
    dims = [r] + [m] * (L - 1)
    mats = []
    for i in range(L - 2):
        W = [[M.addVar(lb=-t, ub=t) for _ in range(dims[i + 1])] for _ in range(dims[i])]
        M.addCons(quicksum(v * v for row in W for v in row) <= t * t)
        mats.append(W)
    C = [[M.addVar(lb=-1.0, ub=1.0) for _ in range(m)] for _ in range(dims[L - 2])]
    for j in range(m):
        M.addCons(quicksum(C[i][j] * C[i][j] for i in range(dims[L - 2])) <= 1.0)
    R = [[M.addVar(lb=-ub, ub=ub) for _ in range(K)] for _ in range(m)]
    s = [M.addVar(lb=0.0, ub=ub) for _ in range(m)]
    for j in range(m):
        M.addCons(quicksum(R[j][k] * R[j][k] for k in range(K)) <= s[j] * s[j])
    cur = mats[0]
    for B in mats[1:] + [C]:
        bound = t ** (L - 2) + 1.0
        new = [[M.addVar(lb=-bound, ub=bound) for _ in range(len(B[0]))] for _ in range(len(cur))]
        for i in range(len(cur)):
            for j in range(len(B[0])):
                M.addCons(new[i][j] == quicksum(cur[i][k] * B[k][j] for k in range(len(B))))
        cur = new
    for i in range(r):
        for k in range(K):
            M.addCons(quicksum(cur[i][j] * R[j][k] for j in range(m)) == float(Yr[i, k]))
    M.setObjective(quicksum(s), "minimize")
    M.optimize()
    status = str(M.getStatus())
    primal, dual = float(M.getPrimalbound()), float(M.getDualbound())
    return RouteResult(
        primal,
        status,
        status == "optimal",
        route="pyscipopt/SCIP",
        data={"dual_bound": dual, "gap": float(M.getGap()), "time": float(M.getSolvingTime())},
    )
