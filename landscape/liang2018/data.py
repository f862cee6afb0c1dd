"""The data distributions of the failure-case constructions of Liang et al. (2018): half-space subspace and
separable data (Propositions 2, 3, 7), the symmetric sample (Proposition 4), one-dimensional separable data
(Proposition 5), and the class counts every construction reads off the labels."""

from __future__ import annotations

import numpy as np

from landscape.core.validate import finite_array, positive_int


def class_counts(y) -> tuple[int, int]:
    y = np.asarray(y)
    return int(np.sum(y > 0)), int(np.sum(y < 0))


def min_class_errors(y) -> int:
    """``min(n_+, n_-)``: the number of errors the bad minima of Propositions 2, 4, 5, 6 make (at least)."""
    return min(class_counts(y))


def _labels(n_plus: int, n_minus: int) -> np.ndarray:
    n_plus = positive_int("n_plus", n_plus)
    n_minus = positive_int("n_minus", n_minus)
    return np.r_[np.ones(n_plus), -np.ones(n_minus)]


def half_space_subspace_data(t_plus, t_minus) -> tuple[np.ndarray, np.ndarray]:
    """Theorem-1 data of Propositions 2, 3, 7: positives ``(1, t, 0)``, negatives ``(1, 0, t)`` in R^3.

    ``U_+ = {e1, e2}``, ``U_- = {e1, e3}`` (r_+ = r_- = 2, r = 3, Delta r = 1); two samples of one class are
    linearly independent iff their t differ (Assumption 2 for continuous t).  All data lie on ``{x_1 = 1}``.
    """
    tp = finite_array("t_plus", t_plus, ndim=1)
    tm = finite_array("t_minus", t_minus, ndim=1)
    X = np.zeros((tp.size + tm.size, 3))
    X[:, 0] = 1.0
    X[: tp.size, 1] = tp
    X[tp.size :, 2] = tm
    return X, _labels(tp.size, tm.size)


def half_space_separable_data(u_plus, u_minus) -> tuple[np.ndarray, np.ndarray]:
    """Theorem-2 data of Proposition 2: positives ``(1, 1/2 + u, 0)``, negatives ``(1, -1/2 - u, 0)`` with
    ``u >= 0``; ``e2`` separates them through the origin with margin at least 1/2."""
    up = finite_array("u_plus", u_plus, ndim=1)
    um = finite_array("u_minus", u_minus, ndim=1)
    if np.any(up < 0) or np.any(um < 0):
        raise ValueError("u_plus and u_minus must be >= 0 (they push the points away from the separator)")
    X = np.zeros((up.size + um.size, 3))
    X[:, 0] = 1.0
    X[: up.size, 1] = 0.5 + up
    X[up.size :, 1] = -0.5 - um
    return X, _labels(up.size, um.size)


def draw_subspace_t(rng: np.random.Generator, n_plus: int, n_minus: int, both_signs: bool = False):
    """t ~ U[-1, 1] per sample (the Proposition-2 distribution); with ``both_signs`` the first two t of each
    class get opposite signs: the event of Propositions 3 and 7 (no affine classifier is error-free)."""
    tp = rng.uniform(-1.0, 1.0, positive_int("n_plus", n_plus))
    tm = rng.uniform(-1.0, 1.0, positive_int("n_minus", n_minus))
    if both_signs:
        if n_plus < 2 or n_minus < 2:
            raise ValueError("the non-separable event needs at least two samples of each class")
        for t in (tp, tm):
            t[0], t[1] = abs(t[0]), -abs(t[1])
    return tp, tm


def symmetric_sample(k: int, m: int, Q: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 4's event: k copies each of ``+e1, -e1`` (positives) and m copies each of ``+e2, -e2``
    (negatives), in the basis given by the columns of the orthogonal matrix ``Q`` (identity if None)."""
    k, m = positive_int("k", k), positive_int("m", m)
    E = np.eye(2) if Q is None else finite_array("Q", Q, shape=(2, 2))
    if not np.allclose(E.T @ E, np.eye(2), atol=1e-12):
        raise ValueError("Q must be orthogonal")
    e1, e2 = E[:, 0], E[:, 1]
    X = np.vstack([np.tile(e1, (k, 1)), np.tile(-e1, (k, 1)), np.tile(e2, (m, 1)), np.tile(-e2, (m, 1))])
    return X, _labels(2 * k, 2 * m)


def prop5_data(x_plus, x_minus) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 5's one-dimensional separable data: positives in [1, 2], negatives in [-2, -1]."""
    xp = finite_array("x_plus", x_plus, ndim=1)
    xm = finite_array("x_minus", x_minus, ndim=1)
    if np.any((xp < 1) | (xp > 2)) or np.any((xm < -2) | (xm > -1)):
        raise ValueError("positives must lie in [1, 2] and negatives in [-2, -1]")
    return np.r_[xp, xm].reshape(-1, 1), _labels(xp.size, xm.size)
