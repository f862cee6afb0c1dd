"""The pytest plugin, run on small throw-away suites in a subprocess (so that their Hypothesis profiles and
report folders stay apart from this run's)."""

import json
from pathlib import Path

import jsonschema
import pytest

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "reports" / "schema.json").read_text())

HEADER = """
import pytest
from hypothesis import given, settings, strategies as st
"""


def run(pytester, *args, out="out"):
    result = pytester.runpytest_subprocess(
        "-p", "reports.plugin", "--report-dir", str(pytester.path / out), "--no-plots", *args
    )
    summary_path = pytester.path / out / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
    return result, summary


def test_unknown_claim_id_is_a_collection_error_naming_close_matches(pytester):
    pytester.makepyfile(
        test_typo=HEADER
        + """
@pytest.mark.claim("zhang2019.thm3")
def test_x(record):
    record.leq(0, 1, tol=0, instance="i")
"""
    )
    result, _ = run(pytester)
    result.stdout.fnmatch_lines(
        ["*ERROR collecting*", "*unknown claim id 'zhang2019.thm3'*did you mean*zhang2019.thm2*"]
    )
    assert result.ret != 0


def test_a_test_that_uses_the_recorder_must_declare_its_claim(pytester):
    pytester.makepyfile(
        test_noclaim=HEADER
        + """
def test_x(record):
    record.leq(0, 1, tol=0, instance="i")
"""
    )
    result, _ = run(pytester)
    result.stdout.fnmatch_lines(["*declares no claim*"])
    assert result.ret != 0


def test_a_mostly_inconclusive_claim_fails_loudly_and_is_not_verified(pytester):
    pytester.makepyfile(
        test_inc=HEADER
        + """
@pytest.mark.claim("zhang2019.thm1")
@settings(max_examples=20, database=None, derandomize=True)
@given(x=st.integers(0, 10**6))
def test_mostly_undecidable(x, record):
    if x % 5 in (1, 2, 3):
        record.inconclusive("solver status: optimal_inaccurate", instance=f"x={x}")
    record.leq(x, 10**6, tol=0.0, instance=f"x={x}")
"""
    )
    result, summary = run(pytester)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*zhang2019.thm1*conclusive*inconclusive*NOT verified*"])
    entry = summary["claims"]["zhang2019.thm1"]
    assert entry["verdict"] == "inconclusive"
    assert entry["examples"]["inconclusive"] > entry["examples"]["conclusive"]
    assert entry["inconclusive_reasons"] == {"solver status: optimal_inaccurate": entry["examples"]["inconclusive"]}
    jsonschema.validate(summary, SCHEMA)


def test_violation_fails_the_test_and_the_claim(pytester):
    pytester.makepyfile(
        test_bad=HEADER
        + """
@pytest.mark.claim("zhang2019.eq6")
@settings(max_examples=30, database=None, derandomize=True)
@given(x=st.floats(0, 1))
def test_wrong_bound(x, record):
    record.leq(x, 0.9, tol=1e-9, instance=f"x={x}")
"""
    )
    result, summary = run(pytester)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*[[]zhang2019.eq6[]]*observed=*requires <= 0.9*replay: pytest*"])
    entry = summary["claims"]["zhang2019.eq6"]
    assert entry["verdict"] == "violated" and entry["regression"]
    assert entry["worst"]["normalized_margin"] < 0


def test_the_report_survives_an_aborted_run_and_names_the_missing_claims(pytester):
    pytester.makepyfile(
        test_abort=HEADER
        + """
@pytest.mark.claim("zhang2019.eq6")
def test_a(record):
    record.leq(0.0, 1.0, tol=0.0, instance="i")

@pytest.mark.claim("zhang2019.thm2")
def test_b(record):
    raise KeyboardInterrupt

@pytest.mark.claim("zhang2019.rem3")
def test_c(record):
    record.leq(0.0, 1.0, tol=0.0, instance="i")
"""
    )
    result, summary = run(pytester, "-p", "no:randomly")
    assert summary is not None, result.stdout.str()
    jsonschema.validate(summary, SCHEMA)
    assert summary["run"]["interrupted"] is True
    assert "zhang2019.rem3" in summary["missing"] and "zhang2019.thm2" in summary["missing"]
    assert summary["claims"]["zhang2019.eq6"]["examples"]["passed"] == 1
    assert (pytester.path / "out" / "report.md").read_text().count("Missing") == 1


def test_records_of_a_killed_run_rebuild_the_summary(pytester, tmp_path):
    from reports.__main__ import main

    pytester.makepyfile(
        test_ok=HEADER
        + """
@pytest.mark.claim("zhang2019.eq6")
def test_a(record):
    record.leq(0.0, 1.0, tol=0.0, instance="i")
"""
    )
    run(pytester)
    records = pytester.path / "out" / "records"
    (records / "main.jsonl").write_text(
        "\n".join(line for line in (records / "main.jsonl").read_text().splitlines() if '"type": "session"' not in line)
        + '\n{"type": "check", "claim": "zhang2019.eq6", "te'
    )  # torn last line, no session end
    assert main(["--records", str(records), "--out", str(tmp_path), "--no-plots"]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["run"]["interrupted"] is True
    assert summary["claims"]["zhang2019.eq6"]["verdict"] == "verified"


SUITE = (
    HEADER
    + """
@pytest.mark.claim("zhang2019.eq6")
@given(x=st.floats(0, 1))
def test_one(x, record):
    record.leq(x * x, x, tol=1e-12, instance=f"x={x!r}")

@pytest.mark.claim("zhang2019.rem3")
@given(x=st.integers(0, 1000))
def test_two(x, record):
    if x % 7 == 0:
        record.inconclusive("odd", instance=f"x={x}")
    record.close(x, x, tol=0.0, instance=f"x={x}")

@pytest.mark.claim("zhang2019.thm2")
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
def test_three(k, record):
    record.geq(k, 0, tol=0.0, instance=f"k={k}")
"""
)


def test_parallel_run_gives_the_same_report_as_a_serial_one(pytester):
    pytester.makepyfile(test_suite=SUITE)
    r1, serial = run(pytester, "--hypothesis-profile=ci", out="serial")
    r2, parallel = run(pytester, "--hypothesis-profile=ci", "-n", "2", out="parallel")
    assert r1.ret == 0 and r2.ret == 0, r2.stdout.str()
    for summary in (serial, parallel):
        jsonschema.validate(summary, SCHEMA)
    for cid in ("zhang2019.eq6", "zhang2019.rem3", "zhang2019.thm2"):
        s, p = serial["claims"][cid], parallel["claims"][cid]
        assert s["verdict"] == p["verdict"] == "verified"
        assert s["examples"] == p["examples"]
        assert s["worst"]["normalized_margin"] == pytest.approx(p["worst"]["normalized_margin"])
        assert sorted(t["nodeid"] for t in s["tests"]) == sorted(t["nodeid"] for t in p["tests"])
    assert serial["totals"] == parallel["totals"]
    r2.stdout.fnmatch_lines(["*claim verdicts*", "*zhang2019.eq6*verified*"])


def test_compare_prints_flipped_verdicts(pytester, capsys):
    from reports.__main__ import main

    pytester.makepyfile(test_suite=SUITE)
    run(pytester, "--hypothesis-profile=ci", out="base")
    base = json.loads((pytester.path / "base" / "summary.json").read_text())
    base["claims"]["zhang2019.rem3"]["verdict"] = "violated"
    (pytester.path / "base.json").write_text(json.dumps(base))
    code = main(
        [
            "--summary",
            str(pytester.path / "base" / "summary.json"),
            "--compare",
            str(pytester.path / "base.json"),
            "--no-plots",
        ]
    )
    out = capsys.readouterr().out
    assert "zhang2019.rem3: verdict violated -> verified" in out
    assert code == 0


def test_mutation_markers_give_each_claim_a_mutation_score(pytester):
    pytester.makepyfile(
        test_mut=HEADER
        + """
@pytest.mark.mutation("zhang2019.eq6", "nuclear norm inflated by 1 %")
def test_refuted():
    assert True

@pytest.mark.mutation("zhang2019.eq6", "identity perturbed by 1e-12")
def test_survives():
    assert False, "the mutant was not refuted"
"""
    )
    result, summary = run(pytester)
    m = summary["claims"]["zhang2019.eq6"]["mutation"]
    assert (m["refuted"], m["total"]) == (1, 2)
    assert m["survivors"] == ["identity perturbed by 1e-12"]
    jsonschema.validate(summary, SCHEMA)


def test_claim_option_runs_one_claim_and_the_claims_below_it(pytester):
    pytester.makepyfile(
        test_sel=HEADER
        + """
@pytest.mark.claim("zhang2019.thm1", covers="I = 1..64, tanh and ReLU branches")
def test_a(record):
    record.leq(0.0, 1.0, tol=0.0, instance="i")

@pytest.mark.claim("zhang2019.thm1.sharp")
def test_b(record):
    record.leq(0.0, 1.0, tol=0.0, instance="i")

@pytest.mark.claim("zhang2019.eq6")
def test_c(record):
    record.leq(0.0, 1.0, tol=0.0, instance="i")
"""
    )
    result, summary = run(pytester, "--claim", "zhang2019.thm1")
    result.assert_outcomes(passed=2, deselected=1)
    assert summary["claims"]["zhang2019.eq6"]["verdict"] == "not-yet-checked"
    assert summary["claims"]["zhang2019.thm1"]["covers"] == ["I = 1..64, tanh and ReLU branches"]


def test_every_project_module_is_loaded_before_the_first_test():
    """Hypothesis mines constants from loaded project modules; lazily imported ones would make the ci profile's
    derandomized examples depend on test order.  The plugin imports them all after collection."""
    from reports.plugin import preload_project_modules

    names = preload_project_modules()
    for lazy in ("landscape.rigorous.exact", "landscape.kawaguchi2019.highway", "reports.render", "reports.summary"):
        assert lazy in names
    assert not [n for n in names if n.endswith("__main__") or n.rsplit(".", 1)[-1].startswith("test_")]


def test_nightly_examples_rule():
    from reports.plugin import NIGHTLY_FLOOR, nightly_examples

    assert nightly_examples(2500, 10.0, 0) == 2500  # budget 0: the full 100x
    assert nightly_examples(2500, 0.01, 90) == 2500  # a cheap test is not capped
    assert nightly_examples(2500, 10.0, 90) == 225  # 25 ci examples took 10 s: 90 s fit 225
    assert nightly_examples(2500, 1000.0, 90) == NIGHTLY_FLOOR  # never below the floor ...
    assert nightly_examples(100, 1000.0, 90) == 100  # ... nor above the profile's own count


def test_nightly_budget_caps_the_examples_hypothesis_runs(pytester):
    """The cap takes effect (it sets the settings Hypothesis reads when the test runs), by the durations file."""
    pytester.makepyfile(
        test_cost=HEADER
        + """
@pytest.mark.claim("zhang2019.thm1")
@given(x=st.integers(0, 10**9))
def test_costly(x, record):
    record.leq(0, 1, tol=0, instance=str(x))


@pytest.mark.claim("zhang2019.rem1")
@given(x=st.integers(0, 10**9))
def test_cheap(x, record):
    record.leq(0, 1, tol=0, instance=str(x))


@pytest.mark.claim("wang2023.prop4")
def test_fixed_list(record):
    for k in range(6):
        record.leq(0, 1, tol=0, instance=f"fixed {k}")
"""
    )
    (pytester.path / ".test_durations").write_text(
        json.dumps({"test_cost.py::test_costly": 10.0, "test_cost.py::test_cheap": 0.01})
    )
    result, summary = run(pytester, "--hypothesis-profile=nightly", "--nightly-budget=90")
    assert result.ret == 0
    costly, cheap = summary["claims"]["zhang2019.thm1"], summary["claims"]["zhang2019.rem1"]
    assert costly["examples"]["tried"] == 225
    assert costly["tests"][0]["max_examples"] == 225
    assert cheap["examples"]["tried"] == 2500
    assert "max_examples" not in cheap["tests"][0]
    assert summary["run"]["capped_tests"] == 1
    assert summary["run"]["nightly_budget_s"] == 90
    # six fixed instances are the same evidence in every profile: held to the ci minimum, not the nightly 100
    fixed = summary["claims"]["wang2023.prop4"]
    assert (fixed["floor"], fixed["verdict"]) == (5, "verified")
    assert (costly["floor"], costly["verdict"]) == (100, "verified")
