"""Tolerances used only by the Zhang, Shao, Salakhutdinov (2019) family, each with the reason for its size.

The shared ones (HiGHS' and Clarabel's accuracy, float64 evaluation, recovery of weights from a dual point) live in
``landscape.core.tolerances``; machine epsilon is ``landscape.core.tolerances.EPS64`` everywhere.
"""

from __future__ import annotations

# ---- multi-branch routes (landscape.zhang2019.multibranch) -------------------------------------------------------
# Every route solves the problem with budget K_eff = K + feas_tol, where
# feas_tol = max(FEAS_RTOL, 4 eps I) * max(|K|, max|H|): budget ties that float sums of I terms miss by a few ulps
# then count as feasible everywhere alike.  It is relative and tiny because values move by lam * feas_tol: with
# steep trade-offs (lam ~ 1e6) an absolute slack of 1e-9 moved P by 1e-3, and a relative 1e-12 still put 2e-10
# between routes that use the slack differently.
FEAS_RTOL = 1e-14
# the 4 eps I of the line above: a sum of I float64 terms is off by at most ~ I eps of its largest term
FEAS_SUM_FACTOR = 4.0

# HiGHS sees objective / max|G| and the budget row in units of 1e8 feas_tol, so its 1e-9 feasibility tolerance is
# 0.1 feas_tol: the MILP (right-hand side K + feas_tol / 2) stays inside K_eff.
HIGHS_UNIT = 1e8

# Feasibility and optimality tolerances handed to HiGHS by the multi-branch routes (its defaults, 1e-7, gave D
# off by 2e-9 and a MILP 3.6e-7 short of optimal); with the scaling above 1e-9 is 0.1 feas_tol of the budget row.
HIGHS_FEAS = 1e-9
# HiGHS' default absolute MIP gap 1e-6 was seen to stop 3.6e-7 short of the optimum; the objective is scaled to
# max|G| = 1, so 1e-13 is a few ulps of the optimal value.
HIGHS_MIP_ABS_GAP = 1e-13

# Convexity of h (family A) and monotonicity of H in |w - c| (family B) are checked up to this relative slack so
# that h built from rounded data still passes.
CONVEX_RTOL = 1e-9

# A MILP point is checked against the value U of the feasible point found before the solve (its incumbent bound)
# and against the LP relaxation's certificate: beyond 1e-9 of max|G| (HiGHS' feasibility tolerance above, in the
# objective's units) the solver's answer is rejected (seen on instances with lam ~ 1e7).
HIGHS_CHECK_RTOL = 1e-9

# Reduced-cost fixing discards an option only when its Lagrangian bound exceeds U by this relative margin, which
# covers rounding in G + lam H, phi and U; a larger margin only prunes less, it never prunes an optimum.
PRUNE_RTOL = 1e-8

# Delta_i and rho_i are differences of interpolated values of g_i (a hull value against a sublevel minimum), each
# off by a few ulps of max|g_i|: a computed value below 16 eps max|g_i| is zero within rounding and is reported as
# 0 (seen: 2.2e-16 for an affine g with an asymmetric h, which made a rounding-level gap look like a ratio of 5).
DELTA_ROUNDING = 16.0

# ---- theorem tests ------------------------------------------------------------------------------------------------
# Enumerate the primal as a second route when the number of (segment) choices is at most this (one vectorized
# knapsack per choice: ~ 10 ms at this size).
BRUTE_FORCE_LIMIT = 4096

# The bracket test at 10^3-10^4 branches evaluates Delta on the rounded branch plus this many others (a lower
# bound on Delta_worst, so a stricter check); Delta of every branch costs ~0.5 ms each, ~5 s at I = 10^4.
BRACKET_DELTA_SAMPLE = 256

# Committed witnesses of the deep linear family hold small integers and sqrt(2): every value they produce is exact
# up to a few float64 roundings (~1e-15), so 1e-12 certifies them with a margin of 1e3 and cannot hide a real
# discrepancy (the witness's gap is 2.0).
WITNESS_EXACT = 1e-12

# The balanced factorization's product goes through X^+ (conditioning of X up to ~1e3 in the strategies) and H
# matrix products: the reconstruction error is the plain evaluation error times cond(X), so allow 100x it.
FACTORIZATION_FACTOR = 1e2

# ---- deep linear routes (landscape.zhang2019.deep_linear), scaled by what the checks compare ---------------------
# The objective of (4) contains the constant 1/2 ||Y - Y~||^2, which no weights can change and no solver sees (the
# dual program works on Y~ alone).  A tolerance proportional to 1 + |P| therefore grew with a quantity outside the
# comparison: on a large-gamma instance the recovery allowance exceeded the whole part of P the weights decide.
# The scales below are those of the compared quantities instead.

# Weights recovered from an interior-point dual point (Thm 2(b)): where gamma >= s_j the dual is flat along the
# thresholded directions, so Y~ - Lam keeps spurious singular values that the truncated SVD turns into weights;
# their cost is first order, gamma times their size, and their size is a fraction of ||Y~||.  Measured over 240
# draws (both sides of the threshold): F(recovered) - P <= 2.8e-3 gamma ||Y~||_F, and <= 1.5e-6 ||Y~||_F^2 when
# gamma ~ 0 (second order in the dual error).  The allowances below leave a factor >= 3.5 over the worst seen.
RECOVERY_GAMMA_RTOL = 1e-2
RECOVERY_SECOND_ORDER_RTOL = 1e-5


def recovery(gamma: float, yt_norm: float, value: float, size: int) -> float:
    """Allowance for F(recovered weights) - P: first order in gamma ||Y~||_F, second order in ||Y~||_F^2, plus the
    float64 evaluation of F (``landscape.core.tolerances.evaluation``)."""
    from landscape.core.tolerances import evaluation

    g, y = abs(float(gamma)), abs(float(yt_norm))
    return RECOVERY_GAMMA_RTOL * g * y + RECOVERY_SECOND_ORDER_RTOL * y * y + evaluation(value, size)


def dual_scale(yt_norm: float) -> float:
    """Magnitude of what Clarabel solves in the dual (5): the top-d_min squared singular values of Y~ - Lam, at most
    ||Y~||_F^2 (Clarabel's tolerances are relative to it, with an absolute floor: ``conic_value`` adds the 1).
    Measured |closed form - certified dual value| <= 6.3e-9 (1 + ||Y~||_F^2)."""
    return float(yt_norm) ** 2
