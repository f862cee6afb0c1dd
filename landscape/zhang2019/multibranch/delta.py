"""The theorem's measure of non-convexity Delta_i = sup (f_hat_i - f_tilde_i), and the smaller rho_i that bounds
the gap of a one-row problem, both exactly (family A: piecewise-linear data; family B: parameter grids)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape.core.tolerances import EPS64
from landscape.zhang2019 import tolerances as ztol
from landscape.zhang2019.multibranch.geometry import _Branch, _lower_hull, _maxmin_affine
from landscape.zhang2019.multibranch.instances import _check_inst

__all__ = ["BranchMeasure", "delta_exact", "rho_exact"]


def _measure(d, G):
    """BranchMeasure of per-branch values, with values at the rounding level of the branch's g set to 0
    (``tolerances.DELTA_ROUNDING``)."""
    d = np.asarray(d, dtype=np.float64)
    floor = ztol.DELTA_ROUNDING * EPS64 * np.array([float(np.max(np.abs(g))) for g in G])
    d = np.where(d <= floor, 0.0, d)
    return BranchMeasure(d, float(d.max()))


@dataclass(frozen=True, eq=False)
class BranchMeasure:
    """A per-branch quantity (Delta_i or rho_i) and its largest value over the branches."""

    per_branch: np.ndarray
    worst: float


def _identity(x):
    return x


def _pwl_sup(t, G, H, over_levels):
    """Family A, one branch.  over_levels=False: Delta = sup_w f_hat(w) - f_tilde(w); True: rho = sup_eta m(eta) -
    c(eta).  Between consecutive points of the split set below, m(h) = min{g : h <= level} is the min of three
    affine pieces (g at both sublevel ends, min G strictly inside) and the hull term is affine, so the sup over each
    piece sits at an end or where two pieces cross."""
    br = _Branch(t, G, H)
    if over_levels:
        hx, hy = _lower_hull(H, G)
        cand = np.unique(H)  # a(eta), b(eta) are affine between consecutive breakpoint levels
        if cand.size == 1:
            return 0.0
        lev = _identity
    else:
        hx, hy = _lower_hull(t, G)
        cand = np.unique(np.clip(np.concatenate([t, br.end(H, True)[0], br.end(H, False)[0]]), t[0], t[-1]))
        lev = br.h
    p, q = cand[:-1], cand[1:]
    end0, end1 = br.pieces((lev(p), lev(q)), lev(0.5 * (p + q)))
    d = _maxmin_affine(end0 - np.interp(p, hx, hy), end1 - np.interp(q, hx, hy))
    return max(0.0, float(d.max()))


def _delta_grid(w, G, H, c):
    if w.max() == w.min():
        return 0.0
    hx, hy = _lower_hull(w, G)
    r = np.abs(w - c)
    o = np.argsort(r, kind="stable")
    rs, ms = r[o], np.minimum.accumulate(G[o])  # m(rho) = min{G_k : r_k <= rho}, a step function
    lo, hi = w.min(), w.max()
    cand = np.concatenate([hx, c - r, c + r, [c]])
    cand = np.unique(cand[(cand >= lo) & (cand <= hi)])
    p, q = cand[:-1], cand[1:]
    j = np.searchsorted(rs, np.abs(0.5 * (p + q) - c), side="right") - 1
    if np.any(j < 0):  # some w~ in conv(grid) has an empty sublevel set: f_hat = +inf there
        return float("inf")
    ft = np.minimum(np.interp(p, hx, hy), np.interp(q, hx, hy))  # sup of const - affine on an open interval
    return max(0.0, float(np.max(ms[j] - ft)))


def _rho_points(G, H):
    hx, hy = _lower_hull(H, G)
    o = np.lexsort((G, H))
    Hs, ms = H[o], np.minimum.accumulate(G[o])
    last = np.ones(Hs.size, bool)
    last[:-1] = Hs[1:] != Hs[:-1]
    eta, m = Hs[last], ms[last]  # m(eta_k) at each distinct level
    cv = np.interp(eta, hx, hy)
    vals = m - np.minimum(cv, np.append(cv[1:], cv[-1]))  # on [eta_k, eta_k+1): m constant, c affine
    return max(0.0, float(vals.max()))


def delta_exact(inst, branches=None):
    """Delta_i = sup_{w~} f_hat_i(w~) - f_tilde_i(w~) exactly.  Family A: f_tilde is the lower hull of (t, G);
    f_hat(w~) = min{g : h <= h(w~)}; the difference is (min of affine) - affine between consecutive points of
    {t_k} u {w~ : h(w~) = H_k}, so endpoints and crossings suffice.  Family B (needs w): inner minima over the
    grid, outer sup over [min w, max w]; +inf where some w~ there has an empty sublevel set.

    ``branches`` (indices) restricts the computation to those branches (``per_branch`` then follows their order and
    ``worst`` is their largest value, a lower bound on Delta_worst)."""
    isA = _check_inst(inst)
    idx = range(inst.I) if branches is None else [int(i) for i in branches]
    if isA:
        d = np.array([_pwl_sup(inst.t[i], inst.G[i], inst.H[i], False) for i in idx])
    else:
        if inst.w is None:
            raise ValueError("inst.w is required for delta_exact in family B (only rho_exact works without it)")
        d = np.array([_delta_grid(inst.w[i], inst.G[i], inst.H[i], inst.h_center[i]) for i in idx])
    if d.size == 0:
        raise ValueError("branches must name at least one branch")
    return _measure(d, [inst.G[i] for i in idx])


def rho_exact(inst):
    """rho_i = sup_eta m_i(eta) - c_i(eta): m_i(eta) the least g_i with h_i <= eta (family A over the whole
    interval, family B over the grid), c_i the lower hull of the image points.  rho_i <= Delta_i, and I (P - D)
    <= rho_worst (one fractional branch in a vertex of the relaxation, rounded down inside its budget)."""
    isA = _check_inst(inst)
    if isA:
        r = np.array([_pwl_sup(t, g, h, True) for t, g, h in zip(inst.t, inst.G, inst.H)])
    else:
        r = np.array([_rho_points(g, h) for g, h in zip(inst.G, inst.H)])
    return _measure(r, inst.G)
