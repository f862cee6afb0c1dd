"""Kawaguchi et al. (2019), Figure 1: J(theta) / (1/2 ||Y||^2) over depth x width, at initialisation and after
training, on the synthetic teacher data and the 8x8 digits, for two rank cutoffs.  The grid is computed once per
session (small under ci); the exact facts are asserted per cell (0 <= J <= L, J <= 1/2 ||Y||^2, J does not grow
when units are added with the old weights kept); the qualitative trends are reported, not asserted."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings as hsettings

from landscape.kawaguchi2019 import figure as kf
from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019 import tolerances as ktol
from landscape.kawaguchi2019.networks import loss_value, vec

NIGHTLY = hsettings.default.max_examples > 100
GRID = (
    dict(depths=(1, 2, 3, 4), widths=(2, 4, 8, 16, 32), seeds=(0, 1, 2), m=500, iters=200)
    if NIGHTLY
    else dict(depths=(1, 2, 3), widths=(2, 4, 8, 16), seeds=(0, 1), m=150, iters=30)
)


@pytest.mark.claim(
    "kawaguchi2019.fig1",
    covers=(
        "fixed grid: depth 1-3 x width 2-16 (nightly 1-4 x 2-32), teacher and 8x8-digits data, init and trained, "
        "two rank cutoffs; widening 4 -> 8"
    ),
)
def test_figure1_J_over_depth_and_width(record):
    cells, seconds = kf.grid(**GRID)
    record.note(
        "Figure 1 grid wall time (s)", seconds, extra={"cells": len(cells), **{k: str(v) for k, v in GRID.items()}}
    )
    for c in cells:
        inst = f"{c.data} H={c.depth} w={c.width} seed={c.seed} {c.stage} cutoff={c.cutoff}"
        record.note(
            "fig1 cell",
            c.ratio,
            instance=inst,
            extra={
                "data": c.data,
                "depth": c.depth,
                "width": c.width,
                "seed": c.seed,
                "stage": c.stage,
                "cutoff": c.cutoff,
                "loss_ratio": c.loss_ratio,
                "rank": c.rank,
                "rows": c.rows,
            },
        )
        tol = ktol.roundoff(1.0, c.rows + c.width * c.depth * c.width)
        record.leq(
            c.ratio,
            c.loss_ratio,
            tol=tol,
            instance=inst,
            what="J <= L",
            routes=("SVD projection on the Jacobian", "forward-pass loss"),
        )
        record.leq(
            c.ratio,
            1.0,
            tol=tol,
            instance=inst,
            what="J <= 1/2 ||Y||^2",
            routes=("SVD projection on the Jacobian", "target norm"),
        )
        record.geq(
            c.ratio,
            0.0,
            tol=tol,
            instance=inst,
            what="J >= 0",
            routes=("SVD projection on the Jacobian", "zero"),
            evidence=False,
        )
    # adding units with the old weights kept can only enlarge col(Jac)
    rng = np.random.default_rng(7)
    for name in ("teacher", "digits"):
        X, Y = kf.dataset(name, GRID["m"], 0)
        for H in GRID["depths"][:2]:
            net = kf.Net(X.shape[1], (4,) * H, 1, slopes=tuple(np.zeros(4) for _ in range(H)))
            theta = net.init(rng)
            wide, theta_w = kf.widen(net, theta, H, 4, rng)
            inst = f"{name} H={H} widths 4 -> 8 in layer {H}"
            y = vec(Y)
            J_small = kt.J_svd(kt.jacobian_kronecker(net, theta, X), y)
            J_wide = kt.J_svd(kt.jacobian_kronecker(wide, theta_w, X), y)
            record.close(
                loss_value(net, theta, X, Y),
                loss_value(wide, theta_w, X, Y),
                tol=ktol.roundoff(float(y @ y), X.size),
                instance=inst,
                what="widened net computes the same function",
                routes=("narrow net", "widened net"),
                evidence=False,
            )
            record.leq(
                J_wide,
                J_small,
                tol=ktol.roundoff(float(y @ y), X.shape[0] * 8),
                instance=inst,
                what="J does not grow when units are added (old weights kept)",
                routes=("widened net's projection", "original net's projection"),
                decisive=True,
            )
