"""The regression gate (reports/gate.py, ``python -m reports --compare``) on the committed baseline and on
copies of it with one thing broken: each break must be a regression (exit 1), an identical run must pass."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from reports.__main__ import main
from reports.gate import Thresholds, gate, markdown

BASELINE = Path(__file__).resolve().parents[2] / "reports" / "baseline" / "summary.json"


@pytest.fixture(scope="module")
def baseline() -> dict:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


def _claim_with(summary: dict, pred) -> str:
    return next(cid for cid, e in summary["claims"].items() if pred(e))


def _run_cli(tmp_path: Path, current: dict, baseline: dict, *extra: str) -> tuple[int, str]:
    cur, base = tmp_path / "current" / "summary.json", tmp_path / "baseline.json"
    cur.parent.mkdir(parents=True, exist_ok=True)
    cur.write_text(json.dumps(current))
    base.write_text(json.dumps(baseline))
    md = tmp_path / "gate.md"
    code = main(["--summary", str(cur), "--compare", str(base), "--no-plots", "--gate-md", str(md), *extra])
    return code, md.read_text(encoding="utf-8")


def test_identical_summaries_pass_the_gate(tmp_path, baseline):
    code, text = _run_cli(tmp_path, copy.deepcopy(baseline), baseline)
    assert code == 0
    assert "no regression" in text


def test_a_flipped_verdict_fails_the_gate_with_a_readable_row(tmp_path, baseline):
    current = copy.deepcopy(baseline)
    cid = _claim_with(current, lambda e: e["verdict"] == "verified")
    current["claims"][cid]["verdict"] = "violated"
    code, text = _run_cli(tmp_path, current, baseline)
    assert code == 1
    assert f"| `{cid}` | verdict | verified | violated | verdict changed |" in text
    assert "**1 regression**" in text


def test_a_lost_witness_fails_the_gate_even_when_the_verdict_stays(tmp_path, baseline):
    current = copy.deepcopy(baseline)
    cid = _claim_with(current, lambda e: len([w for w in e["witnesses"] if w["certified"]]) >= 2)
    lost = next(w for w in current["claims"][cid]["witnesses"] if w["certified"])
    lost["certified"] = False
    assert current["claims"][cid]["verdict"] == baseline["claims"][cid]["verdict"]
    code, text = _run_cli(tmp_path, current, baseline)
    assert code == 1
    assert f"witness `{lost['name']}`" in text and "not reproduced" in text


def test_a_dropped_proof_level_fails_the_gate(tmp_path, baseline):
    base = copy.deepcopy(baseline)
    cid = _claim_with(base, lambda e: e["verdict"] == "verified")
    base["claims"][cid]["proof_level"] = "proved (exact)"
    current = copy.deepcopy(base)
    current["claims"][cid]["proof_level"] = "numerical"
    code, text = _run_cli(tmp_path, current, base)
    assert code == 1
    assert "| proof level | proved (exact) | numerical |" in text
    current["claims"][cid]["proof_level"] = "proved (exact)"
    assert _run_cli(tmp_path, current, base)[0] == 0


def test_conclusive_count_below_its_floor_fails(baseline):
    current = copy.deepcopy(baseline)
    cid = _claim_with(current, lambda e: e["verdict"] == "verified" and e["examples"]["conclusive"] >= 10)
    current["claims"][cid]["examples"]["conclusive"] = 4
    result = gate(current, baseline)
    assert [(f.claim, f.what) for f in result.regressions] == [(cid, "conclusive examples")]


def _power(tightness, perturbation, evidence) -> dict:
    """A claim's power block as reports/summary.py writes it."""
    return {"tightness": tightness, "detectable_perturbation": perturbation, "evidence": evidence}


def test_tightness_power_and_mutation_figures_past_their_thresholds(baseline):
    base = copy.deepcopy(baseline)
    cid = _claim_with(base, lambda e: e["verdict"] == "verified")
    base["claims"][cid].update(power=_power(0.99, 1e-9, "strong"), mutation={"refuted": 3, "total": 3, "survivors": []})
    small = copy.deepcopy(base)
    small["claims"][cid]["power"] = _power(0.95, 5e-9, "strong")  # inside the thresholds
    assert gate(small, base).passed
    big = copy.deepcopy(base)
    big["claims"][cid].update(power=_power(0.3, 1e-6, "weak"),
                              mutation={"refuted": 2, "total": 3, "survivors": ["bound x 0.99"]})  # fmt: skip
    whats = {f.what for f in gate(big, base).regressions}
    assert whats == {"tightness (observed/bound)", "smallest detected perturbation", "mutation score", "evidence"}
    assert Thresholds().tightness_drop == 0.10
    old_layout = copy.deepcopy(base)  # the figures at the claim's top level are read too
    old_layout["claims"][cid].pop("power")
    old_layout["claims"][cid].update(tightness=0.3)
    assert {f.what for f in gate(old_layout, base).regressions} == {"tightness (observed/bound)"}


def test_a_violated_claim_gets_its_replay_command(baseline):
    current = copy.deepcopy(baseline)
    cid = _claim_with(current, lambda e: e["verdict"] == "verified" and e["tests"])
    current["claims"][cid]["verdict"] = "violated"
    nodeid = current["claims"][cid]["tests"][0]["nodeid"]
    current["claims"][cid]["tests"][0]["outcome"] = "failed"
    result = gate(current, baseline)
    assert result.replay == [f"pytest '{nodeid}' --hypothesis-profile=ci"]
    assert result.replay[0] in markdown(result)


def test_old_baselines_without_the_new_fields_are_tolerated(baseline):
    old = copy.deepcopy(baseline)  # a baseline written before power, mutation and proof levels were recorded
    for e in old["claims"].values():
        for field in ("proof_level", "proofs", "mutation", "power", "distinct_instances", "sizes", "covers", "sharp"):
            e.pop(field, None)
    current = copy.deepcopy(baseline)
    for e in current["claims"].values():
        e.update(proof_level="numerical", mutation={"refuted": 0, "total": 1, "survivors": [], "mutants": []})
    assert gate(current, old).passed


def test_a_fixed_verdict_and_a_new_claim_are_not_regressions(baseline):
    base = copy.deepcopy(baseline)
    cid = _claim_with(base, lambda e: e["verdict"] == "verified")
    base["claims"][cid]["verdict"] = "violated"
    current = copy.deepcopy(baseline)
    new = copy.deepcopy(current["claims"][cid])
    new["id"] = "zhang2019.contrib-new"
    current["claims"][new["id"]] = new
    result = gate(current, base)
    assert result.passed, markdown(result)
    assert {f.what for f in result.info} >= {"verdict", "new claim"}


def test_a_claim_the_run_did_not_check_regresses_unless_the_run_is_partial(baseline):
    current = copy.deepcopy(baseline)
    cid = _claim_with(current, lambda e: e["verdict"] == "erratum")
    current["claims"][cid].update(verdict="not-yet-checked", tests=[], witnesses=[])
    assert not gate(current, baseline).passed
    assert gate(current, baseline, partial=True).passed


def test_records_of_several_shards_merge_and_name_an_unfinished_one(tmp_path, capsys):
    lines = {
        "a": [
            {"type": "collected", "claim": "zhang2019.eq6", "test": "t.py::a"},
            {
                "type": "check",
                "claim": "zhang2019.eq6",
                "test": "t.py::a",
                "example": 0,
                "check": "c",
                "status": "pass",
                "normalized_margin": 1.0,
            },
            {
                "type": "outcome",
                "claim": "zhang2019.eq6",
                "test": "t.py::a",
                "when": "teardown",
                "outcome": "passed",
                "duration": 0.1,
            },
            {"type": "session", "profile": "ci", "min_conclusive": 1, "finished": 1.0, "exitstatus": 0},
        ],
        "b": [{"type": "collected", "claim": "zhang2019.rem3", "test": "t.py::b"}],  # killed before finishing
    }
    for shard, recs in lines.items():
        (tmp_path / shard).mkdir()
        (tmp_path / shard / "main.jsonl").write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    code = main(
        [
            "--records",
            str(tmp_path / "a"),
            str(tmp_path / "b"),
            str(tmp_path / "c"),
            "--out",
            str(tmp_path / "merged"),
            "--no-plots",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "NOT FINISHED" in out and "MISSING" in out and "zhang2019.rem3" in out
    summary = json.loads((tmp_path / "merged" / "summary.json").read_text())
    assert summary["claims"]["zhang2019.eq6"]["verdict"] == "verified"
    assert summary["missing"] == ["zhang2019.rem3"]
