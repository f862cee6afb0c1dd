"""Binary classification with a single-layer "shortcut" branch f_S plus offsets (Liang, Sun, Li, Srikant 2018).

The model (Section 2 of the paper, Assumption 4) is ``f(x) = f_S(x) + f_D(x)`` with
``f_S(x) = a_0 + sum_j a_j sigma(w_j^T x)`` (no hidden biases) and an arbitrary second network ``f_D``.  For every
question about local minima only the values ``c_i = f_D(x_i)`` matter: a one-hidden-layer threshold network on
distinct inputs realizes any offset vector and is locally constant in its own parameters, so ``f_D`` enters the
tests as a fixed offset vector ``c`` (``c = 0`` is the single-layer case).

Losses take ``z = -y f`` (large positive z is badly wrong).  The canonical loss of the theorems is the polynomial
hinge ``l_p(z) = max(z + 1, 0)^(p + 1)``: C^p, convex, and zero exactly when the margin ``y f`` is at least 1.

Parameters travel as one flat float64 vector ``theta = [a_0, a_1..a_M, vec(W)]`` (W is d x M, column j = w_j), so
the local-minimum certifier of :mod:`landscape.certify` applies unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import numpy as np

from landscape.core.validate import finite_array, positive_int
from landscape.liang2018.tolerances import CRITICAL_GRAD_TOL, EPS64, HESSIAN_EIG_TOL, NEAR_ZERO_LOSS  # noqa: F401

if TYPE_CHECKING:
    import torch

# ------------------------------------------------------------------------------------------------------------
# Activations and the classes of Table 1
# ------------------------------------------------------------------------------------------------------------
CLASSES = ("softplus", "relu", "leaky-relu", "sigmoid", "quadratic")


@dataclass(frozen=True)
class ClassActivation:
    """A neuron with the class memberships and smoothness properties the paper's theorems ask for.

    ``torch_fn`` maps a float64 tensor to a tensor; ``np_fn`` is the same function in numpy (for exact evaluation
    and the class checks).  ``classes`` lists the Table 1 classes it belongs to; ``curved`` says sigma'' > 0
    everywhere and analytic (Assumption 5, needed by Theorem 1); ``increasing`` says sigma' > 0 and C^2
    everywhere (Theorem 2's condition).
    """

    name: str
    torch_fn: Callable
    np_fn: Callable
    classes: frozenset
    curved: bool
    increasing: bool
    input_scale: float = 1.0  # inputs are divided by this inside the neuron (keeps e^z and cosh in range)

    def __call__(self, z):
        return self.torch_fn(z)


def _t():
    import torch

    return torch


def _sp(z):
    """softplus ``log(1 + e^z)``, exactly: torch's ``softplus`` returns z itself above z = 20 (an error of e^-z, up to
    2e-9, that numpy's route does not make), so the two routes would disagree by far more than rounding."""
    torch = _t()
    return torch.logaddexp(z, torch.zeros_like(z))


def _np_sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


ACTIVATIONS: dict[str, ClassActivation] = {
    a.name: a
    for a in (
        ClassActivation("softplus", _sp, lambda z: np.logaddexp(0.0, z), frozenset({"softplus"}), True, True),
        ClassActivation("exp", lambda z: _t().exp(z), np.exp, frozenset({"softplus"}), True, True),
        ClassActivation("cosh", lambda z: _t().cosh(z), np.cosh, frozenset({"quadratic"}), True, False),
        ClassActivation("square", lambda z: z * z, np.square, frozenset({"quadratic"}), True, False),
        ClassActivation(
            "relu",
            lambda z: _t().relu(z),
            lambda z: np.maximum(z, 0.0),
            frozenset({"relu", "leaky-relu"}),
            False,
            False,
        ),
        ClassActivation(
            "requ", lambda z: _t().relu(z) ** 2, lambda z: np.maximum(z, 0.0) ** 2, frozenset({"relu"}), False, False
        ),
        ClassActivation(
            "leaky_relu",
            lambda z: _t().where(z >= 0, z, 0.1 * z),
            lambda z: np.where(z >= 0, z, 0.1 * z),
            frozenset({"leaky-relu"}),
            False,
            False,
        ),
        ClassActivation(
            "elu",
            lambda z: _t().where(z >= 0, z, 0.7 * (_t().exp(_t().clamp(z, max=0.0)) - 1.0)),
            lambda z: np.where(z >= 0, z, 0.7 * np.expm1(np.minimum(z, 0.0))),
            frozenset({"leaky-relu"}),
            False,
            False,
        ),
        ClassActivation(
            "linear",
            lambda z: z,
            lambda z: np.asarray(z, dtype=np.float64),
            frozenset({"leaky-relu", "sigmoid"}),
            False,
            True,
        ),
        ClassActivation("sigmoid", lambda z: _t().sigmoid(z), _np_sigmoid, frozenset({"sigmoid"}), False, True),
        ClassActivation("tanh", lambda z: _t().tanh(z), np.tanh, frozenset({"sigmoid"}), False, True),
        ClassActivation("arctan", lambda z: _t().atan(z), np.arctan, frozenset({"sigmoid"}), False, True),
        ClassActivation(
            "softsign",
            lambda z: z / (1.0 + _t().abs(z)),
            lambda z: z / (1.0 + np.abs(z)),
            frozenset({"sigmoid"}),
            False,
            False,
        ),
        ClassActivation(
            "zero",
            lambda z: 0.0 * z,
            lambda z: np.zeros_like(np.asarray(z, dtype=np.float64)),
            frozenset({"sigmoid", "relu"}),
            False,
            False,
        ),
    )
}

# Theorem 1 (subspace data) holds for these (analytic, sigma'' > 0); Theorem 2 (separable data) for these
# (C^2, sigma' > 0).  ``linear`` is in Theorem 2's set but not Theorem 1's; ``square`` the other way round.
THM1_ACTIVATIONS = tuple(n for n, a in ACTIVATIONS.items() if a.curved)
THM2_ACTIVATIONS = tuple(n for n, a in ACTIVATIONS.items() if a.increasing)


def activation_prime(name: str, z) -> np.ndarray:
    """``sigma'(z)`` elementwise by automatic differentiation of the activation alone (the neuron's own
    ``input_scale`` is not applied: pass ``z`` already scaled)."""
    torch = _t()
    t = torch.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    activation(name)(t).sum().backward()
    return t.grad.numpy()


def activation_second(name: str, z) -> np.ndarray:
    """``sigma''(z)`` elementwise by automatic differentiation (zero for an affine activation)."""
    torch = _t()
    t = torch.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    (d1,) = torch.autograd.grad(activation(name)(t).sum(), t, create_graph=True)
    if not d1.requires_grad:
        return np.zeros(t.shape)
    (d2,) = torch.autograd.grad(d1.sum(), t, allow_unused=True)
    return np.zeros(t.shape) if d2 is None else d2.detach().numpy()


def activation(name: str) -> ClassActivation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}") from None


# ------------------------------------------------------------------------------------------------------------
# Data, losses, errors
# ------------------------------------------------------------------------------------------------------------
def check_data(X, y) -> tuple[np.ndarray, np.ndarray]:
    """Validate a binary classification sample: X (n, d) finite, y in {-1, +1}^n."""
    X = finite_array("X", X, ndim=2)
    y = finite_array("y", y, ndim=1)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels")
    if X.shape[0] < 1:
        raise ValueError("the sample is empty")
    bad = ~np.isin(y, (-1.0, 1.0))
    if bad.any():
        raise ValueError(f"labels must be -1 or +1; got {np.unique(y[bad])[:5]}")
    return X, y


def sgn(f) -> np.ndarray:
    """The paper's sign: +1 for f >= 0 (ties go to the positive class), -1 otherwise."""
    return np.where(np.asarray(f, dtype=np.float64) >= 0.0, 1.0, -1.0)


def error_count(f, y) -> int:
    """Number of misclassified samples, counted exactly from the outputs (never read off the loss)."""
    return int(np.sum(sgn(f) != np.asarray(y)))


def poly_hinge(z, p: int):
    """``max(z + 1, 0)^(p + 1)`` elementwise (torch or numpy)."""
    if isinstance(z, np.ndarray) or np.isscalar(z):
        return np.maximum(np.asarray(z, dtype=np.float64) + 1.0, 0.0) ** (p + 1)
    return _t().clamp(z + 1.0, min=0.0) ** (p + 1)


def poly_hinge_prime(z, p: int) -> np.ndarray:
    return (p + 1) * np.maximum(np.asarray(z, dtype=np.float64) + 1.0, 0.0) ** p


def logistic(z):
    """``log2(1 + e^z)``: positive derivative everywhere, no minimizer."""
    if isinstance(z, np.ndarray) or np.isscalar(z):
        return np.logaddexp(0.0, np.asarray(z, dtype=np.float64)) / math.log(2.0)
    torch = _t()
    return torch.logaddexp(z, torch.zeros_like(z)) / math.log(2.0)  # exact; softplus turns linear above z = 20


def logistic_prime(z) -> np.ndarray:
    """``e^z / (1 + e^z) / ln 2`` to a few ulps *relative* in both tails: with ``e = e^-|z|`` in (0, 1] (exact to an
    ulp), ``1 / (1 + e)`` for z >= 0 and ``e / (1 + e)`` for z < 0.  The per-sample weights lambda_i of the
    logistic loss are compared with autograd relative to their own size (1e3 eps sum lambda_i), so they must be
    relatively accurate: ``(1 + tanh(z / 2)) / 2`` (``_np_sigmoid``) is only accurate to eps absolute, i.e. 4e-8
    relative at z = -22, which a nightly run (liang2018.prop9, seed 14907, margins 17-22) saw as a 1000x miss of
    that tolerance between the closed-form and the autograd derivative in a_0."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e) / math.log(2.0)


def square_loss(z, p=None):
    """``(1 + z)^2``, i.e. ``(1 - y f)^2``: smooth and convex, but not a surrogate of Assumption 1 (its derivative
    is negative for z < -1), so the theorems do not cover it (Example 1, Appendix B.8)."""
    return (z + 1.0) ** 2


class LossFn(Protocol):
    """A loss ``l(z, p)`` (or its derivative) of ``z = -y f``: numpy array or torch tensor in, the same kind out."""

    def __call__(self, z: Any, p: int, /) -> Any: ...


LOSSES: dict[str, tuple[LossFn, LossFn]] = {
    "poly_hinge": (poly_hinge, poly_hinge_prime),
    "logistic": (lambda z, p=None: logistic(z), lambda z, p=None: logistic_prime(z)),
    "square": (square_loss, lambda z, p=None: 2.0 * (np.asarray(z, dtype=np.float64) + 1.0)),
}


def hinge_degree(p) -> int:
    """Validate the polynomial hinge's degree p: an integer >= 1 (the loss is ``max(z + 1, 0)^(p + 1)``)."""
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise ValueError(f"the polynomial hinge needs an integer degree p >= 1, got {p!r}")
    return int(p)


class BinaryLossModel:
    """What every model of this family shares once it defines ``X``, ``y``, ``p`` and the two routes to its
    outputs, ``torch_outputs(theta)`` (autograd) and ``outputs(theta)`` (numpy): the empirical loss
    ``(1/n) sum_i l(-y_i f(x_i))`` as a torch objective and as a numpy value, and the exact error count."""

    X: np.ndarray
    y: np.ndarray
    p: int
    loss: str = "poly_hinge"

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])

    def objective(self) -> Callable:
        torch = _t()
        y = torch.as_tensor(self.y, dtype=torch.float64)
        fn = LOSSES[self.loss][0]

        def loss(theta):
            return torch.mean(fn(-y * self.torch_outputs(theta), self.p))

        return loss

    def value(self, theta: np.ndarray) -> float:
        return float(np.mean(LOSSES[self.loss][0](-self.y * self.outputs(theta), self.p)))

    def errors(self, theta: np.ndarray) -> int:
        return error_count(self.outputs(theta), self.y)

    def lambdas(self, theta: np.ndarray) -> np.ndarray:
        """Per-sample weights ``l'(-y_i f_i)`` (zero exactly at margin >= 1 for the polynomial hinge)."""
        return LOSSES[self.loss][1](-self.y * self.outputs(theta), self.p)

    # -- what each model defines -----------------------------------------------------------------------------
    def torch_outputs(self, theta: torch.Tensor) -> torch.Tensor:
        """The outputs ``f(x_i)`` as a float64 tensor, differentiable in ``theta`` (autograd)."""
        raise NotImplementedError

    def outputs(self, theta: np.ndarray) -> np.ndarray:
        """The outputs ``f(x_i)`` in numpy (an independent route to the same numbers)."""
        raise NotImplementedError


# ------------------------------------------------------------------------------------------------------------
# The single-layer-plus-offsets model
# ------------------------------------------------------------------------------------------------------------
@dataclass
class ShallowProblem(BinaryLossModel):
    """``(1/n) sum_i l(-y_i (f_S(x_i; theta) + c_i))`` for an M-neuron f_S and fixed offsets c."""

    X: np.ndarray
    y: np.ndarray
    M: int
    act: str
    p: int = 6
    loss: str = "poly_hinge"
    offsets: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.X, self.y = check_data(self.X, self.y)
        self.M = positive_int("M (number of neurons)", self.M)
        activation(self.act)
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; known: {', '.join(LOSSES)}")
        if self.loss == "poly_hinge":
            self.p = hinge_degree(self.p)
        c = np.zeros(self.n) if self.offsets is None else finite_array("offsets", self.offsets, ndim=1)
        if c.shape != (self.n,):
            raise ValueError(f"offsets must have one value per sample ({self.n}), got shape {c.shape}")
        self.offsets = c

    @property
    def size(self) -> int:
        return 1 + self.M + self.d * self.M

    def unpack(self, theta):
        M, d = self.M, self.d
        return theta[0], theta[1 : 1 + M], theta[1 + M :].reshape(d, M)

    def pack(self, a0: float, a, W) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64).reshape(self.M)
        W = np.asarray(W, dtype=np.float64).reshape(self.d, self.M)
        return np.concatenate([[float(a0)], a, W.reshape(-1)])

    # -- torch objective (for the optimizer and the certifier) -----------------------------------------------
    def torch_outputs(self, theta):
        torch = _t()
        X = torch.as_tensor(self.X, dtype=torch.float64)
        a0, a, W = self.unpack(theta)
        act = activation(self.act)
        return a0 + act(X @ W / act.input_scale) @ a + torch.as_tensor(self.offsets, dtype=torch.float64)

    # -- numpy evaluation (an independent route to the same numbers) ------------------------------------------
    def outputs(self, theta: np.ndarray) -> np.ndarray:
        a0, a, W = self.unpack(np.asarray(theta, dtype=np.float64))
        act = activation(self.act)
        return a0 + act.np_fn(self.X @ W / act.input_scale) @ a + self.offsets

    def g_lambda(self, lam: np.ndarray, w: np.ndarray) -> float:
        """``sum_i lam_i y_i sigma(w^T x_i)``: minus n times the partial derivative in an output weight whose
        neuron has input weights w."""
        act = activation(self.act)
        return float(np.sum(lam * self.y * act.np_fn(self.X @ np.asarray(w, dtype=np.float64) / act.input_scale)))

    def random_theta(self, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        return (
            scale
            * rng.standard_normal(self.size)
            / np.sqrt(np.r_[1.0, np.full(self.M, self.M), np.full(self.d * self.M, self.d)])
        )


def required_width_thm1(n: int, r_plus: int, r_minus: int, delta_r: int) -> int:
    """Theorem 1's width: the least integer M with M >= 2 max(n / Delta r, r_+, r_-)."""
    if delta_r < 1:
        raise ValueError(f"Theorem 1 needs Delta r >= 1, got {delta_r}")
    return int(max(math.ceil(2 * n / delta_r), 2 * r_plus, 2 * r_minus))


# ------------------------------------------------------------------------------------------------------------
# Feed-forward networks with biases (Section 2's model; Propositions 6, 7, 8, 10)
# ------------------------------------------------------------------------------------------------------------
@dataclass
class FeedForwardProblem(BinaryLossModel):
    """``f(x) = W_L^T s(... s(W_1^T x + b_1) ...) + b_L`` with widths ``(d, M_1, ..., M_{L-1}, 1)``, a bias in
    every layer, one activation ``act`` for every hidden layer, and the loss ``(1/n) sum l(-y_i f(x_i))``.

    Flat parameters: for each layer l = 1..L, ``vec(W_l)`` (shape M_{l-1} x M_l, row-major) then ``b_l``.
    """

    X: np.ndarray
    y: np.ndarray
    hidden: tuple
    act: str
    p: int = 6
    loss: str = "poly_hinge"

    def __post_init__(self):
        self.X, self.y = check_data(self.X, self.y)
        self.hidden = tuple(positive_int("hidden width", h) for h in self.hidden)
        if not self.hidden:
            raise ValueError("a feed-forward network needs at least one hidden layer")
        activation(self.act)
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; known: {', '.join(LOSSES)}")

    @property
    def widths(self) -> tuple:
        return (self.X.shape[1],) + self.hidden + (1,)

    @property
    def size(self) -> int:
        w = self.widths
        return sum(w[i] * w[i + 1] + w[i + 1] for i in range(len(w) - 1))

    def unpack(self, theta) -> list:
        """``[(W_1, b_1), ..., (W_L, b_L)]`` as views of ``theta`` (numpy or torch)."""
        out, k, w = [], 0, self.widths
        for i in range(len(w) - 1):
            W = theta[k : k + w[i] * w[i + 1]].reshape(w[i], w[i + 1])
            k += w[i] * w[i + 1]
            out.append((W, theta[k : k + w[i + 1]]))
            k += w[i + 1]
        return out

    def pack(self, layers) -> np.ndarray:
        return np.concatenate(
            [np.r_[np.asarray(W, dtype=np.float64).reshape(-1), np.asarray(b, dtype=np.float64)] for W, b in layers]
        )

    def torch_outputs(self, theta):
        torch = _t()
        h = torch.as_tensor(self.X, dtype=torch.float64)
        layers = self.unpack(theta)
        act = activation(self.act)
        for W, b in layers[:-1]:
            h = act(h @ W + b)
        W, b = layers[-1]
        return (h @ W + b).reshape(-1)

    def outputs(self, theta: np.ndarray) -> np.ndarray:
        h = self.X
        layers = self.unpack(np.asarray(theta, dtype=np.float64))
        act = activation(self.act)
        for W, b in layers[:-1]:
            h = act.np_fn(h @ W + b)
        W, b = layers[-1]
        return (h @ W + b).reshape(-1)

    def random_theta(self, rng: np.random.Generator) -> np.ndarray:
        return np.concatenate(
            [
                np.r_[rng.standard_normal(a * b) / np.sqrt(a), 0.1 * rng.standard_normal(b)]
                for a, b in zip(self.widths[:-1], self.widths[1:])
            ]
        )


def constant_model_optimum(n_plus: int, n_minus: int, p: int) -> float:
    """The best constant output B* for the polynomial hinge: minimizer of ``n_+ l_p(-B) + n_- l_p(B)``, i.e.
    ``B* = (t - 1) / (t + 1)`` with ``t = (n_+ / n_-)^(1/p)`` (both classes present)."""
    if n_plus < 1 or n_minus < 1:
        raise ValueError("the constant model's optimum needs both classes")
    t = (n_plus / n_minus) ** (1.0 / p)
    return (t - 1.0) / (t + 1.0)


# ------------------------------------------------------------------------------------------------------------
# The identity shortcut network of Proposition 7
# ------------------------------------------------------------------------------------------------------------
@dataclass
class IdentityShortcutProblem(BinaryLossModel):
    """``f(x) = a^T (x + H(x)) + b`` with a one-hidden-layer ReLU residual ``H(x) = V^T relu(U^T x + c) + e``
    (k hidden units, ``H: R^d -> R^d``) and the polynomial hinge ``(1/n) sum_i l_p(-y_i f(x_i))``.

    Flat parameters: ``[a (d), b, vec(U) (d x k), c (k), vec(V) (k x d), e (d)]``.
    """

    X: np.ndarray
    y: np.ndarray
    k: int
    p: int = 6

    def __post_init__(self):
        self.X, self.y = check_data(self.X, self.y)
        self.k = positive_int("k (hidden width of H)", self.k)
        self.p = hinge_degree(self.p)

    @property
    def size(self) -> int:
        d, k = self.d, self.k
        return d + 1 + d * k + k + k * d + d

    def unpack(self, theta):
        d, k = self.d, self.k
        i = 0
        a = theta[i : i + d]
        i += d
        b = theta[i]
        i += 1
        U = theta[i : i + d * k].reshape(d, k)
        i += d * k
        c = theta[i : i + k]
        i += k
        V = theta[i : i + k * d].reshape(k, d)
        i += k * d
        e = theta[i : i + d]
        return a, b, U, c, V, e

    def pack(self, a, b, U, c, V, e) -> np.ndarray:
        d, k = self.d, self.k
        parts: list[np.ndarray | list[float]] = [
            np.asarray(a, dtype=np.float64).reshape(d),
            [float(b)],
            np.asarray(U, dtype=np.float64).reshape(d * k),
            np.asarray(c, dtype=np.float64).reshape(k),
            np.asarray(V, dtype=np.float64).reshape(k * d),
            np.asarray(e, dtype=np.float64).reshape(d),
        ]
        return np.concatenate(parts)

    def hidden_preactivations(self, theta: np.ndarray) -> np.ndarray:
        _, _, U, c, _, _ = self.unpack(np.asarray(theta, dtype=np.float64))
        return self.X @ U + c

    def torch_outputs(self, theta):
        import torch

        X = torch.as_tensor(self.X, dtype=torch.float64)
        a, b, U, c, V, e = self.unpack(theta)
        H = torch.relu(X @ U + c) @ V + e
        return (X + H) @ a + b

    def outputs(self, theta: np.ndarray) -> np.ndarray:
        a, b, U, c, V, e = self.unpack(np.asarray(theta, dtype=np.float64))
        H = np.maximum(self.X @ U + c, 0.0) @ V + e
        return (self.X + H) @ a + b


# The three models of this family (what a construction's ``BadPoint.problem`` can be)
LiangProblem: TypeAlias = ShallowProblem | FeedForwardProblem | IdentityShortcutProblem
