"""The optimizer driver every family shares: float64 L-BFGS with a strong-Wolfe line search on a list of torch
tensors (``lbfgs``), the same on one flat parameter vector (``minimize``), and the gradient norm of a scalar over a
list of tensors (``grad_norm``).  End points are never trusted: certify them (:mod:`landscape.core.certify`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from landscape.core.validate import finite_array


def _torch():
    import torch

    return torch


def lbfgs(params: list, objective: Callable, max_iter: int, tolerance_grad: float = 1e-12, rounds: int = 1) -> None:
    """Minimize ``objective()`` over the tensors ``params`` (requires_grad) in place: torch's L-BFGS with a
    strong-Wolfe line search, history 50, ``rounds`` calls of ``max_iter`` iterations each."""
    torch = _torch()
    opt = torch.optim.LBFGS(
        params,
        lr=1.0,
        max_iter=max_iter,
        history_size=50,
        tolerance_grad=tolerance_grad,
        tolerance_change=1e-16,
        line_search_fn="strong_wolfe",
    )

    def closure():
        opt.zero_grad()
        value = objective()
        value.backward()
        return value

    for _ in range(rounds):
        opt.step(closure)


def grad_norm(value, params: list) -> float:
    """Euclidean norm of the gradient of the scalar tensor ``value`` over ``params`` (unused ones count as 0)."""
    torch = _torch()
    grads = torch.autograd.grad(value, params, allow_unused=True)
    return float(torch.sqrt(sum(torch.sum(g**2) for g in grads if g is not None)))


def minimize(loss: Callable, theta0: np.ndarray, max_iter: int = 500) -> np.ndarray:
    """L-BFGS (strong Wolfe) from ``theta0``; returns the final point (certify it, do not trust it)."""
    torch = _torch()
    t = torch.tensor(finite_array("theta0", theta0, ndim=1), dtype=torch.float64, requires_grad=True)
    lbfgs([t], lambda: loss(t), max_iter)
    return t.detach().numpy().copy()
