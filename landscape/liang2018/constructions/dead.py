"""Dead units: Proposition 2 (ReLU-class single layer), Proposition 6 (dead first layer of a feed-forward ReLU
net) and Proposition 7 (identity shortcut with a dead residual)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from landscape.core.validate import finite_array, positive_int
from landscape.liang2018 import models as lg
from landscape.liang2018.constructions.base import BadPoint, fmt_vector, scale_to_zero_loss, zero_error_shallow
from landscape.liang2018.constructions.constant import constant_loss
from landscape.liang2018.constructions.linear import LinearOptimum, linear_model_by_newton
from landscape.liang2018.data import class_counts
from landscape.liang2018.models import IdentityShortcutProblem


# -- Proposition 2: dead ReLU-class neurons --------------------------------------------------------------------
def prop2_dead_point(
    X, y, M: int, act: str = "relu", p: int = 6, a=None, offset: float = 0.0, description: str = "", seed: int = 0
) -> BadPoint[lg.ShallowProblem]:
    """All M neurons dead: ``w_j = -e1`` (every input has ``x_1 = 1``, so every pre-activation is -1),
    ``a_0 = B* - c`` for a constant second network ``f_D = c``; then ``f = B*`` on the data.

    The output weights ``a`` are arbitrary (they multiply zeros).  ``better`` is an error-free point of the same
    model: two neurons ``relu(+-x_2)`` (positives of both data versions have ``x_2 != 0``, negatives
    ``x_2 = 0`` on subspace data) or one neuron ``relu(x_2)`` (separable data), scaled to loss 0.
    """
    X, y = lg.check_data(X, y)
    M = positive_int("M (number of neurons)", M)
    if "relu" not in lg.activation(act).classes:
        raise ValueError(f"Proposition 2 is about the ReLU class; {act!r} is not in it")
    if not np.allclose(X[:, 0], 1.0):
        raise ValueError("Proposition 2's construction needs every input on the plane x_1 = 1")
    n_plus, n_minus = class_counts(y)
    B = lg.constant_model_optimum(n_plus, n_minus, p)
    offsets = np.full(len(y), float(offset))
    prob = lg.ShallowProblem(X, y, M, act, p, offsets=offsets)
    a = np.ones(M) if a is None else finite_array("a", a, shape=(M,))
    W = np.zeros((X.shape[1], M))
    W[0] = -1.0
    theta = prob.pack(B - offset, a, W)
    better = zero_error_shallow(prob)
    text = description or (
        f"prop2 dead point: d={X.shape[1]} n+={n_plus} n-={n_minus} M={M} act={act} p={p} f_D={offset:.3g} B*={B:.6g}"
    )
    return BadPoint(
        "liang2018.prop2",
        prob,
        theta,
        constant_loss(B, y, p),
        "dead",
        text,
        seed,
        B_star=B,
        better=better,
        better_kind="zero-error" if better is not None else "",
    )


# -- Proposition 6: a dead first layer in a feed-forward ReLU network ----------------------------------------------
def prop6_dead_first_layer(
    X,
    y,
    hidden: Sequence[int],
    act: str = "relu",
    p: int = 6,
    seed: int = 0,
    description: str = "",
    planted: np.ndarray | None = None,
) -> BadPoint[lg.FeedForwardProblem]:
    """Random weights; first-layer biases ``b_1 = -(max_i ||W_1^T x_i||_inf + 1)`` kill every first-layer unit
    with margin 1, so the network is a constant K on the data; the output bias then moves K to the best
    constant B*.  With ``planted = (w, b)`` (labels = sign(w^T x + b)) ``better`` is an error-free network
    passing ``relu(+-(w^T x + b))`` through every layer."""
    X, y = lg.check_data(X, y)
    hidden = tuple(positive_int("hidden width", h) for h in hidden)
    A = lg.activation(act)
    if "relu" not in A.classes:
        raise ValueError(f"Proposition 6 is about neurons that vanish on z <= 0; {act!r} does not")
    prob = lg.FeedForwardProblem(X, y, hidden, act, p)
    rng = np.random.default_rng(seed)
    layers = [(W, b.copy()) for W, b in prob.unpack(prob.random_theta(rng))]
    W1, _ = layers[0]
    layers[0] = (W1, np.full(W1.shape[1], -(float(np.abs(X @ W1).max()) + 1.0)))
    n_plus, n_minus = class_counts(y)
    B = lg.constant_model_optimum(n_plus, n_minus, p)
    WL, bL = layers[-1]
    K = prob.outputs(prob.pack(layers))
    if np.ptp(K) > 0:
        raise RuntimeError("a dead first layer must make the output constant on the data")
    layers[-1] = (WL, bL + (B - K[0]))
    theta = prob.pack(layers)
    better = None
    if planted is not None:
        better = _pass_through_network(prob, np.asarray(planted, dtype=np.float64))
    text = description or (
        f"prop6 dead first layer: d={X.shape[1]} n+={n_plus} n-={n_minus} hidden={hidden} act={act} p={p} B*={B:.6g}"
    )
    return BadPoint(
        "liang2018.prop6",
        prob,
        theta,
        constant_loss(B, y, p),
        "dead",
        text,
        seed,
        B_star=B,
        better=better,
        better_kind="zero-error" if better is not None else "",
    )


def _pass_through_network(prob, planted: np.ndarray):
    """Units 1, 2 of the first layer compute ``sigma(+-(w^T x + b))``; every later hidden layer copies them
    (sigma keeps non-negative numbers non-negative and zero at zero), the output takes their difference.
    Needs width >= 2 in every hidden layer; returns None otherwise or when the sign is not the label."""
    if min(prob.hidden) < 2:
        return None
    w, b = planted[:-1], planted[-1]
    widths = prob.widths
    layers = []
    for i in range(len(widths) - 1):
        W = np.zeros((widths[i], widths[i + 1]))
        bias = np.zeros(widths[i + 1])
        if i == 0:
            W[:, 0], W[:, 1] = w, -w
            bias[0], bias[1] = b, -b
        elif i < len(widths) - 2:
            W[0, 0], W[1, 1] = 1.0, 1.0
        else:
            W[0, 0], W[1, 0] = 1.0, -1.0
        layers.append((W, bias))
    theta = prob.pack(layers)
    f = prob.outputs(theta)
    if np.min(prob.y * f) <= 0:
        return None
    K = scale_to_zero_loss(f, prob.y)
    WL, bL = layers[-1]
    layers[-1] = (K * WL, K * bL)
    return prob.pack(layers)


def first_layer(prob: lg.FeedForwardProblem, theta) -> tuple[np.ndarray, np.ndarray]:
    W, b = prob.unpack(np.asarray(theta, dtype=np.float64))[0]
    return W, b


# -- Proposition 7: identity shortcut with a dead residual ------------------------------------------------------------
def prop7_shortcut_point(
    X, y, k: int, p: int = 6, seed: int = 0, linear: LinearOptimum | None = None, description: str = ""
) -> BadPoint[IdentityShortcutProblem]:
    """``H = V^T relu(U^T x + c) + e`` with ``c = -(max_i ||U^T x_i||_inf + 1)`` (dead), so ``H = e`` on the
    data and ``f = a^T x + (a^T e + b)`` is a linear model: take ``a = u*``, ``b = beta* - a^T e`` with
    ``(beta*, u*)`` the best linear classifier.  ``better``: the residual computes ``|x_2|`` into coordinate 1."""
    X, y = lg.check_data(X, y)
    prob = IdentityShortcutProblem(X, y, k, p)
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    lin = linear if linear is not None else linear_model_by_newton(X, y, p)
    U = rng.standard_normal((d, prob.k))
    c = np.full(prob.k, -(float(np.abs(X @ U).max()) + 1.0))
    V = rng.standard_normal((prob.k, d))
    e = rng.standard_normal(d)
    theta = prob.pack(lin.u, lin.beta - float(lin.u @ e), U, c, V, e)
    better = None
    if prob.k >= 2 and d >= 2 and np.allclose(X[:, 0], 1.0):
        Ub = np.zeros((d, prob.k))
        Ub[1, 0], Ub[1, 1] = 1.0, -1.0
        Vb = np.zeros((prob.k, d))
        Vb[0, 0], Vb[1, 0] = 1.0, 1.0
        ab = np.zeros(d)
        ab[0] = 1.0
        probe = prob.pack(ab, 0.0, Ub, np.zeros(prob.k), Vb, np.zeros(d))
        g = prob.outputs(probe)
        lo, hi = g[y > 0].min(), g[y < 0].max()
        if lo > hi:
            shift = 0.5 * (lo + hi)
            K = scale_to_zero_loss(g - shift, y)
            better = prob.pack(K * ab, -K * shift, Ub, np.zeros(prob.k), Vb, np.zeros(d))
    n_plus, n_minus = class_counts(y)
    text = description or (
        f"prop7 identity shortcut: d={d} n+={n_plus} n-={n_minus} k={prob.k} p={p} "
        f"beta*={lin.beta:.6g} u*={fmt_vector(lin.u)}"
    )
    return BadPoint(
        "liang2018.prop7",
        prob,
        theta,
        lin.value,
        "dead",
        text,
        seed,
        linear=lin,
        better=better,
        better_kind="zero-error" if better is not None else "",
    )
