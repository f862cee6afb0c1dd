"""Exact replays of the Wang, Ergen, Pilanci (2023) witnesses: the two errata and the deep-linear counterexamples.

Deep linear nets (``wang2023.thm3.*``, ``wang2023.prop9.all-values-reading``).  ``P_lin(t) = min sum_j ||w_{L,j}||``
over ``X W_1 ... W_L = Y``, ``||W_l||_F <= t`` (l <= L-2), columns of W_{L-1} of norm <= 1;
``D_lin(t) = max tr(Lam^T Y)`` over ``||X^T Lam||_2 <= t^-(L-2)``.  Bounds used, each evaluated exactly:

* D1 (weak duality): any Z with ``X Z = Y`` gives ``D_lin(t) <= t^-(L-2) ||Z||_*``; any feasible Lam gives
  ``D_lin(t) >= tr(Lam^T Y)``; and ``P_lin(t) >= D_lin(t)`` always.
* P1 (Schatten-Hoelder): with ``P = X^+X`` the projector onto Row(X) and ``M = W_{L-1} W_L``,
  ``X^+Y = (P W_1) W_2 ... W_{L-2} M``; Horn's multiplicative inequality gives Hoelder's inequality for Schatten
  quasi-norms, ``||A_1 ... A_k||_{S_r} <= prod ||A_j||_{S_pj}`` with ``1/r = sum 1/p_j``; with L-2 Frobenius
  factors (``||P W_1||_F <= ||W_1||_F <= t``) and ``||M||_* <= sum_j ||w_{L-1,j}|| ||w_{L,j}|| <= sum_j ||w_{L,j}||``
  this is ``P_lin(t) >= ||X^+Y||_{S_{2/L}} / t^(L-2)``, for every X.
* any stored factors that are feasible bound P_lin(t) from above by their cost.
* P2 (minimax inequality, Prop 9's stairs): every partial dual lies between D_lin(t) and P_lin(t) (each swaps a
  min and a max: max-min <= min-max), so ``P_lin(t) = D_lin(t)`` makes the whole staircase flat.

The gap witnesses prove ``P1-bound > D1-bound``; the equal-values erratum adds that the singular values of X^+Y are
all equal; the all-values-reading counterexamples prove ``cost of the stored factors <= tr(Lam^T Y)`` (no gap)
although the min(d, K) singular values (zeros counted) are not all identical.

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

LEMMA_D1 = (
    "D1 weak duality: tr(Lam^T Y) = tr((X^T Lam)^T Z) <= ||X^T Lam||_2 ||Z||_* for X Z = Y, and P_lin(t) >= D_lin(t)"
)
LEMMA_P1 = (
    "P1 Schatten-Hoelder (Horn's multiplicative inequality): X^+Y = (X^+X W_1) W_2 ... W_{L-2} (W_{L-1} W_L) "
    "gives ||X^+Y||_{S_{2/L}} <= t^(L-2) sum_j ||w_{L,j}||, so P_lin(t) >= ||X^+Y||_{S_{2/L}} / t^(L-2)"
)
LEMMA_P2 = "P2 minimax inequality: D_lin(t) <= every partial dual (stair) <= P_lin(t)"
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


def schatten_quasi(sv: list, r: sp.Rational) -> sp.Expr:
    """``||A||_{S_r} = (sum sigma_i^r)^(1/r)`` from exact singular values."""
    return ex.simplify(sum((v**r for v in sv), sp.Integer(0)) ** (1 / r))


def _linear_feasible_factors(out: Replay, X, Y, Ws, t) -> sp.Expr:
    """Check the stored factors against P_lin(t)'s constraints; return their cost (an upper bound on P_lin(t))."""
    prod = X
    for W in Ws:
        prod = prod * W
    out.check("stored factors interpolate: X W_1 ... W_L = Y", ex.is_zero_matrix(prod - Y))
    out.check("||W_l||_F <= t for l <= L - 2", all(ex.is_nonnegative(t**2 - ex.frobenius_sq(W)) for W in Ws[:-2]))
    W2 = Ws[-2]
    out.check(
        "columns of W_{L-1} have norm <= 1",
        all(ex.is_nonnegative(1 - ex.frobenius_sq(W2[:, j])) for j in range(W2.shape[1])),
    )
    return row_norm_sum(Ws[-1])


def replay_linear(name: str, arrays: dict, claim: str) -> Replay:
    """Deep linear witnesses: a certified gap (``gap``) or a certified absence of gap (``flat``), see the module."""
    L = int(arrays["L"])
    flat = claim in ("wang2023.thm3.all-values-reading", "wang2023.prop9.all-values-reading")
    lemmas = [LEMMA_D1] + ([LEMMA_P2] if claim.startswith("wang2023.prop9") else []) + ([] if flat else [LEMMA_P1])
    what = {
        "wang2023.thm3.equal-implies-no-gap": "equal singular values of X^+Y, yet P_lin(t) > D_lin(t)",
        "wang2023.thm3.gap": "a standard deep linear net with P_lin(t) > D_lin(t)",
        "wang2023.thm3.all-values-reading": "singular values (zeros counted) not all identical, yet "
        "P_lin(t) = D_lin(t)",
        "wang2023.prop9.all-values-reading": "singular values (zeros counted) not all identical, yet every "
        "stair equals P_lin(t) = D_lin(t)",
    }[claim]
    out = Replay(name, claim, "exact", lemmas=lemmas, statement=what)
    keys = (
        ["X", "Y", "t", "Lam"]
        + (["Z"] if "Z" in arrays else [])
        + [f"W_{i}" for i in range(1, L + 1) if f"W_{i}" in arrays]
    )
    m, worst, kinds = _read(arrays, keys)
    out.check(
        "file entries are the float64 roundings of exact numbers",
        worst <= ex.MAX_ULPS,
        f"kinds {kinds}, worst distance {worst:.2f} ulp",
    )
    X, Y, Lam, t = m["X"], m["Y"], m["Lam"], m["t"][0, 0]
    Ws = [m[f"W_{i}"] for i in range(1, L + 1) if f"W_{i}" in m]
    out.check("t > 0 and L >= 3", ex.is_positive(t) and L >= 3, f"t={t}, L={L}")
    dual_bound = ex.simplify(t ** (-(L - 2)))
    Xp = ex.pinv(X)
    G = (Xp * Y).applyfunc(ex.simplify)
    out.check("Y in range(X): X X^+ Y = Y", ex.is_zero_matrix(X * G - Y))
    sv = ex.singular_values(G)
    nonzero = [v for v in sv if ex.sign_of(v) > 0]
    all_equal = all(ex.is_zero(v - sv[0]) for v in sv)
    out.check("dual point: ||X^T Lam||_2 <= t^-(L-2)", ex.spectral_norm_at_most(X.T * Lam, dual_bound))
    D_lower = ex.simplify((Lam.T * Y).trace())
    if flat:
        out.check(
            "the min(d, K) singular values of X^+Y (zeros counted) are not all identical",
            not all_equal,
            f"sigma(X^+Y)={sv}",
        )
        out.check("stored factors for every layer", len(Ws) == L)
        cost = _linear_feasible_factors(out, X, Y, Ws, t)
        out.check(
            "no gap: cost of the stored factors <= tr(Lam^T Y), so P_lin(t) = D_lin(t) (D1)",
            ex.is_nonnegative(D_lower - cost),
            f"P_lin(t) <= {cost} <= {D_lower} <= D_lin(t)",
        )
        return out
    if claim == "wang2023.thm3.equal-implies-no-gap":
        out.check(
            "the non-zero singular values of X^+Y are all equal, and so are all min(d, K) of them",
            all_equal and len(nonzero) == len(sv),
            f"sigma(X^+Y)={sv}",
        )
    out.check("rank(X^+Y) >= 2", len(nonzero) >= 2, f"sigma(X^+Y)={sv}")
    P_lower = ex.simplify(schatten_quasi(nonzero, sp.Rational(2, L)) / t ** (L - 2))
    if len(Ws) == L:
        cost = _linear_feasible_factors(out, X, Y, Ws, t)
        out.check(
            "the stored factors cost exactly the lower bound (P_lin(t) is known exactly)",
            ex.is_zero(cost - P_lower),
            f"cost={cost}, lower bound={P_lower}",
        )
    out.check("bi-dual point: X Z = Y", "Z" in m and ex.is_zero_matrix(X * m["Z"] - Y))
    D_upper = ex.simplify(dual_bound * ex.nuclear_norm(m["Z"]))
    out.check(
        "dual value tr(Lam^T Y) equals the bi-dual bound (D_lin(t) is known exactly)",
        ex.is_zero(D_upper - D_lower),
        f"D in [{D_lower}, {D_upper}]",
    )
    out.check(
        "strict gap: lower bound on P_lin(t) > upper bound on D_lin(t)",
        ex.is_positive(P_lower - D_upper),
        f"P_lin(t) >= {P_lower} > {D_upper} >= D_lin(t)",
    )
    return out


def _relu(M: sp.Matrix) -> sp.Matrix:
    return M.applyfunc(lambda v: ex.relu(ex.simplify(v)))


def replay_mixed_signs(name: str, arrays: dict) -> Replay:
    out = Replay(
        name,
        "wang2023.thm5.mixed-signs",
        "exact",
        lemmas=list(LEMMAS_RELU),
        statement="rank-one data with labels of mixed sign: the standard three-layer net's P(t) > D(t)",
    )
    m, worst, kinds = _read(arrays, ["c", "a", "Y", "t", "W1", "W2", "w3"])
    out.check(
        "file entries are the float64 roundings of exact numbers",
        worst <= ex.MAX_ULPS,
        f"kinds {kinds}, worst distance {worst:.2f} ulp",
    )
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
    out.check("||W_1||_F <= t", ex.is_nonnegative(t**2 - ex.frobenius_sq(W1)), f"||W1||_F^2={ex.frobenius_sq(W1)}")
    out.check(
        "columns of W_2 have norm <= 1",
        all(ex.is_nonnegative(1 - ex.frobenius_sq(W2[:, j])) for j in range(W2.shape[1])),
    )
    net = _relu(_relu(X * W1) * W2) * w3
    out.check("the net interpolates exactly: ((X W1)_+ W2)_+ w3 = y", ex.is_zero_matrix(net - Y))
    cost = ex.simplify(sum((abs(v) for v in w3), sp.Integer(0)))
    P_lower = ex.simplify((abs(g1) ** sp.Rational(2, 3) + abs(g2) ** sp.Rational(2, 3)) ** sp.Rational(3, 2) / T)
    out.check(
        "the net costs exactly the lower bound of lemma P2 (P(t) is known exactly)",
        ex.is_zero(cost - P_lower),
        f"cost={cost}, lower bound={P_lower}",
    )

    # the dual side: the two vertex branches of lemma D2, evaluated exactly
    d = a.shape[0]
    e1 = sp.zeros(2, 1)
    e1[0] = 1
    ok = True
    for sgn, v in ((1, cp_), (-1, cm)):
        Wb = (sgn * t * a * e1.T / na).applyfunc(ex.simplify)
        ok &= ex.is_nonnegative(t**2 - ex.frobenius_sq(Wb)) and Wb.shape == (d, 2)
        ok &= ex.is_zero_matrix(_relu(_relu(X * Wb) * e1) - T * v)
    out.check("vertex branches (||W_1||_F = t, ||w_2|| = 1) output t||a|| c_+ and t||a|| c_-", bool(ok))
    D_upper = ex.simplify((abs(g1) + abs(g2)) / T)
    out.check(
        "strict gap: lower bound on P(t) > upper bound on D(t)",
        ex.is_positive(P_lower - D_upper),
        f"P(t) >= {P_lower} > {D_upper} >= D(t)",
    )
    return out


def _linear(claim: str):
    return lambda name, arrays: replay_linear(name, arrays, claim)


LINEAR_CLAIMS = (
    "wang2023.thm3.equal-implies-no-gap",
    "wang2023.thm3.gap",
    "wang2023.thm3.all-values-reading",
    "wang2023.prop9.all-values-reading",
)
REPLAYS = {**{c: _linear(c) for c in LINEAR_CLAIMS}, "wang2023.thm5.mixed-signs": replay_mixed_signs}


# --------------------------------------------------------------------------------------------------------------
# small readable witnesses for the deep-linear counterexample claims (committed in reports/witnesses/)
# --------------------------------------------------------------------------------------------------------------
def gap_witness() -> dict:
    """``X = [[1, 1], [0, 1]]``, ``X^+Y = diag(8, 1)``, L = 3, t = 1: ``P_lin(1) = (8^(2/3) + 1)^(3/2) = 5 sqrt 5 >
    9 = D_lin(1)``.  Factors ``W_1 = diag(2, 1)/sqrt 5``, ``W_2 = I``, ``W_3 = diag(4 sqrt 5, sqrt 5)`` attain P;
    ``Lam = X^-T`` and ``Z = diag(8, 1)`` pin D."""
    import numpy as np

    r5 = np.sqrt(5.0)
    X = np.array([[1.0, 1.0], [0.0, 1.0]])
    G = np.diag([8.0, 1.0])
    return {
        "X": X,
        "Y": X @ G,
        "L": np.array(3),
        "t": np.array(1.0),
        "W_1": np.diag([2.0 / r5, 1.0 / r5]),
        "W_2": np.eye(2),
        "W_3": np.diag([4.0 * r5, r5]),
        "Lam": np.array([[1.0, 0.0], [-1.0, 1.0]]),
        "Z": G,
    }


def rank_one_witness() -> dict:
    """``X = I_2``, ``Y = diag(1, 0)`` (singular values (1, 0): not all identical), L = 4, t = 1: the factors
    ``e_1 e_1^T`` in every layer cost 1 and ``Lam = e_1 e_1^T`` is dual feasible with value 1, so
    ``P_lin(1) = D_lin(1) = 1``: no gap, and every stair of Prop 9 equals 1."""
    import numpy as np

    E = np.diag([1.0, 0.0])
    return {
        "X": np.eye(2),
        "Y": E.copy(),
        "L": np.array(4),
        "t": np.array(1.0),
        **{f"W_{i}": E.copy() for i in range(1, 5)},
        "Lam": E.copy(),
    }


NEW_WITNESSES = {
    "wang2023.thm3.gap__sv-8-1.npz": gap_witness,
    "wang2023.thm3.all-values-reading__rank-one.npz": rank_one_witness,
    "wang2023.prop9.all-values-reading__rank-one.npz": rank_one_witness,
}
