"""Instances just outside Theorem 1's assumptions, where ``L = J`` fails (the catalog's failure cases): a
non-critical point, a point critical in the output weights only, a nonlinear (tanh) output layer, and a local
minimum of the weight-decayed loss.  Each builder returns (net, X, Y, theta, weight_decay)."""

from __future__ import annotations

import numpy as np

from landscape.kawaguchi2019.networks import Net, forward
from landscape.kawaguchi2019.points import train


def non_critical(seed: int):
    """Random weights of a mixed ReLU / leaky / abs net on Gaussian data: not a critical point."""
    rng = np.random.default_rng(seed)
    net = Net(3, (4, 4), 2, slopes=(np.array([0.0, 0.2, -1.0, 0.0]), np.array([0.0, -0.5, 0.0, 1.0])))
    X = rng.standard_normal((30, 3))
    return net, X, rng.standard_normal((30, 2)), net.init(rng), 0.0


def partial_critical(seed: int):
    """Random hidden layers and the least-squares output layer: critical in W^(H+1) only."""
    rng = np.random.default_rng(seed)
    net = Net(3, (5,), 1, slopes=(np.array([0.0, 0.0, -1.0, 0.3, 0.0]),))
    X = rng.standard_normal((25, 3))
    Y = rng.standard_normal((25, 1))
    Ws = net.unpack(net.init(rng))
    Phi = forward(net, net.pack(Ws), X).Phi[-1]
    Ws[-1] = np.linalg.lstsq(Phi, Y, rcond=None)[0]
    return net, X, Y, net.pack(Ws), 0.0


def nonlinear_output(seed: int):
    """Identity hidden units (slope 1, inside the class) and a tanh output, trained to a local minimum."""
    rng = np.random.default_rng(seed)
    net = Net(2, (2,), 1, slopes=(np.ones(2),), output="tanh")
    X = rng.standard_normal((12, 2))
    Y = 0.9 * np.tanh(2.0 * rng.standard_normal((12, 1)))
    theta = train(net, X, Y, net.init(rng), max_iter=800)
    return net, X, Y, theta, 0.0


def weight_decay(seed: int, lam: float = 0.1):
    """A deep linear net (slope-1 units, inside the class) trained on L + lam/2 ||theta||^2."""
    rng = np.random.default_rng(seed)
    net = Net(3, (3, 3), 2, slopes=(np.ones(3), np.ones(3)))
    X = rng.standard_normal((20, 3))
    Y = rng.standard_normal((20, 2))
    theta = train(net, X, Y, net.init(rng), max_iter=800, weight_decay=lam)
    return net, X, Y, theta, lam


BUILDERS = {
    "non-critical": non_critical,
    "partial-critical": partial_critical,
    "nonlinear-output": nonlinear_output,
    "weight-decay": weight_decay,
}
