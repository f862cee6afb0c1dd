"""Small branch networks in numpy (float64): a scalar-output MLP with 0, 1 or 2 hidden layers.

A branch's parameters are one flat vector; ``Branch.forward_many(P, X)`` evaluates f(w; x) on all rows of X for a
stack of parameter vectors at once (used to tabulate parameter grids).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape.core.activations import get as get_activation
from landscape.core.validate import finite_array, positive_int


@dataclass(frozen=True)
class Branch:
    """f(w; x) = v^T s(W_2 s(W_1 x + b_1) + b_2) + c (hidden layers as given; none = a linear model)."""

    d: int
    hidden: tuple[int, ...]
    activation: str = "relu"

    def __post_init__(self):
        positive_int("d", self.d)
        if len(self.hidden) > 2:
            raise ValueError(f"hidden must list at most two layer widths, got {self.hidden!r}")
        for i, h in enumerate(self.hidden):
            positive_int(f"hidden[{i}]", h)
        get_activation(self.activation)

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        dims = (self.d, *self.hidden)
        out = []
        for a, b in zip(dims[:-1], dims[1:]):
            out += [(b, a), (b,)]
        return out + [(dims[-1],), ()]

    @property
    def n_params(self) -> int:
        return int(sum(int(np.prod(s)) for s in self.shapes))

    def describe(self) -> str:
        if not self.hidden:
            return "linear"
        return f"{self.activation}[{'x'.join(map(str, self.hidden))}]"

    def forward_many(self, P: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Outputs (m, n) for m parameter vectors (rows of P) on n inputs (rows of X)."""
        P = finite_array("P", P, ndim=2, shape=(None, self.n_params))
        X = finite_array("X", X, ndim=2, shape=(None, self.d))
        act = get_activation(self.activation)
        m, pos = P.shape[0], 0
        Hs = np.broadcast_to(X, (m, *X.shape))  # (m, n, d)
        pieces = []
        for shape in self.shapes:
            size = int(np.prod(shape))
            pieces.append(P[:, pos : pos + size].reshape(m, *shape))
            pos += size
        for layer in range(len(self.hidden)):
            W, b = pieces[2 * layer], pieces[2 * layer + 1]
            Hs = act(np.einsum("mkd,mnd->mnk", W, Hs) + b[:, None, :])
        v, c = pieces[-2], pieces[-1]
        return np.einsum("mk,mnk->mn", v, Hs) + c[:, None]
