"""Appendix B.8: the quadratic loss on samples: exact least squares on Fractions, exact enumeration of the bad
event, the network that realizes the fit and its L-BFGS training."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from landscape.core.validate import positive_int
from landscape.liang2018 import models as lg

# ------------------------------------------------------------------------------------------------------------
# Appendix B.8: quadratic loss on a sample (exact least squares on Fractions, numpy lstsq, network L-BFGS)
# ------------------------------------------------------------------------------------------------------------
B8_S_POSITIVE_A = Fraction(5, 4)


def b8_features(instance: str, values: Sequence, labels: Sequence) -> list:
    """Exact feature rows (Fractions) of the function class the network realizes on the data.

    Instance "A": inputs ``(1, s)``, one linear neuron: the class is the affine functions ``b + a s``, rows
    ``[1, s]``.  Instance "B": positives ``s e1``, negatives ``t e2``, quadratic neurons: the class is
    ``a_0 + A_11 s^2`` on positives and ``a_0 + A_22 t^2`` on negatives, rows ``[1, s^2, 0]`` / ``[1, 0, t^2]``.
    """
    rows = []
    for v, yv in zip(values, labels):
        v = Fraction(v)
        if instance == "A":
            rows.append([Fraction(1), v])
        elif instance == "B":
            rows.append([Fraction(1), v * v, Fraction(0)] if yv > 0 else [Fraction(1), Fraction(0), v * v])
        else:
            raise ValueError(f"unknown B.8 instance {instance!r}")
    return rows


def exact_least_squares_fit(rows: list, targets: Sequence) -> list:
    """Fitted values (Fractions) of the least-squares projection of ``targets`` onto the span of the columns of
    ``rows``: Gram-Schmidt in exact arithmetic, dependent columns dropped.  Unique even without full rank."""
    n = len(rows)
    cols = [[rows[i][j] for i in range(n)] for j in range(len(rows[0]))]
    basis: list[list[Any]] = []  # orthogonal (not normalized) columns, of the rows' entries (Fractions)
    for c in cols:
        v = list(c)
        for q in basis:
            coef = sum(vi * qi for vi, qi in zip(v, q)) / sum(qi * qi for qi in q)
            v = [vi - coef * qi for vi, qi in zip(v, q)]
        if any(vi != 0 for vi in v):
            basis.append(v)
    t = [Fraction(int(v)) for v in targets]
    fit = [Fraction(0)] * n
    for q in basis:
        coef = sum(ti * qi for ti, qi in zip(t, q)) / sum(qi * qi for qi in q)
        fit = [fi + coef * qi for fi, qi in zip(fit, q)]
    return fit


def exact_error_count(fitted: Sequence[Fraction], labels: Sequence) -> int:
    return sum(1 for f, yv in zip(fitted, labels) if (1 if f >= 0 else -1) != int(yv))


def b8_sample(instance: str, values: Sequence, labels: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Network inputs of a B.8 sample: ``(1, s)`` (instance A) or ``s e1`` / ``t e2`` (instance B)."""
    y = np.asarray([float(v) for v in labels])
    vals = np.asarray([float(v) for v in values])
    if instance == "A":
        X = np.c_[np.ones(len(vals)), vals]
    elif instance == "B":
        X = np.zeros((len(vals), 2))
        X[y > 0, 0] = vals[y > 0]
        X[y < 0, 1] = vals[y < 0]
    else:
        raise ValueError(f"unknown B.8 instance {instance!r}")
    return lg.check_data(X, y)


B8_INSTANCES = {
    # instance A (Theorem 2's conditions): positive at s = 5/4, negatives at s = 0, 1, 1
    "A": ((Fraction(5, 4), Fraction(0), Fraction(1), Fraction(1)), (1, -1, -1, -1)),
    # instance B (Theorem 1's conditions): positives at s = 1, 3 on e1, negatives at t = 1, 1, 3 on e2
    "B": ((Fraction(1), Fraction(3), Fraction(1), Fraction(1), Fraction(3)), (1, 1, -1, -1, -1)),
}

# the distributions: instance A, P(Y=1) = 1/2, s | + = 5/4, s | - uniform on {0, 1};
# instance B, P(Y=1) = 1/2, s | + and t | - uniform on {1, 2, 3}
B8_DISTRIBUTIONS = {
    "A": ({Fraction(5, 4): Fraction(1, 2)}, {Fraction(0): Fraction(1, 4), Fraction(1): Fraction(1, 4)}),
    "B": ({Fraction(v): Fraction(1, 6) for v in (1, 2, 3)}, {Fraction(v): Fraction(1, 6) for v in (1, 2, 3)}),
}


def b8_patterns(instance: str, n: int):
    """Every sample of size n from the instance's distribution, up to order: yields (values, labels, probability
    of drawing that multiset) with exact Fraction probabilities (multinomial)."""
    n = positive_int("n", n)
    pos, neg = B8_DISTRIBUTIONS[instance]
    cats = [(v, 1, q) for v, q in pos.items()] + [(v, -1, q) for v, q in neg.items()]
    for counts in itertools.product(range(n + 1), repeat=len(cats)):
        if sum(counts) != n:
            continue
        prob = Fraction(math.factorial(n))
        values, labels = [], []
        for (v, yv, q), c in zip(cats, counts):
            prob = prob * q**c / math.factorial(c)
            values += [v] * c
            labels += [yv] * c
        yield tuple(values), tuple(labels), prob


def b8_bad_patterns(instance: str, n: int, threshold: Fraction = Fraction(1, 8)):
    """Samples of size n (with both classes) whose least-squares global minimum errs on more than ``threshold``
    of the sample, exactly; returns a list of (values, labels, probability, error count).

    Samples where some fitted value is exactly 0 are left out: their error count rests on the tie convention
    sgn(0) = +1 alone (e.g. A with four positives and negatives at 0, 1, 1, 1 fits exactly 0 at s = 1), so the
    probabilities summed from this list are a lower bound of the event's probability."""
    out = []
    for values, labels, prob in b8_patterns(instance, n):
        if len(set(labels)) < 2:
            continue
        fit = exact_least_squares_fit(b8_features(instance, values, labels), labels)
        if any(f == 0 for f in fit):
            continue
        errs = exact_error_count(fit, labels)
        if Fraction(errs, n) > threshold:
            out.append((values, labels, prob, errs))
    return out


def quadratic_loss_objective(prob: lg.ShallowProblem) -> Callable:
    """``(1/n) sum_i (1 - y_i f(x_i))^2`` on the network's parameters (the loss of Section 4.3)."""
    import torch

    y = torch.as_tensor(prob.y, dtype=torch.float64)

    def loss(theta):
        return torch.mean((1.0 - y * prob.torch_outputs(theta)) ** 2)

    return loss


def b8_network(instance: str, X, y) -> lg.ShallowProblem:
    """Instance A: one linear neuron; instance B: ``M = 2n`` quadratic neurons (Theorem 1's width, Delta r = 1)."""
    if instance == "A":
        return lg.ShallowProblem(X, y, 1, "linear", 3)
    return lg.ShallowProblem(X, y, 2 * len(y), "square", 6)


def b8_train(prob: lg.ShallowProblem, starts: int = 4, seed: int = 0, max_iter: int = 2000):
    """L-BFGS on the quadratic loss from random starts; returns the end points' (loss, outputs) pairs."""
    import torch

    from landscape.core.certify import minimize

    loss = quadratic_loss_objective(prob)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(positive_int("starts", starts)):
        theta = minimize(loss, prob.random_theta(rng), max_iter=max_iter)
        out.append((float(loss(torch.tensor(theta))), prob.outputs(theta), theta))
    return out


def b8_realize(instance: str, prob: lg.ShallowProblem, fitted: Sequence[float]) -> np.ndarray:
    """Explicit network parameters whose outputs are the given least-squares fit (the class is reachable)."""
    X, y = prob.X, prob.y
    f = np.asarray(fitted, dtype=np.float64)
    if instance == "A":
        # f = b + a s: read (a, b) off two samples with different s, then a_0 = b, a_1 = 1, w = (0, a)
        i, j = int(np.argmin(X[:, 1])), int(np.argmax(X[:, 1]))
        a = (f[j] - f[i]) / (X[j, 1] - X[i, 1])
        b = f[i] - a * X[i, 1]
        return prob.pack(b, [1.0], np.array([[0.0], [a]]))
    pos, neg = y > 0, y < 0
    # f = a0 + A11 s^2 (positives), a0 + A22 t^2 (negatives): solve the 3 x 3 system by least squares on the fit
    F = np.c_[np.ones(len(y)), np.where(pos, X[:, 0] ** 2, 0.0), np.where(neg, X[:, 1] ** 2, 0.0)]
    a0, A11, A22 = np.linalg.lstsq(F, f, rcond=None)[0]
    a = np.zeros(prob.M)
    W = np.zeros((2, prob.M))
    a[0], W[0, 0] = np.sign(A11) or 1.0, math.sqrt(abs(A11))
    a[1], W[1, 1] = np.sign(A22) or 1.0, math.sqrt(abs(A22))
    return prob.pack(a0, a, W)
