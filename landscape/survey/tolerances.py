"""Tolerances of the survey family, each with the reason for its size (see landscape/core/tolerances.py for the
rule: scaled residuals for float64 evaluation, documented accuracy times a scale for solvers and quadratures)."""

from __future__ import annotations

from landscape.core.tolerances import EPS64

# The arc-cosine recursion is a chain of H elementwise maps of entries of size <= 1; measured against the polar
# quadrature the closed form agrees to 2e-15 (H = 1) ... 5e-14 (H = 10).  1e3 eps per layer covers that.
RECURSION_LAYER_FACTOR = 1e3

# The polar quadrature (Gauss-Legendre in the angle, split at the kinks, Gauss-Laguerre in the radius) integrates
# the ReLU moments exactly up to rounding (a polynomial in the radius, smooth pieces in the angle) and smooth
# activations spectrally: at the default 96 x 96 nodes, doubling the nodes changes entries by < 2e-14 (tanh, the
# slowest: 1.8e-7 at 32, 5.9e-10 at 48, 5.9e-12 at 64 nodes); against the ReLU closed form it agreed to 5e-14 for
# H <= 10.  5e-12 per layer leaves a factor ~100.
QUADRATURE_LAYER_ATOL = 5e-12

# Between two quadratures of a smooth activation (polar vs tensor Gauss-Hermite with 128 nodes per axis) the
# tensor rule's error dominates: tanh (poles at +-i pi/2 closest to the real axis) is the slowest, measured 2.4e-7
# at 64, 1.7e-9 at 96 and 2.3e-11 at 128 nodes (H = 3); softplus, sin, GELU and sigmoid agree to < 1e-14 already at
# 64.  1e-10 per layer leaves a factor >= 4 over tanh's worst and is still 1e8 below the 1 % mutations caught.
# (The tensor rule is NOT used for ReLU: across the kink it converges slowly, 3e-2 off the closed form at 40 nodes.)
TENSOR_GH_LAYER_ATOL = 1e-10

# The empirical Gram: the mean of R independent finite-width draws differs from its limit by a sampling error (the
# standard error, estimated from the draws) plus a finite-width bias of order 1/m.  Entries are compared in units of
# their standard error; 5 standard errors over at most 36 entries per instance is a family-wise false-alarm rate
# of < 2e-5 under a normal approximation.  The bias allowance is EMPIRICAL_BIAS_C * H / m, measured: with 2^15
# draws at m = 8, 16, 32 the mean sat within 0.06-0.37 / m (H = 2) and 0.06-0.57 / m (H = 3) of the limit for
# ReLU, tanh and softplus (n = 4), i.e. <= 0.19 H / m; 0.5 H / m leaves a factor >= 2.6.  Checks use H <= 3.
EMPIRICAL_Z = 5.0
EMPIRICAL_BIAS_C = 0.5


# Smallest eigenvalue from numpy.linalg.eigvalsh: backward stable, error <= ~ n eps ||K||_2; factor 10 for the
# constants.  A lambda_min below this is indistinguishable from 0.
def eig_atol(norm: float, n: int) -> float:
    return 10.0 * EPS64 * max(int(n), 1) * max(float(norm), 1.0)


def recursion_atol(depth: int) -> float:
    """Agreement allowance between the closed-form recursion and a float64 re-evaluation of the same limit."""
    return RECURSION_LAYER_FACTOR * EPS64 * max(int(depth), 1)


def quadrature_atol(depth: int) -> float:
    """Allowance between the closed form (ReLU) and the polar quadrature, H layers (errors add layer by layer:
    every map involved is 1-Lipschitz in the entries up to the c_sigma normalisation)."""
    return QUADRATURE_LAYER_ATOL * max(int(depth), 1)


def tensor_atol(depth: int) -> float:
    """Allowance between the polar and the tensor Gauss-Hermite quadratures for a smooth activation."""
    return TENSOR_GH_LAYER_ATOL * max(int(depth), 1)


# Ergen & Pilanci relaxation.  Clarabel's optimal value is accurate to ~1e-8 relative (gap tolerance); the loss of
# the returned point exceeds the optimum by at most that, 1e-6 (1 + |value|) leaves a margin of 100 as in the core
# table (CONIC_VALUE_RTOL).  L-BFGS on the smooth convex relaxed loss stops at a gradient norm of 1e-10.
CONIC_RTOL = 1e-6


# A violation of "a minimizer of L_r minimizes L" is certified when L(w~) exceeds the loss of an explicit point by
# more than the solver allowance; the counterexamples found exceed it by > 0.1 (relative), five orders above it.
def conic(scale: float) -> float:
    return CONIC_RTOL * (1.0 + abs(float(scale)))


# Gradient descent corroboration: the loss is computed in float64; the bound (1 - eta lam/2)^k L(0) is compared
# with a relative allowance of 1e-9 (rounding of k <= 2000 products of O(1) numbers is below 1e-12 relative).
GD_RTOL = 1e-9
