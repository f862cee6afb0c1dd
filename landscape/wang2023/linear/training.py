"""Non-convex routes of the deep linear family: stair nets minimized by L-BFGS in torch (float64) from random
starts, the last layer solved exactly, every accepted run re-evaluated in numpy at an interpolating point."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from landscape.core import tolerances as tol
from landscape.core.certify import grad_norm, lbfgs
from landscape.core.results import RouteResult
from landscape.core.validate import finite_array, finite_scalar, positive_int
from landscape.wang2023.linear.closed_forms import check_data, check_depth, check_scale
from landscape.wang2023.linear.stair_net import (
    StairNet,
    branch_outputs,
    budget_cost,
    end_to_end,
    power_cost,
    weight_decay_cost,
)
from landscape.wang2023.tolerances import COND_MAX_INV, GRAD_RTOL, RESIDUAL_RTOL

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


def _initial_scale(X: np.ndarray) -> float:
    return max(float(np.linalg.norm(X, 2)), 1e-3)


class _StairObjective:
    """The smooth objective of one stair-net problem in torch, and the map from free parameters to the net.

    Free parameters: shared matrices, per-branch matrices, per-branch columns and, for ``"power"``, the free part Z
    of the output rows.  Under ``"budget"`` matrices are used as ``t V / ||V||_F``.  The output rows are never free:
    ``rows = F^+ Y + (I - F^+ F) Z`` with F the branch outputs (full row rank needed).
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray, shape: StairShape, penalty: str, t, beta):
        import torch

        self.torch = torch
        self.X, self.Y, self.shape, self.penalty, self.t, self.beta = X, Y, shape, penalty, t, beta
        self.m, self.L, self.K = shape.m, shape.L, Y.shape[1]
        self.shared_dims, self.branch_dims, self.h_last = _dims(shape, X.shape[1])
        self.Xt, self.Yt = torch.from_numpy(X), torch.from_numpy(Y)
        top = float(np.linalg.norm(np.linalg.pinv(X, rcond=tol.RANK_RTOL) @ Y, 2)) + 1e-3
        self.layer_scale = top ** (1.0 / shape.L)

    def initial(self, gen) -> list:
        """Random starting parameters at the scale that makes the product of L layers match ``||X^+ Y||_2``."""
        torch, m, s, L = self.torch, self.m, self.shape.s, self.L
        xs = _initial_scale(self.X)
        params = []
        for i, (a, b) in enumerate(self.shared_dims):
            std = self.layer_scale / (xs if i == 0 else np.sqrt(a))
            params.append(torch.randn(a, b, generator=gen, dtype=torch.float64) * std)
        for i, (a, b) in enumerate(self.branch_dims):
            std = self.layer_scale / (xs if (i == 0 and s == 0) else np.sqrt(a))
            params.append(torch.randn(m, a, b, generator=gen, dtype=torch.float64) * std)
        std = self.layer_scale / (xs if L == 2 else np.sqrt(self.h_last))
        params.append(torch.randn(m, self.h_last, generator=gen, dtype=torch.float64) * std)
        if self.penalty == "power":
            params.append(torch.randn(m, self.K, generator=gen, dtype=torch.float64) * self.layer_scale)
        for p in params:
            p.requires_grad_(True)
        return params

    def build(self, params):
        """Torch tensors of the net (shared, branch, cols, Z) from the free parameters."""
        torch, budget = self.torch, self.penalty == "budget"
        k = len(self.shared_dims)
        shared = [self.t * V / torch.linalg.norm(V) if budget else V for V in params[:k]]
        branch = []
        for V in params[k : k + len(self.branch_dims)]:
            if budget:
                V = self.t * V / torch.linalg.norm(V.reshape(self.m, -1), dim=1)[:, None, None]
            branch.append(V)
        k += len(self.branch_dims)
        Z = params[k + 1] if self.penalty == "power" else None
        return shared, branch, params[k], Z

    def outputs(self, shared, branch, cols):
        """F (N x m): the branch outputs before the output rows."""
        A = self.Xt
        for W in shared:
            A = A @ W  # N x m_s
        H = A.unsqueeze(0).expand(self.m, *A.shape)  # (m, N, m_s)
        for B in branch:
            H = self.torch.bmm(H, B)  # (m, N, h)
        return self.torch.einsum("mnh,mh->nm", H, cols)  # N x m

    def rows_of(self, F, Z):
        """``F^+ Y + (I - F^+ F) Z`` for a full-row-rank F."""
        solve = self.torch.linalg.solve
        G = F @ F.T
        R = F.T @ solve(G, self.Yt)
        if Z is not None:
            R = R + Z - F.T @ solve(G, F @ Z)
        return R

    def __call__(self, params):
        torch, m = self.torch, self.m
        shared, branch, cols, Z = self.build(params)
        R = self.rows_of(self.outputs(shared, branch, cols), Z)
        if self.penalty == "power":
            norms = [torch.sqrt(torch.sum(B.reshape(m, -1) ** 2, dim=1) + 1e-300) for B in branch]
            norms += [torch.sqrt(torch.sum(cols**2, dim=1) + 1e-300), torch.sqrt(torch.sum(R**2, dim=1) + 1e-300)]
            return self.beta * sum(torch.sum(n**self.L) for n in norms)
        total = 0.5 * (torch.sum(cols**2) + torch.sum(R**2))
        if self.penalty == "weight_decay":
            total = total + 0.5 * sum(torch.sum(W**2) for W in shared) + 0.5 * sum(torch.sum(B**2) for B in branch)
        return total

    def numpy_net(self, params) -> tuple[StairNet, np.ndarray | None]:
        """The net at ``params`` in numpy (output rows zero: re-solved by :func:`solve_rows`) and Z."""
        with self.torch.no_grad():
            shared, branch, cols, Z = self.build(params)
        arr = lambda v: v.detach().numpy().copy()  # noqa: E731
        net = StairNet(
            tuple(arr(W) for W in shared), tuple(arr(B) for B in branch), arr(cols), np.zeros((self.m, self.K))
        )
        return net, (arr(Z) if Z is not None else None)

    def cost(self, net: StairNet) -> float:
        """The problem's objective at an explicit (rescaled, interpolating) point, in numpy."""
        if self.penalty == "budget":
            return budget_cost(net, self.t)
        if self.penalty == "weight_decay":
            return weight_decay_cost(net)
        return power_cost(net, self.beta)


def _check_training_input(X, Y, shape, penalty, t, beta, starts, max_iter):
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
    return X, Y, t, beta, positive_int("starts", starts), positive_int("max_iter", max_iter)


def _reduced_data(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(I_r, Q^T X^+ Y, Q)`` with Q an orthonormal basis of the columns of ``X^+ Y`` (see :func:`train_stair_net`)."""
    Wstar = np.linalg.pinv(X, rcond=tol.RANK_RTOL) @ Y
    Q = range_basis(Wstar)
    if Q.shape[1] == 0:
        raise ValueError("Y is zero: every net with zero output rows is optimal")
    return np.eye(Q.shape[1]), Q.T @ Wstar, Q


def _check_branch_count(shape: StairShape, N: int, reduce: bool) -> None:
    if shape.m < N:
        raise ValueError(
            f"m = {shape.m} branches < {N} = "
            + ("rank(X^+Y)" if reduce else "N samples")
            + ": the exact last-layer solve needs that many branches"
        )
    if reduce and shape.s > 0 and min(shape.widths) < N:
        raise ValueError(f"shared widths {shape.widths} below rank(X^+Y) = {N}: the problem is infeasible")


def _one_start(obj: _StairObjective, gen, max_iter: int, X0, Y0, Q) -> dict:
    """One L-BFGS run; returns ``{"value", "grad", "net", "residual"}`` or ``{"discarded": reason}``."""
    import torch

    params = obj.initial(gen)
    try:
        lbfgs(params, lambda: obj(params), max_iter, tolerance_grad=1e-11)
        gnorm = grad_norm(obj(params), params)
    except (RuntimeError, torch.linalg.LinAlgError) as exc:  # a singular F during the line search
        return {"discarded": f"torch: {type(exc).__name__}"}
    net, Z = obj.numpy_net(params)
    solved = solve_rows(obj.X, obj.Y, net, Z)
    if not solved.ok:
        return {"discarded": solved.status}
    net, residual = solved["net"], solved["residual"]
    if Q is not None:  # back to the original data: the residual is measured there
        net = lift_first_layer(net, Q)
        residual = float(np.linalg.norm(X0 @ end_to_end(net, X0.shape[1]) - Y0))
        if not residual <= RESIDUAL_RTOL * (1.0 + float(np.linalg.norm(Y0))):
            return {"discarded": f"lifted residual {residual:.3g} too large"}
    return {"value": obj.cost(net), "grad": gnorm, "net": net, "residual": residual}


def train_stair_net(
    X,
    Y,
    shape: StairShape,
    penalty: str,
    *,
    t: float | None = None,
    beta: float | None = None,
    starts: int = 4,
    seed: int = 0,
    max_iter: int = 500,
    reduce: bool = True,
) -> RouteResult:
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

    X0, Y0, t, beta, starts, max_iter = _check_training_input(X, Y, shape, penalty, t, beta, starts, max_iter)
    X, Y, Q = _reduced_data(X0, Y0) if reduce else (X0, Y0, None)
    _check_branch_count(shape, X.shape[0], reduce)
    obj = _StairObjective(X, Y, shape, penalty, t, beta)
    gen = torch.Generator().manual_seed(int(seed))
    runs = [_one_start(obj, gen, max_iter, X0, Y0, Q) for _ in range(starts)]
    kept = [r for r in runs if "value" in r]
    discarded = [r["discarded"] for r in runs if "discarded" in r]
    if not kept:
        return RouteResult(
            np.nan,
            f"every run discarded ({'; '.join(sorted(set(discarded)))})",
            False,
            route="torch/L-BFGS",
            data={"values": [], "discarded": discarded},
        )
    values = [r["value"] for r in kept]
    best = kept[int(np.argmin(values))]
    converged = best["grad"] <= GRAD_RTOL * (1.0 + best["value"])
    return RouteResult(
        best["value"],
        "converged" if converged else "gradient not small",
        bool(converged),
        route="torch/L-BFGS",
        data={
            "values": values,
            "grad_norms": [r["grad"] for r in kept],
            "discarded": discarded,
            "net": best["net"],
            "residual": best["residual"],
            "converged": bool(converged),
        },
    ).with_checks({"primal feasibility": best["residual"], "stationarity": best["grad"]})


def solve_rows(X, Y, net: StairNet, Z=None) -> RouteResult:
    """Re-solve the output rows in numpy (``F^+ Y + (I - F^+ F) Z``) so that the net interpolates Y.

    Returns a route result whose ``value`` is the residual ``||F rows - Y||_F`` and whose ``data`` holds the net
    (``"net"``) and the residual; ``ok`` is False (with the reason as status) when F lost row rank or the residual
    is too large (the point is then not usable as an interpolating net)."""
    F = branch_outputs(X, net)
    sf = np.linalg.svd(F, compute_uv=False)
    if sf.size < X.shape[0] or sf[0] == 0 or sf[-1] < COND_MAX_INV * sf[0]:
        return RouteResult(np.nan, "branch outputs lost row rank", False, route="numpy/pinv")
    Fp = np.linalg.pinv(F)
    rows = Fp @ Y
    if Z is not None:
        rows = rows + Z - Fp @ (F @ Z)
    residual = float(np.linalg.norm(F @ rows - Y))
    if not residual <= RESIDUAL_RTOL * (1.0 + float(np.linalg.norm(Y))):
        return RouteResult(residual, f"interpolation residual {residual:.3g} too large", False, route="numpy/pinv")
    return RouteResult(
        residual, "interpolating", True, route="numpy/pinv", data={"net": replace(net, rows=rows), "residual": residual}
    )
