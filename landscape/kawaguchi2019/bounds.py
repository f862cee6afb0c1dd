"""The quantitative versions of Theorem 1 (derived in the catalog; they hold at every differentiable point):

(E)  ``L - J = 1/2 ||P[Jac] r||^2 = 1/2 g^T (Jac^T Jac)^+ g``  with ``r = vec(Yhat - Y)``, ``g = Jac^T r``;
(B)  ``||g||^2 / (2 s_max^2) <= L - J <= ||g||^2 / (2 s_min+^2)``;
tau  for every cutoff tau > 0, with ``J_tau = 1/2 ||(I - P_tau) vec Y||^2`` and ``eps = tau ||z||`` for any z with
     ``vec Yhat = Jac z``:  ``-eps sqrt(2 J_tau) <= L - J_tau <= ||g||^2/(2 tau^2) + eps sqrt(2 J_tau) + eps^2/2``.

The same interval holds for any matrix M with ``vec Yhat`` in its column space (Lemma 5's ``D~`` for Prop. 1,
``[Phi-bar, D]`` for Theorem 2), with g replaced by ``M^T r``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TauCheck:
    """The tau-version on a grid of cutoffs: arrays over tau of the observed ``L - J_tau`` and the interval."""

    tau: np.ndarray
    observed: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    J: np.ndarray

    def worst_upper(self, tol: float) -> int:
        return int(np.argmin((self.upper + tol - self.observed) / max(tol, 1e-300)))

    def worst_lower(self, tol: float) -> int:
        return int(np.argmin((self.observed - self.lower + tol) / max(tol, 1e-300)))

    def tightest(self) -> int:
        return int(np.argmin(self.upper - self.lower))


def tau_grid(s: np.ndarray) -> np.ndarray:
    """Every positive singular value s_i (which drops s_i), a hair below it (``s_i (1 - 1e-9)``, which keeps it:
    where the upper end ``|g|^2 / (2 tau^2)`` is attained), the geometric midpoints between consecutive ones, and
    2 s_max (nothing kept: J_tau = 1/2 ||y||^2; the only tau when the Jacobian vanishes)."""
    top = 2.0 * float(s[0]) if s.size and s[0] > 0 else 1.0
    s = s[s > 0]
    mids = np.sqrt(s[:-1] * s[1:]) if s.size > 1 else np.array([])
    return np.unique(np.concatenate([s, s * (1.0 - 1e-9), mids, [top]]))


def tau_version(
    L: float,
    U: np.ndarray,
    s: np.ndarray,
    y: np.ndarray,
    g_norm: float,
    z_norm: float,
    taus: np.ndarray | None = None,
    g_err: float = 0.0,
) -> TauCheck:
    """Evaluate the tau-interval at every tau of ``taus`` (default: ``tau_grid(s)``).  ``U, s`` is the thin SVD
    of M; ``g_norm = ||M^T r||`` from an independent route, ``g_err`` a bound on its rounding (added to it, which
    only widens the upper bound); ``z_norm = ||z||`` with ``vec Yhat = M z``."""
    taus = tau_grid(s) if taus is None else np.asarray(taus, dtype=float)
    c2 = (U.T @ y) ** 2
    yy = float(y @ y)
    cum = np.concatenate([[0.0], np.cumsum(c2)])
    J = np.empty(taus.size)
    for j, tau in enumerate(taus):
        k = int(np.sum(s > tau))
        J[j] = 0.5 * max(yy - cum[k], 0.0)
    eps = taus * z_norm
    root = np.sqrt(2.0 * J)
    upper = (g_norm + g_err) ** 2 / (2.0 * taus**2) + eps * root + 0.5 * eps**2
    lower = -eps * root
    return TauCheck(taus, L - J, lower, upper, J)


def identity_E_rhs(Vt: np.ndarray, s: np.ndarray, k: int, g: np.ndarray) -> float:
    """``1/2 sum_{i<k} (v_i^T g)^2 / s_i^2`` (the right-hand side of (E) over the kept spectrum)."""
    c = Vt[:k] @ g
    return 0.5 * float(np.sum((c / s[:k]) ** 2))


def bounds_B(g_norm: float, s_max: float, s_min_kept: float) -> tuple[float, float]:
    return g_norm**2 / (2 * s_max**2), g_norm**2 / (2 * s_min_kept**2)


# -- Proposition 1 / Lemma 5 ---------------------------------------------------------------------------------
def lemma5_matrix(Lam: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``D~ = [Lambda^{1,1} X, ..., Lambda^{1,d} X]`` (m x d d_x) from the pattern ``Lam`` (m x d)."""
    return np.hstack([Lam[:, k : k + 1] * X for k in range(Lam.shape[1])])


def lemma5_coefficients(W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """z with ``Yhat = D~ z`` for the paper's activations: blocks ``W2_k W1_{.,k}``."""
    return np.concatenate([W2[k, 0] * W1[:, k] for k in range(W1.shape[1])])


# -- Proposition 2 ---------------------------------------------------------------------------------------------
def prop2_i_conditions(m: int, d_x: int, d: int, delta: float) -> bool:
    """Prop. 2(i)'s sample-size condition ``m >= 64 ln^2(d_x d m / delta^2) d_x d``."""
    return m >= 64.0 * np.log(d_x * d * m / delta**2) ** 2 * d_x * d


def prop2_i_bound(m: int, d_x: int, d: int, t: float, Y2: float) -> float:
    """Prop. 2(i)'s bound on L: ``(1 + 6 sqrt(t/m)) (m - d_x d) / (2m) ||Y||^2``."""
    return (1.0 + 6.0 * np.sqrt(t / m)) * (m - d_x * d) / (2.0 * m) * Y2


def prop2_i_failure_probability(m: int, d_x: int, d: int, delta: float, t: float) -> float:
    """The probability Prop. 2(i) allows for the bound to fail: ``e^{-m/(64 ln(d_x d m/delta^2))} + 2 e^{-t}``."""
    return float(np.exp(-m / (64.0 * np.log(d_x * d * m / delta**2))) + 2.0 * np.exp(-t))


def prop2_ii_conditions(m: int, d_x: int, d: int, delta: float) -> bool:
    return d * d_x >= 2.0 * m * np.log(m * d / delta) ** 2 and d_x >= np.log(d * m) ** 2


def prop2_ii_failure_probability(d_x: int) -> float:
    return float(2.0 * np.exp(-d_x / 20.0))


def smin_over_row_subsets(Lam: np.ndarray, sizes) -> float:
    """``min_I s_min(Lam_I)`` over every row subset I with |I| in ``sizes`` (exhaustive: small m only), where
    ``s_min`` is the min(|I|, d)-th singular value."""
    from itertools import combinations

    m, d = Lam.shape
    best = np.inf
    for size in sizes:
        for I in combinations(range(m), size):
            s = np.linalg.svd(Lam[list(I)], compute_uv=False)
            best = min(best, float(s[min(size, d) - 1]))
    return best


def smin_relu_single_unit(lam: np.ndarray) -> float:
    """``min_{|I| >= m/2} s_min(Lam_I)`` for one unit (d = 1): ``||Lam_I||_2`` is smallest on the ceil(m/2) rows
    of smallest |Lam_i|."""
    a = np.sort(np.abs(np.asarray(lam, dtype=float)))
    h = int(np.ceil(a.size / 2))
    return float(np.sqrt(np.sum(a[:h] ** 2)))
