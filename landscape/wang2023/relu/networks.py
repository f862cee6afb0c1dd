"""Deep ReLU networks of Wang et al. (2023), Section 4: branch outputs, layer norms, the parallel net and the
three-layer standard net with its cost and balancing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from landscape.core.validate import finite_array
from landscape.wang2023.tolerances import (
    TRAINING_REACHED_RTOL,
)

# Tolerances of this module (SPAN_RTOL, INTERP_RTOL, TRAIN_INTERP_RTOL, BRANCH_DROP_RTOL, TRAINING_REACHED_RTOL) live in
# landscape/wang2023/tolerances.py with their reasons.  The training routes use the two-layer family's SMOOTHING
# (softplus temperatures, here relative to the pre-activation scale of the data) for the same reason as there:
# L-BFGS on the exact ReLU objective stalls at kinks.


def reached(value: float, optimum: float) -> bool:
    return bool(value - optimum <= TRAINING_REACHED_RTOL * (1.0 + abs(optimum)))


# --------------------------------------------------------------------------------------------------------------
# branches, parallel and standard networks (numpy)
# --------------------------------------------------------------------------------------------------------------
def relu(z):
    return np.maximum(z, 0.0)


def branch_output(X: np.ndarray, branch) -> np.ndarray:
    """``relu(... relu(relu(X W_1) W_2) ... w_{L-1})`` (N,) for a branch ``[W_1, ..., w_{L-1}]``."""
    if len(branch) < 1:
        raise ValueError("a branch needs at least one layer")
    H = X
    for W in branch[:-1]:
        H = relu(H @ W)
    w = np.asarray(branch[-1], dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"the last layer of a branch must be a vector, got shape {w.shape}")
    return relu(H @ w)


def layer_norms(branch) -> np.ndarray:
    return np.array([float(np.linalg.norm(W)) for W in branch])


@dataclass(frozen=True)
class ParallelNet:
    """Branches (each ``[W_1, ..., w_{L-1}]``) and last-layer rows ``WL`` (m x K)."""

    branches: tuple
    WL: np.ndarray

    def __post_init__(self):
        WL = finite_array("WL", self.WL, ndim=2)
        if WL.shape[0] != len(self.branches):
            raise ValueError(f"WL has {WL.shape[0]} rows for {len(self.branches)} branches")
        for j, b in enumerate(self.branches):
            for i, W in enumerate(b):
                finite_array(f"branches[{j}][{i}]", W)
        object.__setattr__(self, "WL", WL)
        object.__setattr__(
            self, "branches", tuple(tuple(np.asarray(W, dtype=np.float64) for W in b) for b in self.branches)
        )

    @property
    def m(self) -> int:
        return len(self.branches)

    @property
    def L(self) -> int:
        return len(self.branches[0]) + 1 if self.branches else 0

    def features(self, X: np.ndarray) -> np.ndarray:
        return (
            np.column_stack([branch_output(X, b) for b in self.branches])
            if self.branches
            else np.zeros((X.shape[0], 0))
        )

    def output(self, X: np.ndarray) -> np.ndarray:
        return self.features(X) @ self.WL

    def group_norm(self) -> float:
        """``sum_j ||w_{L,j}||``: the cost of problem (23) (meaningful when every branch layer has norm <= 1)."""
        return float(np.linalg.norm(self.WL, axis=1).sum())

    def max_layer_norm(self) -> float:
        return max((float(layer_norms(b).max()) for b in self.branches), default=0.0)

    def power_cost(self, beta: float) -> float:
        """Problem (22)'s penalty ``beta sum_j (sum_{l<L} ||W_{l,j}||^L + ||w_{L,j}||^L)``."""
        L = self.L
        total = 0.0
        for b, w in zip(self.branches, self.WL):
            total += float(np.sum(layer_norms(b) ** L)) + float(np.linalg.norm(w)) ** L
        return float(beta) * total

    def normalized(self) -> ParallelNet:
        """Every branch layer scaled to norm 1, the scales moved into the last layer (same output, for (23));
        branches with a zero layer are dropped (their output is zero)."""
        branches, rows = [], []
        for b, w in zip(self.branches, self.WL):
            norms = layer_norms(b)
            if np.any(norms == 0):
                continue
            branches.append([W / s for W, s in zip(b, norms)])
            rows.append(w * float(np.prod(norms)))
        return ParallelNet(tuple(branches), np.array(rows).reshape(len(rows), self.WL.shape[1]))

    def balanced(self) -> ParallelNet:
        """Per branch, all L layer norms set equal to the geometric mean (positive rescaling: same output)."""
        branches, rows = [], []
        L = self.L
        for b, w in zip(self.branches, self.WL):
            norms = np.append(layer_norms(b), np.linalg.norm(w))
            if np.any(norms == 0):
                continue
            target = float(np.prod(norms)) ** (1.0 / L)
            branches.append([W * (target / s) for W, s in zip(b, norms[:-1])])
            rows.append(w * (target / norms[-1]))
        return ParallelNet(tuple(branches), np.array(rows).reshape(len(rows), self.WL.shape[1]))


def standard3_output(X: np.ndarray, W1: np.ndarray, W2: np.ndarray, w3: np.ndarray) -> np.ndarray:
    return relu(relu(X @ W1) @ W2) @ w3


def standard3_cost(W1, W2, w3) -> float:
    """Weight decay ``1/2 (||W_1||^2 + ||W_2||^2 + ||w_3||^2)`` of problem (17)."""
    return 0.5 * float(np.sum(np.asarray(W1) ** 2) + np.sum(np.asarray(W2) ** 2) + np.sum(np.asarray(w3) ** 2))


def balance_standard3(W1, W2, w3):
    """Rescale each second-layer unit against its output weight so that ``||w_{2,j}|| = ||w_{3,j}||`` (same output,
    least weight decay for the given first layer)."""
    W2 = np.array(W2, dtype=np.float64)
    w3 = np.array(w3, dtype=np.float64)
    for j in range(W2.shape[1]):
        a, b = np.linalg.norm(W2[:, j]), np.linalg.norm(w3[j])
        if a > 0 and b > 0:
            k = math.sqrt(b / a)
            W2[:, j] *= k
            w3[j] = w3[j] / k
    return np.array(W1, dtype=np.float64), W2, w3


def interpolation_residual(output: np.ndarray, Y: np.ndarray) -> float:
    """``||output - Y||_F / (1 + ||Y||_F)``."""
    return float(np.linalg.norm(np.asarray(output).reshape(Y.shape) - Y) / (1.0 + np.linalg.norm(Y)))
