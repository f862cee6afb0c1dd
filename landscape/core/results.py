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


def solve_cvxpy(prob, solver: str, *needed, failed_value: float = float("nan"), **options) -> RouteResult | None:
    """Solve a CVXPY problem with ``solver``.  Returns the failed route (``ok=False``, so the caller's example is
    inconclusive) when the solver raises, its status is not optimal, or one of the ``needed`` variables has no
    value; returns None when the solution may be read."""
    import cvxpy as cp

    route = f"cvxpy/{solver}"
    try:
        prob.solve(solver=solver, **options)
    except cp.error.SolverError as exc:
        return RouteResult(failed_value, f"solver error: {exc}", False, route=route)
    status = str(prob.status)
    if status != cp.OPTIMAL or any(v.value is None for v in needed):
        return RouteResult(failed_value, status, False, route=route)
    return None
