"""Wang, Ergen, Pilanci (ICLR 2023), Section 4: deep ReLU networks in minimum-norm interpolation.  The standard
three-layer net's scale-t subproblem has a parallel net as bi-dual (Proposition 5) and zero gap on rank-one data
with stated optimal weights (Theorem 5); parallel deep ReLU nets with an L-th power penalty reformulate to a
group-norm problem with a convex dual (Proposition 6), have zero duality gap (Theorem 6), and an optimal net is
read off the dual's maximizers (Theorem 7).

Routes: closed forms for rank-one data (numpy); the dual by conic (Clarabel) and linear (HiGHS) solvers;
sampled-constraint relaxations of the dual (upper bounds, built from actual random branches); for three-layer nets
on small general data the exact dual (one second-order cone program per orthant of the hidden output, over the
data's arrangement cells) with its bi-dual and an exact evaluation of the dual constraint that certifies a dual
point; explicit networks evaluated in numpy; non-convex training (torch, L-BFGS, random starts, last layer solved
exactly).  The deep LINEAR results of Section 3 are checked elsewhere.

Finding: Theorem 5 fails for labels of mixed sign (``wang2023.thm5.mixed-signs``, a committed witness): the
standard net's first layer is shared, so it cannot reach the two vertices of the dual's constraint set at full
budget at once; its value is ``(|g1|^(2/3) + |g2|^(2/3))^(3/2)/||a||`` instead of the dual's ``(|g1| + |g2|)/||a||``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given

from landscape.core import tolerances as tol
from landscape.wang2023 import relu as wr
from landscape.wang2023 import tolerances as wtol
from reports.registry import witness_path
from strategies import budget
from strategies.wang2023.relu import (
    general_l3_instances,
    parallel_nets,
    rank_one_instances,
)
from theorems.wang2023.checks.relu import (
    check_parallel_zero_gap_general,
    check_parallel_zero_gap_rank_one,
    check_power_penalty_dual,
    check_power_penalty_rescaling,
    check_rank_one_standard_zero_gap,
    check_recovery_rank_one,
    check_standard_dual_and_parallel_bidual,
    ctol,
    l3_general_routes,
    mixed_sign_counterexample_is_certified,
    mixed_sign_example,
    same_sign_example,
    verify_mixed_sign_counterexample,
)


@pytest.mark.claim(
    "wang2023.prop5",
    covers=(
        "rank-one data c a^T, N 2..6, d 1..3, labels of one sign, one vertex, c of one sign, "
        "mixed sign; samples at the origin; t over one decade"
    ),
)
@budget(0.8)
@given(inst=rank_one_instances(cases=("same sign", "one vertex", "c of one sign", "mixed sign")))
@example(inst=mixed_sign_example())
def test_standard_three_layer_dual_has_a_parallel_bidual(inst, record):
    check_standard_dual_and_parallel_bidual(inst, record)


@pytest.mark.claim(
    "wang2023.thm5",
    covers=(
        "rank-one data, labels of one sign, one vertex only, c of one sign; samples at the origin; t over one decade"
    ),
)
@budget(0.8)
@given(inst=rank_one_instances())
@example(inst=same_sign_example())
def test_rank_one_standard_relu_net_has_zero_gap_and_stated_weights(inst, record):
    """Labels of one sign (both non-zero, one of them zero, or c >= 0): the case the theorem's weights cover."""
    check_rank_one_standard_zero_gap(inst, record, starts=1)


@pytest.mark.claim("wang2023.thm5.mixed-signs", covers=("the committed two-sample witness"))
def test_mixed_sign_labels_leave_a_gap_for_the_standard_net(record):
    with np.load(witness_path("wang2023.thm5.mixed-signs"), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    checks = verify_mixed_sign_counterexample(arrays)
    record.witness(
        "two-samples",
        arrays,
        certified=mixed_sign_counterexample_is_certified(checks),
        checks=checks,
        instance="c=(1,-1), a=(1), y=(1,-1), t=1: D(1)=2, standard P(1)=2 sqrt 2",
    )


@pytest.mark.claim("wang2023.thm5.mixed-signs", covers=("rank-one data with labels of mixed sign, N 2..6, d 1..3"))
@budget(0.8)
@given(inst=rank_one_instances(cases=("mixed sign",)))
def test_mixed_sign_gap_has_the_hoelder_value(inst, record):
    """On every mixed-sign instance: an explicit standard net attains the derived value, which exceeds the dual's,
    and training does not go below it (the derivation's lower half)."""
    data, t = inst.data, inst.t
    P_t = wr.rank_one_standard_value(data, t)
    D_t = wr.rank_one_dual_closed_form(data, t)
    W1, W2, w3 = wr.mixed_sign_standard_net(data, t)
    record.leq(
        wr.interpolation_residual(wr.standard3_output(data.X, W1, W2, w3), data.Y),
        0.0,
        tol=wtol.INTERP_RTOL,
        instance=inst,
        routes=("net output", "targets Y"),
        what="explicit standard net interpolates",
    )
    record.leq(
        float(np.linalg.norm(W1)),
        t,
        tol=tol.evaluation(t, 4),
        instance=inst,
        routes=("||W_1||", "budget t"),
        what="within ||W_1|| <= t",
    )
    record.close(
        float(np.abs(w3).sum()),
        P_t,
        tol=tol.evaluation(P_t, 8),
        instance=inst,
        routes=("explicit standard net", "Hoelder value"),
        what="explicit standard net costs the Hoelder value",
    )
    cert = wr.standard_lower_bound_certificate(data, t)
    record.geq(
        cert["G_grid_min"],
        cert["G_star"],
        tol=tol.evaluation(P_t, 8),
        instance=inst,
        routes=("grid minimum of G", "stationary value of G"),
        what="the one-variable lower bound is minimal at its stationary point",
    )
    record.geq(
        P_t - D_t,
        0.0,
        tol=0.0,
        instance=inst,
        evidence=False,
        routes=("Hoelder value", "dual closed form"),
        what="Hoelder value >= dual value (always true by the p-norm inequality; a sanity check)",
    )
    overall = wr.overall_from_scaled(t * P_t)
    std = record.require(
        wr.train_standard3(data.X, data.Y, 3, 3, starts=1, seed=inst.seed), instance=inst, what="standard-net training"
    )
    record.geq(
        min(std["values"]),
        overall,
        tol=ctol(overall),
        instance=inst,
        routes=("standard-net training (L-BFGS)", "Hoelder value (lower bound)"),
        decisive=True,
        what="no trained standard net beats the Hoelder value",
    )
    record.note("gap P/D - 1 of the standard net (weight decay)", (P_t / D_t) ** (2.0 / 3.0) - 1.0, instance=inst)


@pytest.mark.claim(
    "wang2023.prop6",
    covers=(
        "random parallel ReLU nets, L 2..5, 1..4 branches, width 1..3, beta over three decades, N 1..5 (N = 1 included)"
    ),
)
@given(inst=parallel_nets())
def test_power_penalty_problem_reformulates_to_a_group_norm(inst, record):
    check_power_penalty_rescaling(inst, record)


@pytest.mark.claim("wang2023.prop6", covers=("rank-one data, K = 2, L 3..4, every label case"))
@budget(0.3)
@given(inst=rank_one_instances(cases=("same sign", "one vertex", "mixed sign"), K=2, depths=(2, 3, 4)))
def test_power_penalty_dual_on_rank_one_data(inst, record):
    check_power_penalty_dual(inst, record)


@pytest.mark.claim("wang2023.thm6", covers=("rank-one data, K = 2, L 3..4, N <= 4"))
@budget(0.25)
@given(inst=rank_one_instances(cases=("same sign", "one vertex", "mixed sign"), K=2, depths=(3, 4), max_N=4))
def test_parallel_relu_nets_have_zero_gap_on_rank_one_data(inst, record):
    check_parallel_zero_gap_rank_one(inst, record)


@pytest.mark.claim(
    "wang2023.thm6", covers=("rank-one data with labels of mixed sign (where the standard net has a gap)")
)
@budget(0.25)
@given(inst=rank_one_instances(cases=("mixed sign",), K=1, depths=(3, 4), max_N=4))
def test_parallel_relu_nets_close_the_standard_nets_gap(inst, record):
    """Mixed-sign labels, K = 1: the parallel net reaches the dual value where the standard net cannot."""
    check_parallel_zero_gap_rank_one(inst, record)


@pytest.mark.claim("wang2023.thm6", covers=("generic data N 2..4, d 2..3, label scale over one decade, L = 3"))
@budget(0.25)
@given(inst=general_l3_instances())
def test_parallel_three_layer_nets_have_zero_gap_on_general_data(inst, record):
    check_parallel_zero_gap_general(inst, record)


@pytest.mark.claim("wang2023.thm7", covers=("rank-one data, K = 2, every label case"))
@budget(0.55)
@given(inst=rank_one_instances(cases=("same sign", "one vertex", "c of one sign", "mixed sign"), K=2, depths=(2, 3, 4)))
def test_optimal_parallel_net_is_recovered_from_the_dual_on_rank_one_data(inst, record):
    check_recovery_rank_one(inst, record)


@pytest.mark.claim("wang2023.thm7", covers=("generic data N 2..4, d 2..3, L = 3"))
@budget(0.25)
@given(inst=general_l3_instances(max_N=3))
def test_optimal_branches_are_dual_maximizers_on_general_data(inst, record):
    """Three-layer nets, K = 1: the bi-dual's optimal branches maximize |lam*^T f| (= 1, sign of the output weight),
    and the group lasso (26) over them recovers the optimal value."""
    X, y = inst.X, inst.y
    r = l3_general_routes(inst, record)
    net, lam, D = r["net"], r["lam"], r["D"]
    F = net.features(X)
    total = net.group_norm()
    for j, w in enumerate(net.WL[:, 0]):
        if abs(w) <= 1e-3 * total:
            continue  # complementary slackness bounds 1 - |lam^T f_j| only by (gap)/|w_j|
        record.close(
            float(np.sign(w) * (lam @ F[:, j])),
            1.0,
            tol=ctol(D) * total / abs(w),
            instance=inst,
            routes=("branch outputs", "dual point (unit bound)"),
            decisive=True,
            what="optimal branches are maximizers: sign(w_j) lam^T f_j = 1",
        )
    gl = record.decide(lambda: wr.group_lasso(F, y), instance=inst, what="group lasso (26)")
    record.close(
        gl.value,
        r["certified"],
        tol=ctol(D),
        instance=inst,
        routes=("group lasso over the maximizers", "certified dual value"),
        what="group lasso over the maximizers attains the certified dual value",
    )
