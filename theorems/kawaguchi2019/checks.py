"""Oracle functions of the Kawaguchi et al. (2019) family: each takes an instance and a recorder, computes both
sides of a claim by independent routes and records the outcome.  The theorem tests and the mutation meta-tests
call the same functions (the latter with one formula mutated through a keyword)."""

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
    the rank is unambiguous (gap); returns whether it was decidable."""
    if t.gap < ktol.GAP_RATIO or t.s_max > ktol.KAPPA_ROUTES * t.s[t.rank - 1]:
        return False
    J_a = kt.J_svd(t.jac_kron, t.y, t.cutoff, usv=(t.U, t.s, t.Vt))
    cond = t.cutoff / t.s_max if t.s_max > 0 else None
    J_b = kt.J_lstsq(t.jac_auto, t.y, cond=cond)
    blocks = [B for _, B in kt.unit_blocks(inst.net, inst.theta, inst.X)]
    J_c = kt.J_gram_schmidt(blocks, t.y, t.cutoff)
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
    record.close(
        J_c,
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


# -- failure cases of Theorem 1 -------------------------------------------------------------------------------
def gap_certificate(net, X, Y, theta, weight_decay: float = 0.0, free=None) -> dict:
    """Numbers certifying ``L - J > 0``: the (B) lower bound ``|g|^2 / (2 s_max^2)`` (valid at every differentiable
    point whatever the rank cutoff, since J_0 <= J_tau) against its round-off, and the computed gap itself."""
    from landscape.kawaguchi2019.networks import kink_margin

    inst = BarePoint(net, X, Y, theta)
    t = tangent(inst)
    J = kt.J_lstsq(t.jac_auto, t.y, cond=t.cutoff / t.s_max) if t.s_max > 0 else 0.5 * float(t.y @ t.y)
    gn = float(np.linalg.norm(t.g))
    lower = gn**2 / (2 * t.s_max**2) if t.s_max > 0 else 0.0
    tol = ktol.identity_E(float(t.y @ t.y), float(t.r @ t.r), t.s_max / t.s[max(t.rank, 1) - 1], t.size)
    margin = kink_margin(net, theta, X)
    return {
        "L": t.L,
        "J": J,
        "L_minus_J": t.L - J,
        "grad_norm": gn,
        "s_max": t.s_max,
        "B_lower": lower,
        "roundoff": tol,
        "kink_margin": float(min(margin, 1e300)),
        "rank": t.rank,
        "certified": bool(
            lower > ktol.CERTIFY_FACTOR * tol and t.L - J > ktol.CERTIFY_FACTOR * tol and margin >= ktol.KINK_MARGIN
        ),
    }


@dataclass
class BarePoint:
    """A point of a landscape without the strategy's bookkeeping (failure-case witnesses, trained end points)."""

    net: object
    X: np.ndarray
    Y: np.ndarray
    theta: np.ndarray

    def summary(self) -> str:
        return f"{self.net.summary()}, m={self.X.shape[0]}"


def witness_arrays(net, X, Y, theta) -> dict:
    out = {"X": X, "Y": Y, "theta": theta, "widths": np.array(net.widths), "d_y": np.array(net.d_y)}
    for l, a in enumerate(net.slopes):
        if a is not None:
            out[f"slopes{l + 1}"] = a
    return out


def certify_failure(kind: str, seed: int) -> tuple[dict, tuple]:
    """Build one failure-case instance and the numbers certifying ``L != J`` there."""
    from landscape.kawaguchi2019.failures import BUILDERS

    net, X, Y, theta, lam = BUILDERS[kind](seed)
    checks = gap_certificate(net, X, Y, theta)
    if kind in ("nonlinear-output", "weight-decay"):
        pc = certify_point(net, X, Y, theta, weight_decay=lam)
        checks["local_min"] = pc.certificate.verdict
        checks["objective_grad_norm"] = pc.certificate.grad_norm
        ok = pc.local_min
        if kind == "nonlinear-output":
            # the (B)-type explanation by residual gradient is |g|^2/(2 s_k^2); the gap must exceed it
            inst = BarePoint(net, X, Y, theta)
            t = tangent(inst)
            explained = float(np.linalg.norm(t.g)) ** 2 / (2 * t.s[t.rank - 1] ** 2)
            checks["explained_by_gradient"] = explained
            checks["output_off_tangent_space"] = float(
                np.linalg.norm(t.yhat - t.U[:, : t.rank] @ (t.U[:, : t.rank].T @ t.yhat))
            )
            ok = (
                ok
                and t.gap >= ktol.GAP_RATIO
                and abs(checks["L_minus_J"]) > ktol.CERTIFY_FACTOR * (explained + checks["roundoff"])
            )
        else:
            ok = ok and checks["certified"]
        checks["certified"] = bool(ok)
    return checks, (net, X, Y, theta)


def check_failure_case(kind: str, record, seeds=range(8)) -> None:
    """Search seeds for a certified instance of the failure case and save it as a witness."""
    for seed in seeds:
        checks, (net, X, Y, theta) = certify_failure(kind, seed)
        if checks["certified"]:
            inst = BarePoint(net, X, Y, theta)
            record.note("L - J at the witness", checks["L_minus_J"], instance=inst)
            record.witness(
                f"{kind}-seed{seed}", witness_arrays(net, X, Y, theta), certified=True, checks=checks, instance=inst
            )
            return
    raise AssertionError(f"no certified {kind} instance among seeds {list(seeds)}: last {checks}")


# -- Proposition 1 (one hidden layer, scalar output) ------------------------------------------------------------
def check_prop1(inst, record, tighten: float = 1.0, drop_pattern: bool = False) -> None:
    """Prop. 1's Gram-Schmidt form and Lemma 5's form of L at certified differentiable local minima, each within
    its derived slack (|g|^2 / (2 s_min+^2), resp. |D~^T r|^2 / (2 s_min+(D~)^2)); J_D~ <= J <= L everywhere.
    ``tighten`` < 1 scales the slack down, ``drop_pattern`` replaces the pattern by ones (mutations)."""
    net = inst.net
    require_class(net, "Proposition 1")
    if net.depth != 1 or net.d_y != 1:
        raise ValueError(f"net: Proposition 1 is about one hidden layer and d_y = 1, got {net.summary()}")
    t = tangent(inst)
    require_resolvable(t, record, inst)
    pc = certify_point(net, inst.X, inst.Y, inst.theta)
    if t.rank == 0 or t.gap < ktol.GAP_RATIO:
        record.inconclusive(f"no clear spectral gap (ratio {t.gap:.2e})", instance=inst)
    blocks = [B for _, B in kt.unit_blocks(net, inst.theta, inst.X)]
    J_p1 = kt.J_gram_schmidt(blocks, t.y, t.cutoff)
    kappa = t.s_max / t.s[t.rank - 1]
    rnd = ktol.identity_E(float(t.y @ t.y), float(t.r @ t.r), kappa, t.size)
    slack = float(np.linalg.norm(t.g)) ** 2 / (2 * t.s[t.rank - 1] ** 2)
    fw = forward(net, inst.theta, inst.X)
    Dt = kb.lemma5_matrix(np.ones_like(fw.Lam[0]) if drop_pattern else fw.Lam[0], inst.X)
    U, s, _ = kt.svd(Dt)
    cut = kt.default_cutoff(Dt, s[0] if s.size else 0.0)
    k, gap = ktol.gap_rank(s, cut)
    J_d = kt.J_svd(Dt, t.y, cut, usv=(U, s, None))
    if not drop_pattern:
        record.leq(
            J_d,
            J_p1,
            tol=rnd,
            instance=inst,
            what="J_D~ <= J (col(Jac) inside col(D~))",
            routes=("Lemma 5 projection on D~", "Prop. 1 Gram-Schmidt sum"),
        )
    record.leq(
        J_p1, t.L, tol=rnd, instance=inst, what="J <= L", routes=("Prop. 1 Gram-Schmidt sum", "forward-pass loss")
    )
    if not pc.local_min:
        record.inconclusive(f"not a certified differentiable local minimum: {pc.summary()}", instance=inst)
    record.close(
        t.L,
        J_p1,
        tol=tighten * slack + rnd,
        instance=inst,
        what="Prop. 1: L = 1/2|Y|^2 - sum of per-unit Gram-Schmidt terms",
        routes=("forward-pass loss", "Prop. 1 Gram-Schmidt sum"),
        decisive=True,
    )
    if k == 0 or gap < ktol.GAP_RATIO:
        record.inconclusive(f"no clear spectral gap of D~ (ratio {gap:.2e})", instance=inst)
    dslack = float(np.linalg.norm(Dt.T @ t.r)) ** 2 / (2 * s[k - 1] ** 2)
    drnd = ktol.identity_E(float(t.y @ t.y), float(t.r @ t.r), s[0] / s[k - 1], sum(Dt.shape))
    record.close(
        t.L,
        J_d,
        tol=tighten * dslack + drnd,
        instance=inst,
        what="Lemma 5: L = 1/2 |(I - P[D~]) Y|^2",
        routes=("forward-pass loss", "Lemma 5 projection on D~"),
        decisive=True,
    )


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


# -- deep linear networks ---------------------------------------------------------------------------------------
def ols_value(X: np.ndarray, Y: np.ndarray) -> float:
    import scipy.linalg as sla

    Z, *_ = sla.lstsq(X, Y, lapack_driver="gelsd")
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


# -- Proposition 2 ----------------------------------------------------------------------------------------------
def prop2_losses(inst, drop_factor: bool = False) -> dict:
    """Monte Carlo over independent Gaussian (X, Y) with the pattern fixed: the Lemma-5 loss of each draw, the
    stated bound, the stated failure probability, and the counts."""
    from scipy import stats

    Lam, d_x = inst.Lam, inst.d_x
    m, d = Lam.shape
    rng = np.random.default_rng(inst.seed + 1)
    k_dim = d_x * d
    if inst.part == "i":
        delta = kb.smin_relu_single_unit(Lam[:, 0])
        ok = kb.prop2_i_conditions(m, d_x, d, delta)
        p_fail = kb.prop2_i_failure_probability(m, d_x, d, delta, inst.t)
    else:
        delta = kb.smin_over_row_subsets(Lam, range(1, m + 1))
        ok = kb.prop2_ii_conditions(m, d_x, d, delta)
        p_fail = kb.prop2_ii_failure_probability(d_x)
    viol, ratios, ranks = 0, [], []
    for _ in range(inst.draws):
        X = rng.standard_normal((m, d_x))
        y = rng.standard_normal(m)
        Dt = kb.lemma5_matrix(Lam, X)
        U, s, _ = kt.svd(Dt)
        k = int(np.sum(s > kt.default_cutoff(Dt, s[0])))
        res = y - U[:, :k] @ (U[:, :k].T @ y)
        L = 0.5 * float(res @ res)
        Y2 = float(y @ y)
        if inst.part == "i":
            bound = kb.prop2_i_bound(m, d_x, d, inst.t, Y2)
            if drop_factor:
                bound = (m - k_dim) / (2.0 * m) * Y2
            viol += L > bound + ktol.roundoff(Y2, m)
        else:
            viol += L > ktol.roundoff(Y2, m * k_dim) * (1.0 if not drop_factor else -1.0)
        ratios.append(2 * L / Y2)
        ranks.append(k)
    n = inst.draws
    ci = stats.binomtest(viol, n).proportion_ci(confidence_level=1 - 2 * ktol.ALPHA, method="exact")
    out = {
        "conditions": bool(ok),
        "delta": delta,
        "p_fail_stated": p_fail,
        "violations": viol,
        "draws": n,
        "cp_lower": float(ci.low),
        "cp_upper": float(ci.high),
        "mean_ratio": float(np.mean(ratios)),
        "rank_min": int(min(ranks)),
        "rank_max": int(max(ranks)),
    }
    if inst.part == "i" and min(ranks) == max(ranks):
        kk = ranks[0]
        out["ks_pvalue_beta"] = float(stats.kstest(ratios, stats.beta((m - kk) / 2, kk / 2).cdf).pvalue)
        out["stated_over_trivial"] = float((1 + 6 * np.sqrt(inst.t / m)) * (m - k_dim) / m)
        out["t_needed_to_beat_trivial"] = float(m * k_dim**2 / (36.0 * (m - k_dim) ** 2))
    # draws needed before the test can fail at all: all of n violating gives cp_lower = ALPHA^(1/n)
    out["draws_needed_to_fail"] = (
        int(np.ceil(np.log(ktol.ALPHA) / np.log(max(p_fail, 1e-300))))
        if 0 < p_fail < 1
        else (1 if p_fail <= 0 else 10**9)
    )
    return out


def check_prop2(inst, record, drop_factor: bool = False) -> None:
    """The probability that the stated bound fails, estimated over ``inst.draws`` data sets, must not exceed the
    stated failure probability: the claim is refuted when the Clopper-Pearson lower end (one-sided level
    1 - ALPHA) is above it.  With ``draws`` data sets the test can fail only if ``draws >= draws_needed_to_fail``
    (all draws violating); the draw count used (40) exceeds it for every stated probability below 0.84."""
    out = prop2_losses(inst, drop_factor)
    if not out["conditions"]:
        record.inconclusive(
            f"the pattern does not meet the proposition's conditions (delta={out['delta']:.3g})", instance=inst
        )
    record.holds(
        inst.draws >= out["draws_needed_to_fail"],
        instance=inst,
        what="enough draws for the test to be able to fail",
        evidence=False,
    )
    record.leq(
        out["cp_lower"],
        out["p_fail_stated"],
        tol=0.0,
        instance=inst,
        what="P(bound fails): Clopper-Pearson lower end <= stated failure probability",
        routes=("Monte Carlo frequency (Clopper-Pearson)", "stated failure probability"),
        decisive=True,
        extra={k: v for k, v in out.items() if isinstance(v, (int, float))},
    )
    record.note(
        "violation frequency",
        out["violations"] / out["draws"],
        instance=inst,
        extra={"part": inst.part, "p_fail_stated": out["p_fail_stated"]},
    )
    if "stated_over_trivial" in out:
        record.note(
            "stated bound / trivial bound 1/2||Y||^2",
            out["stated_over_trivial"],
            instance=inst,
            extra={
                "t": inst.t,
                "t_needed_to_beat_trivial": out["t_needed_to_beat_trivial"],
                "p_fail_stated": out["p_fail_stated"],
            },
        )
        record.note("KS p-value of 2L/||Y||^2 against Beta((m-k)/2, k/2)", out["ks_pvalue_beta"], instance=inst)
    else:
        record.note(
            "rank of D~ (part ii; m = 10 means L = 0 with probability one)",
            out["rank_min"],
            instance=inst,
            extra={"p_success_stated": 1 - out["p_fail_stated"]},
        )


# -- Theorem 2 and Corollaries 1-2 --------------------------------------------------------------------------------
def check_highway(inst, record, only_ends: bool = False, gain_factor: float = 1.0) -> None:
    """L <= RHS(S) for every S at a certified differentiable local minimum (over the free parameters for
    Corollary 1), within the derived slack; RHS(S) by lstsq-regression-minus-Gram-Schmidt-gain and by one
    projection must agree.  ``gain_factor`` multiplies the per-unit gain (mutation: 2 doubles it)."""
    from landscape.kawaguchi2019 import highway as kh

    hw = inst.hw
    require_class(hw.net, "Theorem 2")
    if np.any(inst.theta[hw.separated] != 0.0):
        raise ValueError("theta: the separated edges must be exactly zero (Definition 1 (iii))")
    pc = certify_point(hw.net, inst.X, inst.Y, inst.theta, free=inst.free)
    L = loss_value(hw.net, inst.theta, inst.X, inst.Y)
    g = autodiff_gradient(hw.net, inst.X, inst.Y, inst.theta)
    if inst.free is not None:
        g = g[inst.free]
    sides = kh.both_sides(
        hw,
        inst.theta,
        inst.X,
        inst.Y,
        float(np.linalg.norm(g)),
        free=inst.free,
        only_ends=only_ends,
        gap_ratio=ktol.GAP_RATIO,
    )
    Y2 = float(np.sum(inst.Y**2))
    rnd = ktol.roundoff(Y2, inst.X.shape[0] * hw.net.d_y + hw.net.n_params) * 1e2
    if min([sd.s_min for sd in sides if sd.s_min > 0], default=1.0) < ktol.TINY_SINGULAR * max(1.0, Y2):
        record.inconclusive(
            "kept singular values of [PhiBar(S), D] near float64 underflow (their squares are not representable)",
            instance=inst,
        )
    if min(sd.gap for sd in sides) < ktol.GAP_RATIO:
        record.inconclusive(
            f"no clear spectral gap of [PhiBar(S), D] (ratio {min(sd.gap for sd in sides):.2e})", instance=inst
        )
    for sd in sides:
        record.close(
            sd.rhs_gs,
            sd.rhs_closed,
            tol=rnd * 10,
            instance=inst,
            what="RHS(S): regression minus per-unit gain = single projection",
            routes=("lstsq regression minus Gram-Schmidt gain", "projection on [PhiBar(S), D]"),
            extra={"S": list(sd.S)},
        )
    record.note("Lemma 4 residual max_S |PhiBar(S)^T r|", max(sd.lemma4 for sd in sides), instance=inst)
    if not pc.local_min:
        record.inconclusive(f"not a certified differentiable local minimum: {pc.summary()}", instance=inst)
    margins = [(sd.regression - gain_factor * sd.gs_gain) + sd.slack + rnd - L for sd in sides]
    j = int(np.argmin(margins))
    sd = sides[j]
    record.leq(
        L,
        sd.regression - gain_factor * sd.gs_gain,
        tol=sd.slack + rnd,
        instance=inst,
        what="L <= RHS(S) (worst S)",
        routes=("forward-pass loss", "lstsq regression minus Gram-Schmidt gain"),
        decisive=True,
        extra={"S": list(sd.S), "subsets": len(sides)},
    )
    full = max(sides, key=lambda q: len(q.S))
    record.note("L / RHS(S) for the largest S", L / full.rhs_gs if full.rhs_gs > 0 else 1.0, instance=inst)


def certify_narrow_highway(inst) -> dict:
    """Numbers certifying that a highway narrower than d_y breaks the bound: a certified local minimum where
    L > RHS(S) for some S by more than the slack."""
    from landscape.kawaguchi2019 import highway as kh

    pc = certify_point(inst.hw.net, inst.X, inst.Y, inst.theta)
    L = loss_value(inst.hw.net, inst.theta, inst.X, inst.Y)
    g = float(np.linalg.norm(autodiff_gradient(inst.hw.net, inst.X, inst.Y, inst.theta)))
    sides = kh.both_sides(inst.hw, inst.theta, inst.X, inst.Y, g)
    # the slack a residual gradient explains, as if every Lemma-4 residual were bounded by |g| (sigma = 1):
    # the narrow highway has sigma_l = 0, so the theorem's own slack is infinite and a witness must beat this one
    sides = [
        kh.Sides(
            sd.S,
            sd.regression,
            sd.gs_gain,
            sd.rhs_gs,
            sd.rhs_closed,
            g**2 * (1 + len(sd.S)) / (2 * sd.s_min**2) if sd.s_min > 0 else np.inf,
            sd.lemma4,
            sd.gap,
            sd.s_min,
        )
        for sd in sides
    ]
    Y2 = float(np.sum(inst.Y**2))
    rnd = ktol.roundoff(Y2, inst.X.shape[0] * inst.hw.net.d_y + inst.hw.net.n_params) * 1e2
    excess = [(L - sd.rhs_closed, sd) for sd in sides]
    e, sd = max(excess, key=lambda q: q[0] - q[1].slack)
    return {
        "L": L,
        "rhs": sd.rhs_closed,
        "S": np.array(sd.S),
        "excess": e,
        "slack": sd.slack,
        "lemma4_residual": sd.lemma4,
        "certificate": pc.certificate.verdict,
        "certified": bool(pc.local_min and e > ktol.CERTIFY_FACTOR * (sd.slack + rnd)),
    }
