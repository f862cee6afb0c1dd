"""Lemmas 1-3 of Kawaguchi et al. (2019) with the two projector routes."""

from __future__ import annotations

import numpy as np

from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019 import tolerances as ktol
from landscape.kawaguchi2019.networks import forward, require_class, vec


# -- Lemma 1 ----------------------------------------------------------------------------------------------------
def check_lemma1(inst, record, euler_denominator: float | None = None) -> None:
    """vec Yhat = D^(l) vec W^(l) for every hidden layer l (Kronecker blocks vs the forward pass) and
    vec Yhat = Jac theta / (H + 1) (jacrev).  ``euler_denominator`` replaces H + 1 (mutation)."""
    net = inst.net
    require_class(net, "Lemma 1")
    fw = forward(net, inst.theta, inst.X)
    yhat = vec(fw.Yhat)
    blocks = kt.unit_blocks(net, inst.theta, inst.X)
    Ws = net.unpack(inst.theta)
    scale = max(float(np.max(np.abs(yhat))), 1e-300)
    atol = ktol.roundoff(scale * (1 + float(np.linalg.norm(inst.theta))), max(net.widths) * (net.depth + 1))
    for l in range(net.depth):
        D = np.hstack([B for (ll, _), B in blocks if ll == l + 1])
        record.allclose(
            D @ vec(Ws[l]),
            yhat,
            rtol=0.0,
            atol=atol,
            instance=inst,
            what="vec Yhat = D^(l) vec W^(l) (every hidden layer)",
            routes=("Kronecker blocks times layer weights", "forward pass"),
            decisive=(l == 0),
        )
    Ja = kt.jacobian_autodiff(net, inst.theta, inst.X)
    den = (net.depth + 1) if euler_denominator is None else euler_denominator
    record.allclose(
        Ja @ inst.theta / den,
        yhat,
        rtol=0.0,
        atol=atol,
        instance=inst,
        what="Euler: vec Yhat = Jac theta / (H + 1)",
        routes=("jacrev Jacobian times theta", "forward pass"),
    )


# -- Lemmas 2 and 3 ---------------------------------------------------------------------------------------------
def projector_svd(M: np.ndarray, abs_cutoff: float) -> np.ndarray:
    Q = kt.orthonormal_basis(M, abs_cutoff)
    return Q @ Q.T


def projector_pinv(M: np.ndarray, rcond: float) -> np.ndarray:
    return M @ np.linalg.pinv(M, rcond=rcond)


def check_lemma2(pair, record, orthogonalize: bool = True) -> None:
    """P[[A, B]] = P[A] + P[B] when A^T B = 0 (B = (I - P[A]) C).  ``orthogonalize=False`` takes B = C
    (mutation: the assumption dropped)."""
    A, C = pair.A, pair.C
    p = A.shape[0]
    scale = max(float(np.linalg.norm(A, 2)), float(np.linalg.norm(C, 2)), 1.0)
    cut = 1e3 * kt.EPS * p * scale  # absolute: columns of B that are round-off of C inside col(A) are dropped
    PA = projector_svd(A, cut)
    B = C - PA @ C if orthogonalize else C
    lhs = projector_svd(np.hstack([A, B]), cut)
    rcond = cut / scale
    rhs = projector_pinv(A, rcond) + projector_pinv(B, cut / max(float(np.linalg.norm(B, 2)), cut))
    atol = ktol.roundoff(1.0, p) * 1e3
    record.allclose(
        lhs,
        rhs,
        rtol=0.0,
        atol=atol,
        instance=pair,
        what="P[[A, B]] = P[A] + P[B] (entrywise)",
        routes=("SVD of [A, B]", "pseudo-inverses of A and B"),
    )
    v = np.random.default_rng(pair.seed).standard_normal(p)
    v /= np.linalg.norm(v)
    record.close(
        float(v @ lhs @ v),
        float(v @ rhs @ v),
        tol=atol * p,
        instance=pair,
        what="v^T P[[A, B]] v = v^T (P[A] + P[B]) v (random unit v)",
        routes=("SVD of [A, B]", "pseudo-inverses of A and B"),
        decisive=True,
    )


def check_lemma3(fam, record, orthogonalize: bool = True) -> None:
    """||P[[B_1..B_n]] y||^2 = sum_j ||P[Q_j] y||^2 and the P[Q_j] are mutually orthogonal (sequential Gram-Schmidt
    with an absolute cutoff).  ``orthogonalize=False`` uses Q_j = B_j (mutation)."""
    M = np.hstack(fam.blocks)
    y = fam.y
    s_max = float(np.linalg.norm(M, 2)) if np.any(M) else 1.0
    cut = 1e-10 * s_max
    direct = float(np.sum((kt.orthonormal_basis(M, cut).T @ y) ** 2))
    if orthogonalize:
        terms = kt.gram_schmidt_terms(fam.blocks, y, cut)
    else:
        terms = [float(np.sum((kt.orthonormal_basis(B, cut).T @ y) ** 2)) for B in fam.blocks]
    record.close(
        direct,
        sum(terms),
        tol=ktol.roundoff(float(y @ y), M.shape[0] + M.shape[1]) * 1e2,
        instance=fam,
        what="||P[[B_1..B_n]] y||^2 = sum_j ||P[Q_j] y||^2",
        routes=("one SVD of all blocks", "sequential per-block Gram-Schmidt"),
        decisive=True,
    )
    if orthogonalize:
        Q, worst = np.zeros((y.size, 0)), 0.0
        for B in fam.blocks:
            C = B - Q @ (Q.T @ B)
            C = C - Q @ (Q.T @ C)
            Qj = kt.orthonormal_basis(C, cut)
            if Q.shape[1] and Qj.shape[1]:
                worst = max(worst, float(np.max(np.abs(Q.T @ Qj))))
            Q = np.hstack([Q, Qj])
        record.leq(
            worst,
            0.0,
            tol=ktol.roundoff(1.0, y.size) * 1e2,
            instance=fam,
            what="P[Q_i] P[Q_j] = 0 (mutual orthogonality)",
            routes=("Gram-Schmidt bases", "exact orthogonality"),
            evidence=False,
        )
