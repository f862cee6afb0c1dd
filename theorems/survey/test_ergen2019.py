"""Ergen & Pilanci (Allerton 2019), "Convex optimization for shallow neural networks", as the survey "How to
convexify your neural network" restates it (Section 2.2, eqs. 7-8): the relaxed loss L_r of one ReLU neuron (the
ReLU dropped from the cross term) is convex, and the survey says its global minimizers minimize the original loss L.

Routes: min L_r by Clarabel (CVXPY) and by L-BFGS; min L exactly by enumerating the sectors of the samples'
hyperplanes (d0 <= 2) or by the planted point; explicit better points certify failures.  The survey's statement
fails for general non-negative labels (committed witness, the catalog's two-point case, and a search beyond it);
it holds for realizable (planted) labels; with a negative label L_r can be unbounded below.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given

from landscape.survey import ergen2019 as eg
from reports.registry import witness_path
from strategies import budget
from strategies.survey import NeuronInstance, planted_neurons
from theorems.survey.checks import (
    check_planted_relaxation,
    relaxation_counterexample_certified,
    search_relaxation_failures,
    shrink_relaxation_witness,
    verify_relaxation_counterexample,
)


@pytest.mark.claim(
    "ergen2019.relaxation",
    covers="committed witness: d0 1, X = [1, -1], Y = [1, 1] (catalog's two-point case), re-verified",
)
def test_relaxed_minimizer_misses_the_neuron_optimum(record):
    with np.load(witness_path("ergen2019.relaxation"), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    checks = verify_relaxation_counterexample(arrays)
    record.witness(
        "two-points",
        arrays,
        certified=relaxation_counterexample_certified(checks, 2.0),
        checks=checks,
        instance="d0 = 1, X = [1, -1], Y = [1, 1]: L_r(w) = w^2 + 2 (argmin 0, L(0) = 2), "
        "L(w) = w^2 - 2|w| + 2 (min 1 at w = +-1)",
    )


@pytest.mark.claim(
    "ergen2019.relaxation",
    covers=(
        "30 seeds of random non-negative labels for (d0, n) = (1, 3), (2, 3), (2, 5); first failure shrunk to "
        "half-integer data"
    ),
)
@pytest.mark.parametrize("d0, n", [(1, 3), (2, 3), (2, 5)])
def test_search_beyond_the_catalog_case(d0, n, record):
    """Random non-negative labels: count how often argmin L_r misses min L, keep the first failure shrunk to
    half-integer data (samples dropped while it still fails) as a certified witness."""
    fails, tried, kept = 0, 0, False
    for seed, X, Y, chk in search_relaxation_failures(range(30), d0, n):
        tried += 1
        if relaxation_counterexample_certified(chk, float(Y @ Y)):
            fails += 1
            if not kept:
                Xs, Ys = shrink_relaxation_witness(X, Y)
                checks = verify_relaxation_counterexample({"X": Xs, "Y": Ys})
                record.witness(
                    f"search-d{d0}-n{n}",
                    {"X": Xs, "Y": Ys},
                    certified=relaxation_counterexample_certified(checks, float(Ys @ Ys)),
                    checks=checks,
                    instance=f"d0={d0}, n={Xs.shape[1]} (shrunk from seed {seed}), X={Xs.tolist()}, Y={Ys.tolist()}",
                )
                kept = True
    record.note(
        "fraction of random non-negative-label instances where the survey's statement fails",
        fails / tried,
        instance=f"d0={d0}, n={n}, {tried} seeds",
        extra={"failures": fails, "tried": tried},
    )


@pytest.mark.claim(
    "ergen2019.relaxation.planted",
    covers=(
        "d0 1-3, n 1-8, realizable labels relu(X^T w*): generic, all-dead (labels 0) and repeated-column / n < d0 "
        "data; two-point example"
    ),
)
@budget(1.0)
@given(inst=planted_neurons())
@example(
    inst=NeuronInstance(
        eg.NeuronProblem(np.array([[1.0, -1.0]]), np.array([1.0, 0.0])), np.array([1.0]), 0, "planted/two-points"
    )
)
def test_relaxed_minimizer_is_optimal_for_planted_labels(inst, record):
    check_planted_relaxation(inst, record)


@pytest.mark.claim(
    "ergen2019.relaxation.unbounded",
    covers="fixed instances with a negative label: the catalog's 1-d case X = [1], Y = [-1] and a d0 = 2 case",
)
@pytest.mark.parametrize(
    "X, Y",
    [pytest.param([[1.0]], [-1.0], id="catalog-1d"), pytest.param([[1.0, 0.0], [0.0, 1.0]], [-1.0, 2.0], id="d0-2")],
)
def test_negative_label_makes_the_relaxation_unbounded(X, Y, record):
    p = eg.NeuronProblem(np.array(X), np.array(Y))
    conv = eg.relaxed_min_cvxpy(p)
    d = -np.asarray(p.X[:, int(np.argmin(p.Y))])  # away from the negative-label sample
    slope = eg.unbounded_direction(p, d)
    values = [eg.relaxed_loss(p, t * d) for t in (1.0, 10.0, 100.0)]
    checks = {"cvxpy_status": conv.status, "slope": slope, "L_r(t d), t = 1, 10, 100": values}
    certified = bool(
        slope is not None
        and slope < 0
        and values[2] < values[1] < values[0]
        and str(conv.status).startswith("unbounded")
    )
    record.witness(
        f"ray-{p.d0}d",
        {"X": p.X, "Y": p.Y, "direction": d},
        certified=certified,
        checks=checks,
        instance=f"X={p.X.tolist()}, Y={p.Y.tolist()}, direction {d.tolist()}",
    )
