"""The spare-neuron move judged against the rounding of the loss at its own size (liang2018.lem.spare).

A nightly run drew three points (exp neurons, polynomial hinge of degree p = 6..8) whose random parameters, once
a_1 = 0 and a_0 balanced, already have every margin near 1: losses 1.5e-14, 1.5e-12 and 1.1e-17, weights lambda_i
~ 1e-11..1e-15, yet not zero, so the lemma applies.  Its move lowers the loss there by 83-95% of the first-order
prediction, but the prediction (3.2e-15, 1.1e-13, 1.8e-18) was compared with an absolute rounding floor
1e3 eps (1 + L) = 2.2e-13 and rejected: no move, reported as a violation.  The float64 loss is relatively accurate
(5.7e-14 relative at seed 2 against 60-digit arithmetic), so the floor must scale with the loss and its weights
(:func:`landscape.liang2018.minima.loss_rounding_floor`).  Closer still to margin 1 (a fourth draw, margins
0.99983, loss 4.9e-27) the fixed output step 1e-4 is too long: the hinge's curvature l'' / l' = p / (1 - y f) eats
more than half the first-order gain, and the step is halved (the lemma's decrease holds for all small steps).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from landscape.liang2018 import minima as lm
from landscape.liang2018 import models as lg
from strategies.liang2018.data import near_margin_one
from theorems.liang2018.checks.zero_error import switched_off_point

CASES = [0, 1, 2, 3]


def _exact_loss(p: lg.ShallowProblem, theta: np.ndarray, dps: int = 60) -> mpmath.mpf:
    """The loss of the float64 parameters in ``dps``-digit arithmetic (mpmath): a second route to the value."""
    with mpmath.workdps(dps):
        a0, a, W = p.unpack(theta)
        s = mpmath.mpf(lg.activation(p.act).input_scale)
        act = {"exp": mpmath.exp}[p.act]
        total = mpmath.mpf(0)
        for i in range(p.n):
            f = mpmath.mpf(a0) + mpmath.mpf(p.offsets[i])
            for j in range(p.M):
                z = mpmath.fsum(mpmath.mpf(p.X[i, k]) * mpmath.mpf(W[k, j]) for k in range(p.d)) / s
                f += mpmath.mpf(a[j]) * act(z)
            u = 1 - mpmath.mpf(p.y[i]) * f
            total += u ** (p.p + 1) if u > 0 else 0
        return total / p.n


def _point(case: int):
    inst = near_margin_one(case)
    theta = switched_off_point(inst)
    assert theta is not None
    return inst, theta


@pytest.mark.parametrize("case", CASES)
def test_the_point_is_inside_the_lemma_andnear_margin_one(case):
    """a_1 = 0, a_0 balanced (sum lambda_i y_i ~ 0 to the root finder's accuracy), lambda > 0, every margin in (0.95, 1)
    on the samples that carry weight: the lemma applies, and the loss is tiny."""
    inst, theta = _point(case)
    p = inst.problem
    _, a, _ = p.unpack(theta)
    lam = p.lambdas(theta)
    assert a[0] == 0.0
    assert np.any(lam > 0) and lam.max() < 1e-9
    # a_0 is a root of sum lambda_i y_i to brentq's xtol 1e-14 (plus 4 eps |a_0|), which moves each lambda_i by
    # l''_i times that: near margin 1, l'' / l' = p / (1 - y f) is large (3e4 in case 3)
    l2 = np.abs(lm.loss_second(p, -p.y * p.outputs(theta)))
    xtol = 1e-14 + 4 * lg.EPS64 * abs(theta[0])
    assert abs(np.sum(lam * p.y)) <= 2 * xtol * np.sum(l2) + 1e3 * lg.EPS64 * np.sum(lam)
    margins = (p.y * p.outputs(theta))[lam > 0]
    assert np.all((margins > 0.95) & (margins < 1.0))
    assert p.value(theta) < 1e-11


@pytest.mark.parametrize("case", CASES)
def test_the_decrease_is_real_and_the_old_floor_hid_it(case):
    """The move is found now; its decrease agrees with 60-digit arithmetic to 1e-9 relative and is at least half
    the prediction there too; the absolute floor 1e3 eps (1 + L) exceeded the whole prediction; the new floor is
    an upper bound of the float64 loss's actual error (with the factor 1e3 on top of it in the move's test)."""
    inst, theta = _point(case)
    p = inst.problem
    move = lm.spare_neuron_escape(p, theta, seed=inst.seed)
    assert move is not None
    assert move["predicted"] < 1e3 * lg.EPS64 * (1.0 + p.value(theta))  # the old floor rejected it
    exact_before, exact_after = _exact_loss(p, theta), _exact_loss(p, move["theta"])
    exact_decrease = float(exact_before - exact_after)
    assert abs(move["decrease"] - exact_decrease) <= 1e-9 * exact_decrease
    assert exact_decrease >= 0.5 * move["predicted"]
    for t, exact in ((theta, exact_before), (move["theta"], exact_after)):
        assert abs(float(mpmath.mpf(p.value(t)) - exact)) <= lm.loss_rounding_floor(p, t)


@pytest.mark.parametrize("case", CASES)
def test_the_false_move_is_still_rejected(case):
    """The mutation meta-test's false move (output weight against g_lambda) raises the loss: never accepted, at
    any step down to the rounding floor."""
    inst, theta = _point(case)
    assert lm.spare_neuron_escape(inst.problem, theta, seed=inst.seed, sign=-1.0) is None


def test_the_floor_scales_with_the_loss():
    """At a point of loss O(1) the floor is of order eps times the loss's weights; at the nightly point it is 12
    orders of magnitude smaller, as the loss is."""
    inst, theta = _point(0)
    p = inst.problem
    far = theta.copy()
    far[0] -= 2.0  # a_0 moved: margins ~ -1 on one class, loss O(1e2)
    assert lm.loss_rounding_floor(p, far) > 1e3 * lg.EPS64
    assert lm.loss_rounding_floor(p, theta) < 1e-24


def test_near_margin_one_the_step_is_halved():
    """Case 3: the move at the fixed step SPARE_STEP gains less than half its prediction (rejected), at SPARE_STEP / 2
    it gains more (accepted): the halving, not the floor, decides there."""
    inst, theta = _point(3)
    p = inst.problem
    move = lm.spare_neuron_escape(p, theta, seed=inst.seed)
    assert move is not None and move["step"] == lm.SPARE_STEP / 2
    a0, a, W = p.unpack(theta)
    _, _, W2 = p.unpack(move["theta"])
    a2 = a.copy()
    a2[move["neuron"]] = 2 * move["theta"][1 + move["neuron"]]  # the same move at the full step
    full = p.pack(a0 - a2[move["neuron"]], a2, W2)  # sigma(0) = 1 for exp
    assert p.value(theta) - p.value(full) < 0.5 * (2 * move["predicted"])
