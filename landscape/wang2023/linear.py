"""Deep linear networks as minimum-norm interpolators: standard, parallel and partly parallel (Wang, Ergen,
Pilanci, ICLR 2023, Sections 3.1-3.2 and Appendix D).

Data ``X`` (N x d, rows are samples), targets ``Y`` (N x K), ``W* = X^+ Y``.  The problems are exact
interpolation problems (``X W_1 ... W_L = Y``); they are finite exactly when ``Y`` lies in the range of ``X``.

Notation of this module.  A *stair net* with ``s`` shared layers generalizes both architectures of the paper:

    f(X) = sum_j  X W_1 ... W_s  B_{s+1,j} ... B_{L-2,j} c_j  r_j^T,

shared matrices ``W_1..W_s``, per-branch matrices ``B_{l,j}``, a per-branch column ``c_j`` (the paper's
``w_{L-1,j}``) and a per-branch output row ``r_j`` (the paper's ``w_{L,j}``).  ``s = L - 2`` is the standard
net (the columns ``c_j`` form ``W_{L-1}``, the rows ``r_j`` form ``W_L``, the branch count is the width
``m_{L-1}``); ``s = 0`` is the parallel net; ``0 < s < L - 2`` are the partly parallel nets of Proposition 8.

Three independent routes to every value:

* closed forms from one SVD of ``W*`` (:class:`ClosedForms`; mutated copies of it drive the meta-tests);
* convex programs solved by Clarabel through CVXPY: the dual ``max tr(Lam^T Y) s.t. ||X^T Lam||_2 <= t^-(L-2)``
  and the bi-dual ``min t^-(L-2) ||Z||_* s.t. X Z = Y``, each with a certificate that does not trust the solver
  (a feasible dual point rescaled into the constraint, a bi-dual point projected onto ``X Z = Y``);
* the non-convex networks themselves, minimized in torch (float64, L-BFGS, several random starts) with the last
  layer solved exactly, ``rows = F^+ Y + (I - F^+ F) Z`` (``F`` the branch outputs), and every run re-evaluated
  in numpy at an explicit interpolating point (residual checked), so each accepted value is an upper bound.

Plus explicit factor constructions (Prop. 2(b), Thm 2 eq. (9), the balanced factors of Prop. 2(c), the
constructive parallel optimum of Thm 4 and one feasible point for every stair of Prop. 9).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from landscape.core import tolerances as tol
from landscape.core.certify import grad_norm, lbfgs
from landscape.core.results import RouteResult, solve_cvxpy
from landscape.core.validate import finite_array, finite_scalar, positive_int

# ==============================================================================================================
# Tolerances of this family (each with its reason; shared ones come from landscape/tolerances.py)
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
            raise ValueError(f"Y is not in range(X) (||X X^+ Y - Y||_F = {miss:.3g}): the interpolation problems are "
                             f"infeasible and their duals unbounded")
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
    U: np.ndarray   # d x r
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
    return float(np.sum(sv ** p) ** (1.0 / p))


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
    base = float(np.sum(sv ** p))
    lower = max(base - count * shift ** p, 0.0) ** (1.0 / p)
    return t ** (-(L - 2)) * (base ** (1.0 / p) - lower)


# ==============================================================================================================
# stair nets: the common representation of standard, parallel and partly parallel linear nets
# ==============================================================================================================
@dataclass(frozen=True)
class StairNet:
    """``s`` shared matrices, per-branch matrices (leading axis = branch), per-branch columns and rows."""

    shared: tuple[np.ndarray, ...]     # W_1 (d x m_1), ..., W_s (m_{s-1} x m_s)
    branch: tuple[np.ndarray, ...]     # B_{s+1} (m, m_s, h), B_{s+2} (m, h, h), ... up to layer L-2
    cols: np.ndarray                   # (m, h_last): c_j = w_{L-1,j}
    rows: np.ndarray                   # (m, K):      r_j = w_{L,j}

    @property
    def L(self) -> int:
        return len(self.shared) + len(self.branch) + 2

    @property
    def s(self) -> int:
        return len(self.shared)

    @property
    def m(self) -> int:
        return int(self.rows.shape[0])

    def standard_weights(self) -> list[np.ndarray]:
        """``[W_1, ..., W_L]`` of a standard net (no per-branch matrices)."""
        if self.branch:
            raise ValueError("a net with per-branch matrices is not a standard net")
        return [*self.shared, self.cols.T, self.rows]


def standard_net(weights: Sequence[np.ndarray]) -> StairNet:
    """The stair net of a standard net ``W_1 ... W_L`` (L >= 2)."""
    weights = [finite_array(f"weights[{i}]", W, ndim=2) for i, W in enumerate(weights)]
    if len(weights) < 2:
        raise ValueError(f"a standard net needs L >= 2 matrices, got {len(weights)}")
    for i in range(1, len(weights)):
        if weights[i - 1].shape[1] != weights[i].shape[0]:
            raise ValueError(f"weights[{i - 1}] (shape {weights[i - 1].shape}) and weights[{i}] (shape "
                             f"{weights[i].shape}) do not chain")
    return StairNet(tuple(weights[:-2]), (), weights[-2].T.copy(), weights[-1])


def _shared_product(net: StairNet, d: int) -> np.ndarray:
    P = np.eye(d)
    for W in net.shared:
        P = P @ W
    return P


def branch_vectors(net: StairNet, d: int) -> np.ndarray:
    """``(m, d)``: row j is ``W_1 ... W_s B_{s+1,j} ... B_{L-2,j} c_j`` (branch j's direction in input space)."""
    P = _shared_product(net, d)                       # d x m_s
    v = net.cols                                      # (m, h)
    for B in reversed(net.branch):                    # B (m, in, out): v_j <- B_j v_j
        v = np.einsum("mio,mo->mi", B, v)
    return v @ P.T                                    # (m, d)


def end_to_end(net: StairNet, d: int) -> np.ndarray:
    """The linear map ``d x K`` the net computes (``f(X) = X @ end_to_end``)."""
    return branch_vectors(net, d).T @ net.rows


def branch_outputs(X: np.ndarray, net: StairNet) -> np.ndarray:
    """``F`` (N x m): column j is branch j's output before its output row."""
    return X @ branch_vectors(net, X.shape[1]).T


def budget_cost(net: StairNet, t: float) -> float:
    """Cost of the scale-t problems (7)/(6)/(77) at the feasible point obtained by rescaling ``net``.

    Every shared and per-branch matrix is scaled to Frobenius norm exactly ``t`` and every column to unit norm;
    the factors are moved into the output rows (the computed map is unchanged), so the returned
    ``sum_j ||r_j'||`` is the objective at an explicit feasible point.
    """
    t = check_scale(t)
    shared = float(np.prod([np.linalg.norm(W) / t for W in net.shared])) if net.shared else 1.0
    per = np.linalg.norm(net.cols, axis=1) * np.linalg.norm(net.rows, axis=1)
    for B in net.branch:
        per = per * np.linalg.norm(B.reshape(B.shape[0], -1), axis=1) / t
    return float(shared * np.sum(per))


def budget_feasible(net: StairNet, t: float) -> StairNet:
    """The rescaled net behind :func:`budget_cost` (norms exactly t, unit columns; branches with a zero factor
    become zero columns and rows)."""
    t = check_scale(t)
    shared, carry = [], 1.0
    for W in net.shared:
        n = float(np.linalg.norm(W))
        if n == 0:
            raise ValueError("a shared matrix is zero: the net computes the zero map")
        shared.append(W * (t / n))
        carry *= n / t
    per = np.full(net.m, carry)
    branch = []
    for B in net.branch:
        n = np.linalg.norm(B.reshape(B.shape[0], -1), axis=1)
        safe = np.where(n > 0, n, 1.0)
        branch.append(B * (t / safe)[:, None, None])
        per = per * n / t
    cn = np.linalg.norm(net.cols, axis=1)
    per = per * cn
    cols = net.cols / np.where(cn > 0, cn, 1.0)[:, None]
    rows = net.rows * per[:, None]
    return StairNet(tuple(shared), tuple(branch), cols, rows)


def weight_decay_cost(net: StairNet) -> float:
    """``1/2`` the sum of all squared Frobenius norms (problem (5) for ``s = L-2``, problem (12) for ``s = 0``)."""
    total = sum(float(np.sum(W ** 2)) for W in net.shared) + sum(float(np.sum(B ** 2)) for B in net.branch)
    return 0.5 * (total + float(np.sum(net.cols ** 2)) + float(np.sum(net.rows ** 2)))


def _branch_layer_norms(net: StairNet) -> np.ndarray:
    """``(m, L)``: the norms of every layer of every branch of a parallel net (``s = 0``)."""
    if net.shared:
        raise ValueError("per-branch layer norms need a parallel net (no shared layers)")
    norms = [np.linalg.norm(B.reshape(B.shape[0], -1), axis=1) for B in net.branch]
    norms += [np.linalg.norm(net.cols, axis=1), np.linalg.norm(net.rows, axis=1)]
    return np.stack(norms, axis=1)


def power_cost(net: StairNet, beta: float | None = None) -> float:
    """Problem (14): ``beta sum_j sum_l ||W_{l,j}||_F^L`` of a parallel net (beta = 1/L by default)."""
    n = _branch_layer_norms(net)
    L = n.shape[1]
    beta = 1.0 / L if beta is None else finite_scalar("beta", beta, minimum=0.0, strict=True)
    return float(beta * np.sum(n ** L))


def product_cost(net: StairNet) -> float:
    """Problem (15) at the rescaled point: ``sum_j prod_l ||W_{l,j}||`` (every layer of branch j normalized)."""
    return float(np.sum(np.prod(_branch_layer_norms(net), axis=1)))


def weight_decay_power_cost(net: StairNet) -> float:
    """Problem (13) at the rescaled point: ``(L/2) sum_j (prod_l ||W_{l,j}||)^(2/L)``."""
    n = _branch_layer_norms(net)
    L = n.shape[1]
    return float(L / 2.0 * np.sum(np.prod(n, axis=1) ** (2.0 / L)))


def balance_branches(net: StairNet) -> StairNet:
    """Rescale every layer of every branch of a parallel net to the branch's geometric-mean norm.

    Positive per-layer factors whose product is 1 leave each branch's map unchanged (Prop. 3 / Prop. 4 rescaling);
    after balancing both AM-GM inequalities are equalities.  A branch with a zero layer becomes all zero.
    """
    n = _branch_layer_norms(net)
    L = n.shape[1]
    alive = np.all(n > 0, axis=1)
    gm = np.where(alive, np.prod(np.where(n > 0, n, 1.0), axis=1) ** (1.0 / L), 0.0)
    factor = np.where(n > 0, gm[:, None] / np.where(n > 0, n, 1.0), 0.0)
    branch = tuple(B * factor[:, i][:, None, None] for i, B in enumerate(net.branch))
    cols = net.cols * factor[:, -2][:, None]
    rows = net.rows * factor[:, -1][:, None]
    return StairNet((), branch, cols, rows)


def balance_last_two(net: StairNet) -> StairNet:
    """Rescale each column ``c_j`` and row ``r_j`` to equal norms ``sqrt(||c_j|| ||r_j||)`` (the map is unchanged;
    ``1/2 (||c_j||^2 + ||r_j||^2)`` drops to ``||c_j|| ||r_j||``)."""
    cn = np.linalg.norm(net.cols, axis=1)
    rn = np.linalg.norm(net.rows, axis=1)
    alive = (cn > 0) & (rn > 0)
    a = np.where(alive, np.sqrt(np.where(alive, rn, 1.0) / np.where(alive, cn, 1.0)), 0.0)
    cols = net.cols * a[:, None]
    rows = net.rows * np.where(alive, 1.0 / np.where(alive, a, 1.0), 0.0)[:, None]
    return replace(net, cols=cols, rows=rows)


# ==============================================================================================================
# explicit constructions
# ==============================================================================================================
def _orthonormal(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    q, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
    return q[:, :cols]


def _check_widths(name: str, widths, count: int, floor: int) -> tuple[int, ...]:
    widths = tuple(positive_int(f"{name}[{i}]", w) for i, w in enumerate(widths))
    if len(widths) != count:
        raise ValueError(f"{name} must list {count} widths, got {len(widths)}")
    if widths and min(widths) < floor:
        raise ValueError(f"{name} {widths}: every width must be >= rank {floor} (the product cannot have rank "
                         f"{floor} otherwise)")
    return widths


def stair_factors(W, L: int, s: int, t: float, widths: Sequence[int], m: int, *, branch_width: int = 1,
                  seed: int = 0) -> StairNet:
    """A feasible stair net computing ``W`` whose scale-t cost is ``t^-(L-2) ||W||_{S_{2/(s+2)}}``.

    The first ``s + 2`` layers follow Prop. 2(b) for depth ``s + 2`` (shared ``W_i = t U_{i-1} S^{1/(s+2)}
    U_i^T / ||S^{1/(s+2)}||_F`` with random orthonormal ``U_i``, then unit columns ``U_s``); branch j then
    carries column j of ``U_s`` through rank-one per-branch matrices of norm ``t`` (``t u_j e_1^T``,
    ``t e_1 e_1^T``, column ``e_1``), and its output row absorbs ``t^-(L-2-s)``.  With ``s = L - 2`` this is
    exactly Prop. 2(b) / Thm 2 eq. (9) (branches = columns of ``W_{L-1}``); with ``s = 0`` it is an optimal
    point of the parallel bi-dual (6).  ``widths = (m_1, ..., m_s)``; ``m >= rank`` branches (extra ones zero).
    """
    sp = compact_svd(W)
    if sp.rank == 0:
        raise ValueError("W is zero: there is nothing to factor")
    L = check_depth(L)
    t = check_scale(t)
    s = positive_int("s", s, minimum=0)
    if s > L - 2:
        raise ValueError(f"s (shared layers) must be <= L - 2 = {L - 2}, got {s}")
    r = sp.rank
    widths = _check_widths("widths", widths, s, r)
    m = positive_int("m (branches)", m)
    if m < r:
        raise ValueError(f"m = {m} branches cannot carry rank {r} (each branch computes a rank-one map)")
    branch_width = positive_int("branch_width", branch_width)
    d, K = sp.W.shape
    rng = np.random.default_rng(seed)
    q = s + 2
    root = sp.sv ** (1.0 / q)
    nrm = float(np.linalg.norm(root))
    Us = [sp.U] + [_orthonormal(rng, w, r) for w in widths]
    shared = tuple(t * (Us[i] * root) @ Us[i + 1].T / nrm for i in range(s))
    out_rows = t ** (-s) * nrm ** s * (sp.sv ** (2.0 / q))[:, None] * sp.Vt   # r x K (Prop. 2(b) last layer)
    inner = Us[s]                                                              # m_s x r, unit columns
    depth_b = L - 2 - s
    rows = np.zeros((m, K))
    rows[:r] = out_rows * t ** (-depth_b)
    if depth_b == 0:
        cols = np.zeros((m, inner.shape[0]))
        cols[:r] = inner.T
        return StairNet(shared, (), cols, rows)
    h = branch_width
    first = np.zeros((m, inner.shape[0], h))
    first[:r, :, 0] = t * inner.T
    branch = [first] + [np.zeros((m, h, h)) for _ in range(depth_b - 1)]
    for B in branch[1:]:
        B[:r, 0, 0] = t
    cols = np.zeros((m, h))
    cols[:r, 0] = 1.0
    return StairNet(shared, tuple(branch), cols, rows)


def balanced_factors(W, L: int, widths: Sequence[int], *, seed: int = 0) -> list[np.ndarray]:
    """Prop. 2(c): ``W_l = U_{l-1} S^{1/L} U_l^T`` (``U_0 = U``, ``U_L = V``, random orthonormal ``U_l`` of the
    hidden widths ``(m_1, ..., m_{L-1})``); product ``W``, ``1/2 sum ||W_l||^2 = (L/2) sum sigma^(2/L)``."""
    sp = compact_svd(W)
    L = check_depth(L)
    widths = _check_widths("widths", widths, L - 1, sp.rank)
    rng = np.random.default_rng(seed)
    Us = [sp.U] + [_orthonormal(rng, w, sp.rank) for w in widths] + [sp.Vt.T]
    root = sp.sv ** (1.0 / L)
    return [(Us[i] * root) @ Us[i + 1].T for i in range(L)]


def parallel_optimum(W, L: int, m: int, *, branch_width: int = 1) -> StairNet:
    """Thm 4's constructive primal: branch k carries ``sigma_k u_k v_k^T`` with every layer of norm
    ``sigma_k^(1/L)``; its cost in (14) is ``beta L sum sigma_k`` for every beta (the balanced version of
    :func:`stair_factors` with ``s = 0``)."""
    return balance_branches(stair_factors(W, L, 0, 1.0, (), m, branch_width=branch_width))


def truncated_parallel(X, Y, L: int, m: int, *, branch_width: int = 1) -> tuple[StairNet, float]:
    """The best fit of a parallel net with ``m`` branches when it cannot interpolate.

    Its map is a sum of m rank-one terms, so ``||X Z - Y||_F >= sqrt(sum_{i>m} sigma_i(Y)^2)`` (Eckart-Young,
    returned as the bound); the net built from ``X^+ Y_m`` (``Y_m`` the best rank-m approximation of Y) attains
    it when X has full row rank.  Returns the net and the Eckart-Young bound.
    """
    X, Y = check_data(X, Y)
    m = positive_int("m (branches)", m)
    u, sy, vt = np.linalg.svd(Y, full_matrices=False)
    bound = float(np.sqrt(np.sum(sy[m:] ** 2)))
    Ym = (u[:, :m] * sy[:m]) @ vt[:m]
    return stair_factors(np.linalg.pinv(X, rcond=tol.RANK_RTOL) @ Ym, L, 0, 1.0, (), m,
                         branch_width=branch_width), bound


# ==============================================================================================================
# convex routes (CVXPY + Clarabel)
# ==============================================================================================================
def spectral_dual_by_cvxpy(X, Y, bound: float, solver: str = "CLARABEL") -> RouteResult:
    """``max tr(Lam^T Y) s.t. sigma_max(X^T Lam) <= bound`` (dual (11) with ``bound = t^-(L-2)``; dual (16) with
    ``bound = 1``).  Never raises for solver trouble (``ok=False`` and the status instead).

    ``data``: ``Lam`` (solver point), ``Lam_feasible`` (scaled into the constraint if it overshoots), the
    ``certified_value`` ``tr(Lam_feasible^T Y)`` (a lower bound on the dual optimum that does not trust the
    solver), ``excess`` (``sigma_max(X^T Lam) - bound`` of the solver's point).
    """
    import cvxpy as cp

    X, Y = check_data(X, Y)
    bound = finite_scalar("bound", bound, minimum=0.0, strict=True)
    Lam = cp.Variable(Y.shape)
    prob = cp.Problem(cp.Maximize(cp.trace(Lam.T @ Y)), [cp.sigma_max(X.T @ Lam) <= bound])
    failed = solve_cvxpy(prob, solver, Lam)
    if failed is not None:
        return failed
    L0 = np.asarray(Lam.value, dtype=np.float64)
    spec = float(np.linalg.norm(X.T @ L0, 2))
    Lf = L0 * (bound / spec) if spec > bound else L0
    return RouteResult(float(prob.value), str(prob.status), True, route=f"cvxpy/{solver}", data={
        "Lam": L0, "Lam_feasible": Lf, "certified_value": float(np.sum(Lf * Y)), "excess": spec - bound})


def nuclear_bidual_by_cvxpy(X, Y, weight: float, solver: str = "CLARABEL") -> RouteResult:
    """``min weight ||Z||_* s.t. X Z = Y`` (the bi-dual of (11); ``weight = t^-(L-2)``).

    ``data``: ``Z``, ``Z_feasible = Z + X^+ (Y - X Z)`` (interpolates up to rounding), ``certified_value``
    ``weight ||Z_feasible||_*`` (an upper bound on the bi-dual optimum that does not trust the solver) and the
    residual of the solver's point.
    """
    import cvxpy as cp

    X, Y = check_data(X, Y)
    weight = finite_scalar("weight", weight, minimum=0.0, strict=True)
    Z = cp.Variable((X.shape[1], Y.shape[1]))
    prob = cp.Problem(cp.Minimize(weight * cp.normNuc(Z)), [X @ Z == Y])
    failed = solve_cvxpy(prob, solver, Z)
    if failed is not None:
        return failed
    Z0 = np.asarray(Z.value, dtype=np.float64)
    Zf = Z0 + np.linalg.pinv(X, rcond=tol.RANK_RTOL) @ (Y - X @ Z0)
    return RouteResult(float(prob.value), str(prob.status), True, route=f"cvxpy/{solver}", data={
        "Z": Z0, "Z_feasible": Zf, "certified_value": weight * float(np.sum(np.linalg.svd(Zf, compute_uv=False))),
        "residual": float(np.linalg.norm(X @ Z0 - Y)), "residual_feasible": float(np.linalg.norm(X @ Zf - Y))})


def dual_t_by_cvxpy(X, Y, L: int, t: float, solver: str = "CLARABEL") -> RouteResult:
    """``D_lin(t)`` of Prop. 1 in its spectral form (59): bound ``t^-(L-2)``."""
    L, t = check_depth(L), check_scale(t)
    return spectral_dual_by_cvxpy(X, Y, t ** (-(L - 2)), solver)


def bidual_t_by_cvxpy(X, Y, L: int, t: float, solver: str = "CLARABEL") -> RouteResult:
    """``BD_lin(t)`` of Prop. 1 in its convex form: ``t^-(L-2) min{||Z||_* : X Z = Y}``."""
    L, t = check_depth(L), check_scale(t)
    return nuclear_bidual_by_cvxpy(X, Y, t ** (-(L - 2)), solver)


def dual_constraint_samples(X, Lam, L: int, t: float, *, samples: int = 200, width: int = 2,
                            seed: int = 0) -> np.ndarray:
    """Prop. 1(a)'s semi-infinite constraint at random feasible points: ``||Lam^T X W_1 ... W_{L-2} w||_2`` for
    random ``W_i`` of Frobenius norm ``t`` (hidden width ``width``) and unit ``w`` (an array of ``samples``)."""
    X = finite_array("X", X, ndim=2)
    Lam = finite_array("Lam", Lam, ndim=2, shape=(X.shape[0], None))
    L, t = check_depth(L), check_scale(t)
    samples, width = positive_int("samples", samples), positive_int("width", width)
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    out = np.empty(samples)
    M = Lam.T @ X                                   # K x d
    for k in range(samples):
        v = rng.standard_normal(width if L > 2 else d)
        v /= np.linalg.norm(v)
        dims = [d] + [width] * (L - 2)
        for i in reversed(range(L - 2)):
            B = rng.standard_normal((dims[i], dims[i + 1]))
            v = t * (B / np.linalg.norm(B)) @ v
        out[k] = float(np.linalg.norm(M @ v))
    return out


def aligned_path(X, Lam, L: int, t: float, *, width: int = 2) -> tuple[list[np.ndarray], float]:
    """The feasible path that makes Prop. 1(a)'s constraint tight: ``W_1 = t u e_1^T``, ``W_i = t e_1 e_1^T``,
    ``w = e_1`` with ``u`` the top right-singular vector of ``Lam^T X``.  Returns the path and its value
    ``||Lam^T X W_1 ... w||``."""
    X = finite_array("X", X, ndim=2)
    Lam = finite_array("Lam", Lam, ndim=2, shape=(X.shape[0], None))
    L, t = check_depth(L), check_scale(t)
    width = positive_int("width", width)
    _, _, vt = np.linalg.svd(Lam.T @ X)
    u = vt[0]
    d = X.shape[1]
    if L == 2:
        path = [u.copy()]
    else:
        W1 = np.zeros((d, width))
        W1[:, 0] = t * u
        mids = []
        for _ in range(L - 3):
            B = np.zeros((width, width))
            B[0, 0] = t
            mids.append(B)
        e = np.zeros(width)
        e[0] = 1.0
        path = [W1, *mids, e]
    v = path[-1]
    for B in reversed(path[:-1]):
        v = B @ v
    return path, float(np.linalg.norm(Lam.T @ X @ v))


# ==============================================================================================================
# non-convex routes (torch, float64, L-BFGS)
# ==============================================================================================================
PENALTIES = ("budget", "weight_decay", "power")


@dataclass(frozen=True)
class StairShape:
    """Architecture of a stair net: depth, shared layers, branches, shared widths, per-branch hidden width."""

    L: int
    s: int
    m: int
    widths: tuple[int, ...] = ()  # m_1..m_s of the shared layers
    branch_width: int = 2
    # for s = L - 2 (standard net) the columns live in R^{m_s}; otherwise in R^{branch_width}

    def __post_init__(self):
        L = check_depth(self.L)
        s = positive_int("s", self.s, minimum=0)
        if s > L - 2:
            raise ValueError(f"s (shared layers) must be <= L - 2 = {L - 2}, got {s}")
        object.__setattr__(self, "widths", tuple(positive_int(f"widths[{i}]", w) for i, w in enumerate(self.widths)))
        if len(self.widths) != s:
            raise ValueError(f"widths must list the {s} shared widths, got {len(self.widths)}")
        positive_int("m (branches)", self.m)
        positive_int("branch_width", self.branch_width)


def _dims(shape: StairShape, d: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int]:
    ws = [d, *shape.widths]
    shared = [(ws[i], ws[i + 1]) for i in range(shape.s)]
    nb = shape.L - 2 - shape.s
    branch = [((ws[-1] if i == 0 else shape.branch_width), shape.branch_width) for i in range(nb)]
    h_last = shape.branch_width if nb > 0 else ws[-1]
    return shared, branch, h_last


def range_basis(W: np.ndarray) -> np.ndarray:
    """Orthonormal basis (d x r) of the column space of W by a column-pivoted QR (no SVD); diagonal entries of R
    below ``RANK_RTOL * |R_00|`` count as zero."""
    from scipy.linalg import qr

    W = finite_array("W", W, ndim=2)
    Q, R, _ = qr(W, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    r = int(np.sum(diag > tol.RANK_RTOL * diag[0])) if diag.size and diag[0] > 0 else 0
    return Q[:, :r]


def lift_first_layer(net: StairNet, Q: np.ndarray) -> StairNet:
    """The net whose first layer is ``Q`` times that of ``net`` (inputs in R^r mapped into span(Q) in R^d).
    With orthonormal columns in Q every norm, hence every cost, is unchanged."""
    if net.shared:
        return replace(net, shared=(Q @ net.shared[0], *net.shared[1:]))
    if net.branch:
        return replace(net, branch=(np.einsum("dr,mrh->mdh", Q, net.branch[0]), *net.branch[1:]))
    return replace(net, cols=net.cols @ Q.T)


def train_stair_net(X, Y, shape: StairShape, penalty: str, *, t: float | None = None, beta: float | None = None,
                    starts: int = 4, seed: int = 0, max_iter: int = 500, reduce: bool = True) -> RouteResult:
    """Minimize a stair net's interpolation problem from ``starts`` random points (torch float64, L-BFGS).

    ``penalty``:

    * ``"budget"`` — the scale-t problems (7) (``s = L-2``), (6) (``s = 0``), (77) (in between): shared and
      per-branch matrices are parametrized as ``t V / ||V||_F`` (norm exactly t: a larger budget never hurts),
      and ``sum_j ||r_j||`` with unit columns is replaced by the equivalent smooth ``1/2 sum_j (||c_j||^2 +
      ||r_j||^2)`` (rescaling c_j -> a c_j, r_j -> r_j / a turns one into the other); the value reported is
      :func:`budget_cost` at the rescaled feasible point.
    * ``"weight_decay"`` — (5) for ``s = L-2``, (12) for ``s = 0``: ``1/2`` the sum of squared norms.
    * ``"power"`` — (14) for ``s = 0``: ``beta sum_j sum_l ||W_{l,j}||^L``.

    The output rows are never free parameters: ``rows = F^+ Y + (I - F^+ F) Z`` with ``F`` the branch outputs
    (``Z = 0`` for the two quadratic penalties, where it is optimal; trained for ``"power"``); F needs full row
    rank.  Every run is re-solved and re-evaluated in numpy; runs whose F lost row rank or whose residual exceeds
    ``RESIDUAL_RTOL`` are discarded.  ``ok`` says whether the best accepted run converged (gradient below
    ``GRAD_RTOL``).

    ``reduce`` (default): train on the equivalent problem with data ``I_r`` and targets ``Q^T X^+ Y``, where the
    columns of Q (d x r, pivoted QR) span the columns of ``X^+ Y``, then lift the first layer by Q.  The optimum is
    the same: projecting any feasible net's first layer onto Row(X) and then onto span(Q) keeps it feasible and
    can only lower its norm.  Without the reduction, whenever ``rank(X^+Y) < N`` the optimum uses fewer than N
    independent branch outputs, so F reaches the boundary of the full-row-rank set (sigma_min(F) -> 0) and
    L-BFGS stalls there with a large gradient.  Reduced, F is r x m and keeps rank r at the optimum; ``m >= r``
    branches.  Unreduced, ``m >= N``.

    ``data``: ``values`` (accepted runs), ``discarded``, ``grad_norms``, ``residual`` (of the best run),
    ``net`` (best run as a :class:`StairNet`), ``converged``.
    """
    import torch

    X, Y = check_data(X, Y)
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")
    if not isinstance(shape, StairShape):
        raise ValueError("shape must be a StairShape")
    if penalty == "budget":
        t = check_scale(t)
    if penalty == "power":
        if shape.s != 0:
            raise ValueError("the power penalty (14) is defined for parallel nets (s = 0)")
        beta = 1.0 / shape.L if beta is None else finite_scalar("beta", beta, minimum=0.0, strict=True)
    starts = positive_int("starts", starts)
    max_iter = positive_int("max_iter", max_iter)
    X0, Y0 = X, Y
    Q = None
    if reduce:
        Q = range_basis(np.linalg.pinv(X, rcond=tol.RANK_RTOL) @ Y)
        if Q.shape[1] == 0:
            raise ValueError("Y is zero: every net with zero output rows is optimal")
        X, Y = np.eye(Q.shape[1]), Q.T @ (np.linalg.pinv(X0, rcond=tol.RANK_RTOL) @ Y0)
    N, d = X.shape
    K = Y.shape[1]
    if shape.m < N:
        raise ValueError(f"m = {shape.m} branches < {N} = " + ("rank(X^+Y)" if reduce else "N samples")
                         + ": the exact last-layer solve needs that many branches")
    if reduce and shape.s > 0 and min(shape.widths) < N:
        raise ValueError(f"shared widths {shape.widths} below rank(X^+Y) = {N}: the problem is infeasible")
    L, s, m = shape.L, shape.s, shape.m
    shared_dims, branch_dims, h_last = _dims(shape, d)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    gen = torch.Generator().manual_seed(int(seed))
    top = float(np.linalg.norm(np.linalg.pinv(X, rcond=tol.RANK_RTOL) @ Y, 2)) + 1e-3
    layer_scale = top ** (1.0 / L)

    def build(params):
        """Torch tensors of the net (shared, branch, cols) from the free parameters."""
        k = 0
        shared = []
        for _ in shared_dims:
            V = params[k]
            k += 1
            shared.append(t * V / torch.linalg.norm(V) if penalty == "budget" else V)
        branch = []
        for _ in branch_dims:
            V = params[k]
            k += 1
            if penalty == "budget":
                V = t * V / torch.linalg.norm(V.reshape(m, -1), dim=1)[:, None, None]
            branch.append(V)
        cols = params[k]
        Z = params[k + 1] if penalty == "power" else None
        return shared, branch, cols, Z

    def outputs(shared, branch, cols):
        A = Xt
        for W in shared:
            A = A @ W                                  # N x m_s
        H = A.unsqueeze(0).expand(m, *A.shape)         # (m, N, m_s)
        for B in branch:
            H = torch.bmm(H, B)                        # (m, N, h)
        return torch.einsum("mnh,mh->nm", H, cols)     # N x m

    def rows_of(F, Z):
        G = F @ F.T
        R = F.T @ torch.linalg.solve(G, Yt)            # F^+ Y for full row rank F
        if Z is not None:
            R = R + Z - F.T @ torch.linalg.solve(G, F @ Z)
        return R

    def objective(params):
        shared, branch, cols, Z = build(params)
        F = outputs(shared, branch, cols)
        R = rows_of(F, Z)
        if penalty == "power":
            norms = [torch.sqrt(torch.sum(B.reshape(m, -1) ** 2, dim=1) + 1e-300) for B in branch]
            norms += [torch.sqrt(torch.sum(cols ** 2, dim=1) + 1e-300), torch.sqrt(torch.sum(R ** 2, dim=1) + 1e-300)]
            return beta * sum(torch.sum(n ** L) for n in norms)
        total = 0.5 * (torch.sum(cols ** 2) + torch.sum(R ** 2))
        if penalty == "weight_decay":
            total = total + 0.5 * sum(torch.sum(W ** 2) for W in shared) + 0.5 * sum(torch.sum(B ** 2) for B in branch)
        return total

    values, grads, discarded, nets, residuals = [], [], [], [], []
    for _ in range(starts):
        params = []
        for i, (a, b) in enumerate(shared_dims):
            std = layer_scale / (max(float(np.linalg.norm(X, 2)), 1e-3) if i == 0 else np.sqrt(a))
            params.append(torch.randn(a, b, generator=gen, dtype=torch.float64) * std)
        for i, (a, b) in enumerate(branch_dims):
            std = layer_scale / (max(float(np.linalg.norm(X, 2)), 1e-3) if (i == 0 and s == 0) else np.sqrt(a))
            params.append(torch.randn(m, a, b, generator=gen, dtype=torch.float64) * std)
        std = layer_scale / (max(float(np.linalg.norm(X, 2)), 1e-3) if L == 2 else np.sqrt(h_last))
        params.append(torch.randn(m, h_last, generator=gen, dtype=torch.float64) * std)
        if penalty == "power":
            params.append(torch.randn(m, K, generator=gen, dtype=torch.float64) * layer_scale)
        for p in params:
            p.requires_grad_(True)
        try:
            lbfgs(params, lambda: objective(params), max_iter, tolerance_grad=1e-11)
            gnorm = grad_norm(objective(params), params)
        except (RuntimeError, torch.linalg.LinAlgError) as exc:  # a singular F during the line search
            discarded.append(f"torch: {type(exc).__name__}")
            continue
        with torch.no_grad():
            shared, branch, cols, Z = build(params)
        net = StairNet(tuple(W.detach().numpy().copy() for W in shared),
                       tuple(B.detach().numpy().copy() for B in branch), cols.detach().numpy().copy(),
                       np.zeros((m, K)))
        Zn = Z.detach().numpy().copy() if Z is not None else None
        solved = solve_rows(X, Y, net, Zn)
        if isinstance(solved, str):
            discarded.append(solved)
            continue
        net, residual = solved
        if Q is not None:  # back to the original data: the residual is measured there
            net = lift_first_layer(net, Q)
            residual = float(np.linalg.norm(X0 @ end_to_end(net, X0.shape[1]) - Y0))
            if not residual <= RESIDUAL_RTOL * (1.0 + float(np.linalg.norm(Y0))):
                discarded.append(f"lifted residual {residual:.3g} too large")
                continue
        value = {"budget": lambda: budget_cost(net, t), "weight_decay": lambda: weight_decay_cost(net),
                 "power": lambda: power_cost(net, beta)}[penalty]()
        values.append(value)
        grads.append(gnorm)
        nets.append(net)
        residuals.append(residual)
    if not values:
        return RouteResult(np.nan, f"every run discarded ({'; '.join(sorted(set(discarded)))})", False,
                           route="torch/L-BFGS", data={"values": [], "discarded": discarded})
    best = int(np.argmin(values))
    converged = grads[best] <= GRAD_RTOL * (1.0 + values[best])
    return RouteResult(values[best], "converged" if converged else "gradient not small", bool(converged),
                       route="torch/L-BFGS", data={"values": values, "grad_norms": grads, "discarded": discarded,
                                                   "net": nets[best], "residual": residuals[best],
                                                   "converged": bool(converged)})


def solve_rows(X, Y, net: StairNet, Z=None) -> tuple[StairNet, float] | str:
    """Re-solve the output rows in numpy (``F^+ Y + (I - F^+ F) Z``) so that the net interpolates Y; returns the
    net and its residual ``||F rows - Y||_F``, or a reason string when F lost row rank or the residual is too
    large (the point is then not usable as an interpolating net)."""
    F = branch_outputs(X, net)
    sf = np.linalg.svd(F, compute_uv=False)
    if sf.size < X.shape[0] or sf[0] == 0 or sf[-1] < COND_MAX_INV * sf[0]:
        return "branch outputs lost row rank"
    Fp = np.linalg.pinv(F)
    rows = Fp @ Y
    if Z is not None:
        rows = rows + Z - Fp @ (F @ Z)
    residual = float(np.linalg.norm(F @ rows - Y))
    if not residual <= RESIDUAL_RTOL * (1.0 + float(np.linalg.norm(Y))):
        return f"interpolation residual {residual:.3g} too large"
    return replace(net, rows=rows), residual




# ==============================================================================================================
# the duality gap of the standard net, certified from both sides
# ==============================================================================================================
def gap_certificate(X, Y, L: int, t: float = 1.0, closed: ClosedForms = CLOSED,
                    solver: str = "CLARABEL") -> RouteResult:
    """Bounds that pin ``P_lin(t)`` and ``D_lin(t)`` from both sides, and the gap they certify.

    * ``P_lower``: the closed form (10) (the paper's Lemmas: no feasible factorization does better; the suite
      checks it separately by explicit factorizations and by training), ``P_upper``: the cost of the explicit
      optimal factors (9) at an interpolating point;
    * ``D_lower``: ``tr(Lam^T Y)`` at a dual feasible Lam (Clarabel, rescaled into the constraint),
      ``D_upper``: ``t^-(L-2) ||Z||_*`` at a bi-dual feasible Z (Clarabel, projected onto ``X Z = Y``).

    ``value`` is the certified gap ``P_lower - D_upper``; ``data`` holds every bound, the points behind them and
    the overall (t-optimized) values.  ``ok`` is False when a solver did not report optimal.
    """
    X, Y = check_data(X, Y)
    L, t = check_depth(L), check_scale(t)
    sp = spectrum(X, Y)
    net = stair_factors(sp.W, L, L - 2, t, [sp.rank] * (L - 2), sp.rank)
    dual = dual_t_by_cvxpy(X, Y, L, t, solver)
    bid = bidual_t_by_cvxpy(X, Y, L, t, solver)
    if not (dual.ok and bid.ok):
        return RouteResult(np.nan, f"dual: {dual.status}, bi-dual: {bid.status}", False, route="certificate")
    P_lower = closed.primal_t(sp.sv, L, t)
    D_upper, D_lower = bid["certified_value"], dual["certified_value"]
    scale = t ** (L - 2)  # D_lin(t) = D_lin(1) / t^(L-2): the overall dual value from the same certificate
    return RouteResult(P_lower - D_upper, "optimal", True, route="certificate", data={
        "P_lower": P_lower, "P_upper": budget_cost(net, t),
        "factor_residual": float(np.linalg.norm(X @ end_to_end(net, X.shape[1]) - Y)),
        "D_lower": D_lower, "D_upper": D_upper, "net": net, "Lam": dual["Lam_feasible"], "Z": bid["Z_feasible"],
        "dual_bound": t ** (-(L - 2)),
        "P_overall": closed.primal(sp.sv, L), "D_overall_upper": L / 2.0 * (D_upper * scale) ** (2.0 / L),
        "relative_gap_t": (P_lower - D_upper) / P_lower,
        "relative_gap": 1.0 - L / 2.0 * (D_upper * scale) ** (2.0 / L) / closed.primal(sp.sv, L),
        "sv": sp.sv})


def equal_values_witness() -> dict[str, np.ndarray]:
    """``X = Y = I_2``, ``L = 3``, ``t = 1``: equal singular values (1, 1), yet ``P_lin(1) = 2 sqrt 2 > 2 = D_lin(1)``.

    Holds the explicit optimal factors (``W_1 = I / sqrt 2``, ``W_2 = I``, ``W_3 = sqrt 2 I``: product I, norms
    feasible, cost ``2 sqrt 2``), a dual feasible ``Lam = I`` (``||X^T Lam||_2 = 1``, value 2) and a bi-dual feasible
    ``Z = I`` (``X Z = Y``, value ``||Z||_* = 2``), so ``D_lin(1) = 2`` exactly.
    """
    r = np.sqrt(2.0)
    return {"X": np.eye(2), "Y": np.eye(2), "L": np.array(3), "t": np.array(1.0),
            "W_1": np.eye(2) / r, "W_2": np.eye(2), "W_3": r * np.eye(2), "Lam": np.eye(2), "Z": np.eye(2)}


__all__ = [
    "RANGE_RTOL", "RESIDUAL_RTOL", "COND_MAX_INV", "GRAD_RTOL", "TRAIN_REACHED_RTOL", "T_MIN_ARG_RTOL",
    "T_MIN_VALUE_RTOL", "GAP_MARGIN",
    "check_depth", "check_scale", "check_data", "range_residual", "Spectrum", "compact_svd", "spectrum",
    "schatten", "ClosedForms", "CLOSED", "perturbation_allowance", "StairNet", "standard_net", "branch_vectors",
    "end_to_end", "branch_outputs", "budget_cost", "budget_feasible", "weight_decay_cost", "power_cost",
    "product_cost", "weight_decay_power_cost", "balance_branches", "balance_last_two", "stair_factors",
    "balanced_factors", "parallel_optimum", "truncated_parallel", "spectral_dual_by_cvxpy",
    "nuclear_bidual_by_cvxpy", "dual_t_by_cvxpy", "bidual_t_by_cvxpy", "dual_constraint_samples", "aligned_path",
    "StairShape", "PENALTIES", "train_stair_net", "range_basis", "lift_first_layer", "solve_rows",
    "gap_certificate", "equal_values_witness",
]
