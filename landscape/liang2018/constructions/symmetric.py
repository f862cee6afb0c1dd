"""Proposition 4: sigmoid-class neurons on a symmetric sample, a global minimum by Jensen's inequality."""

from __future__ import annotations

import numpy as np

from landscape.core.validate import finite_array, positive_int
from landscape.liang2018 import models as lg
from landscape.liang2018.constructions.base import BadPoint, local_samples
from landscape.liang2018.constructions.constant import constant_loss
from landscape.liang2018.data import class_counts
from landscape.liang2018.tolerances import PERTURBATION_RADII


# -- Proposition 4: sigmoid-class neurons on a symmetric sample --------------------------------------------------
def sigmoid_class_constant(act: str) -> float:
    """``c`` with ``sigma(z) + sigma(-z) = c`` (``2 sigma(0)``), for a sigmoid-class activation."""
    A = lg.activation(act)
    if "sigmoid" not in A.classes:
        raise ValueError(f"{act!r} is not in the sigmoid class")
    return 2.0 * float(A.np_fn(np.array(0.0)))


def prop4_constant_point(
    X, y, M: int, act: str = "tanh", p: int = 6, a=None, description: str = "", seed: int = 0
) -> BadPoint[lg.ShallowProblem]:
    """``W = 0`` and ``a_0 = B* - (c/2) sum_j a_j``: the network outputs the best constant on every input.  On a
    symmetric sample this is a *global* minimum (Jensen on each pair x, -x), with error min(n_+, n_-)/n."""
    X, y = lg.check_data(X, y)
    M = positive_int("M (number of neurons)", M)
    c = sigmoid_class_constant(act)
    n_plus, n_minus = class_counts(y)
    B = lg.constant_model_optimum(n_plus, n_minus, p)
    prob = lg.ShallowProblem(X, y, M, act, p)
    a = np.ones(M) if a is None else finite_array("a", a, shape=(M,))
    theta = prob.pack(B - 0.5 * c * float(np.sum(a)), a, np.zeros((X.shape[1], M)))
    text = description or (
        f"prop4 symmetric sample: d={X.shape[1]} 2n={len(y)} n+={n_plus} n-={n_minus} M={M} act={act} p={p} B*={B:.6g}"
    )
    return BadPoint("liang2018.prop4", prob, theta, constant_loss(B, y, p), "jensen", text, seed, B_star=B)


def pair_sums(prob, theta) -> np.ndarray:
    """``f(x_i) + f(-x_i)`` for every sample (Proposition 4: equal to ``2 (a_0 + (c/2) sum_j a_j)`` for every
    theta when sigma is in the sigmoid class)."""
    mirrored = lg.ShallowProblem(-prob.X, prob.y, prob.M, prob.act, prob.p, offsets=prob.offsets)
    return prob.outputs(theta) + mirrored.outputs(theta)


def jensen_argument(bp: BadPoint[lg.ShallowProblem], draws: int = 300, scale: float = 3.0, seed: int = 11) -> dict:
    """Proposition 4's global argument, evaluated: at random parameters anywhere (Gaussian of the given scale) and
    at the local samples, (i) ``f(x) + f(-x)`` is the same number for every sample (the pairing identity),
    (ii) the loss is at least phi(B(theta)) >= phi(B*).  Returns the extremes."""
    prob = bp.problem
    rng = np.random.default_rng(seed)
    c = sigmoid_class_constant(prob.act)
    thetas = [scale * rng.standard_normal(prob.size) for _ in range(draws)]
    thetas += [t for _, t in local_samples(bp.theta, PERTURBATION_RADII, max(draws // 4, 1), seed + 1)]
    floor = bp.reference_value
    worst_pair, min_excess, min_jensen = 0.0, np.inf, np.inf
    for t in thetas:
        a0, a, _ = prob.unpack(t)
        B = a0 + 0.5 * c * float(np.sum(a))
        ps = pair_sums(prob, t)
        worst_pair = max(worst_pair, float(np.max(np.abs(ps - 2 * B))) / (1.0 + abs(B) + float(np.sum(np.abs(a)))))
        v = prob.value(t)
        min_jensen = min(min_jensen, v - constant_loss(B, prob.y, prob.p))
        min_excess = min(min_excess, v - floor)
    return {
        "draws": len(thetas),
        "pair_identity_rel_error": worst_pair,
        "min_loss_minus_phi_B": min_jensen,
        "min_loss_minus_phi_Bstar": min_excess,
    }
