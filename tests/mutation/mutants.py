"""Shared driver of the mutation meta-tests: run a family's check function with one formula mutated (or one
assumption dropped) over the ``ci`` profile's example budget, and report whether the recorder refuted it."""

from __future__ import annotations

from hypothesis import Phase, given, settings

from reports.records import Recorder

CI = settings.get_profile("ci")


def refuted_under_ci_budget(strategy, check, **kwargs) -> str | None:
    """The recorder's AssertionError message if some example of ``strategy`` refutes ``check(example, record,
    **kwargs)`` within the ci budget (explicit, generate and target phases; no shrinking, to stay quick), else
    None."""
    rec = Recorder("mutant")

    @settings(CI, phases=[Phase.explicit, Phase.generate, Phase.target], max_examples=CI.max_examples)
    @given(inst=strategy)
    def probe(inst):
        check(inst, rec, **kwargs)

    try:
        probe()
    except AssertionError as exc:
        return str(exc)
    return None
