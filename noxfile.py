"""Task runner: one session per way the suite is used (``nox -l`` lists them).

    nox -s lint          ruff check + ruff format --check
    nox -s types         mypy on landscape/ and reports/ (configuration in pyproject.toml)
    nox -s meta          the suite's own meta-tests (tests/) under the ci profile
    nox -s ci            the README's test command: every test under the ci profile on 2 workers
    nox -s gate          the regression gate of the last run against reports/baseline/summary.json
    nox -s nightly       every claim under the nightly profile (100x the ci examples), serially
    nox -s nightly -- -n auto                 ... on every core (pytest-xdist)
    nox -s nightly -- --splits 4 --group 2    ... one shard of four (pytest-split, committed .test_durations)
    nox -s bench         pytest-benchmark over benchmarks/bench_*.py
    nox -s report        python -m reports (rebuild report.md from reports/out/summary.json)
    nox -s durations     re-measure .test_durations for pytest-split (ci profile; pass a profile to change it)

Sessions run in the current environment (``pip install -e ".[test,dev]"`` first): the suite pins torch and
solvers whose installation a per-session virtual environment would repeat for nothing.
"""

from __future__ import annotations

import glob

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "types", "ci"]

DURATIONS = ".test_durations"
BASELINE = "reports/baseline/summary.json"


def _has(args: list[str], *flags: str) -> bool:
    return any(a == f or a.startswith(f + "=") for a in args for f in flags)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff's lint rules and its formatter, checked (nothing is rewritten); ``-- PATHS`` limits both to PATHS."""
    targets = session.posargs or ["."]
    session.run("ruff", "check", *targets)
    session.run("ruff", "format", "--check", *targets)


@nox.session
def types(session: nox.Session) -> None:
    """mypy on landscape/ and reports/ (files and overrides in pyproject.toml)."""
    session.run("mypy", *session.posargs)


@nox.session
def meta(session: nox.Session) -> None:
    """The meta-tests of the suite itself (strategies, recorder, registry, report, gate, workflows, database)."""
    session.run("python", "-m", "pytest", "tests/", "--hypothesis-profile=ci", *session.posargs)


@nox.session
def ci(session: nox.Session) -> None:
    """The README's test command."""
    session.run("python", "-m", "pytest", "--hypothesis-profile=ci", "-n", "2", *session.posargs)


@nox.session
def gate(session: nox.Session) -> None:
    """Exit 1 when the last run regressed against the committed baseline (``-- --summary S.json`` for another)."""
    session.run("python", "-m", "reports", "--no-plots", "--compare", BASELINE, *session.posargs)


@nox.session
def nightly(session: nox.Session) -> None:
    """The nightly profile over theorems/; ``-- --splits N --group K`` runs one shard, ``-- -n auto`` all cores.

    A shard writes its records to ``reports/out/nightly-K`` unless ``--report-dir`` is given, so the shards of one
    machine can be merged afterwards with ``python -m reports --records reports/out/nightly-*/records``."""
    args = list(session.posargs)
    if _has(args, "--splits"):
        if not _has(args, "--durations-path"):
            args += ["--durations-path", DURATIONS]
        if not _has(args, "--report-dir"):
            group = next(
                (
                    a.split("=", 1)[1] if "=" in a else args[i + 1]
                    for i, a in enumerate(args)
                    if a.split("=", 1)[0] == "--group"
                ),
                "all",
            )
            args += ["--report-dir", f"reports/out/nightly-{group}"]
    session.run("python", "-m", "pytest", "theorems/", "--hypothesis-profile=nightly", *args)


@nox.session
def bench(session: nox.Session) -> None:
    """Speed, measured (never asserted): every benchmarks/bench_*.py."""
    files = sorted(glob.glob("benchmarks/bench_*.py"))
    session.run(
        "python",
        "-m",
        "pytest",
        *files,
        "--report-dir=benchmarks/out/report",
        "--benchmark-json=benchmarks/out/benchmarks.json",
        *session.posargs,
    )


@nox.session
def report(session: nox.Session) -> None:
    """Rebuild report.md and the plots from reports/out/summary.json (``-- --records DIR...`` to merge shards)."""
    session.run("python", "-m", "reports", *session.posargs)


@nox.session
def durations(session: nox.Session) -> None:
    """Re-measure the per-test durations that pytest-split balances shards by (written to .test_durations).

    Measured under the ci profile by default (minutes, not a night): the shares of the Hypothesis tests scale
    alike under nightly; ``-- --hypothesis-profile=nightly`` measures the real thing."""
    args = list(session.posargs)
    if not _has(args, "--hypothesis-profile"):
        args.append("--hypothesis-profile=ci")
    session.run(
        "python",
        "-m",
        "pytest",
        "theorems/",
        "--store-durations",
        "--clean-durations",  # forget tests that no longer exist
        "--durations-path",
        DURATIONS,
        "--report-dir",
        "reports/out/durations",
        "--no-plots",
        *args,
    )
