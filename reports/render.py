"""Render a run's ``summary.json`` as ``report.md`` with PNG plots, and compare two summaries."""
from __future__ import annotations

import json
import math
from pathlib import Path

VERDICT_MARK = {
    "verified": "verified", "counterexample-found": "counterexample found", "erratum": "ERRATUM",
    "reproduced": "reproduced", "violated": "VIOLATED", "not-reproduced": "NOT REPRODUCED",
    "inconclusive": "inconclusive", "not-yet-checked": "not yet checked",
}


def _fmt(x, digits=3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        if not math.isfinite(x):
            return str(x)
        return f"{x:.{digits}g}"
    return str(x)




def verdict_table_lines(summary: dict, only_checked: bool = False) -> list[str]:
    rows = [("claim", "verdict", "tried", "concl.", "inconcl.", "worst margin/tol (check)", "time s")]
    for cid, e in summary["claims"].items():
        if only_checked and e["verdict"] == "not-yet-checked":
            continue
        ex = e["examples"]
        worst = e["worst"]
        rows.append((cid, VERDICT_MARK[e["verdict"]] + (" (!)" if e["regression"] else ""), str(ex["tried"]),
                     str(ex["conclusive"]), str(ex["inconclusive"]),
                     f"{_fmt(worst['normalized_margin'])} ({worst['check']})" if worst else "–",
                     _fmt(e["wall_time_s"])))
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


def render_markdown(summary: dict, images: list[str] = ()) -> str:
    run = summary["run"]
    lines = ["# Claim verification report", ""]
    lines.append(f"Profile `{run.get('profile')}`, {_fmt(run.get('duration_s'))} s, exit status "
                 f"{run.get('exitstatus')}" + (" — **the run was interrupted**" if run.get("interrupted") else "")
                 + f"; a theorem needs at least {run.get('min_conclusive')} conclusive examples.")
    lines.append("")
    lines.append("Totals: " + ", ".join(f"{VERDICT_MARK[v]}: {n}" for v, n in summary["totals"].items() if n))
    if summary.get("missing"):
        lines += ["", "**Missing** (tests collected but not finished): " + ", ".join(summary["missing"])]
    if summary.get("regressions"):
        lines += ["", "**Unexpected verdicts** (differ from the registry's expectation): "
                  + ", ".join(summary["regressions"])]
    lines += ["", "*Worst margin/tol* is the tightest check's margin in units of its tolerance: 1 means the "
              "observed value equals the bound (or both routes agree exactly), 0 that it sits at the tolerance "
              "edge, below 0 a violation; large values mean room to spare.", ""]
    errata = [summary["claims"][c] for c in summary.get("errata", [])]
    if errata:
        lines += ["## Errata", ""]
        for e in errata:
            lines.append(f"- `{e['id']}` ({e['result']}): {e['statement']}")
            for w in e["witnesses"]:
                lines.append(f"  - witness `{w['name']}` ({w['path']}): {w['instance']}; checks {w['checks']}")
        lines.append("")
    found = [e for e in summary["claims"].values() if e["verdict"] == "counterexample-found"]
    if found:
        lines += ["## Counterexamples found and certified", ""]
        for e in found:
            lines.append(f"- `{e['id']}` ({e['result']}): {e['statement']}")
            for w in e["witnesses"]:
                if w["certified"] and w["refutes"]:
                    lines.append(f"  - witness `{w['name']}` (`{w['path']}`): {w['instance']}; checks "
                                 f"{json.dumps(w['checks'], default=str)}")
        lines.append("")
    for paper, title in summary["papers"].items():
        entries = [e for e in summary["claims"].values() if e["paper"] == paper]
        lines += [f"## {title}", "",
                  "| claim | result | kind | verdict | tried | conclusive | inconclusive | worst margin/tol (check) "
                  "| time s |", "|---|---|---|---|---|---|---|---|---|"]
        for e in entries:
            ex, w = e["examples"], e["worst"]
            worst = f"{_fmt(w['normalized_margin'])} ({w['check']})" if w else "–"
            lines.append(f"| `{e['id']}` | {e['result']} | {e['kind']} | {VERDICT_MARK[e['verdict']]}"
                         f"{' (unexpected)' if e['regression'] else ''} | {ex['tried']} | {ex['conclusive']} | "
                         f"{ex['inconclusive']} | {worst} | {_fmt(e['wall_time_s'])} |")
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


def _claim_details(e: dict) -> list[str]:
    out = [f"### `{e['id']}` — {e['statement']}", ""]
    for name, c in e["checks"].items():
        out.append(f"- check `{name}`: {c['count']} evaluations, {c['failed']} failed; tightest: observed "
                   f"{_fmt(c['observed'], 6)} vs bound {_fmt(c['bound'], 6)} (tol {_fmt(c['tol'])}) on "
                   f"{c['instance'] or '–'}")
    for name, n in e["notes"].items():
        if n["min"] is not None:
            out.append(f"- measured `{name}` (not asserted): {n['count']} values, min {_fmt(n['min'])}, "
                       f"mean {_fmt(n['mean'])}, max {_fmt(n['max'])}")
        else:
            out.append(f"- measured `{name}` (not asserted): {n['count']} values, {n['true']} true")
    for reason, k in e["inconclusive_reasons"].items():
        out.append(f"- inconclusive ×{k}: {reason}")
    for w in e["witnesses"]:
        out.append(f"- witness `{w['name']}` ({'certified' if w['certified'] else 'NOT certified'}; "
                   f"file `{w['path']}`): {w['instance']}; checks: {json.dumps(w['checks'], default=str)}")
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

        rows = [(f"{e['id']}: {name}", c["worst_normalized_margin"])
                for e in checked for name, c in e["checks"].items() if c["worst_normalized_margin"] is not None]
        if rows:
            fig, ax = plt.subplots(figsize=(13, 0.28 * len(rows) + 1.6))
            vals = [max(min(v, 1e12), -1e12) for _, v in rows]
            ax.barh([r for r, _ in rows], vals, color=["tab:red" if v < 0 else "tab:green" for v in vals])
            ax.axvline(0.0, color="k", lw=1)
            ax.set_xscale("symlog", linthresh=1.0)
            ax.set_xlabel("worst margin in tolerances (0 = at the tolerance edge, < 0 violated)")
            ax.set_title("Tightest example per check")
            fig.tight_layout()
            fig.savefig(out / "margins.png", dpi=110)
            plt.close(fig)
            images.append("margins.png")
    from .families import PLOTS

    for plotter in PLOTS:
        images += plotter(summary, out, plt) or []
    return images


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
