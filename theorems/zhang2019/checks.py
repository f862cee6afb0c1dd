"""Oracle functions of the Zhang, Shao, Salakhutdinov (2019) family: the checks that decide one example of a claim.

The claim tests in this package and the meta-tests under ``tests/`` (mutation, witnesses) import them from here;
no module imports another test module.  Multi-branch networks (Theorem 1, Remarks 1-3) first, then the deep
linear networks (Theorem 2, eq. 6).
"""
from __future__ import annotations

import numpy as np

from landscape.core import tolerances as tol
from landscape.zhang2019 import deep_linear as dl
from landscape.zhang2019 import hinge_gap as hg
from landscape.zhang2019 import multibranch as mb
from landscape.zhang2019 import tolerances as ztol
from strategies.zhang2019.deep_linear import Factorization, PlantedDeepLinear
from strategies.zhang2019.multibranch import BranchProblem


# ------------------------------------------------------------------------------------------------------------
# Theorem 1 and Remarks 1-3: multi-branch networks
# ------------------------------------------------------------------------------------------------------------
def _value_scales(inst) -> tuple[float, float, float]:
    """(max |G|, max(|H|, |K|), steepest loss-per-budget trade-off between two budget values of one branch)."""
    steepest = 0.0
    for g, h in zip(inst.G, inst.H):
        hs = np.unique(h)
        if hs.size > 1:
            steepest = max(steepest, float(np.ptp(g)) / float(np.min(np.diff(hs))))
    G_scale = max(float(np.max(np.abs(g))) for g in inst.G)
    H_scale = max(max(float(np.max(np.abs(h))) for h in inst.H), abs(inst.K))
    return G_scale, H_scale, steepest


def exact_tol(inst) -> float:
    """Allowance for two exact routes on this instance (``tolerances.interpolation``), with the budget slack the
    routines grant to ties (``inst.feas_tol``)."""
    G_scale, H_scale, steepest = _value_scales(inst)
    return tol.interpolation(G_scale, H_scale, steepest, inst.I, budget_slack=inst.feas_tol)


def milp_tol(inst, value: float) -> float:
    """The MILP's segment/point choice is optimal only up to HiGHS' tolerances (its budget row is held to the
    mip feasibility tolerance 1e-9 set by ``primal_milp``), so its exactly recomputed value may exceed the true
    optimum by the HiGHS allowance plus 1e-9 of the budget scale along the steepest trade-off."""
    G_scale, H_scale, steepest = _value_scales(inst)
    return tol.highs(value) + steepest * 1e-9 * (1.0 + H_scale) + exact_tol(inst)


def own_deltas(bp: BranchProblem) -> np.ndarray:
    """Per-branch Delta_i of a scalar-grid instance by the suite's own routine (``hinge_gap.delta_scalar_grid``)."""
    s = bp.scalars
    return np.array([hg.delta_scalar_grid(s["w"][i], bp.inst.G[i], s["center"][i]) for i in range(bp.I)])


def enumerate_with_hinge(bp: BranchProblem) -> hg.Enumerated:
    """Exact P and D over every joint grid choice, with the real (possibly active) tau-hinge loss."""
    s, inst = bp.scalars, bp.inst
    choices = hg.joint_choices(len(inst.G[0]), bp.I)
    L = hg.hinge_losses(s["F"], s["y"], bp.tau, choices)
    B = np.mean(np.stack([inst.H[i][choices[:, i]] for i in range(bp.I)], axis=1), axis=1)
    return hg.enumerate_problem(L, B, inst.K, choices)


def exact_values(bp: BranchProblem, record, inst=None):
    """P (MILP), D (exact 1-D maximization), with the LP and enumeration as cross-checks; returns (P, D).
    ``inst`` overrides ``bp.inst`` (a transformed copy); checks are still recorded against the example ``bp``."""
    inst = bp.inst if inst is None else inst
    primal = record.require(mb.primal_milp(inst), instance=bp, what="primal MILP (HiGHS)")
    dual = record.require(mb.dual_breakpoints(inst), instance=bp, what="dual (exact breakpoints)")
    lp = record.require(mb.dual_lp(inst), instance=bp, what="dual LP (HiGHS)")
    P, D = primal.value, dual.value
    record.close(lp.value, D, tol=tol.highs(D), instance=bp, what="dual: HiGHS LP = exact 1-D maximization")
    sizes = [len(r) - (1 if isinstance(inst, mb.PWLBranches) else 0) for r in inst.H]
    if float(np.prod(np.array(sizes, dtype=float))) <= ztol.BRUTE_FORCE_LIMIT:
        brute = record.require(mb.primal_bruteforce(inst, limit=ztol.BRUTE_FORCE_LIMIT), instance=bp,
                               what="primal enumeration")
        record.close(P, brute.value, tol=milp_tol(inst, P), instance=bp,
                     what="primal: MILP = enumeration")
    return P, D


def check_gap_bound(bp: BranchProblem, record, constant: float = 2.0) -> None:
    """0 <= P - D <= constant * Delta_worst / I, with both sides exact; notes the normalized gap."""
    inst, I = bp.inst, bp.I
    P, D = exact_values(bp, record)
    gap = P - D
    record.geq(gap, 0.0, tol=tol.highs(P), instance=bp, what="weak duality: P - D >= 0")
    delta = mb.delta_exact(inst).worst
    rho = mb.rho_exact(inst).worst
    record.leq(rho, delta, tol=tol.evaluation(delta, 64), instance=bp, what="rho_worst <= Delta_worst")
    record.leq(gap, constant * delta / I, tol=tol.highs(P), instance=bp,
               what=f"P - D <= {constant:g} Delta_worst / I")
    if delta > 1e-9:
        ratio = I * gap / delta
        record.target(ratio, "normalized gap")
        record.note("I (P - D) / Delta_worst", ratio, instance=bp, extra={"I": I, "gap": gap, "delta": delta})


def check_delta_by_tabulation(bp: BranchProblem, record, points: int = 4001) -> None:
    """Family A: Delta from a dense tabulation lies in [Delta_exact, Delta_exact + Lip(g) * spacing]."""
    inst = bp.inst
    exact = mb.delta_exact(inst).per_branch
    for i, (t, g) in enumerate(zip(inst.t, inst.G)):
        grid = np.unique(np.concatenate([t, np.linspace(t[0], t[-1], points)]))
        tab = hg.delta_scalar_grid(grid, np.interp(grid, t, g), bp.scalars["center"][i])
        lip = float(np.max(np.abs(np.diff(g) / np.diff(t))))
        spacing = float(np.max(np.diff(grid)))
        slack = tol.evaluation(max(abs(g).max(), 1.0), points)
        record.leq(exact[i], tab, tol=slack, instance=bp, what="Delta_i <= tabulated Delta_i")
        record.leq(tab, exact[i] + lip * spacing, tol=slack, instance=bp,
                   what="tabulated Delta_i <= Delta_i + Lip * spacing")


def replace_K(inst, K):
    if isinstance(inst, mb.PWLBranches):
        return mb.PWLBranches(inst.t, inst.G, inst.H, K)
    return mb.GridBranches(inst.G, inst.H, K, w=inst.w, h_center=inst.h_center)


# ------------------------------------------------------------------------------------------------------------
# Outside Theorem 1's assumptions: exact values for the failure searches
# ------------------------------------------------------------------------------------------------------------
def hinge_gap_values(bp: BranchProblem) -> dict:
    """Exact P, D (enumeration of all joint choices with the real hinge loss) and Delta by two routines."""
    s, inst = bp.scalars, bp.inst
    enum = enumerate_with_hinge(bp)
    return {"P": enum.P, "D": enum.D, "gap": enum.P - enum.D, "delta_own": float(own_deltas(bp).max()),
            "delta_exact": mb.delta_exact(inst).worst, "I": bp.I, "lam": enum.lam,
            "reach": float(np.max(np.mean(np.max(s["y"][None, None, :] * s["F"], axis=1), axis=0)))}


def violates_bound(v: dict) -> bool:
    delta = max(v["delta_own"], v["delta_exact"])
    return v["gap"] > 2.0 * delta / v["I"] + tol.evaluation(v["P"], 64) and np.isfinite(delta)


def continuous_violation(bp: BranchProblem) -> dict:
    """Exact values of a single-unit instance with the hinge active: P, D of the true loss; Delta of g."""
    P, D = mb.primal_milp(bp.inst), mb.dual_breakpoints(bp.inst)
    linear = bp.scalars["linear"]
    return {"P": P.value, "D": D.value, "gap": P.value - D.value, "delta_exact": mb.delta_exact(linear).worst,
            "I": 1, "ok": bool(P.ok and D.ok)}


def coupled_values(bp: BranchProblem) -> dict:
    """Exact P, D by enumeration when the budget is ``(mean_i (w_i - c_i))^2 <= K`` (convex, not separable);
    Delta_i as in the theorem, with each branch's own radial ``h_i = (w - c_i)^2``."""
    s, inst = bp.scalars, bp.inst
    choices = hg.joint_choices(len(inst.G[0]), bp.I)
    L = np.mean(np.stack([inst.G[i][choices[:, i]] for i in range(bp.I)], axis=1), axis=1)  # hinge inactive
    B = np.mean(np.stack([s["w"][i][choices[:, i]] - s["center"][i] for i in range(bp.I)], axis=1), axis=1) ** 2
    K = float(np.quantile(B, s.get("quantile", 0.1)))  # a budget that binds: that share of joint choices fits
    enum = hg.enumerate_problem(L, B, K, choices)
    return {"P": enum.P, "D": enum.D, "gap": enum.P - enum.D, "K_coupled": K, "delta_own": float(own_deltas(bp).max()),
            "delta_exact": mb.delta_exact(inst).worst, "I": bp.I}


# ------------------------------------------------------------------------------------------------------------
# Theorem 2 and eq. 6: deep linear networks
# ------------------------------------------------------------------------------------------------------------
def nuclear_norm(Z: np.ndarray) -> float:
    return float(np.sum(np.linalg.svd(Z, compute_uv=False)))


def check_schatten_duality(inst: PlantedDeepLinear, record, closed_form=dl.closed_form, starts: int = 3) -> None:
    """Closed form = certified dual optimum; KKT; recovered weights attain it; no training run goes below it."""
    p = inst.problem
    cf = closed_form(p)
    P = cf.value
    eval_tol = tol.evaluation(P, p.size)

    dual = record.decide(lambda: dl.dual_by_cvxpy(p), instance=inst, what="dual (Clarabel)")
    feas = dual["feasibility"]
    record.leq(feas["spectral_norm"], p.gamma, tol=tol.conic_feasibility(p.gamma), instance=inst,
               what="dual feasible: ||Lam|| <= gamma")
    record.leq(feas["row_residual"], 0.0, tol=tol.evaluation(feas["spectral_norm"], p.size), instance=inst,
               what="dual feasible: Row(Lam) in Row(X)")
    # weak duality: the dual objective at a feasible point can never exceed the primal optimum
    record.leq(dual["certified_value"], P, tol=eval_tol, instance=inst, what="weak duality: D(Lam) <= closed form")
    # strong duality (Theorem 2(a)): the solver's certified dual value reaches the closed form
    record.close(P, dual["certified_value"], tol=tol.conic_value(P), instance=inst,
                 what="strong duality: closed form = dual optimum")
    # complementary slackness: <Lam, Z*> = gamma ||Z*||_* for the closed-form minimizer Z*
    record.close(p.gamma * nuclear_norm(cf.Z), float(np.sum(dual["Lam_feasible"] * cf.Z)), tol=tol.conic_value(P),
                 instance=inst, what="complementary slackness <Lam, Z*> = gamma ||Z*||_*")

    # Theorem 2(b): weights from the solver's dual point.  With tied singular values the truncated SVD is
    # ambiguous and the recovery can fail (registered erratum zhang2019.thm2.recovery); noted, not asserted.
    weights, tie = dl.recover_weights(p, dual["Lam_feasible"], drop_rtol=tol.RECOVERY_DROP_RTOL)
    if tie < tol.TIE_RTOL:
        record.note("recovery skipped: tied top-d_min singular values", True, instance=inst)
    else:
        record.leq(dl.primal_objective(p, weights), P, tol=tol.recovery(P), instance=inst,
                   what="recovered weights attain the optimum")

    # the non-convex route: every trained weight tuple is a primal point, so none may go below the optimum
    trained = dl.primal_by_training(p, starts=starts, seed=inst.seed)
    record.geq(min(trained["values"]), P, tol=eval_tol, instance=inst, what="no training run beats the closed form")
    record.note("best training run reached the closed form", bool(trained.value - P <= tol.reached(P)),
                instance=inst)


def verify_recovery_counterexample(arrays: dict) -> dict:
    """Certify that a dual-optimal ``Lam`` plus one valid top-d_min SVD of ``Y~ - Lam`` gives non-optimal weights.

    Certificate: ``Lam`` is dual feasible and its dual value equals the primal value of explicit weights
    ``W_opt`` (so both are optimal, by weak duality), while the weights built by Theorem 2(b) from the SVD
    ``(U, s, Vt)`` — checked to be a valid top-d_min SVD of ``Y~ - Lam`` — have a strictly larger objective.
    """
    widths = tuple(int(w) for w in arrays["widths"])
    p = dl.DeepLinearProblem(arrays["X"], arrays["Y"], widths, float(arrays["gamma"]))
    Lam, U, s, Vt = arrays["Lam"], arrays["U"], arrays["s"], arrays["Vt"]
    A = dl.projected_targets(p.X, p.Y) - Lam
    full = np.linalg.svd(A, compute_uv=False)
    k = p.d_min
    W_opt = [arrays[f"W_opt_{i}"] for i in range(p.H)]
    W_bad = dl.balanced_factorization(U, s, Vt, p.X, p.widths)
    feas = dl.dual_feasibility(p, Lam)
    return {
        "assumptions_hold": all(p.assumptions().values()),
        "lam_excess": feas["excess"], "lam_row_residual": feas["row_residual"],
        "dual_value": dl.dual_objective(p, Lam), "primal_value_opt": dl.primal_objective(p, W_opt),
        "svd_is_valid_top_k": float(max(np.max(np.abs(U.T @ A @ Vt.T - np.diag(s))), np.max(np.abs(s - full[:k])),
                                        np.max(np.abs(U.T @ U - np.eye(k))), np.max(np.abs(Vt @ Vt.T - np.eye(k))))),
        "primal_value_recovered": dl.primal_objective(p, W_bad),
        "closed_form": dl.closed_form(p).value,
    }


def recovery_counterexample_is_certified(c: dict) -> bool:
    exact = ztol.WITNESS_EXACT
    return (c["assumptions_hold"] and c["lam_excess"] <= exact and c["lam_row_residual"] <= exact
            and abs(c["dual_value"] - c["primal_value_opt"]) <= exact and c["svd_is_valid_top_k"] <= exact
            and c["primal_value_recovered"] > c["primal_value_opt"] + 1.0)


def check_balanced_factorization(inst: Factorization, record, nuclear=nuclear_norm) -> None:
    """The balanced factorization reproduces Z with penalty ||Z||_*; random re-factorizations never do better."""
    X, Z, widths = inst.X, inst.weights[0], inst.widths
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    r = int(np.sum(s > tol.RANK_RTOL * s[0])) if s[0] > 0 else 0
    weights = dl.balanced_factorization(U[:, :r], s[:r], Vt[:r], X, widths)
    size = max(max(widths), X.shape[1])
    target = nuclear(Z)
    # the product goes through X^+ and H matrix products (ztol.FACTORIZATION_FACTOR)
    record.allclose(dl.product(X, weights), Z, rtol=0.0,
                    atol=ztol.FACTORIZATION_FACTOR * tol.evaluation(float(np.abs(Z).max()) + float(np.sum(s)), size),
                    instance=inst, what="balanced factorization reproduces Z")
    record.close(dl.regularizer(X, weights), target, tol=tol.evaluation(target, size), instance=inst,
                 what="balanced factorization's penalty = ||Z||_*")
    # other factorizations of the same Z: W_i -> A_i W_i A_{i-1}^{-1} with random invertible A_i (A_0 = A_H = I)
    rng = np.random.default_rng(inst.seed)
    lowest = np.inf
    for _ in range(8):
        A = [np.eye(widths[0])] + [np.eye(w) + rng.standard_normal((w, w)) for w in widths[1:-1]] + [np.eye(widths[-1])]
        if min(np.linalg.svd(a, compute_uv=False).min() for a in A) < 1e-2:
            continue  # nearly singular transform: its inverse would dominate the rounding error
        other = [A[i] @ weights[i - 1] @ np.linalg.inv(A[i - 1]) for i in range(1, len(widths))]
        lowest = min(lowest, dl.regularizer(X, other))
    if np.isfinite(lowest):
        record.geq(lowest, target, tol=tol.evaluation(max(lowest, target), size), instance=inst,
                   what="no other factorization has a smaller penalty")
