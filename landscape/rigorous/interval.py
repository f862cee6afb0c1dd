"""Ball arithmetic (python-flint's ``arb``) for the witnesses whose data are floating-point numbers.

Every float64 number converts to an ``arb`` exactly (a binary float is a rational number), and every operation
on ``arb`` values returns a ball that contains the exact result, so a comparison that ``arb`` decides (``x > 0``
is True only when every point of the ball is positive) is a proof about the exact numbers.  Undecided
comparisons are False, never guessed.

Pieces used by the per-family replays:

* :func:`relu`, :func:`leaky_relu`, :func:`hinge_power` - piecewise functions on balls (the kink handled by an
  enclosure of both pieces);
* :func:`root_bracket` - a rigorous bracket of the zero of an increasing (convex loss) derivative;
* :func:`cholesky_pd` / :func:`lambda_min_lower_bound` - an interval Cholesky factorization of a symmetric
  interval matrix minus a shift: when it succeeds, EVERY symmetric matrix inside the enclosure minus the shift is
  positive definite, which bounds the smallest eigenvalue from below;
* :func:`strongly_convex_minimizer` - a ball that provably holds the minimizer of a convex function, from an
  enclosure of its gradient at a point and a lower bound of its Hessian on a surrounding box.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from flint import arb, ctx

# Working precision (bits) of every replay.  The witnesses' numbers are O(1..1e2) and the loss a polynomial of
# degree <= 9: 128 bits keep every enclosure below ~1e-30, far below any margin the replays need to decide.
PRECISION = 128


@contextlib.contextmanager
def precision(bits: int = PRECISION) -> Iterator[None]:
    """Run a block at ``bits`` of working precision and restore the previous setting (flint's is global)."""
    old = ctx.prec
    ctx.prec = int(bits)
    try:
        yield
    finally:
        ctx.prec = old


def ball(x) -> arb:
    """The exact value of a float64 (or int) as a zero-radius ball."""
    if isinstance(x, arb):
        return x
    return arb(float(x)) if not isinstance(x, (int, np.integer)) else arb(int(x))


def balls(a) -> Any:
    """A numpy array as nested lists of exact balls (same shape)."""
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 0:
        return ball(arr.item())
    return [balls(row) for row in arr] if arr.ndim > 1 else [ball(v) for v in arr]


def hull(lo: arb, hi: arb) -> arb:
    """A ball containing both ``lo`` and ``hi`` (and everything between)."""
    return lo.union(hi)


def upper(x: arb) -> float:
    """A float64 at least as large as every point of the ball (outward rounding of the ball's upper end)."""
    u = x.upper()
    f = float(u.mid())
    return f if arb(f) >= u else float(np.nextafter(f, np.inf))


def lower(x: arb) -> float:
    """A float64 at most as large as every point of the ball."""
    lo = x.lower()
    f = float(lo.mid())
    return f if arb(f) <= lo else float(np.nextafter(f, -np.inf))


def positive(x: arb) -> bool:
    return bool(x > 0)


def negative(x: arb) -> bool:
    return bool(x < 0)


def sign(x: arb) -> int:
    """+1 or -1 when the ball excludes 0, 0 when it is exactly 0; raises when undecided."""
    if x > 0:
        return 1
    if x < 0:
        return -1
    if x.is_exact() and x.is_zero():
        return 0
    raise ArithmeticError(f"the sign of {x} is not decided at {ctx.prec} bits")


# --------------------------------------------------------------------------------------------------------------
# piecewise functions on balls
# --------------------------------------------------------------------------------------------------------------
def relu(x: arb) -> arb:
    """``max(x, 0)``: exact piece when the ball is on one side of the kink, the hull of both pieces otherwise."""
    if x >= 0:
        return x
    if x <= 0:
        return arb(0)
    return hull(arb(0), x.upper())


def leaky_relu(x: arb, slope: float = 0.1) -> arb:
    if x >= 0:
        return x
    if x <= 0:
        return ball(slope) * x
    return hull(ball(slope) * x.lower(), x.upper())


def hinge_power(z: arb, p: int) -> arb:
    """The polynomial hinge ``max(z + 1, 0)^(p + 1)``."""
    return relu(z + 1) ** (int(p) + 1)


def hinge_power_prime(z: arb, p: int) -> arb:
    return (int(p) + 1) * relu(z + 1) ** int(p)


def hinge_power_second(z: arb, p: int) -> arb:
    return (int(p) + 1) * int(p) * relu(z + 1) ** (int(p) - 1)


def norm2(v: Sequence[arb]) -> arb:
    """Euclidean norm of a vector of balls."""
    s = arb(0)
    for x in v:
        s += x * x
    return s.sqrt()


def dot(u: Sequence[arb], v: Sequence[arb]) -> arb:
    s = arb(0)
    for a, b in zip(u, v):
        s += a * b
    return s


def matvec(A: Sequence[Sequence[arb]], v: Sequence[arb]) -> list:
    return [dot(row, v) for row in A]


# --------------------------------------------------------------------------------------------------------------
# one-dimensional roots of increasing functions
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bracket:
    """``lo < root < hi`` proved: ``fn(lo) < 0 < fn(hi)`` for an increasing ``fn`` (the derivative of a convex
    function), so the convex function's minimizer lies strictly between them."""

    lo: arb
    hi: arb
    f_lo: arb
    f_hi: arb

    @property
    def box(self) -> arb:
        return hull(self.lo, self.hi)

    @property
    def width(self) -> float:
        return upper(self.hi - self.lo)


def root_bracket(
    fn: Callable[[arb], arb], guess: arb, first_step: float = 1e-15, growth: float = 8.0, max_steps: int = 40
) -> Bracket | None:
    """Grow a symmetric bracket around ``guess`` until ``fn`` is provably negative at its left end and positive at
    its right end.  Returns None when no bracket is proved within ``max_steps`` growths."""
    step = float(first_step) * max(1.0, abs(float(guess.mid())))
    for _ in range(int(max_steps)):
        lo, hi = guess - ball(step), guess + ball(step)
        f_lo, f_hi = fn(lo), fn(hi)
        if f_lo < 0 and f_hi > 0:
            return Bracket(lo, hi, f_lo, f_hi)
        step *= growth
    return None


# --------------------------------------------------------------------------------------------------------------
# positive definiteness of interval matrices
# --------------------------------------------------------------------------------------------------------------
def cholesky_pd(H: Sequence[Sequence[arb]], shift: float | arb = 0.0) -> bool:
    """True when the interval Cholesky factorization of ``H - shift I`` runs to the end with every pivot provably
    positive.  Then every symmetric matrix whose entries lie in the balls of ``H``, minus ``shift I``, is positive
    definite (the interval factorization encloses the factorization of each member), so ``lambda_min > shift``.
    False means "not proved" (an indefinite member, or balls too wide)."""
    n = len(H)
    s = ball(shift) if not isinstance(shift, arb) else shift
    A = [[(H[i][j] if i != j else H[i][j] - s) for j in range(n)] for i in range(n)]
    L = [[arb(0)] * n for _ in range(n)]
    for j in range(n):
        d = A[j][j]
        for k in range(j):
            d -= L[j][k] * L[j][k]
        if not d > 0:
            return False
        L[j][j] = d.sqrt()
        for i in range(j + 1, n):
            v = A[i][j]
            for k in range(j):
                v -= L[i][k] * L[j][k]
            L[i][j] = v / L[j][j]
    return True


def symmetric_hull(H: Sequence[Sequence[arb]]) -> list:
    """The entrywise hull of H and H^T (a symmetric enclosure; autograd-style evaluations need not be symmetric)."""
    n = len(H)
    return [[hull(H[i][j], H[j][i]) if i != j else H[i][i] for j in range(n)] for i in range(n)]


def lambda_min_lower_bound(
    H: Sequence[Sequence[arb]], guess: float | None = None, fraction: float = 0.9, tries: int = 30
) -> float | None:
    """A float ``mu`` proved to be below the smallest eigenvalue of every symmetric member of ``H``.

    Starts from ``fraction`` times a floating-point estimate of the midpoint matrix's smallest eigenvalue and backs
    off (towards and below zero) until :func:`cholesky_pd` succeeds.  Returns None when not even a very negative
    shift is proved (balls too wide)."""
    n = len(H)
    if guess is None:
        mid = np.array([[float(H[i][j].mid()) for j in range(n)] for i in range(n)])
        guess = float(np.linalg.eigvalsh(0.5 * (mid + mid.T)).min())
    scale = max(1.0, max(abs(float(H[i][j].mid())) for i in range(n) for j in range(n)))
    mu = fraction * guess if guess > 0 else guess - 1e-12 * scale
    for _ in range(int(tries)):
        if cholesky_pd(H, mu):
            return mu
        mu = mu * 0.5 if mu > 1e-300 * scale else mu - (abs(mu) + 1e-12 * scale)
        if mu < -1e6 * scale:
            break
    return None


# --------------------------------------------------------------------------------------------------------------
# minimizers of convex functions
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MinimizerBall:
    """The minimizer ``v*`` of a convex h lies in the closed ball ``|v* - center| <= radius`` (proved), and h is
    ``mu``-strongly convex on the box ``center +- box_radius`` that contains that ball."""

    center: list
    radius: float
    mu: float
    grad_norm_upper: float
    box_radius: float


def box_around(center: Sequence[arb], radius: float) -> list:
    """The box ``center +- radius`` (each coordinate a ball)."""
    return [hull(c - ball(radius), c + ball(radius)) for c in center]


def strongly_convex_minimizer(
    gradient: Callable[[list], list], hessian: Callable[[list], list], center: Sequence[arb], box_radius: float
) -> MinimizerBall | None:
    """Prove where the minimizer of a convex function h lies.

    With ``g >= ||grad h(center)||`` (enclosure at the point) and ``mu > 0`` below ``lambda_min(hess h)`` on the
    box ``center +- box_radius`` (interval Hessian over the box, interval Cholesky), every v on the Euclidean sphere
    of radius ``R = 2 g / mu`` (if it fits inside the box) has ``h(v) >= h(c) - g R + mu R^2 / 2 = h(c)``, with
    strict inequality just outside; so the convex h attains its minimum over that closed ball, and a local
    minimum of a convex function is a global one.  Returns None when the premises are not proved."""
    g = norm2(gradient(list(center)))
    box = box_around(center, box_radius)
    mu = lambda_min_lower_bound(symmetric_hull(hessian(box)))
    if mu is None or mu <= 0:
        return None
    R = 2.0 * upper(g) / mu
    R = float(np.nextafter(R, np.inf))
    if not R < box_radius:
        return None
    return MinimizerBall(list(center), R, mu, upper(g), box_radius)


# --------------------------------------------------------------------------------------------------------------
# forward-mode derivatives on balls (gradient enclosures)
# --------------------------------------------------------------------------------------------------------------
class Dual:
    """A ball value with a vector of ball partial derivatives (forward mode).  Piecewise functions use the
    derivative of the piece the ball lies on, and the hull of both pieces' derivatives when it straddles a kink,
    so the result encloses every (one-sided) derivative of every point in the input balls."""

    __slots__ = ("v", "d")

    def __init__(self, v: arb, d: list):
        self.v, self.d = v, d

    @staticmethod
    def variables(values: Sequence[arb]) -> list:
        n = len(values)
        return [Dual(v, [arb(1) if i == j else arb(0) for j in range(n)]) for i, v in enumerate(values)]

    def _lift(self, o) -> Dual:
        return o if isinstance(o, Dual) else Dual(o if isinstance(o, arb) else ball(o), [arb(0)] * len(self.d))

    def __add__(self, o):
        o = self._lift(o)
        return Dual(self.v + o.v, [a + b for a, b in zip(self.d, o.d)])

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.v, [-a for a in self.d])

    def __sub__(self, o):
        return self + (-self._lift(o))

    def __rsub__(self, o):
        return self._lift(o) - self

    def __mul__(self, o):
        o = self._lift(o)
        return Dual(self.v * o.v, [a * o.v + self.v * b for a, b in zip(self.d, o.d)])

    __rmul__ = __mul__

    def __truediv__(self, o):
        if isinstance(o, Dual):
            raise TypeError("division by a Dual is not needed here")
        o = o if isinstance(o, arb) else ball(o)
        return Dual(self.v / o, [a / o for a in self.d])

    def __pow__(self, k: int):
        k = int(k)
        if k == 0:
            return self._lift(arb(1))
        return Dual(self.v**k, [k * self.v ** (k - 1) * a for a in self.d])

    def chain(self, value: arb, slope: arb) -> Dual:
        return Dual(value, [slope * a for a in self.d])


def d_relu(x):
    if not isinstance(x, Dual):
        return relu(x)
    slope = arb(1) if x.v > 0 else arb(0) if x.v < 0 else hull(arb(0), arb(1))
    return x.chain(relu(x.v), slope)


def d_leaky_relu(x, slope: float = 0.1):
    if not isinstance(x, Dual):
        return leaky_relu(x, slope)
    s = ball(slope)
    k = arb(1) if x.v > 0 else s if x.v < 0 else hull(s, arb(1))
    return x.chain(leaky_relu(x.v, slope), k)


def d_tanh(x):
    if not isinstance(x, Dual):
        return x.tanh()
    t = x.v.tanh()
    return x.chain(t, 1 - t * t)


def d_hinge_power(z, p: int):
    """The polynomial hinge on a Dual: value ``relu(z + 1)^(p + 1)``, derivative ``(p + 1) relu(z + 1)^p``
    (continuous at the kink, so no hull is needed)."""
    if not isinstance(z, Dual):
        return hinge_power(z, p)
    return z.chain(hinge_power(z.v, p), hinge_power_prime(z.v, p))
