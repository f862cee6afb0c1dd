"""Every strategy's draws satisfy the assumptions it promises (checked by an independent computation)."""

import numpy as np
from hypothesis import given, settings

from landscape.zhang2019 import deep_linear as dl
from strategies.zhang2019.deep_linear import deep_linear_problems, factorization_targets, weight_tuples


def _rank(A, rtol=1e-10):
    s = np.linalg.svd(A, compute_uv=False)
    return int(np.sum(s > rtol * s[0])) if s.size and s[0] > 0 else 0


@settings(max_examples=60)
@given(inst=deep_linear_problems(gamma_side="below"))
def test_below_side_instances_satisfy_theorem_2s_assumptions(inst):
    p = inst.problem
    assert p.H >= 2 and p.d_min <= min(p.widths[0], p.widths[-1], p.n)
    assert _rank(p.X) == inst.rank_X
    # sigma_min of Y~ recomputed from scratch with lstsq (not the library's projector)
    coef, *_ = np.linalg.lstsq(p.X.T, p.Y.T, rcond=None)
    Yt = (p.X.T @ coef).T
    s = np.linalg.svd(Yt, compute_uv=False)
    s = s[s > 1e-10 * s[0]]
    np.testing.assert_allclose(np.sort(s)[::-1], inst.planted_sv, rtol=1e-8)
    assert 0 <= p.gamma < s.min()
    assert all(p.assumptions().values())


@settings(max_examples=60)
@given(inst=deep_linear_problems(gamma_side="above"))
def test_above_side_instances_violate_only_the_gamma_assumption(inst):
    p = inst.problem
    assert p.d_min <= min(p.widths[0], p.widths[-1], p.n)
    assert p.gamma >= inst.planted_sv.min() * (1 - 1e-12)
    assert p.assumptions()["width"]


@settings(max_examples=60)
@given(inst=factorization_targets())
def test_factorization_targets_have_small_rank_inside_the_row_space(inst):
    X, Z, widths = inst.X, inst.weights[0], inst.widths
    d_min = min(widths[1:-1])
    assert d_min <= min(widths[0], widths[-1], X.shape[1])
    assert _rank(Z) <= d_min
    # Row(Z) in Row(X): appending Z's rows to X does not raise the rank
    assert _rank(np.vstack([X, Z])) == _rank(X)


@settings(max_examples=60)
@given(inst=weight_tuples())
def test_weight_tuples_chain(inst):
    assert inst.X.shape[0] == inst.widths[0]
    for i, W in enumerate(inst.weights, start=1):
        assert W.shape == (inst.widths[i], inst.widths[i - 1]) and np.all(np.isfinite(W))
    assert dl.product(inst.X, inst.weights).shape == (inst.widths[-1], inst.X.shape[1])


@settings(max_examples=60)
@given(inst=weight_tuples())
def test_balanced_weight_tuples_sit_on_the_boundary_of_eq6(inst):
    """Balanced tuples (unperturbed) attain eq. 6's inequality: penalty = nuclear norm of the product."""
    reg = dl.regularizer(inst.X, inst.weights)
    nuc = float(np.sum(np.linalg.svd(dl.product(inst.X, inst.weights), compute_uv=False)))
    assert nuc <= reg * (1 + 1e-9) + 1e-12
