"""Tolerances of the Liang et al. (2018) family, each with its reason: the landscape searches and the certifier's
thresholds, the failure-case constructions, and the data-condition programs of Propositions 8-12."""

from __future__ import annotations

import numpy as np

from landscape.core.tolerances import EPS64

# ------------------------------------------------------------------------------------------------------------
# Tolerances of this family (each with its reason)
# ------------------------------------------------------------------------------------------------------------

# An optimizer end point counts as (approximately) critical when its gradient norm is below this.  L-BFGS is run
# to 1e-12 on losses of size <= ~1 with O(1) data; 1e-7 leaves five orders of magnitude for stalls in the flat
# region of the polynomial hinge, and is still far below the gradient of any point that misclassifies a sample in
# the separable setting (there the gradient is bounded below by (p+1)|a_j| s_j gamma / n, typically >= 1e-2).
CRITICAL_GRAD_TOL = 1e-7

# Second-order test at an end point: the Hessian's smallest eigenvalue is trusted to ~1e3 eps times its largest
# entry (dense symmetric eigensolver; entries here are O(1..1e2)).  Below -1e-6 a negative direction is genuine.
HESSIAN_EIG_TOL = 1e-6

# A loss at or below this is an approximate global minimum: the loss is >= 0, and a misclassified sample alone
# contributes at least 1/n >= 1e-3 to it on the suite's sizes (n <= 1000), so such a point has zero error.
# The value is recorded, never used as the error test (errors are always counted exactly).
NEAR_ZERO_LOSS = 1e-10

# The search's classifier judges criticality relative to the size of the gradient's own terms,
# (1/n) sum_i lambda_i ||grad f_i|| (see landscape.core.certify.FirstOrderEvidence): a gradient below
# SEARCH_REL_GRAD_TOL of that size (and below CRITICAL_GRAD_TOL) is one whose terms cancel to six digits.  Rounding
# leaves ~1e3 eps relative; a point drifting to infinity typically shows 1e-3..1.
SEARCH_REL_GRAD_TOL = 1e-6

# Weights beyond this are an asymptotic region (inputs are O(1..10) and starts O(1); the activations saturate, or
# overflow for e^z, long before): such an end point is never certified, whatever its gradient.
THETA_MAX = 1e3


# ------------------------------------------------------------------------------------------------------------
# Tolerances of the failure-case constructions (each with its reason)
# ------------------------------------------------------------------------------------------------------------
# A constructed point is an exact critical point of the loss: its gradient is a sum of n terms, each a product of
# a loss derivative (<= (p+1) 2^p <= 9 * 256 for p <= 8), one activation derivative (<= 1 at the points built
# here) and one input entry (<= ~4), divided by n.  Rounding leaves ~ n * eps * 1e4 / n ~ 2e-12; 1e-9 leaves a
# factor ~500 and is still ~1e6 times below the gradient of the planted saddles of the meta-tests (>= 1e-3).
CONSTRUCTION_GRAD_TOL = 1e-9

# Second-order test: smallest Hessian eigenvalue trusted to ~1e3 eps times the largest entry (<= ~1e4 here),
# i.e. ~2e-9; a value below -1e-6 is a genuine negative direction (same threshold as landscape.liang).
CONSTRUCTION_EIG_TOL = HESSIAN_EIG_TOL

# Radii of the perturbation tests (relative to parameters of size O(1)).  Every construction puts its hidden units
# at distance >= 1 from their kink, so the exact local arguments cover the ball of radius 1 / max_i ||(x_i, 1)||;
# the suite's data have ||x_i|| <= ~6, so the largest radius 0.1 stays inside it (checked per instance).
PERTURBATION_RADII = (1e-1, 1e-2, 1e-3, 1e-4)

# Newton's method on the convex linear model stops when the gradient norm is below this.  The loss and its
# gradient are sums of n <= 50 terms of size <= 1e4 (see above): rounding floor ~ 1e4 * n * eps ~ 1e-10 in the
# worst case, typically 1e-14; at most 1e-10 (plus the floor) is asked for.
NEWTON_GRAD_TOL = 1e-10


def newton_grad_allowance(n: int) -> float:
    """What Newton's end point may be asked for: NEWTON_GRAD_TOL plus the rounding floor 1e4 * eps * n."""
    return NEWTON_GRAD_TOL + 1e4 * EPS64 * int(n)


# Root finding for the best constant output B* (second route to the closed form): brentq to xtol 4 eps, so the
# two routes agree to ~1e-15 absolute; 1e-12 leaves room for the closed form's power and division.
CONSTANT_OPTIMUM_TOL = 1e-12


# A nearby point counts as *lower* (a descent witness, or proof that a minimum is not global) only when it beats
# the reference loss by more than this: 1e3 eps times (1 + |loss|) exceeds the rounding of either evaluation.
def strict_decrease(scale: float) -> float:
    return 1e3 * EPS64 * (1.0 + abs(float(scale)))


def loss_eval_tol(bp) -> float:
    """Rounding allowance for one evaluation of the loss at ``bp.theta`` (any model here): each term
    ``max(1 - m, 0)^(p+1)`` moves by ``(p + 1) (2 + |f|)^p`` times the output's own error, which is a few ulps of
    the largest number the network forms (outputs and parameters); 100 ulps cover sums over <= 50 terms."""
    f = np.abs(bp.problem.outputs(bp.theta))
    scale = 1.0 + float(f.max()) + float(np.abs(bp.theta).max())
    return 100.0 * EPS64 * (bp.problem.p + 1) * (2.0 + float(f.max())) ** bp.problem.p * scale


# Counts (misclassified samples) and exact facts (a rational identity, an LP's infeasibility) are integers or
# booleans: half a unit decides such a comparison exactly, and puts "observed equals the bound" at the recorder's
# normalized margin 1 instead of 0 (a tolerance of 0 would normalize by the bound itself).
INTEGER_TOL = 0.5

# Hessian block of Proposition 5 in the input weights: its closed form takes sigma''(0) from a central difference
# with step 1e-3 (exact for z^2; cosh: truncation h^2/12 ~ 1e-7 relative, rounding eps/h^2 ~ 2e-10), and autograd
# is exact to rounding; 1e-6 relative leaves a factor 10 over the truncation.
CURVATURE_FD_RTOL = 1e-6

# Example 1 by quadrature + BFGS: loss decreases below eps * L ~ 5e-17 are invisible to the line search, so BFGS
# cannot push the gradient much below ~1e-8; an end point with gradient above EX1_GRAD_TOL did not converge.  Its
# distance to the minimizer is then at most EX1_GRAD_TOL / lambda_min(H) (strong convexity), and its excess loss at
# most EX1_GRAD_TOL^2 / (2 lambda_min) ~ 3e-14, below quad's requested 1e-13 accuracy: values agree to 1e-12.
EX1_GRAD_TOL = 1e-7
EX1_VALUE_TOL = 1e-12


def ex1_sample_tol(N: int) -> float:
    """Least squares on the midpoint sample of size 2N: the Gram matrix differs from the population's by
    1/(12 N^2) in one entry, which moves (a, b) by <= ||H^-1|| * 1/(12 N^2) * ||(a*, b*)|| ~ 1.2 / N^2; allow 10/N^2."""
    return 10.0 / float(N) ** 2


# Least-squares fitted values by L-BFGS on network parameters (Appendix B.8): the excess loss of a fit f over the
# least-squares fit f* is exactly ||f - f*||^2 / n (Pythagoras); L-BFGS stops at relative change 1e-16 on losses
# of size ~1, so the excess is ~1e-15 and ||f - f*||_inf <= ~sqrt(n 1e-15) ~ 1e-7; 1e-6 leaves a factor 10.
LSQ_FIT_TOL = 1e-6


# ------------------------------------------------------------------------------------------------------------
# Tolerances of this module (each with its reason)
# ------------------------------------------------------------------------------------------------------------

# A side of the condition is decided only when a rigorous bound on its SDP value clears this fraction of the data
# scale max_i ||x_i||^2 (at least ||S(lam)||_2 / 2 for unit class weights).  Clarabel works to 1e-8 relative
# gap/feasibility; 1e-6 leaves two orders of magnitude above the solver's accuracy, and the instances of the
# suite have |t*| >= ~1e-3 * scale (radial data: >= 6e-2 by construction), three orders above it.  A value
# inside the band is inconclusive, never a pass.
SDP_DECIDE_RTOL = 1e-6

# The solver's own t* must lie between the two certified bounds up to its accuracy: Clarabel's 1e-8 relative
# tolerances, amplified by the cleaning step (a projection of size ~ the solver's constraint residual) and by the
# normalization of the dual matrix; 1e-6 * (1 + scale) leaves ~100x over the worst seen (~1e-8).
SDP_VALUE_RTOL = 1e-6

# Cleaning a solver's weight vector: entries below this fraction of the largest are interior-point leftovers
# of inactive weights (Clarabel leaves them at ~1e-9 relative) and are set to zero before the constraints are
# restored exactly by a least-norm correction on the remaining support.
LAMBDA_ZERO_RTOL = 1e-7

# After cleaning, the constraints hold to rounding: a least-squares correction on <= 40 weights with data of
# scale <= ~10 leaves residuals ~1e-15; 1e-11 (relative to the data scale) separates that from a failed cleaning.
CLEAN_RESIDUAL_RTOL = 1e-11

# The multiplier of the zero-mean constraint in the dual bound is searched in a box of this radius (in units of
# max_i ||x_i||, the size that offsets the terms x_i^T Z x_i <= ||x_i||^2): large enough for every bound the
# instances need, small enough for HiGHS to stay accurate.
MU_BOX = 1e4

# Two float64 routes to the same loss value (numpy vs torch, closed form vs evaluation) agree to a few eps per
# term times the term's size; the factor covers powers up to p + 1 = 9 and sums over n <= 60 terms.
EVAL_RTOL = 1e3 * EPS64

# An optimizer end point is approximately critical when its gradient is below this fraction of the gradient's
# own scale (1/n) sum_i |l'_i| ||grad f_i||: the terms of the gradient cancel to this relative level.  Rounding
# leaves ~eps (1 + max |y_i f_i|) ~ 1e-14 relative; 1e-6 is far above that (a larger relative gradient proves a
# non-zero gradient, so the point is not critical) and far below what a run drifting to infinity shows (~0.1-1).
REL_GRAD_TOL = 1e-6

# Second-order test at an approximately critical end point: eigenvalues of the dense Hessian are trusted to
# ~1e3 eps times its largest entry; a relative 1e-6 is the band inside which the certifier falls back to its
# perturbation test.
HESS_RTOL = 1e-6

# Below this loss an approximately critical end point of a loss without minimizer cannot be decided: the
# certifier's perturbation test treats changes below ~1e3 eps (absolute) as noise, and the loss itself is there.
UNDECIDABLE_LOSS = 1e-9

# The spare-neuron move: a switched-off neuron has |a_j| at most this (weights are O(1)); its input weight is
# moved by at most DELTA_NORM; the output step eps is halved until the realized decrease exceeds both half the
# first-order prediction eps |g| / n (so O(eps^2) terms cannot fake it) and 1e3 eps (1 + L) (rounding).
SPARE_AJ = 1e-8
DELTA_NORM = 1e-3


# The convex programs over quadratic models with the polynomial hinge (Propositions 5 and 12's cone routes): CVXPY
# lifts max(u, 0)^(p+1) into a chain of about log2(p + 1) power / second-order cones, and Clarabel's 1e-8 gap and
# feasibility tolerances apply to that lifted problem, whose epigraph variables are as large as the loss terms
# themselves.  The objective of the returned point is therefore accurate only to about 1e-6 relative per unit of
# degree: a nightly run saw 3.7e-5 on a value of 24.77 at p = 6 (1.5e-6 relative), where the plain conic
# tolerance 1e-6 (1 + |v|) allowed 2.6e-5.  CONIC_VALUE_RTOL (p + 1) (1 + |v|) covers that case by a factor of 5.
def conic_poly_hinge_value(value: float, p: int) -> float:
    from landscape.core.tolerances import CONIC_VALUE_RTOL

    return CONIC_VALUE_RTOL * (int(p) + 1) * (1.0 + abs(float(value)))
