"""Hyperplane arrangements of two-layer ReLU data (Pilanci & Ergen 2020): the cells of {u : x_i^T u = 0}, enumerated
exactly for rank(X) <= 3 (with interior directions and extreme rays), counted independently from the arrangement's
combinatorics (``region_count``), bounded by the general-position count (``cover_bound``), or sampled (any d)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from landscape.core import tolerances as tol
from landscape.core.validate import finite_array, positive_int
from landscape.pilanci2020.tolerances import ANGLE_ATOL, STRICT_RTOL, TIE_RTOL, ZERO_ROW_RTOL


def data_rank(X: np.ndarray) -> int:
    s = np.linalg.svd(X, compute_uv=False)
    return int(np.sum(s > tol.RANK_RTOL * s[0])) if s.size and s[0] > 0 else 0


# --------------------------------------------------------------------------------------------------------------
# arrangements
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Arrangements:
    """Activation patterns of cells of the arrangement {x_i^T u = 0}.

    ``patterns`` (P x n, entries 0/1), ``reps`` (P x d) a strictly interior direction of each cell, ``rays`` (exact
    enumeration only) a tuple of (k_i x d) arrays whose conic hull is the cell's closed cone intersected with the
    row space of X, ``exact`` whether every cell is present, ``margin`` the smallest relative distance of a
    representative from a hyperplane of a non-zero row.
    """

    patterns: np.ndarray
    reps: np.ndarray
    exact: bool
    rays: tuple | None = None
    method: str = ""
    margin: float = float("nan")

    @property
    def P(self) -> int:
        return self.patterns.shape[0]


def _zero_rows(X: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(X, axis=1)
    top = norms.max() if norms.size else 0.0
    return norms <= ZERO_ROW_RTOL * top if top > 0 else np.ones(X.shape[0], bool)


def activation_pattern(X: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``1[X u >= 0]`` as 0/1 floats (zero rows give 1)."""
    X = finite_array("X", X, ndim=2)
    u = finite_array("u", u, ndim=1, shape=(X.shape[1],))
    z = X @ u
    z[_zero_rows(X)] = 0.0
    return (z >= 0).astype(np.float64)


def strict_margin(X: np.ndarray, u: np.ndarray) -> float:
    """Smallest ``|x_k^T u| / (||x_k|| ||u||)`` over the non-zero rows (inf without any)."""
    zero = _zero_rows(X)
    if np.all(zero):
        return float("inf")
    Xn = X[~zero]
    return float(np.min(np.abs(Xn @ u) / (np.linalg.norm(Xn, axis=1) * np.linalg.norm(u))))


def _row_space(X: np.ndarray) -> np.ndarray:
    """Orthonormal basis (d x r) of the row space; the identity when X has full column rank (keeps integer
    data exact)."""
    r = data_rank(X)
    if r == X.shape[1]:
        return np.eye(X.shape[1])
    _, _, vt = np.linalg.svd(X, full_matrices=False)
    return vt[:r].T


def _circle_cells(Z: np.ndarray):
    """Cells of a central line arrangement in R^2 from its rows ``Z`` (k x 2, non-zero): for each open arc between
    consecutive critical angles, (mid direction, start direction, end direction)."""
    phi = np.arctan2(Z[:, 1], Z[:, 0])
    crit = np.mod(np.concatenate([phi + np.pi / 2, phi - np.pi / 2]), 2 * np.pi)
    crit = np.sort(crit)
    keep = [crit[0]]
    for a in crit[1:]:
        if a - keep[-1] > ANGLE_ATOL:
            keep.append(a)
    if len(keep) > 1 and keep[0] + 2 * np.pi - keep[-1] <= ANGLE_ATOL:
        keep.pop()
    crit = np.array(keep)
    ends = np.append(crit[1:], crit[0] + 2 * np.pi)
    unit = lambda a: np.array([np.cos(a), np.sin(a)])  # noqa: E731
    return [(unit((a + b) / 2), unit(a), unit(b)) for a, b in zip(crit, ends)]


def _tangent_basis(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    q, _ = np.linalg.qr(np.column_stack([v, np.eye(3)]))
    e1, e2 = q[:, 1], q[:, 2]
    return e1, e2


def _sphere_vertices(Zn: np.ndarray) -> dict:
    """Vertices of a rank-3 central arrangement with unit normals ``Zn`` (k x 3): sign vector -> (unit vertex,
    tied rows).  Each line x_i^T u = x_j^T u = 0 gives the two antipodal vertices +-(x_i x x_j)/||.||."""
    verts: dict = {}
    k = Zn.shape[0]
    for i in range(k):
        for j in range(i + 1, k):
            c = np.cross(Zn[i], Zn[j])
            nc = np.linalg.norm(c)
            if nc <= TIE_RTOL:
                continue  # parallel normals: the same hyperplane, no vertex
            for v in (c / nc, -c / nc):
                dots = Zn @ v
                tied = np.abs(dots) <= TIE_RTOL
                key = tuple(np.where(tied, 0, np.sign(dots)).astype(int))
                if key not in verts:
                    verts[key] = (v, tied)
    return verts


def enumerate_arrangements(X: np.ndarray) -> Arrangements:
    """Every cell of the arrangement {x_i^T u = 0} for data of rank <= 3, with interior points and extreme rays.

    Works in the row space of X (patterns depend on u only through its projection there).  Rank 1: the two
    half-lines.  Rank 2: the open arcs between consecutive critical angles.  Rank 3: every cell of a central
    arrangement of rank 3 is a pointed cone whose extreme rays are arrangement vertices, so visiting each vertex v
    and stepping from it, by less than the distance to the nearest hyperplane not through v, into each sector of
    the lines through v (a rank-2 arrangement in the tangent plane) reaches every cell; the vertices at which a
    cell is reached are its extreme rays.
    """
    X = finite_array("X", X, ndim=2)
    n, d = X.shape
    zero = _zero_rows(X)
    V = _row_space(X)
    r = V.shape[1]
    if r > 3:
        raise ValueError(f"exact enumeration needs rank(X) <= 3, got rank {r}: use sample_arrangements")
    Z = X @ V
    live = ~zero
    cells: dict = {}  # pattern -> [rep (r,), list of rays (r,)]

    def pattern_of(z_rep):
        p = Z @ z_rep >= 0
        p[zero] = True
        return tuple(p.astype(int))

    if r == 0:
        cells[tuple([1] * n)] = [np.zeros(0), []]
    elif r == 1:
        for s in (1.0, -1.0):
            z = np.array([s])
            cells[pattern_of(z)] = [z, [z]]
    elif r == 2:
        for mid, a, b in _circle_cells(Z[live]):
            # an arc of length pi (a single line) is a half-plane: its mid direction is needed as a generator too
            cells[pattern_of(mid)] = [mid, [a, b, mid]]
    else:
        Zl = Z[live]
        Zn = Zl / np.linalg.norm(Zl, axis=1, keepdims=True)
        for _key, (v, tied) in _sphere_vertices(Zn).items():
            e1, e2 = _tangent_basis(v)
            T = np.flatnonzero(tied)
            free = np.abs(Zn[~tied] @ v)
            eps = 0.5 * min(1.0, float(free.min()) if free.size else 1.0)
            planar = np.column_stack([Zn[T] @ e1, Zn[T] @ e2])
            for mid, _, _ in _circle_cells(planar):
                z = v + eps * (mid[0] * e1 + mid[1] * e2)
                z /= np.linalg.norm(z)
                entry = cells.setdefault(pattern_of(z), [z, []])
                entry[1].append(v)
    patterns = np.array(list(cells.keys()), dtype=np.float64).reshape(len(cells), n)
    reps_r = [c[0] for c in cells.values()]
    reps = np.array([V @ z if z.size else np.zeros(d) for z in reps_r]).reshape(len(cells), d)
    if r == 0:
        reps = np.zeros((1, d))
        reps[0, 0] = 1.0
    rays = tuple(np.array([V @ ray for ray in c[1]]).reshape(len(c[1]), d) for c in cells.values())
    margin = min((strict_margin(X, u) for u in reps), default=float("inf"))
    return Arrangements(patterns, reps, True, rays, method=f"exact (rank {r})", margin=margin)


def _distinct_hyperplanes(X: np.ndarray) -> np.ndarray:
    """Unit normals (k x d) of the distinct hyperplanes x_i^T u = 0 (rows equal up to a non-zero factor merged)."""
    live = X[~_zero_rows(X)]
    if live.size == 0:
        return np.zeros((0, X.shape[1]))
    U = live / np.linalg.norm(live, axis=1, keepdims=True)
    out: list[np.ndarray] = []
    for u in U:
        if not any(abs(abs(float(u @ w)) - 1.0) <= TIE_RTOL for w in out):
            out.append(u)
    return np.array(out)


def region_count(X: np.ndarray) -> int:
    """Number of cells of the arrangement, counted without visiting them (rank <= 3).

    Rank 0: 1; rank 1: 2; rank 2: twice the number of distinct lines; rank 3: Euler's formula for great circles
    on the sphere, ``F = 2 + sum_v (m_v - 1)`` over the vertices v (antipodal ones counted separately) with m_v the
    number of distinct great circles through v.
    """
    X = finite_array("X", X, ndim=2)
    V = _row_space(X)
    r = V.shape[1]
    if r > 3:
        raise ValueError(f"region_count needs rank(X) <= 3, got rank {r}")
    H = _distinct_hyperplanes(X @ V) if r else np.zeros((0, 0))
    if r == 0:
        return 1
    if r == 1:
        return 2
    if r == 2:
        return 2 * H.shape[0]
    total = 2
    for _v, tied in _sphere_vertices(H).values():
        total += int(np.sum(tied)) - 1
    return total


def cover_bound(hyperplanes: int, rank: int) -> int:
    """Cells of a central arrangement of ``hyperplanes`` distinct hyperplanes in general position in R^rank:
    ``2 sum_{k < rank} C(hyperplanes - 1, k)`` (an upper bound for every arrangement of that size and rank)."""
    hyperplanes, rank = int(hyperplanes), int(rank)
    if hyperplanes == 0 or rank == 0:
        return 1
    return 2 * sum(math.comb(hyperplanes - 1, k) for k in range(rank))


def sample_arrangements(X: np.ndarray, count: int, *, seed: int = 0, max_draws: int | None = None) -> Arrangements:
    """Up to ``count`` distinct patterns from Gaussian directions (each with its negative), interior to their cells.

    A subset of the cells: the convex program restricted to it is an upper bound on the full one (and on p*)."""
    X = finite_array("X", X, ndim=2)
    count = positive_int("count", count)
    max_draws = positive_int("max_draws", max_draws if max_draws is not None else 200 * count + 1000)
    rng = np.random.default_rng(seed)
    n, d = X.shape
    zero = _zero_rows(X)
    row_norms = np.linalg.norm(X, axis=1)
    found: dict = {}
    drawn = 0
    while len(found) < count and drawn < max_draws:
        batch = rng.standard_normal((min(4096, max_draws - drawn), d))
        drawn += batch.shape[0]
        batch = np.concatenate([batch, -batch])
        batch /= np.linalg.norm(batch, axis=1, keepdims=True)
        Z = batch @ X.T
        margin = (
            np.min(np.abs(Z[:, ~zero]) / row_norms[~zero], axis=1) if np.any(~zero) else np.full(batch.shape[0], np.inf)
        )
        keep = margin > STRICT_RTOL
        kept = batch[keep]
        pats = Z[keep] >= 0
        pats[:, zero] = True
        _, first = np.unique(pats, axis=0, return_index=True)
        for k in np.sort(first):
            key = tuple(pats[k].astype(int))
            if key not in found:
                found[key] = kept[k]
                if len(found) >= count:
                    break
    patterns = np.array(list(found.keys()), dtype=np.float64).reshape(len(found), n)
    reps = np.array(list(found.values())).reshape(len(found), d)
    margin = min((strict_margin(X, u) for u in reps), default=float("inf"))
    return Arrangements(
        patterns, reps, False, None, method=f"sampled ({len(found)} of requested {count})", margin=margin
    )
