"""Command line: rebuild report.md and plots from summary.json, or compare a run with a baseline.

    python -m reports                              # reports/out/summary.json -> reports/out/report.md + PNGs
    python -m reports --summary S.json --out DIR   # another summary or output folder
    python -m reports --records reports/out/records  # rebuild summary.json first from a run's raw records
    python -m reports --compare reports/baseline/summary.json   # print what changed; exit 1 on a new regression
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .render import compare, write_report
from .summary import build_summary, read_records, write_summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reports", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--summary", default="reports/out/summary.json", help="summary.json to read")
    ap.add_argument("--out", default=None, help="output folder (default: the summary's folder)")
    ap.add_argument("--records", default=None, help="rebuild the summary from this folder of *.jsonl records")
    ap.add_argument("--compare", default=None, metavar="BASELINE", help="baseline summary.json to compare with")
    ap.add_argument("--no-plots", action="store_true")
    args = ap.parse_args(argv)

    summary_path = Path(args.summary)
    out = Path(args.out) if args.out else summary_path.parent
    if args.records:
        summary = build_summary(read_records(args.records))
        summary_path = write_summary(summary, out)
    else:
        if not summary_path.exists():
            ap.error(f"{summary_path} does not exist: run `pytest theorems/` first, or pass --records")
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    report = write_report(summary, out, plots=not args.no_plots)
    print(f"wrote {report} from {summary_path}")
    if args.compare:
        baseline = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        diffs = compare(summary, baseline)
        print("\n".join(diffs) if diffs else "no change against the baseline")
        return 1 if summary.get("regressions") else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
