"""Exact replays of Kawaguchi et al. (2019)'s failure cases of Theorem 1 and of the deep linear corollary.

The networks of the family are bias-free and piecewise linear (slope 1 for z > 0, slope a in [-1, 1] for z < 0),
so at a point whose pre-activations are all non-zero the output is a polynomial in the weights, and every number
the claims involve (the loss L, the tangent features ``Jac = d vec(Yhat) / d theta``, the best linear fit J on
them, the gradient) is a rational function of the stored floats.  The replays compute them in exact rational
arithmetic (python-flint ``fmpq``), the floats taken at their exact binary values.

Lemmas the replays rely on (proved in the catalog, ``kawaguchi2019.thm1`` and ``kawaguchi2019.linear``):

* (Lemma 1 / Euler) ``Jac theta = (H + 1) vec Yhat`` at differentiable points of the paper's class, so
  ``vec Yhat`` lies in col(Jac); the replay checks this identity exactly rather than assuming it.
* (E) with ``r = vec(Yhat - Y)``, ``g = Jac^T r``: ``L - J = 1/2 ||P[Jac] r||^2``, and ``P[Jac] r = 0`` iff
  ``g = 0`` (``Jac^T`` is injective on col(Jac)); so ``L > J`` exactly when the gradient is non-zero.
* (Eckart-Young) for a deep linear net whose narrowest hidden layer has r units, ``X W`` (W the product of the
  weights) has rank at most r, so ``L = 1/2 ||(I - P[X]) Y||^2 + 1/2 ||X W - P[X] Y||^2`` is at least the OLS
  value plus the squares of the singular values of ``P[X] Y`` beyond the r-th, at every theta; the bound is
  attained (a rank-r matrix factors through layers of width >= r), so L has global, hence local, minima.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp
from flint import fmpq, fmpq_mat

from landscape.rigorous import Replay
from landscape.rigorous import exact as ex


# --------------------------------------------------------------------------------------------------------------
# exact networks
# --------------------------------------------------------------------------------------------------------------
def q(x) -> fmpq:
    """The exact value of a float64 (or int) as an ``fmpq``."""
    n, d = Fraction(float(x)).as_integer_ratio()
    return fmpq(n, d)


def qmat(a) -> list:
    arr = np.asarray(a, dtype=np.float64)
    return [[q(v) for v in row] for row in arr]


def matmul(A: list, B: list) -> list:
    return [[sum((A[i][k] * B[k][j] for k in range(len(B))), fmpq(0)) for j in range(len(B[0]))] for i in range(len(A))]


def sq(v) -> fmpq:
    return sum((x * x for x in v), fmpq(0))


def dotq(u, v) -> fmpq:
    return sum((a * b for a, b in zip(u, v)), fmpq(0))


class ExactNet:
    """A witness network (``X``, ``Y``, ``theta``, ``widths``, ``d_y``, ``slopes<l>``) in exact arithmetic."""

    def __init__(self, arrays: dict):
        self.X = qmat(arrays["X"])
        self.Y = qmat(arrays["Y"])
        self.widths = [int(w) for w in np.ravel(arrays["widths"])]
        self.d_y = int(arrays["d_y"])
        self.H = len(self.widths)
        self.dims = [len(self.X[0]), *self.widths, self.d_y]
        self.slopes = [[q(a) for a in np.ravel(arrays[f"slopes{l + 1}"])] for l in range(self.H)]
        self.slopes_float = [np.ravel(arrays[f"slopes{l + 1}"]) for l in range(self.H)]
        self.theta = [q(v) for v in np.ravel(arrays["theta"])]
        self.m = len(self.X)

    @property
    def n_params(self) -> int:
        return sum(a * b for a, b in self.shapes)

    @property
    def shapes(self) -> list:
        return [(self.dims[l], self.dims[l + 1]) for l in range(self.H + 1)]

    def unpack(self, theta: list) -> list:
        """``W^(1..H+1)`` from the column-major ``vec`` (as ``Net.unpack``)."""
        out, i = [], 0
        for a, b in self.shapes:
            out.append([[theta[i + c * a + r] for c in range(b)] for r in range(a)])
            i += a * b
        return out

    def forward(self, theta: list | None = None) -> dict:
        """Pre-activations, representations, slopes in force (Lambda) and the output, exactly."""
        Ws = self.unpack(self.theta if theta is None else theta)
        Phi, G, Lam = [self.X], [], []
        for l in range(self.H):
            g = matmul(Phi[-1], Ws[l])
            a = self.slopes[l]
            lam = [[fmpq(1) if z > 0 else a[k] for k, z in enumerate(row)] for row in g]
            G.append(g)
            Lam.append(lam)
            Phi.append([[lam[i][k] * g[i][k] for k in range(len(g[0]))] for i in range(len(g))])
        Yhat = matmul(Phi[-1], Ws[-1])
        return {"G": G, "Phi": Phi, "Lam": Lam, "Yhat": Yhat, "Ws": Ws}

    def vec(self, M: list) -> list:
        return [M[i][k] for k in range(len(M[0])) for i in range(len(M))]

    def jacobian(self, fw: dict) -> list:
        """``d vec(Yhat) / d theta`` column by column (forward mode with the activation pattern held fixed: valid
        where no pre-activation is zero), as a list of columns."""
        Ws, Phi, Lam = fw["Ws"], fw["Phi"], fw["Lam"]
        cols = []
        for l0, (a, b) in enumerate(self.shapes):
            for c in range(b):
                for r in range(a):
                    # dG^(l0+1) has one non-zero column c equal to Phi^(l0)[:, r]
                    dG = [[Phi[l0][i][r] if k == c else fmpq(0) for k in range(b)] for i in range(self.m)]
                    for l in range(l0, self.H):
                        dPhi = [[Lam[l][i][k] * dG[i][k] for k in range(len(dG[0]))] for i in range(self.m)]
                        dG = matmul(dPhi, Ws[l + 1])
                    cols.append(self.vec(dG))
        return cols

    def loss(self, fw: dict) -> fmpq:
        return sq(self.vec(fw["Yhat"])[i] - y for i, y in enumerate(self.vec(self.Y))) / 2


def projection(cols: list, y: list) -> list:
    """``P[M] y`` exactly, M given by its columns (any rank): least squares on a maximal independent subset."""
    if not cols:
        return [fmpq(0)] * len(y)
    M = fmpq_mat(len(cols[0]), len(cols), [cols[j][i] for i in range(len(cols[0])) for j in range(len(cols))])
    R, rank = M.rref()
    piv, row = [], 0
    for j in range(len(cols)):
        if row < rank and R[row, j] != 0:
            piv.append(j)
            row += 1
    B = [cols[j] for j in piv]
    k = len(B)
    if k == 0:
        return [fmpq(0)] * len(y)
    gram = fmpq_mat(k, k, [dotq(B[i], B[j]) for i in range(k) for j in range(k)])
    rhs = fmpq_mat(k, 1, [dotq(B[i], y) for i in range(k)])
    c = gram.solve(rhs)
    return [sum((c[j, 0] * B[j][i] for j in range(k)), fmpq(0)) for i in range(len(y))]


def rank_of(cols: list) -> int:
    if not cols:
        return 0
    return fmpq_mat(len(cols[0]), len(cols), [cols[j][i] for i in range(len(cols[0])) for j in range(len(cols))]).rank()


def _fmt(x: fmpq) -> str:
    """An exact rational for a detail line: in full when short, else its value and its size."""
    if x.q == 1:
        return str(x)
    approx = float(Fraction(int(x.p), int(x.q)))
    text = str(x)
    return f"{text} (~{approx:.6g})" if len(text) <= 40 else f"~{approx:.12g} (exact rational, {len(text)} chars)"


# --------------------------------------------------------------------------------------------------------------
# Theorem 1's failure cases: L > J at a non-critical point / a point critical in the output weights only
# --------------------------------------------------------------------------------------------------------------
def load_net(out: Replay, arrays: dict) -> ExactNet | None:
    """The witness network, or None (a failed step) when theta does not fit the architecture."""
    net = ExactNet(arrays)
    ok = out.check(
        "theta has the architecture's number of parameters",
        len(net.theta) == net.n_params,
        f"{len(net.theta)} entries, dims {net.dims}",
    )
    return net if ok else None


def _gap_steps(out: Replay, net: ExactNet, fw: dict, theta: list) -> tuple[fmpq, fmpq, list]:
    """The steps shared by the Theorem 1 replays: class, differentiability, Lemma 1, identity (E); returns
    (L, J, gradient)."""
    out.check(
        "every hidden unit is in the paper's class (slope in [-1, 1], linear output)",
        all(abs(a) <= 1 for s in net.slopes for a in s),
        "slopes " + "; ".join(str(list(map(float, s))) for s in net.slopes_float),
    )
    gmin = min(abs(z) for G in fw["G"] for row in G for z in row)
    out.check(
        "no pre-activation is at a kink (min |G| > 0, exact): L is a polynomial near theta",
        gmin > 0,
        f"min |G| = {_fmt(gmin)}",
    )
    jac = net.jacobian(fw)
    yhat, y = net.vec(fw["Yhat"]), net.vec(net.Y)
    euler = [sum((jac[p][i] * theta[p] for p in range(len(theta))), fmpq(0)) for i in range(len(yhat))]
    out.check(
        "Lemma 1 (Euler): Jac theta = (H + 1) vec Yhat, so vec Yhat lies in col(Jac) (exact)",
        all(e == (net.H + 1) * v for e, v in zip(euler, yhat)),
    )
    r = [a - b for a, b in zip(yhat, y)]
    g = [dotq(col, r) for col in jac]
    L = sq(r) / 2
    Py = projection(jac, y)
    J = (sq(y) - dotq(Py, y)) / 2
    Pr = projection(jac, r)
    out.check(
        "identity (E): L - J = 1/2 ||P[Jac] r||^2 (exact)",
        L - J == sq(Pr) / 2,
        f"L - J = {_fmt(L - J)}, rank Jac = {rank_of(jac)} of {len(jac)} columns, {len(y)} rows",
    )
    return L, J, g


def replay_non_critical(name: str, arrays: dict) -> Replay:
    out = Replay(
        name,
        "kawaguchi2019.thm1.non-critical",
        "exact",
        lemmas=[LEMMA_E],
        statement="at this differentiable non-critical point L(theta) > J(theta)",
    )
    net = load_net(out, arrays)
    if net is None:
        return out
    fw = net.forward()
    L, J, g = _gap_steps(out, net, fw, net.theta)
    out.check(
        "theta is not critical: grad L = Jac^T r != 0 (exact)", any(v != 0 for v in g), f"||g||^2 = {_fmt(sq(g))}"
    )
    out.check("L > J (exact)", L > J, f"L = {_fmt(L)}, J = {_fmt(J)}")
    return out


def ls_output_layer(net: ExactNet, fw: dict) -> list | None:
    """The exact least-squares output layer on the last representation (None when Phi^(H) has dependent
    columns: the least-squares layer is then not unique)."""
    Phi = fw["Phi"][-1]
    d = len(Phi[0])
    P = fmpq_mat(len(Phi), d, [v for row in Phi for v in row])
    if P.rank() < d:
        return None
    gram = P.transpose() * P
    rhs = P.transpose() * fmpq_mat(net.m, net.d_y, [v for row in net.Y for v in row])
    C = gram.solve(rhs)
    return [[C[i, k] for k in range(net.d_y)] for i in range(d)]


def replay_partial_critical(name: str, arrays: dict) -> Replay:
    out = Replay(
        name,
        "kawaguchi2019.thm1.partial-critical",
        "exact",
        lemmas=[LEMMA_E],
        statement="with the exact least-squares output layer on the stored hidden layers, theta is critical "
        "in W^(H+1) but L(theta) > J(theta)",
    )
    net = load_net(out, arrays)
    if net is None:
        return out
    fw = net.forward()
    C = ls_output_layer(net, fw)
    if not out.check("Phi^(H) has independent columns (the least-squares output layer is unique)", C is not None):
        return out
    assert C is not None  # checked just above
    stored = np.asarray(arrays["theta"], dtype=np.float64)
    start = len(net.theta) - len(C) * net.d_y
    exact_out = [C[i][k] for k in range(net.d_y) for i in range(len(C))]  # column-major vec W^(H+1)
    rounded = np.array(
        [
            float(int(v.p)) / float(int(v.q))
            if abs(v.p) < 2**53 and v.q < 2**53
            else float(Fraction(int(v.p), int(v.q)))
            for v in exact_out
        ]
    )
    out.check(
        "the stored W^(H+1) is the exact least-squares layer rounded to float64",
        np.array_equal(rounded, stored[start:]),
        f"max |stored - exact| = {float(np.max(np.abs(rounded - stored[start:]))):.3g}",
    )
    theta = net.theta[:start] + exact_out
    fw = net.forward(theta)
    Phi = fw["Phi"][-1]
    R = [[fw["Yhat"][i][k] - net.Y[i][k] for k in range(net.d_y)] for i in range(net.m)]
    normal = [
        dotq([Phi[i][j] for i in range(net.m)], [R[i][k] for i in range(net.m)])
        for j in range(len(Phi[0]))
        for k in range(net.d_y)
    ]
    out.check("critical in the output weights: Phi^(H)^T (Yhat - Y) = 0 (exact)", all(v == 0 for v in normal))
    L, J, g = _gap_steps(out, net, fw, theta)
    hidden = g[:start]
    out.check(
        "not critical in the hidden weights: grad_{W^(1..H)} L != 0 (exact)",
        any(v != 0 for v in hidden),
        f"||g_hidden||^2 = {_fmt(sq(hidden))}",
    )
    out.check("L > J (exact)", L > J, f"L = {_fmt(L)}, J = {_fmt(J)}")
    return out


LEMMA_E = (
    "(E) L - J = 1/2 ||P[Jac] r||^2 at every differentiable point of the class (Lemma 1 puts vec Yhat in "
    "col(Jac)); P[Jac] r = 0 iff Jac^T r = 0"
)


# --------------------------------------------------------------------------------------------------------------
# deep linear net with a bottleneck narrower than d_y
# --------------------------------------------------------------------------------------------------------------
def replay_bottleneck(name: str, arrays: dict) -> Replay:
    out = Replay(
        name,
        "kawaguchi2019.linear.bottleneck",
        "exact",
        lemmas=[
            "Eckart-Young: rank(X W) <= r for the product W of a net whose narrowest layer has r units, "
            "so L(theta) >= OLS + 1/2 sum_{i>r} s_i(P[X] Y)^2 at every theta, with equality attained"
        ],
        statement="every theta (hence every local minimum) has L(theta) >= the reduced-rank value > the "
        "least-squares value 1/2 ||(I - P[X]) Y||^2",
    )
    net = load_net(out, arrays)
    if net is None:
        return out
    out.check("every unit is linear (slope 1)", all(a == 1 for s in net.slopes for a in s))
    r = min(net.widths)
    out.check("a hidden layer narrower than d_y", r < net.d_y, f"min width {r}, d_y {net.d_y}")
    values = _reduced_rank(out, net, r)
    if values is None:
        return out
    ols, rrr = values
    fw = net.forward()
    L = sp.Rational(str(net.loss(fw)))
    out.check(
        "the stored theta (a float64 global minimum) has L >= the reduced-rank value (exact)",
        ex.is_nonnegative(L - rrr),
        f"L - reduced-rank value = {float(L - rrr):.3g}, L - OLS = {float(L - ols):.6g}",
    )
    return out


REPLAYS = {
    "kawaguchi2019.thm1.non-critical": replay_non_critical,
    "kawaguchi2019.thm1.partial-critical": replay_partial_critical,
    "kawaguchi2019.linear.bottleneck": replay_bottleneck,
}


# --------------------------------------------------------------------------------------------------------------
# small readable witnesses built from the family's own constructions (landscape.kawaguchi2019.failures and the
# bottleneck instances of the deep-linear strategy), shrunk to a few samples and rounded to simple numbers
# --------------------------------------------------------------------------------------------------------------
def _round(a, step: float) -> np.ndarray:
    return np.round(np.asarray(a, dtype=np.float64) / step) * step + 0.0


def _nonzero(a, step: float) -> np.ndarray:
    """Round to multiples of ``step``, entries that would round to 0 moved to +-step (no exact zero weights or
    inputs, which would put pre-activations on a kink)."""
    a = np.asarray(a, dtype=np.float64)
    r = np.round(a / step) * step
    return np.where(r == 0, np.where(a >= 0, step, -step), r) + 0.0


def _arrays(net, X, Y, theta) -> dict:
    out = {"X": X, "Y": Y, "theta": theta, "widths": np.array(net.widths), "d_y": np.array(net.d_y)}
    for l, a in enumerate(net.slopes):
        out[f"slopes{l + 1}"] = a
    return out


def non_critical_witness() -> dict:
    """``failures.non_critical(4)`` (mixed ReLU / leaky / abs net 3-4-4-2 at random weights), its first 10 samples,
    inputs and targets rounded to quarters, weights to sixteenths, slopes to quarters."""
    from landscape.kawaguchi2019.failures import non_critical
    from landscape.kawaguchi2019.networks import Net

    net, X, Y, theta, _ = non_critical(4)
    small = Net(net.d_x, net.widths, net.d_y, slopes=tuple(_round(s, 0.25) for s in net.slopes))
    return _arrays(small, _nonzero(X[:10], 0.25), _nonzero(Y[:10], 0.25), _nonzero(theta, 0.0625))


def partial_critical_witness() -> dict:
    """``failures.partial_critical(0)`` (one hidden layer of 5 ReLU / abs / leaky units, scalar output), its first 8
    samples, inputs and targets rounded to quarters, hidden weights to sixteenths; the output layer is the exact
    least-squares layer on the rounded hidden layer, rounded to float64.  (With 16 samples the 20 tangent
    features have rank 15 < 16, so J > 0.)"""
    from landscape.kawaguchi2019.failures import partial_critical
    from landscape.kawaguchi2019.networks import Net

    net, X, Y, theta, _ = partial_critical(0)
    small = Net(net.d_x, net.widths, net.d_y, slopes=tuple(_round(s, 0.25) for s in net.slopes))
    n_out = net.widths[-1] * net.d_y
    a = _arrays(
        small,
        _nonzero(X[:16], 0.25),
        _nonzero(Y[:16], 0.25),
        np.concatenate([_nonzero(theta[:-n_out], 0.0625), np.zeros(n_out)]),
    )
    en = ExactNet(a)
    C = ls_output_layer(en, en.forward())
    if C is None:
        raise ValueError("the rounded hidden layers leave the least-squares output layer non-unique")
    a["theta"][-n_out:] = [
        float(Fraction(int(C[i][k].p), int(C[i][k].q))) for k in range(net.d_y) for i in range(len(C))
    ]
    return a


def bottleneck_witness() -> dict:
    """The smallest bottleneck instance of the deep-linear strategy (``strategies.kawaguchi2019.deep_linear(
    bottleneck=True)``: H = 1, d_y = 2, one hidden unit, d_x = 2, m = 4 Gaussian inputs and targets, here drawn
    with ``default_rng(0)`` and rounded to halves), at a global minimum in float64: ``W^(1) = B v_1``,
    ``W^(2) = v_1^T`` with B the OLS coefficients and v_1 the top right singular vector of ``X B``."""
    from landscape.kawaguchi2019 import data as kd
    from landscape.kawaguchi2019.networks import Net

    rng = np.random.default_rng(0)
    X = _nonzero(kd.inputs("gaussian", 4, 2, rng), 0.5)
    Y = _nonzero(rng.standard_normal((4, 2)), 0.5)
    net = Net(2, (1,), 2, slopes=(np.ones(1),))
    B = np.linalg.lstsq(X, Y, rcond=None)[0]
    v1 = np.linalg.svd(X @ B)[2][0]
    return _arrays(net, X, Y, net.pack([(B @ v1)[:, None], v1[None, :]]))


NEW_WITNESSES = {
    "kawaguchi2019.thm1.non-critical__mixed-3-4-4-2.npz": non_critical_witness,
    "kawaguchi2019.thm1.partial-critical__ls-output.npz": partial_critical_witness,
    "kawaguchi2019.linear.bottleneck__rank-one.npz": bottleneck_witness,
}


# --------------------------------------------------------------------------------------------------------------
# Theorem 1 with weight decay: a local minimum of L + lam/2 ||theta||^2 (ball arithmetic) where L > J
# --------------------------------------------------------------------------------------------------------------
def _decay_parts(X: list, y: list, lam, theta: list) -> tuple[list, list]:
    """Gradient and Hessian (balls) of ``F = 1/2 ||X w v - y||^2 + lam/2 (||w||^2 + v^2)`` for the one-hidden-unit
    linear net ``theta = (w, v)`` (w: d_x input weights, v: the output weight), d_y = 1."""
    from flint import arb

    from landscape.rigorous import interval as iv

    d = len(X[0])
    w, v = theta[:d], theta[d]
    u = [iv.dot(row, w) for row in X]
    r = [ui * v - yi for ui, yi in zip(u, y)]
    Xt_r = [iv.dot([row[k] for row in X], r) for k in range(d)]
    Xt_u = [iv.dot([row[k] for row in X], u) for k in range(d)]
    grad = [v * Xt_r[k] + lam * w[k] for k in range(d)] + [iv.dot(u, r) + lam * v]
    H = [[arb(0)] * (d + 1) for _ in range(d + 1)]
    for a in range(d):
        for b in range(d):
            H[a][b] = v * v * iv.dot([row[a] for row in X], [row[b] for row in X]) + (lam if a == b else 0)
        H[a][d] = H[d][a] = Xt_r[a] + v * Xt_u[a]
    H[d][d] = iv.dot(u, u) + lam
    return grad, H


def replay_weight_decay(name: str, arrays: dict) -> Replay:
    from landscape.rigorous import interval as iv

    out = Replay(
        name,
        "kawaguchi2019.thm1.weight-decay",
        "interval",
        lemmas=[
            LEMMA_E,
            "a function mu-strongly convex on a box, whose gradient at the box centre has norm g with 2 g / mu "
            "below the box radius, has a strict local minimum within 2 g / mu of the centre "
            "(interval.strongly_convex_minimizer)",
            "at a critical point of L + lam/2 ||theta||^2, grad L = -lam theta; L - J >= ||grad L||^2 / (2 s_max^2), "
            "s_max^2 <= ||Jac||_F^2",
        ],
        statement="the weight-decayed loss has a local minimum theta* next to the stored point, and L(theta*) > "
        "J(theta*) there",
    )
    widths, d_y = [int(w) for w in np.ravel(arrays["widths"])], int(arrays["d_y"])
    slopes = np.ravel(arrays["slopes1"])
    if not out.check(
        "one hidden unit with slope 1 (a linear net inside the class), scalar output: the shape this replay handles",
        widths == [1] and d_y == 1 and np.array_equal(slopes, [1.0]),
        f"widths {widths}, d_y {d_y}, slopes {slopes.tolist()}",
    ):
        return out
    lam_f = float(arrays["weight_decay"])
    out.check("weight decay lam > 0", lam_f > 0, f"lam = {lam_f}")
    with iv.precision():
        X = iv.balls(arrays["X"])
        y = [iv.ball(v) for v in np.ravel(arrays["Y"])]
        lam = iv.ball(lam_f)
        c = [iv.ball(v) for v in np.ravel(arrays["theta"])]
        radius = 1e-6
        mb = iv.strongly_convex_minimizer(
            lambda t: _decay_parts(X, y, lam, t)[0],
            lambda box: _decay_parts(X, y, lam, box)[1],
            c,
            radius,
        )
        if not out.check(
            "a strict local minimum theta* of L + lam/2 ||theta||^2 lies within R of the stored point (interval "
            "gradient at the point, interval Cholesky of the Hessian on the box of radius 1e-6)",
            mb is not None,
            f"R = {mb.radius:.3g}, mu = {mb.mu:.6g}, |grad| <= {mb.grad_norm_upper:.3g}" if mb else "not proved",
        ):
            return out
        assert mb is not None  # checked just above
        ball = iv.box_around(c, mb.radius)
        norm_theta = iv.norm2(ball)
        out.check(
            "theta* != 0, so grad L(theta*) = -lam theta* != 0", bool(norm_theta > 0), f"|theta*| in {norm_theta}"
        )
        d = len(X[0])
        u = [iv.dot(row, ball[:d]) for row in X]
        jac_f2 = ball[d] * ball[d] * sum((x * x for row in X for x in row), iv.ball(0.0)) + iv.dot(u, u)
        gap_lower = lam * lam * norm_theta * norm_theta / (2 * jac_f2)
        out.check(
            "L(theta*) - J(theta*) >= lam^2 |theta*|^2 / (2 ||Jac||_F^2) > 0 on the whole ball",
            bool(gap_lower > 0),
            f"lower bound {iv.lower(gap_lower):.6g}",
        )
    return out


REPLAYS["kawaguchi2019.thm1.weight-decay"] = replay_weight_decay


def weight_decay_witness() -> dict:
    """``failures.weight_decay(0)`` shrunk: its first 6 samples, the first two inputs and the first target rounded
    to quarters, one hidden linear unit (so no continuous symmetry of the decayed loss is left), lam = 1/8 (the
    builder's 0.1 rounded), trained with the family's L-BFGS on L + lam/2 ||theta||^2."""
    from landscape.kawaguchi2019.failures import weight_decay
    from landscape.kawaguchi2019.networks import Net
    from landscape.kawaguchi2019.points import train

    _, X, Y, _, _ = weight_decay(0)
    net = Net(2, (1,), 1, slopes=(np.ones(1),))
    Xs, Ys, lam = _nonzero(X[:6, :2], 0.25), _nonzero(Y[:6, :1], 0.25), 0.125
    theta = train(net, Xs, Ys, np.array([0.5, 0.5, 0.5]), max_iter=800, weight_decay=lam)
    return {**_arrays(net, Xs, Ys, theta), "weight_decay": np.array(lam)}


NEW_WITNESSES["kawaguchi2019.thm1.weight-decay__one-unit.npz"] = weight_decay_witness


# --------------------------------------------------------------------------------------------------------------
# Theorem 1 with a tanh output layer: a local minimum (ball arithmetic) where L != J
# --------------------------------------------------------------------------------------------------------------
def _tanh_parts(X: list, y: list, beta: list) -> dict:
    """For ``f(beta) = 1/2 ||tanh(X beta) - y||^2``: value, gradient ``X^T D r`` and Hessian ``X^T diag(h) X`` with
    ``t = tanh(X beta)``, ``D = 1 - t^2``, ``r = t - y``, ``h = D^2 - 2 t r D`` (balls)."""
    from landscape.rigorous import interval as iv

    d = len(X[0])
    t = [iv.dot(row, beta).tanh() for row in X]
    D = [1 - ti * ti for ti in t]
    r = [ti - yi for ti, yi in zip(t, y)]
    h = [Di * Di - 2 * ti * ri * Di for ti, ri, Di in zip(t, r, D)]
    grad = [iv.dot([row[k] for row in X], [Di * ri for Di, ri in zip(D, r)]) for k in range(d)]
    hess = [[iv.dot([row[a] * row[b] for row in X], h) for b in range(d)] for a in range(d)]
    return {"t": t, "D": D, "r": r, "L": iv.dot(r, r) / 2, "grad": grad, "hess": hess}


def _solve2(A: list, b: list) -> list:
    """Ball solution of a 2 x 2 system by Cramer's rule (the determinant's ball must exclude 0)."""
    det = A[0][0] * A[1][1] - A[0][1] * A[1][0]
    if not (det > 0 or det < 0):
        raise ArithmeticError("the 2 x 2 system is not provably regular")
    return [(b[0] * A[1][1] - A[0][1] * b[1]) / det, (A[0][0] * b[1] - A[1][0] * b[0]) / det]


def replay_nonlinear_output(name: str, arrays: dict) -> Replay:
    from landscape.rigorous import interval as iv

    out = Replay(
        name,
        "kawaguchi2019.thm1.nonlinear-output",
        "interval",
        lemmas=[
            "with one hidden identity unit, L(theta) = f(w v) for f(beta) = 1/2 ||tanh(X beta) - y||^2; if beta* is a "
            "local minimum of f, every theta with w v = beta* is a local minimum of L (f(w' v') >= f(beta*) for "
            "(w', v') near theta, by continuity of the product)",
            "for v != 0 the tangent features Jac = [v D X, D X w] (D = diag(1 - tanh^2(X beta))) span col(D X), so "
            "J(theta) = 1/2 ||(I - P[D X]) y||^2 depends on beta = w v only",
            "a function mu-strongly convex on a box, whose gradient at the box centre has norm g with 2 g / mu below "
            "the box radius, has a strict local minimum within 2 g / mu of the centre",
        ],
        statement="L has a differentiable local minimum theta* next to the stored point (tanh output) where "
        "L(theta*) != J(theta*)",
    )
    widths, d_y = [int(w) for w in np.ravel(arrays["widths"])], int(arrays["d_y"])
    slopes = np.ravel(arrays["slopes1"])
    X_f = np.asarray(arrays["X"], dtype=np.float64)
    if not out.check(
        "one hidden identity unit (slope 1), d_x = 2, scalar tanh output: the shape this replay handles",
        widths == [1]
        and d_y == 1
        and np.array_equal(slopes, [1.0])
        and str(arrays["output"]) == "tanh"
        and X_f.shape[1] == 2,
        f"widths {widths}, d_y {d_y}, slopes {slopes.tolist()}, output {arrays['output']}, d_x {X_f.shape[1]}",
    ):
        return out
    theta_f = np.ravel(arrays["theta"])
    out.check("the output weight v is non-zero", theta_f[2] != 0, f"v = {theta_f[2]}")
    with iv.precision():
        X = iv.balls(X_f)
        y = [iv.ball(v) for v in np.ravel(arrays["Y"])]
        w, v = [iv.ball(theta_f[0]), iv.ball(theta_f[1])], iv.ball(theta_f[2])
        center = [wk * v for wk in w]  # exact at 128 bits: a product of two doubles
        mb = iv.strongly_convex_minimizer(
            lambda b: _tanh_parts(X, y, b)["grad"], lambda box: _tanh_parts(X, y, box)["hess"], center, 1e-6
        )
        if not out.check(
            "a strict local minimum beta* of f lies within R of w v (interval gradient at w v, interval Cholesky of "
            "the Hessian on the box of radius 1e-6); theta* = (w + (beta* - w v) / v, v) is a local minimum of L",
            mb is not None,
            f"R = {mb.radius:.3g}, mu = {mb.mu:.6g}, |grad f| <= {mb.grad_norm_upper:.3g}" if mb else "not proved",
        ):
            return out
        assert mb is not None  # checked just above
        box = iv.box_around(center, mb.radius)
        p = _tanh_parts(X, y, box)
        DX = [[Di * xk for xk in row] for Di, row in zip(p["D"], X)]
        A = [[iv.dot([row[a] for row in DX], [row[b] for row in DX]) for b in range(2)] for a in range(2)]
        try:
            coef = _solve2(A, [iv.dot([row[a] for row in DX], y) for a in range(2)])
            coef_t = _solve2(A, [iv.dot([row[a] for row in DX], p["t"]) for a in range(2)])
        except ArithmeticError:
            out.check("D X has independent columns on the box (det of its Gram matrix excludes 0)", False)
            return out
        fit = [iv.dot(row, coef) for row in DX]
        J = sum(((yi - fi) ** 2 for yi, fi in zip(y, fit)), iv.ball(0.0)) / 2
        off = iv.norm2([ti - iv.dot(row, coef_t) for ti, row in zip(p["t"], DX)])
        out.check(
            "the output leaves the tangent space: ||(I - P[Jac]) tanh(X beta*)|| > 0 (Lemma 1 fails for tanh)",
            bool(off > 0),
            f"in {off}",
        )
        gap = p["L"] - J
        out.check(
            "L(theta*) - J(theta*) excludes 0 on the whole box (interval)",
            bool(gap > 0 or gap < 0),
            f"L = {p['L'].str(8)}, J = {J.str(8)}, L - J = {gap.str(8)}",
        )
    return out


REPLAYS["kawaguchi2019.thm1.nonlinear-output"] = replay_nonlinear_output


def nonlinear_output_witness(seed: int = 2, m: int = 4) -> dict:
    """``failures.nonlinear_output(2)`` shrunk: its first ``m`` samples rounded to quarters, one hidden identity unit
    instead of two (the loss depends on W^(1) w^(2) only, either way), trained with the family's L-BFGS."""
    from landscape.kawaguchi2019.failures import nonlinear_output
    from landscape.kawaguchi2019.networks import Net
    from landscape.kawaguchi2019.points import train

    _, X, Y, _, _ = nonlinear_output(seed)
    net = Net(2, (1,), 1, slopes=(np.ones(1),), output="tanh")
    Xs, Ys = _nonzero(X[:m], 0.25), _nonzero(Y[:m], 0.25)
    theta = train(net, Xs, Ys, np.array([0.5, 0.5, 1.0]), max_iter=800)
    return {**_arrays(net, Xs, Ys, theta), "output": np.asarray("tanh")}


NEW_WITNESSES["kawaguchi2019.thm1.nonlinear-output__tanh-one-unit.npz"] = nonlinear_output_witness


# --------------------------------------------------------------------------------------------------------------
# Theorem 2 with a highway narrower than d_y: a local minimum above the regression bound, exactly
# --------------------------------------------------------------------------------------------------------------
def _reduced_rank(out: Replay, net: ExactNet, r: int) -> tuple | None:
    """Exact OLS value and reduced-rank (rank <= r) regression value of (X, Y); None (failed step) when rank(P[X] Y)
    <= r."""
    X, Y = net.X, net.Y
    xcols = [[X[i][j] for i in range(net.m)] for j in range(len(X[0]))]
    PY = [projection(xcols, [Y[i][k] for i in range(net.m)]) for k in range(net.d_y)]  # columns of P[X] Y
    ols = sum((sq([Y[i][k] - PY[k][i] for i in range(net.m)]) for k in range(net.d_y)), fmpq(0)) / 2
    rank = rank_of(PY)
    if not out.check(
        f"rank(P[X] Y) > {r} (exact): the OLS fit is out of reach of a rank-{r} map", rank > r, f"rank {rank}"
    ):
        return None
    G = sp.Matrix(net.d_y, net.d_y, lambda a, b: sp.Rational(str(dotq(PY[a], PY[b]))))
    eig = ex.eigenvalues_symmetric(G)  # s_i(P[X] Y)^2, decreasing
    drop = ex.simplify(sum(eig[r:], sp.Integer(0)) / 2)
    ols_s = sp.Rational(str(ols))
    out.check(
        f"reduced-rank value - OLS value = 1/2 sum_(i>{r}) s_i^2 > 0 (exact)",
        ex.is_positive(drop),
        f"OLS = {ols}, reduced-rank value = {ols_s + drop} (~{float(ols_s + drop):.10g})",
    )
    return ols_s, ols_s + drop


def replay_narrow_highway(name: str, arrays: dict) -> Replay:
    out = Replay(
        name,
        "kawaguchi2019.thm2.narrow-highway",
        "exact",
        lemmas=[
            "H = 1: while the non-linear (ReLU) units have negative pre-activations on every sample they output 0, "
            "also for all nearby weights, so near theta the network is X w v^T (w, v: the n = 1 linear unit's "
            "weights), a rank-one map, and L >= the rank-one (reduced-rank) regression value there",
            "the rank-one regression value is attained by some (w*, v*) (w* = B u, v* = u, B the OLS coefficients, u "
            "the top right singular vector of P[X] Y); with the dead units unchanged, theta* = (w*, v*, dead units) "
            "is therefore a differentiable local minimum of L in Theta_{1,0} (its linear unit acts as the identity)",
            "RHS(S) for S = (0) is the OLS value minus a sum of squared norms, so RHS((0)) <= OLS value",
        ],
        statement="a differentiable local minimum theta* with a one-unit highway (d_y = 2) has L(theta*) > RHS(S) "
        "for S = (0)",
    )
    net = load_net(out, arrays)
    if net is None:
        return out
    t, n = int(arrays["t"]), int(arrays["n"])
    slopes = net.slopes[0]
    if not out.check(
        "one hidden layer, t = 0, the first n units linear (slope 1), the others ReLU (slope 0); n < d_y",
        net.H == 1 and t == 0 and all(a == 1 for a in slopes[:n]) and all(a == 0 for a in slopes[n:]) and n < net.d_y,
        f"H = {net.H}, t = {t}, n = {n}, d_y = {net.d_y}, slopes {[float(a) for a in net.slopes_float[0]]}",
    ):
        return out
    fw = net.forward()
    G = fw["G"][0]
    worst = max(G[i][k] for i in range(net.m) for k in range(n, len(G[0])))
    out.check(
        "every ReLU unit is dead with margin: all its pre-activations < 0 (exact)",
        worst < 0,
        f"max pre-activation of the ReLU units = {_fmt(worst)}",
    )
    values = _reduced_rank(out, net, n)
    if values is None:
        return out
    ols, rrr = values
    L = sp.Rational(str(net.loss(fw)))
    out.check(
        "L(theta*) = reduced-rank value > OLS value >= RHS((0)) (exact; L(theta*) by the lemma)",
        ex.is_positive(rrr - ols),
        f"L(theta*) - RHS((0)) >= {float(rrr - ols):.6g}",
    )
    out.check(
        "the stored theta (float64 rank-one fit) has L >= the reduced-rank value (exact)",
        ex.is_nonnegative(L - rrr),
        f"L - reduced-rank value = {float(L - rrr):.3g}",
    )
    return out


REPLAYS["kawaguchi2019.thm2.narrow-highway"] = replay_narrow_highway


def narrow_highway_witness() -> dict:
    """The narrow-highway architecture of ``strategies.kawaguchi2019.highway_points(narrow=True)`` built by
    ``highway.build`` (H = 1, t = 0, d_y = 2, n = d_y - 1 = 1 linear unit, two ReLU units), on 5 samples of the
    family's digits inputs (two pixel columns, rounded to quarters, zeros moved to 1/4 so every input is positive)
    and Gaussian targets rounded to halves.  The point is constructed, not planted: the ReLU units get input weights
    (-1, -1) and (-1/2, -1) (dead on positive inputs), output weights 1 and -1; the linear unit is the float64
    rank-one least-squares fit."""
    from landscape.kawaguchi2019 import data as kd
    from landscape.kawaguchi2019 import highway as kh

    rng = np.random.default_rng(0)
    X = _nonzero(kd.inputs("digits", 5, 2, rng), 0.25)
    Y = _nonzero(rng.standard_normal((5, 2)), 0.5)
    hw = kh.build(2, [3], 2, 0, 1, [np.zeros(2)], False)
    B = np.linalg.lstsq(X, Y, rcond=None)[0]
    u = np.linalg.svd(X @ B)[2][0]
    W1 = np.c_[B @ u, [-1.0, -1.0], [-0.5, -1.0]]
    W2 = np.r_[u[None, :], [[1.0, -1.0], [-1.0, 1.0]]]
    return {**_arrays(hw.net, X, Y, hw.net.pack([W1, W2])), "t": np.array(0), "n": np.array(1)}


NEW_WITNESSES["kawaguchi2019.thm2.narrow-highway__one-linear-unit.npz"] = narrow_highway_witness
