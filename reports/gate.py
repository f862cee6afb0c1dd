"""The regression gate: compare a run's ``summary.json`` with the committed baseline and say what regressed.

``reports/baseline/summary.json`` is the contract.  A run regresses against it when

* a claim's **verdict changes** (unless the baseline's verdict was itself unexpected and the run now gives the
  registry's expectation: that is a fix), a checked claim disappears from the registry, or a claim that the
  baseline checked is no longer checked (skipped in a ``partial`` comparison, e.g. ``pytest --claim <id>``);
* a **failure case or erratum witness** that the baseline certified no longer comes back certified;
* a verified claim's **conclusive count falls below its floor** (the profile's minimum, and with the same
  profile a stated share of the baseline's count);
* a **tightness or power figure moves past its threshold** (the tightest observed/bound ratio drops, the
  smallest detectable perturbation grows, the mutation score falls or a mutant survives that did not before,
  the evidence is downgraded to "weak");
* a claim's **proof level drops** ("proved (exact)" > "proved (interval)" > "numerical").

Fields that an older summary does not have (``tightness``, ``detectable_perturbation``, ``mutation``,
``proof_level``, ``evidence``) are compared only when both sides have them.  Other changes (new claims, moved
margins, inconclusive counts) are listed as information, never as regressions.

``gate(current, baseline)`` returns the findings; ``markdown(findings, ...)`` renders them as a table that a
person can read in a pull request; ``python -m reports --compare BASELINE`` prints it and exits 1 on a regression.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

PROOF_LEVELS = {"numerical": 0, "proved (interval)": 1, "proved (exact)": 2}
# evidence of a claim's power (reports/summary.py): "weak" when a much tighter false variant would pass too,
# "unmeasured" when no check is marked decisive, "none" when nothing passed
EVIDENCE = {"none": 0, "unmeasured": 1, "weak": 1, "strong": 2}
UNCHECKED = "not-yet-checked"


@dataclass(frozen=True)
class Thresholds:
    """How far a figure may move before the gate calls it a regression (each with its reason)."""

    # the tightest observed/bound ratio of a verified inequality (1 = the bound is attained): a drop of more than
    # 0.1 means the search no longer reaches the hard instances it reached before (ratios are in [0, 1])
    tightness_drop: float = 0.10
    # the smallest perturbation of an identity that the suite detects: perturbations are compared on a log
    # scale, so only a growth by more than a factor 10 (one decade) counts as lost power
    perturbation_growth: float = 10.0
    # the share of mutants refuted may not fall by more than this (one survivor out of 20 mutants is 0.05)
    mutation_drop: float = 0.0
    # with the same profile, a verified claim keeps at least this share of the baseline's conclusive examples
    # (derandomized ci runs repeat exactly; a change that halves the decided examples has lost evidence)
    conclusive_share: float = 0.5
    # moved worst margins (in tolerance units) are listed as information past this relative change
    margin_info: float = 0.10


@dataclass
class Finding:
    """One row of the gate's table."""

    claim: str
    what: str
    baseline: str
    current: str
    rule: str = ""
    regression: bool = True

    def row(self) -> str:
        cells = [f"`{self.claim}`", self.what, self.baseline, self.current, self.rule]
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


@dataclass
class GateResult:
    findings: list[Finding] = field(default_factory=list)
    current_profile: str | None = None
    baseline_profile: str | None = None
    partial: bool = False
    replay: list[str] = field(default_factory=list)

    @property
    def regressions(self) -> list[Finding]:
        return [f for f in self.findings if f.regression]

    @property
    def info(self) -> list[Finding]:
        return [f for f in self.findings if not f.regression]

    @property
    def passed(self) -> bool:
        return not self.regressions


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, float):
        return f"{x:.{digits}g}" if math.isfinite(x) else str(x)
    return str(x)


def _number(value: Any, *keys: str) -> float | None:
    """A figure that may be a plain number or a dict holding it under one of ``keys``."""
    if isinstance(value, dict):
        for k in keys:
            if k in value:
                return _number(value[k])
        return None
    if isinstance(value, bool) or value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _figure(entry: dict, name: str) -> Any:
    """A power figure: in the claim's ``power`` block (reports/summary.py), or at its top level (older layout)."""
    power = entry.get("power")
    if isinstance(power, dict) and name in power:
        return power[name]
    return entry.get(name)


def _certified_witnesses(entry: dict) -> set[str]:
    return {
        w.get("name", "?") for w in entry.get("witnesses", []) or [] if w.get("certified") and w.get("refutes", True)
    }


def _checked(entry: dict | None) -> bool:
    return entry is not None and entry.get("verdict", UNCHECKED) != UNCHECKED


def gate(current: dict, baseline: dict, thresholds: Thresholds | None = None, partial: bool = False) -> GateResult:
    """Compare ``current`` with ``baseline`` (both ``summary.json`` dicts); ``partial``: the run checked only some
    claims on purpose, so a claim it did not check is not a regression."""
    th = thresholds or Thresholds()
    cur_run, base_run = current.get("run", {}) or {}, baseline.get("run", {}) or {}
    res = GateResult(current_profile=cur_run.get("profile"), baseline_profile=base_run.get("profile"), partial=partial)
    same_profile = res.current_profile == res.baseline_profile
    min_conclusive = int(cur_run.get("min_conclusive") or 1)
    cur_claims, base_claims = current.get("claims", {}), baseline.get("claims", {})
    add = res.findings.append

    for cid, b in base_claims.items():
        e = cur_claims.get(cid)
        if e is None:
            add(
                Finding(
                    cid,
                    "claim",
                    b.get("verdict", "?"),
                    "no longer registered",
                    "a registered claim was removed",
                    regression=_checked(b),
                )
            )
            continue
        bv, ev = b.get("verdict", UNCHECKED), e.get("verdict", UNCHECKED)
        if ev == UNCHECKED and bv != UNCHECKED:
            add(Finding(cid, "verdict", bv, ev, "the baseline checked it; this run did not", regression=not partial))
            continue
        if ev == UNCHECKED:
            continue
        if ev != bv:
            fixed = bv != b.get("expected") and ev == e.get("expected")
            add(
                Finding(
                    cid,
                    "verdict",
                    bv,
                    ev,
                    ("newly checked" if bv == UNCHECKED else "fixed: now the expected verdict")
                    if fixed
                    else "verdict changed",
                    regression=not fixed,
                )
            )
        _compare_witnesses(cid, e, b, add)
        _compare_conclusive(cid, e, b, add, th, same_profile, min_conclusive)
        _compare_power(cid, e, b, add, th)
        _compare_info(cid, e, b, add, th)

    for cid, e in cur_claims.items():
        if cid in base_claims or not _checked(e):
            continue
        unexpected = e.get("verdict") != e.get("expected")
        add(
            Finding(
                cid,
                "new claim",
                "–",
                e.get("verdict", "?"),
                f"expected {e.get('expected')}" if unexpected else "not in the baseline yet",
                regression=unexpected,
            )
        )
    regressed = {f.claim for f in res.regressions}
    for cid in sorted(regressed):
        for test in (cur_claims.get(cid) or {}).get("tests", []):
            if test.get("outcome") == "failed":
                res.replay.append(f"pytest '{test['nodeid']}' --hypothesis-profile={res.current_profile or 'dev'}")
    return res


def _compare_witnesses(cid: str, e: dict, b: dict, add) -> None:
    lost = sorted(_certified_witnesses(b) - _certified_witnesses(e))
    for name in lost:
        add(
            Finding(
                cid,
                f"witness `{name}`",
                "certified",
                "not reproduced",
                "a failure case / erratum witness must keep refuting the claim",
            )
        )


def _compare_conclusive(cid, e, b, add, th: Thresholds, same_profile: bool, min_conclusive: int) -> None:
    if e.get("expected") != "verified" or e.get("verdict") != "verified":
        return  # a failed or unexpected verdict is reported as a verdict change already
    cur = int((e.get("examples") or {}).get("conclusive", 0))
    base = int((b.get("examples") or {}).get("conclusive", 0))
    floor = int(e.get("floor") or min_conclusive)
    rule = f"floor {floor} (profile minimum)"
    if same_profile and base:
        share_floor = math.ceil(th.conclusive_share * base)
        if share_floor > floor:
            floor, rule = share_floor, f"floor {share_floor} = {th.conclusive_share:g} x baseline"
    if cur < floor:
        add(Finding(cid, "conclusive examples", str(base), str(cur), rule))
    bd, cd = b.get("distinct_instances"), e.get("distinct_instances")
    if same_profile and isinstance(bd, int) and isinstance(cd, int) and cd < math.ceil(th.conclusive_share * bd):
        add(Finding(cid, "distinct instances", str(bd), str(cd), f"floor {th.conclusive_share:g} x baseline"))


def _compare_power(cid, e, b, add, th: Thresholds) -> None:
    bt = _number(_figure(b, "tightness"), "ratio", "value", "tightness")
    ct = _number(_figure(e, "tightness"), "ratio", "value", "tightness")
    if bt is not None and ct is not None and ct < bt - th.tightness_drop * max(1.0, bt):
        add(Finding(cid, "tightness (observed/bound)", _fmt(bt), _fmt(ct), f"drop > {th.tightness_drop:g}"))
    bp = _number(_figure(b, "detectable_perturbation"), "relative", "value", "size")
    cp = _number(_figure(e, "detectable_perturbation"), "relative", "value", "size")
    if bp is not None and cp is not None and bp > 0 and cp > th.perturbation_growth * bp:
        add(Finding(cid, "smallest detected perturbation", _fmt(bp), _fmt(cp), f"grew > {th.perturbation_growth:g}x"))
    bm, cm = b.get("mutation"), e.get("mutation")
    if isinstance(bm, dict) and isinstance(cm, dict) and bm.get("total") and cm.get("total"):
        bs, cs = bm.get("refuted", 0) / bm["total"], cm.get("refuted", 0) / cm["total"]
        new_survivors = sorted(set(map(str, cm.get("survivors") or [])) - set(map(str, bm.get("survivors") or [])))
        if cs < bs - th.mutation_drop or new_survivors:
            add(
                Finding(
                    cid,
                    "mutation score",
                    f"{bm.get('refuted')}/{bm['total']}",
                    f"{cm.get('refuted')}/{cm['total']}"
                    + (f"; new survivors: {', '.join(new_survivors)}" if new_survivors else ""),
                    "no mutant may survive that was refuted before",
                )
            )
    bl, cl = b.get("proof_level"), e.get("proof_level")
    if bl in PROOF_LEVELS and cl is not None and PROOF_LEVELS.get(cl, -1) < PROOF_LEVELS[bl]:
        add(Finding(cid, "proof level", str(bl), str(cl), "proved (exact) > proved (interval) > numerical"))
    be, ce = _figure(b, "evidence"), _figure(e, "evidence")
    if be in EVIDENCE and ce in EVIDENCE and EVIDENCE[ce] < EVIDENCE[be]:
        add(Finding(cid, "evidence", str(be), str(ce), "strong > weak, unmeasured > none"))


def _compare_info(cid, e, b, add, th: Thresholds) -> None:
    bw, ew = b.get("worst") or {}, e.get("worst") or {}
    bn, en = _number(bw.get("normalized_margin")), _number(ew.get("normalized_margin"))
    if bn is not None and en is not None and abs(en - bn) > th.margin_info * max(abs(bn), 1.0):
        add(
            Finding(
                cid,
                "worst margin/tol",
                _fmt(bn),
                f"{_fmt(en)} ({ew.get('check', '?')})",
                "information",
                regression=False,
            )
        )
    bi = (b.get("examples") or {}).get("inconclusive")
    ei = (e.get("examples") or {}).get("inconclusive")
    if bi is not None and ei is not None and bi != ei:
        add(Finding(cid, "inconclusive examples", str(bi), str(ei), "information", regression=False))
    bl, cl = b.get("proof_level"), e.get("proof_level")
    if cl in PROOF_LEVELS and (bl not in PROOF_LEVELS or PROOF_LEVELS[cl] > PROOF_LEVELS[bl]) and bl != cl:
        add(Finding(cid, "proof level", str(bl), str(cl), "raised", regression=False))


def markdown(result: GateResult, baseline_name: str = "the baseline", info: bool = True) -> str:
    """The gate's verdict and tables (regressions first, then other changes) as Markdown."""
    n = len(result.regressions)
    profiles = f"profile `{result.current_profile}` against `{result.baseline_profile}`"
    head = (
        f"### Regression gate: **{n} regression{'s' if n != 1 else ''}** against {baseline_name} ({profiles})"
        if n
        else f"### Regression gate: no regression against {baseline_name} ({profiles})"
    )
    lines = [head, ""]
    if result.partial:
        lines += ["Partial run: claims this run did not check are not compared.", ""]
    table = ["| claim | what | baseline | now | rule |", "|---|---|---|---|---|"]
    if n:
        lines += table + [f.row() for f in result.regressions] + [""]
    if result.replay:
        lines += [
            "Replay a failing test (with the run's example database in place, Hypothesis replays the shrunk "
            "failure first; the nightly workflow keeps it as the artifact `hypothesis-example-db`, to unpack "
            "into `.hypothesis/nightly`):",
            "",
            "```bash",
            *result.replay,
            "```",
            "",
        ]
    if info and result.info:
        lines += ["Other changes (not regressions):", ""] + table + [f.row() for f in result.info] + [""]
    return "\n".join(lines)
