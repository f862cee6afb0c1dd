"""Induced linear units (Section 5): networks whose hidden layers t+1..H each hold n "linear" units (slope 1)
that feed no non-linear unit of the next layer (Definition 1, weakly separated), optionally receiving nothing
from the non-linear units of the previous layer either (Definition 2, strongly separated); and both sides of
Theorem 2 / Corollaries 1-2:

``L(theta) <= RHS(S) = 1/2 ||(I - P[Phi(S)]) Y||^2 - sum_{l,k} 1/2 ||P[N_k (I - P[PhiBar(S)]) D_k] vec Y||^2``

for every subsequence S of (t, ..., H), by two routes: the regression value by lstsq minus the per-unit
Gram-Schmidt gain, and the single projection ``1/2 ||(I - P[[PhiBar(S), D]]) vec Y||^2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import scipy.linalg as sla

from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019.networks import Net, forward, vec


@dataclass(frozen=True)
class Highway:
    """A network with n linear units first in each hidden layer l > t, and the masks of the separation
    conditions.  ``free`` (over theta) is False on the edges removed by the architecture."""

    net: Net
    t: int
    n: int
    strong: bool
    separated: np.ndarray  # theta entries that condition (iii) (and, if strong, Definition 2) set to zero

    def linear_units(self, l: int) -> np.ndarray:
        """Indices of the linear units of hidden layer l (1-based); empty for l <= t."""
        return np.arange(self.n) if l > self.t else np.arange(0)

    def summary(self) -> str:
        return f"highway t={self.t} n={self.n} {'strong' if self.strong else 'weak'}; {self.net.summary()}"


def build(d_x: int, widths, d_y: int, t: int, n: int, nonlinear_slopes, strong: bool) -> Highway:
    """``nonlinear_slopes[l]`` gives the slopes of the non-linear units of layer l+1 (all units for l < t)."""
    H = len(widths)
    if not 0 <= t <= H:
        raise ValueError(f"t must lie in 0..H={H}, got {t}")
    slopes = []
    for l in range(H):
        a = np.asarray(nonlinear_slopes[l], dtype=float)
        slopes.append(np.concatenate([np.ones(n), a]) if l + 1 > t else a)
        if slopes[-1].size != widths[l]:
            raise ValueError(f"widths[{l}]={widths[l]} does not match the {slopes[-1].size} units given")
    net = Net(d_x, tuple(widths), d_y, slopes=tuple(slopes))
    sep = [np.zeros(s, dtype=bool) for s in net.shapes]
    for l in range(t + 1, H):  # weights W^(l+1): from layer l to layer l+1, for l in t+1..H-1
        lin_in, lin_out = np.arange(n), np.arange(n)
        nl_out = np.arange(n, widths[l])
        sep[l][np.ix_(lin_in, nl_out)] = True  # (iii): linear -> non-linear removed
        if strong:
            nl_in = np.arange(n, widths[l - 1])
            sep[l][np.ix_(nl_in, lin_out)] = True  # Definition 2: non-linear -> linear removed
    separated = np.concatenate([m.T.reshape(-1) for m in sep])
    return Highway(net, t, n, strong, separated)


def subsequences(t: int, H: int, only_ends: bool = False) -> list[tuple[int, ...]]:
    """Every subsequence of (t, ..., H) (Theorem 2, Corollary 1) or of (t, H) (Corollary 2), the empty one
    included."""
    base = (t, H) if only_ends and t != H else tuple(range(t, H + 1))
    base = tuple(dict.fromkeys(base))
    return [S for r in range(len(base) + 1) for S in combinations(base, r)]


def regression_value(Phi_S: np.ndarray, Y: np.ndarray, abs_cutoff: float | None = None) -> float:
    """Basis-function regression ``min_R 1/2 ||Phi_S R - Y||^2`` by lstsq (``Phi_S`` may have no columns), with
    singular values of ``Phi_S`` below ``abs_cutoff`` treated as zero."""
    if Phi_S.shape[1] == 0 or not np.any(Phi_S):
        return 0.5 * float(np.sum(Y**2))
    cond = None
    if abs_cutoff is not None:
        cond = abs_cutoff / float(np.linalg.norm(Phi_S, 2))
    R, *_ = sla.lstsq(Phi_S, Y, cond=cond, lapack_driver="gelsd")
    return 0.5 * float(np.sum((Phi_S @ R - Y) ** 2))


def phibar(Phis: list, S, d_y: int) -> np.ndarray:
    """``[I_{d_y} (x) Phi^(l)]_{l in S}``."""
    m = Phis[0].shape[0]
    cols = [np.kron(np.eye(d_y), Phis[l]) for l in S]
    return np.hstack(cols) if cols else np.zeros((m * d_y, 0))


@dataclass(frozen=True)
class Sides:
    S: tuple
    regression: float
    gs_gain: float
    rhs_gs: float
    rhs_closed: float
    slack: float
    lemma4: float
    gap: float
    s_min: float
    rank: int = 0  # numerical rank of [PhiBar(S), D] (SVD at the middle of its gap)
    gs_rank: int = 0  # dimension of the span the Gram-Schmidt route projects on (rank of PhiBar(S) + its blocks)
    gs_rounding: float = 0.0  # first-order rounding of the Gram-Schmidt gain (tangent.gram_schmidt)


def highway_products(hw: Highway, theta) -> dict[int, float]:
    """For each l in t..H-1: ``sigma_{d_y}(A^(l+2) ... A^(H+1))``, the d_y-th singular value of the product of
    the highway-to-highway blocks after layer l+1 and the highway-to-output block (0 when the highway is
    narrower than d_y).  It converts the gradient of the weights into the highway units of layer l+1 into a bound
    on Lemma 4's residual: ``||Phi^(l)^T R|| <= ||grad|| / sigma``."""
    net = hw.net
    Ws = net.unpack(np.asarray(theta))
    lin = np.arange(hw.n)
    out = {}
    for l in range(hw.t, net.depth):
        P = np.eye(hw.n)
        for lp in range(l + 2, net.depth + 1):  # W^(lp): layer lp-1 -> lp, both highway
            P = P @ Ws[lp - 1][np.ix_(lin, lin)]
        P = P @ Ws[net.depth][lin, :]
        s = np.linalg.svd(P, compute_uv=False)
        out[l] = float(s[net.d_y - 1]) if s.size >= net.d_y else 0.0
    return out


def both_sides(
    hw: Highway,
    theta,
    X,
    Y,
    grad_norm: float,
    free: np.ndarray | None = None,
    only_ends: bool = False,
    gap_ratio: float = 1e6,
) -> list[Sides]:
    """RHS(S) by the two routes for every S, and the derived slack of ``L <= RHS(S)`` at an approximate
    critical point: ``(sum_{l in S} (|g| / sigma_l)^2 + |g|^2) / (2 s_min+(M_S)^2)`` with M_S = [PhiBar(S), D]
    (vec Yhat lies in col(M_S) by Lemma 1; sigma_l from ``highway_products``; sigma_H = 1 since
    ``Phi^(H)^T R`` is the output-layer gradient).  The rank of M_S is taken at the middle of its spectral gap;
    ``gap`` reports the gap ratio (below ``gap_ratio`` the two routes may legitimately differ).
    ``free`` restricts D to the free hidden parameters (Corollary 1's D-hat)."""
    net = hw.net
    fw = forward(net, theta, X)
    y, r = vec(Y), vec(fw.Yhat - Y)
    blocks = kt.unit_blocks(net, theta, X)[:-1]  # hidden blocks only
    offs = net.offsets()
    if free is not None:
        kept = []
        for (l, k), B in blocks:
            start = offs[l - 1] + (k - 1) * B.shape[1]
            mask = free[start : start + B.shape[1]]
            kept.append(((l, k), B[:, mask]))
        blocks = kept
    D = np.hstack([B for _, B in blocks])
    sig = highway_products(hw, theta)
    sig[net.depth] = 1.0
    out = []
    for S in subsequences(hw.t, net.depth, only_ends):
        PB = phibar(fw.Phi, S, net.d_y)
        Phi_S = np.hstack([fw.Phi[l] for l in S]) if S else np.zeros((X.shape[0], 0))
        M = np.hstack([PB, D])
        s_all = np.linalg.svd(M, compute_uv=False)
        k = int(np.sum(s_all > kt.default_cutoff(M, s_all[0])))
        below = s_all[k] if k < s_all.size else 0.0
        gap = s_all[k - 1] / below if k and below > 0 else np.inf
        cut = float(np.sqrt(s_all[k - 1] * max(below, kt.default_cutoff(M, s_all[0])))) if k else 1.0
        reg = regression_value(Phi_S, Y, cut)
        Qb = kt.orthonormal_basis(PB, cut)
        proj = [B - Qb @ (Qb.T @ B) for _, B in blocks]
        gs = kt.gram_schmidt(proj, y - Qb @ (Qb.T @ y), cut)
        gain = 0.5 * sum(gs.terms)
        closed = kt.J_svd(M, y, cut)
        lemma4 = float(np.linalg.norm(PB.T @ r)) if PB.shape[1] else 0.0
        num = grad_norm**2 + sum((grad_norm / sig[l]) ** 2 if sig[l] > 0 else np.inf for l in S)
        slack = num / (2 * s_all[k - 1] ** 2) if k else 0.0
        s_k = float(s_all[k - 1]) if k else 0.0
        out.append(
            Sides(S, reg, gain, reg - gain, closed, slack, lemma4, gap, s_k, k, Qb.shape[1] + gs.rank, gs.rounding)
        )
    return out
