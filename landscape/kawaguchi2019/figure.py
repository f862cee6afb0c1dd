"""Figure 1 of the paper, rebuilt: J(theta) / (1/2 ||Y||^2) over a depth x width grid of bias-free ReLU networks,
at the initial weights (N(0, 1/fan-in)) and after training, on the paper's synthetic teacher data and on the 8x8
digits (scalar centred label), for two rank cutoffs (the paper's Numerical Recipes cutoff and a relative 1e-8).

Training: full-batch L-BFGS on the mean squared error for a fixed number of iterations (the paper used 40 epochs
of mini-batch SGD with momentum; the stated observation is qualitative, so the optimizer is a free choice)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from landscape.kawaguchi2019 import data as kd
from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019.networks import Net, forward, loss_value, vec
from landscape.kawaguchi2019.points import train

CUTOFFS = ("numerical-recipes", "relative-1e-8")


@dataclass(frozen=True)
class Cell:
    data: str
    depth: int
    width: int
    seed: int
    stage: str  # "init" | "trained"
    cutoff: str
    ratio: float  # J / (1/2 ||Y||^2)
    loss_ratio: float  # L / (1/2 ||Y||^2)
    rank: int
    rows: int


def dataset(name: str, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if name == "teacher":
        return kd.teacher(m, seed=1000 + seed)
    if name == "digits":
        X, Y = kd.digits()
        rows = np.random.default_rng(seed).choice(X.shape[0], size=min(m, X.shape[0]), replace=False)
        return X[rows], Y[rows]
    raise ValueError(f"data must be 'teacher' or 'digits', got {name!r}")


def j_ratios(net: Net, theta, X, Y) -> dict[str, tuple[float, int]]:
    Jac = kt.jacobian_kronecker(net, theta, X)
    U, s, Vt = kt.svd(Jac)
    y = vec(Y)
    half = 0.5 * float(y @ y)
    s_max = float(s[0]) if s.size else 0.0
    cut = {"numerical-recipes": kt.paper_cutoff(Jac, s_max), "relative-1e-8": 1e-8 * s_max}
    return {name: (kt.J_svd(Jac, y, c, usv=(U, s, Vt)) / half, int(np.sum(s > c))) for name, c in cut.items()}


def grid(
    datas=("teacher", "digits"), depths=(1, 2, 3), widths=(2, 4, 8, 16), seeds=(0,), m: int = 200, iters: int = 60
) -> tuple[list[Cell], float]:
    """Every cell of the grid; returns the cells and the wall time in seconds."""
    t0 = time.perf_counter()
    cells = []
    for name in datas:
        for seed in seeds:
            X, Y = dataset(name, m, seed)
            half = 0.5 * float(np.sum(Y**2))
            for H in depths:
                for w in widths:
                    net = Net(X.shape[1], (w,) * H, 1, slopes=tuple(np.zeros(w) for _ in range(H)))
                    rng = np.random.default_rng(10_000 * seed + 100 * H + w)
                    theta0 = net.init(rng)
                    theta1 = train(net, X, Y, theta0, max_iter=iters)
                    for stage, th in (("init", theta0), ("trained", theta1)):
                        L = loss_value(net, th, X, Y) / half
                        for cut, (ratio, rank) in j_ratios(net, th, X, Y).items():
                            cells.append(Cell(name, H, w, seed, stage, cut, ratio, L, rank, X.shape[0]))
    return cells, time.perf_counter() - t0


def widen(net: Net, theta: np.ndarray, layer: int, extra: int, rng: np.random.Generator) -> tuple[Net, np.ndarray]:
    """Add ``extra`` ReLU units to hidden layer ``layer`` (1-based), keeping every old weight: random incoming
    weights, ZERO outgoing weights (the function is unchanged; col(Jac) can only grow)."""
    Ws = [W.copy() for W in net.unpack(theta)]
    l = layer - 1
    Ws[l] = np.hstack([Ws[l], rng.standard_normal((Ws[l].shape[0], extra)) / np.sqrt(Ws[l].shape[0])])
    Ws[l + 1] = np.vstack([Ws[l + 1], np.zeros((extra, Ws[l + 1].shape[1]))])
    widths = list(net.widths)
    widths[l] += extra
    slopes = list(net.slopes)
    slopes[l] = np.concatenate([slopes[l], np.zeros(extra)])
    wide = Net(net.d_x, tuple(widths), net.d_y, slopes=tuple(slopes))
    return wide, wide.pack(Ws)


def same_output(net_a: Net, theta_a, net_b: Net, theta_b, X) -> float:
    return float(np.max(np.abs(forward(net_a, theta_a, X).Yhat - forward(net_b, theta_b, X).Yhat)))
