"""Exact replays of the multi-branch failure cases of Zhang, Shao, Salakhutdinov (2019), Theorem 1, on finite
parameter grids (claims ``zhang2019.thm1.no-assumption1`` and ``zhang2019.thm1.coupled``).

An I-branch average network ``f = (1/I) sum_i f_i(w_i)``; branch i's parameter ``w_i`` runs over a finite grid
``w_{i,1..G}`` with outputs ``F[i, k, :]`` on the n samples.  Every number of the witness is a float64 read as the
exact rational it is (Python ``Fraction``); everything below is computed in rational arithmetic, so it is exact:

* the loss of a joint choice c: ``L_c = mean_j max(0, 1 - y_j (mean_i F[i, c_i, j]) / tau)`` (the tau-hinge);
* its budget: separable ``B_c = mean_i H[i, c_i]``, or coupled ``B_c = (mean_i (w_{i, c_i} - center_i))^2``;
* ``P = min {L_c : B_c <= K}`` and the Lagrangian dual ``D = max_{lam >= 0} min_c L_c + lam (B_c - K)``: the dual
  function is concave and piecewise linear with kinks where two lines cross, so its maximum is at ``lam = 0`` or at
  a crossing, all of which are enumerated (no hull lemma needed);
* the theorem's non-convexity ``Delta_i = sup_{v in conv(grid)} f_hat_i(v) - f_tilde_i(v)`` of the per-branch
  surrogate ``g_i(w) = mean_j (1 - y_j f_i(w)_j / tau)``: ``f_tilde_i`` the lower convex hull of ``(w, g_i)``,
  ``f_hat_i(v) = min {g_i(w_k) : h_i(w_k) <= h_i(v)}`` with ``h_i`` radial about ``center_i`` (strictly increasing
  in ``|w - center_i|``; checked against the stored H); between consecutive cut points f_hat is constant and
  f_tilde affine, so the sup is read off the cut points exactly (+inf if some sublevel set is empty);
* Assumption 1 (the hinge inactive: tau at least every reachable margin ``max_j mean_i max_k y_j F[i, k, j]``).

A witness refutes the 2/I bound when ``P - D > 2 max_i Delta_i / I`` holds exactly, outside the theorem's
assumptions (Assumption 1 fails, or the budget couples the branches).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from landscape.rigorous import Replay

INF = float("inf")


def fr(x) -> Fraction:
    return Fraction(float(x))


def lower_hull(xs, ys) -> list:
    """Vertices (x, y) of the lower convex hull of the points, sorted by x (equal x keep the smallest y); exact."""
    pts = sorted(set(zip(xs, ys)))
    first = [p for i, p in enumerate(pts) if i == 0 or p[0] != pts[i - 1][0]]
    hull: list = []
    for p in first:
        while (
            len(hull) >= 2
            and (
                (hull[-1][0] - hull[-2][0]) * (p[1] - hull[-2][1]) - (hull[-1][1] - hull[-2][1]) * (p[0] - hull[-2][0])
            )
            <= 0
        ):
            hull.pop()
        hull.append(p)
    return hull


def interp(hull, v) -> Fraction:
    for (x0, y0), (x1, y1) in zip(hull[:-1], hull[1:]):
        if x0 <= v <= x1:
            return y0 + (y1 - y0) * (v - x0) / (x1 - x0)
    if len(hull) == 1 and v == hull[0][0]:
        return hull[0][1]
    raise ValueError("outside the hull")


def delta_grid(w: list, g: list, center: Fraction):
    """Delta of one branch on a grid with h radial about ``center`` (exact; ``inf`` if f_hat is empty somewhere)."""
    lo, hi = min(w), max(w)
    if lo == hi:
        return Fraction(0)
    hull = lower_hull(w, g)
    radii = [abs(x - center) for x in w]
    cuts = {lo, hi} | {x for x, _ in hull}
    if lo <= center <= hi:
        cuts.add(center)
    for r in radii:
        cuts |= {v for v in (center - r, center + r) if lo <= v <= hi}
    points = sorted(cuts)
    best = Fraction(0)
    for a, b in zip(points[:-1], points[1:]):
        rm = abs((a + b) / 2 - center)
        allowed = [gk for gk, r in zip(g, radii) if r < rm]
        if not allowed:
            return INF
        best = max(best, min(allowed) - min(interp(hull, a), interp(hull, b)))
    return best


def primal_dual(L: list, B: list, K: Fraction) -> tuple:
    """Exact P and D (see the module docstring) and a maximizing lam."""
    feasible = [l for l, b in zip(L, B) if b <= K]
    if not feasible:
        raise ValueError("no joint choice fits the budget")
    P = min(feasible)
    pts = sorted(set(zip(B, L)))

    def phi(lam):
        return min(l + lam * (b - K) for b, l in pts)

    cands = {Fraction(0)}
    for (b0, l0), (b1, l1) in itertools.combinations(pts, 2):
        if b0 != b1:
            lam = (l1 - l0) / (b0 - b1)
            if lam >= 0:
                cands.add(lam)
    lam = max(cands, key=phi)
    return P, phi(lam), lam


class GridWitness:
    """The exact numbers of a grid witness file."""

    def __init__(self, arrays: dict):
        F = np.asarray(arrays["F"], dtype=np.float64)
        self.I, self.G, self.n = F.shape
        self.F = [[[fr(v) for v in F[i, k]] for k in range(self.G)] for i in range(self.I)]
        self.y = [fr(v) for v in arrays["y"]]
        self.tau = fr(arrays["tau"])
        self.w = [[fr(v) for v in row] for row in np.asarray(arrays["w"], dtype=np.float64)]
        self.center = [fr(v) for v in arrays["h_center"]]
        self.H = [[fr(v) for v in row] for row in np.asarray(arrays["H"], dtype=np.float64)] if "H" in arrays else None
        self.K = fr(arrays["K"])
        self.budget = str(arrays["budget"])

    def g(self, i) -> list:
        return [
            sum((1 - yj * f / self.tau for yj, f in zip(self.y, self.F[i][k])), Fraction(0)) / self.n
            for k in range(self.G)
        ]

    def reach(self) -> Fraction:
        return max(
            sum((max(self.y[j] * self.F[i][k][j] for k in range(self.G)) for i in range(self.I)), Fraction(0)) / self.I
            for j in range(self.n)
        )

    def choices(self):
        return itertools.product(range(self.G), repeat=self.I)

    def loss(self, c) -> Fraction:
        out = Fraction(0)
        for j in range(self.n):
            f = sum((self.F[i][c[i]][j] for i in range(self.I)), Fraction(0)) / self.I
            out += max(Fraction(0), 1 - self.y[j] * f / self.tau)
        return out / self.n

    def budget_of(self, c) -> Fraction:
        H = self.H
        if self.budget == "separable":
            assert H is not None  # a separable budget always has its per-branch table
            return sum((H[i][c[i]] for i in range(self.I)), Fraction(0)) / self.I
        if self.budget == "coupled":
            return (sum((self.w[i][c[i]] - self.center[i] for i in range(self.I)), Fraction(0)) / self.I) ** 2
        raise ValueError(f"unknown budget {self.budget!r}")


def _fmt(x) -> str:
    return "inf" if x == INF else f"{x} (~{float(x):.6g})"


def replay(name: str, arrays: dict) -> Replay:
    w = GridWitness(arrays)
    claim = str(arrays["claim"])
    out = Replay(
        name,
        claim,
        "exact",
        lemmas=[
            "the dual function lam -> min_c L_c + lam (B_c - K) is concave and piecewise linear: its "
            "maximum over lam >= 0 is at 0 or at a crossing of two of its lines"
        ],
        statement="a multi-branch problem whose duality gap exceeds 2 Delta_worst / I",
    )
    out.check("labels are +-1 and tau > 0", all(v in (1, -1) for v in w.y) and w.tau > 0)
    if w.H is not None:  # the stored budgets must be radial about the centre (the order of |w - c|)
        radial = all(
            (w.H[i][a] <= w.H[i][b]) == (abs(w.w[i][a] - w.center[i]) <= abs(w.w[i][b] - w.center[i]))
            for i in range(w.I)
            for a in range(w.G)
            for b in range(w.G)
        )
        out.check("stored budgets H are strictly increasing in |w - center| (radial)", radial)
    reach = w.reach()
    if claim == "zhang2019.thm1.no-assumption1":
        out.check(
            "Assumption 1 fails: tau < the largest reachable margin",
            w.tau < reach,
            f"tau={_fmt(w.tau)}, reach={_fmt(reach)}",
        )
        out.check("the budget is separable (the theorem's other assumptions hold)", w.budget == "separable")
    else:
        biggest = max(abs(v) for branch in w.F for row in branch for v in row)
        out.check(
            "Assumption 1 holds: tau >= every branch output |f| (so the hinge is never active)",
            w.tau >= biggest and w.tau >= reach,
            f"tau={_fmt(w.tau)}, max |f|={_fmt(biggest)}",
        )
        out.check("the budget couples the branches", w.budget == "coupled")
    deltas = [delta_grid(w.w[i], w.g(i), w.center[i]) for i in range(w.I)]
    worst = max(deltas)
    out.check("Delta_worst is finite", worst != INF, f"Delta_i = {[_fmt(d) for d in deltas]}")
    choices = list(w.choices())
    P, D, lam = primal_dual([w.loss(c) for c in choices], [w.budget_of(c) for c in choices], w.K)
    bound = 2 * worst / w.I if worst != INF else INF
    out.check(
        "the gap exceeds the bound: P - D > 2 Delta_worst / I (exact)",
        bound != INF and P - D > bound,
        f"P={_fmt(P)}, D={_fmt(D)} (lam={lam}), gap={_fmt(P - D)}, bound={_fmt(bound)}",
    )
    return out


REPLAYS = {"zhang2019.thm1.no-assumption1": replay, "zhang2019.thm1.coupled": replay}


# --------------------------------------------------------------------------------------------------------------
# small readable witnesses (found by an exact search over small rational grids; committed in reports/witnesses/)
# --------------------------------------------------------------------------------------------------------------
def hinge_active_witness() -> dict:
    """One branch (I = 1) on the grid w = 0, 1, 2 with h = w^2, two samples labelled -1, tau = 1; outputs
    (-2, 0), (-2, 0), (-1, -1).  The surrogate g = mean(1 - y f / tau) is 0 at every grid point (Delta = 0: the
    2/I bound claims no gap), but the hinge is active (margins up to 2 > tau): the true losses are 1/2, 1/2, 0, so
    with K = 1 P = 1/2 while the dual reaches the hull value 3/8."""
    import numpy as np

    return {
        "claim": np.asarray("zhang2019.thm1.no-assumption1"),
        "budget": np.asarray("separable"),
        "F": np.array([[[-2.0, 0.0], [-2.0, 0.0], [-1.0, -1.0]]]),
        "y": np.array([-1.0, -1.0]),
        "tau": np.array(1.0),
        "w": np.array([[0.0, 1.0, 2.0]]),
        "h_center": np.array([0.0]),
        "H": np.array([[0.0, 1.0, 4.0]]),
        "K": np.array(1.0),
    }


def coupled_witness() -> dict:
    """Two branches, one sample (x = 1, y = +1), tau = 1 above every output (Assumption 1 holds); grids
    w_1 = -7, -4, -2, 0 and w_2 = -1, 0, 3, 6 with outputs f_1 = -1/8, 7/8, 5/8, 1/8 and f_2 = 0, -1/4, 1/2, -3/8;
    the coupled budget ``((w_1 + w_2)/2)^2 <= 3/16``.  Exact values: P = 17/16, D = 1/2, Delta = (1/2, 1/2), so the
    gap 9/16 exceeds 2 Delta_worst / I = 1/2."""
    import numpy as np

    return {
        "claim": np.asarray("zhang2019.thm1.coupled"),
        "budget": np.asarray("coupled"),
        "F": np.array([[[-0.125], [0.875], [0.625], [0.125]], [[0.0], [-0.25], [0.5], [-0.375]]]),
        "y": np.array([1.0]),
        "tau": np.array(1.0),
        "w": np.array([[-7.0, -4.0, -2.0, 0.0], [-1.0, 0.0, 3.0, 6.0]]),
        "h_center": np.array([0.0, 0.0]),
        "K": np.array(3 / 16),
    }


NEW_WITNESSES = {
    "zhang2019.thm1.no-assumption1__hinge-active.npz": hinge_active_witness,
    "zhang2019.thm1.coupled__two-branches.npz": coupled_witness,
}
