"""Strategies for the failure cases of Liang et al. (2018): the propositions' distributions with the constructions
rebuilt on every draw (Propositions 2-7), and samples of Appendix B.8's bad event."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from landscape.liang2018 import constructions as cons
from landscape.liang2018 import models as lg


@st.composite
def prop2_instances(draw, act: str = "relu"):
    """Thm-1 data (t ~ U[-1, 1]) with Theorem 1's width, or Thm-2 data (u ~ U[0, 1]) with any width; a constant
    second network f_D = c; random output weights; any loss degree p >= 2 (the proposition's range; p >= 6,
    resp. p >= 3, puts the instance inside Theorem 1's, resp. Theorem 2's, assumptions)."""
    version = draw(st.sampled_from(["thm1", "thm2"]), label="data version")
    n_plus, n_minus = draw(st.integers(1, 10), label="n+"), draw(st.integers(1, 10), label="n-")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    if version == "thm1":
        X, y = cons.half_space_subspace_data(*cons.draw_subspace_t(rng, n_plus, n_minus))
        M = lg.required_width_thm1(n_plus + n_minus, 2, 2, 1) + draw(st.integers(0, 2), label="surplus")
    else:
        X, y = cons.half_space_separable_data(rng.uniform(0, 1, n_plus), rng.uniform(0, 1, n_minus))
        M = draw(st.integers(1, 6), label="M")
    p = draw(st.integers(2, 8), label="p")
    offset = draw(st.sampled_from([0.0, 0.7, -1.3]), label="f_D constant")
    return cons.prop2_dead_point(
        X,
        y,
        M,
        act,
        p,
        a=rng.standard_normal(M),
        offset=offset,
        seed=seed,
        description=f"prop2 {version} data n+={n_plus} n-={n_minus} M={M} act={act} p={p} f_D={offset} seed={seed}",
    )


@st.composite
def event_data(draw, max_per_class: int = 10):
    """Thm-1 data of Propositions 3 and 7 on their event: each class holds both signs of t."""
    n_plus, n_minus = draw(st.integers(2, max_per_class), label="n+"), draw(st.integers(2, max_per_class), label="n-")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    X, y = cons.half_space_subspace_data(*cons.draw_subspace_t(rng, n_plus, n_minus, both_signs=True))
    return X, y, seed


@st.composite
def prop3_instances(draw, act: str = "leaky_relu"):
    X, y, seed = draw(event_data())
    M = lg.required_width_thm1(len(y), 2, 2, 1) + draw(st.integers(0, 2), label="surplus")
    p = draw(st.integers(2, 8), label="p")
    return cons.prop3_linear_point(
        X,
        y,
        M,
        act,
        p,
        seed=seed,
        description=(
            f"prop3 event data n+={int(np.sum(y > 0))} n-={int(np.sum(y < 0))} M={M} act={act} p={p} seed={seed}"
        ),
    )


@st.composite
def prop4_instances(draw, act: str = "tanh"):
    """The symmetric event: k copies of +-e1 (positives), m of +-e2 (negatives), in a random orthonormal basis;
    Theorem 1's width for the 2n = 2k + 2m samples (Delta r = 1)."""
    k, m = draw(st.integers(1, 5), label="k"), draw(st.integers(1, 5), label="m")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((2, 2)))[0] if draw(st.booleans(), label="rotate") else None
    X, y = cons.symmetric_sample(k, m, Q)
    M = lg.required_width_thm1(len(y), 1, 1, 1) + draw(st.integers(0, 2), label="surplus")
    p = draw(st.integers(2, 8), label="p")
    return cons.prop4_constant_point(
        X,
        y,
        M,
        act,
        p,
        a=rng.standard_normal(M),
        seed=seed,
        description=(f"prop4 symmetric sample k={k} m={m} rotated={Q is not None} M={M} act={act} p={p} seed={seed}"),
    )


@st.composite
def prop5_instances(draw, act: str = "square"):
    """Positives ~ U[1, 2], negatives ~ U[-2, -1] (separable by w = 1); p >= 2 (p >= 3: Theorem 2's range)."""
    n_plus, n_minus = draw(st.integers(1, 12), label="n+"), draw(st.integers(1, 12), label="n-")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    X, y = cons.prop5_data(rng.uniform(1, 2, n_plus), rng.uniform(-2, -1, n_minus))
    M = draw(st.integers(1, 4), label="M")
    p = draw(st.integers(2, 8), label="p")
    return cons.prop5_constant_point(
        X,
        y,
        M,
        act,
        p,
        magnitudes=rng.uniform(0.3, 2.0, M),
        seed=seed,
        description=(f"prop5 n+={n_plus} n-={n_minus} M={M} act={act} p={p} seed={seed}"),
    )


@st.composite
def prop6_instances(draw, act: str = "relu"):
    """Any dataset: Gaussian inputs with random labels, or labels of a planted affine rule (then an error-free
    network of the same architecture exists when every hidden layer has width >= 2)."""
    d, n = draw(st.integers(1, 4), label="d"), draw(st.integers(2, 16), label="n")
    depth = draw(st.integers(1, 3), label="hidden layers")
    hidden = tuple(draw(st.integers(1, 4), label="width") for _ in range(depth))
    labels = draw(st.sampled_from(["random", "planted"]), label="labels")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    p = draw(st.integers(2, 8), label="p")
    rng = np.random.default_rng(seed)
    y = np.r_[1.0, -1.0, rng.choice([-1.0, 1.0], n - 2)]
    Z = rng.standard_normal((n, d))
    planted = None
    if labels == "planted":
        w = rng.standard_normal(d)
        w /= np.linalg.norm(w)
        b = 0.5 * rng.standard_normal()
        # move every point along w so that w^T x + b = y (0.3 + |g|): labelled by the rule with margin 0.3
        Z += np.outer(y * (0.3 + np.abs(rng.standard_normal(n))) - (Z @ w + b), w)
        planted = np.r_[w, b]
    return cons.prop6_dead_first_layer(
        Z,
        y,
        hidden,
        act,
        p,
        seed=seed,
        planted=planted,
        description=(
            f"prop6 d={d} n={n} n+={int(np.sum(y > 0))} hidden={hidden} labels={labels} act={act} p={p} seed={seed}"
        ),
    )


@st.composite
def prop7_instances(draw):
    X, y, seed = draw(event_data())
    k = draw(st.integers(1, 5), label="k")
    p = draw(st.integers(2, 8), label="p")
    return cons.prop7_shortcut_point(
        X,
        y,
        k,
        p,
        seed=seed,
        description=(f"prop7 event data n+={int(np.sum(y > 0))} n-={int(np.sum(y < 0))} k={k} p={p} seed={seed}"),
    )


B8_EVENT_SIZES = {"A": (4, 5, 6, 7, 8), "B": (5, 6, 7)}  # sizes whose bad event is non-empty


@st.composite
def b8_event_samples(draw, instance: str):
    """A sample from the bad event, drawn among the exactly enumerated bad samples, in a random order."""
    n = draw(st.sampled_from(B8_EVENT_SIZES[instance]), label="n")
    bad = _bad_patterns(instance, n)
    values, labels, prob, errs = bad[draw(st.integers(0, len(bad) - 1), label="pattern")]
    order = draw(st.permutations(range(n)), label="order")
    return tuple(values[i] for i in order), tuple(labels[i] for i in order), prob, errs


_BAD_CACHE: dict = {}


def _bad_patterns(instance: str, n: int):
    if (instance, n) not in _BAD_CACHE:
        _BAD_CACHE[instance, n] = cons.b8_bad_patterns(instance, n)
    return _BAD_CACHE[instance, n]
