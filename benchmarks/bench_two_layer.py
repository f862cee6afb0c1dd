"""The two-layer ReLU convex program (Pilanci & Ergen 2020) at n = 100, d = 5 with SAMPLED arrangement cells.

Measured, never asserted: the conic solve time against the number of cells (16 ... 256), the objective it reaches
(an upper bound on the network optimum that falls as cells are added), and non-convex training of the network
(L-BFGS, torch float64) on the same data: its best objective and wall time.  Clarabel runs at its default
accuracy here (no certificate is built).  The sweep is written to
``benchmarks/out/two_layer_cost.{json,png}`` (``TWO_LAYER_BENCH_OUT`` overrides the folder), which the report links.
"""

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

import landscape.pilanci2020 as tlc

OUT = Path(os.environ.get("TWO_LAYER_BENCH_OUT", Path(__file__).resolve().parent / "out"))
CELLS = (16, 32, 64, 128, 256)
N, D, BETA = 100, 5, 0.1


def instance(seed: int = 0) -> tlc.TwoLayerProblem:
    """Gaussian inputs, labels from a planted three-unit ReLU net plus noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    y = np.maximum(X @ rng.standard_normal((D, 3)), 0.0) @ rng.standard_normal(3) + 0.1 * rng.standard_normal(N)
    return tlc.TwoLayerProblem(X, y, BETA)


PROBLEM = instance()


def cells(count: int) -> tlc.Arrangements:
    return tlc.sample_arrangements(PROBLEM.X, count, seed=count)


@pytest.mark.parametrize("count", CELLS)
def test_bench_convex_program(benchmark, count):
    arr = cells(count)
    benchmark.group = "pilanci2020: convex program (Clarabel), n = 100, d = 5, sampled cells"
    result = benchmark.pedantic(
        tlc.convex_by_cvxpy, args=(PROBLEM, arr), kwargs={"tight": False}, rounds=3, warmup_rounds=1
    )
    assert result.ok, result.status
    benchmark.extra_info.update(cells=arr.P, value=result.value, blocks=result["blocks"])


def test_bench_nonconvex_training(benchmark):
    benchmark.group = "pilanci2020: non-convex training, n = 100, d = 5, m = n + 1, one start"
    result = benchmark.pedantic(lambda: tlc.train_nonconvex(PROBLEM, N + 1, starts=1, seed=0), rounds=1)
    benchmark.extra_info.update(value=result.value, values=result["values"])


def test_cost_sweep_over_cells():
    """Not a pytest-benchmark measurement: the sweep (median of 3 solves per cell count) as JSON and a plot."""
    rows = []
    for count in CELLS:
        arr = cells(count)
        times, value, blocks = [], None, None
        for _ in range(3):
            t0 = time.perf_counter()
            res = tlc.convex_by_cvxpy(PROBLEM, arr, tight=False)
            times.append(time.perf_counter() - t0)
            value, blocks = res.value, res["blocks"] if res.ok else None
        U, alpha = tlc.network_from_convex(res["V"], res["W"])
        rows.append(
            {
                "cells": arr.P,
                "seconds": float(np.median(times)),
                "value": value,
                "blocks": blocks,
                "network_value": tlc.nonconvex_objective(PROBLEM, U, alpha),
                "status": res.status,
            }
        )
    training = []
    for m in (N + 1,):
        t0 = time.perf_counter()
        res = tlc.train_nonconvex(PROBLEM, m, starts=3, seed=0)
        seconds = time.perf_counter() - t0
        # the cells the trained units sit in (and their negatives): the convex program over them is at most the
        # trained objective, since the trained net maps into it; it shows how far random cells are from those
        U = res["U"]
        patterns = {
            tuple(tlc.activation_pattern(PROBLEM.X, s * u))
            for u in U.T
            for s in (1.0, -1.0)
            if tlc.strict_margin(PROBLEM.X, u) > tlc.STRICT_RTOL
        }
        own = tlc.Arrangements(
            np.array(sorted(patterns)), np.zeros((len(patterns), D)), False, method="patterns of the trained units"
        )
        t1 = time.perf_counter()
        conv = tlc.convex_by_cvxpy(PROBLEM, own, tight=False)
        training.append(
            {
                "m": m,
                "starts": 3,
                "seconds": seconds,
                "best": res.value,
                "values": res["values"],
                "convex_on_trained_cells": {"cells": own.P, "value": conv.value, "seconds": time.perf_counter() - t1},
            }
        )
    payload = {
        "n": N,
        "d": D,
        "beta": BETA,
        "note": "sampled cells: each convex value is an upper bound on the network optimum",
        "convex": rows,
        "training": training,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "two_layer_cost.json").write_text(json.dumps(payload, indent=1))
    plot_sweep(payload, OUT / "two_layer_cost.png")


def plot_sweep(payload: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, training = payload["convex"], payload["training"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    xs = [r["cells"] for r in rows]
    ax1.plot(xs, [r["seconds"] for r in rows], "o-", label="convex program (Clarabel)")
    for tr in training:
        ax1.axhline(tr["seconds"], color="tab:red", ls="--", label=f"training, m = {tr['m']}, {tr['starts']} starts")
    ax1.set_xscale("log", base=2)
    ax1.set_yscale("log")
    ax1.set_xlabel("sampled cells P")
    ax1.set_ylabel("seconds")
    ax1.set_title(f"Solve time (n = {payload['n']}, d = {payload['d']})")
    ax1.legend(fontsize=8)
    ax2.plot(xs, [r["value"] for r in rows], "o-", label="convex value over P random cells (upper bound)")
    for tr in training:
        ax2.axhline(tr["best"], color="tab:red", ls="--", label=f"best training run, m = {tr['m']}")
        own = tr.get("convex_on_trained_cells")
        if own:
            ax2.plot(
                [own["cells"]],
                [own["value"]],
                "s",
                color="tab:green",
                label="convex value over the trained units' cells",
            )
    ax2.set_xscale("log", base=2)
    ax2.set_xlabel("cells P")
    ax2.set_ylabel("objective")
    ax2.set_title("Objective reached")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
