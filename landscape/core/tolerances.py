"""Tolerances of the suite, in one table, each with the reason for its size.

Rule: a tolerance is a scaled residual (``k * eps * size * scale``) where the error comes from floating-point
evaluation, and the solver's documented accuracy times a problem scale where it comes from an iterative solver.
No tolerance is widened to make a check pass; a check that fails at these sizes is a finding.
"""

from __future__ import annotations

import numpy as np

EPS64 = float(np.finfo(np.float64).eps)

# Evaluating a spectral objective (SVDs, matrix products) in float64 is backward stable: each singular value is
# off by at most ~ eps * size * ||A||, and the objective sums at most `size` such terms.  The factor 100 covers
# the constants of LAPACK's bounds and the powers sigma^H (relative error multiplied by H <= 8 here).
EVAL_FACTOR = 100.0

# Clarabel's default gap and feasibility tolerances are 1e-8 (relative); through the Schur-complement lifting a
# returned point's objective is accurate to about 1e-7 relative on the suite's sizes (measured up to 4e-7 of
# 1 + |value|).  1e-6 * (1 + |value|) leaves a factor of ~2.5 over the worst seen and is still 1e5 times smaller
# than the 10 % mutations the meta-tests must catch.
CONIC_VALUE_RTOL = 1e-6

# Spectral-norm feasibility of a Clarabel dual point: its violation is absolute (seen 4e-8 at gamma = 3e-3), so
# the bound is 1e-6 * (1 + gamma), not relative to gamma alone.
CONIC_FEAS_RTOL = 1e-6

# Recovering weights from an interior-point dual point: the dual objective depends on Y~ - Lam only through its
# top-d_min squared singular values, so it is flat to SECOND order along the directions the primal optimum
# thresholds to zero; a dual value accurate to ~1e-8 then leaves spurious singular values of Y~ - Lam up to
# ~sqrt(1e-8) = 1e-4 relative to ||Y~||, which the 1/H-th power and the linear penalty turn into an
# O(gamma * 1e-4) excess.
# Singular values below 1e-4 * ||Y~||_2 are therefore dropped before recovery.  Where such a value is genuine,
# dropping it changes F only to second order (F is stationary along it at the optimum): <= (1e-4 ||Y~||)^2.
RECOVERY_DROP_RTOL = 1e-4

# "Did the best non-convex run reach the optimum" (recorded, never asserted): L-BFGS stops at gradient 1e-10.
REACHED_RTOL = 1e-6

# A singular value counts as zero below this fraction of the largest one (the strategies plant a gap of at least
# 1e-3 between the smallest kept value and the largest, and exact zeros at ~1e-16 relative).
RANK_RTOL = 1e-10

# Top-k singular subspaces closer than this (relative to the largest value) are treated as tied: the recovery of
# Theorem 2(b) is then ambiguous and an example that depends on it is inconclusive.
TIE_RTOL = 1e-6


# HiGHS (scipy's milp/linprog) works to primal/dual feasibility and optimality tolerances of 1e-7 (its
# defaults); LP optimal values are therefore trusted to 1e-7 * (1 + |value|).  MILP values are recomputed
# exactly from the rounded integer choice, so only the LP side carries this error.
HIGHS_RTOL = 1e-7


def highs(scale: float) -> float:
    return HIGHS_RTOL * (1.0 + abs(float(scale)))


def interpolation(
    value_scale: float, budget_scale: float, steepest: float, terms: int, budget_slack: float = 0.0
) -> float:
    """Agreement allowance between two exact routes that read optimal values off piecewise-linear data.

    Each route forms terms ``G_a + s (K - H_a)``: rounding costs ~ eps * (|G| + |s| |H|) per term, over ``terms``
    terms (EVAL_FACTOR as above).  A route that accepts budgets up to ``budget_slack`` above K (HiGHS' feasibility
    slack, mirrored by the enumeration) may read the value that much further along the steepest trade-off ``s``.
    """
    s = abs(float(steepest))
    return EVAL_FACTOR * EPS64 * max(int(terms), 1) * (
        1.0 + abs(float(value_scale)) + s * (1.0 + abs(float(budget_scale)))
    ) + s * float(budget_slack)


def evaluation(scale: float, size: int) -> float:
    """Floating-point error allowance for one float64 evaluation of a spectral objective of magnitude ``scale``."""
    return EVAL_FACTOR * EPS64 * max(int(size), 1) * (1.0 + abs(float(scale)))


def conic_value(scale: float) -> float:
    return CONIC_VALUE_RTOL * (1.0 + abs(float(scale)))


def conic_feasibility(scale: float) -> float:
    return CONIC_FEAS_RTOL * (1.0 + abs(float(scale)))


def reached(scale: float) -> float:
    return REACHED_RTOL * (1.0 + abs(float(scale)))
