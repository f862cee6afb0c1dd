"""Kawaguchi et al. (2019), deep linear networks (after Theorem 2): with d_y <= every width, every local minimum
attains the least-squares value; with a bottleneck narrower than d_y it cannot (failure case)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given

from landscape.kawaguchi2019 import data as kd
from landscape.kawaguchi2019.networks import Net
from strategies import budget
from strategies.kawaguchi2019 import LinearInstance, deep_linear
from theorems.kawaguchi2019.checks import BarePoint, certify_bottleneck, check_linear, witness_arrays


def _low_rank_regression() -> LinearInstance:
    """A nightly draw (low-rank data, seed 715) whose X has singular values 5.2, 2.7 and three of ~1e-15: the
    least-squares route once kept one of those as rank and returned a residual 0.105 too high."""
    rng = np.random.default_rng(715)
    X = kd.inputs("low-rank", 19, 5, rng)
    Y = rng.standard_normal((19, 1))
    return LinearInstance(Net(5, (2,), 1, slopes=(np.ones(2),)), X, Y, 715, "low-rank")


@pytest.mark.claim(
    "kawaguchi2019.linear",
    covers=(
        "deep linear, depth 1-3, d_y 1-3, widths d_y..d_y+2, d_x d_y..5, m <= 20; Gaussian, low-rank, "
        "duplicated-row data; trained minima"
    ),
)
@budget(1.0)
@given(inst=deep_linear())
@example(inst=_low_rank_regression())
def test_every_local_minimum_of_a_deep_linear_net_is_global(inst, record):
    check_linear(inst, record)


@pytest.mark.claim(
    "kawaguchi2019.linear.bottleneck",
    covers=(
        "first drawn deep linear net (depth 1-3, d_y 2-3) with one layer narrower than d_y whose trained minimum "
        "is certified above OLS"
    ),
)
def test_a_bottleneck_narrower_than_d_y_misses_the_least_squares_value(record):
    from hypothesis import find

    inst = find(deep_linear(bottleneck=True), lambda i: certify_bottleneck(i)["certified"])
    checks = certify_bottleneck(inst)
    theta = checks.pop("theta")
    point = BarePoint(inst.net, inst.X, inst.Y, theta)
    record.note("L - OLS at the witness", checks["L"] - checks["ols"], instance=point)
    record.witness(
        "bottleneck",
        witness_arrays(inst.net, inst.X, inst.Y, theta),
        certified=checks["certified"],
        checks=checks,
        instance=point,
    )
