"""Tangent features and the value J(theta) of the best linear fit on them.

The Jacobian ``Jac = d vec(Yhat) / d theta`` (m d_y x d_theta) by two routes:

* ``jacobian_autodiff``: ``torch.func.jacrev`` of the torch forward pass;
* ``jacobian_kronecker``: the paper's per-unit blocks ``D^(l)_k`` assembled from the activation patterns, the
  later weights and the Kronecker product (here: the back-propagated signals ``delta^(l)`` computed by the
  explicit recursion over the patterns, then ``D^(l)_k = [diag(delta^(l)_{.,k,o}) Phi^(l-1)]_o`` stacked over
  outputs o, which is the Kronecker formula with the sum over paths carried out layer by layer), plus the output
  block ``I_{d_y} (x) Phi^(H)``.

J by three routes: ``J_svd`` (projection on the left singular vectors above a cutoff), ``J_lstsq`` (residual of
``scipy.linalg.lstsq``) and ``J_gram_schmidt`` (the paper's sum over units of the norms of sequentially
orthogonalised blocks).  ``J_fast`` is the large-m route (Gram matrix + pivoted Cholesky, no SVD).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.linalg as sla

from landscape.kawaguchi2019 import tolerances as ktol
from landscape.kawaguchi2019.networks import Net, check_data, check_theta, forward, torch_forward, vec

EPS = float(np.finfo(np.float64).eps)


# -- Jacobian, route 1: automatic differentiation -------------------------------------------------------------
def jacobian_autodiff(net: Net, theta, X) -> np.ndarray:
    import torch

    theta = check_theta(net, theta)
    f = torch_forward(net, X)

    def vec_out(t):
        return f(t).T.reshape(-1)

    return torch.func.jacrev(vec_out)(torch.as_tensor(theta)).detach().numpy()


# -- Jacobian, route 2: per-unit Kronecker blocks ---------------------------------------------------------------
def deltas(net: Net, fw) -> list[np.ndarray]:
    """``delta[l][i, k, o] = d Yhat_{i,o} / d G^(l+1)_{i,k}`` (before an output nonlinearity is applied, the output
    derivative is folded in below), by the recursion over activation patterns and later weights."""
    Ws, Lam = fw.Ws, fw.Lam
    out_scale = (1.0 - fw.Yhat**2) if net.output == "tanh" else np.ones_like(fw.Yhat)  # m x d_y
    H = net.depth
    d: list[np.ndarray] = [np.empty(0)] * H  # filled from the last layer down
    # layer H: Lambda^{H,k} times the output weights W^(H+1)_{k,o} (times tanh' of the output if any)
    d[H - 1] = Lam[H - 1][:, :, None] * Ws[H][None, :, :] * out_scale[:, None, :]
    for l in range(H - 2, -1, -1):
        # sum over the units k' of layer l+2 of W^(l+2)_{k,k'} delta^(l+2)_{i,k',o}, times Lambda^{l+1,k}
        d[l] = Lam[l][:, :, None] * np.einsum("kj,ijo->iko", Ws[l + 1], d[l + 1])
    return d


def unit_blocks(net: Net, theta, X) -> list[tuple[tuple[int, int], np.ndarray]]:
    """The blocks in the paper's order (1,1), ..., (H, d_H), (H+1, 1): ``((l, k), D^(l)_k)`` with ``D^(l)_k`` of
    shape (m d_y) x d_{l-1} (1-based l, k), and finally ``((H+1, 1), I_{d_y} (x) Phi^(H) [times tanh']``."""
    fw = forward(net, check_theta(net, theta), X)
    m = fw.Phi[0].shape[0]
    dl = deltas(net, fw)
    blocks = []
    for l in range(net.depth):
        P = fw.Phi[l]
        for k in range(net.widths[l]):
            # rows for output o: diag(delta[:, k, o]) Phi^(l-1)
            B = (dl[l][:, k, :].T[:, :, None] * P[None, :, :]).reshape(m * net.d_y, P.shape[1])
            blocks.append(((l + 1, k + 1), B))
    out_scale = (1.0 - fw.Yhat**2) if net.output == "tanh" else np.ones_like(fw.Yhat)
    PH = fw.Phi[-1]
    Bout = np.zeros((m * net.d_y, PH.shape[1] * net.d_y))
    for o in range(net.d_y):
        Bout[o * m : (o + 1) * m, o * PH.shape[1] : (o + 1) * PH.shape[1]] = out_scale[:, o : o + 1] * PH
    blocks.append(((net.depth + 1, 1), Bout))
    return blocks


def jacobian_error_scale(net: Net, theta, X) -> float:
    """Scale of the rounding error of a Jacobian entry: the largest entry of the same recursion run on absolute
    values, with the derivative of a smooth unit replaced by 1.  A saturated tanh or softplus unit has a tiny
    derivative (1 - tanh^2 ~ 1e-9) whose ABSOLUTE rounding error is ~eps, and that error is multiplied by the
    later weights; the largest |entry| of the Jacobian itself does not see it."""
    from dataclasses import replace

    fw = forward(net, check_theta(net, theta), X)
    # a smooth unit's derivative carries an absolute error of ~eps (1 + |sigma''| |dG|/eps) with the
    # pre-activation's own rounding |dG| ~ eps |Phi^(l-1)| |W^(l)| and |sigma''| <= 1 (tanh, softplus)
    lam = [
        np.abs(L) + ((1.0 + np.abs(fw.Phi[l]) @ np.abs(fw.Ws[l])) if net.slopes[l] is None else 0.0)
        for l, L in enumerate(fw.Lam)
    ]
    fa = replace(fw, Ws=[np.abs(W) for W in fw.Ws], Lam=lam, Yhat=np.zeros_like(fw.Yhat))
    dl = deltas(net, fa)
    worst = 0.0
    for l in range(net.depth):
        worst = max(worst, float(np.max(np.abs(dl[l]).max(axis=(1, 2)) * np.abs(fw.Phi[l]).max(axis=1))))
    return max(worst, float(np.max(np.abs(fw.Phi[-1]))))


def jacobian_kronecker(net: Net, theta, X) -> np.ndarray:
    return np.hstack([B for _, B in unit_blocks(net, theta, X)])


def hidden_columns(net: Net) -> int:
    """Number of hidden-layer parameters (the Jacobian's columns before the output block)."""
    return net.offsets()[-2]


# -- projections -------------------------------------------------------------------------------------------
def default_cutoff(M: np.ndarray, s_max: float | None = None) -> float:
    """LAPACK/NumPy's rank cutoff ``eps * max(shape) * s_max``."""
    if s_max is None:
        s_max = float(np.linalg.norm(M, 2)) if M.size else 0.0
    return EPS * max(M.shape) * s_max


def paper_cutoff(M: np.ndarray, s_max: float) -> float:
    """The Numerical Recipes cutoff the paper uses for Figure 1: ``1/2 sqrt(p + q + 1) s_max eps``."""
    return 0.5 * np.sqrt(M.shape[0] + M.shape[1] + 1.0) * s_max * EPS


def svd(M: np.ndarray):
    U, s, Vt = np.linalg.svd(M, full_matrices=False)
    return U, s, Vt


def J_svd(M: np.ndarray, y: np.ndarray, tau: float | None = None, *, usv=None) -> float:
    """``1/2 ||(I - P_tau) y||^2`` with ``P_tau`` the projector on the left singular vectors of ``M`` whose
    singular values exceed ``tau`` (default: the LAPACK cutoff)."""
    U, s, _ = usv if usv is not None else svd(M)
    if tau is None:
        tau = default_cutoff(M, s[0] if s.size else 0.0)
    Uk = U[:, s > tau]
    c = Uk.T @ y
    # residual computed directly (not as ||y||^2 - ||c||^2) to avoid cancellation when J << ||y||^2
    res = y - Uk @ c
    return 0.5 * float(res @ res)


def J_lstsq(M: np.ndarray, y: np.ndarray, cond: float | None = None) -> float:
    """``1/2 min_z ||M z - y||^2`` by ``scipy.linalg.lstsq`` (LAPACK gelsd, relative cutoff ``cond``)."""
    z, *_ = sla.lstsq(M, y, cond=cond, lapack_driver="gelsd")
    res = M @ z - y
    return 0.5 * float(res @ res)


def orthonormal_basis(B: np.ndarray, abs_cutoff: float) -> np.ndarray:
    """Orthonormal basis of the columns of ``B`` above an ABSOLUTE singular-value cutoff (a relative cutoff would
    turn the round-off of an almost redundant block into spurious rank)."""
    if B.shape[1] == 0:
        return B
    U, s, _ = np.linalg.svd(B, full_matrices=False)
    return U[:, s > abs_cutoff]


@dataclass(frozen=True)
class GramSchmidt:
    """The per-block Gram-Schmidt route: the paper's terms ``||P[N_j B_j] y||^2``, the rank kept from each block,
    the cutoff each block was decided at, and ``1/2 ||y||^2``."""

    terms: list[float]
    ranks: list[int]
    levels: list[float]
    half_y2: float
    # first-order rounding of J (see ``gram_schmidt``): a comparison with a smaller tolerance cannot be decided
    rounding: float = 0.0

    @property
    def rank(self) -> int:
        """Dimension of the span the route projects on (to compare with the SVD route's numerical rank)."""
        return int(sum(self.ranks))

    @property
    def J(self) -> float:
        """``1/2 ||y||^2 - sum_j 1/2 ||P[N_j B_j] y||^2`` (Theorem 1's right-hand side)."""
        return self.half_y2 - 0.5 * sum(self.terms)


def gram_schmidt(blocks: list[np.ndarray], y: np.ndarray, abs_cutoff: float) -> GramSchmidt:
    """The paper's per-block terms ``||P[N_j B_j] y||^2`` with ``N_j = I - P[[Q_1..Q_{j-1}]]``, ``Q_j = N_j B_j``
    (orthogonalised twice against the previous basis, classical Gram-Schmidt with re-orthogonalisation).

    Rank decision: a singular value of the residual ``N_j B_j`` counts when it exceeds ``abs_cutoff`` AND the
    residual's own rounding level ``tolerances.gram_schmidt_level`` (which grows with ||B_i|| / sigma_i of the
    directions kept before and with B_j's coefficients on them: a direction kept from a tiny residual is
    inaccurate, and its error reappears in the later residuals).  The route decides its rank by itself; callers
    compare ``rank`` with the SVD route's.

    Rounding of the value: a kept direction u with residual singular value sigma leaves the true span by an angle
    of (residual's rounding level) / sigma, which changes J by at most that angle times |u^T y| ||(I - P) y||
    (a rotation inside the span changes nothing); ``rounding`` sums this over the kept directions.  It is what the
    route loses to a near-dependent unit (nightly: a leaky slope of 1.4e-6 leaves a residual of 1.5e-6 and J off by
    6.5e-12, twice the tolerance of the Jacobian's well-conditioned spectrum)."""
    p = y.shape[0]
    Q = np.zeros((p, 0))
    terms, ranks, levels = [], [], []
    kept: list[tuple[np.ndarray, float]] = []  # per block: its directions and ||B_i|| / sigma_i (their error growth)
    weight = 0.0  # sum over kept directions of |u^T y| angle(u)
    for B in blocks:
        C = B - Q @ (Q.T @ B)
        C = C - Q @ (Q.T @ C)
        norm_B = float(np.linalg.norm(B, 2)) if B.size else 0.0
        leak = sum(growth * float(np.linalg.norm(Qi.T @ B, 2)) for Qi, growth in kept) if B.size else 0.0
        noise = ktol.gram_schmidt_level(norm_B, leak, p)  # the residual's own rounding
        level = max(abs_cutoff, noise)
        if C.shape[1]:
            U, s, _ = np.linalg.svd(C, full_matrices=False)
            k = int(np.sum(s > level))
        else:
            U, s, k = C, np.zeros(0), 0
        Qj = U[:, :k]
        if k:
            kept.append((Qj, norm_B / float(s[k - 1])))
        c = Qj.T @ y
        weight += float(np.sum(np.abs(c) * noise / s[:k]))
        terms.append(float(np.sum(c**2)))
        ranks.append(k)
        levels.append(level)
        Q = np.hstack([Q, Qj])
    out = GramSchmidt(terms, ranks, levels, 0.5 * float(y @ y))
    return replace(out, rounding=weight * float(np.sqrt(max(2.0 * out.J, 0.0))))


def gram_schmidt_terms(blocks: list[np.ndarray], y: np.ndarray, abs_cutoff: float) -> list[float]:
    """The terms of :func:`gram_schmidt`."""
    return gram_schmidt(blocks, y, abs_cutoff).terms


def J_gram_schmidt(blocks: list[np.ndarray], y: np.ndarray, abs_cutoff: float) -> float:
    """``1/2 ||y||^2 - sum_j 1/2 ||P[N_j B_j] y||^2`` (Theorem 1's right-hand side)."""
    return gram_schmidt(blocks, y, abs_cutoff).J


def J_hidden_only(net: Net, theta, X, Y, tau: float | None = None) -> float:
    """A WRONG variant kept for the mutation tests: the fit on the hidden-layer blocks only (no output block)."""
    M = jacobian_kronecker(net, theta, X)[:, : hidden_columns(net)]
    return J_svd(M, vec(Y), tau)


# -- the fast route for large m ------------------------------------------------------------------------------
def J_fast(net: Net, theta, X, Y, rel_cutoff: float = 1e-6) -> tuple[float, int]:
    """J with a rank cutoff for large m without any SVD: the Jacobian from the per-unit blocks, its Gram matrix,
    a pivoted Cholesky factorisation (LAPACK ``dpstrf``) that keeps the columns whose residual norm exceeds
    ``rel_cutoff * s_max`` (the Gram matrix resolves singular values down to about ``sqrt(eps) * s_max``, so the
    cutoff is kept above that), and the projection on the kept columns by two triangular solves.

    Returns (J, rank).  The projection is on the span of the pivoted columns, which equals the span of the
    singular directions above the cutoff when the spectrum has a gap there."""
    X, Y = check_data(X, Y, net)
    Jac = jacobian_kronecker(net, theta, X)
    y = vec(Y)
    G = Jac.T @ Jac
    b = Jac.T @ y
    del Jac
    s_max2 = _power_norm2(G)
    tol = max(rel_cutoff**2 * s_max2, 100 * G.shape[0] * EPS * float(np.max(np.diag(G))))
    c, piv, rank, info = sla.lapack.dpstrf(G, tol=tol, lower=0)
    if info < 0:
        raise np.linalg.LinAlgError(f"dpstrf failed (info={info})")
    piv = piv[:rank] - 1
    R = np.triu(c[:rank, :rank])
    w = sla.solve_triangular(R, b[piv], trans="T")
    proj2 = float(w @ w)
    return max(0.5 * float(y @ y) - 0.5 * proj2, 0.0), int(rank)


def _power_norm2(G: np.ndarray, iters: int = 60) -> float:
    """Largest eigenvalue of the PSD matrix G (= s_max^2 of the Jacobian) by power iteration (a few % is
    enough: it only sets the cutoff)."""
    v: np.ndarray = np.asarray(np.random.default_rng(0).standard_normal(G.shape[0]))
    lam = 0.0
    for _ in range(iters):
        w = G @ v
        norm = float(np.linalg.norm(w))
        if norm == 0.0:
            return 0.0
        v = w / norm
        lam = norm
    return lam


def J_dense_full_svd(net: Net, theta, X, Y) -> float:
    """The slow reference route of the benchmark: the dense Jacobian by ``jacrev`` and a FULL SVD of it."""
    Jac = jacobian_autodiff(net, theta, X)
    U, s, _ = np.linalg.svd(Jac, full_matrices=True)
    y = vec(np.asarray(Y, dtype=np.float64))
    k = int(np.sum(s > default_cutoff(Jac, s[0])))
    res = U[:, k:].T @ y
    return 0.5 * float(res @ res)
