"""Two-layer ReLU networks with weight decay and their exact convex program (Pilanci & Ergen, ICML 2020).

Data ``X`` (n x d, one sample per ROW), labels ``y`` (n,), ``m`` hidden ReLU units without biases:

    p*(m) = min_{U, alpha} 1/2 ||relu(X U) alpha - y||^2 + beta/2 (||U||_F^2 + ||alpha||^2),    beta > 0.

An *arrangement* is an activation pattern ``D = diag(1[X u >= 0])`` of a direction u that lies strictly inside a
cell of the central hyperplane arrangement {u : x_i^T u = 0}.  The closed cones ``K_D = {u : (2D - I) X u >= 0}``
of all cells cover R^d and ``relu(X u) = D X u`` on ``K_D``; this gives the convex program

    q* = min_{v_i, w_i} 1/2 ||sum_i D_i X (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||)
         s.t. v_i, w_i in K_{D_i},

whose value equals p*(m) once m is at least the number of non-zero blocks of a convex optimum.  This package holds
every route the suite uses for it, kept independent of one another:

* ``enumerate_arrangements``  exact cells for rank(X) <= 3: critical angles on the circle (rank 2), and for rank 3
                              the vertices of the arrangement on the sphere (cross products of pairs of normals)
                              with a small perturbation into every cell around each vertex; each cell comes with
                              a strictly interior direction and the extreme rays of its closed cone.
                              ``region_count`` counts the cells independently (Euler's formula on the sphere);
                              ``cover_bound`` is the general-position count.
* ``sample_arrangements``     a random subset of the cells (any d): the convex value is then only an UPPER bound.
* ``convex_by_cvxpy``         the convex program (second-order cone program, Clarabel through CVXPY).
* ``network_from_convex``     the two-layer network read off a convex solution (one unit per non-zero block).
* ``nonconvex_objective``     the network's objective evaluated directly in numpy (no arrangement involved).
* ``train_nonconvex``         the non-convex objective minimized by L-BFGS in torch (float64) from random starts.
* ``dual_lower_bound``        a certified lower bound on p*(m) for every m: weak duality with a multiplier lambda
                              whose constraint max_{||u|| <= 1} |lambda^T relu(X u)| is evaluated EXACTLY over the
                              cells (projection onto each cell's cone by non-negative least squares on its rays).
"""

from __future__ import annotations

from landscape.pilanci2020.arrangements import (  # noqa: F401 (unit tests)
    Arrangements,
    _distinct_hyperplanes,
    _zero_rows,
    activation_pattern,
    cover_bound,
    data_rank,
    enumerate_arrangements,
    region_count,
    sample_arrangements,
    strict_margin,
)
from landscape.pilanci2020.program import (
    DualBound,
    TwoLayerProblem,
    cell_support,
    cone_violation,
    convex_by_cvxpy,
    dual_constraint_value,
    dual_lower_bound,
    network_from_convex,
    network_output,
    nonconvex_objective,
)
from landscape.pilanci2020.tolerances import (
    ANGLE_ATOL,
    BLOCK_DROP_RTOL,
    CLARABEL_TIGHT,
    STRICT_RTOL,
    TIE_RTOL,
    TRAINING_REACHED_RTOL,
    ZERO_ROW_RTOL,
)
from landscape.pilanci2020.training import SMOOTHING, lbfgs_with_smoothing, smoothed_relu, train_nonconvex

__all__ = [
    "DualBound",
    "TwoLayerProblem",
    "cell_support",
    "cone_violation",
    "convex_by_cvxpy",
    "dual_constraint_value",
    "dual_lower_bound",
    "network_from_convex",
    "network_output",
    "nonconvex_objective",
    "ANGLE_ATOL",
    "BLOCK_DROP_RTOL",
    "CLARABEL_TIGHT",
    "STRICT_RTOL",
    "TIE_RTOL",
    "TRAINING_REACHED_RTOL",
    "ZERO_ROW_RTOL",
    "SMOOTHING",
    "lbfgs_with_smoothing",
    "smoothed_relu",
    "train_nonconvex",
]
