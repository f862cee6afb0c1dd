"""Records of a run: what each checked example showed, and the recorder that tests hand their outcomes to.

A test never compares the two sides of a claim with a bare ``assert``.  It hands them to a :class:`Recorder`,
which decides pass / fail / inconclusive, writes one JSON line per check (so an aborted run still leaves its
records behind), drives Hypothesis towards the worst case with ``hypothesis.target`` and raises a readable
``AssertionError`` on a violation.  ``reports.summary`` turns the JSON lines of a run into ``summary.json``.

Margins.  For a check ``observed <= bound`` with tolerance ``tol`` the *margin* is ``bound + tol - observed``
(negative: violated) and the *normalized margin* is the margin in units of the tolerance: 0 at the tolerance
edge, 1 when observed equals the bound, large when the claim holds with room to spare, below 0 a violation.
For an equality check ``a == b`` the observed value is ``|a - b|`` and the bound 0, so the normalized margin is
``1 - |a - b| / tol``.  Claim-specific ratios (such as a gap as a fraction of its bound) are recorded as notes.

Examples.  Inside Hypothesis one test case is one example, however many objects a test records on; outside it
(plain or parametrized tests) each new instance starts an example.  An example is conclusive only through an
*evidence* check: a check made with ``evidence=False`` is a labelled sanity check (it can fail the test, but never
makes an example count), and an example whose only records are notes or sanity checks is *unchecked*.

Routes.  Every comparison may name the two routes it compares (``routes=("closed form", "Clarabel dual")``); the
recorder refuses a comparison whose two routes are the same (a quantity compared with itself is not evidence).

Power.  The check that carries a claim's statement is marked ``decisive=True``; its ratios feed the claim's
tightness (inequalities: observed / bound) and detectable perturbation (identities: tolerance / size) in the
summary, and only decisive checks steer the Hypothesis search (``target``), so targeted search cannot fill a claim
with copies of one instance through every incidental check.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


class Inconclusive(Exception):
    """Raised by a recorder outside Hypothesis when an example cannot be decided."""


def describe(instance: Any) -> str:
    """One-line description of an instance: its ``summary()`` if it has one, else ``str``."""
    if instance is None:
        return ""
    summary = getattr(instance, "summary", None)
    text = summary() if callable(summary) else str(instance)
    return " ".join(text.split())[:400]


def _num(x: Any) -> float | None:
    """A JSON-safe number: non-finite values become None (JSON has no inf or NaN)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass
class CheckRecord:
    """One check of one example (one line of a records file)."""

    claim: str
    test: str
    example: int
    check: str
    status: str  # "pass" | "fail" | "inconclusive" | "note" | "witness"
    observed: float | None = None
    bound: float | None = None
    tol: float | None = None
    margin: float | None = None
    normalized_margin: float | None = None
    instance: str = ""
    reason: str = ""
    witness: str | None = None
    relation: str = ""  # "<=", ">=", "==", "allclose", "holds" (empty for notes, witnesses, inconclusive)
    routes: list[str] | None = None  # the two routes compared, when declared
    evidence: bool = True  # False: a labelled sanity check that never counts as evidence for the claim
    decisive: bool = False  # True: the check carrying the claim's statement (tightness, power, target)
    extra: dict = field(default_factory=dict)
    time: float = field(default_factory=time.time)
    type: str = "check"

    def to_json(self) -> str:
        """One compact line: fields at their defaults are left out, and the test is named by its short key
        (``test_key``; the run's ``collected`` events map keys back to node ids)."""
        payload = {k: v for k, v in asdict(self).items() if k in _ALWAYS or v != _DEFAULTS.get(k, _MISSING)}
        payload["test"] = test_key(self.test)
        if payload.get("time") is not None:
            payload["time"] = round(payload["time"], 3)
        return json.dumps(payload, default=_json_default, allow_nan=False)


_MISSING = object()
_ALWAYS = {"claim", "test", "example", "check", "status", "type"}
_DEFAULTS: dict[str, Any] = {
    "observed": None,
    "bound": None,
    "tol": None,
    "margin": None,
    "normalized_margin": None,
    "instance": "",
    "reason": "",
    "witness": None,
    "relation": "",
    "routes": None,
    "evidence": True,
    "decisive": False,
    "extra": {},
}


def test_key(nodeid: str) -> str:
    """A short stable key for a test node id (records name their test by it; 12 hex digits)."""
    if not nodeid:
        return ""
    return hashlib.blake2b(nodeid.encode("utf-8"), digest_size=6).hexdigest()


def _json_default(obj: Any):
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


class JsonlSink:
    """Appends JSON lines to a file, one per event, flushed at once (records survive a killed run)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    def event(self, **payload: Any) -> None:
        self.write(json.dumps(payload, default=_json_default, allow_nan=False))


class ListSink:
    """Keeps the lines in memory (meta-tests and standalone use)."""

    def __init__(self):
        self.lines: list[str] = []

    def write(self, line: str) -> None:
        self.lines.append(line)

    def event(self, **payload: Any) -> None:
        self.write(json.dumps(payload, default=_json_default, allow_nan=False))

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


STATUS_RANK = {"unchecked": 0, "pass": 1, "inconclusive": 2, "fail": 3}


def _check_routes(routes: Sequence[str] | None, what: str) -> list[str] | None:
    """The declared routes of a comparison: two non-empty names that differ (a self-comparison is refused)."""
    if routes is None:
        return None
    names = [str(r).strip() for r in routes]
    if len(names) != 2 or not all(names):
        raise ValueError(f"{what!r}: routes must name exactly two routes, got {routes!r}")
    if names[0].casefold() == names[1].casefold():
        raise ValueError(
            f"{what!r}: both sides come from the same route {names[0]!r}; a quantity compared with "
            "itself is not evidence"
        )
    return names


def _build_context() -> Any:
    """The current Hypothesis test case's build context, or None outside Hypothesis."""
    try:
        from hypothesis.control import _current_build_context
    except ImportError:  # pragma: no cover - hypothesis is a test dependency
        return None
    return _current_build_context.value


def _in_hypothesis() -> bool:
    try:
        from hypothesis import currently_in_test_context
    except ImportError:  # pragma: no cover - hypothesis is a test dependency
        return False
    return currently_in_test_context()


class Recorder:
    """Decides and records every check a test makes for one claim.

    ``claim`` is the registered id, ``test`` the pytest node id (used in the replay hint), ``sink`` receives the
    JSON lines, ``witness_dir`` is where certified counterexamples are saved.
    """

    def __init__(
        self,
        claim: str,
        test: str = "",
        sink: Any = None,
        witness_dir: str | os.PathLike | None = None,
        replay: str = "",
        compact: bool = False,
    ):
        self.claim = claim
        self.test = test
        self.sink = sink if sink is not None else ListSink()
        self.witness_dir = Path(witness_dir) if witness_dir is not None else None
        self.replay = replay
        self.examples: dict[int, str] = {}  # example index -> status (pass < inconclusive < fail)
        self.witnesses: list[str] = []
        self._last_key: tuple | None = None
        self._index = -1
        self._described: set[int] = set()
        # compact mode (long runs): a passing check is written only when it is the first of its name, a new worst
        # margin or a new tightest ratio; the others are counted, and each example ends with one 'example' line
        self.compact = compact
        self._worst: dict[str, float] = {}
        self._tightest: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}
        self._example_desc: dict[int, str] = {}

    # -- example bookkeeping -------------------------------------------------------------------------------
    def _example(self, instance: Any) -> int:
        """Index of the current example: the current Hypothesis test case, or (outside Hypothesis) the instance."""
        key: tuple
        context = _build_context()
        if context is not None:
            key = ("hypothesis", context)  # the context object itself is held, so its id cannot be reused
        else:
            key = ("instance", id(instance), describe(instance))
        if key != self._last_key:
            self._flush_example()
            self._last_key = key
            self._index += 1
            self.examples[self._index] = "unchecked"
            self._example_desc[self._index] = describe(instance)
        return self._index

    def _flush_example(self) -> None:
        if self.compact and self._index >= 0 and self._index in self._example_desc:
            desc = self._example_desc.pop(self._index)
            self.sink.event(
                type="example",
                claim=self.claim,
                test=test_key(self.test),
                example=self._index,
                status=self.examples[self._index],
                key=test_key(desc) if desc else "",
            )

    def finish(self) -> None:
        """End of the test (compact mode): write the last example's line and the counts of unwritten passes."""
        self._flush_example()
        if self.compact and self._suppressed:
            self.sink.event(
                type="suppressed", claim=self.claim, test=test_key(self.test), counts=dict(self._suppressed)
            )
            self._suppressed = {}

    def _mark(self, index: int, status: str) -> None:
        if STATUS_RANK[status] > STATUS_RANK[self.examples[index]]:
            self.examples[index] = status

    @property
    def conclusive(self) -> int:
        return sum(1 for s in self.examples.values() if s in ("pass", "fail"))

    @property
    def inconclusive_count(self) -> int:
        return sum(1 for s in self.examples.values() if s == "inconclusive")

    @property
    def unchecked_count(self) -> int:
        return sum(1 for s in self.examples.values() if s == "unchecked")

    def _emit(self, rec: CheckRecord) -> None:
        if self.compact and rec.status == "pass" and not self._worth_writing(rec):
            self._suppressed[rec.check] = self._suppressed.get(rec.check, 0) + 1
            return
        self._write(rec)

    def _worth_writing(self, rec: CheckRecord) -> bool:
        """First of its name, a new worst margin, or (decisive) a new tightest observed/bound ratio."""
        name, nm = rec.check, rec.normalized_margin
        first = name not in self._worst
        worse = nm is not None and nm < self._worst.get(name, math.inf)
        if first or worse:
            self._worst[name] = nm if nm is not None else self._worst.get(name, math.inf)
        ratio: float | None = None
        if rec.decisive and rec.observed is not None and rec.bound is not None:
            if rec.relation == "<=" and rec.bound > 0:
                ratio = rec.observed / rec.bound
            elif rec.relation == ">=" and rec.observed > 0:
                ratio = rec.bound / rec.observed
            elif rec.relation in ("==", "allclose") and rec.tol:
                a, b = rec.extra.get("a"), rec.extra.get("b")
                size = max(abs(a or 0.0), abs(b or 0.0))
                # an identity's power is the smallest relative perturbation detected: smaller is tighter
                ratio = -rec.tol / size if size > 0 else None
        tighter = ratio is not None and ratio > self._tightest.get(name, -math.inf)
        if ratio is not None and tighter:
            self._tightest[name] = ratio
        return first or worse or tighter

    def _write(self, rec: CheckRecord) -> None:
        # the instance is written once per example (and again with every failure and witness), so records stay
        # small in long runs; the summary restores it for the example's other checks
        # (an example is named by the first object recorded on, whichever of its checks is written first)
        if rec.example in self._described and rec.status not in ("fail", "witness"):
            rec.instance = ""
        elif rec.example not in self._described:
            if rec.status not in ("fail", "witness"):
                rec.instance = self._example_desc.get(rec.example, rec.instance)
            if rec.instance:
                self._described.add(rec.example)
        self.sink.write(rec.to_json())

    # -- checks --------------------------------------------------------------------------------------------
    def leq(
        self,
        observed: float,
        bound: float,
        *,
        tol: float,
        instance: Any = None,
        what: str = "bound",
        extra: Mapping | None = None,
        routes: Sequence[str] | None = None,
        evidence: bool = True,
        decisive: bool = False,
    ) -> float:
        """Assert ``observed <= bound + tol``; return the margin ``bound + tol - observed``."""
        return self._compare(what, observed, bound, tol, instance, extra, "<=", routes, evidence, decisive)

    def geq(
        self,
        observed: float,
        bound: float,
        *,
        tol: float,
        instance: Any = None,
        what: str = "bound",
        extra: Mapping | None = None,
        routes: Sequence[str] | None = None,
        evidence: bool = True,
        decisive: bool = False,
    ) -> float:
        """Assert ``observed >= bound - tol``; return the margin ``observed - bound + tol``."""
        return self._compare(what, observed, bound, tol, instance, extra, ">=", routes, evidence, decisive)

    def close(
        self,
        a: float,
        b: float,
        *,
        tol: float,
        instance: Any = None,
        what: str = "equal",
        extra: Mapping | None = None,
        routes: Sequence[str] | None = None,
        evidence: bool = True,
        decisive: bool = False,
    ) -> float:
        """Assert ``|a - b| <= tol``; return the margin ``tol - |a - b|``."""
        extra = dict(extra or {}, a=_num(a), b=_num(b))
        return self._compare(
            what, abs(float(a) - float(b)), 0.0, tol, instance, extra, "==", routes, evidence, decisive
        )

    def allclose(
        self,
        a: Any,
        b: Any,
        *,
        rtol: float,
        atol: float,
        instance: Any = None,
        what: str = "equal arrays",
        extra: Mapping | None = None,
        routes: Sequence[str] | None = None,
        evidence: bool = True,
        decisive: bool = False,
    ) -> float:
        """Assert ``|a - b| <= atol + rtol |b|`` entrywise (NumPy's convention, ``b`` the reference).

        Records the worst entry (largest excess over its tolerance) with its index; returns its margin."""
        __tracebackhide__ = True
        A, B = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if A.shape != B.shape:
            raise ValueError(f"allclose({what!r}): shapes differ, a{A.shape} vs b{B.shape}")
        rtol, atol = float(rtol), float(atol)
        if not (rtol >= 0 and atol >= 0 and math.isfinite(rtol) and math.isfinite(atol)):
            raise ValueError(f"allclose({what!r}): rtol and atol must be finite and >= 0, got {rtol!r}, {atol!r}")
        if A.size == 0:
            raise ValueError(f"allclose({what!r}): empty arrays compare nothing")
        if not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
            self._example(instance)
            self.inconclusive(f"{what}: non-finite entries", instance=instance)
        err = np.abs(A - B)
        allowed = atol + rtol * np.abs(B)
        flat = int(np.argmax(err - allowed))
        idx = tuple(int(i) for i in np.unravel_index(flat, A.shape))
        extra = dict(
            extra or {}, index=list(idx), a=float(A[idx]), b=float(B[idx]), shape=list(A.shape), rtol=rtol, atol=atol
        )
        return self._compare(
            what, float(err[idx]), 0.0, float(allowed[idx]), instance, extra, "allclose", routes, evidence, decisive
        )

    def holds(
        self,
        fact: bool,
        *,
        instance: Any = None,
        what: str = "holds",
        extra: Mapping | None = None,
        evidence: bool = True,
        decisive: bool = False,
    ) -> bool:
        """Assert a boolean fact (an exact count, a sign, a structural property); return it.

        ``decisive=True`` marks the fact that carries the claim's statement (an exact fact has no ratio, so it
        counts towards the claim's decisive checks without a tightness figure)."""
        __tracebackhide__ = True
        if not isinstance(fact, (bool, np.bool_)):
            raise ValueError(f"holds({what!r}) takes a bool, got {type(fact).__name__}")
        fact = bool(fact)
        index = self._example(instance)
        status = "pass" if fact else "fail"
        self._mark(index, status if evidence or status == "fail" else "unchecked")
        self._emit(
            CheckRecord(
                self.claim,
                self.test,
                index,
                what,
                status,
                observed=float(fact),
                bound=1.0,
                tol=0.0,
                instance=describe(instance),
                relation="holds",
                evidence=bool(evidence),
                decisive=bool(decisive),
                extra=dict(extra or {}),
            )
        )
        if not fact:
            raise AssertionError(
                f"[{self.claim}] {what}: does not hold; instance: {describe(instance)}"
                + (f"; replay: {self.replay}" if self.replay else "")
            )
        return fact

    def _compare(self, what, observed, bound, tol, instance, extra, relation, routes, evidence, decisive):
        __tracebackhide__ = True
        observed, bound, tol = float(observed), float(bound), float(tol)
        if not (tol >= 0 and math.isfinite(tol)):
            raise ValueError(f"tol must be finite and >= 0, got {tol!r}")
        route_names = _check_routes(routes, what)
        index = self._example(instance)
        if not (math.isfinite(observed) and math.isfinite(bound)):
            self.inconclusive(f"{what}: non-finite value (observed={observed}, bound={bound})", instance=instance)
        margin = (observed - bound + tol) if relation == ">=" else (bound + tol - observed)
        # margin in units of the tolerance: 1 = observed exactly at the bound (or a and b equal), 0 = at the
        # tolerance edge, < 0 violated; an exact check (tol = 0) measures in units of |bound|, or absolutely
        scale = tol if tol > 0 else (abs(bound) if bound != 0 else 1.0)
        normalized = margin / scale
        status = "pass" if margin >= 0 else "fail"
        self._mark(index, status if evidence or status == "fail" else "unchecked")
        self._emit(
            CheckRecord(
                self.claim,
                self.test,
                index,
                what,
                status,
                observed,
                bound,
                tol,
                _num(margin),
                _num(normalized),
                describe(instance),
                relation=relation,
                routes=route_names,
                evidence=bool(evidence),
                decisive=bool(decisive),
                extra=dict(extra or {}),
            )
        )
        if decisive:
            self.target(-normalized, what)  # drive the search towards the smallest margin of the claim's check
        if status == "fail":
            rel = {"<=": "<=", ">=": ">=", "==": "== (within tol)", "allclose": "== (entrywise, within tol)"}[relation]
            where = f" at index {extra.get('index')}" if relation == "allclose" else ""
            saved = self._save_failure(instance)
            raise AssertionError(
                f"[{self.claim}] {what}{where}: observed={observed:.10g}, but the claim requires {rel} {bound:.10g} "
                f"(tolerance {tol:.3g}, margin {margin:.3g}); instance: {describe(instance)}"
                + (f"; replay: {self.replay}" if self.replay else "")
                + (f"; instance saved to {saved}" if saved else "")
            )
        return margin

    def _save_failure(self, instance: Any) -> Path | None:
        """Save the numbers of a failing instance as ``<claim>__failure.npz`` beside the witnesses.

        Hypothesis replays the shrunk example last, so the file left behind holds the smallest failing instance;
        only plain numeric fields (arrays, numbers) of a dataclass or object are kept, never pickles."""
        if self.witness_dir is None or instance is None:
            return None
        fields = getattr(instance, "__dict__", None)
        if fields is None and hasattr(instance, "_asdict"):
            fields = instance._asdict()
        arrays: dict[str, np.ndarray] = {}
        for name, value in (fields or {}).items():
            try:
                arr = np.asarray(value)
            except Exception:  # noqa: BLE001 - a field numpy cannot take is simply not saved
                continue
            if arr.dtype.kind in "biuf" and arr.size <= 10**6:
                arrays[str(name)] = arr
        if not arrays:
            return None
        self.witness_dir.mkdir(parents=True, exist_ok=True)
        path = self.witness_dir / f"{self.claim}__failure.npz"
        np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as allow_pickle
        return path

    def note(self, what: str, value: Any, *, instance: Any = None, extra: Mapping | None = None) -> None:
        """Record a measured quantity that is reported but not asserted (e.g. 'best start reached optimum')."""
        index = self._example(instance)
        self._emit(
            CheckRecord(
                self.claim,
                self.test,
                index,
                what,
                "note",
                observed=_num(value) if isinstance(value, (int, float, np.number)) else None,
                instance=describe(instance),
                extra=dict(extra or {}, value=value),
            )
        )

    def target(self, value: float, label: str) -> None:
        """Steer the Hypothesis search towards large ``value`` (e.g. a gap as a fraction of its bound)."""
        if _in_hypothesis() and math.isfinite(float(value)):
            from hypothesis import target
            from hypothesis.errors import InvalidArgument

            try:
                target(float(value), label=f"{self.claim}:{label}")
            except InvalidArgument:
                pass

    def inconclusive(self, reason: str, *, instance: Any = None):
        """Record that this example cannot be decided, then reject it (never counts as a pass)."""
        index = self._example(instance)
        self._mark(index, "inconclusive")
        self._emit(
            CheckRecord(
                self.claim,
                self.test,
                index,
                "decidable",
                "inconclusive",
                instance=describe(instance),
                reason=str(reason)[:300],
            )
        )
        if _in_hypothesis():
            from hypothesis import reject

            reject()
        raise Inconclusive(reason)

    def require(self, result: Any, *, instance: Any = None, what: str = "solver"):
        """Pass ``result`` through when its ``ok`` flag is set; otherwise record the example as inconclusive."""
        if not getattr(result, "ok", False):
            self.inconclusive(f"{what}: {getattr(result, 'status', 'failed')}", instance=instance)
        return result

    def decide(self, fn: Callable[[], Any], *, instance: Any = None, what: str = "solver"):
        """Run a solver route; an exception from the solver becomes an inconclusive example, not a crash."""
        try:
            result = fn()
        except ValueError:
            raise  # malformed input is a bug in the test or strategy, not an undecidable example
        except Exception as exc:  # noqa: BLE001 - any solver exception is recorded with its type
            self.inconclusive(f"{what} raised {type(exc).__name__}: {exc}", instance=instance)
        return self.require(result, instance=instance, what=what)

    # -- witnesses -----------------------------------------------------------------------------------------
    def witness(
        self,
        name: str,
        arrays: Mapping[str, Any],
        *,
        certified: bool,
        checks: Mapping[str, Any],
        instance: Any = None,
        refutes: bool = True,
    ) -> Path | None:
        """Save a certified counterexample as ``.npz`` (no pickles) and record it.

        ``checks`` holds the verification numbers (certificate values); ``certified`` says whether they prove the
        witness.  An uncertified witness fails the test: a failure case passes only with a certificate.
        """
        __tracebackhide__ = True
        index = self._example(instance)
        path = None
        if self.witness_dir is not None:
            self.witness_dir.mkdir(parents=True, exist_ok=True)
            path = self.witness_dir / f"{self.claim}__{name}.npz"
            payload = {k: np.asarray(v) for k, v in arrays.items()}
            for k, v in payload.items():
                if v.dtype == object:
                    raise ValueError(f"witness array {k!r} has dtype object; witnesses hold plain numbers only")
            np.savez(path, **payload)  # type: ignore[arg-type]  # numpy's stub types **kwds as allow_pickle
            try:  # a path relative to the working directory keeps summaries comparable across checkouts
                path = path.resolve().relative_to(Path.cwd().resolve())
            except ValueError:
                pass
            self.witnesses.append(str(path))
        status = "witness" if certified else "fail"
        self._mark(index, "pass" if certified else "fail")
        self._emit(
            CheckRecord(
                self.claim,
                self.test,
                index,
                f"witness:{name}",
                status,
                instance=describe(instance),
                witness=str(path) if path else None,
                extra={"certified": bool(certified), "refutes": bool(refutes), "checks": dict(checks)},
            )
        )
        if not certified:
            raise AssertionError(
                f"[{self.claim}] witness {name!r} is not certified: {dict(checks)}; instance: {describe(instance)}"
            )
        return path
