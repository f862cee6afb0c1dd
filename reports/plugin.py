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

import os
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


def _claim_selected(claim: str, wanted: list[str]) -> bool:
    return any(claim == w or claim.startswith(w + ".") for w in wanted)


def pytest_collection_modifyitems(config, items):
    """``--claim ID``: keep only the tests (and mutation tests) of that claim and the claims below it."""
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


def pytest_collection_finish(session):
    """Runs after deselection (-k, -m), so only the tests that will run count as collected claims."""
    state = session.config.stash[STATE]
    for item in session.items:
        mutation = item.get_closest_marker("mutation")
        if mutation is not None:
            item.user_properties.append(("mutation", f"{mutation.args[0]}\t{mutation.args[1]}"))
        marker = item.get_closest_marker("claim")
        if marker is None:
            continue
        item.user_properties.append(("claim", marker.args[0]))
        state.sink.event(
            type="collected", claim=marker.args[0], test=item.nodeid, covers=str(marker.kwargs.get("covers", ""))
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
