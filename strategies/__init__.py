"""Hypothesis strategies of the claim suite: instances built inside (or deliberately outside) each theorem's
assumptions by construction, returned with what is known about them."""

from __future__ import annotations

import math

from hypothesis import settings


def budget(cost: float = 1.0, floor: int = 6) -> settings:
    """Settings scaling the active profile's ``max_examples`` by ``cost`` (below 1 for expensive families).

    Evaluated when a test module is imported, i.e. after the profile was loaded.  ``floor`` keeps enough
    examples for the recorder's minimum of conclusive examples (5 under ``ci``) plus a little room.
    """
    base = settings.default.max_examples
    return settings(max_examples=max(floor, int(math.ceil(base * cost))))
