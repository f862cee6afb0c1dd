"""The survey family's checks can fail: run with one formula mutated (or the planting dropped), each must be
refuted within the ci budget."""

from __future__ import annotations

import numpy as np
import pytest

from strategies.survey import gd_instances, gram_instances, planted_neurons
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.survey.checks import check_gd_rate, check_gram_empirical, check_gram_routes, primary_gram

RELU = gram_instances(acts=("relu",), max_n=4, H=(1, 4))


def _closed(c=2.0, final="limit", drop_sin=False, drop_factor=False):
    """The ReLU recursion re-implemented with one change (independent of the library's closed form)."""

    def K(X, H):
        K0 = X @ X.T
        layers = [K0]

        def moments(Kp):
            d = np.sqrt(np.diag(Kp))
            nrm = np.outer(d, d)
            th = np.arccos(np.clip(Kp / nrm, -1, 1))
            j1 = nrm / (2 * np.pi) * ((0.0 if drop_sin else np.sin(th)) + (np.pi - th) * np.cos(th))
            return j1, (np.pi - th) / (2 * np.pi)

        for _ in range(1, H):
            layers.append(c * moments(layers[-1])[0])
        cov = layers[-2] if (final == "printed" and H >= 2) else layers[-1]
        return c * (1.0 if drop_factor else layers[-1]) * moments(cov)[1]

    return K


def test_the_unmutated_reimplementation_survives():
    """Control (not a mutant): the same re-implementation without a change passes, so the refutations below come
    from the mutations, not from the re-implementation."""
    assert refuted_under_ci_budget(RELU, check_gram_routes, closed=_closed()) is None


@pytest.mark.mutation("du2019.gram", "c_sigma 1 % high (2.02 instead of 2)")
def test_a_wrong_normaliser_is_refuted():
    message = refuted_under_ci_budget(RELU, check_gram_routes, closed=_closed(c=2.02))
    assert message is not None and "two routes agree" in message


@pytest.mark.mutation("du2019.gram", "last expectation over A^(H-1), as the survey prints Definition 1")
def test_the_printed_index_is_refuted_by_the_quadrature_of_the_limit():
    message = refuted_under_ci_budget(RELU, check_gram_routes, closed=_closed(final="printed"))
    assert message is not None and "two routes agree" in message


@pytest.mark.mutation("du2019.gram", "sin(theta) term dropped from the degree-1 arc-cosine kernel")
def test_a_broken_arccos_kernel_is_refuted():
    assert refuted_under_ci_budget(RELU, check_gram_routes, closed=_closed(drop_sin=True)) is not None


@pytest.mark.mutation("du2019.gram", "factor K^(H-1) dropped from the last step")
def test_a_missing_factor_is_refuted():
    assert refuted_under_ci_budget(RELU, check_gram_routes, closed=_closed(drop_factor=True)) is not None


def _scaled_limit(inst, record, factor):
    K, _ = primary_gram(inst)
    return check_gram_empirical(inst, record, K=factor * K)


@pytest.mark.mutation("du2019.gram", "limit scaled by 1.1 against the empirical route")
def test_the_empirical_route_refutes_a_scaled_limit():
    strat = gram_instances(acts=("relu", "tanh"), max_n=4, H=(1, 3))
    message = refuted_under_ci_budget(strat, _scaled_limit, factor=1.1)
    assert message is not None and "standard errors" in message


@pytest.mark.mutation("du2019.thm", "rate constant lambda_min(K^(H)) replaced by lambda_max of the full G(0)")
def test_a_too_fast_rate_is_refuted():
    strat = gd_instances(widths=(128,), max_n=4, H=(2, 2))
    message = refuted_under_ci_budget(strat, check_gd_rate, lam_of=lambda run, lam0: run.lam_max_full, steps=40)
    assert message is not None and "L(k) <=" in message


def _unplanted(inst):
    """Labels no longer realizable: relu(X^T w*) plus a seeded non-negative perturbation."""
    rng = np.random.default_rng(inst.seed + 1)
    return inst.problem.Y + rng.uniform(0.5, 1.5, inst.problem.n)


@pytest.mark.mutation("ergen2019.relaxation.planted", "planting dropped (non-negative labels off the model)")
def test_dropping_the_planting_is_refuted():
    from theorems.survey.checks import check_planted_relaxation

    strat = planted_neurons(max_d0=2).filter(lambda i: i.problem.n >= 2)
    message = refuted_under_ci_budget(strat, check_planted_relaxation, labels=_unplanted)
    assert message is not None and "L(argmin L_r)" in message


@pytest.mark.mutation("du2019.dynamics", "G(k) replaced by the last layer's Gram G^(H) only (other layers dropped)")
def test_a_partial_tangent_gram_is_refuted():
    from landscape.survey import du2019 as du
    from theorems.survey.checks import check_one_step_dynamics

    strat = gd_instances(acts=("tanh", "softplus"), widths=(16,), max_n=4, H=(2, 2))
    message = refuted_under_ci_budget(strat, check_one_step_dynamics, gram=du.finite_width_gram)
    assert message is not None and "second order" in message
