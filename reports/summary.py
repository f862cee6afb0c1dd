"""Aggregate the JSON-line records of a run into ``summary.json`` (schema: ``reports/schema.json``).

Every process of a run (the pytest controller and each pytest-xdist worker) appends its lines to its own file in
``<report dir>/records/``; this module merges them, so a parallel run and a serial run give the same summary, and
a run that was interrupted (or killed) still yields a summary that says which claims are missing.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

from .registry import CLAIMS, PAPERS

SCHEMA_VERSION = 1
VERDICTS = ("verified", "counterexample-found", "erratum", "reproduced", "violated", "not-reproduced",
            "inconclusive", "not-yet-checked")


def read_records(records_dir: str | Path) -> list[dict]:
    """All lines of all ``*.jsonl`` files in ``records_dir`` (a torn last line of a killed writer is skipped)."""
    out = []
    for path in sorted(Path(records_dir).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


def _reason_key(reason: str) -> str:
    """Group inconclusive reasons that differ only in their numbers."""
    return re.sub(r"[-+]?\d+(\.\d+)?(e[-+]?\d+)?", "#", reason).strip()[:160]


def _new_entry(claim) -> dict:
    return {
        "id": claim.id, "paper": claim.paper, "result": claim.result, "kind": claim.kind,
        "statement": claim.statement, "expected": claim.expected, "verdict": "not-yet-checked",
        "regression": False, "tests": [], "examples": {"tried": 0, "conclusive": 0, "passed": 0, "failed": 0,
                                                        "inconclusive": 0},
        "inconclusive_reasons": {}, "checks": {}, "worst": None, "notes": {}, "witnesses": [],
        "wall_time_s": 0.0, "missing": False,
    }


def build_summary(records: Iterable[dict]) -> dict:
    """The summary of a run from its records (see ``reports/schema.json`` for the fields)."""
    records = list(records)
    entries = {c.id: _new_entry(c) for c in CLAIMS}
    session = {}
    collected: dict[str, str] = {}  # test nodeid -> claim
    outcomes: dict[str, dict] = {}  # test nodeid -> {"outcome", "duration_s"}
    example_status: dict[tuple, str] = {}
    rank = {"pass": 0, "inconclusive": 1, "fail": 2}
    reasons: dict[str, Counter] = defaultdict(Counter)
    notes: dict[str, dict] = defaultdict(dict)

    for rec in records:
        kind = rec.get("type")
        if kind == "session":
            session.update({k: v for k, v in rec.items() if k != "type"})
            continue
        claim = rec.get("claim")
        if claim not in entries:
            continue
        if kind == "collected":
            collected[rec["test"]] = claim
        elif kind == "outcome":
            oc = outcomes.setdefault(rec["test"], {"outcome": "passed", "duration_s": 0.0, "done": False})
            oc["done"] = oc["done"] or rec.get("when") == "teardown"
            if rec["outcome"] == "failed" or (rec["outcome"] == "skipped" and oc["outcome"] == "passed"):
                oc["outcome"] = rec["outcome"]
            oc["duration_s"] += float(rec.get("duration", 0.0))
            collected.setdefault(rec["test"], claim)
        elif kind == "check":
            key = (claim, rec["test"], rec["example"])
            status = rec["status"]
            if status in rank:
                if rank[status] >= rank[example_status.get(key, "pass")]:
                    example_status[key] = status
            elif status == "witness":
                example_status.setdefault(key, "pass")
            elif status == "note":
                example_status.setdefault(key, "pass")
            entry = entries[claim]
            if status == "inconclusive":
                reasons[claim][_reason_key(rec.get("reason", ""))] += 1
            elif status == "note":
                _add_note(notes[claim], rec)
            elif status == "witness" or rec["check"].startswith("witness:"):
                entry["witnesses"].append({
                    "name": rec["check"].split(":", 1)[-1], "path": rec.get("witness"),
                    "certified": bool(rec.get("extra", {}).get("certified")),
                    "refutes": bool(rec.get("extra", {}).get("refutes", True)),
                    "checks": rec.get("extra", {}).get("checks", {}), "instance": rec.get("instance", ""),
                    "test": rec["test"]})
            if status in ("pass", "fail"):
                _add_check(entry, rec)

    for (claim, _test, _ex), status in example_status.items():
        ex = entries[claim]["examples"]
        ex["tried"] += 1
        ex[{"pass": "passed", "fail": "failed", "inconclusive": "inconclusive"}[status]] += 1
    for claim, entry in entries.items():
        entry["examples"]["conclusive"] = entry["examples"]["passed"] + entry["examples"]["failed"]
        entry["inconclusive_reasons"] = dict(reasons[claim].most_common())
        entry["notes"] = notes[claim]
    for test, claim in sorted(collected.items()):
        oc = outcomes.get(test)
        done = oc is not None and oc["done"]
        entries[claim]["tests"].append({"nodeid": test, "outcome": oc["outcome"] if done else "not-run",
                                        "duration_s": round(oc["duration_s"], 4) if oc else None})
        if oc:
            entries[claim]["wall_time_s"] += oc["duration_s"]
        if not done:
            entries[claim]["missing"] = True

    min_conclusive = int(session.get("min_conclusive", 1))
    for entry in entries.values():
        entry["wall_time_s"] = round(entry["wall_time_s"], 3)
        entry["verdict"] = verdict(entry, min_conclusive)
        entry["regression"] = entry["verdict"] not in (entry["expected"], "not-yet-checked")

    totals = Counter(e["verdict"] for e in entries.values())
    return {
        "schema_version": SCHEMA_VERSION,
        "run": {
            "profile": session.get("profile"),
            "started": session.get("started"), "finished": session.get("finished"),
            "duration_s": session.get("duration_s"), "exitstatus": session.get("exitstatus"),
            "interrupted": bool(session.get("interrupted", not session.get("finished"))),
            "min_conclusive": min_conclusive, "args": session.get("args", []),
            "versions": session.get("versions", {}),
        },
        "papers": PAPERS,
        "totals": {v: totals.get(v, 0) for v in VERDICTS},
        "missing": sorted(c for c, e in entries.items() if e["missing"]),
        "errata": sorted(c for c, e in entries.items() if e["verdict"] == "erratum"),
        "regressions": sorted(c for c, e in entries.items() if e["regression"]),
        "claims": entries,
    }


def _add_check(entry: dict, rec: dict) -> None:
    name = rec["check"]
    nm = rec.get("normalized_margin")
    c = entry["checks"].setdefault(name, {"count": 0, "failed": 0, "worst_normalized_margin": None,
                                          "worst_margin": None, "observed": None, "bound": None, "tol": None,
                                          "instance": ""})
    c["count"] += 1
    c["failed"] += rec["status"] == "fail"
    if nm is not None and (c["worst_normalized_margin"] is None or nm < c["worst_normalized_margin"]):
        c.update(worst_normalized_margin=nm, worst_margin=rec.get("margin"), observed=rec.get("observed"),
                 bound=rec.get("bound"), tol=rec.get("tol"), instance=rec.get("instance", ""))
        w = entry["worst"]
        if w is None or nm < w["normalized_margin"]:
            entry["worst"] = {"check": name, "normalized_margin": nm, "margin": rec.get("margin"),
                              "observed": rec.get("observed"), "bound": rec.get("bound"), "tol": rec.get("tol"),
                              "instance": rec.get("instance", ""), "test": rec["test"]}


def _add_note(notes: dict, rec: dict) -> None:
    n = notes.setdefault(rec["check"], {"count": 0, "min": None, "max": None, "mean": None, "true": 0,
                                        "values": []})
    n["count"] += 1
    value = rec.get("extra", {}).get("value")
    if isinstance(value, bool):
        n["true"] += value
    elif isinstance(value, (int, float)) and math.isfinite(value):
        n["min"] = value if n["min"] is None else min(n["min"], value)
        n["max"] = value if n["max"] is None else max(n["max"], value)
        k = n["count"]
        n["mean"] = value if n["mean"] is None else n["mean"] + (value - n["mean"]) / k
    if len(n["values"]) < 2000:  # series for plots; a nightly run keeps the first 2000
        n["values"].append({"value": value, "instance": rec.get("instance", ""),
                            **{k: v for k, v in rec.get("extra", {}).items() if k != "value"}})


def verdict(entry: dict, min_conclusive: int) -> str:
    """The verdict of one claim from its aggregated entry (rules in the module docstring of reports)."""
    if not entry["tests"]:
        return "not-yet-checked"
    ex = entry["examples"]
    failed_tests = any(t["outcome"] == "failed" for t in entry["tests"])
    expected = entry["expected"]
    if expected in ("counterexample-found", "erratum"):
        certified = any(w["certified"] and w["refutes"] for w in entry["witnesses"])
        return expected if certified and not failed_tests else "not-reproduced"
    if ex["failed"] > 0 or any(w["refutes"] and w["certified"] for w in entry["witnesses"]):
        return "violated"
    if failed_tests or entry["missing"]:
        return "inconclusive"
    if expected == "reproduced":
        return "reproduced" if ex["tried"] > 0 else "inconclusive"
    if ex["conclusive"] < min_conclusive or ex["inconclusive"] > ex["conclusive"]:
        return "inconclusive"
    return "verified"


def write_summary(summary: dict, out_dir: str | Path) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "summary.json"
    path.write_text(json.dumps(summary, indent=1, sort_keys=False, allow_nan=False, default=str) + "\n",
                    encoding="utf-8")
    return path
