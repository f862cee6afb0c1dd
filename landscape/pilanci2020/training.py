"""The non-convex route of the two-layer family: the network's objective minimized by L-BFGS in torch (float64)
from random starts, through a softplus smoothing schedule that ends on the exact ReLU objective."""

from __future__ import annotations

import math

import numpy as np

from landscape.core.certify import grad_norm, lbfgs
from landscape.core.results import RouteResult
from landscape.core.validate import positive_int
from landscape.pilanci2020.program import TwoLayerProblem, nonconvex_objective

# Smoothing schedule of the training route, as temperatures relative to the squared initial weight scale: L-BFGS on
# the exact ReLU objective stalls at kinks (a unit's hyperplane through a sample) with gradients of order 0.1, so
# each start first minimizes the objective with relu replaced by t*softplus(z/t) for decreasing t and ends on the
# exact ReLU objective (t = 0).  Measured on random instances (n <= 12, d <= 3): the best of 4 starts reached the
# convex optimum to 1e-5 on 7 of 8 instances with this schedule, on 3 of 8 with the plain ReLU objective.
SMOOTHING = (1e-2, 1e-3, 1e-4, 0.0)


def smoothed_relu(temperature: float):
    """relu for ``temperature == 0``, else the softplus ``t log(1 + exp(z / t))`` (torch)."""
    import torch

    if temperature == 0:
        return torch.relu
    t = float(temperature)
    return lambda z: t * torch.nn.functional.softplus(z / t)


def lbfgs_with_smoothing(params, objective_for, temperatures, max_iter: int):
    """Run L-BFGS (strong Wolfe) on ``objective_for(activation)`` for each smoothing temperature in turn."""
    import torch

    for temperature in temperatures:
        try:
            lbfgs(params, objective_for(smoothed_relu(temperature)), max_iter)
        except (IndexError, RuntimeError):
            # torch's strong-Wolfe zoom can index an empty bracket when the objective turns non-finite (e.g. a
            # singular least-squares solve); the iterate reached so far is kept and judged by its caller
            break
        if not all(bool(torch.isfinite(p).all()) for p in params):
            break
    final = objective_for(torch.relu)
    loss = final()
    if not bool(torch.isfinite(loss)):
        return float("inf")
    return grad_norm(loss, params)


def train_nonconvex(
    problem: TwoLayerProblem, m: int, *, starts: int = 4, seed: int = 0, max_iter: int = 300, smoothing=SMOOTHING
) -> RouteResult:
    """Minimize the non-convex objective with ``m`` units (torch float64, L-BFGS, smoothing schedule above).

    Each start's value is the numpy objective (exact ReLU) at its explicit weights, hence an upper bound on p*(m)
    whether or not the run converged; ``ok`` says whether the best run ended at a small gradient (ReLU kinks can
    leave a non-zero one-sided gradient at a point that is nonetheless a minimum).
    """
    import torch

    m = positive_int("m", m)
    starts = positive_int("starts", starts)
    max_iter = positive_int("max_iter", max_iter)
    X = torch.from_numpy(problem.X)
    y = torch.from_numpy(problem.y)
    beta = problem.beta
    gen = torch.Generator().manual_seed(int(seed) % (2**63))
    # balanced initial scale: relu(X u) alpha ~ ||X|| g^2 matches the label scale
    g = math.sqrt(max(float(np.linalg.norm(problem.y)), 1e-3) / max(float(np.linalg.norm(problem.X, 2)), 1e-3))
    temps = tuple(float(t) * g * g for t in smoothing)
    values: list[float] = []
    grads: list[float] = []
    best, best_w = 0, (np.zeros((problem.d, m)), np.zeros(m))
    for _ in range(starts):
        U = (torch.randn(problem.d, m, generator=gen, dtype=torch.float64) * g / math.sqrt(m)).requires_grad_(True)
        a = (torch.randn(m, generator=gen, dtype=torch.float64) * g / math.sqrt(m)).requires_grad_(True)

        def objective_for(act, U=U, a=a):
            def objective():
                r = act(X @ U) @ a - y
                return 0.5 * (r @ r) + 0.5 * beta * (torch.sum(U**2) + a @ a)

            return objective

        gnorm = lbfgs_with_smoothing([U, a], objective_for, temps, max_iter)
        Un, an = U.detach().numpy().copy(), a.detach().numpy().copy()
        value = nonconvex_objective(problem, Un, an) if np.isfinite(Un).all() and np.isfinite(an).all() else np.inf
        values.append(value)
        grads.append(gnorm)
        if len(values) == 1 or value < values[best]:
            best, best_w = len(values) - 1, (Un, an)
    converged = grads[best] <= 1e-6 * (1.0 + values[best])
    return RouteResult(
        values[best],
        "converged" if converged else "gradient not small",
        bool(converged),
        route="torch/L-BFGS",
        data={"values": values, "grad_norms": grads, "U": best_w[0], "alpha": best_w[1], "m": m},
    )
