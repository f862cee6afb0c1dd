"""Replays of the survey family's errata: Ergen & Pilanci (2019) exactly, Du et al. (2019) partly in intervals.

``du2019.gram.printed-recursion``: the erratum says the printed recursion (last expectation over A^(H-1), built from
K^(H-2)) is not the infinite-width Gram; the suite decides which recursion is the limit by a Monte Carlo estimate
(random ReLU nets), which no finite computation here makes rigorous.  What is proved here, in ball arithmetic, is
that the two readings give different numbers on the witness (ReLU closed forms: arc-cosine kernels
``E[relu(u) relu(v)] = sqrt(ab)/(2 pi) (sin th + (pi - th) cos th)`` and ``E[1{u>0} 1{v>0}] = (pi - th)/(2 pi)``,
``c_sigma = 2``); the level stays "numerical" and ``missing`` says why.

``ergen2019.relaxation``, exactly:

For one ReLU neuron with scalar weight (``d_0 = 1``) and data ``x`` (1 x n), labels Y:
``L(w) = ||relu(x w) - Y||^2`` and the relaxed ``L_r(w) = ||relu(x w)||^2 - 2 w x.Y + ||Y||^2``.  On each half-line
``w >= 0`` / ``w <= 0`` the ReLU pattern is fixed (``relu(x w) = |w| relu(+-x)``), so both losses are quadratics in
w there; their minima over each closed half-line are computed exactly (rational arithmetic), which gives the
global minimizers of L_r and the global minimum of L.  The claim is refuted when some global minimizer of L_r has
``L > min L`` (here: every one, since the minimizer is unique).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from landscape.rigorous import Replay


def _half_line_min(A: Fraction, B: Fraction, C: Fraction):
    """min of ``A t^2 + B t + C`` over t >= 0: (value, minimizers as a tuple) or (None, ()) if unbounded below;
    a whole half-line of minimizers is returned as ("ray",)."""
    if A > 0:
        t = max(Fraction(0), -B / (2 * A))
        return A * t * t + B * t + C, (t,)
    if A == 0:
        if B > 0:
            return C, (Fraction(0),)
        if B == 0:
            return C, ("ray",)
    return None, ()


def _quadratics(x: list, Y: list, relaxed: bool):
    """Coefficients (A, B, C) of the loss on ``w = s t`` (t >= 0) for s = +1 and s = -1."""
    out = {}
    for s in (1, -1):
        r = [max(Fraction(0), s * xi) for xi in x]           # relu(x w) = t relu(s x)
        A = sum(v * v for v in r)
        if relaxed:
            B = -2 * s * sum(xi * yi for xi, yi in zip(x, Y))
        else:
            B = -2 * sum(v * yi for v, yi in zip(r, Y))
        out[s] = (A, B, sum(yi * yi for yi in Y))
    return out


def loss(x, Y, w: Fraction) -> Fraction:
    return sum((max(Fraction(0), xi * w) - yi) ** 2 for xi, yi in zip(x, Y))


def replay_relaxation(name: str, arrays: dict) -> Replay:
    out = Replay(name, "ergen2019.relaxation", "exact",
                 lemmas=["with d_0 = 1 the ReLU pattern is constant on each half-line w >= 0, w <= 0, so L and L_r "
                         "are quadratics there"],
                 statement="the global minimizer of the relaxed loss L_r is not a global minimizer of L")
    X = np.asarray(arrays["X"], dtype=np.float64)
    if not (X.ndim == 2 and X.shape[0] == 1):
        out.missing = f"an exact replay for d_0 > 1 (sector enumeration) is not written (X shape {X.shape})"
        return out
    out.check("a scalar-weight neuron (d_0 = 1), as the exact replay needs", True, f"X shape {X.shape}")
    x = [Fraction(float(v)) for v in X[0]]
    Y = [Fraction(float(v)) for v in np.ravel(arrays["Y"])]
    # global minimizers of L_r over both half-lines
    mins = {}
    for s, (A, B, C) in _quadratics(x, Y, relaxed=True).items():
        val, where = _half_line_min(A, B, C)
        out.check(f"L_r is bounded below on the half-line sign(w) = {s:+d}", val is not None)
        if val is None:
            return out
        mins[s] = (val, where)
    best = min(v for v, _ in mins.values())
    arg = sorted({s * t for s, (v, where) in mins.items() if v == best for t in where if t != "ray"})
    rays = [s for s, (v, where) in mins.items() if v == best and "ray" in where]
    out.check("L_r has finitely many global minimizers (here computed exactly)", not rays and bool(arg),
              f"argmin L_r = {[str(w) for w in arg]}, min L_r = {best}")
    # the global minimum of L
    lmins = [(_half_line_min(A, B, C)[0], s) for s, (A, B, C) in _quadratics(x, Y, relaxed=False).items()]
    min_L = min(v for v, _ in lmins)
    out.check("every global minimizer of L_r has L > min L (exact)", all(loss(x, Y, w) > min_L for w in arg),
              f"L(argmin L_r) = {[str(loss(x, Y, w)) for w in arg]} > min L = {min_L}")
    return out


def _arccos_moments(K: list) -> tuple[list, list]:
    """Ball enclosures of the ReLU moments E[relu(u) relu(v)] and E[1{u>0} 1{v>0}] for covariance K."""
    from flint import arb

    n = len(K)
    d = [K[i][i].sqrt() for i in range(n)]
    j1 = [[arb(0)] * n for _ in range(n)]
    j0 = [[arb(0)] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            norm = d[i] * d[j]
            # the correlation of a coordinate with itself is exactly 1; elsewhere |rho| <= 1 (Cauchy-Schwarz), so the
            # enclosure's overhang beyond [-1, 1] is clipped
            rho = arb(1) if i == j else (K[i][j] / norm).intersection(arb(-1).union(arb(1)))
            th = rho.acos()
            j1[i][j] = norm / (2 * arb.pi()) * (th.sin() + (arb.pi() - th) * rho)
            j0[i][j] = (arb.pi() - th) / (2 * arb.pi())
    return j1, j0


def replay_printed_recursion(name: str, arrays: dict) -> Replay:
    from landscape.rigorous import interval as iv

    out = Replay(name, "du2019.gram.printed-recursion", "interval",
                 statement="the printed and the corrected recursion give different K^(H) on the witness inputs")
    H = int(arrays["H"])
    X = np.asarray(arrays["X"], dtype=np.float64)
    with iv.precision():
        Xb = [iv.balls(row) for row in X]
        n = len(Xb)
        layers = [[[iv.dot(Xb[i], Xb[j]) for j in range(n)] for i in range(n)]]
        for _ in range(1, H):
            j1, _ = _arccos_moments(layers[-1])
            layers.append([[2 * v for v in row] for row in j1])
        K_lim = [[2 * a * b for a, b in zip(ra, rb)] for ra, rb in zip(layers[-1], _arccos_moments(layers[-1])[1])]
        K_pri = [[2 * a * b for a, b in zip(ra, rb)] for ra, rb in zip(layers[-1], _arccos_moments(layers[-2])[1])]
        diffs = [(abs(K_lim[i][j] - K_pri[i][j]), i, j) for i in range(n) for j in range(n)]
        gap, i, j = max(diffs, key=lambda t: iv.lower(t[0]))
        out.check("ReLU, depth H >= 2", H >= 2, f"H={H}")
        out.check("the two readings differ: |K_limit - K_printed| > 0 at some entry (disjoint enclosures)",
                  bool(gap > 0), f"entry ({i},{j}): limit {K_lim[i][j]}, printed {K_pri[i][j]}")
    out.missing = ("which reading is the infinite-width Gram rests on the suite's Monte Carlo estimate (random ReLU "
                   f"nets of width {int(arrays['width'])}, {int(arrays['draws'])} draws, seed {int(arrays['seed'])}): "
                   "a statistical test, not a proof")
    return out


REPLAYS = {"ergen2019.relaxation": replay_relaxation, "du2019.gram.printed-recursion": replay_printed_recursion}
