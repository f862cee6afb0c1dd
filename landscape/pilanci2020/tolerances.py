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
# Agreement of two routes to the convex optimum (the convex program's value, the objective of the network read off
# it, the certified dual bound): VALUE_RTOL times 1/2 ||y||^2, the objective of the zero network.  That is the size of
# what these checks compare (every value lies in [0, 1/2 ||y||^2]) and the scale the solver's errors follow: over 120
# random instances of the strategy (labels 0.1..10, beta 1e-3..1) the largest |convex value - certified bound| was
# 2.7e-9 (1/2 ||y||^2 + 1/2) and 2.3e-7 (1 + q), so an allowance relative to q itself would be too tight for a good
# fit and the shared conic_value(q) = 1e-6 (1 + q) is loose by the constant 1 on small labels (1e-3 relative at
# q ~ 1e-3).  1e-7 covers the tight solve's 1e-10 gap divided by beta / ||y|| >= 1e-3 (see CLARABEL_TIGHT).
VALUE_RTOL = 1e-7
# ... but the strategy draws beta / ||y|| down to 1e-4 (beta 1e-3, label norms up to ~30), and the ratio, not beta,
# is what the error follows (the program is invariant under (y, beta) -> (s y, s beta)).  The certified bound loses
# the solver's accuracy on the fitted outputs divided by it: measured over 48 random instances (ratios 1e-4..0.6)
# the relative difference stayed below 0.46 x 1e-10 / (beta / ||y||), and a nightly draw at ratio 1.5e-4 reached
# 2.1e-7, beyond VALUE_RTOL.  So the allowance is the larger of VALUE_RTOL and GAP_OVER_RATIO / (beta / ||y||).
GAP_OVER_RATIO = 1e-10


def value_tol(half_y_squared: float, beta: float) -> float:
    """Allowance for comparing two routes to the two-layer optimum of labels with ``1/2 ||y||^2 = half_y_squared``
    and weight ``beta > 0``."""
    h = float(half_y_squared)
    return max(VALUE_RTOL, GAP_OVER_RATIO * (2.0 * h) ** 0.5 / float(beta)) * h
