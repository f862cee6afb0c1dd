"""Zhang, Shao, Salakhutdinov (AISTATS 2019), Section 5.1, Figure 1 and Table 1, in miniature (experiment,
reported, no hard assertion): (a) the exact duality gap of i.i.d. multi-branch families for I = 1, 2, 4, ..., 64
with I (P - D) against Delta_worst; (b) the fraction of training runs that reach the global minimum against the
student's width, with Wilson intervals."""

from __future__ import annotations

import pytest

from landscape.zhang2019 import experiments as ex

BRANCHES = (1, 2, 4, 8, 16, 32, 64)
WIDTHS = (2, 3, 6, 12)


@pytest.mark.claim(
    "zhang2019.exp-fig1",
    covers="fixed experiment: i.i.d. ReLU-unit grid branch families, I = 1, 2, 4, ..., 64, seeds 0-2, G 9, n 8, K 0.3",
)
def test_gap_of_iid_branch_families_against_I(record):
    for pt in ex.gap_vs_branches(BRANCHES, seeds=(0, 1, 2)):
        inst = f"i.i.d. ReLU-unit grid branches, I={pt.I}, seed={pt.seed}, G=9, n=8, K=0.3"
        if not pt.ok:
            record.note("route failed", pt.status, instance=inst)
            continue
        record.note(
            "exp-fig1(a): I (P - D)",
            pt.scaled_gap,
            instance=inst,
            extra={"I": pt.I, "seed": pt.seed, "P": pt.P, "D": pt.D, "gap": pt.gap, "delta_worst": pt.delta_worst},
        )


@pytest.mark.claim(
    "zhang2019.exp-fig1",
    covers="fixed experiment: teacher d 5 with 3 units, n 50; student widths 2, 3, 6, 12, 20 training runs each",
)
def test_hit_rate_against_width(record):
    rates = ex.hit_rate(WIDTHS, seeds=20)
    for r in rates:
        record.note(
            "exp-fig1(b): hit rate",
            r.rate,
            instance=f"teacher d=5, 3 units, n=50; student width {r.width}",
            extra={
                "width": r.width,
                "hits": r.hits,
                "runs": r.runs,
                "wilson_low": r.low,
                "wilson_high": r.high,
                "best_loss": min(r.final_losses),
            },
        )
    # the paper's trend: the hit rate does not fall as the width grows (within the Wilson intervals), and the
    # widest student hits more often than the narrowest
    monotone = all(b.high >= a.low for a, b in zip(rates, rates[1:]))
    record.note(
        "exp-fig1(b): trend reproduced",
        bool(monotone and rates[-1].low > rates[0].high),
        instance="hit rate vs width",
        extra={"widths": list(WIDTHS)},
    )
