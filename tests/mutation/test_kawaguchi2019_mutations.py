"""Mutation meta-tests of the Kawaguchi et al. (2019) family: each runs a theorem's own check with one formula
mutated (a tightened bound, a wrong identity, a dropped orthogonalisation, a dropped assumption) over the ci
budget and passes when the suite refutes the mutant."""

from __future__ import annotations

import pytest

from strategies.kawaguchi2019 import (
    block_families,
    deep_linear,
    highway_points,
    orthogonal_pairs,
    points,
    prop2_patterns,
)
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.kawaguchi2019 import checks as kc


@pytest.mark.mutation("kawaguchi2019.thm1", "tau-version upper end halved")
def test_half_the_tau_upper_bound_is_refuted():
    msg = refuted_under_ci_budget(points(kinds=("tight",), overdetermined=False), kc.check_identity_E, upper_factor=0.5)
    assert msg is not None and "L - J_tau <= upper end" in msg


@pytest.mark.mutation("kawaguchi2019.thm1", "J from the hidden-layer blocks only (output block dropped)")
def test_J_from_hidden_blocks_only_is_refuted():
    msg = refuted_under_ci_budget(
        points(kinds=("random",), overdetermined=False), kc.check_identity_E, hidden_only=True
    )
    assert msg is not None and "(E)" in msg


@pytest.mark.mutation("kawaguchi2019.prop1", "Lemma 5 with the activation pattern dropped (D~ = [X, ..., X])")
def test_lemma5_without_the_pattern_is_refuted():
    msg = refuted_under_ci_budget(
        points(kinds=("planted",), depth=(1, 1), d_y=(1, 1), width=(1, 5), kinds_of_units=("relu", "abs", "leaky")),
        kc.check_prop1,
        drop_pattern=True,
    )
    assert msg is not None and "Lemma 5" in msg


@pytest.mark.mutation("kawaguchi2019.prop2", "the factor (1 + 6 sqrt(t/m)) dropped from bound (i)")
def test_prop2_without_the_deviation_factor_is_refuted():
    msg = refuted_under_ci_budget(prop2_patterns(), kc.check_prop2, drop_factor=True)
    assert msg is not None and "Clopper-Pearson" in msg


@pytest.mark.mutation("kawaguchi2019.thm2", "per-unit gain doubled")
def test_thm2_with_doubled_gain_is_refuted():
    msg = refuted_under_ci_budget(highway_points(), kc.check_highway, gain_factor=2.0)
    assert msg is not None and "RHS(S)" in msg


@pytest.mark.mutation("kawaguchi2019.cor1", "per-unit gain doubled")
def test_cor1_with_doubled_gain_is_refuted():
    msg = refuted_under_ci_budget(highway_points(restricted=True), kc.check_highway, gain_factor=2.0)
    assert msg is not None


@pytest.mark.mutation("kawaguchi2019.cor2", "per-unit gain doubled")
def test_cor2_with_doubled_gain_is_refuted():
    msg = refuted_under_ci_budget(highway_points(strong=True), kc.check_highway, only_ends=True, gain_factor=2.0)
    assert msg is not None


@pytest.mark.mutation("kawaguchi2019.linear", "assumption d_y <= min width dropped (bottleneck)")
def test_linear_with_a_bottleneck_is_refuted():
    msg = refuted_under_ci_budget(deep_linear(bottleneck=True), _linear_no_width_check)
    assert msg is not None and "OLS" in msg


def _linear_no_width_check(inst, record):
    import numpy as np

    theta = kc.train_linear(inst)
    point = kc.BarePoint(inst.net, inst.X, inst.Y, theta)
    t = kc.tangent(point)
    pc = kc.certify_point(inst.net, inst.X, inst.Y, theta)
    if not pc.local_min or t.rank == 0:
        record.inconclusive("not certified", instance=inst)
    slack = float(np.linalg.norm(t.g)) ** 2 / (2 * t.s[t.rank - 1] ** 2)
    rnd = kc.ktol.identity_E(float(t.y @ t.y), float(t.r @ t.r), t.s_max / t.s[t.rank - 1], t.size)
    record.close(
        t.L,
        kc.ols_value(inst.X, inst.Y),
        tol=slack + rnd,
        instance=inst,
        what="L at a certified local minimum = OLS value",
        routes=("trained net", "lstsq"),
    )


@pytest.mark.mutation("kawaguchi2019.lemma1", "Euler identity divided by H instead of H + 1")
def test_lemma1_wrong_euler_constant_is_refuted():
    def check(inst, record):
        kc.check_lemma1(inst, record, euler_denominator=float(inst.net.depth))

    msg = refuted_under_ci_budget(points(kinds=("random",), overdetermined=False), check)
    assert msg is not None and "Euler" in msg


@pytest.mark.mutation("kawaguchi2019.lemma2", "B = C (orthogonality assumption dropped)")
def test_lemma2_without_orthogonality_is_refuted():
    msg = refuted_under_ci_budget(orthogonal_pairs(), kc.check_lemma2, orthogonalize=False)
    assert msg is not None


@pytest.mark.mutation("kawaguchi2019.lemma3", "Q_j = B_j (no sequential orthogonalisation)")
def test_lemma3_without_orthogonalisation_is_refuted():
    msg = refuted_under_ci_budget(block_families(), kc.check_lemma3, orthogonalize=False)
    assert msg is not None


@pytest.mark.mutation("kawaguchi2019.thm1.smooth", "tau-version upper end halved at smooth critical points")
def test_half_the_tau_upper_bound_is_refuted_for_smooth_activations():
    msg = refuted_under_ci_budget(
        points(kinds=("tight",), smooth=("tanh", "softplus"), overdetermined=False),
        kc.check_thm1_at_certified_minima,
        upper_factor=0.5,
        need_class=False,
    )
    assert msg is not None and "upper end" in msg
