"""The Liang et al. strategies build instances inside each theorem's assumptions by construction."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from landscape.liang2018 import models as lg
from strategies.liang2018.data import separable_problems, subspace_problems


@settings(max_examples=60)
@given(inst=subspace_problems())
def test_subspace_data_meet_assumptions_2_and_3_and_the_width(inst):
    p = inst.problem
    assert inst.delta_r >= 1  # Assumption 3
    assert p.M >= 2 * max(p.n / inst.delta_r, inst.r_plus, inst.r_minus)
    assert p.act in lg.THM1_ACTIVATIONS and p.p >= 6 and p.loss == "poly_hinge"
    basis = np.stack([inst.basis(k) for k in range(p.d)], axis=1)
    coeff = p.X @ basis  # coordinates in the (rotated) basis
    for cls, own in ((1.0, inst.U_plus), (-1.0, inst.U_minus)):
        rows = coeff[p.y == cls]
        outside = [k for k in range(p.d) if k not in own]
        assert np.max(np.abs(rows[:, outside]), initial=0.0) < 1e-12  # on span(U_class)
        assert np.min(np.abs(rows[:, list(own)])) >= 0.2 - 1e-12  # no coordinate (near) zero
    assert set(np.unique(p.y)) == {-1.0, 1.0}


@settings(max_examples=30)
@given(inst=subspace_problems(acts=("square",), width="prop1"))
def test_prop1_width_exceeds_the_data_rank(inst):
    assert inst.problem.M > inst.r


@settings(max_examples=60)
@given(inst=separable_problems())
def test_separable_data_have_a_planted_margin_through_the_origin(inst):
    p = inst.problem
    assert np.isclose(np.linalg.norm(inst.separator), 1.0)
    assert np.min(p.y * (p.X @ inst.separator)) >= 0.05 - 1e-12
    assert p.act in lg.THM2_ACTIVATIONS and p.p >= 3
