"""Deep linear nets of Kawaguchi et al. (2019): least squares and reduced-rank values, trained nets and the
bottleneck certificate.
"""

from __future__ import annotations

import numpy as np

from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019 import tolerances as ktol
from landscape.kawaguchi2019.networks import loss_value
from landscape.kawaguchi2019.points import certify_point
from theorems.kawaguchi2019.checks.failures import BarePoint
from theorems.kawaguchi2019.checks.tangent_checks import require_resolvable, tangent


# -- deep linear networks ---------------------------------------------------------------------------------------
def ols_value(X: np.ndarray, Y: np.ndarray) -> float:
    import scipy.linalg as sla

    # Singular values below max(m, d) eps (relative) are rounding of the stored data, not rank: lstsq's default
    # cutoff (eps) kept one of 2.3e-16 on nightly low-rank data, solved with a coefficient of 1e14 and returned a
    # residual 0.105 above the rank-2 least-squares value, below which a trained network then seemed to go.
    Z, *_ = sla.lstsq(X, Y, cond=max(X.shape) * np.finfo(float).eps, lapack_driver="gelsd")
    return 0.5 * float(np.sum((X @ Z - Y) ** 2))


def reduced_rank_value(X: np.ndarray, Y: np.ndarray, r: int) -> float:
    """Global minimum of 1/2 ||X W - Y||^2 over rank(W) <= r: OLS plus the discarded singular values of P[X] Y."""
    Q = kt.orthonormal_basis(X, 1e-12 * max(float(np.linalg.norm(X, 2)), 1e-300))
    s = np.linalg.svd(Q @ (Q.T @ Y), compute_uv=False)
    return ols_value(X, Y) + 0.5 * float(np.sum(s[r:] ** 2))


def train_linear(inst, seed_offset: int = 0):
    from landscape.kawaguchi2019.points import train

    rng = np.random.default_rng(inst.seed + seed_offset)
    theta = train(inst.net, inst.X, inst.Y, inst.net.init(rng), max_iter=500)
    return theta


def check_linear(inst, record) -> None:
    """Every certified local minimum of a deep linear net with d_y <= min width attains the OLS value."""
    net = inst.net
    if min(net.widths) < net.d_y:
        raise ValueError(f"net: the deep linear claim needs d_y <= every width, got {net.summary()}")
    theta = train_linear(inst)
    point = BarePoint(net, inst.X, inst.Y, theta)
    t = tangent(point)
    require_resolvable(t, record, inst)
    ols = ols_value(inst.X, inst.Y)
    pc = certify_point(net, inst.X, inst.Y, theta)
    if not pc.local_min:
        record.inconclusive(f"end point not a certified local minimum: {pc.summary()}", instance=inst)
    if t.rank == 0 or t.gap < ktol.GAP_RATIO:
        record.inconclusive(f"no clear spectral gap (ratio {t.gap:.2e})", instance=inst)
    slack = float(np.linalg.norm(t.g)) ** 2 / (2 * t.s[t.rank - 1] ** 2)
    rnd = ktol.identity_E(float(t.y @ t.y), float(t.r @ t.r), t.s_max / t.s[t.rank - 1], t.size)
    record.close(
        t.L,
        ols,
        tol=slack + rnd,
        instance=inst,
        what="L at a certified local minimum = OLS value",
        routes=("trained deep linear net", "scipy lstsq on X"),
        decisive=True,
        extra={"certificate": pc.certificate.verdict},
    )


def certify_bottleneck(inst) -> dict:
    net = inst.net
    theta = train_linear(inst)
    pc = certify_point(net, inst.X, inst.Y, theta)
    L = loss_value(net, theta, inst.X, inst.Y)
    ols = ols_value(inst.X, inst.Y)
    r = min(net.widths)
    rrr = reduced_rank_value(inst.X, inst.Y, r)
    rnd = ktol.roundoff(float(np.sum(inst.Y**2)), inst.X.size)
    g = pc.certificate.grad_norm
    return {
        "L": L,
        "ols": ols,
        "reduced_rank": rrr,
        "rank_limit": r,
        "certificate": pc.certificate.verdict,
        "grad_norm": g,
        "theta": theta,
        "certified": bool(pc.local_min and L - ols > ktol.CERTIFY_FACTOR * (rnd + g)),
    }
