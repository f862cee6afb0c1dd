"""The dual D of the multi-branch problem (the LP relaxation over conv of the image sets), by two routes: exact
maximisation of the concave one-dimensional phi(lam) through per-branch lower hulls, and HiGHS' LP."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from landscape.zhang2019 import tolerances as ztol
from landscape.zhang2019.multibranch.instances import _check_inst, _fits, _layout, _route, _scales

__all__ = ["dual_lp", "dual_breakpoints", "dual_bisection", "phi", "ROUTE_LP", "ROUTE_HULL", "ROUTE_BISECTION"]

ROUTE_LP = "HiGHS LP relaxation"
ROUTE_HULL = "lower hulls + slope sort"
ROUTE_BISECTION = "bisection on phi's supergradient"


# ---- relaxation (= dual) by lower hulls of the image points ------------------------------------------------------
def _points(inst):
    return inst._Hp, inst._Gp


def phi(inst, lam: float) -> float:
    """The dual function phi(lam) = (1/I) sum_i min_k (G_ik + lam H_ik) - lam K_eff, read directly off the points:
    a lower bound on P for every lam >= 0 (weak duality)."""
    lam = float(lam)
    return float(np.mean(np.min(inst._Gp + lam * inst._Hp, axis=1))) - lam * inst.K_eff


def _pareto_sorted(Hp, Gp):
    """Per branch (column-wise, (n, I) arrays): points sorted by H (ties by G), their original indices, and which
    of them are Pareto points (no other point with smaller-or-equal H and G)."""
    HT, GT = Hp.T, Gp.T  # row k of the (n, I) arrays holds the k-th smallest H of each branch
    order = np.argsort(HT, axis=0, kind="stable")
    Hs = np.take_along_axis(HT, order, 0)
    ties = np.any(Hs[1:] == Hs[:-1], axis=0)
    if np.any(ties):  # equal H must be ordered by G for the Pareto filter; lexsort only those branches
        order[:, ties] = np.lexsort((GT[:, ties], HT[:, ties]), axis=0)
        Hs[:, ties] = np.take_along_axis(HT[:, ties], order[:, ties], 0)
    Gs = np.take_along_axis(GT, order, 0)
    keep = np.empty(Hs.shape, bool)
    keep[0] = True
    keep[1:] = Gs[1:] < np.minimum.accumulate(Gs, axis=0)[:-1]
    return Hs, Gs, order, keep


def _lower_chains(Hs, Gs, order, keep):
    """Lower convex hull of every branch's Pareto points, built in lock-step by the monotone chain.  Returns
    (SH, SG, SI, top): (Lm, I) arrays of hull vertices (H, G, original index; unused slots G = +inf, so that they
    never win a minimum) and the number of vertices per branch."""
    n, I = Hs.shape
    Lm = int(keep.sum(0).max())
    # stacks stored flat, slot (branch b, level j) at j * I + b
    SH, SG, SI = np.zeros(Lm * I), np.full(Lm * I, np.inf), np.zeros(Lm * I, np.int64)
    top = np.zeros(I, np.int64)
    for k in range(n):
        act = np.nonzero(keep[k])[0]
        if not act.size:
            continue
        hk, gk = Hs[k, act], Gs[k, act]
        sub = np.nonzero(top[act] >= 2)[0]
        while sub.size:
            b_ = act[sub]
            i1 = (top[b_] - 1) * I + b_
            i0 = i1 - I
            h0, g0 = SH[i0], SG[i0]
            pop = (SH[i1] - h0) * (gk[sub] - g0) - (SG[i1] - g0) * (hk[sub] - h0) <= 0  # not a strict left turn
            sub = sub[pop]
            top[act[sub]] -= 1
            sub = sub[top[act[sub]] >= 2]
        slot = top[act] * I + act
        SH[slot], SG[slot], SI[slot] = hk, gk, order[k, act]
        top[act] += 1
    return SH.reshape(Lm, I), SG.reshape(Lm, I), SI.reshape(Lm, I), top


def _budget_multiplier(SH, SG, top, K):
    """Raise lam from 0: branch i moves left along its hull, dropping its H by the edge length at each edge slope
    -lam_e; the optimum is the first lam_e at which the total H fits the budget.  Returns (lam, candidate lams,
    steps left per branch, the mixing branch i0 or -1, its mixing weight theta)."""
    Lm, I = SH.shape
    last = top - 1
    need = SH[last, np.arange(I)].sum() - I * K
    ej, er = np.nonzero(np.arange(Lm - 1)[:, None] < last[None, :])  # edge (ej, ej + 1) of row er
    dH = SH[ej + 1, er] - SH[ej, er]
    lam_e = (SG[ej, er] - SG[ej + 1, er]) / dH
    shift, i0, theta, lam, cand = np.zeros(I, np.int64), -1, 0.0, 0.0, [0.0]
    if need > 0 and lam_e.size:
        lam, below = _weighted_select(lam_e, dH, min(need, float(dH.sum())))
        crossed = lam_e < lam
        at = np.nonzero(lam_e == lam)[0]
        at = at[np.lexsort((-ej[at], er[at]))]  # right-most edge of a branch first
        cum = below + np.cumsum(dH[at])
        j = min(int(np.searchsorted(cum, need, side="left")), at.size - 1)
        theta = min(1.0, (need - (cum[j - 1] if j else below)) / dH[at[j]])
        shift = np.bincount(er[crossed], minlength=I) + np.bincount(er[at[:j]], minlength=I)
        if theta >= 1.0:
            shift[er[at[j]]] += 1
        else:
            i0 = int(er[at[j]])
        if not np.any(lam_e > lam):  # no Slater point: phi may still rise past the last breakpoint
            cand.append(2.0 * lam + 1.0)
        cand[0] = lam
    return cand, shift, i0, theta


def _relax(Hp, Gp, K):
    """Exact maximiser of phi(lam) = mean_i min_k (G_ik + lam H_ik) - lam K and a vertex LP solution.

    Only Pareto points can minimise G + lam H for lam >= 0; their lower hulls have edges with slopes -lam_e, and
    ``_budget_multiplier`` finds the lam where the budget binds.  Returns lam, phi(lam), the pure vertex of each
    branch, and the single branch (if any) that mixes two vertices.
    """
    SH, SG, SI, top = _lower_chains(*_pareto_sorted(Hp, Gp))
    cand, shift, i0, theta = _budget_multiplier(SH, SG, top, K)
    ar = np.arange(Hp.shape[0])
    phis = [float(np.mean(np.min(SG + x * SH, axis=0)) - x * K) for x in cand]
    best = int(np.argmax(phis))
    vert = top - 1 - shift
    out = dict(lam=cand[best], value=max(phis), vert=SI[vert, ar], i0=i0, theta=theta)
    if i0 >= 0:
        out.update(
            iL=int(SI[vert[i0] - 1, i0]),
            HL=float(SH[vert[i0] - 1, i0]),
            eta0=float((1 - theta) * SH[vert[i0], i0] + theta * SH[vert[i0] - 1, i0]),
        )
    return out


def _weighted_select(lam, w, need):
    """Smallest value x among lam with sum(w[lam <= x]) >= need, and sum(w[lam < x]); expected O(len) time."""
    base = 0.0
    while lam.size > 256:
        p = np.partition(lam, lam.size // 2)[lam.size // 2]
        lt = lam < p
        s = base + w[lt].sum()
        if s >= need:
            lam, w = lam[lt], w[lt]
            continue
        eq = lam == p
        if s + w[eq].sum() >= need:
            return float(p), s
        base = s + w[eq].sum()
        gt = lam > p
        lam, w = lam[gt], w[gt]
    o = np.argsort(lam, kind="stable")
    cum = base + np.cumsum(w[o])
    j = min(int(np.searchsorted(cum, need, side="left")), o.size - 1)
    x = lam[o[j]]
    return float(x), float(base + w[lam < x].sum())


def dual_lp(inst):
    """D by the LP relaxation (weights mu on each branch's points, one budget row) with HiGHS.  lam is minus the
    budget row's marginal, which is the maximiser of phi(lam) = Q(lam) - lam K."""
    _check_inst(inst)
    I = inst.I
    _, off, N, grp = _layout(inst)
    Aeq = sparse.csr_matrix((np.ones(N), (grp, np.arange(N))), (I, N))
    gs, hs = _scales(inst)
    try:  # default tolerances (1e-7) gave D off by 2e-9
        res = linprog(
            np.concatenate(inst.G) / (I * gs),
            A_ub=(np.concatenate(inst.H) / (I * hs))[None],
            b_ub=[inst.K_eff / hs],
            A_eq=Aeq,
            b_eq=np.ones(I),
            bounds=(0, None),
            method="highs",
            options={"primal_feasibility_tolerance": ztol.HIGHS_FEAS, "dual_feasibility_tolerance": ztol.HIGHS_FEAS},
        )
    except Exception as exc:  # noqa: BLE001 - never raise for solver failure
        return _route(ROUTE_LP, float("nan"), f"solver error: {exc}", False)
    if res.status != 0 or res.x is None:
        return _route(ROUTE_LP, float("nan"), str(res.message), False)
    marg = getattr(res, "ineqlin", None)
    lam = max(0.0, float(-marg.marginals[0]) * gs / hs) if marg is not None else 0.0
    # certify: the solution with bound violations clipped must fit the budget, and its objective must match the
    # weak-duality value phi(lam); HiGHS may spend its 1e-9 bound tolerance times a large H on the budget
    x = np.maximum(res.x, 0.0)
    x /= np.bincount(grp, weights=x, minlength=I)[grp]
    sol = tuple(x[off[i] : off[i + 1]] for i in range(I))
    obj = float(x @ np.concatenate(inst.G)) / I
    budget = float(x @ np.concatenate(inst.H)) / I
    weak = phi(inst, lam)
    scale = gs + lam * max(abs(inst.K), float(np.max(np.abs(inst._Hp))))
    checks = {"primal feasibility": budget - inst.K_eff, "objective": obj - weak}
    if not _fits(inst, budget) or obj - weak > ztol.HIGHS_CHECK_RTOL * scale:
        return _route(
            ROUTE_LP,
            float(res.fun) * gs,
            f"not certified: budget {budget:.6e} vs K_eff {inst.K_eff:.6e}, primal {obj:.12e} vs phi(lam) {weak:.12e}",
            False,
            lam=lam,
            solution=sol,
            checks=checks,
        )
    return _route(ROUTE_LP, float(res.fun) * gs, "optimal", True, lam=lam, solution=sol, checks=checks)


def dual_breakpoints(inst):
    """D by exact maximisation of the concave PWL phi(lam) over lam >= 0 through per-branch lower hulls and one
    sort of all hull-edge slopes (O(I G log G)); the returned solution is a vertex of the relaxation."""
    _check_inst(inst)
    Hp, Gp = _points(inst)
    r = _relax(Hp, Gp, inst.K_eff)
    sol = []
    for i in range(inst.I):
        mu = np.zeros(inst.H[i].size)
        if i == r["i0"]:
            mu[r["vert"][i]], mu[r["iL"]] = 1.0 - r["theta"], r["theta"]
        else:
            mu[r["vert"][i]] = 1.0
        sol.append(mu)
    return _route(ROUTE_HULL, r["value"], "optimal", True, lam=r["lam"], solution=tuple(sol))


def dual_bisection(inst, iters: int = 200):
    """D by bisection on lam: phi is concave and piecewise linear, and mean_i H_i(k_i(lam)) - K_eff at a minimiser
    k_i(lam) of G_ik + lam H_ik is a supergradient, positive left of the maximiser and negative right of it.  Uses
    nothing of the hull construction, only minima over the raw points, so it serves as an independent route at any
    size (O(I G) per step).  The value is the larger phi at the two ends of the final bracket on lam."""
    _check_inst(inst)
    Hp, Gp, K = inst._Hp, inst._Gp, inst.K_eff
    ar = np.arange(inst.I)

    def slope(lam):
        return float(np.mean(Hp[ar, np.argmin(Gp + lam * Hp, axis=1)])) - K

    lo, hi = 0.0, 1.0
    if slope(0.0) <= 0:
        return _route(ROUTE_BISECTION, phi(inst, 0.0), "optimal", True, lam=0.0, bracket=(0.0, 0.0))
    while slope(hi) > 0:
        hi *= 2.0
        if not np.isfinite(hi) or hi > 1e300:  # no Slater point: phi keeps rising
            return _route(ROUTE_BISECTION, float("nan"), "phi increases without bound in lam", False)
    for _ in range(int(iters)):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        lo, hi = (mid, hi) if slope(mid) > 0 else (lo, mid)
    vlo, vhi = phi(inst, lo), phi(inst, hi)
    return _route(ROUTE_BISECTION, max(vlo, vhi), "optimal", True, lam=lo if vlo >= vhi else hi, bracket=(lo, hi))
