"""Exact replay of the Theorem 2(b) tie witness (Zhang, Shao, Salakhutdinov 2019; claim zhang2019.thm2.recovery).

Problem (4): ``F(W) = 1/2 ||Y - W_H ... W_1 X||_F^2 + (gamma/H)(||W_1 X||_{S_H}^H + sum_{i>=2} ||W_i||_{S_H}^H)``; its
dual (5) at ``Lam`` is ``1/2 ||Y||_F^2 - 1/2 ||Y~ - Lam||_(d_min)^2`` (sum of the d_min largest squared singular
values), feasible when ``||Lam||_2 <= gamma`` and the rows of Lam lie in Row(X).

The proof replayed, every number exact (SymPy; the file's floats are recognized as the rationals and square roots
they round):

1. Theorem 2's assumptions hold: ``d_min <= min(d_0, d_H, n)`` and ``gamma < sigma_min(Y~)``.
2. Lam is dual feasible and the explicit weights ``W_opt`` have primal value EQUAL to the dual value at Lam.  By weak
   duality (lemma: F(W) >= dual(Lam) for every W and feasible Lam) both are then optimal: Lam is a dual optimum.
3. ``(U, s, Vt)`` is a valid top-d_min SVD of ``Y~ - Lam`` (orthonormal U and V, ``U^T (Y~ - Lam) V = diag(s)``,
   s the d_min largest singular values); Theorem 2(b) builds weights from it (the balanced factorization).
4. Those weights' primal value is strictly larger than the optimum: the recovery fails.
"""

from __future__ import annotations

import sympy as sp

from landscape.rigorous import Replay
from landscape.rigorous import exact as ex

LEMMAS = (
    "weak duality of (4)/(5): F(W) >= 1/2||Y||^2 - 1/2||Y~ - Lam||_(d_min)^2 for every W and every Lam with "
    "||Lam||_2 <= gamma and Row(Lam) in Row(X) (Zhang et al., Thm 2(a) proof)",
)


def schatten_power(A: sp.Matrix, H: int) -> sp.Expr:
    """``||A||_{S_H}^H`` exactly: ``tr((A^T A)^(H/2))`` for even H, the sum of powered singular values otherwise."""
    if H % 2 == 0:
        return ex.simplify(((A.T * A) ** (H // 2)).trace())
    return ex.simplify(sum((s**H for s in ex.singular_values(A)), sp.Integer(0)))


def primal_value(X, Y, weights, gamma, H) -> sp.Expr:
    P = X
    for W in weights:
        P = W * P
    fit = sp.Rational(1, 2) * ex.frobenius_sq(Y - P)
    reg = schatten_power(weights[0] * X, H) + sum((schatten_power(W, H) for W in weights[1:]), sp.Integer(0))
    return ex.simplify(fit + gamma * reg / H)


def balanced_factorization(U, s, Vt, Xp, widths):
    """Theorem 2(b)'s weights from a rank-r SVD (exact): ``W_1 = [S^(1/H) V^T; 0] X^+``, ``W_i = [S^(1/H) 0; 0 0]``,
    ``W_H = [U S^(1/H), 0]``."""
    H, r = len(widths) - 1, len(s)
    root = [ex.simplify(si ** sp.Rational(1, H)) for si in s]
    out = []
    for i in range(1, H + 1):
        W = sp.zeros(widths[i], widths[i - 1])
        if i == 1:
            top = sp.diag(*root) * Vt * Xp
            W[:r, :] = top
        elif i == H:
            W[:, :r] = U * sp.diag(*root)
        else:
            W[:r, :r] = sp.diag(*root)
        out.append(W.applyfunc(ex.simplify))
    return out


def replay_tie(name: str, arrays: dict) -> Replay:
    out = Replay(
        name,
        "zhang2019.thm2.recovery",
        "exact",
        lemmas=list(LEMMAS),
        statement="Thm 2(b) applied to a dual-optimal Lam with a tied top singular value returns weights "
        "whose objective exceeds the optimum",
    )
    read = {k: ex.exact_array(arrays[k]) for k in ("X", "Y", "Lam", "U", "s", "Vt", "gamma")}
    widths = tuple(int(w) for w in arrays["widths"])
    H = len(widths) - 1
    W_opt = [ex.exact_array(arrays[f"W_opt_{i}"]) for i in range(H)]
    worst = max([a.worst_ulps for a in read.values()] + [a.worst_ulps for a in W_opt])
    kinds = sorted(set().union(*(a.kinds for a in list(read.values()) + W_opt)))
    out.check(
        "file entries are the float64 roundings of exact numbers",
        worst <= ex.MAX_ULPS,
        f"kinds {kinds}, worst distance {worst:.2f} ulp",
    )
    X, Y, Lam = read["X"].matrix, read["Y"].matrix, read["Lam"].matrix
    U, Vt = read["U"].matrix, read["Vt"].matrix
    s = list(read["s"].matrix)
    gamma = read["gamma"].matrix[0, 0]
    W_opt = [w.matrix for w in W_opt]
    d_min, n = min(widths[1:-1]), X.shape[1]
    Xp = ex.pinv(X)
    Yt = (Y * Xp * X).applyfunc(ex.simplify)

    # 1. assumptions
    sv_Yt = ex.singular_values(Yt)
    nonzero = [v for v in sv_Yt if ex.sign_of(v) > 0]
    out.check(
        "width assumption d_min <= min(d_0, d_H, n)",
        d_min <= min(widths[0], widths[-1], n),
        f"d_min={d_min}, d_0={widths[0]}, d_H={widths[-1]}, n={n}",
    )
    out.check(
        "gamma < sigma_min(Y~) (non-zero singular values)",
        bool(nonzero) and ex.is_positive(nonzero[-1] - gamma),
        f"gamma={gamma}, sigma(Y~)={sv_Yt}",
    )

    # 2. dual feasibility and equality of values
    out.check("||Lam||_2 <= gamma", ex.spectral_norm_at_most(Lam, gamma), f"Lam={Lam.tolist()}")
    out.check("rows of Lam in Row(X): Lam (I - X^+ X) = 0", ex.is_zero_matrix(Lam * (sp.eye(n) - Xp * X)))
    A = (Yt - Lam).applyfunc(ex.simplify)
    sv_A = ex.singular_values(A)
    dual = ex.simplify(sp.Rational(1, 2) * ex.frobenius_sq(Y) - sp.Rational(1, 2) * sum(v**2 for v in sv_A[:d_min]))
    P_opt = primal_value(X, Y, W_opt, gamma, H)
    out.check(
        "shapes of W_opt match the widths", all(W.shape == (widths[i + 1], widths[i]) for i, W in enumerate(W_opt))
    )
    out.check(
        "primal value of W_opt = dual value at Lam (both optimal by weak duality)",
        ex.is_zero(P_opt - dual),
        f"F(W_opt)={P_opt}, dual(Lam)={dual}",
    )

    # 3. the SVD is a valid top-d_min SVD of Y~ - Lam
    k = len(s)
    out.check("SVD rank = d_min", k == d_min, f"len(s)={k}")
    out.check("U has orthonormal columns", ex.is_zero_matrix(U.T * U - sp.eye(k)))
    out.check("Vt has orthonormal rows", ex.is_zero_matrix(Vt * Vt.T - sp.eye(k)))
    out.check("U^T (Y~ - Lam) V = diag(s)", ex.is_zero_matrix(U.T * A * Vt.T - sp.diag(*s)))
    out.check(
        "s are the d_min largest singular values of Y~ - Lam",
        all(ex.is_zero(a - b) for a, b in zip(s, sv_A[:k])),
        f"s={s}, sigma(Y~ - Lam)={sv_A}",
    )
    tie = len(sv_A) > k and ex.is_zero(sv_A[k - 1] - sv_A[k])
    out.check("the d_min-th and next singular values tie (the SVD is not unique)", tie, f"sigma={sv_A}")

    # 4. the recovered weights are not optimal
    W_bad = balanced_factorization(U, s, Vt, Xp, widths)
    P_bad = primal_value(X, Y, W_bad, gamma, H)
    out.check(
        "recovered weights have a strictly larger objective than the optimum",
        ex.is_positive(P_bad - P_opt),
        f"F(W_recovered)={P_bad} > F(W_opt)={P_opt}",
    )
    return out


REPLAYS = {"zhang2019.thm2.recovery": replay_tie}
