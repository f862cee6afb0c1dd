"""The activation catalogue: each activation as a numpy function with the properties theorems ask about.

Properties are stated for the scalar function sigma: R -> R.  ``piecewise_linear`` activations keep a network
piecewise linear in any one scalar weight, which exact (MILP/LP) routes rely on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Activation:
    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    convex: bool
    increasing: bool  # non-decreasing on R
    analytic: bool
    piecewise_linear: bool
    bounded: bool

    def __call__(self, x):
        return self.fn(np.asarray(x, dtype=np.float64))


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # overflow-free form of 1 / (1 + exp(-x))


CATALOGUE: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("relu", lambda x: np.maximum(x, 0.0), True, True, False, True, False),
        Activation("leaky_relu", lambda x: np.where(x > 0, x, 0.1 * x), True, True, False, True, False),
        Activation("tanh", np.tanh, False, True, True, False, True),
        Activation("sigmoid", _sigmoid, False, True, True, False, True),
        Activation("softplus", _softplus, True, True, True, False, False),
        Activation("quadratic", np.square, True, False, True, False, False),
        Activation("linear", lambda x: x, True, True, True, True, False),
    )
}


def get(name: str) -> Activation:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(CATALOGUE)}") from None
