"""The pytest plugin of the suite: Hypothesis profiles, the claim marker, the ``record`` fixture and the report.

Loaded by the top-level ``conftest.py`` (``pytest_plugins``); a separate run can load it with ``-p reports.plugin``.

Profiles (``--hypothesis-profile NAME`` or the environment variable ``CLAIMS_PROFILE``; default ``dev``):

=========  =============  ===========  ===================================================================
profile    max_examples   randomness   minimum conclusive examples a Hypothesis test must reach
=========  =============  ===========  ===================================================================
dev        10             random       3
ci         25             derandomized 5   (print_blob, no example database)
nightly    2500 (100x ci) random       100 (example database in .hypothesis/nightly)
=========  =============  ===========  ===================================================================

An expensive family scales its example budget with ``@strategies.budget(cost)``, a fraction of the profile's
``max_examples`` (never below the conclusive minimum).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from .database import example_database
from .records import JsonlSink, Recorder
from .registry import REGISTRY, lookup

PROFILE_ENV = "CLAIMS_PROFILE"
_COMMON: dict[str, Any] = dict(
    deadline=None,  # numerical routes (solvers, optimizers) have data-dependent run times; speed is benchmarked
    # the recorder is function-scoped on purpose: it spans all examples of one test
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
PROFILES = {
    "dev": dict(max_examples=10, **_COMMON),
    "ci": dict(max_examples=25, derandomize=True, print_blob=True, database=None, **_COMMON),
    # print_blob: a failure found at night prints the @reproduce_failure blob beside the replay command
    "nightly": dict(max_examples=2500, print_blob=True, database=example_database(".hypothesis/nightly"), **_COMMON),
}
MIN_CONCLUSIVE = {"dev": 3, "ci": 5, "nightly": 100}
# The nightly profile runs 100x the ci examples of a test, but no more than fit its time budget: measured from the
# committed ci durations (.test_durations, re-measured by `nox -s durations`), 100x the examples of every test would
# take about 5 hours on one core, four single tests 17-24 minutes each.  With a budget of 90 s per test the whole
# profile is estimated at under 60 minutes on 2 cores (docs/nightly.md); 0 (CLAIMS_NIGHTLY_BUDGET_S=0) runs the
# full 100x.  A capped test still runs NIGHTLY_FLOOR examples: the nightly conclusive minimum (100) and room for a
# third of them being inconclusive.
NIGHTLY_SCALE = 100  # nightly max_examples / ci max_examples (PROFILES)
NIGHTLY_BUDGET_S = 90.0
NIGHTLY_FLOOR = 150
DURATIONS_FILE = ".test_durations"

for _name, _kw in PROFILES.items():
    settings.register_profile(_name, **_kw)
settings.load_profile(os.environ.get(PROFILE_ENV, "dev"))


@dataclass
class _State:
    out_dir: Path
    records_dir: Path
    witness_dir: Path
    sink: JsonlSink
    profile: str
    min_conclusive: int
    controller: bool
    started: float = field(default_factory=time.time)
    summary: dict | None = None
    nightly_caps: dict[str, int] = field(default_factory=dict)  # test node id -> capped max_examples (nightly)


STATE = pytest.StashKey[_State]()
CALL_REPORT = pytest.StashKey[pytest.TestReport]()


def pytest_addoption(parser):
    group = parser.getgroup("claims", "claim verification suite")
    group.addoption(
        "--report-dir",
        default=os.environ.get("CLAIMS_REPORT_DIR", "reports/out"),
        help="where the run's records, summary.json, report.md and plots go (default reports/out)",
    )
    group.addoption("--no-plots", action="store_true", default=False, help="write summary and Markdown only")
    group.addoption(
        "--nightly-budget",
        type=float,
        default=float(os.environ.get("CLAIMS_NIGHTLY_BUDGET_S", NIGHTLY_BUDGET_S)),
        metavar="SECONDS",
        help="nightly profile: cap each Hypothesis test's examples at what fits this many seconds, estimated "
        f"from the ci durations in {DURATIONS_FILE} (default {NIGHTLY_BUDGET_S:g}; 0: no cap, 100x ci)",
    )
    group.addoption(
        "--claim",
        action="append",
        default=[],
        metavar="ID",
        help="run only the tests of this claim id (or of ids below it, e.g. zhang2019.thm1 also runs "
        "zhang2019.thm1.sharp); repeatable",
    )


def _profile_name(config) -> str:
    name = config.getoption("hypothesis_profile", None) or os.environ.get(PROFILE_ENV) or "dev"
    return name


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "claim(id, covers=''): the registered claim a test checks (reports/registry.py); "
        "covers says which members of the claim's assumptions its strategy draws",
    )
    config.addinivalue_line(
        "markers",
        "mutation(id, mutant): a meta-test that passes when the suite refutes a false "
        "variant (the mutant) of the registered claim id",
    )
    out_dir = Path(config.getoption("report_dir"))
    if not out_dir.is_absolute():
        out_dir = Path(config.rootpath) / out_dir
    records_dir = out_dir / "records"
    worker = getattr(config, "workerinput", None)
    controller = worker is None
    if controller and not config.option.collectonly:
        records_dir.mkdir(parents=True, exist_ok=True)
        for old in records_dir.glob("*.jsonl"):
            old.unlink()
        for old in (out_dir / "witnesses").glob("*.npz"):
            old.unlink()
    name = worker["workerid"] if worker else "main"
    profile = _profile_name(config)
    config.stash[STATE] = _State(
        out_dir=out_dir,
        records_dir=records_dir,
        witness_dir=out_dir / "witnesses",
        sink=JsonlSink(records_dir / f"{name}.jsonl"),
        profile=profile,
        min_conclusive=MIN_CONCLUSIVE.get(profile, 1),
        controller=controller,
    )
    if controller and not config.option.collectonly:
        config.pluginmanager.register(_RunReporter(config, config.stash[STATE]), "claims-run-reporter")


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """An unknown claim id, or a test under theorems/ with none, is a collection error naming close matches."""
    result = yield
    items = result if isinstance(result, list) else [result] if result is not None else []
    in_theorems = "theorems" in Path(str(collector.path)).parts
    for item in items:
        if not isinstance(item, pytest.Function):
            continue
        mutation = item.get_closest_marker("mutation")
        if mutation is not None:
            if len(mutation.args) != 2:
                raise collector.CollectError(
                    f"{item.name}: @pytest.mark.mutation takes a claim id and a description of the mutant"
                )
            try:
                lookup(mutation.args[0])
            except ValueError as exc:
                raise collector.CollectError(f"{item.name}: {exc}") from None
        marker = item.get_closest_marker("claim")
        if marker is None:
            if in_theorems or "record" in getattr(item, "fixturenames", ()):
                raise collector.CollectError(f"{item.name} declares no claim: add @pytest.mark.claim('<id>')")
            continue
        if len(marker.args) != 1:
            raise collector.CollectError(f"{item.name}: @pytest.mark.claim takes exactly one claim id")
        try:
            lookup(marker.args[0])
        except ValueError as exc:
            raise collector.CollectError(f"{item.name}: {exc}") from None
    return result


def nightly_examples(max_examples: int, ci_seconds: float, budget_s: float) -> int:
    """Examples a nightly test runs: its profile's ``max_examples`` (100x its ci count), capped at what fits
    ``budget_s`` at the per-example cost its ci run measured (``ci_seconds`` over max_examples / 100 examples; fixed
    set-up costs make that an overestimate, so the cap errs on the side of fewer), never below ``NIGHTLY_FLOOR``."""
    ci_examples = max(1, max_examples // NIGHTLY_SCALE)
    if budget_s <= 0 or ci_seconds <= 0:
        return max_examples
    fits = int(budget_s * ci_examples / ci_seconds)
    return min(max_examples, max(NIGHTLY_FLOOR, fits))


def _cap_nightly_examples(config, items) -> dict[str, int]:
    """Nightly: lower each Hypothesis test's ``max_examples`` to :func:`nightly_examples`; returns the caps by test.

    Hypothesis reads a test's settings when it runs, from the attribute its ``@given`` wrapper keeps them in (the
    pinned version's; ``tests/meta/test_plugin.py`` checks that a cap takes effect).  A parametrized function is
    one object for all its cases, so it is capped once, by its most expensive case."""
    budget = float(config.getoption("nightly_budget"))
    path = Path(config.rootpath) / DURATIONS_FILE
    if budget <= 0 or not path.exists():
        return {}
    import json

    durations = json.loads(path.read_text(encoding="utf-8"))
    by_function: dict[Any, list[Any]] = {}
    for item in items:
        fn = getattr(item, "obj", None)
        if getattr(fn, "is_hypothesis_test", False) and item.nodeid in durations:
            by_function.setdefault(fn, []).append(item)
    caps = {}
    for fn, fn_items in by_function.items():
        current = fn._hypothesis_internal_use_settings
        n = nightly_examples(current.max_examples, max(durations[i.nodeid] for i in fn_items), budget)
        if n < current.max_examples:
            fn._hypothesis_internal_use_settings = settings(current, max_examples=n)
            caps.update({i.nodeid: n for i in fn_items})
    return caps


def _claim_selected(claim: str, wanted: list[str]) -> bool:
    return any(claim == w or claim.startswith(w + ".") for w in wanted)


def pytest_collection_modifyitems(config, items):
    """``--claim ID``: keep only the tests (and mutation tests) of that claim and the claims below it; under the
    nightly profile, cap each test's examples at its time budget."""
    state = config.stash[STATE]
    if state.profile == "nightly":
        state.nightly_caps = _cap_nightly_examples(config, items)
    wanted = config.getoption("claim")
    if not wanted:
        return
    for w in wanted:
        lookup(w)  # an unknown id is an error naming close matches
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("claim") or item.get_closest_marker("mutation")
        (keep if marker is not None and _claim_selected(marker.args[0], wanted) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# Hypothesis draws a few percent of its choices from constants it finds in the project's loaded modules, and rescans
# sys.modules whenever it grows.  A module that some test imports lazily (the rigorous re-checks, the report writer)
# would change that pool for every test that runs after it: a derandomized ci run would then draw different examples
# depending on how pytest-xdist scheduled the tests (seen: one claim's figures moved 250x between two clean runs),
# and a one-claim replay different ones from the full run.  Importing every project module before the first test
# makes the pool the same for every test in every run.
PROJECT_PACKAGES = ("landscape", "strategies", "reports", "theorems")


def preload_project_modules() -> list[str]:
    """Import every module of the project's packages except test modules and ``__main__``; returns their names."""
    names = []
    for package in PROJECT_PACKAGES:
        try:
            root = importlib.import_module(package)
        except ModuleNotFoundError as exc:
            if exc.name != package:
                raise
            continue  # e.g. theorems/ when the plugin runs a throw-away suite outside this checkout
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            leaf = info.name.rsplit(".", 1)[-1]
            if leaf.startswith("test_") or leaf in ("__main__", "conftest"):
                continue
            importlib.import_module(info.name)
            names.append(info.name)
    return names


def pytest_collection_finish(session):
    """Runs after deselection (-k, -m), so only the tests that will run count as collected claims."""
    preload_project_modules()
    state = session.config.stash[STATE]
    for item in session.items:
        mutation = item.get_closest_marker("mutation")
        if mutation is not None:
            item.user_properties.append(("mutation", f"{mutation.args[0]}\t{mutation.args[1]}"))
        marker = item.get_closest_marker("claim")
        if marker is None:
            continue
        item.user_properties.append(("claim", marker.args[0]))
        extra = {"max_examples": state.nightly_caps[item.nodeid]} if item.nodeid in state.nightly_caps else {}
        state.sink.event(
            type="collected",
            claim=marker.args[0],
            test=item.nodeid,
            covers=str(marker.kwargs.get("covers", "")),
            hypothesis=bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False)),
            **extra,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report
    return report


@pytest.fixture
def record(request) -> Iterator[Recorder]:
    """The recorder for the claim this test declares; checks the conclusive-example floor when the test ends."""
    marker = request.node.get_closest_marker("claim")
    claim = marker.args[0]
    state = request.config.stash[STATE]
    replay = f"pytest '{request.node.nodeid}' --hypothesis-profile={state.profile}"
    rec = Recorder(claim, request.node.nodeid, state.sink, state.witness_dir, replay=replay, compact=True)
    yield rec
    rec.finish()
    report = request.node.stash.get(CALL_REPORT, None)
    if report is None or not report.passed or not getattr(request.function, "is_hypothesis_test", False):
        return
    if rec.conclusive < state.min_conclusive or rec.inconclusive_count > rec.conclusive:
        pytest.fail(
            f"[{claim}] only {rec.conclusive} conclusive of {len(rec.examples)} examples "
            f"({rec.inconclusive_count} inconclusive); profile {state.profile!r} needs at least "
            f"{state.min_conclusive} and a conclusive majority: the claim is NOT verified",
            pytrace=False,
        )


class _RunReporter:
    """Controller-side hooks: outcomes of every test, then the summary, the report and the terminal table."""

    def __init__(self, config, state: _State):
        self.config = config
        self.state = state

    def pytest_runtest_logreport(self, report):
        mutation = dict(report.user_properties).get("mutation")
        if mutation is not None and (report.when == "call" or report.failed):
            mclaim, mutant = mutation.split("\t", 1)
            self.state.sink.event(
                type="mutation", claim=mclaim, mutant=mutant, test=report.nodeid, outcome=report.outcome
            )
        claim = dict(report.user_properties).get("claim")
        if claim is not None:
            self.state.sink.event(
                type="outcome",
                claim=claim,
                test=report.nodeid,
                when=report.when,
                outcome=report.outcome,
                duration=report.duration,
            )

    def pytest_sessionfinish(self, session, exitstatus):
        from .render import write_report
        from .summary import build_summary, read_records, write_summary

        state = self.state
        now = time.time()
        state.sink.event(
            type="session",
            profile=state.profile,
            min_conclusive=state.min_conclusive,
            started=state.started,
            finished=now,
            duration_s=round(now - state.started, 3),
            exitstatus=int(exitstatus),
            interrupted=int(exitstatus) in (2, 3),
            nightly_budget_s=float(self.config.getoption("nightly_budget")) if state.profile == "nightly" else None,
            args=[str(a) for a in self.config.invocation_params.args],
            versions=_versions(),
        )
        try:
            summary = build_summary(read_records(state.records_dir))
            write_summary(summary, state.out_dir)
            write_report(summary, state.out_dir, plots=not self.config.getoption("no_plots"))
            state.summary = summary
        except Exception as exc:  # noqa: BLE001 - a broken report must not hide the test results
            state.summary = {"error": f"{type(exc).__name__}: {exc}"}

    def pytest_terminal_summary(self, terminalreporter):
        from .render import verdict_table_lines

        tr, summary = terminalreporter, self.state.summary
        if summary is None:
            return
        if "error" in summary:
            tr.write_sep("=", "claim report FAILED to build", red=True)
            tr.write_line(summary["error"])
            return
        tr.write_sep("=", "claim verdicts")
        for line in verdict_table_lines(summary, only_checked=True):
            tr.write_line(line)
        tr.write_line(", ".join(f"{v}: {n}" for v, n in summary["totals"].items() if n))
        if summary["missing"]:
            tr.write_line(f"missing (collected but not finished): {', '.join(summary['missing'])}", yellow=True)
        if summary["regressions"]:
            tr.write_line(f"unexpected verdicts: {', '.join(summary['regressions'])}", red=True)
        tr.write_line(f"report: {self.state.out_dir / 'report.md'}  summary: {self.state.out_dir / 'summary.json'}")


def _versions() -> dict:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for mod in ("numpy", "scipy", "torch", "cvxpy", "hypothesis"):
        m = sys.modules.get(mod)
        if m is not None:
            out[mod] = getattr(m, "__version__", "?")
    return out


__all__ = ["record", "PROFILES", "MIN_CONCLUSIVE", "REGISTRY"]
