"""Bad input to the Kawaguchi et al. (2019) numerics raises ValueError naming the argument; the family's
strategies deliver what they promise (planted points critical, separated edges zero, patterns in range)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from landscape.kawaguchi2019 import data as kd
from landscape.kawaguchi2019 import highway as kh
from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019.networks import Net, check_data, forward, require_class
from strategies.kawaguchi2019 import highway_points, points, prop2_patterns
from theorems.kawaguchi2019.checks import autodiff_gradient


def test_non_finite_data_names_X():
    with pytest.raises(ValueError, match="X"):
        check_data(np.array([[np.nan, 1.0]]), np.ones((1, 1)))


def test_mismatched_rows_name_X_and_Y():
    with pytest.raises(ValueError, match="X and Y"):
        check_data(np.ones((3, 2)), np.ones((4, 1)))


def test_wrong_input_width_names_X():
    net = Net(2, (3,), 1, slopes=(np.zeros(3),))
    with pytest.raises(ValueError, match="X"):
        kt.J_fast(net, net.init(np.random.default_rng(0)), np.ones((5, 3)), np.ones((5, 1)))


def test_depth_zero_names_widths():
    with pytest.raises(ValueError, match="widths"):
        Net(2, (), 1)


def test_slope_outside_the_class_names_slopes():
    with pytest.raises(ValueError, match="slopes"):
        Net(2, (2,), 1, slopes=(np.array([0.0, 1.5]),))


def test_smooth_activation_for_a_class_claim_names_net():
    with pytest.raises(ValueError, match="net"):
        require_class(Net(2, (2,), 1, slopes=(None,), smooth="tanh"), "Lemma 1")


def test_wrong_theta_length_names_theta():
    net = Net(2, (2,), 1, slopes=(np.zeros(2),))
    with pytest.raises(ValueError, match="theta"):
        forward(net, np.zeros(3), np.ones((4, 2)))


def test_unknown_data_kind_and_highway_t_are_named():
    with pytest.raises(ValueError, match="kind"):
        kd.inputs("uniform", 4, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="t must"):
        kh.build(2, [2], 1, 3, 1, [np.zeros(1)], strong=False)


@settings(max_examples=10)
@given(inst=points(kinds=("planted",)))
def test_planted_points_are_critical(inst):
    g = autodiff_gradient(inst.net, inst.X, inst.Y, inst.theta)
    assert np.linalg.norm(g) <= 1e-9 * max(1.0, float(np.linalg.norm(inst.Y)))


@settings(max_examples=10)
@given(inst=highway_points(strong=True))
def test_highway_points_have_the_separated_edges_at_zero(inst):
    assert np.all(inst.theta[inst.hw.separated] == 0.0)
    assert inst.hw.n >= inst.net.d_y


@settings(max_examples=5)
@given(inst=prop2_patterns(draws=2))
def test_prop2_patterns_are_in_range(inst):
    assert np.all(np.abs(inst.Lam) <= 1.0)
    if inst.part == "ii":
        assert np.all(np.any(inst.Lam != 0, axis=1))
    else:
        assert np.sum(inst.Lam == 0) <= inst.Lam.shape[0] // 4
