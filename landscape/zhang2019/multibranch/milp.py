"""The primal P of the multi-branch problem, exactly: a HiGHS MILP (value recomputed from the integer choice) and
an enumeration of every (segment) choice for small instances."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from landscape.zhang2019 import tolerances as ztol
from landscape.zhang2019.multibranch.bracket import _round
from landscape.zhang2019.multibranch.dual import _points, _relax
from landscape.zhang2019.multibranch.instances import _check_inst, _fits, _layout, _route, _scales

__all__ = ["primal_milp", "primal_bruteforce", "ROUTE_MILP", "ROUTE_ENUM"]

ROUTE_MILP = "HiGHS MILP"
ROUTE_ENUM = "enumeration of choices"


def _primal(route, value, status, ok, choice=None, params=None, budget=float("nan"), raw_value=float("nan")):
    """value: objective recomputed from ``choice``/``params`` (nan when not ok); raw_value: what the solver
    reported.  choice: family B grid index per branch, family A segment k (w in [t_{k-1}, t_k]); params: w per
    branch (family B only when w is known); budget: (1/I) sum_i h_i at the returned point."""
    return _route(
        route, value, status, ok, choice=choice, params=params, budget=float(budget), raw_value=float(raw_value)
    )


def _box_knapsack(g0, dg, h0, dh, cap, tol):
    """Exact min sum(g0 + s dg) s.t. sum(h0 + s dh) <= cap, 0 <= s <= 1, row-wise over a batch (C, I).

    Flipping s -> 1 - s where dh < 0 makes all weights non-negative; then it is a fractional knapsack solved
    greedily by cost per unit of budget.  Returns (value, s, feasible)."""
    flip = dh < 0
    c, a = np.where(flip, -dg, dg), np.abs(dh)
    room = cap - np.sum(h0 + np.where(flip, dh, 0.0), axis=1)
    feas = room >= -tol
    room = np.maximum(room, 0.0)
    useful = (a > 0) & (c < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(useful, c / a, np.inf)
    o = np.argsort(ratio, axis=1, kind="stable")
    a_o, u_o = np.take_along_axis(np.where(useful, a, 0.0), o, 1), np.take_along_axis(useful, o, 1)
    before = np.cumsum(a_o, axis=1) - a_o
    with np.errstate(divide="ignore", invalid="ignore"):
        s_o = np.where(u_o, np.clip((room[:, None] - before) / a_o, 0.0, 1.0), 0.0)
    sp = np.empty_like(s_o)
    np.put_along_axis(sp, o, s_o, 1)
    sp = np.where((a == 0) & (c < 0), 1.0, sp)
    s = np.where(flip, 1.0 - sp, sp)
    return np.sum(g0 + s * dg, axis=1), s, feas


def _seg_knapsack(inst, seg):
    """Family A with branch i confined to segment seg[c, i] (1-based), for every row c of seg: exact optimum by the
    continuous knapsack.  Returns per row (value, w, feasible, budget); the budget comes from the knapsack itself,
    since re-interpolating h at the float w adds rounding on steep segments."""
    ar = np.arange(inst.I)[None, :]
    (t0, t1), (g0, g1), (h0, h1) = ((P[ar, seg - 1], P[ar, seg]) for P in (inst._Tp, inst._Gp, inst._Hp))
    val, s, ok = _box_knapsack(g0, g1 - g0, h0, h1 - h0, inst.I * inst.K_eff, inst.I * inst.feas_tol * 0.25)
    return val / inst.I, t0 + s * (t1 - t0), ok, np.mean(h0 + s * (h1 - h0), axis=1)


def _pick(inst, choice):
    """Family B: (value, budget, w or None) of the pure choice (grid index per branch)."""
    ar = np.arange(inst.I)
    params = None if inst.w is None else np.array([w[k] for w, k in zip(inst.w, choice)])
    return float(np.mean(inst._Gp[ar, choice])), float(np.mean(inst._Hp[ar, choice])), params


def _prune(inst, isA):
    """Exact pruning before the MILP.  Lagrangian reduced-cost fixing: for any lam >= 0, a feasible point that puts
    branch i on point k (family B) or in segment k (family A) costs at least phi(lam) + rc_ik / I, with
    rc_ik = (G + lam H)_ik - min_j (G + lam H)_ij (the smaller of the segment's two ends in family A).  Anything
    whose bound exceeds the value U of a known feasible point is in no optimal solution.  Family B also drops
    dominated options.  Returns (keep masks per branch: points in B, segments in A; U; lam), or None when there
    is no incumbent."""
    Hp, Gp = _points(inst)
    r = _relax(Hp, Gp, inst.K_eff)
    br = _round(inst, r, Hp, Gp)
    if not (br.ok and np.isfinite(r["value"]) and np.isfinite(br["upper"])):
        return None
    lam, phi, U = r["lam"], r["value"], br["upper"]
    # slack for rounding in G + lam H, phi and U; a larger slack only prunes less, it never prunes an optimum
    margin = ztol.PRUNE_RTOL * (1.0 + abs(U) + abs(phi) + lam * max(float(np.max(np.abs(h))) for h in inst.H))
    keep = []
    for g, h in zip(inst.G, inst.H):
        v = g + lam * h
        rc = v - v.min()
        if isA:
            rc = np.minimum(rc[:-1], rc[1:])
        kp = phi + rc / inst.I <= U + margin
        if not isA:  # a dominated option (another has H and G no larger) can be swapped out of any optimum
            o = np.lexsort((g, h))
            pareto = np.ones(g.size, bool)
            pareto[o[1:]] = g[o[1:]] < np.minimum.accumulate(g[o])[:-1]
            kp &= pareto
        keep.append(kp)
    return keep, U, lam


def _grid_model(inst, keep, Hall, Gall, k_rhs):
    """Family B: a multiple-choice knapsack (one binary per kept grid point, one per branch chosen).  Pruned options
    are left out of the model altogether (bounds alone left it slow to presolve).  Returns (c, integrality, upper
    bounds, constraints, kept columns)."""
    I = inst.I
    _, _, N, grp = _layout(inst)
    cols = np.nonzero(np.concatenate(keep))[0] if keep is not None else np.arange(N)
    c, nvar = Gall[cols], cols.size
    cons = [
        LinearConstraint(sparse.csr_matrix((np.ones(nvar), (grp[cols], np.arange(nvar))), (I, nvar)), 1, 1),
        LinearConstraint(Hall[cols][None], -np.inf, k_rhs),
    ]
    return c, np.ones(nvar), np.ones(nvar), cons, cols


def _pwl_model(inst, keep, Hall, Gall, k_rhs):
    """Family A: the lambda formulation with SOS2 by binaries.  Variables mu_ik >= 0 on the breakpoints and z_ik
    selecting segment [t_{k-1}, t_k]; a point stays usable when one of its neighbouring segments is kept.
    Returns (c, integrality, upper bounds, constraints, None)."""
    I = inst.I
    n, off, N, grp = _layout(inst)
    ns = n - 1
    soff = np.concatenate([[0], np.cumsum(ns)])
    Nz = int(soff[-1])
    nvar = N + Nz
    c = np.concatenate([Gall, np.zeros(Nz)])
    # rows: sum_k mu_ik = 1 (I rows), sum_k z_ik = 1 (I rows), mu_ik - z_ik - z_i,k+1 <= 0 (N rows); the missing
    # z at both ends is simply absent
    k_loc = np.arange(N) - off[grp]
    r_ = [grp, I + np.repeat(np.arange(I), ns), 2 * I + np.arange(N)]
    c_ = [np.arange(N), N + np.arange(Nz), np.arange(N)]
    v_ = [np.ones(N), np.ones(Nz), np.ones(N)]
    for seg in (k_loc, k_loc + 1):  # the segments to the left and to the right of point k
        m = (seg >= 1) & (seg <= ns[grp])
        r_.append(2 * I + np.nonzero(m)[0])
        c_.append(N + soff[grp[m]] + seg[m] - 1)
        v_.append(-np.ones(int(m.sum())))
    A = sparse.csr_matrix((np.concatenate(v_), (np.concatenate(r_), np.concatenate(c_))), (2 * I + N, nvar))
    lo = np.concatenate([np.ones(2 * I), np.full(N, -np.inf)])
    hi = np.concatenate([np.ones(2 * I), np.zeros(N)])
    cons = [LinearConstraint(A, lo, hi), LinearConstraint(np.concatenate([Hall, np.zeros(Nz)])[None], -np.inf, k_rhs)]
    integ = np.zeros(nvar)
    integ[N:] = 1
    ub = np.ones(nvar)
    if keep is not None:
        kc = np.concatenate(keep)
        near = np.zeros(N, bool)
        for d in (0, 1):
            seg = k_loc + d
            m = (seg >= 1) & (seg <= ns[grp])
            near[m] |= kc[soff[grp[m]] + seg[m] - 1]
        ub[:N], ub[N:] = near, kc
    return c, integ, ub, cons, None


def _solve(c, integ, ub, cons, time_limit):
    """HiGHS with gap 0; a model that presolve calls infeasible or unbounded is re-solved without presolve (seen on
    feasible, badly scaled models).  Raises whatever the solver raises."""
    # scipy passes mip_abs_gap on with a warning
    opts = {
        "mip_rel_gap": 0.0,
        "mip_abs_gap": ztol.HIGHS_MIP_ABS_GAP,
        "mip_feasibility_tolerance": ztol.HIGHS_FEAS,
        "primal_feasibility_tolerance": ztol.HIGHS_FEAS,
    }
    if time_limit is not None:
        opts["time_limit"] = float(time_limit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = milp(c, integrality=integ, bounds=Bounds(0, ub), constraints=cons, options=opts)
        if res.status in (2, 4):
            res = milp(
                c, integrality=integ, bounds=Bounds(0, ub), constraints=cons, options={**opts, "presolve": False}
            )
    return res


def _read_choice(inst, isA, x):
    """The integer choice of a MILP point and its exactly recomputed (value, params, ok, budget): family A re-solves
    the continuous knapsack on the chosen segments, family B reads the chosen grid points."""
    I = inst.I
    n, off, N, _ = _layout(inst)
    if isA:
        soff = np.concatenate([[0], np.cumsum(n - 1)])
        choice = np.array([1 + int(np.argmax(x[N + soff[i] : N + soff[i + 1]])) for i in range(I)])
        val, params, ok, budget = (v[0] for v in _seg_knapsack(inst, choice[None]))
        return choice, float(val), params, bool(ok), float(budget)
    choice = np.array([int(np.argmax(x[off[i] : off[i + 1]])) for i in range(I)])
    val, budget, params = _pick(inst, choice)
    return choice, val, params, True, budget


def primal_milp(inst, prune=True, time_limit=60.0):
    """P by a HiGHS MILP (gap 0): lambda/SOS2-by-binaries formulation in family A, multiple-choice knapsack in
    family B.  With prune=True, options or segments that Lagrangian reduced-cost fixing (``_prune``) proves useless
    are dropped (exact, and what keeps 64 x 512 grids fast).  The value is recomputed from the rounded integer
    choice (family A: exact knapsack on the chosen segments).  Solver trouble (including hitting ``time_limit``
    seconds, seen on 64 x 512 near-tie "plateau" grids) gives ok=False with the solver's message instead of an
    exception; data["raw_value"] then holds the incumbent's objective if HiGHS had one."""
    isA = _check_inst(inst)
    if time_limit is not None and not (float(time_limit) > 0):
        raise ValueError(f"time_limit must be positive or None, got {time_limit!r}")
    I = inst.I
    pr = _prune(inst, isA) if prune else None
    keep, U, lam_u = pr if pr is not None else (None, np.inf, 0.0)
    _, _, N, _ = _layout(inst)
    gs, hs = _scales(inst)
    Hall, Gall = np.concatenate(inst.H) / (I * hs), np.concatenate(inst.G) / (I * gs)
    # family B: K + feas_tol / 2 plus HiGHS' slack (0.1 feas_tol) stays inside K_eff, so no choice the brute force
    # rejects slips in; family A: K_eff itself, since the exact knapsack on the chosen segments re-solves at K_eff
    k_rhs = (inst.K + (1.0 if isA else 0.5) * inst.feas_tol) / hs
    c, integ, ub, cons, cols = (_pwl_model if isA else _grid_model)(inst, keep, Hall, Gall, k_rhs)
    try:
        res = _solve(c, integ, ub, cons, time_limit)
    except Exception as exc:  # noqa: BLE001 - never raise for solver failure
        return _primal(ROUTE_MILP, float("nan"), f"solver error: {exc}", False)
    if res.x is None or res.status != 0:
        inc = float(res.fun) * gs if res.x is not None else float("nan")
        return _primal(ROUTE_MILP, float("nan"), str(res.message), False, raw_value=inc)
    x = res.x
    if not isA:
        x = np.zeros(N)
        x[cols] = res.x
    choice, val, params, ok, budget = _read_choice(inst, isA, x)
    ok = bool(ok and _fits(inst, budget))
    status = "optimal" if ok else f"rounded choice exceeds the budget by {budget - inst.K_eff:.3e}"
    # sanity check against the incumbent U of _prune (seen to fail on instances with lam ~ 1e7 where HiGHS'
    # tolerances dominate); U may sit up to 0.25 feas_tol over K_eff, worth lam * feas_tol
    if ok and val > U + ztol.HIGHS_CHECK_RTOL * gs + lam_u * inst.feas_tol:
        ok, status = False, f"MILP point {val!r} is worse than the known feasible value {U!r}"
    return _primal(ROUTE_MILP, val if ok else float("nan"), status, ok, choice, params, budget, float(res.fun) * gs)


def primal_bruteforce(inst, limit=200000):
    """P by enumeration: family B all G^I choices; family A every segment per branch, each with the exact
    I-variable continuous knapsack.  Raises ValueError when the enumeration exceeds ``limit``."""
    isA = _check_inst(inst)
    I = inst.I
    sizes = [r.size - 1 if isA else r.size for r in inst.H]
    total = float(np.prod(np.array(sizes, dtype=np.float64)))
    if not (limit >= 1) or total > limit:
        raise ValueError(f"limit={limit}: enumeration would need {total:.0f} cases")
    if not isA:
        sG, sH = np.zeros(1), np.zeros(1)
        for g, h in zip(inst.G, inst.H):
            sG, sH = (sG[:, None] + g[None]).ravel(), (sH[:, None] + h[None]).ravel()
        feas = _fits(inst, sH / I)
        if not feas.any():
            return _primal(ROUTE_ENUM, float("nan"), "infeasible", False)
        k = int(np.argmin(np.where(feas, sG, np.inf)))
        choice = np.array(np.unravel_index(k, sizes))
        val, bud, params = _pick(inst, choice)
        return _primal(ROUTE_ENUM, val, "optimal", True, choice, params, bud, float(sG[k] / I))
    seg = np.stack(np.unravel_index(np.arange(int(total)), sizes), axis=1) + 1  # (C, I)
    val, w, feas, bud = _seg_knapsack(inst, seg)
    if not feas.any():
        return _primal(ROUTE_ENUM, float("nan"), "infeasible", False)
    k = int(np.argmin(np.where(feas, val, np.inf)))
    return _primal(ROUTE_ENUM, float(val[k]), "optimal", True, seg[k], w[k], float(bud[k]), float(val[k]))
