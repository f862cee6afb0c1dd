"""The new-claim path (docs/new-claim.md): the scaffold command, and the worked example in theorems/contrib/ that
adds a refuted and a verified claim in a few lines each, picked up by the report with no other edit."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reports.registry import REGISTRY, Claim
from reports.scaffold import main as new_main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "theorems" / "contrib" / "test_zhang2019_variants.py"
REFUTED, VERIFIED = "zhang2019.thm1.constant-0.9", "zhang2019.thm1.finite.constant-1"


def _code_lines(node: ast.AST, source: list[str]) -> int:
    """Lines of code of a definition, without its docstring and blank or comment-only lines."""
    lines = source[node.lineno - 1 - len(getattr(node, "decorator_list", [])) : node.end_lineno]
    doc = ast.get_docstring(node)  # type: ignore[arg-type]
    skip = len(doc.splitlines()) if doc else 0
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#")) - skip


@pytest.mark.parametrize("expected", ["verified", "counterexample-found"])
def test_scaffold_writes_a_parsable_skeleton_and_a_registry_line(tmp_path, capsys, expected):
    assert new_main(["zhang2019.thm1.my-variant", "--dir", str(tmp_path), "--expected", expected]) == 0
    out = capsys.readouterr().out
    skeleton = tmp_path / "test_thm1_my_variant.py"
    tree = ast.parse(skeleton.read_text())
    assert '@pytest.mark.claim("zhang2019.thm1.my-variant")' in skeleton.read_text()
    assert any(isinstance(n, ast.FunctionDef) and n.name == "test_thm1_my_variant" for n in tree.body)
    line = next(x for x in out.splitlines() if x.strip().startswith("Claim("))
    claim = eval(line.strip().rstrip(","), {"Claim": Claim, "_Z": "zhang2019"})  # the line is valid registry code
    assert claim.id == "zhang2019.thm1.my-variant" and claim.expected == expected
    assert "theorems/zhang2019/checks.py" in out and "pwl_branch_problems" in out  # what it can reuse
    with pytest.raises(SystemExit):  # never over an existing file
        new_main(["zhang2019.thm1.my-variant", "--dir", str(tmp_path)])


@pytest.mark.parametrize("bad", ["zhang2019.thm1", "foo2019.thm1", "Zhang2019.Thm9", "zhang2019"])
def test_scaffold_refuses_registered_malformed_or_unknown_ids(tmp_path, bad):
    with pytest.raises(SystemExit):
        new_main([bad, "--dir", str(tmp_path)])
    assert not list(tmp_path.iterdir())


def test_worked_example_claims_are_one_registry_line_each_and_a_few_lines_of_test_code():
    assert REGISTRY[REFUTED].expected == "counterexample-found"
    assert REGISTRY[VERIFIED].expected == "verified"
    source = EXAMPLE.read_text().splitlines()
    tree = ast.parse("\n".join(source))
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    refuted = sum(_code_lines(defs[n], source) for n in defs if n != "test_grid_networks_gap_at_most_delta_over_I")
    verified = _code_lines(defs["test_grid_networks_gap_at_most_delta_over_I"], source)
    assert refuted <= 30 and verified <= 30, (refuted, verified)


def test_worked_example_report_shows_one_refuted_and_one_verified_claim(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLE.relative_to(ROOT)), "--hypothesis-profile=ci", "-q",
         "-p", "no:randomly", "--report-dir", str(out), "--no-plots"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    refuted, verified = summary["claims"][REFUTED], summary["claims"][VERIFIED]
    assert refuted["verdict"] == "counterexample-found" and not refuted["regression"]
    witness = next(w for w in refuted["witnesses"] if w["name"] == "shrunk")
    assert witness["certified"] and witness["checks"]["P"] - witness["checks"]["D"] > witness["checks"]["false_bound"]
    assert (ROOT / witness["path"]).exists() or Path(witness["path"]).exists()
    assert verified["verdict"] == "verified" and verified["examples"]["conclusive"] >= 5
    report = (out / "report.md").read_text()
    assert f"| `{REFUTED}` |" in report and f"| `{VERIFIED}` |" in report
