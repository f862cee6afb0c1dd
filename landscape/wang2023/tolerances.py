"""Tolerances of the Wang, Ergen, Pilanci (2023) families that no other family uses, each with its reason.

Shared defaults (evaluation, conic value and feasibility, rank cut-off) live in ``landscape/core/tolerances.py``.
"""

from __future__ import annotations

# ==============================================================================================================
# deep linear networks (landscape/wang2023/linear)
# ==============================================================================================================
# Y counts as lying in range(X) when ||X X^+ Y - Y||_F <= RANGE_RTOL (1 + ||Y||_F).  Forming X X^+ Y costs a
# relative error of ~eps * cond(X) (cond <= 1e2 in the strategies: ~1e-14); a genuine component of Y outside
# range(X) in a malformed input is O(1).  1e-9 sits five decades above the first and far below the second.
RANGE_RTOL = 1e-9

# An optimizer's point is accepted as interpolating when ||F rows - Y||_F <= RESIDUAL_RTOL (1 + ||Y||_F).  The
# last layer is re-solved in float64 numpy, so a point misses Y by ~eps * cond(F) ||Y|| (measured ~1e-16..1e-15
# relative: the reduced problem keeps F well conditioned); the threshold admits cond(F) up to ~1e6 and only
# decides which runs are usable.  Each accepted point's value is compared with the closed form through an
# allowance computed from its own measured residual (``perturbation_allowance``), not through this threshold.
RESIDUAL_RTOL = 1e-9

# A run whose branch-output matrix F (N x m) has sigma_min(F) / sigma_max(F) below this has (numerically) lost
# row rank: its exact last-layer solve is meaningless and the run is discarded, not counted.
COND_MAX_INV = 1e-8

# L-BFGS stops at gradient 1e-11; a run counts as converged when the gradient of its smooth objective is below
# GRAD_RTOL (1 + value) at the end (as in deep_linear.primal_by_training).
GRAD_RTOL = 1e-6

# "The best non-convex run reached the optimum": relative distance to the closed form.  Every non-convex problem
# here is minimized in a smooth form whose optimum is the closed form exactly; over ~1000 random examples (L <= 6,
# two starts) the best run ended within 4e-8 relative for the L-th power penalty (14) (flat to order L in an
# unused branch) and within 3e-12 for every other problem, never in another basin.  1e-6 leaves a factor 25.
# Where reaching the optimum is asserted, an unconverged best run makes the example inconclusive instead.
TRAIN_REACHED_RTOL = 1e-6

# A singular value of W* counts as zero below tol.RANK_RTOL * sigma_1 (1e-10): the strategies plant values at
# most 1e3 apart and exact zeros at ~1e-16 relative, and sigma^(2/L) would blow a rounding-level 1e-16 up to
# ~1e-5 for L = 3 (the catalog's pitfall).

# Minimizing over the scale t numerically (scipy's bounded Brent on u = log t, xatol = 1e-12) as a check of the
# closed-form minimization: Brent stops once its bracket is below sqrt(eps) |u| + xatol / 3 ~ 1e-7 in u, so the
# minimizer is known to ~1e-7 relative (allowance 1e-6) and, the objective being flat there, the minimum to
# ~1e-14 relative plus rounding (allowance 1e-10).
T_MIN_ARG_RTOL = 1e-6
T_MIN_VALUE_RTOL = 1e-10

# Gaps certified by this suite must exceed the uncertainty of both routes by this factor: a "certified gap" is
# P_lower - D_upper >= GAP_MARGIN * (conic + evaluation tolerance).  The planted instances have relative gaps of
# at least ~1e-2 (spread <= 1e3), i.e. 1e4 times the conic tolerance, so 10 is never borderline.
GAP_MARGIN = 10.0

# A singular value of W* counts as zero below tol.RANK_RTOL * sigma_1 (1e-10): the strategies plant values at
# most 1e3 apart and exact zeros at ~1e-16 relative, and sigma^(2/L) would blow a rounding-level 1e-16 up to
# ~1e-5 for L = 3 (the catalog's pitfall).

# ==============================================================================================================
# deep ReLU networks (landscape/wang2023/relu)
# ==============================================================================================================
# Rank-one targets must lie in span{c_+, c_-}: the strategies build them as exact combinations, leaving a residual of
# a few eps times the scale; anything above 1e-12 relative is a malformed instance (the primal is infeasible).
SPAN_RTOL = 1e-12
# An explicit network interpolates when its residual is below this (relative to 1 + ||Y||): float64 forward passes
# through <= 4 layers of O(1) weights cost ~1e3 eps, and last layers taken from a solver are corrected by a
# least-squares solve (``exact_fit``) whose residual is ~cond(F) eps; 1e-7 leaves room for condition numbers ~1e8.
INTERP_RTOL = 1e-7
# A trained network counts only if its exact last-layer solve interpolates to this (relative to 1 + ||Y||):
# minimum-norm solves on feature matrices with condition numbers up to ~1e6 lose ~1e6 eps.
TRAIN_INTERP_RTOL = 1e-8
# Branches of a conic solution with weight below this fraction of the total are not built: each contributes at most
# that fraction of the cost, far below the conic tolerance.
BRANCH_DROP_RTOL = 1e-10
# "Training reached the optimum" (recorded, never asserted): the optimum of these problems sits at ReLU kinks,
# where L-BFGS stops with a one-sided gradient; measured gaps of the best run are ~1e-6 relative, so 1e-4 tells a
# run that found the optimal configuration from one stuck in a different one (gaps of 1e-2 and more).
TRAINING_REACHED_RTOL = 1e-4
# The training routes use two_layer_convex.SMOOTHING (softplus temperatures, here relative to the pre-activation
# scale of the data) for the same reason: L-BFGS on the exact ReLU objective stalls at kinks.
