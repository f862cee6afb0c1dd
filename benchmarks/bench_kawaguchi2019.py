"""Speed of J(theta) (Kawaguchi et al. 2019, Theorem 1) and of the Figure 1 grid.

Stated goals: J for m = 10,000 samples, depth 3 x width 50, d_y = 1 in <= 60 s; the fast route (per-unit
Jacobian blocks, Gram matrix, pivoted Cholesky) >= 5x faster than the dense route (jacrev Jacobian + full SVD),
both measured in one run at a size where the dense route fits in memory; the Figure 1 grid's total cost.
Values are checked (correctness); times are measured and written to benchmarks/out/kawaguchi2019.json, never
asserted."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from landscape.kawaguchi2019 import data as kd
from landscape.kawaguchi2019 import figure as kf
from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019.networks import Net

OUT = Path(__file__).parent / "out" / "kawaguchi2019.json"
RESULTS: dict = {}


def _relu_net(d_x: int, depth: int, width: int, seed: int):
    net = Net(d_x, (width,) * depth, 1, slopes=tuple(np.zeros(width) for _ in range(depth)))
    return net, net.init(np.random.default_rng(seed))


def _save():
    OUT.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(OUT.read_text()) if OUT.exists() else {}
    OUT.write_text(json.dumps(old | RESULTS, indent=2))


def test_bench_J_fast_at_ten_thousand_samples(benchmark):
    X, Y = kd.teacher(10_000, seed=0)
    net, theta = _relu_net(X.shape[1], 3, 50, 0)
    benchmark.group = "kawaguchi2019: J(theta), m = 10000, depth 3 x width 50, d_y = 1"
    out = benchmark.pedantic(lambda: kt.J_fast(net, theta, X, Y), rounds=1, iterations=1)
    J, rank = out
    assert 0.0 <= J <= 0.5 * float(np.sum(Y**2))
    RESULTS["J_fast_m10000"] = {
        "seconds": benchmark.stats.stats.mean,
        "J": J,
        "rank": rank,
        "d_theta": net.n_params,
        "goal_seconds": 60,
    }
    _save()


@pytest.mark.parametrize("m,width", [(2000, 20)])
def test_bench_fast_route_against_dense_full_svd(m, width):
    """Both routes in one run, same instance; values must agree (the spectrum has a clear gap here)."""
    X, Y = kd.teacher(m, seed=1)
    net, theta = _relu_net(X.shape[1], 3, width, 1)
    t0 = time.perf_counter()
    fast, rank = kt.J_fast(net, theta, X, Y)
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    dense = kt.J_dense_full_svd(net, theta, X, Y)
    t_dense = time.perf_counter() - t0
    assert fast == pytest.approx(dense, rel=1e-6, abs=1e-9 * float(np.sum(Y**2)))
    RESULTS["fast_vs_dense"] = {
        "m": m,
        "depth": 3,
        "width": width,
        "d_theta": net.n_params,
        "rank": rank,
        "fast_seconds": t_fast,
        "dense_seconds": t_dense,
        "speedup": t_dense / t_fast,
        "J_fast": fast,
        "J_dense": dense,
        "goal_speedup": 5,
    }
    print(f"fast {t_fast:.2f}s, dense jacrev + full SVD {t_dense:.2f}s, speed-up {t_dense / t_fast:.1f}x")
    _save()


@pytest.mark.parametrize("size", ["ci", "report"])
def test_bench_figure1_grid(size):
    kw = (
        dict(depths=(1, 2, 3), widths=(2, 4, 8, 16), seeds=(0, 1), m=150, iters=30)
        if size == "ci"
        else dict(depths=(1, 2, 3, 4), widths=(2, 4, 8, 16, 32), seeds=(0, 1, 2), m=300, iters=100)
    )
    cells, seconds = kf.grid(**kw)
    RESULTS[f"figure1_grid_{size}"] = {"seconds": seconds, "cells": len(cells), **{k: str(v) for k, v in kw.items()}}
    print(f"Figure 1 grid ({size}): {len(cells)} cells in {seconds:.1f}s")
    _save()
