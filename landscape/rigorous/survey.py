"""Replays of the survey family's errata and failure cases: Ergen & Pilanci (2019) exactly, Du et al. (2019) in
intervals (the printed recursion only in part).

Failure cases (each replay's lemmas are listed in its ``Replay``): ``ergen2019.relaxation.unbounded`` (a ray on
which every neuron is off and L_r falls linearly, exact); ``du2019.gram.parallel-inputs`` (a repeated input makes
K^(H) singular by the recursion's structure, an antiparallel pair leaves the ReLU K^(H) positive definite: interval
Cholesky on the closed-form arc-cosine Gram); ``du2019.thm.large-step`` and ``du2019.thm.narrow`` (exact gradient
descent from the stored initialization, c_sigma by rigorous integration, climbs above L(0), which leaves the rate
bound (1 - eta lambda_0 / 2)^k L(0) for every lambda_0 in [0, 4 / eta]).

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
        r = [max(Fraction(0), s * xi) for xi in x]  # relu(x w) = t relu(s x)
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
    out = Replay(
        name,
        "ergen2019.relaxation",
        "exact",
        lemmas=[
            "with d_0 = 1 the ReLU pattern is constant on each half-line w >= 0, w <= 0, so L and L_r "
            "are quadratics there"
        ],
        statement="the global minimizer of the relaxed loss L_r is not a global minimizer of L",
    )
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
    out.check(
        "L_r has finitely many global minimizers (here computed exactly)",
        not rays and bool(arg),
        f"argmin L_r = {[str(w) for w in arg]}, min L_r = {best}",
    )
    # the global minimum of L
    lmins = [(_half_line_min(A, B, C)[0], s) for s, (A, B, C) in _quadratics(x, Y, relaxed=False).items()]
    min_L = min(v for v, _ in lmins)
    out.check(
        "every global minimizer of L_r has L > min L (exact)",
        all(loss(x, Y, w) > min_L for w in arg),
        f"L(argmin L_r) = {[str(loss(x, Y, w)) for w in arg]} > min L = {min_L}",
    )
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

    out = Replay(
        name,
        "du2019.gram.printed-recursion",
        "interval",
        statement="the printed and the corrected recursion give different K^(H) on the witness inputs",
    )
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
        out.check(
            "the two readings differ: |K_limit - K_printed| > 0 at some entry (disjoint enclosures)",
            bool(gap > 0),
            f"entry ({i},{j}): limit {K_lim[i][j]}, printed {K_pri[i][j]}",
        )
    out.missing = (
        "which reading is the infinite-width Gram rests on the suite's Monte Carlo estimate (random ReLU "
        f"nets of width {int(arrays['width'])}, {int(arrays['draws'])} draws, seed {int(arrays['seed'])}): "
        "a statistical test, not a proof"
    )
    return out


REPLAYS = {"ergen2019.relaxation": replay_relaxation, "du2019.gram.printed-recursion": replay_printed_recursion}


# --------------------------------------------------------------------------------------------------------------
# ergen2019.relaxation.unbounded, exactly
# --------------------------------------------------------------------------------------------------------------
def replay_unbounded(name: str, arrays: dict) -> Replay:
    """A ray ``w = t d`` (t >= 0) with ``X^T d <= 0`` entrywise keeps every ReLU off, so ``L_r(t d) = ||Y||^2 -
    2 t Y^T X^T d``: a straight line in t, unbounded below when ``Y^T X^T d > 0`` (only possible with a negative
    label, since then some sample with ``x_i^T d < 0`` has ``y_i < 0``)."""
    out = Replay(
        name,
        "ergen2019.relaxation.unbounded",
        "exact",
        lemmas=[
            "on a ray w = t d with X^T d <= 0 every relu(x_i^T w) is 0, so L_r(t d) = ||Y||^2 - "
            "2 t Y^T X^T d for t >= 0"
        ],
        statement="the relaxed loss L_r is unbounded below (no relaxed minimizer exists)",
    )
    X = [[Fraction(float(v)) for v in row] for row in np.asarray(arrays["X"], dtype=np.float64)]
    Y = [Fraction(float(v)) for v in np.ravel(arrays["Y"])]
    d = [Fraction(float(v)) for v in np.ravel(arrays["direction"])]
    z = [sum(X[k][i] * d[k] for k in range(len(d))) for i in range(len(Y))]  # X^T d
    out.check(
        "the ray keeps every neuron off: X^T d <= 0 entrywise (exact)",
        all(v <= 0 for v in z),
        f"X^T d = {[str(v) for v in z]}",
    )
    slope = -2 * sum(y * v for y, v in zip(Y, z))
    out.check(
        "L_r decreases along the ray: d/dt L_r(t d) = -2 Y^T X^T d < 0 (exact)",
        slope < 0,
        f"slope {slope}, ||Y||^2 = {sum(y * y for y in Y)}",
    )
    out.check("some label is negative (the failure needs one)", any(y < 0 for y in Y), f"Y = {[str(y) for y in Y]}")

    def relaxed(w: list) -> Fraction:
        zw = [sum(X[k][i] * w[k] for k in range(len(w))) for i in range(len(Y))]
        return sum(max(Fraction(0), v) ** 2 for v in zw) - 2 * sum(y * v for y, v in zip(Y, zw)) + sum(y * y for y in Y)

    if slope < 0:
        # a point below any level B: t > (||Y||^2 - B) / |slope|; shown for B = -10^6 by direct evaluation
        t = (sum(y * y for y in Y) + 10**6) / (-slope) + 1
        value = relaxed([t * v for v in d])
        out.check(
            "direct evaluation: L_r(t d) < -10^6 at t = (||Y||^2 + 10^6) / |slope| + 1 (exact)",
            value < -(10**6),
            f"t = {t}, L_r(t d) = {value}",
        )
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

    out = Replay(
        name,
        "du2019.gram.parallel-inputs",
        "interval",
        lemmas=[
            "every entry K^(h)_ij of the recursion is a function of (K^(h-1)_ii, K^(h-1)_jj, "
            "K^(h-1)_ij) only, so equal inputs x_i = x_j give equal rows i, j of every K^(h) and "
            "K^(H) (e_i - e_j) = 0",
            "for an odd activation (tanh, sin) sigma' is even, so x_j = -x_i gives row j = -row i of "
            "every K^(h), h >= 1, and K^(H) (e_i + e_j) = 0",
        ],
        statement="a repeated input makes K^(H) singular; an antiparallel pair does so for tanh but "
        "ReLU's K^(H) stays positive definite",
    )
    H = int(arrays["H"])
    Xr = np.asarray(arrays["X_repeated"], dtype=np.float64)
    Xa = np.asarray(arrays["X_antiparallel"], dtype=np.float64)
    i, j = (int(v) for v in np.ravel(arrays["pair"]))
    out.check(
        "a repeated input: x_j = x_i exactly (the float64 rows are identical)",
        np.array_equal(Xr[i], Xr[j]),
        f"x_{i} = {Xr[i].tolist()}, x_{j} = {Xr[j].tolist()}",
    )
    out.check(
        "an antiparallel pair: x_j = -x_i exactly",
        np.array_equal(Xa[j], -Xa[i]),
        f"x_{i} = {Xa[i].tolist()}, x_{j} = {Xa[j].tolist()}",
    )
    out.check("tanh is odd and tanh' = 1 - tanh^2 is even (so the second lemma applies to tanh)", True)
    with iv.precision():
        K = relu_gram(Xr, H)
        same = all(K[i][k].overlaps(K[j][k]) for k in range(len(K)))
        out.check(
            "ReLU, repeated input: the enclosures of rows i and j of K^(H) overlap entrywise (consistent with "
            "the first lemma, which makes them equal)",
            same,
        )
        rest = [k for k in range(len(K)) if k != j]
        sub = [[K[a][b] for b in rest] for a in rest]
        out.check(
            "ReLU, repeated input: removing x_j leaves a positive definite K^(H) (interval Cholesky), so "
            "rank K^(H) = n - 1 exactly",
            iv.cholesky_pd(sub, 0.0),
            f"lambda_min of the rest >= {iv.lambda_min_lower_bound(sub)}",
        )
        Ka = relu_gram(Xa, H)
        finite = all(v.is_finite() for row in Ka for v in row)  # an undecided arccos leaves a non-finite ball
        mu = iv.lambda_min_lower_bound(Ka) if finite else None
        out.check(
            f"ReLU, antiparallel pair: K^(H) is positive definite (interval Cholesky), H = {H}",
            mu is not None and mu > 0 and iv.cholesky_pd(Ka, mu),
            f"lambda_min >= {mu}",
        )
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


# --------------------------------------------------------------------------------------------------------------
# du2019.thm.large-step: one exact gradient-descent step (ball arithmetic) raises the loss
# --------------------------------------------------------------------------------------------------------------
def tanh_c_sigma(cut: float = 10.0):
    """A ball holding ``c_sigma = 1 / E[tanh(z)^2]``, z ~ N(0, 1): the integral of ``tanh(z)^2 exp(-z^2 / 2)`` over
    [0, cut] by flint's rigorous integrator (``acb.integral``; tanh returns a non-finite ball on a box holding a
    pole, which is what the integrator needs to subdivide there), plus a tail in [0, P(|z| >= cut)]."""
    from flint import acb, arb

    from landscape.rigorous import interval as iv

    def f(x, analytic):
        t = x.tanh()
        return t * t * (-x * x / 2).exp()

    body = 2 * acb.integral(f, 0, cut).real / (2 * arb.pi()).sqrt()
    tail = (arb(cut) / arb(2).sqrt()).erfc()
    second = iv.hull(body, body + tail)
    return 1 / second


def _weights_checksum(net) -> float:
    """The sum of the squared initial weights, in exact rational arithmetic, rounded once to float64."""
    total = Fraction(0)
    for t in [*net.Ws, net.a]:
        for v in t.detach().numpy().ravel().tolist():
            total += Fraction(v) ** 2
    return float(total)


def _gd_pieces(X, y, W1, W2, a, s):
    """Forward pass and per-sample backward quantities of the H = 2 tanh net ``u = a^T s tanh(W2 s tanh(W1 x))``
    (balls; X: list of input rows, W1: arb_mat m x d, W2: arb_mat m x m, a: list of m balls, s = sqrt(c / m))."""
    from flint import arb_mat

    n, m, d = len(X), W2.nrows(), len(X[0])
    Xm = arb_mat(n, d, [v for row in X for v in row])
    Z1 = Xm * W1.transpose()
    T1 = [[Z1[i, j].tanh() for j in range(m)] for i in range(n)]
    A1 = arb_mat(n, m, [s * t for row in T1 for t in row])
    Z2 = A1 * W2.transpose()
    T2 = [[Z2[i, j].tanh() for j in range(m)] for i in range(n)]
    A2 = [[s * t for t in row] for row in T2]
    u = [sum((A2[i][j] * a[j] for j in range(m)), 0 * s) for i in range(n)]
    d2 = arb_mat(n, m, [a[j] * s * (1 - T2[i][j] ** 2) for i in range(n) for j in range(m)])  # du_i / dZ2_ij
    B = d2 * W2
    d1 = arb_mat(n, m, [B[i, j] * s * (1 - T1[i][j] ** 2) for i in range(n) for j in range(m)])  # du_i / dZ1_ij
    return {
        "Xm": Xm,
        "A1": A1,
        "A2": A2,
        "u": u,
        "d2": d2,
        "d1": d1,
        "L": sum(((ui - yi) ** 2 for ui, yi in zip(u, y)), 0 * s) / 2,
    }


def replay_large_step(name: str, arrays: dict) -> Replay:
    from flint import arb_mat

    from landscape.rigorous import interval as iv
    from landscape.survey import du2019 as du

    out = Replay(
        name,
        "du2019.thm.large-step",
        "interval",
        lemmas=[
            "K^(H) is positive semidefinite (a Schur product of PSD kernels), so lambda_0 >= 0 and the "
            "bound after one step, (1 - eta lambda_0 / 2) L(0), is at most L(0)",
            "lambda_max(G(0)) >= v^T G(0) v / v^T v for every v != 0 (Rayleigh)",
            "E[tanh(z)^2] = 2 / sqrt(2 pi) int_0^T tanh^2 exp(-z^2 / 2) dz + a tail in [0, P(|z| >= T)] (tanh^2 <= 1)",
        ],
        statement="one exact gradient-descent step of size eta > 2 / lambda_max(G(0)) from the stored "
        "initialization raises the loss: L(1) > L(0) >= (1 - eta lambda_0 / 2) L(0)",
    )
    X_f, y_f = np.asarray(arrays["X"], dtype=np.float64), np.ravel(arrays["y"]).astype(np.float64)
    H, m, seed = int(arrays["H"]), int(arrays["width"]), int(arrays["seed"])
    eta_f = float(arrays["eta"])
    if not out.check(
        "tanh, H = 2 (the depth this replay's formulas cover)",
        H == 2 and str(arrays["act"]) == "tanh",
        f"act {arrays['act']}, H {H}",
    ):
        return out
    net = du.init_net(X_f.shape[1], H, m, "tanh", seed)
    out.check(
        "the initial weights regenerated from the seed match the witness (exact sum of squares)",
        _weights_checksum(net) == float(arrays["init_checksum"]),
        f"{_weights_checksum(net)!r} vs {float(arrays['init_checksum'])!r}",
    )
    with iv.precision():
        c = tanh_c_sigma()
        out.check("c_sigma = 1 / E[tanh(z)^2] enclosed (rigorous integration)", c.is_finite(), f"c in {c}")
        s = (c / m).sqrt()
        X = iv.balls(X_f)
        y = [iv.ball(v) for v in y_f]
        eta = iv.ball(eta_f)
        W1 = arb_mat(m, X_f.shape[1], net.Ws[0].numpy().ravel().tolist())
        W2 = arb_mat(m, m, net.Ws[1].numpy().ravel().tolist())
        a = [iv.ball(v) for v in net.a.numpy().tolist()]
        p = _gd_pieces(X, y, W1, W2, a, s)
        n = len(X)
        # full tangent Gram G(0)_ij = <A2_i, A2_j> + <d2_i, d2_j> <A1_i, A1_j> + <d1_i, d1_j> <x_i, x_j>
        d2d2, d1d1, A1A1 = p["d2"] * p["d2"].transpose(), p["d1"] * p["d1"].transpose(), p["A1"] * p["A1"].transpose()
        G = [
            [
                iv.dot(p["A2"][i], p["A2"][j]) + d2d2[i, j] * A1A1[i, j] + d1d1[i, j] * iv.dot(X[i], X[j])
                for j in range(n)
            ]
            for i in range(n)
        ]
        mid = np.array([[float(G[i][j].mid()) for j in range(n)] for i in range(n)])
        v = [iv.ball(t) for t in np.linalg.eigh(mid)[1][:, -1]]
        rayleigh = iv.dot(v, iv.matvec(G, v)) / iv.dot(v, v)
        out.check(
            "the step is above the stable range: eta * lambda_max(G(0)) > 2 (Rayleigh lower bound)",
            bool(eta * rayleigh > 2),
            f"eta * lambda_max(G(0)) >= {iv.lower(eta * rayleigh):.6g}",
        )
        # one gradient step on every weight
        r = [ui - yi for ui, yi in zip(p["u"], y)]
        R = arb_mat(n, 1, r)
        Rd2 = arb_mat(n, m, [r[i] * p["d2"][i, j] for i in range(n) for j in range(m)])
        Rd1 = arb_mat(n, m, [r[i] * p["d1"][i, j] for i in range(n) for j in range(m)])
        gW2 = Rd2.transpose() * p["A1"]
        gW1 = Rd1.transpose() * p["Xm"]
        A2m = arb_mat(n, m, [t for row in p["A2"] for t in row])
        ga = A2m.transpose() * R
        W1n, W2n = W1 - eta * gW1, W2 - eta * gW2
        an = [a[j] - eta * ga[j, 0] for j in range(m)]
        L1 = _gd_pieces(X, y, W1n, W2n, an, s)["L"]
        L0 = p["L"]
        out.check(
            "the loss rises after one exact step: L(1) > L(0), so L(1) > (1 - eta lambda_0 / 2) L(0) for "
            "every lambda_0 >= 0 (the rate bound fails at k = 1)",
            bool(L1 > L0),
            f"L(0) = {L0.str(8)}, L(1) = {L1.str(8)}",
        )
    return out


def large_step_witness() -> dict:
    """The first violation ``theorems.survey.checks.find_gd_violation(2, "tanh", 256, 2.5, steps=20)`` finds
    (seed 0: three unit inputs in R^3, labels uniform in [-1, 1], width 256, eta = 2.5 / lambda_max(G(0))); the
    weights are regenerated from the seed by ``du2019.init_net`` and checked against their exact sum of squares."""
    from landscape.survey import du2019 as du

    seed, H, m = 0, 2, 256
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.uniform(-1.0, 1.0, 3)
    net = du.init_net(3, H, m, "tanh", seed)
    lam_max = float(np.linalg.eigvalsh(du.full_ntk(net, X))[-1])
    return {
        "X": X,
        "y": y,
        "H": np.array(H),
        "width": np.array(m),
        "seed": np.array(seed),
        "act": np.asarray("tanh"),
        "eta": np.array(2.5 / lam_max),
        "init_checksum": np.array(_weights_checksum(net)),
    }


NEW_WITNESSES["du2019.thm.large-step__tanh-width-256.npz"] = large_step_witness
REPLAYS["du2019.thm.large-step"] = replay_large_step


# --------------------------------------------------------------------------------------------------------------
# du2019.thm.narrow: exact gradient descent on a width-4 softplus net (ball arithmetic) climbs back above L(0)
# --------------------------------------------------------------------------------------------------------------
def softplus_c_sigma(cut: float = 20.0):
    """A ball holding ``c_sigma = 1 / E[softplus(z)^2]``: the integral over [-cut, cut] by ``acb.integral`` (the
    integrand is declared holomorphic only on boxes with |Im z| < 1, where Re(1 + e^z) > 1 keeps the logarithm off
    its branch cut), plus tails in [0, bound]: softplus(z) <= log 2 for z <= 0 and <= z + log 2 for z >= 0, with
    ``int_T^inf (z + log 2)^2 phi = T phi(T) + Q(T) + 2 log 2 phi(T) + log(2)^2 Q(T)``."""
    from flint import acb, arb

    from landscape.rigorous import interval as iv

    def f(x, analytic):
        if analytic and not (abs(x.imag) < 1):
            return acb(arb("nan"))
        s = (1 + x.exp()).log()
        return s * s * (-x * x / 2).exp()

    root = (2 * arb.pi()).sqrt()
    body = acb.integral(f, -cut, cut).real / root
    T, l2 = arb(cut), arb(2).log()
    phi, Q = (-T * T / 2).exp() / root, (T / arb(2).sqrt()).erfc() / 2
    tail = T * phi + Q + 2 * l2 * phi + l2 * l2 * Q + l2 * l2 * Q
    return 1 / iv.hull(body, body + tail)


def _softplus(x):
    return (1 + x.exp()).log()


def _sigmoid(x):
    return 1 / (1 + (-x).exp())


def _deep_forward(Ws: list, a: list, x: list, s):
    """Pre-activations and outputs of ``x^(h) = s softplus(W^(h) x^(h-1))``, ``u = a^T x^(H)`` (balls)."""
    from landscape.rigorous import interval as iv

    xs, zs = [x], []
    for W in Ws:
        z = [iv.dot(row, xs[-1]) for row in W]
        zs.append(z)
        xs.append([s * _softplus(v) for v in z])
    return zs, xs, iv.dot(a, xs[-1])


def _deep_gd(Ws: list, a: list, X: list, y: list, s, eta, steps: int) -> list:
    """Losses L(0..steps) of exact full-batch gradient descent on ``1/2 sum (u_i - y_i)^2`` over every weight."""
    losses = []
    for k in range(steps + 1):
        gWs = [[[0 * s for _ in row] for row in W] for W in Ws]
        ga = [0 * s for _ in a]
        L = 0 * s
        for x, yi in zip(X, y):
            zs, xs, u = _deep_forward(Ws, a, x, s)
            r = u - yi
            L += r * r / 2
            if k == steps:
                continue
            for j in range(len(a)):
                ga[j] += r * xs[-1][j]
            delta = [r * a[j] * s * _sigmoid(zs[-1][j]) for j in range(len(a))]
            for h in range(len(Ws) - 1, -1, -1):
                for i, row in enumerate(gWs[h]):
                    for j in range(len(row)):
                        row[j] += delta[i] * xs[h][j]
                if h:
                    back = [sum((Ws[h][i][j] * delta[i] for i in range(len(delta))), 0 * s) for j in range(len(xs[h]))]
                    delta = [back[j] * s * _sigmoid(zs[h - 1][j]) for j in range(len(back))]
        losses.append(L)
        if k < steps:
            Ws = [[[w - eta * g for w, g in zip(row, grow)] for row, grow in zip(W, gW)] for W, gW in zip(Ws, gWs)]
            a = [v - eta * g for v, g in zip(a, ga)]
    return losses


def replay_narrow(name: str, arrays: dict) -> Replay:
    from flint import arb

    from landscape.rigorous import interval as iv
    from landscape.survey import du2019 as du

    out = Replay(
        name,
        "du2019.thm.narrow",
        "interval",
        lemmas=[
            "K^(H) is positive semidefinite (a Schur product of PSD kernels), so lambda_0 >= 0",
            "lambda_0 <= min_i K^(H)_ii, and for unit-variance Gaussians and softplus (<= log 2 + |z|, "
            "softplus' <= 1): K^(h)_ii <= c (log(2)^2 + 2 log 2 sqrt(2 / pi) sqrt(K^(h-1)_ii) + "
            "K^(h-1)_ii) for h < H, K^(H)_ii <= c K^(H-1)_ii",
            "if 0 <= eta lambda_0 <= 4 then |1 - eta lambda_0 / 2| <= 1 and the bound "
            "(1 - eta lambda_0 / 2)^k L(0) is at most L(0)",
        ],
        statement="exact gradient descent on the width-4 net, from the stored initialization with the "
        "stored step, climbs above L(0) at step k, so it leaves the rate bound for every "
        "admissible lambda_0",
    )
    X_f, y_f = np.asarray(arrays["X"], dtype=np.float64), np.ravel(arrays["y"]).astype(np.float64)
    H, m, seed, k = int(arrays["H"]), int(arrays["width"]), int(arrays["seed"]), int(arrays["k"])
    if not out.check(
        "softplus (the activation this replay encloses)", str(arrays["act"]) == "softplus", f"act {arrays['act']}"
    ):
        return out
    net = du.init_net(X_f.shape[1], H, m, "softplus", seed)
    out.check(
        "the initial weights regenerated from the seed match the witness (exact sum of squares)",
        _weights_checksum(net) == float(arrays["init_checksum"]),
        f"{_weights_checksum(net)!r} vs {float(arrays['init_checksum'])!r}",
    )
    with iv.precision(256):
        c = softplus_c_sigma()
        out.check("c_sigma = 1 / E[softplus(z)^2] enclosed (rigorous integration)", c.is_finite(), f"c in {c.str(12)}")
        s = (c / m).sqrt()
        X = iv.balls(X_f)
        y = [iv.ball(v) for v in y_f]
        eta = iv.ball(float(arrays["eta"]))
        l2 = arb(2).log()
        kdiag = [iv.dot(x, x) for x in X]
        for _ in range(1, H):
            kdiag = [c * (l2 * l2 + 2 * l2 * (2 / arb.pi()).sqrt() * v.sqrt() + v) for v in kdiag]
        lam_upper = min((c * v for v in kdiag), key=iv.upper)
        out.check(
            "0 <= eta lambda_0 <= 4: eta times the upper bound on min_i K^(H)_ii is at most 4",
            bool(eta * lam_upper <= 4),
            f"eta * lambda_0 <= {iv.upper(eta * lam_upper):.6g}",
        )
        Ws = [[[iv.ball(v) for v in row] for row in W.numpy()] for W in net.Ws]
        a = [iv.ball(v) for v in net.a.numpy()]
        losses = _deep_gd(Ws, a, X, y, s, eta, k)
        out.check(
            f"exact gradient descent climbs above the start: L({k}) > L(0)",
            bool(losses[k] > losses[0]),
            f"L(0) = {losses[0].str(8)}, L({k}) = {losses[k].str(8)}",
        )
    return out


def narrow_witness() -> dict:
    """The search of ``theorems.survey.checks.find_gd_violation(3, "softplus", 4, 0.5)`` (three unit inputs in R^3,
    labels uniform in [-1, 1], width 4, eta = 0.5 / lambda_max(G(0)), 300 steps) at seed 6, the first seed whose
    trajectory climbs back above L(0) (at step 111), which leaves the rate bound for every lambda_0 in [0, 4 / eta];
    the weights are regenerated from the seed by ``du2019.init_net``."""
    from landscape.survey import du2019 as du

    seed, H, m = 6, 3, 4
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.uniform(-1.0, 1.0, 3)
    net = du.init_net(3, H, m, "softplus", seed)
    lam_max = float(np.linalg.eigvalsh(du.full_ntk(net, X))[-1])
    return {
        "X": X,
        "y": y,
        "H": np.array(H),
        "width": np.array(m),
        "seed": np.array(seed),
        "act": np.asarray("softplus"),
        "eta": np.array(0.5 / lam_max),
        "k": np.array(111),
        "init_checksum": np.array(_weights_checksum(net)),
    }


NEW_WITNESSES["du2019.thm.narrow__softplus-width-4.npz"] = narrow_witness
REPLAYS["du2019.thm.narrow"] = replay_narrow
