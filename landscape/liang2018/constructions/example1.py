"""Example 1: the population quadratic loss, in exact rational arithmetic, by quadrature + BFGS, and on a
midpoint sample."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from landscape.core.validate import positive_int

# ------------------------------------------------------------------------------------------------------------
# Example 1: the population quadratic loss (exact rational arithmetic)
# ------------------------------------------------------------------------------------------------------------
EX1_POSITIVE = Fraction(5, 4)  # X | Y = +1 is this point; X | Y = -1 is uniform on [0, 1]; P(Y = 1) = 1/2


def ex1_loss_exact(a: Fraction, b: Fraction) -> Fraction:
    """``E[(1 - Y f(X))^2]`` for ``f = a x + b``, integrated by hand: the positive half gives
    ``(1 - 5a/4 - b)^2 / 2``; the negative half ``(1/2) int_0^1 (1 + a u + b)^2 du
    = ((1 + b)^2 + a (1 + b) + a^2 / 3) / 2``."""
    a, b = Fraction(a), Fraction(b)
    return Fraction(1, 2) * (1 - EX1_POSITIVE * a - b) ** 2 + Fraction(1, 2) * ((1 + b) ** 2 + a * (1 + b) + a * a / 3)


def ex1_minimizer_exact() -> tuple[Fraction, Fraction]:
    """Solve the normal equations of the strictly convex quadratic exactly (Cramer's rule on Fractions)."""
    # L = 1/2 (1 - q a - b)^2 + 1/2 ((1 + b)^2 + a (1 + b) + a^2/3), q = 5/4; gradient = H (a, b) - g
    q = EX1_POSITIVE
    H = [[q * q + Fraction(1, 3), q + Fraction(1, 2)], [q + Fraction(1, 2), Fraction(2)]]
    g = [q - Fraction(1, 2), Fraction(0)]  # d/da: -q(1 - qa - b) + (1 + b)/2 + a/3 ; d/db: -(1 - qa - b) + (1 + b)
    det = H[0][0] * H[1][1] - H[0][1] * H[1][0]
    if det <= 0:
        raise ArithmeticError("the population loss is not strictly convex")
    a = (g[0] * H[1][1] - H[0][1] * g[1]) / det
    b = (H[0][0] * g[1] - g[0] * H[1][0]) / det
    return a, b


def ex1_hessian_exact() -> list:
    q = EX1_POSITIVE
    return [[q * q + Fraction(1, 3), q + Fraction(1, 2)], [q + Fraction(1, 2), Fraction(2)]]


def ex1_error_exact(a: Fraction, b: Fraction) -> Fraction:
    """``P(Y != sgn(a X + b))`` exactly: the positive point is wrong iff ``a q + b < 0``; a negative ``u`` is
    wrong iff ``a u + b >= 0`` (ties go to +1), a set of measure computed from the root ``-b/a``."""
    a, b = Fraction(a), Fraction(b)
    pos_wrong = Fraction(1) if a * EX1_POSITIVE + b < 0 else Fraction(0)
    if a == 0:
        neg_wrong = Fraction(1) if b >= 0 else Fraction(0)
    else:
        root = -b / a
        if a > 0:  # wrong on [root, 1]
            neg_wrong = min(Fraction(1), max(Fraction(0), 1 - root))
        else:  # wrong on [0, root]
            neg_wrong = min(Fraction(1), max(Fraction(0), root))
    return Fraction(1, 2) * pos_wrong + Fraction(1, 2) * neg_wrong


def ex1_loss_by_quadrature(a: float, b: float) -> float:
    """The population loss by numerical integration (scipy quad) of the negative half: a second route."""
    from scipy.integrate import quad

    neg, _ = quad(lambda u: (1.0 + a * u + b) ** 2, 0.0, 1.0, epsabs=1e-13, epsrel=1e-13)
    return 0.5 * (1.0 - 1.25 * a - b) ** 2 + 0.5 * neg


def ex1_gradient_by_quadrature(a: float, b: float) -> np.ndarray:
    """Its gradient, the negative half's derivative integrated by quad as well."""
    from scipy.integrate import quad

    r = 1.0 - 1.25 * a - b
    da, _ = quad(lambda u: u * (1.0 + a * u + b), 0.0, 1.0, epsabs=1e-13, epsrel=1e-13)
    db, _ = quad(lambda u: 1.0 + a * u + b, 0.0, 1.0, epsabs=1e-13, epsrel=1e-13)
    return np.array([-1.25 * r + da, -r + db])


def ex1_minimize_by_quadrature():
    """scipy.optimize.minimize (BFGS) on :func:`ex1_loss_by_quadrature` from the origin."""
    from scipy.optimize import minimize

    return minimize(
        lambda v: ex1_loss_by_quadrature(v[0], v[1]),
        np.zeros(2),
        method="BFGS",
        jac=lambda v: ex1_gradient_by_quadrature(v[0], v[1]),
        options={"gtol": 1e-8},
    )


def ex1_midpoint_sample(N: int) -> tuple[np.ndarray, np.ndarray]:
    """A deterministic 'sample': N positives at 5/4 and N negatives at the midpoints ``(k + 1/2)/N`` of [0, 1]
    (so empirical averages are midpoint-rule integrals, exact for linear and off by ``1/(12 N^2)`` for
    quadratic integrands)."""
    N = positive_int("N", N)
    s = np.r_[np.full(N, 1.25), (np.arange(N) + 0.5) / N]
    return s, np.r_[np.ones(N), -np.ones(N)]
