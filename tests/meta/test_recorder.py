"""The recorder on its own: decisions, messages, inconclusive handling, witnesses."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from landscape.core.results import RouteResult
from reports.records import Inconclusive, ListSink, Recorder


def test_a_violation_raises_a_readable_message_and_is_recorded():
    rec = Recorder("zhang2019.thm2", "t::x", replay="pytest t::x")
    rec.leq(1.0, 2.0, tol=0.0, instance="first")
    with pytest.raises(AssertionError, match=r"\[zhang2019\.thm2\] gap: observed=3.*requires <= 2.*replay: pytest"):
        rec.leq(3.0, 2.0, tol=0.5, instance="second", what="gap")
    records = rec.sink.records()
    assert [r["status"] for r in records] == ["pass", "fail"]
    assert records[1]["margin"] == pytest.approx(-0.5)
    assert records[1]["normalized_margin"] == pytest.approx(-1.0)  # margin in tolerance units
    assert rec.examples == {0: "pass", 1: "fail"}


def test_equality_margin_is_in_units_of_the_tolerance():
    rec = Recorder("c")
    m = rec.close(1.0, 1.0 + 2e-7, tol=1e-6, instance="i")
    assert m == pytest.approx(8e-7)
    assert rec.sink.records()[0]["normalized_margin"] == pytest.approx(0.8)


def test_non_finite_values_and_solver_failures_are_inconclusive_not_passes():
    rec = Recorder("c")
    with pytest.raises(Inconclusive):
        rec.leq(float("nan"), 1.0, tol=0.1, instance="a")
    with pytest.raises(Inconclusive, match="optimal_inaccurate"):
        rec.require(RouteResult(1.0, "optimal_inaccurate", False), instance="b")

    def exploding_solver():
        raise RuntimeError("KKT system is singular")

    with pytest.raises(Inconclusive, match="RuntimeError: KKT"):
        rec.decide(exploding_solver, instance="c", what="dual")
    assert rec.conclusive == 0 and rec.inconclusive_count == 3


def test_inside_hypothesis_an_inconclusive_example_is_rejected_and_counted():
    rec = Recorder("c")

    @settings(max_examples=30, database=None)
    @given(x=st.integers(0, 1000))
    def probe(x):
        if x % 3 == 0:
            rec.inconclusive("solver status: optimal_inaccurate", instance=f"x={x}")
        rec.leq(x, 1000, tol=0.0, instance=f"x={x}")

    probe()
    assert rec.inconclusive_count > 0 and rec.conclusive >= 10
    reasons = {r["reason"] for r in rec.sink.records() if r["status"] == "inconclusive"}
    assert reasons == {"solver status: optimal_inaccurate"}


def test_witness_is_saved_without_pickle_and_reloads(tmp_path):
    rec = Recorder("liang2018.prop2", witness_dir=tmp_path)
    arrays = {"X": np.eye(2), "y": np.array([1, -1]), "value": np.array(0.25)}
    path = rec.witness("small", arrays, certified=True, checks={"error": 0.5}, instance="n=2")
    with np.load(path, allow_pickle=False) as data:
        assert set(data.files) == set(arrays)
        np.testing.assert_array_equal(data["X"], np.eye(2))
    with pytest.raises(ValueError, match="dtype object"):
        rec.witness("bad", {"o": np.array([{}], dtype=object)}, certified=True, checks={})
    with pytest.raises(AssertionError, match="not certified"):
        rec.witness("weak", arrays, certified=False, checks={"hessian_min": -1e-3})


def test_records_are_json_lines():
    sink = ListSink()
    rec = Recorder("c", sink=sink)
    rec.note("reached", True, instance="i")
    rec.geq(2.0, 1.0, tol=1e-9, instance="i")
    for line in sink.lines:
        json.loads(line)


def test_one_hypothesis_test_case_is_one_example_however_many_objects_it_records_on():
    """Five test cases whose decisive part is inconclusive stay five inconclusive examples, not 5 + 5."""
    rec = Recorder("c")

    @settings(max_examples=5, database=None, derandomize=True)
    @given(x=st.integers(0, 10))
    def probe(x):
        rec.leq(1.0, 2.0, tol=0.0, instance=f"data x={x}")  # a check on a first object
        rec.inconclusive("solver status: optimal_inaccurate", instance=f"solution x={x}")  # the decisive part

    with pytest.raises(Unsatisfiable):  # every test case was rejected as inconclusive
        probe()
    assert rec.conclusive == 0
    assert rec.inconclusive_count == len(rec.examples) >= 5


def test_a_self_comparison_is_refused():
    rec = Recorder("c")
    with pytest.raises(ValueError, match="same route"):
        rec.close(1.0, 1.0, tol=1e-9, instance="i", routes=("closed form", "Closed form "))
    with pytest.raises(ValueError, match="exactly two"):
        rec.leq(1.0, 2.0, tol=0.0, instance="i", routes=("closed form",))
    rec.close(1.0, 1.0, tol=1e-9, instance="i", routes=("closed form", "Clarabel dual"))
    assert rec.sink.records()[-1]["routes"] == ["closed form", "Clarabel dual"]


def test_sanity_checks_never_make_an_example_conclusive_but_can_fail_it():
    rec = Recorder("c")
    rec.leq(1.0, 2.0, tol=0.0, instance="a", evidence=False)
    rec.note("value", 3.0, instance="a")
    assert rec.examples == {0: "unchecked"} and rec.conclusive == 0
    with pytest.raises(AssertionError):
        rec.holds(False, instance="b", what="sanity: loss is non-negative", evidence=False)
    assert rec.examples[1] == "fail"


def test_holds_records_a_boolean_fact_and_refuses_non_booleans():
    rec = Recorder("c")
    assert rec.holds(3 == 3, instance="i", what="exact count")
    with pytest.raises(AssertionError, match="exact count: does not hold"):
        rec.holds(2 == 3, instance="j", what="exact count")
    with pytest.raises(ValueError, match="takes a bool"):
        rec.holds(1.0, instance="k")  # type: ignore[arg-type]
    assert [r["relation"] for r in rec.sink.records()] == ["holds", "holds"]


def test_allclose_reports_the_worst_entry_and_its_index():
    rec = Recorder("c")
    A = np.zeros((3, 4))
    B = A.copy()
    B[2, 1] = 1e-3
    B[0, 0] = 1e-9
    with pytest.raises(AssertionError, match=r"at index \[2, 1\]"):
        rec.allclose(A, B, rtol=1e-6, atol=1e-8, instance="i", routes=("SVD", "lstsq"))
    record = rec.sink.records()[-1]
    assert record["extra"]["index"] == [2, 1] and record["observed"] == pytest.approx(1e-3)
    assert rec.allclose(A, A + 1e-12, rtol=0.0, atol=1e-10, instance="j") > 0
    with pytest.raises(ValueError, match="shapes differ"):
        rec.allclose(A, A[:2], rtol=0.0, atol=1.0, instance="k")


def test_only_decisive_checks_are_flagged_for_power():
    rec = Recorder("c")
    rec.leq(1.0, 4.0, tol=0.0, instance="i", decisive=True, routes=("gap", "bound"))
    rec.leq(3.9, 4.0, tol=0.0, instance="i")
    flags = [(r.get("decisive", False), r.get("evidence", True)) for r in rec.sink.records()]
    assert flags == [(True, True), (False, True)]


def test_compact_records_give_the_same_summary_as_full_ones():
    """Long runs write only the passing checks that matter (first, new worst, new tightest); the summary built
    from them must count, rank and measure exactly as one built from every record."""
    from reports.summary import build_summary

    def run(compact):
        sink = ListSink()
        rng = np.random.default_rng(7)
        nodeid = "theorems/x.py::test_x"
        sink.event(type="collected", claim="zhang2019.thm1", test=nodeid)
        rec = Recorder("zhang2019.thm1", nodeid, sink, compact=compact)

        @settings(max_examples=60, database=None, derandomize=True)
        @given(seed=st.integers(0, 10**6))
        def probe(seed):
            r = np.random.default_rng(seed)
            gap, bound = float(r.uniform(0, 1)), 1.0
            rec.leq(
                gap,
                bound,
                tol=1e-9,
                instance=f"I={seed % 7 + 1} seed={seed % 13}",
                decisive=True,
                routes=("exact MILP", "2/I Delta"),
            )
            rec.close(
                gap,
                gap + float(r.uniform(0, 1e-10)),
                tol=1e-9,
                what="LP value",
                decisive=True,
                instance="other object",
                routes=("HiGHS", "Clarabel"),
            )
            rec.holds(True, what="sanity", evidence=False)
            if seed % 5 == 0:
                rec.inconclusive("solver status: optimal_inaccurate")

        try:
            probe()
        except Exception:  # noqa: BLE001 - an unsatisfiable probe still leaves its records
            pass
        rec.finish()
        del rng
        return build_summary(sink.records())["claims"]["zhang2019.thm1"], len(sink.lines)

    full, n_full = run(False)
    compact, n_compact = run(True)
    assert n_compact < n_full / 2
    for field in ("examples", "distinct_instances", "worst", "inconclusive_reasons"):
        assert compact[field] == full[field], field
    assert {k: v["count"] for k, v in compact["checks"].items()} == {k: v["count"] for k, v in full["checks"].items()}
    for field in ("tightness", "detectable_perturbation", "decisive_checks", "routes", "sanity_checks"):
        assert compact["power"][field] == full["power"][field], field


def test_a_failing_instance_is_saved_without_pickles(tmp_path):
    from dataclasses import dataclass

    @dataclass
    class Inst:
        X: np.ndarray
        gamma: float
        label: str

        def summary(self) -> str:
            return f"gamma={self.gamma}"

    rec = Recorder("zhang2019.thm2", witness_dir=tmp_path)
    with pytest.raises(AssertionError, match="instance saved to"):
        rec.leq(2.0, 1.0, tol=0.0, instance=Inst(np.eye(2), 0.5, "x"))
    with np.load(tmp_path / "zhang2019.thm2__failure.npz", allow_pickle=False) as data:
        assert set(data.files) == {"X", "gamma"}
        np.testing.assert_array_equal(data["X"], np.eye(2))
