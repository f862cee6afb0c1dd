"""Bias-free fully connected networks of the paper: ``Phi^(0) = X``, ``G^(l) = Phi^(l-1) W^(l)``,
``Phi^(l) = sigma(G^(l))`` entrywise for l = 1..H, output ``Yhat = Phi^(H) W^(H+1)`` (linear, or tanh for a failure
case), loss ``L = 1/2 ||Yhat - Y||_F^2``.

The paper's activation class (ReLU, leaky ReLU with a slope of modulus at most one, absolute value) is one family:
``sigma(z) = z`` for ``z > 0`` and ``a z`` otherwise, with a per-unit slope ``a`` in [-1, 1] (ReLU a = 0, absolute
value a = -1, identity a = 1).  A layer may instead use a smooth activation (tanh, softplus), outside the class.

Parameters are one flat vector ``theta = [vec W^(1), ..., vec W^(H+1)]`` with ``vec`` column-major, so the
incoming weights of unit k of layer l are contiguous.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from landscape.core.validate import finite_array, positive_int

SMOOTH = ("tanh", "softplus")
OUTPUTS = ("linear", "tanh")


@dataclass(frozen=True)
class Net:
    """Architecture: input size, hidden widths (H >= 1 of them), output size, activation of every hidden unit.

    ``slopes[l]`` holds the slope a in [-1, 1] of each unit of hidden layer l+1 (piecewise-linear units), or is
    None where that layer uses the smooth activation ``smooth``.  ``mask`` optionally fixes weights to zero
    (a boolean array per weight matrix, True = free), used by the induced-linear-unit architectures."""

    d_x: int
    widths: tuple[int, ...]
    d_y: int
    slopes: tuple = field(default=())
    smooth: str | None = None
    output: str = "linear"

    def __post_init__(self):
        positive_int("d_x", self.d_x)
        positive_int("d_y", self.d_y)
        widths = tuple(int(w) for w in self.widths) if self.widths is not None else ()
        if len(widths) == 0:
            raise ValueError("widths must name at least one hidden layer (depth H >= 1), got depth 0")
        for w in widths:
            positive_int("widths", w)
        object.__setattr__(self, "widths", widths)
        if self.output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}, got {self.output!r}")
        if self.smooth is not None and self.smooth not in SMOOTH:
            raise ValueError(f"smooth must be one of {SMOOTH} or None, got {self.smooth!r}")
        slopes = tuple(self.slopes) if self.slopes else (None,) * len(widths)
        if len(slopes) != len(widths):
            raise ValueError(f"slopes must give one entry per hidden layer ({len(widths)}), got {len(slopes)}")
        fixed = []
        for l, (s, w) in enumerate(zip(slopes, widths)):
            if s is None:
                if self.smooth is None:
                    raise ValueError(f"slopes[{l}] is None but no smooth activation is named")
                fixed.append(None)
                continue
            a = finite_array(f"slopes[{l}]", s, ndim=1, shape=(w,))
            if np.any(np.abs(a) > 1.0):
                raise ValueError(f"slopes[{l}] must lie in [-1, 1] (the paper's class), got {a.min()}..{a.max()}")
            fixed.append(a)
        object.__setattr__(self, "slopes", tuple(fixed))

    # -- sizes -----------------------------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        return len(self.widths)

    @property
    def dims(self) -> tuple[int, ...]:
        return (self.d_x, *self.widths, self.d_y)

    @property
    def shapes(self) -> list[tuple[int, int]]:
        d = self.dims
        return [(d[l], d[l + 1]) for l in range(len(d) - 1)]

    @property
    def n_params(self) -> int:
        return sum(a * b for a, b in self.shapes)

    @property
    def in_class(self) -> bool:
        """True when every hidden unit is in the paper's class (piecewise linear, slope in [-1, 1])."""
        return all(s is not None for s in self.slopes) and self.output == "linear"

    def summary(self) -> str:
        acts = []
        for s in self.slopes:
            if s is None:
                acts.append(str(self.smooth))
            else:
                acts.append("/".join(sorted({_slope_name(a) for a in s})))
        return (
            f"d_x={self.d_x} widths={list(self.widths)} d_y={self.d_y} acts=[{'; '.join(acts)}] "
            f"out={self.output} d_theta={self.n_params}"
        )

    # -- parameters ------------------------------------------------------------------------------------------
    def unpack(self, theta):
        """The weight matrices ``W^(1..H+1)`` of ``theta`` (numpy or torch), column-major ``vec``."""
        if theta.shape[-1] != self.n_params:
            raise ValueError(f"theta has {theta.shape[-1]} entries, the network has {self.n_params} parameters")
        out, i = [], 0
        for a, b in self.shapes:
            out.append(theta[i : i + a * b].reshape(b, a).T)
            i += a * b
        return out

    @staticmethod
    def pack(Ws) -> np.ndarray:
        return np.concatenate([np.asarray(W, dtype=np.float64).T.reshape(-1) for W in Ws])

    def offsets(self) -> list[int]:
        out, i = [], 0
        for a, b in self.shapes:
            out.append(i)
            i += a * b
        return out + [i]

    def init(self, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        """Random weights, entries N(0, scale^2 / fan-in)."""
        return self.pack([rng.standard_normal((a, b)) * scale / np.sqrt(a) for a, b in self.shapes])


def _slope_name(a: float) -> str:
    if a == 0.0:
        return "relu"
    if a == -1.0:
        return "abs"
    if a == 1.0:
        return "linear"
    return "leaky"


def check_data(X, Y, net: Net | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Finite 2-D float64 ``X`` (m x d_x) and ``Y`` (m x d_y) with matching rows (and sizes of ``net``)."""
    X = finite_array("X", X, ndim=2)
    Y = finite_array("Y", Y, ndim=2)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must have the same number of rows, got X {X.shape} and Y {Y.shape}")
    if net is not None:
        if X.shape[1] != net.d_x:
            raise ValueError(f"X has {X.shape[1]} columns, the network expects d_x={net.d_x}")
        if Y.shape[1] != net.d_y:
            raise ValueError(f"Y has {Y.shape[1]} columns, the network expects d_y={net.d_y}")
    return X, Y


def check_theta(net: Net, theta) -> np.ndarray:
    return finite_array("theta", theta, ndim=1, shape=(net.n_params,))


def require_class(net: Net, claim: str = "this claim") -> None:
    """ValueError naming ``net`` when an activation is outside the paper's class (needed by Lemma 1 and the
    results built on it)."""
    if not net.in_class:
        raise ValueError(
            f"net: {claim} needs every hidden unit to be ReLU / leaky ReLU (|a| <= 1) / absolute "
            f"value and a linear output, got {net.summary()}"
        )


# -- numpy forward pass (the closed-form route) -------------------------------------------------------------
def _act_np(net: Net, l: int, G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sigma(G), sigma'(G)) for hidden layer index l (0-based); derivative 0 at the kink of non-identity units."""
    a = net.slopes[l]
    if a is None:
        if net.smooth == "tanh":
            T = np.tanh(G)
            return T, 1.0 - T**2
        S = 1.0 / (1.0 + np.exp(-G))
        return np.logaddexp(0.0, G), S
    pos = G > 0
    lam = np.where(pos, 1.0, np.where(G < 0, a, np.where(a == 1.0, 1.0, 0.0)))
    return np.where(pos, G, a * G), lam


@dataclass
class Forward:
    """Every intermediate of one forward pass: pre-activations G[l], representations Phi[l] (Phi[0] = X),
    activation patterns Lam[l] (sigma' entrywise; 0 at kinks), output Yhat."""

    G: list
    Phi: list
    Lam: list
    Yhat: np.ndarray
    Ws: list


def forward(net: Net, theta, X) -> Forward:
    theta = check_theta(net, theta)
    X = finite_array("X", X, ndim=2, shape=(None, net.d_x))
    Ws = net.unpack(theta)
    Phi, G, Lam = [X], [], []
    for l in range(net.depth):
        g = Phi[-1] @ Ws[l]
        p, lam = _act_np(net, l, g)
        G.append(g)
        Phi.append(p)
        Lam.append(lam)
    Z = Phi[-1] @ Ws[-1]
    Yhat = np.tanh(Z) if net.output == "tanh" else Z
    return Forward(G, Phi, Lam, Yhat, Ws)


def kink_margin(net: Net, theta, X) -> float:
    """Smallest |pre-activation| of a piecewise-linear non-identity unit, relative to the largest entry of its
    layer's pre-activations; entries whose whole input row is zero (a sample on which every unit of the previous
    layer is dead) stay zero nearby and are skipped, as are identity units (a = 1, no kink).  +inf if none."""
    fw = forward(net, theta, X)
    worst = np.inf
    for l in range(net.depth):
        a = net.slopes[l]
        if a is None:
            continue
        G = fw.G[l]
        scale = max(float(np.max(np.abs(G))), np.finfo(float).tiny)
        live_rows = np.any(fw.Phi[l] != 0.0, axis=1)
        cols = a != 1.0
        if not np.any(cols) or not np.any(live_rows):
            continue
        worst = min(worst, float(np.min(np.abs(G[np.ix_(live_rows, cols)]))) / scale)
    return worst


# -- torch forward pass (the automatic-differentiation route) -----------------------------------------------
def torch_forward(net: Net, X):
    """A function ``theta -> Yhat`` on torch float64 tensors, written independently of the numpy pass."""
    import torch

    Xt = torch.as_tensor(np.asarray(X, dtype=np.float64))
    slopes = [None if a is None else torch.as_tensor(a) for a in net.slopes]

    def f(theta):
        Ws = net.unpack(theta)
        h = Xt
        for l in range(net.depth):
            z = h @ Ws[l]
            if slopes[l] is None:
                # exact softplus: torch.nn.functional.softplus switches to the identity above 20 (threshold)
                h = torch.tanh(z) if net.smooth == "tanh" else torch.logaddexp(z, torch.zeros_like(z))
            else:
                h = torch.where(z > 0, z, slopes[l] * z)
        out = h @ Ws[-1]
        return torch.tanh(out) if net.output == "tanh" else out

    return f


def torch_loss(net: Net, X, Y, weight_decay: float = 0.0):
    """``theta -> 1/2 ||Yhat - Y||_F^2 (+ weight_decay/2 ||theta||^2)`` in torch float64."""
    import torch

    f = torch_forward(net, X)
    Yt = torch.as_tensor(np.asarray(Y, dtype=np.float64))

    def loss(theta):
        value = 0.5 * torch.sum((f(theta) - Yt) ** 2)
        if weight_decay:
            value = value + 0.5 * weight_decay * torch.sum(theta**2)
        return value

    return loss


def loss_value(net: Net, theta, X, Y) -> float:
    """L(theta) = 1/2 ||Yhat - Y||_F^2 from the numpy forward pass."""
    fw = forward(net, theta, X)
    return 0.5 * float(np.sum((fw.Yhat - np.asarray(Y)) ** 2))


def vec(M: np.ndarray) -> np.ndarray:
    """Column-major vectorisation (the m predictions of output 1, then of output 2, ...)."""
    return np.asarray(M).T.reshape(-1)
