"""What every numerical route returns: a value, the solver's status, and whether the value can be trusted."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# Named certificate checks, in the manner of CVXPY's solver test helpers: each is a non-negative residual that a
# certified route drives to (about) zero.  Routes may add their own names; these are the shared vocabulary.
PRIMAL_FEASIBILITY = "primal feasibility"
DUAL_FEASIBILITY = "dual feasibility"
COMPLEMENTARITY = "complementarity"
STATIONARITY = "stationarity"
OBJECTIVE = "objective"  # |reported objective - objective re-evaluated at the returned point|
CERTIFICATE_CHECKS = (PRIMAL_FEASIBILITY, DUAL_FEASIBILITY, COMPLEMENTARITY, STATIONARITY, OBJECTIVE)


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
    checks: dict[str, float] = field(default_factory=dict)  # certificate residuals by name (see CERTIFICATE_CHECKS)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    @classmethod
    def failed(cls, route: str, status: str, value: float = float("nan"), **data: Any) -> RouteResult:
        """A route that cannot vouch for any value (its example becomes inconclusive)."""
        return cls(value, status, False, route=route, data=dict(data))

    def with_checks(self, residuals: Mapping[str, float]) -> RouteResult:
        """A copy with these certificate residuals added; a non-finite residual makes the result not ok."""
        merged = {**self.checks, **{k: float(v) for k, v in residuals.items()}}
        bad = sorted(k for k, v in merged.items() if not math.isfinite(v))
        if bad:
            return replace(self, checks=merged, ok=False, status=f"{self.status}; non-finite {', '.join(bad)}")
        return replace(self, checks=merged)

    def worst_check(self, tolerances: Mapping[str, float]) -> tuple[str, float]:
        """The certificate check with the largest residual relative to its tolerance, and that ratio
        (at most 1 when every check passes).  Every check must have a tolerance: a residual nobody bounds is a bug."""
        missing = sorted(set(self.checks) - set(tolerances))
        if missing:
            raise ValueError(f"tolerances: no tolerance for certificate checks {missing}")
        if not self.checks:
            raise ValueError("worst_check: this route recorded no certificate checks")
        ratios = {
            k: (v / tolerances[k] if tolerances[k] > 0 else (0.0 if v <= 0 else math.inf))
            for k, v in self.checks.items()
        }
        name = max(ratios, key=lambda k: ratios[k])
        return name, ratios[name]

    def certified(self, tolerances: Mapping[str, float]) -> bool:
        """ok, and every certificate residual within its tolerance."""
        return self.ok and bool(self.checks) and self.worst_check(tolerances)[1] <= 1.0


def solve_cvxpy(prob, solver: str, *needed, failed_value: float = float("nan"), **options) -> RouteResult | None:
    """Solve a CVXPY problem with ``solver``.  Returns the failed route (``ok=False``, so the caller's example is
    inconclusive) when the solver raises, its status is not optimal, or one of the ``needed`` variables has no
    value; returns None when the solution may be read."""
    import cvxpy as cp

    route = f"cvxpy/{solver}"
    try:
        prob.solve(solver=solver, **options)
    except cp.error.SolverError as exc:
        return RouteResult.failed(route, f"solver error: {exc}", failed_value)
    status = str(prob.status)
    if status != cp.OPTIMAL or any(v.value is None for v in needed):
        return RouteResult.failed(route, status, failed_value)
    return None
