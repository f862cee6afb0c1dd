"""Interval replays of the bad local minima of Liang, Sun, Li, Srikant (2018), Propositions 2-7.

None of these minima has a positive definite Hessian (dead units, flat output weights, rescalings), so a
positive lower bound on the smallest Hessian eigenvalue cannot prove them.  Each replay instead evaluates the
construction's own local argument in ball arithmetic, on the float64 numbers of the witness file taken exactly:

1. **Regime on a ball.**  Every hidden unit keeps its regime (dead: pre-activation < 0; linear piece: > 0) for
   every parameter within ``rho + delta`` of the stored point (Cauchy-Schwarz bound, enclosed).  There the loss
   equals a REDUCED CONVEX function of a few numbers: the constant model ``phi(B) = mean l_p(-y_i B)``
   (Props 2, 6), the linear model ``h(v) = mean l_p(-y_i F_i v)`` over an exact basis of the features
   ``[1, x]`` (Props 3, 7), or the cone model ``psi(a_0, A) = mean l_p(-y_i (a_0 + A x_i^2))`` on ``s A >= 0``
   (Prop 5).  Prop 4 needs no ball: on a symmetric sample ``loss >= phi(B(theta)) >= phi(B*)`` everywhere
   (pairing identity of an odd activation, then Jensen).
2. **The reduced minimizer, enclosed.**  ``phi'`` changes sign across a bracket of width ``delta`` around the
   stored constant (1-D); for ``h``, an interval Cholesky factorization proves ``hess h >= mu I`` on a box and the
   enclosed gradient at the stored point puts the minimizer within ``2 |grad| / mu`` of it
   (:func:`landscape.rigorous.interval.strongly_convex_minimizer`).  The exact local minimum ``theta*`` is the
   stored point moved by at most ``delta`` (the output bias, or one neuron's weights) so that it realizes that
   minimizer; every parameter within ``rho`` of ``theta*`` is in the ball of step 1, so ``theta*`` is a local
   minimum.  ``delta`` must stay below :data:`MAX_DISTANCE`: the file holds the minimum up to rounding.
3. **Exact error count.**  The outputs at ``theta*`` are enclosed over the whole bracket/ball; every enclosure
   excludes 0, so the signs, hence the number of misclassified samples, are exact; it is compared with the
   proposition's floor.
4. **Not a global minimum** (where the file holds an error-free point, and for Prop 5 a flipped point): that
   point's loss, enclosed, is below the enclosed loss at ``theta*``.

Lemmas used (standard facts, stated here so the replay can be read as a proof): L1 the polynomial hinge
``max(z + 1, 0)^(p + 1)`` is convex, so phi, h and psi are convex; L2 a convex function is minimized where its
(one-sided) derivatives allow no descent: a sign change of phi', a zero of grad h, and for psi on the cone the
KKT condition ``s dpsi/dA >= 0``; L3 (Prop 4) tanh is odd, so ``f(x) + f(-x) = 2 a_0`` for every parameter and
Jensen on each pair gives ``loss >= phi(a_0)``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp
from flint import arb

from landscape.rigorous import Replay
from landscape.rigorous import interval as iv

# The committed point must lie within this distance of the proved local minimum.  The constructions compute the
# point in float64 from closed forms (B*), or Newton's method stopped at gradient <= ~1e-10 on a linear model with
# Hessian eigenvalues >= ~1e-2 (so up to ~1e-8 away from its minimizer); 1e-7 leaves a factor 10 and still
# rejects a point moved visibly off the minimum.
MAX_DISTANCE = 1e-7

# Radius rho of the ball on which the local argument is proved, as a share of the largest radius the regime
# margin allows (the rest absorbs delta).
RHO_SHARE = 0.5

LEMMAS = (
    "L1 the polynomial hinge max(z+1,0)^(p+1) is convex: the reduced models are convex",
    "L2 convex minimality: sign change of phi' / zero of grad h / KKT s*dpsi/dA >= 0 on the cone s*A >= 0",
)
LEMMA_JENSEN = "L3 tanh is odd: f(x) + f(-x) = 2 a_0 for every parameter; Jensen on each pair: loss >= phi(a_0)"


def _dot(u, v):
    """Sum of products of balls and/or Duals (starts from the first product, so Duals stay Duals)."""
    terms = [a * b for a, b in zip(u, v)]
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


# --------------------------------------------------------------------------------------------------------------
# reading the witness
# --------------------------------------------------------------------------------------------------------------
class Witness:
    def __init__(self, arrays: dict):
        self.arrays = arrays
        self.claim = str(arrays["claim"])
        self.model = str(arrays["model"])
        self.X = np.asarray(arrays["X"], dtype=np.float64)
        self.y = np.asarray(arrays["y"], dtype=np.float64)
        self.theta = np.asarray(arrays["theta"], dtype=np.float64)
        self.p = int(arrays["p"])
        b = np.asarray(arrays["better"], dtype=np.float64)
        self.better = b if b.size else None
        self.act = str(arrays["act"]) if "act" in arrays else "relu"
        self.n, self.d = self.X.shape
        self.Xb = [iv.balls(row) for row in self.X]
        self.yb = [iv.ball(v) for v in self.y]

    @property
    def floor(self) -> int:
        """The proposition's error floor: min(n+, n-) for Props 2, 4, 5, 6; one error for Props 3, 7."""
        if self.claim in ("liang2018.prop3", "liang2018.prop7"):
            return 1
        return int(min(np.sum(self.y > 0), np.sum(self.y < 0)))

    # -- parameter layouts (the same flat layouts as landscape.liang2018) ------------------------------------
    def shallow(self, theta):
        M = int(self.arrays["M"])
        return theta[0], theta[1 : 1 + M], np.asarray(theta[1 + M :]).reshape(self.d, M)

    def feedforward(self, theta):
        widths = (self.d,) + tuple(int(h) for h in self.arrays["hidden"]) + (1,)
        out, k = [], 0
        for i in range(len(widths) - 1):
            W = np.asarray(theta[k : k + widths[i] * widths[i + 1]]).reshape(widths[i], widths[i + 1])
            k += widths[i] * widths[i + 1]
            out.append((W, np.asarray(theta[k : k + widths[i + 1]])))
            k += widths[i + 1]
        return out

    def shortcut(self, theta):
        d, k = self.d, int(self.arrays["k"])
        sizes = (d, 1, d * k, k, k * d, d)
        cuts = np.cumsum((0,) + sizes)
        a, b, U, c, V, e = (theta[cuts[i] : cuts[i + 1]] for i in range(6))
        b = b[0]
        U = np.asarray(U).reshape(d, k)
        V = np.asarray(V).reshape(k, d)
        return a, b, U, c, V, e

    # -- outputs in ball arithmetic -------------------------------------------------------------------------
    def activation(self, z):
        """The witness's activation on a ball or a :class:`~landscape.rigorous.interval.Dual`."""
        if self.act == "relu":
            return iv.d_relu(z)
        if self.act == "leaky_relu":
            return iv.d_leaky_relu(z, 0.1)
        if self.act == "tanh":
            return iv.d_tanh(z)
        if self.act == "square":
            return z * z
        raise ValueError(f"no ball evaluation for activation {self.act!r}")

    def outputs(self, theta) -> list:
        """Enclosures of the network's outputs on the data: ``theta`` is a float64 vector (taken exactly), or a
        list of balls or Duals (then the outputs carry their derivatives)."""
        if isinstance(theta, np.ndarray):
            th = [iv.ball(v) for v in np.asarray(theta, dtype=np.float64)]
        else:
            th = list(theta)
        out = []
        if self.model == "shallow":
            a0, a, W = self.shallow(th)
            W = np.asarray(W, dtype=object)
            c = [iv.ball(v) for v in self.arrays["offsets"]]
            for i, x in enumerate(self.Xb):
                f = a0 + c[i]
                for j in range(len(a)):
                    f = f + a[j] * self.activation(_dot(x, W[:, j]))
                out.append(f)
        elif self.model == "feedforward":
            layers = self.feedforward(th)
            for x in self.Xb:
                h = x
                for li, (W, b) in enumerate(layers):
                    W = np.asarray(W, dtype=object)
                    z = [_dot(h, W[:, j]) + b[j] for j in range(len(b))]
                    h = [self.activation(v) for v in z] if li < len(layers) - 1 else z
                out.append(h[0])
        elif self.model == "shortcut":
            a, b, U, c, V, e = self.shortcut(th)
            U, V = np.asarray(U, dtype=object), np.asarray(V, dtype=object)
            k = len(c)
            for x in self.Xb:
                hid = [iv.d_relu(_dot(x, U[:, j]) + c[j]) for j in range(k)]
                H = [_dot(hid, V[:, r]) + e[r] for r in range(self.d)]
                out.append(_dot(a, [x[r] + H[r] for r in range(self.d)]) + b)
        else:
            raise ValueError(f"unknown model {self.model!r}")
        return out

    def loss_gradient(self, theta_box: list) -> list:
        """Enclosure of the loss gradient over a box of parameters (forward mode on balls)."""
        f = self.outputs(iv.Dual.variables(theta_box))
        total = None
        for fi, yi in zip(f, self.yb):
            term = iv.d_hinge_power(-yi * fi, self.p)
            total = term if total is None else total + term
        assert total is not None  # at least one sample
        return [g / self.n for g in total.d]

    def loss_of_outputs(self, f: list) -> arb:
        s = arb(0)
        for fi, yi in zip(f, self.yb):
            s += iv.hinge_power(-yi * fi, self.p)
        return s / self.n

    def errors_of_outputs(self, f: list) -> int | None:
        """Exact number of misclassified samples (sgn(0) = +1), or None when some output's sign is undecided."""
        count = 0
        for fi, yi in zip(f, self.y):
            if fi > 0 or (fi.is_exact() and fi.is_zero()):
                s = 1.0
            elif fi < 0:
                s = -1.0
            else:
                return None
            count += int(s != yi)
        return count

    def lifts(self, bias: bool) -> arb:
        """``max_i ||x_i||`` (or ``||(x_i, 1)||`` with a bias), enclosed."""
        return max((iv.norm2(x + ([arb(1)] if bias else [])) for x in self.Xb), key=lambda b: iv.upper(b))


# --------------------------------------------------------------------------------------------------------------
# the constant model
# --------------------------------------------------------------------------------------------------------------
def phi(w: Witness, B: arb) -> arb:
    s = arb(0)
    for yi in w.yb:
        s += iv.hinge_power(-yi * B, w.p)
    return s / w.n


def phi_prime(w: Witness, B: arb) -> arb:
    s = arb(0)
    for yi in w.yb:
        s += -yi * iv.hinge_power_prime(-yi * B, w.p)
    return s / w.n


def _constant_minimum(out: Replay, w: Witness, B0: arb) -> iv.Bracket | None:
    br = iv.root_bracket(lambda B: phi_prime(w, B), B0)
    ok = br is not None and br.width <= MAX_DISTANCE
    out.check(
        "phi' changes sign across a bracket around the stored constant (B* enclosed)",
        ok,
        f"B* in {br.box}, width {br.width:.3g}" if br else "no bracket proved",
    )
    return br if ok else None


def _errors_and_better(out: Replay, w: Witness, f_star: list, value_star: arb) -> None:
    errs = w.errors_of_outputs(f_star)
    out.check("every output at the minimum has a decided sign", errs is not None)
    if errs is None:
        return
    out.check(f"exact error count >= the proposition's floor {w.floor}", errs >= w.floor, f"{errs}/{w.n} misclassified")
    if w.better is not None:
        fb = w.outputs(w.better)
        eb = w.errors_of_outputs(fb)
        vb = w.loss_of_outputs(fb)
        out.check("the stored competitor is error-free (exact count)", eb == 0, f"{eb} errors")
        out.check(
            "the competitor's loss is below the minimum's: not a global minimum",
            bool(vb < value_star),
            f"loss(competitor) in {vb} < loss(minimum) in {value_star}",
        )


def _gradient_step(out: Replay, w: Witness, dist: float) -> None:
    """Cross-check: the loss is differentiable at theta* (no unit at a kink) and theta* is a minimum, so the
    gradient there is 0; its enclosure over the box ``theta +- dist`` (which contains theta*) must contain 0."""
    box = [iv.hull(iv.ball(v) - iv.ball(dist), iv.ball(v) + iv.ball(dist)) for v in w.theta]
    g = w.loss_gradient(box)
    ok = all(gi.contains(0) for gi in g)
    out.check(
        "gradient enclosure over a box around theta* contains 0 (every component)",
        ok,
        f"{len(g)} components, max |grad| <= {max(iv.upper(abs(gi)) for gi in g):.3g}",
    )


def _radius(margin: arb, lift: arb) -> float:
    """rho: a share of the largest radius the regime margin allows (margin / lift)."""
    return RHO_SHARE * iv.lower(abs(margin) / lift)


def replay_dead_constant(out: Replay, w: Witness) -> None:
    """Props 2 and 6: dead units make the network one constant K on the data, K moved freely by the output bias."""
    if w.model == "shallow":
        a0, a, W = w.shallow(w.theta)
        c = np.asarray(w.arrays["offsets"], dtype=np.float64)
        out.check("the second network f_D is one constant on the data", bool(np.ptp(c) == 0.0), f"offsets {c}")
        Z = [iv.dot(x, [iv.ball(W[k, j]) for k in range(w.d)]) for x in w.Xb for j in range(W.shape[1])]
        lift = w.lifts(bias=False)
        K0 = iv.ball(a0) + iv.ball(c[0])
        shift = "a_0"
    elif w.model == "feedforward":
        layers = w.feedforward(w.theta)
        W1, b1 = layers[0]
        Z = [
            iv.dot(x, [iv.ball(W1[k, j]) for k in range(w.d)]) + iv.ball(b1[j])
            for x in w.Xb
            for j in range(W1.shape[1])
        ]
        lift = w.lifts(bias=True)
        f = w.outputs(w.theta)
        same = all(fi.mid() == f[0].mid() and fi.rad() == f[0].rad() for fi in f)  # the same computation
        out.check("with the first layer dead the output is one number on every sample", same)
        K0 = f[0]
        shift = "b_L"
    else:
        raise ValueError(f"{w.claim}: unexpected model {w.model}")
    zmax = max(Z, key=lambda b: iv.upper(b))
    out.check("every first-layer pre-activation is negative at the stored point", bool(zmax < 0), f"max {zmax}")
    if not zmax < 0:
        return
    br = _constant_minimum(out, w, K0)
    if br is None:
        return
    rho = _radius(zmax, lift)
    reach = zmax + (iv.ball(rho) + br.hi - br.lo) * lift
    out.check(
        f"units stay dead on the ball of radius rho + delta (rho = {rho:.3g}); there loss = phi(constant)",
        bool(reach < 0),
        f"largest pre-activation on the ball <= {iv.upper(reach):.4g}",
    )
    out.statement = (
        f"a local minimum theta* (the stored point with {shift} moved by < {br.width:.2g}) whose "
        f"ball of radius {rho:.3g} sees loss >= phi(B*) = loss(theta*)"
    )
    _gradient_step(out, w, br.width)
    value = phi(w, br.box)
    _errors_and_better(out, w, [br.box] * w.n, value)


def replay_jensen(out: Replay, w: Witness) -> None:
    """Prop 4: a global minimum on a symmetric sample (pairing identity + Jensen), W = 0 so f = a_0 on the data."""
    out.lemmas.append(LEMMA_JENSEN)
    a0, a, W = w.shallow(w.theta)
    out.check("activation is tanh (odd: sigma(z) + sigma(-z) = 0)", w.act == "tanh", w.act)
    out.check("no second network: offsets are 0", bool(np.all(np.asarray(w.arrays["offsets"]) == 0.0)))

    def key(x, yv):
        return tuple(float(v) + 0.0 for v in x), float(yv)  # + 0.0 merges -0.0 and 0.0

    pairs = sorted(key(x, yv) for x, yv in zip(w.X, w.y))
    mirrored = sorted(key(-x, yv) for x, yv in zip(w.X, w.y))
    out.check("the sample is symmetric: each class is closed under x -> -x (multisets, exact)", pairs == mirrored)
    out.check("input weights W = 0, so f = a_0 on every input", bool(np.all(W == 0.0)))
    br = _constant_minimum(out, w, iv.ball(a0))
    if br is None:
        return
    out.statement = (
        f"a GLOBAL minimum theta* (the stored point with a_0 moved by < {br.width:.2g}): "
        "loss >= phi(a_0) >= phi(B*) = loss(theta*) for every parameter"
    )
    _gradient_step(out, w, br.width)
    _errors_and_better(out, w, [br.box] * w.n, phi(w, br.box))


def replay_cone(out: Replay, w: Witness) -> None:
    """Prop 5 with sigma = z^2, d = 1: f = a_0 + A x^2 with A = sum a_j w_j^2 of the sign s of the output weights."""
    a0, a, W = w.shallow(w.theta)
    out.check("quadratic neurons sigma(z) = z^2 on scalar inputs", w.act == "square" and w.d == 1, f"{w.act}, d={w.d}")
    out.check("no second network: offsets are 0", bool(np.all(np.asarray(w.arrays["offsets"]) == 0.0)))
    s = float(np.sign(a[0]))
    out.check("output weights share one non-zero sign s", bool(s != 0 and np.all(np.sign(a) == s)), f"a={a}")
    br = _constant_minimum(out, w, iv.ball(a0))
    if br is None:
        return
    dist = iv.upper(br.hi - br.lo) + float(np.linalg.norm(W))
    out.check(
        "the stored point is within MAX_DISTANCE of theta* (a_0 = B*, W = 0)", dist <= MAX_DISTANCE, f"{dist:.3g}"
    )
    rho = RHO_SHARE * float(np.min(np.abs(a)))
    out.check(
        f"on the ball of radius rho + delta (rho = {rho:.3g}) every a_j keeps the sign s, so s A >= 0",
        rho + dist < float(np.min(np.abs(a))),
    )
    S = arb(0)
    B = br.box
    for x, yi in zip(w.Xb, w.yb):
        S += iv.hinge_power_prime(-yi * B, w.p) * yi * x[0] * x[0]
    # d psi / dA = -S / n at (B*, 0); on the cone s A >= 0 the linear term dpsi/dA * A = (s dpsi/dA)(s A) is >= 0
    # for every feasible A exactly when s dpsi/dA >= 0, i.e. s * S <= 0 (strictly here)
    out.check(
        "KKT on the cone: s * S < 0 with S = sum l'(-y_i B*) y_i x_i^2 (enclosed over the bracket)",
        bool(iv.ball(s) * S < 0),
        f"S in {S}, s = {s:+.0f}",
    )
    _gradient_step(out, w, dist)
    value = phi(w, B)
    out.statement = (
        f"a local minimum theta* (a_0 moved by < {br.width:.2g}) minimizing the convex psi over the cone "
        f"s A >= 0 that contains the ball of radius {rho:.3g}"
    )
    _errors_and_better(out, w, [B] * w.n, value)
    # not global: flip the output weights and give every neuron a small common input weight
    M = len(a)
    for k in range(60):
        delta = 0.5 ** (k + 1)
        flipped = np.concatenate([[a0], -a, np.full(M, delta)])
        v = w.loss_of_outputs(w.outputs(flipped))
        if v < value:
            out.check(
                "flipped output weights with small input weights give a lower loss: not a global minimum",
                True,
                f"loss {v} < {value} at input weights {delta:.3g}",
            )
            return
    out.check("flipped output weights with small input weights give a lower loss: not a global minimum", False)


# --------------------------------------------------------------------------------------------------------------
# the linear model (Props 3 and 7)
# --------------------------------------------------------------------------------------------------------------
def feature_basis(X: np.ndarray) -> tuple[list, sp.Matrix]:
    """An exact basis (column indices B) of the features ``F = [1, X]`` and the matrix C with ``F = F_B C``
    (rational arithmetic on the floats' exact values)."""
    n = X.shape[0]
    F = sp.Matrix([[sp.Integer(1)] + [sp.Rational(*Fraction(float(v)).as_integer_ratio()) for v in row] for row in X])
    _, pivots = F.rref()
    B = list(pivots)
    FB = F[:, B]
    C = (FB.T * FB).inv() * FB.T * F
    assert FB * C == F and n >= len(B)
    return B, C


class LinearModel:
    """``h(v) = mean l_p(-y_i (F_B v)_i)`` with gradient and Hessian, in ball arithmetic."""

    def __init__(self, w: Witness, B: list):
        self.w = w
        self.B = B
        self.rows = [[([arb(1)] + x)[j] for j in B] for x in w.Xb]

    def margins(self, v):
        return [-yi * iv.dot(r, v) for r, yi in zip(self.rows, self.w.yb)]

    def value(self, v) -> arb:
        return sum((iv.hinge_power(z, self.w.p) for z in self.margins(v)), arb(0)) / self.w.n

    def gradient(self, v) -> list:
        k = len(self.B)
        g = [arb(0)] * k
        for r, yi, z in zip(self.rows, self.w.yb, self.margins(v)):
            lp = iv.hinge_power_prime(z, self.w.p)
            for j in range(k):
                g[j] += -yi * lp * r[j]
        return [x / self.w.n for x in g]

    def hessian(self, v) -> list:
        k = len(self.B)
        H = [[arb(0)] * k for _ in range(k)]
        for r, z in zip(self.rows, self.margins(v)):
            l2 = iv.hinge_power_second(z, self.w.p)
            for i in range(k):
                for j in range(k):
                    H[i][j] += l2 * r[i] * r[j]
        return [[x / self.w.n for x in row] for row in H]


def replay_linear(out: Replay, w: Witness) -> None:
    """Props 3 (leaky ReLU in its linear piece) and 7 (identity shortcut with a dead residual)."""
    if w.model == "shallow":
        a0, a, W = w.shallow(w.theta)
        out.check(
            "leaky ReLU neurons, no second network",
            w.act == "leaky_relu" and bool(np.all(np.asarray(w.arrays["offsets"]) == 0.0)),
        )
        Wb = [[iv.ball(v) for v in row] for row in W]
        Z = [iv.dot(x, [Wb[k][j] for k in range(w.d)]) for x in w.Xb for j in range(W.shape[1])]
        regime = min(Z, key=lambda b: iv.lower(b))
        out.check(
            "every pre-activation is positive at the stored point (linear piece)", bool(regime > 0), f"min {regime}"
        )
        lift = w.lifts(bias=False)
        z0 = [iv.ball(a0)] + [sum((Wb[k][j] * iv.ball(a[j]) for j in range(len(a))), arb(0)) for k in range(w.d)]
        j_star = int(np.argmax(np.abs(a)))
        move = 1.0 / min(1.0, abs(float(a[j_star])))  # realize a change of u through neuron j_star's weights
    elif w.model == "shortcut":
        a, b, U, c, V, e = w.shortcut(w.theta)
        Z = [iv.dot(x, [iv.ball(U[r, j]) for r in range(w.d)]) + iv.ball(c[j]) for x in w.Xb for j in range(len(c))]
        regime = max(Z, key=lambda bb: iv.upper(bb))
        out.check("every residual unit is dead at the stored point", bool(regime < 0), f"max {regime}")
        lift = w.lifts(bias=True)
        z0 = [iv.dot([iv.ball(v) for v in a], [iv.ball(v) for v in e]) + iv.ball(b)] + [iv.ball(v) for v in a]
        move = 2.0 + iv.upper(iv.norm2([iv.ball(v) for v in e]))  # Delta a = Delta u, Delta b = Delta beta - Delta u.e
    else:
        raise ValueError(f"{w.claim}: unexpected model {w.model}")
    if not (regime > 0 if w.model == "shallow" else regime < 0):
        return
    B, C = feature_basis(w.X)
    v0 = [
        sum((iv.ball(0) + arb(int(C[i, j].p)) / arb(int(C[i, j].q)) * z0[j] for j in range(len(z0))), arb(0))
        for i in range(len(B))
    ]
    h = LinearModel(w, B)
    mb = None
    for box in (1e-9, 1e-7, 1e-5, 1e-3):
        mb = iv.strongly_convex_minimizer(h.gradient, h.hessian, v0, box)
        if mb is not None:
            break
    out.check(
        "interval Cholesky: hess h >= mu I > 0 on a box, and the minimizer of h is within 2|grad|/mu",
        mb is not None,
        f"mu >= {mb.mu:.4g}, |grad h| <= {mb.grad_norm_upper:.3g}, radius {mb.radius:.3g}" if mb else "not proved",
    )
    if mb is None:
        return
    dist = mb.radius * move
    out.check("the stored point is within MAX_DISTANCE of theta*", dist <= MAX_DISTANCE, f"{dist:.3g}")
    rho = _radius(regime, lift)
    reach = (
        regime - (iv.ball(rho) + iv.ball(dist)) * lift
        if w.model == "shallow"
        else regime + (iv.ball(rho) + iv.ball(dist)) * lift
    )
    ok = reach > 0 if w.model == "shallow" else reach < 0
    out.check(
        f"units keep their regime on the ball of radius rho + delta (rho = {rho:.3g}); there loss = h",
        bool(ok),
        f"extreme pre-activation on the ball {reach}",
    )
    _gradient_step(out, w, dist)
    ball_v = iv.box_around(v0, mb.radius)
    f_star = [iv.dot(r, ball_v) for r in h.rows]
    out.statement = (
        f"a local minimum theta* within {dist:.2g} of the stored point: loss = h(v) >= h(v*) = "
        f"loss(theta*) on its ball of radius {rho:.3g}"
    )
    _errors_and_better(out, w, f_star, h.value(ball_v))


def replay(name: str, arrays: dict) -> Replay:
    w = Witness(arrays)
    out = Replay(name, w.claim, "interval", lemmas=list(LEMMAS))
    with iv.precision():
        if w.claim in ("liang2018.prop2", "liang2018.prop6"):
            replay_dead_constant(out, w)
        elif w.claim == "liang2018.prop4":
            replay_jensen(out, w)
        elif w.claim == "liang2018.prop5":
            replay_cone(out, w)
        elif w.claim in ("liang2018.prop3", "liang2018.prop7"):
            replay_linear(out, w)
        else:
            out.missing = f"no interval replay for {w.claim}"
    return out


# --------------------------------------------------------------------------------------------------------------
# the quadratic loss (Example 1, Appendix B.8): exact replays
# --------------------------------------------------------------------------------------------------------------
def _exact(x) -> sp.Expr:
    from landscape.rigorous import exact as ex

    return ex.recognize(float(x)).value


def _sgn(v: sp.Expr) -> int:
    from landscape.rigorous import exact as ex

    return 1 if ex.sign_of(v) >= 0 else -1  # the paper's sign: ties go to the positive class


def replay_ex1(name: str, arrays: dict) -> Replay:
    """Example 1: ``P(Y = 1) = p``, ``X | Y = 1`` the point ``q``, ``X | Y = -1`` uniform on ``[lo, hi]``, linear model
    ``f = a x + b`` and the population quadratic loss ``L(a, b) = E (1 - Y f(X))^2`` (integrated exactly by SymPy).
    L is a quadratic with a constant positive definite Hessian, so a point with zero gradient is its unique global
    minimum; its misclassification probability is computed exactly (an interval of the uniform part)."""
    from landscape.rigorous import exact as ex

    out = Replay(
        name,
        "liang2018.ex1",
        "exact",
        lemmas=["a strictly convex quadratic has exactly one minimizer, the zero of its gradient"],
        statement="the unique global minimum of the population quadratic loss misclassifies with "
        "probability >= 1/16, while an error-free linear classifier exists",
    )
    p, q = _exact(arrays["p_pos"]), _exact(arrays["pos_point"])
    lo, hi = (_exact(v) for v in arrays["neg_interval"])
    a_s, b_s = _exact(arrays["a"]), _exact(arrays["b"])
    out.check(
        "the stored floats are roundings of exact rationals",
        all(
            ex.recognize(float(v)).kind == "rational"
            for v in [arrays["p_pos"], arrays["pos_point"], *arrays["neg_interval"], arrays["a"], arrays["b"]]
        ),
    )
    a, b, u = sp.symbols("a b u", real=True)
    L = p * (1 - q * a - b) ** 2 + (1 - p) * sp.integrate((1 + a * u + b) ** 2, (u, lo, hi)) / (hi - lo)
    H = sp.hessian(L, (a, b))
    out.check(
        "the loss is strictly convex: its (constant) Hessian is positive definite",
        ex.is_positive(H[0, 0]) and ex.is_positive(H.det()),
        f"H = {H.tolist()}",
    )
    grad = [sp.diff(L, v).subs({a: a_s, b: b_s}) for v in (a, b)]
    out.check(
        "the stored (a, b) has zero gradient: the unique global minimum",
        all(ex.is_zero(g) for g in grad),
        f"(a, b) = ({a_s}, {b_s})",
    )

    def error(av, bv):
        wrong_pos = 1 if _sgn(av * q + bv) < 0 else 0
        # negatives wrong where a u + b >= 0 on [lo, hi]: an interval ending at lo or hi
        if av == 0:
            wrong = (hi - lo) if _sgn(bv) > 0 else 0
        else:
            root = -bv / av
            if ex.sign_of(av) > 0:
                wrong = hi - sp.Max(lo, sp.Min(hi, root))
            else:
                wrong = sp.Min(hi, sp.Max(lo, root)) - lo
        return ex.simplify(p * wrong_pos + (1 - p) * wrong / (hi - lo))

    err = error(a_s, b_s)
    out.check(
        "misclassification probability of the global minimum >= 1/16 (exact)",
        ex.is_nonnegative(err - sp.Rational(1, 16)),
        f"error = {err}",
    )
    if "better" in arrays:
        e2 = error(*(_exact(v) for v in arrays["better"]))
        out.check("a linear classifier with zero error exists (exact)", ex.is_zero(e2), f"error = {e2}")
    return out


def replay_b8(name: str, arrays: dict) -> Replay:
    """Appendix B.8: on the witness sample the network's outputs range exactly over the column space of the
    feature matrix F (instance lemma in the file's description), so the global minima of the empirical quadratic
    loss ``mean (y_i - f_i)^2`` all share the fitted values ``F F^+ y``; their error is counted exactly, the
    sample's probability under the stated distribution is exact and positive, and an error-free output vector of
    the same class is exhibited."""
    from landscape.rigorous import exact as ex

    out = Replay(
        name,
        "liang2018.b8",
        "exact",
        lemmas=[
            f"model class on the sample = column space of F: {str(arrays['description'])}",
            "global minima of a least-squares loss share the fitted values (orthogonal projection)",
        ],
        statement="every global minimum of the empirical quadratic loss errs on more than 1/8 of a sample "
        "of positive probability",
    )
    F = ex.exact_array(arrays["F"]).matrix
    y = ex.exact_array(arrays["y"]).matrix
    n = F.shape[0]
    fit = (F * ex.pinv(F) * y).applyfunc(ex.simplify)
    stored = ex.exact_array(arrays["fitted"])
    out.check(
        "stored fitted values are the roundings of the exact least-squares fit",
        all(ex.recognize(float(v)).kind == "rational" for v in np.ravel(arrays["fitted"]))
        and ex.is_zero_matrix(stored.matrix - fit),
        f"fit = {list(fit)}",
    )
    errs = sum(1 for i in range(n) if _sgn(fit[i]) != int(y[i]))
    out.check(
        "every global minimum errs on more than 1/8 of the sample (exact count)",
        sp.Rational(errs, n) > sp.Rational(1, 8),
        f"{errs}/{n} misclassified",
    )
    # probability of drawing this sample (as a multiset) from the stated distribution
    table = {
        (float(v), float(lab)): _exact(pr)
        for v, lab, pr in zip(arrays["dist_values"], arrays["dist_labels"], arrays["dist_probs"])
    }
    out.check("the distribution's probabilities sum to 1", ex.is_zero(sum(table.values()) - 1))
    counts: dict = {}
    for v, lab in zip(arrays["values"], arrays["y"]):
        counts[(float(v), float(lab))] = counts.get((float(v), float(lab)), 0) + 1
    prob = sp.factorial(n)
    for key, c in counts.items():
        prob *= table.get(key, sp.Integer(0)) ** c / sp.factorial(c)
    out.check("the sample has positive probability (exact multinomial)", ex.is_positive(prob), f"P = {prob}")
    coef = ex.exact_array(arrays["better_coef"]).matrix
    good = F * coef
    out.check(
        "an error-free output vector lies in the same class (exact signs)",
        all(_sgn(good[i]) == int(y[i]) for i in range(n)),
        f"outputs {list(good)}",
    )
    return out


def ex1_witness() -> dict:
    """Example 1's distribution (p = 1/2, positive point 5/4, negatives uniform on [0, 1]), the exact global minimum
    a = 72/35, b = -9/5 of the population quadratic loss (error exactly 1/16), and the error-free line x - 9/8."""
    return {
        "claim": np.asarray("liang2018.ex1"),
        "p_pos": np.array(0.5),
        "pos_point": np.array(1.25),
        "neg_interval": np.array([0.0, 1.0]),
        "a": np.array(72 / 35),
        "b": np.array(-9 / 5),
        "better": np.array([1.0, -1.125]),
    }


def b8_witness(instance: str) -> dict:
    """Instance A: inputs (1, s), one linear neuron (class: affine functions of s), positive s = 5/4, negatives
    s = 0, 1, 1 (s | + = 5/4, s | - uniform on {0, 1}, P(+) = 1/2).  Instance B: positives s e_1 (s = 1, 3),
    negatives t e_2 (t = 1, 1, 3), quadratic neurons (class: a_0 + A_11 s^2 on positives, a_0 + A_22 t^2 on
    negatives), s and t uniform on {1, 2, 3}, P(+) = 1/2."""
    if instance == "A":
        s = np.array([1.25, 0.0, 1.0, 1.0])
        y = np.array([1.0, -1.0, -1.0, -1.0])
        F = np.c_[np.ones(4), s]
        dist = ([1.25, 0.0, 1.0], [1.0, -1.0, -1.0], [0.5, 0.25, 0.25])
        better = np.array([-1.125, 1.0])
        text = "one linear neuron + bias on inputs (1, s): f = a_0 + a_1 w.(1, s) ranges over all affine b + a s"
    else:
        s = np.array([1.0, 3.0, 1.0, 1.0, 3.0])
        y = np.array([1.0, 1.0, -1.0, -1.0, -1.0])
        F = np.c_[np.ones(5), np.where(y > 0, s**2, 0.0), np.where(y < 0, s**2, 0.0)]
        dist = ([1.0, 2.0, 3.0, 1.0, 2.0, 3.0], [1.0, 1.0, 1.0, -1.0, -1.0, -1.0], [1 / 6] * 6)
        better = np.array([0.0, 1.0, -1.0])
        text = (
            "M >= 2 quadratic neurons of both output signs on inputs s e_1 / t e_2: f = a_0 + A_11 s^2 "
            "(positives), a_0 + A_22 t^2 (negatives), every (a_0, A_11, A_22) reachable"
        )
    fitted = F @ np.linalg.lstsq(F, y, rcond=None)[0]
    exact_fit = sp.Matrix(F.tolist()).applyfunc(sp.nsimplify)
    exact_fit = exact_fit * exact_fit.pinv() * sp.Matrix(y.tolist()).applyfunc(sp.nsimplify)
    fitted = np.array([float(v) for v in exact_fit])  # the correctly rounded exact fit, not lstsq's
    return {
        "claim": np.asarray("liang2018.b8"),
        "values": s,
        "y": y,
        "F": F,
        "fitted": fitted,
        "dist_values": np.array(dist[0]),
        "dist_labels": np.array(dist[1]),
        "dist_probs": np.array(dist[2]),
        "better_coef": better,
        "description": np.asarray(text),
    }


NEW_WITNESSES = {
    "liang2018.ex1__population.npz": ex1_witness,
    "liang2018.b8__instance-A.npz": lambda: b8_witness("A"),
    "liang2018.b8__instance-B.npz": lambda: b8_witness("B"),
}

REPLAYS = {
    **{f"liang2018.prop{k}": replay for k in range(2, 8)},
    "liang2018.ex1": replay_ex1,
    "liang2018.b8": replay_b8,
}
