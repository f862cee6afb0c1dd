"""Malformed input to the survey family's numerics raises a ValueError that names the problem."""

from __future__ import annotations

import numpy as np
import pytest

from landscape.survey import du2019 as du
from landscape.survey import ergen2019 as eg
from landscape.zhang2019 import experiments as ex

X = np.array([[1.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: du.gram_recursion(2 * X, 2), "unit-norm rows"),
        (lambda: du.gram_recursion(np.array([[np.nan, 1.0]]), 2), "NaN"),
        (lambda: du.gram_recursion(np.ones(2), 2), "2-dimensional"),
        (lambda: du.gram_recursion(X, 0), "H must be >= 1"),
        (lambda: du.gram_recursion(X, 2, "swish"), "unknown activation"),
        (lambda: du.gram_recursion(X, 2, "tanh", method="closed"), "relu only"),
        (lambda: du.gram_recursion(X, 2, method="monte-carlo"), "method must be one of"),
        (lambda: du.gram_recursion(X, 1, final="printed"), "needs H >= 2"),
        (lambda: du.gram_recursion(X, 2, final="other"), "final must be one of"),
        (lambda: du.gram_recursion(X, 2, method="polar", nodes=500), "nodes must be <= 128"),
        (lambda: du.gram_recursion(X, 2, c=-1.0), "c must be >"),
        (lambda: du.gaussian_moment(np.tanh, np.tanh, 0.0, 1.0, 0.0), "variances"),
        (lambda: du.gaussian_moment(np.tanh, np.tanh, 1.0, 1.0, 0.0, method="simpson"), "method must be"),
        (lambda: du.empirical_gram(X, 2, "relu", 8, 1, 0), "draws must be >= 2"),
        (lambda: du.empirical_gram(X, 2, "relu", 0, 4, 0), "width must be >= 1"),
        (lambda: du.gd_run(X, np.ones(3), 2, 8, "tanh", 0), "y has shape"),
        (lambda: du.gd_run(X, np.ones(2), 2, 8, "tanh", 0, step_scale=0.0), "step_scale must be >"),
        (lambda: du.gd_run(X, np.ones(2), 2, 8, "tanh", 0, steps=0), "steps must be >= 1"),
        (lambda: du.c_sigma("tanh", nodes=1), "nodes must be >= 2"),
    ],
)
def test_du2019_rejects_malformed_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: eg.NeuronProblem(np.ones((2, 3)), np.ones(2)), "Y has 2 labels but X has 3"),
        (lambda: eg.NeuronProblem(np.array([[1.0, 0.0]]), np.ones(2)), "zero column"),
        (lambda: eg.NeuronProblem(np.ones((2, 3)), np.array([1.0, np.inf, 0.0])), "NaN"),
        (lambda: eg.neuron_min_exhaustive(eg.NeuronProblem(np.ones((3, 2)), np.ones(2))), "d0 <= 2"),
        (lambda: eg.loss(eg.NeuronProblem(np.ones((2, 3)), np.ones(3)), np.ones(3)), "w has shape"),
        (lambda: eg.neuron_min_multistart(eg.NeuronProblem(np.ones((2, 3)), np.ones(3)), starts=0), "starts"),
    ],
)
def test_ergen2019_rejects_malformed_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ex.wilson(5, 3), "hits must lie"),
        (lambda: ex.wilson(0, 0), "runs must be >= 1"),
        (lambda: ex.iid_grid_family(0, 0), "I must be >= 1"),
        (lambda: ex.iid_grid_family(2, 0, G=1), "G must be >= 2"),
        (lambda: ex.iid_grid_family(2, 0, budget=-1.0), "budget must be >= 0"),
        (lambda: ex.hit_rate((0,), seeds=2), "width must be >= 1"),
    ],
)
def test_experiments_reject_malformed_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
