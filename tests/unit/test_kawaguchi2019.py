"""Unit tests of the Kawaguchi et al. (2019) numerics: Jacobian routes, J routes (incl. the fast and the dense
benchmark routes), planted points, the tau-interval, widening, kink margins, Prop. 2 helpers, highway sides."""

from __future__ import annotations

import numpy as np
import pytest

from landscape.kawaguchi2019 import bounds as kb
from landscape.kawaguchi2019 import figure as kf
from landscape.kawaguchi2019 import highway as kh
from landscape.kawaguchi2019 import points as kp
from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019.networks import Net, kink_margin, loss_value, vec
from theorems.kawaguchi2019.checks import autodiff_gradient


def _net(**kw):
    return Net(3, (4, 3), 2, slopes=(np.array([0.0, 0.3, -1.0, 1.0]), np.array([0.0, -0.2, 0.5])), **kw)


@pytest.mark.parametrize("kind", ["class", "tanh-output", "softplus", "tanh"])
def test_kronecker_jacobian_matches_jacrev(kind):
    rng = np.random.default_rng(0)
    if kind == "class":
        net = _net()
    elif kind == "tanh-output":
        net = _net(output="tanh")
    else:
        net = Net(3, (4, 3), 2, slopes=(None, None), smooth=kind)
    X = rng.standard_normal((15, 3))
    theta = net.init(rng)
    np.testing.assert_allclose(
        kt.jacobian_kronecker(net, theta, X), kt.jacobian_autodiff(net, theta, X), rtol=0, atol=1e-13
    )


def test_J_routes_agree_and_fast_route_matches():
    rng = np.random.default_rng(1)
    net = Net(4, (5, 5), 1, slopes=(np.zeros(5), np.full(5, 0.2)))
    X = rng.standard_normal((80, 4))
    Y = rng.standard_normal((80, 1))
    theta = net.init(rng)
    Jac = kt.jacobian_kronecker(net, theta, X)
    y = vec(Y)
    a = kt.J_svd(Jac, y)
    s_max = np.linalg.norm(Jac, 2)
    # scipy's default cond keeps a round-off direction here (rank 41 of 40): the cutoff must be passed
    assert a == pytest.approx(kt.J_lstsq(Jac, y, cond=kt.default_cutoff(Jac) / s_max), rel=1e-10)
    blocks = [B for _, B in kt.unit_blocks(net, theta, X)]
    assert a == pytest.approx(kt.J_gram_schmidt(blocks, y, 1e-9 * s_max), rel=1e-9)
    fast, rank = kt.J_fast(net, theta, X, Y)
    assert fast == pytest.approx(a, rel=1e-7)
    assert kt.J_dense_full_svd(net, theta, X, Y) == pytest.approx(a, rel=1e-10)
    assert 0 <= a <= loss_value(net, theta, X, Y) + 1e-10


def test_planted_point_is_critical_and_certified():
    rng = np.random.default_rng(2)
    net = _net()
    X = rng.standard_normal((30, 3))
    theta = net.init(rng)
    Y = kp.plant_critical(net, theta, X, rng, 0.01)
    assert np.linalg.norm(autodiff_gradient(net, X, Y, theta)) < 1e-12
    assert kp.certify_point(net, X, Y, theta).local_min


def test_tau_interval_holds_at_a_random_point_and_tight_point_attains_it():
    rng = np.random.default_rng(3)
    net = _net()
    X = rng.standard_normal((30, 3))
    theta = net.init(rng)
    Y = kp.plant_tight(net, theta, X, rng, 1.0, 0.5)
    Jac = kt.jacobian_kronecker(net, theta, X)
    U, s, Vt = kt.svd(Jac)
    g = np.linalg.norm(autodiff_gradient(net, X, Y, theta))
    tc = kb.tau_version(loss_value(net, theta, X, Y), U, s, vec(Y), g, np.linalg.norm(theta) / 3)
    assert np.all(tc.observed <= tc.upper + 1e-10) and np.all(tc.observed >= tc.lower - 1e-10)
    assert np.max(np.where(tc.observed > 0, tc.observed / tc.upper, 0)) > 0.9


def test_widening_keeps_the_function_and_cannot_raise_J():
    rng = np.random.default_rng(4)
    net = Net(3, (3, 3), 1, slopes=(np.zeros(3), np.zeros(3)))
    X = rng.standard_normal((40, 3))
    Y = rng.standard_normal((40, 1))
    theta = net.init(rng)
    wide, tw = kf.widen(net, theta, 1, 3, rng)
    assert kf.same_output(net, theta, wide, tw, X) < 1e-12
    assert (
        kt.J_svd(kt.jacobian_kronecker(wide, tw, X), vec(Y))
        <= kt.J_svd(kt.jacobian_kronecker(net, theta, X), vec(Y)) + 1e-10
    )


def test_kink_margin_skips_rows_after_a_dead_layer():
    net = Net(1, (1, 1), 1, slopes=(np.zeros(1), np.zeros(1)))
    X = np.array([[1.0], [-1.0]])
    theta = net.pack([np.array([[1.0]]), np.array([[1.0]]), np.array([[1.0]])])
    assert kink_margin(net, theta, X) == 1.0  # sample 2 is dead in layer 1 and exactly 0 in layer 2: skipped


def test_prop2_single_unit_smin_matches_exhaustive():
    rng = np.random.default_rng(5)
    lam = (rng.random(8) < 0.7).astype(float)
    exhaustive = kb.smin_over_row_subsets(lam[:, None], range(4, 9))
    assert kb.smin_relu_single_unit(lam) == pytest.approx(exhaustive)


def test_highway_routes_agree_and_narrow_highway_has_no_sigma():
    rng = np.random.default_rng(6)
    hw = kh.build(2, [3, 3], 1, 0, 1, [np.zeros(2), np.array([0.0, -1.0])], strong=False)
    X = rng.standard_normal((30, 2))
    theta = hw.net.init(rng)
    theta[hw.separated] = 0.0
    Y = kp.plant_critical(hw.net, theta, X, rng, 0.05)
    for sd in kh.both_sides(hw, theta, X, Y, 1e-14):
        assert sd.rhs_gs == pytest.approx(sd.rhs_closed, rel=1e-8, abs=1e-12)
        assert loss_value(hw.net, theta, X, Y) <= sd.rhs_closed + 1e-9
    narrow = kh.build(2, [3, 3], 2, 0, 1, [np.zeros(2), np.zeros(2)], strong=False)
    assert min(kh.highway_products(narrow, narrow.net.init(rng)).values()) == 0.0
