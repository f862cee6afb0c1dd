"""Power of the critical-point search behind liang2018.thm1, thm2 and prop1: the same search, on instances with one
assumption dropped, finds certified bad local minima, and the claim's own check then fails.

Each test runs the search (``landscape.liang2018.critical.critical_census``) on every example of the ci budget of
the mutated strategy, reports the rate at which it certifies a bad local minimum (``record_property``: examples,
examples with a certified bad minimum, rate), and feeds the first such instance to the claim's check, which must
refute it.

Not refuted, and therefore not here: Theorem 1 with its width requirement lowered (M = 1 or 2 softplus neurons on
subspace data, or M halved).  With a certifier that withholds its verdict in saturated regions, neither the
descent search nor the critical-point search certifies a bad minimum there: every misclassifying point they reach
is a certified saddle or a saturated point drifting to infinity (the theorem may hold at smaller widths on these
data; the suite cannot tell the published width from a smaller one).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from landscape.liang2018 import critical as lcr
from reports.records import Recorder
from strategies.liang2018.mutants import half_space_relu_problems, radial_square_problems, separable_square_problems
from tests.mutation.mutants import CI
from theorems.liang2018.checks import check_zero_error_at_minima

# examples per rate: 12 keeps the three searches near 20 s together on 2 cores; a rate over 12 draws still tells
# "almost always" from "never"
RATE_EXAMPLES = 12


def census_rate(strategy, unpack=lambda x: (x, ())):
    """Run the critical-point search on every example of ``strategy`` under the ci budget (no shrinking): the
    number of examples, how many had a certified local minimum that misclassifies, and the first such example."""
    seen, hits = [], []

    @settings(
        CI, phases=[Phase.explicit, Phase.generate], max_examples=RATE_EXAMPLES, suppress_health_check=list(HealthCheck)
    )
    @given(x=strategy)
    def probe(x):
        inst, extra = unpack(x)
        census = lcr.critical_census(
            inst.problem, inst.seed, separator=inst.separator, extra_starts=[("construction", t) for t in extra]
        )
        seen.append(inst)
        if any(e.kind == "local-min" and e.errors > 0 for e in census.entries):
            hits.append(x)

    probe()
    return len(seen), hits


def refutes(check, example) -> str | None:
    try:
        check(example, Recorder("mutant"))
    except AssertionError as exc:
        return str(exc)
    return None


@pytest.mark.mutation("liang2018.thm1", "ReLU neurons (outside Assumption 5) at Theorem 1's width")
def test_relu_neurons_on_subspace_data(record_property):
    tried, hits = census_rate(half_space_relu_problems(), unpack=lambda pair: (pair[0], (pair[1],)))
    record_property("rate", f"{len(hits)}/{tried}")
    print(f"certified bad minima in {len(hits)} of {tried} examples")
    assert hits, f"no certified bad minimum in {tried} examples"
    message = refutes(
        lambda pair, rec: check_zero_error_at_minima(pair[0], rec, starts=1, critical_starts=[("prop2 dead", pair[1])]),
        hits[0],
    )
    assert message is not None and "misclassified samples at a" in message


@pytest.mark.mutation("liang2018.thm2", "quadratic neurons (sigma' > 0 fails) on separable data")
def test_quadratic_neurons_on_separable_data(record_property):
    tried, hits = census_rate(separable_square_problems())
    record_property("rate", f"{len(hits)}/{tried}")
    print(f"certified bad minima in {len(hits)} of {tried} examples")
    assert hits, f"no certified bad minimum in {tried} examples"
    message = refutes(check_zero_error_at_minima, hits[0])
    assert message is not None and "misclassified samples at a" in message


@pytest.mark.mutation("liang2018.prop1", "data not in class subspaces (radial data), M = d + 1 quadratic neurons")
def test_quadratic_neurons_on_radial_data(record_property):
    tried, hits = census_rate(radial_square_problems())
    record_property("rate", f"{len(hits)}/{tried}")
    print(f"certified bad minima in {len(hits)} of {tried} examples")
    assert hits, f"no certified bad minimum in {tried} examples"
    message = refutes(check_zero_error_at_minima, hits[0])
    assert message is not None and "misclassified samples at a" in message


@pytest.mark.mutation("liang2018.thm2.cert", "first-order bound doubled (factor 2)")
def test_thm2_certificate_doubled_is_refuted():
    from strategies.liang2018.data import separable_problems
    from tests.mutation.mutants import refuted_under_ci_budget
    from theorems.liang2018.checks import check_thm2_certificate

    message = refuted_under_ci_budget(separable_problems(), check_thm2_certificate, scale=1.0, factor=2.0)
    assert message is not None and "n ||grad_w_j L||" in message


@pytest.mark.mutation("liang2018.lem.subspace", "lower bound sum lambda_i D doubled (factor 2)")
def test_subspace_lemma_doubled_is_refuted():
    from strategies.liang2018.data import subspace_problems
    from tests.mutation.mutants import refuted_under_ci_budget
    from theorems.liang2018.checks import check_subspace_lemma

    message = refuted_under_ci_budget(subspace_problems(), check_subspace_lemma, t=0.5, factor=2.0)
    assert message is not None and "g_lambda(s t e)" in message


@pytest.mark.mutation("liang2018.table1", "softplus catalogued in the ReLU class as well")
def test_table1_wrong_class_is_refuted():
    from dataclasses import replace

    from landscape.liang2018 import models as lg
    from theorems.liang2018.checks import class_membership

    act = replace(lg.activation("softplus"), classes=frozenset({"softplus", "relu"}))
    found = class_membership(act)
    assert any(found[c] != (c in act.classes) for c in lg.CLASSES)


@pytest.mark.mutation("liang2018.lem.spare", "output weight moved against g_lambda")
def test_spare_move_with_the_wrong_sign_is_refuted():
    from strategies.liang2018.data import subspace_problems
    from tests.mutation.mutants import refuted_under_ci_budget
    from theorems.liang2018.checks import check_spare_neuron_move

    message = refuted_under_ci_budget(subspace_problems(), check_spare_neuron_move, sign=-1.0)
    assert message is not None and "descent move" in message
