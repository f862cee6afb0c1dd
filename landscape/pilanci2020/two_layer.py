"""Two-layer ReLU networks with weight decay and their exact convex program (Pilanci & Ergen, ICML 2020).

Data ``X`` (n x d, one sample per ROW), labels ``y`` (n,), ``m`` hidden ReLU units without biases:

    p*(m) = min_{U, alpha} 1/2 ||relu(X U) alpha - y||^2 + beta/2 (||U||_F^2 + ||alpha||^2),    beta > 0.

An *arrangement* is an activation pattern ``D = diag(1[X u >= 0])`` of a direction u that lies strictly inside a
cell of the central hyperplane arrangement {u : x_i^T u = 0}.  The closed cones ``K_D = {u : (2D - I) X u >= 0}``
of all cells cover R^d and ``relu(X u) = D X u`` on ``K_D``; this gives the convex program

    q* = min_{v_i, w_i} 1/2 ||sum_i D_i X (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||)
         s.t. v_i, w_i in K_{D_i},

whose value equals p*(m) once m is at least the number of non-zero blocks of a convex optimum.  This module holds
every route the suite uses for it, kept independent of one another:

* ``enumerate_arrangements``  exact cells for rank(X) <= 3: critical angles on the circle (rank 2), and for rank 3
                              the vertices of the arrangement on the sphere (cross products of pairs of normals)
                              with a small perturbation into every cell around each vertex; each cell comes with
                              a strictly interior direction and the extreme rays of its closed cone.
                              ``region_count`` counts the cells independently (Euler's formula on the sphere);
                              ``cover_bound`` is the general-position count.
* ``sample_arrangements``     a random subset of the cells (any d): the convex value is then only an UPPER bound.
* ``convex_by_cvxpy``         the convex program (second-order cone program, Clarabel through CVXPY).
* ``network_from_convex``     the two-layer network read off a convex solution (one unit per non-zero block).
* ``nonconvex_objective``     the network's objective evaluated directly in numpy (no arrangement involved).
* ``train_nonconvex``         the non-convex objective minimized by L-BFGS in torch (float64) from random starts.
* ``dual_lower_bound``        a certified lower bound on p*(m) for every m: weak duality with a multiplier lambda
                              whose constraint max_{||u|| <= 1} |lambda^T relu(X u)| is evaluated EXACTLY over the
                              cells (projection onto each cell's cone by non-negative least squares on its rays).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from landscape.core import tolerances as tol
from landscape.core.certify import grad_norm, lbfgs
from landscape.core.results import RouteResult, solve_cvxpy
from landscape.core.validate import finite_array, finite_scalar, positive_int

# --------------------------------------------------------------------------------------------------------------
# Tolerances of this module (each with its reason)
# --------------------------------------------------------------------------------------------------------------
# A row counts as lying on a hyperplane through an arrangement vertex v (unit) when |x_k^T v| <= TIE_RTOL ||x_k||.
# Exactly degenerate data (the strategies use small integers for those) give |x_k^T v| ~ 1e-16 after rounding;
# rows in general position stay orders of magnitude above 1e-9 for the data sizes used (n <= 12, entries O(1)).
# A near-tie below 1e-9 that is not a true tie would merge two vertices one ~1e-9 apart; the cell count check
# against dense sampling and Euler's formula would then flag it.
TIE_RTOL = 1e-9
# Two critical angles on the circle closer than this are one line (parallel or anti-parallel rows).  Angles come
# from atan2 of O(1) entries, accurate to ~1e-16 rad; genuinely distinct lines of the strategies' data are
# separated by far more than 1e-10 rad.
ANGLE_ATOL = 1e-10
# A row of X is treated as zero below this fraction of the largest row norm (it then lies on every hyperplane and
# its pattern entry is 1 by the ">=" convention).
ZERO_ROW_RTOL = 1e-12
# Blocks v_i of an interior-point solution with ||v_i|| below this fraction of the largest block are not turned into
# units: each contributes at most beta * 1e-12 * max||v|| to the objective, far below the conic tolerance.
BLOCK_DROP_RTOL = 1e-12
# A strictly interior direction must keep every non-zero row at least this far (relative) from its hyperplane, so
# that its activation pattern does not depend on rounding.
STRICT_RTOL = 1e-12
# Clarabel settings of the convex program.  Its default gap/feasibility tolerances (1e-8) leave the primal point,
# hence the fitted outputs, accurate to ~1e-8 of the label scale; the certified lower bound built from that point's
# residual loses this error divided by beta (its dual constraint is max |lam^T relu(X u)| <= beta), which at
# beta = 1e-3 and labels ~30 exceeded the conic tolerance (seen: 1.3e-5 on a value of 0.36).  Tightening to 1e-10
# brought the same instances to ~1e-10.  A solve that cannot reach it reports a status other than optimal.
CLARABEL_TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}
# "Training reached the convex optimum" (recorded, never asserted): optima sit at ReLU kinks, where L-BFGS ends with
# a one-sided gradient; the best runs land ~1e-6 (relative) above the optimum, runs in another configuration 1e-3
# and more above it, so 1e-4 separates the two.
TRAINING_REACHED_RTOL = 1e-4


# --------------------------------------------------------------------------------------------------------------
# problem
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TwoLayerProblem:
    """Data ``X`` (n x d, rows are samples), labels ``y`` (n,), weight decay ``beta > 0``."""

    X: np.ndarray
    y: np.ndarray
    beta: float
    note: str = field(default="", compare=False)

    def __post_init__(self):
        X = finite_array("X", self.X, ndim=2)
        y = finite_array("y", self.y, ndim=1)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"y has {y.shape[0]} entries but X has {X.shape[0]} rows (one per sample)")
        beta = finite_scalar("beta", self.beta, minimum=0.0, strict=True)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "beta", beta)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]

    def summary(self) -> str:
        return (f"n={self.n} d={self.d} rank(X)={_rank(self.X)} beta={self.beta:.4g} "
                f"||y||={np.linalg.norm(self.y):.4g} {self.note}").strip()


def _rank(X: np.ndarray) -> int:
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
    r = _rank(X)
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
        p = (Z @ z_rep >= 0)
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
        for key, (v, tied) in _sphere_vertices(Zn).items():
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
    for v, tied in _sphere_vertices(H).values():
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
        margin = (np.min(np.abs(Z[:, ~zero]) / row_norms[~zero], axis=1) if np.any(~zero)
                  else np.full(batch.shape[0], np.inf))
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
    return Arrangements(patterns, reps, False, None, method=f"sampled ({len(found)} of requested {count})",
                        margin=margin)


def _check_arrangements(problem: TwoLayerProblem, arr: Arrangements) -> None:
    if not isinstance(arr, Arrangements):
        raise ValueError(f"arr must be an Arrangements, got {type(arr).__name__}")
    if arr.patterns.ndim != 2 or arr.patterns.shape[1] != problem.n or arr.P < 1:
        raise ValueError(f"arrangement patterns have shape {arr.patterns.shape}, expected (P >= 1, {problem.n})")


# --------------------------------------------------------------------------------------------------------------
# the convex program
# --------------------------------------------------------------------------------------------------------------
def convex_objective(problem: TwoLayerProblem, arr: Arrangements, V: np.ndarray, W: np.ndarray) -> float:
    """The convex objective at blocks ``V, W`` (d x P each), evaluated in numpy (constraints not checked)."""
    _check_arrangements(problem, arr)
    V = finite_array("V", V, ndim=2, shape=(problem.d, arr.P))
    W = finite_array("W", W, ndim=2, shape=(problem.d, arr.P))
    pred = np.sum(arr.patterns.T * (problem.X @ (V - W)), axis=1)
    return float(0.5 * np.sum((pred - problem.y) ** 2)
                 + problem.beta * (np.linalg.norm(V, axis=0).sum() + np.linalg.norm(W, axis=0).sum()))


def cone_violation(problem: TwoLayerProblem, arr: Arrangements, V: np.ndarray, W: np.ndarray) -> float:
    """Largest violation of ``(2 D_i - I) X v_i >= 0`` (and the same for w_i), relative to the block scale."""
    S = 2.0 * arr.patterns.T - 1.0
    worst = max(float(np.max(-S * (problem.X @ V), initial=0.0)), float(np.max(-S * (problem.X @ W), initial=0.0)))
    scale = max(float(np.abs(problem.X).max()) * max(np.abs(V).max(), np.abs(W).max()), 1e-300)
    return worst / scale


def convex_by_cvxpy(problem: TwoLayerProblem, arr: Arrangements, solver: str = "CLARABEL",
                    tight: bool = True) -> RouteResult:
    """Solve the convex program over the given cells (a second-order cone program).

    ``ok`` only for status ``optimal``; ``data``: ``V``, ``W`` (d x P), ``blocks`` (number of blocks above the drop
    threshold), ``cone_violation``, ``exact`` (whether the cells are all of them: otherwise the value is only an
    upper bound on p*).  ``tight`` (Clarabel only) uses ``CLARABEL_TIGHT``.
    """
    import cvxpy as cp

    _check_arrangements(problem, arr)
    X, y, P, d = problem.X, problem.y, arr.P, problem.d
    Dm = arr.patterns.T
    Sm = 2.0 * Dm - 1.0
    V = cp.Variable((d, P))
    W = cp.Variable((d, P))
    XV, XW = X @ V, X @ W
    pred = cp.sum(cp.multiply(Dm, XV - XW), axis=1)
    objective = (0.5 * cp.sum_squares(pred - y)
                 + problem.beta * (cp.sum(cp.norm(V, 2, axis=0)) + cp.sum(cp.norm(W, 2, axis=0))))
    prob = cp.Problem(cp.Minimize(objective), [cp.multiply(Sm, XV) >= 0, cp.multiply(Sm, XW) >= 0])
    options = CLARABEL_TIGHT if (tight and solver == "CLARABEL") else {}
    failed = solve_cvxpy(prob, solver, V, **options)
    if failed is not None:
        return failed
    Vv, Wv = np.asarray(V.value), np.asarray(W.value)
    norms = np.concatenate([np.linalg.norm(Vv, axis=0), np.linalg.norm(Wv, axis=0)])
    blocks = int(np.sum(norms > BLOCK_DROP_RTOL * max(norms.max(), 1e-300)))
    return RouteResult(float(prob.value), "optimal", True, route=f"cvxpy/{solver}", data={
        "V": Vv, "W": Wv, "blocks": blocks, "cone_violation": cone_violation(problem, arr, Vv, Wv),
        "exact": arr.exact, "P": P})


def network_from_convex(V: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units of the two-layer network read off convex blocks: ``u = v/sqrt||v||, alpha = +sqrt||v||`` for each
    non-zero v_i, ``u = w/sqrt||w||, alpha = -sqrt||w||`` for each non-zero w_i.  Returns (U (d x m), alpha (m,))."""
    V = finite_array("V", V, ndim=2)
    W = finite_array("W", W, ndim=2, shape=V.shape)
    cols, alphas = [], []
    top = max(np.linalg.norm(V, axis=0).max(initial=0.0), np.linalg.norm(W, axis=0).max(initial=0.0))
    for B, sign in ((V, 1.0), (W, -1.0)):
        for b in B.T:
            nb = float(np.linalg.norm(b))
            if nb > BLOCK_DROP_RTOL * top and nb > 0:
                cols.append(b / np.sqrt(nb))
                alphas.append(sign * np.sqrt(nb))
    if not cols:
        return np.zeros((V.shape[0], 1)), np.zeros(1)
    return np.array(cols).T, np.array(alphas)


# --------------------------------------------------------------------------------------------------------------
# the non-convex network
# --------------------------------------------------------------------------------------------------------------
def network_output(X: np.ndarray, U: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return np.maximum(X @ U, 0.0) @ alpha


def nonconvex_objective(problem: TwoLayerProblem, U: np.ndarray, alpha: np.ndarray) -> float:
    """``1/2 ||relu(X U) alpha - y||^2 + beta/2 (||U||_F^2 + ||alpha||^2)`` in numpy."""
    U = finite_array("U", U, ndim=2, shape=(problem.d, None))
    alpha = finite_array("alpha", alpha, ndim=1, shape=(U.shape[1],))
    r = network_output(problem.X, U, alpha) - problem.y
    return float(0.5 * r @ r + 0.5 * problem.beta * (np.sum(U ** 2) + alpha @ alpha))


# Smoothing schedule of the training route, as temperatures relative to the squared initial weight scale: L-BFGS on
# the exact ReLU objective stalls at kinks (a unit's hyperplane through a sample) with gradients of order 0.1, so
# each start first minimizes the objective with relu replaced by t*softplus(z/t) for decreasing t and ends on the
# exact ReLU objective (t = 0).  Measured on random instances (n <= 12, d <= 3): the best of 4 starts reached the
# convex optimum to 1e-5 on 7 of 8 instances with this schedule, on 3 of 8 with the plain ReLU objective.
SMOOTHING = (1e-2, 1e-3, 1e-4, 0.0)


def smoothed_relu(temperature: float):
    """relu for ``temperature == 0``, else the softplus ``t log(1 + exp(z / t))`` (torch)."""
    import torch

    if temperature == 0:
        return torch.relu
    t = float(temperature)
    return lambda z: t * torch.nn.functional.softplus(z / t)


def lbfgs_with_smoothing(params, objective_for, temperatures, max_iter: int):
    """Run L-BFGS (strong Wolfe) on ``objective_for(activation)`` for each smoothing temperature in turn."""
    import torch

    for temperature in temperatures:
        try:
            lbfgs(params, objective_for(smoothed_relu(temperature)), max_iter)
        except (IndexError, RuntimeError):
            # torch's strong-Wolfe zoom can index an empty bracket when the objective turns non-finite (e.g. a
            # singular least-squares solve); the iterate reached so far is kept and judged by its caller
            break
        if not all(bool(torch.isfinite(p).all()) for p in params):
            break
    final = objective_for(torch.relu)
    loss = final()
    if not bool(torch.isfinite(loss)):
        return float("inf")
    return grad_norm(loss, params)


def train_nonconvex(problem: TwoLayerProblem, m: int, *, starts: int = 4, seed: int = 0,
                    max_iter: int = 300, smoothing=SMOOTHING) -> RouteResult:
    """Minimize the non-convex objective with ``m`` units (torch float64, L-BFGS, smoothing schedule above).

    Each start's value is the numpy objective (exact ReLU) at its explicit weights, hence an upper bound on p*(m)
    whether or not the run converged; ``ok`` says whether the best run ended at a small gradient (ReLU kinks can
    leave a non-zero one-sided gradient at a point that is nonetheless a minimum).
    """
    import torch

    m = positive_int("m", m)
    starts = positive_int("starts", starts)
    max_iter = positive_int("max_iter", max_iter)
    X = torch.from_numpy(problem.X)
    y = torch.from_numpy(problem.y)
    beta = problem.beta
    gen = torch.Generator().manual_seed(int(seed) % (2 ** 63))
    # balanced initial scale: relu(X u) alpha ~ ||X|| g^2 matches the label scale
    g = math.sqrt(max(float(np.linalg.norm(problem.y)), 1e-3) / max(float(np.linalg.norm(problem.X, 2)), 1e-3))
    temps = tuple(float(t) * g * g for t in smoothing)
    values, grads, best, best_w = [], [], None, None
    for _ in range(starts):
        U = (torch.randn(problem.d, m, generator=gen, dtype=torch.float64) * g / math.sqrt(m)).requires_grad_(True)
        a = (torch.randn(m, generator=gen, dtype=torch.float64) * g / math.sqrt(m)).requires_grad_(True)

        def objective_for(act, U=U, a=a):
            def objective():
                r = act(X @ U) @ a - y
                return 0.5 * (r @ r) + 0.5 * beta * (torch.sum(U ** 2) + a @ a)
            return objective

        gnorm = lbfgs_with_smoothing([U, a], objective_for, temps, max_iter)
        Un, an = U.detach().numpy().copy(), a.detach().numpy().copy()
        value = nonconvex_objective(problem, Un, an) if np.isfinite(Un).all() and np.isfinite(an).all() else np.inf
        values.append(value)
        grads.append(gnorm)
        if best is None or value < values[best]:
            best, best_w = len(values) - 1, (Un, an)
    converged = grads[best] <= 1e-6 * (1.0 + values[best])
    return RouteResult(values[best], "converged" if converged else "gradient not small", bool(converged),
                       route="torch/L-BFGS", data={"values": values, "grad_norms": grads, "U": best_w[0],
                                                   "alpha": best_w[1], "m": m})


# --------------------------------------------------------------------------------------------------------------
# certified lower bound (weak duality with an exactly evaluated dual constraint)
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DualBound:
    value: float      # tau lambda^T y - tau^2 ||lambda||^2 / 2, a lower bound on p*(m) for every m
    s: float          # max over ||u|| <= 1 of |lambda^T relu(X u)|
    tau: float        # scaling that makes tau * lambda dual feasible (tau * s <= beta)


def _sector_support(c: np.ndarray, r1: np.ndarray, r2: np.ndarray) -> float:
    """``max {c^T u : u in cone(r1, r2), ||u|| <= 1}`` for unit, non-parallel r1, r2: the norm of c's projection onto
    their plane when that projection lies between them, else the better of the two rays (or 0)."""
    B = np.column_stack([r1, r2])
    coef = np.linalg.lstsq(B, c, rcond=None)[0]
    if coef.min() >= 0:
        return float(np.linalg.norm(B @ coef))
    return max(float(c @ r1), float(c @ r2), 0.0)


def cell_support(X: np.ndarray, pattern: np.ndarray, rays: np.ndarray, c: np.ndarray) -> float:
    """``max {c^T u : u in K, ||u|| <= 1}`` for the closed cone K of one cell (c in the row space of X), exactly.

    If c lies in K the answer is ||c||.  Otherwise the maximizer (the direction of c's projection onto K) lies on
    the boundary of K, i.e. on a face spanned by at most two extreme rays (rank <= 3: rays, or 2-D sectors between
    adjacent rays), and every sector between two rays of K lies in K; so the answer is the largest value over all
    rays and pairs of rays.  (This replaces non-negative least squares: scipy's ``optimize.nnls`` returns wrong
    projections with a zero residual on some of these small cones, scipy/scipy#25389.)
    """
    c = np.asarray(c, dtype=np.float64)
    nc = float(np.linalg.norm(c))
    if nc == 0.0 or rays.shape[0] == 0:
        return 0.0
    S = 2.0 * pattern - 1.0
    if np.all(S * (X @ c) >= -STRICT_RTOL * float(np.abs(X).max()) * nc):
        return nc
    best = max(0.0, float(np.max(rays @ c)))
    for i in range(rays.shape[0]):
        for j in range(i + 1, rays.shape[0]):
            if abs(float(rays[i] @ rays[j])) < 1.0 - 1e-12:  # (anti)parallel pairs span no sector
                best = max(best, _sector_support(c, rays[i], rays[j]))
    return best


def dual_constraint_value(problem: TwoLayerProblem, arr: Arrangements, lam: np.ndarray) -> float:
    """``max_{||u|| <= 1} |lambda^T relu(X u)|``, exactly: over each cell's closed cone relu(X u) = D X u is linear."""
    _check_arrangements(problem, arr)
    if not arr.exact or arr.rays is None:
        raise ValueError("the dual constraint can only be evaluated exactly over an exact enumeration of the cells")
    lam = finite_array("lam", lam, ndim=1, shape=(problem.n,))
    s = 0.0
    for pattern, rays in zip(arr.patterns, arr.rays):
        c = problem.X.T @ (pattern * lam)
        s = max(s, cell_support(problem.X, pattern, rays, c), cell_support(problem.X, pattern, rays, -c))
    return s


def dual_lower_bound(problem: TwoLayerProblem, arr: Arrangements, lam: np.ndarray) -> DualBound:
    """A certified lower bound on p*(m) (every m) from any multiplier ``lam``.

    For lambda with ``max_{||u||<=1} |lambda^T relu(X u)| <= beta``, every network satisfies
    ``objective >= lambda^T y - ||lambda||^2/2`` (complete the square in the fit term and bound
    ``lambda^T relu(X u) alpha <= beta ||u|| |alpha| <= beta (||u||^2 + alpha^2)/2``).  ``lam`` is scaled by the best
    ``tau`` in ``[0, beta / s]``.
    """
    lam = finite_array("lam", lam, ndim=1, shape=(problem.n,))
    s = dual_constraint_value(problem, arr, lam)
    ly, ll = float(lam @ problem.y), float(lam @ lam)
    if ll == 0.0:
        return DualBound(0.0, s, 0.0)
    tau = max(0.0, ly / ll)
    if s > 0:
        tau = min(tau, problem.beta / s)
    return DualBound(tau * ly - 0.5 * tau * tau * ll, s, tau)
