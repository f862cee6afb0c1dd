"""The deep linear families of Wang, Ergen, Pilanci (2023, Section 3 and Appendix D) can fail.

Every claim's check, handed a deliberately false variant of the claim, must be refuted within the ci example
budget (no shrinking):

* a wrong closed form: every value x 0.9, or the exponent 2/L replaced by 1/L;
* an overstated P_lin(t) that its own (suboptimal) factors attain: the shape in which a wrong paper would pass a
  check that took the lower bound on P_lin(t) from the closed form; the gap claims now take it from the Hoelder
  inequality, so the mutant is refuted;
* strictness of the staircase asserted where it is false (rank-one targets).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from landscape.wang2023 import linear as wl
from strategies.wang2023.linear import wang_linear_instances
from tests.mutation.mutants import refuted_under_ci_budget
from theorems.wang2023.checks import linear as tw


class Scaled(wl.ClosedForms):
    """Every closed form 10 % too small."""

    def primal_t(self, sv, L, t):
        return 0.9 * super().primal_t(sv, L, t)

    def dual_t(self, sv, L, t):
        return 0.9 * super().dual_t(sv, L, t)

    def primal(self, sv, L):
        return 0.9 * super().primal(sv, L)

    def dual(self, sv, L):
        return 0.9 * super().dual(sv, L)

    def optimal_scale(self, sv, L):
        return 0.9 * super().optimal_scale(sv, L)

    def stair(self, sv, L, t, s):
        return 0.9 * super().stair(sv, L, t, s)

    def parallel(self, sv, L, beta=None):
        return 0.9 * super().parallel(sv, L, beta)

    def parallel_weight_decay(self, sv, L):
        return 0.9 * super().parallel_weight_decay(sv, L)


class OneOverL(wl.ClosedForms):
    """The exponent 2/L (2/(s+2) for the stairs) replaced by 1/L (1/(s+2)) wherever it occurs."""

    def primal_t(self, sv, L, t):
        return t ** (-(L - 2)) * wl.schatten(sv, 1.0 / L)

    def primal(self, sv, L):
        return L / 2.0 * float(np.sum(np.asarray(sv) ** (1.0 / L)))

    def dual(self, sv, L):
        return L / 2.0 * float(np.sum(sv)) ** (1.0 / L)

    def optimal_scale(self, sv, L):
        return wl.schatten(sv, 1.0 / L) ** (1.0 / L)

    def stair(self, sv, L, t, s):
        return t ** (-(L - 2)) * wl.schatten(sv, 1.0 / (s + 2))

    def parallel_weight_decay(self, sv, L):
        return L / 2.0 * float(np.sum(np.asarray(sv) ** (1.0 / L)))


MUTANTS = {"values x 0.9": Scaled(), "exponent 2/L -> 1/L": OneOverL()}


MUTANTS = {"values x 0.9": Scaled(), "exponent 2/L -> 1/L": OneOverL()}

FAMILIES = {
    "wang2023.prop2": (wang_linear_instances(depth=(2, 6), identity=True), tw.check_factorization_closed_form, {}),
    "wang2023.thm2": (wang_linear_instances(depth=(2, 6)), tw.check_primal_factors, {}),
    "wang2023.thm3": (wang_linear_instances(depth=(3, 6)), tw.check_subproblem_closed_forms, {"train": False}),
    "wang2023.prop1": (wang_linear_instances(depth=(3, 5)), tw.check_bidual_parallel, {"starts": 1}),
    "wang2023.prop3": (wang_linear_instances(depth=(3, 5)), tw.check_parallel_weight_decay, {"starts": 1}),
    "wang2023.prop8": (wang_linear_instances(depth=(3, 4)), tw.check_partly_parallel, {"starts": 1}),
    "wang2023.prop9": (wang_linear_instances(depth=(3, 6)), tw.check_staircase, {}),
    # the parallel families' value beta L ||X^+Y||_* has no 2/L exponent: only the scaled mutant applies
    "wang2023.prop4": (wang_linear_instances(depth=(3, 6)), tw.check_power_penalty, {}),
    "wang2023.thm4": (wang_linear_instances(depth=(3, 5)), tw.check_parallel_zero_gap, {"starts": 1}),
}
CASES = [
    pytest.param(claim, mutant, id=f"{claim}: {mutant}", marks=pytest.mark.mutation(claim, f"closed form: {mutant}"))
    for claim in FAMILIES
    for mutant in MUTANTS
    if not (claim in ("wang2023.prop4", "wang2023.thm4") and mutant.startswith("exponent"))
]


@pytest.mark.parametrize("claim, mutant", CASES)
def test_every_family_refutes_a_wrong_closed_form(claim, mutant):
    strategy, check, kwargs = FAMILIES[claim]
    message = refuted_under_ci_budget(strategy, check, closed=MUTANTS[mutant], **kwargs)
    assert message is not None, f"{claim}: a wrong closed form survived the ci budget (the family cannot fail)"
    assert "observed=" in message


# ------------------------------------------------------------------------------------------------------------
# an overstated P_lin(t) attained by its own suboptimal factors
# ------------------------------------------------------------------------------------------------------------
TILT = 2.0


def tilted_factors(W, L, s, t, widths, m, **kwargs):
    """Feasible but suboptimal factors: the optimal ones with the first hidden layer stretched by TILT along its
    first direction and shrunk back in the next layer (same product), then rescaled into the budgets by
    :func:`wl.budget_feasible`; for rank >= 2 they cost strictly more than P_lin(t)."""
    net = wl.stair_factors(W, L, s, t, widths, m, **kwargs)
    if not net.shared:
        return net
    D = np.ones(net.shared[0].shape[1])
    D[0] = TILT
    shared = list(net.shared)
    shared[0] = shared[0] * D
    if len(shared) > 1:
        shared[1] = shared[1] / D[:, None]
        return wl.budget_feasible(replace(net, shared=tuple(shared)), t)
    return wl.budget_feasible(replace(net, shared=tuple(shared), cols=net.cols / D[None, :]), t)


class Overstated(wl.ClosedForms):
    """A closed form for P_lin(t) that equals the cost of :func:`tilted_factors` (too large for rank >= 2)."""

    def primal_t(self, sv, L, t):
        sv = np.asarray(sv, dtype=float)
        net = tilted_factors(np.diag(sv), L, L - 2, t, [sv.size] * (L - 2), sv.size)
        return wl.budget_cost(net, t)


def _gap(inst, record):
    tw.certify_gap_or_none(inst, record, closed=Overstated(), factors=tilted_factors)


GAP_CLAIMS = [
    "wang2023.thm3.gap",
    "wang2023.thm3.unequal-implies-gap",
    "wang2023.thm3.no-gap-iff-rank-one",
    "wang2023.thm1",
    "wang2023.table1",
]


@pytest.mark.parametrize(
    "claim",
    [
        pytest.param(
            c,
            marks=pytest.mark.mutation(
                c, f"P_lin(t) overstated (first layer tilted by {TILT:g}) and attained by its own suboptimal factors"
            ),
        )
        for c in GAP_CLAIMS
    ],
)
def test_gap_certificate_is_not_fooled_by_an_overstated_primal_its_factors_attain(claim):
    """Each gap claim goes through :func:`tw.certify_gap_or_none`; with the lower bound taken from the closed form
    this mutant passed (the factors attained the overstated value); with the Hoelder bound it is refuted."""
    message = refuted_under_ci_budget(wang_linear_instances(structures=tw.UNEQUAL, depth=(3, 6)), _gap)
    assert message is not None and "Hoelder lower bound" in message


@pytest.mark.mutation("wang2023.thm3.unequal-implies-gap", "closed form (10) x 1.1 (factors unchanged)")
def test_the_gap_certificate_is_not_fooled_by_an_inflated_primal_closed_form():
    """A closed form that overstates P(t) must be caught by the explicit factors (which attain the true value)."""

    class Inflated(wl.ClosedForms):
        def primal_t(self, sv, L, t):
            return 1.1 * super().primal_t(sv, L, t)

    message = refuted_under_ci_budget(wang_linear_instances(depth=(3, 6)), tw.certify_gap_or_none, closed=Inflated())
    assert message is not None and "closed form (10)" in message


# ------------------------------------------------------------------------------------------------------------
# strictness where it is false
# ------------------------------------------------------------------------------------------------------------
def _strict_everywhere(inst, record):
    """Prop. 9's strictness asserted for every target, rank one included (false: rank-one stairs are flat)."""
    tw.check_staircase(replace(inst, structure="distinct"), record)


@pytest.mark.mutation("wang2023.prop9.strict-iff-rank-at-least-two", "strict stairs asserted for rank-one targets")
def test_strictness_at_rank_one_is_refuted():
    message = refuted_under_ci_budget(wang_linear_instances(structures=("rank-one",), depth=(3, 6)), _strict_everywhere)
    assert message is not None and "strictly decreasing" in message


# ------------------------------------------------------------------------------------------------------------
# failure cases: a doctored witness must not certify
# ------------------------------------------------------------------------------------------------------------
def _committed_witness() -> dict:
    from reports.registry import witness_path

    with np.load(witness_path("wang2023.thm3.equal-implies-no-gap"), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.parametrize(
    "doctor",
    [
        pytest.param(
            lambda a: a.update(Y=np.diag([2.0, 1.0])),
            id="unequal singular values",
            marks=pytest.mark.mutation("wang2023.thm3.equal-implies-no-gap", "targets Y = diag(2, 1)"),
        ),
        pytest.param(
            lambda a: a.update(W_3=2 * a["W_3"]),
            id="factors do not interpolate",
            marks=pytest.mark.mutation("wang2023.thm3.equal-implies-no-gap", "last factor x 2"),
        ),
        pytest.param(
            lambda a: a.update(W_1=2 * a["W_1"], W_3=a["W_3"] / 2),
            id="first layer over budget",
            marks=pytest.mark.mutation("wang2023.thm3.equal-implies-no-gap", "first layer x 2 (over budget)"),
        ),
        pytest.param(
            lambda a: a.update(Lam=2 * a["Lam"]),
            id="dual point infeasible",
            marks=pytest.mark.mutation("wang2023.thm3.equal-implies-no-gap", "dual point x 2 (infeasible)"),
        ),
        pytest.param(
            lambda a: a.update(L=np.array(2)),
            id="depth two",
            marks=pytest.mark.mutation("wang2023.thm3.equal-implies-no-gap", "depth 2 instead of 3"),
        ),
    ],
)
def test_the_witness_certificate_rejects_a_doctored_witness(doctor):
    arrays = _committed_witness()
    doctor(arrays)
    assert not tw.equal_values_witness_is_certified(tw.verify_equal_values_witness(arrays))


@pytest.mark.parametrize(
    "claim, stairs",
    [
        pytest.param(
            "wang2023.thm3.all-values-reading",
            False,
            id="thm3",
            marks=pytest.mark.mutation(
                "wang2023.thm3.all-values-reading", "rank-one target diag(1, 0) replaced by diag(1, 0.5)"
            ),
        ),
        pytest.param(
            "wang2023.prop9.all-values-reading",
            True,
            id="prop9",
            marks=pytest.mark.mutation(
                "wang2023.prop9.all-values-reading", "rank-one target diag(1, 0) replaced by diag(1, 0.5)"
            ),
        ),
    ],
)
def test_flatness_certificate_rejects_a_rank_two_target(claim, stairs):
    """The reading-B counterexample needs a rank-one target: with a second non-zero singular value the explicit
    primal point costs more than the dual point, and the certificate must say so."""
    from strategies.wang2023.linear import identity_instance

    for L in (3, 4, 5, 6):
        assert tw.flat_rank_one_is_certified(tw.verify_flat_rank_one(tw.rank_one_zero_value_instance(L)), stairs)
        doctored = identity_instance([1.0, 0.5], L=L, t=1.0, note="X = I_2, Y = diag(1, 0.5)")
        assert not tw.flat_rank_one_is_certified(tw.verify_flat_rank_one(doctored), stairs), claim
