"""Multi-branch instances (Zhang, Shao, Salakhutdinov 2019, Thm 1): the two exact families, their validation, the
networks they are built from and the explicit worst case.

* ``PWLBranches`` (family A): W_i an interval, g_i and h_i piecewise linear on shared breakpoints, h_i convex.
* ``GridBranches`` (family B): finitely many candidate parameters per branch (the "thm1.finite" reading).

Every route solves the problem with the budget ``K_eff = K + feas_tol`` (see ``tolerances.FEAS_RTOL``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from landscape.core.results import RouteResult
from landscape.core.tolerances import EPS64
from landscape.zhang2019 import tolerances as ztol

__all__ = [
    "PWLBranches",
    "GridBranches",
    "pwl_from_relu_units",
    "assumption1_margin",
    "explicit_instance",
    "explicit_network",
]


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
            pad[i, : r.size], pad[i, r.size :] = r, r[-1]
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
    scale = max(abs(K), float(np.max(np.abs(Hp)))) or 1.0
    tol = max(ztol.FEAS_RTOL, ztol.FEAS_SUM_FACTOR * EPS64 * Hp.shape[0]) * scale
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

    t: Any  # given as an (I, M+1) array or a list of rows; stored as a tuple of read-only float64 rows
    G: Any
    H: Any
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
            if np.any(hi[1:-1] - chord > ztol.CONVEX_RTOL * (np.max(np.abs(hi)) or 1.0)):
                raise ValueError(f"H[{i}] does not describe a convex piecewise-linear h_{i}")
        self._finish(_scalar(self.K, "K"), Gp, Hp, t=t, G=G, H=H, _Tp=Tp)


@dataclass(frozen=True, eq=False)
class GridBranches(_Instance):
    """Family B: branch i may take one of finitely many parameters; G[i][k] = g_i(w_ik), H[i][k] = h_i(w_ik).

    Optional ``w`` (same shapes, scalar parameters) enables ``delta_exact``.  Then h_i is taken to be radial,
    h_i(w) = phi_i(|w - h_center_i|) with phi_i increasing (weight decay: h_center = 0, the default), which is all
    Delta needs because it sees h_i only through its sublevel sets; H must be consistent with that ordering.
    """

    G: Any  # given as an (I, n) array or a list of rows; stored as a tuple of read-only float64 rows
    H: Any
    K: float
    w: Any = None
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
            slack = ztol.CONVEX_RTOL * (np.max(np.abs(Hp), axis=1, keepdims=True) + 1e-300)
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


def _route(route, value, status, ok, **data):
    """A multi-branch route's result: ``landscape.core.results.RouteResult`` with the route's extras in ``data``."""
    return RouteResult(float(value), str(status), bool(ok), route=route, data=data)


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
            raise ValueError(
                f"tau={tau!r} violates Assumption 1: some parameters reach y f >= tau "
                f"(margin {margin:.3g}); the hinge would be active"
            )
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
    return dict(
        X=np.ones((1, 1)),
        y=np.ones(1),
        tau=1.0,
        units=units,
        intervals=np.tile([0.0, 1.0], (I, 1)),
        h_centers=np.zeros(I),
        K=(1.0 - d) / I,
    )


def _check_explicit(I, d):
    if isinstance(I, bool) or not isinstance(I, (int, np.integer)) or I < 1:
        raise ValueError(f"I must be a positive integer, got {I!r}")
    d = _scalar(d, "d")
    if not 0.0 < d < 1.0:
        raise ValueError(f"d must lie in (0, 1), got {d}")
    return int(I), d


def _scales(inst):
    """(objective scale, budget-row unit) used to normalise what HiGHS sees (see ``tolerances.HIGHS_UNIT``)."""
    return float(np.max(np.abs(inst._Gp))) or 1.0, inst.feas_tol * ztol.HIGHS_UNIT


def _layout(inst):
    """Sizes, offsets and branch id of every point when all branches' points are stacked into one vector."""
    n = np.array([r.size for r in inst.H])
    return n, np.concatenate([[0], np.cumsum(n)]), int(n.sum()), np.repeat(np.arange(inst.I), n)
