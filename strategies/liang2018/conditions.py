"""Strategies for the data conditions and realizability results of Liang et al. 2018 (Propositions 8-12).

* ``radial_problems``: data that violate the conditions of Propositions 11/12 by construction.  One class (the
  "outer" one) sits at radius R_o on a random orthonormal frame plus extra random directions, the other at a
  smaller radius R_i = R_o sqrt(rho lambda_min(P) / lambda_max(N)) (P, N the per-class direction second moments,
  0 < rho < 1).  With the class-uniform weights ``lam0`` the matrix ``side * S(lam0)`` is then positive definite
  with smallest eigenvalue at least (1 - rho) R_o^2 lambda_min(P) > 0 (side = +1 when the positives are outer).
  With ``symmetric=True`` every point comes with its mirror image, so ``lam0`` also has a zero weighted mean
  (Proposition 11's extra constraint).  The catalog's instance (d = 2, radii 2 and 1 on the axes) is
  ``catalog_radial_instance``.
* ``leaky_subspace_problems``: subspace data whose samples leak out of their class's span by a bounded amount:
  no longer subspace data, but Proposition 12's condition still holds (certificate in the docstring).
* ``teacher_problems``: feed-forward networks with data labelled by a planted teacher of the same architecture,
  so a zero-error parameter exists by construction (the teacher with its output bias moved between two
  consecutive output values).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from landscape.liang2018 import conditions as lc
from landscape.liang2018 import models as lg


@dataclass
class ConditionInstance:
    X: np.ndarray
    y: np.ndarray
    side: int  # +1: S(lam0) is positive definite; -1: negative definite
    lam0: np.ndarray  # planted admissible weights (unit weight per class)
    t0: float  # lambda_min(side * S(lam0)) > 0: a lower bound on the SDP value
    symmetric: bool  # lam0 also has a zero weighted mean
    seed: int
    act: str = "softplus"
    M: int = 3
    p: int = 6
    level: float = 1.3
    B: float = 0.0
    note: str = ""

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])

    def summary(self) -> str:
        return (
            f"radial n={self.n} (n+={int(np.sum(self.y > 0))}) d={self.d} side={self.side:+d} "
            f"{'symmetric ' if self.symmetric else ''}t0={self.t0:.4g} act={self.act} M={self.M} p={self.p} "
            f"level={self.level:g} B={self.B:g} seed={self.seed} {self.note}"
        ).strip()


def catalog_radial_instance(act: str = "softplus", M: int = 3, p: int = 6, level: float = 1.0) -> ConditionInstance:
    """Positives at (+-2, 0), (0, +-2), negatives at (+-1, 0), (0, +-1): S(lam) = 1.5 I for uniform weights."""
    X = np.array([[2, 0], [-2, 0], [0, 2], [0, -2], [1, 0], [-1, 0], [0, 1], [0, -1]], dtype=float)
    y = np.r_[np.ones(4), -np.ones(4)]
    lam0 = np.full(8, 0.25)
    return ConditionInstance(
        X, y, 1, lam0, lc.side_value(X, y, lam0, 1), True, 0, act, M, p, level, 0.0, note="catalog instance"
    )


def _frame_and_extra(rng, d: int, extra: int) -> np.ndarray:
    Q = np.linalg.qr(rng.standard_normal((d, d)))[0]
    U = rng.standard_normal((d, extra))
    U /= np.linalg.norm(U, axis=0, keepdims=True)
    return np.concatenate([Q, U], axis=1)  # d x (d + extra) unit columns


@st.composite
def radial_problems(
    draw,
    symmetric: bool = True,
    sides=(1, -1),
    acts=lg.THM1_ACTIVATIONS,
    p_values=(6, 7, 8),
    max_M: int = 4,
    levels=(1.1, 1.3, 1.6),
):
    """Radial data violating the condition (module docstring), with the construction's parameters: activation,
    M >= 2 neurons (random L-BFGS starts must be able to reach zero error to show the planted minimum is not
    global; with one neuron they rarely do), degree p, level > 1 (the most-weighted sample is misclassified)
    and the constant B of f_S."""
    d = draw(st.integers(2, 3), label="d")
    extra_out = draw(st.integers(0, 2), label="extra outer directions")
    extra_in = draw(st.integers(0, 2), label="extra inner directions")
    side = draw(st.sampled_from(sides), label="side")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    R_out = draw(st.sampled_from([1.0, 1.5, 2.5]), label="outer radius")
    rho = draw(st.sampled_from([0.1, 0.4, 0.7]), label="rho")
    rng = np.random.default_rng(seed)
    U = _frame_and_extra(rng, d, extra_out)
    V = _frame_and_extra(rng, d, extra_in)
    P = U @ U.T / U.shape[1]
    N = V @ V.T / V.shape[1]
    R_in = R_out * np.sqrt(rho * np.linalg.eigvalsh(P)[0] / np.linalg.eigvalsh(N)[-1])
    outer, inner = R_out * U.T, R_in * V.T
    if symmetric:
        outer, inner = np.concatenate([outer, -outer]), np.concatenate([inner, -inner])
    X = np.concatenate([outer, inner])
    y = np.concatenate([np.full(len(outer), float(side)), np.full(len(inner), -float(side))])
    lam0 = np.where(y > 0, 1.0 / np.sum(y > 0), 1.0 / np.sum(y < 0))
    act = draw(st.sampled_from(acts), label="activation")
    M = draw(st.integers(2, max_M), label="M")
    p = draw(st.sampled_from(p_values), label="p")
    level = draw(st.sampled_from(levels), label="level")
    B = draw(st.sampled_from([0.0, 0.5, -1.0]), label="B")
    return ConditionInstance(X, y, side, lam0, lc.side_value(X, y, lam0, side), symmetric, seed, act, M, p, level, B)


# ------------------------------------------------------------------------------------------------------------
# Feed-forward networks with a planted zero-error teacher (Propositions 8 and 10)
# ------------------------------------------------------------------------------------------------------------
FF_ACTS = ("tanh", "relu", "softplus", "sigmoid", "leaky_relu")


@dataclass
class TeacherInstance:
    problem: lg.FeedForwardProblem
    teacher: np.ndarray  # a zero-error parameter of ``problem``
    gap: float  # min_i |f_teacher(x_i)|
    seed: int

    def summary(self) -> str:
        p = self.problem
        return (
            f"feed-forward n={p.n} (n+={int(np.sum(p.y > 0))}) d={p.X.shape[1]} hidden={list(p.hidden)} "
            f"act={p.act} loss={p.loss}{f' p={p.p}' if p.loss == 'poly_hinge' else ''} "
            f"gap={self.gap:.3g} seed={self.seed}"
        )


@st.composite
def teacher_problems(draw, loss: str = "poly_hinge", p_values=(1, 2, 3, 6), acts=FF_ACTS, max_n: int = 16):
    d = draw(st.integers(1, 4), label="d")
    depth = draw(st.integers(1, 2), label="hidden layers")
    hidden = tuple(draw(st.integers(1, 4), label=f"width {k}") for k in range(depth))
    n = draw(st.integers(3, max_n), label="n")
    act = draw(st.sampled_from(acts), label="activation")
    p = draw(st.sampled_from(p_values), label="p")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    split = draw(st.floats(0.2, 0.8), label="fraction of negatives")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    probe = lg.FeedForwardProblem(X, np.ones(n), hidden, act, p, loss)
    # a teacher with two outputs that differ by a clear gap (a ReLU teacher can be constant on the sample):
    # redraw the teacher's weights until one exists; each redraw is a fresh draw of the same distribution
    for _ in range(200):
        theta = probe.random_theta(rng)
        f = probe.outputs(theta)
        order = np.sort(f)
        candidates = np.flatnonzero(np.diff(order) > 1e-3 * (1.0 + np.max(np.abs(f))))
        if candidates.size:
            break
    else:  # pragma: no cover - probability ~0 for the drawn architectures
        raise RuntimeError("no teacher with distinct outputs in 200 draws")
    # the split between two consecutive distinct outputs nearest to the drawn fraction of negatives
    k = int(np.clip(round(split * (n - 1)), 0, n - 2))
    k = int(candidates[np.argmin(np.abs(candidates - k))])
    tau = 0.5 * (order[k] + order[k + 1])
    theta[-1] -= tau
    f = f - tau
    y = np.where(f >= 0, 1.0, -1.0)
    prob = lg.FeedForwardProblem(X, y, hidden, act, p, loss)
    return TeacherInstance(prob, theta, float(np.min(np.abs(prob.outputs(theta)))), seed)


# ------------------------------------------------------------------------------------------------------------
# Data that satisfy Proposition 12's condition without being subspace data
# ------------------------------------------------------------------------------------------------------------
@st.composite
def leaky_subspace_problems(draw, acts=("square",), width: str = "prop1", leak: float = 0.5):
    """Subspace data in which every sample leaks out of its class's span: onto the other class's own basis
    vectors by at most ``leak`` times the smallest |e^T x| of that class (per basis vector e), and freely onto
    basis vectors neither class uses.  For e owned by the negatives, ``e^T S(lam) e <= max_+ (e^T x)^2 - min_-
    (e^T x)^2 <= (leak^2 - 1) min_- (e^T x)^2 < 0`` for every admissible lam (and symmetrically), so S(lam) is
    never semidefinite: the condition of Proposition 12 holds by construction, while positives no longer lie in
    span(U_+) (Assumption 2's subspace structure fails)."""
    from strategies.liang2018.data import subspace_problems

    inst = draw(subspace_problems(acts=acts, width=width, rotate=None), label="subspace instance")
    p = inst.problem
    Q = inst.Q if inst.Q is not None else np.eye(p.d)
    C = p.X @ Q  # coefficients on the basis vectors (columns of Q)
    rng = np.random.default_rng(inst.seed + 1)
    only_plus = sorted(set(inst.U_plus) - set(inst.U_minus))
    only_minus = sorted(set(inst.U_minus) - set(inst.U_plus))
    unused = sorted(set(range(p.d)) - set(inst.U_plus) - set(inst.U_minus))
    pos, neg = p.y > 0, p.y < 0
    for k in only_minus:  # positives leak onto the negatives' own vectors
        m = np.min(np.abs(C[neg, k]))
        C[pos, k] = leak * m * rng.uniform(-1.0, 1.0, pos.sum())
    for k in only_plus:  # negatives leak onto the positives' own vectors
        m = np.min(np.abs(C[pos, k]))
        C[neg, k] = leak * m * rng.uniform(-1.0, 1.0, neg.sum())
    for k in unused:
        C[:, k] = 0.3 * rng.standard_normal(p.n)
    X = C @ Q.T
    inst.problem = lg.ShallowProblem(X, p.y, p.M, p.act, p.p, p.loss, p.offsets)
    inst.kind = "leaky-subspace"
    inst.note = f"leak={leak:g}"
    return inst
