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
from collections.abc import Iterable
from pathlib import Path

from .records import test_key
from .registry import CLAIMS, PAPERS

SCHEMA_VERSION = 2
# conclusive examples a claim checked only on fixed instance lists needs, in every profile (the ci minimum)
FIXED_FLOOR = 5
PROOF_LEVELS = ("proved (exact)", "proved (interval)", "numerical")  # strongest first
# Tightness below this leaves room for a bound half as large: the run could not tell the claim from a much
# tighter (false) variant, so its evidence is marked weak.
WEAK_TIGHTNESS = 0.5
VERDICTS = (
    "verified",
    "counterexample-found",
    "erratum",
    "reproduced",
    "violated",
    "not-reproduced",
    "inconclusive",
    "not-yet-checked",
)


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
        "id": claim.id,
        "paper": claim.paper,
        "result": claim.result,
        "kind": claim.kind,
        "statement": claim.statement,
        "expected": claim.expected,
        "sharp": claim.sharp,
        "verdict": "not-yet-checked",
        "regression": False,
        "tests": [],
        "examples": {"tried": 0, "conclusive": 0, "passed": 0, "failed": 0, "inconclusive": 0, "unchecked": 0},
        "inconclusive_reasons": {},
        "checks": {},
        "worst": None,
        "notes": {},
        "witnesses": [],
        "wall_time_s": 0.0,
        "missing": False,
        "distinct_instances": 0,
        "sizes": {},
        "power": {
            "tightness": None,
            "tightness_instance": "",
            "detectable_perturbation": None,
            "decisive_checks": 0,
            "decisive_names": [],
            "sanity_names": [],
            "routes": [],
            "undeclared_routes": 0,
            "sanity_checks": 0,
            "evidence": "none",
        },
        "mutation": {"refuted": 0, "total": 0, "survivors": [], "mutants": []},
        "proof_level": None,
        "proofs": [],
        "covers": [],
    }


def build_summary(records: Iterable[dict]) -> dict:
    """The summary of a run from its records (see ``reports/schema.json`` for the fields)."""
    records = list(records)
    run = _Run({test_key(r["test"]): r["test"] for r in records if r.get("type") != "check" and r.get("test")})
    for rec in records:
        run.add(rec)
    return run.summary()


RANK = {"unchecked": 0, "pass": 1, "inconclusive": 2, "fail": 3}
_EXAMPLE_FIELD = {"pass": "passed", "fail": "failed", "inconclusive": "inconclusive", "unchecked": "unchecked"}


class _Run:
    """Folds a run's records, in any order of files, into one entry per registered claim."""

    def __init__(self, nodeids: dict[str, str]):
        self.nodeids = nodeids  # short test key -> node id (records name their test by its key)
        self.entries = {c.id: _new_entry(c) for c in CLAIMS}
        self.session: dict = {}
        self.collected: dict[str, str] = {}  # test nodeid -> claim
        self.caps: dict[str, int] = {}  # test nodeid -> its capped max_examples (nightly time budget)
        self.fixed: dict[str, bool] = {}  # test nodeid -> True when its examples are a fixed list (no Hypothesis)
        self.outcomes: dict[str, dict] = {}  # test nodeid -> {"outcome", "duration_s", "done"}
        self.example_status: dict[tuple, str] = {}
        self.example_instance: dict[tuple, str] = {}
        self.example_keys: dict[tuple, str] = {}  # compact runs: example -> key of its instance description
        self.suppressed: list[dict] = []  # compact runs: passing checks counted but not written
        self.mutations: dict[str, dict] = {}  # test nodeid -> {"claim", "mutant", "test", "outcome"}
        self.reasons: dict[str, Counter] = defaultdict(Counter)
        self.notes: dict[str, dict] = defaultdict(dict)

    # -- one record ------------------------------------------------------------------------------------------
    def add(self, rec: dict) -> None:
        kind = rec.get("type")
        if kind == "session":
            self.session.update({k: v for k, v in rec.items() if k != "type"})
            return
        if kind in ("check", "example", "suppressed"):
            rec = dict(rec, test=self.nodeids.get(rec.get("test", ""), rec.get("test", "")))
        if rec.get("claim") not in self.entries:
            return
        handler = {
            "check": self._check,
            "example": self._example,
            "suppressed": self.suppressed.append,
            "mutation": self._mutation,
            "collected": self._collected,
            "outcome": self._outcome,
        }.get(str(kind))
        if handler is not None:
            handler(rec)

    def _mark(self, key: tuple, status: str) -> None:
        if status in RANK and RANK[status] >= RANK[self.example_status.get(key, "unchecked")]:
            self.example_status[key] = status

    def _example(self, rec: dict) -> None:
        key = (rec["claim"], rec["test"], rec["example"])
        if rec.get("key"):
            self.example_keys[key] = rec["key"]
        self._mark(key, rec.get("status", "unchecked"))

    def _mutation(self, rec: dict) -> None:
        prev = self.mutations.get(rec["test"], {}).get("outcome", "passed")
        outcome = rec.get("outcome", "not-run") if prev == "passed" else prev  # any failed phase fails it
        self.mutations[rec["test"]] = {
            "claim": rec["claim"],
            "mutant": rec.get("mutant", ""),
            "test": rec["test"],
            "outcome": outcome,
        }

    def _collected(self, rec: dict) -> None:
        claim = rec["claim"]
        self.collected[rec["test"]] = claim
        if rec.get("max_examples"):
            self.caps[rec["test"]] = int(rec["max_examples"])
        if "hypothesis" in rec:
            self.fixed[rec["test"]] = not rec["hypothesis"]
        if rec.get("covers") and rec["covers"] not in self.entries[claim]["covers"]:
            self.entries[claim]["covers"].append(rec["covers"])

    def _outcome(self, rec: dict) -> None:
        oc = self.outcomes.setdefault(rec["test"], {"outcome": "passed", "duration_s": 0.0, "done": False})
        oc["done"] = oc["done"] or rec.get("when") == "teardown"
        if rec["outcome"] == "failed" or (rec["outcome"] == "skipped" and oc["outcome"] == "passed"):
            oc["outcome"] = rec["outcome"]
        oc["duration_s"] += float(rec.get("duration", 0.0))
        self.collected.setdefault(rec["test"], rec["claim"])

    def _check(self, rec: dict) -> None:
        claim = rec["claim"]
        key = (claim, rec["test"], rec.get("example"))
        if rec.get("instance"):
            self.example_instance.setdefault(key, rec["instance"])
        else:
            rec["instance"] = self.example_instance.get(key, "")
        status = rec["status"]
        if status == "pass" and not rec.get("evidence", True):
            effective = "unchecked"  # a labelled sanity check never makes an example count
        elif status == "witness":
            effective = "pass" if rec.get("extra", {}).get("certified") else "fail"
        elif status == "note":
            effective = "unchecked"
        else:
            effective = status
        self._mark(key, effective)
        entry = self.entries[claim]
        if status in ("pass", "fail"):
            _add_power(entry, rec)
            _add_check(entry, rec)
        elif status == "inconclusive":
            self.reasons[claim][_reason_key(rec.get("reason", ""))] += 1
        elif status == "note":
            _add_note(self.notes[claim], rec)
            if rec.get("check") == "proof level":
                _add_proof(entry, rec)
        if status == "witness" or rec["check"].startswith("witness:"):
            entry["witnesses"].append(_witness(rec))

    # -- after the last record -------------------------------------------------------------------------------
    def summary(self) -> dict:
        self._fold_suppressed()
        distinct, texts = self._count_examples()
        self._score_mutations()
        for claim, entry in self.entries.items():
            entry["examples"]["conclusive"] = entry["examples"]["passed"] + entry["examples"]["failed"]
            entry["distinct_instances"] = len(distinct[claim])
            entry["sizes"] = _sizes(texts[claim])
            _finish_power(entry)
            _finish_proofs(entry)
            entry["inconclusive_reasons"] = dict(self.reasons[claim].most_common())
            entry["notes"] = self.notes[claim]
        self._attach_tests()
        min_conclusive = int(self.session.get("min_conclusive", 1))
        for entry in self.entries.values():
            entry["wall_time_s"] = round(entry["wall_time_s"], 3)
            # a claim checked only on fixed lists of instances has the same examples under every profile: the
            # profile's minimum (100 at night) would call it inconclusive however it went, so it is held to
            # FIXED_FLOOR, the ci minimum, instead
            tests = [t["nodeid"] for t in entry["tests"]]
            if tests and all(self.fixed.get(t, False) for t in tests):
                entry["floor"] = min(min_conclusive, FIXED_FLOOR)
            else:
                entry["floor"] = min_conclusive
            entry["verdict"] = verdict(entry, entry["floor"])
            entry["regression"] = entry["verdict"] not in (entry["expected"], "not-yet-checked")
        return self._document(min_conclusive)

    def _fold_suppressed(self) -> None:
        for rec in self.suppressed:
            entry = self.entries[str(rec["claim"])]
            for name, n in (rec.get("counts") or {}).items():
                check = entry["checks"].get(name)
                if check is not None:
                    check["count"] += int(n)
                if name in entry["power"]["decisive_names"]:
                    entry["power"]["decisive_checks"] += int(n)
                if name in entry["power"]["sanity_names"]:
                    entry["power"]["sanity_checks"] += int(n)

    def _count_examples(self) -> tuple[dict[str, set], dict[str, set]]:
        """Examples per status, and per claim the distinct instances (keys) and instance texts of conclusive ones."""
        distinct: dict[str, set] = defaultdict(set)
        texts: dict[str, set] = defaultdict(set)
        for key, status in self.example_status.items():
            claim = str(key[0])
            ex = self.entries[claim]["examples"]
            ex["tried"] += 1
            ex[_EXAMPLE_FIELD[status]] += 1
            if status in ("pass", "fail"):
                text = self.example_instance.get(key)
                distinct[claim].add(self.example_keys.get(key) or (test_key(text) if text else f"{key[1]}#{key[2]}"))
                if text:
                    texts[claim].add(text)
        return distinct, texts

    def _score_mutations(self) -> None:
        for mut in self.mutations.values():
            m = self.entries[mut["claim"]]["mutation"]
            m["total"] += 1
            refuted = mut["outcome"] == "passed"  # a mutation test passes when the suite refutes its mutant
            m["refuted"] += refuted
            m["mutants"].append({"mutant": mut["mutant"], "test": mut["test"], "outcome": mut["outcome"]})
            if not refuted:
                m["survivors"].append(mut["mutant"])

    def _attach_tests(self) -> None:
        for test, claim in sorted(self.collected.items()):
            outcome = self.outcomes.get(test)
            done = outcome is not None and outcome["done"]
            entry = self.entries[claim]
            row = {
                "nodeid": test,
                "outcome": outcome["outcome"] if outcome is not None and done else "not-run",
                "duration_s": round(outcome["duration_s"], 4) if outcome else None,
            }
            if test in self.caps:
                row["max_examples"] = self.caps[test]  # capped by the nightly time budget
            entry["tests"].append(row)
            if outcome:
                entry["wall_time_s"] += outcome["duration_s"]
            if not done:
                entry["missing"] = True

    def _document(self, min_conclusive: int) -> dict:
        entries, session = self.entries, self.session
        totals = Counter(e["verdict"] for e in entries.values())
        return {
            "schema_version": SCHEMA_VERSION,
            "run": {
                "profile": session.get("profile"),
                "started": session.get("started"),
                "finished": session.get("finished"),
                "duration_s": session.get("duration_s"),
                "exitstatus": session.get("exitstatus"),
                "interrupted": bool(session.get("interrupted", not session.get("finished"))),
                "min_conclusive": min_conclusive,
                "nightly_budget_s": session.get("nightly_budget_s"),
                "capped_tests": len(self.caps),
                "args": session.get("args", []),
                "versions": session.get("versions", {}),
            },
            "papers": PAPERS,
            "totals": {v: totals.get(v, 0) for v in VERDICTS},
            "missing": sorted(c for c, e in entries.items() if e["missing"]),
            "errata": sorted(c for c, e in entries.items() if e["verdict"] == "erratum"),
            "regressions": sorted(c for c, e in entries.items() if e["regression"]),
            "claims": entries,
        }


def _witness(rec: dict) -> dict:
    extra = rec.get("extra", {})
    return {
        "name": rec["check"].split(":", 1)[-1],
        "path": rec.get("witness"),
        "certified": bool(extra.get("certified")),
        "refutes": bool(extra.get("refutes", True)),
        "checks": extra.get("checks", {}),
        "instance": rec.get("instance", ""),
        "test": rec["test"],
    }


def _finish_proofs(entry: dict) -> None:
    """The claim's proof level: the weakest of its rigorous re-checks; a failure case or erratum with none is
    'numerical', saying what is missing and which test replays it."""
    if entry["expected"] in ("erratum", "counterexample-found") and not entry["proofs"]:
        certified = [w for w in entry["witnesses"] if w["certified"] and w["refutes"]]
        if certified:
            entry["proofs"].append(
                {
                    "level": "numerical",
                    "witness": certified[0]["name"],
                    "replay": f"pytest '{certified[0]['test']}'",
                    "missing": "no exact or interval re-check: the witness is built and certified in float64 "
                    "(with tolerances) during the run",
                    "test": certified[0]["test"],
                }
            )
    levels = [pr["level"] for pr in entry["proofs"] if pr["level"] in PROOF_LEVELS]
    entry["proof_level"] = max(levels, key=PROOF_LEVELS.index) if levels else None


def _add_check(entry: dict, rec: dict) -> None:
    name = rec["check"]
    nm = rec.get("normalized_margin")
    c = entry["checks"].setdefault(
        name,
        {
            "count": 0,
            "failed": 0,
            "worst_normalized_margin": None,
            "worst_margin": None,
            "observed": None,
            "bound": None,
            "tol": None,
            "instance": "",
        },
    )
    c["count"] += 1
    c["failed"] += rec["status"] == "fail"
    if nm is not None and (c["worst_normalized_margin"] is None or nm < c["worst_normalized_margin"]):
        c.update(
            worst_normalized_margin=nm,
            worst_margin=rec.get("margin"),
            observed=rec.get("observed"),
            bound=rec.get("bound"),
            tol=rec.get("tol"),
            instance=rec.get("instance", ""),
        )
        w = entry["worst"]
        if w is None or nm < w["normalized_margin"]:
            entry["worst"] = {
                "check": name,
                "normalized_margin": nm,
                "margin": rec.get("margin"),
                "observed": rec.get("observed"),
                "bound": rec.get("bound"),
                "tol": rec.get("tol"),
                "instance": rec.get("instance", ""),
                "test": rec["test"],
            }


def _add_power(entry: dict, rec: dict) -> None:
    """Fold one decided check into the claim's power figures (tightness, detectable perturbation, routes)."""
    power = entry["power"]
    if not rec.get("evidence", True):
        power["sanity_checks"] += 1
        if rec["check"] not in power["sanity_names"]:
            power["sanity_names"].append(rec["check"])
        return
    routes = rec.get("routes")
    if routes:
        pair = " vs ".join(routes)
        if pair not in power["routes"]:
            power["routes"].append(pair)
    elif rec.get("relation") in ("<=", ">=", "==", "allclose"):
        power["undeclared_routes"] += 1
    if not rec.get("decisive"):
        return
    power["decisive_checks"] += 1
    if rec["check"] not in power["decisive_names"]:
        power["decisive_names"].append(rec["check"])
    relation, obs, bound, tol = rec.get("relation"), rec.get("observed"), rec.get("bound"), rec.get("tol")
    if obs is None or bound is None:
        return
    ratio = None
    if relation == "<=" and bound > 0 and obs >= 0:
        ratio = obs / bound  # 1: the bound is attained; small: a much tighter bound would pass too
    elif relation == ">=" and obs > 0 and bound >= 0:
        ratio = bound / obs
    if ratio is not None and (power["tightness"] is None or ratio > power["tightness"]):
        power["tightness"] = ratio
        power["tightness_instance"] = rec.get("instance", "")
    if relation in ("==", "allclose") and tol is not None:
        a, b = rec.get("extra", {}).get("a"), rec.get("extra", {}).get("b")
        size = max(abs(a or 0.0), abs(b or 0.0))
        if size > 0:
            # a relative perturbation of one side larger than tol / size fails this example, so the run refutes
            # any perturbation above the smallest such figure over its examples
            rel = tol / size
            cur = power["detectable_perturbation"]
            power["detectable_perturbation"] = rel if cur is None else min(cur, rel)


def _finish_power(entry: dict) -> None:
    """Evidence strength: 'strong', 'weak' (a much tighter false variant would pass too), or 'none'."""
    power = entry["power"]
    if entry["examples"]["passed"] == 0 and not entry["witnesses"]:
        power["evidence"] = "none"
    elif power["tightness"] is not None and power["tightness"] < WEAK_TIGHTNESS * entry["sharp"]:
        power["evidence"] = "weak"
    elif power["decisive_checks"] == 0 and entry["kind"] in ("theorem", "derived") and not entry["witnesses"]:
        power["evidence"] = "unmeasured"
    else:
        power["evidence"] = "strong"


def _add_proof(entry: dict, rec: dict) -> None:
    extra = rec.get("extra", {})
    entry["proofs"].append(
        {
            "level": extra.get("value"),
            "witness": extra.get("witness", ""),
            "replay": extra.get("replay", ""),
            "missing": extra.get("missing", ""),
            "test": rec.get("test", ""),
        }
    )


_SIZE = re.compile(r"\b(n|d|m|I|L|K|N|M|H|width|depth|p)\s*=\s*(\d+)\b")


def _sizes(instances: Iterable[str]) -> dict[str, list[int]]:
    """Range [min, max] of every size parameter (n, d, I, L, ...) named in the instances' one-line summaries."""
    out: dict[str, list[int]] = {}
    for text in instances:
        for name, value in _SIZE.findall(text):
            v = int(value)
            lo_hi = out.setdefault(name, [v, v])
            lo_hi[0], lo_hi[1] = min(lo_hi[0], v), max(lo_hi[1], v)
    return out


def _add_note(notes: dict, rec: dict) -> None:
    n = notes.setdefault(rec["check"], {"count": 0, "min": None, "max": None, "mean": None, "true": 0, "values": []})
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
        n["values"].append(
            {
                "value": value,
                "instance": rec.get("instance", ""),
                **{k: v for k, v in rec.get("extra", {}).items() if k != "value"},
            }
        )


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
    path.write_text(
        json.dumps(summary, indent=1, sort_keys=False, allow_nan=False, default=str) + "\n", encoding="utf-8"
    )
    return path
