"""Oracle functions of the Kawaguchi et al. (2019) family: each takes an instance and a recorder, computes both
sides of a claim by independent routes and records the outcome.  The theorem tests and the mutation meta-tests
call the same functions (the latter with one formula mutated through a keyword)."""

from __future__ import annotations

# the tolerances module and the point certifier stay reachable through the package, as before the split
from landscape.kawaguchi2019 import tolerances as ktol
from landscape.kawaguchi2019.points import certify_point
from theorems.kawaguchi2019.checks.failures import (
    BarePoint,
    certify_failure,
    check_failure_case,
    gap_certificate,
    witness_arrays,
)
from theorems.kawaguchi2019.checks.highway import (
    certify_narrow_highway,
    check_highway,
)
from theorems.kawaguchi2019.checks.lemmas import (
    check_lemma1,
    check_lemma2,
    check_lemma3,
    projector_pinv,
    projector_svd,
)
from theorems.kawaguchi2019.checks.linear import (
    certify_bottleneck,
    check_linear,
    ols_value,
    reduced_rank_value,
    train_linear,
)
from theorems.kawaguchi2019.checks.props import (
    check_prop1,
    check_prop2,
    prop2_losses,
)
from theorems.kawaguchi2019.checks.tangent_checks import (
    Tangent,
    at_kink,
    autodiff_gradient,
    check_identity_E,
    check_thm1_at_certified_minima,
    record_jacobians,
    record_tau_version,
    record_three_routes,
    require_resolvable,
    tangent,
    tau_tolerance,
    z_norm,
)

__all__ = [
    "certify_point",
    "ktol",
    "BarePoint",
    "Tangent",
    "at_kink",
    "autodiff_gradient",
    "certify_bottleneck",
    "certify_failure",
    "certify_narrow_highway",
    "check_failure_case",
    "check_highway",
    "check_identity_E",
    "check_lemma1",
    "check_lemma2",
    "check_lemma3",
    "check_linear",
    "check_prop1",
    "check_prop2",
    "check_thm1_at_certified_minima",
    "gap_certificate",
    "ols_value",
    "projector_pinv",
    "projector_svd",
    "prop2_losses",
    "record_jacobians",
    "record_tau_version",
    "record_three_routes",
    "reduced_rank_value",
    "require_resolvable",
    "tangent",
    "tau_tolerance",
    "train_linear",
    "witness_arrays",
    "z_norm",
]
