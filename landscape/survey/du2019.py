"""The limiting Gram matrix of a deep fully connected net and gradient descent on wide nets (Du et al. 2019, as the
survey restates them in its Section 3.1.1).

Network (Du et al.'s parametrisation): ``x^(0) = x``, ``x^(h) = sqrt(c_sigma / m) sigma(W^(h) x^(h-1))`` for
h = 1..H, output ``u = a^T x^(H)``, every weight i.i.d. N(0, 1) at initialisation, ``c_sigma = 1 / E[sigma(z)^2]``.
``G^(H)_ij = <du_i/dW^(H), du_j/dW^(H)>``; its infinite-width limit is the matrix K^(H) of the recursion.

Three routes to K^(H), kept independent of each other:

* ``method="closed"``: the recursion with the ReLU moments in closed form (arc-cosine kernels of degree 1 and 0);
* ``method="polar"`` / ``"gauss-hermite"``: the same recursion with every 2-D Gaussian expectation computed by
  quadrature, for any activation of the catalogue (polar: Gauss-Legendre in the angle, split where the activation's
  kink at 0 crosses, times Gauss-Laguerre in the squared radius; tensor Gauss-Hermite for smooth activations);
  c_sigma by a 1-D quadrature;
* ``empirical_gram``: finite random networks built in torch (explicit weight matrices), G^(H) averaged over draws.

``final`` selects the covariance of the last expectation: ``"printed"`` uses A^(H-1) (built from K^(H-2)), as the
survey prints the definition; ``"limit"`` uses A^(H) (built from K^(H-1)), which is the covariance of the
pre-activations ``W^(H) x^(H-1)`` that G^(H) actually involves.  The suite's tests decide between the two by the
empirical route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from landscape.core.validate import finite_array, finite_scalar, positive_int

__all__ = [
    "GramActivation",
    "ACTIVATIONS",
    "activation",
    "c_sigma",
    "gaussian_moment",
    "gram_recursion",
    "GramResult",
    "unit_inputs_check",
    "empirical_gram",
    "EmpiricalGram",
    "finite_width_gram",
    "DeepNet",
    "init_net",
    "net_output",
    "gd_run",
    "GDRun",
    "full_ntk",
    "one_step_residual",
    "step_taylor_coefficients",
    "FINALS",
    "METHODS",
]

FINALS = ("limit", "printed")
MAX_NODES = 128
METHODS = ("closed", "polar", "gauss-hermite")


# ---- activations ---------------------------------------------------------------------------------------------------
def _gelu(x):
    return 0.5 * x * (1.0 + special.erf(x / np.sqrt(2.0)))


def _gelu_d(x):
    return 0.5 * (1.0 + special.erf(x / np.sqrt(2.0))) + x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@dataclass(frozen=True)
class GramActivation:
    """An activation with its derivative (numpy) and its torch form.  ``kink``: non-smooth at 0 only (ReLU), which
    the polar quadrature splits at; ``analytic``/``odd`` are the properties Du et al.'s condition and the parallel
    and antiparallel failure cases ask about."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    deriv: Callable[[np.ndarray], np.ndarray]
    torch_name: str
    kink: bool
    analytic: bool
    odd: bool

    def torch_fn(self, t):
        import torch

        return {
            "relu": torch.relu,
            "tanh": torch.tanh,
            "softplus": torch.nn.functional.softplus,
            "sin": torch.sin,
            "gelu": torch.nn.functional.gelu,
            "sigmoid": torch.sigmoid,
        }[self.torch_name](t)

    def torch_deriv(self, t):
        import torch

        if self.name == "relu":
            return (t > 0).to(t.dtype)
        if self.name == "tanh":
            return 1.0 - torch.tanh(t) ** 2
        if self.name == "softplus":
            return torch.sigmoid(t)
        if self.name == "sin":
            return torch.cos(t)
        if self.name == "gelu":
            return 0.5 * (1.0 + torch.erf(t / np.sqrt(2.0))) + t * torch.exp(-0.5 * t * t) / np.sqrt(2.0 * np.pi)
        s = torch.sigmoid(t)
        return s * (1.0 - s)


ACTIVATIONS: dict[str, GramActivation] = {
    a.name: a
    for a in (
        GramActivation(
            "relu",
            lambda x: np.maximum(x, 0.0),
            lambda x: (x > 0).astype(np.float64),
            "relu",
            kink=True,
            analytic=False,
            odd=False,
        ),
        GramActivation("tanh", np.tanh, lambda x: 1.0 - np.tanh(x) ** 2, "tanh", kink=False, analytic=True, odd=True),
        GramActivation(
            "softplus", lambda x: np.logaddexp(0.0, x), _sigmoid, "softplus", kink=False, analytic=True, odd=False
        ),
        GramActivation("sin", np.sin, np.cos, "sin", kink=False, analytic=True, odd=True),
        GramActivation("gelu", _gelu, _gelu_d, "gelu", kink=False, analytic=True, odd=False),
        GramActivation(
            "sigmoid",
            _sigmoid,
            lambda x: _sigmoid(x) * (1.0 - _sigmoid(x)),
            "sigmoid",
            kink=False,
            analytic=True,
            odd=False,
        ),
    )
}


def activation(name: str | GramActivation) -> GramActivation:
    if isinstance(name, GramActivation):
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}") from None


# ---- quadrature ----------------------------------------------------------------------------------------------------
_RULES: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def _rule(kind: str, n: int):
    key = (kind, n)
    if key not in _RULES:
        if kind == "laguerre":
            _RULES[key] = special.roots_laguerre(n)
        elif kind == "laguerre-half":
            _RULES[key] = special.roots_genlaguerre(n, -0.5)
        elif kind == "legendre":
            _RULES[key] = special.roots_legendre(n)
        elif kind == "hermite":
            _RULES[key] = special.roots_hermitenorm(n)
        else:  # pragma: no cover - internal
            raise ValueError(kind)
    return _RULES[key]


def c_sigma(act: str | GramActivation, nodes: int = 96) -> float:
    """1 / E[sigma(z)^2], z ~ N(0, 1), by Gauss-Laguerre quadrature on the half line (the integrand folded to an
    even function of z, which is smooth in s = z^2 / 2 also for ReLU)."""
    a = activation(act)
    nodes = positive_int("nodes", nodes, 2)
    s, w = _rule("laguerre-half", nodes)
    r = np.sqrt(2.0 * s)
    second = float(np.sum(w * (a.fn(r) ** 2 + a.fn(-r) ** 2))) / (2.0 * np.sqrt(np.pi))
    return 1.0 / second


def gaussian_moment(
    f: Callable, g: Callable, a, b, c, *, method: str = "polar", nodes: int = 96, kink: bool = True
) -> np.ndarray:
    """E[f(u) g(v)] for (u, v) ~ N(0, [[a, c], [c, b]]), vectorised over arrays a, b, c (a, b > 0).

    ``polar``: u = sqrt(a) z1, v = p z1 + q z2 (Cholesky), z = r (cos phi, sin phi); the angle runs over [0, pi)
    with the integrand folded (r and -r together, which makes it smooth in s = r^2 / 2), split where u = 0 and v = 0
    when ``kink`` (Gauss-Legendre on each piece), the radius by Gauss-Laguerre in s.  ``gauss-hermite``: tensor
    product of probabilists' Gauss-Hermite rules in (z1, z2)."""
    a, b, c = (np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (a, b, c))
    if np.any(a <= 0) or np.any(b <= 0):
        raise ValueError("variances a and b must be positive")
    nodes = positive_int("nodes", nodes, 2)
    if nodes > MAX_NODES:
        raise ValueError(f"nodes must be <= {MAX_NODES} (scipy's Gauss-Laguerre weights overflow beyond), got {nodes}")
    sa = np.sqrt(a)
    p = c / sa
    q = np.sqrt(np.maximum(b - p * p, 0.0))
    if method == "gauss-hermite":
        x, w = _rule("hermite", nodes)
        z1, z2 = x[:, None], x[None, :]
        W = (w[:, None] * w[None, :]) / (2.0 * np.pi)
        U = sa[:, None, None] * z1[None]
        V = p[:, None, None] * z1[None] + q[:, None, None] * z2[None]
        return np.sum(W[None] * f(U) * g(V), axis=(1, 2))
    if method != "polar":
        raise ValueError(f"method must be 'polar' or 'gauss-hermite', got {method!r}")
    xl, wl = _rule("legendre", nodes)
    s, ws = _rule("laguerre", nodes)
    r = np.sqrt(2.0 * s)
    if kink:
        phi_v = np.mod(np.arctan2(-p, q), np.pi)  # v = 0 on this ray (q >= 0)
        cuts = np.sort(np.stack([np.zeros_like(a), np.full_like(a, np.pi / 2), phi_v, np.full_like(a, np.pi)], 1), 1)
    else:
        cuts = np.stack([np.zeros_like(a), np.full_like(a, np.pi)], 1)
    lo, hi = cuts[:, :-1], cuts[:, 1:]  # (P, pieces)
    half = 0.5 * (hi - lo)
    phi = (lo + half)[..., None] + half[..., None] * xl  # (P, pieces, nodes)
    wphi = half[..., None] * wl
    cu = sa[:, None, None] * np.cos(phi)
    cv = p[:, None, None] * np.cos(phi) + q[:, None, None] * np.sin(phi)
    R = r[None, None, None, :]
    F = f(R * cu[..., None]) * g(R * cv[..., None]) + f(-R * cu[..., None]) * g(-R * cv[..., None])
    inner = np.sum(F * ws, axis=-1)  # (P, pieces, nodes)
    return np.sum(inner * wphi, axis=(1, 2)) / (2.0 * np.pi)


def _arccos_moments(K: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ReLU closed forms for the covariance matrix K: E[relu(u) relu(v)] and E[1{u>0} 1{v>0}] for every pair."""
    d = np.sqrt(np.diag(K))
    norm = np.outer(d, d)
    rho = np.divide(K, norm)
    np.clip(rho, -1.0, 1.0, out=rho)
    pt = np.arccos(rho)
    np.subtract(np.pi, pt, out=pt)  # pi - theta
    # sin(theta) = sqrt(1 - rho^2) and cos(theta) = rho, without evaluating them through theta (in place: the
    # n = 1000, H = 10 benchmark is dominated by memory traffic)
    j1 = np.multiply(rho, rho)
    np.subtract(1.0, j1, out=j1)
    np.maximum(j1, 0.0, out=j1)
    np.sqrt(j1, out=j1)
    rho *= pt
    j1 += rho
    norm *= 1.0 / (2.0 * np.pi)
    j1 *= norm
    pt *= 1.0 / (2.0 * np.pi)
    return j1, pt


def _pairwise(K: np.ndarray, f, g, method: str, nodes: int, kink: bool) -> np.ndarray:
    n = K.shape[0]
    iu, ju = np.triu_indices(n)
    vals = gaussian_moment(f, g, K[iu, iu], K[ju, ju], K[iu, ju], method=method, nodes=nodes, kink=kink)
    out = np.empty_like(K)
    out[iu, ju] = vals
    out[ju, iu] = vals
    return out


@dataclass(frozen=True)
class GramResult:
    """K: the limiting Gram K^(H); layers[h] = K^(h) for h = 0..H-1; c: the c_sigma used; route: how computed."""

    K: np.ndarray
    layers: tuple
    c: float
    route: str
    final: str

    @property
    def lam_min(self) -> float:
        """Smallest eigenvalue of K (numpy.linalg.eigvalsh), computed on first use."""
        cached = self.__dict__.get("_lam_min")
        if cached is None:
            cached = float(np.linalg.eigvalsh(self.K)[0])
            object.__setattr__(self, "_lam_min", cached)
        return cached


def unit_inputs_check(X, *, rtol: float = 1e-12) -> np.ndarray:
    """X (n x d, rows = inputs) as float64; ValueError unless every row has unit Euclidean norm."""
    X = finite_array("X", X, ndim=2)
    norms = np.linalg.norm(X, axis=1)
    if np.any(np.abs(norms - 1.0) > rtol):
        i = int(np.argmax(np.abs(norms - 1.0)))
        raise ValueError(f"X must have unit-norm rows (row {i} has norm {norms[i]:.6g})")
    return X


def gram_recursion(
    X,
    H: int,
    act: str | GramActivation = "relu",
    *,
    method: str = "closed",
    final: str = "limit",
    nodes: int = 96,
    c: float | None = None,
) -> GramResult:
    """K^(H) of the recursion for inputs X (n x d, unit rows), depth H, by ``method`` (see module docstring).

    ``final="printed"`` needs H >= 2 (its last expectation uses A^(H-1), built from K^(H-2)).  ``c`` overrides
    c_sigma (default: 2 for the closed ReLU route, the 1-D quadrature otherwise)."""
    X = unit_inputs_check(X)
    H = positive_int("H", H, 1)
    a = activation(act)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if final not in FINALS:
        raise ValueError(f"final must be one of {FINALS}, got {final!r}")
    if final == "printed" and H < 2:
        raise ValueError("final='printed' needs H >= 2 (A^(H-1) is built from K^(H-2))")
    if method == "closed" and a.name != "relu":
        raise ValueError(f"the closed-form route exists for relu only, not {a.name!r}")
    cval = (2.0 if method == "closed" else c_sigma(a)) if c is None else finite_scalar("c", c, minimum=0, strict=True)
    K = X @ X.T
    layers = [K]

    for _h in range(1, H):
        if method == "closed":
            j1, _ = _arccos_moments(layers[-1])
        else:
            j1 = _pairwise(layers[-1], a.fn, a.fn, method, nodes, a.kink)
        layers.append(cval * j1)
    cov = layers[-1] if final == "limit" else layers[-2]
    if method == "closed":
        _, j0 = _arccos_moments(cov)
    else:
        j0 = _pairwise(cov, a.deriv, a.deriv, method, nodes, a.kink)
    KH = cval * layers[-1] * j0
    KH = 0.5 * (KH + KH.T)
    return GramResult(KH, tuple(layers), cval, f"{method}/{a.name}", final)


# ---- finite random networks (torch) --------------------------------------------------------------------------------
@dataclass(frozen=True)
class EmpiricalGram:
    """mean: average of G^(H) over ``draws`` networks of width ``width``; se: entrywise standard error of that
    mean (sample standard deviation / sqrt(draws)); layers: averages of <x^(h)_i, x^(h)_j>, h = 1..H-1."""

    mean: np.ndarray
    se: np.ndarray
    width: int
    draws: int
    layers: tuple
    scale: float  # 1 / sqrt(width * draws)


def _forward_gram(X, Ws, a, act, c, m):
    """G^(H) and hidden Grams of a batch of nets; Ws[h]: (B, m, fan_in), a: (B, m); X: (n, d) tensor."""
    import torch

    x = X.unsqueeze(0).expand(Ws[0].shape[0], -1, -1)  # (B, n, d)
    hidden = []
    for W in Ws[:-1]:
        x = np.sqrt(c / m) * act.torch_fn(torch.matmul(x, W.transpose(1, 2)))
        hidden.append(torch.matmul(x, x.transpose(1, 2)))
    pre = torch.matmul(x, Ws[-1].transpose(1, 2))  # (B, n, m)
    D = act.torch_deriv(pre)
    inner = torch.matmul(D * (a * a).unsqueeze(1), D.transpose(1, 2))
    G = (c / m) * torch.matmul(x, x.transpose(1, 2)) * inner
    return G, hidden


def empirical_gram(
    X,
    H: int,
    act: str | GramActivation,
    width: int,
    draws: int,
    seed: int,
    *,
    c: float | None = None,
    chunk_elems: int = 2**23,
) -> EmpiricalGram:
    """Average G^(H) of ``draws`` independent random networks (explicit N(0,1) weight matrices, float64, torch)."""
    import torch

    X = unit_inputs_check(X)
    H, m, R = positive_int("H", H, 1), positive_int("width", width, 1), positive_int("draws", draws, 2)
    a_ = activation(act)
    cval = c_sigma(a_) if c is None else finite_scalar("c", c, minimum=0, strict=True)
    n, d = X.shape
    gen = torch.Generator().manual_seed(int(seed))
    Xt = torch.as_tensor(X, dtype=torch.float64)
    per_draw = m * d + (H - 1) * m * m + m
    B = max(1, min(R, chunk_elems // max(per_draw, 1)))
    total = torch.zeros(n, n, dtype=torch.float64)
    total2 = torch.zeros(n, n, dtype=torch.float64)
    hid = [torch.zeros(n, n, dtype=torch.float64) for _ in range(H - 1)]
    done = 0
    while done < R:
        b = min(B, R - done)
        Ws = [torch.randn(b, m, d, generator=gen, dtype=torch.float64)]
        Ws += [torch.randn(b, m, m, generator=gen, dtype=torch.float64) for _ in range(H - 1)]
        av = torch.randn(b, m, generator=gen, dtype=torch.float64)
        G, hidden = _forward_gram(Xt, Ws, av, a_, cval, m)
        total += G.sum(0)
        total2 += (G * G).sum(0)
        for k, hk in enumerate(hidden):
            hid[k] += hk.sum(0)
        done += b
    mean = (total / R).numpy()
    var = np.maximum((total2 / R).numpy() - mean**2, 0.0) * R / (R - 1)
    return EmpiricalGram(mean, np.sqrt(var / R), m, R, tuple((h / R).numpy() for h in hid), 1.0 / np.sqrt(m * R))


# ---- gradient descent on wide nets ---------------------------------------------------------------------------------
@dataclass
class DeepNet:
    """Weights of one network: Ws[0] (m x d), Ws[h] (m x m), a (m); activation and c_sigma."""

    Ws: list
    a: Any  # torch.Tensor (torch is imported lazily so the module loads without it)
    act: GramActivation
    c: float

    @property
    def width(self) -> int:
        return int(self.a.shape[0])

    def clone(self) -> DeepNet:
        return DeepNet([W.detach().clone() for W in self.Ws], self.a.detach().clone(), self.act, self.c)


def init_net(d: int, H: int, width: int, act: str | GramActivation, seed: int, c: float | None = None) -> DeepNet:
    import torch

    d, H, m = positive_int("d", d), positive_int("H", H), positive_int("width", width)
    a_ = activation(act)
    gen = torch.Generator().manual_seed(int(seed))
    Ws = [torch.randn(m, d, generator=gen, dtype=torch.float64)]
    Ws += [torch.randn(m, m, generator=gen, dtype=torch.float64) for _ in range(H - 1)]
    av = torch.randn(m, generator=gen, dtype=torch.float64)
    return DeepNet(Ws, av, a_, c_sigma(a_) if c is None else float(c))


def net_output(net: DeepNet, X, Ws=None, a=None):
    """u = a^T x^(H) for every row of X (torch), optionally with replacement parameters (for autograd)."""
    import torch

    Ws = net.Ws if Ws is None else Ws
    a = net.a if a is None else a
    m = net.width
    x = torch.as_tensor(X, dtype=torch.float64)
    for W in Ws:
        x = np.sqrt(net.c / m) * net.act.torch_fn(x @ W.T)
    return x @ a


def finite_width_gram(net: DeepNet, X) -> np.ndarray:
    """G^(H) of one network by autograd: the Gram of the per-input gradients with respect to W^(H) only."""
    import torch

    X = unit_inputs_check(X)
    WH = net.Ws[-1].detach().clone().requires_grad_(True)
    rows = []
    for i in range(X.shape[0]):
        u = net_output(net, X[i : i + 1], Ws=net.Ws[:-1] + [WH])
        (g,) = torch.autograd.grad(u.sum(), WH)
        rows.append(g.reshape(-1))
    J = torch.stack(rows)
    return (J @ J.T).numpy()


def full_ntk(net: DeepNet, X) -> np.ndarray:
    """G = J J^T with J the Jacobian of the outputs with respect to ALL parameters (autograd, one row per input)."""
    import torch

    params = [W.detach().clone().requires_grad_(True) for W in net.Ws] + [net.a.detach().clone().requires_grad_(True)]
    rows = []
    for i in range(X.shape[0]):
        u = net_output(net, X[i : i + 1], Ws=params[:-1], a=params[-1])
        gs = torch.autograd.grad(u.sum(), params)
        rows.append(torch.cat([g.reshape(-1) for g in gs]))
    J = torch.stack(rows)
    return (J @ J.T).numpy()


@dataclass(frozen=True)
class GDRun:
    """losses[k] = L(theta(k)), k = 0..steps (stops early when the loss is not finite); movement[h]: the curve
    (1/sqrt(m)) ||W^(h)(k) - W^(h)(0)||_2 at the end; lam0: lambda_min of G^(H)(0); lam_max_full: of the full G(0)."""

    losses: np.ndarray
    movement: np.ndarray
    eta: float
    lam0: float
    lam_max_full: float
    width: int
    steps: int


def gd_run(
    X,
    y,
    H: int,
    width: int,
    act: str | GramActivation,
    seed: int,
    *,
    step_scale: float = 0.5,
    steps: int = 300,
    eta: float | None = None,
) -> GDRun:
    """Full-batch gradient descent on L = 1/2 sum (u_i - y_i)^2 over every weight, from a N(0, 1) initialisation.

    The step is ``step_scale / lambda_max(G(0))`` (G the full tangent Gram at initialisation) unless ``eta`` is
    given: the theorem's eta = O(lambda_0 / (n^2 2^O(H))) has unspecified constants, and below 2 / lambda_max the
    linearised dynamics are stable."""
    import torch

    X = unit_inputs_check(X)
    y = finite_array("y", y, ndim=1, shape=(X.shape[0],))
    steps = positive_int("steps", steps, 1)
    net = init_net(X.shape[1], H, width, act, seed)
    GH = finite_width_gram(net, X)
    lam0 = float(np.linalg.eigvalsh(GH)[0])
    lam_max = float(np.linalg.eigvalsh(full_ntk(net, X))[-1])
    if eta is None:
        step_scale = finite_scalar("step_scale", step_scale, minimum=0, strict=True)
        eta = step_scale / lam_max
    else:
        eta = finite_scalar("eta", eta, minimum=0, strict=True)
    params = [W.clone().requires_grad_(True) for W in net.Ws] + [net.a.clone().requires_grad_(True)]
    start = [W.detach().clone() for W in net.Ws]
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    losses = []
    m = net.width
    for k in range(steps + 1):
        u = net_output(net, Xt, Ws=params[:-1], a=params[-1])
        loss = 0.5 * torch.sum((u - yt) ** 2)
        lv = float(loss.detach())
        losses.append(lv)
        if k == steps or not np.isfinite(lv):
            break
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p_, g_ in zip(params, grads):
                p_ -= eta * g_
    diffs = [(P.detach() - W0).numpy() for P, W0 in zip(params[:-1], start)]
    movement = np.array(
        [float(np.linalg.norm(D, 2)) / np.sqrt(m) if np.all(np.isfinite(D)) else float("inf") for D in diffs]
    )
    return GDRun(np.array(losses), movement, float(eta), lam0, lam_max, m, len(losses) - 1)


def one_step_residual(net: DeepNet, X, y, eta: float, gram=None) -> float:
    """|| (y - u(k+1)) - (I - eta G(k)) (y - u(k)) || for one full-batch GD step of size eta from ``net``'s weights,
    G(k) the full tangent Gram (``gram(net, X)`` replaces it, for mutation tests).  Second order in eta."""
    import torch

    X = unit_inputs_check(X)
    y = finite_array("y", y, ndim=1, shape=(X.shape[0],))
    eta = finite_scalar("eta", eta, minimum=0, strict=True)
    G = full_ntk(net, X) if gram is None else gram(net, X)
    params = [W.detach().clone().requires_grad_(True) for W in net.Ws] + [net.a.detach().clone().requires_grad_(True)]
    u = net_output(net, X, Ws=params[:-1], a=params[-1])
    loss = 0.5 * torch.sum((u - torch.as_tensor(y)) ** 2)
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        new = [p_ - eta * g_ for p_, g_ in zip(params, grads)]
        u1 = net_output(net, X, Ws=new[:-1], a=new[-1]).numpy()
    r0 = y - u.detach().numpy()
    return float(np.linalg.norm((y - u1) - (r0 - eta * G @ r0)))


def _derivatives(name: str, z, order: int) -> list:
    """sigma(z), sigma'(z), ..., sigma^(order)(z) elementwise (torch), order <= 4, by closed forms."""
    import torch

    if order > 4:
        raise ValueError("derivatives up to order 4 only")
    if name == "tanh":
        s = torch.tanh(z)
        d1 = 1.0 - s * s
        d2 = -2.0 * s * d1
        d3 = -2.0 * (d1 * d1 + s * d2)
        d4 = -2.0 * (3.0 * d1 * d2 + s * d3)
        out = [s, d1, d2, d3, d4]
    elif name in ("sigmoid", "softplus"):
        s = torch.sigmoid(z)
        d1 = s * (1.0 - s)
        d2 = d1 * (1.0 - 2.0 * s)
        d3 = d2 * (1.0 - 2.0 * s) - 2.0 * d1 * d1
        d4 = d3 * (1.0 - 2.0 * s) - 6.0 * d1 * d2
        out = [s, d1, d2, d3, d4] if name == "sigmoid" else [torch.nn.functional.softplus(z), s, d1, d2, d3]
    elif name == "sin":
        out = [torch.sin(z), torch.cos(z), -torch.sin(z), -torch.cos(z), torch.sin(z)]
    elif name == "gelu":
        phi = torch.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
        Phi = 0.5 * (1.0 + torch.erf(z / np.sqrt(2.0)))
        z2 = z * z
        out = [z * Phi, Phi + z * phi, phi * (2.0 - z2), phi * z * (z2 - 4.0), phi * (-z2 * z2 + 7.0 * z2 - 4.0)]
    else:
        raise ValueError(f"no Taylor derivatives for {name!r} (smooth activations only)")
    return out[: order + 1]


def _polymul(a: list, b: list, order: int) -> list:
    """Product of two truncated power series (lists of coefficient tensors, index = power), up to t^order."""
    return [sum(a[i] * b[k - i] for i in range(k + 1)) for k in range(order + 1)]


def step_taylor_coefficients(net: DeepNet, X, y, order: int = 4) -> list[np.ndarray]:
    """Taylor coefficients of the outputs along one full-batch GD step: with theta(eta) = theta - eta grad L,
    ``u(theta(eta)) = u + eta J J^T (y - u) + sum_{k >= 2} eta^k c_k``; returns [c_2, ..., c_order] (order <= 4).

    Computed by truncated power-series arithmetic through the layers (Taylor mode: every weight is W + eta V, each
    activation composed with a series by its closed-form derivatives), a route independent of ``one_step_residual``
    (which takes the step and subtracts the linearised one in reverse mode): that residual equals
    ``|| sum_{k >= 2} eta^k c_k ||``, so c_2 is its second-order coefficient and ||c_3|| / ||c_2|| the step size
    below which the second-order term dominates."""
    import torch

    X = unit_inputs_check(X)
    y = finite_array("y", y, ndim=1, shape=(X.shape[0],))
    order = positive_int("order", order, 2)
    if order > 4:
        raise ValueError(f"order must be <= 4, got {order}")
    params = [W.detach().clone().requires_grad_(True) for W in net.Ws] + [net.a.detach().clone().requires_grad_(True)]
    u = net_output(net, X, Ws=params[:-1], a=params[-1])
    loss = 0.5 * torch.sum((u - torch.as_tensor(y)) ** 2)
    V = [-g_.detach() for g_ in torch.autograd.grad(loss, params)]
    m = net.width
    x0 = torch.as_tensor(X, dtype=torch.float64)
    x = [x0] + [torch.zeros_like(x0) for _ in range(order)]
    for W, Vw in zip(net.Ws, V[:-1]):
        z = [x[k] @ W.T + (x[k - 1] @ Vw.T if k >= 1 else 0.0) for k in range(order + 1)]
        ds = _derivatives(net.act.name, z[0], order)
        delta = [torch.zeros_like(z[0])] + z[1:]
        power = [torch.ones_like(z[0])] + [torch.zeros_like(z[0]) for _ in range(order)]
        out = [ds[0]] + [torch.zeros_like(z[0]) for _ in range(order)]
        fact = 1.0
        for j in range(1, order + 1):
            power = _polymul(power, delta, order)
            fact *= j
            out = [o + ds[j] / fact * p_ for o, p_ in zip(out, power)]
        x = [np.sqrt(net.c / m) * o for o in out]
    a, va = net.a.detach(), V[-1]
    coeffs = [x[k] @ a + (x[k - 1] @ va if k >= 1 else 0.0) for k in range(order + 1)]
    return [c_.numpy() for c_ in coeffs[2:]]
