"""Non-convex training of the parallel and the three-layer standard ReLU nets (random starts, L-BFGS with
smoothing, a minimum-norm polish).
"""

from __future__ import annotations

import math

import numpy as np

from landscape.core.results import RouteResult
from landscape.core.validate import finite_array, positive_int
from landscape.pilanci2020.training import SMOOTHING, lbfgs_with_smoothing
from landscape.wang2023.relu.general import features_of, group_lasso
from landscape.wang2023.relu.networks import ParallelNet, interpolation_residual, relu, standard3_cost
from landscape.wang2023.tolerances import (
    TRAIN_INTERP_RTOL,
)


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
