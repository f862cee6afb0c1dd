"""Proposition 3: leaky-ReLU-class neurons in their linear piece realize the best linear classifier."""

from __future__ import annotations

import numpy as np

from landscape.core.validate import positive_int
from landscape.liang2018 import models as lg
from landscape.liang2018.constructions.base import BadPoint, fmt_vector, zero_error_shallow
from landscape.liang2018.constructions.linear import LinearOptimum, linear_model_by_newton
from landscape.liang2018.data import class_counts


# -- Proposition 3: leaky-ReLU-class neurons in their linear piece -----------------------------------------------
def prop3_linear_point(
    X,
    y,
    M: int,
    act: str = "leaky_relu",
    p: int = 6,
    linear: LinearOptimum | None = None,
    description: str = "",
    seed: int = 0,
) -> BadPoint[lg.ShallowProblem]:
    """Realize the best linear classifier ``beta* + u*^T x`` with every neuron in its linear piece:
    ``w_1 = u* + C e1`` (a_1 = 1), ``w_2 = C e1`` (a_2 = -1), ``w_j = C e1`` (a_j = 0, j >= 3), ``a_0 = beta*``,
    ``C = max_i |u*^T x_i| + 1`` (all inputs have ``x_1 = 1``, so every pre-activation is >= 1)."""
    X, y = lg.check_data(X, y)
    M = positive_int("M (number of neurons)", M)
    if M < 2:
        raise ValueError("Proposition 3's construction needs M >= 2 neurons")
    if "leaky-relu" not in lg.activation(act).classes:
        raise ValueError(f"Proposition 3 is about the leaky-ReLU class; {act!r} is not in it")
    if not np.allclose(X[:, 0], 1.0):
        raise ValueError("Proposition 3's construction needs every input on the plane x_1 = 1")
    lin = linear if linear is not None else linear_model_by_newton(X, y, p)
    prob = lg.ShallowProblem(X, y, M, act, p)
    C = float(np.max(np.abs(X @ lin.u))) + 1.0
    W = np.zeros((X.shape[1], M))
    W[0, :] = C
    W[:, 0] += lin.u
    a = np.zeros(M)
    a[0], a[1] = 1.0, -1.0
    theta = prob.pack(lin.beta, a, W)
    better = zero_error_shallow(prob)
    n_plus, n_minus = class_counts(y)
    text = description or (
        f"prop3 linear regime: d={X.shape[1]} n+={n_plus} n-={n_minus} M={M} act={act} p={p} "
        f"beta*={lin.beta:.6g} u*={fmt_vector(lin.u)} C={C:.4g}"
    )
    return BadPoint(
        "liang2018.prop3",
        prob,
        theta,
        lin.value,
        "linear",
        text,
        seed,
        linear=lin,
        better=better,
        better_kind="zero-error" if better is not None else "",
    )
