"""Validation, the spectrum of ``W* = X^+ Y`` and the paper's closed forms (Wang, Ergen, Pilanci 2023, Section 3).

The closed forms are kept as methods of one object (:class:`ClosedForms`) so that mutation meta-tests can hand a
deliberately wrong copy to a family's check and require the check to fail.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape.core import tolerances as tol
from landscape.core.validate import finite_array, finite_scalar
from landscape.wang2023.tolerances import RANGE_RTOL


# ==============================================================================================================
# validation
# ==============================================================================================================
def check_depth(L, minimum: int = 2) -> int:
    """The depth ``L`` as an int; ValueError below ``minimum`` (every problem here is defined from depth 2 on)."""
    if isinstance(L, bool) or not isinstance(L, (int, np.integer)):
        raise ValueError(f"L (depth) must be an integer, got {type(L).__name__}")
    if int(L) < minimum:
        raise ValueError(f"L (depth) must be >= {minimum}, got {int(L)}")
    return int(L)


def check_scale(t) -> float:
    """The layer budget ``t`` of the scale-t subproblems; ValueError unless finite and > 0."""
    return finite_scalar("t", t, minimum=0.0, strict=True)


def check_data(X, Y, *, need_range: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``(X, Y)`` as float64 matrices with the same number of rows; with ``need_range`` also ``Y in range(X)``.

    Outside the range the interpolation problems are infeasible (P = +inf) and the duals unbounded, so every
    function that returns a finite value of them refuses such data instead of returning a number.
    """
    X = finite_array("X", X, ndim=2)
    Y = finite_array("Y", Y, ndim=2)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must have the same number of rows (samples): {X.shape[0]} != {Y.shape[0]}")
    if need_range:
        miss = range_residual(X, Y)
        if miss > RANGE_RTOL * (1.0 + float(np.linalg.norm(Y))):
            raise ValueError(
                f"Y is not in range(X) (||X X^+ Y - Y||_F = {miss:.3g}): the interpolation problems are "
                f"infeasible and their duals unbounded"
            )
    return X, Y


def range_residual(X: np.ndarray, Y: np.ndarray) -> float:
    """``||X X^+ Y - Y||_F`` (zero exactly when Y lies in the range of X)."""
    return float(np.linalg.norm(X @ (np.linalg.pinv(X, rcond=tol.RANK_RTOL) @ Y) - Y))


# ==============================================================================================================
# spectra and closed forms
# ==============================================================================================================
@dataclass(frozen=True)
class Spectrum:
    """Compact SVD of ``W* = X^+ Y`` with numerically zero singular values removed (``sv`` descending > 0)."""

    W: np.ndarray
    U: np.ndarray  # d x r
    sv: np.ndarray  # r
    Vt: np.ndarray  # r x K

    @property
    def rank(self) -> int:
        return int(self.sv.size)


def compact_svd(W: np.ndarray) -> Spectrum:
    """Compact SVD of any matrix, singular values below ``RANK_RTOL * sigma_1`` dropped."""
    W = finite_array("W", W, ndim=2)
    U, s, Vt = np.linalg.svd(W, full_matrices=False)
    r = int(np.sum(s > tol.RANK_RTOL * s[0])) if s.size and s[0] > 0 else 0
    return Spectrum(W, U[:, :r], s[:r], Vt[:r])


def spectrum(X, Y) -> Spectrum:
    """Compact SVD of the minimum-norm interpolator ``X^+ Y`` (requires ``Y in range(X)``)."""
    X, Y = check_data(X, Y)
    return compact_svd(np.linalg.pinv(X, rcond=tol.RANK_RTOL) @ Y)


def schatten(sv, p: float) -> float:
    """``||W||_{S_p} = (sum_i sigma_i^p)^(1/p)`` from the non-zero singular values (quasi-norm for p < 1)."""
    sv = np.asarray(sv, dtype=np.float64)
    if sv.size == 0:
        return 0.0
    return float(np.sum(sv**p) ** (1.0 / p))


class ClosedForms:
    """The paper's closed forms as functions of the non-zero singular values ``sv`` of ``X^+ Y``.

    Kept as methods of one object so that the meta-tests can hand a deliberately wrong copy (a subclass) to a
    family's check and require the check to fail.
    """

    def primal_t(self, sv, L: int, t: float) -> float:
        """(10): ``P_lin(t) = t^-(L-2) ||X^+Y||_{S_{2/L}}`` (Prop. 2(a) and Thm 2)."""
        return t ** (-(L - 2)) * schatten(sv, 2.0 / L)

    def dual_t(self, sv, L: int, t: float) -> float:
        """(11): ``D_lin(t) = t^-(L-2) ||X^+Y||_*`` (= the bi-dual, Prop. 1)."""
        return t ** (-(L - 2)) * float(np.sum(sv))

    def primal(self, sv, L: int) -> float:
        """Problem (5) after optimizing t: ``(L/2) sum_i sigma_i^(2/L)`` (Prop. 2(c))."""
        return L / 2.0 * float(np.sum(np.asarray(sv) ** (2.0 / L)))

    def dual(self, sv, L: int) -> float:
        """``min_t (L-2)/2 t^2 + D_lin(t) = (L/2) ||X^+Y||_*^(2/L)``."""
        return L / 2.0 * float(np.sum(sv)) ** (2.0 / L)

    def optimal_scale(self, sv, L: int) -> float:
        """The minimizing scale of ``(L-2)/2 t^2 + P_lin(t)``: ``t* = ||X^+Y||_{S_{2/L}}^(1/L)``."""
        return schatten(sv, 2.0 / L) ** (1.0 / L)

    def stair(self, sv, L: int, t: float, s: int) -> float:
        """(78): the partial dual with ``s`` shared layers, ``t^-(L-2) ||X^+Y||_{S_{2/(s+2)}}``."""
        return t ** (-(L - 2)) * schatten(sv, 2.0 / (s + 2))

    def parallel(self, sv, L: int, beta: float | None = None) -> float:
        """Thm 4: the parallel net with the L-th power penalty (14), ``beta L ||X^+Y||_*`` (beta = 1/L: the
        nuclear norm, which is also the value of the normalized form (15) and of its dual (16))."""
        beta = 1.0 / L if beta is None else beta
        return beta * L * float(np.sum(sv))

    def parallel_weight_decay(self, sv, L: int) -> float:
        """Prop. 3 (12)/(13), value derived through the p-triangle inequality of S_{2/L}: ``(L/2) sum sigma^(2/L)``."""
        return L / 2.0 * float(np.sum(np.asarray(sv) ** (2.0 / L)))


CLOSED = ClosedForms()


def perturbation_allowance(sv, L: int, t: float, p: float, shift: float, count: int) -> float:
    """How far ``t^-(L-2) ||W||_{S_p}`` can drop when W moves by ``shift`` in spectral norm (p <= 1).

    Weyl: each singular value moves by at most ``shift``; ``|a^p - b^p| <= |a - b|^p`` for p <= 1, so
    ``sum sigma^p`` drops by at most ``count * shift^p`` (``count`` = number of singular values, zeros included).
    Used to compare the value of a point that interpolates a slightly perturbed Y with the closed form at Y.
    """
    sv = np.asarray(sv, dtype=np.float64)
    if shift <= 0:
        return 0.0
    base = float(np.sum(sv**p))
    lower = max(base - count * shift**p, 0.0) ** (1.0 / p)
    return t ** (-(L - 2)) * (base ** (1.0 / p) - lower)


def holder_lower_bound(X, Y, L: int, t: float, layers: int | None = None) -> float:
    """A lower bound on ``P_lin(t)`` (and on the partial dual with ``layers - 2`` shared layers) that does not use the
    paper's closed form, only two elementary inequalities evaluated on the instance.

    Take any feasible point with ``q = layers`` factors in the first (shared) part: ``W = W_1 ... W_{q-2} M`` with
    ``||W_i||_F <= t`` and ``M = W_{q-1} W_q`` (or, for a partial dual, the inner variable Z scaled by the remaining
    budgets).  (i) Schatten-Hoelder, ``||A_1 ... A_k B||_{S_p} <= prod ||A_i||_{S_2} ||B||_{S_1}`` with
    ``1/p = k/2 + 1``, and ``sum_j ||w_{q,j}|| >= ||M||_*`` (a sum of rank-one terms with unit columns) give
    ``cost >= t^-(L-2) ||W||_{S_{2/q}}``; (ii) every interpolator satisfies ``X^+ X W = X^+ Y`` and an orthogonal
    projection does not increase any singular value, so ``||W||_{S_p} >= ||X^+ Y||_{S_p}``.  The minimum-norm
    interpolator is computed by least squares (``lstsq``), not through the pseudo-inverse the closed forms use;
    singular values below ``RANK_RTOL sigma_1`` are dropped, which can only lower the bound.
    """
    X, Y = check_data(X, Y)
    L, t = check_depth(L), check_scale(t)
    q = L if layers is None else check_depth(layers)
    if q > L:
        raise ValueError(f"layers = {q} exceeds the depth L = {L}")
    W = np.linalg.lstsq(X, Y, rcond=None)[0]
    sv = np.linalg.svd(W, compute_uv=False)
    sv = sv[sv > tol.RANK_RTOL * sv[0]] if sv.size and sv[0] > 0 else sv[:0]
    p = 2.0 / q
    return float(t ** (-(L - 2)) * np.sum(sv**p) ** (1.0 / p)) if sv.size else 0.0
