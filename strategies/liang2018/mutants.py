"""Instances just outside the assumptions of Liang et al.'s positive theorems, for the mutation meta-tests: each is
the theorem's instance with one assumption dropped, so the theorem's own search must find certified bad minima.

* ``half_space_relu_problems``  Theorem 1's data and width, ReLU neurons (outside Assumption 5's class), with the
  dead-neuron start of Proposition 2 (every w_j = -e1, output bias the best constant);
* ``separable_square_problems`` Theorem 2's data (Proposition 5's 1-D separable samples), quadratic neurons
  (sigma' > 0 fails: outside Theorem 2's class);
* ``radial_square_problems``    Proposition 1's quadratic neurons with M = d + 1 > r, on data that are not subspace
  data (the radial data of Propositions 11-12, where S(lam) is definite for class-uniform weights);
* ``square_loss_problems``      Theorem 1's data, width and neurons with the square loss (outside Assumption 1).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from landscape.liang2018 import models as lg
from landscape.liang2018.data import prop5_data
from strategies.liang2018.conditions import radial_problems
from strategies.liang2018.data import LiangInstance


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
    inst = LiangInstance(p, "subspace", seed, (0, 1), (0, 2), note="half-space relu")
    dead = p.pack(
        lg.constant_model_optimum(n_plus, n - n_plus, 6),
        rng.standard_normal(M),
        np.tile(np.array([[-1.0], [0.0], [0.0]]), (1, M)),
    )
    return inst, dead


@st.composite
def separable_square_problems(draw):
    """Positives ~ U[1, 2], negatives ~ U[-2, -1] (separable through the origin by w = 1), 1..3 quadratic neurons,
    p in {3, 4, 6} (Theorem 2's range), no second network."""
    n_plus, n_minus = draw(st.integers(2, 8), label="n+"), draw(st.integers(2, 8), label="n-")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    X, y = prop5_data(rng.uniform(1, 2, n_plus), rng.uniform(-2, -1, n_minus))
    M = draw(st.integers(1, 3), label="M")
    p = draw(st.sampled_from([3, 4, 6]), label="p")
    return LiangInstance(
        lg.ShallowProblem(X, y, M, "square", p),
        "separable",
        seed,
        separator=np.ones(1),
        margin=float(np.min(y * X[:, 0])),
        note="square neurons",
    )


@st.composite
def radial_square_problems(draw):
    """The radial data of Propositions 11-12 (not subspace data: S(lam) definite for class-uniform weights) with
    Proposition 1's quadratic neurons, M = d + 1, p >= 6, no second network."""
    c = draw(radial_problems(symmetric=False, acts=("square",)), label="radial data")
    prob = lg.ShallowProblem(c.X, c.y, c.d + 1, "square", c.p)
    return LiangInstance(prob, "radial", c.seed, note=f"radial side={c.side:+d} t0={c.t0:.3g}")


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
