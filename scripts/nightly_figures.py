"""Measure the nightly profile: per family (or per pytest-split shard) wall time, examples per second, conclusive
share and the volume of the JSON-line records, as a JSON file and a Markdown table for the README.

    python scripts/nightly_figures.py --families zhang2019 wang2023 --limit 900   # one family after another
    python scripts/nightly_figures.py --shards 1 2 4 --limit 900                   # each N: its groups in turn
    python scripts/nightly_figures.py --families zhang2019 --profile ci            # the same figures for ci
    python scripts/nightly_figures.py --estimate        # nightly time per family from .test_durations (no run)
    python scripts/nightly_figures.py --from-run reports/out/nightly   # per-family figures of a finished run

Every run gets its own report folder under ``--out`` (default ``reports/out/figures``); a run that hits ``--limit``
seconds is killed and measured from the records it left (marked ``killed``).  Extra pytest arguments follow ``--``
(e.g. ``-- -n 2``).  The numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports.plugin import NIGHTLY_BUDGET_S  # noqa: E402 - after the path set-up above
from reports.summary import build_summary, read_records  # noqa: E402


def measure(name: str, pytest_args: list[str], out: Path, limit: float, profile: str) -> dict:
    """Run pytest with ``pytest_args`` under ``profile`` into ``out/name``; figures from its records."""
    report_dir = out / name
    cmd = [sys.executable, "-m", "pytest", *pytest_args, f"--hypothesis-profile={profile}", "-q", "-p",
           "no:randomly", "--report-dir", str(report_dir), "--no-plots"]  # fmt: skip
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    killed = False
    try:
        output, _ = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)  # the run's own process group (pytest and its xdist workers)
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
        killed = True
    wall = time.monotonic() - start
    records_dir = report_dir / "records"
    records = read_records(records_dir) if records_dir.is_dir() else []
    summary = build_summary(records)
    claims = [e for e in summary["claims"].values() if e["verdict"] != "not-yet-checked" or e["examples"]["tried"]]
    tried = sum(e["examples"]["tried"] for e in claims)
    conclusive = sum(e["examples"]["conclusive"] for e in claims)
    volume = sum(p.stat().st_size for p in records_dir.glob("*.jsonl")) if records_dir.is_dir() else 0
    tail = output.strip().splitlines()[-1] if output.strip() else ""
    return {
        "name": name, "args": pytest_args, "profile": profile, "wall_s": round(wall, 1), "killed": killed,
        "exit": proc.returncode, "examples": tried, "conclusive": conclusive,
        "examples_per_s": round(tried / wall, 2) if wall else None,
        "conclusive_share": round(conclusive / tried, 3) if tried else None,
        "records_bytes": volume, "records_lines": len(records),
        "bytes_per_1000_examples": round(1000 * volume / tried) if tried else None,
        "unexpected": summary["regressions"], "missing": summary["missing"], "pytest": tail,
    }  # fmt: skip


def table(rows: list[dict]) -> str:
    head = ("| run | wall s | examples | examples/s | conclusive share | records MB | bytes / 1,000 examples | "
            "unexpected verdicts |\n|---|---|---|---|---|---|---|---|")  # fmt: skip
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r['name']}{' (killed at the limit)' if r['killed'] else ''} | {r['wall_s']} | {r['examples']} | "
            f"{r['examples_per_s']} | {r['conclusive_share']} | {r['records_bytes'] / 1e6:.2f} | "
            f"{r['bytes_per_1000_examples']} | {', '.join(r['unexpected']) or '–'} |"
        )
    return "\n".join(lines)


def hypothesis_tests() -> set[str]:
    """Node ids (file::function) of the tests under theorems/ that Hypothesis drives (decorated with ``given``)."""
    import ast

    found = set()
    for path in sorted((ROOT / "theorems").rglob("test_*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and any(
                "given" in ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list
            ):
                found.add(f"{path.relative_to(ROOT).as_posix()}::{node.name}")
    return found


def estimate(durations_path: Path, scale: float, shard_limit_s: float, budget_s: float = 0.0) -> str:
    """Nightly wall time per family from measured (ci) durations: a Hypothesis test's examples scale by ``scale``
    (nightly / ci max_examples), capped as the plugin caps them at ``budget_s`` per test (0: no cap; ci examples
    taken as 25, the ci profile's count); a test without ``given`` (a construction, a fixed search) does not scale."""
    from reports.plugin import nightly_examples

    durations = json.loads(durations_path.read_text(encoding="utf-8"))
    given = hypothesis_tests()
    fam: dict[str, list[float]] = {}
    longest: dict[str, tuple[float, str]] = {}
    for node, secs in durations.items():
        if not node.startswith("theorems/"):
            continue
        base = node.split("[", 1)[0]
        if base in given:
            ci_examples = 25
            est = secs / ci_examples * nightly_examples(int(ci_examples * scale), secs, budget_s)
        else:
            est = secs
        family = node.split("/")[1]
        fam.setdefault(family, [0.0, 0.0])
        fam[family][0] += secs
        fam[family][1] += est
        if est > longest.get(family, (0.0, ""))[0]:
            longest[family] = (est, node.split("::", 1)[1])
    total = sum(v[1] for v in fam.values())
    lines = ["| family | measured (ci) s | estimated nightly s | longest test (estimated s) |", "|---|---|---|---|"]
    for family, (ci_s, est_s) in sorted(fam.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"| {family} | {ci_s:.0f} | {est_s:.0f} | {longest[family][1]} ({longest[family][0]:.0f}) |")
    top = max(v[0] for v in longest.values())
    lines += [
        "",
        f"estimated nightly total: {total / 3600:.1f} h on one core; {total / 7200:.1f} h on 2 cores (xdist);",
        f"shards of <= {shard_limit_s / 60:.0f} min: at least {math.ceil(total / shard_limit_s)} (pytest-split); "
        f"the longest single test alone takes {top / 60:.0f} min (a test is not split across shards)",
    ]
    return "\n".join(lines)


def per_family(run_dir: Path) -> str:
    """Figures per family (folder of theorems/) of one finished run (its summary.json and records): test time (the
    sum of its tests' durations, core-seconds under xdist), examples, examples per core-second, conclusive share;
    then the run's wall time and the records' volume per 1,000 examples."""
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    fam: dict[str, list[float]] = {}
    capped: dict[str, int] = {}
    for entry in summary["claims"].values():
        # a family is a folder of theorems/ (the witness re-checks of a claim count with the claim's own folder)
        folders = [t["nodeid"].split("/")[1] for t in entry["tests"] if t["nodeid"].startswith("theorems/")]
        family = next((f for f in folders if f != "witnesses"), folders[0] if folders else entry["paper"])
        f = fam.setdefault(family, [0.0, 0, 0, 0])
        f[0] += entry["wall_time_s"] or 0.0
        f[1] += entry["examples"]["tried"]
        f[2] += entry["examples"]["conclusive"]
        f[3] += entry["examples"]["inconclusive"]
        capped[family] = capped.get(family, 0) + sum("max_examples" in t for t in entry["tests"])
    lines = [
        "| family | test time, core-s | examples | examples per core-s | conclusive share | inconclusive | "
        "tests capped by the budget |",
        "|---|---|---|---|---|---|---|",
    ]
    for family, (secs, tried, concl, inc) in sorted(fam.items(), key=lambda kv: -kv[1][0]):
        if not tried and not secs:
            continue
        rate = f"{tried / secs:.1f}" if secs else "–"
        share = f"{concl / tried:.3f}" if tried else "–"
        lines.append(f"| {family} | {secs:.0f} | {tried:,} | {rate} | {share} | {inc} | {capped.get(family, 0)} |")
    run = summary["run"]
    tried = sum(f[1] for f in fam.values())
    volume = sum(p.stat().st_size for p in (run_dir / "records").glob("*.jsonl"))
    lines += [
        "",
        f"run: profile {run['profile']}, wall {run.get('duration_s') or 0:.0f} s, exit status {run.get('exitstatus')}, "
        f"test time {sum(f[0] for f in fam.values()):.0f} core-s, {tried:,} examples; records {volume / 1e6:.1f} MB "
        f"({1000 * volume / max(tried, 1) / 1e6:.2f} MB per 1,000 examples); verdicts: "
        + ", ".join(f"{v} {n}" for v, n in summary["totals"].items() if n)
        + (f"; unexpected: {', '.join(summary['regressions'])}" if summary["regressions"] else "; none unexpected"),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        extra, argv = argv[argv.index("--") + 1 :], argv[: argv.index("--")]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", nargs="*", default=None, help="theorems/<family> folders, one run each")
    ap.add_argument("--shards", nargs="*", type=int, default=None, help="shard counts N: groups 1..N in turn")
    ap.add_argument("--profile", default="nightly")
    ap.add_argument("--limit", type=float, default=900.0, help="seconds per run before it is killed")
    ap.add_argument("--out", default="reports/out/figures")
    ap.add_argument("--estimate", action="store_true", help="only estimate nightly times from .test_durations")
    ap.add_argument("--scale", type=float, default=100.0, help="nightly / ci examples per Hypothesis test")
    ap.add_argument("--budget", type=float, default=NIGHTLY_BUDGET_S, help="nightly seconds per test (0: no cap)")
    ap.add_argument("--from-run", default=None, help="only print per-family figures of a finished run's report dir")
    args = ap.parse_args(argv)
    if args.from_run:
        print(per_family(Path(args.from_run)))
        return 0
    if args.estimate:
        print(estimate(ROOT / ".test_durations", args.scale, 15 * 60, args.budget))
        return 0
    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    if args.families is not None:
        families = args.families or sorted(
            p.name for p in (ROOT / "theorems").iterdir() if (p / "__init__.py").exists()
        )
        for fam in families:
            rows.append(measure(f"{args.profile}-{fam}", [f"theorems/{fam}", *extra], out, args.limit, args.profile))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    for n in args.shards or []:
        shard_rows = []
        for k in range(1, n + 1):
            split = ["theorems/", "--splits", str(n), "--group", str(k), "--durations-path", ".test_durations"]
            shard_rows.append(measure(f"{args.profile}-{n}shards-{k}", split + extra, out, args.limit, args.profile))
            print(table(shard_rows[-1:]).splitlines()[-1], flush=True)
        rows += shard_rows
        print(f"{n} shard(s): max shard {max(r['wall_s'] for r in shard_rows)} s, "
              f"sum {round(sum(r['wall_s'] for r in shard_rows), 1)} s", flush=True)  # fmt: skip
    (out / "figures.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    (out / "figures.md").write_text(table(rows) + "\n", encoding="utf-8")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
