"""The CI workflows parse, run only nox sessions that exist, and the nightly one shards, carries its example
database, merges its shards' records and fails only through the regression gate."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    # YAML 1.1 reads the bare key `on` as True; GitHub reads it as "on"
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def _steps(doc: dict) -> list[dict]:
    return [step for job in doc["jobs"].values() for step in job["steps"]]


def _runs(doc: dict) -> str:
    return "\n".join(step.get("run", "") for step in _steps(doc))


def nox_sessions() -> set[str]:
    """The sessions noxfile.py defines (functions decorated with ``nox.session``), read without running nox."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                if ast.unparse(target) == "nox.session":
                    names.add(node.name)
    return names


@pytest.mark.parametrize("name", ["ci.yml", "nightly.yml"])
def test_workflow_parses_and_every_step_runs_or_uses_something(name):
    doc = _load(name)
    assert doc["name"] and doc["on"] and doc["jobs"]
    for job_id, job in doc["jobs"].items():
        assert "runs-on" in job, job_id
        assert job["steps"], job_id
        for step in job["steps"]:
            assert ("run" in step) != ("uses" in step), (job_id, step)


@pytest.mark.parametrize("name", ["ci.yml", "nightly.yml"])
def test_every_nox_session_a_workflow_names_exists(name):
    named = set(re.findall(r"\bnox -s ([\w-]+)", _runs(_load(name))))
    assert named, f"{name} runs no nox session"
    assert named <= nox_sessions(), f"{name} names sessions that noxfile.py lacks: {named - nox_sessions()}"


def test_ci_workflow_runs_the_same_steps_as_ci_run():
    doc = _load("ci.yml")
    assert {"push", "pull_request"} <= set(doc["on"])
    runs = _runs(doc)
    for step in ("pip install -e", "nox -s lint", "nox -s types", "nox -s ci", "nox -s gate"):
        assert step in runs, step


def test_nightly_workflow_shards_carries_its_database_and_gates():
    doc = _load("nightly.yml")
    assert "schedule" in doc["on"] and doc["on"]["schedule"][0]["cron"]
    shard = doc["jobs"]["shard"]
    groups = shard["strategy"]["matrix"]["group"]
    assert groups == list(range(1, int(doc["env"]["SHARDS"]) + 1))
    assert shard["strategy"]["fail-fast"] is False
    runs = _runs(doc)
    assert "nox -s nightly -- --splits" in runs and "--group ${{ matrix.group }}" in runs
    assert "gh run download" in runs and "$DB_ARTIFACT" in runs  # the last nights' database comes back
    uploads = [s for s in _steps(doc) if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert doc["env"]["DB_ARTIFACT"] in {s["with"]["name"] for s in uploads}
    report = doc["jobs"]["report"]
    assert report["needs"] == "shard" and report["if"] == "always()"
    assert "python -m reports --records" in runs and "--compare reports/baseline/summary.json" in runs
    assert "GITHUB_STEP_SUMMARY" in runs
    # a failing test inside a shard does not fail the job; only the gate's exit status does
    shard_run = next(s for s in shard["steps"] if s.get("id") == "run")
    assert "set +e" in shard_run["run"]
    fail = report["steps"][-1]
    assert fail["if"] == "steps.gate.outputs.gate != '0'" and "exit 1" in fail["run"]


def test_committed_durations_cover_the_theorem_tests_that_exist():
    path = ROOT / ".test_durations"
    durations = json.loads(path.read_text(encoding="utf-8"))
    assert durations and all(isinstance(v, (int, float)) and v >= 0 for v in durations.values())
    files = {node.split("::", 1)[0] for node in durations}
    assert all(f.startswith("theorems/") for f in files)
    assert sum((ROOT / f).exists() for f in files) >= 0.8 * len(files), "re-measure: nox -s durations"


def test_pre_commit_config_parses_and_runs_the_linters():
    doc = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"] for repo in doc["repos"] for h in repo["hooks"]}
    assert {"ruff", "ruff-format", "mypy"} <= hooks
