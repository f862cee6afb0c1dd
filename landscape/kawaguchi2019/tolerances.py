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


def gram_schmidt_level(block_norm: float, leak: float, rows: int) -> float:
    """Rounding level of a Gram-Schmidt residual ``C_j = (I - Q Q^T) B_j`` (Q: the directions kept from the earlier
    blocks), below which a singular value of C_j is not told apart from rounding: ``roundoff(||B_j|| + leak, rows)``
    with ``leak = sum_i (||B_i|| / sigma_i) ||Q_i^T B_j||``.  Forming C_j costs ``roundoff(||B_j||, rows)``.  The
    directions Q_i kept from block i were taken from a residual computed to ``roundoff(||B_i||, rows)`` whose
    smallest kept singular value is sigma_i, so their span is off by an angle of ``roundoff(||B_i||, rows) /
    sigma_i`` (Wedin's sin-theta bound), and once C_j is re-orthogonalised against them that angle moves
    ``||Q_i^T B_j||`` times itself into C_j: a residual that is zero in exact arithmetic surfaces at up to this
    level.  First order in eps (the leaks into the earlier residuals are not compounded: compounding them dropped
    real directions of well-resolved nightly draws, on which the old route agreed with the SVD to 1e-14).

    Why the Jacobian's gap cutoff is not enough: a sub-block can be nearly dependent on the earlier ones although
    the whole Jacobian is not, so Gram-Schmidt keeps residual singular values far below the Jacobian's s_min+
    (nightly: 4.6e-8 and 1.9e-9, with s_min+ = 1.7e-6 and 5.2e-6), and a residual that is zero in exact arithmetic
    then surfaces above the gap cutoff (3.5e-10 against 2.4e-10; 1.7e-9 against 1.3e-9): a direction the Jacobian
    does not have.  EVAL_FACTOR (in ``roundoff``) covers the constants: the spurious residuals seen lie at up to
    0.5 ``eps (||B_j|| + leak)``, too close to that to decide without it."""
    return roundoff(block_norm + leak, rows)
