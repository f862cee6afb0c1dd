"""Stair nets: one representation of the standard, parallel and partly parallel deep linear nets, their costs,
rescalings and the explicit optimal constructions of Props. 2-4 and 9 (Wang, Ergen, Pilanci 2023)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from landscape.core import tolerances as tol
from landscape.core.validate import finite_array, finite_scalar, positive_int
from landscape.wang2023.linear.closed_forms import check_data, check_depth, check_scale, compact_svd


# ==============================================================================================================
# stair nets: the common representation of standard, parallel and partly parallel linear nets
# ==============================================================================================================
@dataclass(frozen=True)
class StairNet:
    """``s`` shared matrices, per-branch matrices (leading axis = branch), per-branch columns and rows."""

    shared: tuple[np.ndarray, ...]  # W_1 (d x m_1), ..., W_s (m_{s-1} x m_s)
    branch: tuple[np.ndarray, ...]  # B_{s+1} (m, m_s, h), B_{s+2} (m, h, h), ... up to layer L-2
    cols: np.ndarray  # (m, h_last): c_j = w_{L-1,j}
    rows: np.ndarray  # (m, K):      r_j = w_{L,j}

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
            raise ValueError(
                f"weights[{i - 1}] (shape {weights[i - 1].shape}) and weights[{i}] (shape "
                f"{weights[i].shape}) do not chain"
            )
    return StairNet(tuple(weights[:-2]), (), weights[-2].T.copy(), weights[-1])


def _shared_product(net: StairNet, d: int) -> np.ndarray:
    P = np.eye(d)
    for W in net.shared:
        P = P @ W
    return P


def branch_vectors(net: StairNet, d: int) -> np.ndarray:
    """``(m, d)``: row j is ``W_1 ... W_s B_{s+1,j} ... B_{L-2,j} c_j`` (branch j's direction in input space)."""
    P = _shared_product(net, d)  # d x m_s
    v = net.cols  # (m, h)
    for B in reversed(net.branch):  # B (m, in, out): v_j <- B_j v_j
        v = np.einsum("mio,mo->mi", B, v)
    return v @ P.T  # (m, d)


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
    total = sum(float(np.sum(W**2)) for W in net.shared) + sum(float(np.sum(B**2)) for B in net.branch)
    return 0.5 * (total + float(np.sum(net.cols**2)) + float(np.sum(net.rows**2)))


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
    return float(beta * np.sum(n**L))


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
        raise ValueError(
            f"{name} {widths}: every width must be >= rank {floor} (the product cannot have rank {floor} otherwise)"
        )
    return widths


def stair_factors(
    W, L: int, s: int, t: float, widths: Sequence[int], m: int, *, branch_width: int = 1, seed: int = 0
) -> StairNet:
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
    out_rows = t ** (-s) * nrm**s * (sp.sv ** (2.0 / q))[:, None] * sp.Vt  # r x K (Prop. 2(b) last layer)
    inner = Us[s]  # m_s x r, unit columns
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
    return stair_factors(
        np.linalg.pinv(X, rcond=tol.RANK_RTOL) @ Ym, L, 0, 1.0, (), m, branch_width=branch_width
    ), bound
