"""Oracle functions of the two-layer ReLU convex program (Pilanci & Ergen, ICML 2020); the tests in
theorems/pilanci2020/test_two_layer.py and the mutation meta-tests call them.
"""

from __future__ import annotations

import numpy as np

import landscape.pilanci2020 as tlc
from landscape.core import tolerances as tol
from landscape.pilanci2020 import tolerances as ptol
from strategies.pilanci2020 import TwoLayerInstance


def check_two_layer_convex_program(
    inst: TwoLayerInstance, record, convex_value=None, starts: int = 2, arrangements=None
) -> None:
    """Convex optimum = objective of the network built from it = certified lower bound <= every trained network.

    The enumeration of cells is checked complete first, against the cell count from the arrangement's combinatorics
    (Euler's formula on the sphere, :func:`tlc.region_count`, which never visits a cell): the convex program and the
    certified bound are both computed over the enumerated cells, so a missing cell would bias both the same way.
    Mutation hooks: ``convex_value`` replaces the solver's optimal value by a function of it, ``arrangements``
    replaces the enumeration (e.g. one that drops a cell).
    """
    p = inst.problem
    arr = tlc.enumerate_arrangements(p.X) if arrangements is None else arrangements(p.X)
    count = tlc.region_count(p.X)
    record.holds(
        bool(arr.exact and arr.P == count),
        instance=inst,
        what=f"enumeration complete: {arr.P} cells enumerated, {count} counted by Euler's formula",
        extra={"enumerated": arr.P, "counted": count},
    )
    conv = record.decide(lambda: tlc.convex_by_cvxpy(p, arr), instance=inst, what="convex program (Clarabel)")
    q = conv.value if convex_value is None else convex_value(conv.value)
    # every value compared here lies in [0, 1/2 ||y||^2] (the zero network's objective): the allowance scales with
    # that, not with 1 + q (see landscape/pilanci2020/tolerances.py)
    half_y2 = 0.5 * float(p.y @ p.y)
    ctol = ptol.value_tol(half_y2, p.beta)
    record.note(
        "gain over the zero network, relative (1 - q / (1/2 ||y||^2))",
        1.0 - q / half_y2 if half_y2 else 0.0,
        instance=inst,
    )
    # the network read off the convex blocks, evaluated as a plain two-layer ReLU net
    U, alpha = tlc.network_from_convex(conv["V"], conv["W"])
    net_value = tlc.nonconvex_objective(p, U, alpha)
    record.close(
        net_value,
        q,
        tol=ctol,
        instance=inst,
        routes=("network read off the blocks", "convex program"),
        what="network built from the convex solution attains the convex optimum",
    )
    # weak duality with the network's residual as multiplier, its constraint evaluated exactly over the cells
    lam = p.y - tlc.network_output(p.X, U, alpha)
    bound = tlc.dual_lower_bound(p, arr, lam)
    size = p.n * max(U.shape[1], 1)
    record.leq(
        bound.value,
        net_value,
        tol=tol.evaluation(net_value, size),
        instance=inst,
        routes=("certified dual bound", "explicit network"),
        what="certified dual bound <= objective of an explicit network",
    )
    record.close(
        q,
        bound.value,
        tol=ctol,
        instance=inst,
        routes=("convex program", "certified dual bound"),
        decisive=True,
        what="zero gap: convex optimum = certified lower bound on every network",
    )
    # the non-convex route: no trained network may beat the optimum (the bound is valid for every width)
    trained = tlc.train_nonconvex(p, m=p.n + 1, starts=starts, seed=inst.seed, max_iter=150)
    lowest = min(trained["values"])
    record.geq(
        lowest,
        bound.value,
        tol=tol.evaluation(lowest, size),
        instance=inst,
        routes=("trained networks", "certified dual bound"),
        what="no trained network beats the certified lower bound",
    )
    record.geq(
        lowest,
        q,
        tol=ctol,
        instance=inst,
        routes=("trained networks", "convex program"),
        what="no trained network beats the convex optimum",
    )
    reached = bool(lowest - q <= tlc.TRAINING_REACHED_RTOL * (1.0 + abs(q)))
    record.note(
        "best training run reached the convex optimum",
        reached,
        instance=inst,
        extra={"relative_excess": (lowest - q) / (1.0 + abs(q))},
    )
    record.note("cells", arr.P, instance=inst, extra={"blocks": conv["blocks"], "n": p.n, "d": p.d})


def explicit_two_layer_instance() -> TwoLayerInstance:
    """Six points on the plane, beta = 0.1 (the catalog's check instance shape), with exact integer data."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 2.0], [2.0, -1.0], [-1.0, -1.0]])
    y = np.array([1.0, -0.5, 0.3, 0.8, -1.2, 0.4])
    return TwoLayerInstance(tlc.TwoLayerProblem(X, y, 0.1), "integer", 0)


def regression_two_layer_instances() -> list[TwoLayerInstance]:
    """Draws on which the routes once disagreed beyond their allowance: labels of norm 7e-3 from a planted network
    (a dev run; fixed by solving small labels scaled to unit norm), Gaussian labels of norm 37 with beta = 5e-3 (a
    nightly run, where scaling every problem to unit labels cost the certified bound 3e-7 relative; fixed by scaling
    only small labels), and a small beta / ||y|| (the allowance now follows that ratio)."""
    X = np.array([[1.02523892, -0.99471377], [0.11095998, 1.15082024]])
    small = tlc.TwoLayerProblem(X, np.array([0.00352601, 0.00596898]), 0.005623413251903491)
    rng = np.random.default_rng(47)
    Xg, yg = rng.standard_normal((12, 2)), rng.standard_normal(12)
    large = tlc.TwoLayerProblem(Xg, 37.49 / float(np.linalg.norm(yg)) * yg, 0.004618)
    # a neighbour of a nightly draw (seed 1649, beta / ||y|| = 1.5e-4) whose certified bound fell 1.1e-7 (relative)
    # below the convex value, beyond the old fixed allowance of 1e-7 (see GAP_OVER_RATIO)
    rng = np.random.default_rng(1649)
    Xr, yr = rng.standard_normal((7, 2)), rng.standard_normal(7)
    ratio = tlc.TwoLayerProblem(Xr, 21.475 / float(np.linalg.norm(yr)) * yr, 0.003223)
    return [
        TwoLayerInstance(small, "planted-net", 433590451),
        TwoLayerInstance(large, "gaussian", 47),
        TwoLayerInstance(ratio, "gaussian", 1649),
    ]
