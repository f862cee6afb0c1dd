"""Strategies for binary classification with a single-layer branch plus offsets (Liang et al. 2018).

Instances are built inside each theorem's assumptions by construction:

* ``subspace_problems``  Theorem 1 / Proposition 1 / Proposition 9: positives on span(U_+), negatives on span(U_-),
  each class owning at least one basis vector of its own (Delta r >= 1), coefficients bounded away from zero (so
  Assumption 2's "no coordinate exactly zero" holds surely, not just almost surely), an optional common random
  rotation, width at the theorem's threshold plus a drawn surplus, an activation of the theorem's class, offsets
  standing for an arbitrary second network f_D.
* ``separable_problems`` Theorem 2: a drawn unit separator through the origin and points pushed off its hyperplane
  by a drawn margin on the side of their label.

Outside the assumptions (for the mutation meta-tests) the same strategies take ``width=``, ``act=``, ``p=`` overrides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from landscape.liang2018 import models as lg


@dataclass
class LiangInstance:
    problem: lg.ShallowProblem
    kind: str  # "subspace" or "separable"
    seed: int
    U_plus: tuple = ()
    U_minus: tuple = ()
    Q: np.ndarray | None = None  # rotation applied to the basis (columns are the basis vectors e_k)
    separator: np.ndarray | None = None
    margin: float = 0.0
    note: str = ""

    @property
    def r_plus(self) -> int:
        return len(self.U_plus)

    @property
    def r_minus(self) -> int:
        return len(self.U_minus)

    @property
    def r(self) -> int:
        return len(set(self.U_plus) | set(self.U_minus))

    @property
    def delta_r(self) -> int:
        return self.r - max(self.r_plus, self.r_minus)

    def basis(self, k: int) -> np.ndarray:
        e = np.zeros(self.problem.d)
        e[k] = 1.0
        return e if self.Q is None else self.Q @ e

    def summary(self) -> str:
        p = self.problem
        head = (
            f"{self.kind} n={p.n} (n+={int(np.sum(p.y > 0))}) d={p.d} M={p.M} act={p.act} loss={p.loss}"
            f"{'' if p.loss != 'poly_hinge' else f' p={p.p}'} offsets={'0' if not np.any(p.offsets) else 'drawn'}"
        )
        if self.kind == "subspace":
            head += f" U+={list(self.U_plus)} U-={list(self.U_minus)} dr={self.delta_r}"
        else:
            head += f" margin={self.margin:.3g}"
        return f"{head} seed={self.seed} {self.note}".strip()


def _labels(draw, n: int) -> np.ndarray:
    n_plus = draw(st.integers(1, n - 1), label="n_plus")
    return np.r_[np.ones(n_plus), -np.ones(n - n_plus)]


def _offsets(draw, rng, n: int) -> np.ndarray:
    scale = draw(st.sampled_from([0.0, 0.5, 3.0]), label="offset scale")
    return scale * rng.standard_normal(n)


@st.composite
def subspace_problems(
    draw,
    acts=lg.THM1_ACTIVATIONS,
    max_n: int = 14,
    max_d: int = 6,
    p_values=(6, 7, 8),
    width: str = "theorem",
    loss: str = "poly_hinge",
    rotate: bool | None = None,
    min_n: int = 2,
):
    """Subspace data and a width at Theorem 1's threshold (``width="theorem"``), at Proposition 1's ``M = r + 1``
    (``"prop1"``), or below both (``"narrow"``: M = 1 or 2, outside the assumptions)."""
    only_plus = draw(st.integers(1, 2), label="|U+ \\ U-|")
    only_minus = draw(st.integers(1, 2), label="|U- \\ U+|")
    shared = draw(st.integers(0, 2), label="|U+ & U-|")
    r = only_plus + only_minus + shared
    d = draw(st.integers(r, max(r, max_d)), label="d")
    n = draw(st.integers(min_n, max(min_n, max_n)), label="n")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    n_plus = draw(st.integers(1, n - 1), label="n_plus")
    if rotate is None:
        rotate = draw(st.booleans(), label="rotate")
    act = draw(st.sampled_from(acts), label="activation")
    if width == "theorem":
        surplus = draw(st.integers(0, 2), label="surplus")
    elif width == "prop1":
        surplus = draw(st.integers(0, 1), label="surplus")
    elif width == "narrow":
        surplus = draw(st.integers(1, 2), label="M")
    else:
        raise ValueError(f"unknown width rule {width!r}")
    p = draw(st.sampled_from(p_values), label="p")
    offset_scale = draw(st.sampled_from([0.0, 0.5, 3.0]), label="offset scale")
    return subspace_instance(
        seed, (only_plus, only_minus, shared), d, n, n_plus, rotate, act, width, surplus, p, loss, offset_scale
    )


def subspace_instance(
    seed: int,
    sizes: tuple,
    d: int,
    n: int,
    n_plus: int,
    rotate: bool,
    act: str,
    width: str = "theorem",
    surplus: int = 0,
    p: int = 6,
    loss: str = "poly_hinge",
    offset_scale: float = 0.0,
) -> LiangInstance:
    """The instance :func:`subspace_problems` builds from its draws (``sizes`` = (|U+ \\ U-|, |U- \\ U+|,
    |U+ & U-|); ``surplus`` is the drawn M itself under ``width="narrow"``): the data, basis sets, rotation and
    offsets all come from ``default_rng(seed)``, so a failing draw's summary line rebuilds it exactly."""
    only_plus, only_minus, shared = sizes
    rng = np.random.default_rng(seed)
    perm = rng.permutation(d)
    U_plus = tuple(sorted(int(k) for k in perm[: only_plus + shared]))
    U_minus = tuple(sorted(int(k) for k in perm[only_plus : only_plus + shared + only_minus]))
    y = np.r_[np.ones(n_plus), -np.ones(n - n_plus)]
    coeff = rng.choice([-1.0, 1.0], (n, d)) * (0.2 + np.abs(rng.standard_normal((n, d))))
    mask = np.zeros((n, d))
    for i in range(n):
        mask[i, list(U_plus if y[i] > 0 else U_minus)] = 1.0
    X = coeff * mask
    Q = np.linalg.qr(rng.standard_normal((d, d)))[0] if rotate else None
    if Q is not None:
        X = X @ Q.T  # x_i = Q (coefficients): the basis vectors become the columns of Q
    inst = LiangInstance(lg.ShallowProblem(X, y, 1, act), "subspace", seed, U_plus, U_minus, Q)
    if width == "theorem":
        M = lg.required_width_thm1(n, inst.r_plus, inst.r_minus, inst.delta_r) + surplus
    elif width == "prop1":
        M = inst.r + 1 + surplus
    elif width == "narrow":
        M = surplus
    else:
        raise ValueError(f"unknown width rule {width!r}")
    inst.problem = lg.ShallowProblem(X, y, M, act, p, loss, offset_scale * rng.standard_normal(n))
    return inst


@st.composite
def separable_problems(
    draw, acts=lg.THM2_ACTIVATIONS, max_n: int = 20, max_d: int = 5, p_values=(3, 4, 6), max_M: int = 3, min_n: int = 2
):
    """Linearly separable data through the origin with a planted unit separator and a drawn margin."""
    d = draw(st.integers(1, max_d), label="d")
    n = draw(st.integers(min_n, max(min_n, max_n)), label="n")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    margin = draw(st.sampled_from([0.05, 0.3, 1.0]), label="margin")
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    y = _labels(draw, n)
    Z = rng.standard_normal((n, d))
    Z -= np.outer(Z @ u, u)  # component orthogonal to the separator
    X = Z + np.outer(y * (margin + np.abs(rng.standard_normal(n))), u)
    act = draw(st.sampled_from(acts), label="activation")
    M = draw(st.integers(1, max_M), label="M")
    p = draw(st.sampled_from(p_values), label="p")
    prob = lg.ShallowProblem(X, y, M, act, p, "poly_hinge", _offsets(draw, rng, n))
    return LiangInstance(prob, "separable", seed, separator=u, margin=float(np.min(y * (X @ u))))


# -- nightly draws kept as explicit examples (rebuilt from their seeds) ----------------------------------------
def near_margin_one(case: int) -> LiangInstance:
    """The three nightly draws (exp neurons, polynomial hinge) whose random point, once a_0 is balanced, already
    has every margin near 1: loss 1.5e-14 (seed 2, margins 0.989), 1.5e-12 (seed 291) and 1.1e-17 (seed 1160).
    The move lowers the loss there by 83-95% of its first-order prediction (2.7e-15, 1.0e-13, 1.6e-18; confirmed
    in 60-digit arithmetic), but an absolute rounding floor 1e3 eps (1 + L) = 2.2e-13 used to reject it.  Case 3
    (a draw of the replay after the fix, margins 0.99983, loss 4.9e-27) needs the halved output step: at 1e-4 the
    hinge's curvature (l'' / l' = p / (1 - y f) ~ 3e4) eats more than half the first-order gain."""
    return [
        lambda: subspace_instance(2, (1, 1, 0), 2, 2, 1, True, "exp", surplus=2, p=6),
        lambda: subspace_instance(291, (1, 2, 2), 6, 5, 4, False, "exp", surplus=0, p=7, offset_scale=3.0),
        lambda: subspace_instance(1160, (1, 2, 1), 4, 2, 1, True, "exp", surplus=0, p=8, offset_scale=0.5),
        lambda: subspace_instance(2, (1, 1, 1), 3, 2, 1, False, "exp", surplus=2, p=6, offset_scale=3.0),
    ][case]()
