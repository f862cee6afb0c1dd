"""Convex routes of the deep linear family (CVXPY + Clarabel): the spectral dual, the nuclear-norm bi-dual, their
solver-free certificates, the semi-infinite constraint at sampled and aligned paths, and the gap certificate."""

from __future__ import annotations

import numpy as np

from landscape.core import tolerances as tol
from landscape.core.results import RouteResult, solve_cvxpy
from landscape.core.validate import finite_array, finite_scalar, positive_int
from landscape.wang2023.linear.closed_forms import (
    CLOSED,
    ClosedForms,
    check_data,
    check_depth,
    check_scale,
    holder_lower_bound,
    spectrum,
)
from landscape.wang2023.linear.stair_net import budget_cost, end_to_end, stair_factors


# ==============================================================================================================
# convex routes (CVXPY + Clarabel)
# ==============================================================================================================
def spectral_dual_by_cvxpy(X, Y, bound: float, solver: str = "CLARABEL") -> RouteResult:
    """``max tr(Lam^T Y) s.t. sigma_max(X^T Lam) <= bound`` (dual (11) with ``bound = t^-(L-2)``; dual (16) with
    ``bound = 1``).  Never raises for solver trouble (``ok=False`` and the status instead).

    ``data``: ``Lam`` (solver point), ``Lam_feasible`` (scaled into the constraint if it overshoots), the
    ``certified_value`` ``tr(Lam_feasible^T Y)`` (a lower bound on the dual optimum that does not trust the
    solver), ``excess`` (``sigma_max(X^T Lam) - bound`` of the solver's point).
    """
    import cvxpy as cp

    X, Y = check_data(X, Y)
    bound = finite_scalar("bound", bound, minimum=0.0, strict=True)
    Lam = cp.Variable(Y.shape)
    # The program is homogeneous in the bound (optimal point b Lam(1), value b D(1)); it is solved at bound 1 and
    # scaled, because the solver's accuracy falls as the bound grows (seen on a nightly draw, bound 37 and a
    # repeated singular value: the certified value 1.2e-6 relative below the optimum; at bound 1 and scaled,
    # 2.4e-8; over bounds 0.01..100 on random data the scaled route stays at its bound-1 accuracy, 2e-9..2e-8).
    prob = cp.Problem(cp.Maximize(cp.trace(Lam.T @ Y)), [cp.sigma_max(X.T @ Lam) <= 1.0])
    failed = solve_cvxpy(prob, solver, Lam)
    if failed is not None:
        return failed
    L0 = bound * np.asarray(Lam.value, dtype=np.float64)
    spec = float(np.linalg.norm(X.T @ L0, 2))
    Lf = L0 * (bound / spec) if spec > bound else L0
    certified = float(np.sum(Lf * Y))
    return RouteResult(
        bound * float(prob.value),
        str(prob.status),
        True,
        route=f"cvxpy/{solver}",
        data={"Lam": L0, "Lam_feasible": Lf, "certified_value": certified, "excess": spec - bound},
    ).with_checks(
        {
            "dual feasibility": max(spec - bound, 0.0) / bound,
            "objective": abs(bound * float(prob.value) - float(np.sum(L0 * Y))),
        }
    )


def nuclear_bidual_by_cvxpy(X, Y, weight: float, solver: str = "CLARABEL") -> RouteResult:
    """``min weight ||Z||_* s.t. X Z = Y`` (the bi-dual of (11); ``weight = t^-(L-2)``).

    ``data``: ``Z``, ``Z_feasible = Z + X^+ (Y - X Z)`` (interpolates up to rounding), ``certified_value``
    ``weight ||Z_feasible||_*`` (an upper bound on the bi-dual optimum that does not trust the solver) and the
    residual of the solver's point.
    """
    import cvxpy as cp

    X, Y = check_data(X, Y)
    weight = finite_scalar("weight", weight, minimum=0.0, strict=True)
    Z = cp.Variable((X.shape[1], Y.shape[1]))
    prob = cp.Problem(cp.Minimize(weight * cp.normNuc(Z)), [X @ Z == Y])
    failed = solve_cvxpy(prob, solver, Z)
    if failed is not None:
        return failed
    Z0 = np.asarray(Z.value, dtype=np.float64)
    Zf = Z0 + np.linalg.pinv(X, rcond=tol.RANK_RTOL) @ (Y - X @ Z0)
    residual = float(np.linalg.norm(X @ Z0 - Y))
    return RouteResult(
        float(prob.value),
        str(prob.status),
        True,
        route=f"cvxpy/{solver}",
        data={
            "Z": Z0,
            "Z_feasible": Zf,
            "certified_value": weight * float(np.sum(np.linalg.svd(Zf, compute_uv=False))),
            "residual": residual,
            "residual_feasible": float(np.linalg.norm(X @ Zf - Y)),
        },
    ).with_checks(
        {
            "primal feasibility": residual,
            "objective": abs(float(prob.value) - weight * float(np.sum(np.linalg.svd(Z0, compute_uv=False)))),
        }
    )


def dual_t_by_cvxpy(X, Y, L: int, t: float, solver: str = "CLARABEL") -> RouteResult:
    """``D_lin(t)`` of Prop. 1 in its spectral form (59): bound ``t^-(L-2)``."""
    L, t = check_depth(L), check_scale(t)
    return spectral_dual_by_cvxpy(X, Y, t ** (-(L - 2)), solver)


def bidual_t_by_cvxpy(X, Y, L: int, t: float, solver: str = "CLARABEL") -> RouteResult:
    """``BD_lin(t)`` of Prop. 1 in its convex form: ``t^-(L-2) min{||Z||_* : X Z = Y}``."""
    L, t = check_depth(L), check_scale(t)
    return nuclear_bidual_by_cvxpy(X, Y, t ** (-(L - 2)), solver)


def dual_constraint_samples(
    X, Lam, L: int, t: float, *, samples: int = 200, width: int = 2, seed: int = 0
) -> np.ndarray:
    """Prop. 1(a)'s semi-infinite constraint at random feasible points: ``||Lam^T X W_1 ... W_{L-2} w||_2`` for
    random ``W_i`` of Frobenius norm ``t`` (hidden width ``width``) and unit ``w`` (an array of ``samples``)."""
    X = finite_array("X", X, ndim=2)
    Lam = finite_array("Lam", Lam, ndim=2, shape=(X.shape[0], None))
    L, t = check_depth(L), check_scale(t)
    samples, width = positive_int("samples", samples), positive_int("width", width)
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    out = np.empty(samples)
    M = Lam.T @ X  # K x d
    for k in range(samples):
        v = rng.standard_normal(width if L > 2 else d)
        v /= np.linalg.norm(v)
        dims = [d] + [width] * (L - 2)
        for i in reversed(range(L - 2)):
            B = rng.standard_normal((dims[i], dims[i + 1]))
            v = t * (B / np.linalg.norm(B)) @ v
        out[k] = float(np.linalg.norm(M @ v))
    return out


def aligned_path(X, Lam, L: int, t: float, *, width: int = 2) -> tuple[list[np.ndarray], float]:
    """The feasible path that makes Prop. 1(a)'s constraint tight: ``W_1 = t u e_1^T``, ``W_i = t e_1 e_1^T``,
    ``w = e_1`` with ``u`` the top right-singular vector of ``Lam^T X``.  Returns the path and its value
    ``||Lam^T X W_1 ... w||``."""
    X = finite_array("X", X, ndim=2)
    Lam = finite_array("Lam", Lam, ndim=2, shape=(X.shape[0], None))
    L, t = check_depth(L), check_scale(t)
    width = positive_int("width", width)
    _, _, vt = np.linalg.svd(Lam.T @ X)
    u = vt[0]
    d = X.shape[1]
    if L == 2:
        path = [u.copy()]
    else:
        W1 = np.zeros((d, width))
        W1[:, 0] = t * u
        mids = []
        for _ in range(L - 3):
            B = np.zeros((width, width))
            B[0, 0] = t
            mids.append(B)
        e = np.zeros(width)
        e[0] = 1.0
        path = [W1, *mids, e]
    v = path[-1]
    for B in reversed(path[:-1]):
        v = B @ v
    return path, float(np.linalg.norm(Lam.T @ X @ v))


# ==============================================================================================================
# the duality gap of the standard net, certified from both sides
# ==============================================================================================================
def gap_certificate(
    X, Y, L: int, t: float = 1.0, closed: ClosedForms = CLOSED, solver: str = "CLARABEL", factors=None
) -> RouteResult:
    """Bounds that pin ``P_lin(t)`` and ``D_lin(t)`` from both sides, each by its own route, and the gap they certify.

    * ``P_lower``: :func:`holder_lower_bound` (two elementary inequalities on the instance; NOT the paper's closed
      form, so a closed form that overstated the optimum cannot certify a gap), ``P_upper``: the cost of explicit
      factors (9) at an interpolating point (``factors(W, L, t, widths, m)``, default :func:`stair_factors`);
      ``P_closed``: the paper's closed form (10), reported for comparison with both;
    * ``D_lower``: ``tr(Lam^T Y)`` at a dual feasible Lam (Clarabel, rescaled into the constraint),
      ``D_upper``: ``t^-(L-2) ||Z||_*`` at a bi-dual feasible Z (Clarabel, projected onto ``X Z = Y``).

    ``value`` is the certified gap ``P_lower - D_upper``; ``data`` holds every bound, the points behind them and
    the overall (t-optimized) values; ``checks`` the certificates' residuals.  ``ok`` is False when a solver did not
    report optimal.
    """
    X, Y = check_data(X, Y)
    L, t = check_depth(L), check_scale(t)
    sp = spectrum(X, Y)
    build = stair_factors if factors is None else factors
    net = build(sp.W, L, L - 2, t, [sp.rank] * (L - 2), sp.rank)
    dual = dual_t_by_cvxpy(X, Y, L, t, solver)
    bid = bidual_t_by_cvxpy(X, Y, L, t, solver)
    if not (dual.ok and bid.ok):
        return RouteResult(np.nan, f"dual: {dual.status}, bi-dual: {bid.status}", False, route="certificate")
    P_lower = holder_lower_bound(X, Y, L, t)
    D_upper, D_lower = bid["certified_value"], dual["certified_value"]
    scale = t ** (L - 2)  # D_lin(t) = D_lin(1) / t^(L-2): the overall dual value from the same certificate
    # overall (t-optimized) primal lower bound: min_t (L-2)/2 t^2 + c t^-(L-2) = (L/2) c^(2/L) for c = P_lower(1)
    P_overall_lower = L / 2.0 * (P_lower * scale) ** (2.0 / L)
    residual = float(np.linalg.norm(X @ end_to_end(net, X.shape[1]) - Y))
    return RouteResult(
        P_lower - D_upper,
        "optimal",
        True,
        route="certificate",
        data={
            "P_lower": P_lower,
            "P_upper": budget_cost(net, t),
            "P_closed": closed.primal_t(sp.sv, L, t),
            "factor_residual": residual,
            "D_lower": D_lower,
            "D_upper": D_upper,
            "net": net,
            "Lam": dual["Lam_feasible"],
            "Z": bid["Z_feasible"],
            "dual_bound": t ** (-(L - 2)),
            "P_overall": closed.primal(sp.sv, L),
            "P_overall_lower": P_overall_lower,
            "D_overall_upper": L / 2.0 * (D_upper * scale) ** (2.0 / L),
            "relative_gap_t": (P_lower - D_upper) / P_lower,
            "relative_gap": 1.0 - L / 2.0 * (D_upper * scale) ** (2.0 / L) / P_overall_lower,
            "sv": sp.sv,
        },
    ).with_checks(
        {
            "primal feasibility": residual,
            "dual feasibility": max(dual["excess"], 0.0),
            "objective": abs(D_upper - D_lower),
        }
    )


def equal_values_witness() -> dict[str, np.ndarray]:
    """``X = Y = I_2``, ``L = 3``, ``t = 1``: equal singular values (1, 1), yet ``P_lin(1) = 2 sqrt 2 > 2 = D_lin(1)``.

    Holds the explicit optimal factors (``W_1 = I / sqrt 2``, ``W_2 = I``, ``W_3 = sqrt 2 I``: product I, norms
    feasible, cost ``2 sqrt 2``), a dual feasible ``Lam = I`` (``||X^T Lam||_2 = 1``, value 2) and a bi-dual feasible
    ``Z = I`` (``X Z = Y``, value ``||Z||_* = 2``), so ``D_lin(1) = 2`` exactly.
    """
    r = np.sqrt(2.0)
    return {
        "X": np.eye(2),
        "Y": np.eye(2),
        "L": np.array(3),
        "t": np.array(1.0),
        "W_1": np.eye(2) / r,
        "W_2": np.eye(2),
        "W_3": r * np.eye(2),
        "Lam": np.eye(2),
        "Z": np.eye(2),
    }
