"""Witness verifiers of the deep linear family: each recomputes a stored witness's certificate from its arrays
(equal-values, flat rank-one, gap sweep instances).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from landscape.wang2023 import linear as wl
from strategies.wang2023.linear import WangLinearInstance, build_instance, identity_instance
from theorems.wang2023.checks.linear.common import perturbed_costs, wstar


def verify_equal_values_witness(arrays: dict) -> dict:
    """Certificate that equal singular values can leave a gap, from exact numbers only.

    P_lin(t) <= cost of the stored factors (product, budgets checked); P_lin(t) >= an elementary lower bound for
    L = 3: ``sum_j ||w_{3,j}|| >= ||W_2 W_3||_* >= sum_i sigma_i(X^+Y) / sigma_i(W_1)`` (W_2 W_3 is a right
    inverse of W_1 on these data), minimized over ``sum_i sigma_i(W_1)^2 <= t^2`` numerically (a 1-D problem,
    independent of the closed form).  D_lin(t) is pinned by a dual feasible Lam and a bi-dual feasible Z.
    """
    X, Y, Lam, Z = arrays["X"], arrays["Y"], arrays["Lam"], arrays["Z"]
    L, t = int(arrays["L"]), float(arrays["t"])
    W1, W2, W3 = arrays["W_1"], arrays["W_2"], arrays["W_3"]
    sv_all = np.linalg.svd(np.linalg.pinv(X) @ Y, compute_uv=False)
    sv = sv_all[sv_all > 1e-12]
    bound = t ** (-(L - 2))
    phi = minimize_scalar(
        lambda a: sv[0] / (t * np.cos(a)) + sv[1] / (t * np.sin(a)),
        bounds=(1e-6, np.pi / 2 - 1e-6),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return {
        "L": L,
        "t": t,
        "singular_values": sv_all.tolist(),
        "equal_nonzero_values": bool(np.ptp(sv) <= 1e-12),
        "equal_all_values": bool(np.ptp(sv_all) <= 1e-12),
        "rank": int(sv.size),
        "Y_in_range_X": wl.range_residual(X, Y),
        "factor_residual": float(np.abs(X @ W1 @ W2 @ W3 - Y).max()),
        "W1_norm_excess": float(np.linalg.norm(W1) - t),
        "W2_column_excess": float(np.linalg.norm(W2, axis=0).max() - 1),
        "P_upper": float(np.linalg.norm(W3, axis=1).sum()),
        "P_lower_elementary": float(phi.fun),
        "dual_excess": float(np.linalg.norm(X.T @ Lam, 2) - bound),
        "D_lower": float(np.sum(Lam * Y)),
        "bidual_residual": float(np.abs(X @ Z - Y).max()),
        "D_upper": bound * float(np.linalg.svd(Z, compute_uv=False).sum()),
        "P_overall": L / 2.0 * float(np.sum(sv ** (2.0 / L))),
        "D_overall": L / 2.0 * float(np.sum(sv)) ** (2.0 / L),
    }


def equal_values_witness_is_certified(c: dict) -> bool:
    exact = 1e-12  # identities and sqrt(2): every quantity is exact up to a few ulps
    return (
        c["L"] >= 3
        and c["rank"] >= 2
        and c["equal_nonzero_values"]
        and c["equal_all_values"]
        and c["Y_in_range_X"] <= exact
        and c["factor_residual"] <= exact
        and c["W1_norm_excess"] <= exact
        and c["W2_column_excess"] <= exact
        and abs(c["P_upper"] - c["P_lower_elementary"]) <= 1e-9
        and c["dual_excess"] <= exact
        and c["bidual_residual"] <= exact
        and abs(c["D_upper"] - c["D_lower"]) <= exact
        and c["P_lower_elementary"] > c["D_upper"] + 0.5
    )


def rank_one_zero_value_instance(L: int) -> WangLinearInstance:
    return identity_instance([1.0, 0.0], L=L, t=1.0, note="X = I_2, Y = diag(1, 0)")


def verify_flat_rank_one(inst: WangLinearInstance) -> dict:
    """Exact certificate that ``P_lin(t) = D_lin(t)`` and every stair is equal on a rank-one target, though its
    min(d, K) singular values (1, 0) are not all identical."""
    L, t = inst.L, inst.t
    sv_all = np.linalg.svd(np.linalg.pinv(inst.X) @ inst.Y, compute_uv=False)
    W = wstar(inst)
    Lam = np.zeros_like(inst.Y)
    u, s, vt = np.linalg.svd(W)
    Lam = t ** (-(L - 2)) * np.outer(u[:, 0], vt[0])  # feasible: ||X^T Lam||_2 = t^-(L-2) for X = I
    stairs = [wl.budget_cost(wl.stair_factors(W, L, k, t, [2] * k, 2, branch_width=1), t) for k in range(L - 1)]
    return {
        "L": L,
        "singular_values_all": sv_all.tolist(),
        "values_identical_all": bool(np.ptp(sv_all) <= 1e-12),
        "dual_excess": float(np.linalg.norm(inst.X.T @ Lam, 2) - t ** (-(L - 2))),
        "D_lower": float(np.sum(Lam * inst.Y)),
        "stair_upper": stairs,
        "P_upper": stairs[-1],
        "spread_of_stairs": float(np.ptp(stairs)),
    }


def flat_rank_one_is_certified(c: dict, stairs: bool = False) -> bool:
    """Whether :func:`verify_flat_rank_one`'s numbers prove the reading-B counterexample: the min(d, K) singular values
    are not all identical, yet the explicit primal point costs exactly the feasible dual point's value (and, with
    ``stairs``, every stair's explicit point costs the same)."""
    exact = 1e-12  # identities and unit vectors: every quantity is exact up to a few ulps
    return (
        not c["values_identical_all"]
        and c["dual_excess"] <= exact
        and abs(c["P_upper"] - c["D_lower"]) <= exact
        and (not stairs or c["spread_of_stairs"] <= exact)
    )


def sweep_instance(L: int, spread: float, seed: int = 2023) -> WangLinearInstance:
    """The gap sweep's instances: random full-row-rank X (2 x 3, seed fixed) and sv(X^+Y) = (1, 1/spread)."""
    structure = "equal" if spread == 1.0 else "distinct"
    gaps = np.array([np.log10(spread)]) if spread > 1.0 else None
    return build_instance(
        (2, 3), 2, structure, 2, L=L, t=1.0, widths=(2,) * (L - 1), seed=seed, gaps=gaps, note=f"spread={spread:g}"
    )


SWEEP_L = (3, 4, 5, 6)
SWEEP_SPREAD = (1.0, 1.5, 3.0, 10.0, 100.0, 1000.0)


def gap_witness_checks(inst: WangLinearInstance, cert: wl.RouteResult) -> tuple[dict, dict]:
    """Arrays and verification numbers of a certified gap instance (recomputed from the stored points)."""
    Ws = cert["net"].standard_weights()
    Lam, Z = cert["Lam"], cert["Z"]
    lowest, res = perturbed_costs(inst, inst.t)
    arrays = {
        "X": inst.X,
        "Y": inst.Y,
        "L": np.array(inst.L),
        "t": np.array(inst.t),
        "Lam": Lam,
        "Z": Z,
        **{f"W_{i + 1}": W for i, W in enumerate(Ws)},
    }
    E = np.eye(inst.d)
    for W in Ws:
        E = E @ W
    checks = {
        "P_lower_hoelder": cert["P_lower"],
        "P_closed_form": cert["P_closed"],
        "P_upper_factors": float(np.linalg.norm(Ws[-1], axis=1).sum()),
        "factor_residual": float(np.linalg.norm(inst.X @ E - inst.Y)),
        "max_layer_norm_excess": max([float(np.linalg.norm(W) - inst.t) for W in Ws[:-2]] + [0.0]),
        "max_column_norm_excess": float(np.linalg.norm(Ws[-2], axis=0).max() - 1),
        "sampled_min_feasible_cost": lowest,
        "sampled_residual": res,
        "dual_excess": float(np.linalg.norm(inst.X.T @ Lam, 2) - cert["dual_bound"]),
        "D_lower": float(np.sum(Lam * inst.Y)),
        "bidual_residual": float(np.linalg.norm(inst.X @ Z - inst.Y)),
        "D_upper": cert["dual_bound"] * float(np.linalg.svd(Z, compute_uv=False).sum()),
        "certified_gap": cert["P_lower"] - cert["dual_bound"] * float(np.linalg.svd(Z, compute_uv=False).sum()),
        "relative_gap_t": cert["relative_gap_t"],
        "relative_gap_after_t": cert["relative_gap"],
    }
    return arrays, checks
