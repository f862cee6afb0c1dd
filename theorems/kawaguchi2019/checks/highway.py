"""Highway (skip-connection) nets of Kawaguchi et al. (2019), Theorem 2, and the narrow-highway certificate."""

from __future__ import annotations

import numpy as np

from landscape.kawaguchi2019 import tolerances as ktol
from landscape.kawaguchi2019.networks import loss_value, require_class
from landscape.kawaguchi2019.points import certify_point
from theorems.kawaguchi2019.checks.tangent_checks import autodiff_gradient


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
    # as for Theorem 1 (require_resolved_gram_schmidt): each route decides the rank at its own level, and the
    # per-unit gain is compared only where the Gram-Schmidt route resolves both the rank and the value to rnd
    split = [sd for sd in sides if sd.gs_rank != sd.rank]
    if split:
        record.inconclusive(
            f"Gram-Schmidt rank {split[0].gs_rank} != SVD rank {split[0].rank} of [PhiBar(S), D] "
            f"(S = {list(split[0].S)}): a block residual within the Gram-Schmidt route's rounding level",
            instance=inst,
        )
    worst = max(sides, key=lambda q: q.gs_rounding)
    if worst.gs_rounding > rnd:
        record.inconclusive(
            f"the Gram-Schmidt gain's own rounding {worst.gs_rounding:.2e} exceeds the tolerance {rnd:.2e} "
            f"(S = {list(worst.S)}): a near-dependent unit",
            instance=inst,
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
