"""Deep ReLU networks in minimum-norm interpolation (Wang, Ergen, Pilanci, ICLR 2023, Section 4).

Data ``X`` (N x d, ROWS are samples), targets ``Y`` (N x K).  No biases anywhere.

* A *branch* of depth L is a list ``[W_1, ..., W_{L-2}, w_{L-1}]`` (matrices, then a vector); its output on X is
  ``f(X) = relu(... relu(relu(X W_1) W_2) ... w_{L-1}) in R^N``.  A *parallel* net sums branches through last-layer
  rows: ``sum_j f_j(X) w_{L,j}^T``.  Problem (23): minimize ``sum_j ||w_{L,j}||`` over parallel nets with every
  branch layer of Frobenius norm <= 1 that interpolate Y; problem (22) is the same net with the penalty
  ``beta sum_j sum_l ||W_{l,j}||^L`` (value beta L times (23), by AM-GM).  Dual (24): maximize ``tr(Lam^T Y)``
  subject to ``||Lam^T f(X)|| <= 1`` for every branch with unit-bounded layers.
* The *standard* three-layer net ``relu(relu(X W_1) W_2) w_3`` with weight decay ``1/2 sum_l ||W_l||_F^2`` (17);
  after optimizing the scale t of W_1 it is ``min_t t^2/2 + P(t)`` with P(t) the subproblem (18), whose dual (20)
  has the constraint set ``A(t) = t A(1)``, A(1) the outputs of unit-bounded three-layer branches.  Hence
  ``D(t) = D(1)/t`` and the overall dual value is ``3/2 D(1)^(2/3)``; the same holds for P.

Routes, kept independent of one another:

* rank-one data ``X = c a^T``: every branch output is ``alpha c_+ + beta c_-`` with ``alpha, beta >= 0`` and
  ``alpha + beta <= ||a||`` for every depth (the first layer splits ``h = W_1^T a`` into the disjoint parts h_+,
  h_- with ``||h_+||^2 + ||h_-||^2 <= ||a||^2``; the second layer, Frobenius norm <= 1, maps them to u, v with
  ``||u|| + ||v|| <= ||a||``, and later layers do not increase it), so the dual is a two-constraint
  problem with the closed form ``(||g_1|| + ||g_2||)/||a||`` for ``Y = c_+ g_1^T + c_- g_2^T``
  (``rank_one_dual_closed_form``; solved by CVXPY/HiGHS in ``rank_one_dual_by_cvxpy``/``..._by_highs``); the
  optimal branches are explicit (``rank_one_vertex_branches``) and Theorem 5's stated standard-net weights are
  built by ``thm5_stated_weights``.  For labels of mixed sign (g_1 g_2 < 0, K = 1) the standard net's value is
  ``(|g_1|^(2/3) + |g_2|^(2/3))^(3/2)/||a||`` instead (``rank_one_standard_value``, derived below): a gap.
* sampled-constraint duals (``sampled_dual``): constraints only at sampled branches, an UPPER bound on the dual;
  its LP dual is the group lasso over the sampled branches, an explicit parallel net.
* three-layer nets, K = 1, small data (``l3_*``): the exact dual constraint.  With ``z = relu(X W_1) w_2`` ranging
  over ``C = conv(+-{relu(X u) : ||u|| <= 1})`` (split W_1, w_2 into units, Cauchy-Schwarz), and relu linear on each
  orthant, ``max_branch |lam^T f(X)|`` is a maximum of second-order cone programs, one per orthant and sign, over the
  arrangement cells of X.  ``l3_constraint_value`` evaluates it (certifying a dual point), ``l3_dual_exact``
  solves the exact dual (robust counterpart of those programs) and ``l3_bidual_exact`` its conic dual, the convex
  program of the parallel net, whose solution is turned into explicit branches.
* non-convex training (torch float64, L-BFGS with a smoothing schedule, several starts): ``train_parallel`` for
  (23) with the last layer solved exactly (minimum-norm solve in the variational form of the group norm, then the
  exact group lasso for the final branches), ``train_standard3`` for (17) with ``w_3 = F^+ Y``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from landscape.core.results import RouteResult, solve_cvxpy
from landscape.core.validate import finite_array, finite_scalar, positive_int
from landscape.pilanci2020.arrangements import Arrangements
from landscape.pilanci2020.training import SMOOTHING, lbfgs_with_smoothing
from landscape.wang2023.tolerances import (
    BRANCH_DROP_RTOL,
    SPAN_RTOL,
    TRAIN_INTERP_RTOL,
    TRAINING_REACHED_RTOL,
)

# Tolerances of this module (SPAN_RTOL, INTERP_RTOL, TRAIN_INTERP_RTOL, BRANCH_DROP_RTOL, TRAINING_REACHED_RTOL) live in
# landscape/wang2023/tolerances.py with their reasons.  The training routes use the two-layer family's SMOOTHING
# (softplus temperatures, here relative to the pre-activation scale of the data) for the same reason as there:
# L-BFGS on the exact ReLU objective stalls at kinks.


def reached(value: float, optimum: float) -> bool:
    return bool(value - optimum <= TRAINING_REACHED_RTOL * (1.0 + abs(optimum)))


# --------------------------------------------------------------------------------------------------------------
# branches, parallel and standard networks (numpy)
# --------------------------------------------------------------------------------------------------------------
def relu(z):
    return np.maximum(z, 0.0)


def branch_output(X: np.ndarray, branch) -> np.ndarray:
    """``relu(... relu(relu(X W_1) W_2) ... w_{L-1})`` (N,) for a branch ``[W_1, ..., w_{L-1}]``."""
    if len(branch) < 1:
        raise ValueError("a branch needs at least one layer")
    H = X
    for W in branch[:-1]:
        H = relu(H @ W)
    w = np.asarray(branch[-1], dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"the last layer of a branch must be a vector, got shape {w.shape}")
    return relu(H @ w)


def layer_norms(branch) -> np.ndarray:
    return np.array([float(np.linalg.norm(W)) for W in branch])


@dataclass(frozen=True)
class ParallelNet:
    """Branches (each ``[W_1, ..., w_{L-1}]``) and last-layer rows ``WL`` (m x K)."""

    branches: tuple
    WL: np.ndarray

    def __post_init__(self):
        WL = finite_array("WL", self.WL, ndim=2)
        if WL.shape[0] != len(self.branches):
            raise ValueError(f"WL has {WL.shape[0]} rows for {len(self.branches)} branches")
        for j, b in enumerate(self.branches):
            for i, W in enumerate(b):
                finite_array(f"branches[{j}][{i}]", W)
        object.__setattr__(self, "WL", WL)
        object.__setattr__(
            self, "branches", tuple(tuple(np.asarray(W, dtype=np.float64) for W in b) for b in self.branches)
        )

    @property
    def m(self) -> int:
        return len(self.branches)

    @property
    def L(self) -> int:
        return len(self.branches[0]) + 1 if self.branches else 0

    def features(self, X: np.ndarray) -> np.ndarray:
        return (
            np.column_stack([branch_output(X, b) for b in self.branches])
            if self.branches
            else np.zeros((X.shape[0], 0))
        )

    def output(self, X: np.ndarray) -> np.ndarray:
        return self.features(X) @ self.WL

    def group_norm(self) -> float:
        """``sum_j ||w_{L,j}||``: the cost of problem (23) (meaningful when every branch layer has norm <= 1)."""
        return float(np.linalg.norm(self.WL, axis=1).sum())

    def max_layer_norm(self) -> float:
        return max((float(layer_norms(b).max()) for b in self.branches), default=0.0)

    def power_cost(self, beta: float) -> float:
        """Problem (22)'s penalty ``beta sum_j (sum_{l<L} ||W_{l,j}||^L + ||w_{L,j}||^L)``."""
        L = self.L
        total = 0.0
        for b, w in zip(self.branches, self.WL):
            total += float(np.sum(layer_norms(b) ** L)) + float(np.linalg.norm(w)) ** L
        return float(beta) * total

    def normalized(self) -> ParallelNet:
        """Every branch layer scaled to norm 1, the scales moved into the last layer (same output, for (23));
        branches with a zero layer are dropped (their output is zero)."""
        branches, rows = [], []
        for b, w in zip(self.branches, self.WL):
            norms = layer_norms(b)
            if np.any(norms == 0):
                continue
            branches.append([W / s for W, s in zip(b, norms)])
            rows.append(w * float(np.prod(norms)))
        return ParallelNet(tuple(branches), np.array(rows).reshape(len(rows), self.WL.shape[1]))

    def balanced(self) -> ParallelNet:
        """Per branch, all L layer norms set equal to the geometric mean (positive rescaling: same output)."""
        branches, rows = [], []
        L = self.L
        for b, w in zip(self.branches, self.WL):
            norms = np.append(layer_norms(b), np.linalg.norm(w))
            if np.any(norms == 0):
                continue
            target = float(np.prod(norms)) ** (1.0 / L)
            branches.append([W * (target / s) for W, s in zip(b, norms[:-1])])
            rows.append(w * (target / norms[-1]))
        return ParallelNet(tuple(branches), np.array(rows).reshape(len(rows), self.WL.shape[1]))


def standard3_output(X: np.ndarray, W1: np.ndarray, W2: np.ndarray, w3: np.ndarray) -> np.ndarray:
    return relu(relu(X @ W1) @ W2) @ w3


def standard3_cost(W1, W2, w3) -> float:
    """Weight decay ``1/2 (||W_1||^2 + ||W_2||^2 + ||w_3||^2)`` of problem (17)."""
    return 0.5 * float(np.sum(np.asarray(W1) ** 2) + np.sum(np.asarray(W2) ** 2) + np.sum(np.asarray(w3) ** 2))


def balance_standard3(W1, W2, w3):
    """Rescale each second-layer unit against its output weight so that ``||w_{2,j}|| = ||w_{3,j}||`` (same output,
    least weight decay for the given first layer)."""
    W2 = np.array(W2, dtype=np.float64)
    w3 = np.array(w3, dtype=np.float64)
    for j in range(W2.shape[1]):
        a, b = np.linalg.norm(W2[:, j]), np.linalg.norm(w3[j])
        if a > 0 and b > 0:
            k = math.sqrt(b / a)
            W2[:, j] *= k
            w3[j] = w3[j] / k
    return np.array(W1, dtype=np.float64), W2, w3


def interpolation_residual(output: np.ndarray, Y: np.ndarray) -> float:
    """``||output - Y||_F / (1 + ||Y||_F)``."""
    return float(np.linalg.norm(np.asarray(output).reshape(Y.shape) - Y) / (1.0 + np.linalg.norm(Y)))


# --------------------------------------------------------------------------------------------------------------
# rank-one data
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RankOneData:
    """``X = c a^T`` and targets ``Y`` (N x K) in span{c_+, c_-} (the primal is infeasible otherwise)."""

    c: np.ndarray
    a: np.ndarray
    Y: np.ndarray

    def __post_init__(self):
        c = finite_array("c", self.c, ndim=1)
        a = finite_array("a", self.a, ndim=1)
        Y = finite_array("Y", self.Y)
        if Y.ndim == 1:
            Y = Y[:, None]
        if Y.ndim != 2 or Y.shape[0] != c.shape[0]:
            raise ValueError(f"Y must have one row per entry of c ({c.shape[0]}), got shape {Y.shape}")
        if not np.any(c) or not np.any(a):
            raise ValueError("c and a must be non-zero (X = c a^T has rank one)")
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "Y", Y)
        fit = np.outer(self.c_plus, self.g1) + np.outer(self.c_minus, self.g2)
        if np.linalg.norm(fit - Y) > SPAN_RTOL * (1.0 + np.linalg.norm(Y)) * max(1.0, c.size):
            raise ValueError("Y is not in span{c_+, c_-}: no network interpolates it (the primal is infeasible)")

    @property
    def X(self) -> np.ndarray:
        return np.outer(self.c, self.a)

    @property
    def N(self) -> int:
        return self.c.shape[0]

    @property
    def K(self) -> int:
        return self.Y.shape[1]

    @property
    def c_plus(self) -> np.ndarray:
        return np.maximum(self.c, 0.0)

    @property
    def c_minus(self) -> np.ndarray:
        return np.maximum(-self.c, 0.0)

    @property
    def g1(self) -> np.ndarray:
        cp_ = self.c_plus
        n2 = float(cp_ @ cp_)
        return self.Y.T @ cp_ / n2 if n2 > 0 else np.zeros(self.Y.shape[1])

    @property
    def g2(self) -> np.ndarray:
        cm = self.c_minus
        n2 = float(cm @ cm)
        return self.Y.T @ cm / n2 if n2 > 0 else np.zeros(self.Y.shape[1])

    def summary(self) -> str:
        return (
            f"rank-one N={self.N} d={self.a.size} K={self.K} ||a||={np.linalg.norm(self.a):.4g} "
            f"g1={np.array2string(self.g1, precision=3)} g2={np.array2string(self.g2, precision=3)}"
        )


def rank_one_dual_closed_form(data: RankOneData, t: float = 1.0) -> float:
    """Dual value for rank-one data: ``(||g_1|| + ||g_2||) / (t ||a||)`` (parallel nets at t = 1, any L >= 2; the
    standard three-layer subproblem D(t))."""
    t = finite_scalar("t", t, minimum=0.0, strict=True)
    return float((np.linalg.norm(data.g1) + np.linalg.norm(data.g2)) / (t * np.linalg.norm(data.a)))


def rank_one_standard_value(data: RankOneData, t: float = 1.0) -> float:
    """P(t) of the STANDARD three-layer net on rank-one data, K = 1 (derived).

    With ``h = W_1^T a`` (``||h|| <= t ||a||``), ``x = ||h_+||``, ``y = ||h_-||``, every second-layer unit outputs
    ``(x p) c_+ + (y q) c_-`` with ``p, q >= 0``, ``p^2 + q^2 <= 1``.  For labels of one sign this reaches the dual
    value; for ``g_1 > 0 > g_2`` the cheapest combination costs ``g_1/x + |g_2|/y`` (the dual point
    ``(1/x, -1/y)`` certifies it for each h), minimized over ``x^2 + y^2 <= (t||a||)^2`` by Hoelder:
    ``(|g_1|^(2/3) + |g_2|^(2/3))^(3/2) / (t ||a||)``.
    """
    if data.K != 1:
        raise ValueError("the standard-net closed form is for scalar outputs (K = 1)")
    t = finite_scalar("t", t, minimum=0.0, strict=True)
    g1, g2 = float(data.g1[0]), float(data.g2[0])
    T = t * float(np.linalg.norm(data.a))
    if g1 * g2 >= 0:
        return (abs(g1) + abs(g2)) / T
    return (abs(g1) ** (2 / 3) + abs(g2) ** (2 / 3)) ** 1.5 / T


def overall_from_scaled(value_at_one: float) -> float:
    """``min_t t^2/2 + v/t = 3/2 v^(2/3)``: the weight-decay value of (17) from the scale-t value at t = 1."""
    return 1.5 * float(value_at_one) ** (2.0 / 3.0)


def rank_one_dual_by_cvxpy(data: RankOneData, t: float = 1.0, solver: str = "CLARABEL") -> RouteResult:
    """The dual for rank-one data as a conic program: ``max tr(Lam^T Y)`` s.t. ``||Lam^T c_+||, ||Lam^T c_-|| <=
    1/(t||a||)`` (the constraint at the triangle's two non-zero vertices; a missing sign of c drops its constraint)."""
    import cvxpy as cp

    t = finite_scalar("t", t, minimum=0.0, strict=True)
    T = t * float(np.linalg.norm(data.a))
    Lam = cp.Variable((data.N, data.K))
    cons = [cp.norm(Lam.T @ v, 2) <= 1.0 / T for v in (data.c_plus, data.c_minus) if np.any(v)]
    prob = cp.Problem(cp.Maximize(cp.sum(cp.multiply(Lam, data.Y))), cons)
    failed = solve_cvxpy(prob, solver)
    if failed is not None:
        return failed
    return RouteResult(float(prob.value), "optimal", True, route=f"cvxpy/{solver}", data={"Lam": np.asarray(Lam.value)})


def rank_one_dual_by_highs(data: RankOneData, t: float = 1.0) -> RouteResult:
    """The same dual for K = 1 as a linear program solved by HiGHS (scipy): ``|lam^T c_+-| <= 1/(t||a||)``."""
    from scipy.optimize import linprog

    if data.K != 1:
        raise ValueError("the LP form of the rank-one dual is for scalar outputs (K = 1)")
    t = finite_scalar("t", t, minimum=0.0, strict=True)
    T = t * float(np.linalg.norm(data.a))
    rows = [v for v in (data.c_plus, data.c_minus) if np.any(v)]
    A = np.vstack(rows + [-r for r in rows])
    res = linprog(-data.Y[:, 0], A_ub=A, b_ub=np.full(A.shape[0], 1.0 / T), bounds=(None, None), method="highs")
    if res.status != 0:
        return RouteResult(float("nan"), res.message, False, route="scipy/HiGHS")
    return RouteResult(float(-res.fun), "optimal", True, route="scipy/HiGHS", data={"Lam": res.x[:, None]})


def rank_one_vertex_branches(data: RankOneData, L: int, width: int = 2) -> list:
    """Unit-norm branches of depth L whose outputs are the triangle's vertices ``||a|| c_+`` and ``||a|| c_-``
    (those present): first layer ``+-a e_1^T/||a||``, then ``e_1 e_1^T`` layers, last ``e_1``."""
    L = positive_int("L", L, minimum=2)
    width = positive_int("width", width)
    out = []
    ahat = data.a / np.linalg.norm(data.a)
    for sign, v in ((1.0, data.c_plus), (-1.0, data.c_minus)):
        if not np.any(v):
            continue
        if L == 2:
            out.append([sign * ahat])
            continue
        W1 = np.zeros((data.a.size, width))
        W1[:, 0] = sign * ahat
        middle = []
        for _ in range(L - 3):
            E = np.zeros((width, width))
            E[0, 0] = 1.0
            middle.append(E)
        e1 = np.zeros(width)
        e1[0] = 1.0
        out.append([W1, *middle, e1])
    return out


def triangle_coordinates(data: RankOneData, f: np.ndarray) -> tuple[float, float, float]:
    """Write a branch output as ``alpha c_+ + beta c_-``; returns (alpha, beta, residual of that fit)."""
    cp_, cm = data.c_plus, data.c_minus
    alpha = float(f @ cp_ / (cp_ @ cp_)) if np.any(cp_) else 0.0
    beta = float(f @ cm / (cm @ cm)) if np.any(cm) else 0.0
    return alpha, beta, float(np.linalg.norm(f - alpha * cp_ - beta * cm))


def thm5_stated_weights(data: RankOneData, t: float, m1: int = 2, m2: int = 1):
    """Theorem 5's optimal weights of the standard three-layer subproblem P(t) (K = 1, labels of one sign).

    ``W_1 = t a (rho_+ - rho_-)^T / ||a||`` and ``w_2 = rho_+ + rho_-`` with ``rho_+-`` non-negative, of disjoint
    support and ``||rho_+||^2 + ||rho_-||^2 = 1``, the split ``||rho_+||^2 : ||rho_-||^2 = |g_1| : |g_2|`` chosen by
    the labels (one of them zero when the labels lie along c_+ or c_- alone: the single-vertex case); one output
    weight ``sign(g) (|g_1| + |g_2|)/(t ||a||)``.  Raises ValueError for labels of mixed sign, which no
    single-unit construction interpolates.
    """
    if data.K != 1:
        raise ValueError("Theorem 5 is stated for scalar outputs (K = 1)")
    t = finite_scalar("t", t, minimum=0.0, strict=True)
    m1 = positive_int("m1", m1, minimum=2)
    m2 = positive_int("m2", m2)
    g1, g2 = float(data.g1[0]), float(data.g2[0])
    if g1 * g2 < 0:
        raise ValueError("labels of mixed sign (g1 * g2 < 0): the stated one-unit weights cannot interpolate them")
    total = abs(g1) + abs(g2)
    if total == 0:
        raise ValueError("zero labels: the optimal network is zero")
    rho_p = np.zeros(m1)
    rho_m = np.zeros(m1)
    rho_p[0] = math.sqrt(abs(g1) / total)
    rho_m[1] = math.sqrt(abs(g2) / total)
    norm_a = float(np.linalg.norm(data.a))
    W1 = t * np.outer(data.a / norm_a, rho_p - rho_m)
    W2 = np.zeros((m1, m2))
    W2[:, 0] = rho_p + rho_m
    w3 = np.zeros(m2)
    w3[0] = math.copysign(total / (t * norm_a), g1 + g2)
    return W1, W2, w3


def thm5_overall_weights(data: RankOneData, m1: int = 2, m2: int = 1):
    """The stated weights at the optimal scale ``t* = P(1)^(1/3)``, balanced: weights of problem (17)."""
    t_star = rank_one_dual_closed_form(data, 1.0) ** (1.0 / 3.0)
    return balance_standard3(*thm5_stated_weights(data, t_star, m1, m2))


def mixed_sign_standard_net(data: RankOneData, t: float):
    """An explicit standard three-layer net attaining ``rank_one_standard_value`` for mixed-sign labels: first layer
    ``h = t||a|| (cos th, -sin th)`` split by Hoelder's weights, two second-layer units reading ``h_+`` and ``h_-``."""
    g1, g2 = float(data.g1[0]), float(data.g2[0])
    if g1 * g2 >= 0:
        raise ValueError("this construction is for labels of mixed sign")
    T = t * float(np.linalg.norm(data.a))
    th = math.atan((abs(g2) / abs(g1)) ** (1.0 / 3.0))
    x, y = T * math.cos(th), T * math.sin(th)
    ahat = data.a / np.linalg.norm(data.a)
    W1 = np.outer(ahat, np.array([x, -y])) / np.linalg.norm(data.a)  # W_1^T a = (x, -y)
    W2 = np.eye(2)
    w3 = np.array([g1 / x, g2 / y])
    return W1, W2, w3


# --------------------------------------------------------------------------------------------------------------
# sampled-constraint duals (upper bounds) and group lasso over given branches
# --------------------------------------------------------------------------------------------------------------
def sample_branches(d: int, L: int, width: int, count: int, rng: np.random.Generator) -> list:
    """``count`` random branches of depth L (hidden width ``width``), each layer Gaussian scaled to norm 1."""
    d, L, width, count = (
        positive_int("d", d),
        positive_int("L", L, minimum=2),
        positive_int("width", width),
        positive_int("count", count),
    )
    shapes = [(d, width)] + [(width, width)] * (L - 3) + [(width,)] if L >= 3 else [(d,)]
    out = []
    for _ in range(count):
        b = []
        for s in shapes:
            W = rng.standard_normal(s)
            b.append(W / np.linalg.norm(W))
        out.append(b)
    return out


def features_of(X: np.ndarray, branches) -> np.ndarray:
    """Branch outputs as columns (N x S)."""
    return np.column_stack([branch_output(X, b) for b in branches])


def sampled_dual(X: np.ndarray, Y: np.ndarray, F: np.ndarray, solver: str = "CLARABEL") -> RouteResult:
    """``max tr(Lam^T Y)`` s.t. ``||Lam^T f_s|| <= 1`` for the columns f_s of F only: a relaxation of the dual, hence
    an UPPER bound on it.  K = 1 goes to HiGHS (an LP), K > 1 to CVXPY.  ``ok`` False when unbounded (Y outside
    the span of the sampled outputs)."""
    Y = finite_array("Y", Y)
    Y = Y[:, None] if Y.ndim == 1 else Y
    F = finite_array("F", F, ndim=2, shape=(Y.shape[0], None))
    keep = np.linalg.norm(F, axis=0) > 0
    F = F[:, keep]
    if F.shape[1] == 0:
        return RouteResult(float("inf"), "no non-zero sampled output", False, route="sampled")
    if Y.shape[1] == 1:
        from scipy.optimize import linprog

        A = np.vstack([F.T, -F.T])
        res = linprog(-Y[:, 0], A_ub=A, b_ub=np.ones(A.shape[0]), bounds=(None, None), method="highs")
        if res.status != 0:
            return RouteResult(float("inf"), res.message, False, route="scipy/HiGHS")
        return RouteResult(float(-res.fun), "optimal", True, route="scipy/HiGHS", data={"Lam": res.x[:, None]})
    import cvxpy as cp

    Lam = cp.Variable(Y.shape)
    prob = cp.Problem(cp.Maximize(cp.sum(cp.multiply(Lam, Y))), [cp.norm(F.T @ Lam, 2, axis=1) <= 1])
    failed = solve_cvxpy(prob, solver, failed_value=float("inf"))
    if failed is not None:
        return failed
    return RouteResult(float(prob.value), "optimal", True, route=f"cvxpy/{solver}", data={"Lam": np.asarray(Lam.value)})


def exact_fit(F: np.ndarray, Y: np.ndarray, W: np.ndarray) -> np.ndarray:
    """A solver's last layer W with its interpolation residual removed: ``W + F^+ (Y - F W)``, the least-norm
    correction (solvers meet ``F W = Y`` only to their feasibility tolerance, 1e-7 for HiGHS; the correction is of
    that size, so the cost moves by as little).  Kept only if it lowers the residual."""
    W = np.asarray(W, dtype=np.float64).reshape(F.shape[1], -1)
    Y = Y.reshape(F.shape[0], -1)
    corrected = W + np.linalg.lstsq(F, Y - F @ W, rcond=None)[0]
    return corrected if np.linalg.norm(F @ corrected - Y) < np.linalg.norm(F @ W - Y) else W


def group_lasso(F: np.ndarray, Y: np.ndarray, solver: str = "CLARABEL", lp: bool = True) -> RouteResult:
    """Problem (26): the cheapest last layer ``min sum_j ||w_j||`` s.t. ``F W = Y`` for fixed branch outputs F.

    K = 1 with ``lp`` is a linear program (HiGHS); otherwise a second-order cone program (CVXPY).  ``data["W"]``
    (S x K)."""
    Y = finite_array("Y", Y)
    Y = Y[:, None] if Y.ndim == 1 else Y
    F = finite_array("F", F, ndim=2, shape=(Y.shape[0], None))
    S = F.shape[1]
    if Y.shape[1] == 1 and lp:
        from scipy.optimize import linprog

        res = linprog(np.ones(2 * S), A_eq=np.hstack([F, -F]), b_eq=Y[:, 0], bounds=(0, None), method="highs")
        if res.status != 0:
            return RouteResult(float("nan"), res.message, False, route="scipy/HiGHS")
        w = exact_fit(F, Y, (res.x[:S] - res.x[S:])[:, None])
        return RouteResult(float(np.abs(w).sum()), "optimal", True, route="scipy/HiGHS", data={"W": w})
    import cvxpy as cp

    W = cp.Variable((S, Y.shape[1]))
    prob = cp.Problem(cp.Minimize(cp.sum(cp.norm(W, 2, axis=1))), [F @ W == Y])
    failed = solve_cvxpy(prob, solver)
    if failed is not None:
        return failed
    Wv = exact_fit(F, Y, np.asarray(W.value))
    return RouteResult(
        float(np.linalg.norm(Wv, axis=1).sum()), "optimal", True, route=f"cvxpy/{solver}", data={"W": Wv}
    )


# --------------------------------------------------------------------------------------------------------------
# exact dual constraint of three-layer branches (K = 1, small data)
# --------------------------------------------------------------------------------------------------------------
def _blocks(N: int):
    """(S mask, sign) for every non-empty orthant S and sign: relu(z) = 1_S * z on the orthant of S."""
    for bits in itertools.product((True, False), repeat=N):
        S = np.array(bits)
        if S.any():
            for sigma in (1.0, -1.0):
                yield S, sigma


def _check_l3(X: np.ndarray, arr: Arrangements) -> tuple[np.ndarray, np.ndarray]:
    X = finite_array("X", X, ndim=2)
    if not isinstance(arr, Arrangements) or not arr.exact:
        raise ValueError("the exact three-layer dual needs an exact enumeration of the arrangement cells")
    if arr.patterns.shape[1] != X.shape[0]:
        raise ValueError(f"arrangement patterns have {arr.patterns.shape[1]} columns for {X.shape[0]} samples")
    if X.shape[0] > 6:
        raise ValueError(f"the orthant decomposition has 2^(N+1) blocks: N = {X.shape[0]} > 6 is too large")
    Dm = arr.patterns.T
    return Dm, 2.0 * Dm - 1.0


def _branch_from_blocks(Pb: np.ndarray, Qb: np.ndarray, theta: float):
    """A unit-bounded three-layer branch whose hidden output ``relu(X W_1) w_2`` is ``sum_j D_j X (p_j - q_j)/theta``
    (p_j, q_j in their cones): one unit per non-zero block with ``u = p/||p|| sqrt(rho)``, ``w_2 = +-sqrt(rho)``,
    ``rho = ||p||/theta`` (so ``||W_1||_F^2 = ||w_2||^2 = sum rho <= 1``)."""
    cols, w2 = [], []
    for B, sign in ((Pb, 1.0), (Qb, -1.0)):
        for p in B.T:
            npn = float(np.linalg.norm(p))
            if npn > BRANCH_DROP_RTOL * theta:
                rho = npn / theta
                cols.append(p / npn * math.sqrt(rho))
                w2.append(sign * math.sqrt(rho))
    return [np.array(cols).T, np.array(w2)]


def l3_constraint_value(X: np.ndarray, lam: np.ndarray, arr: Arrangements, solver: str = "CLARABEL") -> RouteResult:
    """``max |lam^T f(X)|`` over three-layer branches with ``||W_1||_F, ||w_2|| <= 1`` (any width >= N + 1), exactly.

    One second-order cone program per orthant S and sign s: maximize ``s lam_S^T z_S`` over ``z in C`` with z in the
    orthant, ``C = {sum_j D_j X (p_j - q_j) : p_j, q_j in K_j, sum ||p_j|| + ||q_j|| <= 1}``; the blocks are
    independent, so all are solved as one program with the sum of their objectives.  ``data["branch"]``: a branch
    attaining the maximum; ``data["block_values"]``.
    """
    import cvxpy as cp

    Dm, Sm = _check_l3(X, arr)
    lam = finite_array("lam", lam, ndim=1, shape=(X.shape[0],))
    d, P = X.shape[1], arr.P
    blocks = list(_blocks(X.shape[0]))
    objs, cons, vars_ = [], [], []
    for S, sigma in blocks:
        Pb, Qb = cp.Variable((d, P)), cp.Variable((d, P))
        z = cp.sum(cp.multiply(Dm, X @ (Pb - Qb)), axis=1)
        cons += [
            cp.multiply(Sm, X @ Pb) >= 0,
            cp.multiply(Sm, X @ Qb) >= 0,
            cp.sum(cp.norm(Pb, 2, axis=0)) + cp.sum(cp.norm(Qb, 2, axis=0)) <= 1,
        ]
        if S.all():
            cons.append(z >= 0)
        else:
            cons += [z[np.flatnonzero(S)] >= 0, z[np.flatnonzero(~S)] <= 0]
        objs.append(sigma * (lam * S) @ z)
        vars_.append((Pb, Qb))
    prob = cp.Problem(cp.Maximize(cp.sum(cp.hstack(objs))), cons)
    failed = solve_cvxpy(prob, solver)
    if failed is not None:
        return failed
    values = np.array([float(o.value) for o in objs])
    k = int(np.argmax(values))
    Pv, Qv = (np.asarray(v.value) for v in vars_[k])
    theta = float(np.linalg.norm(Pv, axis=0).sum() + np.linalg.norm(Qv, axis=0).sum())
    branch = _branch_from_blocks(Pv, Qv, max(theta, 1e-300)) if theta > 0 else None
    return RouteResult(
        float(values.max()), "optimal", True, route=f"cvxpy/{solver}", data={"block_values": values, "branch": branch}
    )


def l3_dual_exact(X: np.ndarray, y: np.ndarray, arr: Arrangements, solver: str = "CLARABEL") -> RouteResult:
    """The exact dual (24) (= (20) at t = 1) of three-layer nets for K = 1, as one second-order cone program.

    The constraint ``max_{z in C, z in orthant S} s lam_S^T z_S <= 1`` of each block is replaced by its conic dual:
    multipliers ``mu >= 0`` of the orthant signs and, per cell j, ``nu >= 0`` of the cone ``K_j`` with
    ``||X^T (D_j g) + X^T S_j nu|| <= 1`` (and the same for -g), ``g = s lam 1_S + mu (+-1 on/off S)``.
    """
    import cvxpy as cp

    Dm, Sm = _check_l3(X, arr)
    y = finite_array("y", y, ndim=1, shape=(X.shape[0],))
    N, P = X.shape[0], arr.P
    lam = cp.Variable(N)
    cons = []
    ones = np.ones((1, P))
    for S, sigma in _blocks(N):
        mu = cp.Variable(N, nonneg=True)
        nu_p = cp.Variable((N, P), nonneg=True)
        nu_m = cp.Variable((N, P), nonneg=True)
        g = sigma * cp.multiply(S.astype(float), lam) + cp.multiply(np.where(S, 1.0, -1.0), mu)
        G = cp.multiply(Dm, cp.reshape(g, (N, 1), order="F") @ ones)
        cons += [
            cp.norm(X.T @ (G + cp.multiply(Sm, nu_p)), 2, axis=0) <= 1,
            cp.norm(X.T @ (-G + cp.multiply(Sm, nu_m)), 2, axis=0) <= 1,
        ]
    prob = cp.Problem(cp.Maximize(lam @ y), cons)
    failed = solve_cvxpy(prob, solver)
    if failed is not None:
        return failed
    return RouteResult(float(prob.value), "optimal", True, route=f"cvxpy/{solver}", data={"lam": np.asarray(lam.value)})


def l3_bidual_exact(X: np.ndarray, y: np.ndarray, arr: Arrangements, solver: str = "CLARABEL") -> RouteResult:
    """The bi-dual: the convex program of parallel three-layer nets (K = 1), and the explicit net it yields.

    One block per orthant S and sign s: ``z_b = sum_j D_j X (p_bj - q_bj)`` in the orthant, ``y = sum_b s_b 1_S z_b``,
    minimize ``sum_b sum_j ||p_bj|| + ||q_bj||``.  Block b becomes one branch (``_branch_from_blocks``) with output
    weight ``s_b theta_b``, ``theta_b`` its share of the cost.  ``data["net"]``: the ParallelNet.
    """
    import cvxpy as cp

    Dm, Sm = _check_l3(X, arr)
    y = finite_array("y", y, ndim=1, shape=(X.shape[0],))
    d, P = X.shape[1], arr.P
    blocks = list(_blocks(X.shape[0]))
    cons, vars_, out, cost = [], [], 0, 0
    for S, sigma in blocks:
        Pb, Qb = cp.Variable((d, P)), cp.Variable((d, P))
        z = cp.sum(cp.multiply(Dm, X @ (Pb - Qb)), axis=1)
        cons += [cp.multiply(Sm, X @ Pb) >= 0, cp.multiply(Sm, X @ Qb) >= 0]
        if S.all():
            cons.append(z >= 0)
        else:
            cons += [z[np.flatnonzero(S)] >= 0, z[np.flatnonzero(~S)] <= 0]
        out = out + sigma * cp.multiply(S.astype(float), z)
        cost = cost + cp.sum(cp.norm(Pb, 2, axis=0)) + cp.sum(cp.norm(Qb, 2, axis=0))
        vars_.append((Pb, Qb, sigma))
    prob = cp.Problem(cp.Minimize(cost), cons + [out == y])
    failed = solve_cvxpy(prob, solver)
    if failed is not None:
        return failed
    thetas = []
    for Pb, Qb, _ in vars_:
        thetas.append(
            float(
                np.linalg.norm(np.asarray(Pb.value), axis=0).sum() + np.linalg.norm(np.asarray(Qb.value), axis=0).sum()
            )
        )
    total = max(sum(thetas), 1e-300)
    branches, weights = [], []
    for (Pb, Qb, sigma), theta in zip(vars_, thetas):
        if theta > BRANCH_DROP_RTOL * total:
            branches.append(_branch_from_blocks(np.asarray(Pb.value), np.asarray(Qb.value), theta))
            weights.append(sigma * theta)
    rows = np.array(weights, dtype=np.float64).reshape(len(weights), 1)
    # the branches are built from an interior-point point whose cone and equality constraints hold to ~1e-8, so
    # the explicit net's last layer gets the least-norm correction that makes it interpolate
    WL = exact_fit(features_of(X, branches), y[:, None], rows) if branches else rows
    net = ParallelNet(tuple(branches), WL)
    return RouteResult(float(prob.value), "optimal", True, route=f"cvxpy/{solver}", data={"net": net})


# --------------------------------------------------------------------------------------------------------------
# non-convex training (torch float64)
# --------------------------------------------------------------------------------------------------------------
def _solve_min_norm_np(F: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(F, Y, rcond=None)[0]


def _parallel_objective(Xt, Yt, m: int, gains, Ws, act):
    """The smooth objective of (23) in its variational form (see :func:`train_parallel`), for activation ``act``."""
    import torch

    N, d = Xt.shape

    def objective():
        H = Xt.expand(m, N, d)
        for W in Ws[:-1]:
            Wn = W / torch.sqrt(torch.sum(W**2, dim=(1, 2), keepdim=True))
            H = act(H @ Wn)
        w = Ws[-1] / torch.sqrt(torch.sum(Ws[-1] ** 2, dim=-1, keepdim=True))
        F = act(torch.einsum("mnk,mk->nm", H, w))
        G = F * gains
        GG = G @ G.T
        # 1/2 tr(Y^T (G G^T + delta I)^-1 Y) = 1/2 ||V||^2 + ||G V - Y||^2 / (2 delta) at the ridge solution V:
        # the minimum-norm last layer plus a steep penalty on any failure to interpolate (a dead sample)
        delta = 1e-12 * (torch.trace(GG) / N + 1e-300)
        eye = torch.eye(N, dtype=torch.float64)
        return 0.5 * (gains @ gains + torch.sum(Yt * torch.linalg.solve(GG + delta * eye, Yt)))

    return objective


def _parallel_start(X: np.ndarray, Y: np.ndarray, shapes, m: int, gen):
    """Random branch parameters (m copies of each layer shape) and the last layer's gains of one start."""
    import torch

    Ws = [torch.randn(m, *s, generator=gen, dtype=torch.float64).requires_grad_(True) for s in shapes]
    gains = (torch.ones(m, dtype=torch.float64) * math.sqrt(max(float(np.linalg.norm(Y)), 1e-3) / m)).requires_grad_(
        True
    )
    return Ws, gains


def _parallel_net_of(X: np.ndarray, Y: np.ndarray, Ws, gains, polish: bool) -> tuple[float, ParallelNet | None]:
    """The best interpolating explicit net at a trained point: normalized branches with the minimum-norm last layer
    of the variational form, and (``polish``) with the exact group lasso (26) over those branches."""
    m = int(gains.shape[0])
    branches = []
    for j in range(m):
        b = []
        for W in Ws:
            Wj = W[j].detach().numpy().copy()
            b.append(Wj / np.linalg.norm(Wj))
        branches.append(b)
    F = features_of(X, branches)
    s = gains.detach().numpy().copy()
    V = _solve_min_norm_np(F * s, Y)
    candidates = [ParallelNet(tuple(branches), s[:, None] * V)]
    if polish:
        gl = group_lasso(F, Y)
        if gl.ok:
            candidates.append(ParallelNet(tuple(branches), gl["W"]))
    best_val, best_net = float("inf"), None
    for net in candidates:
        if interpolation_residual(net.output(X), Y) <= TRAIN_INTERP_RTOL and net.group_norm() < best_val:
            best_val, best_net = net.group_norm(), net
    return best_val, best_net


def train_parallel(
    X: np.ndarray,
    Y: np.ndarray,
    L: int,
    m: int,
    width: int,
    *,
    starts: int = 3,
    seed: int = 0,
    max_iter: int = 100,
    smoothing=SMOOTHING,
    polish: bool = True,
) -> RouteResult:
    """Problem (23) by L-BFGS from random starts: ``m`` branches of depth L (hidden width ``width``).

    Branch layers are used divided by their Frobenius norms (the constraint holds with equality); the group norm of
    the last layer is written variationally, ``sum_j ||w_j|| = min_s 1/2 sum_j (s_j^2 + ||v_j||^2)`` with
    ``w_j = s_j v_j``, and v is the minimum-norm solution of ``F diag(s) V = Y``, so every iterate interpolates.
    At the end the branches are fixed and the last layer is the exact group lasso (26) (``polish``); the value is
    the group norm of an explicit network whose interpolation residual is checked.  ``data["values"]`` holds one
    value per start (inf for a start whose network does not interpolate).
    """
    import torch

    X = finite_array("X", X, ndim=2)
    Y = finite_array("Y", Y)
    Y = Y[:, None] if Y.ndim == 1 else Y
    L, m, width = positive_int("L", L, minimum=2), positive_int("m", m), positive_int("width", width)
    starts = positive_int("starts", starts)
    d = X.shape[1]
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    gen = torch.Generator().manual_seed(int(seed) % (2**63))
    shapes = [(d, width)] + [(width, width)] * (L - 3) + [(width,)] if L >= 3 else [(d,)]
    temps = tuple(float(t) * max(float(np.linalg.norm(X, 2)), 1e-3) for t in smoothing)
    values: list[float] = []
    nets: list[ParallelNet | None] = []
    for _ in range(starts):
        Ws, gains = _parallel_start(X, Y, shapes, m, gen)
        lbfgs_with_smoothing(
            [*Ws, gains],
            lambda act, Ws=Ws, gains=gains: _parallel_objective(Xt, Yt, m, gains, Ws, act),
            temps,
            max_iter,
        )
        if not all(bool(torch.isfinite(W).all()) for W in [*Ws, gains]):
            values.append(float("inf"))
            nets.append(None)
            continue
        value, net = _parallel_net_of(X, Y, Ws, gains, polish)
        values.append(value)
        nets.append(net)
    k = int(np.argmin(values))
    ok = bool(np.isfinite(values[k]))
    return RouteResult(
        values[k],
        "interpolating" if ok else "no start interpolates",
        ok,
        route="torch/L-BFGS",
        data={"values": values, "net": nets[k]},
    )


def train_standard3(
    X: np.ndarray,
    Y: np.ndarray,
    m1: int,
    m2: int,
    *,
    starts: int = 3,
    seed: int = 0,
    max_iter: int = 100,
    smoothing=SMOOTHING,
) -> RouteResult:
    """Problem (17), the standard three-layer net with weight decay, by L-BFGS from random starts.

    The last layer is solved exactly: ``w_3 = F^+ Y`` (minimum norm, which is what weight decay picks) with
    ``F = relu(relu(X W_1) W_2)``; the value is the weight decay of explicit weights whose interpolation residual is
    checked (inf for a start that does not interpolate).
    """
    import torch

    X = finite_array("X", X, ndim=2)
    Y = finite_array("Y", Y)
    Y = Y[:, None] if Y.ndim == 1 else Y
    m1, m2, starts = positive_int("m1", m1), positive_int("m2", m2), positive_int("starts", starts)
    N, d = X.shape
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    gen = torch.Generator().manual_seed(int(seed) % (2**63))
    xs = max(float(np.linalg.norm(X, 2)), 1e-3)
    g = (max(float(np.linalg.norm(Y)), 1e-3) / xs) ** (1.0 / 3.0)
    temps = tuple(float(t) * xs * g for t in smoothing)
    eye = torch.eye(N, dtype=torch.float64)
    values: list[float] = []
    weights: list[tuple | None] = []
    for _ in range(starts):
        W1 = (torch.randn(d, m1, generator=gen, dtype=torch.float64) * g / math.sqrt(d * m1)).requires_grad_(True)
        W2 = (torch.randn(m1, m2, generator=gen, dtype=torch.float64) * g / math.sqrt(m1)).requires_grad_(True)

        def objective_for(act, W1=W1, W2=W2):
            def objective():
                F = act(act(Xt @ W1) @ W2)
                FF = F @ F.T
                # ||w_3||^2 of the minimum-norm last layer, plus a steep penalty on non-interpolation (see above)
                delta = 1e-12 * (torch.trace(FF) / N + 1e-300)
                return 0.5 * (
                    torch.sum(W1**2) + torch.sum(W2**2) + torch.sum(Yt * torch.linalg.solve(FF + delta * eye, Yt))
                )

            return objective

        lbfgs_with_smoothing([W1, W2], objective_for, temps, max_iter)
        A, B = W1.detach().numpy().copy(), W2.detach().numpy().copy()
        if not (np.isfinite(A).all() and np.isfinite(B).all()):
            values.append(float("inf"))
            weights.append(None)
            continue
        F = relu(relu(X @ A) @ B)
        w3 = _solve_min_norm_np(F, Y)
        if interpolation_residual(F @ w3, Y) <= TRAIN_INTERP_RTOL:
            values.append(standard3_cost(A, B, w3))
        else:
            values.append(float("inf"))
        weights.append((A, B, w3))
    k = int(np.argmin(values))
    ok = bool(np.isfinite(values[k]))
    return RouteResult(
        values[k],
        "interpolating" if ok else "no start interpolates",
        ok,
        route="torch/L-BFGS",
        data={"values": values, "weights": weights[k]},
    )


# --------------------------------------------------------------------------------------------------------------
# Theorem 5 with labels of mixed sign: the standard net's lower bound, certified
# --------------------------------------------------------------------------------------------------------------
def standard_lower_bound_certificate(data: RankOneData, t: float = 1.0, grid: int = 20001) -> dict:
    """The numbers behind ``rank_one_standard_value`` for mixed-sign labels (K = 1), each checkable on its own.

    For a first layer with ``h = W_1^T a``, ``x = ||h_+|| = T cos th``, ``y = ||h_-|| <= T sin th`` (T = t||a||),
    every second-layer unit outputs ``alpha c_+ + beta c_-`` with ``alpha <= x``, ``beta <= y`` and alpha, beta >= 0,
    so ``mu = (1/x, -1/y)`` satisfies ``|mu . (alpha, beta)| <= 1`` for every unit and certifies that interpolating
    ``g_1 c_+ + g_2 c_-`` costs at least ``G(th) = g_1/x - g_2/y`` (g_1 > 0 > g_2 after a sign flip).  G is convex on
    (0, pi/2); its minimum is the Hoelder value.  Returned: the stationary point, the value there, the one-sided
    slopes around it, and the minimum of G on a fine grid (all must agree).
    """
    g1, g2 = float(data.g1[0]), float(data.g2[0])
    if not g1 * g2 < 0:
        raise ValueError("the certificate is for labels of mixed sign")
    A, B = abs(g1), abs(g2)
    T = t * float(np.linalg.norm(data.a))

    def G(th):
        return (A / np.cos(th) + B / np.sin(th)) / T

    th_star = math.atan((B / A) ** (1.0 / 3.0))
    h = 1e-6
    ths = np.linspace(1e-4, np.pi / 2 - 1e-4, grid)
    return {
        "theta_star": th_star,
        "G_star": float(G(th_star)),
        "slope_left": float((G(th_star) - G(th_star - h)) / h),
        "slope_right": float((G(th_star + h) - G(th_star)) / h),
        "G_grid_min": float(np.min(G(ths))),
        "hoelder_value": rank_one_standard_value(data, t),
    }


def thm5_mixed_sign_witness() -> dict[str, np.ndarray]:
    """Two samples on a line through the origin with labels of opposite sign: ``c = (1, -1)``, ``a = (1)``,
    ``y = (1, -1)`` (K = 1).  Dual value D(1) = 2; the standard net's P(1) = 2 sqrt(2); overall (weight decay)
    P = 3 > D = 3/2 * 2^(2/3).  Holds the data, t = 1 and an explicit standard net attaining P(1)."""
    data = RankOneData(np.array([1.0, -1.0]), np.array([1.0]), np.array([[1.0], [-1.0]]))
    W1, W2, w3 = mixed_sign_standard_net(data, 1.0)
    return {"c": data.c, "a": data.a, "Y": data.Y, "t": np.array(1.0), "W1": W1, "W2": W2, "w3": w3}
