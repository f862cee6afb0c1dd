"""Bad local minima of Liang, Sun, Li, Srikant (ICML 2018): the failure cases of Propositions 2-7, Example 1 and
the quadratic-loss examples of Appendix B.8, each built explicitly, with its own exact local argument.

The paper's appendix (where the constructions live) is not available; every instance here is a reconstruction
(see the shared catalog) and is checked by routes that do not share formulas:

* the certifier of :mod:`landscape.certify` (autograd gradient, dense Hessian, random perturbations);
* an *exact local argument* per construction, evaluated in numpy: dead or linear-regime neurons keep their
  regime on a ball whose radius is computed from the data, so on that ball the loss reduces to a convex
  one-dimensional (constant model) or low-dimensional (linear model) function whose minimum is known;
* the minimum of that reduced convex problem by a second route (root finding, Newton's method, CVXPY/Clarabel);
* training errors counted exactly from the outputs, and for Example 1 / B.8 in rational arithmetic;
* a zero-error or lower-loss point of the same model, exhibited explicitly, showing the minimum is not global
  (where such a point exists).

Models: :class:`landscape.liang.ShallowProblem` (single-layer branch ``f_S`` plus offsets),
:class:`landscape.liang.FeedForwardProblem` (Section 2's network with biases) and, for Proposition 7, the identity
shortcut network :class:`IdentityShortcutProblem` defined here.  Everything is float64.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Sequence

import numpy as np

from landscape.liang2018 import models as lg
from landscape.core.certify import certify
from landscape.core.tolerances import EPS64
from landscape.core.validate import finite_array, positive_int

# ------------------------------------------------------------------------------------------------------------
# Tolerances of the failure-case constructions (each with its reason)
# ------------------------------------------------------------------------------------------------------------
# A constructed point is an exact critical point of the loss: its gradient is a sum of n terms, each a product of
# a loss derivative (<= (p+1) 2^p <= 9 * 256 for p <= 8), one activation derivative (<= 1 at the points built
# here) and one input entry (<= ~4), divided by n.  Rounding leaves ~ n * eps * 1e4 / n ~ 2e-12; 1e-9 leaves a
# factor ~500 and is still ~1e6 times below the gradient of the planted saddles of the meta-tests (>= 1e-3).
CONSTRUCTION_GRAD_TOL = 1e-9

# Second-order test: smallest Hessian eigenvalue trusted to ~1e3 eps times the largest entry (<= ~1e4 here),
# i.e. ~2e-9; a value below -1e-6 is a genuine negative direction (same threshold as landscape.liang).
CONSTRUCTION_EIG_TOL = lg.HESSIAN_EIG_TOL

# Radii of the perturbation tests (relative to parameters of size O(1)).  Every construction puts its hidden units
# at distance >= 1 from their kink, so the exact local arguments cover the ball of radius 1 / max_i ||(x_i, 1)||;
# the suite's data have ||x_i|| <= ~6, so the largest radius 0.1 stays inside it (checked per instance).
PERTURBATION_RADII = (1e-1, 1e-2, 1e-3, 1e-4)

# Newton's method on the convex linear model stops when the gradient norm is below this.  The loss and its
# gradient are sums of n <= 50 terms of size <= 1e4 (see above): rounding floor ~ 1e4 * n * eps ~ 1e-10 in the
# worst case, typically 1e-14; at most 1e-10 (plus the floor) is asked for.
NEWTON_GRAD_TOL = 1e-10

def newton_grad_allowance(n: int) -> float:
    """What Newton's end point may be asked for: NEWTON_GRAD_TOL plus the rounding floor 1e4 * eps * n."""
    return NEWTON_GRAD_TOL + 1e4 * EPS64 * int(n)


# Root finding for the best constant output B* (second route to the closed form): brentq to xtol 4 eps, so the
# two routes agree to ~1e-15 absolute; 1e-12 leaves room for the closed form's power and division.
CONSTANT_OPTIMUM_TOL = 1e-12

# A nearby point counts as *lower* (a descent witness, or proof that a minimum is not global) only when it beats
# the reference loss by more than this: 1e3 eps times (1 + |loss|) exceeds the rounding of either evaluation.
def strict_decrease(scale: float) -> float:
    return 1e3 * EPS64 * (1.0 + abs(float(scale)))


def loss_eval_tol(bp) -> float:
    """Rounding allowance for one evaluation of the loss at ``bp.theta`` (any model here): each term
    ``max(1 - m, 0)^(p+1)`` moves by ``(p + 1) (2 + |f|)^p`` times the output's own error, which is a few ulps of
    the largest number the network forms (outputs and parameters); 100 ulps cover sums over <= 50 terms."""
    f = np.abs(bp.problem.outputs(bp.theta))
    scale = 1.0 + float(f.max()) + float(np.abs(bp.theta).max())
    return 100.0 * EPS64 * (bp.problem.p + 1) * (2.0 + float(f.max())) ** bp.problem.p * scale


# Counts (misclassified samples) and exact facts (a rational identity, an LP's infeasibility) are integers or
# booleans: half a unit decides such a comparison exactly, and puts "observed equals the bound" at the recorder's
# normalized margin 1 instead of 0 (a tolerance of 0 would normalize by the bound itself).
INTEGER_TOL = 0.5

# Hessian block of Proposition 5 in the input weights: its closed form takes sigma''(0) from a central difference
# with step 1e-3 (exact for z^2; cosh: truncation h^2/12 ~ 1e-7 relative, rounding eps/h^2 ~ 2e-10), and autograd
# is exact to rounding; 1e-6 relative leaves a factor 10 over the truncation.
CURVATURE_FD_RTOL = 1e-6

# Example 1 by quadrature + BFGS: loss decreases below eps * L ~ 5e-17 are invisible to the line search, so BFGS
# cannot push the gradient much below ~1e-8; an end point with gradient above EX1_GRAD_TOL did not converge.  Its
# distance to the minimizer is then at most EX1_GRAD_TOL / lambda_min(H) (strong convexity), and its excess loss at
# most EX1_GRAD_TOL^2 / (2 lambda_min) ~ 3e-14, below quad's requested 1e-13 accuracy: values agree to 1e-12.
EX1_GRAD_TOL = 1e-7
EX1_VALUE_TOL = 1e-12


def ex1_sample_tol(N: int) -> float:
    """Least squares on the midpoint sample of size 2N: the Gram matrix differs from the population's by
    1/(12 N^2) in one entry, which moves (a, b) by <= ||H^-1|| * 1/(12 N^2) * ||(a*, b*)|| ~ 1.2 / N^2; allow 10/N^2."""
    return 10.0 / float(N) ** 2


# Least-squares fitted values by L-BFGS on network parameters (Appendix B.8): the excess loss of a fit f over the
# least-squares fit f* is exactly ||f - f*||^2 / n (Pythagoras); L-BFGS stops at relative change 1e-16 on losses
# of size ~1, so the excess is ~1e-15 and ||f - f*||_inf <= ~sqrt(n 1e-15) ~ 1e-7; 1e-6 leaves a factor 10.
LSQ_FIT_TOL = 1e-6


# ------------------------------------------------------------------------------------------------------------
# Shared pieces: the constant model, data checks
# ------------------------------------------------------------------------------------------------------------
def class_counts(y) -> tuple[int, int]:
    y = np.asarray(y)
    return int(np.sum(y > 0)), int(np.sum(y < 0))


def min_class_errors(y) -> int:
    """``min(n_+, n_-)``: the number of errors the bad minima of Propositions 2, 4, 5, 6 make (at least)."""
    return min(class_counts(y))


def constant_loss(B: float, y, p: int) -> float:
    """phi(B) / n: the loss of the constant output B (the model every dead-neuron point reduces to)."""
    return float(np.mean(lg.poly_hinge(-np.asarray(y) * float(B), p)))


def constant_loss_slope(B: float, y, p: int) -> float:
    """d/dB of :func:`constant_loss` (zero exactly at the best constant)."""
    y = np.asarray(y)
    return float(np.mean(-y * lg.poly_hinge_prime(-y * float(B), p)))


def constant_optimum_by_root(y, p: int) -> float:
    """The best constant output found as the root of the (increasing) slope on (-1, 1) (brentq): a route that
    does not use the closed form ``(t - 1) / (t + 1)``."""
    from scipy.optimize import brentq

    n_plus, n_minus = class_counts(y)
    if n_plus < 1 or n_minus < 1:
        raise ValueError("the best constant output needs both classes in the sample")
    return float(brentq(lambda B: constant_loss_slope(B, y, p), -1.0, 1.0, xtol=4 * EPS64, rtol=4 * EPS64,
                        maxiter=500))


# ------------------------------------------------------------------------------------------------------------
# The data distributions of the constructions
# ------------------------------------------------------------------------------------------------------------
def _labels(n_plus: int, n_minus: int) -> np.ndarray:
    n_plus = positive_int("n_plus", n_plus)
    n_minus = positive_int("n_minus", n_minus)
    return np.r_[np.ones(n_plus), -np.ones(n_minus)]


def half_space_subspace_data(t_plus, t_minus) -> tuple[np.ndarray, np.ndarray]:
    """Theorem-1 data of Propositions 2, 3, 7: positives ``(1, t, 0)``, negatives ``(1, 0, t)`` in R^3.

    ``U_+ = {e1, e2}``, ``U_- = {e1, e3}`` (r_+ = r_- = 2, r = 3, Delta r = 1); two samples of one class are
    linearly independent iff their t differ (Assumption 2 for continuous t).  All data lie on ``{x_1 = 1}``.
    """
    tp = finite_array("t_plus", t_plus, ndim=1)
    tm = finite_array("t_minus", t_minus, ndim=1)
    X = np.zeros((tp.size + tm.size, 3))
    X[:, 0] = 1.0
    X[:tp.size, 1] = tp
    X[tp.size:, 2] = tm
    return X, _labels(tp.size, tm.size)


def half_space_separable_data(u_plus, u_minus) -> tuple[np.ndarray, np.ndarray]:
    """Theorem-2 data of Proposition 2: positives ``(1, 1/2 + u, 0)``, negatives ``(1, -1/2 - u, 0)`` with
    ``u >= 0``; ``e2`` separates them through the origin with margin at least 1/2."""
    up = finite_array("u_plus", u_plus, ndim=1)
    um = finite_array("u_minus", u_minus, ndim=1)
    if np.any(up < 0) or np.any(um < 0):
        raise ValueError("u_plus and u_minus must be >= 0 (they push the points away from the separator)")
    X = np.zeros((up.size + um.size, 3))
    X[:, 0] = 1.0
    X[:up.size, 1] = 0.5 + up
    X[up.size:, 1] = -0.5 - um
    return X, _labels(up.size, um.size)


def draw_subspace_t(rng: np.random.Generator, n_plus: int, n_minus: int, both_signs: bool = False):
    """t ~ U[-1, 1] per sample (the Proposition-2 distribution); with ``both_signs`` the first two t of each
    class get opposite signs: the event of Propositions 3 and 7 (no affine classifier is error-free)."""
    tp = rng.uniform(-1.0, 1.0, positive_int("n_plus", n_plus))
    tm = rng.uniform(-1.0, 1.0, positive_int("n_minus", n_minus))
    if both_signs:
        if n_plus < 2 or n_minus < 2:
            raise ValueError("the non-separable event needs at least two samples of each class")
        for t in (tp, tm):
            t[0], t[1] = abs(t[0]), -abs(t[1])
    return tp, tm


def symmetric_sample(k: int, m: int, Q: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 4's event: k copies each of ``+e1, -e1`` (positives) and m copies each of ``+e2, -e2``
    (negatives), in the basis given by the columns of the orthogonal matrix ``Q`` (identity if None)."""
    k, m = positive_int("k", k), positive_int("m", m)
    E = np.eye(2) if Q is None else finite_array("Q", Q, shape=(2, 2))
    if not np.allclose(E.T @ E, np.eye(2), atol=1e-12):
        raise ValueError("Q must be orthogonal")
    e1, e2 = E[:, 0], E[:, 1]
    X = np.vstack([np.tile(e1, (k, 1)), np.tile(-e1, (k, 1)), np.tile(e2, (m, 1)), np.tile(-e2, (m, 1))])
    return X, _labels(2 * k, 2 * m)


def prop5_data(x_plus, x_minus) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 5's one-dimensional separable data: positives in [1, 2], negatives in [-2, -1]."""
    xp = finite_array("x_plus", x_plus, ndim=1)
    xm = finite_array("x_minus", x_minus, ndim=1)
    if np.any((xp < 1) | (xp > 2)) or np.any((xm < -2) | (xm > -1)):
        raise ValueError("positives must lie in [1, 2] and negatives in [-2, -1]")
    return np.r_[xp, xm].reshape(-1, 1), _labels(xp.size, xm.size)


# ------------------------------------------------------------------------------------------------------------
# The identity shortcut network of Proposition 7
# ------------------------------------------------------------------------------------------------------------
@dataclass
class IdentityShortcutProblem(lg.BinaryLossModel):
    """``f(x) = a^T (x + H(x)) + b`` with a one-hidden-layer ReLU residual ``H(x) = V^T relu(U^T x + c) + e``
    (k hidden units, ``H: R^d -> R^d``) and the polynomial hinge ``(1/n) sum_i l_p(-y_i f(x_i))``.

    Flat parameters: ``[a (d), b, vec(U) (d x k), c (k), vec(V) (k x d), e (d)]``.
    """
    X: np.ndarray
    y: np.ndarray
    k: int
    p: int = 6

    def __post_init__(self):
        self.X, self.y = lg.check_data(self.X, self.y)
        self.k = positive_int("k (hidden width of H)", self.k)
        self.p = lg.hinge_degree(self.p)

    @property
    def size(self) -> int:
        d, k = self.d, self.k
        return d + 1 + d * k + k + k * d + d

    def unpack(self, theta):
        d, k = self.d, self.k
        i = 0
        a = theta[i:i + d]; i += d
        b = theta[i]; i += 1
        U = theta[i:i + d * k].reshape(d, k); i += d * k
        c = theta[i:i + k]; i += k
        V = theta[i:i + k * d].reshape(k, d); i += k * d
        e = theta[i:i + d]
        return a, b, U, c, V, e

    def pack(self, a, b, U, c, V, e) -> np.ndarray:
        d, k = self.d, self.k
        parts = [np.asarray(a, dtype=np.float64).reshape(d), [float(b)], np.asarray(U, dtype=np.float64).reshape(d * k),
                 np.asarray(c, dtype=np.float64).reshape(k), np.asarray(V, dtype=np.float64).reshape(k * d),
                 np.asarray(e, dtype=np.float64).reshape(d)]
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



# ------------------------------------------------------------------------------------------------------------
# The convex linear model (Propositions 3 and 7): two routes to its minimum
# ------------------------------------------------------------------------------------------------------------
@dataclass
class LinearOptimum:
    beta: float            # intercept
    u: np.ndarray          # weights
    value: float           # (1/n) sum l_p(-y_i (beta + u^T x_i))
    grad_norm: float       # of the loss in (beta, u) at the returned point
    iterations: int
    ok: bool
    status: str = ""


def linear_model_loss(beta: float, u, X, y, p: int) -> float:
    f = float(beta) + np.asarray(X) @ np.asarray(u, dtype=np.float64)
    return float(np.mean(lg.poly_hinge(-np.asarray(y) * f, p)))


def linear_model_by_newton(X, y, p: int, max_iter: int = 200) -> LinearOptimum:
    """Minimize the convex linear-model loss by damped Newton steps in an orthonormal basis of the feature span
    ``[1, X]`` (collinear features such as a constant coordinate are handled by the reduction); returns the
    minimum-norm minimizer.  ``ok`` is False when the gradient does not reach :data:`NEWTON_GRAD_TOL`."""
    X, y = lg.check_data(X, y)
    n = X.shape[0]
    F = np.c_[np.ones(n), X]
    Uf, s, Vt = np.linalg.svd(F, full_matrices=False)
    r = int(np.sum(s > 1e-12 * s[0]))
    Uf, s, Vt = Uf[:, :r], s[:r], Vt[:r]
    z = np.zeros(r)

    def parts(z):
        m = -y * (Uf @ z)                        # z_i = -y_i f_i
        w = np.maximum(m + 1.0, 0.0)
        val = float(np.mean(w ** (p + 1)))
        g1 = (p + 1) * w ** p                    # l'
        g2 = (p + 1) * p * w ** (p - 1)          # l''
        grad = Uf.T @ (-y * g1) / n
        hess = (Uf * g2[:, None]).T @ Uf / n
        return val, grad, hess

    val, grad, hess = parts(z)
    floor = newton_grad_allowance(n) - NEWTON_GRAD_TOL   # rounding floor of the gradient
    it = 0
    for it in range(1, max_iter + 1):
        if np.linalg.norm(s * grad) <= NEWTON_GRAD_TOL:   # gradient in the original coordinates: V S grad_z
            break
        try:
            step = -np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = -grad
        if not np.all(np.isfinite(step)):
            step = -grad
        t = 1.0
        while True:
            new = parts(z + t * step)
            # Armijo on the value, or (once values stop resolving the decrease) a smaller gradient
            if (new[0] <= val + 1e-4 * t * float(grad @ step)
                    or np.linalg.norm(s * new[1]) < np.linalg.norm(s * grad)) or t < 1e-12:
                break
            t *= 0.5
        if np.linalg.norm(s * new[1]) >= np.linalg.norm(s * grad) and np.linalg.norm(s * grad) <= floor:
            break                                  # at the rounding floor: no step improves anything
        z = z + t * step
        val, grad, hess = new
    coef = Vt.T @ (z / s)                        # minimum-norm beta with F coef = Uf z
    full_grad = F.T @ (-y * (p + 1) * np.maximum(-y * (F @ coef) + 1.0, 0.0) ** p) / n
    gn = float(np.linalg.norm(full_grad))
    ok = bool(np.isfinite(val) and gn <= newton_grad_allowance(n))
    return LinearOptimum(float(coef[0]), coef[1:], linear_model_loss(coef[0], coef[1:], X, y, p), gn, it, ok,
                         "converged" if ok else f"gradient {gn:.3g} after {it} Newton steps")


def linear_model_by_cvxpy(X, y, p: int) -> LinearOptimum:
    """The same convex minimum by CVXPY with Clarabel (power cones); ``ok`` only for status ``optimal``."""
    import cvxpy as cp

    X, y = lg.check_data(X, y)
    n, d = X.shape
    beta, u = cp.Variable(), cp.Variable(d)
    margin = cp.multiply(y, beta + X @ u)
    prob = cp.Problem(cp.Minimize(cp.sum(cp.power(cp.pos(1 - margin), p + 1)) / n))
    prob.solve(solver=cp.CLARABEL)
    ok = prob.status == "optimal"
    if not ok:
        return LinearOptimum(float("nan"), np.full(d, np.nan), float("nan"), float("nan"), 0, False, prob.status)
    b, w = float(beta.value), np.asarray(u.value, dtype=np.float64)
    return LinearOptimum(b, w, linear_model_loss(b, w, X, y, p), float("nan"), 0, True, "optimal")


def affinely_separable(X, y) -> tuple[bool, str]:
    """Is there an affine f with ``y_i f(x_i) >= 1`` for all i?  An LP feasibility problem (HiGHS)."""
    from scipy.optimize import linprog

    X, y = lg.check_data(X, y)
    n, d = X.shape
    A = -(y[:, None] * np.c_[np.ones(n), X])
    res = linprog(np.zeros(d + 1), A_ub=A, b_ub=-np.ones(n), bounds=[(None, None)] * (d + 1), method="highs")
    if res.status == 0:
        return True, "feasible"
    if res.status == 2:
        return False, "infeasible"
    return False, f"undecided ({res.message})"


# ------------------------------------------------------------------------------------------------------------
# Bad points and their certificates
# ------------------------------------------------------------------------------------------------------------
@dataclass
class BadPoint:
    """A constructed (claimed) bad local minimum with the facts its construction promises.

    ``reference_value`` is the loss at ``theta`` computed by the construction's own closed form (constant
    model phi(B*)/n or linear-model optimum), never by evaluating the network; ``better`` is a parameter vector
    of the same model with zero training error (or at least a lower loss), or None where none exists.
    """
    claim: str
    problem: object
    theta: np.ndarray
    reference_value: float
    regime: str                         # "dead", "linear", "jensen", "cone", "constant-curved"
    description: str
    seed: int = 0
    B_star: float | None = None
    linear: LinearOptimum | None = None
    better: np.ndarray | None = None
    better_kind: str = ""               # "zero-error", "lower-loss", "" (none exists)
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


def _fmt(v) -> str:
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


# -- Proposition 2: dead ReLU-class neurons --------------------------------------------------------------------
def prop2_dead_point(X, y, M: int, act: str = "relu", p: int = 6, a=None, offset: float = 0.0,
                     description: str = "", seed: int = 0) -> BadPoint:
    """All M neurons dead: ``w_j = -e1`` (every input has ``x_1 = 1``, so every pre-activation is -1),
    ``a_0 = B* - c`` for a constant second network ``f_D = c``; then ``f = B*`` on the data.

    The output weights ``a`` are arbitrary (they multiply zeros).  ``better`` is an error-free point of the same
    model: two neurons ``relu(+-x_2)`` (positives of both data versions have ``x_2 != 0``, negatives
    ``x_2 = 0`` on subspace data) or one neuron ``relu(x_2)`` (separable data), scaled to loss 0.
    """
    X, y = lg.check_data(X, y)
    M = positive_int("M (number of neurons)", M)
    if "relu" not in lg.activation(act).classes:
        raise ValueError(f"Proposition 2 is about the ReLU class; {act!r} is not in it")
    if not np.allclose(X[:, 0], 1.0):
        raise ValueError("Proposition 2's construction needs every input on the plane x_1 = 1")
    n_plus, n_minus = class_counts(y)
    B = lg.constant_model_optimum(n_plus, n_minus, p)
    offsets = np.full(len(y), float(offset))
    prob = lg.ShallowProblem(X, y, M, act, p, offsets=offsets)
    a = np.ones(M) if a is None else finite_array("a", a, shape=(M,))
    W = np.zeros((X.shape[1], M))
    W[0] = -1.0
    theta = prob.pack(B - offset, a, W)
    better = _zero_error_shallow(prob)
    text = description or (f"prop2 dead point: d={X.shape[1]} n+={n_plus} n-={n_minus} M={M} act={act} p={p} "
                           f"f_D={offset:.3g} B*={B:.6g}")
    return BadPoint("liang2018.prop2", prob, theta, constant_loss(B, y, p), "dead", text, seed, B_star=B,
                    better=better, better_kind="zero-error" if better is not None else "")


def dead_unit_margin(X, W, radius: float, bias=None) -> float:
    """Largest pre-activation a neuron can reach on the data when its incoming weights (and bias, if any) move by
    at most ``radius`` in norm: ``max_ij z_ij + radius * max_i ||(x_i, 1)||`` (Cauchy-Schwarz).  Negative means
    every neuron stays dead on the whole ball."""
    X = np.asarray(X, dtype=np.float64)
    Z = X @ np.asarray(W, dtype=np.float64)
    lift = np.linalg.norm(X, axis=1)
    if bias is not None:
        Z = Z + np.asarray(bias, dtype=np.float64)
        lift = np.sqrt(lift ** 2 + 1.0)
    return float(Z.max() + float(radius) * lift.max())


def live_unit_margin(X, W, radius: float, bias=None) -> float:
    """Smallest pre-activation on the data over the same ball (positive: every neuron stays in its linear piece)."""
    X = np.asarray(X, dtype=np.float64)
    Z = X @ np.asarray(W, dtype=np.float64)
    lift = np.linalg.norm(X, axis=1)
    if bias is not None:
        Z = Z + np.asarray(bias, dtype=np.float64)
        lift = np.sqrt(lift ** 2 + 1.0)
    return float(Z.min() - float(radius) * lift.max())


# -- Proposition 3: leaky-ReLU-class neurons in their linear piece -----------------------------------------------
def prop3_linear_point(X, y, M: int, act: str = "leaky_relu", p: int = 6, linear: LinearOptimum | None = None,
                       description: str = "", seed: int = 0) -> BadPoint:
    """Realize the best linear classifier ``beta* + u*^T x`` with every neuron in its linear piece:
    ``w_1 = u* + C e1`` (a_1 = 1), ``w_2 = C e1`` (a_2 = -1), ``w_j = C e1`` (a_j = 0, j >= 3), ``a_0 = beta*``,
    ``C = max_i |u*^T x_i| + 1`` (all inputs have ``x_1 = 1``, so every pre-activation is >= 1)."""
    X, y = lg.check_data(X, y)
    M = positive_int("M (number of neurons)", M)
    if M < 2:
        raise ValueError("Proposition 3's construction needs M >= 2 neurons")
    if "leaky-relu" not in lg.activation(act).classes:
        raise ValueError(f"Proposition 3 is about the leaky-ReLU class; {act!r} is not in it")
    if not np.allclose(X[:, 0], 1.0):
        raise ValueError("Proposition 3's construction needs every input on the plane x_1 = 1")
    lin = linear if linear is not None else linear_model_by_newton(X, y, p)
    prob = lg.ShallowProblem(X, y, M, act, p)
    C = float(np.max(np.abs(X @ lin.u))) + 1.0
    W = np.zeros((X.shape[1], M))
    W[0, :] = C
    W[:, 0] += lin.u
    a = np.zeros(M)
    a[0], a[1] = 1.0, -1.0
    theta = prob.pack(lin.beta, a, W)
    better = _zero_error_shallow(prob)
    n_plus, n_minus = class_counts(y)
    text = description or (f"prop3 linear regime: d={X.shape[1]} n+={n_plus} n-={n_minus} M={M} act={act} p={p} "
                           f"beta*={lin.beta:.6g} u*={_fmt(lin.u)} C={C:.4g}")
    return BadPoint("liang2018.prop3", prob, theta, lin.value, "linear", text, seed, linear=lin, better=better,
                    better_kind="zero-error" if better is not None else "")


def _zero_error_shallow(prob: lg.ShallowProblem):
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
    g = prob.outputs(prob.pack(0.0, a, W)) - prob.offsets       # the neurons' response alone
    lo, hi = g[y > 0].min(), g[y < 0].max()
    if not lo > hi:
        return None
    shift = 0.5 * (lo + hi)
    K = scale_to_zero_loss(g - shift, y)
    # f_S + c = a_0 + K g + c with a_0 = -K shift - c reproduces K (g - shift) (the offsets are one constant)
    if np.ptp(prob.offsets) > 0:
        return None
    return prob.pack(-K * shift - prob.offsets[0], K * a, W)


# -- Proposition 4: sigmoid-class neurons on a symmetric sample --------------------------------------------------
def sigmoid_class_constant(act: str) -> float:
    """``c`` with ``sigma(z) + sigma(-z) = c`` (``2 sigma(0)``), for a sigmoid-class activation."""
    A = lg.activation(act)
    if "sigmoid" not in A.classes:
        raise ValueError(f"{act!r} is not in the sigmoid class")
    return 2.0 * float(A.np_fn(np.array(0.0)))


def prop4_constant_point(X, y, M: int, act: str = "tanh", p: int = 6, a=None, description: str = "",
                         seed: int = 0) -> BadPoint:
    """``W = 0`` and ``a_0 = B* - (c/2) sum_j a_j``: the network outputs the best constant on every input.  On a
    symmetric sample this is a *global* minimum (Jensen on each pair x, -x), with error min(n_+, n_-)/n."""
    X, y = lg.check_data(X, y)
    M = positive_int("M (number of neurons)", M)
    c = sigmoid_class_constant(act)
    n_plus, n_minus = class_counts(y)
    B = lg.constant_model_optimum(n_plus, n_minus, p)
    prob = lg.ShallowProblem(X, y, M, act, p)
    a = np.ones(M) if a is None else finite_array("a", a, shape=(M,))
    theta = prob.pack(B - 0.5 * c * float(np.sum(a)), a, np.zeros((X.shape[1], M)))
    text = description or (f"prop4 symmetric sample: d={X.shape[1]} 2n={len(y)} n+={n_plus} n-={n_minus} M={M} "
                           f"act={act} p={p} B*={B:.6g}")
    return BadPoint("liang2018.prop4", prob, theta, constant_loss(B, y, p), "jensen", text, seed, B_star=B)


def pair_sums(prob, theta) -> np.ndarray:
    """``f(x_i) + f(-x_i)`` for every sample (Proposition 4: equal to ``2 (a_0 + (c/2) sum_j a_j)`` for every
    theta when sigma is in the sigmoid class)."""
    mirrored = lg.ShallowProblem(-prob.X, prob.y, prob.M, prob.act, prob.p, offsets=prob.offsets)
    return prob.outputs(theta) + mirrored.outputs(theta)


# -- Proposition 5: quadratic-class neurons on separable data -----------------------------------------------------
def weighted_second_moment(X, y, B: float, p: int) -> np.ndarray:
    """``S = sum_i lambda_i y_i x_i x_i^T`` at the constant output B (lambda_i = l_p'(-y_i B))."""
    X, y = lg.check_data(X, y)
    lam = lg.poly_hinge_prime(-y * B, p)
    return (X * (lam * y)[:, None]).T @ X


def prop5_constant_point(X, y, M: int, act: str = "square", p: int = 6, magnitudes=None, description: str = "",
                         seed: int = 0) -> BadPoint:
    """``W = 0``, every ``a_j`` of sign ``-sign(S)`` (S the weighted second moment at B*, a scalar for d = 1),
    ``a_0 = B* - sigma(0) sum_j a_j``: f = B* on the data, a local minimum because every small ``w_j`` moves the
    outputs along ``-sign(S) x^2``, which the weights lambda make uphill."""
    X, y = lg.check_data(X, y)
    M = positive_int("M (number of neurons)", M)
    if X.shape[1] != 1:
        raise ValueError("Proposition 5's construction here is one-dimensional (d = 1)")
    if "quadratic" not in lg.activation(act).classes:
        raise ValueError(f"Proposition 5 is about the quadratic class; {act!r} is not in it")
    n_plus, n_minus = class_counts(y)
    B = lg.constant_model_optimum(n_plus, n_minus, p)
    S = float(weighted_second_moment(X, y, B, p)[0, 0])
    if S == 0.0:
        raise ValueError("the weighted second moment S is exactly 0 (a probability-zero sample)")
    mags = np.ones(M) if magnitudes is None else np.abs(finite_array("magnitudes", magnitudes, shape=(M,)))
    if np.any(mags == 0):
        raise ValueError("output weights must be non-zero")
    a = -np.sign(S) * mags
    sigma0 = float(lg.activation(act).np_fn(np.array(0.0)))
    prob = lg.ShallowProblem(X, y, M, act, p)
    theta = prob.pack(B - sigma0 * float(np.sum(a)), a, np.zeros((1, M)))
    text = description or (f"prop5 separable 1-d: n+={n_plus} n-={n_minus} M={M} act={act} p={p} B*={B:.6g} "
                           f"S={S:.4g} sign(a)={-int(np.sign(S)):+d}")
    return BadPoint("liang2018.prop5", prob, theta, constant_loss(B, y, p),
                    "cone" if act == "square" else "constant-curved", text, seed, B_star=B, meta={"S": S})


def flipped_descent_point(bp: BadPoint, max_halvings: int = 60) -> tuple[np.ndarray | None, float]:
    """A lower point next to a Proposition-5 construction: flip every output weight (a_0 compensated so the
    output stays B* at W = 0) and move every w_j to a small common delta, halving delta until the loss is below
    the reference by more than rounding.  Returns (point, decrease) or (None, best change seen)."""
    prob = bp.problem
    a0, a, W = prob.unpack(bp.theta)
    sigma0 = float(lg.activation(prob.act).np_fn(np.array(0.0)))
    base = prob.value(bp.theta)
    delta, best = 0.5, np.inf
    for _ in range(max_halvings):
        a_new = -a
        cand = prob.pack(bp.B_star - sigma0 * float(np.sum(a_new)), a_new, np.full_like(W, delta))
        change = prob.value(cand) - base
        best = min(best, change)
        if change < -strict_decrease(base):
            return cand, change
        delta *= 0.5
    return None, best


@dataclass
class ConeValues:
    """Proposition 5 with sigma(z) = z^2: the model on the data is ``a_0 + A x^2`` (``A = sum_j a_j w_j^2``), and
    near the construction A keeps the sign s of the output weights.  ``constrained`` is the convex optimum over
    that cone, ``free`` the optimum without the sign constraint (both re-evaluated in numpy at the solver's
    point); ``ok`` only when both solves report ``optimal``."""
    ok: bool
    status: str
    constrained: float = float("nan")
    constrained_A: float = float("nan")
    free: float = float("nan")
    free_point: tuple = ()


def prop5_cone_values(bp: BadPoint) -> ConeValues:
    import cvxpy as cp

    prob = bp.problem
    if prob.act != "square":
        raise ValueError("the convex-cone route needs sigma(z) = z^2")
    x2 = prob.X[:, 0] ** 2
    y, p, n = prob.y, prob.p, prob.n
    s = float(np.sign(prob.unpack(bp.theta)[1][0]))
    out = []
    for constrained in (True, False):
        a0, A = cp.Variable(), cp.Variable()
        obj = cp.sum(cp.power(cp.pos(1 - cp.multiply(y, a0 + A * x2)), p + 1)) / n
        problem = cp.Problem(cp.Minimize(obj), [s * A >= 0] if constrained else [])
        problem.solve(solver=cp.CLARABEL)
        if problem.status != "optimal":
            return ConeValues(False, f"{'constrained' if constrained else 'free'} cone problem: {problem.status}")
        a0v, Av = float(a0.value), float(A.value)
        out.append((float(np.mean(lg.poly_hinge(-y * (a0v + Av * x2), p))), a0v, Av))
    return ConeValues(True, "optimal", out[0][0], out[0][2], out[1][0], (out[1][1], out[1][2]))


# -- Proposition 6: a dead first layer in a feed-forward ReLU network ----------------------------------------------
def prop6_dead_first_layer(X, y, hidden: Sequence[int], act: str = "relu", p: int = 6, seed: int = 0,
                           description: str = "", planted: np.ndarray | None = None) -> BadPoint:
    """Random weights; first-layer biases ``b_1 = -(max_i ||W_1^T x_i||_inf + 1)`` kill every first-layer unit
    with margin 1, so the network is a constant K on the data; the output bias then moves K to the best
    constant B*.  With ``planted = (w, b)`` (labels = sign(w^T x + b)) ``better`` is an error-free network
    passing ``relu(+-(w^T x + b))`` through every layer."""
    X, y = lg.check_data(X, y)
    hidden = tuple(positive_int("hidden width", h) for h in hidden)
    A = lg.activation(act)
    if "relu" not in A.classes:
        raise ValueError(f"Proposition 6 is about neurons that vanish on z <= 0; {act!r} does not")
    prob = lg.FeedForwardProblem(X, y, hidden, act, p)
    rng = np.random.default_rng(seed)
    layers = [(W, b.copy()) for W, b in prob.unpack(prob.random_theta(rng))]
    W1, _ = layers[0]
    layers[0] = (W1, np.full(W1.shape[1], -(float(np.abs(X @ W1).max()) + 1.0)))
    n_plus, n_minus = class_counts(y)
    B = lg.constant_model_optimum(n_plus, n_minus, p)
    WL, bL = layers[-1]
    K = prob.outputs(prob.pack(layers))
    if np.ptp(K) > 0:
        raise RuntimeError("a dead first layer must make the output constant on the data")
    layers[-1] = (WL, bL + (B - K[0]))
    theta = prob.pack(layers)
    better = None
    if planted is not None:
        better = _pass_through_network(prob, np.asarray(planted, dtype=np.float64))
    text = description or (f"prop6 dead first layer: d={X.shape[1]} n+={n_plus} n-={n_minus} "
                           f"hidden={hidden} act={act} p={p} B*={B:.6g}")
    return BadPoint("liang2018.prop6", prob, theta, constant_loss(B, y, p), "dead", text, seed, B_star=B,
                    better=better, better_kind="zero-error" if better is not None else "")


def _pass_through_network(prob, planted: np.ndarray):
    """Units 1, 2 of the first layer compute ``sigma(+-(w^T x + b))``; every later hidden layer copies them
    (sigma keeps non-negative numbers non-negative and zero at zero), the output takes their difference.
    Needs width >= 2 in every hidden layer; returns None otherwise or when the sign is not the label."""
    if min(prob.hidden) < 2:
        return None
    w, b = planted[:-1], planted[-1]
    widths = prob.widths
    layers = []
    for i in range(len(widths) - 1):
        W = np.zeros((widths[i], widths[i + 1]))
        bias = np.zeros(widths[i + 1])
        if i == 0:
            W[:, 0], W[:, 1] = w, -w
            bias[0], bias[1] = b, -b
        elif i < len(widths) - 2:
            W[0, 0], W[1, 1] = 1.0, 1.0
        else:
            W[0, 0], W[1, 0] = 1.0, -1.0
        layers.append((W, bias))
    theta = prob.pack(layers)
    f = prob.outputs(theta)
    if np.min(prob.y * f) <= 0:
        return None
    K = scale_to_zero_loss(f, prob.y)
    WL, bL = layers[-1]
    layers[-1] = (K * WL, K * bL)
    return prob.pack(layers)


def first_layer(prob: lg.FeedForwardProblem, theta) -> tuple[np.ndarray, np.ndarray]:
    W, b = prob.unpack(np.asarray(theta, dtype=np.float64))[0]
    return W, b


# -- Proposition 7: identity shortcut with a dead residual ------------------------------------------------------------
def prop7_shortcut_point(X, y, k: int, p: int = 6, seed: int = 0, linear: LinearOptimum | None = None,
                         description: str = "") -> BadPoint:
    """``H = V^T relu(U^T x + c) + e`` with ``c = -(max_i ||U^T x_i||_inf + 1)`` (dead), so ``H = e`` on the
    data and ``f = a^T x + (a^T e + b)`` is a linear model: take ``a = u*``, ``b = beta* - a^T e`` with
    ``(beta*, u*)`` the best linear classifier.  ``better``: the residual computes ``|x_2|`` into coordinate 1."""
    X, y = lg.check_data(X, y)
    prob = IdentityShortcutProblem(X, y, k, p)
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    lin = linear if linear is not None else linear_model_by_newton(X, y, p)
    U = rng.standard_normal((d, prob.k))
    c = np.full(prob.k, -(float(np.abs(X @ U).max()) + 1.0))
    V = rng.standard_normal((prob.k, d))
    e = rng.standard_normal(d)
    theta = prob.pack(lin.u, lin.beta - float(lin.u @ e), U, c, V, e)
    better = None
    if prob.k >= 2 and d >= 2 and np.allclose(X[:, 0], 1.0):
        Ub = np.zeros((d, prob.k)); Ub[1, 0], Ub[1, 1] = 1.0, -1.0
        Vb = np.zeros((prob.k, d)); Vb[0, 0], Vb[1, 0] = 1.0, 1.0
        ab = np.zeros(d); ab[0] = 1.0
        probe = prob.pack(ab, 0.0, Ub, np.zeros(prob.k), Vb, np.zeros(d))
        g = prob.outputs(probe)
        lo, hi = g[y > 0].min(), g[y < 0].max()
        if lo > hi:
            shift = 0.5 * (lo + hi)
            K = scale_to_zero_loss(g - shift, y)
            better = prob.pack(K * ab, -K * shift, Ub, np.zeros(prob.k), Vb, np.zeros(d))
    n_plus, n_minus = class_counts(y)
    text = description or (f"prop7 identity shortcut: d={d} n+={n_plus} n-={n_minus} k={prob.k} p={p} "
                           f"beta*={lin.beta:.6g} u*={_fmt(lin.u)}")
    return BadPoint("liang2018.prop7", prob, theta, lin.value, "dead", text, seed, linear=lin, better=better,
                    better_kind="zero-error" if better is not None else "")


# ------------------------------------------------------------------------------------------------------------
# Readable instances and witness files
# ------------------------------------------------------------------------------------------------------------
def readable_instances() -> dict:
    """The small fixed instance of each proposition (name -> BadPoint), described in words."""
    out = {}
    tp, tm = [-0.5, 0.25, 1.0], [-1.0, 0.5]
    X, y = half_space_subspace_data(tp, tm)
    M = lg.required_width_thm1(5, 2, 2, 1)
    B = lg.constant_model_optimum(3, 2, 6)
    out["liang2018.prop2__thm1-data"] = prop2_dead_point(
        X, y, M, "relu", 6, description=(
            f"Thm-1 data d=3: n+=3 at (1,t,0), t=-1/2,1/4,1; n-=2 at (1,0,t), t=-1,1/2 (U+={{e1,e2}}, "
            f"U-={{e1,e3}}, dr=1); M={M}=2n ReLU neurons, all w_j=-e1 (pre-activation -1), a_j=1, a_0=B*={B:.6f}, "
            f"f_D=0, p=6: f=B*>=0 everywhere, both negatives wrong, error 2/5"))
    X, y = half_space_separable_data([0.25, 0.5, 0.75], [0.0, 0.5])
    B = lg.constant_model_optimum(3, 2, 4)
    out["liang2018.prop2__thm2-data"] = prop2_dead_point(
        X, y, 2, "relu", 4, description=(
            f"Thm-2 data d=3: n+=3 at (1,x2,0), x2=3/4,1,5/4; n-=2 at x2=-1/2,-1 (separator e2); M=2 ReLU "
            f"neurons w_j=-e1 (dead), a_0=B*={B:.6f}, p=4: both negatives wrong, error 2/5"))
    X, y = half_space_subspace_data([1.0, -0.5], [0.25, -1.0])
    lin = linear_model_by_newton(X, y, 6)
    bp = prop3_linear_point(X, y, 8, "leaky_relu", 6, linear=lin)
    affine = (f"f = {lin.beta + lin.u[0]:.5f} + {lin.u[1]:.5f} t (positives), "
              f"{lin.beta + lin.u[0]:.5f} + {lin.u[2]:.5f} t (negatives)")
    bp.description = (f"Thm-1 data d=3: n+=2 at (1,t,0), t=1,-1/2; n-=2 at (1,0,t), t=1/4,-1 (no affine "
                      f"classifier is error-free); M=8=2n leaky ReLU (slope 0.1) neurons in their linear piece "
                      f"realizing the best linear model {affine}; p=6; error {bp.errors()}/4")
    out["liang2018.prop3__linear-regime"] = bp
    X, y = symmetric_sample(2, 1)
    B = lg.constant_model_optimum(4, 2, 6)
    out["liang2018.prop4__symmetric"] = prop4_constant_point(
        X, y, 12, "tanh", 6, description=(
            f"symmetric sample 2n=6 in R^2: positives +e1,+e1,-e1,-e1; negatives +e2,-e2; M=12=2(2n) tanh "
            f"neurons, W=0, a_j=1, a_0=B*={B:.6f}, p=6: f=B*>0, both negatives wrong, error 2/6 (a global "
            f"minimum: no parameter is error-free on this sample)"))
    X, y = prop5_data([1.25, 1.5, 1.75], [-1.5, -1.25])
    bp = prop5_constant_point(X, y, 2, "square", 6)
    bp.description = (f"separable 1-d data: n+=3 at x=5/4,3/2,7/4; n-=2 at x=-3/2,-5/4 (separator w=1); "
                      f"M=2 quadratic neurons, W=0, a_j={-int(np.sign(bp.meta['S'])):+d} (sign -S, "
                      f"S={bp.meta['S']:.4g}), a_0=B*={bp.B_star:.6f}, p=6: error {bp.errors()}/5")
    out["liang2018.prop5__square"] = bp
    X = np.array([[1.0, 1.0], [2.0, -1.0], [-1.0, 1.0], [-2.0, -1.0], [1.5, 0.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0, 1.0])
    bp = prop6_dead_first_layer(X, y, (2, 2), "relu", 6, seed=0, planted=np.array([1.0, 0.0, 0.0]))
    bp.description = (f"d=2: positives (1,1),(2,-1),(3/2,0), negatives (-1,1),(-2,-1) (labels = sign x_1); "
                      f"ReLU net 2-2-2-1 with random weights (seed 0) and first-layer biases "
                      f"{first_layer(bp.problem, bp.theta)[1][0]:.4g} (all first-layer units dead), output bias "
                      f"set so f=B*={bp.B_star:.6f}; p=6: both negatives wrong, error 2/5")
    out["liang2018.prop6__dead-first-layer"] = bp
    X, y = half_space_subspace_data([1.0, -0.5], [0.25, -1.0])
    bp = prop7_shortcut_point(X, y, 2, 6, seed=0, linear=lin)
    bp.description = (f"the prop3 data (n=4, d=3); f=a^T(x+H(x))+b, H=V^T relu(U^T x+c)+e with k=2 dead "
                      f"hidden units (c={bp.problem.unpack(bp.theta)[3][0]:.4g}), a=u*, b=beta*-a^T e, so on "
                      f"the data {affine}; p=6: error {bp.errors()}/4")
    out["liang2018.prop7__dead-residual"] = bp
    return out


def witness_arrays(bp: BadPoint) -> dict:
    """Plain arrays (no objects) that rebuild the problem and the point: see :func:`bad_point_from_arrays`."""
    prob = bp.problem
    arrays = {"claim": np.asarray(bp.claim), "X": prob.X, "y": prob.y, "theta": bp.theta, "p": np.asarray(prob.p),
              "better": bp.better if bp.better is not None else np.zeros(0), "regime": np.asarray(bp.regime),
              "description": np.asarray(bp.description)}
    if isinstance(prob, lg.ShallowProblem):
        arrays.update(model=np.asarray("shallow"), act=np.asarray(prob.act), M=np.asarray(prob.M),
                      offsets=prob.offsets)
    elif isinstance(prob, lg.FeedForwardProblem):
        arrays.update(model=np.asarray("feedforward"), act=np.asarray(prob.act), hidden=np.asarray(prob.hidden))
    else:
        arrays.update(model=np.asarray("shortcut"), k=np.asarray(prob.k))
    return arrays


def bad_point_from_arrays(arrays) -> BadPoint:
    """Rebuild a BadPoint from witness arrays.  The facts its checks rely on (best constant B*, best linear model)
    are recomputed from the stored data, not read from the file."""
    claim = str(arrays["claim"])
    model = str(arrays["model"])
    X, y, theta, p = arrays["X"], arrays["y"], np.asarray(arrays["theta"], dtype=np.float64), int(arrays["p"])
    if model == "shallow":
        prob = lg.ShallowProblem(X, y, int(arrays["M"]), str(arrays["act"]), p, offsets=arrays["offsets"])
    elif model == "feedforward":
        prob = lg.FeedForwardProblem(X, y, tuple(int(h) for h in arrays["hidden"]), str(arrays["act"]), p)
    elif model == "shortcut":
        prob = IdentityShortcutProblem(X, y, int(arrays["k"]), p)
    else:
        raise ValueError(f"unknown model {model!r} in a witness file")
    if theta.shape != (prob.size,):
        raise ValueError(f"theta has {theta.size} entries; the model has {prob.size} parameters")
    better = np.asarray(arrays["better"], dtype=np.float64)
    better = better if better.size else None
    n_plus, n_minus = class_counts(prob.y)
    B = lin = None
    meta = {}
    if claim in ("liang2018.prop3", "liang2018.prop7"):
        lin = linear_model_by_newton(prob.X, prob.y, p)
        reference = lin.value
    else:
        B = lg.constant_model_optimum(n_plus, n_minus, p)
        reference = constant_loss(B, prob.y, p)
        if claim == "liang2018.prop5":
            meta["S"] = float(weighted_second_moment(prob.X, prob.y, B, p)[0, 0])
    return BadPoint(claim, prob, theta, reference, str(arrays["regime"]), str(arrays["description"]), 0, B_star=B,
                    linear=lin, better=better, better_kind="zero-error" if better is not None else "", meta=meta)


# ------------------------------------------------------------------------------------------------------------
# Certificates
# ------------------------------------------------------------------------------------------------------------
@dataclass
class PointCertificate:
    verdict: str
    value_torch: float
    grad_norm: float
    lambda_min: float | None
    worst_change: float            # smallest loss change over the local samples (>= 0 up to rounding)
    samples: int

    @property
    def is_local_min(self) -> bool:
        return self.verdict.startswith("local-min")


def certify_point(bp: BadPoint, samples: int = 100, seed: int = 0) -> PointCertificate:
    """Run :func:`landscape.certify.certify` at the constructed point, then (whatever its verdict) the loss
    change over :func:`local_samples` evaluated in numpy (an evaluation route the certifier does not use)."""
    loss = bp.problem.objective()
    cert = certify(loss, bp.theta, grad_tol=CONSTRUCTION_GRAD_TOL, eig_tol=CONSTRUCTION_EIG_TOL,
                   perturbation_radii=PERTURBATION_RADII, samples=samples, seed=seed)
    base = bp.problem.value(bp.theta)
    pts = local_samples(bp.theta, PERTURBATION_RADII, samples, seed + 1)
    worst = min(bp.problem.value(t) - base for _, t in pts)
    return PointCertificate(cert.verdict, cert.value, cert.grad_norm, cert.lambda_min, worst, len(pts))


@dataclass
class LocalArgument:
    """Numbers of a construction's exact local argument (see :func:`local_argument`)."""
    radius: float                 # the ball the argument covers (the largest perturbation radius used)
    regime_margin: float          # < 0 for dead units (largest pre-activation on the ball), > 0 for linear ones
    sampled_regime: float         # the same extreme, evaluated at the sample points
    reduction_error: float        # max |loss(theta') - reduced loss(theta')| over the sample points
    optimality: float             # |derivative| of the reduced function at the construction
    samples: int
    extra: dict = field(default_factory=dict)


def local_argument(bp: BadPoint, samples: int = 100, seed: int = 7) -> LocalArgument:
    """The construction's own proof, evaluated: (1) every hidden unit keeps its regime on the ball of radius
    ``max(PERTURBATION_RADII)`` (analytic bound, and the extreme at sample points); (2) on that ball the loss
    equals a reduced convex function (constant model or linear model), checked at the sample points; (3) the
    construction minimizes that reduced function (its derivative vanishes; for the linear model the gradient of
    the convex loss, computed in numpy)."""
    r = max(PERTURBATION_RADII)
    pts = local_samples(bp.theta, PERTURBATION_RADII, samples, seed)
    prob = bp.problem
    if bp.claim == "liang2018.prop2":
        _, _, W = prob.unpack(bp.theta)
        margin = dead_unit_margin(prob.X, W, r)
        sampled = max(float((prob.X @ prob.unpack(t)[2]).max()) for _, t in pts)
        red = max(abs(prob.value(t) - constant_loss(prob.unpack(t)[0] + prob.offsets[0], prob.y, prob.p))
                  for _, t in pts)
        return LocalArgument(r, margin, sampled, red, abs(constant_loss_slope(bp.B_star, prob.y, prob.p)), len(pts))
    if bp.claim == "liang2018.prop6":
        W1, b1 = first_layer(prob, bp.theta)
        margin = dead_unit_margin(prob.X, W1, r, b1)
        sampled = max(float((prob.X @ first_layer(prob, t)[0] + first_layer(prob, t)[1]).max()) for _, t in pts)
        red, spread = 0.0, 0.0
        for _, t in pts:
            f = prob.outputs(t)
            spread = max(spread, float(np.ptp(f)))
            red = max(red, abs(prob.value(t) - constant_loss(float(f[0]), prob.y, prob.p)))
        return LocalArgument(r, margin, sampled, red, abs(constant_loss_slope(bp.B_star, prob.y, prob.p)), len(pts),
                             extra={"output_spread": spread})
    if bp.claim == "liang2018.prop3":
        _, _, W = prob.unpack(bp.theta)
        margin = live_unit_margin(prob.X, W, r)
        sampled = min(float((prob.X @ prob.unpack(t)[2]).min()) for _, t in pts)
        red = 0.0
        for _, t in pts:
            a0, a, Wt = prob.unpack(t)
            red = max(red, abs(prob.value(t) - linear_model_loss(a0, Wt @ a, prob.X, prob.y, prob.p)))
        lin = bp.linear
        return LocalArgument(r, margin, sampled, red, _linear_grad_norm(prob.X, prob.y, prob.p, lin), len(pts))
    if bp.claim == "liang2018.prop7":
        _, _, U, c, _, _ = prob.unpack(bp.theta)
        margin = dead_unit_margin(prob.X, U, r, c)
        sampled = max(float(prob.hidden_preactivations(t).max()) for _, t in pts)
        red = 0.0
        for _, t in pts:
            a, b, _, _, _, e = prob.unpack(t)
            red = max(red, abs(prob.value(t) - linear_model_loss(float(a @ e + b), a, prob.X, prob.y, prob.p)))
        lin = bp.linear
        return LocalArgument(r, margin, sampled, red, _linear_grad_norm(prob.X, prob.y, prob.p, lin), len(pts))
    raise ValueError(f"no dead/linear-regime local argument for {bp.claim}")


def _linear_grad_norm(X, y, p, lin: LinearOptimum) -> float:
    n = X.shape[0]
    F = np.c_[np.ones(n), X]
    coef = np.r_[lin.beta, lin.u]
    return float(np.linalg.norm(F.T @ (-y * lg.poly_hinge_prime(-y * (F @ coef), p)) / n))


def jensen_argument(bp: BadPoint, draws: int = 300, scale: float = 3.0, seed: int = 11) -> dict:
    """Proposition 4's global argument, evaluated: at random parameters anywhere (Gaussian of the given scale) and
    at the local samples, (i) ``f(x) + f(-x)`` is the same number for every sample (the pairing identity),
    (ii) the loss is at least phi(B(theta)) >= phi(B*).  Returns the extremes."""
    prob = bp.problem
    rng = np.random.default_rng(seed)
    c = sigmoid_class_constant(prob.act)
    thetas = [scale * rng.standard_normal(prob.size) for _ in range(draws)]
    thetas += [t for _, t in local_samples(bp.theta, PERTURBATION_RADII, max(draws // 4, 1), seed + 1)]
    floor = bp.reference_value
    worst_pair, min_excess, min_jensen = 0.0, np.inf, np.inf
    for t in thetas:
        a0, a, _ = prob.unpack(t)
        B = a0 + 0.5 * c * float(np.sum(a))
        ps = pair_sums(prob, t)
        worst_pair = max(worst_pair, float(np.max(np.abs(ps - 2 * B))) / (1.0 + abs(B) + float(np.sum(np.abs(a)))))
        v = prob.value(t)
        min_jensen = min(min_jensen, v - constant_loss(B, prob.y, prob.p))
        min_excess = min(min_excess, v - floor)
    return {"draws": len(thetas), "pair_identity_rel_error": worst_pair, "min_loss_minus_phi_B": min_jensen,
            "min_loss_minus_phi_Bstar": min_excess}


def second_derivative_at_zero(act: str, h: float = 1e-3) -> float:
    """sigma''(0) by a central difference in numpy (exact for z^2; for cosh off by h^2/12 ~ 1e-7 relative, with
    rounding ~ eps / h^2 ~ 2e-10): a route independent of autograd."""
    f = lg.activation(act).np_fn
    return float((f(np.array(h)) - 2.0 * f(np.array(0.0)) + f(np.array(-h))) / h ** 2)


def curved_block(bp: BadPoint) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 5's second-order argument: the Hessian block in the input weights W at the construction,
    by autograd, and its closed form ``diag(-a_j sigma''(0) S / n)`` (the input weights do not couple)."""
    from landscape.core.certify import dense_hessian

    prob = bp.problem
    H = dense_hessian(prob.objective(), bp.theta)
    idx = np.arange(1 + prob.M, prob.size)
    block = H[np.ix_(idx, idx)]
    _, a, _ = prob.unpack(bp.theta)
    closed = np.diag(-a * second_derivative_at_zero(prob.act) * bp.meta["S"] / prob.n)
    return block, closed


# ------------------------------------------------------------------------------------------------------------
# Example 1: the population quadratic loss (exact rational arithmetic)
# ------------------------------------------------------------------------------------------------------------
EX1_POSITIVE = Fraction(5, 4)   # X | Y = +1 is this point; X | Y = -1 is uniform on [0, 1]; P(Y = 1) = 1/2


def ex1_loss_exact(a: Fraction, b: Fraction) -> Fraction:
    """``E[(1 - Y f(X))^2]`` for ``f = a x + b``, integrated by hand: the positive half gives
    ``(1 - 5a/4 - b)^2 / 2``; the negative half ``(1/2) int_0^1 (1 + a u + b)^2 du
    = ((1 + b)^2 + a (1 + b) + a^2 / 3) / 2``."""
    a, b = Fraction(a), Fraction(b)
    return (Fraction(1, 2) * (1 - EX1_POSITIVE * a - b) ** 2
            + Fraction(1, 2) * ((1 + b) ** 2 + a * (1 + b) + a * a / 3))


def ex1_minimizer_exact() -> tuple[Fraction, Fraction]:
    """Solve the normal equations of the strictly convex quadratic exactly (Cramer's rule on Fractions)."""
    # L = 1/2 (1 - q a - b)^2 + 1/2 ((1 + b)^2 + a (1 + b) + a^2/3), q = 5/4; gradient = H (a, b) - g
    q = EX1_POSITIVE
    H = [[q * q + Fraction(1, 3), q + Fraction(1, 2)], [q + Fraction(1, 2), Fraction(2)]]
    g = [q - Fraction(1, 2), Fraction(0)]       # d/da: -q(1 - qa - b) + (1 + b)/2 + a/3 ; d/db: -(1 - qa - b) + (1 + b)
    det = H[0][0] * H[1][1] - H[0][1] * H[1][0]
    if det <= 0:
        raise ArithmeticError("the population loss is not strictly convex")
    a = (g[0] * H[1][1] - H[0][1] * g[1]) / det
    b = (H[0][0] * g[1] - g[0] * H[1][0]) / det
    return a, b


def ex1_hessian_exact() -> list:
    q = EX1_POSITIVE
    return [[q * q + Fraction(1, 3), q + Fraction(1, 2)], [q + Fraction(1, 2), Fraction(2)]]


def ex1_error_exact(a: Fraction, b: Fraction) -> Fraction:
    """``P(Y != sgn(a X + b))`` exactly: the positive point is wrong iff ``a q + b < 0``; a negative ``u`` is
    wrong iff ``a u + b >= 0`` (ties go to +1), a set of measure computed from the root ``-b/a``."""
    a, b = Fraction(a), Fraction(b)
    pos_wrong = Fraction(1) if a * EX1_POSITIVE + b < 0 else Fraction(0)
    if a == 0:
        neg_wrong = Fraction(1) if b >= 0 else Fraction(0)
    else:
        root = -b / a
        if a > 0:   # wrong on [root, 1]
            neg_wrong = min(Fraction(1), max(Fraction(0), 1 - root))
        else:       # wrong on [0, root]
            neg_wrong = min(Fraction(1), max(Fraction(0), root))
    return Fraction(1, 2) * pos_wrong + Fraction(1, 2) * neg_wrong


def ex1_loss_by_quadrature(a: float, b: float) -> float:
    """The population loss by numerical integration (scipy quad) of the negative half: a second route."""
    from scipy.integrate import quad

    neg, _ = quad(lambda u: (1.0 + a * u + b) ** 2, 0.0, 1.0, epsabs=1e-13, epsrel=1e-13)
    return 0.5 * (1.0 - 1.25 * a - b) ** 2 + 0.5 * neg


def ex1_gradient_by_quadrature(a: float, b: float) -> np.ndarray:
    """Its gradient, the negative half's derivative integrated by quad as well."""
    from scipy.integrate import quad

    r = 1.0 - 1.25 * a - b
    da, _ = quad(lambda u: u * (1.0 + a * u + b), 0.0, 1.0, epsabs=1e-13, epsrel=1e-13)
    db, _ = quad(lambda u: 1.0 + a * u + b, 0.0, 1.0, epsabs=1e-13, epsrel=1e-13)
    return np.array([-1.25 * r + da, -r + db])


def ex1_minimize_by_quadrature():
    """scipy.optimize.minimize (BFGS) on :func:`ex1_loss_by_quadrature` from the origin."""
    from scipy.optimize import minimize

    return minimize(lambda v: ex1_loss_by_quadrature(v[0], v[1]), np.zeros(2), method="BFGS",
                    jac=lambda v: ex1_gradient_by_quadrature(v[0], v[1]), options={"gtol": 1e-8})


def ex1_midpoint_sample(N: int) -> tuple[np.ndarray, np.ndarray]:
    """A deterministic 'sample': N positives at 5/4 and N negatives at the midpoints ``(k + 1/2)/N`` of [0, 1]
    (so empirical averages are midpoint-rule integrals, exact for linear and off by ``1/(12 N^2)`` for
    quadratic integrands)."""
    N = positive_int("N", N)
    s = np.r_[np.full(N, 1.25), (np.arange(N) + 0.5) / N]
    return s, np.r_[np.ones(N), -np.ones(N)]


# ------------------------------------------------------------------------------------------------------------
# Appendix B.8: quadratic loss on a sample (exact least squares on Fractions, numpy lstsq, network L-BFGS)
# ------------------------------------------------------------------------------------------------------------
B8_S_POSITIVE_A = Fraction(5, 4)


def b8_features(instance: str, values: Sequence, labels: Sequence) -> list:
    """Exact feature rows (Fractions) of the function class the network realizes on the data.

    Instance "A": inputs ``(1, s)``, one linear neuron: the class is the affine functions ``b + a s``, rows
    ``[1, s]``.  Instance "B": positives ``s e1``, negatives ``t e2``, quadratic neurons: the class is
    ``a_0 + A_11 s^2`` on positives and ``a_0 + A_22 t^2`` on negatives, rows ``[1, s^2, 0]`` / ``[1, 0, t^2]``.
    """
    rows = []
    for v, yv in zip(values, labels):
        v = Fraction(v)
        if instance == "A":
            rows.append([Fraction(1), v])
        elif instance == "B":
            rows.append([Fraction(1), v * v, Fraction(0)] if yv > 0 else [Fraction(1), Fraction(0), v * v])
        else:
            raise ValueError(f"unknown B.8 instance {instance!r}")
    return rows


def exact_least_squares_fit(rows: list, targets: Sequence) -> list:
    """Fitted values (Fractions) of the least-squares projection of ``targets`` onto the span of the columns of
    ``rows``: Gram-Schmidt in exact arithmetic, dependent columns dropped.  Unique even without full rank."""
    n = len(rows)
    cols = [[rows[i][j] for i in range(n)] for j in range(len(rows[0]))]
    basis = []                               # orthogonal (not normalized) columns
    for c in cols:
        v = list(c)
        for q in basis:
            coef = sum(vi * qi for vi, qi in zip(v, q)) / sum(qi * qi for qi in q)
            v = [vi - coef * qi for vi, qi in zip(v, q)]
        if any(vi != 0 for vi in v):
            basis.append(v)
    t = [Fraction(int(v)) for v in targets]
    fit = [Fraction(0)] * n
    for q in basis:
        coef = sum(ti * qi for ti, qi in zip(t, q)) / sum(qi * qi for qi in q)
        fit = [fi + coef * qi for fi, qi in zip(fit, q)]
    return fit


def exact_error_count(fitted: Sequence[Fraction], labels: Sequence) -> int:
    return sum(1 for f, yv in zip(fitted, labels) if (1 if f >= 0 else -1) != int(yv))


def b8_sample(instance: str, values: Sequence, labels: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Network inputs of a B.8 sample: ``(1, s)`` (instance A) or ``s e1`` / ``t e2`` (instance B)."""
    y = np.asarray([float(v) for v in labels])
    vals = np.asarray([float(v) for v in values])
    if instance == "A":
        X = np.c_[np.ones(len(vals)), vals]
    elif instance == "B":
        X = np.zeros((len(vals), 2))
        X[y > 0, 0] = vals[y > 0]
        X[y < 0, 1] = vals[y < 0]
    else:
        raise ValueError(f"unknown B.8 instance {instance!r}")
    return lg.check_data(X, y)


B8_INSTANCES = {
    # instance A (Theorem 2's conditions): positive at s = 5/4, negatives at s = 0, 1, 1
    "A": ((Fraction(5, 4), Fraction(0), Fraction(1), Fraction(1)), (1, -1, -1, -1)),
    # instance B (Theorem 1's conditions): positives at s = 1, 3 on e1, negatives at t = 1, 1, 3 on e2
    "B": ((Fraction(1), Fraction(3), Fraction(1), Fraction(1), Fraction(3)), (1, 1, -1, -1, -1)),
}

# the distributions: instance A, P(Y=1) = 1/2, s | + = 5/4, s | - uniform on {0, 1};
# instance B, P(Y=1) = 1/2, s | + and t | - uniform on {1, 2, 3}
B8_DISTRIBUTIONS = {
    "A": ({Fraction(5, 4): Fraction(1, 2)}, {Fraction(0): Fraction(1, 4), Fraction(1): Fraction(1, 4)}),
    "B": ({Fraction(v): Fraction(1, 6) for v in (1, 2, 3)}, {Fraction(v): Fraction(1, 6) for v in (1, 2, 3)}),
}


def b8_patterns(instance: str, n: int):
    """Every sample of size n from the instance's distribution, up to order: yields (values, labels, probability
    of drawing that multiset) with exact Fraction probabilities (multinomial)."""
    n = positive_int("n", n)
    pos, neg = B8_DISTRIBUTIONS[instance]
    cats = [(v, 1, q) for v, q in pos.items()] + [(v, -1, q) for v, q in neg.items()]
    for counts in itertools.product(range(n + 1), repeat=len(cats)):
        if sum(counts) != n:
            continue
        prob = Fraction(math.factorial(n))
        values, labels = [], []
        for (v, yv, q), c in zip(cats, counts):
            prob = prob * q ** c / math.factorial(c)
            values += [v] * c
            labels += [yv] * c
        yield tuple(values), tuple(labels), prob


def b8_bad_patterns(instance: str, n: int, threshold: Fraction = Fraction(1, 8)):
    """Samples of size n (with both classes) whose least-squares global minimum errs on more than ``threshold``
    of the sample, exactly; returns a list of (values, labels, probability, error count).

    Samples where some fitted value is exactly 0 are left out: their error count rests on the tie convention
    sgn(0) = +1 alone (e.g. A with four positives and negatives at 0, 1, 1, 1 fits exactly 0 at s = 1), so the
    probabilities summed from this list are a lower bound of the event's probability."""
    out = []
    for values, labels, prob in b8_patterns(instance, n):
        if len(set(labels)) < 2:
            continue
        fit = exact_least_squares_fit(b8_features(instance, values, labels), labels)
        if any(f == 0 for f in fit):
            continue
        errs = exact_error_count(fit, labels)
        if Fraction(errs, n) > threshold:
            out.append((values, labels, prob, errs))
    return out


def quadratic_loss_objective(prob: lg.ShallowProblem) -> Callable:
    """``(1/n) sum_i (1 - y_i f(x_i))^2`` on the network's parameters (the loss of Section 4.3)."""
    import torch

    y = torch.as_tensor(prob.y, dtype=torch.float64)

    def loss(theta):
        return torch.mean((1.0 - y * prob.torch_outputs(theta)) ** 2)

    return loss


def b8_network(instance: str, X, y) -> lg.ShallowProblem:
    """Instance A: one linear neuron; instance B: ``M = 2n`` quadratic neurons (Theorem 1's width, Delta r = 1)."""
    if instance == "A":
        return lg.ShallowProblem(X, y, 1, "linear", 3)
    return lg.ShallowProblem(X, y, 2 * len(y), "square", 6)


def b8_train(prob: lg.ShallowProblem, starts: int = 4, seed: int = 0, max_iter: int = 2000):
    """L-BFGS on the quadratic loss from random starts; returns the end points' (loss, outputs) pairs."""
    import torch

    from landscape.core.certify import minimize

    loss = quadratic_loss_objective(prob)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(positive_int("starts", starts)):
        theta = minimize(loss, prob.random_theta(rng), max_iter=max_iter)
        out.append((float(loss(torch.tensor(theta))), prob.outputs(theta), theta))
    return out


def b8_realize(instance: str, prob: lg.ShallowProblem, fitted: Sequence[float]) -> np.ndarray:
    """Explicit network parameters whose outputs are the given least-squares fit (the class is reachable)."""
    X, y = prob.X, prob.y
    f = np.asarray(fitted, dtype=np.float64)
    if instance == "A":
        # f = b + a s: read (a, b) off two samples with different s, then a_0 = b, a_1 = 1, w = (0, a)
        i, j = int(np.argmin(X[:, 1])), int(np.argmax(X[:, 1]))
        a = (f[j] - f[i]) / (X[j, 1] - X[i, 1])
        b = f[i] - a * X[i, 1]
        return prob.pack(b, [1.0], np.array([[0.0], [a]]))
    pos, neg = y > 0, y < 0
    # f = a0 + A11 s^2 (positives), a0 + A22 t^2 (negatives): solve the 3 x 3 system by least squares on the fit
    F = np.c_[np.ones(len(y)), np.where(pos, X[:, 0] ** 2, 0.0), np.where(neg, X[:, 1] ** 2, 0.0)]
    a0, A11, A22 = np.linalg.lstsq(F, f, rcond=None)[0]
    a = np.zeros(prob.M)
    W = np.zeros((2, prob.M))
    a[0], W[0, 0] = np.sign(A11) or 1.0, math.sqrt(abs(A11))
    a[1], W[1, 1] = np.sign(A22) or 1.0, math.sqrt(abs(A22))
    return prob.pack(a0, a, W)


# ------------------------------------------------------------------------------------------------------------
# Targeted search: plain training that ends at certified bad minima
# ------------------------------------------------------------------------------------------------------------
@dataclass
class FoundMinimum:
    theta: np.ndarray
    value: float
    errors: int
    certificate: PointCertificate
    kink_margin: float      # smallest |pre-activation| on the data (> radius * max ||x||: no kink nearby)
    start: int


def search_bad_minima(prob: lg.ShallowProblem, starts: int, seed: int = 0, init_scale: float = 1.0,
                      samples: int = 60) -> tuple[list, int]:
    """L-BFGS from random starts on a ReLU-class shallow problem; keep the end points that (i) have gradient at
    most :data:`landscape.liang.CRITICAL_GRAD_TOL`, (ii) have no pre-activation within the perturbation ball's
    reach of the kink at 0 (so the loss is smooth around them), (iii) are certified local minima, and
    (iv) misclassify at least one sample.  Returns (found, number of end points examined)."""
    from landscape.core.certify import minimize

    rng = np.random.default_rng(seed)
    loss = prob.objective()
    reach = max(PERTURBATION_RADII) * float(np.linalg.norm(prob.X, axis=1).max())
    found = []
    for s in range(positive_int("starts", starts)):
        theta = minimize(loss, prob.random_theta(rng, init_scale), max_iter=1000)
        errs = prob.errors(theta)
        if errs == 0:
            continue
        _, _, W = prob.unpack(theta)
        kink = float(np.abs(prob.X @ W).min())
        if kink <= reach:
            continue
        cert = certify(loss, theta, grad_tol=lg.CRITICAL_GRAD_TOL, eig_tol=CONSTRUCTION_EIG_TOL,
                       perturbation_radii=PERTURBATION_RADII, samples=samples, seed=s)
        if not cert.is_local_min:
            continue
        base = prob.value(theta)
        worst = min(prob.value(t) - base for _, t in local_samples(theta, PERTURBATION_RADII, samples, s + 1))
        pc = PointCertificate(cert.verdict, cert.value, cert.grad_norm, cert.lambda_min, worst, samples)
        found.append(FoundMinimum(theta, base, errs, pc, kink, s))
    return found, starts
