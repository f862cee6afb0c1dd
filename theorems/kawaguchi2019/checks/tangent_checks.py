"""Theorem 1 and the identity E of Kawaguchi et al. (2019) by the tangent routes: autodiff gradient, the
three routes to the tangent quantities and the checks at certified minima.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape.kawaguchi2019 import bounds as kb
from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019 import tolerances as ktol
from landscape.kawaguchi2019.networks import forward, loss_value, require_class, torch_loss, vec
from landscape.kawaguchi2019.points import certify_point


def autodiff_gradient(net, X, Y, theta, weight_decay: float = 0.0) -> np.ndarray:
    """grad L by torch.func.grad of the torch loss (independent of the Jacobian routes)."""
    import torch

    return torch.func.grad(torch_loss(net, X, Y, weight_decay))(torch.as_tensor(theta)).detach().numpy()


@dataclass
class Tangent:
    """Everything about one point: loss, residual, gradient, both Jacobians, the SVD and the numerical rank."""

    L: float
    y: np.ndarray
    yhat: np.ndarray
    r: np.ndarray
    g: np.ndarray
    jac_auto: np.ndarray
    jac_kron: np.ndarray
    U: np.ndarray
    s: np.ndarray
    Vt: np.ndarray
    cutoff: float
    rank: int
    gap: float

    @property
    def s_max(self) -> float:
        return float(self.s[0]) if self.s.size else 0.0

    @property
    def size(self) -> int:
        return int(sum(self.jac_kron.shape))

    @property
    def underflow(self) -> bool:
        """Kept singular values whose squares are not resolvable in float64 (e.g. a leaky slope of 1e-187 drawn
        from the class makes the whole Jacobian ~1e-186): no route can decide such an example."""
        return self.rank > 0 and float(self.s[self.rank - 1]) < ktol.TINY_SINGULAR


def require_resolvable(t: Tangent, record, inst) -> None:
    if t.underflow:
        record.inconclusive(f"Jacobian spectrum near float64 underflow (s_k = {t.s[t.rank - 1]:.2e})", instance=inst)


def require_resolved_gram_schmidt(gs: kt.GramSchmidt, t: Tangent, tol: float, record, inst) -> None:
    """The per-unit Gram-Schmidt sum is compared only where that route resolves it.  Each route decides the rank at
    its own rounding level (the residual levels of ``tangent.gram_schmidt``, the gap of the Jacobian's spectrum):
    where they disagree, some block residual lies within the Gram-Schmidt route's rounding level (nightly: a
    residual singular value 1.5 times its cutoff, kept, and the later blocks' residuals unresolvable).  Where the
    ranks agree but the route's own first-order rounding of J exceeds ``tol`` (a near-dependent unit: a residual
    1e-6 of its block), a comparison at ``tol`` cannot be decided either.  Both: inconclusive, never a pass or a
    fail."""
    if gs.rank != t.rank:
        record.inconclusive(
            f"Gram-Schmidt rank {gs.rank} (per block {gs.ranks}) != SVD rank {t.rank}: a block residual within the "
            "Gram-Schmidt route's rounding level",
            instance=inst,
        )
    if gs.rounding > tol:
        record.inconclusive(
            f"the Gram-Schmidt sum's own rounding {gs.rounding:.2e} exceeds the tolerance {tol:.2e} of its "
            "comparisons: a near-dependent unit",
            instance=inst,
        )


def tangent(inst) -> Tangent:
    net, X, Y, theta = inst.net, inst.X, inst.Y, inst.theta
    L = loss_value(net, theta, X, Y)
    yhat = vec(forward(net, theta, X).Yhat)
    y = vec(Y)
    g = autodiff_gradient(net, X, Y, theta)
    Ja = kt.jacobian_autodiff(net, theta, X)
    Jk = kt.jacobian_kronecker(net, theta, X)
    U, s, Vt = kt.svd(Jk)
    cutoff = kt.default_cutoff(Jk, s[0] if s.size else 0.0)
    rank, gap = ktol.gap_rank(s, cutoff)
    if 0 < rank:
        # the cutoff used by every route: the geometric middle of the gap at the numerical rank
        below = s[rank] if rank < s.size else 0.0
        cutoff = float(np.sqrt(s[rank - 1] * max(below, cutoff)))
    return Tangent(L, y, yhat, yhat - y, g, Ja, Jk, U, s, Vt, cutoff, rank, gap)


def z_norm(inst) -> float:
    """||z|| for some z with vec Yhat = Jac z: the output weights (any activation, linear output) and, for the
    paper's class, theta / (H + 1) (Lemma 1); the smaller is used."""
    net = inst.net
    Ws = net.unpack(inst.theta)
    out = float(np.linalg.norm(Ws[-1]))
    if net.in_class:
        out = min(out, float(np.linalg.norm(inst.theta)) / (net.depth + 1))
    return out


def tau_tolerance(t: Tangent, zn: float) -> float:
    """Round-off of L - J_tau: the forward pass and the projection (terms ||y||^2, ||yhat||^2) and the rounding of
    the Jacobian, which moves ||(I - P_tau) vec Yhat|| by ~ eps * size * s_max * ||z||."""
    ny, nh = float(np.linalg.norm(t.y)), float(np.linalg.norm(t.yhat))
    return ktol.roundoff((ny + nh) ** 2 + t.s_max * zn * (ny + nh), t.size)


def record_tau_version(
    inst,
    record,
    t: Tangent,
    *,
    decisive: bool,
    upper_factor: float = 1.0,
    evidence: bool = True,
    equality: bool = False,
) -> kb.TauCheck:
    """The tau-version at every tau of the singular-value grid; records the worst tau of each side and the
    tightest interval.  ``upper_factor`` < 1 is the tightened (false) bound of the mutation tests."""
    zn = z_norm(inst)
    g_err = ktol.roundoff(t.s_max * float(np.linalg.norm(t.r)), t.size)  # rounding of the autodiff gradient
    tc = kb.tau_version(t.L, t.U, t.s, t.y, float(np.linalg.norm(t.g)), zn, g_err=g_err)
    tol = tau_tolerance(t, zn)
    up = upper_factor * tc.upper
    margins = up + tol - tc.observed
    if np.all(margins >= 0) and np.any(tc.observed > 0):
        j = int(np.argmax(np.where(tc.observed > 0, tc.observed / up, -np.inf)))  # tightest ratio
    else:
        j = int(np.argmin(margins))
    record.leq(
        tc.observed[j],
        up[j],
        tol=tol,
        instance=inst,
        what="L - J_tau <= upper end (worst tau of the grid)",
        routes=("forward-pass loss minus SVD projection", "tau-interval from autodiff gradient"),
        decisive=decisive,
        evidence=evidence,
        extra={"tau": float(tc.tau[j]), "taus": int(tc.tau.size)},
    )
    j = int(np.argmin(tc.observed - tc.lower + tol))
    record.geq(
        tc.observed[j],
        tc.lower[j],
        tol=tol,
        instance=inst,
        what="L - J_tau >= lower end (worst tau of the grid)",
        routes=("forward-pass loss minus SVD projection", "tau-interval lower end"),
        evidence=evidence,
        extra={"tau": float(tc.tau[j])},
    )
    k = tc.tightest()
    scale = max(0.5 * float(t.y @ t.y), 1e-300)
    record.note(
        "tightest tau-interval width / (1/2 ||Y||^2)", float((tc.upper[k] - tc.lower[k]) / scale), instance=inst
    )
    if equality:
        # the theorem's statement at an (approximate) critical point: L = J_tau up to the tightest interval
        mid, half = 0.5 * (tc.upper[k] + tc.lower[k]), 0.5 * (tc.upper[k] - tc.lower[k])
        record.close(
            t.L,
            tc.J[k] + mid,
            tol=half + tol,
            instance=inst,
            what="L = J_tau at the tightest tau (within the tau-interval)",
            routes=("forward-pass loss", "SVD projection J_tau plus interval centre"),
            decisive=bool(t.L > ktol.CERTIFY_FACTOR * (half + tol)),
            extra={"tau": float(tc.tau[k])},
        )
    return tc


def record_jacobians(inst, record, t: Tangent) -> None:
    scale = kt.jacobian_error_scale(inst.net, inst.theta, inst.X)
    atol = ktol.jacobian_agreement(max(scale, 1e-300), max(inst.net.widths) * inst.net.depth + 1)
    if atol > ktol.JACOBIAN_RTOL * max(float(np.max(np.abs(t.jac_auto))), 1e-300):
        # e.g. trained smooth nets with weights ~1e3 and saturated units: the forward pass itself cancels
        record.inconclusive(
            f"ill-conditioned forward pass: Jacobian rounding bound {atol:.2e} exceeds "
            f"{ktol.JACOBIAN_RTOL:g} of its largest entry",
            instance=inst,
        )
    record.allclose(
        t.jac_kron,
        t.jac_auto,
        rtol=0.0,
        atol=atol,
        instance=inst,
        what="Jacobian: Kronecker blocks = jacrev",
        routes=("Kronecker assembly of D^(l)_k", "torch.func.jacrev"),
    )


def record_three_routes(inst, record, t: Tangent) -> bool:
    """J by SVD projection, lstsq residual and the per-unit Gram-Schmidt sum, at the numerical rank; only where
    the rank is unambiguous (gap); returns whether it was decidable.  Where the Gram-Schmidt route resolves a
    different rank than the SVD, or cannot resolve J to the tolerance, the example is inconclusive
    (``require_resolved_gram_schmidt``)."""
    if t.gap < ktol.GAP_RATIO or t.s_max > ktol.KAPPA_ROUTES * t.s[t.rank - 1]:
        return False
    J_a = kt.J_svd(t.jac_kron, t.y, t.cutoff, usv=(t.U, t.s, t.Vt))
    cond = t.cutoff / t.s_max if t.s_max > 0 else None
    J_b = kt.J_lstsq(t.jac_auto, t.y, cond=cond)
    blocks = [B for _, B in kt.unit_blocks(inst.net, inst.theta, inst.X)]
    gs = kt.gram_schmidt(blocks, t.y, t.cutoff)
    kappa = t.s_max / t.s[t.rank - 1] if t.rank else 1.0
    tol = ktol.identity_E(float(t.y @ t.y), 0.0, kappa, t.size)
    record.close(
        J_a,
        J_b,
        tol=tol,
        instance=inst,
        what="J: SVD projection = lstsq residual",
        routes=("SVD projection of Kronecker Jacobian", "scipy lstsq on jacrev Jacobian"),
    )
    require_resolved_gram_schmidt(gs, t, tol, record, inst)
    record.close(
        gs.J,
        J_a,
        tol=tol,
        instance=inst,
        what="J: per-unit Gram-Schmidt sum = SVD projection",
        routes=("paper's per-unit Gram-Schmidt sum", "SVD projection"),
    )
    return True


def check_thm1_at_certified_minima(inst, record, upper_factor: float = 1.0, need_class: bool = True) -> None:
    """Theorem 1 at certified differentiable local minima: the tau-version (decisive), J by three routes, the
    Jacobian by two routes; kinks, saddles and non-critical end points are inconclusive."""
    if need_class:
        require_class(inst.net, "Theorem 1")
    if at_kink(inst):  # the Jacobian routes may pick different one-sided derivatives there
        record.inconclusive("point at a kink: not a differentiable point", instance=inst)
    t = tangent(inst)
    require_resolvable(t, record, inst)
    record_jacobians(inst, record, t)
    record_three_routes(inst, record, t)
    pc = certify_point(inst.net, inst.X, inst.Y, inst.theta)
    record.note(
        "certificate",
        pc.certificate.verdict,
        instance=inst,
        extra={"kink_margin": pc.margin if np.isfinite(pc.margin) else None},
    )
    record_tau_version(inst, record, t, decisive=False, upper_factor=upper_factor, equality=True)
    if t.gap >= ktol.GAP_RATIO:
        J = kt.J_svd(t.jac_kron, t.y, t.cutoff, usv=(t.U, t.s, t.Vt))
        record.note(
            "L - J at the numerical rank, relative to 1/2 ||Y||^2",
            (t.L - J) / max(0.5 * float(t.y @ t.y), 1e-300),
            instance=inst,
        )
    if not pc.differentiable:
        record.inconclusive(f"point at a kink (margin {pc.margin:.2e}): not a differentiable point", instance=inst)
    if not pc.local_min:
        record.inconclusive(f"not a certified local minimum: {pc.summary()}", instance=inst)


def check_identity_E(inst, record, hidden_only: bool = False, upper_factor: float = 1.0) -> None:
    """(E) and the tau-version at any differentiable point (random, trained, planted, saddle, tight).
    ``hidden_only`` is the mutation: J from the hidden-layer blocks only."""
    t = tangent(inst)
    require_resolvable(t, record, inst)
    if at_kink(inst):
        record.inconclusive("point at a kink: the Jacobian is not defined", instance=inst)
    record_tau_version(inst, record, t, decisive=True, upper_factor=upper_factor)
    if t.gap < ktol.GAP_RATIO or t.rank == 0:
        record.inconclusive(f"no clear spectral gap at the cutoff (ratio {t.gap:.2e}): (E) undecidable", instance=inst)
    if hidden_only:
        J = kt.J_svd(t.jac_kron[:, : kt.hidden_columns(inst.net)], t.y)
    else:
        J = kt.J_lstsq(t.jac_auto, t.y, cond=t.cutoff / t.s_max)
    rhs = kb.identity_E_rhs(t.Vt, t.s, t.rank, t.g)
    kappa = t.s_max / t.s[t.rank - 1]
    tol = ktol.identity_E(float(t.y @ t.y), float(t.r @ t.r), kappa, t.size)
    # decisive (carries the power figure) only where L is resolvable above the tolerance: at an exact fit
    # (L ~ 0) the relative perturbation the check could detect is meaningless
    record.close(
        t.L,
        J + rhs,
        tol=tol,
        instance=inst,
        what="(E): L = J + 1/2 g^T (Jac^T Jac)^+ g",
        routes=("forward loss minus lstsq residual", "autodiff gradient through the pseudo-inverse"),
        decisive=bool(t.L > ktol.CERTIFY_FACTOR * tol),
    )
    lo, hi = kb.bounds_B(float(np.linalg.norm(t.g)), t.s_max, float(t.s[t.rank - 1]))
    record.leq(
        lo,
        t.L - J,
        tol=tol,
        instance=inst,
        what="(B) lower: |g|^2/(2 s_max^2) <= L - J",
        routes=("gradient over the largest singular value", "forward loss minus lstsq residual"),
    )
    record.leq(
        t.L - J,
        hi,
        tol=tol,
        instance=inst,
        what="(B) upper: L - J <= |g|^2/(2 s_min+^2)",
        routes=("forward loss minus lstsq residual", "gradient over the smallest kept singular value"),
    )


def at_kink(inst) -> bool:
    from landscape.kawaguchi2019.networks import kink_margin

    return kink_margin(inst.net, inst.theta, inst.X) < ktol.KINK_MARGIN
