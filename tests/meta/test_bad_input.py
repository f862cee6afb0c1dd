"""Malformed instances raise a ValueError that names the argument."""

import numpy as np
import pytest

from landscape.zhang2019 import deep_linear as dl

X, Y = np.eye(3), np.ones((2, 3))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(X=np.full((3, 3), np.nan), Y=Y, widths=(3, 1, 2), gamma=0.1), "X contains NaN"),
        (dict(X=X, Y=np.array([[np.inf, 0, 0], [0, 0, 0]]), widths=(3, 1, 2), gamma=0.1), "Y contains NaN or inf"),
        (dict(X=X, Y=np.ones((2, 4)), widths=(3, 1, 2), gamma=0.1), "same number of columns"),
        (dict(X=X, Y=Y, widths=(4, 1, 2), gamma=0.1), "widths\\[0\\]"),
        (dict(X=X, Y=Y, widths=(3, 1, 3), gamma=0.1), "widths\\[-1\\]"),
        (dict(X=X, Y=Y, widths=(3, 0, 2), gamma=0.1), "widths\\[1\\] must be >= 1"),
        (dict(X=X, Y=Y, widths=(3, 1, 2), gamma=-0.5), "gamma must be >= 0"),
        (dict(X=X, Y=Y, widths=(3, 1, 2), gamma=float("nan")), "gamma must be finite"),
        (dict(X=X, Y=Y, widths=(3,), gamma=0.1), "depth H >= 2"),
        (dict(X=X, Y=Y, widths=(3, 2), gamma=0.1), "depth H >= 2"),
        (dict(X=np.ones(3), Y=Y, widths=(3, 1, 2), gamma=0.1), "X must be 2-dimensional"),
    ],
)
def test_problem_rejects_malformed_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dl.DeepLinearProblem(**kwargs)


def test_routes_reject_wrong_shapes():
    p = dl.DeepLinearProblem(X, Y, (3, 1, 2), 0.1)
    with pytest.raises(ValueError, match="Lam has shape"):
        dl.recover_weights(p, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="weights must hold H = 2"):
        dl.primal_objective(p, [np.zeros((1, 3))])
    with pytest.raises(ValueError, match=r"weights\[1\] has shape"):
        dl.primal_objective(p, [np.zeros((1, 3)), np.zeros((3, 1))])
    with pytest.raises(ValueError, match="starts must be >= 1"):
        dl.primal_by_training(p, starts=0)
    with pytest.raises(ValueError, match="does not fit"):
        dl.balanced_factorization(np.eye(2), np.ones(2), np.eye(2, 3), X, (3, 1, 2))


def test_a_solver_exception_becomes_an_inconclusive_record():
    from reports.records import Inconclusive, Recorder

    rec = Recorder("zhang2019.thm2")
    with pytest.raises(Inconclusive):
        rec.decide(lambda: 1 / 0, instance="i", what="dual (Clarabel)")
    (line,) = rec.sink.records()
    assert line["status"] == "inconclusive" and "ZeroDivisionError" in line["reason"]


# ------------------------------------------------------------------------------------------------------------
# Liang et al. models
# ------------------------------------------------------------------------------------------------------------
from landscape.liang2018 import models as lg  # noqa: E402


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), np.array([1.0, -1.0]), "finite"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), np.array([1.0, -1.0]), "finite"),
        (np.eye(2), np.array([1.0, 0.0]), "labels must be -1 or \\+1"),
        (np.eye(2), np.array([1.0, 2.0]), "labels must be -1 or \\+1"),
        (np.eye(2), np.array([1.0, -1.0, 1.0]), "rows"),
    ],
)
def test_liang_models_reject_malformed_data(X, y, message):
    with pytest.raises(ValueError, match=message):
        lg.ShallowProblem(X, y, 2, "softplus")
    with pytest.raises(ValueError, match=message):
        lg.FeedForwardProblem(X, y, (2,), "relu")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"M": 0}, "M"),
        ({"M": -1}, "M"),
        ({"act": "gelu"}, "unknown activation"),
        ({"p": 0}, "degree"),
        ({"p": 2.5}, "degree"),
        ({"loss": "hinge"}, "unknown loss"),
        ({"offsets": np.zeros(3)}, "offsets"),
        ({"offsets": np.array([np.nan, 0.0])}, "finite"),
    ],
)
def test_liang_shallow_problem_rejects_bad_settings(kwargs, message):
    args = {"X": np.eye(2), "y": np.array([1.0, -1.0]), "M": 2, "act": "softplus"} | kwargs
    with pytest.raises(ValueError, match=message):
        lg.ShallowProblem(**args)


@pytest.mark.parametrize("hidden", [(), (0,), (3, 0), (-2,)])
def test_liang_feed_forward_rejects_bad_widths(hidden):
    with pytest.raises(ValueError, match="hidden"):
        lg.FeedForwardProblem(np.eye(2), np.array([1.0, -1.0]), hidden, "relu")


def test_liang_width_threshold_needs_a_class_owned_direction():
    with pytest.raises(ValueError, match="Delta r"):
        lg.required_width_thm1(10, 2, 2, 0)
