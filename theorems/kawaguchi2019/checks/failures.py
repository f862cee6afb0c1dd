"""Failure cases of Kawaguchi et al. (2019), Theorem 1: the gap certificate at a bare point, witness arrays and
the certified search over seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape.kawaguchi2019 import tangent as kt
from landscape.kawaguchi2019 import tolerances as ktol
from landscape.kawaguchi2019.points import certify_point
from theorems.kawaguchi2019.checks.tangent_checks import tangent


# -- failure cases of Theorem 1 -------------------------------------------------------------------------------
def gap_certificate(net, X, Y, theta, weight_decay: float = 0.0, free=None) -> dict:
    """Numbers certifying ``L - J > 0``: the (B) lower bound ``|g|^2 / (2 s_max^2)`` (valid at every differentiable
    point whatever the rank cutoff, since J_0 <= J_tau) against its round-off, and the computed gap itself."""
    from landscape.kawaguchi2019.networks import kink_margin

    inst = BarePoint(net, X, Y, theta)
    t = tangent(inst)
    J = kt.J_lstsq(t.jac_auto, t.y, cond=t.cutoff / t.s_max) if t.s_max > 0 else 0.5 * float(t.y @ t.y)
    gn = float(np.linalg.norm(t.g))
    lower = gn**2 / (2 * t.s_max**2) if t.s_max > 0 else 0.0
    tol = ktol.identity_E(float(t.y @ t.y), float(t.r @ t.r), t.s_max / t.s[max(t.rank, 1) - 1], t.size)
    margin = kink_margin(net, theta, X)
    return {
        "L": t.L,
        "J": J,
        "L_minus_J": t.L - J,
        "grad_norm": gn,
        "s_max": t.s_max,
        "B_lower": lower,
        "roundoff": tol,
        "kink_margin": float(min(margin, 1e300)),
        "rank": t.rank,
        "certified": bool(
            lower > ktol.CERTIFY_FACTOR * tol and t.L - J > ktol.CERTIFY_FACTOR * tol and margin >= ktol.KINK_MARGIN
        ),
    }


@dataclass
class BarePoint:
    """A point of a landscape without the strategy's bookkeeping (failure-case witnesses, trained end points)."""

    net: object
    X: np.ndarray
    Y: np.ndarray
    theta: np.ndarray

    def summary(self) -> str:
        return f"{self.net.summary()}, m={self.X.shape[0]}"


def witness_arrays(net, X, Y, theta) -> dict:
    out = {"X": X, "Y": Y, "theta": theta, "widths": np.array(net.widths), "d_y": np.array(net.d_y)}
    for l, a in enumerate(net.slopes):
        if a is not None:
            out[f"slopes{l + 1}"] = a
    return out


def certify_failure(kind: str, seed: int) -> tuple[dict, tuple]:
    """Build one failure-case instance and the numbers certifying ``L != J`` there."""
    from landscape.kawaguchi2019.failures import BUILDERS

    net, X, Y, theta, lam = BUILDERS[kind](seed)
    checks = gap_certificate(net, X, Y, theta)
    if kind in ("nonlinear-output", "weight-decay"):
        pc = certify_point(net, X, Y, theta, weight_decay=lam)
        checks["local_min"] = pc.certificate.verdict
        checks["objective_grad_norm"] = pc.certificate.grad_norm
        ok = pc.local_min
        if kind == "nonlinear-output":
            # the (B)-type explanation by residual gradient is |g|^2/(2 s_k^2); the gap must exceed it
            inst = BarePoint(net, X, Y, theta)
            t = tangent(inst)
            explained = float(np.linalg.norm(t.g)) ** 2 / (2 * t.s[t.rank - 1] ** 2)
            checks["explained_by_gradient"] = explained
            checks["output_off_tangent_space"] = float(
                np.linalg.norm(t.yhat - t.U[:, : t.rank] @ (t.U[:, : t.rank].T @ t.yhat))
            )
            ok = (
                ok
                and t.gap >= ktol.GAP_RATIO
                and abs(checks["L_minus_J"]) > ktol.CERTIFY_FACTOR * (explained + checks["roundoff"])
            )
        else:
            ok = ok and checks["certified"]
        checks["certified"] = bool(ok)
    return checks, (net, X, Y, theta)


def check_failure_case(kind: str, record, seeds=range(8)) -> None:
    """Search seeds for a certified instance of the failure case and save it as a witness."""
    for seed in seeds:
        checks, (net, X, Y, theta) = certify_failure(kind, seed)
        if checks["certified"]:
            inst = BarePoint(net, X, Y, theta)
            record.note("L - J at the witness", checks["L_minus_J"], instance=inst)
            record.witness(
                f"{kind}-seed{seed}", witness_arrays(net, X, Y, theta), certified=True, checks=checks, instance=inst
            )
            return
    raise AssertionError(f"no certified {kind} instance among seeds {list(seeds)}: last {checks}")
