"""``python -m landscape.rigorous [witness files]``: replay the rigorous re-check of each witness (every committed
witness when no file is named) and print one row per witness, then each proof's steps with ``-v``.

Exit status 0 when every witness is proved, 1 when some witness is only numerical, 2 when some witness FAILS its
rigorous re-check."""

from __future__ import annotations

import argparse
import json
import sys
import time

from landscape.rigorous import committed, replay, replay_command


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m landscape.rigorous", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="witness .npz files (default: every committed witness)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every step, lemma and statement")
    parser.add_argument("--json", action="store_true", help="print one JSON object per witness instead of the table")
    args = parser.parse_args(argv)
    files = args.files or [str(p) for p in committed()]
    start = time.perf_counter()
    results = [replay(f) for f in files]
    if args.json:
        print(json.dumps([r.as_dict(f) for f, r in zip(files, results)], indent=1))
        return 2 if any(r.rejected for r in results) else (1 if any(not r.proved for r in results) else 0)
    width = max(len(r.witness) for r in results) if results else 10
    print(f"{'witness':<{width}}  {'level':<18} {'steps':>5}  {'time':>7}  note")
    for f, r in zip(files, results):
        note = "REJECTED: " + "; ".join(s.name for s in r.failures()) if r.rejected else (r.missing or r.statement)
        print(f"{r.witness:<{width}}  {r.level:<18} {len(r.steps):>5}  {r.seconds:6.3f}s  {note}")
        if args.verbose:
            print(f"    claim: {r.claim}   replay: {replay_command(f)}")
            for s in r.steps:
                print(f"    [{'ok' if s.holds else 'FAIL'}] {s.name}" + (f"  ({s.detail})" if s.detail else ""))
            for lemma in r.lemmas:
                print(f"    lemma: {lemma}")
    print(f"{len(results)} witnesses in {time.perf_counter() - start:.2f} s")
    if any(r.rejected for r in results):
        return 2
    return 1 if any(not r.proved for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
