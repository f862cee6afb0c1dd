"""What every construction shares: the constructed point with the facts it promises (``BadPoint``), the sample
points of the local arguments, the regime margins of dead and linear units, and the error-free competitor of the
half-space data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from landscape.core.validate import finite_array, positive_int
from landscape.liang2018 import models as lg
from landscape.liang2018.constructions.linear import LinearOptimum
from landscape.liang2018.tolerances import PERTURBATION_RADII

# The model a BadPoint's construction builds (``BadPoint[lg.ShallowProblem]`` is a ``BadPoint[lg.LiangProblem]``)
ProblemT_co = TypeVar("ProblemT_co", bound=lg.BinaryLossModel, covariant=True)


@dataclass
class BadPoint(Generic[ProblemT_co]):
    """A constructed (claimed) bad local minimum with the facts its construction promises.

    ``reference_value`` is the loss at ``theta`` computed by the construction's own closed form (constant
    model phi(B*)/n or linear-model optimum), never by evaluating the network; ``better`` is a parameter vector
    of the same model with zero training error (or at least a lower loss), or None where none exists.
    """

    claim: str
    problem: ProblemT_co
    theta: np.ndarray
    reference_value: float
    regime: str  # "dead", "linear", "jensen", "cone", "constant-curved"
    description: str
    seed: int = 0
    B_star: float | None = None
    linear: LinearOptimum | None = None
    better: np.ndarray | None = None
    better_kind: str = ""  # "zero-error", "lower-loss", "" (none exists)
    meta: dict = field(default_factory=dict)

    def summary(self) -> str:
        return self.description

    @property
    def n(self) -> int:
        return self.problem.n

    def errors(self) -> int:
        return self.problem.errors(self.theta)

    def value(self) -> float:
        return self.problem.value(self.theta)


def fmt_vector(v) -> str:
    return "[" + ", ".join(f"{float(x):.4g}" for x in np.asarray(v).reshape(-1)) + "]"


def _unit_rows(rng: np.random.Generator, count: int, size: int) -> np.ndarray:
    U = rng.standard_normal((count, size))
    return U / np.linalg.norm(U, axis=1, keepdims=True)


def local_samples(theta: np.ndarray, radii=PERTURBATION_RADII, samples: int = 100, seed: int = 1):
    """Random points ``theta + r u`` (u uniform on the unit sphere) for each radius: shared by the exact local
    arguments, so that what they certify is evaluated at the very points a perturbation test would use."""
    rng = np.random.default_rng(seed)
    theta = finite_array("theta", theta, ndim=1)
    U = _unit_rows(rng, positive_int("samples", samples), theta.size)
    return [(float(r), theta + r * u) for r in radii for u in U]


def scale_to_zero_loss(outputs: np.ndarray, y) -> float:
    """The factor K that turns an error-free output vector into one with every margin ``y_i K f_i >= 2``, i.e.
    polynomial-hinge loss exactly 0 (the shift-and-scale step of Proposition 8)."""
    m = float(np.min(np.asarray(y) * outputs))
    if m <= 0:
        raise ValueError(f"outputs are not error-free with a positive margin (min margin {m})")
    return 2.0 / m


def dead_unit_margin(X, W, radius: float, bias=None) -> float:
    """Largest pre-activation a neuron can reach on the data when its incoming weights (and bias, if any) move by
    at most ``radius`` in norm: ``max_ij z_ij + radius * max_i ||(x_i, 1)||`` (Cauchy-Schwarz).  Negative means
    every neuron stays dead on the whole ball."""
    X = np.asarray(X, dtype=np.float64)
    Z = X @ np.asarray(W, dtype=np.float64)
    lift = np.linalg.norm(X, axis=1)
    if bias is not None:
        Z = Z + np.asarray(bias, dtype=np.float64)
        lift = np.sqrt(lift**2 + 1.0)
    return float(Z.max() + float(radius) * lift.max())


def live_unit_margin(X, W, radius: float, bias=None) -> float:
    """Smallest pre-activation on the data over the same ball (positive: every neuron stays in its linear piece)."""
    X = np.asarray(X, dtype=np.float64)
    Z = X @ np.asarray(W, dtype=np.float64)
    lift = np.linalg.norm(X, axis=1)
    if bias is not None:
        Z = Z + np.asarray(bias, dtype=np.float64)
        lift = np.sqrt(lift**2 + 1.0)
    return float(Z.min() - float(radius) * lift.max())


def zero_error_shallow(prob: lg.ShallowProblem):
    """An error-free point of a shallow model on the half-space data of Propositions 2 and 3, scaled to loss 0.

    Subspace data ``(1, t, 0) / (1, 0, t)``: two neurons ``w = +-e2`` with output weights 1 respond
    ``sigma(t) + sigma(-t) > 0`` on positives and ``2 sigma(0) = 0`` on negatives.  Separable data
    ``(1, +-(1/2 + u), 0)``: one neuron ``w = e2`` responds ``sigma(x_2) > 0`` on positives, 0 on negatives.
    The output bias puts the threshold between the two responses; the output layer is then scaled so every
    margin is >= 2.  Returns None when the model is too narrow or the responses do not separate.
    """
    X, y = prob.X, prob.y
    if prob.d < 2:
        return None
    W = np.zeros((prob.d, prob.M))
    a = np.zeros(prob.M)
    if np.all(X[y < 0, 1] == 0.0):
        if prob.M < 2:
            return None
        W[1, 0], W[1, 1], a[0], a[1] = 1.0, -1.0, 1.0, 1.0
    else:
        W[1, 0], a[0] = 1.0, 1.0
    g = prob.outputs(prob.pack(0.0, a, W)) - prob.offsets  # the neurons' response alone
    lo, hi = g[y > 0].min(), g[y < 0].max()
    if not lo > hi:
        return None
    shift = 0.5 * (lo + hi)
    K = scale_to_zero_loss(g - shift, y)
    # f_S + c = a_0 + K g + c with a_0 = -K shift - c reproduces K (g - shift) (the offsets are one constant)
    assert prob.offsets is not None  # ShallowProblem.__post_init__ always sets them (zeros when none are given)
    if np.ptp(prob.offsets) > 0:
        return None
    return prob.pack(-K * shift - prob.offsets[0], K * a, W)
