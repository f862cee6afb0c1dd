"""Exact replays of the Wang, Ergen, Pilanci (2023) errata witnesses.

``wang2023.thm3.equal-implies-no-gap`` (deep linear, L = 3).  ``P_lin(t) = min sum_j ||w_{3,j}||`` over
``X W_1 W_2 W_3 = Y``, ``||W_1||_F <= t``, columns of W_2 of norm <= 1; ``D_lin(t) = max tr(Lam^T Y)`` over
``||X^T Lam||_2 <= t^-(L-2)``.  The replay proves ``P_lin(t) > D_lin(t)`` although the singular values of X^+Y are
all equal:

* upper bound on D (weak duality, lemma D1): any Z with ``X Z = Y`` gives ``D_lin(t) <= t^-(L-2) ||Z||_*``;
* lower bound on P (lemma P1, for L = 3, X of full column rank and ``X^+Y = s Q`` with ``Q Q^T = I_d``):
  ``sum_j ||w_{3,j}|| >= ||W_2 W_3||_*`` (unit columns of W_2) ``>= s sum_i 1/sigma_i(W_1)`` (take
  ``Lam = U S^-1 U^T`` from the SVD of W_1 in ``tr(Lam^T W_1 M Q^T) <= ||W_1^T Lam||_2 ||M Q^T||_*``)
  ``>= s d^(3/2) / t`` (power means, ``sum sigma_i^2 <= t^2``);
* the stored factors are feasible and cost exactly that lower bound (so it is P_lin(t)), the stored Lam is dual
  feasible with the value of the upper bound (so that is D_lin(t)), and the lower bound on P exceeds the upper
  bound on D, exactly.

``wang2023.thm5.mixed-signs`` (three-layer ReLU, rank-one data ``X = c a^T``, K = 1, ``y = g_1 c_+ + g_2 c_-`` with
``g_1 g_2 < 0``).  Lemma D2: the two branches ``W_1 = +-t a e_1^T/||a||, w_2 = e_1`` (checked exactly here) output
``t||a|| c_+-`` so every dual-feasible lam has ``|lam^T c_+-| <= 1/(t||a||)`` and ``D(t) <= (|g_1| + |g_2|)/(t||a||)``.
Lemma P2 (``landscape.wang2023.relu.standard_lower_bound_certificate``): with ``h = W_1^T a``, ``x = ||h_+||``,
``y = ||h_-||``, each second-layer unit outputs ``alpha c_+ + beta c_-`` with ``0 <= alpha <= x``, ``0 <= beta <= y``,
so the dual point ``(1/x, -1/y)`` bounds the cost below by ``|g_1|/x + |g_2|/y``, and Hoelder over
``x^2 + y^2 <= (t||a||)^2`` gives ``P(t) >= (|g_1|^(2/3) + |g_2|^(2/3))^(3/2) / (t||a||)``.  The stored net is feasible,
interpolates exactly and costs exactly that value; it exceeds the upper bound on D.
"""
from __future__ import annotations

import sympy as sp

from landscape.rigorous import Replay
from landscape.rigorous import exact as ex

LEMMAS_LINEAR = (
    "D1 weak duality: tr(Lam^T Y) = tr((X^T Lam)^T Z) <= ||X^T Lam||_2 ||Z||_* for X Z = Y",
    "P1 (L = 3, X full column rank, X^+Y = s Q, Q Q^T = I_d): P_lin(t) >= s d^(3/2) / t "
    "(nuclear-norm duality with Lam = U S^-1 U^T, then the power-mean inequality)",
)
LEMMAS_RELU = (
    "D2 relaxation: the branches W_1 = +-t a e1^T/||a||, w_2 = e1 output t||a|| c_+-, so every dual-feasible lam has "
    "|lam^T c_+-| <= 1/(t||a||) and D(t) <= (|g1| + |g2|)/(t||a||)",
    "P2 per first layer the dual point (1/x, -1/y) bounds the cost by |g1|/x + |g2|/y; Hoelder over "
    "x^2 + y^2 <= (t||a||)^2 gives P(t) >= (|g1|^(2/3) + |g2|^(2/3))^(3/2)/(t||a||)",
)


def _read(arrays: dict, keys) -> tuple[dict, float, list]:
    read = {k: ex.exact_array(arrays[k]) for k in keys}
    worst = max(a.worst_ulps for a in read.values())
    kinds = sorted(set().union(*(a.kinds for a in read.values())))
    return {k: a.matrix for k, a in read.items()}, worst, kinds


def row_norm_sum(W: sp.Matrix) -> sp.Expr:
    return ex.simplify(sum((sp.sqrt(ex.frobenius_sq(W[i, :])) for i in range(W.shape[0])), sp.Integer(0)))


def replay_linear_gap(name: str, arrays: dict) -> Replay:
    L = int(arrays["L"])
    claim = "wang2023.thm3.equal-implies-no-gap"
    out = Replay(name, claim, "exact", lemmas=list(LEMMAS_LINEAR),
                 statement="equal singular values of X^+Y, yet P_lin(t) > D_lin(t)")
    keys = ["X", "Y", "t", "Lam", "Z"] + [f"W_{i}" for i in range(1, L + 1)]
    m, worst, kinds = _read(arrays, keys)
    out.check("file entries are the float64 roundings of exact numbers", worst <= ex.MAX_ULPS,
              f"kinds {kinds}, worst distance {worst:.2f} ulp")
    X, Y, Lam, Z, t = m["X"], m["Y"], m["Lam"], m["Z"], m["t"][0, 0]
    Ws = [m[f"W_{i}"] for i in range(1, L + 1)]
    d = X.shape[1]
    dual_bound = ex.simplify(t ** (-(L - 2)))
    out.check("t > 0 and L >= 3", ex.is_positive(t) and L >= 3, f"t={t}, L={L}")
    out.check("X has full column rank", not ex.is_zero((X.T * X).det()))
    Xp = ex.pinv(X)
    G = (Xp * Y).applyfunc(ex.simplify)
    out.check("Y in range(X): X X^+ Y = Y", ex.is_zero_matrix(X * G - Y))
    s2 = ex.simplify((G * G.T)[0, 0])
    equal = ex.is_positive(s2) and ex.is_zero_matrix(G * G.T - s2 * sp.eye(d))
    s = ex.simplify(sp.sqrt(s2))
    sv = ex.singular_values(G)
    out.check("all d singular values of X^+Y are equal and non-zero (X^+Y = s Q, Q Q^T = I)", equal,
              f"sigma(X^+Y)={sv}")
    if L != 3:   # lemma P1 is proved for three layers only
        out.missing = f"a rigorous lower bound on P_lin(t) for L = {L} (lemma P1 covers L = 3)"
        return out
    P_lower = ex.simplify(s * sp.Integer(d) ** sp.Rational(3, 2) / t)

    # the stored factors: a feasible point of P_lin(t)
    prod = X
    for W in Ws:
        prod = prod * W
    out.check("stored factors interpolate: X W_1 ... W_L = Y", ex.is_zero_matrix(prod - Y))
    out.check("||W_l||_F <= t for l <= L - 2", all(ex.is_nonnegative(t ** 2 - ex.frobenius_sq(W)) for W in Ws[:-2]))
    W2 = Ws[-2]
    out.check("columns of W_{L-1} have norm <= 1",
              all(ex.is_nonnegative(1 - ex.frobenius_sq(W2[:, j])) for j in range(W2.shape[1])))
    P_upper = row_norm_sum(Ws[-1])
    out.check("the stored factors cost exactly the lower bound (P_lin(t) is known exactly)",
              ex.is_zero(P_upper - P_lower), f"cost={P_upper}, lower bound={P_lower}")

    # the dual side
    out.check("bi-dual point: X Z = Y", ex.is_zero_matrix(X * Z - Y))
    D_upper = ex.simplify(dual_bound * ex.nuclear_norm(Z))
    out.check("dual point: ||X^T Lam||_2 <= t^-(L-2)", ex.spectral_norm_at_most(X.T * Lam, dual_bound))
    D_lower = ex.simplify((Lam.T * Y).trace())
    out.check("dual value tr(Lam^T Y) equals the bi-dual bound (D_lin(t) is known exactly)",
              ex.is_zero(D_upper - D_lower), f"D in [{D_lower}, {D_upper}]")
    out.check("strict gap: lower bound on P_lin(t) > upper bound on D_lin(t)", ex.is_positive(P_lower - D_upper),
              f"P_lin(t) >= {P_lower} > {D_upper} >= D_lin(t)")
    return out


def _relu(M: sp.Matrix) -> sp.Matrix:
    return M.applyfunc(lambda v: ex.relu(ex.simplify(v)))


def replay_mixed_signs(name: str, arrays: dict) -> Replay:
    out = Replay(name, "wang2023.thm5.mixed-signs", "exact", lemmas=list(LEMMAS_RELU),
                 statement="rank-one data with labels of mixed sign: the standard three-layer net's P(t) > D(t)")
    m, worst, kinds = _read(arrays, ["c", "a", "Y", "t", "W1", "W2", "w3"])
    out.check("file entries are the float64 roundings of exact numbers", worst <= ex.MAX_ULPS,
              f"kinds {kinds}, worst distance {worst:.2f} ulp")
    c, a, Y, t = m["c"], m["a"], m["Y"], m["t"][0, 0]
    W1, W2, w3 = m["W1"], m["W2"], m["w3"]
    out.check("scalar output (K = 1) and t > 0", Y.shape[1] == 1 and ex.is_positive(t))
    X = c * a.T
    cp_ = c.applyfunc(ex.relu)
    cm = (-c).applyfunc(ex.relu)
    g1 = ex.simplify((cp_.T * Y)[0, 0] / ex.frobenius_sq(cp_))
    g2 = ex.simplify((cm.T * Y)[0, 0] / ex.frobenius_sq(cm))
    out.check("y = g1 c_+ + g2 c_- (feasible labels)", ex.is_zero_matrix(g1 * cp_ + g2 * cm - Y), f"g1={g1}, g2={g2}")
    out.check("labels of mixed sign: g1 g2 < 0", ex.sign_of(g1 * g2) < 0)
    na = ex.simplify(sp.sqrt(ex.frobenius_sq(a)))
    T = ex.simplify(t * na)

    # the stored standard net: feasible, interpolating, its cost an upper bound on P(t)
    out.check("||W_1||_F <= t", ex.is_nonnegative(t ** 2 - ex.frobenius_sq(W1)), f"||W1||_F^2={ex.frobenius_sq(W1)}")
    out.check("columns of W_2 have norm <= 1",
              all(ex.is_nonnegative(1 - ex.frobenius_sq(W2[:, j])) for j in range(W2.shape[1])))
    net = _relu(_relu(X * W1) * W2) * w3
    out.check("the net interpolates exactly: ((X W1)_+ W2)_+ w3 = y", ex.is_zero_matrix(net - Y))
    cost = ex.simplify(sum((abs(v) for v in w3), sp.Integer(0)))
    P_lower = ex.simplify((abs(g1) ** sp.Rational(2, 3) + abs(g2) ** sp.Rational(2, 3)) ** sp.Rational(3, 2) / T)
    out.check("the net costs exactly the lower bound of lemma P2 (P(t) is known exactly)", ex.is_zero(cost - P_lower),
              f"cost={cost}, lower bound={P_lower}")

    # the dual side: the two vertex branches of lemma D2, evaluated exactly
    d = a.shape[0]
    e1 = sp.zeros(2, 1)
    e1[0] = 1
    ok = True
    for sgn, v in ((1, cp_), (-1, cm)):
        Wb = (sgn * t * a * e1.T / na).applyfunc(ex.simplify)
        ok &= ex.is_nonnegative(t ** 2 - ex.frobenius_sq(Wb)) and Wb.shape == (d, 2)
        ok &= ex.is_zero_matrix(_relu(_relu(X * Wb) * e1) - T * v)
    out.check("vertex branches (||W_1||_F = t, ||w_2|| = 1) output t||a|| c_+ and t||a|| c_-", bool(ok))
    D_upper = ex.simplify((abs(g1) + abs(g2)) / T)
    out.check("strict gap: lower bound on P(t) > upper bound on D(t)", ex.is_positive(P_lower - D_upper),
              f"P(t) >= {P_lower} > {D_upper} >= D(t)")
    return out


REPLAYS = {"wang2023.thm3.equal-implies-no-gap": replay_linear_gap, "wang2023.thm5.mixed-signs": replay_mixed_signs}
