"""Report section of the deep linear results of Wang, Ergen, Pilanci (ICLR 2023): Table 1 with the suite's own
verdicts beside the paper's marks, the summary row of Theorem 1, and the duality gap of standard deep linear nets
against depth and against the spread of the singular values of ``X^+ Y``.

The tests write their measurements as notes (keys below); this module only reads ``summary.json``.
"""

from __future__ import annotations

from collections import defaultdict

# note keys written by theorems/wang2023/checks/linear/
GAP_NOTE = "relative duality gap 1 - D/P (after optimizing t)"
GAP_T_NOTE = "relative duality gap 1 - D(t)/P(t) (scale-t subproblem)"
TABLE_NOTE = "table1 cell"
STAIR_NOTE = "stair D[s](t) / D[0](t)"

GAP_CLAIMS = (
    "wang2023.thm3.gap",
    "wang2023.thm1",
    "wang2023.thm3.unequal-implies-gap",
    "wang2023.thm3.no-gap-iff-rank-one",
)

# Table 1 of the paper: columns (activation, depth), rows (architecture, source); True = duality gap
# characterized in that work.  The suite's evidence for each of this paper's cells is the claim(s) listed.
COLUMNS = (("linear", "L=2"), ("linear", "L=3"), ("linear", "L>3"), ("ReLU", "L=2"), ("ReLU", "L=3"), ("ReLU", "L>3"))
PAPER_ROWS = {
    ("standard", "previous work"): (True, False, False, True, False, False),
    ("standard", "this paper"): (True, True, True, True, False, False),
    ("parallel", "previous work"): (True, True, True, True, True, False),
    ("parallel", "this paper"): (True, True, True, True, True, True),
}
# which registered claims carry this paper's cells (ReLU cells are checked by another family of tests)
EVIDENCE = {
    ("standard", ("linear", "L=2")): ("wang2023.table1",),
    ("standard", ("linear", "L=3")): ("wang2023.thm3", "wang2023.thm3.gap"),
    ("standard", ("linear", "L>3")): ("wang2023.thm3", "wang2023.thm3.gap"),
    ("standard", ("ReLU", "L=2")): ("pilanci2020.two-layer",),
    ("standard", ("ReLU", "L=3")): ("wang2023.thm5",),  # rank-one data only: the paper leaves the cell open
    ("parallel", ("linear", "L=2")): ("wang2023.table1",),
    ("parallel", ("linear", "L=3")): ("wang2023.thm4",),
    ("parallel", ("linear", "L>3")): ("wang2023.thm4",),
    ("parallel", ("ReLU", "L=2")): ("pilanci2020.two-layer",),
    ("parallel", ("ReLU", "L=3")): ("wang2023.thm6",),
    ("parallel", ("ReLU", "L>3")): ("wang2023.thm6",),
}
THM1_PARTS = (
    ("(i) standard nets, L >= 3: a gap exists", ("wang2023.thm3.gap", "wang2023.thm3")),
    ("(ii) parallel linear nets: no gap", ("wang2023.thm4", "wang2023.prop4", "wang2023.prop1")),
    ("(ii) parallel ReLU nets: no gap", ("wang2023.thm6",)),
)
LINEAR_CLAIMS = (
    "wang2023.prop1",
    "wang2023.prop2",
    "wang2023.thm2",
    "wang2023.thm3",
    "wang2023.prop3",
    "wang2023.prop4",
    "wang2023.thm4",
    "wang2023.prop8",
    "wang2023.prop9",
)


def _verdict(summary: dict, cid: str) -> str:
    e = summary["claims"].get(cid)
    return e["verdict"] if e else "unregistered"


def _values(summary: dict, claims, key: str) -> list[dict]:
    out = []
    for cid in claims:
        note = summary["claims"].get(cid, {}).get("notes", {}).get(key)
        for v in (note or {}).get("values", []):
            if isinstance(v.get("value"), (int, float)) and "L" in v:
                out.append(dict(v, claim=cid))
    return out


def _cells(summary: dict) -> dict[tuple[str, str], list[dict]]:
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for v in _values(summary, ("wang2023.table1",), TABLE_NOTE):
        cells[(str(v.get("architecture")), str(v.get("column")))].append(v)
    return cells


def table1_lines(summary: dict) -> list[str]:
    mark = {True: "✓", False: "✗"}
    lines = [
        "### Table 1 of the paper, with this run's verdicts",
        "",
        "Paper: ✓ = duality gap characterized, ✗ = open.  Suite: what this run measured on its own instances "
        "(linear cells: certified values on a fixed instance, `wang2023.table1`) and the verdicts of the claims "
        "behind the cell.",
        "",
        "| architecture | source | " + " | ".join(f"{a} {L}" for a, L in COLUMNS) + " |",
        "|---|---|" + "---|" * len(COLUMNS),
    ]
    for (arch, src), row in PAPER_ROWS.items():
        lines.append(f"| {arch} | {src} (paper) | " + " | ".join(mark[x] for x in row) + " |")
    cells = _cells(summary)
    for arch in ("standard", "parallel"):
        out = []
        for col in COLUMNS:
            found = cells.get((arch, f"{col[0]} {col[1]}"), [])
            measured = ""
            if found:
                gaps = [float(v["gap"]) for v in found if isinstance(v.get("gap"), (int, float))]
                zero = all(bool(v.get("zero_gap")) for v in found)
                measured = "P = D" if zero else f"P > D (relative gap {max(gaps):.3g})" if gaps else "P > D"
            ids = EVIDENCE.get((arch, col), ())
            verdicts = ", ".join(f"{_verdict(summary, c)}" for c in ids)
            out.append("; ".join(x for x in (measured, verdicts) if x) or "–")
        lines.append(f"| {arch} | **this suite** | " + " | ".join(out) + " |")
    return lines + [""]


def thm1_lines(summary: dict) -> list[str]:
    lines = [
        f"### Theorem 1 (summary claim `wang2023.thm1`: {_verdict(summary, 'wang2023.thm1')})",
        "",
        "| part | claims behind it | verdicts |",
        "|---|---|---|",
    ]
    for part, ids in THM1_PARTS:
        lines.append(
            f"| {part} | {', '.join(f'`{c}`' for c in ids)} | {', '.join(_verdict(summary, c) for c in ids)} |"
        )
    return lines + [""]


def gap_lines(summary: dict) -> list[str]:
    pts = _values(summary, GAP_CLAIMS, GAP_NOTE)
    if not pts:
        return []
    per_L = defaultdict(list)
    for v in pts:
        per_L[int(v["L"])].append(v)
    lines = [
        "### Duality gap of standard deep linear nets against depth",
        "",
        "Relative gap `1 - D/P` after optimizing the scale t, certified: P from the closed form attained by "
        "explicit factors, D from a bi-dual feasible point (upper bound).",
        "",
        "| L | examples | smallest | largest | largest at spread sigma_1/sigma_r | rank one or L = 2 (must be 0) |",
        "|---|---|---|---|---|---|",
    ]
    for L in sorted(per_L):
        vs = per_L[L]
        multi = [v for v in vs if v.get("rank", 2) >= 2 and L >= 3]
        one = [v for v in vs if v.get("rank", 2) == 1 or L == 2]
        zero = f"{max(abs(v['value']) for v in one):.2g}" if one else "–"
        if multi:
            top = max(multi, key=lambda v: v["value"])
            spread = f"{top['spread']:.3g}" if isinstance(top.get("spread"), (int, float)) else "–"
            lines.append(
                f"| {L} | {len(vs)} | {min(v['value'] for v in multi):.4g} | {top['value']:.4g} | {spread} | {zero} |"
            )
        else:
            lines.append(f"| {L} | {len(vs)} | – | – | – | {zero} |")
    return lines + [""]


def stair_lines(summary: dict) -> list[str]:
    pts = _values(summary, ("wang2023.prop9", "wang2023.prop8"), STAIR_NOTE)
    if not pts:
        return []
    per = defaultdict(list)
    for v in pts:
        per[(int(v["L"]), int(v.get("s", -1)))].append(v["value"])
    lines = [
        "### Stairs of partial duals (Prop. 9): D[s](t) / D[0](t), mean over the run's instances",
        "",
        "| L | " + " | ".join(f"s={s}" for s in range(5)) + " |",
        "|---|" + "---|" * 5,
    ]
    for L in sorted({k[0] for k in per}):
        row = []
        for s in range(5):
            vals = per.get((L, s))
            row.append(f"{sum(vals) / len(vals):.4g}" if vals else "")
        lines.append(f"| {L} | " + " | ".join(row) + " |")
    return lines + [""]


def wang_linear_section(summary: dict) -> list[str]:
    if not any(
        summary["claims"].get(c, {}).get("examples", {}).get("tried")
        for c in LINEAR_CLAIMS + GAP_CLAIMS + ("wang2023.table1",)
    ):
        return []
    lines = ["## Wang, Ergen, Pilanci 2023: deep linear networks", ""]
    findings = [
        e
        for cid, e in summary["claims"].items()
        if cid.startswith("wang2023.") and e["verdict"] in ("erratum", "violated", "not-reproduced")
    ]
    if findings:
        lines += ["Findings: " + "; ".join(f"`{e['id']}` {e['verdict']} ({e['statement']})" for e in findings), ""]
    return lines + thm1_lines(summary) + table1_lines(summary) + gap_lines(summary) + stair_lines(summary)


SWEEP_CLAIM = "wang2023.thm3.gap"


def _gap_points(summary: dict) -> tuple[list[dict], list[dict]]:
    """(the deterministic sweep's points, every other certified gap point with rank >= 2)."""
    pts = _values(summary, GAP_CLAIMS, GAP_NOTE)
    sweep = [v for v in pts if v["claim"] == SWEEP_CLAIM]
    other = [v for v in pts if v["claim"] != SWEEP_CLAIM and v.get("rank", 2) >= 2]
    return sweep, other


def _finish(ax, fig, out, fname: str, xlabel: str) -> list[str]:
    ax.set_xlabel(xlabel)
    ax.set_ylabel("relative duality gap 1 - D/P (after optimizing t)")
    ax.set_title("Standard deep linear nets: certified duality gap")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(out / fname, dpi=110)
    return [fname]


def gap_vs_depth_plot(summary: dict, out, plt) -> list[str]:
    sweep, other = _gap_points(summary)
    if not sweep and not other:
        return []
    fig, ax = plt.subplots(figsize=(7, 4.5))
    by = defaultdict(list)
    for v in sweep:
        by[float(v.get("spread", 1.0))].append(v)
    for spread in sorted(by):
        vs = sorted(by[spread], key=lambda v: v["L"])
        ax.plot(
            [v["L"] for v in vs],
            [v["value"] for v in vs],
            "o-",
            ms=4,
            label=f"sv (1, 1/{spread:g})" if spread != 1.0 else "sv (1, 1): equal",
        )
    if other:
        ax.plot(
            [v["L"] for v in other],
            [v["value"] for v in other],
            "x",
            color="0.55",
            ms=4,
            label="random instances, rank >= 2",
        )
    ax.set_xticks(sorted({int(v["L"]) for v in sweep + other}))
    try:
        return _finish(ax, fig, out, "wang_gap_vs_depth.png", "depth L")
    finally:
        plt.close(fig)


def gap_vs_spread_plot(summary: dict, out, plt) -> list[str]:
    sweep, other = _gap_points(summary)
    if not sweep and not other:
        return []
    fig, ax = plt.subplots(figsize=(7, 4.5))
    colors = {L: f"C{i}" for i, L in enumerate(sorted({int(v["L"]) for v in sweep + other}))}
    by = defaultdict(list)
    for v in sweep:
        by[int(v["L"])].append(v)
    for L in sorted(by):
        vs = sorted(by[L], key=lambda v: v["spread"])
        ax.plot(
            [v["spread"] for v in vs],
            [v["value"] for v in vs],
            "o-",
            ms=4,
            color=colors[L],
            label=f"L = {L}, rank 2 (sweep)",
        )
    for rank, marker in ((2, "x"), (3, "^")):
        pts = [v for v in other if v.get("rank") == rank and "spread" in v]
        for L in sorted({int(v["L"]) for v in pts}):
            sel = [v for v in pts if int(v["L"]) == L]
            ax.plot(
                [v["spread"] for v in sel],
                [v["value"] for v in sel],
                marker,
                ms=4,
                color=colors[L],
                mfc="none",
                label=f"L = {L}, rank {rank} (random)",
            )
    ax.set_xscale("log")
    try:
        return _finish(
            ax, fig, out, "wang_gap_vs_spread.png", "spread sigma_1 / sigma_r of the singular values of X^+ Y"
        )
    finally:
        plt.close(fig)


SECTIONS = [wang_linear_section]
PLOTS = [gap_vs_depth_plot, gap_vs_spread_plot]
