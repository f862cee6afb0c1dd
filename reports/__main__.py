"""Command line: rebuild report.md and plots from summary.json, merge shards, gate against a baseline, scaffold.

    python -m reports                              # reports/out/summary.json -> reports/out/report.md + PNGs
    python -m reports --summary S.json --out DIR   # another summary or output folder
    python -m reports --records reports/out/records  # rebuild summary.json first from a run's raw records
    python -m reports --records shard-1/records shard-2/records --out merged   # merge shards' records
    python -m reports --compare reports/baseline/summary.json   # the regression gate: exit 1 on a regression
    python -m reports new zhang2019.thm1.my-variant   # write a skeleton claim test, print the registry line

The gate (``reports/gate.py``) prints a Markdown table; ``--gate-md FILE`` also writes it to FILE (a CI job
appends it to its step summary).  ``--partial`` compares only the claims the run checked (``pytest --claim``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .gate import gate, markdown
from .render import compare, write_report
from .summary import build_summary, read_records, write_summary


def merge_records(dirs: Sequence[str | Path]) -> tuple[list[dict], list[str]]:
    """The records of several record folders (the shards of one run) and one line per folder on its state.

    A shard whose records hold no session-end line was killed or is still running: its finished checks count
    (records are appended per check), and the claims it left unfinished appear in the summary's ``missing``."""
    records: list[dict] = []
    status: list[str] = []
    for d in dirs:
        path = Path(d)
        if path.is_dir() and not list(path.glob("*.jsonl")) and (path / "records").is_dir():
            path = path / "records"  # a shard's report folder was given instead of its records folder
        if not path.is_dir():
            status.append(f"{d}: MISSING (no such folder: the shard did not run or its artifact was lost)")
            continue
        recs = read_records(path)
        sessions = [r for r in recs if r.get("type") == "session"]
        tests = {r.get("test") for r in recs if r.get("type") == "collected"}
        if not sessions:
            state = "NOT FINISHED (no session end: killed or still running)"
        else:
            s = sessions[-1]
            state = f"finished, exit status {s.get('exitstatus')}, {s.get('duration_s')} s"
        status.append(f"{d}: {len(recs)} records, {len(tests)} tests collected; {state}")
        records.extend(recs)
    return records, status


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["new"]:
        from .scaffold import main as new_main

        return new_main(argv[1:])
    ap = argparse.ArgumentParser(
        prog="python -m reports", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--summary", default="reports/out/summary.json", help="summary.json to read")
    ap.add_argument("--out", default=None, help="output folder (default: the summary's folder)")
    ap.add_argument(
        "--records",
        nargs="+",
        default=None,
        metavar="DIR",
        help="rebuild the summary from these folders of *.jsonl records (several: the shards of a run)",
    )
    ap.add_argument("--compare", default=None, metavar="BASELINE", help="baseline summary.json to gate against")
    ap.add_argument(
        "--partial", action="store_true", help="with --compare: claims this run did not check are not regressions"
    )
    ap.add_argument("--gate-md", default=None, metavar="FILE", help="with --compare: also write the table here")
    ap.add_argument("--no-plots", action="store_true")
    args = ap.parse_args(argv)

    summary_path = Path(args.summary)
    out = Path(args.out) if args.out else summary_path.parent
    if args.records:
        records, status = merge_records(args.records)
        if len(args.records) > 1 or any("NOT FINISHED" in s or "MISSING" in s for s in status):
            print("record folders:\n  " + "\n  ".join(status))
        summary = build_summary(records)
        summary_path = write_summary(summary, out)
        if summary.get("missing"):
            print(f"claims collected but not finished: {', '.join(summary['missing'])}")
    else:
        if not summary_path.exists():
            ap.error(f"{summary_path} does not exist: run `pytest theorems/` first, or pass --records")
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    report = write_report(summary, out, plots=not args.no_plots)
    print(f"wrote {report} from {summary_path}")
    if not args.compare:
        return 0
    baseline = json.loads(Path(args.compare).read_text(encoding="utf-8"))
    result = gate(summary, baseline, partial=args.partial)
    text = markdown(result, baseline_name=f"`{args.compare}`")
    diffs = compare(summary, baseline)
    print(text)
    print("All changes:\n" + ("\n".join(f"- {d}" for d in diffs) if diffs else "- none"))
    if args.gate_md:
        Path(args.gate_md).parent.mkdir(parents=True, exist_ok=True)
        Path(args.gate_md).write_text(text + "\n", encoding="utf-8")
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
