"""Tolerances of the two-layer convex program family (Pilanci & Ergen 2020), each with its reason.

Shared defaults live in ``landscape/core/tolerances.py``.
"""
from __future__ import annotations

# A row counts as lying on a hyperplane through an arrangement vertex v (unit) when |x_k^T v| <= TIE_RTOL ||x_k||.
# Exactly degenerate data (the strategies use small integers for those) give |x_k^T v| ~ 1e-16 after rounding;
# rows in general position stay orders of magnitude above 1e-9 for the data sizes used (n <= 12, entries O(1)).
# A near-tie below 1e-9 that is not a true tie would merge two vertices one ~1e-9 apart; the cell count check
# against dense sampling and Euler's formula would then flag it.
TIE_RTOL = 1e-9
# Two critical angles on the circle closer than this are one line (parallel or anti-parallel rows).  Angles come
# from atan2 of O(1) entries, accurate to ~1e-16 rad; genuinely distinct lines of the strategies' data are
# separated by far more than 1e-10 rad.
ANGLE_ATOL = 1e-10
# A row of X is treated as zero below this fraction of the largest row norm (it then lies on every hyperplane and
# its pattern entry is 1 by the ">=" convention).
ZERO_ROW_RTOL = 1e-12
# Blocks v_i of an interior-point solution with ||v_i|| below this fraction of the largest block are not turned into
# units: each contributes at most beta * 1e-12 * max||v|| to the objective, far below the conic tolerance.
BLOCK_DROP_RTOL = 1e-12
# A strictly interior direction must keep every non-zero row at least this far (relative) from its hyperplane, so
# that its activation pattern does not depend on rounding.
STRICT_RTOL = 1e-12
# Clarabel settings of the convex program.  Its default gap/feasibility tolerances (1e-8) leave the primal point,
# hence the fitted outputs, accurate to ~1e-8 of the label scale; the certified lower bound built from that point's
# residual loses this error divided by beta (its dual constraint is max |lam^T relu(X u)| <= beta), which at
# beta = 1e-3 and labels ~30 exceeded the conic tolerance (seen: 1.3e-5 on a value of 0.36).  Tightening to 1e-10
# brought the same instances to ~1e-10.  A solve that cannot reach it reports a status other than optimal.
CLARABEL_TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}
# "Training reached the convex optimum" (recorded, never asserted): optima sit at ReLU kinks, where L-BFGS ends with
# a one-sided gradient; the best runs land ~1e-6 (relative) above the optimum, runs in another configuration 1e-3
# and more above it, so 1e-4 separates the two.
TRAINING_REACHED_RTOL = 1e-4
