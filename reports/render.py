"""Render a run's ``summary.json`` as ``report.md`` with PNG plots, and compare two summaries."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

VERDICT_MARK = {
    "verified": "verified",
    "counterexample-found": "counterexample found",
    "erratum": "ERRATUM",
    "reproduced": "reproduced",
    "violated": "VIOLATED",
    "not-reproduced": "NOT REPRODUCED",
    "inconclusive": "inconclusive",
    "not-yet-checked": "not yet checked",
}


def _fmt(x, digits=3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        if not math.isfinite(x):
            return str(x)
        return f"{x:.{digits}g}"
    return str(x)


def power_cell(e: dict) -> str:
    """The claim's power in a few characters: tightness t (inequalities), detectable relative perturbation d
    (identities), and 'weak' when a much tighter false variant would have passed too."""
    p = e.get("power") or {}
    parts = []
    if p.get("tightness") is not None:
        parts.append(f"t={_fmt(p['tightness'], 2)}")
    if p.get("detectable_perturbation") is not None:
        parts.append(f"d={_fmt(p['detectable_perturbation'], 1)}")
    if p.get("evidence") == "weak":
        parts.append("WEAK")
    return " ".join(parts) or "–"


def mutation_cell(e: dict) -> str:
    m = e.get("mutation") or {}
    if not m.get("total"):
        return "–"
    return f"{m['refuted']}/{m['total']}" + (" survivor!" if m.get("survivors") else "")


def verdict_table_lines(summary: dict, only_checked: bool = False) -> list[str]:
    rows = [
        (
            "claim",
            "verdict",
            "tried",
            "concl.",
            "inconcl.",
            "distinct",
            "power",
            "mutants",
            "proof",
            "worst margin/tol (check)",
            "time s",
        )
    ]
    for cid, e in summary["claims"].items():
        if only_checked and e["verdict"] == "not-yet-checked":
            continue
        ex = e["examples"]
        worst = e["worst"]
        rows.append(
            (
                cid,
                VERDICT_MARK[e["verdict"]] + (" (!)" if e["regression"] else ""),
                str(ex["tried"]),
                str(ex["conclusive"]),
                str(ex["inconclusive"]),
                str(e.get("distinct_instances", "–")),
                power_cell(e),
                mutation_cell(e),
                e.get("proof_level") or "–",
                f"{_fmt(worst['normalized_margin'])} ({worst['check'][:48]})" if worst else "–",
                _fmt(e["wall_time_s"]),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def write_report(summary: dict, out_dir: str | Path, plots: bool = True) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    images = write_plots(summary, out) if plots else []
    text = render_markdown(summary, images)
    path = out / "report.md"
    path.write_text(text, encoding="utf-8")
    return path


def render_markdown(summary: dict, images: Sequence[str] = ()) -> str:
    run = summary["run"]
    lines = ["# Claim verification report", ""]
    lines.append(
        f"Profile `{run.get('profile')}`, {_fmt(run.get('duration_s'))} s, exit status "
        f"{run.get('exitstatus')}"
        + (" — **the run was interrupted**" if run.get("interrupted") else "")
        + f"; a theorem needs at least {run.get('min_conclusive')} conclusive examples."
        + (
            f" {run['capped_tests']} tests ran fewer than 100x their ci examples: capped at what fits the nightly"
            f" budget of {_fmt(run.get('nightly_budget_s'))} s per test (each test's `max_examples` in summary.json)."
            if run.get("capped_tests")
            else ""
        )
    )
    lines.append("")
    lines.append("Totals: " + ", ".join(f"{VERDICT_MARK[v]}: {n}" for v, n in summary["totals"].items() if n))
    if summary.get("missing"):
        lines += ["", "**Missing** (tests collected but not finished): " + ", ".join(summary["missing"])]
    if summary.get("regressions"):
        lines += [
            "",
            "**Unexpected verdicts** (differ from the registry's expectation): " + ", ".join(summary["regressions"]),
        ]
    lines += [
        "",
        "*Worst margin/tol* is the tightest check's margin in units of its tolerance: 1 means the "
        "observed value equals the bound (or both routes agree exactly), 0 that it sits at the tolerance "
        "edge, below 0 a violation; large values mean room to spare.",
        "*Distinct* counts the different instances among the conclusive examples. *Power*: `t` is the "
        "largest observed/bound ratio of the claim's decisive inequality (1: the bound is attained; "
        "`WEAK` when below half of the largest ratio the claim permits — 1, or a proved sharper constant over the "
        "stated one — i.e. a bound that much tighter would have passed too), `d` the smallest relative "
        "perturbation of its decisive identity that the run detects (some example fails under it). "
        "*Mutants*: false variants of the claim refuted by the mutation meta-tests / run "
        "(`–` when none ran in this run). *Proof*: the level of the rigorous re-check of the claim's "
        "witnesses.",
        "",
    ]
    lines += _mutation_score_lines(summary)
    errata = [summary["claims"][c] for c in summary.get("errata", [])]
    if errata:
        lines += ["## Errata", ""]
        for e in errata:
            lines.append(f"- `{e['id']}` ({e['result']}): {e['statement']}")
            lines += _proof_lines(e)
            for w in e["witnesses"]:
                lines.append(f"  - witness `{w['name']}` ({w['path']}): {w['instance']}; checks {w['checks']}")
        lines.append("")
    found = [e for e in summary["claims"].values() if e["verdict"] == "counterexample-found"]
    if found:
        lines += ["## Counterexamples found and certified", ""]
        for e in found:
            lines.append(f"- `{e['id']}` ({e['result']}): {e['statement']}")
            lines += _proof_lines(e)
            for w in e["witnesses"]:
                if w["certified"] and w["refutes"]:
                    lines.append(
                        f"  - witness `{w['name']}` (`{w['path']}`): {w['instance']}; checks "
                        f"{json.dumps(w['checks'], default=str)}"
                    )
        lines.append("")
    for paper, title in summary["papers"].items():
        entries = [e for e in summary["claims"].values() if e["paper"] == paper]
        lines += [
            f"## {title}",
            "",
            "| claim | result | kind | verdict | tried | conclusive | inconclusive | distinct | power "
            "| mutants | proof | worst margin/tol (check) | time s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for e in entries:
            ex, w = e["examples"], e["worst"]
            worst = f"{_fmt(w['normalized_margin'])} ({w['check']})" if w else "–"
            lines.append(
                f"| `{e['id']}` | {e['result']} | {e['kind']} | {VERDICT_MARK[e['verdict']]}"
                f"{' (unexpected)' if e['regression'] else ''} | {ex['tried']} | {ex['conclusive']} | "
                f"{ex['inconclusive']} | {e.get('distinct_instances', '–')} | {power_cell(e)} | "
                f"{mutation_cell(e)} | {e.get('proof_level') or '–'} | {worst} | "
                f"{_fmt(e['wall_time_s'])} |"
            )
        lines.append("")
        for e in entries:
            if e["verdict"] == "not-yet-checked":
                continue
            lines += _claim_details(e)
    from .families import SECTIONS

    for section in SECTIONS:
        lines += section(summary)
    if images:
        lines += ["## Plots", ""] + [f"![{Path(i).stem}]({i})" for i in images] + [""]
    return "\n".join(lines) + "\n"


def _mutation_score_lines(summary: dict) -> list[str]:
    muts = [(cid, e["mutation"]) for cid, e in summary["claims"].items() if (e.get("mutation") or {}).get("total")]
    if not muts:
        return []
    refuted = sum(m["refuted"] for _, m in muts)
    total = sum(m["total"] for _, m in muts)
    theorems = [
        cid
        for cid, e in summary["claims"].items()
        if e["kind"] in ("theorem", "derived")
        and e["verdict"] not in ("not-yet-checked",)
        and e["expected"] == "verified"
    ]
    without = [cid for cid in theorems if not (summary["claims"][cid].get("mutation") or {}).get("total")]
    lines = [f"**Mutation score**: {refuted}/{total} false variants refuted over {len(muts)} claims."]
    survivors = [f"`{cid}`: {s}" for cid, m in muts for s in m["survivors"]]
    if survivors:
        lines.append("Survivors (false variants the suite did NOT refute): " + "; ".join(survivors) + ".")
    if without:
        lines.append(
            f"Checked theorem claims with no mutation test in this run ({len(without)}): "
            + ", ".join(f"`{c}`" for c in without)
            + "."
        )
    weak = [cid for cid, e in summary["claims"].items() if (e.get("power") or {}).get("evidence") == "weak"]
    if weak:
        lines.append(
            "Weak evidence (a bound half as large would have passed on every example): "
            + ", ".join(f"`{c}`" for c in weak)
            + "."
        )
    return lines + [""]


def _proof_lines(e: dict) -> list[str]:
    out = []
    for pr in e.get("proofs", []):
        missing = f"; not rigorous: {pr['missing']}" if pr.get("missing") else ""
        out.append(f"  - **{pr['level']}** (`{pr['witness']}`), replay: `{pr['replay']}`{missing}")
    return out


def _claim_details(e: dict) -> list[str]:
    out = [f"### `{e['id']}` — {e['statement']}", ""]
    p = e.get("power") or {}
    sizes = ", ".join(f"{k} {lo}–{hi}" if lo != hi else f"{k} {lo}" for k, (lo, hi) in (e.get("sizes") or {}).items())
    out.append(
        f"- evidence: {e['examples']['conclusive']} conclusive examples from "
        f"{e.get('distinct_instances', '–')} distinct instances"
        + (f" ({sizes})" if sizes else "")
        + f"; power {power_cell(e)} ({p.get('evidence', '–')})"
        + (f", tightest on {p['tightness_instance']}" if p.get("tightness_instance") else "")
    )
    for covers in e.get("covers", []):
        out.append(f"- strategy covers: {covers}")
    if p.get("routes"):
        out.append(
            f"- routes compared: {'; '.join(p['routes'])}"
            + (f" ({p['undeclared_routes']} comparisons without declared routes)" if p.get("undeclared_routes") else "")
        )
    if p.get("sanity_checks"):
        out.append(f"- {p['sanity_checks']} labelled sanity checks (not counted as evidence)")
    for m in (e.get("mutation") or {}).get("mutants", []):
        out.append(
            f"- mutant `{m['mutant']}`: {'refuted' if m['outcome'] == 'passed' else 'NOT refuted'} (`{m['test']}`)"
        )
    for name, c in e["checks"].items():
        out.append(
            f"- check `{name}`: {c['count']} evaluations, {c['failed']} failed; tightest: observed "
            f"{_fmt(c['observed'], 6)} vs bound {_fmt(c['bound'], 6)} (tol {_fmt(c['tol'])}) on "
            f"{c['instance'] or '–'}"
        )
    for name, n in e["notes"].items():
        if n["min"] is not None:
            out.append(
                f"- measured `{name}` (not asserted): {n['count']} values, min {_fmt(n['min'])}, "
                f"mean {_fmt(n['mean'])}, max {_fmt(n['max'])}"
            )
        else:
            out.append(f"- measured `{name}` (not asserted): {n['count']} values, {n['true']} true")
    for reason, k in e["inconclusive_reasons"].items():
        out.append(f"- inconclusive ×{k}: {reason}")
    for w in e["witnesses"]:
        out.append(
            f"- witness `{w['name']}` ({'certified' if w['certified'] else 'NOT certified'}; "
            f"file `{w['path']}`): {w['instance']}; checks: {json.dumps(w['checks'], default=str)}"
        )
    for t in e["tests"]:
        out.append(f"- test `{t['nodeid']}`: {t['outcome']}")
    return out + [""]


def write_plots(summary: dict, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = []
    checked = [e for e in summary["claims"].values() if e["examples"]["tried"] > 0]
    if checked:
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(checked) + 1.2))
        names = [e["id"] for e in checked]
        conc = [e["examples"]["conclusive"] for e in checked]
        inc = [e["examples"]["inconclusive"] for e in checked]
        ax.barh(names, conc, label="conclusive", color="tab:blue")
        ax.barh(names, inc, left=conc, label="inconclusive", color="tab:orange")
        ax.set_xlabel("examples")
        ax.legend(loc="lower right")
        ax.set_title("Examples per claim")
        fig.tight_layout()
        fig.savefig(out / "examples.png", dpi=110)
        plt.close(fig)
        images.append("examples.png")

        path = _margins_plot(summary, out, plt)
        if path:
            images.append(path)
    from .families import PLOTS

    for plotter in PLOTS:
        images += plotter(summary, out, plt) or []
    return images


def _margins_plot(summary: dict, out: Path, plt) -> str | None:
    """One dot per checked claim on one page, grouped by paper: the worst margin in tolerances (left) and the
    tightness of the decisive inequality (right); failure cases and errata marked.  Per-check numbers stay in
    summary.json."""
    claims = [e for e in summary["claims"].values() if e["examples"]["tried"] > 0 or e["witnesses"]]
    if not claims:
        return None
    order = list(summary["papers"])
    claims.sort(key=lambda e: (order.index(e["paper"]) if e["paper"] in order else len(order), e["id"]))
    n = len(claims)
    fig, (ax, ax2) = plt.subplots(
        1, 2, figsize=(11, min(0.17 * n + 1.4, 16)), sharey=True, gridspec_kw={"width_ratios": [3, 2]}
    )
    style = {
        "verified": ("o", "tab:green"),
        "reproduced": ("s", "tab:blue"),
        "counterexample-found": ("X", "tab:purple"),
        "erratum": ("*", "tab:red"),
        "violated": ("D", "black"),
        "not-reproduced": ("D", "black"),
        "inconclusive": ("o", "tab:orange"),
    }
    for y, e in enumerate(claims):
        marker, color = style.get(e["verdict"], ("o", "grey"))
        w = e["worst"]
        x = w["normalized_margin"] if w else 1.0
        ax.scatter([max(min(x, 1e6), -1e6)], [y], marker=marker, color=color, s=28 if marker != "*" else 70)
        tight = (e.get("power") or {}).get("tightness")
        if tight is not None:
            ax2.scatter([tight], [y], marker=marker, color=color, s=28)
    ax.set_yticks(range(n), [e["id"] for e in claims], fontsize=6)
    ax.invert_yaxis()
    ax.axvline(0.0, color="k", lw=0.8)
    ax.axvline(1.0, color="grey", lw=0.5, ls=":")
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlabel("worst margin / tolerance (0: tolerance edge; < 0 violated)", fontsize=8)
    ax2.axvline(1.0, color="k", lw=0.8)
    ax2.axvline(0.5, color="tab:orange", lw=0.8, ls="--")
    ax2.set_xlim(0, 1.1)
    ax2.set_xlabel("tightness: observed / bound (< 0.5: weak evidence)", fontsize=8)
    prev = None
    for y, e in enumerate(claims):
        if e["paper"] != prev and y:
            for a in (ax, ax2):
                a.axhline(y - 0.5, color="grey", lw=0.5)
        prev = e["paper"]
    handles = [plt.Line2D([], [], marker=m, color=c, ls="", label=v) for v, (m, c) in style.items()]
    ax2.legend(handles=handles, fontsize=6, loc="lower left")
    fig.suptitle("Margins and tightness per claim, grouped by paper", fontsize=10)
    fig.tight_layout()
    fig.savefig(out / "margins.png", dpi=110)
    plt.close(fig)
    return "margins.png"


def compare(current: dict, baseline: dict) -> list[str]:
    """Human-readable differences: verdicts that flipped and worst margins that moved by more than 10 %."""
    lines = []
    for cid, e in current["claims"].items():
        b = baseline.get("claims", {}).get(cid)
        if b is None:
            lines.append(f"{cid}: new claim, verdict {e['verdict']}")
            continue
        if e["verdict"] != b["verdict"]:
            lines.append(f"{cid}: verdict {b['verdict']} -> {e['verdict']}")
        wn = e["worst"]["normalized_margin"] if e["worst"] else None
        bn = b["worst"]["normalized_margin"] if b.get("worst") else None
        if wn is not None and bn is not None and abs(wn - bn) > 0.1 * max(abs(bn), 1.0):
            lines.append(f"{cid}: worst margin/tol {_fmt(bn)} -> {_fmt(wn)} ({e['worst']['check']})")
        if e["examples"]["inconclusive"] != b["examples"]["inconclusive"] and e["examples"]["tried"]:
            lines.append(f"{cid}: inconclusive {b['examples']['inconclusive']} -> {e['examples']['inconclusive']}")
    for cid in baseline.get("claims", {}):
        if cid not in current["claims"]:
            lines.append(f"{cid}: no longer registered")
    return lines
