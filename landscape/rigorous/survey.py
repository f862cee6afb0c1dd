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


# --------------------------------------------------------------------------------------------------------------
# ergen2019.relaxation.unbounded, exactly
# --------------------------------------------------------------------------------------------------------------
def replay_unbounded(name: str, arrays: dict) -> Replay:
    """A ray ``w = t d`` (t >= 0) with ``X^T d <= 0`` entrywise keeps every ReLU off, so ``L_r(t d) = ||Y||^2 -
    2 t Y^T X^T d``: a straight line in t, unbounded below when ``Y^T X^T d > 0`` (only possible with a negative
    label, since then some sample with ``x_i^T d < 0`` has ``y_i < 0``)."""
    out = Replay(name, "ergen2019.relaxation.unbounded", "exact",
                 lemmas=["on a ray w = t d with X^T d <= 0 every relu(x_i^T w) is 0, so L_r(t d) = ||Y||^2 - "
                         "2 t Y^T X^T d for t >= 0"],
                 statement="the relaxed loss L_r is unbounded below (no relaxed minimizer exists)")
    X = [[Fraction(float(v)) for v in row] for row in np.asarray(arrays["X"], dtype=np.float64)]
    Y = [Fraction(float(v)) for v in np.ravel(arrays["Y"])]
    d = [Fraction(float(v)) for v in np.ravel(arrays["direction"])]
    z = [sum(X[k][i] * d[k] for k in range(len(d))) for i in range(len(Y))]   # X^T d
    out.check("the ray keeps every neuron off: X^T d <= 0 entrywise (exact)", all(v <= 0 for v in z),
              f"X^T d = {[str(v) for v in z]}")
    slope = -2 * sum(y * v for y, v in zip(Y, z))
    out.check("L_r decreases along the ray: d/dt L_r(t d) = -2 Y^T X^T d < 0 (exact)", slope < 0,
              f"slope {slope}, ||Y||^2 = {sum(y * y for y in Y)}")
    out.check("some label is negative (the failure needs one)", any(y < 0 for y in Y), f"Y = {[str(y) for y in Y]}")

    def relaxed(w: list) -> Fraction:
        zw = [sum(X[k][i] * w[k] for k in range(len(w))) for i in range(len(Y))]
        return (sum(max(Fraction(0), v) ** 2 for v in zw) - 2 * sum(y * v for y, v in zip(Y, zw))
                + sum(y * y for y in Y))

    if slope < 0:
        # a point below any level B: t > (||Y||^2 - B) / |slope|; shown for B = -10^6 by direct evaluation
        t = (sum(y * y for y in Y) + 10 ** 6) / (-slope) + 1
        value = relaxed([t * v for v in d])
        out.check("direct evaluation: L_r(t d) < -10^6 at t = (||Y||^2 + 10^6) / |slope| + 1 (exact)",
                  value < -10 ** 6, f"t = {t}, L_r(t d) = {value}")
    return out


# --------------------------------------------------------------------------------------------------------------
# du2019.gram.parallel-inputs: a repeated input makes K^(H) singular (any activation); an antiparallel pair does so
# for odd activations but not for ReLU (interval Cholesky on the closed-form ReLU Gram)
# --------------------------------------------------------------------------------------------------------------
def relu_gram(X: np.ndarray, H: int) -> list:
    """Ball enclosure of the limiting ReLU Gram K^(H) (closed-form arc-cosine moments, ``c_sigma = 2``, last
    expectation over the covariance of layer H-1's outputs, as ``du2019.gram_recursion(method="closed")``)."""
    from landscape.rigorous import interval as iv

    Xb = [iv.balls(row) for row in X]
    n = len(Xb)
    K = [[iv.dot(Xb[i], Xb[j]) for j in range(n)] for i in range(n)]
    for _ in range(1, H):
        j1, _ = _arccos_moments(K)
        K = [[2 * v for v in row] for row in j1]
    _, j0 = _arccos_moments(K)
    return [[2 * a * b for a, b in zip(ra, rb)] for ra, rb in zip(K, j0)]


def replay_parallel(name: str, arrays: dict) -> Replay:
    from landscape.rigorous import interval as iv

    out = Replay(name, "du2019.gram.parallel-inputs", "interval",
                 lemmas=["every entry K^(h)_ij of the recursion is a function of (K^(h-1)_ii, K^(h-1)_jj, "
                         "K^(h-1)_ij) only, so equal inputs x_i = x_j give equal rows i, j of every K^(h) and "
                         "K^(H) (e_i - e_j) = 0",
                         "for an odd activation (tanh, sin) sigma' is even, so x_j = -x_i gives row j = -row i of "
                         "every K^(h), h >= 1, and K^(H) (e_i + e_j) = 0"],
                 statement="a repeated input makes K^(H) singular; an antiparallel pair does so for tanh but "
                           "ReLU's K^(H) stays positive definite")
    H = int(arrays["H"])
    Xr = np.asarray(arrays["X_repeated"], dtype=np.float64)
    Xa = np.asarray(arrays["X_antiparallel"], dtype=np.float64)
    i, j = (int(v) for v in np.ravel(arrays["pair"]))
    out.check("a repeated input: x_j = x_i exactly (the float64 rows are identical)", np.array_equal(Xr[i], Xr[j]),
              f"x_{i} = {Xr[i].tolist()}, x_{j} = {Xr[j].tolist()}")
    out.check("an antiparallel pair: x_j = -x_i exactly", np.array_equal(Xa[j], -Xa[i]),
              f"x_{i} = {Xa[i].tolist()}, x_{j} = {Xa[j].tolist()}")
    out.check("tanh is odd and tanh' = 1 - tanh^2 is even (so the second lemma applies to tanh)", True)
    with iv.precision():
        K = relu_gram(Xr, H)
        same = all(K[i][k].overlaps(K[j][k]) for k in range(len(K)))
        out.check("ReLU, repeated input: the enclosures of rows i and j of K^(H) overlap entrywise (consistent with "
                  "the first lemma, which makes them equal)", same)
        rest = [k for k in range(len(K)) if k != j]
        sub = [[K[a][b] for b in rest] for a in rest]
        out.check("ReLU, repeated input: removing x_j leaves a positive definite K^(H) (interval Cholesky), so "
                  "rank K^(H) = n - 1 exactly", iv.cholesky_pd(sub, 0.0),
                  f"lambda_min of the rest >= {iv.lambda_min_lower_bound(sub)}")
        Ka = relu_gram(Xa, H)
        finite = all(v.is_finite() for row in Ka for v in row)   # an undecided arccos leaves a non-finite ball
        mu = iv.lambda_min_lower_bound(Ka) if finite else None
        out.check("ReLU, antiparallel pair: K^(H) is positive definite (interval Cholesky), H = "
                  f"{H}", mu is not None and mu > 0 and iv.cholesky_pd(Ka, mu), f"lambda_min >= {mu}")
    return out


def parallel_witness() -> dict:
    """The suite's three unit inputs (``_X3`` of the du2019 tests: e_1, (0.6, 0.8, 0), (0, 0.6, 0.8)) with x_2
    replaced by x_0 (repeated) or by -x_0 (antiparallel), H = 3."""
    X = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8]])
    Xr, Xa = X.copy(), X.copy()
    Xr[2], Xa[2] = X[0], -X[0]
    return {"X_repeated": Xr, "X_antiparallel": Xa, "H": np.array(3), "pair": np.array([0, 2])}


def unbounded_witness() -> dict:
    """The suite's two-dimensional instance: samples e_1, e_2 with labels -1, 2, direction -x_1 (away from the
    negative-label sample)."""
    return {"X": np.eye(2), "Y": np.array([-1.0, 2.0]), "direction": np.array([-1.0, 0.0])}


NEW_WITNESSES = {
    "du2019.gram.parallel-inputs__repeated-and-antiparallel.npz": parallel_witness,
    "ergen2019.relaxation.unbounded__d0-2.npz": unbounded_witness,
}

REPLAYS.update({"ergen2019.relaxation.unbounded": replay_unbounded, "du2019.gram.parallel-inputs": replay_parallel})
