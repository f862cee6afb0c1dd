"""Tolerances of the Kawaguchi et al. family, each with its reason (rule of landscape/core/tolerances.py)."""

from __future__ import annotations

import numpy as np

from landscape.core.tolerances import EPS64, EVAL_FACTOR


def roundoff(scale: float, size: int, factor: float = EVAL_FACTOR) -> float:
    """Floating-point evaluation of a squared norm, projection or SVD of size ``size`` whose terms are of size
    ``scale`` (e.g. ||Y||^2 + ||Yhat||^2): backward stable, off by at most ~ eps * size * scale; the factor covers
    LAPACK's constants and the depth of the forward pass."""
    return factor * EPS64 * max(size, 1) * max(scale, 0.0)


def jacobian_agreement(scale: float, size: int) -> float:
    """jacrev and the Kronecker assembly evaluate the same products of weights and patterns in different orders:
    entrywise agreement to eps * (number of paths summed) * (size of the largest entry)."""
    return roundoff(scale, size)


def identity_E(Y2: float, R2: float, cond: float, size: int) -> float:
    """(E): L - J (J by lstsq) against 1/2 g^T (Jac^T Jac)^+ g (g by autodiff).  Both sides lose accuracy like
    the condition number of the kept spectrum: the least-squares residual is perturbed by ~ eps * cond * ||y||^2
    and the pseudo-inverse route by ~ eps * cond * ||r||^2 (from the rounding of g divided by s_min)."""
    return roundoff((Y2 + R2) * max(cond, 1.0), size)


# A clear spectral gap: the kept singular values exceed the dropped ones by this factor.  The exact identities
# (E) and the three-route agreement of J are only decidable where the numerical rank is unambiguous; below this
# the example is inconclusive (J itself then depends on the cutoff, see the tau-version).
GAP_RATIO = 1e6

# Kink margin: a point whose smallest |pre-activation| (relative to its layer's largest) is below this is treated
# as lying at a kink of a piecewise-linear unit (the theorem needs differentiability) -> inconclusive.  1e-6 is
# 1e10 times eps, far above round-off, and far below the margins of random points (typically 1e-3).
KINK_MARGIN = 1e-6

# Gradient norm (relative to ||Y||) below which an optimizer end point is treated as an approximate critical point
# for certification; the tau-version then accounts for the residual gradient exactly.
GRAD_RTOL = 1e-7

# Smallest Hessian eigenvalue counted as positive / negative, relative to the largest |eigenvalue| (dense).
EIG_RTOL = 1e-8

# Failure cases: a gap L - J counts as certified when it exceeds its own round-off tolerance by this factor.
CERTIFY_FACTOR = 1e3

# Monte-Carlo tests of Prop. 2: one-sided confidence level of the Clopper-Pearson interval.
ALPHA = 1e-3


def gap_rank(s: np.ndarray, cutoff: float) -> tuple[int, float]:
    """Numerical rank at ``cutoff`` and the gap ratio s_k / s_{k+1} there (inf when nothing is dropped)."""
    k = int(np.sum(s > cutoff))
    if k == 0:
        return 0, np.inf
    below = s[k] if k < s.size else 0.0
    return k, (s[k - 1] / below) if below > 0 else np.inf


# Singular values below this (for [PhiBar(S), D]: times the data scale) have squares that underflow or lose all
# precision in float64 (e.g. a leaky slope of 1e-227 drawn from the class makes the Jacobian ~1e-226): such a
# spectrum cannot be resolved by any route -> inconclusive.
TINY_SINGULAR = 1e-100

# The two Jacobian routes are compared only where the forward pass is well conditioned: the first-order rounding
# bound (tangent.jacobian_error_scale) must stay below this fraction of the largest entry; beyond it (trained
# smooth nets with weights ~1e3 and saturated units, whose pre-activations cancel) the example is inconclusive.
JACOBIAN_RTOL = 1e-6

# The three J routes are compared only where the kept spectrum has condition number below this: the sequential
# Gram-Schmidt route loses accuracy like eps * kappa^2 on nearly dependent blocks (eps * 1e16 = O(1) at 1e8).
KAPPA_ROUTES = 1e8
