"""Exact numerics for the duality gap of multi-branch networks (Zhang, Shao, Salakhutdinov 2019, Thm 1).

Under Assumption 1 (tau above every reachable margin) the tau-hinge loss of an I-branch average network is
linear in the branch outputs, so the training problem separates into

    P = min (1/I) sum_i g_i(w_i)   s.t.  (1/I) sum_i h_i(w_i) <= K,   w_i in W_i,

with one coupling (budget) row; the Lagrangian dual D is the same program over conv of the image sets
S_i = {(h_i(w), g_i(w))}.  Two exact instance families are supported:

* ``PWLBranches`` (family A): W_i an interval, g_i and h_i piecewise linear on shared breakpoints, h_i convex.
* ``GridBranches`` (family B): finitely many candidate parameters per branch (the "thm1.finite" reading).

Everything here is float64 and deterministic.  All routes use the budget K_eff = K + feas_tol (feas_tol ~ 1e-14
relative, see below), so budget ties count alike everywhere; values differ from those at K by at most
lam * feas_tol.  Results of HiGHS are re-checked and reported with ok=False, never raised, when they fail.

A fact worth knowing when reading results: with a single coupling
row, a vertex of the LP relaxation mixes at most one branch, and rounding that branch down to the best pure point
inside its LP budget costs at most rho_i (see ``rho_exact``); hence I*(P - D) <= rho_worst <= Delta_worst, i.e. the
normalised gap never exceeds 1/I (the paper proves 2/I).  ``explicit_instance`` attains 1/I exactly.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

__all__ = [
    "PWLBranches", "GridBranches", "PrimalResult", "DualResult", "BranchMeasure", "BracketResult",
    "pwl_from_relu_units", "assumption1_margin", "primal_milp", "dual_lp", "dual_breakpoints",
    "primal_bruteforce", "delta_exact", "rho_exact", "certified_bracket", "explicit_instance",
    "explicit_network",
]

# Every route solves the problem with budget K_eff = K + feas_tol, where
# feas_tol = max(_FEAS, 4 eps I) * max(|K|, max|H|): budget ties that float sums of I terms miss by a few ulps then
# count as feasible everywhere alike.  It is relative and tiny because values move by lam * feas_tol: with steep
# trade-offs (lam ~ 1e6) an absolute slack of 1e-9 moved P by 1e-3, and a relative 1e-12 still put 2e-10 between
# routes that use the slack differently.
_FEAS = 1e-14
# HiGHS sees objective / max|G| and the budget row in units of 1e8 feas_tol, so its 1e-9 feasibility tolerance is
# 0.1 feas_tol: the MILP (right-hand side K + feas_tol / 2) stays inside K_eff.
_HIGHS_UNIT = 1e8
# Convexity of h (family A) is checked up to this relative slack so that h built from rounded data still passes.
_CONVEX = 1e-9


# ---- validation helpers ------------------------------------------------------------------------------------------
def _rows(x, name, min_len=1):
    """Turn an (I, n) array or a sequence of 1-D arrays into (tuple of read-only float64 rows, padded I x n array).

    Ragged rows are padded by repeating their last entry: duplicates never change a minimum or a hull."""
    try:
        if isinstance(x, np.ndarray):
            if x.ndim != 2:
                raise ValueError
            a = np.array(x, dtype=np.float64)  # fast path for big rectangular inputs
            a.setflags(write=False)  # before taking row views, so that they are read-only too
            rows = tuple(a)
        else:
            rows = tuple(np.array(r, dtype=np.float64) for r in x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 2-D (I x n) array or a list of 1-D numeric arrays") from None
    if len(rows) == 0:
        raise ValueError(f"{name} must have at least one branch (I >= 1)")
    for i, r in enumerate(rows):
        if r.ndim != 1 or r.size < min_len:
            raise ValueError(f"{name}[{i}] must be 1-D with at least {min_len} entries, got shape {r.shape}")
    if isinstance(x, np.ndarray):
        pad = a
    else:
        pad = np.empty((len(rows), max(r.size for r in rows)))
        for i, r in enumerate(rows):
            pad[i, :r.size], pad[i, r.size:] = r, r[-1]
            r.setflags(write=False)
    if not np.all(np.isfinite(pad)):
        i = int(np.argmin(np.all(np.isfinite(pad), axis=1)))
        raise ValueError(f"{name}[{i}] contains NaN or inf")
    pad.setflags(write=False)
    return rows, pad


def _arr(x, name):
    try:
        return np.array(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric") from None


def _scalar(x, name, positive=False):
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real scalar") from None
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if positive and v <= 0:
        raise ValueError(f"{name} must be > 0, got {v}")
    return v


def _same_shapes(a, b, na, nb):
    if len(a) != len(b):
        raise ValueError(f"{nb} has {len(b)} branches but {na} has {len(a)}")
    for i, (r, s) in enumerate(zip(a, b)):
        if r.shape != s.shape:
            raise ValueError(f"{nb}[{i}] has shape {s.shape}, expected {r.shape} like {na}[{i}]")


def _check_K(K, Hp):
    tol = max(_FEAS, 4 * np.finfo(float).eps * Hp.shape[0]) * (max(abs(K), float(np.max(np.abs(Hp)))) or 1.0)
    need = float(np.mean(np.min(Hp, axis=1)))
    if K + tol < need:
        raise ValueError(f"K={K!r} is infeasible: it must be >= (1/I) sum_i min h_i = {need!r}")
    return tol


def _fits(inst, budget):
    """(1/I) sum h <= K_eff, allowing 0.25 feas_tol (>= eps I max|H|: two summation orders of I terms, and HiGHS'
    own slack of 0.1 feas_tol in the LP)."""
    return budget <= inst.K + 1.25 * inst.feas_tol


# ---- instance data -----------------------------------------------------------------------------------------------
class _Instance:
    """Shared bits: number of branches, padded point arrays, the budget K_eff = K + feas_tol every route uses."""

    def _finish(self, K, Gp, Hp, **fields):
        for name, v in dict(fields, K=K, _Gp=Gp, _Hp=Hp).items():
            object.__setattr__(self, name, v)
        object.__setattr__(self, "feas_tol", _check_K(K, Hp))

    @property
    def I(self):
        return self._Hp.shape[0]

    @property
    def K_eff(self):
        return self.K + self.feas_tol


@dataclass(frozen=True, eq=False)
class PWLBranches(_Instance):
    """Family A: branch i has W_i = [t[i][0], t[i][-1]] and PWL g_i, h_i with values G[i], H[i] at t[i].

    t[i] must be strictly increasing (at least two breakpoints), h_i convex, and K >= (1/I) sum_i min h_i.
    Rows may have different lengths (pass lists) or be given as I x (M+1) arrays.
    """
    t: tuple
    G: tuple
    H: tuple
    K: float
    feas_tol: float = field(init=False, repr=False)
    _Gp: np.ndarray = field(init=False, repr=False)
    _Hp: np.ndarray = field(init=False, repr=False)
    _Tp: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        (t, Tp), (G, Gp), (H, Hp) = _rows(self.t, "t", 2), _rows(self.G, "G", 2), _rows(self.H, "H", 2)
        _same_shapes(t, G, "t", "G")
        _same_shapes(t, H, "t", "H")
        for i, (ti, hi) in enumerate(zip(t, H)):
            dt = np.diff(ti)
            if np.any(dt <= 0):
                raise ValueError(f"t[{i}] must be strictly increasing (non-increasing breakpoints found)")
            chord = (dt[1:] * hi[:-2] + dt[:-1] * hi[2:]) / (dt[1:] + dt[:-1])  # h_k must not exceed it
            if np.any(hi[1:-1] - chord > _CONVEX * (np.max(np.abs(hi)) or 1.0)):
                raise ValueError(f"H[{i}] does not describe a convex piecewise-linear h_{i}")
        self._finish(_scalar(self.K, "K"), Gp, Hp, t=t, G=G, H=H, _Tp=Tp)


@dataclass(frozen=True, eq=False)
class GridBranches(_Instance):
    """Family B: branch i may take one of finitely many parameters; G[i][k] = g_i(w_ik), H[i][k] = h_i(w_ik).

    Optional ``w`` (same shapes, scalar parameters) enables ``delta_exact``.  Then h_i is taken to be radial,
    h_i(w) = phi_i(|w - h_center_i|) with phi_i increasing (weight decay: h_center = 0, the default), which is all
    Delta needs because it sees h_i only through its sublevel sets; H must be consistent with that ordering.
    """
    G: tuple
    H: tuple
    K: float
    w: tuple | None = None
    h_center: np.ndarray | None = None
    feas_tol: float = field(init=False, repr=False)
    _Gp: np.ndarray = field(init=False, repr=False)
    _Hp: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        (G, Gp), (H, Hp) = _rows(self.G, "G"), _rows(self.H, "H")
        _same_shapes(G, H, "G", "H")
        w, c = self.w, self.h_center
        if w is None and c is not None:
            raise ValueError("h_center given without w")
        if w is not None:
            w, Wp = _rows(w, "w")
            _same_shapes(G, w, "G", "w")
            try:
                c = np.broadcast_to(np.asarray(0.0 if c is None else c, dtype=np.float64), (len(G),)).copy()
            except (ValueError, TypeError):
                raise ValueError(f"h_center must be a scalar or have shape ({len(G)},)") from None
            if not np.all(np.isfinite(c)):
                raise ValueError("h_center contains NaN or inf")
            # H sorted by radius must not decrease (padded columns repeat a real pair, so they are harmless)
            r = np.abs(Wp - c[:, None])
            o = np.argsort(r, axis=1, kind="stable")
            dr, dh = np.diff(np.take_along_axis(r, o, 1), axis=1), np.diff(np.take_along_axis(Hp, o, 1), axis=1)
            slack = _CONVEX * (np.max(np.abs(Hp), axis=1, keepdims=True) + 1e-300)
            bad = np.any((dh < -slack) | ((dr == 0) & (np.abs(dh) > slack)), axis=1)
            if np.any(bad):
                i = int(np.argmax(bad))
                raise ValueError(f"H[{i}] is not a non-decreasing function of |w[{i}] - h_center[{i}]|")
            c.setflags(write=False)
        self._finish(_scalar(self.K, "K"), Gp, Hp, G=G, H=H, w=w, h_center=c)


def _check_inst(inst):
    if not isinstance(inst, (PWLBranches, GridBranches)):
        raise ValueError(f"inst must be PWLBranches or GridBranches, got {type(inst).__name__}")
    return isinstance(inst, PWLBranches)


# ---- results -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PrimalResult:
    """value: objective recomputed from `choice`/`params` (nan when not ok); raw_value: what the solver reported.
    choice: family B grid index per branch, family A segment k (w in [t_{k-1}, t_k]); params: w per branch
    (family B only when w is known); budget: (1/I) sum_i h_i at the returned point."""
    value: float
    status: str
    ok: bool
    choice: np.ndarray | None = None
    params: np.ndarray | None = None
    budget: float = float("nan")
    raw_value: float = float("nan")


@dataclass(frozen=True, eq=False)
class DualResult:
    """value: D; lam: optimal multiplier of the budget row; solution: per-branch weights on the points."""
    value: float
    status: str
    ok: bool
    lam: float = float("nan")
    solution: tuple | None = None


@dataclass(frozen=True, eq=False)
class BranchMeasure:
    per_branch: np.ndarray
    worst: float


@dataclass(frozen=True, eq=False)
class BracketResult:
    """lower = D (weak duality: lower <= P); upper = objective of the explicit feasible point (P <= upper)."""
    lower: float
    upper: float
    choice: np.ndarray
    params: np.ndarray | None
    budget: float
    ok: bool
    rounded_branch: int
    lam: float


# ---- networks ----------------------------------------------------------------------------------------------------
def _net_args(X, y, tau, units, intervals):
    X = _arr(X, "X")
    if X.ndim != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
        raise ValueError("X must be a finite (n x d) array with n >= 1")
    y = _arr(y, "y")
    if y.shape != (X.shape[0],) or not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError("y must have shape (n,) with entries in {-1, +1}")
    tau = _scalar(tau, "tau", positive=True)
    if not isinstance(units, (tuple, list)) or len(units) not in (3, 4):
        raise ValueError("units must be a tuple (A, b, v) or (A, b, v, E)")
    A = _arr(units[0], "units[0] (A)")
    if A.ndim != 2 or A.shape[1] != X.shape[1] or A.shape[0] == 0:
        raise ValueError(f"units[0] (A) must have shape (I, {X.shape[1]}) with I >= 1")
    I = A.shape[0]
    b, v = _arr(units[1], "units[1] (b)"), _arr(units[2], "units[2] (v)")
    E = np.zeros_like(A) if len(units) == 3 else _arr(units[3], "units[3] (E)")
    for name, arr, shp in (("units[1] (b)", b, (I,)), ("units[2] (v)", v, (I,)), ("units[3] (E)", E, A.shape)):
        if arr.shape != shp:
            raise ValueError(f"{name} must have shape {shp}")
    iv = _arr(intervals, "intervals")
    if iv.shape != (I, 2) or not np.all(iv[:, 0] < iv[:, 1]):
        raise ValueError("intervals must have shape (I, 2) with l_i < u_i")
    for name, arr in (("units", np.concatenate([A.ravel(), b, v, E.ravel()])), ("intervals", iv)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf")
    return X, y, tau, A, b, v, E, iv


def _unit_out(w, s, b, v, off):
    return v * np.maximum(w * s + b, 0.0) + off


def pwl_from_relu_units(X, y, tau, units, intervals, h_centers, K, require_assumption1=False):
    """Family-A instance from branches f_i(w; x) = v_i relu(w a_i.x + b_i) + e_i.x with w in [l_i, u_i].

    units = (A, b, v) or (A, b, v, E) with A, E of shape (I, d); h_i(w) = |w - h_centers[i]|.  Breakpoints are
    l_i, u_i, the centre and every kink -b_i / (a_i.x_j) inside the interval; G = mean_j (1 - y_j f_i / tau).
    With ``require_assumption1`` a tau that does not exceed every reachable y f (``assumption1_margin`` <= 0)
    raises ValueError: the linear form of the loss, and so the instance, would be wrong.
    """
    if require_assumption1:
        margin = assumption1_margin(X, y, tau, units, intervals)
        if not margin > 0:
            raise ValueError(f"tau={tau!r} violates Assumption 1: some parameters reach y f >= tau "
                             f"(margin {margin:.3g}); the hinge would be active")
    X, y, tau, A, b, v, E, iv = _net_args(X, y, tau, units, intervals)
    c = _arr(h_centers, "h_centers")
    if c.shape != (A.shape[0],) or not np.all(np.isfinite(c)) or np.any(c < iv[:, 0]) or np.any(c > iv[:, 1]):
        raise ValueError("h_centers must have shape (I,), be finite and lie inside the intervals")
    S, off = X @ A.T, X @ E.T  # (n, I)
    T, Gs, Hs = [], [], []
    for i in range(A.shape[0]):
        s = S[:, i]
        nz = s != 0
        kinks = -b[i] / s[nz]
        kinks = kinks[(kinks > iv[i, 0]) & (kinks < iv[i, 1])]
        t = np.unique(np.concatenate([iv[i], [c[i]], kinks]))
        f = _unit_out(t[:, None], s[None, :], b[i], v[i], off[None, :, i])  # (M+1, n)
        T.append(t)
        Gs.append(np.mean(1.0 - y[None, :] * f / tau, axis=1))
        Hs.append(np.abs(t - c[i]))
    return PWLBranches(T, Gs, Hs, K)


def assumption1_margin(X, y, tau, units, intervals):
    """tau - max_j (1/I) sum_i max_{w in [l_i,u_i]} y_j f_i(w; x_j), exact (each term is PWL with one kink).

    Positive means Assumption 1 holds (the average of per-branch maxima bounds the joint maximum)."""
    X, y, tau, A, b, v, E, iv = _net_args(X, y, tau, units, intervals)
    S, off = (X @ A.T).T, (X @ E.T).T  # (I, n)
    l, u = iv[:, :1], iv[:, 1:]
    vals = [y * _unit_out(l, S, b[:, None], v[:, None], off), y * _unit_out(u, S, b[:, None], v[:, None], off)]
    with np.errstate(divide="ignore", invalid="ignore"):
        k = -b[:, None] / S
    inside = (S != 0) & (k > l) & (k < u)
    k = np.where(inside, k, l)
    vals.append(np.where(inside, y * _unit_out(k, S, b[:, None], v[:, None], off), -np.inf))
    return float(tau - np.max(np.mean(np.max(vals, axis=0), axis=0)))


# ---- geometry helpers --------------------------------------------------------------------------------------------
def _lower_hull(x, y):
    """Vertices of the lower convex hull of the points (x, y) (duplicates in x keep the smallest y)."""
    o = np.lexsort((y, x))
    x, y = x[o], y[o]
    first = np.ones(x.size, bool)
    first[1:] = x[1:] != x[:-1]
    x, y = x[first], y[first]
    hx, hy = [], []
    for px, py in zip(x.tolist(), y.tolist()):
        while len(hx) >= 2 and (hx[-1] - hx[-2]) * (py - hy[-2]) - (hy[-1] - hy[-2]) * (px - hx[-2]) <= 0:
            hx.pop()
            hy.pop()
        hx.append(px)
        hy.append(py)
    return np.array(hx), np.array(hy)


def _maxmin_affine(d0, d1):
    """max over s in [0,1] of min_j (d0[j] + s (d1[j] - d0[j])), column-wise; d0, d1 have shape (J, n)."""
    cands = [np.zeros(d0.shape[1]), np.ones(d0.shape[1])]
    for j in range(d0.shape[0]):
        for k in range(j + 1, d0.shape[0]):
            a, bb = d0[j] - d0[k], d1[j] - d1[k]
            with np.errstate(divide="ignore", invalid="ignore"):
                s = a / (a - bb)
            cands.append(np.where(np.isfinite(s) & (s > 0) & (s < 1), s, 0.0))
    best = np.full(d0.shape[1], -np.inf)
    for s in cands:
        best = np.maximum(best, np.min(d0 + s * (d1 - d0), axis=0))
    return best


class _Branch:
    """One family-A branch: g, h and the sublevel interval {h <= c} = [a(c), b(c)] of the convex h.

    Points on a segment are handled through the segment parameter u, not through the float w: with |t| ~ 500 and
    steep g or h, re-interpolating at the rounded w was seen to move h by 1e-14 and g by 1e-4."""

    def __init__(self, t, G, H):
        self.t, self.G, self.H = t, G, H
        ia, ib = int(np.argmin(H)), int(H.size - 1 - np.argmin(H[::-1]))
        self.hmin, self.ia, self.ib = H[ia], ia, ib
        # left part (non-increasing h) and right part (non-decreasing h); accumulate guards tolerance-level wiggles
        self.left = (t[:ia + 1], np.minimum.accumulate(H[:ia + 1]), G[:ia + 1])
        self.right = (t[ib:], np.maximum.accumulate(H[ib:]), G[ib:])
        self.sufmin = np.minimum.accumulate(G[:ia + 1][::-1])[::-1]  # min G[j..ia]
        self.premin = np.minimum.accumulate(G[ib:])                  # min G[ib..j]
        self.midmin = G[ia:ib + 1].min()

    def h(self, w):
        return np.interp(w, self.t, self.H)

    def end(self, c, left):
        """(w, g, h) at the left (a) or right (b) end of {h <= c}, from the segment parameter."""
        c = np.maximum(np.asarray(c, dtype=np.float64), self.hmin)
        tt, hh, gg = self.left if left else self.right
        if left:  # first index with h <= c, its outer neighbour has h > c
            j = np.minimum(np.searchsorted(-hh, -c, side="left"), tt.size - 1)
            o = np.maximum(j - 1, 0)
        else:     # last index with h <= c
            j = np.searchsorted(hh, c, side="right") - 1
            o = np.minimum(j + 1, tt.size - 1)
        den = hh[o] - hh[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.clip(np.where((o != j) & (den > 0), (c - hh[j]) / den, 0.0), 0.0, 1.0)
        return (tt[j] + u * (tt[o] - tt[j]), gg[j] + u * (gg[o] - gg[j]),
                np.where(u > 0, c, hh[j]))

    def inner_min(self, c):
        """min of G over breakpoints inside [a(c), b(c)] (that interval always contains [t_ia, t_ib])."""
        lo = np.searchsorted(self.t, self.end(c, True)[0], side="left")
        hi = np.searchsorted(self.t, self.end(c, False)[0], side="right") - 1
        return np.minimum(np.minimum(self.sufmin[np.minimum(lo, self.ia)], self.midmin),
                          self.premin[np.maximum(hi - self.ib, 0)])

    def sublevel_min(self, c):
        """(w, g, h) minimising g over {h <= c}: the minimum sits at a sublevel end or at a breakpoint inside."""
        (wa, ga, ha), (wb, gb, hb) = self.end(c, True), self.end(c, False)
        inside = (self.t >= wa) & (self.t <= wb)
        cand = np.concatenate([[wa, wb], self.t[inside]])
        vals = np.concatenate([[ga, gb], self.G[inside]])
        hs = np.concatenate([[ha, hb], self.H[inside]])
        k = int(np.argmin(vals))
        return float(cand[k]), float(vals[k]), float(hs[k])

    def pieces(self, c_ends, c_mid):
        """Values at interval ends of the three affine pieces whose min is m(c) = min{g : h <= c}."""
        const = self.inner_min(c_mid)
        return [np.stack([self.end(c, True)[1], self.end(c, False)[1], const]) for c in c_ends]


# ---- relaxation (= dual) by lower hulls of the image points ------------------------------------------------------
def _points(inst):
    return inst._Hp, inst._Gp


def _relax(Hp, Gp, K):
    """Exact maximiser of phi(lam) = mean_i min_k (G_ik + lam H_ik) - lam K and a vertex LP solution.

    Only Pareto points (no other point with smaller-or-equal H and G) can minimise G + lam H for lam >= 0; their
    lower hull (computed for all branches in lock-step) has edges with slopes -lam_e.  Raising lam from 0 moves
    branch i left along its chain, dropping its H by the edge length at each lam_e; the optimum is the first lam_e
    at which the total H fits the budget (0 in the supergradient).  Returns lam, phi(lam), the pure vertex of each
    branch, and the single branch (if any) that mixes two vertices.
    """
    I, n = Hp.shape
    HT, GT = Hp.T, Gp.T  # work column-wise: row k of the (n, I) arrays holds the k-th smallest H of each branch
    order = np.argsort(HT, axis=0, kind="stable")
    Hs = np.take_along_axis(HT, order, 0)
    ties = np.any(Hs[1:] == Hs[:-1], axis=0)
    if np.any(ties):  # equal H must be ordered by G for the Pareto filter; lexsort only those branches
        order[:, ties] = np.lexsort((GT[:, ties], HT[:, ties]), axis=0)
        Hs[:, ties] = np.take_along_axis(HT[:, ties], order[:, ties], 0)
    Gs = np.take_along_axis(GT, order, 0)
    keep = np.empty((n, I), bool)
    keep[0] = True
    keep[1:] = Gs[1:] < np.minimum.accumulate(Gs, axis=0)[:-1]
    Lm = int(keep.sum(0).max())
    # lock-step monotone chain over the Pareto points; stacks stored flat, slot (branch b, level j) at j * I + b;
    # unused slots keep G = +inf so that they never win a minimum
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
    SH, SG, SI = SH.reshape(Lm, I), SG.reshape(Lm, I), SI.reshape(Lm, I)
    ar = np.arange(I)
    last = top - 1
    need = SH[last, ar].sum() - I * K
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
    phis = [float(np.mean(np.min(SG + x * SH, axis=0)) - x * K) for x in cand]
    best = int(np.argmax(phis))
    vert = last - shift
    out = dict(lam=cand[best], value=max(phis), vert=SI[vert, ar], i0=i0, theta=theta)
    if i0 >= 0:
        out.update(iL=int(SI[vert[i0] - 1, i0]), HL=float(SH[vert[i0] - 1, i0]),
                   eta0=float((1 - theta) * SH[vert[i0], i0] + theta * SH[vert[i0] - 1, i0]))
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


# ---- primal and dual values --------------------------------------------------------------------------------------
def _scales(inst):
    """(objective scale, budget-row unit) used to normalise what HiGHS sees (see _HIGHS_UNIT)."""
    return float(np.max(np.abs(inst._Gp))) or 1.0, inst.feas_tol * _HIGHS_UNIT


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
    if not (br.ok and np.isfinite(r["value"]) and np.isfinite(br.upper)):
        return None
    lam, phi, U = r["lam"], r["value"], br.upper
    # slack for rounding in G + lam H, phi and U; a larger slack only prunes less, it never prunes an optimum
    margin = 1e-8 * (1.0 + abs(U) + abs(phi) + lam * max(float(np.max(np.abs(h))) for h in inst.H))
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


def _layout(inst):
    """Sizes, offsets and branch id of every point when all branches' points are stacked into one vector."""
    n = np.array([r.size for r in inst.H])
    return n, np.concatenate([[0], np.cumsum(n)]), int(n.sum()), np.repeat(np.arange(inst.I), n)


def primal_milp(inst, prune=True, time_limit=60.0):
    """P by a HiGHS MILP (gap 0): lambda/SOS2-by-binaries formulation in family A, multiple-choice knapsack in
    family B.  With prune=True, options or segments that Lagrangian reduced-cost fixing (``_prune``) proves useless
    get upper bound 0 (exact, and what keeps 64 x 512 grids fast).  The value is recomputed from the rounded integer
    choice (family A: exact knapsack on the chosen segments).  Solver trouble (including hitting ``time_limit``
    seconds, seen on 64 x 512 near-tie "plateau" grids) gives ok=False with the solver's message instead of an
    exception; raw_value then holds the incumbent's objective if HiGHS had one."""
    isA = _check_inst(inst)
    if time_limit is not None and not (float(time_limit) > 0):
        raise ValueError(f"time_limit must be positive or None, got {time_limit!r}")
    I = inst.I
    pr = _prune(inst, isA) if prune else None
    keep, U, lam_u = pr if pr is not None else (None, np.inf, 0.0)
    n, off, N, grp = _layout(inst)
    gs, hs = _scales(inst)
    Hall, Gall = np.concatenate(inst.H) / (I * hs), np.concatenate(inst.G) / (I * gs)
    # family B: K + feas_tol / 2 plus HiGHS' slack (0.1 feas_tol) stays inside K_eff, so no choice the brute force
    # rejects slips in; family A: K_eff itself, since the exact knapsack on the chosen segments re-solves at K_eff
    k_rhs = (inst.K + (1.0 if isA else 0.5) * inst.feas_tol) / hs
    if not isA:  # pruned options are left out of the model altogether (bounds alone left it slow to presolve)
        cols = np.nonzero(np.concatenate(keep))[0] if keep is not None else np.arange(N)
        c, nvar = Gall[cols], cols.size
        cons = [LinearConstraint(sparse.csr_matrix((np.ones(nvar), (grp[cols], np.arange(nvar))), (I, nvar)), 1, 1),
                LinearConstraint(Hall[cols][None], -np.inf, k_rhs)]
    else:
        ns = n - 1
        soff = np.concatenate([[0], np.cumsum(ns)])
        Nz = int(soff[-1])
        nvar = N + Nz
        c = np.concatenate([Gall, np.zeros(Nz)])
        # rows: sum_k mu_ik = 1 (I rows), sum_k z_ik = 1 (I rows), mu_ik - z_ik - z_i,k+1 <= 0 (N rows),
        # where z_ik (k = 1..M_i) selects segment [t_{k-1}, t_k]; the missing z at both ends is simply absent.
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
        cons = [LinearConstraint(A, lo, hi),
                LinearConstraint(np.concatenate([Hall, np.zeros(Nz)])[None], -np.inf, k_rhs)]
    integ = np.zeros(nvar) if isA else np.ones(nvar)
    ub = np.ones(nvar)
    if isA:
        integ[N:] = 1
    if keep is not None and isA:  # a point stays usable when one of its neighbouring segments does
        kc = np.concatenate(keep)
        near = np.zeros(N, bool)
        for d in (0, 1):
            seg = k_loc + d
            m = (seg >= 1) & (seg <= ns[grp])
            near[m] |= kc[soff[grp[m]] + seg[m] - 1]
        ub[:N], ub[N:] = near, kc
    # HiGHS' default absolute gap 1e-6 was seen to stop 3.6e-7 short; scipy passes mip_abs_gap on with a warning
    opts = {"mip_rel_gap": 0.0, "mip_abs_gap": 1e-13, "mip_feasibility_tolerance": 1e-9,
            "primal_feasibility_tolerance": 1e-9}
    if time_limit is not None:
        opts["time_limit"] = float(time_limit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = milp(c, integrality=integ, bounds=Bounds(0, ub), constraints=cons, options=opts)
            if res.status in (2, 4):  # presolve was seen to call a feasible, badly scaled model infeasible
                res = milp(c, integrality=integ, bounds=Bounds(0, ub), constraints=cons,
                           options={**opts, "presolve": False})
        except Exception as exc:  # never raise for solver failure
            return PrimalResult(float("nan"), f"solver error: {exc}", False)
    if res.x is None or res.status != 0:
        inc = float(res.fun) * gs if res.x is not None else float("nan")
        return PrimalResult(float("nan"), str(res.message), False, raw_value=inc)
    x = res.x
    if not isA:
        x = np.zeros(N)
        x[cols] = res.x
    if isA:
        choice = np.array([1 + int(np.argmax(x[N + soff[i]:N + soff[i + 1]])) for i in range(I)])
        val, params, ok, budget = (v[0] for v in _seg_knapsack(inst, choice[None]))
        val, ok, budget = float(val), bool(ok), float(budget)
    else:
        choice = np.array([int(np.argmax(x[off[i]:off[i + 1]])) for i in range(I)])
        (val, budget, params), ok = _pick(inst, choice), True
    ok = bool(ok and _fits(inst, budget))
    status = "optimal" if ok else f"rounded choice exceeds the budget by {budget - inst.K_eff:.3e}"
    # sanity check against the incumbent U of _prune (seen to fail on instances with lam ~ 1e7 where HiGHS'
    # tolerances dominate); U may sit up to 0.25 feas_tol over K_eff, worth lam * feas_tol
    if ok and val > U + 1e-9 * gs + lam_u * inst.feas_tol:
        ok, status = False, f"MILP point {val!r} is worse than the known feasible value {U!r}"
    return PrimalResult(val if ok else float("nan"), status, ok, choice, params, budget, float(res.fun) * gs)


def dual_lp(inst):
    """D by the LP relaxation (weights mu on each branch's points, one budget row) with HiGHS.  lam is minus the
    budget row's marginal, which is the maximiser of phi(lam) = Q(lam) - lam K."""
    _check_inst(inst)
    I = inst.I
    _, off, N, grp = _layout(inst)
    Aeq = sparse.csr_matrix((np.ones(N), (grp, np.arange(N))), (I, N))
    gs, hs = _scales(inst)
    try:  # default tolerances (1e-7) gave D off by 2e-9
        res = linprog(np.concatenate(inst.G) / (I * gs), A_ub=(np.concatenate(inst.H) / (I * hs))[None],
                      b_ub=[inst.K_eff / hs], A_eq=Aeq, b_eq=np.ones(I), bounds=(0, None), method="highs",
                      options={"primal_feasibility_tolerance": 1e-9, "dual_feasibility_tolerance": 1e-9})
    except Exception as exc:
        return DualResult(float("nan"), f"solver error: {exc}", False)
    if res.status != 0 or res.x is None:
        return DualResult(float("nan"), str(res.message), False)
    marg = getattr(res, "ineqlin", None)
    lam = max(0.0, float(-marg.marginals[0]) * gs / hs) if marg is not None else 0.0
    # certify: the solution with bound violations clipped must fit the budget, and its objective must match the
    # weak-duality value phi(lam); HiGHS may spend its 1e-9 bound tolerance times a large H on the budget
    x = np.maximum(res.x, 0.0)
    x /= np.bincount(grp, weights=x, minlength=I)[grp]
    sol = tuple(x[off[i]:off[i + 1]] for i in range(I))
    obj = float(x @ np.concatenate(inst.G)) / I
    budget = float(x @ np.concatenate(inst.H)) / I
    phi = float(np.mean(np.min(inst._Gp + lam * inst._Hp, axis=1))) - lam * inst.K_eff
    if not _fits(inst, budget) or obj - phi > 1e-9 * (gs + lam * max(abs(inst.K), float(np.max(np.abs(inst._Hp))))):
        return DualResult(float(res.fun) * gs, f"not certified: budget {budget:.6e} vs K_eff {inst.K_eff:.6e}, "
                          f"primal {obj:.12e} vs phi(lam) {phi:.12e}", False, lam, sol)
    return DualResult(float(res.fun) * gs, "optimal", True, lam, sol)


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
    return DualResult(r["value"], "optimal", True, r["lam"], tuple(sol))


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
            return PrimalResult(float("nan"), "infeasible", False)
        k = int(np.argmin(np.where(feas, sG, np.inf)))
        choice = np.array(np.unravel_index(k, sizes))
        val, bud, params = _pick(inst, choice)
        return PrimalResult(val, "optimal", True, choice, params, bud, float(sG[k] / I))
    seg = np.stack(np.unravel_index(np.arange(int(total)), sizes), axis=1) + 1  # (C, I)
    val, w, feas, bud = _seg_knapsack(inst, seg)
    if not feas.any():
        return PrimalResult(float("nan"), "infeasible", False)
    k = int(np.argmin(np.where(feas, val, np.inf)))
    return PrimalResult(float(val[k]), "optimal", True, seg[k], w[k], float(bud[k]), float(val[k]))


# ---- Delta and rho -----------------------------------------------------------------------------------------------
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
        lev = lambda x: x
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


def delta_exact(inst):
    """Delta_i = sup_{w~} f_hat_i(w~) - f_tilde_i(w~) exactly.  Family A: f_tilde is the lower hull of (t, G);
    f_hat(w~) = min{g : h <= h(w~)}; the difference is (min of affine) - affine between consecutive points of
    {t_k} u {w~ : h(w~) = H_k}, so endpoints and crossings suffice.  Family B (needs w): inner minima over the
    grid, outer sup over [min w, max w]; +inf where some w~ there has an empty sublevel set."""
    isA = _check_inst(inst)
    if isA:
        d = np.array([_pwl_sup(t, g, h, False) for t, g, h in zip(inst.t, inst.G, inst.H)])
    else:
        if inst.w is None:
            raise ValueError("inst.w is required for delta_exact in family B (only rho_exact works without it)")
        d = np.array([_delta_grid(w, g, h, c) for w, g, h, c in zip(inst.w, inst.G, inst.H, inst.h_center)])
    return BranchMeasure(d, float(d.max()))


def rho_exact(inst):
    """rho_i = sup_eta m_i(eta) - c_i(eta): m_i(eta) the least g_i with h_i <= eta (family A over the whole
    interval, family B over the grid), c_i the lower hull of the image points.  rho_i <= Delta_i, and I (P - D)
    <= rho_worst (one fractional branch in a vertex of the relaxation, rounded down inside its budget)."""
    isA = _check_inst(inst)
    if isA:
        r = np.array([_pwl_sup(t, g, h, True) for t, g, h in zip(inst.t, inst.G, inst.H)])
    else:
        r = np.array([_rho_points(g, h) for g, h in zip(inst.G, inst.H)])
    return BranchMeasure(r, float(r.max()))


# ---- large instances ---------------------------------------------------------------------------------------------
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
        choice = np.array([min(max(int(np.searchsorted(inst.t[i], params[i], "left")), 1), inst.t[i].size - 1)
                           for i in range(I)])
    else:
        choice = idx
        params = None if inst.w is None else np.array([inst.w[i][idx[i]] for i in range(I)])
    budget = float(Hc.mean())
    return BracketResult(r["value"], float(Gc.mean()), choice, params, budget, bool(_fits(inst, budget)),
                         i0, r["lam"])


# ---- explicit instances ------------------------------------------------------------------------------------------
def explicit_instance(I, d):
    """Worst case for the 1/I rate: W_i = [0,1], h_i(w) = w, g_i through (0,1), (1-d,1), (1,0), K = (1-d)/I.

    Exact numbers: P = 1 (no branch can afford w > 1-d), D = 1 - (1-d)/I (hull f_tilde = 1 - w), Delta_i = rho_i =
    1 - d (at w = 1-d), so I (P - D) / Delta_worst = 1."""
    I, d = _check_explicit(I, d)
    return PWLBranches([[0.0, 1.0 - d, 1.0]] * I, [[1.0, 1.0, 0.0]] * I, [[0.0, 1.0 - d, 1.0]] * I, (1.0 - d) / I)


def explicit_network(I, d):
    """Network realisation of ``explicit_instance``: one sample x = 1, y = +1, tau = 1 and branches
    f_i(w; x) = relu(w x - (1-d))/d - x on [0, 1] (= x (relu(w-(1-d))/d - 1) at x = 1), h_i(w) = |w|.

    Returns keyword arguments for ``pwl_from_relu_units``; g_i is the explicit g shifted by +1, so P = 2,
    D = 2 - (1-d)/I and Delta_i = 1 - d; assumption1_margin = 1 (y f <= 0 < tau)."""
    I, d = _check_explicit(I, d)
    units = (np.ones((I, 1)), np.full(I, -(1.0 - d)), np.full(I, 1.0 / d), -np.ones((I, 1)))
    return dict(X=np.ones((1, 1)), y=np.ones(1), tau=1.0, units=units,
                intervals=np.tile([0.0, 1.0], (I, 1)), h_centers=np.zeros(I), K=(1.0 - d) / I)


def _check_explicit(I, d):
    if isinstance(I, bool) or not isinstance(I, (int, np.integer)) or I < 1:
        raise ValueError(f"I must be a positive integer, got {I!r}")
    d = _scalar(d, "d")
    if not 0.0 < d < 1.0:
        raise ValueError(f"d must lie in (0, 1), got {d}")
    return int(I), d
