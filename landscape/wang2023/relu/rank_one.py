"""Rank-one data of Wang et al. (2023), Section 4: dual closed form and its two solver routes, the standard
net's value, the vertex branches, Theorem 5's weights and witness, and the standard net's lower-bound certificate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from landscape.core.results import RouteResult, solve_cvxpy
from landscape.core.validate import finite_array, finite_scalar, positive_int
from landscape.wang2023.relu.networks import balance_standard3
from landscape.wang2023.tolerances import (
    SPAN_RTOL,
)


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
