"""Propositions 1 and 2 of Kawaguchi et al. (2019)."""

from __future__ import annotations

import numpy as np

from landscape.kawaguchi2019 import bounds as kb
from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019 import tolerances as ktol
from landscape.kawaguchi2019.networks import forward, require_class
from landscape.kawaguchi2019.points import certify_point
from theorems.kawaguchi2019.checks.tangent_checks import require_resolvable, require_resolved_gram_schmidt, tangent


# -- Proposition 1 (one hidden layer, scalar output) ------------------------------------------------------------
def check_prop1(inst, record, tighten: float = 1.0, drop_pattern: bool = False) -> None:
    """Prop. 1's Gram-Schmidt form and Lemma 5's form of L at certified differentiable local minima, each within
    its derived slack (|g|^2 / (2 s_min+^2), resp. |D~^T r|^2 / (2 s_min+(D~)^2)); J_D~ <= J <= L everywhere.
    ``tighten`` < 1 scales the slack down, ``drop_pattern`` replaces the pattern by ones (mutations)."""
    net = inst.net
    require_class(net, "Proposition 1")
    if net.depth != 1 or net.d_y != 1:
        raise ValueError(f"net: Proposition 1 is about one hidden layer and d_y = 1, got {net.summary()}")
    t = tangent(inst)
    require_resolvable(t, record, inst)
    pc = certify_point(net, inst.X, inst.Y, inst.theta)
    if t.rank == 0 or t.gap < ktol.GAP_RATIO:
        record.inconclusive(f"no clear spectral gap (ratio {t.gap:.2e})", instance=inst)
    blocks = [B for _, B in kt.unit_blocks(net, inst.theta, inst.X)]
    gs = kt.gram_schmidt(blocks, t.y, t.cutoff)
    J_p1 = gs.J
    kappa = t.s_max / t.s[t.rank - 1]
    rnd = ktol.identity_E(float(t.y @ t.y), float(t.r @ t.r), kappa, t.size)
    require_resolved_gram_schmidt(gs, t, rnd, record, inst)
    slack = float(np.linalg.norm(t.g)) ** 2 / (2 * t.s[t.rank - 1] ** 2)
    fw = forward(net, inst.theta, inst.X)
    Dt = kb.lemma5_matrix(np.ones_like(fw.Lam[0]) if drop_pattern else fw.Lam[0], inst.X)
    U, s, _ = kt.svd(Dt)
    cut = kt.default_cutoff(Dt, s[0] if s.size else 0.0)
    k, gap = ktol.gap_rank(s, cut)
    J_d = kt.J_svd(Dt, t.y, cut, usv=(U, s, None))
    if not drop_pattern:
        record.leq(
            J_d,
            J_p1,
            tol=rnd,
            instance=inst,
            what="J_D~ <= J (col(Jac) inside col(D~))",
            routes=("Lemma 5 projection on D~", "Prop. 1 Gram-Schmidt sum"),
        )
    record.leq(
        J_p1, t.L, tol=rnd, instance=inst, what="J <= L", routes=("Prop. 1 Gram-Schmidt sum", "forward-pass loss")
    )
    if not pc.local_min:
        record.inconclusive(f"not a certified differentiable local minimum: {pc.summary()}", instance=inst)
    record.close(
        t.L,
        J_p1,
        tol=tighten * slack + rnd,
        instance=inst,
        what="Prop. 1: L = 1/2|Y|^2 - sum of per-unit Gram-Schmidt terms",
        routes=("forward-pass loss", "Prop. 1 Gram-Schmidt sum"),
        decisive=True,
    )
    if k == 0 or gap < ktol.GAP_RATIO:
        record.inconclusive(f"no clear spectral gap of D~ (ratio {gap:.2e})", instance=inst)
    dslack = float(np.linalg.norm(Dt.T @ t.r)) ** 2 / (2 * s[k - 1] ** 2)
    drnd = ktol.identity_E(float(t.y @ t.y), float(t.r @ t.r), s[0] / s[k - 1], sum(Dt.shape))
    record.close(
        t.L,
        J_d,
        tol=tighten * dslack + drnd,
        instance=inst,
        what="Lemma 5: L = 1/2 |(I - P[D~]) Y|^2",
        routes=("forward-pass loss", "Lemma 5 projection on D~"),
        decisive=True,
    )


# -- Proposition 2 ----------------------------------------------------------------------------------------------
def prop2_losses(inst, drop_factor: bool = False) -> dict:
    """Monte Carlo over independent Gaussian (X, Y) with the pattern fixed: the Lemma-5 loss of each draw, the
    stated bound, the stated failure probability, and the counts."""
    from scipy import stats

    Lam, d_x = inst.Lam, inst.d_x
    m, d = Lam.shape
    rng = np.random.default_rng(inst.seed + 1)
    k_dim = d_x * d
    if inst.part == "i":
        delta = kb.smin_relu_single_unit(Lam[:, 0])
        ok = kb.prop2_i_conditions(m, d_x, d, delta)
        p_fail = kb.prop2_i_failure_probability(m, d_x, d, delta, inst.t)
    else:
        delta = kb.smin_over_row_subsets(Lam, range(1, m + 1))
        ok = kb.prop2_ii_conditions(m, d_x, d, delta)
        p_fail = kb.prop2_ii_failure_probability(d_x)
    viol, ratios, ranks = 0, [], []
    for _ in range(inst.draws):
        X = rng.standard_normal((m, d_x))
        y = rng.standard_normal(m)
        Dt = kb.lemma5_matrix(Lam, X)
        U, s, _ = kt.svd(Dt)
        k = int(np.sum(s > kt.default_cutoff(Dt, s[0])))
        res = y - U[:, :k] @ (U[:, :k].T @ y)
        L = 0.5 * float(res @ res)
        Y2 = float(y @ y)
        if inst.part == "i":
            bound = kb.prop2_i_bound(m, d_x, d, inst.t, Y2)
            if drop_factor:
                bound = (m - k_dim) / (2.0 * m) * Y2
            viol += L > bound + ktol.roundoff(Y2, m)
        else:
            viol += L > ktol.roundoff(Y2, m * k_dim) * (1.0 if not drop_factor else -1.0)
        ratios.append(2 * L / Y2)
        ranks.append(k)
    n = inst.draws
    ci = stats.binomtest(viol, n).proportion_ci(confidence_level=1 - 2 * ktol.ALPHA, method="exact")
    out = {
        "conditions": bool(ok),
        "delta": delta,
        "p_fail_stated": p_fail,
        "violations": viol,
        "draws": n,
        "cp_lower": float(ci.low),
        "cp_upper": float(ci.high),
        "mean_ratio": float(np.mean(ratios)),
        "rank_min": int(min(ranks)),
        "rank_max": int(max(ranks)),
    }
    if inst.part == "i" and min(ranks) == max(ranks):
        kk = ranks[0]
        out["ks_pvalue_beta"] = float(stats.kstest(ratios, stats.beta((m - kk) / 2, kk / 2).cdf).pvalue)
        out["stated_over_trivial"] = float((1 + 6 * np.sqrt(inst.t / m)) * (m - k_dim) / m)
        out["t_needed_to_beat_trivial"] = float(m * k_dim**2 / (36.0 * (m - k_dim) ** 2))
    # draws needed before the test can fail at all: all of n violating gives cp_lower = ALPHA^(1/n)
    out["draws_needed_to_fail"] = (
        int(np.ceil(np.log(ktol.ALPHA) / np.log(max(p_fail, 1e-300))))
        if 0 < p_fail < 1
        else (1 if p_fail <= 0 else 10**9)
    )
    return out


def check_prop2(inst, record, drop_factor: bool = False) -> None:
    """The probability that the stated bound fails, estimated over ``inst.draws`` data sets, must not exceed the
    stated failure probability: the claim is refuted when the Clopper-Pearson lower end (one-sided level
    1 - ALPHA) is above it.  With ``draws`` data sets the test can fail only if ``draws >= draws_needed_to_fail``
    (all draws violating); the draw count used (40) exceeds it for every stated probability below 0.84."""
    out = prop2_losses(inst, drop_factor)
    if not out["conditions"]:
        record.inconclusive(
            f"the pattern does not meet the proposition's conditions (delta={out['delta']:.3g})", instance=inst
        )
    record.holds(
        inst.draws >= out["draws_needed_to_fail"],
        instance=inst,
        what="enough draws for the test to be able to fail",
        evidence=False,
    )
    record.leq(
        out["cp_lower"],
        out["p_fail_stated"],
        tol=0.0,
        instance=inst,
        what="P(bound fails): Clopper-Pearson lower end <= stated failure probability",
        routes=("Monte Carlo frequency (Clopper-Pearson)", "stated failure probability"),
        decisive=True,
        extra={k: v for k, v in out.items() if isinstance(v, (int, float))},
    )
    record.note(
        "violation frequency",
        out["violations"] / out["draws"],
        instance=inst,
        extra={"part": inst.part, "p_fail_stated": out["p_fail_stated"]},
    )
    if "stated_over_trivial" in out:
        record.note(
            "stated bound / trivial bound 1/2||Y||^2",
            out["stated_over_trivial"],
            instance=inst,
            extra={
                "t": inst.t,
                "t_needed_to_beat_trivial": out["t_needed_to_beat_trivial"],
                "p_fail_stated": out["p_fail_stated"],
            },
        )
        record.note("KS p-value of 2L/||Y||^2 against Beta((m-k)/2, k/2)", out["ks_pvalue_beta"], instance=inst)
    else:
        record.note(
            "rank of D~ (part ii; m = 10 means L = 0 with probability one)",
            out["rank_min"],
            instance=inst,
            extra={"p_success_stated": 1 - out["p_fail_stated"]},
        )
