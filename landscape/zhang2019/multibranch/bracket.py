"""A certified bracket D <= P <= upper for instances far beyond the MILP's reach (I up to 10^4 and more): the LP
relaxation's vertex, with its one fractional branch rounded to an explicit feasible point."""

from __future__ import annotations

import numpy as np

from landscape.zhang2019.multibranch.dual import _points, _relax
from landscape.zhang2019.multibranch.geometry import _Branch
from landscape.zhang2019.multibranch.instances import PWLBranches, _check_inst, _fits, _route

__all__ = ["certified_bracket", "ROUTE_BRACKET"]

ROUTE_BRACKET = "rounded LP vertex (explicit feasible point)"


def certified_bracket(inst, improve_passes=4):
    """Certified D <= P <= upper for large I without a MILP.

    The relaxation is solved exactly by the hull/slope sort of ``dual_breakpoints``; lower = phi(lam) is a valid
    lower bound on P for any lam >= 0 (weak duality).  In the vertex solution only one branch i0 mixes two points
    (one coupling row), all others sit on one of their own points.  Two repairs are tried: (a) i0 drops to its
    best pure point whose h does not exceed its LP budget share, which keeps the budget; (b) i0 keeps its richer
    vertex and the one other branch that can free the missing budget most cheaply steps down.  Greedy passes then
    spend left-over budget on single-branch upgrades, and the cheaper result is returned.  upper is the objective
    of that explicit feasible point, and (a) alone gives upper - lower <= (m_i0 - c_i0)(eta0) / I <= rho_worst / I.
    ok reports whether the point's budget is within K_eff (up to summation rounding).

    Returns a ``RouteResult`` whose value is ``upper``; ``data`` holds lower, upper, choice, params, budget,
    rounded_branch (i0) and lam.
    """
    _check_inst(inst)
    if isinstance(improve_passes, bool) or not isinstance(improve_passes, (int, np.integer)) or improve_passes < 0:
        raise ValueError(f"improve_passes must be a non-negative integer, got {improve_passes!r}")
    Hp, Gp = _points(inst)
    return _round(inst, _relax(Hp, Gp, inst.K_eff), Hp, Gp, int(improve_passes))


def _round(inst, r, Hp, Gp, improve_passes=4):
    isA = isinstance(inst, PWLBranches)
    I, K, ar = inst.I, inst.K_eff, np.arange(inst.I)
    idx = r["vert"].copy()
    Hc, Gc = Hp[ar, idx].copy(), Gp[ar, idx].copy()
    params = np.array([inst.t[i][idx[i]] for i in range(I)]) if isA else np.zeros(I)
    states, i0 = [], r["i0"]
    if i0 >= 0:
        # (b) i0 keeps its right vertex and the one branch that can give up the missing budget most cheaply does
        deficit = Hc.sum() - I * K
        best = np.where(Hp <= (Hc - deficit)[:, None], Gp, np.inf)
        best[i0] = np.inf
        k = np.argmin(best, axis=1)
        j = int(np.argmin(best[ar, k] - Gc))
        if np.isfinite(best[j, k[j]]):
            st = [a.copy() for a in (idx, Hc, Gc, params)]
            st[0][j], st[1][j], st[2][j], st[3][j] = k[j], Hp[j, k[j]], Gp[j, k[j]], inst.t[j][k[j]] if isA else 0
            states.append(st)
        # (a) i0 drops to its best point within its budget share: the LP's, capped by what the others leave
        # (theta suffers cancellation in the cumulative sums), never below the left vertex, which always fits
        eta0 = max(min(r["eta0"], I * K - (Hc.sum() - Hc[i0])), r["HL"])
        if isA:
            params[i0], Gc[i0], Hc[i0] = _Branch(inst.t[i0], inst.G[i0], inst.H[i0]).sublevel_min(eta0)
            idx[i0] = -1
        else:
            idx[i0] = int(np.argmin(np.where(inst.H[i0] <= eta0, inst.G[i0], np.inf)))
            Hc[i0], Gc[i0] = inst.H[i0][idx[i0]], inst.G[i0][idx[i0]]
    states.append([idx, Hc, Gc, params])
    for idx, Hc, Gc, params in states:  # greedy: spend left-over budget on the best single-branch upgrade
        for _ in range(improve_passes):
            slack = I * K - Hc.sum()
            if slack <= 0:
                break
            best = np.where(Hp <= (Hc + slack)[:, None], Gp, np.inf)
            k = np.argmin(best, axis=1)
            gain = Gc - best[ar, k]
            j = int(np.argmax(gain))
            if not gain[j] > 0:
                break
            idx[j], Hc[j], Gc[j] = k[j], Hp[j, k[j]], Gp[j, k[j]]
            if isA:
                params[j] = inst.t[j][k[j]]
    idx, Hc, Gc, params = min(states, key=lambda st: st[2].sum())
    if isA:
        choice = np.array(
            [min(max(int(np.searchsorted(inst.t[i], params[i], "left")), 1), inst.t[i].size - 1) for i in range(I)]
        )
    else:
        choice = idx
        params = None if inst.w is None else np.array([inst.w[i][idx[i]] for i in range(I)])
    budget = float(Hc.mean())
    ok = bool(_fits(inst, budget))
    upper = float(Gc.mean())
    return _route(
        ROUTE_BRACKET,
        upper,
        "feasible" if ok else f"budget {budget!r} exceeds K_eff {inst.K_eff!r}",
        ok,
        lower=r["value"],
        upper=upper,
        choice=choice,
        params=params,
        budget=budget,
        rounded_branch=i0,
        lam=r["lam"],
    )
