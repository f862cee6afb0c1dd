"""``python -m reports new <paper>.<id>``: the skeleton of a new claim's test and the registry line to add.

    python -m reports new zhang2019.thm1.my-variant --statement "..." [--kind derived] [--expected verified]

writes ``theorems/<paper>/test_<id>.py`` (never over an existing file; ``--dir`` for another folder), prints the
``Claim(...)`` line for ``reports/registry.py`` and lists the strategies and oracle functions of the paper that the
test can reuse.  The skeleton fails (NotImplementedError) until its check is written; docs/new-claim.md walks
through the rest.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
from collections.abc import Sequence
from pathlib import Path

from .registry import EXPECTED, KINDS, PAPERS, REGISTRY

ROOT = Path(__file__).resolve().parents[1]

THEOREM = '''"""{title}: {statement}

Routes: TODO name the two independent routes this test compares (e.g. a closed form from landscape/{paper}/ and a
convex solver, an exact enumeration, or training from random starts).
"""

from __future__ import annotations

import pytest
from hypothesis import given

from strategies import budget

# reuse: strategies/{paper}/ (instances inside the assumptions), theorems/{paper}/checks.py (oracle functions)


@pytest.mark.claim("{claim_id}")
@budget(1.0)
@given(inst=...)  # TODO a strategy from strategies/{paper}/ that draws the whole class the assumptions allow
def test_{slug}(inst, record):
    # observed = ...   route A
    # bound = ...      route B, independent of route A
    # record.leq(observed, bound, tol=..., instance=inst, what="...")   tolerance from landscape/core/tolerances.py
    raise NotImplementedError("write the check of {claim_id} (docs/new-claim.md)")
'''

FAILURE_CASE = '''"""{title}: {statement}

A failure case: search for an instance that breaks the statement, then certify it by a second route and save it.
"""

from __future__ import annotations

import pytest
from hypothesis import find, settings, target

# reuse: strategies/{paper}/ (instances), theorems/{paper}/checks.py (oracle functions), landscape/{paper}/ (routes)


def breaks_the_statement(inst) -> bool:
    # ratio = ...  e.g. observed / bound by route A; target(ratio, label="...") steers the search
    raise NotImplementedError("say when an instance breaks {claim_id}")


@pytest.mark.claim("{claim_id}")
def test_{slug}(record):
    search = settings(max_examples=300, database=None, derandomize=True)  # found on every run, then shrunk
    inst = find(..., breaks_the_statement, settings=search)  # TODO a strategy from strategies/{paper}/
    checks = {{}}  # TODO the certificate: both sides by a second, independent route
    certified = False  # TODO True only when the checks prove the violation beyond the routes' accuracy
    record.witness("shrunk", {{}}, certified=certified, checks=checks, instance=inst)
'''


def _public_functions(path: Path) -> list[str]:
    if not path.exists():
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


def reusable(paper: str) -> dict[str, list[str]]:
    """Public functions of the paper's strategies and oracle modules, by file (read, not imported)."""
    found: dict[str, list[str]] = {}
    candidates = [ROOT / "strategies" / f"{paper}.py", *sorted((ROOT / "strategies" / paper).glob("*.py")),
                  ROOT / "theorems" / paper / "checks.py"]  # fmt: skip
    for path in candidates:
        names = _public_functions(path)
        if names:
            found[str(path.relative_to(ROOT))] = names
    return found


def registry_line(claim_id: str, paper: str, result: str, statement: str, kind: str, expected: str) -> str:
    const = {"zhang2019": "_Z", "survey": "_S", "wang2023": "_W", "kawaguchi2019": "_K", "liang2018": "_L"}
    args = [json.dumps(claim_id), const.get(paper, json.dumps(paper)), json.dumps(result), json.dumps(statement)]
    if kind != "theorem":
        args.append(f"kind={json.dumps(kind)}")
    if expected != "verified":
        args.append(f"expected={json.dumps(expected)}")
    return f"    Claim({', '.join(args)}),"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reports new", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("claim_id", help="<paper>.<id>, e.g. zhang2019.thm1.my-variant")
    ap.add_argument("--statement", default="TODO: what the claim asserts, in one line")
    ap.add_argument("--result", default=None, help="the paper's numbering, e.g. 'Theorem 1 (derived)'")
    ap.add_argument("--kind", default=None, choices=KINDS, help="default: derived (failure-case when expected is)")
    ap.add_argument("--expected", default="verified", choices=EXPECTED)
    ap.add_argument("--dir", default=None, help="folder of the new test file (default theorems/<paper>/)")
    args = ap.parse_args(argv)

    claim_id = args.claim_id
    paper, _, rest = claim_id.partition(".")
    if not rest or not re.fullmatch(r"[a-z0-9]+(\.[a-z0-9][a-z0-9.\-]*)+", claim_id):
        ap.error(f"{claim_id!r}: a claim id is <paper>.<id> in lower case (letters, digits, '.', '-')")
    if paper not in PAPERS:
        close = difflib.get_close_matches(paper, PAPERS, n=3)
        ap.error(
            f"unknown paper {paper!r} (reports/registry.py PAPERS)" + (f"; did you mean {close}?" if close else "")
        )
    if claim_id in REGISTRY:
        ap.error(f"{claim_id!r} is already registered")
    failure = args.expected in ("counterexample-found", "erratum")
    kind = args.kind or ("failure-case" if failure else "derived")
    slug = re.sub(r"[^a-z0-9]+", "_", rest).strip("_")
    folder = Path(args.dir) if args.dir else ROOT / "theorems" / paper
    path = folder / f"test_{slug}.py"
    if path.exists():
        ap.error(f"{path} exists; choose another id or --dir")
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "__init__.py").exists():
        (folder / "__init__.py").write_text("", encoding="utf-8")
    title = PAPERS[paper].split(" — ")[0] + f", {args.result or rest}"
    template = FAILURE_CASE if failure else THEOREM
    path.write_text(template.format(title=title, statement=args.statement, paper=paper, claim_id=claim_id,
                                    slug=slug), encoding="utf-8")  # fmt: skip
    result = args.result or f"{rest} (derived)"
    print(f"wrote {path}")
    print("add this line to reports/registry.py (in the block of the paper):")
    print(registry_line(claim_id, paper, result, args.statement, kind, args.expected))
    uses = reusable(paper)
    if uses:
        print("reusable building blocks:")
        for file, names in uses.items():
            print(f"  {file}: {', '.join(names)}")
    print(f"then: pytest theorems/ --claim {claim_id}")
    return 0
