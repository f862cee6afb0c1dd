"""Checks of the staircase bounds and of Theorem 1 of the deep linear family."""

from __future__ import annotations

from landscape.core import tolerances as tol
from landscape.wang2023 import linear as wl
from reports.families.wang2023 import STAIR_NOTE
from strategies.wang2023.linear import WangLinearInstance
from theorems.wang2023.checks.linear.common import UNEQUAL, C, eval_tol, note_gap, wstar
from theorems.wang2023.checks.linear.gaps import certify_gap_or_none
from theorems.wang2023.checks.linear.parallel import check_parallel_zero_gap


def stair_bounds(inst: WangLinearInstance, closed: wl.ClosedForms = C) -> tuple[list[float], list[float], list[float]]:
    """Per stair s: the closed form (78), the cost of an explicit partly parallel net (an upper bound on D[s](t)) and
    the Hoelder lower bound with s + 2 factors (:func:`wl.holder_lower_bound`; independent of the closed form)."""
    L, t, sv = inst.L, inst.t, inst.planted_sv
    closed_vals = [closed.stair(sv, L, t, s) for s in range(L - 1)]
    upper = [
        wl.budget_cost(
            wl.stair_factors(wstar(inst), L, s, t, inst.widths[:s], inst.widths[-1], branch_width=1, seed=inst.seed), t
        )
        for s in range(L - 1)
    ]
    lower = [wl.holder_lower_bound(inst.X, inst.Y, L, t, layers=s + 2) for s in range(L - 1)]
    return closed_vals, upper, lower


def check_staircase(inst: WangLinearInstance, record, closed: wl.ClosedForms = C) -> None:
    """(78) each stair pinned between an explicit net and the Hoelder bound, equal to the closed form; (79) the
    stairs ordered (strictly for unequal values) by the lower bound of the upper stair against the explicit point
    of the lower one, so no step compares the closed form with itself."""
    vals, upper, lower = stair_bounds(inst, closed)
    L = inst.L
    for s in range(L - 1):
        record.close(
            upper[s],
            lower[s],
            tol=eval_tol(inst, lower[s]),
            instance=inst,
            routes=("explicit partly parallel net", "Hoelder lower bound"),
            what="an explicit partly parallel net attains the Hoelder bound: D[s](t) is pinned",
        )
        record.close(
            vals[s],
            lower[s],
            tol=eval_tol(inst, lower[s]),
            instance=inst,
            routes=("closed form (78)", "Hoelder lower bound"),
            what="(78): D[s](t) = t^-(L-2) ||X^+Y||_{S_{2/(s+2)}}",
        )
        record.note(STAIR_NOTE, vals[s] / vals[0], instance=inst, extra={"L": L, "s": s, "rank": inst.rank})
    bid = record.decide(
        lambda: wl.bidual_t_by_cvxpy(inst.X, inst.Y, L, inst.t), instance=inst, what="bi-dual (Clarabel)"
    )
    record.close(
        vals[0],
        bid["certified_value"],
        tol=tol.conic_value(vals[0]),
        instance=inst,
        routes=("closed form (78)", "bi-dual certificate (Clarabel)"),
        what="bottom stair D[0](t) = D_lin(t) (bi-dual certificate)",
    )
    for s in range(L - 2):
        # as "upper end of stair s <= lower end of stair s+1": the ratio of the two is the staircase's tightness
        record.leq(
            upper[s],
            lower[s + 1],
            tol=eval_tol(inst, lower[s + 1]),
            instance=inst,
            decisive=inst.structure not in UNEQUAL,
            routes=("explicit net of stair s", "Hoelder lower bound on D[s+1]"),
            what="(79): D[s](t) <= D[s+1](t)",
        )
        if inst.structure in UNEQUAL:
            record.leq(
                upper[s] + wl.GAP_MARGIN * eval_tol(inst, lower[s + 1]),
                lower[s + 1],
                tol=0.0,
                instance=inst,
                decisive=True,
                routes=("explicit net of stair s", "Hoelder lower bound on D[s+1]"),
                what="(79): not all identical -> strictly decreasing stairs",
            )


THM1_SPREADS = (1.5, 2.5, 10.0, 100.0)
TABLE_SPREADS = (1.5, 4.0, 10.0, 30.0, 100.0)


def check_thm1(inst: WangLinearInstance, record, train: bool = True) -> None:
    """Theorem 1 on one instance: (i) the standard net has a certified gap from depth three on (none at depth two),
    (ii) the parallel net on the same data closes it (explicit point = dual certificate, training reaches it)."""
    L = inst.L
    cert = certify_gap_or_none(inst, record)
    P = cert["P_overall_lower"]  # the Hoelder bound after optimizing t, not the paper's closed form
    balanced = wl.standard_net(wl.balanced_factors(wstar(inst), L, inst.widths, seed=1))
    record.close(
        wl.weight_decay_cost(balanced),
        P,
        tol=eval_tol(inst, P),
        instance=inst,
        routes=("balanced factors", "Hoelder lower bound"),
        what="standard net: explicit factors attain P_lin",
    )
    if L == 2:
        record.close(
            P,
            cert["D_overall_upper"],
            tol=tol.conic_value(P),
            instance=inst,
            decisive=True,
            routes=("Hoelder lower bound", "bi-dual certificate"),
            what="L = 2: standard net has no gap (nuclear norm)",
        )
    else:
        record.leq(
            cert["D_overall_upper"] + wl.GAP_MARGIN * tol.conic_value(P),
            P,
            tol=0.0,
            instance=inst,
            routes=("bi-dual certificate", "Hoelder lower bound"),
            decisive=True,
            what="(i) standard net, L >= 3: D_lin + margin <= P_lin (certified gap)",
        )
    note_gap(record, inst, cert, inst.spread, 2)
    # (ii) the parallel net on the same data: explicit point = dual certificate, and training (14) reaches it;
    # rank(X^+Y) = N here, so the training runs on the data themselves (no reduction to span(X^+Y))
    check_parallel_zero_gap(inst, record, starts=2, m=inst.N, reduce=False, train=train)
