"""Checks of the parallel deep linear architectures: bi-dual of the parallel net, weight decay, power penalty,
zero gap and partly parallel nets.
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
    _require_converged,
    _schatten_allowance,
    _trained,
    eval_tol,
    pinned,
    wstar,
)


# ------------------------------------------------------------------------------------------------------------
# Proposition 1 — the dual of the scale-t subproblem and its bi-dual, a parallel net with budget t per branch
# ------------------------------------------------------------------------------------------------------------
def check_bidual_parallel(inst: WangLinearInstance, record, closed: wl.ClosedForms = C, starts: int = 2) -> None:
    L, t, sv = inst.L, inst.t, inst.planted_sv
    X, Y = inst.X, inst.Y
    D = closed.dual_t(sv, L, t)
    dual = record.decide(lambda: wl.dual_t_by_cvxpy(X, Y, L, t), instance=inst, what="dual (Clarabel)")
    bid = record.decide(lambda: wl.bidual_t_by_cvxpy(X, Y, L, t), instance=inst, what="bi-dual (Clarabel)")
    record.close(
        D,
        dual["certified_value"],
        tol=tol.conic_value(D),
        instance=inst,
        routes=("closed form (11)", "dual certificate (Clarabel)"),
        what="D_lin(t) = t^-(L-2) ||X^+Y||_* (dual certificate)",
    )
    record.close(
        D,
        bid["certified_value"],
        tol=tol.conic_value(D),
        instance=inst,
        routes=("closed form (11)", "bi-dual certificate (Clarabel)"),
        what="BD_lin(t) = t^-(L-2) ||X^+Y||_* (bi-dual certificate)",
    )
    # (a): the semi-infinite constraint over all feasible paths is the spectral-norm constraint
    Lam = dual["Lam_feasible"]
    samples = wl.dual_constraint_samples(X, Lam, L, t, samples=200, width=2, seed=inst.seed)
    record.leq(
        float(samples.max()),
        1.0,
        tol=eval_tol(inst, 1.0),
        instance=inst,
        routes=("random feasible paths", "unit bound"),
        what="(a): ||Lam^T X W_1...w|| <= 1 on random feasible paths",
    )
    _, tight = wl.aligned_path(X, Lam, L, t)
    record.close(
        tight,
        1.0,
        tol=tol.conic_feasibility(1.0),
        instance=inst,
        routes=("aligned rank-one path", "unit bound"),
        what="(a): the aligned rank-one path makes the constraint tight",
    )
    # (b): a parallel net with budget t per branch attains the dual value
    net = wl.stair_factors(wstar(inst), L, 0, t, (), inst.rank, branch_width=2)
    _interpolation_check(record, inst, net, "parallel net (6)")
    record.close(
        wl.budget_cost(net, t),
        dual["certified_value"],
        tol=tol.conic_value(D),
        instance=inst,
        routes=("explicit parallel net (6)", "dual certificate (Clarabel)"),
        decisive=True,
        what="(b): an explicit parallel net costs the dual value (BD = D)",
    )
    # the dual after optimizing t, by a numerical minimization (exponent 2/L)
    c1 = dual["certified_value"] * t ** (L - 2)
    _, v_num = _minimize_over_t(lambda s: (L - 2) / 2.0 * s**2 + c1 * s ** (-(L - 2)), t)
    record.close(
        v_num,
        closed.dual(sv, L),
        tol=tol.conic_value(v_num),
        instance=inst,
        routes=("Brent minimization of the certified D(t)", "closed form"),
        what="min_t (L-2)/2 t^2 + D_lin(t) = (L/2) ||X^+Y||_*^(2/L)",
    )
    m = inst.rank + 1
    tr = _trained(
        record,
        lambda: wl.train_stair_net(X, Y, wl.StairShape(L, 0, m, (), 2), "budget", t=t, starts=starts, seed=inst.seed),
        instance=inst,
        what="parallel net (6) (L-BFGS)",
    )
    lip = float(np.linalg.norm(Lam)) * tr["residual"]  # tr(Lam^T Y') >= tr(Lam^T Y) - ||Lam||_F ||Y' - Y||_F
    record.geq(
        min(tr["values"]),
        dual["certified_value"],
        tol=eval_tol(inst, D) + lip,
        instance=inst,
        routes=("parallel-net training (L-BFGS)", "dual certificate (Clarabel)"),
        what="weak duality: no trained parallel net below the dual certificate",
    )
    _note_reached(record, inst, "parallel net (6)", tr.value, D)


# ------------------------------------------------------------------------------------------------------------
# Proposition 3 — parallel net with weight decay = per-branch product penalty (13)
# ------------------------------------------------------------------------------------------------------------
def random_parallel_net(inst: WangLinearInstance, m: int, rng: np.random.Generator, width: int = 2) -> wl.StairNet:
    """Random parallel net, each layer of each branch scaled by its own factor 10^U(-1, 1) (unbalanced)."""
    L = inst.L
    dims = [inst.d] + [width] * (L - 2)
    branch = tuple(
        rng.standard_normal((m, dims[i], dims[i + 1])) * 10.0 ** rng.uniform(-1, 1, (m, 1, 1)) for i in range(L - 2)
    )
    cols = rng.standard_normal((m, dims[-1])) * 10.0 ** rng.uniform(-1, 1, (m, 1))
    rows = rng.standard_normal((m, inst.K)) * 10.0 ** rng.uniform(-1, 1, (m, 1))
    return wl.StairNet((), branch, cols, rows)


def check_parallel_weight_decay(inst: WangLinearInstance, record, closed: wl.ClosedForms = C, starts: int = 2) -> None:
    L, sv = inst.L, inst.planted_sv
    rng = np.random.default_rng(inst.seed)
    net = random_parallel_net(inst, max(inst.N, inst.rank) + 1, rng)
    bal = wl.balance_branches(net)
    E0 = wl.end_to_end(net, inst.d)
    scale = float(np.abs(wl.branch_vectors(net, inst.d)).max() * np.abs(net.rows).max() * net.m)
    record.allclose(
        wl.end_to_end(bal, inst.d),
        E0,
        rtol=0.0,
        atol=eval_tol(inst, scale),
        instance=inst,
        what="per-branch rescaling keeps the network's map",
        routes=("balanced net", "original net"),
    )
    target13 = wl.weight_decay_power_cost(net)
    record.geq(
        wl.weight_decay_cost(net),
        target13,
        tol=eval_tol(inst, target13),
        instance=inst,
        routes=("(12) cost of a random net", "(13) objective"),
        what="AM-GM: (12)'s cost >= (13)'s objective",
    )
    record.close(
        wl.weight_decay_cost(bal),
        target13,
        tol=eval_tol(inst, target13),
        instance=inst,
        routes=("balanced net in (12)", "(13) objective"),
        decisive=True,
        what="balanced branches: (12)'s cost = (13)'s objective",
    )
    derived = closed.parallel_weight_decay(sv, L)
    explicit = wl.balance_branches(wl.stair_factors(wstar(inst), L, 0, 1.0, (), inst.rank, branch_width=2))
    _interpolation_check(record, inst, explicit, "balanced explicit parallel net")
    record.close(
        wl.weight_decay_cost(explicit),
        derived,
        tol=eval_tol(inst, derived),
        instance=inst,
        routes=("explicit parallel net", "derived value"),
        what="an explicit parallel net costs (L/2) sum sigma^(2/L) in (12)",
    )
    m = inst.rank + 1
    tr = _trained(
        record,
        lambda: wl.train_stair_net(
            inst.X, inst.Y, wl.StairShape(L, 0, m, (), 2), "weight_decay", starts=starts, seed=inst.seed
        ),
        instance=inst,
        what="parallel net (12) (L-BFGS)",
    )
    record.geq(
        min(tr["values"]),
        derived,
        tol=eval_tol(inst, derived) + _power_sum_allowance(inst, tr["residual"]),
        instance=inst,
        routes=("parallel-net training (L-BFGS)", "derived value"),
        what="no trained parallel net below (L/2) sum sigma^(2/L) (derived value)",
    )
    _note_reached(record, inst, "parallel weight decay (derived value)", tr.value, derived)
    _require_converged(record, inst, tr, "parallel net (12)")
    best = tr["net"]
    record.close(
        wl.weight_decay_cost(best),
        wl.weight_decay_power_cost(best),
        tol=wl.TRAIN_REACHED_RTOL * (1 + tr.value),
        instance=inst,
        routes=("trained net in (12)", "(13) at the trained net"),
        what="at a stationary point of (12) every branch is balanced: (12) = (13)",
    )


# ------------------------------------------------------------------------------------------------------------
# Proposition 4 — L-th power penalty (14) <=> normalized form (15), dual (16)
# ------------------------------------------------------------------------------------------------------------
def check_power_penalty(inst: WangLinearInstance, record, closed: wl.ClosedForms = C) -> None:
    L, sv = inst.L, inst.planted_sv
    X, Y = inst.X, inst.Y
    rng = np.random.default_rng(inst.seed)
    m = max(inst.N, inst.rank) + 1
    raw = random_parallel_net(inst, m, rng)
    solved = wl.solve_rows(X, Y, raw, rng.standard_normal((m, inst.K)))
    if not solved.ok:
        record.inconclusive(f"random parallel net unusable: {solved.status}", instance=inst)
    net, res = solved["net"], solved["residual"]
    record.geq(
        wl.power_cost(net),
        wl.product_cost(net),
        tol=eval_tol(inst, wl.power_cost(net)),
        instance=inst,
        routes=("(14) cost", "(15) cost"),
        what="AM-GM: (14) with beta = 1/L >= (15) at the rescaled point",
    )
    bal = wl.balance_branches(net)
    record.close(
        wl.power_cost(bal),
        wl.product_cost(net),
        tol=eval_tol(inst, wl.power_cost(net)),
        instance=inst,
        routes=("balanced net in (14)", "(15) cost"),
        decisive=True,
        what="balanced branches: (14) = (15)",
    )
    dual = record.decide(lambda: wl.spectral_dual_by_cvxpy(X, Y, 1.0), instance=inst, what="dual (16) (Clarabel)")
    value = closed.parallel(sv, L)
    record.close(
        value,
        dual["certified_value"],
        tol=tol.conic_value(value),
        instance=inst,
        routes=("closed form", "dual certificate (Clarabel)"),
        what="(16): D_prl = ||X^+Y||_*",
    )
    Lam = dual["Lam_feasible"]
    record.geq(
        wl.product_cost(net),
        dual["certified_value"],
        tol=eval_tol(inst, value) + float(np.linalg.norm(Lam)) * res,
        instance=inst,
        routes=("random parallel net in (15)", "dual certificate (Clarabel)"),
        what="weak duality (15) >= (16) at a random interpolating parallel net",
    )
    samples = wl.dual_constraint_samples(X, Lam, L, 1.0, samples=200, width=2, seed=inst.seed)
    record.leq(
        float(samples.max()),
        1.0,
        tol=eval_tol(inst, 1.0),
        instance=inst,
        routes=("random unit paths", "unit bound"),
        what="(16)'s semi-infinite constraint holds on random unit paths",
    )
    opt = wl.parallel_optimum(wstar(inst), L, inst.rank, branch_width=2)
    _interpolation_check(record, inst, opt, "explicit parallel optimum")
    record.close(
        wl.power_cost(opt),
        value,
        tol=eval_tol(inst, value),
        instance=inst,
        routes=("explicit parallel net", "closed form"),
        what="explicit parallel net: (14) costs ||X^+Y||_*",
    )


# ------------------------------------------------------------------------------------------------------------
# Theorem 4 — parallel nets with enough branches have zero duality gap
# ------------------------------------------------------------------------------------------------------------
def check_parallel_zero_gap(
    inst: WangLinearInstance,
    record,
    closed: wl.ClosedForms = C,
    starts: int = 2,
    m: int | None = None,
    reduce: bool = True,
    train: bool = True,
) -> None:
    """Zero gap for (14) with beta = 1/L: closed form = dual (16) certificate = explicit primal point with r
    branches, and (14) itself, trained from random starts with ``m`` branches (default r + 1), never goes below
    the dual and, when converged, reaches it (``train=False`` skips the training route)."""
    L, sv = inst.L, inst.planted_sv
    dual = record.decide(
        lambda: wl.spectral_dual_by_cvxpy(inst.X, inst.Y, 1.0), instance=inst, what="dual (16) (Clarabel)"
    )
    D = dual["certified_value"]
    value = closed.parallel(sv, L)
    record.close(
        value,
        D,
        tol=tol.conic_value(value),
        instance=inst,
        routes=("closed form", "dual certificate (Clarabel)"),
        what="closed form ||X^+Y||_* = dual (16)",
    )
    opt = wl.parallel_optimum(wstar(inst), L, inst.rank, branch_width=2)
    _interpolation_check(record, inst, opt, "explicit parallel net with rank(X^+Y) branches")
    record.close(
        wl.power_cost(opt),
        D,
        tol=tol.conic_value(D),
        instance=inst,
        decisive=True,
        routes=("explicit parallel net", "dual certificate (Clarabel)"),
        what="zero gap: an explicit primal point with r branches costs the dual certificate",
    )
    if not train:
        return
    m = inst.rank + 1 if m is None else m
    tr = _trained(
        record,
        lambda: wl.train_stair_net(
            inst.X, inst.Y, wl.StairShape(L, 0, m, (), 2), "power", starts=starts, seed=inst.seed, reduce=reduce
        ),
        instance=inst,
        what="parallel net (14) (L-BFGS)",
    )
    _interpolation_check(record, inst, tr["net"], "trained parallel net", trained=True)
    lip = float(np.linalg.norm(dual["Lam_feasible"])) * tr["residual"]
    record.geq(
        min(tr["values"]),
        D,
        tol=eval_tol(inst, D) + lip,
        instance=inst,
        routes=("parallel-net training (L-BFGS)", "dual certificate (Clarabel)"),
        what="weak duality: no trained parallel net below the dual",
    )
    _require_converged(record, inst, tr, "parallel net (14)")
    record.note(
        "parallel net (14): relative excess of the best run", (tr.value - D) / (1 + D), instance=inst, extra={"L": L}
    )
    record.close(
        tr.value,
        D,
        tol=wl.TRAIN_REACHED_RTOL * (1 + D) + lip,
        instance=inst,
        routes=("parallel-net training (L-BFGS)", "dual certificate (Clarabel)"),
        what="zero gap: the best converged training run reaches the dual value",
    )


# ------------------------------------------------------------------------------------------------------------
# Proposition 8 — partly parallel nets attain the partial duals; Proposition 9 — the staircase
# ------------------------------------------------------------------------------------------------------------
def check_partly_parallel(inst: WangLinearInstance, record, closed: wl.ClosedForms = C, starts: int = 2) -> None:
    L, t, sv = inst.L, inst.t, inst.planted_sv
    for s in range(L - 1):
        value = closed.stair(sv, L, t, s)
        m = inst.widths[-1] if s == L - 2 else inst.rank + 1
        explicit = wl.stair_factors(wstar(inst), L, s, t, inst.widths[:s], m, branch_width=2, seed=inst.seed)
        _interpolation_check(record, inst, explicit, f"stair s={s}")
        record.close(
            wl.budget_cost(explicit, t),
            value,
            tol=eval_tol(inst, value),
            instance=inst,
            routes=("explicit partly parallel net", "closed form (78)"),
            what="an explicit partly parallel net attains D[s](t)",
        )
        pinned(record, inst, explicit, t, s + 2, value, "(77): the partly parallel net's optimum is D[s](t)")
        shape = wl.StairShape(L, s, m, tuple(inst.widths[:s]), 2)
        tr = _trained(
            record,
            lambda: wl.train_stair_net(inst.X, inst.Y, shape, "budget", t=t, starts=starts, seed=inst.seed + s),
            instance=inst,
            what=f"partly parallel net s={s} (L-BFGS)",
        )
        allow = eval_tol(inst, value) + _schatten_allowance(inst, t, 2.0 / (s + 2), tr["residual"])
        record.geq(
            min(tr["values"]),
            value,
            tol=allow,
            instance=inst,
            routes=("partly parallel training (L-BFGS)", "closed form (78)"),
            what="no trained partly parallel net below D[s](t)",
        )
        _require_converged(record, inst, tr, f"partly parallel net s={s}")
        record.note(
            "partly parallel net: relative excess of the best run",
            (tr.value - value) / (1 + value),
            instance=inst,
            extra={"L": L, "s": s},
        )
        record.close(
            tr.value,
            value,
            tol=wl.TRAIN_REACHED_RTOL * (1 + value) + allow,
            instance=inst,
            routes=("partly parallel training (L-BFGS)", "closed form (78)"),
            what="the best converged partly parallel run reaches D[s](t)",
        )
