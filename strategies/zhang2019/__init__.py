"""Strategies of the Zhang, Shao, Salakhutdinov (2019) family: multi-branch networks (``multibranch``) and
Schatten-regularized deep linear networks (``deep_linear``)."""

from __future__ import annotations

from hypothesis import Phase, settings

from strategies import budget

# Hypothesis' target phase spends the last part of a small budget mutating the example with the best target score,
# which filled up to half of a claim's ci examples with near-copies of one instance.  Every strategy of this family
# draws its worst case explicitly (the tight families of the multi-branch strategies, balanced factorizations,
# ties, gamma at the threshold), so the family's claim tests run without that phase.
SPREAD_PHASES = tuple(p for p in Phase if p not in (Phase.target, Phase.explain))


def spread_budget(cost: float = 1.0) -> settings:
    """``strategies.budget(cost)`` without the target phase: examples stay distinct instances."""
    return settings(budget(cost), phases=SPREAD_PHASES)
