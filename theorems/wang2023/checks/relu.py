"""Oracle functions of the deep ReLU family of Wang, Ergen, Pilanci (ICLR 2023), Section 4.

Each check_* function takes one drawn instance and the recorder and makes every comparison of one claim; the
tests in theorems/wang2023/test_relu.py call them, and the meta-tests call them with mutated values.  The
mixed-sign witness verifier (verify_mixed_sign_counterexample) recomputes the erratum's certificate.
"""

from __future__ import annotations

import numpy as np

import landscape.pilanci2020 as tlc
from landscape.core import tolerances as tol
from landscape.wang2023 import relu as wr
from landscape.wang2023 import tolerances as wtol
from strategies.wang2023.relu import (
    GeneralInstance,
    ParallelNetInstance,
    RankOneInstance,
)

SAMPLED_BRANCHES = 300  # random branches per sampled-constraint relaxation


def ctol(value: float) -> float:
    return tol.conic_value(value)


def _net_checks(
    record,
    inst,
    net: wr.ParallelNet,
    X,
    Y,
    value: float,
    what: str,
    decisive: bool = False,
    value_route: str = "dual (Clarabel)",
) -> None:
    """An explicit parallel net: layers within (23)'s constraints, interpolates, and costs ``value``."""
    record.leq(
        net.max_layer_norm(),
        1.0,
        tol=tol.evaluation(1.0, 10),
        instance=inst,
        routes=("branch layer norms", "unit budget"),
        what=f"{what}: every branch layer has norm <= 1",
    )
    record.leq(
        wr.interpolation_residual(net.output(X), Y),
        0.0,
        tol=wtol.INTERP_RTOL,
        instance=inst,
        routes=("net output", "targets Y"),
        what=f"{what}: interpolates",
    )
    record.close(
        net.group_norm(),
        value,
        tol=ctol(value),
        instance=inst,
        routes=("explicit parallel net", value_route),
        decisive=decisive,
        what=f"{what}: attains the dual value",
    )


def _vertex_net(record, inst, data: wr.RankOneData, L: int, scale: float = 1.0) -> wr.ParallelNet:
    """The parallel net on the triangle's vertices (branches budget ``scale``) with its exact last layer (26)."""
    branches = wr.rank_one_vertex_branches(data, L)
    branches = [[scale * b[0], *b[1:]] for b in branches]
    gl = record.decide(
        lambda: wr.group_lasso(wr.features_of(data.X, branches), data.Y),
        instance=inst,
        what="group lasso over the vertex branches",
    )
    return wr.ParallelNet(tuple(branches), gl["W"])


# ------------------------------------------------------------------------------------------------------------
# Proposition 5 — dual of the standard three-layer subproblem; its bi-dual is a parallel net
# ------------------------------------------------------------------------------------------------------------
def check_standard_dual_and_parallel_bidual(
    inst: RankOneInstance, record, closed_form=wr.rank_one_dual_closed_form, starts: int = 1
) -> None:
    data, t = inst.data, inst.t
    X, Y = data.X, data.Y
    D_t = closed_form(data, t)
    dual = record.decide(lambda: wr.rank_one_dual_by_cvxpy(data, t), instance=inst, what="dual (20) (Clarabel)")
    record.close(
        dual.value,
        D_t,
        tol=ctol(D_t),
        instance=inst,
        routes=("dual (Clarabel)", "closed form"),
        what="dual (20) by the conic solver = (|g1| + |g2|)/(t ||a||)",
    )
    lp1 = record.decide(lambda: wr.rank_one_dual_by_highs(data, 1.0), instance=inst, what="dual at t = 1 (HiGHS)")
    record.close(
        t * dual.value,
        lp1.value,
        tol=ctol(lp1.value),
        instance=inst,
        routes=("dual at t (Clarabel)", "dual at t = 1 (HiGHS)"),
        what="homogeneity A(t) = t A(1): t D(t) = D(1)",
    )
    # the constraint set A(t), from random standard-net branches with ||W_1|| = t, ||w_2|| = 1
    rng = np.random.default_rng(inst.seed)
    branches = [[t * b[0], b[1]] for b in wr.sample_branches(data.a.size, 3, 3, SAMPLED_BRANCHES, rng)]
    F = wr.features_of(X, branches)
    T = t * float(np.linalg.norm(data.a))
    worst = 0.0
    for f in F.T:
        alpha, beta, res = wr.triangle_coordinates(data, f)
        worst = max(worst, -alpha, -beta, alpha + beta - T, res)
    record.leq(
        worst,
        0.0,
        tol=tol.evaluation(T * (1 + np.abs(F).max()), data.N),
        instance=inst,
        routes=("sampled branch outputs", "triangle t conv{0, ||a|| c_+, ||a|| c_-}"),
        what="every sampled output lies in t conv{0, ||a|| c_+, ||a|| c_-}",
    )
    sampled = wr.sampled_dual(X, Y, F)
    if sampled.ok:
        record.geq(
            sampled.value,
            dual.value,
            tol=ctol(dual.value),
            instance=inst,
            routes=("sampled-constraint dual", "dual (Clarabel)"),
            what="sampled-constraint dual >= the dual (a relaxation)",
        )
    vertex = _vertex_net(record, inst, data, 3, scale=t)
    closed = wr.sampled_dual(X, Y, np.column_stack([F, vertex.features(X)]))
    record.close(
        record.require(closed, instance=inst, what="sampled dual with vertices").value,
        dual.value,
        tol=ctol(dual.value),
        instance=inst,
        routes=("sampled dual with vertices", "dual (Clarabel)"),
        what="adding the two vertices makes the relaxation exact",
    )
    # bi-dual (21): a parallel net whose branches each have the full budget t attains D(t)
    record.leq(
        wr.interpolation_residual(vertex.output(X), Y),
        0.0,
        tol=wtol.INTERP_RTOL,
        instance=inst,
        routes=("net output", "targets Y"),
        what="bi-dual parallel net interpolates",
    )
    record.close(
        vertex.group_norm(),
        dual.value,
        tol=ctol(dual.value),
        instance=inst,
        routes=("parallel net on the vertices (group lasso)", "dual (Clarabel)"),
        decisive=True,
        what="bi-dual (21): a parallel net with budget t per branch attains D(t)",
    )
    # weak duality for the standard net (17): no trained net below the dual's 3/2 D(1)^(2/3)
    lower = wr.overall_from_scaled(lp1.value)
    std = record.require(
        wr.train_standard3(X, Y, 3, 3, starts=starts, seed=inst.seed), instance=inst, what="standard-net training"
    )
    record.geq(
        min(std["values"]),
        lower,
        tol=ctol(lower),
        instance=inst,
        routes=("standard-net training (L-BFGS)", "dual at t = 1 (HiGHS)"),
        what="no trained standard net beats 3/2 D(1)^(2/3)",
    )
    record.note(
        "standard net above the dual: P/D - 1", std.value / lower - 1.0, instance=inst, extra={"case": inst.case}
    )


def mixed_sign_example() -> RankOneInstance:
    c = np.array([1.0, -1.0, 0.5])
    data = wr.RankOneData(c, np.array([0.6, 0.8]), np.array([[1.0], [-1.0], [0.5]]))
    return RankOneInstance(data, "mixed sign", 0.7, 3, 1)


# ------------------------------------------------------------------------------------------------------------
# Theorem 5 — standard three-layer net, rank-one data, labels of one sign
# ------------------------------------------------------------------------------------------------------------
def check_rank_one_standard_zero_gap(
    inst: RankOneInstance, record, closed_form=wr.rank_one_dual_closed_form, starts: int = 2
) -> None:
    data, t = inst.data, inst.t
    X, Y = data.X, data.Y
    D1 = closed_form(data, 1.0)
    lp = record.decide(lambda: wr.rank_one_dual_by_highs(data, 1.0), instance=inst, what="dual LP (HiGHS)")
    record.close(
        lp.value,
        D1,
        tol=tol.highs(D1),
        instance=inst,
        routes=("dual LP (HiGHS)", "closed form"),
        what="dual LP (HiGHS) = (|g1| + |g2|)/||a||",
    )
    conic = record.decide(lambda: wr.rank_one_dual_by_cvxpy(data, 1.0), instance=inst, what="dual (Clarabel)")
    record.close(
        conic.value,
        lp.value,
        tol=ctol(lp.value),
        instance=inst,
        routes=("dual (Clarabel)", "dual LP (HiGHS)"),
        what="dual: Clarabel = HiGHS",
    )
    # the dual optimum is tight at the vertices the stated weights use
    lam = lp["Lam"][:, 0]
    norm_a = float(np.linalg.norm(data.a))
    for v, g in ((data.c_plus, float(data.g1[0])), (data.c_minus, float(data.g2[0]))):
        if g != 0:
            record.close(
                float(lam @ (norm_a * v)),
                np.sign(g),
                tol=tol.highs(1.0),
                instance=inst,
                routes=("dual point at the vertex", "unit bound"),
                what="dual optimum is tight at the vertex the stated weights use",
            )
    # the stated weights at scale t
    W1, W2, w3 = wr.thm5_stated_weights(data, t, m1=3, m2=2)
    record.leq(
        wr.interpolation_residual(wr.standard3_output(X, W1, W2, w3), Y),
        0.0,
        tol=wtol.INTERP_RTOL,
        instance=inst,
        routes=("net output", "targets Y"),
        what="stated weights interpolate",
    )
    record.leq(
        float(np.linalg.norm(W1)),
        t,
        tol=tol.evaluation(t, 4),
        instance=inst,
        routes=("||W_1||", "budget t"),
        what="stated W_1 within the budget ||W_1|| <= t",
    )
    record.leq(
        float(np.linalg.norm(W2, axis=0).max()),
        1.0,
        tol=tol.evaluation(1.0, 4),
        instance=inst,
        routes=("unit norms", "unit budget"),
        what="stated second-layer units have norm <= 1",
    )
    record.close(
        float(np.abs(w3).sum()),
        lp.value / t,
        tol=ctol(lp.value / t),
        instance=inst,
        routes=("stated weights (Thm 5)", "dual LP (HiGHS)"),
        what="zero gap at scale t: the stated weights cost D(t)",
    )
    # overall weight decay (17): the stated weights at t* = D(1)^(1/3), balanced
    Wo = wr.thm5_overall_weights(data, m1=3, m2=2)
    D_overall = wr.overall_from_scaled(lp.value)
    record.leq(
        wr.interpolation_residual(wr.standard3_output(X, *Wo), Y),
        0.0,
        tol=wtol.INTERP_RTOL,
        instance=inst,
        routes=("net output", "targets Y"),
        what="stated weights at t* interpolate",
    )
    record.close(
        wr.standard3_cost(*Wo),
        D_overall,
        tol=ctol(D_overall),
        instance=inst,
        routes=("stated weights (Thm 5) at t*", "dual LP (HiGHS)"),
        decisive=True,
        what="zero gap: the stated weights' weight decay = 3/2 D(1)^(2/3)",
    )
    # non-convex route: never below the dual value
    std = record.require(
        wr.train_standard3(X, Y, 3, 3, starts=starts, seed=inst.seed), instance=inst, what="standard-net training"
    )
    lowest = min(std["values"])
    record.geq(
        lowest,
        D_overall,
        tol=ctol(D_overall),
        instance=inst,
        routes=("standard-net training (L-BFGS)", "dual LP (HiGHS)"),
        what="no trained standard net beats the dual value",
    )
    record.note(
        "best training run reached the dual value",
        wr.reached(lowest, D_overall),
        instance=inst,
        extra={"relative_excess": (lowest - D_overall) / (1.0 + D_overall), "case": inst.case},
    )


def same_sign_example() -> RankOneInstance:
    c = np.array([1.0, -1.0])
    data = wr.RankOneData(c, np.array([1.0]), np.array([[1.0], [1.0]]))
    return RankOneInstance(data, "same sign", 1.0, 3, 0)


# ------------------------------------------------------------------------------------------------------------
# Theorem 5 with labels of mixed sign — refuted (registered erratum, committed witness)
# ------------------------------------------------------------------------------------------------------------
def verify_mixed_sign_counterexample(arrays: dict, starts: int = 4) -> dict:
    """Certify ``P(t) > D(t)`` for the standard net on the witness data.

    D(t): the LP by HiGHS and its closed form.  P(t): attained by the explicit net stored in the witness (weights
    within the budget, exact interpolation), and bounded below by the convex one-variable certificate of
    ``wr.standard_lower_bound_certificate`` (the slopes change sign at its stationary point, which is the grid
    minimum); training of the overall problem from random starts is reported as a further check.
    """
    data = wr.RankOneData(arrays["c"], arrays["a"], arrays["Y"])
    t = float(arrays["t"])
    W1, W2, w3 = arrays["W1"], arrays["W2"], arrays["w3"]
    lp = wr.rank_one_dual_by_highs(data, t)
    cert = wr.standard_lower_bound_certificate(data, t)
    trained = wr.train_standard3(data.X, data.Y, 3, 3, starts=starts, seed=0)
    return {
        "labels_mixed": float(data.g1[0] * data.g2[0]),
        "dual_lp": lp.value if lp.ok else float("nan"),
        "dual_closed": wr.rank_one_dual_closed_form(data, t),
        "net_W1_norm": float(np.linalg.norm(W1)),
        "net_w2_max_norm": float(np.linalg.norm(W2, axis=0).max()),
        "net_residual": wr.interpolation_residual(wr.standard3_output(data.X, W1, W2, w3), data.Y),
        "net_cost": float(np.abs(w3).sum()),
        **cert,
        "overall_primal": wr.overall_from_scaled(cert["G_star"] * t),
        "overall_dual": wr.overall_from_scaled(lp.value * t) if lp.ok else float("nan"),
        "best_training_overall": float(trained.value),
    }


def mixed_sign_counterexample_is_certified(c: dict) -> bool:
    exact = 1e-12  # two samples with entries +-1: every number is exact up to ~1e-15 rounding
    return bool(
        c["labels_mixed"] < 0
        and abs(c["dual_lp"] - c["dual_closed"]) <= 1e-9
        and c["net_W1_norm"] <= 1.0 + exact
        and c["net_w2_max_norm"] <= 1.0 + exact
        and c["net_residual"] <= exact
        and abs(c["net_cost"] - c["G_star"]) <= exact
        and c["slope_left"] < 0 < c["slope_right"]
        and c["G_grid_min"] >= c["G_star"] - exact
        and abs(c["G_star"] - c["hoelder_value"]) <= exact
        and c["G_star"] - c["dual_lp"] > 0.5
        and c["best_training_overall"] >= c["overall_primal"] - 1e-9
    )


# ------------------------------------------------------------------------------------------------------------
# Proposition 6 — (22) <=> (23) by rescaling; the dual (24)
# ------------------------------------------------------------------------------------------------------------
def check_power_penalty_rescaling(inst: ParallelNetInstance, record, factor: float = 1.0) -> None:
    """Per branch, positive rescalings keep the output; balancing the layer norms minimizes the L-th power penalty,
    where it equals beta L times the group norm of the normalized net (``factor`` is a mutation hook)."""
    net, X, beta = inst.net, inst.X, inst.beta
    out = net.output(X)
    scale = 1.0 + float(np.abs(out).max())
    size = max(X.shape[0], net.m) * (net.L + 2)
    bal, nrm = net.balanced(), net.normalized()
    record.allclose(
        bal.output(X),
        out,
        rtol=0.0,
        atol=tol.evaluation(scale, size),
        instance=inst,
        what="balanced branches give the same output",
        routes=("balanced net", "original net"),
    )
    record.allclose(
        nrm.output(X),
        out,
        rtol=0.0,
        atol=tol.evaluation(scale, size),
        instance=inst,
        what="normalized branches give the same output",
        routes=("normalized net", "original net"),
    )
    record.leq(
        nrm.max_layer_norm(),
        1.0,
        tol=tol.evaluation(1.0, size),
        instance=inst,
        routes=("layer norms", "unit budget"),
        what="normalized branches satisfy (23)'s constraints",
    )
    target = factor * beta * net.L * nrm.group_norm()
    record.close(
        bal.power_cost(beta),
        target,
        tol=tol.evaluation(target, size),
        instance=inst,
        routes=("penalty (22) of the balanced net", "beta L x group norm (23)"),
        decisive=True,
        what="(22)'s penalty of the balanced net = beta L x (23)'s group norm",
    )
    record.geq(
        net.power_cost(beta),
        bal.power_cost(beta),
        tol=tol.evaluation(net.power_cost(beta), size),
        instance=inst,
        routes=("penalty (22) of the net", "penalty (22) of its balanced version"),
        what="AM-GM: every net's (22) penalty >= its balanced version's",
    )


def check_power_penalty_dual(inst: RankOneInstance, record, closed_form=wr.rank_one_dual_closed_form) -> None:
    data, L = inst.data, inst.L
    X, Y = data.X, data.Y
    beta = 1.0 / L
    D = closed_form(data, 1.0)
    dual = record.decide(lambda: wr.rank_one_dual_by_cvxpy(data, 1.0), instance=inst, what="dual (24) (Clarabel)")
    record.close(
        dual.value,
        D,
        tol=ctol(D),
        instance=inst,
        routes=("dual (Clarabel)", "closed form"),
        what="dual (24) = (||g1|| + ||g2||)/||a||",
    )
    rng = np.random.default_rng(inst.seed)
    F = wr.features_of(X, wr.sample_branches(data.a.size, L, 3, SAMPLED_BRANCHES, rng))
    sampled = wr.sampled_dual(X, Y, F)
    if sampled.ok:
        record.geq(
            sampled.value,
            dual.value,
            tol=ctol(dual.value),
            instance=inst,
            routes=("sampled-constraint dual", "dual (Clarabel)"),
            what="sampled-constraint dual >= the dual (24)",
        )
    net = _vertex_net(record, inst, data, L)
    _net_checks(record, inst, net, X, Y, dual.value, "vertex-branch net")
    bal = net.balanced()
    record.leq(
        wr.interpolation_residual(bal.output(X), Y),
        0.0,
        tol=wtol.INTERP_RTOL,
        instance=inst,
        routes=("net output", "targets Y"),
        what="balanced optimal net interpolates",
    )
    record.close(
        bal.power_cost(beta),
        beta * L * dual.value,
        tol=ctol(beta * L * dual.value),
        instance=inst,
        routes=("balanced parallel net on the vertices", "dual (Clarabel)"),
        decisive=True,
        what="(22) with beta = 1/L attains beta L x the dual value",
    )


# ------------------------------------------------------------------------------------------------------------
# Theorem 6 — zero duality gap for parallel deep ReLU nets
# ------------------------------------------------------------------------------------------------------------
def check_parallel_zero_gap_rank_one(
    inst: RankOneInstance, record, closed_form=wr.rank_one_dual_closed_form, starts: int = 2
) -> None:
    data, L = inst.data, inst.L
    X, Y = data.X, data.Y
    D = closed_form(data, 1.0)
    dual = record.decide(lambda: wr.rank_one_dual_by_cvxpy(data, 1.0), instance=inst, what="dual (24) (Clarabel)")
    record.close(
        dual.value,
        D,
        tol=ctol(D),
        instance=inst,
        routes=("dual (Clarabel)", "closed form"),
        what="dual (24) by the conic solver = closed form",
    )
    # zero gap: an explicit parallel net (two branches) costs the dual value
    _net_checks(
        record,
        inst,
        _vertex_net(record, inst, data, L),
        X,
        Y,
        dual.value,
        "parallel net of two branches",
        decisive=True,
    )
    # the non-convex route never goes below the dual value
    m = data.N * data.K + 1
    trained = record.require(
        wr.train_parallel(X, Y, L, m, 2, starts=starts, seed=inst.seed), instance=inst, what="parallel-net training"
    )
    lowest = min(trained["values"])
    record.geq(
        lowest,
        dual.value,
        tol=ctol(dual.value),
        instance=inst,
        routes=("parallel-net training (L-BFGS)", "dual (Clarabel)"),
        what="no trained parallel net beats the dual value",
    )
    record.note(
        "best training run reached the dual value",
        wr.reached(lowest, dual.value),
        instance=inst,
        extra={
            "relative_excess": (lowest - dual.value) / (1.0 + dual.value),
            "ratio": lowest / dual.value,
            "L": L,
            "K": data.K,
        },
    )


def l3_general_routes(inst: GeneralInstance, record, dual_value=None) -> dict:
    """Exact dual, certified dual point, bi-dual net for a three-layer parallel net (K = 1) on small data."""
    X, y = inst.X, inst.y
    arr = tlc.enumerate_arrangements(X)
    dual = record.decide(lambda: wr.l3_dual_exact(X, y, arr), instance=inst, what="exact dual (Clarabel)")
    D = dual.value if dual_value is None else dual_value(dual.value)
    lam = dual["lam"]
    s = record.decide(
        lambda: wr.l3_constraint_value(X, lam, arr), instance=inst, what="exact dual constraint (Clarabel)"
    )
    record.leq(
        s.value,
        1.0,
        tol=tol.conic_feasibility(1.0),
        instance=inst,
        routes=("dual point (Clarabel)", "exact constraint over the cells"),
        what="the exact dual's point satisfies the exact constraint max |lam^T f| <= 1",
    )
    certified = float(lam @ y) / max(s.value, 1e-300)  # lam / s is dual feasible: a lower bound on P
    bidual = record.decide(lambda: wr.l3_bidual_exact(X, y, arr), instance=inst, what="bi-dual (Clarabel)")
    return {
        "arr": arr,
        "D": D,
        "lam": lam,
        "s": s.value,
        "certified": certified,
        "net": bidual["net"],
        "bidual": bidual.value,
    }


def check_parallel_zero_gap_general(inst: GeneralInstance, record, dual_value=None, starts: int = 1) -> None:
    X, y = inst.X, inst.y
    r = l3_general_routes(inst, record, dual_value)
    D, certified, net = r["D"], r["certified"], r["net"]
    record.close(
        certified,
        D,
        tol=ctol(D),
        instance=inst,
        routes=("certified dual bound", "exact dual (Clarabel)"),
        what="certified dual value = exact dual value",
    )
    # zero gap: an explicit parallel net costs the certified lower bound
    _net_checks(record, inst, net, X, y[:, None], D, "bi-dual net")
    record.close(
        net.group_norm(),
        certified,
        tol=ctol(D),
        instance=inst,
        routes=("explicit net from the bi-dual", "certified dual bound"),
        decisive=True,
        what="zero gap: explicit net's cost = certified lower bound",
    )
    # the sampled relaxation is an upper bound (its gap to D shows why sampling alone is inconclusive)
    rng = np.random.default_rng(inst.seed)
    F = wr.features_of(X, wr.sample_branches(X.shape[1], 3, X.shape[0] + 1, SAMPLED_BRANCHES, rng))
    sampled = wr.sampled_dual(X, y, F)
    if sampled.ok:
        record.geq(
            sampled.value,
            certified,
            tol=ctol(D),
            instance=inst,
            routes=("sampled-constraint dual", "certified dual bound"),
            what="sampled-constraint dual >= certified dual value",
        )
        record.note("sampling gap (sampled dual / exact dual - 1)", sampled.value / D - 1.0, instance=inst)
    trained = record.require(
        wr.train_parallel(X, y, 3, X.shape[0] + 1, X.shape[0] + 1, starts=starts, seed=inst.seed),
        instance=inst,
        what="parallel-net training",
    )
    lowest = min(trained["values"])
    # the certified value carries the conic solver's accuracy through s (the exact constraint's maximum)
    record.geq(
        lowest,
        certified,
        tol=ctol(D),
        instance=inst,
        routes=("parallel-net training (L-BFGS)", "certified dual bound"),
        what="no trained parallel net beats the certified dual value",
    )
    record.note(
        "best training run reached the exact dual value (general data)",
        wr.reached(lowest, D),
        instance=inst,
        extra={"relative_excess": (lowest - D) / (1.0 + D), "ratio": lowest / D},
    )


# ------------------------------------------------------------------------------------------------------------
# Theorem 7 — an optimal net from the dual's maximizers
# ------------------------------------------------------------------------------------------------------------
def check_recovery_rank_one(inst: RankOneInstance, record, closed_form=wr.rank_one_dual_closed_form) -> None:
    data, L = inst.data, inst.L
    X, Y = data.X, data.Y
    D = closed_form(data, 1.0)
    dual = record.decide(lambda: wr.rank_one_dual_by_cvxpy(data, 1.0), instance=inst, what="dual (24) (Clarabel)")
    Lam = dual["Lam"]
    record.close(
        float(np.sum(Lam * Y)),
        D,
        tol=ctol(D),
        instance=inst,
        routes=("dual (Clarabel)", "closed form"),
        what="dual optimum = closed form",
    )
    # the maximizer set (25) is explicit: the two vertex branches; the dual is tight exactly there
    branches = wr.rank_one_vertex_branches(data, L)
    F = wr.features_of(X, branches)
    corr = np.linalg.norm(F.T @ Lam, axis=1)
    record.leq(
        float(corr.max()),
        1.0,
        tol=tol.conic_feasibility(1.0),
        instance=inst,
        routes=("dual point at the vertex branches", "unit bound"),
        what="dual feasible at the vertex branches",
    )
    gl = record.decide(
        lambda: wr.group_lasso(F, Y, solver="CLARABEL", lp=False), instance=inst, what="group lasso (26) (Clarabel)"
    )
    net = wr.ParallelNet(tuple(branches), gl["W"])
    _net_checks(record, inst, net, X, Y, D, "net recovered from the dual's maximizers")
    # each used branch is a maximizer, and its last-layer row is a non-negative multiple of Lam^T f_j
    total = net.group_norm()
    for j, w in enumerate(gl["W"]):
        weight = float(np.linalg.norm(w))
        if weight <= 1e-6 * total:
            continue
        g = F[:, j] @ Lam
        record.close(
            float(np.linalg.norm(g)),
            1.0,
            tol=ctol(1.0) * total / weight,
            instance=inst,
            routes=("branch outputs of the recovered net", "dual optimum (unit bound)"),
            decisive=True,
            what="used branches are maximizers (25): ||Lam^T f_j|| = 1",
        )
        record.close(
            float(w @ g) / (weight * float(np.linalg.norm(g))),
            1.0,
            tol=ctol(1.0) * total / weight,
            instance=inst,
            routes=("last-layer row", "Lam^T f_j direction"),
            what="last-layer row aligned with Lam^T f_j",
        )
