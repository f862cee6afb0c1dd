"""Kawaguchi, Huang, Kaelbling (2019), Theorem 1: at a differentiable local minimum the loss equals J(theta),
the value of the best linear fit of the targets on the tangent features (the Jacobian's columns)."""

from __future__ import annotations

import pytest
from hypothesis import given

from strategies import budget
from strategies.kawaguchi2019 import points
from theorems.kawaguchi2019.checks import check_identity_E, check_thm1_at_certified_minima


@pytest.mark.claim(
    "kawaguchi2019.thm1",
    covers=(
        "depth 1-4, widths 1-4, d_y 1-3; ReLU, |x|, leaky (slope in [-1,1]), identity mixed per unit; "
        "Gaussian/low-rank/dup/digits; planted, trained"
    ),
)
@budget(1.0)
@given(inst=points(kinds=("planted", "planted", "planted", "trained")))
def test_loss_equals_J_at_certified_local_minima(inst, record):
    check_thm1_at_certified_minima(inst, record)


@pytest.mark.claim(
    "kawaguchi2019.thm1",
    covers="same nets and data, underdetermined m; random, trained, saddle, tight and planted points",
)
@budget(1.0)
@given(inst=points(kinds=("random", "trained", "saddle", "tight", "planted"), overdetermined=False))
def test_identity_E_and_tau_version_at_every_point(inst, record):
    check_identity_E(inst, record)
