"""Local-minimum certificates for a loss given as a torch function of one flat float64 parameter vector.

A point is a *certified* local minimum only with evidence:

* first order: ``||grad|| <= grad_tol``;
* second order: the smallest Hessian eigenvalue, computed matrix-free (Lanczos, ``scipy.sparse.linalg.eigsh`` on a
  ``LinearOperator`` of Hessian-vector products from ``torch.func``) or densely (``torch.func.hessian``) for small
  models, must be ``>= eig_tol`` (a strict minimum);
* where the Hessian is only positive semi-definite up to ``eig_tol`` (flat directions, e.g. symmetries of a
  network) the second-order test is necessary but not sufficient, and a perturbation test (many small random
  steps of several radii never decrease the loss) decides; it is reported as such.

Verdicts: ``"local-min"`` (strict, by the Hessian), ``"local-min (flat, perturbation)"``, ``"saddle"`` (a negative
eigenvalue beyond tolerance, with its direction), ``"not-critical"`` (gradient too large), ``"inconclusive"``.

An absolute gradient tolerance alone can be fooled: in a saturated region (an activation's derivative numerically
zero at a sample the loss still weighs, weights drifting to infinity along a descent path that never ends) the
gradient is small but not zero, the Hessian is flat, and no perturbation of the tested radii is lower, yet the
point is not critical.  Callers that know the structure of their gradient therefore pass
:class:`FirstOrderEvidence`: criticality is then judged relative to the size of the gradient's own terms
(``term_scale``), a first-order lower bound from the caller's theory that proves the gradient non-zero makes the
point inconclusive, and so does a saturation the caller detects; ``theta_max`` bounds the weights.  None of these
can turn a point into a local minimum: they only withhold the verdict (``details["reason"]`` says why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from landscape.core.optimize import grad_norm, lbfgs, minimize  # noqa: F401  (re-exported: older imports)
from landscape.core.validate import finite_array, finite_scalar, positive_int


@dataclass(frozen=True)
class Certificate:
    verdict: str
    value: float
    grad_norm: float
    grad_tol: float
    lambda_min: float | None = None
    eig_tol: float | None = None
    method: str = ""
    perturbation_min_increase: float | None = None
    details: dict = field(default_factory=dict)

    @property
    def is_local_min(self) -> bool:
        return self.verdict.startswith("local-min")


@dataclass(frozen=True)
class FirstOrderEvidence:
    """What the caller's theory says about the gradient at a point.

    ``term_scale``: the size the gradient would have if none of its terms cancelled (e.g. ``(1/n) sum_i |l'_i|
    ||grad f_i||``); a point is critical only when ``||grad|| <= rel_grad_tol * term_scale`` (and ``<= grad_tol``).
    ``floor``: a lower bound on ``||grad||`` proven by the theory at this point (0 when it proves nothing): a
    positive floor means the gradient is not zero, so a small computed gradient is a saturated region, not a
    critical point.  ``saturated``: the caller's own saturation finding (empty when none), e.g. a misclassified
    sample whose gradient terms in every hidden weight are below the resolvable level.
    """

    term_scale: float | None = None
    floor: float = 0.0
    saturated: str = ""


def _torch():
    import torch

    return torch


def gradient(loss: Callable, theta: np.ndarray) -> tuple[float, np.ndarray]:
    torch = _torch()
    t = torch.tensor(theta, dtype=torch.float64)
    value, grad = torch.func.grad_and_value(loss)(t)[::-1]
    return float(value), grad.detach().numpy()


def hvp_operator(loss: Callable, theta: np.ndarray):
    """The Hessian at ``theta`` as a ``scipy.sparse.linalg.LinearOperator`` of Hessian-vector products
    (forward-over-reverse: ``jvp`` of ``grad``), never forming the matrix."""
    from scipy.sparse.linalg import LinearOperator

    torch = _torch()
    t = torch.tensor(theta, dtype=torch.float64)
    grad_fn = torch.func.grad(loss)

    def matvec(v):
        v = torch.as_tensor(np.asarray(v, dtype=np.float64).reshape(-1))
        return torch.func.jvp(grad_fn, (t,), (v,))[1].detach().numpy()

    n = t.numel()
    return LinearOperator((n, n), matvec=matvec, rmatvec=matvec, dtype=np.float64)


def dense_hessian(loss: Callable, theta: np.ndarray) -> np.ndarray:
    torch = _torch()
    H = torch.func.hessian(loss)(torch.tensor(theta, dtype=torch.float64)).detach().numpy()
    return 0.5 * (H + H.T)


def smallest_eigenpair(
    loss: Callable, theta: np.ndarray, method: str = "auto", dense_limit: int = 400
) -> tuple[float, np.ndarray, str]:
    """Smallest Hessian eigenvalue and eigenvector at ``theta``: dense for up to ``dense_limit`` parameters (or
    ``method="dense"``), Lanczos on Hessian-vector products otherwise (``method="lanczos"``)."""
    theta = finite_array("theta", theta, ndim=1)
    n = theta.size
    if method not in ("auto", "dense", "lanczos"):
        raise ValueError(f"method must be 'auto', 'dense' or 'lanczos', got {method!r}")
    if method == "dense" or (method == "auto" and n <= dense_limit) or n < 3:
        w, V = np.linalg.eigh(dense_hessian(loss, theta))
        return float(w[0]), V[:, 0], "dense"
    from scipy.sparse.linalg import eigsh

    # smallest algebraic eigenvalue; tol 1e-10 relative to the operator's scale, a fixed start vector for replay
    v0 = np.random.default_rng(0).standard_normal(n)
    # at most 1000 implicit restarts: a bottom eigenvalue inside a large cluster (e.g. a weight-decay floor at a
    # trained 10^4-parameter minimum) does not converge in any affordable budget, and the caller must then say so
    w, V = eigsh(hvp_operator(loss, theta), k=1, which="SA", tol=1e-10, v0=v0, maxiter=min(20 * n, 1000))
    return float(w[0]), V[:, 0], "lanczos"


def perturbation_test(
    loss: Callable, theta: np.ndarray, radii=(1e-2, 1e-3, 1e-4), samples: int = 200, seed: int = 0
) -> float:
    """Smallest ``loss(theta + r u) - loss(theta)`` over random unit directions u and the given radii (negative:
    some nearby point is lower, so theta is not a local minimum)."""
    torch = _torch()
    theta = finite_array("theta", theta, ndim=1)
    positive_int("samples", samples)
    rng = np.random.default_rng(seed)
    base = float(loss(torch.tensor(theta)))
    U = rng.standard_normal((samples, theta.size))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    worst = np.inf
    with torch.no_grad():
        for r in radii:
            for u in U:
                worst = min(worst, float(loss(torch.tensor(theta + r * u))) - base)
    return worst


def certify(
    loss: Callable,
    theta: np.ndarray,
    *,
    grad_tol: float,
    eig_tol: float,
    method: str = "auto",
    perturbation_radii=(1e-2, 1e-3, 1e-4),
    samples: int = 200,
    seed: int = 0,
    first_order: FirstOrderEvidence | None = None,
    rel_grad_tol: float = 1e-6,
    theta_max: float | None = None,
    hessian: np.ndarray | None = None,
) -> Certificate:
    """Classify ``theta`` (see the module docstring); every number behind the verdict is kept.  ``hessian``: the
    dense Hessian at ``theta`` when the caller has it in closed form (then no autograd Hessian is formed)."""
    theta = finite_array("theta", theta, ndim=1)
    grad_tol = finite_scalar("grad_tol", grad_tol, minimum=0.0, strict=True)
    eig_tol = finite_scalar("eig_tol", eig_tol, minimum=0.0, strict=True)
    value, grad = gradient(loss, theta)
    gnorm = float(np.linalg.norm(grad))
    if not np.isfinite(value) or not np.isfinite(gnorm):
        return Certificate("inconclusive", value, gnorm, grad_tol, details={"reason": "non-finite loss or gradient"})
    threshold = grad_tol
    if first_order is not None and first_order.term_scale is not None:
        # relative to the gradient's own terms: cancellation down to rel_grad_tol of their size, never below the
        # smallest positive float (an exactly zero gradient, e.g. at zero loss, is critical)
        threshold = min(grad_tol, max(rel_grad_tol * float(first_order.term_scale), np.finfo(float).tiny))
    if gnorm > threshold:
        return Certificate("not-critical", value, gnorm, threshold)

    def withheld(reason: str, lam=None, used: str = "") -> Certificate:
        return Certificate("inconclusive", value, gnorm, threshold, lam, eig_tol, used, details={"reason": reason})

    if theta_max is not None and float(np.max(np.abs(theta))) > theta_max:
        return withheld(f"asymptotic: a weight of size {float(np.max(np.abs(theta))):.3g} > {theta_max:g}")
    try:
        if hessian is not None:
            H = finite_array("hessian", hessian, shape=(theta.size, theta.size))
            w, V = np.linalg.eigh(0.5 * (H + H.T))
            lam, vec, used = float(w[0]), V[:, 0], "dense (closed form)"
        else:
            lam, vec, used = smallest_eigenpair(loss, theta, method)
    except Exception as exc:  # noqa: BLE001 - ARPACK's ArpackNoConvergence (clustered bottom spectrum) and kin
        # an unconverged Lanczos run only bounds lambda_min from ABOVE (a Ritz value): never a certificate
        return withheld(f"{type(exc).__name__}: {exc}")
    if lam <= -eig_tol:
        return Certificate("saddle", value, gnorm, threshold, lam, eig_tol, used, details={"direction": vec})
    # the rest would certify a local minimum: withheld where the caller's first-order theory objects (a saddle
    # above needs no exact criticality: negative curvature next to a near-critical point is what it reports)
    if first_order is not None and first_order.floor > 0.0:
        return withheld(
            f"saturated: the first-order bound proves ||grad|| >= {first_order.floor:.3g} > 0, below the "
            f"resolvable threshold {threshold:.3g} (an asymptotic region, not a critical point)",
            lam,
            used,
        )
    if first_order is not None and first_order.saturated:
        return withheld(f"saturated: {first_order.saturated}", lam, used)
    if lam >= eig_tol:
        return Certificate("local-min", value, gnorm, threshold, lam, eig_tol, used)
    # flat directions: the second-order test cannot decide.  A Hessian that is numerically zero says nothing at all
    # (a plateau, or a saturated region): inconclusive.  Otherwise look for a nearby lower point.
    Hfull = hessian if hessian is not None else (dense_hessian(loss, theta) if theta.size <= 400 else None)
    if Hfull is not None and float(np.max(np.abs(Hfull))) <= eig_tol:
        return withheld("the Hessian is numerically zero", lam, used)
    worst = perturbation_test(loss, theta, perturbation_radii, samples, seed)
    # a decrease smaller than the gradient's own first-order effect at the smallest radius is not evidence
    noise = gnorm * min(perturbation_radii) + 1e3 * np.finfo(float).eps * (1.0 + abs(value))
    if worst >= -noise:
        return Certificate("local-min (flat, perturbation)", value, gnorm, threshold, lam, eig_tol, used, worst)
    return Certificate("saddle", value, gnorm, threshold, lam, eig_tol, used + "+perturbation", worst)
