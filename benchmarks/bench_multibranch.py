"""Speed of the exact multi-branch routes (Zhang et al. 2019, Thm 1) and of the certified bracket at scale.

Goals from the issue: exact P, D and Delta for I = 64 branches with 512-point grids in <= 0.5 s per instance;
a certified bracket D <= P <= upper for I = 10^4 branches (512 points each) in <= 2 s.  Measured, not asserted.
The cost sweep over I and G is written to benchmarks/out/multibranch_cost.{json,png} and linked from the report.
"""

import json
import time
from pathlib import Path

import numpy as np
import pytest

from landscape.zhang2019 import multibranch as mb

OUT = Path(__file__).resolve().parent / "out"


def grid_instance(I, G, seed=0):
    rng = np.random.default_rng(seed)
    w = np.sort(np.concatenate([np.zeros((I, 1)), rng.uniform(-2, 2, (I, G - 1))], axis=1), axis=1)
    H = w**2
    Gv = np.cumsum(rng.standard_normal((I, G)), axis=1) / np.sqrt(G) + 0.3 * np.abs(w)
    K = float(np.mean(H.max(axis=1))) * 0.3
    return mb.GridBranches(Gv, H, K, w=w, h_center=np.zeros(I))


def pwl_instance(I, M, seed=0):
    rng = np.random.default_rng(seed)
    t = np.sort(np.concatenate([np.zeros((I, 1)), np.ones((I, 1)), rng.uniform(0, 1, (I, M - 1))], axis=1), axis=1)
    G = np.cumsum(rng.standard_normal((I, M + 1)), axis=1) / np.sqrt(M)
    H = np.abs(t - 0.5)
    K = float(np.mean(H.max(axis=1))) * 0.4
    return mb.PWLBranches(list(t), list(G), list(H), K)


def exact_all(inst):
    P = mb.primal_milp(inst)
    D = mb.dual_breakpoints(inst)
    delta = mb.delta_exact(inst)
    assert P.ok and D.ok and P.value >= D.value - 1e-7 * (1 + abs(P.value))
    return P, D, delta


@pytest.mark.parametrize("family", ["grid", "pwl"])
def test_bench_exact_I64_G512(benchmark, family):
    inst = grid_instance(64, 512) if family == "grid" else pwl_instance(64, 511)
    benchmark.group = "exact P, D, Delta: I = 64, 512 points per branch"
    benchmark.pedantic(exact_all, args=(inst,), rounds=5, warmup_rounds=1)


def test_bench_bracket_I10000_G512(benchmark):
    inst = grid_instance(10_000, 512)
    benchmark.group = "certified bracket: I = 10^4, 512 points per branch"
    result = benchmark.pedantic(mb.certified_bracket, args=(inst,), rounds=3, warmup_rounds=1)
    assert result.ok and result["lower"] <= result["upper"]
    benchmark.extra_info.update(lower=result["lower"], upper=result["upper"], width=result["upper"] - result["lower"])


@pytest.mark.parametrize("route", ["hull", "bisection", "lp"])
def test_bench_dual_routes_I10000(benchmark, route):
    """The three dual routes at the bracket test's scale (I = 10^4, 7 points per branch): the hull/slope sort,
    the bisection on phi's supergradient that checks it in the claim test, and HiGHS' LP (~10 s, which is why
    the claim test does not use it there)."""
    inst = pwl_instance(10_000, 6)
    fn = {"hull": mb.dual_breakpoints, "bisection": mb.dual_bisection, "lp": mb.dual_lp}[route]
    benchmark.group = "dual D: I = 10^4, 7 points per branch"
    result = benchmark.pedantic(fn, args=(inst,), rounds=1 if route == "lp" else 5, warmup_rounds=0)
    assert result.ok
    benchmark.extra_info.update(value=result.value)


def test_cost_sweep_over_I_and_G():
    """Not a pytest-benchmark measurement: a sweep (median of 3) saved as JSON and a plot."""
    rows = []
    for G in (32, 128, 512):
        for I in (4, 16, 64, 256):
            inst = grid_instance(I, G, seed=I + G)
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                exact_all(inst)
                times.append(time.perf_counter() - t0)
            rows.append({"I": I, "G": G, "seconds": float(np.median(times))})
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "multibranch_cost.json").write_text(json.dumps(rows, indent=1))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for G in (32, 128, 512):
        pts = [r for r in rows if r["G"] == G]
        ax.plot([r["I"] for r in pts], [r["seconds"] for r in pts], "o-", label=f"G = {G}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("branches I")
    ax.set_ylabel("seconds for exact P, D, Delta")
    ax.set_title("Cost of the exact multi-branch routes")
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "multibranch_cost.png", dpi=110)
    plt.close(fig)
