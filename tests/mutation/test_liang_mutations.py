"""The zero-error family can fail: with one assumption of Liang et al.'s theorems dropped, the same check the
theorem tests run must find a certified local minimum that misclassifies, within the ci budget.

* a neuron outside Theorem 1's class (ReLU) on subspace data in a half-space, with a start at a dead-neuron point;
* a loss outside Assumption 1 (the square loss) with quadratic neurons on 1-D-per-class subspace data.

Width below Theorem 1's threshold (M = 1 or 2 softplus neurons on subspace data) used to be "refuted" here; with a
certifier that withholds its verdict in saturated regions it no longer is: every misclassifying end point the
search reached at that width was a saturated, asymptotic point (weights 14..100, Theorem 2's first-order bound
positive), not a local minimum.  See tests/mutation/test_liang2018_critical.py for what the critical-point search
finds there.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from landscape.liang2018 import models as lg
from strategies.liang2018.data import LiangInstance
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.liang2018.checks import check_zero_error_at_minima


@st.composite
def half_space_relu_problems(draw):
    """Subspace data with U+ = {e1, e2}, U- = {e1, e3}, every sample with first coordinate 1 (Assumption 3 holds,
    Delta r = 1), ReLU neurons at Theorem 1's width; plus the start where every neuron is dead (w_j = -e1) and
    the output bias is the best constant."""
    n = draw(st.integers(4, 12), label="n")
    n_plus = draw(st.integers(1, n - 1), label="n_plus")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    y = np.r_[np.ones(n_plus), -np.ones(n - n_plus)]
    t = rng.uniform(-1, 1, n)
    X = np.zeros((n, 3))
    X[:, 0] = 1.0
    X[y > 0, 1] = t[y > 0]
    X[y < 0, 2] = t[y < 0]
    M = lg.required_width_thm1(n, 2, 2, 1)
    p = lg.ShallowProblem(X, y, M, "relu", 6)
    inst = LiangInstance(p, "subspace", seed, (0, 1), (0, 2), note="half-space")
    dead = p.pack(lg.constant_model_optimum(n_plus, n - n_plus, 6), rng.standard_normal(M),
                  np.tile(np.array([[-1.0], [0.0], [0.0]]), (1, M)))
    return inst, dead


def test_relu_neurons_give_a_certified_bad_minimum():
    def check(pair, record):
        inst, dead = pair
        check_zero_error_at_minima(inst, record, starts=1, extra_starts=[dead])

    message = refuted_under_ci_budget(half_space_relu_problems(), check)
    assert message is not None and "misclassified samples at a local-min end point" in message


@st.composite
def square_loss_problems(draw):
    """Positives s e1, negatives t e2 with s, t in {1, 2, 3}; quadratic neurons at Theorem 1's width; square loss."""
    n_plus = draw(st.integers(1, 3), label="n_plus")
    n_minus = draw(st.integers(1, 3), label="n_minus")
    s = np.array(draw(st.lists(st.sampled_from([1.0, 2.0, 3.0]), min_size=n_plus, max_size=n_plus)))
    t = np.array(draw(st.lists(st.sampled_from([1.0, 2.0, 3.0]), min_size=n_minus, max_size=n_minus)))
    X = np.zeros((n_plus + n_minus, 2))
    X[:n_plus, 0] = s
    X[n_plus:, 1] = t
    y = np.r_[np.ones(n_plus), -np.ones(n_minus)]
    M = lg.required_width_thm1(y.size, 1, 1, 1)
    seed = draw(st.integers(0, 2**16), label="seed")
    return LiangInstance(lg.ShallowProblem(X, y, M, "square", 6, "square"), "subspace", seed, (0,), (1,))


def test_square_loss_gives_a_certified_bad_minimum():
    message = refuted_under_ci_budget(square_loss_problems(), check_zero_error_at_minima)
    assert message is not None and "misclassified samples at a local-min end point" in message
