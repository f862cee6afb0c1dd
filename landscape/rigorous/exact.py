"""Exact arithmetic for witnesses whose numbers are rational or algebraic (SymPy expressions, signs decided
rigorously).

A committed witness stores float64 arrays.  Where the numbers of the construction are exact (small rationals,
square roots of rationals such as ``sqrt(2)``), :func:`recognize` recovers the exact number each float stands for
and proves that the stored float is within a few units in the last place of it; the replay then checks the claim
on the exact witness, with no tolerance anywhere.  A float that is not recognized is taken at its own exact
binary value (a rational number), so nothing is ever rounded silently.

Signs of algebraic expressions are decided by :func:`sign_of`: a ball-arithmetic (``arb``) evaluation that
excludes zero proves the sign; a ball that contains zero is settled by SymPy's exact zero test, and otherwise the
sign counts as undecided (an error, never a guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from flint import arb

from landscape.rigorous.interval import precision

# Denominators up to this bound are tried when reading a float as a rational number or as the square root of one.
MAX_DENOMINATOR = 10**6
# A recognized exact number must round to the stored float within this many units in the last place (numpy's
# sqrt and divisions are correctly rounded; a few products of them may add one ulp each).
MAX_ULPS = 4


@dataclass(frozen=True)
class Recognized:
    value: sp.Expr  # the exact number
    stored: float  # the float64 in the witness file
    ulps: float  # |value - stored| in units of the last place of ``stored`` (an upper bound)
    kind: str  # "rational", "sqrt" or "as stored"


def _ulp(x: float) -> float:
    return float(np.spacing(abs(x))) if x != 0 else float(np.finfo(np.float64).tiny)


def to_arb(expr) -> arb:
    """A ball containing the exact value of a SymPy number built from rationals, +, *, and rational powers."""
    expr = sp.sympify(expr)
    if expr.is_Integer:
        return arb(int(expr))
    if expr.is_Rational:
        return arb(int(expr.p)) / arb(int(expr.q))
    if expr.is_Add:
        out = arb(0)
        for a in expr.args:
            out += to_arb(a)
        return out
    if expr.is_Mul:
        out = arb(1)
        for a in expr.args:
            out *= to_arb(a)
        return out
    if expr.is_Pow:
        base, e = expr.args
        b = to_arb(base)
        if e.is_Integer:
            return b ** int(e)
        if e.is_Rational:
            r = b.root(int(e.q)) if int(e.q) > 1 else b
            return r ** int(e.p) if int(e.p) >= 0 else 1 / r ** (-int(e.p))
    if expr == sp.pi:
        return arb.pi()
    raise TypeError(f"cannot enclose {expr!r} (only rationals, +, *, rational powers)")


def sign_of(expr) -> int:
    """The sign (-1, 0, +1) of an exact algebraic number, decided rigorously (raises when undecided)."""
    if not isinstance(expr, sp.Basic):  # a Python number: its exact value (never a decimal approximation)
        f = Fraction(expr)
        expr = sp.Rational(f.numerator, f.denominator)
    if expr.is_Rational:
        return int(sp.sign(expr))
    with precision(256):
        b = to_arb(expr)
        if b > 0:
            return 1
        if b < 0:
            return -1
    if sp.simplify(expr) == 0 or expr.equals(0):
        return 0
    raise ArithmeticError(f"the sign of {expr} is not decided")


def is_positive(expr) -> bool:
    return sign_of(expr) > 0


def is_nonnegative(expr) -> bool:
    return sign_of(expr) >= 0


def is_zero(expr) -> bool:
    return sign_of(expr) == 0


def recognize(x: float) -> Recognized:
    """The exact number a stored float stands for: a rational with a small denominator, or +-sqrt of one."""
    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"a witness entry is not finite: {x}")
    r = Fraction(x).limit_denominator(MAX_DENOMINATOR)
    if float(r) == x:
        value = sp.Rational(r.numerator, r.denominator)
        return Recognized(value, x, _ulps(value, x), "rational")
    q2 = Fraction(x * x).limit_denominator(MAX_DENOMINATOR)
    if q2 > 0:
        value = sp.sqrt(sp.Rational(q2.numerator, q2.denominator)) * (1 if x > 0 else -1)
        u = _ulps(value, x)
        if u <= MAX_ULPS:
            return Recognized(value, x, u, "sqrt")
    f = Fraction(x)
    return Recognized(sp.Rational(f.numerator, f.denominator), x, 0.0, "as stored")


def _ulps(value: sp.Expr, x: float) -> float:
    with precision(256):
        d = abs(to_arb(value) - arb(x))
        return float((d / arb(_ulp(x))).upper().mid()) * (1 + 1e-12)


@dataclass
class ExactArray:
    """An exact matrix (SymPy) read from a float64 array, with the worst recognition distance and the kinds used."""

    matrix: sp.Matrix
    worst_ulps: float
    kinds: frozenset

    @property
    def shape(self):
        return self.matrix.shape


def exact_array(a) -> ExactArray:
    """Recognize every entry of a 0-, 1- or 2-d float array; vectors become column matrices."""
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim != 2:
        raise ValueError(f"expected at most 2 dimensions, got shape {arr.shape}")
    recs = [[recognize(v) for v in row] for row in arr]
    M = sp.Matrix([[r.value for r in row] for row in recs])
    worst = max((r.ulps for row in recs for r in row), default=0.0)
    kinds = frozenset(r.kind for row in recs for r in row)
    return ExactArray(M, worst, kinds)


def scalar(a) -> sp.Expr:
    return exact_array(a).matrix[0, 0]


# --------------------------------------------------------------------------------------------------------------
# exact linear algebra on small matrices
# --------------------------------------------------------------------------------------------------------------
def simplify(x) -> sp.Expr:
    return sp.radsimp(sp.expand(x))


def is_psd(M: sp.Matrix) -> bool:
    """Exact test of positive semidefiniteness of a symmetric matrix: symmetric Gaussian elimination, where a
    negative pivot (or a zero pivot with a non-zero row) proves the matrix is not PSD."""
    M = sp.Matrix(M).applyfunc(simplify)
    if M.shape[0] != M.shape[1] or not all(is_zero(M[i, j] - M[j, i]) for i in range(M.shape[0]) for j in range(i)):
        raise ValueError("is_psd needs a symmetric matrix")
    n = M.shape[0]
    A = M.copy()
    for k in range(n):
        s = sign_of(A[k, k])
        if s < 0:
            return False
        if s == 0:
            if any(not is_zero(A[k, j]) for j in range(k + 1, n)):
                return False
            continue
        for i in range(k + 1, n):
            f = A[i, k] / A[k, k]
            for j in range(k + 1, n):
                A[i, j] = simplify(A[i, j] - f * A[k, j])
            A[i, k] = sp.Integer(0)
    return True


def eigenvalues_symmetric(M: sp.Matrix) -> list:
    """Exact eigenvalues (with multiplicity) of a small symmetric matrix, in decreasing order."""
    vals = []
    for v, m in sp.Matrix(M).eigenvals(multiple=False).items():
        vals += [simplify(v)] * int(m)
    # order by rigorous comparisons (a simple insertion sort: the matrices here are 1 x 1 to 3 x 3)
    out: list = []
    for v in vals:
        i = 0
        while i < len(out) and sign_of(out[i] - v) >= 0:
            i += 1
        out.insert(i, v)
    return out


def singular_values(A: sp.Matrix) -> list:
    """Exact singular values of a small matrix, decreasing (min(m, n) of them)."""
    A = sp.Matrix(A)
    G = A.T * A if A.shape[1] <= A.shape[0] else A * A.T
    return [simplify(sp.sqrt(v)) if sign_of(v) > 0 else sp.Integer(0) for v in eigenvalues_symmetric(G)]


def nuclear_norm(A: sp.Matrix) -> sp.Expr:
    return simplify(sum(singular_values(A), sp.Integer(0)))


def spectral_norm_at_most(A: sp.Matrix, bound) -> bool:
    """``||A||_2 <= bound`` exactly: ``bound >= 0`` and ``bound^2 I - A^T A`` is PSD."""
    A = sp.Matrix(A)
    if sign_of(bound) < 0:
        return False
    return is_psd(sp.eye(A.shape[1]) * sp.sympify(bound) ** 2 - A.T * A)


def frobenius_sq(A: sp.Matrix) -> sp.Expr:
    return simplify(sum((x**2 for x in sp.Matrix(A)), sp.Integer(0)))


def is_zero_matrix(A: sp.Matrix) -> bool:
    return all(is_zero(x) for x in sp.Matrix(A))


def pinv(A: sp.Matrix) -> sp.Matrix:
    """Exact Moore-Penrose pseudo-inverse."""
    return sp.Matrix(A).pinv().applyfunc(simplify)


def relu(x) -> sp.Expr:
    return x if sign_of(x) > 0 else sp.Integer(0)
