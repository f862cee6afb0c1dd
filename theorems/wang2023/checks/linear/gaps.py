"""Duality-gap certificates of the deep linear family: the bi-dual certificate against the Hoelder lower bound,
recorded with its floor.
"""

from __future__ import annotations

import numpy as np

from landscape.core import tolerances as tol
from landscape.wang2023 import linear as wl
from strategies.wang2023.linear import WangLinearInstance
from theorems.wang2023.checks.linear.common import C, eval_tol


# ------------------------------------------------------------------------------------------------------------
# Theorem 3's condition, both directions, under the reading of the module docstring
# ------------------------------------------------------------------------------------------------------------
def certify_gap_or_none(inst: WangLinearInstance, record, closed: wl.ClosedForms = C, factors=None) -> wl.RouteResult:
    """Pin P_lin(t) from both sides (explicit factors above, the Hoelder inequality below, neither taken from the
    paper's closed form) and D_lin(t) (dual and bi-dual certificates), compare the closed form (10) with the pinned
    value, and return the certificate of :func:`wl.gap_certificate`.  ``factors`` (mutation hook) replaces the
    construction of the explicit factors."""
    L, t = inst.L, inst.t
    cert = record.decide(
        lambda: wl.gap_certificate(inst.X, inst.Y, L, t, closed=closed, factors=factors),
        instance=inst,
        what="gap certificate (Clarabel)",
    )
    record.close(
        cert["P_upper"],
        cert["P_lower"],
        tol=eval_tol(inst, cert["P_lower"]),
        instance=inst,
        routes=("explicit factors (9)", "Hoelder lower bound"),
        what="explicit factors attain the Hoelder lower bound: P_lin(t) is pinned",
    )
    record.close(
        cert["P_closed"],
        cert["P_lower"],
        tol=eval_tol(inst, cert["P_lower"]),
        instance=inst,
        routes=("closed form (10)", "Hoelder lower bound"),
        what="closed form (10) = the pinned P_lin(t)",
    )
    record.leq(
        cert["factor_residual"],
        0.0,
        tol=eval_tol(inst, float(np.linalg.norm(inst.Y)) + cert["P_lower"]),
        instance=inst,
        what="the explicit factors interpolate Y",
        evidence=False,
    )
    record.leq(
        cert["D_lower"],
        cert["D_upper"],
        tol=eval_tol(inst, cert["D_upper"]),
        instance=inst,
        routes=("dual certificate (Clarabel)", "bi-dual certificate (Clarabel)"),
        what="weak duality between the dual and bi-dual certificates",
    )
    return cert


GAP_ROUTES = ("bi-dual certificate on D_lin(t)", "Hoelder lower bound on P_lin(t)")


def record_certified_gap(record, inst: WangLinearInstance, cert, what: str) -> float:
    """The gap claims' decisive check, as ``D_upper + margin <= P_lower``: both ends from their own routes (bi-dual
    certificate, Hoelder bound), the margin :func:`gap_floor`; observed / bound = D / P is the claim's tightness."""
    return record.leq(
        cert["D_upper"] + gap_floor(inst, cert),
        cert["P_lower"],
        tol=0.0,
        instance=inst,
        routes=GAP_ROUTES,
        decisive=True,
        what=what,
    )


def gap_floor(inst: WangLinearInstance, cert) -> float:
    """A gap counts as certified when it exceeds GAP_MARGIN times the uncertainty of the routes behind it."""
    return wl.GAP_MARGIN * (tol.conic_value(cert["P_lower"]) + eval_tol(inst, cert["P_lower"]))
