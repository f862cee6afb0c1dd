"""What every numerical route returns: a value, the solver's status, and whether the value can be trusted."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RouteResult:
    """Outcome of one route (solver, optimizer, closed form).

    ``ok`` is False whenever the route cannot vouch for ``value`` (solver status not optimal, optimizer not
    converged, ill-conditioned input); callers must then treat the example as inconclusive, never as a pass.
    """

    value: float
    status: str
    ok: bool
    route: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]
