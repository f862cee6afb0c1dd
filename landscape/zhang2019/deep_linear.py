"""Schatten-H regularized deep linear networks (Zhang, Shao, Salakhutdinov 2019, Section 3 and eq. 6).

Problem (4): for data ``X`` (d_0 x n, columns are samples), targets ``Y`` (d_H x n) and weights ``W_i``
(d_i x d_{i-1}), minimize

    F(W) = 1/2 ||Y - W_H ... W_1 X||_F^2 + (gamma/H) (||W_1 X||_{S_H}^H + sum_{i>=2} ||W_i||_{S_H}^H).

Three routes to its optimum, kept independent of one another:

* ``closed_form``      singular-value soft-thresholding of the projected targets ``Y~ = Y X^+ X``, truncated to
                       the narrowest hidden width (derived through the factorization identity, eq. 6);
* ``dual_by_cvxpy``    the dual problem (5), a spectral-norm constrained concave program, solved by Clarabel;
* ``primal_by_training`` the non-convex objective itself, minimized by L-BFGS in torch from random starts.

Plus the pieces of the theorem's certificate: the dual objective and feasibility of any point, the recovery of
weights from a dual point (Thm 2(b)), and the balanced factorization that attains eq. 6.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from landscape.core import tolerances as tol
from landscape.core.certify import grad_norm, lbfgs
from landscape.core.results import RouteResult, solve_cvxpy
from landscape.core.validate import finite_array, finite_scalar, positive_int


# --------------------------------------------------------------------------------------------------------------
# problem and basic quantities
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeepLinearProblem:
    """An instance of problem (4): data, targets, layer widths ``(d_0, d_1, ..., d_H)`` and ``gamma``."""

    X: np.ndarray
    Y: np.ndarray
    widths: tuple[int, ...]
    gamma: float
    note: str = field(default="", compare=False)

    def __post_init__(self):
        X = finite_array("X", self.X, ndim=2)
        Y = finite_array("Y", self.Y, ndim=2)
        if not isinstance(self.widths, (tuple, list)) or len(self.widths) < 3:
            raise ValueError(f"widths must list (d_0, d_1, ..., d_H) with depth H >= 2, got {self.widths!r}")
        widths = tuple(positive_int(f"widths[{i}]", w) for i, w in enumerate(self.widths))
        if X.shape[0] != widths[0]:
            raise ValueError(f"X has {X.shape[0]} rows but widths[0] = {widths[0]}")
        if Y.shape[0] != widths[-1]:
            raise ValueError(f"Y has {Y.shape[0]} rows but widths[-1] = {widths[-1]}")
        if Y.shape[1] != X.shape[1]:
            raise ValueError(f"X and Y must have the same number of columns (samples): {X.shape[1]} != {Y.shape[1]}")
        gamma = finite_scalar("gamma", self.gamma, minimum=0.0)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)
        object.__setattr__(self, "widths", widths)
        object.__setattr__(self, "gamma", gamma)

    @property
    def H(self) -> int:
        return len(self.widths) - 1

    @property
    def n(self) -> int:
        return self.X.shape[1]

    @property
    def d_min(self) -> int:
        return min(self.widths[1:-1])

    @property
    def size(self) -> int:
        return max(max(self.widths), self.n)

    def summary(self) -> str:
        s = np.linalg.svd(projected_targets(self.X, self.Y), compute_uv=False)
        return (
            f"H={self.H} widths={self.widths} n={self.n} rank(X)={row_space(self.X).shape[1]} "
            f"gamma={self.gamma:.4g} sv(Y~)={np.array2string(s, precision=3)} {self.note}"
        ).strip()

    def assumptions(self) -> dict[str, bool]:
        """Theorem 2's assumptions on this instance (d_min <= min(d_0, d_H, n); gamma < sigma_min(Y~))."""
        return {
            "width": self.d_min <= min(self.widths[0], self.widths[-1], self.n),
            "gamma_below_sigma_min": self.gamma < sigma_min_nonzero(projected_targets(self.X, self.Y)),
        }


def row_space(X: np.ndarray) -> np.ndarray:
    """Orthonormal basis (n x r) of the row space of X; singular values below RANK_RTOL * s_1 count as zero."""
    X = finite_array("X", X, ndim=2)
    _, s, vt = np.linalg.svd(X, full_matrices=False)
    r = int(np.sum(s > tol.RANK_RTOL * s[0])) if s.size and s[0] > 0 else 0
    return vt[:r].T


def projected_targets(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``Y~ = Y X^+ X``: the rows of Y projected onto the row space of X."""
    V = row_space(X)
    return (Y @ V) @ V.T


def sigma_min_nonzero(A: np.ndarray) -> float:
    """Smallest singular value of A above the RANK_RTOL threshold (inf for the zero matrix)."""
    s = np.linalg.svd(A, compute_uv=False)
    if s.size == 0 or s[0] == 0:
        return np.inf
    return float(s[s > tol.RANK_RTOL * s[0]].min())


def schatten_power(A: np.ndarray, p: float) -> float:
    """``||A||_{S_p}^p = sum_j sigma_j(A)^p``."""
    return float(np.sum(np.linalg.svd(A, compute_uv=False) ** p))


def ky_fan_squared(A: np.ndarray, k: int) -> float:
    """``||A||_(k)^2 = sum of the k largest squared singular values`` (the dual's objective term)."""
    s = np.linalg.svd(A, compute_uv=False)
    return float(np.sum(s[:k] ** 2))


# --------------------------------------------------------------------------------------------------------------
# objectives
# --------------------------------------------------------------------------------------------------------------
def _check_weights(problem: DeepLinearProblem, weights) -> list[np.ndarray]:
    if len(weights) != problem.H:
        raise ValueError(f"weights must hold H = {problem.H} matrices, got {len(weights)}")
    out = []
    for i, W in enumerate(weights, start=1):
        W = finite_array(f"weights[{i - 1}]", W, ndim=2, shape=(problem.widths[i], problem.widths[i - 1]))
        out.append(W)
    return out


def product(X: np.ndarray, weights) -> np.ndarray:
    """``W_H ... W_1 X``."""
    P = np.asarray(X, dtype=np.float64)
    for W in weights:
        P = W @ P
    return P


def regularizer(X: np.ndarray, weights) -> float:
    """The average Schatten-H penalty ``(1/H)(||W_1 X||_{S_H}^H + sum_{i>=2} ||W_i||_{S_H}^H)`` of eq. (6)."""
    if len(weights) < 1:
        raise ValueError("weights must hold at least one matrix (depth H >= 1)")
    H = len(weights)
    terms = [schatten_power(weights[0] @ X, H)] + [schatten_power(W, H) for W in weights[1:]]
    return float(np.mean(terms))


def primal_objective(problem: DeepLinearProblem, weights) -> float:
    """F(W) of problem (4), evaluated in numpy."""
    weights = _check_weights(problem, weights)
    fit = 0.5 * float(np.sum((problem.Y - product(problem.X, weights)) ** 2))
    return fit + problem.gamma * regularizer(problem.X, weights)


def dual_objective(problem: DeepLinearProblem, Lam: np.ndarray) -> float:
    """The dual objective of (5) at Lam: ``1/2 ||Y||_F^2 - 1/2 ||Y~ - Lam||_(d_min)^2``."""
    Lam = finite_array("Lam", Lam, ndim=2, shape=problem.Y.shape)
    Yt = projected_targets(problem.X, problem.Y)
    return 0.5 * float(np.sum(problem.Y**2)) - 0.5 * ky_fan_squared(Yt - Lam, problem.d_min)


def dual_feasibility(problem: DeepLinearProblem, Lam: np.ndarray) -> dict[str, float]:
    """How far Lam is from the dual feasible set: spectral-norm excess over gamma and row-space residual."""
    Lam = finite_array("Lam", Lam, ndim=2, shape=problem.Y.shape)
    V = row_space(problem.X)
    spec = float(np.linalg.norm(Lam, 2)) if Lam.size else 0.0
    return {
        "spectral_norm": spec,
        "excess": spec - problem.gamma,
        "row_residual": float(np.linalg.norm(Lam - (Lam @ V) @ V.T)),
    }


# --------------------------------------------------------------------------------------------------------------
# route 1: closed form
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClosedForm:
    value: float
    Z: np.ndarray  # an optimal end-to-end map W_H ... W_1 X
    singular_values: np.ndarray  # of Y~
    Lam: np.ndarray  # a dual optimal point: sum_j min(s_j, gamma) u_j v_j^T
    k: int  # d_min


def closed_form(problem: DeepLinearProblem) -> ClosedForm:
    """Optimal value of (4) by soft-thresholding the top-d_min singular values of Y~ (valid for every gamma >= 0).

    Derivation: by eq. (6) problem (4) equals ``min 1/2||Y - Z||^2 + gamma ||Z||_*`` over Z of rank <= d_min with
    rows in Row(X); split ``Y = Y~ + (Y - Y~)`` orthogonally and apply von Neumann's trace inequality.
    """
    Yt = projected_targets(problem.X, problem.Y)
    U, s, Vt = np.linalg.svd(Yt, full_matrices=False)
    k, g = problem.d_min, problem.gamma
    s_top, s_tail = s[:k], s[k:]
    per_value = np.where(s_top <= g, 0.5 * s_top**2, g * s_top - 0.5 * g**2)
    value = 0.5 * float(np.sum((problem.Y - Yt) ** 2)) + float(np.sum(per_value)) + 0.5 * float(np.sum(s_tail**2))
    shrunk = np.maximum(s_top - g, 0.0)
    Z = (U[:, :k] * shrunk) @ Vt[:k]
    Lam = (U * np.minimum(s, g)) @ Vt
    return ClosedForm(value=value, Z=Z, singular_values=s, Lam=Lam, k=k)


# --------------------------------------------------------------------------------------------------------------
# route 2: the dual (5) by a conic solver
# --------------------------------------------------------------------------------------------------------------
def dual_by_cvxpy(problem: DeepLinearProblem, solver: str = "CLARABEL") -> RouteResult:
    """Solve the dual (5) with CVXPY; never raises for solver trouble (``ok=False`` with the status instead).

    Row(Lam) in Row(X) is enforced exactly by ``Lam = B V^T`` (V an orthonormal basis of Row(X)); then
    ``sigma(Y~ - Lam) = sigma(C - B)`` with ``C = Y~ V`` and ``||Lam|| = ||B||``.  The top-k squared singular
    values go through the epigraph ``M >= (C - B)(C - B)^T`` (a Schur complement) and ``lambda_sum_largest``.

    ``data``: ``Lam`` (the solver's point), ``Lam_feasible`` (scaled into the spectral ball if it overshoots, so
    that weak duality applies to it exactly), ``certified_value`` (dual objective at ``Lam_feasible``, a rigorous
    lower bound on the primal optimum up to float64 evaluation), ``feasibility``.
    """
    import cvxpy as cp

    V = row_space(problem.X)
    Yt = projected_targets(problem.X, problem.Y)
    dH, r = problem.Y.shape[0], V.shape[1]
    C = Yt @ V
    k = min(problem.d_min, dH, r)
    B = cp.Variable((dH, r))
    M = cp.Variable((dH, dH), symmetric=True)
    R = C - B
    lifted = cp.bmat([[M, R], [R.T, np.eye(r)]])
    constraints = [lifted >> 0, cp.sigma_max(B) <= problem.gamma] if problem.gamma > 0 else [lifted >> 0, B == 0]
    objective = cp.lambda_sum_largest(M, k) if k < dH else cp.trace(M)
    prob = cp.Problem(cp.Minimize(objective), constraints)
    failed = solve_cvxpy(prob, solver, B)
    if failed is not None:
        return failed
    Lam = B.value @ V.T
    spec = float(np.linalg.norm(Lam, 2))
    Lam_feasible = Lam * (problem.gamma / spec) if spec > problem.gamma else Lam
    value = 0.5 * float(np.sum(problem.Y**2)) - 0.5 * float(prob.value)
    return RouteResult(
        value,
        str(prob.status),
        True,
        route=f"cvxpy/{solver}",
        data={
            "Lam": Lam,
            "Lam_feasible": Lam_feasible,
            "certified_value": dual_objective(problem, Lam_feasible),
            "feasibility": dual_feasibility(problem, Lam),
        },
    )


# --------------------------------------------------------------------------------------------------------------
# recovery (Thm 2(b)) and the balanced factorization (eq. 6)
# --------------------------------------------------------------------------------------------------------------
def balanced_factorization(
    U: np.ndarray, s: np.ndarray, Vt: np.ndarray, X: np.ndarray, widths: tuple[int, ...]
) -> list[np.ndarray]:
    """Weights whose product with X is ``U diag(s) Vt`` and whose H penalty terms all equal ``sum(s)``.

    ``W_1 = [S^{1/H} V^T; 0] X^+``, ``W_i = [S^{1/H} 0; 0 0]``, ``W_H = [U S^{1/H}, 0]`` (Thm 2(b)); requires the
    rows of ``U diag(s) Vt`` in Row(X) and ``len(s) <= min(hidden widths)``.
    """
    widths = tuple(int(w) for w in widths)
    H, r = len(widths) - 1, len(s)
    if H < 1:
        raise ValueError("widths must describe at least one layer")
    if r > min(widths[1:-1], default=r):
        raise ValueError(f"rank {r} does not fit through the narrowest hidden width {min(widths[1:-1])}")
    root = np.asarray(s, dtype=np.float64) ** (1.0 / H)
    pinvX = np.linalg.pinv(X, rcond=tol.RANK_RTOL)
    weights = []
    for i in range(1, H + 1):
        W = np.zeros((widths[i], widths[i - 1]))
        if H == 1:
            W = (U * s) @ Vt @ pinvX
        elif i == 1:
            W[:r] = (root[:, None] * Vt) @ pinvX
        elif i == H:
            W[:, :r] = U * root
        else:
            W[:r, :r] = np.diag(root)
        weights.append(W)
    return weights


def recover_weights(
    problem: DeepLinearProblem, Lam: np.ndarray, drop_rtol: float = 0.0
) -> tuple[list[np.ndarray], float]:
    """Theorem 2(b): weights from the top-d_min SVD of ``Y~ - Lam``, and the relative tie of that truncation.

    The tie is ``(sigma_k - sigma_{k+1}) / sigma_1``, reported only when ``sigma_k`` is itself above the tie
    threshold (a tie among zero singular values is harmless); it is ``inf`` when there is no tie to speak of.
    Singular values below ``drop_rtol * ||Y~||_2`` are set to zero (see ``tolerances.RECOVERY_DROP_RTOL``).
    """
    Lam = finite_array("Lam", Lam, ndim=2, shape=problem.Y.shape)
    drop_rtol = finite_scalar("drop_rtol", drop_rtol, minimum=0.0)
    Yt = projected_targets(problem.X, problem.Y)
    U, s, Vt = np.linalg.svd(Yt - Lam, full_matrices=False)
    if s.size:  # relative to ||Y~||: when the optimum is Z = 0, every singular value of Y~ - Lam is spurious
        s = np.where(s < drop_rtol * np.linalg.norm(Yt, 2), 0.0, s)
    k = min(problem.d_min, s.size)
    gap = np.inf
    if s.size > k and s[0] > 0 and s[k - 1] > tol.TIE_RTOL * s[0]:
        gap = float((s[k - 1] - s[k]) / s[0])
    weights = balanced_factorization(U[:, :k], s[:k], Vt[:k], problem.X, problem.widths)
    return weights, gap


# --------------------------------------------------------------------------------------------------------------
# route 3: the non-convex primal by L-BFGS
# --------------------------------------------------------------------------------------------------------------
def torch_objective(problem: DeepLinearProblem):
    """F(W) of problem (4) as a differentiable torch function of the weight list (float64)."""
    import torch

    X = torch.from_numpy(problem.X)
    Y = torch.from_numpy(problem.Y)
    H, g = problem.H, problem.gamma

    def schatten(A):
        # even H: ||A||_{S_H}^H = trace((A^T A)^{H/2}), a polynomial (smooth, cheap); odd H: singular values
        if H % 2 == 0:
            G = A.T @ A if A.shape[0] >= A.shape[1] else A @ A.T
            return torch.trace(torch.linalg.matrix_power(G, H // 2))
        return torch.sum(torch.linalg.svdvals(A) ** H)

    def objective(Ws):
        P = X
        for W in Ws:
            P = W @ P
        fit = 0.5 * torch.sum((Y - P) ** 2)
        reg = schatten(Ws[0] @ X)
        for W in Ws[1:]:
            reg = reg + schatten(W)
        return fit + g / H * reg

    return objective


def primal_by_training(
    problem: DeepLinearProblem, *, starts: int = 4, seed: int = 0, max_iter: int = 300, rounds: int = 1
) -> RouteResult:
    """Minimize F(W) directly (torch, float64, L-BFGS with strong-Wolfe line search) from ``starts`` random points.

    Every returned value is F at an explicit weight tuple (re-evaluated in numpy), hence an upper bound on the
    optimum whether or not the run converged; ``ok`` says whether the best run stopped at a small gradient.
    """
    import torch

    starts = positive_int("starts", starts)
    H = problem.H
    gen = torch.Generator().manual_seed(int(seed))
    scale = float((np.linalg.norm(problem.Y, 2) + 1e-3) ** (1.0 / H))

    objective = torch_objective(problem)

    values: list[float] = []
    grads: list[float] = []
    best = 0
    for _ in range(starts):
        Ws = []
        for i in range(1, H + 1):
            # the first layer sees X, so it is scaled by ||X||_2; later layers by their fan-in
            fan = max(float(np.linalg.norm(problem.X, 2)), 1e-3) if i == 1 else float(np.sqrt(problem.widths[i - 1]))
            std = scale / fan
            Ws.append(
                (
                    torch.randn(problem.widths[i], problem.widths[i - 1], generator=gen, dtype=torch.float64) * std
                ).requires_grad_(True)
            )
        lbfgs(Ws, lambda: objective(Ws), max_iter, tolerance_grad=1e-11, rounds=rounds)
        gnorm = grad_norm(objective(Ws), Ws)
        weights = [W.detach().numpy().copy() for W in Ws]
        value = primal_objective(problem, weights)
        values.append(value)
        grads.append(gnorm)
        if len(values) == 1 or value < values[best]:
            best = len(values) - 1
            best_weights = weights
    converged = grads[best] <= 1e-6 * (1.0 + values[best])
    return RouteResult(
        values[best],
        "converged" if converged else "gradient not small",
        bool(converged),
        route="torch/L-BFGS",
        data={"values": values, "grad_norms": grads, "weights": best_weights},
    )


# --------------------------------------------------------------------------------------------------------------
# the tie counterexample to Theorem 2(b) as literally stated
# --------------------------------------------------------------------------------------------------------------
def tied_recovery_witness() -> dict[str, np.ndarray]:
    """A dual maximizer whose top-d_min SVD is ambiguous, and the choice of SVD that makes Thm 2(b) fail.

    ``X = I_2``, ``Y = diag(3, 2)``, widths ``(2, 1, 2)`` (H = 2, d_min = 1), ``gamma = 1 < sigma_min(Y~) = 2``.
    ``Lam = diag(1, 0)`` is dual feasible with dual value 4.5, which explicit weights ``W_opt`` (product
    ``diag(2, 0)``) also attain, so both are optimal.  ``Y~ - Lam = diag(2, 2)`` has a tied top singular value;
    the valid rank-one SVD ``e_2 * 2 * e_2^T`` yields weights with objective 6.5 > 4.5.
    """
    U = np.array([[0.0], [1.0]])
    s = np.array([2.0])
    Vt = np.array([[0.0, 1.0]])
    r = np.sqrt(2.0)
    return {
        "X": np.eye(2),
        "Y": np.diag([3.0, 2.0]),
        "widths": np.array([2, 1, 2]),
        "gamma": np.array(1.0),
        "Lam": np.diag([1.0, 0.0]),
        "U": U,
        "s": s,
        "Vt": Vt,
        "W_opt_0": np.array([[r, 0.0]]),
        "W_opt_1": np.array([[r], [0.0]]),
    }
