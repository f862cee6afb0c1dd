"""Points of the landscape at which the claims are checked, and their certificates.

* planted critical points: random weights theta, then targets ``Y = Yhat(theta) - r`` with the residual r drawn
  orthogonal to the tangent features, so that ``grad L = Jac^T r = 0`` exactly (up to rounding) while L > 0;
  with more equations than parameters these are (flat) local minima, with a large residual they can be saddles;
* tight points: the residual along one left singular vector of the Jacobian (the (B) upper bound is attained);
* trained points: L-BFGS from a random start (often ends at a kink of a ReLU unit: inconclusive);
* random points.

``certify_point`` classifies a point with the shared certifier (gradient, Hessian spectrum, perturbations whose
radius stays inside the point's activation region) and its kink margin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape.core.certify import Certificate, certify, lbfgs
from landscape.kawaguchi2019 import tolerances as tol
from landscape.kawaguchi2019.networks import Net, forward, kink_margin, torch_loss, vec
from landscape.kawaguchi2019.tangent import jacobian_autodiff, svd


def unvec(v: np.ndarray, m: int, d_y: int) -> np.ndarray:
    return v.reshape(d_y, m).T


def plant_critical(
    net: Net, theta: np.ndarray, X: np.ndarray, rng: np.random.Generator, alpha: float, Jac: np.ndarray | None = None
) -> np.ndarray | None:
    """Targets Y making theta critical: ``Y = Yhat - r``, r orthogonal to col(Jac), ``||r|| = alpha ||Yhat||``
    (or alpha * sqrt(m d_y) if Yhat = 0).  Returns None when col(Jac) is everything (no room for a residual)."""
    m = X.shape[0]
    Jac = jacobian_autodiff(net, theta, X) if Jac is None else Jac
    U, s, _ = svd(Jac)
    k = int(np.sum(s > np.finfo(float).eps * max(Jac.shape) * (s[0] if s.size else 0.0)))
    if k >= Jac.shape[0]:
        return None
    z = rng.standard_normal(Jac.shape[0])
    Uk = U[:, :k]
    r = z - Uk @ (Uk.T @ z)
    r = r - Uk @ (Uk.T @ r)
    yhat = vec(forward(net, theta, X).Yhat)
    scale = float(np.linalg.norm(yhat)) or np.sqrt(r.size)
    r *= alpha * scale / np.linalg.norm(r)
    return unvec(yhat - r, m, net.d_y)


def plant_tight(
    net: Net, theta: np.ndarray, X: np.ndarray, rng: np.random.Generator, which: float, coef: float
) -> np.ndarray:
    """Targets whose residual is ``coef * ||Yhat|| * u_j`` plus a part orthogonal to col(Jac), u_j the left
    singular vector number ``j = which * (rank - 1)``: then ``L - J = 1/2 coef^2 ||Yhat||^2 = ||g||^2 / (2 s_j^2)``."""
    m = X.shape[0]
    Jac = jacobian_autodiff(net, theta, X)
    U, s, _ = svd(Jac)
    k = int(np.sum(s > np.finfo(float).eps * max(Jac.shape) * s[0]))
    j = int(round(which * (k - 1)))
    yhat = vec(forward(net, theta, X).Yhat)
    scale = float(np.linalg.norm(yhat)) or 1.0
    r = coef * scale * U[:, j]
    if k < Jac.shape[0]:
        z = rng.standard_normal(Jac.shape[0])
        Uk = U[:, :k]
        perp = z - Uk @ (Uk.T @ z)
        r = r + 0.3 * scale * perp / np.linalg.norm(perp)
    return unvec(yhat - r, m, net.d_y)


def train(
    net: Net,
    X: np.ndarray,
    Y: np.ndarray,
    theta0: np.ndarray,
    max_iter: int = 400,
    weight_decay: float = 0.0,
    free: np.ndarray | None = None,
) -> np.ndarray:
    """L-BFGS (float64, strong Wolfe) on L (+ weight decay) over the free parameters (boolean mask, default all)."""
    import torch

    loss = torch_loss(net, X, Y, weight_decay)
    base = torch.as_tensor(np.asarray(theta0, dtype=np.float64).copy())
    idx = torch.as_tensor(np.flatnonzero(free) if free is not None else np.arange(theta0.size))
    phi = base[idx].clone().requires_grad_(True)

    def objective():
        return loss(base.index_put((idx,), phi))

    lbfgs([phi], objective, max_iter, tolerance_grad=1e-13)
    out = base.clone()
    out[idx] = phi.detach()
    return out.numpy()


@dataclass(frozen=True)
class PointCertificate:
    certificate: Certificate
    margin: float

    @property
    def differentiable(self) -> bool:
        return self.margin >= tol.KINK_MARGIN

    @property
    def local_min(self) -> bool:
        return self.differentiable and self.certificate.is_local_min

    def summary(self) -> str:
        c = self.certificate
        lam = f"{c.lambda_min:.2e}" if c.lambda_min is not None else "-"
        return f"{c.verdict}, |g|={c.grad_norm:.2e}, lambda_min={lam}, kink margin={self.margin:.2e}"


def certify_point(
    net: Net,
    X: np.ndarray,
    Y: np.ndarray,
    theta: np.ndarray,
    weight_decay: float = 0.0,
    free: np.ndarray | None = None,
    samples: int = 40,
) -> PointCertificate:
    """Certify theta as a local minimum of L (+ weight decay), over the free parameters only if a mask is given.
    The perturbation radii stay a factor 10 inside the activation region (relative kink margin times ||theta||
    over the number of layers), so that a decrease can only come from the smooth piece the point lies on."""
    import torch

    margin = kink_margin(net, theta, X)
    full = torch_loss(net, X, Y, weight_decay)
    theta = np.asarray(theta, dtype=np.float64)
    if free is None:
        loss, point = full, theta
    else:
        base = torch.as_tensor(theta.copy())
        idx = torch.as_tensor(np.flatnonzero(free))

        def loss(phi):
            return full(base.index_put((idx,), phi))

        point = theta[np.flatnonzero(free)]
    scale_y = float(np.linalg.norm(Y)) or 1.0
    Jac = jacobian_autodiff(net, theta, X)
    s_max = float(np.linalg.norm(Jac, 2)) if Jac.size else 1.0
    r0 = 0.1 * min(margin, 1.0) * float(np.linalg.norm(theta)) / (net.depth + 1)
    radii = (r0, r0 / 10, r0 / 100) if r0 > 0 else (1e-6, 1e-7, 1e-8)
    cert = certify(
        loss,
        point,
        grad_tol=tol.GRAD_RTOL * scale_y,
        eig_tol=tol.EIG_RTOL * max(s_max**2, 1e-12),
        method="dense",
        perturbation_radii=radii,
        samples=samples,
    )
    return PointCertificate(cert, margin)
