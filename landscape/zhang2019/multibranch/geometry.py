"""Plane geometry shared by the multi-branch routes: lower convex hulls, the max-min of affine pieces, and one
family-A branch's sublevel sets."""

from __future__ import annotations

import numpy as np


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
        self.left = (t[: ia + 1], np.minimum.accumulate(H[: ia + 1]), G[: ia + 1])
        self.right = (t[ib:], np.maximum.accumulate(H[ib:]), G[ib:])
        self.sufmin = np.minimum.accumulate(G[: ia + 1][::-1])[::-1]  # min G[j..ia]
        self.premin = np.minimum.accumulate(G[ib:])  # min G[ib..j]
        self.midmin = G[ia : ib + 1].min()

    def h(self, w):
        return np.interp(w, self.t, self.H)

    def end(self, c, left):
        """(w, g, h) at the left (a) or right (b) end of {h <= c}, from the segment parameter."""
        c = np.maximum(np.asarray(c, dtype=np.float64), self.hmin)
        tt, hh, gg = self.left if left else self.right
        if left:  # first index with h <= c, its outer neighbour has h > c
            j = np.minimum(np.searchsorted(-hh, -c, side="left"), tt.size - 1)
            o = np.maximum(j - 1, 0)
        else:  # last index with h <= c
            j = np.searchsorted(hh, c, side="right") - 1
            o = np.minimum(j + 1, tt.size - 1)
        den = hh[o] - hh[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.clip(np.where((o != j) & (den > 0), (c - hh[j]) / den, 0.0), 0.0, 1.0)
        return (tt[j] + u * (tt[o] - tt[j]), gg[j] + u * (gg[o] - gg[j]), np.where(u > 0, c, hh[j]))

    def inner_min(self, c):
        """min of G over breakpoints inside [a(c), b(c)] (that interval always contains [t_ia, t_ib])."""
        lo = np.searchsorted(self.t, self.end(c, True)[0], side="left")
        hi = np.searchsorted(self.t, self.end(c, False)[0], side="right") - 1
        return np.minimum(
            np.minimum(self.sufmin[np.minimum(lo, self.ia)], self.midmin), self.premin[np.maximum(hi - self.ib, 0)]
        )

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
