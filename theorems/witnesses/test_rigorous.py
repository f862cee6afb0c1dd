"""Rigorous re-checks of every committed witness (``reports/witnesses/*.npz``): the errata and counterexamples of
Zhang et al. (2019), Wang et al. (2023), Liang et al. (2018), Kawaguchi et al. (2019) and the survey family (Du et
al. 2019, Ergen & Pilanci 2019) replayed in exact arithmetic (SymPy / python-flint ``fmpq``, floats recognized as
the rationals and square roots they round) or in ball arithmetic (python-flint ``arb``), so that no step of a
witness's certificate rests on a tolerance.

Each witness is one test, declared for the witness's own claim; it records the proof level reached ("proved
(exact)", "proved (interval)" or "numerical", with what is missing) and the command that replays it, and it fails
when any step of the rigorous re-check fails (the witness would be a rounding artefact).  The proofs themselves
live in ``landscape.rigorous`` (one module per family, lemmas stated in their docstrings).
"""

from __future__ import annotations

import pytest

from landscape.rigorous import claim_of, committed, replay, replay_command

WITNESSES = committed()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            p,
            marks=pytest.mark.claim(
                claim_of(p.name), covers=f"committed witness {p.name}, re-checked in exact/interval arithmetic"
            ),
            id=p.stem,
        )
        for p in WITNESSES
    ],
)
def test_committed_witness_survives_a_rigorous_recheck(path, record):
    r = replay(path)
    record.note(
        "proof level",
        r.level,
        instance=r.witness,
        extra={
            "witness": r.witness,
            "replay": replay_command(path),
            "missing": r.missing,
            "arithmetic": r.arithmetic,
            "seconds": round(r.seconds, 4),
        },
    )
    failed = [f"{s.name} [{s.detail}]" for s in r.failures()]
    record.holds(
        not r.rejected,
        instance=r.witness,
        what=f"rigorous re-check ({r.arithmetic} arithmetic, {len(r.steps)} steps): {r.statement}",
        extra={
            "failed_steps": failed,
            "lemmas": r.lemmas,
            "missing": r.missing,
            "steps": [f"{'ok' if s.holds else 'FAIL'} {s.name} {s.detail}".strip() for s in r.steps],
        },
    )
