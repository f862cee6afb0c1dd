"""The multi-branch numerics on their own: the certified bracket against the exact MILP, the enumeration route
against the MILP/LP routes, and malformed input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscape.zhang2019 import hinge_gap as hg
from landscape.zhang2019 import multibranch as mb


def _grid(I, G, seed):
    rng = np.random.default_rng(seed)
    w = np.sort(np.concatenate([np.zeros((I, 1)), rng.uniform(-2, 2, (I, G - 1))], axis=1), axis=1)
    Gv = np.cumsum(rng.standard_normal((I, G)), axis=1) / np.sqrt(G) + 0.3 * np.abs(w)
    H = w**2
    K = float(np.mean(H.min(axis=1)) + rng.uniform(0.05, 0.9) * (np.mean(H.max(axis=1)) - np.mean(H.min(axis=1))))
    return mb.GridBranches(Gv, H, K, w=w, h_center=np.zeros(I))


@settings(max_examples=25, deadline=None)
@given(I=st.integers(1, 64), G=st.integers(2, 40), seed=st.integers(0, 2**32 - 1))
def test_certified_bracket_contains_the_exact_primal(I, G, seed):
    inst = _grid(I, G, seed)
    bracket = mb.certified_bracket(inst)
    P, D = mb.primal_milp(inst), mb.dual_breakpoints(inst)
    assert bracket.ok and P.ok
    slack = 1e-7 * (1 + abs(P.value))  # HiGHS tolerances on the MILP side
    assert abs(bracket["lower"] - D.value) <= 1e-12 * (1 + abs(D.value))
    assert abs(mb.dual_bisection(inst).value - D.value) <= 1e-12 * (1 + abs(D.value))
    assert bracket["lower"] <= P.value + slack and P.value <= bracket["upper"] + slack
    # the bracket's upper end is an explicit feasible point: re-evaluate it from its choice
    value = np.mean([inst.G[i][bracket["choice"][i]] for i in range(I)])
    budget = np.mean([inst.H[i][bracket["choice"][i]] for i in range(I)])
    assert abs(value - bracket["upper"]) <= 1e-12 * (1 + abs(value)) and budget <= inst.K + inst.feas_tol
    # and its width is bounded by the rounding argument: at most one branch is fractional, costing <= rho_i / I
    assert bracket["upper"] - bracket["lower"] <= mb.rho_exact(inst).worst / I + slack


def test_enumeration_route_agrees_with_milp_and_lp_when_the_hinge_is_inactive():
    rng = np.random.default_rng(3)
    I, G, n = 3, 4, 5
    F = rng.standard_normal((I, G, n))
    y = rng.choice([-1.0, 1.0], n)
    tau = 1.5 * np.abs(F).max()
    H = rng.uniform(0, 2, (I, G))
    K = float(np.mean(H.min(axis=1)) + 0.4 * (np.mean(H.max(axis=1)) - np.mean(H.min(axis=1))))
    inst = mb.GridBranches(np.mean(1 - y * F / tau, axis=2), H, K)
    choices = hg.joint_choices(G, I)
    L = hg.hinge_losses(F, y, tau, choices)
    B = np.mean(np.stack([H[i, choices[:, i]] for i in range(I)], axis=1), axis=1)
    e = hg.enumerate_problem(L, B, K, choices)
    assert e.P == pytest.approx(mb.primal_milp(inst).value, abs=1e-12)
    assert e.D == pytest.approx(mb.dual_lp(inst).value, abs=1e-7)


def test_explicit_instance_numbers():
    for I in (1, 2, 5, 64):
        inst = mb.explicit_instance(I, 0.3)
        assert mb.primal_milp(inst).value == pytest.approx(1.0, abs=1e-9)
        assert mb.dual_breakpoints(inst).value == pytest.approx(1 - 0.7 / I, abs=1e-12)
        assert mb.delta_exact(inst).worst == pytest.approx(0.7, abs=1e-12)


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: mb.GridBranches([[np.nan, 1.0]], [[0.0, 1.0]], 0.5), "NaN|nan|finite"),
        (lambda: mb.GridBranches([], [], 0.5), "empty|I >= 1|at least"),
        (lambda: mb.GridBranches([[]], [[]], 0.5), "empty|at least"),
        (lambda: mb.GridBranches([[0.0, 1.0]], [[1.0, 2.0]], 0.5), "K"),
        (lambda: mb.PWLBranches([[0.0, 0.0, 1.0]], [[1, 1, 0.0]], [[0, 0, 1.0]], 1.0), "increasing"),
        (lambda: mb.PWLBranches([[0.0, 0.5, 1.0]], [[1, 1, 0.0]], [[0, 1, 0.0]], 1.0), "convex"),
        (lambda: hg.hinge_losses(np.ones((1, 2, 2)), np.array([1.0, 0.0]), 1.0, np.zeros((1, 1), int)), "y must hold"),
        (lambda: hg.hinge_losses(np.ones((1, 2, 2)), np.array([1.0, -1.0]), 0.0, np.zeros((1, 1), int)), "tau"),
        (lambda: hg.joint_choices(10, 9), "enumeration limit"),
        (
            lambda: mb.pwl_from_relu_units(
                **{**mb.explicit_network(2, 0.5), "y": -np.ones(1), "tau": 0.5}, require_assumption1=True
            ),
            "violates Assumption 1",
        ),
        (lambda: mb.pwl_from_relu_units(**{**mb.explicit_network(2, 0.5), "X": np.full((1, 1), np.inf)}), "X"),
        (lambda: mb.explicit_instance(0, 0.5), "I must be a positive integer"),
    ],
)
def test_malformed_multibranch_input_raises_value_error(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_grid_delta_routes_agree_where_rounding_moves_a_cut():
    """Found by a nightly run: c - r_k computed in floating point lands one ulp from w_k, and comparing radii at
    interval ends then dropped a grid point from f^ (Delta 0.04308 instead of 0.04099).  Both routines must agree,
    and agree with a dense evaluation of the definition."""
    w = np.array([-1.298338382023171, -0.5673673760738197, -0.015917828566033188, 0.4395345343152258])
    g = np.array([1.0559852406193981, 1.0990701907459706, 1.085497127831297, 1.0762861161642354])
    c = -0.5673673760738197
    inst = mb.GridBranches([g], [(w - c) ** 2], 1.0, w=[w], h_center=np.array([c]))
    own, helper = hg.delta_scalar_grid(w, g, c), mb.delta_exact(inst).worst
    v = np.linspace(w.min(), w.max(), 200_001)
    allowed = np.abs(w - c)[None, :] <= np.abs(v - c)[:, None]
    f_hat = np.where(allowed, g[None, :], np.inf).min(axis=1)
    hx, hy = hg._lower_hull(w, g)
    dense = float(np.max(f_hat - np.interp(v, hx, hy)))
    assert abs(own - helper) <= 1e-14
    assert dense <= own + 1e-14 and own - dense <= 1e-4  # dense is a lower estimate, off by slope * spacing
