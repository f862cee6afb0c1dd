"""Rigorous re-checks of the committed witnesses: exact arithmetic where the numbers are exact, ball arithmetic
where they are floating-point, so that an erratum or a counterexample is a proof anyone can replay.

``replay(path)`` loads one witness file (``reports/witnesses/<claim>__<name>.npz``), dispatches on its claim id
to the family's re-check and returns a :class:`Replay`: the steps of the proof (each one a fact decided with no
tolerance), the lemmas the steps rely on (stated in words in the family module's docstrings), what is not
rigorous (if anything), and the level reached.  ``python -m landscape.rigorous [files]`` prints the table.

Levels, strongest first: ``proved (exact)`` (every step in exact rational/algebraic arithmetic), ``proved
(interval)`` (some steps in ball arithmetic, every comparison decided by the enclosures), ``numerical`` (a part of
the certificate could not be made rigorous; ``missing`` says which).  A step that FAILS means the witness does not
survive the rigorous re-check (``Replay.rejected``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

PROVED_EXACT = "proved (exact)"
PROVED_INTERVAL = "proved (interval)"
NUMERICAL = "numerical"
LEVELS = (NUMERICAL, PROVED_INTERVAL, PROVED_EXACT)  # weakest first

WITNESS_DIR = Path(__file__).resolve().parents[2] / "reports" / "witnesses"


@dataclass
class Step:
    """One fact of a proof, decided rigorously; ``detail`` holds the numbers (exact values or enclosures)."""

    name: str
    holds: bool
    detail: str = ""


@dataclass
class Replay:
    witness: str  # file name
    claim: str
    arithmetic: str  # "exact" or "interval"
    steps: list = field(default_factory=list)
    lemmas: list = field(default_factory=list)
    missing: str = ""  # what is not rigorous ("" when nothing)
    statement: str = ""  # what the replay proves, in words
    seconds: float = 0.0

    def check(self, name: str, holds: bool, detail: str = "") -> bool:
        self.steps.append(Step(name, bool(holds), detail))
        return bool(holds)

    @property
    def rejected(self) -> bool:
        """Some step failed: the witness does not survive the rigorous re-check."""
        return any(not s.holds for s in self.steps)

    @property
    def proved(self) -> bool:
        return bool(self.steps) and not self.rejected and not self.missing

    @property
    def level(self) -> str:
        if self.proved:
            return PROVED_EXACT if self.arithmetic == "exact" else PROVED_INTERVAL
        return NUMERICAL

    def failures(self) -> list:
        return [s for s in self.steps if not s.holds]

    def as_dict(self, path: str | Path | None = None) -> dict:
        """A JSON-ready record of the replay (what ``python -m landscape.rigorous --json`` prints)."""
        return {
            "witness": self.witness,
            "claim": self.claim,
            "level": self.level,
            "arithmetic": self.arithmetic,
            "rejected": self.rejected,
            "statement": self.statement,
            "missing": self.missing,
            "lemmas": list(self.lemmas),
            "seconds": round(self.seconds, 4),
            "replay": replay_command(path if path is not None else WITNESS_DIR / self.witness),
            "steps": [{"name": s.name, "holds": s.holds, "detail": s.detail} for s in self.steps],
        }

    def summary(self) -> str:
        bad = "; ".join(f"{s.name} [{s.detail}]" for s in self.failures())
        return (
            f"{self.witness}: {self.level}"
            + (f" REJECTED: {bad}" if bad else "")
            + (f" (missing: {self.missing})" if self.missing else "")
        )


def replay_command(path: str | Path) -> str:
    """The one shell command that replays the rigorous re-check of a committed witness."""
    p = Path(path)
    try:
        rel = p.resolve().relative_to(WITNESS_DIR.parents[1])
    except ValueError:
        rel = p
    return f"python -m landscape.rigorous {rel.as_posix()}"


def load(path: str | Path) -> dict:
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def claim_of(name: str) -> str:
    """The claim id a witness file belongs to (the part of its stem before ``__``)."""
    return Path(name).name.removesuffix(".npz").split("__", 1)[0]


def _families() -> Mapping[str, Callable]:
    from landscape.rigorous import kawaguchi2019, liang2018, multibranch, survey, wang2023, zhang2019

    table: dict = {}
    for module in (zhang2019, multibranch, wang2023, liang2018, survey, kawaguchi2019):
        table.update(module.REPLAYS)
    return table


def replay_arrays(name: str, arrays: Mapping) -> Replay:
    """Re-check witness arrays (as loaded from ``name``, or doctored by a meta-test) rigorously."""
    claim = claim_of(name)
    fn = _families().get(claim)
    start = time.perf_counter()
    if fn is None:
        out = Replay(Path(name).name, claim, "none", missing=f"no rigorous re-check is written for {claim}")
    else:
        out = fn(Path(name).name, dict(arrays))
    out.seconds = time.perf_counter() - start
    return out


def replay(path: str | Path) -> Replay:
    return replay_arrays(str(path), load(path))


def committed() -> list:
    """Every committed witness file, sorted."""
    return sorted(WITNESS_DIR.glob("*.npz"))
