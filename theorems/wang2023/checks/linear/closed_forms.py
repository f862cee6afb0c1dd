"""Checks of the closed forms of the deep linear family: the factorization of the optimum (closed form and
trained), the primal factors and the sub-problem closed forms.
"""

from __future__ import annotations

import numpy as np

from landscape.core import tolerances as tol
from landscape.wang2023 import linear as wl
from strategies.wang2023.linear import WangLinearInstance
from theorems.wang2023.checks.linear.common import (
    C,
    _interpolation_check,
    _minimize_over_t,
    _note_reached,
    _power_sum_allowance,
    _schatten_allowance,
    _standard_shape,
    _trained,
    check_standard_factors,
    eval_tol,
    perturbed_costs,
    pinned,
    wstar,
)


# ------------------------------------------------------------------------------------------------------------
# Proposition 2 — the scale-t factorization problem and its Schatten-2/L closed form
# ------------------------------------------------------------------------------------------------------------
def check_factorization_closed_form(inst: WangLinearInstance, record, closed: wl.ClosedForms = C) -> None:
    """(a)-(b): explicit factors attain ``t^-(L-2) ||W||_{S_{2/L}}``, random feasible ones never beat it;
    (c): the balanced factors cost ``(L/2) sum sigma^(2/L)``, which is also the minimum over t."""
    L, t, sv = inst.L, inst.t, inst.planted_sv
    value = closed.primal_t(sv, L, t)
    net = wl.stair_factors(wstar(inst), L, L - 2, t, inst.widths[:-1], inst.widths[-1], seed=inst.seed)
    check_standard_factors(record, inst, net, t, value, "Prop. 2(b) factors")
    pinned(record, inst, net, t, L, value, "(a): t^-(L-2) ||W||_{S_{2/L}}")
    lowest, res = perturbed_costs(inst, t)
    if np.isfinite(lowest):
        record.geq(
            lowest,
            value,
            tol=eval_tol(inst, value) + _schatten_allowance(inst, t, 2.0 / L, res),
            instance=inst,
            routes=("random feasible factorizations", "closed form"),
            what="no random feasible factorization beats the closed form",
        )
    balanced = wl.standard_net(wl.balanced_factors(wstar(inst), L, inst.widths, seed=inst.seed))
    _interpolation_check(record, inst, balanced, "Prop. 2(c) balanced factors")
    overall = closed.primal(sv, L)
    record.close(
        wl.weight_decay_cost(balanced),
        overall,
        tol=eval_tol(inst, overall),
        instance=inst,
        routes=("balanced factors (Prop. 2(c))", "closed form"),
        what="(1/2) sum ||W_l||^2 of the balanced factors = (L/2) sum sigma^(2/L)",
    )
    if L >= 3:
        t_num, v_num = _minimize_over_t(
            lambda s: (L - 2) / 2.0 * s**2 + closed.primal_t(sv, L, s), closed.optimal_scale(sv, L)
        )
        record.close(
            v_num,
            overall,
            tol=wl.T_MIN_VALUE_RTOL * (1 + overall),
            instance=inst,
            routes=("Brent minimization over t", "closed form"),
            what="min_t (L-2)/2 t^2 + P(t) = (L/2) sum sigma^(2/L)",
        )
        record.close(
            t_num,
            closed.optimal_scale(sv, L),
            tol=wl.T_MIN_ARG_RTOL * t_num,
            instance=inst,
            routes=("Brent minimization over t", "closed form"),
            what="the minimizing t is ||W||_{S_{2/L}}^(1/L)",
        )


def check_factorization_training(inst: WangLinearInstance, record, closed: wl.ClosedForms = C, starts: int = 2) -> None:
    """The non-convex routes: weight decay on ``W_1 ... W_L = W`` and the scale-t problem, from random starts;
    no run may end below the closed form; whether the best one reaches it is recorded."""
    L, t, sv = inst.L, inst.t, inst.planted_sv
    shape = _standard_shape(inst)
    wd = _trained(
        record,
        lambda: wl.train_stair_net(inst.X, inst.Y, shape, "weight_decay", starts=starts, seed=inst.seed),
        instance=inst,
        what="weight decay (L-BFGS)",
    )
    overall = closed.primal(sv, L)
    record.geq(
        min(wd["values"]),
        overall,
        tol=eval_tol(inst, overall) + _power_sum_allowance(inst, wd["residual"]),
        instance=inst,
        routes=("weight-decay training (L-BFGS)", "closed form"),
        what="no weight-decay run below (L/2) sum sigma^(2/L)",
    )
    _note_reached(record, inst, "weight decay", wd.value, overall)
    bud = _trained(
        record,
        lambda: wl.train_stair_net(inst.X, inst.Y, shape, "budget", t=t, starts=starts, seed=inst.seed),
        instance=inst,
        what="scale-t problem (L-BFGS)",
    )
    value = closed.primal_t(sv, L, t)
    record.geq(
        min(bud["values"]),
        value,
        tol=eval_tol(inst, value) + _schatten_allowance(inst, t, 2.0 / L, bud["residual"]),
        instance=inst,
        routes=("scale-t training (L-BFGS)", "closed form"),
        what="no scale-t run below t^-(L-2) ||W||_{S_{2/L}}",
    )
    _note_reached(record, inst, "scale t", bud.value, value)


# ------------------------------------------------------------------------------------------------------------
# Theorem 2 — closed-form optimal factors of P_lin(t) on data; Lemma 2 (X^+Y has the smallest singular values)
# ------------------------------------------------------------------------------------------------------------
def check_primal_factors(inst: WangLinearInstance, record, closed: wl.ClosedForms = C) -> None:
    L, t, sv = inst.L, inst.t, inst.planted_sv
    value = closed.primal_t(sv, L, t)
    net = wl.stair_factors(wstar(inst), L, L - 2, t, inst.widths[:-1], inst.widths[-1], seed=inst.seed)
    check_standard_factors(record, inst, net, t, value, "factors (9)")
    pinned(record, inst, net, t, L, value, "the factors (9) are optimal")
    # at t = t*, the factors (9) with balanced last two layers solve the weight-decay problem (5)
    ts = closed.optimal_scale(sv, L)
    star = wl.balance_last_two(
        wl.stair_factors(wstar(inst), L, L - 2, ts, inst.widths[:-1], inst.widths[-1], seed=inst.seed)
    )
    _interpolation_check(record, inst, star, "factors (9) at t*")
    overall = closed.primal(sv, L)
    record.close(
        wl.weight_decay_cost(star),
        overall,
        tol=eval_tol(inst, overall),
        instance=inst,
        routes=("factors (9) at t*", "closed form"),
        what="factors (9) at t* cost (L/2) sum sigma^(2/L) in problem (5)",
    )
    # Lemma 2: every interpolator W = X^+Y + (I - X^+X) R has singular values at least those of X^+Y
    if inst.d > inst.N:
        rng = np.random.default_rng(inst.seed)
        Pn = np.eye(inst.d) - np.linalg.pinv(inst.X) @ inst.X
        Wstar = wstar(inst)
        base = np.linalg.svd(Wstar, compute_uv=False)
        worst_sv, worst_s = np.inf, np.inf
        for _ in range(12):
            W = Wstar + Pn @ (10.0 ** rng.uniform(-3, 1) * sv[0] * rng.standard_normal(Wstar.shape))
            s = np.linalg.svd(W, compute_uv=False)
            worst_sv = min(worst_sv, float(np.min(s - base)))
            worst_s = min(worst_s, float(np.sum(s ** (2.0 / L)) - np.sum(sv ** (2.0 / L))))
        record.geq(
            worst_sv,
            0.0,
            tol=eval_tol(inst, sv[0]),
            instance=inst,
            routes=("random interpolators", "minimum-norm interpolator"),
            what="Lemma 2: sigma_i(W) >= sigma_i(X^+Y) for every interpolator W",
        )
        record.geq(
            worst_s,
            0.0,
            tol=eval_tol(inst, overall) + min(inst.d, inst.K) * eval_tol(inst, sv[0]) ** (2 / L),
            instance=inst,
            routes=("random interpolators", "minimum-norm interpolator"),
            what="||W||_{S_{2/L}} >= ||X^+Y||_{S_{2/L}} for every interpolator W",
        )


# ------------------------------------------------------------------------------------------------------------
# Theorem 3 — closed forms (10) and (11) of P_lin(t), D_lin(t), and of the t-optimized values
# ------------------------------------------------------------------------------------------------------------
def check_subproblem_closed_forms(
    inst: WangLinearInstance, record, closed: wl.ClosedForms = C, starts: int = 2, train: bool = True
) -> None:
    L, t, sv = inst.L, inst.t, inst.planted_sv
    X, Y = inst.X, inst.Y
    bound = t ** (-(L - 2))
    D = closed.dual_t(sv, L, t)
    dual = record.decide(lambda: wl.dual_t_by_cvxpy(X, Y, L, t), instance=inst, what="dual (11) (Clarabel)")
    bid = record.decide(lambda: wl.bidual_t_by_cvxpy(X, Y, L, t), instance=inst, what="bi-dual (Clarabel)")
    record.leq(
        dual["excess"],
        0.0,
        tol=tol.conic_feasibility(bound),
        instance=inst,
        routes=("dual point (Clarabel)", "constraint bound"),
        what="dual point feasible: ||X^T Lam||_2 <= t^-(L-2)",
    )
    record.leq(
        dual["certified_value"],
        bid["certified_value"],
        tol=eval_tol(inst, D),
        instance=inst,
        routes=("dual certificate (Clarabel)", "bi-dual certificate (Clarabel)"),
        what="weak duality: tr(Lam^T Y) <= t^-(L-2) ||Z||_*",
    )
    record.close(
        D,
        dual["certified_value"],
        tol=tol.conic_value(D),
        instance=inst,
        decisive=True,
        routes=("closed form (11)", "dual certificate (Clarabel)"),
        what="(11): D_lin(t) = t^-(L-2) ||X^+Y||_* (dual certificate)",
    )
    record.close(
        D,
        bid["certified_value"],
        tol=tol.conic_value(D),
        instance=inst,
        routes=("closed form (11)", "bi-dual certificate (Clarabel)"),
        what="(11): D_lin(t) = t^-(L-2) ||X^+Y||_* (bi-dual certificate)",
    )
    P = closed.primal_t(sv, L, t)
    net = wl.stair_factors(wstar(inst), L, L - 2, t, inst.widths[:-1], inst.widths[-1], seed=inst.seed)
    check_standard_factors(record, inst, net, t, P, "(10): explicit factors")
    # the t-optimized values, by a numerical minimization over t of each closed form
    overall_P, overall_D = closed.primal(sv, L), closed.dual(sv, L)
    t_num, v_num = _minimize_over_t(lambda s: (L - 2) / 2.0 * s**2 + closed.primal_t(sv, L, s), t)
    record.close(
        v_num,
        overall_P,
        tol=wl.T_MIN_VALUE_RTOL * (1 + overall_P),
        instance=inst,
        routes=("Brent minimization over t", "closed form"),
        what="P_lin = min_t (L-2)/2 t^2 + P_lin(t) = (L/2) sum sigma^(2/L)",
    )
    record.close(
        t_num,
        closed.optimal_scale(sv, L),
        tol=wl.T_MIN_ARG_RTOL * t_num,
        instance=inst,
        routes=("Brent minimization over t", "closed form"),
        what="optimal scale t* = ||X^+Y||_{S_{2/L}}^(1/L)",
    )
    c1 = bid["certified_value"] * t ** (L - 2)  # D_lin(t) = D_lin(1) t^-(L-2): the dual constraint scales with t
    _, v_num = _minimize_over_t(lambda s: (L - 2) / 2.0 * s**2 + c1 * s ** (-(L - 2)), t)
    record.close(
        v_num,
        overall_D,
        tol=tol.conic_value(overall_D),
        instance=inst,
        routes=("Brent minimization of the certified D(t)", "closed form"),
        what="D_lin = min_t (L-2)/2 t^2 + D_lin(t) = (L/2) ||X^+Y||_*^(2/L)",
    )
    if not train:
        return
    bud = _trained(
        record,
        lambda: wl.train_stair_net(X, Y, _standard_shape(inst), "budget", t=t, starts=starts, seed=inst.seed),
        instance=inst,
        what="P_lin(t) (L-BFGS)",
    )
    record.geq(
        min(bud["values"]),
        P,
        tol=eval_tol(inst, P) + _schatten_allowance(inst, t, 2.0 / L, bud["residual"]),
        instance=inst,
        routes=("scale-t training (L-BFGS)", "closed form (10)"),
        what="(10): no trained standard net below P_lin(t)",
    )
    _note_reached(record, inst, "P_lin(t)", bud.value, P)
