"""The constant model every dead-unit construction reduces to: its loss phi(B)/n, its slope, and the best
constant found by root finding (a route that does not use the closed form of ``models.constant_model_optimum``)."""

from __future__ import annotations

import numpy as np

from landscape.core.tolerances import EPS64
from landscape.liang2018 import models as lg
from landscape.liang2018.data import class_counts


def constant_loss(B: float, y, p: int) -> float:
    """phi(B) / n: the loss of the constant output B (the model every dead-neuron point reduces to)."""
    return float(np.mean(lg.poly_hinge(-np.asarray(y) * float(B), p)))


def constant_loss_slope(B: float, y, p: int) -> float:
    """d/dB of :func:`constant_loss` (zero exactly at the best constant)."""
    y = np.asarray(y)
    return float(np.mean(-y * lg.poly_hinge_prime(-y * float(B), p)))


def constant_optimum_by_root(y, p: int) -> float:
    """The best constant output found as the root of the (increasing) slope on (-1, 1) (brentq): a route that
    does not use the closed form ``(t - 1) / (t + 1)``."""
    from scipy.optimize import brentq

    n_plus, n_minus = class_counts(y)
    if n_plus < 1 or n_minus < 1:
        raise ValueError("the best constant output needs both classes in the sample")
    return float(brentq(lambda B: constant_loss_slope(B, y, p), -1.0, 1.0, xtol=4 * EPS64, rtol=4 * EPS64, maxiter=500))
